package postgres_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// absent records an absence of staff for reason from starts to ends
// (YYYY-MM-DD; "" for still open) and returns the episode.
func (f *dashFixture) absent(staff int64, reason, starts, ends string) int64 {
	f.t.Helper()
	return pgtest.Absence(f.t, f.db.Pool, pgtest.AbsenceRow{Staff: staff, StartsOn: starts, EndsOn: ends, Reason: reason})
}

// contact schedules a check-in of trigger about episode of staff, due at
// due, whose first message went at first (none when zero).
func (f *dashFixture) contact(org, staff, episode int64, trigger, state string, due, first time.Time) {
	f.t.Helper()
	id := f.id(`INSERT INTO contacts (episode_id, trigger, flow, channel, state, due_at) VALUES ($1, $2, replace($2, '_', '-') || '-checkin', 'sms', $3, $4)
		RETURNING id`, episode, trigger, state, due)
	if !first.IsZero() {
		f.conv(org, staff, id, strings.ReplaceAll(trigger, "_", "-")+"-checkin", "sms", "en-GB", first)
	}
}

// figure is how a test writes an expected Figure: a value, or "<5"
// (suppressed) or "n/a" (empty).
type figure any

func checkFigure(t *testing.T, name string, got postgres.Figure, want figure) {
	t.Helper()
	switch w := want.(type) {
	case string:
		if (w == "<5") != got.Suppressed || (w == "n/a") != got.Empty {
			t.Errorf("%s = %+v, want %s", name, got, w)
		}
	case int:
		checkFigure(t, name, got, float64(w))
	case float64:
		if got.Suppressed || got.Empty || math.Abs(got.Value-w) > 5e-4 {
			t.Errorf("%s = %+v, want %.4f", name, got, w)
		}
	}
}

