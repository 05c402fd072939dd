package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
)

// FeedbackFlow is what staff said about the conversations of one flow
// whose ending asked the feedback question ("How helpful was this? Reply 1
// to 5") in the period.
type FeedbackFlow struct {
	Flow     string // a flow, or "" for all of them together
	Asked    Figure // questions asked in the period
	Answered Figure // of those, the ones answered with a rating
	Rate     Figure // Answered as a percentage of Asked
	// Mean is the mean rating of the answered questions.
	Mean Figure
	// Ratings counts the answers 1 to 5 (Ratings[0] is 1). When exactly
	// one of them is suppressed, the smallest other non-zero one is too,
	// so that Answered cannot give it away.
	Ratings [5]Figure
}

// feedback is the dashboard step of Dashboard.Feedback: the questions
// asked from q.start to q.end, by flow and all together.
func (q *dashboardQuery) feedback(ctx context.Context) error {
	rows, err := q.tx.Query(ctx, `
		SELECT organisation_id, flow, count(*), count(rating), coalesce(sum(rating), 0),
		       count(*) FILTER (WHERE rating = 1), count(*) FILTER (WHERE rating = 2), count(*) FILTER (WHERE rating = 3),
		       count(*) FILTER (WHERE rating = 4), count(*) FILTER (WHERE rating = 5)
		FROM feedback
		WHERE asked_at >= $2 AND asked_at < $3 AND ($1::bigint = 0 OR organisation_id = $1)
		GROUP BY `+byOrganisation("organisation_id", "flow")+`
		ORDER BY flow`, q.org, q.start, q.end)
	if err != nil {
		return fmt.Errorf("feedback: %w", err)
	}
	type tally struct {
		asked, answered int64
		sum             int64 // of the ratings
		ratings         [5]int64
	}
	type tallies struct {
		flows  []string
		byFlow map[string]*tally
	}
	all := perDashboard(q, func() *tallies {
		t := &tallies{flows: slices.Clone(q.lists.FeedbackFlows), byFlow: map[string]*tally{"": {}}}
		for _, f := range t.flows {
			t.byFlow[f] = &tally{}
		}
		return t
	})
	var org *int64
	var flow string
	var t tally
	_, err = pgx.ForEachRow(rows, []any{&org, &flow, &t.asked, &t.answered, &t.sum,
		&t.ratings[0], &t.ratings[1], &t.ratings[2], &t.ratings[3], &t.ratings[4]}, func() error {
		d := q.of(org)
		if d == nil {
			return nil
		}
		ts := all[d]
		if ts.byFlow[flow] == nil {
			ts.byFlow[flow] = &tally{}
			ts.flows = append(ts.flows, flow) // a flow this list does not know yet: shown after the others
		}
		for _, into := range []*tally{ts.byFlow[flow], ts.byFlow[""]} {
			into.asked += t.asked
			into.answered += t.answered
			into.sum += t.sum
			for i, n := range t.ratings {
				into.ratings[i] += n
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("feedback: %w", err)
	}
	for d, ts := range all {
		for _, f := range append(ts.flows, "") {
			t := ts.byFlow[f]
			ff := FeedbackFlow{Flow: f, Asked: count(t.asked), Answered: count(t.answered), Rate: percent(t.answered, t.asked)}
			ff.Mean = statistic(t.answered, 0)
			if t.answered > 0 {
				ff.Mean = statistic(t.answered, float64(t.sum)/float64(t.answered))
			}
			copy(ff.Ratings[:], distribution(t.ratings[:]))
			d.Feedback = append(d.Feedback, ff)
		}
	}
	return nil
}
