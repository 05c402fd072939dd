package console_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ohcontact/ohcontact"
)

// reachAndWork gives org, an hour ago, six stress check-ins (five answered
// and signposted, one cancelled as the person had opted out), and urgent
// suicide-risk cases: five messaged by a clinician after 10 minutes and
// resolved "support arranged", two not resolved nor messaged.
func (f *fixture) reachAndWork(org int64) {
	f.t.Helper()
	ctx := f.t.Context()
	n := f.seq.Add(1)
	_, err := f.db.Pool.Exec(ctx, `
		WITH s AS (
			INSERT INTO staff (organisation_id, assignment_number, first_name, last_name)
			SELECT $1, $2 || g, 'Ann', 'Example' FROM generate_series(1, 6) g RETURNING id),
		e AS (
			INSERT INTO absence_episodes (staff_id, starts_on, reason_code, source)
			SELECT id, current_date - 3, 'S10', 'hr_feed' FROM s RETURNING id, staff_id),
		k AS (
			INSERT INTO contacts (episode_id, trigger, flow, channel, state, state_reason, due_at)
			SELECT e.id, 'stress', 'stress-checkin', 'sms',
			       CASE WHEN e.staff_id = (SELECT max(staff_id) FROM e) THEN 'cancelled' ELSE 'responded' END,
			       CASE WHEN e.staff_id = (SELECT max(staff_id) FROM e) THEN $3 END, now() - interval '1 hour'
			FROM e RETURNING id, episode_id, state),
		c AS (
			INSERT INTO conversations (organisation_id, staff_id, contact_id, channel, address, flow, fsm_state, status, closed_reason, closed_at)
			SELECT $1, e.staff_id, k.id, 'sms', 'reach-' || k.id, 'stress-checkin', 'done', 'closed', 'completed', now()
			FROM k JOIN e ON e.id = k.episode_id WHERE k.state = 'responded' RETURNING id),
		m AS (
			INSERT INTO messages (conversation_id, seq, direction, channel, author, body, delivery_status)
			SELECT id, 1, 'inbound', 'sms', 'staff', 'hello', 'received' FROM c)
		INSERT INTO signposts (organisation_id, conversation_id, service, category) SELECT $1, id, 'wellbeing_hub', 'wellbeing' FROM c`,
		org, fmt.Sprintf("3%03d-", n), "the person has opted out of messages")
	if err != nil {
		f.t.Fatal(err)
	}
	_, err = f.db.Pool.Exec(ctx, `
		WITH u AS (SELECT id FROM users ORDER BY id LIMIT 1),
		c AS (
			INSERT INTO conversations (organisation_id, channel, address, flow, fsm_state, created_at)
			SELECT $1, 'sms', 'risk-' || $2::bigint || '-' || g, 'support', 'clinician', now() - interval '2 hours'
			FROM generate_series(1, 7) g RETURNING id),
		k AS (
			INSERT INTO cases (organisation_id, conversation_id, priority, category, sla_due_at, created_at,
			                   status, outcome, resolved_by, resolved_at)
			SELECT $1, c.id, 'urgent', 'suicide_risk', now() - interval '45 minutes', now() - interval '1 hour',
			       CASE WHEN n <= 5 THEN 'resolved' ELSE 'open' END, CASE WHEN n <= 5 THEN 'support_arranged' END,
			       CASE WHEN n <= 5 THEN u.id END, CASE WHEN n <= 5 THEN now() END
			FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM c) c, u RETURNING id, conversation_id, status)
		INSERT INTO messages (conversation_id, seq, direction, channel, author, author_user_id, body, delivery_status, created_at)
		SELECT k.conversation_id, 1, 'outbound', 'sms', 'clinician', u.id, 'hello', 'delivered', now() - interval '50 minutes'
		FROM k, u WHERE k.status = 'resolved'`, org, n)
	if err != nil {
		f.t.Fatal(err)
	}
}

func TestDashboardReachAndWork(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("lead@example.nhs.uk", "Lee Lead", ohcontact.RoleLead, f.org)
	f.reachAndWork(f.org)
	f.reachAndWork(f.otherOrg)

	b := f.signIn("lead@example.nhs.uk")
	_, page := b.get("/console/dashboard")
	figures := pageFigures(page)
	for _, id := range []string{"reach_funnel", "reach_lost", "case_outcomes", "physio_referral_outcomes", "callback_resolution",
		"disclosure_to_contact"} {
		if !strings.Contains(page, `<section class="chart" id="chart-`+id+`"`) || !strings.Contains(page, `<table class="table" data-chart="`+id+`">`) {
			t.Errorf("no chart and table %s", id)
		}
	}
	// The lead's organisation only: six eligible, five supported, one
	// opted out (<5); the other organisation's are not counted.
	for k, want := range map[figureKey]string{
		{"reach_funnel", "All check-ins", "Eligible: a trigger applied"}:            "6",
		{"reach_funnel", "Stress check-ins", "Supported"}:                           "5",
		{"reach_funnel", "MSK check-ins", "Sent"}:                                   "0",
		{"reach_lost", "All check-ins", "Not sent: the person had opted out"}:       "<5",
		{"reach_lost", "All check-ins", "Not delivered: web chat never seen"}:       "0",
		{"case_outcomes", "Urgent", "Contacted – support arranged"}:                 "5",
		{"case_outcomes", "Urgent", "Not resolved yet"}:                             "<5",
		{"case_outcomes", "High", "Emergency services contacted"}:                   "0",
		{"disclosure_to_contact", "Opened", "Urgent (SLA 15 min)"}:                  "7",
		{"disclosure_to_contact", "Messaged within SLA", "Urgent (SLA 15 min)"}:     "5",
		{"disclosure_to_contact", "Median (minutes)", "Urgent (SLA 15 min)"}:        "10.0",
		{"disclosure_to_contact", "Waiting, no message yet", "Urgent (SLA 15 min)"}: "<5",
		{"callback_resolution", "Resolved within SLA (%)", "All OH call-backs"}:     "n/a",
		{"physio_referral_outcomes", "Referrals", "Made"}:                           "0",
	} {
		if got, ok := figures[k]; got != want {
			t.Errorf("%v = %q (shown: %v), want %q", k, got, ok, want)
		}
	}
	_, body := b.get("/console/dashboard.csv")
	if got := csvFigures(t, body)["RX1"]; fmt.Sprint(got) != fmt.Sprint(figures) {
		t.Errorf("the export differs from the page:\nexport %v\npage   %v", got, figures)
	}
}
