package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
)

// The dashboard's absence outcomes, from the HR absence episodes
// (absence_episodes, with the staff member's organisation), and the same
// figures before and after each organisation's go-live day.
//
// Every figure is taken as it stood at the end of its period, which never
// runs beyond today (Europe/London): an episode with no end, or one that
// ended after the period's end, was still open then. Lengths are calendar
// days from the first day of absence to the last, both counted: an episode
// that starts and ends on the same day lasted 1 day.

// Absence groups: every episode, stress (S10), and musculoskeletal (MSK:
// S11 back problems and S12 other musculoskeletal problems).
const (
	AbsenceAll = "all"
	AbsenceS10 = "S10"
	AbsenceMSK = "msk"
)

// absenceGroups are the groups' ESR reason codes (none: every reason), in
// the order the dashboard lists them.
var absenceGroups = []struct {
	key     string
	reasons []string
}{{AbsenceAll, nil}, {AbsenceS10, []string{"S10"}}, {AbsenceMSK, []string{"S11", "S12"}}}

// daysPerMonth is the length of the average month: a period's days divided
// by it is its length in months.
const daysPerMonth = 30.4375

// AbsenceOutcomes are one group's absence figures over a period.
type AbsenceOutcomes struct {
	Group string // AbsenceAll, AbsenceS10 or AbsenceMSK
	// DaysLost is the calendar days of absence falling inside the period
	// (every episode clipped to it), per 100 staff (today's headcount), per
	// month of the period (its days / 30.4375). It is the mean over the
	// staff of each one's days lost per month, times 100. LossEpisodes
	// counts the episodes with a day in the period.
	DaysLost, LossEpisodes Figure
	// Started counts the episodes starting in the period. MedianLength and
	// P90Length are the median and 90th percentile of their lengths, by
	// the Kaplan–Meier estimate in which an episode still open at the
	// period's end counts as lasting at least its days so far (censored);
	// Empty, with Started above 0, when the estimated share still absent
	// has not fallen to a half (a tenth) yet: not yet known.
	Started, MedianLength, P90Length Figure
	// Followed7 counts the episodes starting in the period at least 7 days
	// before its end (start + 7 ≤ end), and Within7 the percentage of them
	// that lasted 7 days or fewer. Followed28 counts those starting at
	// least 27 days before its end (start + 27 ≤ end, so that day 28 is in
	// the period); Within28 is the percentage of them that lasted fewer
	// than 28 days (never became long-term) and Reached28 the percentage
	// that lasted 28 days or more (reached the long-term trigger's day).
	// Recent episodes, whose outcome is not known yet, are not counted.
	Followed7, Within7, Followed28, Within28, Reached28 Figure
}

// Difference is one figure less another, with its 95% interval.
type Difference struct {
	Value Figure
	// Low and High bound the 95% interval; both Empty when none is given.
	Low, High Figure
}

// ComparedOrganisation is an organisation in the before-and-after
// comparison, with its periods (dates; zero for one left out).
type ComparedOrganisation struct {
	ohcontact.Organisation
	// BaselineFrom to GoLive-1 is the baseline; PilotFrom to PilotTo the
	// pilot period: the dashboard's period from go-live on, to today at
	// the latest. The two have the same number of days.
	BaselineFrom, PilotFrom, PilotTo time.Time
}

// GroupComparison is one absence group's figures in the baseline and the
// pilot periods, and the differences (pilot less baseline). DaysLost's
// interval takes each member of staff as the unit (their days lost per
// month in each period; difference of means, normal interval from the two
// variances, as for independent samples); the percentages' intervals are
// Newcombe's hybrid score intervals, in percentage points; the lengths'
// differences have no interval.
type GroupComparison struct {
	Group                                                           string
	Baseline, Pilot                                                 AbsenceOutcomes
	DaysLost, MedianLength, P90Length, Within7, Within28, Reached28 Difference
}