// TestDashboardAbsenceOutcomes checks the absence outcomes against
// episodes worked by hand.
func TestDashboardAbsenceOutcomes(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := &dashFixture{t: t, ctx: ctx, db: db}
	a, b := f.org("AA"), f.org("AB")

	// The period is 15 March to 14 April 2026: 31 days (17 in March, 14 in
	// April), 31 / 30.4375 months. Organisation A has 100 staff: five
	// copies of the thirteen absences below (one person each) and 35
	// others. Days are those inside the period (March + April).
	//
	//	#   reason  absent            days      started  length   7-day  28-day
	//	1   S10     10 Mar – 20 Mar    6 + 0    no
	//	2   S10     30 Mar – 2 Apr     2 + 2    yes      4        back   -
	//	3   S10     15 Mar – 15 Mar    1 + 0    yes      1        back   back
	//	4   S10     16 Mar – 14 Apr   16 + 14   yes      30       out    reached
	//	5   S10     17 Mar – 20 Apr   15 + 14   yes      29 open  out    reached
	//	6   S10     18 Mar – 24 Mar    7 + 0    yes      7        back   back
	//	7   S11     20 Mar – 5 Apr    12 + 5    yes      17       out    -
	//	8   S12      1 Apr – 8 Apr     0 + 8    yes      8        out    -
	//	9   S11     10 Apr – open      0 + 5    yes      5 open   -      -
	//	10  S12      1 Feb – 15 Mar    1 + 0    no
	//	11  S11     15 Mar – 21 Mar    7 + 0    yes      7        back   back
	//	12  S13     31 Mar – 1 Apr     1 + 1    yes      2        back   -
	//	13  S13     14 Apr – 14 Apr    0 + 1    yes      1        -      -
	//
	// #5 ended after the period, so it counts as open at its end. "-" is
	// follow-up not complete: 7-day for starts after 7 April, 28-day after
	// 18 March.
	//
	// Days lost: all 118 × 5 = 590 days over 100 staff, 590 / 100 × 100 /
	// (31 / 30.4375) = 579.2944 per 100 staff per month; S10 (77 days)
	// 378.0141; MSK (38) 186.5524. In March (17 days): all 68 days ×
	// 5 / 100 × 100 × 30.4375 / 17 = 608.75, S10 47 → 420.7537, MSK 20 →
	// 179.0441; April (14 days): all 50 → 543.5268, S10 30 → 326.1161,
	// MSK 18 → 195.6696.
	//
	// Lengths (Kaplan–Meier, five of each): all, 1 1 2 4 5+ 7 7 8 17 29+
	// 30: S = 9/11, ×8/9, ×7/8, (5 censored), ×4/6 = 0.424 at 7 days: median
	// 7; ×3/4, ×2/3, (29 censored), ×0/1 at 30: 90th percentile 30. S10:
	// 1 4 7 29+ 30: 0.8, 0.6, 0.4 at 7 (median), 0 at 30. MSK: 5+ 7 8 17:
	// 15/15 at risk after 5, 2/3 at 7, 1/3 at 8 (median), 0 at 17.
	//
	// Returns: all, 7-day 25 of 45 (55.56%), 28-day 15 of 25 (60%, 40%
	// reached); S10 15 of 25 (60%), 10 of 20 (50%, 50%); MSK 5 of 15
	// (33.33%), 5 of 5 (100%, 0%).
	//
	// Organisation B has 3 staff, each absent (S10) 20 to 22 March: too
	// few to show on its own.
	rows := [][3]string{
		{"S10", "2026-03-10", "2026-03-20"}, {"S10", "2026-03-30", "2026-04-02"}, {"S10", "2026-03-15", "2026-03-15"},
		{"S10", "2026-03-16", "2026-04-14"}, {"S10", "2026-03-17", "2026-04-20"}, {"S10", "2026-03-18", "2026-03-24"},
		{"S11", "2026-03-20", "2026-04-05"}, {"S12", "2026-04-01", "2026-04-08"}, {"S11", "2026-04-10", ""},
		{"S12", "2026-02-01", "2026-03-15"}, {"S11", "2026-03-15", "2026-03-21"}, {"S13", "2026-03-31", "2026-04-01"},
		{"S13", "2026-04-14", "2026-04-14"},
	}
	for range 5 {
		for _, r := range rows {
			f.absent(f.staff(a), r[0], r[1], r[2])
		}
	}
	for i := range 35 {
		s := f.staff(a)
		switch i {
		case 0: // ended before the period
			f.absent(s, "S13", "2026-03-01", "2026-03-14")
		case 1: // starts after it
			f.absent(s, "S10", "2026-04-15", "")
		}
	}
	for range 3 {
		f.absent(f.staff(b), "S10", "2026-03-20", "2026-03-22")
	}

	period := listing(postgres.DashboardFilter{OrganisationID: a, From: time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 14, 0, 0, 0, 0, time.UTC)})
	d, err := postgres.DashboardFor(ctx, db, 0, period)
	if err != nil {
		t.Fatal(err)
	}
	ab := d.Absence
	checkFigure(t, "headcount", ab.Headcount, 100)
	type want struct {
		daysLost, started, median, p90, within7, within28, reached28 figure
	}
	for i, w := range []want{
		{579.2944, 55, 7, 30, 55.5556, 60, 40},
		{378.0141, 25, 7, 30, 60, 50, 50},
		{186.5524, 20, 8, 17, 33.3333, 100, 0},
	} {
		o := ab.Outcomes[i]
		checkFigure(t, o.Group+" days lost", o.DaysLost, w.daysLost)
		checkFigure(t, o.Group+" started", o.Started, w.started)
		checkFigure(t, o.Group+" median", o.MedianLength, w.median)
		checkFigure(t, o.Group+" 90th percentile", o.P90Length, w.p90)
		checkFigure(t, o.Group+" within 7", o.Within7, w.within7)
		checkFigure(t, o.Group+" within 28", o.Within28, w.within28)
		checkFigure(t, o.Group+" reached 28", o.Reached28, w.reached28)
	}
	if len(ab.Months) != 2 || ab.Months[0].Format(time.DateOnly) != "2026-03-01" || ab.Months[1].Format(time.DateOnly) != "2026-04-01" {
		t.Fatalf("months %v, want March and April 2026", ab.Months)
	}
	for i, w := range [][2]float64{{608.75, 543.5268}, {420.7537, 326.1161}, {179.0441, 195.6696}} {
		s := ab.DaysLostByMonth[i]
		checkFigure(t, s.Key+" in March", s.Figures[0], w[0])
		checkFigure(t, s.Key+" in April", s.Figures[1], w[1])
	}

	// Organisation B alone: 3 staff and 3 episodes, all suppressed; no
	// MSK episode, nothing to measure.
	period.OrganisationID = b
	if d, err = postgres.DashboardFor(ctx, db, 0, period); err != nil {
		t.Fatal(err)
	}
	checkFigure(t, "B headcount", d.Absence.Headcount, "<5")
	s10, msk := d.Absence.Outcomes[1], d.Absence.Outcomes[2]
	checkFigure(t, "B S10 days lost", s10.DaysLost, "<5")
	checkFigure(t, "B S10 started", s10.Started, "<5")
	checkFigure(t, "B S10 median", s10.MedianLength, "<5")
	checkFigure(t, "B S10 within 7", s10.Within7, "<5")
	checkFigure(t, "B MSK days lost", msk.DaysLost, "<5")
	checkFigure(t, "B MSK median", msk.MedianLength, "n/a")
	checkFigure(t, "B MSK within 28", msk.Within28, "n/a")
	checkFigure(t, "B S10 in March", d.Absence.DaysLostByMonth[1].Figures[0], "<5")

	// Both together: 103 staff; all (590 + 9 days) 571.0010, S10 (385 + 9)
	// 375.5833 per 100 staff per month.
	period.OrganisationID = 0
	if d, err = postgres.DashboardFor(ctx, db, 0, period); err != nil {
		t.Fatal(err)
	}
	checkFigure(t, "both headcount", d.Absence.Headcount, 103)
	checkFigure(t, "both days lost", d.Absence.Outcomes[0].DaysLost, 571.0010)
	checkFigure(t, "both S10 days lost", d.Absence.Outcomes[1].DaysLost, 375.5833)
	checkFigure(t, "both S10 started", d.Absence.Outcomes[1].Started, 28)
}

