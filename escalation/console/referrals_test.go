package console_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/escalation/console"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// backPain are the answers of a referral for a back problem without red
// flags.
var backPain = map[string]string{"area": "back", "duration": "2_to_6_weeks", "red_flags": "no",
	"can_work": "yes_with_changes", "progress": "same", "contact": "phone_morning"}

// newReferral makes a referral in org the way the runner does, through
// escalation.Referrals.Make, for a new member of staff named first
// Example, as if made at made (its SLA counts from then), and returns its
// id.
func (f *fixture) newReferral(org int64, first string, answers map[string]string, made time.Time) int64 {
	f.t.Helper()
	ctx := f.t.Context()
	n := f.seq.Add(1)
	mobile := fmt.Sprintf("+4477008%05d", n)
	var id int64
	err := f.db.InTx(ctx, func(tx pgx.Tx) error {
		staff := pgtest.Staff(f.t, tx, pgtest.StaffRow{Organisation: org, Number: fmt.Sprintf("2000%04d-1", n), First: first, Last: "Example",
			Mobile: mobile})
		opened, err := postgres.OpenConversations(ctx, tx, []ohcontact.Conversation{{OrganisationID: org, StaffID: staff,
			Channel: ohcontact.ChannelSMS, Address: mobile, Flow: "msk-checkin", State: "offer_self_care", Language: "en-GB"}})
		if err != nil {
			return err
		}
		id, err = f.referrals.Make(ctx, tx, opened[postgres.ConversationKey{StaffID: staff, Channel: ohcontact.ChannelSMS}], answers, made)
		return err
	})
	if err != nil {
		f.t.Fatalf("make referral: %v", err)
	}
	return id
}

// signInPhysio signs in as email, a physio user, who lands on the
// referrals worklist.
func (f *fixture) signInPhysio(email string) *browser {
	f.t.Helper()
	b := f.browser()
	resp, _ := b.login(email, password)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/referrals" {
		f.t.Fatalf("sign in as %s: status %d, location %q; want 303 to /console/referrals", email, resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page := b.get("/console/referrals")
	b.csrf = csrfIn(f.t, page)
	return b
}

// worklistIDs returns the ids of the referrals the worklist shows, in order.
func worklistIDs(t *testing.T, page string) []int64 {
	t.Helper()
	var ids []int64
	for _, m := range regexpReferralRow.FindAllStringSubmatch(page, -1) {
		var id int64
		fmt.Sscan(m[1], &id)
		ids = append(ids, id)
	}
	return ids
}

func (f *fixture) referralStatus(id int64) string {
	f.t.Helper()
	var s string
	if err := f.db.Pool.QueryRow(f.t.Context(), `SELECT status FROM referrals WHERE id = $1`, id).Scan(&s); err != nil {
		f.t.Fatal(err)
	}
	return s
}

// listAudits returns the ids each referral.list audit event of user
// recorded, oldest first.
func (f *fixture) listAudits(user int64) [][]int64 {
	f.t.Helper()
	rows, err := f.db.Pool.Query(f.t.Context(), `SELECT details FROM audit_events
		WHERE action = 'referral.list' AND actor_kind = 'user' AND actor_id = $1 ORDER BY id`, user)
	if err != nil {
		f.t.Fatal(err)
	}
	details, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		f.t.Fatal(err)
	}
	var out [][]int64
	for _, d := range details {
		var v struct {
			IDs []int64 `json:"referral_ids"`
		}
		if err := json.Unmarshal(d, &v); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, v.IDs)
	}
	return out
}