// ContactedComparison compares, in the pilot period, the absences whose
// check-in reached the person within 2 days of its due time with those
// whose did not. It is observational: who was reached was not randomised,
// and people reached may differ from those not reached.
type ContactedComparison struct {
	// Trigger is a check-in trigger, or "" for every absence once, at its
	// first check-in due in the period.
	Trigger string
	// Contacted counts the check-ins due in the pilot period, while the
	// person was still absent on the day due, whose first message went
	// within 2 days of the due time; NotContacted the rest (skipped,
	// cancelled, failed, or sent later). Only check-ins due at least 27
	// days before the period's end are counted (complete follow-up).
	Contacted, NotContacted Figure
	// ContactedBack and NotContactedBack are the percentages of them back
	// at work within 28 days of the day due: the episode's last day no
	// later than 27 days after it.
	ContactedBack, NotContactedBack Figure
	// Difference is ContactedBack less NotContactedBack, in percentage
	// points, with Newcombe's interval.
	Difference Difference
}

// BeforeAfter compares each group's absence outcomes in the pilot period
// with the baseline before go-live, pooling the organisations counted.
type BeforeAfter struct {
	// Organisations are those counted: live by the period's end (or
	// today, if sooner). LeftOut are the dashboard's others: no go-live
	// day, or one after that.
	Organisations, LeftOut []ComparedOrganisation
	Headcount              Figure // today's staff of the organisations counted
	Groups                 []GroupComparison
	Contacted              []ContactedComparison // by trigger in checkIns' order, then all
}

// AbsenceFigures are the dashboard's absence outcomes.
type AbsenceFigures struct {
	// Headcount counts today's staff of the organisation(s): the
	// denominator of days lost.
	Headcount Figure
	Outcomes  []AbsenceOutcomes // by group: all, S10, MSK
	// Months are the first days of the calendar months the period
	// touches; DaysLostByMonth has a Series for each group (Key: the
	// group) of the days lost per 100 staff per month in each month's
	// days of the period (Empty for a month wholly after today).
	Months          []time.Time
	DaysLostByMonth []Series
	BeforeAfter     BeforeAfter
}

// absencePeriod is the days from from to end (dates, inclusive) of an
// organisation.
type absencePeriod struct {
	org       int64
	from, end time.Time
}

// absenceTally is one group's counts over a set of periods.
type absenceTally struct {
	// lost is, over the staff with days lost, the sum and sum of squares of
	// their days lost × 100 × daysPerMonth / their period's days.
	lost                                 sample
	lossEpisodes, started                int64
	survival                             []survivalRow
	followed7, back7, followed28, back28 int64
}

// outcomes publishes the tally of a group, over headcount staff.
func (t absenceTally) outcomes(group string, headcount int64) AbsenceOutcomes {
	o := AbsenceOutcomes{Group: group, DaysLost: daysLost(t.lost.Sum, t.lossEpisodes, headcount), LossEpisodes: count(t.lossEpisodes),
		Started: count(t.started), Followed7: count(t.followed7), Within7: percent(t.back7, t.followed7),
		Followed28: count(t.followed28), Within28: percent(t.back28, t.followed28),
		Reached28: percent(t.followed28-t.back28, t.followed28)}
	o.MedianLength = lengthQuantile(t.survival, t.started, 0.5)
	o.P90Length = lengthQuantile(t.survival, t.started, 0.9)
	return o
}

// lengthQuantile publishes the p quantile of the lengths of n episodes.
func lengthQuantile(rows []survivalRow, n int64, p float64) Figure {
	f := statistic(n, 0)
	if f.Suppressed || f.Empty {
		return f
	}
	days, ok := kaplanMeierQuantile(rows, p)
	if !ok {
		return Figure{Empty: true}
	}
	return Figure{Value: float64(days)}
}

// daysLost publishes days lost per 100 staff per month: sum is, over the
// staff, their days lost × 100 × daysPerMonth / the period's days, in
// episodes episodes, over headcount staff.
func daysLost(sum float64, episodes, headcount int64) Figure {
	switch {
	case headcount == 0:
		return Figure{Empty: true}
	case count(headcount).Suppressed || count(episodes).Suppressed:
		return Figure{Suppressed: true}
	}
	return Figure{Value: sum / float64(headcount)}
}

