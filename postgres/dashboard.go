package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
)

// The pilot dashboard's figures: aggregates only, and none small enough to
// point at a person. A count from 1 to MinShown-1 leaves this package as a
// suppressed Figure whose value is zeroed, and so does a figure derived
// from one, so that no page or export can show it by mistake.

// MinShown is the smallest count the dashboard shows: a count from 1 to
// MinShown-1 is suppressed (shown as "<5"); a zero is shown.
const MinShown = 5

// TriggerAbsenceReport is the dashboard's name for the day-1 absence
// report, which the person starts, beside the service's check-in triggers
// (ohcontact.Trigger, as contacts.trigger stores them).
const TriggerAbsenceReport = "absence_report"

// checkIns are the triggers whose contacts the service makes, in the order
// the dashboard lists them.
var checkIns = []string{string(ohcontact.TriggerStress), string(ohcontact.TriggerMSK), string(ohcontact.TriggerLongTerm)}

// casePriorities are the priorities a case can have, most urgent first.
var casePriorities = []ohcontact.Priority{ohcontact.PriorityUrgent, ohcontact.PriorityHigh, ohcontact.PriorityRoutine}

// dashboardChannels are every conversation channel.
var dashboardChannels = []ohcontact.Channel{ohcontact.ChannelSMS, ohcontact.ChannelWebChat}

// DashboardFilter says what the dashboard counts, and which keys its lists
// hold in which order: the caller's choice. A list field left empty counts
// nothing, but for FeedbackFlows, after which the flows asked about are
// listed all the same.
type DashboardFilter struct {
	// OrganisationID is the organisation counted; 0 counts every
	// organisation the user sees.
	OrganisationID int64
	// From and To are the first and last days counted, inclusive, on the
	// Europe/London calendar; only their dates are read.
	From, To time.Time
	// CallBackCategories are the case categories counted as OH call-backs
	// (Dashboard.CallBacks, CallBacksByCategory and Work.CallBacks), in
	// the order those list them.
	CallBackCategories []string
	// DisclosureCategories are the case categories counted as disclosures
	// (Work.Disclosures).
	DisclosureCategories []string
	// FeedbackFlows are the flows Dashboard.Feedback lists first, in this
	// order, whether asked about or not; a flow asked about that is not
	// in it follows them.
	FeedbackFlows []string
	// Languages are the conversation languages Dashboard.Conversations
	// counts, in the order it lists them.
	Languages []string
	// FirstContactDays are the ranges of days Dashboard.FirstContact
	// counts episodes in, in the order it lists them.
	FirstContactDays []DayRange
	// CampaignFlows are the flows of the campaigns whose uptake
	// Dashboard.Campaigns counts (vaccination invitations).
	CampaignFlows []string
}

// Figure is one number the dashboard publishes.
type Figure struct {
	Value float64
	// Suppressed is set for a count from 1 to MinShown-1 and for anything
	// derived from one; Value is then 0.
	Suppressed bool
	// Empty is set when there was nothing to measure: a rate of no
	// contacts, a median of no cases. Value is then 0.
	Empty bool
}

// count publishes the count n.
func count(n int64) Figure {
	if n > 0 && n < MinShown {
		return Figure{Suppressed: true}
	}
	return Figure{Value: float64(n)}
}

// percent publishes part of whole as a percentage. It is suppressed when
// either count is, or when whole-part is (the rate would give it away).
func percent(part, whole int64) Figure {
	switch {
	case whole == 0:
		return Figure{Empty: true}
	case count(part).Suppressed || count(whole).Suppressed || count(whole-part).Suppressed:
		return Figure{Suppressed: true}
	}
	return Figure{Value: 100 * float64(part) / float64(whole)}
}

// distribution publishes counts that add up to a published total: each
// by count, and when exactly one is suppressed, the smallest other
// non-zero count too (else the total less the others would give it away).
func distribution(counts []int64) []Figure {
	out := make([]Figure, len(counts))
	suppressed := 0
	for i, n := range counts {
		out[i] = count(n)
		if out[i].Suppressed {
			suppressed++
		}
	}
	if suppressed != 1 {
		return out
	}
	smallest := -1
	for i, n := range counts {
		if n > 0 && !out[i].Suppressed && (smallest < 0 || n < counts[smallest]) {
			smallest = i
		}
	}
	if smallest >= 0 {
		out[smallest] = Figure{Suppressed: true}
	}
	return out
}

// Share publishes part of whole, two published counts, as a percentage by
// percent's rule: suppressed when either is, or when what whole leaves of
// part is from 1 to MinShown-1; Empty when whole is 0.
func Share(part, whole Figure) Figure {
	if part.Suppressed || whole.Suppressed {
		return Figure{Suppressed: true}
	}
	return percent(int64(part.Value), int64(whole.Value))
}

