package triggers

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// referralFixture is the API with its referral routes on a fixture's
// database: a referrals key for the fixture's organisation and one for
// another organisation, beside apiFixture's hr keys.
type referralFixture struct {
	*apiFixture
	referrals            *escalation.Referrals
	refKey, otherRefKey  string
	refKeyID, otherStaff int64
	staffID              int64
}

func newReferralFixture(t *testing.T) *referralFixture {
	t.Helper()
	f := &referralFixture{apiFixture: newAPIFixture(t)}
	jobs := f.scheduler.Jobs.(*river.Client[pgx.Tx])
	f.referrals = &escalation.Referrals{DB: f.db, Location: f.loc, Jobs: jobs, Now: f.clock.Now,
		Cases: &escalation.Cases{SLA: escalation.DefaultSLA, Location: f.loc, Jobs: jobs}}
	f.mux = http.NewServeMux()
	(&API{DB: f.db, Scheduler: f.scheduler, Referrals: f.referrals, Log: slog.New(slog.DiscardHandler)}).Register(f.mux)
	err := f.db.InTx(t.Context(), func(tx pgx.Tx) error {
		var hash []byte
		var err error
		f.refKey, hash = NewAPIKey()
		if f.refKeyID, err = postgres.CreateAPIKey(t.Context(), tx, f.orgID, "MSK system", postgres.ScopeReferrals, hash); err != nil {
			return err
		}
		f.otherRefKey, hash = NewAPIKey()
		_, err = postgres.CreateAPIKey(t.Context(), tx, f.otherOrg, "Other MSK system", postgres.ScopeReferrals, hash)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	f.staffID = f.addStaff(t, "100", "07700900001", "")
	f.otherStaff = pgtest.Staff(t, f.db.Pool, pgtest.StaffRow{Organisation: f.otherOrg, Number: "200", First: "Bea", Last: "Other",
		Mobile: "+447700900002"})
	return f
}

// backPain are the answers of a person with back pain and no red flags.
var backPain = map[string]string{"area": "back", "duration": "6_to_12_weeks", "red_flags": "no",
	"can_work": "yes_with_changes", "progress": "worse", "contact": "phone_morning"}

// makeReferral makes a referral for staffID of orgID, as the MSK flow
// does, and returns its id.
func (f *referralFixture) makeReferral(t *testing.T, orgID, staffID int64, mobile string) int64 {
	t.Helper()
	var id int64
	err := f.db.InTx(t.Context(), func(tx pgx.Tx) error {
		convID := pgtest.Conversation(t, tx, pgtest.ConversationRow{Organisation: orgID, Staff: staffID, Channel: "sms", Address: mobile,
			Flow: "msk-checkin", State: "closed", Closed: true})
		conv, err := postgres.ConversationByID(t.Context(), tx, convID)
		if err != nil {
			return err
		}
		id, err = f.referrals.Make(t.Context(), tx, conv, backPain, f.clock.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// accept sends a request with key, asking for accept (JSON when empty).
func (f *referralFixture) accept(t *testing.T, method, path, key, accept, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	f.mux.ServeHTTP(rec, req)
	return rec
}

// count returns the single number query answers.
func (f *referralFixture) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := f.db.Pool.QueryRow(t.Context(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// refAudits counts the audit events with action made with the referrals key.
func (f *referralFixture) refAudits(t *testing.T, action string) int {
	t.Helper()
	return f.count(t, `SELECT count(*) FROM audit_events WHERE action = $1 AND actor_kind = 'api_key' AND actor_id = $2`,
		action, f.refKeyID)
}

type referralPage struct {
	Referrals []referralJSON `json:"referrals"`
	Next      string         `json:"next"`
}

func TestReferralAPIListsNewReferralsAsJSONAndFHIR(t *testing.T) {
	t.Parallel()
	f := newReferralFixture(t)
	first := f.makeReferral(t, f.orgID, f.staffID, "+447700900001")
	second := f.makeReferral(t, f.orgID, f.staffID, "+447700900001")
	f.makeReferral(t, f.otherOrg, f.otherStaff, "+447700900002")

	page := decode[referralPage](t, f.accept(t, "GET", "/api/v1/referrals?status=new", f.refKey, "", ""), http.StatusOK)
	if len(page.Referrals) != 2 || page.Referrals[0].ID != first || page.Referrals[1].ID != second || page.Next != "" {
		t.Fatalf("GET ?status=new answered %+v, want this organisation's two referrals in id order, no next page", page)
	}
	r := page.Referrals[0]
	if r.Status != "new" || r.Organisation != testOrg || r.MadeAt.IsZero() || r.SLADueAt.IsZero() ||
		r.Person.AssignmentNumber != "100" || r.Person.FirstName != "Ann" || r.Person.Mobile == nil ||
		*r.Person.Mobile != "+447700900001" || r.Person.Email != nil || r.Person.Language != "en-GB" || r.Person.OptedOut ||
		r.Answers["area"] == nil || *r.Answers["area"] != "back" || *r.Answers["red_flags"] != "no" ||
		r.Appointment != nil || r.Decline != nil {
		t.Fatalf("referral %+v", r)
	}
	var listed map[string]any
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT details FROM audit_events WHERE action = 'referral.list' AND actor_id = $1`,
		f.refKeyID).Scan(&listed); err != nil {
		t.Fatal(err)
	}
	if ids, _ := listed["referral_ids"].([]any); len(ids) != 2 || ids[0] != float64(first) {
		t.Fatalf("referral.list audit details %v, want both ids", listed)
	}

	// Pages: limit 1 links to the next page, keeping the filter.
	p1 := decode[referralPage](t, f.accept(t, "GET", "/api/v1/referrals?status=new&limit=1", f.refKey, "", ""), http.StatusOK)
	if len(p1.Referrals) != 1 || p1.Referrals[0].ID != first || !strings.Contains(p1.Next, "after="+itoa(first)) ||
		!strings.Contains(p1.Next, "status=new") {
		t.Fatalf("page 1 %+v", p1)
	}
	p2 := decode[referralPage](t, f.accept(t, "GET", p1.Next, f.refKey, "", ""), http.StatusOK)
	if len(p2.Referrals) != 1 || p2.Referrals[0].ID != second {
		t.Fatalf("page 2 %+v", p2)
	}
	if none := decode[referralPage](t, f.accept(t, "GET", "/api/v1/referrals?since=2999-01-01T00:00:00Z", f.refKey, "", ""),
		http.StatusOK); len(none.Referrals) != 0 || none.Referrals == nil {
		t.Fatalf("since the future: %+v, want an empty list", none)
	}

	// FHIR: a searchset Bundle of ServiceRequests.
	rec := f.accept(t, "GET", "/api/v1/referrals?status=new", f.refKey, "application/fhir+json", "")
	if ct := rec.Header().Get("Content-Type"); ct != "application/fhir+json" {
		t.Fatalf("Content-Type %q", ct)
	}
	bundle := decode[map[string]any](t, rec, http.StatusOK)
	if bundle["resourceType"] != "Bundle" || bundle["type"] != "searchset" {
		t.Fatalf("bundle %v", bundle)
	}
	entries := bundle["entry"].([]any)
	if len(entries) != 2 {
		t.Fatalf("%d entries, want 2", len(entries))
	}
	sr := entries[0].(map[string]any)["resource"].(map[string]any)
	checkServiceRequest(t, sr, first, "active")

	// One referral, as JSON and as FHIR, audited as a view.
	one := decode[referralJSON](t, f.accept(t, "GET", "/api/v1/referrals/"+itoa(second), f.refKey, "", ""), http.StatusOK)
	if one.ID != second || one.Person.LastName != "Example" {
		t.Fatalf("GET one %+v", one)
	}
	rec = f.accept(t, "GET", "/api/v1/referrals/"+itoa(second), f.refKey, "application/fhir+json, application/json;q=0.5", "")
	if ct := rec.Header().Get("Content-Type"); ct != "application/fhir+json" {
		t.Fatalf("Content-Type %q", ct)
	}
	checkServiceRequest(t, decode[map[string]any](t, rec, http.StatusOK), second, "active")
	if n := f.refAudits(t, "referral.view"); n != 2 {
		t.Fatalf("%d referral.view audit events, want 2", n)
	}
}

// checkServiceRequest checks the key fields of a referral as a FHIR R4
// ServiceRequest.
func checkServiceRequest(t *testing.T, sr map[string]any, id int64, status string) {
	t.Helper()
	get := func(v any, path ...any) any {
		for _, p := range path {
			switch k := p.(type) {
			case string:
				m, _ := v.(map[string]any)
				v = m[k]
			case int:
				a, _ := v.([]any)
				if k >= len(a) {
					return nil
				}
				v = a[k]
			}
		}
		return v
	}
	want := []struct {
		path []any
		v    any
	}{
		{[]any{"resourceType"}, "ServiceRequest"},
		{[]any{"id"}, itoa(id)},
		{[]any{"identifier", 0, "system"}, "https://ohcontact.nhs.uk/referral"},
		{[]any{"identifier", 0, "value"}, itoa(id)},
		{[]any{"status"}, status},
		{[]any{"intent"}, "order"},
		{[]any{"code", "coding", 0, "system"}, "http://snomed.info/sct"},
		{[]any{"code", "coding", 0, "code"}, "91251008"},
		{[]any{"code", "text"}, "Fast-track physiotherapy (MSK)"},
		{[]any{"subject", "reference"}, "#patient"},
		{[]any{"contained", 0, "resourceType"}, "Patient"},
		{[]any{"contained", 0, "id"}, "patient"},
		{[]any{"contained", 0, "identifier", 0, "system"}, "https://ohcontact.nhs.uk/organisation/" + testOrg + "/assignment-number"},
		{[]any{"contained", 0, "identifier", 0, "value"}, "100"},
		{[]any{"contained", 0, "name", 0, "family"}, "Example"},
		{[]any{"contained", 0, "name", 0, "given", 0}, "Ann"},
		{[]any{"contained", 0, "telecom", 0, "system"}, "phone"},
		{[]any{"contained", 0, "telecom", 0, "value"}, "+447700900001"},
		{[]any{"bodySite", 0, "text"}, "Back"},
	}
	for _, w := range want {
		if got := get(sr, w.path...); got != w.v {
			t.Errorf("ServiceRequest %v = %v, want %v", w.path, got, w.v)
		}
	}
	if s, _ := get(sr, "authoredOn").(string); len(s) < 20 || !strings.HasSuffix(s, "Z") {
		t.Errorf("authoredOn %q, want an instant", s)
	}
	reasons, _ := json.Marshal(sr["reasonCode"])
	if !strings.Contains(string(reasons), "6 to 12 weeks") || !strings.Contains(string(reasons), "none reported") {
		t.Errorf("reasonCode %s, want the duration and the red flags in words", reasons)
	}
	notes, _ := json.Marshal(sr["note"])
	if !strings.Contains(string(notes), "getting worse") || !strings.Contains(string(notes), "a phone call in the morning") {
		t.Errorf("note %s, want the answers in words", notes)
	}
	if _, ok := sr["extension"]; ok {
		t.Error("the ServiceRequest has extensions")
	}
}

func TestReferralAPIBooksOnceDeclinesAndRefusesBackwardMoves(t *testing.T) {
	t.Parallel()
	f := newReferralFixture(t)
	id := f.makeReferral(t, f.orgID, f.staffID, "+447700900001")
	path := "/api/v1/referrals/" + itoa(id)
	notices := func() int {
		return f.count(t, `SELECT count(*) FROM river_job WHERE kind = 'referral_notice'`)
	}
	booked := func() int {
		return f.count(t, `SELECT count(*) FROM referral_events WHERE referral_id = $1 AND kind = 'booked' AND api_key_id = $2`, id, f.refKeyID)
	}

	book := `{"status": "booked", "appointment_at": "2026-05-06T14:30:00+01:00", "appointment_kind": "in_person", "appointment_place": "Physio, Block C", "note": null}`
	r := decode[referralJSON](t, f.accept(t, "PUT", path, f.refKey, "", book), http.StatusOK)
	if r.Status != "booked" || r.Appointment == nil || r.Appointment.Kind != "in_person" || r.Appointment.Place == nil ||
		*r.Appointment.Place != "Physio, Block C" || r.Appointment.At.Format("2006-01-02T15:04Z07:00") != "2026-05-06T13:30Z" {
		t.Fatalf("PUT booked answered %+v", r)
	}
	if n := notices(); n != 1 {
		t.Fatalf("%d referral_notice jobs after booking, want 1: the person is told", n)
	}
	if n := f.refAudits(t, "referral.booked"); n != 1 {
		t.Fatalf("%d referral.booked audit events by the key, want 1", n)
	}
	again := decode[referralJSON](t, f.accept(t, "PUT", path, f.refKey, "", book), http.StatusOK)
	if again.Status != "booked" || booked() != 1 || notices() != 1 {
		t.Fatalf("the same booking again: %+v, %d booked events, %d notices; want no change", again, booked(), notices())
	}

	// The FHIR view of a booking: still active, with the appointment.
	sr := decode[map[string]any](t, f.accept(t, "GET", path, f.refKey, "application/fhir+json", ""), http.StatusOK)
	if sr["status"] != "active" || sr["occurrenceDateTime"] != "2026-05-06T13:30:00Z" {
		t.Fatalf("booked ServiceRequest status %v at %v", sr["status"], sr["occurrenceDateTime"])
	}

	p := decode[problem](t, f.accept(t, "PUT", path, f.refKey, "", `{"status": "accepted"}`), http.StatusConflict)
	if !strings.Contains(p.Detail, "booked") {
		t.Fatalf("backward move: %+v", p)
	}
	decode[referralJSON](t, f.accept(t, "PUT", path, f.refKey, "", `{"status": "did_not_attend"}`), http.StatusOK)
	sr = decode[map[string]any](t, f.accept(t, "GET", path, f.refKey, "application/fhir+json", ""), http.StatusOK)
	if sr["status"] != "revoked" || !strings.Contains(string(must(json.Marshal(sr["note"]))), "did not attend") {
		t.Fatalf("did-not-attend ServiceRequest %v, note %v", sr["status"], sr["note"])
	}

	// A decline, with its reason and note.
	other := f.makeReferral(t, f.orgID, f.staffID, "+447700900001")
	d := decode[referralJSON](t, f.accept(t, "PUT", "/api/v1/referrals/"+itoa(other), f.refKey, "",
		`{"status": "declined", "decline_reason": "see_gp", "note": "Needs a GP review first"}`), http.StatusOK)
	if d.Decline == nil || d.Decline.Reason != "see_gp" || d.Decline.Note == nil || *d.Decline.Note != "Needs a GP review first" {
		t.Fatalf("PUT declined answered %+v", d)
	}
	if n := notices(); n != 2 {
		t.Fatalf("%d referral_notice jobs, want 2", n)
	}
	sr = decode[map[string]any](t, f.accept(t, "GET", "/api/v1/referrals/"+itoa(other), f.refKey, "application/fhir+json", ""), http.StatusOK)
	if sr["status"] != "revoked" {
		t.Fatalf("declined ServiceRequest status %v", sr["status"])
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestReferralAPIKeysKeepToTheirScopeAndOrganisation(t *testing.T) {
	t.Parallel()
	f := newReferralFixture(t)
	id := f.makeReferral(t, f.orgID, f.staffID, "+447700900001")
	tests := []struct {
		name, method, path, key, body string
		want                          int
		detail                        string
	}{
		{"an hr key lists referrals", "GET", "/api/v1/referrals", f.key, "", http.StatusForbidden, "This key may not use the referrals API."},
		{"an hr key changes a referral", "PUT", "/api/v1/referrals/" + itoa(id), f.key, `{"status": "accepted"}`, http.StatusForbidden, "referrals API"},
		{"a referrals key opens an absence", "POST", "/api/v1/absences", f.refKey,
			`{"assignment_number": "100", "absence_start": "2026-05-04", "reason_code": "S10"}`, http.StatusForbidden, "This key may not use the HR API."},
		{"a referrals key updates staff", "PUT", "/api/v1/staff/100", f.refKey, `{"first_name": "X", "last_name": "Y"}`, http.StatusForbidden, "HR API"},
		{"no key", "GET", "/api/v1/referrals", "", "", http.StatusUnauthorized, ""},
		{"another organisation's referral", "GET", "/api/v1/referrals/" + itoa(id), f.otherRefKey, "", http.StatusNotFound, "There is no such referral."},
		{"changing another organisation's referral", "PUT", "/api/v1/referrals/" + itoa(id), f.otherRefKey, `{"status": "accepted"}`, http.StatusNotFound, "There is no such referral."},
		{"no such referral", "GET", "/api/v1/referrals/999999", f.refKey, "", http.StatusNotFound, "There is no such referral."},
		{"not an id", "PUT", "/api/v1/referrals/abc", f.refKey, `{"status": "accepted"}`, http.StatusNotFound, "There is no such referral."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := decode[problem](t, f.do(t, tt.method, tt.path, tt.key, tt.body), tt.want)
			if p.Status != tt.want || !strings.Contains(p.Detail, tt.detail) {
				t.Fatalf("%+v, want status %d saying %q", p, tt.want, tt.detail)
			}
		})
	}
	if page := decode[referralPage](t, f.accept(t, "GET", "/api/v1/referrals", f.otherRefKey, "", ""), http.StatusOK); len(page.Referrals) != 0 {
		t.Fatalf("another organisation's key lists %+v", page.Referrals)
	}
	if n := f.count(t, `SELECT count(*) FROM referral_events WHERE referral_id = $1 AND kind <> 'made'`, id); n != 0 {
		t.Fatalf("refused requests changed the referral (%d events)", n)
	}
}

func TestReferralAPIValidation(t *testing.T) {
	t.Parallel()
	f := newReferralFixture(t)
	id := f.makeReferral(t, f.orgID, f.staffID, "+447700900001")
	path := "/api/v1/referrals/" + itoa(id)
	tests := []struct {
		name, method, path, body string
		want                     int
		fields                   []string
	}{
		{"not JSON", "PUT", path, `{"status": `, http.StatusBadRequest, nil},
		{"an unknown field", "PUT", path, `{"status": "accepted", "priority": "high"}`, http.StatusUnprocessableEntity, []string{"priority"}},
		{"no status", "PUT", path, `{"note": "x"}`, http.StatusUnprocessableEntity, []string{"status"}},
		{"a status that is not a move", "PUT", path, `{"status": "new"}`, http.StatusUnprocessableEntity, []string{"status"}},
		{"a number", "PUT", path, `{"status": 3}`, http.StatusUnprocessableEntity, []string{"status"}},
		{"a booking without a time", "PUT", path, `{"status": "booked", "appointment_kind": "phone"}`, http.StatusUnprocessableEntity, []string{"appointment_at"}},
		{"a time without an offset", "PUT", path, `{"status": "booked", "appointment_at": "2026-05-06T14:30:00", "appointment_kind": "phone"}`,
			http.StatusUnprocessableEntity, []string{"appointment_at"}},
		{"a booking in the year 10000", "PUT", path, `{"status": "booked", "appointment_at": "9999-12-31T23:59:59-14:00", "appointment_kind": "phone"}`,
			http.StatusUnprocessableEntity, []string{"appointment_at"}},
		{"a NUL in a note", "PUT", path, `{"status": "accepted", "note": "ok\u0000"}`,
			http.StatusUnprocessableEntity, []string{"note"}},
		{"a booking in the past", "PUT", path, `{"status": "booked", "appointment_at": "2026-05-01T14:30:00Z", "appointment_kind": "phone"}`,
			http.StatusUnprocessableEntity, []string{"appointment_at"}},
		{"in person without a place", "PUT", path, `{"status": "booked", "appointment_at": "2026-05-06T14:30:00Z", "appointment_kind": "in_person"}`,
			http.StatusUnprocessableEntity, []string{"appointment_place"}},
		{"a decline without a reason", "PUT", path, `{"status": "declined"}`, http.StatusUnprocessableEntity, []string{"decline_reason"}},
		{"a bad status filter", "GET", "/api/v1/referrals?status=open", "", http.StatusBadRequest, []string{"status"}},
		{"a bad since", "GET", "/api/v1/referrals?since=yesterday", "", http.StatusBadRequest, []string{"since"}},
		{"a since without an offset", "GET", "/api/v1/referrals?since=2026-05-04T09:00:00", "", http.StatusBadRequest, []string{"since"}},
		{"a bad after", "GET", "/api/v1/referrals?after=x", "", http.StatusBadRequest, []string{"after"}},
		{"a limit too large", "GET", "/api/v1/referrals?limit=501", "", http.StatusBadRequest, []string{"limit"}},
		{"an unknown parameter", "GET", "/api/v1/referrals?stauts=new", "", http.StatusBadRequest, []string{"stauts"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.do(t, tt.method, tt.path, f.refKey, tt.body)
			p := decode[problem](t, rec, tt.want)
			var got []string
			for _, e := range p.Errors {
				got = append(got, e.Field)
				if !strings.HasPrefix(e.Detail, e.Field) {
					t.Errorf("error %+v does not name its field", e)
				}
			}
			if !slices.Equal(got, tt.fields) {
				t.Fatalf("errors name %v, want %v: %s", got, tt.fields, rec.Body)
			}
		})
	}
	if n := f.count(t, `SELECT count(*) FROM referral_events WHERE referral_id = $1 AND kind <> 'made'`, id); n != 0 {
		t.Fatalf("refused requests changed the referral (%d events)", n)
	}
}