func TestPhysioSeesOwnOrganisationsReferralsOnly(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	physio := f.user("physio@example.nhs.uk", "Pat Physio", ohcontact.RolePhysio, f.org)
	mine := f.newReferral(f.org, "Ann", backPain, f.now())
	theirs := f.newReferral(f.otherOrg, "Olga", backPain, f.now())
	tc := f.newCase(f.org, ohcontact.PriorityUrgent, 0)
	b := f.signInPhysio("physio@example.nhs.uk")

	_, page := b.get("/console/referrals")
	if ids := worklistIDs(t, page); !slices.Equal(ids, []int64{mine}) {
		t.Errorf("worklist shows %v, want only %d", ids, mine)
	}
	txt := text(page)
	for _, want := range []string{"Ann Example", "Back", "2 to 6 weeks", "None", "New", "Due in"} {
		if !strings.Contains(txt, want) {
			t.Errorf("worklist lacks %q:\n%s", want, txt)
		}
	}
	if strings.Contains(txt, "Olga") || strings.Contains(txt, "Case queue") || !strings.Contains(page, `href="/console/referrals">Referrals</a>`) {
		t.Errorf("worklist shows another organisation's referral, or the wrong navigation:\n%s", txt)
	}
	if got := f.listAudits(physio); len(got) != 2 || !slices.Equal(got[1], []int64{mine}) {
		t.Errorf("list views audited %v, want two, the last of [%d]", got, mine)
	}

	resp, page := b.get(fmt.Sprintf("/console/referrals/%d", mine))
	if resp.StatusCode != http.StatusOK || !strings.Contains(text(page), "A phone call in the morning") {
		t.Fatalf("own referral: status %d\n%s", resp.StatusCode, text(page))
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'referral.view' AND record_id = $1 AND actor_kind = 'user' AND actor_id = $2`, mine, physio); n != 1 {
		t.Errorf("%d views of referral %d audited, want 1", n, mine)
	}
	for _, tr := range []struct{ method, path string }{
		{http.MethodGet, fmt.Sprintf("/console/referrals/%d", theirs)},
		{http.MethodPost, fmt.Sprintf("/console/referrals/%d/accept", theirs)},
		{http.MethodGet, fmt.Sprintf("/console/cases/%d", tc.id)},
		{http.MethodGet, "/console/live"},
		{http.MethodPost, fmt.Sprintf("/console/referrals/%d/approve", mine)},
	} {
		var resp *http.Response
		if tr.method == http.MethodPost {
			resp, _ = b.post(tr.path, nil)
		} else {
			resp, _ = b.get(tr.path)
		}
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s %s: status %d, want 404", tr.method, tr.path, resp.StatusCode)
		}
	}
	if s := f.referralStatus(theirs); s != "new" {
		t.Errorf("the other organisation's referral is %s, want new", s)
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'case.view' AND actor_kind = 'user' AND actor_id = $1`, physio); n != 0 {
		t.Errorf("%d case views by the physio user, want none", n)
	}
	resp, _ = b.get("/console/")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/referrals" {
		t.Errorf("the queue: status %d, location %q; want 303 to /console/referrals", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = b.get("/console/login")
	if resp.Header.Get("Location") != "/console/referrals" {
		t.Errorf("the sign-in page when signed in sends to %q, want /console/referrals", resp.Header.Get("Location"))
	}
	for _, path := range []string{"/console/dashboard", "/console/admin/users"} {
		if resp, _ := b.get(path); resp.StatusCode != http.StatusForbidden {
			t.Errorf("GET %s: status %d, want 403", path, resp.StatusCode)
		}
	}
}

func TestReferralRoles(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	f.user("lead@example.nhs.uk", "Lee Lead", ohcontact.RoleLead, f.org)
	f.user("admin@example.nhs.uk", "Ada Admin", ohcontact.RoleAdmin, 0)
	mine := f.newReferral(f.org, "Ann", backPain, f.now())
	theirs := f.newReferral(f.otherOrg, "Olga", backPain, f.now())

	for _, email := range []string{"nurse@example.nhs.uk", "lead@example.nhs.uk"} {
		b := f.signIn(email)
		_, queue := b.get("/console/")
		if strings.Contains(queue, `href="/console/referrals"`) {
			t.Errorf("%s: the navigation offers the referrals", email)
		}
		for _, path := range []string{"/console/referrals", fmt.Sprintf("/console/referrals/%d", mine)} {
			if resp, _ := b.get(path); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s: GET %s: status %d, want 403", email, path, resp.StatusCode)
			}
		}
		for _, action := range []string{"accept", "decline", "attended"} {
			if resp, _ := b.post(fmt.Sprintf("/console/referrals/%d/%s", mine, action), url.Values{"reason": {"see_gp"}}); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s: %s: status %d, want 403", email, action, resp.StatusCode)
			}
		}
	}
	if s := f.referralStatus(mine); s != "new" {
		t.Errorf("after clinicians and leads tried, the referral is %s, want new", s)
	}

	admin := f.signIn("admin@example.nhs.uk")
	_, page := admin.get("/console/referrals")
	if ids := worklistIDs(t, page); len(ids) != 2 || !strings.Contains(text(page), "Other Trust") {
		t.Errorf("an admin of every organisation sees %v, want both referrals with their organisations", ids)
	}
	if !strings.Contains(page, `href="/console/">Case queue</a>`) || !strings.Contains(page, `href="/console/referrals">Referrals</a>`) {
		t.Error("an admin's navigation lacks the case queue or the referrals")
	}
	if resp, _ := admin.post(fmt.Sprintf("/console/referrals/%d/accept", theirs), nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("admin accepts: status %d, want 303", resp.StatusCode)
	}
	if s := f.referralStatus(theirs); s != "accepted" {
		t.Errorf("after the admin accepted, the referral is %s", s)
	}
}

