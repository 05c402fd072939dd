package console_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// newStarter seeds a new starter of org called first, starting on
// startsOn, in state, on the worklist since worklist ("" for not), and
// returns its id and the staff record's.
func (f *fixture) newStarter(org int64, first, job, startsOn, state, worklist string) (id, staff int64) {
	f.t.Helper()
	n := f.seq.Add(1)
	staff = pgtest.Staff(f.t, f.db.Pool, pgtest.StaffRow{Organisation: org, Number: fmt.Sprintf("3000%04d-1", n), First: first, Last: "Starter"})
	if _, err := f.db.Pool.Exec(f.t.Context(), `UPDATE staff SET job_title = $2 WHERE id = $1`, staff, job); err != nil {
		f.t.Fatal(err)
	}
	return pgtest.NewStarter(f.t, f.db.Pool, pgtest.NewStarterRow{Staff: staff, StartsOn: startsOn, State: state, Worklist: worklist}), staff
}

// TestNewStartersPage checks what an OH lead sees: their organisation's
// new starters, the worklist first and flagged, with job, start date and
// a link to the person; that the view is audited; and that clinicians
// are refused.
func TestNewStartersPage(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	lead := f.user("lead@example.nhs.uk", "Lee Lead", ohcontact.RoleLead, f.org)
	f.user("nurse@example.nhs.uk", "Nia Nurse", ohcontact.RoleClinician, f.org)
	soon := f.now().AddDate(0, 0, 5).Format(time.DateOnly)
	later := f.now().AddDate(0, 0, 20).Format(time.DateOnly)
	welcomed, _ := f.newStarter(f.org, "Wendy", "Staff Nurse", soon, "welcomed", "")
	worklist, worklistStaff := f.newStarter(f.org, "Priya", "Healthcare Assistant", later, "worklist", f.now().Add(-24*time.Hour).Format(time.RFC3339))
	f.newStarter(f.otherOrg, "Otto", "Porter", soon, "welcomed", "")

	b := f.signIn("lead@example.nhs.uk")
	resp, page := b.get("/console/new-starters")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	checkMarkup(t, "/console/new-starters", page)
	got := text(page)
	for _, want := range []string{"1 new starter is on the worklist", "2 new starters",
		"Priya Starter Healthcare Assistant", "Worklist No reply after the reminder: on the worklist since", "Wendy Starter Staff Nurse", "Welcomed"} {
		if !strings.Contains(got, want) {
			t.Errorf("page lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Otto") {
		t.Error("the page lists another organisation's new starter")
	}
	if strings.Index(page, fmt.Sprintf(`data-new-starter-id="%d"`, worklist)) > strings.Index(page, fmt.Sprintf(`data-new-starter-id="%d"`, welcomed)) {
		t.Error("the worklist item is not listed first")
	}
	if !strings.Contains(page, fmt.Sprintf(`href="/console/people/%d"`, worklistStaff)) {
		t.Error("no link to the person page")
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'new_starter.list' AND actor_id = $1
		AND details->'ids' = $2::jsonb`, lead, fmt.Sprintf("[%d, %d]", worklist, welcomed)); n != 1 {
		t.Errorf("%d audit events of the view with the ids shown, want 1", n)
	}

	nurse := f.signIn("nurse@example.nhs.uk")
	if resp, _ := nurse.get("/console/new-starters"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a clinician gets %d, want 403", resp.StatusCode)
	}
	if strings.Contains(func() string { _, p := nurse.get("/console/"); return p }(), `href="/console/new-starters"`) {
		t.Error("a clinician's menu links the new starters page")
	}
}

// TestMarkNewStarter checks the two marks as the OH team makes them:
// clearance refused before the questionnaire came back, each mark made
// once (a repeat is a 409 that changes nothing), both audited with the
// user, the new starter off the worklist once cleared, and another
// organisation's new starter not found.
func TestMarkNewStarter(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	admin := f.user("admin@example.nhs.uk", "Ada Admin", ohcontact.RoleAdmin, f.org)
	id, _ := f.newStarter(f.org, "Priya", "Healthcare Assistant", f.now().AddDate(0, 0, 3).Format(time.DateOnly), "worklist",
		f.now().Add(-time.Hour).Format(time.RFC3339))
	other, _ := f.newStarter(f.otherOrg, "Otto", "Porter", f.now().AddDate(0, 0, 3).Format(time.DateOnly), "welcomed", "")
	b := f.signIn("admin@example.nhs.uk")
	path := func(id int64, action string) string { return fmt.Sprintf("/console/new-starters/%d/%s", id, action) }

	resp, page := b.post(path(id, "clearance-given"), nil)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(text(page), "Mark the questionnaire received before giving clearance") {
		t.Errorf("clearance first: status %d, summary %q", resp.StatusCode, errorSummary(page))
	}
	resp, _ = b.post(path(id, "questionnaire-received"), nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/new-starters?done=received" {
		t.Fatalf("questionnaire received: status %d, location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page = b.get("/console/new-starters?done=received")
	if got := text(page); !strings.Contains(got, "Questionnaire marked received.") || !strings.Contains(got, "Received ") {
		t.Errorf("after marking received the page says:\n%s", got)
	}
	resp, page = b.post(path(id, "questionnaire-received"), nil)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(text(page), "already marked") {
		t.Errorf("received again: status %d, summary %q", resp.StatusCode, errorSummary(page))
	}
	resp, _ = b.post(path(id, "clearance-given"), nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("clearance given: status %d", resp.StatusCode)
	}
	_, page = b.get("/console/new-starters?done=cleared")
	if got := text(page); !strings.Contains(got, "Clearance marked given.") || !strings.Contains(got, "Given ") ||
		strings.Contains(got, "on the worklist since") || strings.Contains(got, "is on the worklist") {
		t.Errorf("after clearance the page says:\n%s", got)
	}
	if resp, _ := b.post(path(id, "clearance-given"), nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("clearance again: status %d, want 409", resp.StatusCode)
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE record_type = 'new_starter' AND record_id = $1 AND actor_id = $2
		AND action IN ('new_starter.questionnaire_received', 'new_starter.clearance_given')`, id, admin); n != 2 {
		t.Errorf("%d audit events of the marks, want 2", n)
	}
	for _, p := range []string{path(other, "questionnaire-received"), path(id, "cleared")} {
		if resp, _ := b.post(p, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", p, resp.StatusCode)
		}
	}
	if n := f.count(`SELECT count(*) FROM new_starters WHERE id = $1 AND questionnaire_received_at IS NULL`, other); n != 1 {
		t.Error("another organisation's new starter was marked")
	}
}

// TestDashboardNewStarterClearance: the dashboard and its export show how
// soon new starters were cleared, by organisation side by side, with the
// figures suppressed as the rules say and a negative median (cleared
// before the first day) written with a minus sign the export keeps as
// text.
func TestDashboardNewStarterClearance(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("admin@example.nhs.uk", "Ada Admin", ohcontact.RoleAdmin, 0)
	admin := f.count(`SELECT id FROM users WHERE email = 'admin@example.nhs.uk'`)
	// Ten new starters of Test Trust started 20 days ago: cleared -3, -2,
	// -2, -1 and -1 days from their first day (5 by it: 50%), 2 and 4
	// (7 within 14 days: the 3 not would show, so suppressed), 15 (8
	// cleared; median of 8: -1), two not yet.
	first := f.now().AddDate(0, 0, -20)
	for i, days := range []int{-3, -2, -2, -1, -1, 2, 4, 15, 0, 0} {
		id, _ := f.newStarter(f.org, fmt.Sprint("Starter", i), "Nurse", first.Format(time.DateOnly), "replied", "")
		if i < 8 {
			day := first.AddDate(0, 0, days)
			cleared := time.Date(day.Year(), day.Month(), day.Day(), 12, 0, 0, 0, time.UTC)
			if _, err := f.db.Pool.Exec(t.Context(), `UPDATE new_starters SET questionnaire_received_at = $2, questionnaire_received_by = $3,
				clearance_given_at = $2, clearance_given_by = $3 WHERE id = $1`, id, cleared, admin); err != nil {
				t.Fatal(err)
			}
		}
	}
	b := f.signIn("admin@example.nhs.uk")
	_, page := b.get("/console/dashboard")
	figures := pageFigures(page)
	for k, want := range map[figureKey]string{
		{"new_starter_clearance", "Starters", "Starting in the period"}:                       "10",
		{"new_starter_clearance", "Cleared", "Starting in the period"}:                        "8",
		{"new_starter_clearance", "By the first day (%)", "Starting in the period"}:           "50.0",
		{"new_starter_clearance", "Cleared within 14 days", "Starting in the period"}:         "7",
		{"new_starter_clearance", "Within 14 days (%)", "Starting in the period"}:             "suppressed",
		{"trusts_side_by_side", "Test Trust", "New starters cleared by their first day (%)"}:  "50.0",
		{"trusts_side_by_side", "Other Trust", "New starters cleared by their first day (%)"}: "n/a",
	} {
		if got := figures[k]; got != want {
			t.Errorf("%v = %q, want %q", k, got, want)
		}
	}
	_, body := b.get("/console/dashboard.csv")
	median := figureKey{"new_starter_clearance", "Median days", "From the first day to clearance"}
	for org, want := range map[string]string{"RX1": "−1.0", "RX2": "n/a", "all": "−1.0"} {
		if got := csvFigures(t, body)[org][median]; got != want {
			t.Errorf("export of %s: median %q, want %q", org, got, want)
		}
	}
}

// TestNewStarterWorklistSaysWhy: the page tells the OH admin team why each
// new starter is on the worklist, so that someone who asked a question is
// not mistaken for someone who never answered, and someone texts cannot
// reach (opted out, or no mobile) is contacted another way.
func TestNewStarterWorklistSaysWhy(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("lead@example.nhs.uk", "Lee Lead", ohcontact.RoleLead, f.org)
	since := f.now().Add(-24 * time.Hour).Format(time.RFC3339)
	later := f.now().AddDate(0, 0, 20).Format(time.DateOnly)
	want := map[int64]string{}
	for first, reason := range map[string]string{"Priya": "", "Aled": postgres.WorklistAsked, "Olu": postgres.WorklistOptedOut,
		"Nadia": postgres.WorklistNoMobile} {
		id, _ := f.newStarter(f.org, first, "Porter", later, "worklist", since)
		if reason == "" {
			reason = postgres.WorklistNoReply
		}
		if _, err := f.db.Pool.Exec(f.t.Context(), `UPDATE new_starters SET worklist_reason = $2 WHERE id = $1`, id, reason); err != nil {
			t.Fatal(err)
		}
		want[id] = map[string]string{postgres.WorklistNoReply: "No reply after the reminder", postgres.WorklistAsked: "Asked the OH team for help",
			postgres.WorklistOptedOut: "Opted out of texts: contact another way",
			postgres.WorklistNoMobile: "No mobile number: contact another way"}[reason]
	}
	_, page := f.signIn("lead@example.nhs.uk").get("/console/new-starters")
	if got := text(page); !strings.Contains(got, "4 new starters are on the worklist") {
		t.Errorf("the banner does not count the 4 on the worklist:\n%s", got)
	}
	for id, want := range want {
		row := page[strings.Index(page, fmt.Sprintf(`data-new-starter-id="%d"`, id)):]
		if end := strings.Index(row, "</tr>"); end >= 0 {
			row = row[:end]
		}
		if !strings.Contains(text(row), want) {
			t.Errorf("new starter %d's row does not say %q:\n%s", id, want, text(row))
		}
	}
}
