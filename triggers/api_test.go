package triggers

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// apiFixture is the HR API on a fixture's database, with a key for the
// fixture's organisation and one for another organisation.
type apiFixture struct {
	*fixture
	mux             *http.ServeMux
	key, otherKey   string
	keyID, otherOrg int64
}

func newAPIFixture(t *testing.T) *apiFixture {
	t.Helper()
	f := &apiFixture{fixture: newFixture(t, time.Date(2026, 5, 4, 8, 0, 0, 0, london(t))), mux: http.NewServeMux()}
	(&API{DB: f.db, Scheduler: f.scheduler, Log: slog.New(slog.DiscardHandler)}).Register(f.mux)
	f.otherOrg = pgtest.Organisation(t, f.db.Pool, "RX2", "Other Trust")
	err := f.db.InTx(t.Context(), func(tx pgx.Tx) error {
		var hash []byte
		var err error
		f.key, hash = NewAPIKey()
		if f.keyID, err = postgres.CreateAPIKey(t.Context(), tx, f.orgID, "ESR feed", postgres.ScopeHR, hash); err != nil {
			return err
		}
		f.otherKey, hash = NewAPIKey()
		_, err = postgres.CreateAPIKey(t.Context(), tx, f.otherOrg, "Other feed", postgres.ScopeHR, hash)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// do sends a request with key (none when empty) and a JSON body (none
// when empty), returning the response.
func (f *apiFixture) do(t *testing.T, method, path, key, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), method, path, strings.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	f.mux.ServeHTTP(rec, req)
	return rec
}

// decode decodes a response body, failing unless its status is want.
func decode[T any](t *testing.T, rec *httptest.ResponseRecorder, want int) T {
	t.Helper()
	if rec.Code != want {
		t.Fatalf("status %d, want %d: %s", rec.Code, want, rec.Body)
	}
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %s: %v", rec.Body, err)
	}
	return v
}

// audits counts the audit events with action.
func (f *apiFixture) audits(t *testing.T, action string) int {
	t.Helper()
	var n int
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_events WHERE action = $1 AND actor_kind = 'api_key' AND actor_id = $2`,
		action, f.keyID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAPIAbsenceIsIdempotentPlannedAndAudited(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)

	staff := `{"first_name": "Ann", "last_name": "Example", "mobile": "07700 900001", "language": "Cymraeg"}`
	created := decode[staffJSON](t, f.do(t, "PUT", "/api/v1/staff/100", f.key, staff), http.StatusCreated)
	again := decode[staffJSON](t, f.do(t, "PUT", "/api/v1/staff/100", f.key, staff), http.StatusOK)
	if created.ID == 0 || again != created {
		t.Fatalf("PUT staff twice: %+v then %+v, want the same member of staff", created, again)
	}
	if n := f.audits(t, "staff.created"); n != 1 {
		t.Fatalf("%d staff.created audit events, want 1", n)
	}
	if n := f.audits(t, "staff.updated"); n != 0 {
		t.Fatalf("an unchanged PUT was audited as an update (%d)", n)
	}

	body := `{"assignment_number": "100", "absence_start": "04/05/2026", "absence_end": null, "reason_code": "s10"}`
	rec := f.do(t, "POST", "/api/v1/absences", f.key, body)
	first := decode[absenceJSON](t, rec, http.StatusCreated)
	if first.AbsenceStart != "2026-05-04" || first.AbsenceEnd != nil || first.ReasonCode != "S10" {
		t.Fatalf("POST answered %+v", first)
	}
	if loc := rec.Header().Get("Location"); loc != "/api/v1/absences/"+itoa(first.ID) {
		t.Fatalf("Location %q", loc)
	}
	if second := decode[absenceJSON](t, f.do(t, "POST", "/api/v1/absences", f.key, body), http.StatusOK); second != first {
		t.Fatalf("the same POST again answered %+v, want %+v", second, first)
	}
	if n := len(f.jobs(t, ContactDueArgs{}.Kind())); n != 2 {
		t.Fatalf("%d contact_due jobs, want 2 (stress and long_term) and no more after the repeat", n)
	}
	if n := f.audits(t, "absence.created"); n != 1 {
		t.Fatalf("%d absence.created audit events, want 1", n)
	}

	// The return to work: pending contacts are cancelled.
	f.clock.Set(f.at(t, "2026-05-06", 12, 0))
	back := `{"absence_end": "2026-05-05", "reason_code": "S10"}`
	updated := decode[absenceJSON](t, f.do(t, "PUT", "/api/v1/absences/"+itoa(first.ID), f.key, back), http.StatusOK)
	if updated.AbsenceEnd == nil || *updated.AbsenceEnd != "2026-05-05" {
		t.Fatalf("PUT answered %+v, want the end recorded", updated)
	}
	for _, c := range f.contactsOf(t, "100") {
		if c.State != stateCancelled {
			t.Errorf("%s contact is %s after the return to work, want cancelled", c.Trigger, c.State)
		}
	}
	if n := f.audits(t, "absence.updated"); n != 1 {
		t.Fatalf("%d absence.updated audit events, want 1", n)
	}
	var details map[string]any
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT details FROM audit_events WHERE action = 'absence.updated'`).Scan(&details); err != nil {
		t.Fatal(err)
	}
	if details["contacts_cancelled"] != float64(2) {
		t.Fatalf("audit details %v, want contacts_cancelled 2", details)
	}
}