// TestDashboardAbsenceToToday checks that a period running past today
// counts open episodes to today only, and leaves the months after it
// empty.
func TestDashboardAbsenceToToday(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := &dashFixture{t: t, ctx: ctx, db: db}
	org := f.org("TT")
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(london)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	// Five people absent since 9 days ago, still open: 10 days each to
	// today, over a 10-day period to today and 5 staff: 10 × 5 / 5 × 100
	// / (10 / 30.4375) = 3043.75 per 100 staff per month, whatever the
	// period's end after today says. Lengths so far 10 days, all open:
	// median not yet known.
	for range 5 {
		f.absent(f.staff(org), "S10", today.AddDate(0, 0, -9).Format(time.DateOnly), "")
	}
	d, err := postgres.DashboardFor(ctx, db, 0, listing(postgres.DashboardFilter{From: today.AddDate(0, 0, -9), To: today.AddDate(0, 2, 0)}))
	if err != nil {
		t.Fatal(err)
	}
	o := d.Absence.Outcomes[0]
	checkFigure(t, "days lost", o.DaysLost, 3043.75)
	checkFigure(t, "started", o.Started, 5)
	checkFigure(t, "median", o.MedianLength, "n/a")
	months := d.Absence.DaysLostByMonth[0].Figures
	checkFigure(t, "last month", months[len(months)-1], "n/a")
}