// absenceEpisodes is the SQL of the episodes of the groups ($4 keys, $5
// reason codes, "" for any) with a day in the periods ($1 organisations,
// $2 first days, $3 last days): grp, staff_id, starts_on, ended_on (the
// last day when it was on or before the period's end, else NULL), first_day
// and last_day (the episode clipped to the period), from_on, end_on and
// period_days.
const absenceEpisodes = `
	WITH p AS (SELECT * FROM unnest($1::bigint[], $2::date[], $3::date[]) AS p(organisation_id, from_on, end_on)),
	g AS (SELECT * FROM unnest($4::text[], $5::text[]) AS g(grp, reason)),
	e AS (
		SELECT g.grp, e.staff_id, e.starts_on, CASE WHEN e.ends_on <= p.end_on THEN e.ends_on END AS ended_on,
		       greatest(e.starts_on, p.from_on) AS first_day, least(e.ends_on, p.end_on) AS last_day,
		       p.from_on, p.end_on, p.end_on - p.from_on + 1 AS period_days
		FROM p JOIN staff s ON s.organisation_id = p.organisation_id
		JOIN absence_episodes e ON e.staff_id = s.id
		JOIN g ON g.reason = '' OR g.reason = e.reason_code
		WHERE e.starts_on <= p.end_on AND (e.ends_on IS NULL OR e.ends_on >= p.from_on))`

// absenceArgs are absenceEpisodes' parameters for periods.
func absenceArgs(periods []absencePeriod) []any {
	var orgs []int64
	var from, end, keys, reasons []string
	for _, p := range periods {
		orgs = append(orgs, p.org)
		from = append(from, p.from.Format(time.DateOnly))
		end = append(end, p.end.Format(time.DateOnly))
	}
	for _, g := range absenceGroups {
		if len(g.reasons) == 0 {
			keys, reasons = append(keys, g.key), append(reasons, "")
		}
		for _, r := range g.reasons {
			keys, reasons = append(keys, g.key), append(reasons, r)
		}
	}
	return []any{orgs, from, end, keys, reasons}
}

// absenceTallies counts each group's absences over periods, and the
// headcount of their organisations.
func (q *dashboardQuery) absenceTallies(ctx context.Context, periods []absencePeriod) (map[string]*absenceTally, int64, error) {
	tallies := map[string]*absenceTally{}
	for _, g := range absenceGroups {
		tallies[g.key] = &absenceTally{}
	}
	args := absenceArgs(periods)
	var headcount int64
	if err := q.tx.QueryRow(ctx, `SELECT count(*) FROM staff WHERE organisation_id = ANY($1)`, args[0]).Scan(&headcount); err != nil {
		return nil, 0, fmt.Errorf("headcount: %w", err)
	}
	rows, err := q.tx.Query(ctx, absenceEpisodes+`,
		x AS (SELECT grp, count(*) AS episodes, sum(last_day - first_day + 1) * 100 * `+fmt.Sprint(daysPerMonth)+` / min(period_days) AS x
		      FROM e GROUP BY grp, staff_id)
		SELECT grp, sum(episodes), count(*), sum(x)::float8, sum(x * x)::float8 FROM x GROUP BY grp`, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("days lost: %w", err)
	}
	var grp string
	var episodes int64
	var lost sample
	if _, err := pgx.ForEachRow(rows, []any{&grp, &episodes, &lost.N, &lost.Sum, &lost.SumSq}, func() error {
		tallies[grp].lost, tallies[grp].lossEpisodes = lost, episodes
		return nil
	}); err != nil {
		return nil, 0, fmt.Errorf("days lost: %w", err)
	}

	rows, err = q.tx.Query(ctx, absenceEpisodes+`
		SELECT grp, coalesce(ended_on, end_on) - starts_on + 1, ended_on IS NOT NULL,
		       starts_on + 7 <= end_on, starts_on + 27 <= end_on, count(*)
		FROM e WHERE starts_on >= from_on GROUP BY 1, 2, 3, 4, 5`, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("episode lengths: %w", err)
	}
	var r survivalRow
	var followed7, followed28 bool
	if _, err := pgx.ForEachRow(rows, []any{&grp, &r.Days, &r.Ended, &followed7, &followed28, &r.N}, func() error {
		t := tallies[grp]
		t.survival = append(t.survival, r)
		t.started += r.N
		if followed7 {
			t.followed7 += r.N
			if r.Ended && r.Days <= 7 {
				t.back7 += r.N
			}
		}
		if followed28 {
			t.followed28 += r.N
			if r.Ended && r.Days < 28 {
				t.back28 += r.N
			}
		}
		return nil
	}); err != nil {
		return nil, 0, fmt.Errorf("episode lengths: %w", err)
	}
	for _, t := range tallies {
		t.lost.N = headcount
	}
	return tallies, headcount, nil
}

