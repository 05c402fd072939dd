package postgres_test

import (
	"testing"
	"time"

	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// newStarter stores a new starter of org starting on startsOn, in state,
// given clearance at cleared (zero: not yet).
func (f *dashFixture) newStarter(org int64, startsOn, state string, cleared time.Time, user int64) {
	f.t.Helper()
	id := pgtest.NewStarter(f.t, f.db.Pool, pgtest.NewStarterRow{Staff: f.staff(org), StartsOn: startsOn, State: state})
	if !cleared.IsZero() {
		f.exec(`UPDATE new_starters SET questionnaire_received_at = $2, questionnaire_received_by = $3,
			clearance_given_at = $2, clearance_given_by = $3 WHERE id = $1`, id, cleared, user)
	}
}

func TestDashboardNewStarters(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := &dashFixture{t: t, ctx: ctx, db: db}
	a, b := f.org("SA"), f.org("SB")
	user := f.id(`INSERT INTO users (email, display_name, role, password_hash) VALUES ('oh@example.nhs.uk', 'OH', 'admin', 'x') RETURNING id`)

	// The period is September 2026 (British Summer Time). Organisation A:
	// 12 new starters, cleared -5, -4, -3, -2, -1 and 0 days after their
	// first day (6 by day 1), 3, 7 and 10 (9 within 14 days), 20 and 30
	// (11 cleared), and one not yet. The 0 is cleared at 23:30 UTC the day
	// before, 00:30 on the first day in London. Organisation B: 3 new
	// starters, cleared 1 and 2 days after. Not counted: one HR cancelled,
	// one starting on 31 August, one on 1 October.
	startsOn := time.Date(2026, 9, 10, 0, 0, 0, 0, time.UTC)
	clearedAfter := func(days int) time.Time { return startsOn.AddDate(0, 0, days).Add(11 * time.Hour) }
	for _, days := range []int{-5, -4, -3, -2, -1, 3, 7, 10, 20, 30} {
		f.newStarter(a, "2026-09-10", "replied", clearedAfter(days), user)
	}
	f.newStarter(a, "2026-09-10", "welcomed", time.Date(2026, 9, 9, 23, 30, 0, 0, time.UTC), user)
	f.newStarter(a, "2026-09-30", "worklist", time.Time{}, user)
	f.newStarter(b, "2026-09-10", "replied", clearedAfter(1), user)
	f.newStarter(b, "2026-09-10", "replied", clearedAfter(2), user)
	f.newStarter(b, "2026-09-01", "welcomed", time.Time{}, user)
	f.newStarter(a, "2026-09-15", "cancelled", time.Time{}, user)
	f.newStarter(a, "2026-08-31", "replied", clearedAfter(1), user)
	f.newStarter(a, "2026-10-01", "planned", time.Time{}, user)

	d, err := postgres.DashboardFor(ctx, db, 0, listing(postgres.DashboardFilter{
		From: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC)}))
	if err != nil {
		t.Fatal(err)
	}
	n := func(v float64) postgres.Figure { return postgres.Figure{Value: v} }
	sup := postgres.Figure{Suppressed: true}
	if len(d.Organisations) != 2 {
		t.Fatalf("%d organisations, want 2", len(d.Organisations))
	}
	for _, c := range []struct {
		name string
		got  postgres.NewStarterClearance
		want postgres.NewStarterClearance
	}{
		// 6 of 12 by day 1 (50%); 9 of 12 within 14 days, but the 3 not
		// would show: suppressed. Median of 11: the 6th, 0.
		{"organisation A", d.Organisations[0].NewStarters, postgres.NewStarterClearance{Starters: n(12), Cleared: n(11),
			ByDay1: n(6), Within14: n(9), ByDay1Rate: n(50), Within14Rate: sup, MedianDays: n(0)}},
		// Every count below 5 but the zero cleared by day 1.
		{"organisation B", d.Organisations[1].NewStarters, postgres.NewStarterClearance{Starters: sup, Cleared: sup,
			ByDay1: n(0), Within14: sup, ByDay1Rate: sup, Within14Rate: sup, MedianDays: sup}},
		// 15 starters, 13 cleared, 6 by day 1 (40%), 11 within 14 days (4
		// not: suppressed); median of 13: the 7th, 1.
		{"all together", d.NewStarters, postgres.NewStarterClearance{Starters: n(15), Cleared: n(13),
			ByDay1: n(6), Within14: n(11), ByDay1Rate: n(40), Within14Rate: sup, MedianDays: n(1)}},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %+v\nwant %+v", c.name, c.got, c.want)
		}
	}

	p := listing(postgres.DashboardFilter{OrganisationID: b, From: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
		To: time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)})
	if d, err = postgres.DashboardFor(ctx, db, 0, p); err != nil {
		t.Fatal(err)
	}
	empty := postgres.Figure{Empty: true}
	if want := (postgres.NewStarterClearance{ByDay1Rate: empty, Within14Rate: empty, MedianDays: empty}); d.NewStarters != want {
		t.Errorf("a month without new starters: %+v, want %+v", d.NewStarters, want)
	}
}
