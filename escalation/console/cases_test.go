package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact"
)

var rowPattern = regexp.MustCompile(`<tr data-case-id="(\d+)">`)

// queueIDs returns the case ids in the queue page, in order.
func queueIDs(t *testing.T, b *browser) []int64 {
	t.Helper()
	resp, page := b.get("/console/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("queue: status %d", resp.StatusCode)
	}
	var ids []int64
	for _, m := range rowPattern.FindAllStringSubmatch(page, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		ids = append(ids, id)
	}
	return ids
}

func TestQueueOrderAndScope(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("lead@example.nhs.uk", "Lee Lead", ohcontact.RoleLead, 0)
	f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)

	routineOld := f.newCase(f.org, ohcontact.PriorityRoutine, 3*time.Hour)
	urgentNew := f.newCase(f.org, ohcontact.PriorityUrgent, time.Minute)
	high := f.newCase(f.org, ohcontact.PriorityHigh, 2*time.Hour)
	urgentOld := f.newCase(f.org, ohcontact.PriorityUrgent, 10*time.Minute)
	otherOrg := f.newCase(f.otherOrg, ohcontact.PriorityUrgent, 5*time.Minute)
	resolved := f.newCase(f.org, ohcontact.PriorityUrgent, time.Hour)
	if _, err := f.db.Pool.Exec(t.Context(), `UPDATE cases SET status = 'resolved', resolved_at = now(), outcome = 'no_risk_found' WHERE id = $1`, resolved.id); err != nil {
		t.Fatal(err)
	}

	everyOrg := f.signIn("lead@example.nhs.uk")
	want := []int64{urgentOld.id, otherOrg.id, urgentNew.id, high.id, routineOld.id}
	if got := queueIDs(t, everyOrg); !slices.Equal(got, want) {
		t.Errorf("queue for every organisation = %v, want %v (urgent, high, routine; oldest first)", got, want)
	}
	ownOrg := f.signIn("nurse@example.nhs.uk")
	want = []int64{urgentOld.id, urgentNew.id, high.id, routineOld.id}
	if got := queueIDs(t, ownOrg); !slices.Equal(got, want) {
		t.Errorf("queue for Test Trust = %v, want %v", got, want)
	}

	_, page := everyOrg.get("/console/")
	row := text(regexp.MustCompile(fmt.Sprintf(`(?s)<tr data-case-id="%d">.*?</tr>`, high.id)).FindString(page))
	for _, want := range []string{"Case " + strconv.FormatInt(high.id, 10), "High", "Suicide risk", "Test Trust", "2 h", "Open", "Ann Example", "assignment 1000", "SMS"} {
		if !strings.Contains(row, want) {
			t.Errorf("queue row %q lacks %q", row, want)
		}
	}
	if !strings.Contains(page, `<caption class="table-caption">5 unresolved cases</caption>`) || !strings.Contains(page, `<th scope="col">Priority</th>`) {
		t.Error("the queue table has no caption or column headers")
	}

	// Another organisation's case does not exist for this user.
	resp, _ := ownOrg.get(fmt.Sprintf("/console/cases/%d", otherOrg.id))
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("another organisation's case: status %d, want 404", resp.StatusCode)
	}
	resp, _ = ownOrg.post(fmt.Sprintf("/console/cases/%d/claim", otherOrg.id), nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("claiming another organisation's case: status %d, want 404", resp.StatusCode)
	}
	if n := f.count(`SELECT count(*) FROM cases WHERE id = $1 AND status = 'open'`, otherOrg.id); n != 1 {
		t.Error("another organisation's case was claimed")
	}
}

