package campaigns_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/campaigns"
	"github.com/ohcontact/ohcontact/triggers"
)

// TestUnfinishedConversationsClose: a campaign conversation left open with
// the bot is closed as no_response once nothing has been said in it for
// close_after (72 hours by default) after the reminder, or after the
// invitation when there is no reminder; a reply meanwhile ("not now")
// puts the closing off by close_after; a finished conversation and one
// the OH team holds are left alone. Once closed, the person's next text
// starts a conversation of its own, and a contact is not held for it.
func TestUnfinishedConversationsClose(t *testing.T) {
	t.Parallel()
	const day = 24 * time.Hour
	for _, tc := range []struct {
		name        string
		noReminder  bool
		replies     map[time.Duration]string // after the invitation
		closeAt     time.Duration            // after the invitation; 0: never
		closeReason string                   // of the campaign's conversation in the end; "" open
	}{
		{name: "never answered: closed three days after the reminder", closeAt: 6 * day, closeReason: "no_response"},
		{name: "no reminder: closed three days after the invitation", noReminder: true, closeAt: 3 * day, closeReason: "no_response"},
		{name: "not now after the reminder: put off by three days", replies: map[time.Duration]string{4 * day: "not now"},
			closeAt: 9 * day, closeReason: "no_response"},
		{name: "booked: left as completed", replies: map[time.Duration]string{day: "booked"}, closeReason: "completed"},
		{name: "a question: the OH team holds it open", replies: map[time.Duration]string{day: "can I have it if I'm pregnant?"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			ctx := t.Context()
			staff, _ := f.staff(t, person{department: "Ward 3", mobile: true})
			n := f.campaign()
			if tc.noReminder {
				n.RemindAfter = 0
			}
			id := f.create(t, n).CampaignID
			if err := f.c.Start(ctx, 0, id, f.lead); err != nil {
				t.Fatal(err)
			}
			if s, _, err := f.c.SendOne(ctx, id); err != nil || s != "sms" {
				t.Fatalf("send: %s, %v", s, err)
			}
			conversation := func() (string, string) {
				var status, reason string
				if err := f.db.Pool.QueryRow(ctx, `SELECT c.status, coalesce(c.closed_reason, '') FROM conversations c
					JOIN campaign_members m ON m.id = c.campaign_member_id WHERE m.staff_id = $1 ORDER BY c.id DESC LIMIT 1`, staff).
					Scan(&status, &reason); err != nil {
					t.Fatal(err)
				}
				return status, reason
			}
			// Hour by hour for twelve days, the reply, the reminder and the
			// closing jobs run when due, as River would run them.
			closedAt := time.Duration(0)
			for h := time.Duration(0); h <= 12*day; h += time.Hour {
				f.clock.Set(monday.Add(h))
				if text, ok := tc.replies[h]; ok {
					if err := f.runner.HandleInbound(ctx, ohcontact.Inbound{Channel: ohcontact.ChannelSMS, Address: mobileOf(t, f, staff),
						Text: text, ExternalID: "SM" + h.String(), ReceivedAt: f.clock.Now()}); err != nil {
						t.Fatal(err)
					}
				}
				f.runDue(t)
				if status, _ := conversation(); status == "closed" && closedAt == 0 {
					closedAt = h
				}
			}
			status, reason := conversation()
			if reason != tc.closeReason || (tc.closeReason == "" && status != "open") {
				t.Errorf("the campaign's conversation is %s (%q); want closed %q", status, reason, tc.closeReason)
			}
			if tc.closeReason == "no_response" && closedAt != tc.closeAt {
				t.Errorf("closed %v after the invitation; want %v", closedAt, tc.closeAt)
			}
			if tc.closeReason != "no_response" {
				return
			}
			// A contact due now is not held, and the person's next text is a
			// conversation of its own, not an answer to the invitation.
			tx, err := f.db.Pool.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			clinician, wait, err := triggers.MakeWay(ctx, tx, staff, ohcontact.ChannelSMS, f.clock.Now())
			_ = tx.Rollback(ctx)
			if err != nil || clinician || wait != 0 {
				t.Errorf("a contact due now: clinician %v, waits %v (%v); want neither", clinician, wait, err)
			}
			if err := f.runner.HandleInbound(ctx, ohcontact.Inbound{Channel: ohcontact.ChannelSMS, Address: mobileOf(t, f, staff),
				Text: "hello", ExternalID: "SMlater", ReceivedAt: f.clock.Now()}); err != nil {
				t.Fatal(err)
			}
			if n := f.count(t, `SELECT count(*) FROM conversations WHERE staff_id = $1 AND status = 'open' AND campaign_member_id IS NULL`, staff); n != 1 {
				t.Errorf("%d new conversations after the person wrote again; want 1", n)
			}
		})
	}
}

// runDue runs, at the fixture's clock, the campaign reminders, closings and
// SMS fallbacks that are due, in the order they were scheduled, and marks
// them completed, or, for one that would snooze, scheduled again.
func (f *fixture) runDue(t *testing.T) {
	t.Helper()
	ctx := t.Context()
	for {
		var jobID int64
		var kind string
		var args []byte
		err := f.db.Pool.QueryRow(ctx, `SELECT id, kind, args FROM river_job WHERE kind IN ('campaign_reminder', 'campaign_close', 'campaign_sms_fallback')
			AND state IN ('available', 'scheduled') AND scheduled_at <= $1 ORDER BY scheduled_at, id LIMIT 1`, f.clock.Now()).
			Scan(&jobID, &kind, &args)
		if err != nil {
			return // none due
		}
		exec(t, f, `UPDATE river_job SET state = 'completed', finalized_at = now() WHERE id = $1`, jobID)
		switch kind {
		case "campaign_reminder":
			var a campaigns.RemindArgs
			if err := json.Unmarshal(args, &a); err != nil {
				t.Fatal(err)
			}
			wait, err := f.c.RemindOne(ctx, a.MemberID)
			if err != nil {
				t.Fatal(err)
			}
			f.snooze(t, jobID, wait)
		case "campaign_close":
			var a campaigns.CloseArgs
			if err := json.Unmarshal(args, &a); err != nil {
				t.Fatal(err)
			}
			if err := f.c.CloseOne(ctx, a); err != nil {
				t.Fatal(err)
			}
		case "campaign_sms_fallback":
			var a campaigns.FallbackArgs
			if err := json.Unmarshal(args, &a); err != nil {
				t.Fatal(err)
			}
			wait, err := f.c.FallbackOne(ctx, a.ConversationID)
			if err != nil {
				t.Fatal(err)
			}
			f.snooze(t, jobID, wait)
		}
	}
}

// snooze schedules job id again wait from the fixture's clock, as River
// does with a snooze, when wait is not 0.
func (f *fixture) snooze(t *testing.T, id int64, wait time.Duration) {
	t.Helper()
	if wait > 0 {
		exec(t, f, `UPDATE river_job SET state = 'scheduled', finalized_at = NULL, scheduled_at = $2 WHERE id = $1`,
			id, f.clock.Now().Add(wait))
	}
}
