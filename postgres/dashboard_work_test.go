package postgres_test

import (
	"math"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// workCase opens a case of org with priority p and category at opened,
// due after sla, resolved with outcome after resolved (not when outcome is
// empty), and returns it and its conversation.
func (f *dashFixture) workCase(org int64, p ohcontact.Priority, category string, opened time.Time, sla time.Duration,
	outcome string, resolved time.Duration) (id, conv int64) {
	f.t.Helper()
	user := f.id(`INSERT INTO users (email, display_name, role, password_hash) VALUES ('w' || gen_random_uuid() || '@example.nhs.uk', 'W', 'clinician', 'x') RETURNING id`)
	staff := f.staff(org)
	conv = f.conv(org, staff, 0, "support", "sms", "en-GB", opened.Add(-time.Hour))
	id = f.id(`INSERT INTO cases (organisation_id, conversation_id, staff_id, priority, category, sla_due_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, org, conv, staff, p, category, opened.Add(sla), opened)
	if outcome != "" {
		f.exec(`UPDATE cases SET status = 'resolved', outcome = $2, resolved_by = $3, resolved_at = $4 WHERE id = $1`,
			id, outcome, user, opened.Add(resolved))
	}
	return id, conv
}

// clinicianMessage adds a clinician's message at at to conversation conv.
func (f *dashFixture) clinicianMessage(conv int64, at time.Time) {
	f.t.Helper()
	user := f.id(`SELECT id FROM users ORDER BY id LIMIT 1`)
	f.exec(`INSERT INTO messages (conversation_id, seq, direction, channel, author, author_user_id, body, delivery_status, created_at)
		VALUES ($1, (SELECT coalesce(max(seq), 0) + 1 FROM messages WHERE conversation_id = $1), 'outbound', 'sms', 'clinician', $2, 'x', 'delivered', $3)`,
		conv, user, at)
}

// TestDashboardWork checks the outcomes of the work (case outcomes,
// referral totals, call-backs resolved in time, time from disclosure to a
// clinician's first message) against cases and referrals built by hand in
// April 2026.
func TestDashboardWork(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := &dashFixture{t: t, ctx: ctx, db: db}
	a, b := f.org("WA"), f.org("WB")
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	opened := time.Date(2026, 4, 7, 10, 0, 0, 0, london)
	const urgentSLA, highSLA = 15 * time.Minute, 4 * time.Hour
	minutes := func(m int) time.Duration { return time.Duration(m) * time.Minute }

	// Disclosures. Urgent (SLA 15 minutes): nine. Seven messaged by a
	// clinician after 3, 5, 8, 10, 12 and 20 minutes in the case's
	// conversation, and after 40 minutes in a conversation following the
	// case (its conversation also has a clinician's message from an hour
	// before the case, which does not count); five resolved "support
	// arranged", two "referred to crisis or GP". One resolved "emergency
	// services" with no message (a phone call), one still waiting.
	// Median of 3, 5, 8, 10, 12, 20, 40 is 10; the 90th percentile
	// 20 + 0.4 × (40 − 20) = 28; within the SLA: 3 … 12, five.
	for i, m := range []int{3, 5, 8, 10, 12, 20, 40} {
		outcome := "support_arranged"
		if i >= 5 {
			outcome = "referred_crisis_or_gp"
		}
		k, conv := f.workCase(a, ohcontact.PriorityUrgent, "suicide_risk", opened, urgentSLA, outcome, 2*time.Hour)
		if m < 40 {
			f.clinicianMessage(conv, opened.Add(minutes(m)))
			continue
		}
		f.clinicianMessage(conv, opened.Add(-time.Hour))
		thread := f.conv(a, 0, 0, "support", "sms", "en-GB", opened.Add(minutes(30)))
		f.exec(`UPDATE conversations SET follows_case_id = $2 WHERE id = $1`, thread, k)
		f.clinicianMessage(thread, opened.Add(minutes(m)))
	}
	f.workCase(a, ohcontact.PriorityUrgent, "self_harm", opened, urgentSLA, "emergency_services", minutes(30))
	f.workCase(a, ohcontact.PriorityUrgent, "suicide_risk", opened, urgentSLA, "", 0)
	// High: two hopelessness cases messaged after an hour, "no risk found".
	for range 2 {
		_, conv := f.workCase(a, ohcontact.PriorityHigh, "hopelessness", opened, highSLA, "no_risk_found", 2*time.Hour)
		f.clinicianMessage(conv, opened.Add(time.Hour))
	}
	// Not a disclosure: a routine "asked to talk" case, messaged, open.
	_, talk := f.workCase(a, ohcontact.PriorityRoutine, "asked_to_talk", opened, 48*time.Hour, "", 0)
	f.clinicianMessage(talk, opened.Add(time.Hour))

	// Call-backs, due two working days later (Thursday 9 April, 10:00):
	// ten asked for a call back, five resolved at the deadline exactly (in
	// time) and five a day after it; two asked for an appointment, one
	// resolved in time and one not resolved. All resolved "no further
	// action".
	for i := range 10 {
		resolved := 48 * time.Hour
		if i >= 5 {
			resolved = 72 * time.Hour
		}
		f.workCase(a, ohcontact.PriorityRoutine, "callback_requested", opened, 48*time.Hour, "no_further_action", resolved)
	}
	f.workCase(a, ohcontact.PriorityRoutine, "appointment_requested", opened, 48*time.Hour, "no_further_action", time.Hour)
	f.workCase(a, ohcontact.PriorityRoutine, "appointment_requested", opened, 48*time.Hour, "", 0)

	// Referrals: three made on 8 April and three on 15 April (two weeks,
	// three each). Two attended, one did not attend, one declined after
	// being accepted, one booked and waiting, one new.
	for i, status := range []string{"attended", "attended", "did_not_attend", "declined", "booked", "new"} {
		made := time.Date(2026, 4, 8+7*(i/3), 9, 0, 0, 0, london)
		r := f.referral(a, made)
		switch status {
		case "attended", "did_not_attend", "booked":
			f.referralEvent(r, "accepted", made.Add(time.Hour))
			f.referralEvent(r, "booked", made.Add(24*time.Hour))
			if status != "booked" {
				f.referralEvent(r, status, made.Add(8*24*time.Hour))
			}
		case "declined":
			f.referralEvent(r, "accepted", made.Add(time.Hour))
			f.referralEvent(r, "declined", made.Add(2*time.Hour))
		}
	}

	// Not counted for A: organisation B's urgent disclosure, call-back and
	// referral; A's urgent case and referral from 31 March.
	f.workCase(b, ohcontact.PriorityUrgent, "suicide_risk", opened, urgentSLA, "support_arranged", time.Hour)
	f.workCase(b, ohcontact.PriorityRoutine, "callback_requested", opened, 48*time.Hour, "", 0)
	f.referral(b, opened)
	before := time.Date(2026, 3, 31, 12, 0, 0, 0, london)
	f.workCase(a, ohcontact.PriorityUrgent, "suicide_risk", before, urgentSLA, "support_arranged", time.Hour)
	f.referral(a, before)

	april := func(org int64) postgres.DashboardFilter {
		return listing(postgres.DashboardFilter{OrganisationID: org, From: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC)})
	}
	d, err := postgres.DashboardFor(ctx, db, 0, april(a))
	if err != nil {
		t.Fatal(err)
	}
	w := d.Work
	v := func(x float64) postgres.Figure { return postgres.Figure{Value: x} }
	small, none := postgres.Figure{Suppressed: true}, postgres.Figure{Empty: true}
	check := func(what string, got, want postgres.Figure) {
		t.Helper()
		if got.Suppressed != want.Suppressed || got.Empty != want.Empty || math.Abs(got.Value-want.Value) > 0.001 {
			t.Errorf("%s = %+v, want %+v", what, got, want)
		}
	}

	// Case outcomes: urgent 5 support arranged, 2 referred, 1 emergency
	// services, 1 open; high 2 no risk found; routine 11 no further action
	// (call-backs), 2 open (the appointment and "asked to talk").
	type tally struct {
		key  string
		want postgres.Figure
	}
	wantOutcomes := map[ohcontact.Priority][]tally{
		ohcontact.PriorityUrgent:  {{"emergency_services", small}, {"referred_crisis_or_gp", small}, {"support_arranged", v(5)}, {"", small}},
		ohcontact.PriorityHigh:    {{"no_risk_found", small}, {"", v(0)}},
		ohcontact.PriorityRoutine: {{"no_further_action", v(11)}, {"", small}},
	}
	if len(w.CaseOutcomes) != 3 {
		t.Fatalf("%d priorities of case outcomes, want 3", len(w.CaseOutcomes))
	}
	for i, p := range []ohcontact.Priority{ohcontact.PriorityUrgent, ohcontact.PriorityHigh, ohcontact.PriorityRoutine} {
		got := w.CaseOutcomes[i]
		if got.Priority != p || len(got.Outcomes) != len(wantOutcomes[p]) {
			t.Errorf("case outcomes %d = %+v, want %s: %v", i, got, p, wantOutcomes[p])
			continue
		}
		for j, want := range wantOutcomes[p] {
			if got.Outcomes[j].Key != want.key {
				t.Errorf("%s outcome %d is %q, want %q", p, j, got.Outcomes[j].Key, want.key)
			}
			check(string(p)+" "+want.key, got.Outcomes[j].Count, want.want)
		}
	}

	// Referrals of the period: made 6; accepted 5 (all but the new one);
	// booked 4 (attended, did not attend, booked); attended 2, did not
	// attend 1, declined 1, new 1. Each week alone has 3, under 5.
	r := w.Referrals
	check("referrals made", r.Made, v(6))
	check("referrals accepted", r.Accepted, v(5))
	check("referrals booked", r.Booked, small)
	check("referrals attended", r.Attended, small)
	check("referrals did not attend", r.DidNotAttend, small)
	check("referrals declined", r.Declined, small)
	check("referrals new", r.New, small)
	check("week of 6 April made", d.Referrals[1].Made, small)

	// Call-backs: asked for a call back 10, 5 in time, 5 late, 0 open,
	// 50%; appointment 2 (1 in time, 1 open): all suppressed; physio
	// declined none: no rate; all 12, 6 in time, 5 late, 1 open, 50%.
	if len(w.CallBacks) != 4 {
		t.Fatalf("%d call-back rows, want 3 categories and all", len(w.CallBacks))
	}
	c := w.CallBacks[0]
	if c.Category != "callback_requested" || w.CallBacks[3].Category != "" {
		t.Errorf("call-back rows %q … %q, want callback_requested … all", c.Category, w.CallBacks[3].Category)
	}
	check("call backs opened", c.Opened, v(10))
	check("call backs resolved in time", c.ResolvedInTime, v(5))
	check("call backs resolved late", c.ResolvedLate, v(5))
	check("call backs unresolved", c.Unresolved, v(0))
	check("call backs in time (%)", c.InTimeRate, v(50))
	c = w.CallBacks[1]
	check("appointments opened", c.Opened, small)
	check("appointments resolved in time", c.ResolvedInTime, small)
	check("appointments in time (%)", c.InTimeRate, small)
	check("physio declined in time (%)", w.CallBacks[2].InTimeRate, none)
	c = w.CallBacks[3]
	check("all call-backs opened", c.Opened, v(12))
	check("all call-backs resolved in time", c.ResolvedInTime, v(6))
	check("all call-backs unresolved", c.Unresolved, small)
	check("all call-backs in time (%)", c.InTimeRate, v(50))

	// Disclosures: urgent as worked out above; high 2 (suppressed, and so
	// their times); routine none.
	if len(w.Disclosures) != 3 {
		t.Fatalf("%d priorities of disclosures, want 3", len(w.Disclosures))
	}
	u := w.Disclosures[0]
	check("urgent disclosures", u.Opened, v(9))
	check("urgent messaged", u.Messaged, v(7))
	check("urgent resolved without a message", u.ResolvedWithout, small)
	check("urgent waiting", u.Waiting, small)
	check("urgent median minutes", u.Median, v(10))
	check("urgent 90th percentile minutes", u.P90, v(28))
	check("urgent messaged within SLA", u.WithinSLA, v(5))
	h := w.Disclosures[1]
	check("high disclosures", h.Opened, small)
	check("high median minutes", h.Median, small)
	check("routine disclosures", w.Disclosures[2].Opened, v(0))
	check("routine median minutes", w.Disclosures[2].Median, none)

	// Every organisation: B's urgent disclosure and call-back join in.
	d, err = postgres.DashboardFor(ctx, db, 0, april(0))
	if err != nil {
		t.Fatal(err)
	}
	check("all organisations' urgent disclosures", d.Work.Disclosures[0].Opened, v(10))
	check("all organisations' call-backs", d.Work.CallBacks[3].Opened, v(13))
	check("all organisations' referrals", d.Work.Referrals.Made, v(7))
}