// statistic publishes v, a statistic (a median, a percentile) of n
// measurements.
func statistic(n int64, v float64) Figure {
	switch {
	case n == 0:
		return Figure{Empty: true}
	case count(n).Suppressed:
		return Figure{Suppressed: true}
	}
	return Figure{Value: v}
}

// Series is a row of figures under a key, one for each bucket of
// Dashboard.Buckets (or month of AbsenceFigures.Months).
type Series struct {
	Key     string
	Figures []Figure
}

// Tally is one count under a key.
type Tally struct {
	Key   string
	Count Figure
}

// Responses is how many of one trigger's check-ins were made in the period
// and how many of those the person answered.
type Responses struct {
	Trigger   string // a check-in trigger, or "" for all of them together
	Made      Figure
	Responded Figure
	Rate      Figure // Responded as a percentage of Made
}

// DayRange is from From to To days (inclusive) after an absence began; To
// is -1 for "or more".
type DayRange struct {
	From, To int
}

// DayBucket counts the episodes first contacted in a range of days after
// the absence began.
type DayBucket struct {
	DayRange
	Episodes Figure
}

// CaseFigures is what happened to a set of cases opened in the period. A
// case is picked up when a clinician first claims it (its first "claimed"
// event), or when it is resolved without a claim.
type CaseFigures struct {
	Opened Figure
	// MedianClaim and P90Claim are the median and 90th percentile of the
	// minutes from opening to pick-up, over the cases picked up.
	MedianClaim, P90Claim Figure
	// WithinSLA counts cases picked up by their SLA deadline; Breached
	// those picked up after it, or re-notified about as overdue.
	WithinSLA, Breached Figure
}

// PriorityCases is what happened to the cases of one priority opened in
// the period.
type PriorityCases struct {
	Priority ohcontact.Priority
	CaseFigures
}

// CategoryCases is what happened to the cases of one category opened in
// the period.
type CategoryCases struct {
	Category string
	CaseFigures
}

// ReferralWeek is what became of the fast-track physiotherapy referrals
// made in one week (one bucket of Dashboard.Buckets: a calendar month when
// Monthly). The week is a cohort: each referral is counted under
// the week it was made, at the furthest status it has reached when the
// dashboard is read, so that each week is a funnel (Made ≥ Accepted ≥
// Booked ≥ Attended + DidNotAttend) whose recent weeks still grow as the
// physio team works them, and no week's figures mix referrals made in
// different weeks.
type ReferralWeek struct {
	Made Figure
	// Accepted counts the referrals accepted at some point: now accepted,
	// booked, attended or did not attend, or declined after an
	// "accepted" event.
	Accepted Figure
	// Booked counts the referrals booked at some point: now booked,
	// attended or did not attend.
	Booked Figure
	// Attended, DidNotAttend, Declined and New count the referrals whose
	// status is now attended, did_not_attend, declined and new.
	Attended, DidNotAttend, Declined, New Figure
	// PastSLA counts the referrals that went past their SLA deadline
	// without being acted on (breach_count above 0).
	PastSLA Figure
	// MedianToBooking and P90ToBooking are the median and 90th percentile
	// of the working days from a referral being made to its first booking
	// (its first "booked" event, else booked_at), over the referrals
	// booked; see workingDays.
	MedianToBooking, P90ToBooking Figure
}

// LanguageChannel counts the conversations in one language on one channel.
type LanguageChannel struct {
	Language      string
	Channel       ohcontact.Channel
	Conversations Figure
}