func TestAPIKeysSeeTheirOwnOrganisationOnly(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	f.addStaff(t, "100", "07700900001", "")
	ep := decode[absenceJSON](t, f.do(t, "POST", "/api/v1/absences", f.key,
		`{"assignment_number": "100", "absence_start": "2026-05-04", "reason_code": "S11"}`), http.StatusCreated)

	tests := []struct {
		name, method, path, key, body string
		want                          int
	}{
		{"no key", "POST", "/api/v1/absences", "", `{}`, http.StatusUnauthorized},
		{"unknown key", "POST", "/api/v1/absences", "ohk_notakey", `{}`, http.StatusUnauthorized},
		{"not a bearer key", "POST", "/api/v1/absences", "Basic abc", `{}`, http.StatusUnauthorized},
		{"another organisation's episode", "PUT", "/api/v1/absences/" + itoa(ep.ID), f.otherKey, `{"reason_code": "S10"}`, http.StatusNotFound},
		{"no such episode", "PUT", "/api/v1/absences/999999", f.key, `{"reason_code": "S10"}`, http.StatusNotFound},
		{"not an id", "PUT", "/api/v1/absences/abc", f.key, `{"reason_code": "S10"}`, http.StatusNotFound},
		{"another organisation's member of staff", "POST", "/api/v1/absences", f.otherKey,
			`{"assignment_number": "100", "absence_start": "2026-05-04", "reason_code": "S10"}`, http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.do(t, tt.method, tt.path, tt.key, tt.body)
			p := decode[problem](t, rec, tt.want)
			if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" || p.Status != tt.want || p.Title == "" {
				t.Fatalf("%s %+v, want a problem with status %d", ct, p, tt.want)
			}
			if tt.want == http.StatusUnauthorized && !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") {
				t.Fatal("401 without a Bearer challenge")
			}
		})
	}
	if c := f.contact(t, "100", ohcontact.TriggerMSK); c.State != stateScheduled {
		t.Fatalf("the other organisation's requests changed the contact: %+v", c)
	}
}

