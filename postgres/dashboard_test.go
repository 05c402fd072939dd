package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/escalation/risk"
	"github.com/ohcontact/ohcontact/locales"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// callBacks are the OH call-back categories the tests ask for, in the
// console's order.
var callBacks = []string{"callback_requested", "appointment_requested", "physio_declined"}

// listing returns f asking for the lists the console's dashboard shows.
func listing(f postgres.DashboardFilter) postgres.DashboardFilter {
	f.CallBackCategories = callBacks
	f.DisclosureCategories = risk.Categories
	f.FeedbackFlows = []string{"absence-report", "stress-checkin", "msk-checkin", "long-term-checkin", "support"}
	f.Languages = locales.Languages
	f.FirstContactDays = []postgres.DayRange{{From: 0, To: 0}, {From: 1, To: 1}, {From: 2, To: 2}, {From: 3, To: 6},
		{From: 7, To: 13}, {From: 14, To: 27}, {From: 28, To: -1}}
	f.CampaignFlows = []string{"vaccination"}
	return f
}

// dashFixture builds dashboard rows by hand, one person each time.
type dashFixture struct {
	t   *testing.T
	ctx context.Context
	db  *postgres.DB
	n   int
}

func (f *dashFixture) id(sql string, args ...any) int64 {
	f.t.Helper()
	var id int64
	if err := f.db.Pool.QueryRow(f.ctx, sql, args...).Scan(&id); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	return id
}

