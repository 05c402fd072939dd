package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
)

// Outcomes of the work the service brings to OH: what clinicians decided
// about cases, what became of referrals, whether call-backs were done in
// time, and how soon a person who disclosed risk heard from a clinician.

// PriorityOutcomes counts the cases of one priority opened in the period by
// the outcome a clinician chose when resolving them.
type PriorityOutcomes struct {
	Priority ohcontact.Priority
	// Outcomes has a tally for each outcome code chosen (cases.outcome),
	// code order, and one keyed "" for the cases not resolved yet.
	Outcomes []Tally
}

// CallBackResolution is whether the OH call-back cases
// (DashboardFilter.CallBackCategories)
// of one category opened in the period were resolved by their SLA deadline
// (resolved_at ≤ sla_due_at). CaseFigures' SLA is met by a claim; this one
// only when the case is done.
type CallBackResolution struct {
	Category string // one of DashboardFilter.CallBackCategories, or "" for all of them
	Opened   Figure
	// ResolvedInTime, ResolvedLate and Unresolved split Opened: resolved
	// by the deadline, resolved after it, not resolved yet.
	ResolvedInTime, ResolvedLate, Unresolved Figure
	// InTimeRate is ResolvedInTime as a percentage of Opened.
	InTimeRate Figure
}

// DisclosureContact is how soon the people whose disclosure opened a case
// (DashboardFilter.DisclosureCategories) of one priority, in the period, heard from a
// clinician. Their first clinician contact is the first message a
// clinician sent in the case's conversation or in a conversation
// following the case (its thread); a phone call is not recorded, so a
// case handled only by phone has none.
type DisclosureContact struct {
	Priority ohcontact.Priority
	Opened   Figure
	// Messaged counts the cases with a clinician's message;
	// ResolvedWithout those resolved with none; Waiting those not resolved
	// and with none yet.
	Messaged, ResolvedWithout, Waiting Figure
	// Median and P90 are the median and 90th percentile of the minutes from
	// the case opening to the first clinician message, over Messaged.
	Median, P90 Figure
	// WithinSLA counts the cases messaged by their SLA deadline.
	WithinSLA Figure
}

// WorkOutcomes is what became of the cases and referrals of the period.
type WorkOutcomes struct {
	// CaseOutcomes are the cases opened in the period by outcome, urgent,
	// high, then routine.
	CaseOutcomes []PriorityOutcomes
	// Referrals are the physiotherapy referrals made in the period, as a
	// ReferralWeek of the whole period.
	Referrals ReferralWeek
	// CallBacks are the call-back cases opened in the period, by category
	// in DashboardFilter.CallBackCategories' order and then all together.
	CallBacks []CallBackResolution
	// Disclosures are the disclosure cases opened in the period, urgent,
	// high, then routine.
	Disclosures []DisclosureContact
}