func TestAPIValidationNamesEveryField(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	f.addStaff(t, "100", "07700900001", "")
	tests := []struct {
		name, method, path, body string
		contentType              string
		want                     int
		fields                   []string // in errors, in order
	}{
		{"bad absence", "POST", "/api/v1/absences",
			`{"assignment_number": "100", "absence_start": "2026-02-30", "absence_end": "2026-01-01", "reason_code": "S33", "reasn": "x"}`,
			"application/json", http.StatusUnprocessableEntity, []string{"reasn", "absence_start", "reason_code"}},
		{"end before start", "POST", "/api/v1/absences",
			`{"assignment_number": "100", "absence_start": "2026-05-04", "absence_end": "2026-05-01", "reason_code": "S10"}`,
			"application/json", http.StatusUnprocessableEntity, []string{"absence_end"}},
		{"missing fields and a number", "POST", "/api/v1/absences", `{"assignment_number": 100}`,
			"application/json", http.StatusUnprocessableEntity, []string{"assignment_number", "absence_start", "reason_code"}},
		{"unknown member of staff", "POST", "/api/v1/absences",
			`{"assignment_number": "999", "absence_start": "2026-05-04", "reason_code": "S10"}`,
			"application/json", http.StatusUnprocessableEntity, []string{"assignment_number"}},
		{"bad staff", "PUT", "/api/v1/staff/abc_1", `{"first_name": "", "last_name": "Example", "mobile": "01632 960001", "preferred_channel": "fax"}`,
			"application/json", http.StatusUnprocessableEntity, []string{"assignment_number", "first_name", "mobile", "preferred_channel"}},
		{"NUL in a name", "PUT", "/api/v1/staff/101", `{"first_name": "Ann\u0000", "last_name": "Example"}`,
			"application/json", http.StatusUnprocessableEntity, []string{"first_name"}},
		{"escape in a name", "PUT", "/api/v1/staff/101", `{"first_name": "Ann", "last_name": "Ex\u001b[31mample"}`,
			"application/json", http.StatusUnprocessableEntity, []string{"last_name"}},
		{"NUL in an unknown field", "PUT", "/api/v1/staff/101", `{"first_name": "Ann", "last_name": "Example", "x\u0000": "1"}`,
			"application/json", http.StatusUnprocessableEntity, []string{"x\x00"}},
		{"long job title", "PUT", "/api/v1/staff/101", `{"first_name": "Ann", "last_name": "Example", "job_title": "` + strings.Repeat("x", 101) + `", "department": 7, "staff_group": "a\nb"}`,
			"application/json", http.StatusUnprocessableEntity, []string{"department", "job_title", "staff_group"}},
		{"impossible mobile", "PUT", "/api/v1/staff/101", `{"first_name": "Ann", "last_name": "Example", "mobile": "+1 (555) 123"}`,
			"application/json", http.StatusUnprocessableEntity, []string{"mobile"}},
		{"start in year 1", "POST", "/api/v1/absences",
			`{"assignment_number": "100", "absence_start": "0001-01-01", "reason_code": "S10"}`,
			"application/json", http.StatusUnprocessableEntity, []string{"absence_start"}},
		{"end in year 9999", "POST", "/api/v1/absences",
			`{"assignment_number": "100", "absence_start": "2026-05-04", "absence_end": "9999-12-31", "reason_code": "S10"}`,
			"application/json", http.StatusUnprocessableEntity, []string{"absence_end"}},
		{"NUL in related reason", "POST", "/api/v1/absences",
			`{"assignment_number": "100", "absence_start": "2026-05-04", "reason_code": "S10", "related_reason": "\u0000"}`,
			"application/json", http.StatusUnprocessableEntity, []string{"related_reason"}},
		{"not JSON", "POST", "/api/v1/absences", `{"assignment_number": "100",`, "application/json", http.StatusBadRequest, nil},
		{"two objects", "POST", "/api/v1/absences", `{} {}`, "application/json", http.StatusBadRequest, nil},
		{"a form", "POST", "/api/v1/absences", `assignment_number=100`, "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequestWithContext(t.Context(), tt.method, tt.path, strings.NewReader(tt.body))
			req.Header.Set("Authorization", "Bearer "+f.key)
			req.Header.Set("Content-Type", tt.contentType)
			rec := httptest.NewRecorder()
			f.mux.ServeHTTP(rec, req)
			p := decode[problem](t, rec, tt.want)
			var got []string
			for _, e := range p.Errors {
				got = append(got, e.Field)
				if e.Pointer != "/"+e.Field || !strings.HasPrefix(e.Detail, e.Field+" ") {
					t.Errorf("error %+v: want a pointer to the field and a sentence naming it", e)
				}
				if strings.Contains(e.Detail, "01632") {
					t.Errorf("error %q repeats the phone number", e.Detail)
				}
			}
			if !slices.Equal(got, tt.fields) {
				t.Fatalf("errors name %v, want %v: %s", got, tt.fields, rec.Body)
			}
		})
	}
	if n := len(f.contactsOf(t, "100")); n != 0 {
		t.Fatalf("%d contacts recorded by refused requests", n)
	}
}

