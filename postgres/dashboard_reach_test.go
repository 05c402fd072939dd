package postgres_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// reachContact makes a person of org (with a mobile or not) absent with a
// check-in of trigger due at due, in state with reason, and returns the
// contact.
func (f *dashFixture) reachContact(org int64, trigger, state, reason string, due time.Time, mobile bool) (staff, contact int64) {
	f.t.Helper()
	staff = f.staff(org)
	if mobile {
		f.exec(`UPDATE staff SET mobile = $2 WHERE id = $1`, staff, fmt.Sprintf("+4477009%05d", staff))
	}
	episode := f.absent(staff, "S10", "2026-03-01", "")
	contact = f.id(`INSERT INTO contacts (episode_id, trigger, flow, channel, state, state_reason, due_at)
		VALUES ($1, $2, 'stress-checkin', 'sms', $3, nullif($4, ''), $5) RETURNING id`, episode, trigger, state, reason, due)
	return staff, contact
}

// reachConv opens a conversation of the contact on channel, closed with
// closed ("" leaves it open), and adds its messages: each of statuses is
// an outbound message's delivery status, or "inbound" for a reply.
func (f *dashFixture) reachConv(org, staff, contact int64, channel, closed string, statuses ...string) int64 {
	f.t.Helper()
	f.n++
	conv := f.id(`INSERT INTO conversations (organisation_id, staff_id, contact_id, channel, address, flow, fsm_state,
		status, closed_reason, closed_at)
		VALUES ($1, $2, $3, $4, $5, 'stress-checkin', 'x', CASE WHEN $6 = '' THEN 'open' ELSE 'closed' END, nullif($6, ''),
		        CASE WHEN $6 <> '' THEN now() END) RETURNING id`,
		org, staff, contact, channel, fmt.Sprintf("reach-%d", f.n), closed)
	for i, s := range statuses {
		dir, author := "outbound", "bot"
		if s == "inbound" {
			dir, author, s = "inbound", "staff", "received"
		}
		f.exec(`INSERT INTO messages (conversation_id, seq, direction, channel, author, body, delivery_status)
			VALUES ($1, $2, $3, $4, $5, 'x', $6)`, conv, i+1, dir, channel, author, s)
	}
	return conv
}

// reachScenario makes one check-in of trigger due at due that stops at
// the Lost reason (or goes all the way: "supported_…") named.
func (f *dashFixture) reachScenario(org int64, trigger, scenario string, due time.Time) {
	f.t.Helper()
	contact := func(state, reason string) (int64, int64) {
		return f.reachContact(org, trigger, state, reason, due, true)
	}
	answered := func() (int64, int64) {
		s, k := contact("responded", "")
		return s, f.reachConv(org, s, k, "sms", "completed", "delivered", "inbound")
	}
	switch scenario {
	case "not_applicable":
		contact("cancelled", postgres.ReasonNotApplicable)
	case "late":
		contact("skipped", "due Wed 1 Apr 2026 10:00 was more than 2d ago when the absence was recorded")
	case "not_yet_sent":
		contact("scheduled", "")
	case "returned":
		contact("cancelled", postgres.ReasonReturned+" (the absence ended 2026-04-02)")
	case "opted_out":
		contact("cancelled", postgres.ReasonOptedOut)
	case "clinician":
		contact("cancelled", postgres.ReasonClinician)
	case "no_send_time":
		contact("failed", postgres.ReasonNoSendTime)
	case "other_not_sent":
		contact("cancelled", "due before the pilot began")
	case "delivery_failed": // the first text failed, the reminder was undelivered
		s, k := contact("reminded", "")
		f.reachConv(org, s, k, "sms", "", "failed", "undelivered")
	case "webchat_unseen":
		s, k := contact("sent", "")
		f.reachConv(org, s, k, "webchat", "", "sent")
	case "webchat_unseen_no_mobile": // closed after the reminder, never seen
		s, k := f.reachContact(org, trigger, "no_response", "", due, false)
		f.reachConv(org, s, k, "webchat", "no_response", "sent", "sent")
	case "not_confirmed":
		s, k := contact("sent", "")
		f.reachConv(org, s, k, "sms", "", "sent")
	case "no_reply":
		s, k := contact("no_response", "")
		f.reachConv(org, s, k, "sms", "no_response", "delivered", "delivered")
	case "waiting_reply":
		s, k := contact("sent", "")
		f.reachConv(org, s, k, "sms", "", "delivered")
	case "returned_unanswered":
		s, k := contact("reminded", "")
		f.reachConv(org, s, k, "sms", "returned_to_work", "delivered", "delivered")
	case "other_unanswered": // seen in the web chat, ended by the person
		s, k := contact("sent", "")
		f.reachConv(org, s, k, "webchat", "ended", "delivered")
	case "stopped":
		s, k := contact("responded", "")
		f.reachConv(org, s, k, "sms", "opted_out", "delivered", "inbound")
	case "no_support": // no delivery report, but the reply shows it arrived
		s, k := contact("responded", "")
		f.reachConv(org, s, k, "sms", "completed", "sent", "inbound")
	case "supported_signpost":
		_, c := answered()
		f.exec(`INSERT INTO signposts (organisation_id, conversation_id, service, category) VALUES ($1, $2, 'wellbeing_hub', 'wellbeing')`, org, c)
	case "supported_referral":
		s, c := answered()
		f.exec(`INSERT INTO referrals (organisation_id, staff_id, conversation_id, kind) VALUES ($1, $2, $3, 'physiotherapy')`, org, s, c)
	case "supported_case": // a case and a signpost: supported once
		s, c := answered()
		f.exec(`INSERT INTO cases (organisation_id, conversation_id, staff_id, priority, category, sla_due_at)
			VALUES ($1, $2, $3, 'routine', 'asked_to_talk', now())`, org, c, s)
		f.exec(`INSERT INTO signposts (organisation_id, conversation_id, service, category) VALUES ($1, $2, 'samaritans', 'crisis')`, org, c)
	case "supported_fallback": // the web chat was never seen; the text that followed was answered
		s, k := contact("responded", "")
		f.reachConv(org, s, k, "webchat", "no_response", "sent")
		c := f.reachConv(org, s, k, "sms", "completed", "delivered", "inbound")
		f.exec(`INSERT INTO signposts (organisation_id, conversation_id, service, category) VALUES ($1, $2, 'msk_physio', 'msk')`, org, c)
	default:
		f.t.Fatalf("no reach scenario %q", scenario)
	}
}

