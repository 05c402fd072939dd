package console_test

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// chatCase opens a web chat conversation of staff (0: an anonymous chat)
// in org, with one message, and an urgent case on it; it returns the
// case's and the conversation's ids.
func (f *fixture) chatCase(org, staff int64) (caseID, convID int64) {
	f.t.Helper()
	ctx := f.t.Context()
	n := f.seq.Add(1)
	err := f.db.InTx(ctx, func(tx pgx.Tx) error {
		address := fmt.Sprintf("widget-session-%d", n)
		opened, err := postgres.OpenConversations(ctx, tx, []ohcontact.Conversation{{OrganisationID: org, StaffID: staff,
			Channel: ohcontact.ChannelWebChat, Address: address, Flow: "support", State: "risk_pathway", Language: "en-GB"}})
		if err != nil {
			return err
		}
		conv := opened[postgres.KeyFor(staff, ohcontact.ChannelWebChat, address)]
		convID = conv.ID
		in := ohcontact.Message{Direction: ohcontact.DirectionInbound, Author: ohcontact.AuthorStaff,
			Body: "i cannot cope on the ward any more", ExternalID: fmt.Sprintf("WC%d", n)}
		if err := postgres.AppendMessage(ctx, tx, &conv, &in); err != nil {
			return err
		}
		caseID, _, err = postgres.OpenOrRaiseCase(ctx, tx, postgres.NewCase{OrganisationID: org, ConversationID: conv.ID, StaffID: staff,
			Priority: ohcontact.PriorityUrgent, Category: "asked_to_talk", Evidence: []string{"asked to talk"},
			SLADue: time.Now().Add(15 * time.Minute)})
		return err
	})
	if err != nil {
		f.t.Fatalf("open web chat case: %v", err)
	}
	return caseID, convID
}