// TestAPIStaffJobAndDepartment: a PUT stores job_title, department and
// staff_group, and a PUT without them makes them unknown again.
func TestAPIStaffJobAndDepartment(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	job := func() (title, dept *string) {
		t.Helper()
		if err := f.db.Pool.QueryRow(t.Context(), `SELECT job_title, department FROM staff WHERE assignment_number = '300'`).
			Scan(&title, &dept); err != nil {
			t.Fatal(err)
		}
		return title, dept
	}
	group := func() (g *string) {
		t.Helper()
		if err := f.db.Pool.QueryRow(t.Context(), `SELECT staff_group FROM staff WHERE assignment_number = '300'`).Scan(&g); err != nil {
			t.Fatal(err)
		}
		return g
	}
	deref := func(s *string) string {
		if s == nil {
			return "(unknown)"
		}
		return *s
	}
	decode[staffJSON](t, f.do(t, "PUT", "/api/v1/staff/300", f.key,
		`{"first_name": "Ann", "last_name": "Example", "job_title": " Staff Nurse ", "department": "Ward 7",
		  "staff_group": "Nursing and Midwifery Registered"}`), http.StatusCreated)
	if title, dept := job(); deref(title) != "Staff Nurse" || deref(dept) != "Ward 7" {
		t.Fatalf("job %q, department %q; want Staff Nurse, Ward 7", deref(title), deref(dept))
	}
	if g := group(); deref(g) != "Nursing and Midwifery Registered" {
		t.Fatalf("staff group %q; want Nursing and Midwifery Registered", deref(g))
	}
	decode[staffJSON](t, f.do(t, "PUT", "/api/v1/staff/300", f.key,
		`{"first_name": "Ann", "last_name": "Example", "department": ""}`), http.StatusOK)
	if title, dept := job(); title != nil || dept != nil {
		t.Fatalf("job %q, department %q after a PUT without them; want both unknown (NULL)", deref(title), deref(dept))
	}
	if g := group(); g != nil {
		t.Fatalf("staff group %q after a PUT without it; want unknown (NULL)", deref(g))
	}
}

func TestAPIServesItsOpenAPIDocument(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	(&API{}).Register(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
	doc := decode[struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}](t, rec, http.StatusOK)
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	for _, op := range []string{"GET /api/v1/absences", "POST /api/v1/absences", "PUT /api/v1/absences/{id}", "PUT /api/v1/staff/{assignment_number}",
		"GET /api/v1/referrals", "GET /api/v1/referrals/{id}", "PUT /api/v1/referrals/{id}"} {
		method, path, _ := strings.Cut(op, " ")
		if doc.Paths[path][strings.ToLower(method)] == nil {
			t.Errorf("the document does not describe %s", op)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestBearerSchemeIsCaseInsensitive(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	f.addStaff(t, "100", "07700900001", "")
	for _, scheme := range []string{"bearer", "BEARER", "Bearer", "bEaReR"} {
		req := httptest.NewRequestWithContext(t.Context(), "POST", "/api/v1/absences",
			strings.NewReader(`{"assignment_number": "100", "absence_start": "2026-05-04", "reason_code": "S11"}`))
		req.Header.Set("Authorization", scheme+" "+f.key)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		f.mux.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated && rec.Code != http.StatusOK {
			t.Errorf("Authorization: %s KEY: status %d, want the absence recorded", scheme, rec.Code)
		}
	}
	for _, tt := range []struct {
		name, header, want string
		ok                 bool
	}{
		{"canonical", "Bearer ohk_abc", "ohk_abc", true},
		{"lower case", "bearer ohk_abc", "ohk_abc", true},
		{"two spaces", "Bearer  ohk_abc", "ohk_abc", true},
		{"other scheme", "Basic ohk_abc", "", false},
		{"scheme alone", "Bearer", "", false},
		{"no token", "Bearer ", "", false},
		{"scheme run on", "Bearerohk_abc", "", false},
	} {
		if got, ok := bearerToken(tt.header); got != tt.want || ok != tt.ok {
			t.Errorf("%s: bearerToken(%q) = %q, %v; want %q, %v", tt.name, tt.header, got, ok, tt.want, tt.ok)
		}
	}
}