// dayOf is t's date as a UTC midnight.
func dayOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// daysFrom is the number of days from a to b (dates).
func daysFrom(a, b time.Time) int { return int(b.Sub(a).Hours()/24 + 0.5) }

func (q *dashboardQuery) absence(ctx context.Context, d *Dashboard) error {
	var today time.Time
	if err := q.tx.QueryRow(ctx, `SELECT (now() AT TIME ZONE 'Europe/London')::date`).Scan(&today); err != nil {
		return fmt.Errorf("absence: %w", err)
	}
	from, to := dayOf(d.Filter.From), dayOf(d.Filter.To)
	end := to
	if today.Before(end) {
		end = dayOf(today)
	}
	orgs, err := Organisations(ctx, q.tx)
	if err != nil {
		return fmt.Errorf("absence: %w", err)
	}
	var periods, baselines, pilots []absencePeriod
	ba := &d.Absence.BeforeAfter
	for _, o := range orgs {
		if q.org != 0 && o.ID != q.org {
			continue
		}
		if !end.Before(from) {
			periods = append(periods, absencePeriod{o.ID, from, end})
		}
		if o.GoLive.IsZero() || o.GoLive.After(end) || from.After(end) {
			ba.LeftOut = append(ba.LeftOut, ComparedOrganisation{Organisation: o})
			continue
		}
		goLive := dayOf(o.GoLive)
		pilotFrom := later(from, goLive)
		c := ComparedOrganisation{Organisation: o, PilotFrom: pilotFrom, PilotTo: end,
			BaselineFrom: goLive.AddDate(0, 0, -daysFrom(pilotFrom, end)-1)}
		ba.Organisations = append(ba.Organisations, c)
		baselines = append(baselines, absencePeriod{o.ID, c.BaselineFrom, goLive.AddDate(0, 0, -1)})
		pilots = append(pilots, absencePeriod{o.ID, pilotFrom, end})
	}

	tallies, headcount, err := q.absenceTallies(ctx, periods)
	if err != nil {
		return fmt.Errorf("absence outcomes: %w", err)
	}
	d.Absence.Headcount = count(headcount)
	for _, g := range absenceGroups {
		d.Absence.Outcomes = append(d.Absence.Outcomes, tallies[g.key].outcomes(g.key, headcount))
	}
	if err := q.absenceByMonth(ctx, d, periods, from, end, headcount); err != nil {
		return fmt.Errorf("absence by month: %w", err)
	}

	baseline, headcount, err := q.absenceTallies(ctx, baselines)
	if err != nil {
		return fmt.Errorf("absence before go-live: %w", err)
	}
	pilot, _, err := q.absenceTallies(ctx, pilots)
	if err != nil {
		return fmt.Errorf("absence after go-live: %w", err)
	}
	ba.Headcount = count(headcount)
	for _, g := range absenceGroups {
		ba.Groups = append(ba.Groups, compareGroups(g.key, *baseline[g.key], *pilot[g.key], headcount))
	}
	if err := q.contacted(ctx, ba, pilots); err != nil {
		return fmt.Errorf("contacted and not contacted: %w", err)
	}
	return nil
}

