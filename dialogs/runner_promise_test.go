package dialogs_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/dialogs"
	"github.com/ohcontact/ohcontact/signposting"
)

// start opens a check-in of flow with Ann by SMS, as a scheduled contact
// would: the flow's first message is taken as sent.
func (f *runnerFixture) start(t *testing.T, flow string) {
	t.Helper()
	res, err := f.engine.Start(flow, dialogs.StartInfo{Org: signposting.DemoCode, Channel: ohcontact.ChannelSMS, Known: true, FirstName: "Ann"})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(res.State)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Pool.Exec(t.Context(), `
		INSERT INTO conversations (organisation_id, staff_id, channel, address, flow, fsm_state, data, language)
		SELECT $1, id, 'sms', $2, $3, $4, $5, 'en-GB' FROM staff WHERE mobile = $2`,
		f.orgID, annMobile, res.State.Flow, res.State.Step, data); err != nil {
		t.Fatal(err)
	}
}

// TestRunnerPromisesAreWork: what the bot promises stands on tracked work.
// Asking for a call back in the stress check-in opens a routine case in
// the clinicians' queue, due in 2 working days, with its SLA check; the
// MSK check-in's referral, even with "about a month" for how long, is a
// new referral for the physio team with its own SLA check.
func TestRunnerPromisesAreWork(t *testing.T) {
	t.Parallel()
	f := newRunnerFixture(t)
	ctx := t.Context()
	f.start(t, dialogs.FlowStressCheckin)
	for _, text := range []string{"yes", "2", "0", "0", "0", "0", "4"} {
		f.send(t, annMobile, text)
	}
	var priority, status string
	var due time.Time
	if err := f.db.Pool.QueryRow(ctx, `SELECT priority, status, sla_due_at FROM cases WHERE category = 'callback_requested'`).
		Scan(&priority, &status, &due); err != nil {
		t.Fatalf("no call-back case: %v (last reply %q)", err, f.conversation(t, annMobile).lastReply)
	}
	// Asked on Wednesday 18 November at 10:00: due Friday at 10:00.
	if priority != "routine" || status != "open" || !due.Equal(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("call-back case %s, %s, due %s; want routine, open, due in 2 working days", priority, status, due)
	}
	var checks int
	f.db.Pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'case_sla_check'`).Scan(&checks)
	if checks != 1 {
		t.Errorf("%d SLA checks, want the call-back case's", checks)
	}
	f.db.Pool.Exec(ctx, `UPDATE conversations SET status = 'closed', closed_reason = 'completed', closed_at = now()`)

	f.start(t, dialogs.FlowMSKCheckin)
	for _, text := range []string{"yes", "2", "yes", "6", "about a month", "1", "2"} {
		f.send(t, annMobile, text)
	}
	var answers map[string]string
	if err := f.db.Pool.QueryRow(ctx, `SELECT status, answers FROM referrals`).Scan(&status, &answers); err != nil {
		t.Fatalf("no referral: %v (last reply %q)", err, f.conversation(t, annMobile).lastReply)
	}
	if status != "new" || answers["area"] != "knee" || answers["duration"] != "2_to_6_weeks" || answers["contact"] != "phone_morning" {
		t.Errorf("referral %s with answers %v; want new, knee, 2 to 6 weeks, a morning phone call", status, answers)
	}
	f.db.Pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'referral_sla_check'`).Scan(&checks)
	if checks != 1 {
		t.Errorf("%d referral SLA checks, want 1", checks)
	}
}