func (f *dashFixture) exec(sql string, args ...any) {
	f.t.Helper()
	if _, err := f.db.Pool.Exec(f.ctx, sql, args...); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

func (f *dashFixture) org(code string) int64 {
	return pgtest.Organisation(f.t, f.db.Pool, code, code+" Trust")
}

func (f *dashFixture) staff(org int64) int64 {
	f.n++
	return pgtest.Staff(f.t, f.db.Pool, pgtest.StaffRow{Organisation: org, Number: fmt.Sprintf("D%07d", f.n), First: "Ann", Last: "Example"})
}

// checkIn is a person absent since startsOn whose check-in of trigger was
// first sent at first (no conversation when first is zero), in state. It
// returns the staff member and the conversation.
func (f *dashFixture) checkIn(org int64, trigger, state, startsOn string, first time.Time) (staff, conv int64) {
	f.t.Helper()
	staff = f.staff(org)
	episode := f.absent(staff, "S10", startsOn, "")
	contact := f.id(`INSERT INTO contacts (episode_id, trigger, flow, channel, state, due_at) VALUES ($1, $2, replace($2, '_', '-') || '-checkin', 'sms', $3, $4) RETURNING id`,
		episode, trigger, state, first)
	if !first.IsZero() {
		conv = f.conv(org, staff, contact, strings.ReplaceAll(trigger, "_", "-")+"-checkin", "sms", "en-GB", first)
	}
	return staff, conv
}

func (f *dashFixture) conv(org, staff, contact int64, flow, channel, lang string, at time.Time) int64 {
	f.t.Helper()
	f.n++
	return f.id(`INSERT INTO conversations (organisation_id, staff_id, contact_id, channel, address, flow, fsm_state, language, created_at,
		status, closed_reason, closed_at) VALUES ($1, nullif($2::bigint, 0), nullif($3::bigint, 0), $4, $5, $6, 'closed', $7, $8, 'closed', 'completed', $8)
		RETURNING id`, org, staff, contact, channel, fmt.Sprintf("addr-%d", f.n), flow, lang, at)
}

// caseOpened opens a case of priority p at opened, due due later, and
// returns its id.
func (f *dashFixture) caseOpened(org int64, p ohcontact.Priority, opened time.Time, due time.Duration) int64 {
	f.t.Helper()
	return f.id(`INSERT INTO cases (organisation_id, priority, category, sla_due_at, created_at) VALUES ($1, $2, 'suicide_risk', $3, $4) RETURNING id`,
		org, p, opened.Add(due), opened)
}

// claim records a claim of case id at, by user, as its current claim and
// its first claimed event.
func (f *dashFixture) claim(id, user int64, at time.Time) {
	f.t.Helper()
	f.exec(`UPDATE cases SET status = 'claimed', claimed_by = $2, claimed_at = $3 WHERE id = $1`, id, user, at)
	f.exec(`INSERT INTO case_events (case_id, user_id, kind, created_at) VALUES ($1, $2, 'claimed', $3)`, id, user, at)
}

// callBack opens a routine OH call-back case of category at opened, due 2
// working days later, and returns its id.
func (f *dashFixture) callBack(org int64, category string, opened, due time.Time) int64 {
	f.t.Helper()
	return f.id(`INSERT INTO cases (organisation_id, priority, category, sla_due_at, created_at) VALUES ($1, 'routine', $2, $3, $4) RETURNING id`,
		org, category, due, opened)
}

// referral makes a physiotherapy referral at made for a new person of org
// and returns its id.
func (f *dashFixture) referral(org int64, made time.Time) int64 {
	f.t.Helper()
	s := f.staff(org)
	c := f.conv(org, s, 0, "msk-checkin", "sms", "en-GB", made)
	id := f.id(`INSERT INTO referrals (organisation_id, staff_id, conversation_id, kind, created_at, sla_due_at)
		VALUES ($1, $2, $3, 'physiotherapy', $4, $4::timestamptz + interval '2 days') RETURNING id`, org, s, c, made)
	f.exec(`INSERT INTO referral_events (referral_id, kind, created_at) VALUES ($1, 'made', $2)`, id, made)
	return id
}

// referralEvent moves referral id to status at at, as the physio team
// does: its event, acted_at the first time, an appointment and booked_at
// when booked, a reason when declined.
func (f *dashFixture) referralEvent(id int64, status string, at time.Time) {
	f.t.Helper()
	f.exec(`UPDATE referrals SET status = $2, acted_at = coalesce(acted_at, $3),
		appointment_at = CASE WHEN $2 = 'booked' THEN $3::timestamptz + interval '7 days' ELSE appointment_at END,
		appointment_kind = CASE WHEN $2 = 'booked' THEN 'phone' ELSE appointment_kind END,
		booked_at = CASE WHEN $2 = 'booked' THEN $3 ELSE booked_at END,
		decline_reason = CASE WHEN $2 = 'declined' THEN 'see_gp' END
		WHERE id = $1`, id, status, at)
	f.exec(`INSERT INTO referral_events (referral_id, kind, created_at) VALUES ($1, $2, $3)`, id, status, at)
}

// TestDashboardReferralsAndCallBacks checks the referral funnel, the
// working days to booking and the OH call-back cases against referrals and
// cases built by hand, across a weekend and the clock change on 29 March
// 2026.
func TestDashboardReferralsAndCallBacks(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := &dashFixture{t: t, ctx: ctx, db: db}
	a, b := f.org("FA"), f.org("FB")
	user := f.id(`INSERT INTO users (email, display_name, role, password_hash) VALUES ('c@example.nhs.uk', 'C', 'clinician', 'x') RETURNING id`)
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	at := func(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, london) }

	// Week 1 (from Monday 23 March): twelve referrals made on Tuesday 24
	// March at 10:00. Six booked, after 0.5, 1, 1 (booked again on Friday:
	// the first booking counts), 2, 4 (Monday 30 March, 10:00 BST: six
	// days less the weekend; the lost hour is on the Sunday) and 5 working
	// days (Tuesday 31 March); three of those attended and two did not.
	// Two accepted; one declined after being accepted, one declined while
	// new; two still new. Five went past their SLA.
	made := at(24, 10)
	for i, booked := range []time.Time{at(24, 22), at(25, 10), at(25, 10), at(26, 10), at(30, 10), at(31, 10)} {
		r := f.referral(a, made)
		f.referralEvent(r, "accepted", made.Add(time.Hour/2))
		f.referralEvent(r, "booked", booked)
		switch i {
		case 0, 1, 3:
			f.referralEvent(r, "attended", booked.Add(7*24*time.Hour))
		case 2:
			f.referralEvent(r, "booked", at(27, 10))
		case 4, 5:
			f.referralEvent(r, "did_not_attend", booked.Add(7*24*time.Hour))
		}
	}
	for i := range 6 {
		r := f.referral(a, made)
		switch i {
		case 0, 1:
			f.referralEvent(r, "accepted", at(27, 9))
		case 2:
			f.referralEvent(r, "accepted", at(27, 9))
			f.referralEvent(r, "declined", at(27, 12))
		case 3:
			f.referralEvent(r, "declined", at(27, 9))
		}
		if i != 2 {
			f.exec(`UPDATE referrals SET breach_count = 1 WHERE id = $1`, r)
		}
	}
	// Week 2: three made on Wednesday 1 April, still new. Not counted: one
	// made before the period and one of organisation B.
	for range 3 {
		f.referral(a, time.Date(2026, 4, 1, 9, 0, 0, 0, london))
	}
	f.referralEvent(f.referral(a, at(20, 10)), "accepted", at(24, 10))
	f.referral(b, made)

	// Call-back cases. Week 1, opened on Tuesday 24 March at 10:00, due on
	// Thursday at 10:00: six asked for a call back, claimed after 1, 2
	// (claimed again after 60 hours: the first claim counts), 4, 8, 30 and
	// 50 hours (a breach); two asked for an appointment, one claimed after
	// 10 hours and one never, re-notified as overdue; one physio decline,
	// claimed after 3 hours. Not counted: a routine case of another kind.
	due := at(26, 10)
	for _, h := range []int{1, 2, 4, 8, 30, 50} {
		k := f.callBack(a, "callback_requested", made, due)
		f.claim(k, user, made.Add(time.Duration(h)*time.Hour))
		if h == 2 {
			f.claim(k, user, made.Add(60*time.Hour))
		}
	}
	f.claim(f.callBack(a, "appointment_requested", made, due), user, made.Add(10*time.Hour))
	k := f.callBack(a, "appointment_requested", made, due)
	f.exec(`UPDATE cases SET breach_count = 1 WHERE id = $1`, k)
	f.claim(f.callBack(a, "physio_declined", made, due), user, made.Add(3*time.Hour))
	f.claim(f.caseOpened(a, ohcontact.PriorityRoutine, made, 48*time.Hour), user, made.Add(time.Hour))
	// Week 2: five call backs asked for on Wednesday 1 April, claimed
	// after 1, 1, 2, 2 and 3 hours; one of organisation B in week 1.
	opened := time.Date(2026, 4, 1, 10, 0, 0, 0, london)
	for _, h := range []int{1, 1, 2, 2, 3} {
		f.claim(f.callBack(a, "callback_requested", opened, opened.Add(48*time.Hour)), user, opened.Add(time.Duration(h)*time.Hour))
	}
	f.callBack(b, "callback_requested", made, due)

	period := listing(postgres.DashboardFilter{OrganisationID: a, From: time.Date(2026, 3, 23, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 5, 0, 0, 0, 0, time.UTC)})
	d, err := postgres.DashboardFor(ctx, db, 0, period)
	if err != nil {
		t.Fatal(err)
	}
	n := func(v float64) postgres.Figure { return postgres.Figure{Value: v} }
	small := postgres.Figure{Suppressed: true}
	none := postgres.Figure{Empty: true}
	check := func(what string, got, want postgres.Figure) {
		t.Helper()
		if got.Suppressed != want.Suppressed || got.Empty != want.Empty || math.Abs(got.Value-want.Value) > 0.001 {
			t.Errorf("%s = %+v, want %+v", what, got, want)
		}
	}
	if len(d.Referrals) != 2 || len(d.CallBacks) != 2 {
		t.Fatalf("%d weeks of referrals and %d of call-backs, want 2 of each", len(d.Referrals), len(d.CallBacks))
	}

	r := d.Referrals[0]
	check("week 1 made", r.Made, n(12))
	check("week 1 accepted", r.Accepted, n(9))
	check("week 1 booked", r.Booked, n(6))
	check("week 1 attended", r.Attended, small)
	check("week 1 did not attend", r.DidNotAttend, small)
	check("week 1 declined", r.Declined, small)
	check("week 1 still new", r.New, small)
	check("week 1 past SLA", r.PastSLA, n(5))
	// Working days 0.5, 1, 1, 2, 4, 5: the median is 1.5; the 90th
	// percentile 4 + 0.5 × (5 − 4) = 4.5.
	check("week 1 median working days to booking", r.MedianToBooking, n(1.5))
	check("week 1 90th percentile working days to booking", r.P90ToBooking, n(4.5))
	r = d.Referrals[1]
	check("week 2 made", r.Made, small)
	check("week 2 accepted", r.Accepted, n(0))
	check("week 2 still new", r.New, small)
	check("week 2 median to booking", r.MedianToBooking, none)

	// Week 1: picked up after 1, 2, 3, 4, 8, 10, 30 and 50 hours, one never:
	// the median is 6 hours; the 90th percentile 30 + 0.3 × (50 − 30) = 36.
	c := d.CallBacks[0]
	check("week 1 call-backs opened", c.Opened, n(9))
	check("week 1 call-backs within SLA", c.WithinSLA, n(7))
	check("week 1 call-backs breached", c.Breached, small)
	check("week 1 call-backs median minutes", c.MedianClaim, n(6*60))
	check("week 1 call-backs 90th percentile minutes", c.P90Claim, n(36*60))
	// Week 2: 1, 1, 2, 2, 3 hours: median 2; 90th percentile 2.6.
	c = d.CallBacks[1]
	check("week 2 call-backs opened", c.Opened, n(5))
	check("week 2 call-backs within SLA", c.WithinSLA, n(5))
	check("week 2 call-backs breached", c.Breached, n(0))
	check("week 2 call-backs median minutes", c.MedianClaim, n(120))
	check("week 2 call-backs 90th percentile minutes", c.P90Claim, n(156))

	if len(d.CallBacksByCategory) != 3 {
		t.Fatalf("call-backs by category: %+v", d.CallBacksByCategory)
	}
	for i, want := range callBacks {
		if d.CallBacksByCategory[i].Category != want {
			t.Errorf("call-backs by category [%d] is %q, want %q", i, d.CallBacksByCategory[i].Category, want)
		}
	}
	// Call backs asked for: 1, 1, 1, 2, 2, 2, 3, 4, 8, 30 and 50 hours:
	// the median is 2; the 90th percentile the tenth, 30.
	c = d.CallBacksByCategory[0].CaseFigures
	check("call backs opened", c.Opened, n(11))
	check("call backs within SLA", c.WithinSLA, n(10))
	check("call backs breached", c.Breached, small)
	check("call backs median minutes", c.MedianClaim, n(120))
	check("call backs 90th percentile minutes", c.P90Claim, n(30*60))
	c = d.CallBacksByCategory[1].CaseFigures
	check("appointments opened", c.Opened, small)
	check("appointments median minutes", c.MedianClaim, small)
	c = d.CallBacksByCategory[2].CaseFigures
	check("physio declines opened", c.Opened, small)
	// The routine cases include the call-backs and the other one.
	check("routine cases opened", d.Cases[2].Opened, n(15))

	// Every organisation: B's referral and call-back join week 1.
	period.OrganisationID = 0
	if d, err = postgres.DashboardFor(ctx, db, 0, period); err != nil {
		t.Fatal(err)
	}
	check("all: week 1 made", d.Referrals[0].Made, n(13))
	check("all: week 1 still new", d.Referrals[0].New, small)
	check("all: week 1 call-backs opened", d.CallBacks[0].Opened, n(10))
	check("all: week 1 call-backs median minutes", d.CallBacks[0].MedianClaim, n(6*60))

	// The call-backs are the categories asked for, in the order asked:
	// without A's two appointments, week 1 has 7.
	period.OrganisationID = a
	period.CallBackCategories = []string{"physio_declined", "callback_requested"}
	if d, err = postgres.DashboardFor(ctx, db, 0, period); err != nil {
		t.Fatal(err)
	}
	if len(d.CallBacksByCategory) != 2 || d.CallBacksByCategory[0].Category != "physio_declined" ||
		d.CallBacksByCategory[1].Category != "callback_requested" {
		t.Fatalf("call-backs by category, asked for physio declines then call backs: %+v", d.CallBacksByCategory)
	}
	check("asked for: physio declines opened", d.CallBacksByCategory[0].Opened, small)
	check("asked for: call backs opened", d.CallBacksByCategory[1].Opened, n(11))
	check("asked for: week 1 call-backs opened", d.CallBacks[0].Opened, n(7))
	check("asked for: week 2 call-backs opened", d.CallBacks[1].Opened, n(5))
	check("asked for: call-backs resolved or not", d.Work.CallBacks[2].Opened, n(12))
}