// absenceByMonth fills in the Months and DaysLostByMonth of the period
// from to end (of periods, the same days in every organisation).
func (q *dashboardQuery) absenceByMonth(ctx context.Context, d *Dashboard, periods []absencePeriod, from, end time.Time, headcount int64) error {
	a := &d.Absence
	to := dayOf(d.Filter.To)
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(to); m = m.AddDate(0, 1, 0) {
		a.Months = append(a.Months, m)
	}
	type key struct {
		grp   string
		month time.Time
	}
	type tally struct{ episodes, days int64 }
	tallies := map[key]tally{}
	rows, err := q.tx.Query(ctx, absenceEpisodes+`
		SELECT grp, m::date, count(*), sum(least(last_day, (m + interval '1 month')::date - 1) - greatest(first_day, m::date) + 1)
		FROM e CROSS JOIN generate_series(date_trunc('month', first_day::timestamp), last_day::timestamp, interval '1 month') m
		GROUP BY 1, 2`, absenceArgs(periods)...)
	if err != nil {
		return err
	}
	var k key
	var t tally
	if _, err := pgx.ForEachRow(rows, []any{&k.grp, &k.month, &t.episodes, &t.days}, func() error {
		tallies[k] = t
		return nil
	}); err != nil {
		return err
	}
	for _, g := range absenceGroups {
		s := Series{Key: g.key}
		for _, m := range a.Months {
			first, last := later(m, from), m.AddDate(0, 1, -1)
			if end.Before(last) {
				last = end
			}
			if last.Before(first) {
				s.Figures = append(s.Figures, Figure{Empty: true})
				continue
			}
			t := tallies[key{g.key, m}]
			s.Figures = append(s.Figures,
				daysLost(float64(t.days)*100*daysPerMonth/float64(daysFrom(first, last)+1), t.episodes, headcount))
		}
		a.DaysLostByMonth = append(a.DaysLostByMonth, s)
	}
	return nil
}

// compareGroups compares a group's baseline and pilot tallies over the
// same headcount staff.
func compareGroups(group string, baseline, pilot absenceTally, headcount int64) GroupComparison {
	c := GroupComparison{Group: group, Baseline: baseline.outcomes(group, headcount), Pilot: pilot.outcomes(group, headcount)}
	c.DaysLost = meansDifference(c.Baseline.DaysLost, c.Pilot.DaysLost, baseline.lost, pilot.lost)
	c.MedianLength = statisticDifference(c.Baseline.MedianLength, c.Pilot.MedianLength)
	c.P90Length = statisticDifference(c.Baseline.P90Length, c.Pilot.P90Length)
	c.Within7 = proportionDifference(pilot.back7, pilot.followed7, baseline.back7, baseline.followed7)
	c.Within28 = proportionDifference(pilot.back28, pilot.followed28, baseline.back28, baseline.followed28)
	c.Reached28 = proportionDifference(pilot.followed28-pilot.back28, pilot.followed28, baseline.followed28-baseline.back28, baseline.followed28)
	return c
}

// unknown is a Difference that cannot be given: f (Suppressed or Empty)
// for all three figures.
func unknown(f Figure) Difference { return Difference{Value: f, Low: f, High: f} }

// proportionDifference is the difference x1/n1 - x2/n2 in percentage
// points with Newcombe's interval; suppressed when either percentage is.
func proportionDifference(x1, n1, x2, n2 int64) Difference {
	p1, p2 := percent(x1, n1), percent(x2, n2)
	switch {
	case p1.Suppressed || p2.Suppressed:
		return unknown(Figure{Suppressed: true})
	case p1.Empty || p2.Empty:
		return unknown(Figure{Empty: true})
	}
	diff, low, high := newcombe(x1, n1, x2, n2)
	return Difference{Value: Figure{Value: 100 * diff}, Low: Figure{Value: 100 * low}, High: Figure{Value: 100 * high}}
}