func TestQueueSLA(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	id := f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	due := f.newCase(f.org, ohcontact.PriorityUrgent, 0)
	overdue := f.newCase(f.org, ohcontact.PriorityUrgent, 0)
	claimed := f.newCase(f.org, ohcontact.PriorityUrgent, 0)
	ctx := t.Context()
	if _, err := f.db.Pool.Exec(ctx, `UPDATE cases SET sla_due_at = now() - interval '3 minutes 10 seconds' WHERE id = $1`, overdue.id); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Pool.Exec(ctx, `UPDATE cases SET status = 'claimed', claimed_by = $2, claimed_at = now() WHERE id = $1`, claimed.id, id); err != nil {
		t.Fatal(err)
	}
	_, page := f.signIn("nurse@example.nhs.uk").get("/console/")
	rowText := func(id int64) string {
		return text(regexp.MustCompile(fmt.Sprintf(`(?s)<tr data-case-id="%d">.*?</tr>`, id)).FindString(page))
	}
	if r := rowText(due.id); !strings.Contains(r, "due in 14 min") && !strings.Contains(r, "due in 15 min") {
		t.Errorf("case due in 15 minutes: %q", r)
	}
	if r := rowText(overdue.id); !strings.Contains(r, "overdue by 3 min") {
		t.Errorf("case 3 minutes overdue: %q", r)
	}
	if r := rowText(claimed.id); !strings.Contains(r, "met") || !strings.Contains(r, "Claimed by Sam Jones") {
		t.Errorf("case claimed in time: %q", r)
	}
}

func TestCaseViewIsAudited(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	nurse := f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	lead := f.user("lead@example.nhs.uk", "Lee Lead", ohcontact.RoleLead, f.org)
	tc := f.newCase(f.org, ohcontact.PriorityUrgent, 0)
	path := fmt.Sprintf("/console/cases/%d", tc.id)

	b := f.signIn("nurse@example.nhs.uk")
	resp, page := b.get(path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("case page: status %d", resp.StatusCode)
	}
	body := text(page)
	for _, want := range []string{
		"Urgent", "Suicide risk", `"saving up my tablets" (means: stockpiling medication)`, "i have been saving up my tablets",
		"Ann (assignment number", "the number ending " + tc.mobile[len(tc.mobile)-3:], "Case opened by the service",
		"Claim this case",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
	if strings.Contains(page, tc.mobile) || strings.Contains(page, tc.mobile[1:]) {
		t.Error("the case page shows the whole phone number")
	}
	b.get(path)
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'case.view' AND actor_kind = 'user' AND actor_id = $1
		AND record_type = 'case' AND record_id = $2 AND organisation_id = $3`, nurse, tc.id, f.org); n != 2 {
		t.Errorf("%d case.view audit events for two views, want 2", n)
	}

	// A lead reads the case, audited too, without the forms.
	resp, page = f.signIn("lead@example.nhs.uk").get(path)
	if resp.StatusCode != http.StatusOK || strings.Contains(page, "/claim") || strings.Contains(page, "/notes") {
		t.Errorf("lead's case page: status %d, forms shown: %v", resp.StatusCode, strings.Contains(page, "/claim"))
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'case.view' AND actor_id = $1`, lead); n != 1 {
		t.Errorf("%d case.view audit events for the lead, want 1", n)
	}
	if resp, _ := f.signIn("lead@example.nhs.uk").post(path+"/claim", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("lead claiming: status %d, want 403", resp.StatusCode)
	}

	if resp, _ := b.get("/console/cases/999999"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a case that does not exist: status %d, want 404", resp.StatusCode)
	}
	if resp, _ := b.get("/console/cases/abc"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a case id that is not a number: status %d, want 404", resp.StatusCode)
	}
}