// TestDashboardReach checks the reach funnel against check-ins built by
// hand, one scenario for each reason a check-in stops, in April 2026.
func TestDashboardReach(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := &dashFixture{t: t, ctx: ctx, db: db}
	a, b := f.org("RA"), f.org("RB")
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 4, 7, 10, 0, 0, 0, london)

	// Organisation A, due on 7 April. How many check-ins of each trigger
	// stop where:
	//
	//	                      stress  msk
	//	not applicable (out)    2      1
	//	late                    5      .
	//	not yet sent            1      .
	//	returned                5      .
	//	opted out               .      5
	//	clinician               2      .
	//	no send time            .      5
	//	other, not sent         .      1
	//	delivery failed         5      .
	//	web chat unseen         .      5
	//	  with no mobile        5      .
	//	not confirmed           1      .
	//	no reply                6      .
	//	waiting for a reply     .      5
	//	returned unanswered     5      .
	//	other, unanswered       .      1
	//	stopped                 5      .
	//	no support              3      .
	//	supported            5+3+2     5 (signpost, referral, case; fallback)
	//
	// Stress: eligible 53 (all but the 2 not applicable); scheduled 53 − 5
	// late = 48; sent 48 − 1 − 5 − 2 = 40; delivered 40 − 5 − 5 − 1 = 29;
	// answered 29 − 6 − 5 = 18; supported 18 − 5 − 3 = 10.
	// MSK: eligible 27; scheduled 27; sent 27 − 5 − 5 − 1 = 16; delivered
	// 16 − 5 = 11; answered 11 − 5 − 1 = 5; supported 5.
	// All: 80, 75, 56, 40, 23, 15. Long-term: none, all zeros.
	counts := []struct {
		scenario    string
		stress, msk int
	}{
		{"not_applicable", 2, 1}, {"late", 5, 0}, {"not_yet_sent", 1, 0}, {"returned", 5, 0}, {"opted_out", 0, 5},
		{"clinician", 2, 0}, {"no_send_time", 0, 5}, {"other_not_sent", 0, 1}, {"delivery_failed", 5, 0},
		{"webchat_unseen", 0, 5}, {"webchat_unseen_no_mobile", 5, 0}, {"not_confirmed", 1, 0}, {"no_reply", 6, 0},
		{"waiting_reply", 0, 5}, {"returned_unanswered", 5, 0}, {"other_unanswered", 0, 1}, {"stopped", 5, 0},
		{"no_support", 3, 0}, {"supported_signpost", 5, 0}, {"supported_referral", 3, 0}, {"supported_case", 2, 0},
		{"supported_fallback", 0, 5},
	}
	for _, c := range counts {
		for range c.stress {
			f.reachScenario(a, string(ohcontact.TriggerStress), c.scenario, due)
		}
		for range c.msk {
			f.reachScenario(a, string(ohcontact.TriggerMSK), c.scenario, due)
		}
	}
	// Not counted for A: due just before the period (23:59 on 31 March)
	// and at its end (midnight starting 1 May); organisation B's seven
	// long-term check-ins, all supported.
	f.reachScenario(a, string(ohcontact.TriggerStress), "supported_signpost", time.Date(2026, 3, 31, 23, 59, 0, 0, london))
	f.reachScenario(a, string(ohcontact.TriggerStress), "supported_signpost", time.Date(2026, 5, 1, 0, 0, 0, 0, london))
	for range 7 {
		f.reachScenario(b, string(ohcontact.TriggerLongTerm), "supported_signpost", due)
	}

	april := func(org int64) postgres.DashboardFilter {
		return listing(postgres.DashboardFilter{OrganisationID: org, From: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC)})
	}
	d, err := postgres.DashboardFor(ctx, db, 0, april(a))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Reach) != 4 {
		t.Fatalf("%d funnels, want stress, msk, long-term and all", len(d.Reach))
	}
	small := postgres.Figure{Suppressed: true}
	n := func(v int) postgres.Figure {
		if v > 0 && v < postgres.MinShown {
			return small
		}
		return postgres.Figure{Value: float64(v)}
	}
	check := func(what string, got, want postgres.Figure) {
		t.Helper()
		if got.Suppressed != want.Suppressed || got.Empty != want.Empty || math.Abs(got.Value-want.Value) > 0.001 {
			t.Errorf("%s = %+v, want %+v", what, got, want)
		}
	}
	steps := []string{postgres.ReachEligible, postgres.ReachScheduled, postgres.ReachSent, postgres.ReachDelivered,
		postgres.ReachAnswered, postgres.ReachSupported}
	funnel := func(f postgres.ReachFunnel, want []int, lost map[string]int) {
		t.Helper()
		if len(f.Steps) != len(steps) {
			t.Fatalf("%q: %d steps, want %d", f.Trigger, len(f.Steps), len(steps))
		}
		for i, s := range f.Steps {
			if s.Step != steps[i] {
				t.Errorf("%q step %d is %q, want %q", f.Trigger, i, s.Step, steps[i])
			}
			check(fmt.Sprintf("%q %s", f.Trigger, s.Step), s.Contacts, n(want[i]))
			for _, l := range s.Lost {
				check(fmt.Sprintf("%q lost at %s: %s", f.Trigger, s.Step, l.Key), l.Count, n(lost[l.Key]))
			}
		}
	}
	funnel(d.Reach[0], []int{53, 48, 40, 29, 18, 10}, map[string]int{"late": 5, "not_yet_sent": 1, "returned": 5, "clinician": 2,
		"delivery_failed": 5, "webchat_unseen_no_mobile": 5, "not_confirmed": 1, "no_reply": 6, "returned_unanswered": 5,
		"stopped": 5, "no_support": 3})
	funnel(d.Reach[1], []int{27, 27, 16, 11, 5, 5}, map[string]int{"opted_out": 5, "no_send_time": 5, "other_not_sent": 1,
		"webchat_unseen": 5, "waiting_reply": 5, "other_unanswered": 1})
	funnel(d.Reach[2], []int{0, 0, 0, 0, 0, 0}, nil)
	funnel(d.Reach[3], []int{80, 75, 56, 40, 23, 15}, map[string]int{"late": 5, "not_yet_sent": 1, "returned": 5, "opted_out": 5,
		"clinician": 2, "no_send_time": 5, "other_not_sent": 1, "delivery_failed": 5, "webchat_unseen": 5,
		"webchat_unseen_no_mobile": 5, "not_confirmed": 1, "no_reply": 6, "waiting_reply": 5, "returned_unanswered": 5,
		"other_unanswered": 1, "stopped": 5, "no_support": 3})
	if d.Reach[0].Trigger != string(ohcontact.TriggerStress) || d.Reach[3].Trigger != "" {
		t.Errorf("funnels of %q … %q, want stress … all", d.Reach[0].Trigger, d.Reach[3].Trigger)
	}
	if got := len(d.Reach[3].Steps[0].Lost) + len(d.Reach[3].Steps[1].Lost) + len(d.Reach[3].Steps[2].Lost) +
		len(d.Reach[3].Steps[3].Lost) + len(d.Reach[3].Steps[4].Lost) + len(d.Reach[3].Steps[5].Lost); got != 17 {
		t.Errorf("%d reasons listed, want all 17 every time", got)
	}

	// Every organisation: B's long-term check-ins join in.
	d, err = postgres.DashboardFor(ctx, db, 0, april(0))
	if err != nil {
		t.Fatal(err)
	}
	funnel(d.Reach[2], []int{7, 7, 7, 7, 7, 7}, nil)
	check("all organisations, all check-ins supported", d.Reach[3].Steps[5].Contacts, n(22))
}