// meansDifference is after less before, the published means of the
// samples beforeSample and afterSample, with the normal interval.
func meansDifference(before, after Figure, beforeSample, afterSample sample) Difference {
	switch {
	case before.Suppressed || after.Suppressed:
		return unknown(Figure{Suppressed: true})
	case before.Empty || after.Empty:
		return unknown(Figure{Empty: true})
	}
	diff, low, high := meanDifference(afterSample, beforeSample)
	return Difference{Value: Figure{Value: diff}, Low: Figure{Value: low}, High: Figure{Value: high}}
}

// statisticDifference is after less before, two statistics (medians),
// with no interval.
func statisticDifference(before, after Figure) Difference {
	switch {
	case before.Suppressed || after.Suppressed:
		return unknown(Figure{Suppressed: true})
	case before.Empty || after.Empty:
		return unknown(Figure{Empty: true})
	}
	return Difference{Value: Figure{Value: after.Value - before.Value}, Low: Figure{Empty: true}, High: Figure{Empty: true}}
}

// contacted fills in ba.Contacted over the pilot periods.
func (q *dashboardQuery) contacted(ctx context.Context, ba *BeforeAfter, pilots []absencePeriod) error {
	args := absenceArgs(pilots)
	rows, err := q.tx.Query(ctx, `
		WITH p AS (SELECT * FROM unnest($1::bigint[], $2::date[], $3::date[]) AS p(organisation_id, from_on, end_on)),
		f AS (`+firstConversations+`),
		k AS (
			SELECT k.trigger, d.day, p.end_on, f.at IS NOT NULL AND f.at <= k.due_at + interval '2 days' AS contacted,
			       CASE WHEN e.ends_on <= p.end_on THEN e.ends_on END AS ended_on,
			       row_number() OVER (PARTITION BY k.episode_id ORDER BY k.due_at, k.id) = 1 AS first
			FROM p JOIN staff s ON s.organisation_id = p.organisation_id
			JOIN absence_episodes e ON e.staff_id = s.id
			JOIN contacts k ON k.episode_id = e.id
			CROSS JOIN LATERAL (SELECT (k.due_at AT TIME ZONE 'Europe/London')::date AS day) d
			LEFT JOIN f ON f.contact_id = k.id
			WHERE d.day BETWEEN p.from_on AND p.end_on AND (e.ends_on IS NULL OR e.ends_on >= d.day))
		SELECT trigger, first, contacted, ended_on IS NOT NULL AND ended_on <= day + 27, count(*)
		FROM k WHERE day + 27 <= end_on GROUP BY 1, 2, 3, 4`, args[:3]...)
	if err != nil {
		return err
	}
	type tally struct{ contacted, back [2]int64 } // [0]: not contacted, [1]: contacted
	tallies := map[string]*tally{"": {}}
	for _, t := range checkIns {
		tallies[t] = &tally{}
	}
	var trigger string
	var first, contacted, back bool
	var n int64
	if _, err := pgx.ForEachRow(rows, []any{&trigger, &first, &contacted, &back, &n}, func() error {
		i := 0
		if contacted {
			i = 1
		}
		for _, t := range []string{trigger, ""} {
			if t == "" && !first {
				continue
			}
			tallies[t].contacted[i] += n
			if back {
				tallies[t].back[i] += n
			}
		}
		return nil
	}); err != nil {
		return err
	}
	for _, t := range append(slices.Clone(checkIns), "") {
		k := tallies[t]
		ba.Contacted = append(ba.Contacted, ContactedComparison{Trigger: t,
			Contacted: count(k.contacted[1]), NotContacted: count(k.contacted[0]),
			ContactedBack: percent(k.back[1], k.contacted[1]), NotContactedBack: percent(k.back[0], k.contacted[0]),
			Difference: proportionDifference(k.back[1], k.contacted[1], k.back[0], k.contacted[0])})
	}
	return nil
}