// TestDashboardBeforeAfter checks the before-and-after comparison and the
// contacted-or-not comparison against episodes worked by hand.
func TestDashboardBeforeAfter(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := &dashFixture{t: t, ctx: ctx, db: db}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	at := func(month time.Month, day, hour, minute int) time.Time {
		return time.Date(2026, month, day, hour, minute, 0, 0, london)
	}
	// Organisation BP went live on 1 April 2026; BN has no go-live day and
	// BL goes live on 1 June, after the period: both are left out, whatever
	// their absences.
	p, n, l := f.org("BP"), f.org("BN"), f.org("BL")
	f.exec(`UPDATE organisations SET go_live_on = '2026-04-01' WHERE id = $1`, p)
	f.exec(`UPDATE organisations SET go_live_on = '2026-06-01' WHERE id = $1`, l)
	for _, o := range []int64{n, l} {
		for range 6 {
			s := f.staff(o)
			e := f.absent(s, "S10", "2026-04-01", "")
			f.contact(o, s, e, "stress", "responded", at(4, 2, 10, 0), at(4, 2, 10, 0))
		}
	}

	// The period is 1 March to 30 April 2026: BP's pilot is 1 to 30 April
	// (30 days) and its baseline the 30 days before, 2 to 31 March. BP has
	// 50 staff: five copies of persons 1 to 10, all S10:
	//
	//	person  baseline (2–31 Mar)      days  pilot (1–30 Apr)         days
	//	1       2 Mar – 2 Mar (1)           1  a1 1 Apr – 1 Apr (1)        1
	//	2       3 Mar – 9 Mar (7)           7  a2 2 Apr – 3 Apr (2)        2
	//	3       2 Mar – 29 Mar (28)        28  a3 2 Apr – 30 Apr (29)     29
	//	4       20 Feb – 4 Mar (before)     3  a4 10 Apr – open (21+)     21
	//	5       4 Mar – 6 Mar (3)           3
	//	6       b6 28 Mar – 3 Apr (4+)      4  (b6, started before)        3
	//	7       1 Mar – 1 Mar: outside both
	//	8                                      a5 20 Apr – 22 Apr (3)      3
	//
	// Baseline: started 5 × 5 (lengths 1 3 4+ 7 28: S 0.8, 0.6, (4
	// censored: b6 was open on 31 March), 0.3 at 7 (median), 0 at 28
	// (90th)); 7-day follow-up (start ≤ 24 March) 20, back 15 (75%);
	// 28-day (start ≤ 4 March) 20, back 15 (75%), reached 5 (25%). Pilot:
	// started 25 (1 2 3 21+ 29: 0.8, 0.6, 0.4 at 3 (median), 0 at 29);
	// 7-day (start ≤ 23 April) 25, back 15 (60%); 28-day (start ≤ 3 April)
	// 15, back 10 (66.67%), reached 5 (33.33%).
	//
	// Days lost: each person's days × 100 × 30.4375 / 30 (101.4583 a day):
	// baseline mean 46 × 5 / 50 × 101.4583 = 466.7083, variance 689474.08;
	// pilot 59 × 5 / 50 × 101.4583 = 598.6042, variance 1005115.40;
	// difference 131.8958, standard error sqrt((689474.08 + 1005115.40) /
	// 50) = 184.0972, interval -228.9281 to 492.7198. Percentages,
	// Newcombe: 7-day 60 - 75 = -15 (-38.7021 to 12.4545); 28-day 66.67 -
	// 75 = -8.3333 (-36.8549 to 20.0916); reached 33.33 - 25 = 8.3333
	// (-20.0916 to 36.8549). Medians 3 - 7 = -4 and 29 - 28 = 1, no
	// interval.
	days := func(s string) string { return "2026-" + s }
	type person struct{ baseline, pilot [2]string }
	people := []person{
		{[2]string{"03-02", "03-02"}, [2]string{"04-01", "04-01"}},
		{[2]string{"03-03", "03-09"}, [2]string{"04-02", "04-03"}},
		{[2]string{"03-02", "03-29"}, [2]string{"04-02", "04-30"}},
		{[2]string{"02-20", "03-04"}, [2]string{"04-10", ""}},
		{[2]string{"03-04", "03-06"}, [2]string{}},
		{[2]string{"03-28", "04-03"}, [2]string{}},
		{[2]string{"03-01", "03-01"}, [2]string{}},
		{[2]string{}, [2]string{"04-20", "04-22"}},
		{}, {},
	}
	// Check-ins, each five times: a3's stress check-in due 2 April
	// 10:00, sent at 10:05 (contacted; a3 ended 30 April, after 2 April +
	// 27 days: not back) and its 28-day one due 3 April 9:00, sent exactly
	// 2 days later (contacted, back by 30 April); a2's stress check-in due 3
	// April, skipped (not contacted; back) and its MSK one due 5 April,
	// after a2 ended (not counted); b6's stress check-in due 1 April,
	// sent 3 days later (not contacted; back); a1's MSK check-in due and
	// sent 1 April (contacted; back); a3's MSK check-in due 4 April
	// (follow-up incomplete, 4 April + 27 days is after 30 April: not
	// counted).
	//
	// Stress: contacted 5, back 0 (0%); not contacted 10, back 10 (100%):
	// -100 (-100 to -48.4443). MSK and long-term: 5 contacted, all back,
	// none not contacted. All, at each absence's first check-in (a3's
	// stress one): contacted 10 (a1, a3), back 5 (50%); not contacted 10
	// (a2, b6), back 10: -50 (-76.3407 to -11.7367).
	for range 5 {
		for i, pp := range people {
			s := f.staff(p)
			var base, pilot int64
			if pp.baseline[0] != "" {
				base = f.absent(s, "S10", days(pp.baseline[0]), days(pp.baseline[1]))
			}
			if pp.pilot[0] != "" {
				end := ""
				if pp.pilot[1] != "" {
					end = days(pp.pilot[1])
				}
				pilot = f.absent(s, "S10", days(pp.pilot[0]), end)
			}
			switch i {
			case 0:
				f.contact(p, s, pilot, "msk", "responded", at(4, 1, 8, 0), at(4, 1, 8, 30))
			case 1:
				f.contact(p, s, pilot, "stress", "skipped", at(4, 3, 9, 0), time.Time{})
				f.contact(p, s, pilot, "msk", "responded", at(4, 5, 9, 0), at(4, 5, 9, 0))
			case 2:
				f.contact(p, s, pilot, "stress", "responded", at(4, 2, 10, 0), at(4, 2, 10, 5))
				f.contact(p, s, pilot, "long_term", "responded", at(4, 3, 9, 0), at(4, 5, 9, 0))
				f.contact(p, s, pilot, "msk", "responded", at(4, 4, 9, 0), at(4, 4, 9, 0))
			case 5:
				f.contact(p, s, base, "stress", "responded", at(4, 1, 9, 0), at(4, 4, 9, 1))
			}
		}
	}

	period := listing(postgres.DashboardFilter{From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC)})
	d, err := postgres.DashboardFor(ctx, db, 0, period)
	if err != nil {
		t.Fatal(err)
	}
	ba := d.Absence.BeforeAfter
	var counted, left []string
	for _, o := range ba.Organisations {
		counted = append(counted, o.Code+" "+o.BaselineFrom.Format(time.DateOnly)+" "+o.PilotFrom.Format(time.DateOnly)+" "+o.PilotTo.Format(time.DateOnly))
	}
	for _, o := range ba.LeftOut {
		left = append(left, o.Code)
	}
	if strings.Join(counted, ",") != "BP 2026-03-02 2026-04-01 2026-04-30" || strings.Join(left, ",") != "BL,BN" {
		t.Errorf("counted %v, left out %v; want BP 2026-03-02 2026-04-01 2026-04-30, and BL, BN", counted, left)
	}
	checkFigure(t, "headcount", ba.Headcount, 50)
	checkDifference := func(name string, got postgres.Difference, value, low, high figure) {
		t.Helper()
		checkFigure(t, name+" difference", got.Value, value)
		checkFigure(t, name+" low", got.Low, low)
		checkFigure(t, name+" high", got.High, high)
	}
	g := ba.Groups[1]
	checkFigure(t, "baseline days lost", g.Baseline.DaysLost, 466.7083)
	checkFigure(t, "pilot days lost", g.Pilot.DaysLost, 598.6042)
	checkDifference("days lost", g.DaysLost, 131.8958, -228.9281, 492.7198)
	checkFigure(t, "baseline median", g.Baseline.MedianLength, 7)
	checkFigure(t, "pilot median", g.Pilot.MedianLength, 3)
	checkDifference("median", g.MedianLength, -4, "n/a", "n/a")
	checkDifference("90th percentile", g.P90Length, 1, "n/a", "n/a")
	checkFigure(t, "baseline within 7", g.Baseline.Within7, 75)
	checkFigure(t, "pilot within 7", g.Pilot.Within7, 60)
	checkDifference("within 7", g.Within7, -15, -38.7021, 12.4545)
	checkDifference("within 28", g.Within28, -8.3333, -36.8549, 20.0916)
	checkDifference("reached 28", g.Reached28, 8.3333, -20.0916, 36.8549)
	if all := ba.Groups[0]; all.Pilot.DaysLost != g.Pilot.DaysLost || all.Within28 != g.Within28 {
		t.Errorf("all absences %+v, want the same as S10 %+v", all, g)
	}
	msk := ba.Groups[2]
	checkDifference("MSK days lost", msk.DaysLost, 0, 0, 0)
	checkDifference("MSK median", msk.MedianLength, "n/a", "n/a", "n/a")

	type want struct {
		trigger                                string
		contacted, notContacted, back, notBack figure
		difference, low, high                  figure
	}
	for i, w := range []want{
		{"stress", 5, 10, 0, 100, -100, -100, -48.4443},
		{"msk", 5, 0, 100, "n/a", "n/a", "n/a", "n/a"},
		{"long_term", 5, 0, 100, "n/a", "n/a", "n/a", "n/a"},
		{"", 10, 10, 50, 100, -50, -76.3407, -11.7367},
	} {
		c := ba.Contacted[i]
		if c.Trigger != w.trigger {
			t.Fatalf("contacted row %d is %q, want %q", i, c.Trigger, w.trigger)
		}
		checkFigure(t, w.trigger+" contacted", c.Contacted, w.contacted)
		checkFigure(t, w.trigger+" not contacted", c.NotContacted, w.notContacted)
		checkFigure(t, w.trigger+" contacted back", c.ContactedBack, w.back)
		checkFigure(t, w.trigger+" not contacted back", c.NotContactedBack, w.notBack)
		checkDifference(w.trigger+" contacted", c.Difference, w.difference, w.low, w.high)
	}

	// BN alone has nothing to compare.
	period.OrganisationID = n
	if d, err = postgres.DashboardFor(ctx, db, 0, period); err != nil {
		t.Fatal(err)
	}
	ba = d.Absence.BeforeAfter
	if len(ba.Organisations) != 0 || len(ba.LeftOut) != 1 || ba.LeftOut[0].ID != n {
		t.Errorf("BN alone: counted %v, left out %v; want none and BN", ba.Organisations, ba.LeftOut)
	}
	checkFigure(t, "BN headcount", ba.Headcount, 0)
	checkDifference("BN days lost", ba.Groups[0].DaysLost, "n/a", "n/a", "n/a")
	checkFigure(t, "BN stress contacted", ba.Contacted[0].Contacted, 0)
}