// Dashboard is the pilot's outcomes over a period: every figure an
// aggregate, published by the MinShown rule.
type Dashboard struct {
	Filter DashboardFilter // as counted: OrganisationID is the user's own when they have one
	// Buckets are the first days of the spans the period's figures over
	// time are counted in (ContactsByWeek, Referrals, CallBacks, OptOuts),
	// oldest first: the ISO weeks (Europe/London) the period touches, their
	// Mondays, or, when Monthly, the calendar months, their first days.
	// The first and last may be partly outside the period: only the
	// period's days are counted.
	Buckets []time.Time
	// Monthly is set for a period longer than MonthlyAfter: its figures
	// over time are by calendar month, not by week, so that a year is 12
	// rows and not 53.
	Monthly bool
	// ContactsByWeek counts contacts made each bucket, by trigger: a
	// check-in when its first message went, and a day-1 absence report
	// when the person started it. Keys: TriggerAbsenceReport, then the
	// check-in triggers.
	ContactsByWeek []Series
	// Responses are the check-ins made in the period and answered, by
	// trigger and then all together.
	Responses []Responses
	// FirstContact counts absence episodes by the days from the absence's
	// first day to the service's first check-in about it, in the ranges
	// of Filter.FirstContactDays, for episodes whose first check-in was
	// made in the period; FirstContactMedian is the median of those days.
	FirstContact       []DayBucket
	FirstContactMedian Figure
	// SignpostsByCategory and SignpostsByService count the conversations
	// in which a category of service, or a service (by its directory key),
	// was given, most first.
	SignpostsByCategory []Tally
	SignpostsByService  []Tally
	// Referrals are the fast-track physiotherapy referrals made each bucket,
	// and what became of them.
	Referrals []ReferralWeek
	// Cases are the cases opened in the period, urgent, high, then
	// routine.
	Cases []PriorityCases
	// CallBacks are the OH call-back cases (Filter.CallBackCategories)
	// opened each bucket; CallBacksByCategory those opened in the period,
	// by category in Filter.CallBackCategories' order.
	CallBacks           []CaseFigures
	CallBacksByCategory []CategoryCases
	// OptOuts counts the people who opted out each bucket and are still
	// opted out.
	OptOuts []Figure
	// Conversations counts the conversations started in the period, by
	// language (Filter.Languages) and channel, every combination.
	Conversations []LanguageChannel
	// Absence are the absence outcomes, and before and after go-live.
	Absence AbsenceFigures
	// Reach is the reach funnel of the check-ins that fell due in the
	// period, by check-in trigger and then all together.
	Reach []ReachFunnel
	// Work is what became of the cases and referrals of the period.
	Work WorkOutcomes
	// Feedback is what staff said when asked how helpful a conversation
	// was, for the questions asked in the period: by flow
	// (Filter.FeedbackFlows, then any other), then all together.
	Feedback []FeedbackFlow
	// Campaigns is the uptake of the campaign invitations sent in the
	// period: by campaign, staff group and bucket.
	Campaigns CampaignFigures
	// NewStarters is how soon the new starters whose first day fell in
	// the period were given clearance.
	NewStarters NewStarterClearance
	// Organisations are, when the dashboard counts every organisation
	// (Filter.OrganisationID 0), each organisation's own dashboard over the
	// same period, by name, read in the same snapshot: the trusts side by
	// side. Their own Organisations are empty.
	Organisations []Dashboard
}

// ErrBadPeriod is returned by DashboardFor for a period that ends before it
// begins.
var ErrBadPeriod = errors.New("the period ends before it begins")

// DashboardFor returns the dashboard for f, seen by a user of organisation
// orgScope (0: every organisation). A user with an organisation is shown
// their own whatever f asks for; one who asks for another's gets
// ohcontact.ErrNotFound. A dashboard of every organisation holds each one's own as
// well (Dashboard.Organisations). Every figure comes from one snapshot of
// the database. It takes db, not a Querier, because it reads that snapshot
// on several of the pool's connections at once (readDashboards).
func DashboardFor(ctx context.Context, db *DB, orgScope int64, f DashboardFilter) (Dashboard, error) {
	if orgScope != 0 {
		if f.OrganisationID != 0 && f.OrganisationID != orgScope {
			return Dashboard{}, fmt.Errorf("dashboard of organisation %d: %w", f.OrganisationID, ohcontact.ErrNotFound)
		}
		f.OrganisationID = orgScope
	}
	from, to := f.From.Format(time.DateOnly), f.To.Format(time.DateOnly)
	if to < from {
		return Dashboard{}, ErrBadPeriod
	}
	d := Dashboard{Filter: f, Monthly: f.To.Sub(f.From) >= MonthlyAfter}
	err := db.InSnapshot(ctx, func(tx pgx.Tx) error {
		q := &dashboardQuery{tx: tx, org: f.OrganisationID, lists: f, unit: "week"}
		if d.Monthly {
			q.unit = "month"
		}
		if _, err := tx.Exec(ctx, dashboardSettings); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `
			SELECT $1::date::timestamp AT TIME ZONE 'Europe/London', ($2::date + 1)::timestamp AT TIME ZONE 'Europe/London',
			       array(SELECT generate_series(date_trunc($3, $1::date), $2::date, ('1 ' || $3)::interval)::date)`,
			from, to, q.unit).Scan(&q.start, &q.end, &d.Buckets)
		if err != nil {
			return err
		}
		q.buckets = make(map[string]int, len(d.Buckets))
		for i, b := range d.Buckets {
			q.buckets[b.Format(time.DateOnly)] = i
		}
		q.dashboards = []*Dashboard{&d}
		if f.OrganisationID == 0 {
			rows, err := tx.Query(ctx, `SELECT id FROM organisations ORDER BY name, id`)
			if err != nil {
				return err
			}
			orgs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
			if err != nil {
				return err
			}
			d.Organisations = make([]Dashboard, len(orgs))
			q.byOrg = make(map[int64]*Dashboard, len(orgs))
			for i, id := range orgs {
				od := &d.Organisations[i]
				*od = Dashboard{Filter: f, Buckets: d.Buckets, Monthly: d.Monthly}
				od.Filter.OrganisationID = id
				q.dashboards = append(q.dashboards, od)
				q.byOrg[id] = od
			}
		}
		return readDashboards(ctx, db, q)
	})
	if err != nil {
		return Dashboard{}, fmt.Errorf("dashboard %s to %s: %w", from, to, err)
	}
	return d, nil
}