func TestClaimRace(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	names := map[int64]string{
		f.user("sam@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org):   "Sam Jones",
		f.user("alex@example.nhs.uk", "Alex Smith", ohcontact.RoleClinician, f.org): "Alex Smith",
	}
	browsers := []*browser{f.signIn("sam@example.nhs.uk"), f.signIn("alex@example.nhs.uk")}
	claimedMessage := regexp.MustCompile(`Case already claimed by (Sam Jones|Alex Smith) at \d\d:\d\d\.`)

	for round := range 15 {
		tc := f.newCase(f.org, ohcontact.PriorityUrgent, 0)
		path := fmt.Sprintf("/console/cases/%d/claim", tc.id)
		type result struct {
			status int
			page   string
			err    error
		}
		results := make([]result, len(browsers))
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, b := range browsers {
			wg.Go(func() {
				<-start
				resp, page, err := b.trySend(http.MethodPost, path, url.Values{"csrf_token": {b.csrf}}, nil)
				if err == nil {
					results[i] = result{resp.StatusCode, page, nil}
				} else {
					results[i].err = err
				}
			})
		}
		close(start)
		wg.Wait()

		var winner int64
		if err := f.db.Pool.QueryRow(t.Context(), `SELECT claimed_by FROM cases WHERE id = $1 AND status = 'claimed'`, tc.id).Scan(&winner); err != nil {
			t.Fatalf("round %d: the case is not claimed: %v", round, err)
		}
		won, lost := 0, 0
		for _, r := range results {
			switch {
			case r.err != nil:
				t.Fatalf("round %d: %v", round, r.err)
			case r.status == http.StatusSeeOther:
				won++
			case r.status == http.StatusConflict:
				lost++
				m := claimedMessage.FindStringSubmatch(text(r.page))
				if m == nil || m[1] != names[winner] {
					t.Errorf("round %d: the loser was told %v, want the winner %s", round, m, names[winner])
				}
			default:
				t.Errorf("round %d: status %d", round, r.status)
			}
		}
		if won != 1 || lost != 1 {
			t.Fatalf("round %d: %d won and %d lost, want exactly one each", round, won, lost)
		}
		if n := f.count(`SELECT count(*) FROM case_events WHERE case_id = $1 AND kind = 'claimed'`, tc.id); n != 1 {
			t.Fatalf("round %d: %d claimed events, want 1", round, n)
		}
		if n := f.count(`SELECT count(*) FROM audit_events WHERE record_id = $1 AND action = 'case.claimed' AND actor_id = $2`, tc.id, winner); n != 1 {
			t.Fatalf("round %d: %d case.claimed audit events by the winner, want 1", round, n)
		}
	}
}

func TestReleaseAndReassign(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	sam := f.user("sam@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	alex := f.user("alex@example.nhs.uk", "Alex Smith", ohcontact.RoleClinician, f.org)
	olly := f.user("olly@example.nhs.uk", "Olly Other", ohcontact.RoleClinician, f.otherOrg)
	lee := f.user("lee@example.nhs.uk", "Lee Lead", ohcontact.RoleLead, f.org)
	f.user("ada@example.nhs.uk", "Ada Admin", ohcontact.RoleAdmin, 0)
	tc := f.newCase(f.org, ohcontact.PriorityHigh, 0)
	path := fmt.Sprintf("/console/cases/%d", tc.id)
	samB, alexB := f.signIn("sam@example.nhs.uk"), f.signIn("alex@example.nhs.uk")
	claimedBy := func() int64 {
		var id *int64
		f.db.Pool.QueryRow(t.Context(), `SELECT claimed_by FROM cases WHERE id = $1`, tc.id).Scan(&id)
		if id == nil {
			return 0
		}
		return *id
	}

	expect := func(b *browser, action string, form url.Values, status int, claimer int64, says string) {
		t.Helper()
		resp, page := b.post(path+"/"+action, form)
		if resp.StatusCode != status {
			t.Fatalf("%s: status %d, want %d\n%s", action, resp.StatusCode, status, text(page))
		}
		if got := claimedBy(); got != claimer {
			t.Fatalf("after %s the case is claimed by %d, want %d", action, got, claimer)
		}
		if says != "" && !strings.Contains(text(page), says) {
			t.Fatalf("%s: the page does not say %q:\n%s", action, says, text(page))
		}
	}
	expect(samB, "release", nil, http.StatusConflict, 0, "This case is not claimed")
	expect(samB, "claim", nil, http.StatusSeeOther, sam, "")
	expect(alexB, "release", nil, http.StatusConflict, sam, "This case is claimed by Sam Jones")
	expect(samB, "release", nil, http.StatusSeeOther, 0, "")
	if n := f.count(`SELECT count(*) FROM case_events WHERE case_id = $1 AND kind = 'released' AND user_id = $2`, tc.id, sam); n != 1 {
		t.Errorf("%d released events, want 1", n)
	}

	expect(samB, "claim", nil, http.StatusSeeOther, sam, "")
	expect(alexB, "reassign", url.Values{"user_id": {strconv.FormatInt(alex, 10)}}, http.StatusConflict, sam, "claimed by Sam Jones")
	expect(samB, "reassign", url.Values{"user_id": {strconv.FormatInt(alex, 10)}}, http.StatusSeeOther, alex, "")
	expect(alexB, "reassign", url.Values{"user_id": {strconv.FormatInt(olly, 10)}}, http.StatusUnprocessableEntity, alex, "Choose a clinician who works for this case's organisation")
	expect(alexB, "reassign", url.Values{"user_id": {strconv.FormatInt(lee, 10)}}, http.StatusUnprocessableEntity, alex, "Choose a clinician")
	expect(alexB, "reassign", url.Values{}, http.StatusUnprocessableEntity, alex, "Choose who to reassign the case to")
	if n := f.count(`SELECT count(*) FROM case_events WHERE case_id = $1 AND kind = 'reassigned' AND user_id = $2 AND note = 'Reassigned to Alex Smith'`, tc.id, sam); n != 1 {
		t.Errorf("%d reassigned events naming Alex, want 1", n)
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE record_id = $1 AND action = 'case.reassigned' AND details->>'to_user_id' = $2`, tc.id, strconv.FormatInt(alex, 10)); n != 1 {
		t.Errorf("%d case.reassigned audit events, want 1", n)
	}
	// The reassign list offers the organisation's clinicians and admins of
	// every organisation, never another organisation's or a lead.
	_, page := alexB.get(path)
	if !strings.Contains(page, ">Sam Jones</option>") || !strings.Contains(page, ">Ada Admin</option>") ||
		strings.Contains(page, ">Olly Other</option>") || strings.Contains(page, ">Lee Lead</option>") || strings.Contains(page, ">Alex Smith</option>") {
		t.Errorf("reassign options: %v", regexp.MustCompile(`<option[^>]*>[^<]*</option>`).FindAllString(page, -1))
	}

	// An admin may release anyone's claim.
	expect(f.signIn("ada@example.nhs.uk"), "release", nil, http.StatusSeeOther, 0, "")
}

// TestCaseSLA checks the SLA result on the case page: a case claimed in
// time stays "met" when reassigned after its deadline, and a case resolved
// without a claim is measured at its resolution.
func TestCaseSLA(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("sam@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	alex := f.user("alex@example.nhs.uk", "Alex Smith", ohcontact.RoleClinician, f.org)
	f.user("ada@example.nhs.uk", "Ada Admin", ohcontact.RoleAdmin, 0)
	sla := func(b *browser, id int64) string {
		t.Helper()
		_, page := b.get(fmt.Sprintf("/console/cases/%d", id))
		return regexp.MustCompile(`SLA \(to be claimed\) [^(]*`).FindString(text(page))
	}

	reassigned := f.newCase(f.org, ohcontact.PriorityHigh, time.Hour)
	path := fmt.Sprintf("/console/cases/%d", reassigned.id)
	sam := f.signIn("sam@example.nhs.uk")
	sam.post(path+"/claim", nil)
	// Claimed 20 minutes ago, 10 minutes before the deadline; reassigned now.
	if _, err := f.db.Pool.Exec(t.Context(), `UPDATE cases SET claimed_at = now() - interval '20 minutes',
		sla_due_at = now() - interval '10 minutes' WHERE id = $1`, reassigned.id); err != nil {
		t.Fatal(err)
	}
	if resp, _ := sam.post(path+"/reassign", url.Values{"user_id": {strconv.FormatInt(alex, 10)}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reassign: status %d", resp.StatusCode)
	}
	if got := sla(sam, reassigned.id); got != "SLA (to be claimed) met " {
		t.Errorf("a case claimed in time and reassigned late shows %q, want met", got)
	}

	unclaimed := f.newCase(f.org, ohcontact.PriorityUrgent, time.Hour)
	if _, err := f.db.Pool.Exec(t.Context(), `UPDATE cases SET sla_due_at = now() - interval '5 minutes 10 seconds' WHERE id = $1`, unclaimed.id); err != nil {
		t.Fatal(err)
	}
	ada := f.signIn("ada@example.nhs.uk")
	if resp, _ := ada.post(fmt.Sprintf("/console/cases/%d/resolve", unclaimed.id), url.Values{"outcome": {"no_risk_found"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("resolve: status %d", resp.StatusCode)
	}
	if got := sla(ada, unclaimed.id); got != "SLA (to be claimed) missed by 5 min " {
		t.Errorf("a case resolved late without a claim shows %q, want missed by 5 min", got)
	}
}

func TestReply(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	sam := f.user("sam@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	f.user("alex@example.nhs.uk", "Alex Smith", ohcontact.RoleClinician, f.org)
	tc := f.newCase(f.org, ohcontact.PriorityUrgent, 0)
	path := fmt.Sprintf("/console/cases/%d", tc.id)
	samB := f.signIn("sam@example.nhs.uk")
	const reply = "Hello Ann, this is Sam from occupational health.\nCan I call you at 3pm today?"

	if resp, page := samB.post(path+"/reply", url.Values{"body": {reply}}); resp.StatusCode != http.StatusConflict || !strings.Contains(page, "Claim this case first") {
		t.Fatalf("reply before claiming: status %d, want 409", resp.StatusCode)
	}
	samB.post(path+"/claim", nil)
	_, page := samB.get(path)
	if !strings.Contains(text(page), "Sent by SMS to the number ending "+tc.mobile[len(tc.mobile)-3:]+". Up to 1,600 characters.") ||
		!strings.Contains(page, "has not confirmed who they are") {
		t.Error("the reply form does not say where the reply goes and how long it may be, or does not warn that the person is unverified")
	}
	if !strings.Contains(page, `name="body" rows="5" maxlength="1600"`) || !strings.Contains(page, `name="note" rows="3" maxlength="4000"`) ||
		!strings.Contains(text(page), "Up to 4,000 characters.") {
		t.Error("the reply and note boxes do not carry their length limits")
	}
	if resp, _ := f.signIn("alex@example.nhs.uk").post(path+"/reply", url.Values{"body": {reply}}); resp.StatusCode != http.StatusConflict {
		t.Fatalf("reply by someone else than the claimer: status %d, want 409", resp.StatusCode)
	}
	for _, tt := range []struct{ name, body string }{
		{"empty", " \r\n "},
		{"too long", strings.Repeat("a", 1601)},
	} {
		resp, page := samB.post(path+"/reply", url.Values{"body": {tt.body}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(errorSummary(page), `href="#reply"`) {
			t.Fatalf("%s reply: status %d, want 422 with the error linked to the reply box", tt.name, resp.StatusCode)
		}
	}
	if got := f.sms.messages(); len(got) != 0 {
		t.Fatalf("refused replies queued %d messages", len(got))
	}

	resp, _ := samB.post(path+"/reply", url.Values{"body": {reply + "\r\n"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != path+"?done=replied" {
		t.Fatalf("reply: status %d, location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	got := f.sms.messages()
	if len(got) != 1 {
		t.Fatalf("%d messages queued, want 1", len(got))
	}
	m := got[0]
	if m.ID == 0 || m.ConversationID != tc.conversation || m.Seq != 2 || m.Direction != ohcontact.DirectionOutbound ||
		m.Author != ohcontact.AuthorClinician || m.AuthorUserID != sam || !m.Urgent || m.Body != reply || m.Channel != ohcontact.ChannelSMS {
		t.Fatalf("queued %+v; want the stored urgent outbound message by Sam with the reply", m)
	}
	if n := f.count(`SELECT count(*) FROM messages WHERE id = $1 AND author = 'clinician' AND author_user_id = $2 AND urgent
		AND delivery_status = 'queued' AND body = $3`, m.ID, sam, reply); n != 1 {
		t.Error("the reply is not stored as an urgent clinician message")
	}
	if n := f.count(`SELECT count(*) FROM conversations WHERE id = $1 AND last_message_seq = 2 AND owner = 'clinician' AND status = 'open'`, tc.conversation); n != 1 {
		t.Error("the conversation's message count or owner is wrong after the reply")
	}
	if n := f.count(`SELECT count(*) FROM case_events WHERE case_id = $1 AND kind = 'replied' AND user_id = $2`, tc.id, sam); n != 1 {
		t.Errorf("%d replied events, want 1", n)
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE record_id = $1 AND action = 'case.replied' AND actor_id = $2
		AND (details->>'message_id')::bigint = $3`, tc.id, sam, m.ID); n != 1 {
		t.Errorf("%d case.replied audit events, want 1", n)
	}
	_, page = samB.get(path + "?done=replied")
	if !strings.Contains(page, "Your reply has been queued to send.") || !strings.Contains(text(page), "Sam Jones (clinician)") {
		t.Error("the case page does not confirm the reply or show it in the transcript")
	}
}

func TestReplyTakesOverFromTheBot(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("sam@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	tc := f.newCase(f.org, ohcontact.PriorityRoutine, 0)
	if _, err := f.db.Pool.Exec(t.Context(), `UPDATE conversations SET owner = 'bot' WHERE id = $1`, tc.conversation); err != nil {
		t.Fatal(err)
	}
	b := f.signIn("sam@example.nhs.uk")
	path := fmt.Sprintf("/console/cases/%d", tc.id)
	b.post(path+"/claim", nil)
	if _, page := b.get(path); !strings.Contains(page, "takes this conversation over") {
		t.Error("the reply form does not warn that it takes the conversation over")
	}
	if resp, _ := b.post(path+"/reply", url.Values{"body": {"Hello, this is Sam from OH."}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply: status %d", resp.StatusCode)
	}
	if n := f.count(`SELECT count(*) FROM conversations WHERE id = $1 AND owner = 'clinician'`, tc.conversation); n != 1 {
		t.Error("a reply did not take the conversation over from the bot")
	}
}

func TestReplyRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		breakIt string // SQL run with the case's conversation id as $1
		says    string
	}{
		{"closed conversation", `UPDATE conversations SET status = 'closed', closed_at = now(), closed_reason = 'completed' WHERE id = $1`,
			"The conversation has closed, so replies cannot be sent."},
		{"opted out", `UPDATE staff SET consent = 'opted_out', consent_changed_at = now() WHERE id = (SELECT staff_id FROM conversations WHERE id = $1)`,
			"This person has opted out of messages from the service"},
		{"channel without an outbox", `UPDATE conversations SET channel = 'webchat' WHERE id = $1`,
			"Replies by Web chat are not available yet."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, false)
			f.user("sam@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
			tc := f.newCase(f.org, ohcontact.PriorityUrgent, 0)
			b := f.signIn("sam@example.nhs.uk")
			path := fmt.Sprintf("/console/cases/%d", tc.id)
			b.post(path+"/claim", nil)
			if _, err := f.db.Pool.Exec(t.Context(), tt.breakIt, tc.conversation); err != nil {
				t.Fatal(err)
			}
			_, page := b.get(path)
			if strings.Contains(page, `action="`+path+`/reply"`) || !strings.Contains(text(page), tt.says) {
				t.Errorf("the case page offers a reply or does not say why not")
			}
			resp, page := b.post(path+"/reply", url.Values{"body": {"Hello"}})
			if resp.StatusCode != http.StatusConflict || !strings.Contains(text(page), tt.says) {
				t.Fatalf("reply: status %d, want 409 saying %q", resp.StatusCode, tt.says)
			}
			if got := f.sms.messages(); len(got) != 0 {
				t.Errorf("a refused reply queued %d messages", len(got))
			}
			if n := f.count(`SELECT count(*) FROM messages WHERE conversation_id = $1`, tc.conversation); n != 1 {
				t.Errorf("a refused reply was stored: %d messages", n)
			}
		})
	}
}

func TestHandBack(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	sam := f.user("sam@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	f.user("alex@example.nhs.uk", "Alex Smith", ohcontact.RoleClinician, f.org)
	tc := f.newCase(f.org, ohcontact.PriorityUrgent, 0)
	path := fmt.Sprintf("/console/cases/%d", tc.id)
	b := f.signIn("sam@example.nhs.uk")
	b.post(path+"/claim", nil)

	if resp, _ := f.signIn("alex@example.nhs.uk").post(path+"/hand-back", nil); resp.StatusCode != http.StatusConflict {
		t.Fatalf("hand back by someone else than the claimer: status %d, want 409", resp.StatusCode)
	}
	if resp, _ := b.post(path+"/hand-back", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("hand back: status %d, want 303", resp.StatusCode)
	}
	if n := f.count(`SELECT count(*) FROM conversations WHERE id = $1 AND owner = 'bot' AND status = 'closed' AND closed_reason = 'completed'`, tc.conversation); n != 1 {
		t.Error("the conversation was not handed back to the bot")
	}
	if n := f.count(`SELECT count(*) FROM cases WHERE id = $1 AND status = 'claimed' AND claimed_by = $2`, tc.id, sam); n != 1 {
		t.Error("handing back changed the case")
	}
	if n := f.count(`SELECT count(*) FROM case_events WHERE case_id = $1 AND kind = 'handed_back' AND user_id = $2`, tc.id, sam); n != 1 {
		t.Errorf("%d handed_back events, want 1", n)
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE record_id = $1 AND action = 'case.handed_back' AND actor_id = $2`, tc.id, sam); n != 1 {
		t.Errorf("%d case.handed_back audit events, want 1", n)
	}
	if resp, _ := b.post(path+"/hand-back", nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("second hand back: status %d, want 409", resp.StatusCode)
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	sam := f.user("sam@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	tc := f.newCase(f.org, ohcontact.PriorityUrgent, 0)
	path := fmt.Sprintf("/console/cases/%d", tc.id)
	b := f.signIn("sam@example.nhs.uk")

	if resp, page := b.post(path+"/resolve", url.Values{"outcome": {"support_arranged"}}); resp.StatusCode != http.StatusConflict ||
		!strings.Contains(page, "Claim this case first") {
		t.Fatalf("resolving an unclaimed case: status %d, want 409", resp.StatusCode)
	}
	b.post(path+"/claim", nil)
	for _, outcome := range []string{"", "made_up"} {
		resp, page := b.post(path+"/resolve", url.Values{"outcome": {outcome}, "note": {"Spoke to Ann."}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(errorSummary(page), `<a href="#outcome">Choose the outcome of the case</a>`) {
			t.Fatalf("resolve with outcome %q: status %d, want 422 with the error linked to the outcome", outcome, resp.StatusCode)
		}
		if !strings.Contains(page, ">Spoke to Ann.</textarea>") {
			t.Error("the refused form lost the note")
		}
	}
	if n := f.count(`SELECT count(*) FROM cases WHERE id = $1 AND status = 'claimed'`, tc.id); n != 1 {
		t.Fatal("a refused resolve changed the case")
	}

	resp, _ := b.post(path+"/resolve", url.Values{"outcome": {"support_arranged"}, "note": {"Spoke to Ann; GP appointment today."}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("resolve: status %d, want 303", resp.StatusCode)
	}
	if n := f.count(`SELECT count(*) FROM cases WHERE id = $1 AND status = 'resolved' AND outcome = 'support_arranged'
		AND resolved_by = $2 AND resolved_at IS NOT NULL`, tc.id, sam); n != 1 {
		t.Fatal("the case is not resolved with its outcome")
	}
	if n := f.count(`SELECT count(*) FROM case_events WHERE case_id = $1 AND kind = 'resolved' AND note = 'Spoke to Ann; GP appointment today.'`, tc.id); n != 1 {
		t.Error("no resolved event with the note")
	}
	if n := f.count(`SELECT count(*) FROM conversations WHERE id = $1 AND owner = 'bot' AND closed_reason = 'resolved'`, tc.conversation); n != 1 {
		t.Error("resolving did not hand the conversation back")
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE record_id = $1 AND action IN ('case.resolved', 'case.handed_back')`, tc.id); n != 2 {
		t.Errorf("%d resolve and hand-back audit events, want 2", n)
	}
	_, page := b.get(path)
	if !strings.Contains(text(page), "Contacted – support arranged") {
		t.Error("the resolved case page does not show the outcome")
	}
	if !strings.Contains(text(page), "This case has been resolved, so it can no longer be changed.") || strings.Contains(page, "Only they or an admin") {
		t.Error("the resolved case page does not say that nobody can change it")
	}
	if resp, _ := b.post(path+"/resolve", url.Values{"outcome": {"no_risk_found"}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("resolving twice: status %d, want 409", resp.StatusCode)
	}
	if ids := queueIDs(t, b); len(ids) != 0 {
		t.Errorf("the queue still lists %v", ids)
	}
}

func TestNotes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	sam := f.user("sam@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	tc := f.newCase(f.org, ohcontact.PriorityHigh, 0)
	path := fmt.Sprintf("/console/cases/%d", tc.id)
	b := f.signIn("sam@example.nhs.uk")
	if resp, page := b.post(path+"/notes", url.Values{"note": {"  "}}); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(errorSummary(page), `href="#note"`) {
		t.Fatalf("empty note: status %d, want 422", resp.StatusCode)
	}
	if resp, _ := b.post(path+"/notes", url.Values{"note": {"Tried to call: no answer. Will try at 4pm."}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("note: status %d, want 303", resp.StatusCode)
	}
	if n := f.count(`SELECT count(*) FROM case_events WHERE case_id = $1 AND kind = 'note' AND user_id = $2 AND note LIKE 'Tried to call%'`, tc.id, sam); n != 1 {
		t.Error("the note is not on the timeline")
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE record_id = $1 AND action = 'case.note' AND actor_id = $2`, tc.id, sam); n != 1 {
		t.Error("the note is not audited")
	}
}

// TestSetPriority: a case the screen under-rated can be raised by any
// clinician, claimed or not, and its SLA comes forward with a check at the
// new deadline; lowering takes the claim and a written reason; the
// timeline and the audit log say what changed and why.
func TestSetPriority(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("sam@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	tc := f.newCase(f.org, ohcontact.PriorityRoutine, 0)
	f.db.Pool.Exec(t.Context(), `UPDATE cases SET sla_due_at = now() + interval '2 days' WHERE id = $1`, tc.id)
	path := fmt.Sprintf("/console/cases/%d", tc.id)
	b := f.signIn("sam@example.nhs.uk")

	if _, page := b.get(path); !strings.Contains(page, `action="/console/cases/`+fmt.Sprint(tc.id)+`/priority"`) {
		t.Fatal("the case page has no priority form")
	}
	resp, _ := b.post(path+"/priority", url.Values{"priority": {"urgent"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("raising an unclaimed case: status %d, want 303", resp.StatusCode)
	}
	if n := f.count(`SELECT count(*) FROM cases WHERE id = $1 AND priority = 'urgent' AND sla_due_at < now() + interval '16 minutes'`, tc.id); n != 1 {
		t.Fatal("the raised case is not urgent with a 15-minute SLA")
	}
	if n := f.count(`SELECT count(*) FROM river_job WHERE kind = 'case_sla_check' AND (args->>'case_id')::bigint = $1
		AND scheduled_at < now() + interval '16 minutes'`, tc.id); n != 1 {
		t.Error("no SLA check at the raised case's new deadline")
	}
	if n := f.count(`SELECT count(*) FROM case_events WHERE case_id = $1 AND kind = 'priority_changed' AND note = 'Raised from routine to urgent.'`, tc.id); n != 1 {
		t.Error("no timeline event for the raise")
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE record_id = $1 AND action = 'case.priority_changed'`, tc.id); n != 1 {
		t.Error("the raise is not audited")
	}

	if resp, page := b.post(path+"/priority", url.Values{"priority": {"routine"}, "reason": {"spoke to her"}}); resp.StatusCode != http.StatusConflict ||
		!strings.Contains(page, "Claim this case first") {
		t.Fatalf("lowering an unclaimed case: status %d, want 409", resp.StatusCode)
	}
	b.post(path+"/claim", nil)
	resp, page := b.post(path+"/priority", url.Values{"priority": {"high"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(errorSummary(page), "Give a reason for lowering the priority") {
		t.Fatalf("lowering without a reason: status %d, want 422 naming the reason", resp.StatusCode)
	}
	if n := f.count(`SELECT count(*) FROM cases WHERE id = $1 AND priority = 'urgent'`, tc.id); n != 1 {
		t.Fatal("a refused lowering changed the case")
	}
	resp, _ = b.post(path+"/priority", url.Values{"priority": {"high"}, "reason": {"Spoke to Ann: safe, with her partner."}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("lowering with a reason: status %d, want 303", resp.StatusCode)
	}
	if n := f.count(`SELECT count(*) FROM case_events WHERE case_id = $1 AND kind = 'priority_changed'
		AND note = 'Lowered from urgent to high: Spoke to Ann: safe, with her partner.'`, tc.id); n != 1 {
		t.Error("no timeline event with the reason for lowering")
	}
	if _, page := b.get(path); !strings.Contains(text(page), "Priority changed by Sam Jones") || !strings.Contains(text(page), "High") {
		t.Error("the case page does not show the new priority and who changed it")
	}
	if resp, _ := b.post(path+"/priority", url.Values{"priority": {"severe"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("an unknown priority: status %d, want 422", resp.StatusCode)
	}
}