func (f *fixture) exec(sql string, args ...any) {
	f.t.Helper()
	if _, err := f.db.Pool.Exec(f.t.Context(), sql, args...); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

func TestContactReveal(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	nurse := f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	lead := f.user("lead@example.nhs.uk", "Lee Lead", ohcontact.RoleLead, f.org)
	tc := f.newCase(f.org, ohcontact.PriorityUrgent, 0)
	f.exec(`UPDATE staff SET job_title = 'Staff Nurse', department = 'Ward 7', email = 'ann.example@nhs.net',
		consent = 'opted_out', consent_changed_at = now() WHERE id = $1`, tc.staff)
	path := fmt.Sprintf("/console/cases/%d", tc.id)
	reveals := func(user int64) int {
		return f.count(`SELECT count(*) FROM audit_events WHERE action = 'contact.reveal' AND actor_id = $1 AND record_type = 'case'
			AND record_id = $2 AND organisation_id = $3 AND (details->>'staff_id')::bigint = $4
			AND details->'shown' = '["mobile", "email"]'::jsonb`, user, tc.id, f.org, tc.staff)
	}

	b := f.signIn("nurse@example.nhs.uk")
	_, page := b.get(path)
	body := text(page)
	for _, want := range []string{"Contact Organisation Test Trust Job Staff Nurse Department Ward 7", "opted out of messages",
		"Show phone number and email", "All contact with this person"} {
		if !strings.Contains(body, want) {
			t.Errorf("case page lacks %q before revealing", want)
		}
	}
	if strings.Contains(page, tc.mobile[1:]) || strings.Contains(page, "ann.example@nhs.net") {
		t.Error("the case page shows the mobile or email before the button is pressed")
	}
	if !strings.Contains(page, fmt.Sprintf(`href="/console/people/%d"`, tc.staff)) {
		t.Error("the case page does not link the person page")
	}
	if n := reveals(nurse); n != 0 {
		t.Fatalf("%d contact.reveal events before revealing", n)
	}

	resp, page := b.post(path+"/contact", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reveal: status %d", resp.StatusCode)
	}
	if page := html.UnescapeString(page); !strings.Contains(page, `<a href="tel:`+tc.mobile+`">`+tc.mobile+`</a>`) ||
		!strings.Contains(page, `href="mailto:ann.example@nhs.net"`) {
		t.Error("the revealed page has no tel: link to the mobile or no mailto: link")
	}
	if !strings.Contains(text(page), "opted out of messages") {
		t.Error("the revealed details do not say the person opted out of messages")
	}
	if n := reveals(nurse); n != 1 {
		t.Errorf("%d contact.reveal events (with the case, staff id and which details) for one reveal, want 1", n)
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'contact.reveal' AND details::text LIKE '%' || $1 || '%'`,
		tc.mobile[1:]); n != 0 {
		t.Error("the audit event carries the mobile number")
	}

	// The same person's signed-in web chat case reveals the same details.
	chat, _ := f.chatCase(f.org, tc.staff)
	if _, page := b.post(fmt.Sprintf("/console/cases/%d/contact", chat), nil); !strings.Contains(html.UnescapeString(page), `<a href="tel:`+tc.mobile+`">`) {
		t.Error("a signed-in web chat case does not reveal the staff record's mobile")
	}

	// A lead sees who the person is but not how to reach them.
	lb := f.signIn("lead@example.nhs.uk")
	_, page = lb.get(path)
	if body := text(page); !strings.Contains(body, "Staff Nurse") || !strings.Contains(body, "Only clinicians and admins can see contact details") ||
		strings.Contains(page, "/contact\"") {
		t.Errorf("lead's contact panel: %q", regexp.MustCompile(`(?s)<section class="contact-panel".*?</section>`).FindString(page))
	}
	if resp, page := lb.post(path+"/contact", nil); resp.StatusCode != http.StatusForbidden || strings.Contains(page, tc.mobile[1:]) {
		t.Errorf("lead revealing: status %d, want 403 without the number", resp.StatusCode)
	}
	if n := reveals(lead); n != 0 {
		t.Errorf("%d contact.reveal events for the lead, want 0", n)
	}

	// Another organisation's clinician cannot reveal it.
	f.user("other@example.nhs.uk", "Olu Other", ohcontact.RoleClinician, f.otherOrg)
	if resp, _ := f.signIn("other@example.nhs.uk").post(path+"/contact", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another organisation's clinician revealing: status %d, want 404", resp.StatusCode)
	}
}

func TestContactWithoutStaffRecord(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	nurse := f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	b := f.signIn("nurse@example.nhs.uk")

	// An anonymous web chat: nothing to reveal, said plainly.
	anon, _ := f.chatCase(f.org, 0)
	path := fmt.Sprintf("/console/cases/%d", anon)
	_, page := b.get(path)
	if !strings.Contains(text(page), "There are no contact details: this person did not sign in to the web chat") ||
		strings.Contains(page, path+"/contact") || strings.Contains(page, "/console/people/") {
		t.Error("an anonymous web chat case does not say plainly that there are no contact details")
	}
	if resp, page := b.post(path+"/contact", nil); resp.StatusCode != http.StatusOK || strings.Contains(page, "tel:") {
		t.Errorf("revealing an anonymous chat's contact: status %d, tel: link %v", resp.StatusCode, strings.Contains(page, "tel:"))
	}

	// A text from a number not in the staff directory: the number it came
	// from may be revealed.
	tc := f.newCase(f.org, ohcontact.PriorityUrgent, 0)
	f.exec(`UPDATE cases SET staff_id = NULL, unknown_sender = true WHERE id = $1`, tc.id)
	f.exec(`UPDATE conversations SET staff_id = NULL WHERE id = $1`, tc.conversation)
	path = fmt.Sprintf("/console/cases/%d", tc.id)
	if _, page := b.get(path); !strings.Contains(page, "Show the number they texted from") || strings.Contains(page, tc.mobile[1:]) {
		t.Error("an unknown sender's case does not offer the number they texted from, or shows it unasked")
	}
	_, page = b.post(path+"/contact", nil)
	if !strings.Contains(html.UnescapeString(page), `<a href="tel:`+tc.mobile+`">`) {
		t.Error("revealing an unknown sender's number shows no tel: link")
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'contact.reveal' AND actor_id = $1 AND record_id = $2
		AND details->'shown' = '["texted_from"]'::jsonb`, nurse, tc.id); n != 1 {
		t.Errorf("%d contact.reveal events for the unknown sender's number, want 1", n)
	}
}

var personCasePattern = regexp.MustCompile(`<tr data-case-id="(\d+)">`)

func TestPersonPage(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	nurse := f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	lead := f.user("lead@example.nhs.uk", "Lee Lead", ohcontact.RoleLead, f.org)
	f.user("other@example.nhs.uk", "Olu Other", ohcontact.RoleClinician, f.otherOrg)
	f.user("physio@example.nhs.uk", "Pat Physio", ohcontact.RolePhysio, f.org)

	sms := f.newCase(f.org, ohcontact.PriorityHigh, time.Hour)
	f.exec(`UPDATE staff SET job_title = 'Porter', department = 'Estates' WHERE id = $1`, sms.staff)
	chat, chatConv := f.chatCase(f.org, sms.staff)
	pgtest.Absence(t, f.db.Pool, pgtest.AbsenceRow{Staff: sms.staff, StartsOn: "2026-01-05", EndsOn: "2026-01-09", Reason: "S11"})
	pgtest.Absence(t, f.db.Pool, pgtest.AbsenceRow{Staff: sms.staff, StartsOn: "2026-03-02", Reason: "S10"})
	other := f.newCase(f.org, ohcontact.PriorityUrgent, 0) // another person: not shown

	path := fmt.Sprintf("/console/people/%d", sms.staff)
	resp, page := f.signIn("nurse@example.nhs.uk").get(path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("person page: status %d", resp.StatusCode)
	}
	var got []string
	for _, m := range personCasePattern.FindAllStringSubmatch(page, -1) {
		got = append(got, m[1])
	}
	if want := []string{fmt.Sprint(chat), fmt.Sprint(sms.id)}; !slices.Equal(got, want) {
		t.Errorf("person page lists cases %v, want %v (the web chat case, newer, first)", got, want)
	}
	body := text(page)
	for _, want := range []string{"Ann Example", "Porter", "Estates", "English", "Test Trust",
		"Web chat", "SMS", "i cannot cope on the ward any more", "i have been saving up my tablets",
		"S10 Anxiety", "Still absent", "S11 Back problems", "Asked to talk", "Suicide risk"} {
		if !strings.Contains(body, want) {
			t.Errorf("person page lacks %q", want)
		}
	}
	if strings.Index(body, "S10 Anxiety") > strings.Index(body, "S11 Back problems") {
		t.Error("absences are not newest first")
	}
	if strings.Contains(page, fmt.Sprintf(`href="/console/cases/%d"`, other.id)) || strings.Contains(page, sms.mobile[1:]) {
		t.Error("the person page shows another person's case, or the mobile number")
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'person.view' AND actor_id = $1 AND record_type = 'staff'
		AND record_id = $2 AND details->'case_ids' = $3::jsonb AND details->'conversation_ids' = $4::jsonb`,
		nurse, sms.staff, fmt.Sprintf("[%d, %d]", chat, sms.id), fmt.Sprintf("[%d, %d]", chatConv, sms.conversation)); n != 1 {
		t.Errorf("%d person.view events with the cases and conversations shown, want 1", n)
	}

	if resp, _ := f.signIn("lead@example.nhs.uk").get(path); resp.StatusCode != http.StatusOK {
		t.Errorf("lead's person page: status %d, want 200", resp.StatusCode)
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'person.view' AND actor_id = $1`, lead); n != 1 {
		t.Errorf("%d person.view events for the lead, want 1", n)
	}
	for _, tt := range []struct{ name, path string }{
		{"another organisation's person", path},
		{"no such person", "/console/people/999999"},
	} {
		if resp, _ := f.signIn("other@example.nhs.uk").get(tt.path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", tt.name, resp.StatusCode)
		}
	}
	if resp, _ := f.signInPhysio("physio@example.nhs.uk").get(path); resp.StatusCode != http.StatusNotFound {
		t.Errorf("physio's person page: status %d, want 404", resp.StatusCode)
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'person.view'`); n != 2 {
		t.Errorf("%d person.view events, want 2 (refused views are not audited as views)", n)
	}
	checkMarkup(t, path, page)
}
