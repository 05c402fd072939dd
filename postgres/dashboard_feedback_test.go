package postgres_test

import (
	"testing"
	"time"

	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// feedback stores a question asked at the end of a new conversation of
// flow in org at asked, answered with rating (0: not answered).
func (f *dashFixture) feedback(org int64, flow string, asked time.Time, rating int) {
	f.t.Helper()
	staff := f.staff(org)
	conv := f.conv(org, staff, 0, flow, "sms", "en-GB", asked)
	if rating == 0 {
		f.exec(`INSERT INTO feedback (organisation_id, staff_id, conversation_id, flow, channel, language, asked_at)
			VALUES ($1, $2, $3, $4, 'sms', 'en-GB', $5)`, org, staff, conv, flow, asked)
		return
	}
	answer := f.conv(org, staff, 0, "support", "sms", "en-GB", asked.Add(time.Hour))
	f.exec(`INSERT INTO feedback (organisation_id, staff_id, conversation_id, flow, channel, language, asked_at, rating, rated_at, answer_conversation_id)
		VALUES ($1, $2, $3, $4, 'sms', 'en-GB', $5, $6, $5::timestamptz + interval '1 hour', $7)`, org, staff, conv, flow, asked, rating, answer)
}

func TestDashboardFeedback(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := &dashFixture{t: t, ctx: ctx, db: db}
	a, b := f.org("FA"), f.org("FB")

	// The period is 23 March to 5 April 2026 (clocks go forward on 29
	// March). Organisation A, support flow: 15 asked, 10 answered — two
	// 3s, three 4s, five 5s; one of them asked at 00:30 on Monday 30 March
	// in London (23:30 UTC on the 29th), inside the period.
	// Organisation A, MSK check-in: 6 asked, 6 answered — one 2, five 4s.
	// Organisation B, support: 5 asked, 3 answered (5, 5, 4).
	// Not counted: one asked on 22 March (before), one at 00:30 on 6 April
	// in London (after).
	day := time.Date(2026, 3, 25, 10, 0, 0, 0, time.UTC)
	for _, r := range []int{3, 3, 4, 4, 4, 5, 5, 5, 5, 0, 0, 0, 0, 0} {
		f.feedback(a, "support", day, r)
	}
	f.feedback(a, "support", time.Date(2026, 3, 29, 23, 30, 0, 0, time.UTC), 5)
	for _, r := range []int{2, 4, 4, 4, 4, 4} {
		f.feedback(a, "msk-checkin", day, r)
	}
	for _, r := range []int{5, 5, 4, 0, 0} {
		f.feedback(b, "support", day, r)
	}
	f.feedback(a, "support", time.Date(2026, 3, 22, 10, 0, 0, 0, time.UTC), 1)
	f.feedback(a, "support", time.Date(2026, 4, 5, 23, 30, 0, 0, time.UTC), 1)

	period := listing(postgres.DashboardFilter{From: time.Date(2026, 3, 23, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 5, 0, 0, 0, 0, time.UTC)})
	byFlow := func(d postgres.Dashboard) map[string]postgres.FeedbackFlow {
		out := map[string]postgres.FeedbackFlow{}
		for _, ff := range d.Feedback {
			out[ff.Flow] = ff
		}
		return out
	}
	n := func(v float64) postgres.Figure { return postgres.Figure{Value: v} }
	sup, empty := postgres.Figure{Suppressed: true}, postgres.Figure{Empty: true}

	t.Run("organisation A", func(t *testing.T) {
		p := period
		p.OrganisationID = a
		d, err := postgres.DashboardFor(ctx, db, 0, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Feedback) != 6 || d.Feedback[5].Flow != "" {
			t.Fatalf("feedback rows %+v, want the five flows then all together", d.Feedback)
		}
		got := byFlow(d)
		// Support: 15 asked, 10 answered (66.7%), mean (6+12+25)/10 = 4.3;
		// the 3s (2) and 4s (3) suppressed, the 5s (5) shown: two are
		// suppressed, so neither can be worked out from the total.
		want := postgres.FeedbackFlow{Flow: "support", Asked: n(15), Answered: n(10), Rate: n(100 * 10.0 / 15), Mean: n(4.3),
			Ratings: [5]postgres.Figure{n(0), n(0), sup, sup, n(5)}}
		if s := got["support"]; !sameFeedback(s, want) {
			t.Errorf("support %+v, want %+v", s, want)
		}
		// MSK: 6 asked, 6 answered (100%: none unanswered, and 0 is
		// shown), mean
		// (2+20)/6 = 3.67; the one 2 is suppressed, so the five 4s are too
		// (else 6 - 5 would give it away).
		want = postgres.FeedbackFlow{Flow: "msk-checkin", Asked: n(6), Answered: n(6), Rate: n(100), Mean: n(22.0 / 6),
			Ratings: [5]postgres.Figure{n(0), sup, n(0), sup, n(0)}}
		if m := got["msk-checkin"]; !sameFeedback(m, want) {
			t.Errorf("msk-checkin %+v, want %+v", m, want)
		}
		// Nothing asked at the end of a stress check-in.
		if s := got["stress-checkin"]; s.Asked != n(0) || s.Rate != empty || s.Mean != empty {
			t.Errorf("stress-checkin %+v, want nothing asked", s)
		}
		// All: 21 asked, 16 answered (76.2%), mean (43+22)/16 = 4.0625;
		// one 2 (suppressed), two 3s (suppressed), eight 4s, five 5s.
		want = postgres.FeedbackFlow{Asked: n(21), Answered: n(16), Rate: n(100 * 16.0 / 21), Mean: n(65.0 / 16),
			Ratings: [5]postgres.Figure{n(0), sup, sup, n(8), n(5)}}
		if s := got[""]; !sameFeedback(s, want) {
			t.Errorf("all flows %+v, want %+v", s, want)
		}
	})
	t.Run("organisation B", func(t *testing.T) {
		p := period
		p.OrganisationID = b
		d, err := postgres.DashboardFor(ctx, db, 0, p)
		if err != nil {
			t.Fatal(err)
		}
		// 5 asked, 3 answered: the answers, their rate, mean and every
		// rating are suppressed.
		want := postgres.FeedbackFlow{Flow: "support", Asked: n(5), Answered: sup, Rate: sup, Mean: sup,
			Ratings: [5]postgres.Figure{n(0), n(0), n(0), sup, sup}}
		if s := byFlow(d)["support"]; !sameFeedback(s, want) {
			t.Errorf("support %+v, want %+v", s, want)
		}
	})
}

// sameFeedback compares two flows' figures, values to 0.001.
func sameFeedback(got, want postgres.FeedbackFlow) bool {
	same := func(g, w postgres.Figure) bool {
		return g.Suppressed == w.Suppressed && g.Empty == w.Empty && g.Value-w.Value < 0.001 && w.Value-g.Value < 0.001
	}
	if got.Flow != want.Flow || !same(got.Asked, want.Asked) || !same(got.Answered, want.Answered) || !same(got.Rate, want.Rate) ||
		!same(got.Mean, want.Mean) {
		return false
	}
	for i := range got.Ratings {
		if !same(got.Ratings[i], want.Ratings[i]) {
			return false
		}
	}
	return true
}
