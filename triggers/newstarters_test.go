package triggers

import (
	"strings"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact/postgres"
)

// welcomes turns new starters' welcomes on for the fixture's organisation:
// 7 days before the first day, reminders after 3.
func (f *fixture) welcomes(t *testing.T) {
	t.Helper()
	set := f.scheduler.Policy.For(testOrg)
	set.NewStarters = &NewStarterTerms{DaysBefore: 7, RemindAfterDays: 3}
	f.scheduler.Policy.ByOrganisation = map[string]Settings{testOrg: set}
}

// starter imports member of staff number with first day startsOn ("" for
// none).
func (f *fixture) starter(t *testing.T, number, startsOn string) {
	t.Helper()
	f.importCSV(t, "staff", "assignment_number,first_name,last_name,mobile,email,organisation,language,preferred_channel,starts_on\n"+
		number+",Ann,Example,07700 900123,,"+testOrg+",,,"+startsOn+"\n")
}

// newStarterRow is a new_starters row as a test compares it.
type newStarterRow struct {
	StartsOn string
	State    string
	Due      time.Time
}

// newStarters returns staff number's welcomes in the order planned, and
// how many welcome jobs are scheduled.
func (f *fixture) newStarters(t *testing.T, number string) ([]newStarterRow, int) {
	t.Helper()
	rows, err := f.db.Pool.Query(t.Context(), `
		SELECT n.starts_on::text, n.state, n.welcome_due_at FROM new_starters n JOIN staff s ON s.id = n.staff_id
		WHERE s.assignment_number = $1 ORDER BY n.id`, number)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []newStarterRow
	for rows.Next() {
		var r newStarterRow
		if err := rows.Scan(&r.StartsOn, &r.State, &r.Due); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	var jobs int
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM river_job WHERE kind = 'new_starter_due'`).Scan(&jobs); err != nil {
		t.Fatal(err)
	}
	return got, jobs
}

// TestPlanNewStarter: a first day from HR plans one welcome days_before it
// at the send window's opening; a changed day before the welcome cancels
// and replans; a day too close is welcomed at the next send window; a day
// already past, or an organisation without a new_starters section, plans
// nothing; the same file again plans nothing more.
func TestPlanNewStarter(t *testing.T) {
	t.Parallel()
	// Monday 4 May 2026, 08:00 in London (BST).
	f := newFixture(t, time.Date(2026, 5, 4, 8, 0, 0, 0, london(t)))
	t.Run("not configured", func(t *testing.T) {
		f.starter(t, "100", "2026-06-01")
		if got, _ := f.newStarters(t, "100"); len(got) != 0 {
			t.Fatalf("welcomes planned without a new_starters section: %+v", got)
		}
	})
	f.welcomes(t)
	// Monday 1 June: the welcome is due Monday 25 May at 09:00 BST.
	f.starter(t, "101", "2026-06-01")
	f.starter(t, "101", "01/06/2026") // the same day again
	want := []newStarterRow{{"2026-06-01", postgres.NewStarterPlanned, f.at(t, "2026-05-25", 9, 0)}}
	got, jobs := f.newStarters(t, "101")
	if !equalRows(got, want) || jobs != 1 {
		t.Fatalf("welcomes %+v, %d jobs; want %+v and 1 job", got, jobs, want)
	}
	// HR moves the first day: the planned welcome is cancelled, a new one planned.
	f.starter(t, "101", "2026-06-08")
	want = []newStarterRow{{"2026-06-01", postgres.NewStarterCancelled, f.at(t, "2026-05-25", 9, 0)},
		{"2026-06-08", postgres.NewStarterPlanned, f.at(t, "2026-06-01", 9, 0)}}
	if got, jobs = f.newStarters(t, "101"); !equalRows(got, want) || jobs != 2 {
		t.Fatalf("after a move: welcomes %+v, %d jobs; want %+v and 2 jobs", got, jobs, want)
	}
	// HR removes it: cancelled.
	f.starter(t, "101", "")
	want[1].State = postgres.NewStarterCancelled
	if got, _ = f.newStarters(t, "101"); !equalRows(got, want) {
		t.Fatalf("after removing the day: welcomes %+v; want %+v", got, want)
	}
	// Wednesday 6 May, in 2 days: too close for 7 days before, so the next
	// send window from now (09:00 today).
	f.starter(t, "102", "2026-05-06")
	if got, _ = f.newStarters(t, "102"); !equalRows(got, []newStarterRow{{"2026-05-06", postgres.NewStarterPlanned, f.at(t, "2026-05-04", 9, 0)}}) {
		t.Fatalf("a close first day: %+v; want due at the window's opening today", got)
	}
	// Yesterday: already started, so nobody is texted.
	f.starter(t, "103", "2026-05-03")
	if got, _ = f.newStarters(t, "103"); len(got) != 0 {
		t.Fatalf("a first day in the past planned %+v; want nothing", got)
	}
}

// TestPlanNewStarterAcrossTheClockChange: the welcome is at 09:00 local
// time on the day, in GMT after the clocks go back.
func TestPlanNewStarterAcrossTheClockChange(t *testing.T) {
	t.Parallel()
	// Thursday 22 October 2026 in BST; the clocks go back on Sunday 25th.
	f := newFixture(t, time.Date(2026, 10, 22, 12, 0, 0, 0, london(t)))
	f.welcomes(t)
	f.starter(t, "200", "2026-11-02") // Monday: welcome Monday 26 October, 09:00 GMT
	got, _ := f.newStarters(t, "200")
	want := time.Date(2026, 10, 26, 9, 0, 0, 0, time.UTC)
	if len(got) != 1 || !got[0].Due.Equal(want) {
		t.Fatalf("welcomes %+v; want one due %s", got, want)
	}
}

func equalRows(got, want []newStarterRow) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i].StartsOn != want[i].StartsOn || got[i].State != want[i].State || !got[i].Due.Equal(want[i].Due) {
			return false
		}
	}
	return true
}

// TestAPIStaffStartsOn: PUT /api/v1/staff with a starts_on plans the
// welcome as the import does; a bad date is a 422 naming starts_on.
func TestAPIStaffStartsOn(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t) // Monday 4 May 2026, 08:00 BST
	f.welcomes(t)
	rec := f.do(t, "PUT", "/api/v1/staff/300", f.key, `{"first_name": "Ann", "last_name": "Example", "starts_on": "2026-02-30"}`)
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), "starts_on") {
		t.Fatalf("bad date: %d %s; want 422 naming starts_on", rec.Code, rec.Body)
	}
	decode[staffJSON](t, f.do(t, "PUT", "/api/v1/staff/300", f.key,
		`{"first_name": "Ann", "last_name": "Example", "starts_on": "2026-06-01"}`), 201)
	got, jobs := f.newStarters(t, "300")
	if want := []newStarterRow{{"2026-06-01", postgres.NewStarterPlanned, f.at(t, "2026-05-25", 9, 0)}}; !equalRows(got, want) || jobs != 1 {
		t.Fatalf("welcomes %+v, %d jobs; want %+v and 1 job", got, jobs, want)
	}
}