// dashboardSettings are set in each dashboard transaction. Compiling the
// plans (JIT) takes longer than running them: over a year of 100,000
// staff, 0.8 s of the referrals' 0.9 s (BenchmarkDashboard). PostgreSQL's
// own parallel workers only add work: the dashboard's connections
// (dashboardConnections) already keep the cores busy.
const dashboardSettings = `SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0`

// dashboardSteps are the dashboard's steps, one kind of figure each, the
// costliest first over a year of 100,000 staff (BenchmarkDashboard).
var dashboardSteps = []func(*dashboardQuery, context.Context) error{
	(*dashboardQuery).absence, (*dashboardQuery).reach, (*dashboardQuery).campaigns, (*dashboardQuery).cases,
	(*dashboardQuery).firstContact, (*dashboardQuery).contacts, (*dashboardQuery).signposts, (*dashboardQuery).work,
	(*dashboardQuery).callBacks, (*dashboardQuery).referrals, (*dashboardQuery).conversations, (*dashboardQuery).optOuts,
	(*dashboardQuery).feedback, (*dashboardQuery).newStarters,
}

// dashboardConnections is how many connections read a dashboard's steps at
// once: one for each core of the machine this was measured on.
const dashboardConnections = 2

// readDashboards runs every step of dashboardSteps for q's dashboards, on
// dashboardConnections connections at once: q's and others in q's snapshot
// (exported), each taking the next step not yet taken, so that the
// costliest, taken first, are spread over them. A pool too small to
// leave a connection for others (fewer than 3) runs them one after the
// other in q's transaction.
func readDashboards(ctx context.Context, db *DB, q *dashboardQuery) error {
	if db.Pool.Config().MaxConns < 3 {
		for _, step := range dashboardSteps {
			if err := step(q, ctx); err != nil {
				return err
			}
		}
		return nil
	}
	var snapshot string
	if err := q.tx.QueryRow(ctx, `SELECT pg_export_snapshot()`).Scan(&snapshot); err != nil {
		return err
	}
	var next atomic.Int32
	run := func(q *dashboardQuery) error {
		for i := int(next.Add(1)) - 1; i < len(dashboardSteps); i = int(next.Add(1)) - 1 {
			if err := dashboardSteps[i](q, ctx); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make([]error, dashboardConnections)
	var wg sync.WaitGroup
	for i := 1; i < dashboardConnections; i++ {
		wg.Go(func() {
			errs[i] = db.InSnapshot(ctx, func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, `SET TRANSACTION SNAPSHOT '`+snapshot+`'`); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, dashboardSettings); err != nil {
					return err
				}
				sq := *q
				sq.tx = tx
				return run(&sq)
			})
		})
	}
	errs[0] = run(q)
	wg.Wait()
	return errors.Join(errs...)
}

// dashboardQuery reads dashboards' figures in tx: those of organisation
// org (0: all) from start (inclusive) to end, into each of dashboards.
type dashboardQuery struct {
	tx         pgx.Tx
	org        int64
	lists      DashboardFilter // the keys of the lists asked for (its lists only)
	start, end time.Time
	unit       string         // of Dashboard.Buckets: "week" or "month"
	buckets    map[string]int // index in Dashboard.Buckets by first day (YYYY-MM-DD)
	// dashboards are the dashboard asked for, then, when it counts every
	// organisation, each organisation's own (byOrg, by organisation).
	dashboards []*Dashboard
	byOrg      map[int64]*Dashboard
}

// byOrganisation is the SQL of a GROUP BY clause that groups by keys (a
// comma-separated list, "" for none) twice: with the organisation
// expression org, for each organisation's own dashboard, and without it,
// for the dashboard asked for, whose rows have org NULL (see of).
func byOrganisation(org, keys string) string {
	if keys == "" {
		return "GROUPING SETS ((" + org + "), ())"
	}
	return "GROUPING SETS ((" + org + ", " + keys + "), (" + keys + "))"
}

// of returns the dashboard a row of byOrganisation counts for: the one
// asked for when org is nil, else that organisation's own; nil when it
// is not shown (the dashboard asked for is of one organisation).
func (q *dashboardQuery) of(org *int64) *Dashboard {
	if org == nil {
		return q.dashboards[0]
	}
	return q.byOrg[*org]
}

// perDashboard returns a new value of newT for each of q's dashboards.
func perDashboard[T any](q *dashboardQuery, newT func() T) map[*Dashboard]T {
	m := make(map[*Dashboard]T, len(q.dashboards))
	for _, d := range q.dashboards {
		m[d] = newT()
	}
	return m
}

// MonthlyAfter is how long a period may be and still be counted week by
// week (Dashboard.Monthly): 13 weeks, a quarter.
const MonthlyAfter = 13 * 7 * 24 * time.Hour