func TestReferralActions(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	physio := f.user("physio@example.nhs.uk", "Pat Physio", ohcontact.RolePhysio, f.org)
	id := f.newReferral(f.org, "Ann", backPain, f.now())
	other := f.newReferral(f.org, "Bea", backPain, f.now())
	b := f.signInPhysio("physio@example.nhs.uk")
	path := fmt.Sprintf("/console/referrals/%d", id)
	tomorrow := f.now().Add(24 * time.Hour).UTC() // the fixture's console shows and reads UTC
	yesterday := f.now().Add(-24 * time.Hour).UTC()

	steps := []struct {
		name   string
		action string
		form   url.Values
		status int
		want   string // in the page: the confirmation or the problem
		after  string // the referral's status after
	}{
		{"accept", "accept", nil, http.StatusSeeOther, "You have accepted this referral", "accepted"},
		{"accept again (a double click)", "accept", nil, http.StatusSeeOther, "You have accepted this referral", "accepted"},
		{"attended before booking", "attended", nil, http.StatusConflict, "This referral is accepted, so it cannot be marked attended.", "accepted"},
		{"book without a date", "book", url.Values{"kind": {"phone"}}, http.StatusUnprocessableEntity, "Enter the date and time of the appointment", "accepted"},
		{"book a date that is not one", "book", url.Values{"date": {"14/03/2026"}, "time": {"09:30"}, "kind": {"phone"}},
			http.StatusUnprocessableEntity, "Enter the date and the time of the appointment", "accepted"},
		{"book in the past", "book", url.Values{"date": {yesterday.Format("2006-01-02")}, "time": {yesterday.Format("15:04")}, "kind": {"phone"}},
			http.StatusUnprocessableEntity, "The appointment must be in the future", "accepted"},
		{"book in person without a place", "book", url.Values{"date": {tomorrow.Format("2006-01-02")}, "time": {"09:30"}, "kind": {"in_person"}},
			http.StatusUnprocessableEntity, "Enter where the appointment is", "accepted"},
		{"book", "book", url.Values{"date": {tomorrow.Format("2006-01-02")}, "time": {"09:30"}, "kind": {"in_person"}, "place": {"Physiotherapy, Level 2"}},
			http.StatusSeeOther, "The appointment has been booked", "booked"},
		{"decline once booked", "decline", url.Values{"reason": {"see_gp"}}, http.StatusConflict, "This referral is booked, so it cannot be marked declined.", "booked"},
		{"attended", "attended", nil, http.StatusSeeOther, "marked as attended", "attended"},
		{"did not attend after attending", "did-not-attend", nil, http.StatusConflict,
			"This referral is attended, so it cannot be marked did not attend.", "attended"},
	}
	for _, st := range steps {
		resp, page := b.post(path+"/"+st.action, st.form)
		if resp.StatusCode != st.status {
			t.Fatalf("%s: status %d, want %d\n%s", st.name, resp.StatusCode, st.status, text(page))
		}
		if resp.StatusCode == http.StatusSeeOther {
			if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, path+"?done=") {
				t.Fatalf("%s: redirected to %q", st.name, loc)
			}
			_, page = b.get(resp.Header.Get("Location"))
		}
		if !strings.Contains(text(page), st.want) {
			t.Errorf("%s: the page does not say %q:\n%s", st.name, st.want, text(page))
		}
		if s := f.referralStatus(id); s != st.after {
			t.Errorf("%s: the referral is %s, want %s", st.name, s, st.after)
		}
	}
	var at time.Time
	var place string
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT appointment_at, appointment_place FROM referrals WHERE id = $1`, id).Scan(&at, &place); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(tomorrow.Year(), tomorrow.Month(), tomorrow.Day(), 9, 30, 0, 0, time.UTC); !at.Equal(want) || place != "Physiotherapy, Level 2" {
		t.Errorf("appointment %v at %q, want %v at Physiotherapy, Level 2", at, place, want)
	}
	_, page := b.get(path)
	for _, want := range []string{"Accepted by Pat Physio", "Appointment booked by Pat Physio", "Marked as attended by Pat Physio", "in person at Physiotherapy, Level 2"} {
		if !strings.Contains(text(page), want) {
			t.Errorf("the referral page lacks %q:\n%s", want, text(page))
		}
	}
	if strings.Contains(page, `/accept"`) || strings.Contains(page, `/book"`) {
		t.Error("an attended referral still offers to accept or book")
	}

	otherPath := fmt.Sprintf("/console/referrals/%d", other)
	resp, page := b.post(otherPath+"/decline", url.Values{"note": {"seen privately"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `href="#decline-reason"`) {
		t.Errorf("decline without a reason: status %d, or no link to the reason\n%s", resp.StatusCode, errorSummary(page))
	}
	if !strings.Contains(page, "seen privately") {
		t.Error("the refused decline form lost its note")
	}
	if resp, _ := b.post(otherPath+"/decline", url.Values{"reason": {"under_care"}, "note": {"seen privately"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("decline: status %d", resp.StatusCode)
	}
	if s := f.referralStatus(other); s != "declined" {
		t.Errorf("declined referral is %s", s)
	}
	_, page = b.get(otherPath)
	if txt := text(page); !strings.Contains(txt, "Declined by Pat Physio") || !strings.Contains(txt, "already being seen by a physiotherapy service") {
		t.Errorf("the declined referral's page:\n%s", txt)
	}
	if n := f.count(`SELECT count(*) FROM river_job WHERE kind = 'referral_notice'`); n != 2 {
		t.Errorf("%d notices to the person queued, want 2 (the booking and the decline)", n)
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE actor_kind = 'user' AND actor_id = $1 AND action IN ('referral.accepted', 'referral.booked', 'referral.attended', 'referral.declined')`, physio); n != 4 {
		t.Errorf("%d changes audited, want 4", n)
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE actor_kind = 'user' AND actor_id = $1 AND action = 'referral.view'`, physio); n < 10 {
		t.Errorf("%d referral page views audited, want one for every page shown", n)
	}
}

func TestReferralWorklist(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("physio@example.nhs.uk", "Pat Physio", ohcontact.RolePhysio, f.org)
	fresh := f.newReferral(f.org, "Ann", backPain, f.now())
	late := f.newReferral(f.org, "Bea", map[string]string{"area": "back", "duration": "not_given", "red_flags": "not_given",
		"can_work": "no", "progress": "worse", "contact": "text_first"}, f.now().Add(-7*24*time.Hour))
	later := f.newReferral(f.org, "Cal", map[string]string{"area": "knee", "red_flags": "not_asked"}, f.now().Add(-10*24*time.Hour))
	accepted := f.newReferral(f.org, "Dee", backPain, f.now())
	b := f.signInPhysio("physio@example.nhs.uk")
	if resp, _ := b.post(fmt.Sprintf("/console/referrals/%d/accept", accepted), nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: status %d", resp.StatusCode)
	}

	_, page := b.get("/console/referrals")
	if ids := worklistIDs(t, page); !slices.Equal(ids, []int64{later, late, fresh, accepted}) {
		t.Errorf("worklist order %v, want %v", ids, []int64{later, late, fresh, accepted})
	}
	txt := text(page)
	for _, want := range []string{"2 referrals are past their SLA", fmt.Sprintf("Open the oldest, referral %d", later),
		"Overdue by", "NOT ANSWERED: ask first", "Not given: ask them", "Not asked", "Knee"} {
		if !strings.Contains(txt, want) {
			t.Errorf("worklist lacks %q:\n%s", want, txt)
		}
	}
	if !strings.Contains(page, fmt.Sprintf(`href="/console/referrals/%d"`, later)) {
		t.Error("the banner does not link the oldest overdue referral")
	}

	_, page = b.get("/console/referrals?status=accepted")
	if ids := worklistIDs(t, page); !slices.Equal(ids, []int64{accepted}) {
		t.Errorf("accepted referrals %v, want [%d]", ids, accepted)
	}
	if !strings.Contains(page, `<option value="accepted" selected>`) {
		t.Error("the filter does not show the status chosen")
	}

	_, page = b.get(fmt.Sprintf("/console/referrals/%d", late))
	if txt := text(page); !strings.Contains(txt, "NOT ANSWERED: ask them first about numbness") || !strings.Contains(txt, "A text message first") {
		t.Errorf("the referral page does not make the red flags stand out in words:\n%s", txt)
	}
	for _, path := range []string{"/console/referrals", fmt.Sprintf("/console/referrals/%d", late), fmt.Sprintf("/console/referrals/%d", accepted)} {
		_, page := b.get(path)
		checkMarkup(t, path, page)
	}
}

var regexpReferralRow = regexp.MustCompile(`<tr data-referral-id="(\d+)">`)

func TestReferralTimesAreUKTime(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	// The same database behind a console that shows and reads UK time.
	mux := http.NewServeMux()
	console.New(console.Config{DB: f.db, Referrals: f.referrals, Location: london, Now: f.now}).Register(mux)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	f.user("physio@example.nhs.uk", "Pat Physio", ohcontact.RolePhysio, f.org)
	id := f.newReferral(f.org, "Ann", backPain, f.now())
	b := f.signInPhysio("physio@example.nhs.uk")

	summer := f.now().In(london).Year() + 1 // 1 July next year: British Summer Time, UTC+1
	resp, _ := b.post(fmt.Sprintf("/console/referrals/%d/book", id), url.Values{
		"date": {fmt.Sprintf("%d-07-01", summer)}, "time": {"09:30"}, "kind": {"phone"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("book: status %d", resp.StatusCode)
	}
	var at time.Time
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT appointment_at FROM referrals WHERE id = $1`, id).Scan(&at); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(summer, 7, 1, 8, 30, 0, 0, time.UTC); !at.Equal(want) {
		t.Errorf("09:30 on 1 July stored as %v, want %v", at.UTC(), want)
	}
	_, page := b.get(fmt.Sprintf("/console/referrals/%d", id))
	if want := fmt.Sprintf("1 July %d at 09:30, a phone call", summer); !strings.Contains(text(page), want) {
		t.Errorf("the referral page does not show %q:\n%s", want, text(page))
	}
}
