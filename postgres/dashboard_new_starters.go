package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// NewStarterClearance is how soon the new starters whose first day fell in
// the period were given clearance by OH, counted when the dashboard is read
// (a cohort by start date: recent periods still grow). Days run from the
// first day to the day clearance was given, on the Europe/London calendar:
// 0 is the first day itself, a negative number a clearance before it. New
// starters HR cancelled are not counted.
type NewStarterClearance struct {
	Starters Figure // new starters whose first day is in the period
	Cleared  Figure // of those, given clearance so far
	// ByDay1 counts those cleared by their first day (days ≤ 0), Within14
	// those cleared by 14 days after it (days ≤ 14, ByDay1 among them);
	// ByDay1Rate and Within14Rate are each as a percentage of Starters.
	ByDay1, Within14         Figure
	ByDay1Rate, Within14Rate Figure
	// MedianDays is the median of the days to clearance over those
	// cleared.
	MedianDays Figure
}

// newStarters is the dashboard step of Dashboard.NewStarters.
func (q *dashboardQuery) newStarters(ctx context.Context) error {
	rows, err := q.tx.Query(ctx, `
		SELECT organisation_id, count(*), count(days), count(*) FILTER (WHERE days <= 0), count(*) FILTER (WHERE days <= 14),
		       coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY days), 0)
		FROM (SELECT organisation_id, (clearance_given_at AT TIME ZONE 'Europe/London')::date - starts_on AS days
		      FROM new_starters
		      WHERE state <> 'cancelled' AND ($1::bigint = 0 OR organisation_id = $1)
		        AND starts_on >= ($2::timestamptz AT TIME ZONE 'Europe/London')::date
		        AND starts_on < ($3::timestamptz AT TIME ZONE 'Europe/London')::date) n
		GROUP BY `+byOrganisation("organisation_id", ""), q.org, q.start, q.end)
	if err != nil {
		return fmt.Errorf("new starters: %w", err)
	}
	type tally struct {
		starters, cleared, byDay1, within14 int64
		median                              float64
	}
	tallies := perDashboard(q, func() *tally { return &tally{} })
	var org *int64
	var t tally
	_, err = pgx.ForEachRow(rows, []any{&org, &t.starters, &t.cleared, &t.byDay1, &t.within14, &t.median}, func() error {
		if d := q.of(org); d != nil {
			*tallies[d] = t
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("new starters: %w", err)
	}
	for d, t := range tallies {
		d.NewStarters = NewStarterClearance{Starters: count(t.starters), Cleared: count(t.cleared),
			ByDay1: count(t.byDay1), Within14: count(t.within14),
			ByDay1Rate: percent(t.byDay1, t.starters), Within14Rate: percent(t.within14, t.starters),
			MedianDays: statistic(t.cleared, t.median)}
	}
	return nil
}