// bucket returns the index in Dashboard.Buckets of the bucket beginning on
// first.
func (q *dashboardQuery) bucket(first time.Time) (int, error) {
	i, ok := q.buckets[first.Format(time.DateOnly)]
	if !ok {
		return 0, fmt.Errorf("%s of %s is outside the period", q.unit, first.Format(time.DateOnly))
	}
	return i, nil
}

// bucketOf is the SQL for the first day of the Europe/London bucket (ISO
// week or calendar month) of the timestamptz expression ts.
func (q *dashboardQuery) bucketOf(ts string) string {
	return "date_trunc('" + q.unit + "', " + ts + " AT TIME ZONE 'Europe/London')::date"
}

// bucketed runs sql, whose rows are (organisation, a bucket's first day,
// count) grouped by byOrganisation, and whose parameters are the
// organisation, start and end, and returns each dashboard's figure for
// each bucket.
func (q *dashboardQuery) bucketed(ctx context.Context, sql string) (map[*Dashboard][]Figure, error) {
	counts := perDashboard(q, func() []int64 { return make([]int64, len(q.buckets)) })
	rows, err := q.tx.Query(ctx, sql, q.org, q.start, q.end)
	if err != nil {
		return nil, err
	}
	var org *int64
	var week time.Time
	var n int64
	_, err = pgx.ForEachRow(rows, []any{&org, &week, &n}, func() error {
		i, err := q.bucket(week)
		if d := q.of(org); d != nil {
			counts[d][i] += n
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[*Dashboard][]Figure, len(counts))
	for d, c := range counts {
		out[d] = figures(c)
	}
	return out, nil
}

func figures(counts []int64) []Figure {
	out := make([]Figure, len(counts))
	for i, n := range counts {
		out[i] = count(n)
	}
	return out
}

// firstConversations is the SQL of each contact's first conversation:
// contact_id, at (when its first message went) and organisation_id.
const firstConversations = `
	SELECT contact_id, min(created_at) AS at, min(organisation_id) AS organisation_id
	FROM conversations WHERE contact_id IS NOT NULL GROUP BY contact_id`

func (q *dashboardQuery) contacts(ctx context.Context) error {
	reports, err := q.bucketed(ctx, `
		SELECT organisation_id, `+q.bucketOf("created_at")+` AS week, count(*) FROM conversations
		WHERE flow = 'absence-report' AND created_at >= $2 AND created_at < $3 AND ($1::bigint = 0 OR organisation_id = $1)
		GROUP BY `+byOrganisation("organisation_id", "week"))
	if err != nil {
		return fmt.Errorf("absence reports: %w", err)
	}
	for _, d := range q.dashboards {
		d.ContactsByWeek = append(d.ContactsByWeek, Series{Key: TriggerAbsenceReport, Figures: reports[d]})
	}

	rows, err := q.tx.Query(ctx, `
		WITH f AS (`+firstConversations+`)
		SELECT f.organisation_id, k.trigger, `+q.bucketOf("f.at")+` AS week, count(*), count(*) FILTER (WHERE k.state = 'responded')
		FROM f JOIN contacts k ON k.id = f.contact_id
		WHERE f.at >= $2 AND f.at < $3 AND ($1::bigint = 0 OR f.organisation_id = $1)
		GROUP BY `+byOrganisation("f.organisation_id", "k.trigger, week"), q.org, q.start, q.end)
	if err != nil {
		return fmt.Errorf("contacts: %w", err)
	}
	type tally struct {
		byWeek          map[string][]int64
		made, responded map[string]int64
	}
	tallies := perDashboard(q, func() *tally {
		t := &tally{byWeek: map[string][]int64{}, made: map[string]int64{}, responded: map[string]int64{}}
		for _, trigger := range checkIns {
			t.byWeek[trigger] = make([]int64, len(q.buckets))
		}
		return t
	})
	var org *int64
	var trigger string
	var week time.Time
	var n, answered int64
	_, err = pgx.ForEachRow(rows, []any{&org, &trigger, &week, &n, &answered}, func() error {
		i, err := q.bucket(week)
		if err != nil {
			return err
		}
		d := q.of(org)
		if d == nil {
			return nil
		}
		t := tallies[d]
		if t.byWeek[trigger] == nil {
			return fmt.Errorf("unknown trigger %q", trigger)
		}
		t.byWeek[trigger][i] += n
		t.made[trigger] += n
		t.responded[trigger] += answered
		t.made[""] += n
		t.responded[""] += answered
		return nil
	})
	if err != nil {
		return fmt.Errorf("contacts: %w", err)
	}
	for d, t := range tallies {
		for _, trigger := range append(slices.Clone(checkIns), "") {
			if trigger != "" {
				d.ContactsByWeek = append(d.ContactsByWeek, Series{Key: trigger, Figures: figures(t.byWeek[trigger])})
			}
			d.Responses = append(d.Responses, Responses{Trigger: trigger, Made: count(t.made[trigger]), Responded: count(t.responded[trigger]),
				Rate: percent(t.responded[trigger], t.made[trigger])})
		}
	}
	return nil
}

func (q *dashboardQuery) firstContact(ctx context.Context) error {
	// The rows of each organisation, and of the one asked for, are the
	// episodes by days (GROUPING(days) 0), then their median (1).
	rows, err := q.tx.Query(ctx, `
		WITH f AS (`+firstConversations+`),
		d AS (
			SELECT min(f.organisation_id) AS organisation_id, (min(f.at) AT TIME ZONE 'Europe/London')::date - e.starts_on AS days
			FROM f JOIN contacts k ON k.id = f.contact_id JOIN absence_episodes e ON e.id = k.episode_id
			GROUP BY e.id, e.starts_on
			HAVING min(f.at) >= $2 AND min(f.at) < $3 AND ($1::bigint = 0 OR min(f.organisation_id) = $1))
		SELECT organisation_id, GROUPING(days) = 1, coalesce(days, 0), count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY days)
		FROM d GROUP BY GROUPING SETS ((organisation_id, days), (days), (organisation_id), ())`, q.org, q.start, q.end)
	if err != nil {
		return fmt.Errorf("first contacts: %w", err)
	}
	type tally struct {
		counts []int64
		total  int64
		median float64
	}
	ranges := q.lists.FirstContactDays
	tallies := perDashboard(q, func() *tally { return &tally{counts: make([]int64, len(ranges))} })
	var org *int64
	var all bool
	var days int
	var n int64
	var median *float64
	_, err = pgx.ForEachRow(rows, []any{&org, &all, &days, &n, &median}, func() error {
		d := q.of(org)
		if d == nil {
			return nil
		}
		t := tallies[d]
		if all {
			if median != nil { // nil: no episodes
				t.total, t.median = n, *median
			}
			return nil
		}
		for i, r := range ranges {
			if days >= r.From && (r.To < 0 || days <= r.To) {
				t.counts[i] += n
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("first contacts: %w", err)
	}
	for d, t := range tallies {
		for i, r := range ranges {
			d.FirstContact = append(d.FirstContact, DayBucket{DayRange: r, Episodes: count(t.counts[i])})
		}
		d.FirstContactMedian = statistic(t.total, t.median)
	}
	return nil
}

func (q *dashboardQuery) signposts(ctx context.Context) error {
	rows, err := q.tx.Query(ctx, `
		SELECT organisation_id, category, coalesce(service, ''), count(DISTINCT conversation_id)
		FROM signposts
		WHERE created_at >= $2 AND created_at < $3 AND ($1::bigint = 0 OR organisation_id = $1)
		GROUP BY GROUPING SETS ((organisation_id, category), (organisation_id, category, service), (category), (category, service))
		ORDER BY 4 DESC, 2, 3`, q.org, q.start, q.end)
	if err != nil {
		return fmt.Errorf("signposts: %w", err)
	}
	var org *int64
	var category, service string
	var n int64
	_, err = pgx.ForEachRow(rows, []any{&org, &category, &service, &n}, func() error {
		d := q.of(org)
		switch {
		case d == nil:
		case service == "":
			d.SignpostsByCategory = append(d.SignpostsByCategory, Tally{Key: category, Count: count(n)})
		default:
			d.SignpostsByService = append(d.SignpostsByService, Tally{Key: service, Count: count(n)})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("signposts: %w", err)
	}
	return nil
}

// workingDays is the SQL for the working days from the timestamptz
// expression from to the later one to: the time between them that falls
// on Monday to Friday on the Europe/London calendar (escalation.SLA's
// working days), in days of 24 hours. A weekday
// always has 24 hours in London (the clocks change on Sundays), so
// wall-clock arithmetic is exact.
func workingDays(from, to string) string {
	f, t := "("+from+" AT TIME ZONE 'Europe/London')", "("+to+" AT TIME ZONE 'Europe/London')"
	return `(SELECT coalesce(sum(extract(epoch FROM least(` + t + `, d + interval '1 day') - greatest(` + f + `, d))), 0) / 86400
		FROM generate_series(date_trunc('day', ` + f + `), ` + t + `, interval '1 day') d
		WHERE extract(isodow FROM d) < 6)`
}

// madeReferrals is the SQL of the physiotherapy referrals of organisation
// $1 (0: all) made from $2 to $3, each with its organisation_id, bucket
// (week), status, breach count, whether it was ever accepted, and the
// working days to its first booking (its first "booked" event, else
// booked_at; NULL when never booked).
func (q *dashboardQuery) madeReferrals() string {
	return `
	WITH r AS (
		SELECT r.organisation_id, ` + q.bucketOf("r.created_at") + ` AS week, r.status, r.breach_count, r.created_at,
		       r.status IN ('accepted', 'booked', 'attended', 'did_not_attend')
		           OR EXISTS (SELECT FROM referral_events e WHERE e.referral_id = r.id AND e.kind = 'accepted') AS accepted,
		       coalesce((SELECT min(e.created_at) FROM referral_events e WHERE e.referral_id = r.id AND e.kind = 'booked'),
		                r.booked_at) AS booked_at
		FROM referrals r
		WHERE r.created_at >= $2 AND r.created_at < $3 AND ($1::bigint = 0 OR r.organisation_id = $1))
	SELECT *, CASE WHEN booked_at IS NOT NULL THEN ` + workingDays("created_at", "booked_at") + ` END AS to_booking FROM r`
}

// referralAggregates is the SQL select list of a ReferralWeek over rows of
// madeReferrals, scanned by referralTally.
const referralAggregates = `
	count(*), count(*) FILTER (WHERE accepted),
	count(*) FILTER (WHERE status IN ('booked', 'attended', 'did_not_attend')),
	count(*) FILTER (WHERE status = 'attended'), count(*) FILTER (WHERE status = 'did_not_attend'),
	count(*) FILTER (WHERE status = 'declined'), count(*) FILTER (WHERE status = 'new'),
	count(*) FILTER (WHERE breach_count > 0), count(to_booking),
	coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY to_booking), 0),
	coalesce(percentile_cont(0.9) WITHIN GROUP (ORDER BY to_booking), 0)`

// referralTally is one row of referralAggregates.
type referralTally struct {
	made, accepted, booked, attended, missed, declined, waiting, past, timed int64
	median, p90                                                              float64
}

// dest returns where to scan referralAggregates' columns into t.
func (t *referralTally) dest() []any {
	return []any{&t.made, &t.accepted, &t.booked, &t.attended, &t.missed, &t.declined, &t.waiting, &t.past, &t.timed, &t.median, &t.p90}
}

// figures publishes the tally.
func (t referralTally) figures() ReferralWeek {
	return ReferralWeek{Made: count(t.made), Accepted: count(t.accepted), Booked: count(t.booked),
		Attended: count(t.attended), DidNotAttend: count(t.missed), Declined: count(t.declined), New: count(t.waiting),
		PastSLA: count(t.past), MedianToBooking: statistic(t.timed, t.median), P90ToBooking: statistic(t.timed, t.p90)}
}

func (q *dashboardQuery) referrals(ctx context.Context) error {
	rows, err := q.tx.Query(ctx, `WITH b AS (`+q.madeReferrals()+`)
		SELECT organisation_id, week, `+referralAggregates+` FROM b GROUP BY `+byOrganisation("organisation_id", "week"),
		q.org, q.start, q.end)
	if err != nil {
		return fmt.Errorf("physiotherapy referrals: %w", err)
	}
	byWeek := perDashboard(q, func() []referralTally { return make([]referralTally, len(q.buckets)) })
	var org *int64
	var week time.Time
	var t referralTally
	_, err = pgx.ForEachRow(rows, append([]any{&org, &week}, t.dest()...), func() error {
		i, err := q.bucket(week)
		if d := q.of(org); d != nil {
			byWeek[d][i] = t
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("physiotherapy referrals: %w", err)
	}
	for d, weeks := range byWeek {
		for _, t := range weeks {
			d.Referrals = append(d.Referrals, t.figures())
		}
	}
	return nil
}

// openedCases is the SQL of the cases of organisation $1 (0: all) opened
// from $2 to $3, with when each was picked up (picked_up; see
// CaseFigures). The first claim is a lateral join, not a subquery in the
// select list, so that it is looked up once a case however many
// aggregates read picked_up.
const openedCases = `
	SELECT c.organisation_id, c.priority, c.category, c.created_at, c.sla_due_at, c.breach_count,
	       coalesce(e.claimed_at, c.claimed_at, c.resolved_at) AS picked_up
	FROM cases c
	LEFT JOIN LATERAL (SELECT min(e.created_at) AS claimed_at FROM case_events e WHERE e.case_id = c.id AND e.kind = 'claimed') e ON true
	WHERE c.created_at >= $2 AND c.created_at < $3 AND ($1::bigint = 0 OR c.organisation_id = $1)`

// caseAggregates is the SQL select list of a CaseFigures over rows of
// openedCases, scanned by caseTally.
const caseAggregates = `
	count(*), count(picked_up),
	coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM picked_up - created_at)) / 60, 0),
	coalesce(percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM picked_up - created_at)) / 60, 0),
	count(*) FILTER (WHERE picked_up <= sla_due_at),
	count(*) FILTER (WHERE breach_count > 0 OR picked_up > sla_due_at)`

// caseTally is one row of caseAggregates.
type caseTally struct {
	opened, picked   int64
	median, p90      float64
	within, breached int64
}

// dest returns where to scan caseAggregates' columns into t.
func (t *caseTally) dest() []any {
	return []any{&t.opened, &t.picked, &t.median, &t.p90, &t.within, &t.breached}
}

// figures publishes the tally.
func (t caseTally) figures() CaseFigures {
	return CaseFigures{Opened: count(t.opened), MedianClaim: statistic(t.picked, t.median), P90Claim: statistic(t.picked, t.p90),
		WithinSLA: count(t.within), Breached: count(t.breached)}
}

func (q *dashboardQuery) cases(ctx context.Context) error {
	rows, err := q.tx.Query(ctx, `WITH k AS (`+openedCases+`)
		SELECT organisation_id, priority, `+caseAggregates+` FROM k GROUP BY `+byOrganisation("organisation_id", "priority"),
		q.org, q.start, q.end)
	if err != nil {
		return fmt.Errorf("cases: %w", err)
	}
	byPriority := perDashboard(q, func() map[ohcontact.Priority]caseTally { return map[ohcontact.Priority]caseTally{} })
	var org *int64
	var p ohcontact.Priority
	var t caseTally
	_, err = pgx.ForEachRow(rows, append([]any{&org, &p}, t.dest()...), func() error {
		if d := q.of(org); d != nil {
			byPriority[d][p] = t
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("cases: %w", err)
	}
	for d, tallies := range byPriority {
		for _, p := range casePriorities {
			d.Cases = append(d.Cases, PriorityCases{Priority: p, CaseFigures: tallies[p].figures()})
		}
	}
	return nil
}

func (q *dashboardQuery) callBacks(ctx context.Context) error {
	rows, err := q.tx.Query(ctx, `
		WITH k AS (`+openedCases+`)
		SELECT organisation_id, `+q.bucketOf("created_at")+` AS week, category, `+caseAggregates+`
		FROM k WHERE category = ANY($4)
		GROUP BY GROUPING SETS ((organisation_id, week), (organisation_id, category), (week), (category))`,
		q.org, q.start, q.end, q.lists.CallBackCategories)
	if err != nil {
		return fmt.Errorf("call-back cases: %w", err)
	}
	type tally struct {
		byWeek     []caseTally
		byCategory map[string]caseTally
	}
	tallies := perDashboard(q, func() *tally {
		return &tally{byWeek: make([]caseTally, len(q.buckets)), byCategory: map[string]caseTally{}}
	})
	var org *int64
	var week *time.Time
	var category *string
	var t caseTally
	_, err = pgx.ForEachRow(rows, append([]any{&org, &week, &category}, t.dest()...), func() error {
		d := q.of(org)
		switch {
		case d == nil:
		case category != nil:
			tallies[d].byCategory[*category] = t
		default:
			i, err := q.bucket(*week)
			tallies[d].byWeek[i] = t
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("call-back cases: %w", err)
	}
	for d, tally := range tallies {
		for _, t := range tally.byWeek {
			d.CallBacks = append(d.CallBacks, t.figures())
		}
		for _, c := range q.lists.CallBackCategories {
			d.CallBacksByCategory = append(d.CallBacksByCategory, CategoryCases{Category: c, CaseFigures: tally.byCategory[c].figures()})
		}
	}
	return nil
}

func (q *dashboardQuery) optOuts(ctx context.Context) error {
	optOuts, err := q.bucketed(ctx, `
		SELECT organisation_id, `+q.bucketOf("consent_changed_at")+` AS week, count(*) FROM staff
		WHERE consent = 'opted_out' AND consent_changed_at >= $2 AND consent_changed_at < $3
		  AND ($1::bigint = 0 OR organisation_id = $1)
		GROUP BY `+byOrganisation("organisation_id", "week"))
	if err != nil {
		return fmt.Errorf("opt-outs: %w", err)
	}
	for d, f := range optOuts {
		d.OptOuts = f
	}
	return nil
}

func (q *dashboardQuery) conversations(ctx context.Context) error {
	rows, err := q.tx.Query(ctx, `
		SELECT organisation_id, language, channel, count(*) FROM conversations
		WHERE created_at >= $2 AND created_at < $3 AND ($1::bigint = 0 OR organisation_id = $1)
		GROUP BY `+byOrganisation("organisation_id", "language, channel"), q.org, q.start, q.end)
	if err != nil {
		return fmt.Errorf("conversations: %w", err)
	}
	type key struct {
		lang    string
		channel ohcontact.Channel
	}
	counts := perDashboard(q, func() map[key]int64 { return map[key]int64{} })
	var org *int64
	var k key
	var n int64
	if _, err := pgx.ForEachRow(rows, []any{&org, &k.lang, &k.channel, &n}, func() error {
		if d := q.of(org); d != nil {
			counts[d][k] = n
		}
		return nil
	}); err != nil {
		return fmt.Errorf("conversations: %w", err)
	}
	for d, c := range counts {
		for _, lang := range q.lists.Languages {
			for _, ch := range dashboardChannels {
				d.Conversations = append(d.Conversations, LanguageChannel{Language: lang, Channel: ch,
					Conversations: count(c[key{lang, ch}])})
			}
		}
	}
	return nil
}