// TestDashboard checks each figure against rows built by hand, around the
// edges of the period (Europe/London, across the clock change on 29 March
// 2026) and of the MinShown rule.
func TestDashboard(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := &dashFixture{t: t, ctx: ctx, db: db}
	a, b, empty := f.org("RA"), f.org("RB"), f.org("RC")
	user := f.id(`INSERT INTO users (email, display_name, role, password_hash) VALUES ('c@example.nhs.uk', 'C', 'clinician', 'x') RETURNING id`)

	// The period is 23 March to 5 April 2026: weeks beginning 23 and 30
	// March. Clocks go forward at 01:00 UTC on 29 March.
	week1 := time.Date(2026, 3, 24, 10, 0, 0, 0, time.UTC)
	week2 := time.Date(2026, 3, 31, 10, 0, 0, 0, time.UTC)
	mondayBST := time.Date(2026, 3, 29, 23, 30, 0, 0, time.UTC) // 00:30 on Monday 30 March in London
	afterEnd := time.Date(2026, 4, 5, 23, 30, 0, 0, time.UTC)   // 00:30 on 6 April in London
	before := time.Date(2026, 3, 20, 10, 0, 0, 0, time.UTC)

	// Organisation A. Stress check-ins: six in week 1, four in week 2 (one
	// in its first half hour), half of them answered, each a day after the
	// absence began; MSK check-ins: five in week 1, all answered, two days
	// after. Not counted: a check-in first sent before the period (its
	// follow-up inside it), one sent just after it, one skipped.
	var stressStaff, mskConvs []int64
	for i := range 10 {
		at, starts := week1.Add(time.Duration(i)*time.Hour), "2026-03-23"
		if i >= 6 {
			at, starts = week2, "2026-03-30"
		}
		if i == 9 {
			at, starts = mondayBST, "2026-03-29"
		}
		state := "no_response"
		if i%2 == 0 {
			state = "responded"
		}
		s, _ := f.checkIn(a, "stress", state, starts, at)
		stressStaff = append(stressStaff, s)
	}
	for range 5 {
		_, c := f.checkIn(a, "msk", "responded", "2026-03-22", week1)
		mskConvs = append(mskConvs, c)
	}
	s, _ := f.checkIn(a, "stress", "responded", "2026-03-19", before)
	f.conv(a, s, f.id(`SELECT contact_id FROM conversations WHERE staff_id = $1`, s), "stress-checkin", "sms", "en-GB", week1)
	f.checkIn(a, "stress", "responded", "2026-04-04", afterEnd)
	f.checkIn(a, "stress", "skipped", "2026-03-20", time.Time{})
	// Five day-1 absence reports in week 1.
	for range 5 {
		f.conv(a, f.staff(a), 0, "absence-report", "sms", "en-GB", week1)
	}
	// Signposting: the wellbeing hub in six conversations (twice in one),
	// and both MSK services in four.
	rows, err := db.Pool.Query(ctx, `SELECT id FROM conversations WHERE organisation_id = $1 AND flow = 'stress-checkin' ORDER BY id LIMIT 6`, a)
	if err != nil {
		t.Fatal(err)
	}
	given, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range append(given, given[0]) {
		f.exec(`INSERT INTO signposts (organisation_id, conversation_id, service, category, created_at) VALUES ($1, $2, 'wellbeing_hub', 'wellbeing', $3)`, a, c, week1)
	}
	for _, c := range mskConvs[:4] {
		for _, svc := range []string{"msk_physio", "msk_self_care"} {
			f.exec(`INSERT INTO signposts (organisation_id, conversation_id, service, category, created_at) VALUES ($1, $2, $3, 'msk', $4)`, a, c, svc, week1)
		}
	}
	// Five physiotherapy referrals in week 1 and one after the period.
	for i, c := range mskConvs {
		f.exec(`INSERT INTO referrals (organisation_id, staff_id, conversation_id, kind, created_at, sla_due_at)
			SELECT organisation_id, staff_id, id, 'physiotherapy', $2, $2 FROM conversations WHERE id = $1`, c, week1)
		if i == 0 {
			f.exec(`INSERT INTO referrals (organisation_id, staff_id, conversation_id, kind, created_at, sla_due_at)
				SELECT organisation_id, staff_id, id, 'physiotherapy', $2, $2 FROM conversations WHERE id = $1`, c, afterEnd)
		}
	}
	// Urgent cases (SLA 15 minutes) picked up after 1, 2 (its first claim;
	// the claim it has now came later), 3, 4, 10, 12 (resolved without a
	// claim) and 30 minutes (a breach). Four high ones, and one routine
	// one nobody has picked up, re-notified as overdue.
	for _, m := range []int{1, 3, 4, 10} {
		k := f.caseOpened(a, ohcontact.PriorityUrgent, week1, 15*time.Minute)
		f.claim(k, user, week1.Add(time.Duration(m)*time.Minute))
	}
	k := f.caseOpened(a, ohcontact.PriorityUrgent, week1, 15*time.Minute)
	f.claim(k, user, week1.Add(2*time.Minute))
	f.exec(`UPDATE cases SET claimed_at = $2 WHERE id = $1`, k, week1.Add(40*time.Minute))
	k = f.caseOpened(a, ohcontact.PriorityUrgent, week1, 15*time.Minute)
	f.exec(`UPDATE cases SET status = 'resolved', resolved_at = $2, outcome = 'no_risk_found' WHERE id = $1`, k, week1.Add(12*time.Minute))
	k = f.caseOpened(a, ohcontact.PriorityUrgent, week1, 15*time.Minute)
	f.claim(k, user, week1.Add(30*time.Minute))
	f.exec(`UPDATE cases SET breach_count = 1 WHERE id = $1`, k)
	for range 4 {
		f.claim(f.caseOpened(a, ohcontact.PriorityHigh, week2, 4*time.Hour), user, week2.Add(time.Hour))
	}
	k = f.caseOpened(a, ohcontact.PriorityRoutine, week1, 48*time.Hour)
	f.exec(`UPDATE cases SET breach_count = 1 WHERE id = $1`, k)
	f.caseOpened(a, ohcontact.PriorityUrgent, before, 15*time.Minute) // before the period
	// Opt-outs: five in week 1, four in week 2; not counted: one before
	// the period, and a person who opted back in.
	for i, s := range stressStaff {
		at := week1
		if i >= 5 {
			at = week2
		}
		if i == 9 {
			at = before
		}
		f.exec(`UPDATE staff SET consent = 'opted_out', consent_changed_at = $2 WHERE id = $1`, s, at)
	}
	f.exec(`UPDATE staff SET consent = 'opted_in', consent_changed_at = $2 WHERE id = (SELECT staff_id FROM conversations WHERE id = $1)`, mskConvs[0], week1)

	// Organisation B: seven stress check-ins in week 1, three answered,
	// three days after the absence began; five Welsh texts and four Polish
	// web chats; an urgent case picked up after 100 minutes.
	for i := range 7 {
		state := "no_response"
		if i < 3 {
			state = "responded"
		}
		f.checkIn(b, "stress", state, "2026-03-21", week1)
	}
	for range 5 {
		f.conv(b, f.staff(b), 0, "support", "sms", "cy", week1)
	}
	for range 4 {
		f.conv(b, 0, 0, "support", "webchat", "pl", week2)
	}
	f.claim(f.caseOpened(b, ohcontact.PriorityUrgent, week1, 15*time.Minute), user, week1.Add(100*time.Minute))

	period := listing(postgres.DashboardFilter{From: time.Date(2026, 3, 23, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 5, 0, 0, 0, 0, time.UTC)})
	get := func(orgScope, org int64) postgres.Dashboard {
		t.Helper()
		p := period
		p.OrganisationID = org
		d, err := postgres.DashboardFor(ctx, db, orgScope, p)
		if err != nil {
			t.Fatalf("Dashboard(scope %d, organisation %d): %v", orgScope, org, err)
		}
		return d
	}
	n := func(v float64) postgres.Figure { return postgres.Figure{Value: v} }
	small := postgres.Figure{Suppressed: true}
	none := postgres.Figure{Empty: true}
	check := func(what string, got, want postgres.Figure) {
		t.Helper()
		if got.Suppressed != want.Suppressed || got.Empty != want.Empty || math.Abs(got.Value-want.Value) > 0.001 {
			t.Errorf("%s = %+v, want %+v", what, got, want)
		}
	}
	checkAll := func(what string, got, want []postgres.Figure) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s: %d figures, want %d", what, len(got), len(want))
			return
		}
		for i := range got {
			check(fmt.Sprintf("%s[%d]", what, i), got[i], want[i])
		}
	}

	d := get(0, a)
	if len(d.Buckets) != 2 || d.Buckets[0].Format(time.DateOnly) != "2026-03-23" || d.Buckets[1].Format(time.DateOnly) != "2026-03-30" {
		t.Fatalf("weeks = %v, want those of 23 and 30 March", d.Buckets)
	}
	wantContacts := map[string][]postgres.Figure{
		postgres.TriggerAbsenceReport:     {n(5), n(0)},
		string(ohcontact.TriggerStress):   {n(6), small},
		string(ohcontact.TriggerMSK):      {n(5), n(0)},
		string(ohcontact.TriggerLongTerm): {n(0), n(0)},
	}
	if len(d.ContactsByWeek) != 4 || d.ContactsByWeek[0].Key != postgres.TriggerAbsenceReport {
		t.Errorf("contacts by week: %+v, want absence reports first, then three check-ins", d.ContactsByWeek)
	}
	for _, s := range d.ContactsByWeek {
		checkAll("contacts "+s.Key, s.Figures, wantContacts[s.Key])
	}
	wantResponses := []struct {
		trigger                string
		made, responded, ratio postgres.Figure
	}{
		{"stress", n(10), n(5), n(50)},
		{"msk", n(5), n(5), n(100)},
		{"long_term", n(0), n(0), none},
		{"", n(15), n(10), n(200.0 / 3)},
	}
	if len(d.Responses) != len(wantResponses) {
		t.Fatalf("responses = %+v", d.Responses)
	}
	for i, w := range wantResponses {
		r := d.Responses[i]
		if r.Trigger != w.trigger {
			t.Errorf("responses[%d] is for %q, want %q", i, r.Trigger, w.trigger)
		}
		check("made "+w.trigger, r.Made, w.made)
		check("responded "+w.trigger, r.Responded, w.responded)
		check("response rate "+w.trigger, r.Rate, w.ratio)
	}
	var buckets []postgres.Figure
	for _, b := range d.FirstContact {
		buckets = append(buckets, b.Episodes)
	}
	checkAll("first contact (days 0, 1, 2, 3-6, 7-13, 14-27, 28+)", buckets, []postgres.Figure{n(0), n(10), n(5), n(0), n(0), n(0), n(0)})
	check("median days to first contact", d.FirstContactMedian, n(1))
	if len(d.SignpostsByCategory) != 2 || d.SignpostsByCategory[0].Key != "wellbeing" || d.SignpostsByCategory[1].Key != "msk" {
		t.Errorf("signposts by category = %+v, want wellbeing then msk", d.SignpostsByCategory)
	} else {
		check("wellbeing signposts", d.SignpostsByCategory[0].Count, n(6))
		check("msk signposts", d.SignpostsByCategory[1].Count, small)
	}
	if len(d.SignpostsByService) != 3 || d.SignpostsByService[0].Key != "wellbeing_hub" || d.SignpostsByService[1].Key != "msk_physio" {
		t.Errorf("signposts by service = %+v, want wellbeing_hub, msk_physio, msk_self_care", d.SignpostsByService)
	} else {
		check("wellbeing hub", d.SignpostsByService[0].Count, n(6))
		check("physio", d.SignpostsByService[1].Count, small)
	}
	var referrals []postgres.Figure
	for _, r := range d.Referrals {
		referrals = append(referrals, r.Made)
	}
	checkAll("physiotherapy referrals", referrals, []postgres.Figure{n(5), n(0)})
	checkAll("opt-outs", d.OptOuts, []postgres.Figure{n(5), small})

	if len(d.Cases) != 3 {
		t.Fatalf("cases = %+v", d.Cases)
	}
	urgent, high, routine := d.Cases[0], d.Cases[1], d.Cases[2]
	if urgent.Priority != ohcontact.PriorityUrgent || high.Priority != ohcontact.PriorityHigh || routine.Priority != ohcontact.PriorityRoutine {
		t.Errorf("cases in order %s, %s, %s", urgent.Priority, high.Priority, routine.Priority)
	}
	// Minutes 1, 2, 3, 4, 10, 12, 30: the median is 4; the 90th percentile
	// is 12 + 0.4 × (30 − 12) = 19.2 (percentile_cont interpolates).
	check("urgent opened", urgent.Opened, n(7))
	check("urgent median", urgent.MedianClaim, n(4))
	check("urgent 90th percentile", urgent.P90Claim, n(19.2))
	check("urgent within SLA", urgent.WithinSLA, n(6))
	check("urgent breached", urgent.Breached, small)
	check("high opened", high.Opened, small)
	check("high median", high.MedianClaim, small)
	check("high 90th percentile", high.P90Claim, small)
	check("routine opened", routine.Opened, small)
	check("routine median", routine.MedianClaim, none)
	check("routine breached", routine.Breached, small)

	got := map[string]postgres.Figure{}
	for _, c := range d.Conversations {
		got[c.Language+"/"+string(c.Channel)] = c.Conversations
	}
	if len(d.Conversations) != 6 {
		t.Errorf("%d language and channel pairs, want 6", len(d.Conversations))
	}
	// 10 stress, 5 MSK, the follow-up and 5 absence reports, all texts.
	check("English texts", got["en-GB/sms"], n(21))
	check("Welsh texts", got["cy/sms"], n(0))

	// Organisation B alone, and everyone together.
	d = get(0, b)
	check("B stress made", d.Responses[0].Made, n(7))
	check("B stress answered", d.Responses[0].Responded, small)
	check("B stress response rate", d.Responses[0].Rate, small)
	check("B first contacts 3 to 6 days", d.FirstContact[3].Episodes, n(7))
	got = map[string]postgres.Figure{}
	for _, c := range d.Conversations {
		got[c.Language+"/"+string(c.Channel)] = c.Conversations
	}
	check("B English texts", got["en-GB/sms"], n(7))
	check("B Welsh texts", got["cy/sms"], n(5))
	check("B Polish web chats", got["pl/webchat"], small)
	check("B Welsh web chats", got["cy/webchat"], n(0))

	d = get(0, 0)
	check("all stress week 1", d.ContactsByWeek[1].Figures[0], n(13))

	// A period longer than 13 weeks is counted by calendar month: the
	// same check-ins, in the months they fell in.
	long, err := postgres.DashboardFor(ctx, db, 0, listing(postgres.DashboardFilter{From: time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC),
		To: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)}))
	if err != nil {
		t.Fatal(err)
	}
	var months []string
	for _, b := range long.Buckets {
		months = append(months, b.Format(time.DateOnly))
	}
	if !long.Monthly || strings.Join(months, " ") != "2026-01-01 2026-02-01 2026-03-01 2026-04-01 2026-05-01 2026-06-01" || d.Monthly {
		t.Errorf("buckets of January to June: monthly %v, %v; of a fortnight: monthly %v", long.Monthly, months, d.Monthly)
	}
	// Stress check-ins by month: March has A's ten of the fortnight, the
	// one sent on 20 March and B's seven; April the one sent just after
	// the fortnight (<5).
	checkAll("stress by month", long.ContactsByWeek[1].Figures, []postgres.Figure{n(0), n(0), n(18), small, n(0), n(0)})
	check("all median days", d.FirstContactMedian, n(2)) // ten 1s, five 2s, seven 3s
	check("all urgent median", d.Cases[0].MedianClaim, n(7))
	check("all urgent 90th percentile", d.Cases[0].P90Claim, n(51)) // 30 + 0.3 × (100 − 30)
	check("all urgent breached", d.Cases[0].Breached, small)

	// A pool too small to read the steps on connections of their own reads
	// them one after the other, to the same figures.
	narrow, err := postgres.Open(ctx, postgres.Config{URL: db.Pool.Config().ConnString(), MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer narrow.Close()
	if alone, err := postgres.DashboardFor(ctx, narrow, 0, period); err != nil || fmt.Sprintf("%+v", alone) != fmt.Sprintf("%+v", d) {
		t.Errorf("with a pool of 2 (%v):\n%+v\nwith 8:\n%+v", err, alone, d)
	}

	// The dashboard of every organisation holds each one's own, the same
	// as asking for it alone; one organisation's holds no others.
	if len(d.Organisations) != 3 {
		t.Fatalf("every organisation's dashboard has %d organisations' own, want 3", len(d.Organisations))
	}
	for _, od := range d.Organisations {
		alone := get(0, od.Filter.OrganisationID)
		if len(alone.Organisations) != 0 {
			t.Errorf("organisation %d's dashboard holds %d others", od.Filter.OrganisationID, len(alone.Organisations))
		}
		if fmt.Sprintf("%+v", od) != fmt.Sprintf("%+v", alone) {
			t.Errorf("organisation %d side by side:\n%+v\nalone:\n%+v", od.Filter.OrganisationID, od, alone)
		}
	}

	// A user of organisation A sees A's figures whatever they ask for,
	// and another organisation's never.
	mine := get(a, 0)
	if mine.Filter.OrganisationID != a {
		t.Errorf("a user of A was shown organisation %d", mine.Filter.OrganisationID)
	}
	check("A's user: stress made", mine.Responses[0].Made, n(10))
	if _, err := postgres.DashboardFor(ctx, db, a, postgres.DashboardFilter{OrganisationID: b, From: period.From, To: period.To}); !errors.Is(err, ohcontact.ErrNotFound) {
		t.Errorf("a user of A asking for B: %v, want ErrNotFound", err)
	}
	// An organisation with nothing: zeros and empty statistics.
	d = get(0, empty)
	check("nothing: made", d.Responses[3].Made, n(0))
	check("nothing: rate", d.Responses[3].Rate, none)
	check("nothing: median days", d.FirstContactMedian, none)
	if len(d.SignpostsByCategory) != 0 {
		t.Errorf("signposts with nothing: %+v", d.SignpostsByCategory)
	}
	if _, err := postgres.DashboardFor(ctx, db, 0, postgres.DashboardFilter{From: period.To, To: period.From}); !errors.Is(err, postgres.ErrBadPeriod) {
		t.Errorf("a period ending before it begins: %v, want ErrBadPeriod", err)
	}
}

// TestShare checks the rate of two published counts keeps the MinShown
// rule: nothing suppressed can be worked back out of it.
func TestShare(t *testing.T) {
	t.Parallel()
	n := func(v float64) postgres.Figure { return postgres.Figure{Value: v} }
	small := postgres.Figure{Suppressed: true}
	for _, tt := range []struct {
		name        string
		part, whole postgres.Figure
		want        postgres.Figure
	}{
		{"half", n(5), n(10), n(50)},
		{"all", n(12), n(12), n(100)},
		{"none of some", n(0), n(8), n(0)},
		{"nothing to measure", n(0), n(0), postgres.Figure{Empty: true}},
		{"a small part", small, n(10), small},
		{"a small whole", n(0), small, small},
		{"a small remainder", n(7), n(10), small},
	} {
		if got := postgres.Share(tt.part, tt.whole); got != tt.want {
			t.Errorf("%s: Share(%+v, %+v) = %+v, want %+v", tt.name, tt.part, tt.whole, got, tt.want)
		}
	}
}
