package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"
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

// absenceTally is one group's counts over a set of periods.
type absenceTally struct {
	// lost is, over the staff, the sum and sum of squares of their days
	// lost × 100 × daysPerMonth / their period's days.
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

// The absence figures are read once a dashboard, for every organisation it
// covers at once (absenceData), and each organisation's counts kept
// apart: a dashboard of every organisation and each organisation's own
// (Dashboard.Organisations) add up the same counts, so that the episodes
// are scanned once however many organisations are set side by side.

// Kinds of absence period: the dashboard's period, and the baseline and
// pilot periods of the before-and-after comparison.
const (
	periodShown    = "period"
	periodBaseline = "baseline"
	periodPilot    = "pilot"
)

// absencePeriod is the days from from to end (dates, inclusive) of an
// organisation, of a kind.
type absencePeriod struct {
	kind      string
	org       int64
	from, end time.Time
}

// absenceData is every organisation's absence counts over its periods.
type absenceData struct {
	headcount map[int64]int64
	// tallies are by kind, organisation and group.
	tallies map[string]map[int64]map[string]*absenceTally
	// months are the period's days lost and episodes by organisation,
	// group and month.
	months map[int64]map[monthKey]monthTally
	// contacted are the pilot period's check-ins by organisation.
	contacted map[int64]map[contactedKey]int64
}

type monthKey struct {
	grp   string
	month time.Time
}

type monthTally struct{ episodes, days int64 }

// contactedKey is a kind of check-in of contacted: its trigger, whether
// it was the absence's first in the period, whether it reached the person
// within 2 days, and whether they were back within 28 days.
type contactedKey struct {
	trigger                string
	first, contacted, back bool
}

// tally returns the tally of group over the periods of kind of the
// organisations orgs, adding up theirs, over their headcount (every member
// of staff is in the sample of days lost, most with none).
func (a *absenceData) tally(kind, group string, orgs []int64) absenceTally {
	t := absenceTally{lost: sample{N: a.headcountOf(orgs)}}
	for _, org := range orgs {
		if o := a.tallies[kind][org][group]; o != nil {
			t.add(*o)
		}
	}
	return t
}

// add adds o's counts to t's.
func (t *absenceTally) add(o absenceTally) {
	t.lost.Sum += o.lost.Sum
	t.lost.SumSq += o.lost.SumSq
	t.lossEpisodes += o.lossEpisodes
	t.started += o.started
	t.survival = append(t.survival, o.survival...)
	t.followed7 += o.followed7
	t.back7 += o.back7
	t.followed28 += o.followed28
	t.back28 += o.back28
}

// headcountOf is the staff of orgs today.
func (a *absenceData) headcountOf(orgs []int64) int64 {
	var n int64
	for _, org := range orgs {
		n += a.headcount[org]
	}
	return n
}

// absenceEpisodes is the SQL of the episodes with a day in the periods
// ($1 kinds, $2 organisations, $3 first days, $4 last days): kind,
// organisation_id, staff_id, starts_on, ended_on (the last day when it
// was on or before the period's end, else NULL), days (those of the
// episode in the period), first_day and last_day (the episode clipped to
// the period), started (in the period), end_on, and in g0, g1, … whether
// it is in each group (absenceGroups' order; their reasons from $5 on:
// absenceGroupArgs). It is not materialised: each part of the statement
// reading it scans the episodes again, computing only the columns it
// reads, which costs less than computing every column of every episode
// once into a store (a year of 100,000 staff: 40 ms a scan, 150 ms the
// store).
func absenceEpisodes() string {
	var groups []string
	var param int
	for i, g := range absenceGroups {
		if len(g.reasons) == 0 {
			groups = append(groups, fmt.Sprintf("true AS g%d", i))
			continue
		}
		param++
		groups = append(groups, fmt.Sprintf("e.reason_code = ANY($%d::text[]) AS g%d", 4+param, i))
	}
	return `
	WITH p AS (SELECT * FROM unnest($1::text[], $2::bigint[], $3::date[], $4::date[]) AS p(kind, organisation_id, from_on, end_on)),
	e AS NOT MATERIALIZED (
		SELECT p.kind, p.organisation_id, e.staff_id, e.starts_on,
		       CASE WHEN e.ends_on <= p.end_on THEN e.ends_on END AS ended_on,
		       least(e.ends_on, p.end_on) - greatest(e.starts_on, p.from_on) + 1 AS days,
		       greatest(e.starts_on, p.from_on) AS first_day, least(e.ends_on, p.end_on) AS last_day,
		       e.starts_on >= p.from_on AS started, p.end_on, ` + strings.Join(groups, ", ") + `
		FROM p JOIN absence_episodes e ON e.organisation_id = p.organisation_id
		WHERE e.starts_on <= p.end_on AND (e.ends_on IS NULL OR e.ends_on >= p.from_on))`
}

// absenceGroupArgs are absenceEpisodes' parameters from $5 on: the reasons
// of each group that has them.
func absenceGroupArgs() []any {
	var args []any
	for _, g := range absenceGroups {
		if len(g.reasons) > 0 {
			args = append(args, g.reasons)
		}
	}
	return args
}

// readAbsence reads every organisation's absence counts over periods.
func (q *dashboardQuery) readAbsence(ctx context.Context, periods []absencePeriod) (*absenceData, error) {
	a := &absenceData{headcount: map[int64]int64{}, tallies: map[string]map[int64]map[string]*absenceTally{},
		months: map[int64]map[monthKey]monthTally{}, contacted: map[int64]map[contactedKey]int64{}}
	var kinds, from, end []string
	var orgs []int64
	type periodKey struct {
		kind string
		org  int64
	}
	periodDays := map[periodKey]int64{}
	for _, p := range periods {
		kinds, orgs = append(kinds, p.kind), append(orgs, p.org)
		from, end = append(from, p.from.Format(time.DateOnly)), append(end, p.end.Format(time.DateOnly))
		periodDays[periodKey{p.kind, p.org}] = int64(daysFrom(p.from, p.end) + 1)
	}
	tally := func(kind string, org int64, grp string) *absenceTally {
		if a.tallies[kind] == nil {
			a.tallies[kind] = map[int64]map[string]*absenceTally{}
		}
		if a.tallies[kind][org] == nil {
			a.tallies[kind][org] = map[string]*absenceTally{}
		}
		if a.tallies[kind][org][grp] == nil {
			a.tallies[kind][org][grp] = &absenceTally{}
		}
		return a.tallies[kind][org][grp]
	}

	rows, err := q.tx.Query(ctx, `SELECT organisation_id, count(*) FROM staff WHERE organisation_id = ANY($1) GROUP BY 1`, orgs)
	if err != nil {
		return nil, fmt.Errorf("headcount: %w", err)
	}
	var org, n int64
	if _, err := pgx.ForEachRow(rows, []any{&org, &n}, func() error { a.headcount[org] = n; return nil }); err != nil {
		return nil, fmt.Errorf("headcount: %w", err)
	}

	// One statement counts every figure from the episodes (e), in rows of
	// three parts told apart by the first column and padded to the same
	// columns (part, kind, organisation, length, ended, followed 7 days,
	// followed 28 days, month, then counts):
	//   - "lost": a period's days lost, for each group its episodes, days,
	//     and each member of staff's days squared and summed (for the
	//     difference of means); scaled in Go to days per 100 staff per month
	//     of the organisation's period. Only the comparison's periods need
	//     the squares: the dashboard's own period is summed whole.
	//   - "length": the episodes starting in a period by length, whether
	//     ended, and whether followed up 7 and 28 days, for each group.
	//   - "month": the dashboard's period by month, for each group its
	//     episodes and days in the month. Each episode's months come from
	//     generate_series in a select list: as a FROM item it would store
	//     every episode's months in a tuplestore of their own first.
	args := append([]any{kinds, orgs, from, end}, absenceGroupArgs()...)
	width := 3 * len(absenceGroups)
	var perStaff, lost, length, byMonth []string
	for i := range absenceGroups {
		c := fmt.Sprintf("g%d", i)
		perStaff = append(perStaff, fmt.Sprintf("count(*) FILTER (WHERE %s) AS n%d, sum(days) FILTER (WHERE %s) AS d%d", c, i, c, i))
		lost = append(lost, fmt.Sprintf("coalesce(sum(n%d), 0)", i), fmt.Sprintf("coalesce(sum(d%d), 0)", i), fmt.Sprintf("coalesce(sum(d%d * d%d), 0)", i, i))
		length = append(length, fmt.Sprintf("count(*) FILTER (WHERE %s)", c))
		byMonth = append(byMonth, fmt.Sprintf("count(*) FILTER (WHERE %s)", c), fmt.Sprintf("coalesce(sum(month_days) FILTER (WHERE %s), 0)", c))
	}
	pad := func(cols []string) string {
		for len(cols) < width {
			cols = append(cols, "0")
		}
		return strings.Join(cols, ", ")
	}
	rows, err = q.tx.Query(ctx, absenceEpisodes()+`,
		x AS (SELECT kind, organisation_id, `+strings.Join(perStaff, ", ")+` FROM e
		      GROUP BY kind, organisation_id, CASE WHEN kind = '`+periodShown+`' THEN 0 ELSE staff_id END)
		SELECT 'lost', kind, organisation_id, NULL::int, NULL::bool, NULL::bool, NULL::bool, NULL::date, `+pad(lost)+`
		FROM x GROUP BY 2, 3
		UNION ALL
		SELECT 'length', kind, organisation_id, coalesce(ended_on, end_on) - starts_on + 1, ended_on IS NOT NULL,
		       starts_on + 7 <= end_on, starts_on + 27 <= end_on, NULL, `+pad(length)+`
		FROM e WHERE started GROUP BY 2, 3, 4, 5, 6, 7
		UNION ALL
		SELECT 'month', kind, organisation_id, NULL, NULL, NULL, NULL, m, `+pad(byMonth)+`
		FROM (SELECT *, least(last_day, (m + interval '1 month')::date - 1) - greatest(first_day, m) + 1 AS month_days
		      FROM (SELECT *, generate_series(date_trunc('month', first_day::timestamp), last_day::timestamp, interval '1 month')::date AS m
		            FROM e WHERE kind = '`+periodShown+`') m) m
		GROUP BY 2, 3, 8`, args...)
	if err != nil {
		return nil, fmt.Errorf("absence episodes: %w", err)
	}
	var part, kind string
	var days *int
	var ended, followed7, followed28 *bool
	var month *time.Time
	counts := make([]int64, width)
	dest := []any{&part, &kind, &org, &days, &ended, &followed7, &followed28, &month}
	for i := range counts {
		dest = append(dest, &counts[i])
	}
	if _, err := pgx.ForEachRow(rows, dest, func() error {
		switch part {
		case "lost":
			k := 100 * daysPerMonth / float64(periodDays[periodKey{kind, org}])
			for i, g := range absenceGroups {
				t := tally(kind, org, g.key)
				t.lossEpisodes += counts[3*i]
				t.lost.Sum += k * float64(counts[3*i+1])
				t.lost.SumSq += k * k * float64(counts[3*i+2])
			}
		case "length":
			for i, g := range absenceGroups {
				n := counts[i]
				if n == 0 {
					continue
				}
				t := tally(kind, org, g.key)
				t.survival = append(t.survival, survivalRow{Days: *days, Ended: *ended, N: n})
				t.started += n
				if *followed7 {
					t.followed7 += n
					if *ended && *days <= 7 {
						t.back7 += n
					}
				}
				if *followed28 {
					t.followed28 += n
					if *ended && *days < 28 {
						t.back28 += n
					}
				}
			}
		case "month":
			if a.months[org] == nil {
				a.months[org] = map[monthKey]monthTally{}
			}
			for i, g := range absenceGroups {
				a.months[org][monthKey{g.key, *month}] = monthTally{episodes: counts[2*i], days: counts[2*i+1]}
			}
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("absence episodes: %w", err)
	}

	if err := q.readContacted(ctx, a, periods); err != nil {
		return nil, fmt.Errorf("contacted and not contacted: %w", err)
	}
	return a, nil
}

// dayOf is t's date as a UTC midnight.
func dayOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// daysFrom is the number of days from a to b (dates).
func daysFrom(a, b time.Time) int { return int(b.Sub(a).Hours()/24 + 0.5) }

func (q *dashboardQuery) absence(ctx context.Context) error {
	var today time.Time
	if err := q.tx.QueryRow(ctx, `SELECT (now() AT TIME ZONE 'Europe/London')::date`).Scan(&today); err != nil {
		return fmt.Errorf("absence: %w", err)
	}
	filter := q.dashboards[0].Filter
	from, to := dayOf(filter.From), dayOf(filter.To)
	end := to
	if today.Before(end) {
		end = dayOf(today)
	}
	orgs, err := Organisations(ctx, q.tx)
	if err != nil {
		return fmt.Errorf("absence: %w", err)
	}
	// Every organisation counted, with its periods: read once for all of
	// q's dashboards, each adding up the counts of the organisations it
	// covers.
	type counted struct {
		ohcontact.Organisation
		compared *ComparedOrganisation // nil: left out of the comparison
	}
	var all []counted
	var periods []absencePeriod
	for _, o := range orgs {
		if q.org != 0 && o.ID != q.org {
			continue
		}
		c := counted{Organisation: o}
		if !end.Before(from) {
			periods = append(periods, absencePeriod{periodShown, o.ID, from, end})
		}
		if !o.GoLive.IsZero() && !o.GoLive.After(end) && !from.After(end) {
			goLive := dayOf(o.GoLive)
			pilotFrom := ohcontact.Later(from, goLive)
			c.compared = &ComparedOrganisation{Organisation: o, PilotFrom: pilotFrom, PilotTo: end,
				BaselineFrom: goLive.AddDate(0, 0, -daysFrom(pilotFrom, end)-1)}
			periods = append(periods, absencePeriod{periodBaseline, o.ID, c.compared.BaselineFrom, goLive.AddDate(0, 0, -1)},
				absencePeriod{periodPilot, o.ID, pilotFrom, end})
		}
		all = append(all, c)
	}
	a, err := q.readAbsence(ctx, periods)
	if err != nil {
		return fmt.Errorf("absence: %w", err)
	}

	for _, d := range q.dashboards {
		var shown, compared []int64
		ba := &d.Absence.BeforeAfter
		for _, o := range all {
			if d.Filter.OrganisationID != 0 && o.ID != d.Filter.OrganisationID {
				continue
			}
			shown = append(shown, o.ID)
			if o.compared == nil {
				ba.LeftOut = append(ba.LeftOut, ComparedOrganisation{Organisation: o.Organisation})
				continue
			}
			ba.Organisations = append(ba.Organisations, *o.compared)
			compared = append(compared, o.ID)
		}
		headcount := a.headcountOf(shown)
		d.Absence.Headcount = count(headcount)
		for _, g := range absenceGroups {
			t := a.tally(periodShown, g.key, shown)
			d.Absence.Outcomes = append(d.Absence.Outcomes, t.outcomes(g.key, headcount))
		}
		absenceByMonth(d, a, shown, from, end, headcount)

		headcount = a.headcountOf(compared)
		ba.Headcount = count(headcount)
		for _, g := range absenceGroups {
			ba.Groups = append(ba.Groups, compareGroups(g.key, a.tally(periodBaseline, g.key, compared), a.tally(periodPilot, g.key, compared), headcount))
		}
		contacted(ba, a, compared)
	}
	return nil
}

// absenceByMonth fills in the Months and DaysLostByMonth of the period
// from to end of organisations orgs.
func absenceByMonth(d *Dashboard, a *absenceData, orgs []int64, from, end time.Time, headcount int64) {
	to := dayOf(d.Filter.To)
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(to); m = m.AddDate(0, 1, 0) {
		d.Absence.Months = append(d.Absence.Months, m)
	}
	for _, g := range absenceGroups {
		s := Series{Key: g.key}
		for _, m := range d.Absence.Months {
			first, last := ohcontact.Later(m, from), m.AddDate(0, 1, -1)
			if end.Before(last) {
				last = end
			}
			if last.Before(first) {
				s.Figures = append(s.Figures, Figure{Empty: true})
				continue
			}
			var t monthTally
			for _, org := range orgs {
				o := a.months[org][monthKey{g.key, m}]
				t.episodes += o.episodes
				t.days += o.days
			}
			s.Figures = append(s.Figures,
				daysLost(float64(t.days)*100*daysPerMonth/float64(daysFrom(first, last)+1), t.episodes, headcount))
		}
		d.Absence.DaysLostByMonth = append(d.Absence.DaysLostByMonth, s)
	}
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

// readContacted reads into a the check-ins of the pilot periods of
// periods, by organisation (see contactedKey). Every check-in is joined to
// its episode first (c, materialised) and only then to the periods:
// joined the other way, PostgreSQL joined them again for every period.
func (q *dashboardQuery) readContacted(ctx context.Context, a *absenceData, periods []absencePeriod) error {
	var orgs []int64
	var from, end []string
	for _, p := range periods {
		if p.kind == periodPilot {
			orgs = append(orgs, p.org)
			from, end = append(from, p.from.Format(time.DateOnly)), append(end, p.end.Format(time.DateOnly))
		}
	}
	rows, err := q.tx.Query(ctx, `
		WITH p AS (SELECT * FROM unnest($1::bigint[], $2::date[], $3::date[]) AS p(organisation_id, from_on, end_on)),
		f AS (`+firstConversations+`),
		c AS MATERIALIZED (
			SELECT e.organisation_id, k.id, k.episode_id, k.trigger, k.due_at, (k.due_at AT TIME ZONE 'Europe/London')::date AS day, e.ends_on
			FROM contacts k JOIN absence_episodes e ON e.id = k.episode_id),
		k AS (
			SELECT p.organisation_id, c.trigger, c.day, p.end_on, f.at IS NOT NULL AND f.at <= c.due_at + interval '2 days' AS contacted,
			       CASE WHEN c.ends_on <= p.end_on THEN c.ends_on END AS ended_on,
			       row_number() OVER (PARTITION BY c.episode_id ORDER BY c.due_at, c.id) = 1 AS first
			FROM p JOIN c ON c.organisation_id = p.organisation_id
			LEFT JOIN f ON f.contact_id = c.id
			WHERE c.day BETWEEN p.from_on AND p.end_on AND (c.ends_on IS NULL OR c.ends_on >= c.day))
		SELECT organisation_id, trigger, first, contacted, ended_on IS NOT NULL AND ended_on <= day + 27, count(*)
		FROM k WHERE day + 27 <= end_on GROUP BY 1, 2, 3, 4, 5`, orgs, from, end)
	if err != nil {
		return err
	}
	var org, n int64
	var k contactedKey
	_, err = pgx.ForEachRow(rows, []any{&org, &k.trigger, &k.first, &k.contacted, &k.back, &n}, func() error {
		if a.contacted[org] == nil {
			a.contacted[org] = map[contactedKey]int64{}
		}
		a.contacted[org][k] += n
		return nil
	})
	return err
}

// contacted fills in ba.Contacted from the check-ins of organisations orgs.
func contacted(ba *BeforeAfter, a *absenceData, orgs []int64) {
	type tally struct{ contacted, back [2]int64 } // [0]: not contacted, [1]: contacted
	tallies := map[string]*tally{"": {}}
	for _, t := range checkIns {
		tallies[t] = &tally{}
	}
	for _, org := range orgs {
		for k, n := range a.contacted[org] {
			i := 0
			if k.contacted {
				i = 1
			}
			for _, t := range []string{k.trigger, ""} {
				if t == "" && !k.first || tallies[t] == nil {
					continue
				}
				tallies[t].contacted[i] += n
				if k.back {
					tallies[t].back[i] += n
				}
			}
		}
	}
	for _, t := range append(slices.Clone(checkIns), "") {
		k := tallies[t]
		ba.Contacted = append(ba.Contacted, ContactedComparison{Trigger: t,
			Contacted: count(k.contacted[1]), NotContacted: count(k.contacted[0]),
			ContactedBack: percent(k.back[1], k.contacted[1]), NotContactedBack: percent(k.back[0], k.contacted[0]),
			Difference: proportionDifference(k.back[1], k.contacted[1], k.back[0], k.contacted[0])})
	}
}
