package console_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// feedbackComment stores, in org, a feedback question answered with rating
// and comment by a member of staff named Zelda Quill with mobile
// +447700900555, and returns its id.
func (f *fixture) feedbackComment(org int64, rating int, comment string) int64 {
	f.t.Helper()
	n := f.seq.Add(1)
	staff := pgtest.Staff(f.t, f.db.Pool, pgtest.StaffRow{Organisation: org, Number: fmt.Sprintf("3000%04d-1", n), First: "Zelda", Last: "Quill",
		Mobile: "+447700900555"})
	closed := pgtest.ConversationRow{Organisation: org, Staff: staff, Channel: "sms", Address: "+447700900555", State: "closed", Closed: true}
	asked, answered := closed, closed
	asked.Flow, answered.Flow = "msk-checkin", "support"
	askedID, answeredID := pgtest.Conversation(f.t, f.db.Pool, asked), pgtest.Conversation(f.t, f.db.Pool, answered)
	var id int64
	err := f.db.Pool.QueryRow(f.t.Context(), `
		INSERT INTO feedback (organisation_id, staff_id, conversation_id, flow, channel, language, asked_at, rating, rated_at,
			answer_conversation_id, comment, commented_at)
		VALUES ($1, $2, $3, 'msk-checkin', 'sms', 'cy', now(), $4, now(), $5, $6, now()) RETURNING id`,
		org, staff, askedID, rating, answeredID, comment).Scan(&id)
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

// TestFeedbackComments: the comments page shows the comments of the
// user's organisation with their flow, rating and day and nothing that
// names the person; the physio team may not see it; every view is audited
// with the ids shown.
func TestFeedbackComments(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	nurse := f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	f.user("lead@example.nhs.uk", "Lee Lead", ohcontact.RoleLead, f.org)
	f.user("physio@example.nhs.uk", "Pat Physio", ohcontact.RolePhysio, f.org)
	f.user("admin@example.nhs.uk", "Ada Admin", ohcontact.RoleAdmin, 0)
	ours := f.feedbackComment(f.org, 4, "The physio & the texts were quick")
	theirs := f.feedbackComment(f.otherOrg, 2, "Too many texts from the other trust")

	b := f.signIn("nurse@example.nhs.uk")
	resp, page := b.get("/console/feedback")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "<h1>Staff feedback</h1>") || !strings.Contains(page, `href="/console/feedback"`) {
		t.Fatalf("a clinician: status %d, want the feedback page, linked from the navigation", resp.StatusCode)
	}
	checkMarkup(t, "/console/feedback", page)
	for _, want := range []string{"The physio &amp; the texts were quick", "Muscle and joint (MSK) check-in", "4 of 5", "Welsh, SMS"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, leak := range []string{"Too many texts", "Zelda", "Quill", "+447700900555", "07700"} {
		if strings.Contains(page, leak) {
			t.Errorf("the clinician's page shows %q: another organisation's comment, or who wrote one", leak)
		}
	}
	var shown string
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT details->>'feedback_ids' FROM audit_events
		WHERE action = 'feedback.view' AND actor_id = $1`, nurse).Scan(&shown); err != nil || shown != fmt.Sprintf("[%d]", ours) {
		t.Errorf("audit of the view: ids %q (%v), want [%d]", shown, err, ours)
	}

	if resp, page := f.signInPhysio("physio@example.nhs.uk").get("/console/feedback"); resp.StatusCode != http.StatusForbidden || strings.Contains(page, "quick") {
		t.Errorf("the physio team: status %d, want the 403 page", resp.StatusCode)
	}
	if _, page := f.signIn("lead@example.nhs.uk").get("/console/feedback"); !strings.Contains(page, "texts were quick") {
		t.Error("a lead does not see their organisation's comments")
	}
	_, page = f.signIn("admin@example.nhs.uk").get("/console/feedback")
	if !strings.Contains(page, "Too many texts") || !strings.Contains(page, "texts were quick") || !strings.Contains(page, "Test Trust") {
		t.Errorf("an admin of every organisation does not see both comments with their organisations (feedback %d and %d)", ours, theirs)
	}
}

// TestDashboardFeedbackCharts: the dashboard charts the feedback question
// by flow, with the figures suppressed as the rules say.
func TestDashboardFeedbackCharts(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("lead@example.nhs.uk", "Lee Lead", ohcontact.RoleLead, f.org)
	for range 6 {
		f.feedbackComment(f.org, 5, "Great")
	}
	f.feedbackComment(f.org, 3, "Fine")
	_, page := f.signIn("lead@example.nhs.uk").get("/console/dashboard")
	figures := pageFigures(page)
	for k, want := range map[figureKey]string{
		{"feedback_answered", "Asked", "Muscle and joint (MSK) check-in"}:        "7",
		{"feedback_answered", "Answered (%)", "Muscle and joint (MSK) check-in"}: "100.0",
		{"feedback_ratings", "5 very helpful", "All conversations"}:              "<5",
		{"feedback_ratings", "3", "All conversations"}:                           "<5",
		{"feedback_ratings", "Mean rating", "All conversations"}:                 "4.7",
		{"feedback_answered", "Asked", "Absence report"}:                         "0",
	} {
		if got := figures[k]; got != want {
			t.Errorf("%v = %q, want %q", k, got, want)
		}
	}
}
