package triggers

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

type absencePage struct {
	Absences []absenceJSON `json:"absences"`
	Next     string        `json:"next"`
}

// selfReport records a day-1 report for staffID as the runner does, and
// returns its reference.
func (f *apiFixture) selfReport(t *testing.T, staffID int64, start, back string) string {
	t.Helper()
	var ref string
	err := f.db.InTx(t.Context(), func(tx pgx.Tx) error {
		rep, err := postgres.RecordSelfReportedAbsence(t.Context(), tx, postgres.SelfReport{StaffID: staffID, StartsOn: start,
			ReasonCode: "S13", ExpectedReturn: back}, ohcontact.NewReference)
		ref = rep.Reference
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

func TestAbsenceAPIListsSelfReportsForHR(t *testing.T) {
	t.Parallel()
	f := newReferralFixture(t)
	ann := f.staffID
	bea := f.addStaff(t, "101", "07700900003", "")
	other := f.otherStaff
	annRef := f.selfReport(t, ann, "2026-05-04", "2026-05-08")
	beaRef := f.selfReport(t, bea, "2026-05-04", "")
	f.selfReport(t, other, "2026-05-04", "")
	if annRef == beaRef {
		t.Fatalf("two people off the same day share reference %s", annRef)
	}
	// An episode HR sent, an hour older than the reports.
	decode[absenceJSON](t, f.do(t, "POST", "/api/v1/absences", f.key,
		`{"assignment_number": "101", "absence_start": "2026-04-20", "absence_end": "2026-04-24", "reason_code": "S11"}`), http.StatusCreated)
	if _, err := f.db.Pool.Exec(t.Context(), `UPDATE absence_episodes SET created_at = created_at - interval '1 hour',
		updated_at = updated_at - interval '1 hour' WHERE source = 'hr_feed'`); err != nil {
		t.Fatal(err)
	}

	// The first page of one is full: it says where the next is.
	first := decode[absencePage](t, f.do(t, "GET", "/api/v1/absences?source=self_report&limit=1", f.key, ""), http.StatusOK)
	if len(first.Absences) != 1 || first.Next == "" {
		t.Fatalf("first page %+v, want one episode and a next page", first)
	}
	a := first.Absences[0]
	if a.Reference == nil || *a.Reference != annRef || a.AssignmentNumber != "100" || a.AbsenceStart != "2026-05-04" ||
		a.ExpectedReturn == nil || *a.ExpectedReturn != "2026-05-08" || a.Source != "self_report" || a.ReasonCode != "S13" || a.ReportedAt.IsZero() {
		t.Fatalf("Ann's episode %+v, want her reference %s, back 2026-05-08, S13", a, annRef)
	}
	second := decode[absencePage](t, f.do(t, "GET", first.Next, f.key, ""), http.StatusOK)
	if len(second.Absences) != 1 || *second.Absences[0].Reference != beaRef || *second.Absences[0].ExpectedReturn != "unknown" {
		t.Fatalf("second page %+v, want Bea's report, return unknown", second)
	}
	if third := decode[absencePage](t, f.do(t, "GET", second.Next, f.key, ""), http.StatusOK); len(third.Absences) != 0 || third.Next != "" {
		t.Fatalf("third page %+v, want none and no next: the other organisation's report is not ours", third)
	}

	// Filters: HR's own episodes; everything changed in the last half hour.
	hr := decode[absencePage](t, f.do(t, "GET", "/api/v1/absences?source=hr_feed", f.key, ""), http.StatusOK)
	if len(hr.Absences) != 1 || hr.Absences[0].Reference != nil || hr.Absences[0].ExpectedReturn != nil || hr.Absences[0].Source != "hr_feed" {
		t.Fatalf("hr_feed page %+v, want HR's one episode, with no reference and no expected return", hr)
	}
	// The rows' times are the database's clock, not the fixture's.
	var since string
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT to_char(now() AT TIME ZONE 'UTC' - interval '30 minutes', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`).Scan(&since); err != nil {
		t.Fatal(err)
	}
	recent := decode[absencePage](t, f.do(t, "GET", "/api/v1/absences?since="+since, f.key, ""), http.StatusOK)
	if len(recent.Absences) != 2 || recent.Absences[0].Source != "self_report" || recent.Absences[1].Source != "self_report" {
		t.Fatalf("since half an hour ago: %+v, want the two reports and not HR's older episode", recent)
	}
	all := decode[absencePage](t, f.do(t, "GET", "/api/v1/absences", f.key, ""), http.StatusOK)
	if len(all.Absences) != 3 {
		t.Fatalf("no filter: %d episodes, want 3 (both sources, our organisation only)", len(all.Absences))
	}
	if n := f.audits(t, "absence.list"); n != 5 {
		t.Fatalf("%d absence.list audit events, want one for each page that showed episodes (5)", n)
	}

	// Another organisation's key sees only its own; a referrals key none.
	theirs := decode[absencePage](t, f.do(t, "GET", "/api/v1/absences", f.otherKey, ""), http.StatusOK)
	if len(theirs.Absences) != 1 || theirs.Absences[0].AssignmentNumber != "200" {
		t.Fatalf("the other organisation's key listed %+v, want only its own report", theirs.Absences)
	}
	p := decode[problem](t, f.do(t, "GET", "/api/v1/absences", f.refKey, ""), http.StatusForbidden)
	if !strings.Contains(p.Detail, "HR API") {
		t.Fatalf("a referrals key: %+v, want 403 saying it may not use the HR API", p)
	}
}

// The person's own words for their absence are never in what HR reads.
func TestAbsenceAPIHasNoReasonWords(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	f.selfReport(t, f.addStaff(t, "100", "07700900001", ""), "2026-05-04", "")
	rec := f.do(t, "GET", "/api/v1/absences", f.key, "")
	for _, field := range []string{"reason_words", "words", "answers"} {
		if strings.Contains(rec.Body.String(), field) {
			t.Errorf("the HR API's absence page carries %q: %s", field, rec.Body)
		}
	}
}

func TestAbsenceAPIValidation(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	tests := []struct {
		name, query string
		fields      []string
	}{
		{"a bad since", "since=yesterday", []string{"since"}},
		{"a since without an offset", "since=2026-05-04T09:00:00", []string{"since"}},
		{"a limit of 0", "limit=0", []string{"limit"}},
		{"a limit too large", "limit=501", []string{"limit"}},
		{"a bad since and limit", "since=monday&limit=lots", []string{"limit", "since"}},
		{"a bad after", "after=-1", []string{"after"}},
		{"an unknown source", "source=manager", []string{"source"}},
		{"source twice", "source=hr_feed&source=self_report", []string{"source"}},
		{"an unknown parameter", "sorce=hr_feed", []string{"sorce"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.do(t, "GET", "/api/v1/absences?"+tt.query, f.key, "")
			p := decode[problem](t, rec, http.StatusBadRequest)
			var got []string
			for _, e := range p.Errors {
				got = append(got, e.Field)
				if !strings.HasPrefix(e.Detail, e.Field) {
					t.Errorf("error %+v does not name its parameter", e)
				}
			}
			if !slices.Equal(got, tt.fields) {
				t.Fatalf("errors name %v, want %v: %s", got, tt.fields, rec.Body)
			}
		})
	}
}
