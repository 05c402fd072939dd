package campaigns_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels/sms"
)

// TestReminderOnce: the one reminder goes only to a member who has not
// replied, in their open conversation (or a new one once it closed), held
// to the window, waiting while the campaign is paused, not at all once it
// is stopped or the person opted out, and never twice.
func TestReminderOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// before runs after the invitation, before the reminder is due.
		before func(t *testing.T, f *fixture, id, staff int64)
		// wantWait is the reminder's first snooze; then the test moves the
		// clock past it (resuming a paused campaign) and runs it again.
		wantWait      time.Duration
		state         string
		conversations int
		outbound      int
	}{
		// The invitation is two texts (it and its choices), the reminder one.
		{"no reply: reminded in the same conversation", nil, 0, "reminded", 1, 3},
		{"replied", func(t *testing.T, f *fixture, _, staff int64) {
			err := f.runner.HandleInbound(t.Context(), ohcontact.Inbound{Channel: ohcontact.ChannelSMS, Address: mobileOf(t, f, staff),
				Text: "ok", ExternalID: "SM1", ReceivedAt: f.clock.Now()})
			if err != nil {
				t.Fatal(err)
			}
		}, 0, "replied", 1, 3},
		{"conversation closed: reminded in a new one", func(t *testing.T, f *fixture, _, staff int64) {
			exec(t, f, `UPDATE conversations SET status = 'closed', closed_reason = 'no_response', closed_at = now() WHERE staff_id = $1`, staff)
		}, 0, "reminded", 2, 3},
		{"opted out", func(t *testing.T, f *fixture, _, staff int64) {
			exec(t, f, `UPDATE staff SET consent = 'opted_out', consent_changed_at = now() WHERE id = $1`, staff)
		}, 0, "sent", 1, 2},
		{"stopped", func(t *testing.T, f *fixture, id, _ int64) {
			if err := f.c.Stop(t.Context(), 0, id, f.lead); err != nil {
				t.Fatal(err)
			}
		}, 0, "sent", 1, 2},
		{"paused, then resumed", func(t *testing.T, f *fixture, id, _ int64) {
			if err := f.c.Pause(t.Context(), 0, id, f.lead); err != nil {
				t.Fatal(err)
			}
		}, 15 * time.Minute, "reminded", 1, 3},
		{"due at night: waits for the window", func(t *testing.T, f *fixture, _, _ int64) {
			f.clock.Set(monday.Add(72*time.Hour + 9*time.Hour)) // Thursday 19:00
		}, 14 * time.Hour, "reminded", 1, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			ctx := t.Context()
			staff, _ := f.staff(t, person{department: "Ward 3", mobile: true})
			id := f.create(t, f.campaign()).CampaignID
			if err := f.c.Start(ctx, 0, id, f.lead); err != nil {
				t.Fatal(err)
			}
			if s, _, err := f.c.SendOne(ctx, id); err != nil || s != "sms" {
				t.Fatalf("send: %s, %v", s, err)
			}
			var memberID int64
			if err := f.db.Pool.QueryRow(ctx, `SELECT id FROM campaign_members WHERE staff_id = $1`, staff).Scan(&memberID); err != nil {
				t.Fatal(err)
			}
			f.clock.Set(monday.Add(72 * time.Hour))
			if tc.before != nil {
				tc.before(t, f, id, staff)
			}
			wait, err := f.c.RemindOne(ctx, memberID)
			if err != nil {
				t.Fatal(err)
			}
			if wait != tc.wantWait {
				t.Errorf("the reminder waits %v; want %v", wait, tc.wantWait)
			}
			if wait > 0 {
				if f.status(t, id) == "paused" {
					if err := f.c.Resume(ctx, 0, id, f.lead); err != nil {
						t.Fatal(err)
					}
				}
				f.clock.Set(f.clock.Now().Add(wait))
				if wait, err = f.c.RemindOne(ctx, memberID); err != nil || wait != 0 {
					t.Fatalf("the reminder again: wait %v, %v", wait, err)
				}
			}
			if _, err := f.c.RemindOne(ctx, memberID); err != nil { // a repeated job
				t.Fatal(err)
			}
			m := f.member(t, id, staff)
			if m.state != tc.state || m.conversations != tc.conversations || m.outbound != tc.outbound {
				t.Errorf("member %+v; want %s, %d conversations, %d messages sent", m, tc.state, tc.conversations, tc.outbound)
			}
			if tc.state == "reminded" {
				var reminder bool
				if err := f.db.Pool.QueryRow(ctx, `SELECT coalesce((data->>'reminder')::bool, false) FROM conversations
					WHERE staff_id = $1 ORDER BY id DESC LIMIT 1`, staff).Scan(&reminder); err != nil || !reminder {
					t.Errorf("the reminder's conversation is not marked as one (%v)", err)
				}
			}
		})
	}
}

func exec(t *testing.T, f *fixture, sql string, args ...any) {
	t.Helper()
	if _, err := f.db.Pool.Exec(t.Context(), sql, args...); err != nil {
		t.Fatal(fmt.Errorf("%s: %w", sql, err))
	}
}

// TestRemindersKeepToTheSendRate runs the reminders of a campaign through
// River at 2 texts a second, all falling due at once (as at the window's
// opening): each reminder takes its text's send slot on the ordinary line
// before it is queued on the prepaid lane, as an invitation does, so a
// crowd of them is paced by the rate instead of queueing its deliveries
// ahead of replies; each person is reminded once.
func TestRemindersKeepToTheSendRate(t *testing.T) {
	t.Parallel()
	skipNearMidnight(t)
	f := newFixture(t)
	const n, rate = 6, 2.0
	for range n {
		f.staff(t, person{department: "Ward 3", mobile: true})
	}
	l := newLive(t, f, rate)
	k := f.allDay("Ward 3")
	k.RemindAfter = 72 * time.Hour
	id := f.create(t, k).CampaignID
	ctx := t.Context()
	if err := f.c.Start(ctx, 0, id, f.lead); err != nil {
		t.Fatal(err)
	}
	const invitationTexts = 2
	l.waitFor(t, n*invitationTexts, 20*time.Second)
	// Three days pass, and nobody replied.
	released := time.Now()
	exec(t, f, `UPDATE river_job SET scheduled_at = now() WHERE kind = 'campaign_reminder' AND state = 'scheduled'`)
	l.waitFor(t, n*invitationTexts+n, 20*time.Second)
	time.Sleep(500 * time.Millisecond) // nothing more comes
	var next time.Time
	if err := f.db.Pool.QueryRow(ctx, `SELECT next_slot FROM send_slots WHERE name = $1`, sms.Queue).Scan(&next); err != nil {
		t.Fatalf("the ordinary line's send slots: %v", err)
	}
	if took, least := next.Sub(released), time.Duration(float64(n)/rate*float64(time.Second)); took < least*9/10 {
		t.Errorf("the %d reminders took slots for %v; want %v at %v a second", n, took, least, rate)
	}
	if got := len(l.accepted()); got != n*invitationTexts+n {
		t.Errorf("%d texts; want %d invitations' and %d reminders", got, n*invitationTexts, n)
	}
	if k := f.count(t, `SELECT count(*) FROM river_job WHERE kind = 'sms_deliver' AND queue <> $1`, sms.PrepaidQueue); k != 0 {
		t.Errorf("%d campaign texts delivered off the prepaid lane, taking a second slot at delivery; want none", k)
	}
	if k := f.count(t, `SELECT count(*) FROM campaign_members WHERE campaign_id = $1 AND state = 'reminded'`, id); k != n {
		t.Errorf("%d members reminded; want %d", k, n)
	}
}