func (q *dashboardQuery) work(ctx context.Context) error {
	for _, step := range []func(context.Context) error{q.caseOutcomes, q.referralTotals, q.callBackResolution, q.disclosures} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (q *dashboardQuery) caseOutcomes(ctx context.Context) error {
	rows, err := q.tx.Query(ctx, `
		SELECT organisation_id, priority, coalesce(outcome, '') AS outcome, count(*) FROM cases
		WHERE created_at >= $2 AND created_at < $3 AND ($1::bigint = 0 OR organisation_id = $1)
		GROUP BY `+byOrganisation("organisation_id", "priority, outcome")+`
		ORDER BY coalesce(outcome, '') = '', coalesce(outcome, '')`, q.org, q.start, q.end)
	if err != nil {
		return fmt.Errorf("case outcomes: %w", err)
	}
	byPriority := perDashboard(q, func() map[ohcontact.Priority][]Tally { return map[ohcontact.Priority][]Tally{} })
	var org *int64
	var p ohcontact.Priority
	var outcome string
	var n int64
	_, err = pgx.ForEachRow(rows, []any{&org, &p, &outcome, &n}, func() error {
		if d := q.of(org); d != nil {
			byPriority[d][p] = append(byPriority[d][p], Tally{Key: outcome, Count: count(n)})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("case outcomes: %w", err)
	}
	for d, tallies := range byPriority {
		for _, p := range casePriorities {
			t := tallies[p]
			if !slices.ContainsFunc(t, func(t Tally) bool { return t.Key == "" }) {
				t = append(t, Tally{})
			}
			d.Work.CaseOutcomes = append(d.Work.CaseOutcomes, PriorityOutcomes{Priority: p, Outcomes: t})
		}
	}
	return nil
}

func (q *dashboardQuery) referralTotals(ctx context.Context) error {
	rows, err := q.tx.Query(ctx, `WITH b AS (`+q.madeReferrals()+`)
		SELECT organisation_id, `+referralAggregates+` FROM b GROUP BY `+byOrganisation("organisation_id", ""),
		q.org, q.start, q.end)
	if err != nil {
		return fmt.Errorf("physiotherapy referrals of the period: %w", err)
	}
	totals := perDashboard(q, func() referralTally { return referralTally{} })
	var org *int64
	var t referralTally
	_, err = pgx.ForEachRow(rows, append([]any{&org}, t.dest()...), func() error {
		if d := q.of(org); d != nil {
			totals[d] = t
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("physiotherapy referrals of the period: %w", err)
	}
	for d, t := range totals {
		d.Work.Referrals = t.figures()
	}
	return nil
}

func (q *dashboardQuery) callBackResolution(ctx context.Context) error {
	rows, err := q.tx.Query(ctx, `
		SELECT organisation_id, coalesce(category, ''), count(*), count(*) FILTER (WHERE resolved_at <= sla_due_at),
		       count(*) FILTER (WHERE resolved_at > sla_due_at), count(*) FILTER (WHERE resolved_at IS NULL)
		FROM cases
		WHERE created_at >= $2 AND created_at < $3 AND ($1::bigint = 0 OR organisation_id = $1) AND category = ANY($4)
		GROUP BY GROUPING SETS ((organisation_id, category), (organisation_id), (category), ())`, q.org, q.start, q.end, q.lists.CallBackCategories)
	if err != nil {
		return fmt.Errorf("call-back resolution: %w", err)
	}
	type tally struct{ opened, inTime, late, open int64 }
	byCategory := perDashboard(q, func() map[string]tally { return map[string]tally{} })
	var org *int64
	var category string
	var t tally
	_, err = pgx.ForEachRow(rows, []any{&org, &category, &t.opened, &t.inTime, &t.late, &t.open}, func() error {
		if d := q.of(org); d != nil {
			byCategory[d][category] = t
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("call-back resolution: %w", err)
	}
	for d, tallies := range byCategory {
		for _, c := range append(slices.Clone(q.lists.CallBackCategories), "") {
			t := tallies[c]
			d.Work.CallBacks = append(d.Work.CallBacks, CallBackResolution{Category: c, Opened: count(t.opened),
				ResolvedInTime: count(t.inTime), ResolvedLate: count(t.late), Unresolved: count(t.open),
				InTimeRate: percent(t.inTime, t.opened)})
		}
	}
	return nil
}

func (q *dashboardQuery) disclosures(ctx context.Context) error {
	rows, err := q.tx.Query(ctx, `
		WITH k AS (
			SELECT c.organisation_id, c.priority, c.created_at, c.sla_due_at, c.resolved_at,
			       (SELECT min(m.created_at) FROM conversations v JOIN messages m ON m.conversation_id = v.id
			        WHERE (v.id = c.conversation_id OR v.follows_case_id = c.id)
			          AND m.author = 'clinician' AND m.created_at >= c.created_at) AS contacted_at
			FROM cases c
			WHERE c.created_at >= $2 AND c.created_at < $3 AND ($1::bigint = 0 OR c.organisation_id = $1) AND c.category = ANY($4))
		SELECT organisation_id, priority, count(*), count(contacted_at),
		       count(*) FILTER (WHERE contacted_at IS NULL AND resolved_at IS NOT NULL),
		       count(*) FILTER (WHERE contacted_at IS NULL AND resolved_at IS NULL),
		       coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM contacted_at - created_at)) / 60, 0),
		       coalesce(percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM contacted_at - created_at)) / 60, 0),
		       count(*) FILTER (WHERE contacted_at <= sla_due_at)
		FROM k GROUP BY `+byOrganisation("organisation_id", "priority"), q.org, q.start, q.end, q.lists.DisclosureCategories)
	if err != nil {
		return fmt.Errorf("disclosures: %w", err)
	}
	type tally struct {
		opened, messaged, without, waiting int64
		median, p90                        float64
		within                             int64
	}
	byPriority := perDashboard(q, func() map[ohcontact.Priority]tally { return map[ohcontact.Priority]tally{} })
	var org *int64
	var p ohcontact.Priority
	var t tally
	_, err = pgx.ForEachRow(rows, []any{&org, &p, &t.opened, &t.messaged, &t.without, &t.waiting, &t.median, &t.p90, &t.within}, func() error {
		if d := q.of(org); d != nil {
			byPriority[d][p] = t
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("disclosures: %w", err)
	}
	for d, tallies := range byPriority {
		for _, p := range casePriorities {
			t := tallies[p]
			d.Work.Disclosures = append(d.Work.Disclosures, DisclosureContact{Priority: p, Opened: count(t.opened), Messaged: count(t.messaged),
				ResolvedWithout: count(t.without), Waiting: count(t.waiting),
				Median: statistic(t.messaged, t.median), P90: statistic(t.messaged, t.p90), WithinSLA: count(t.within)})
		}
	}
	return nil
}
