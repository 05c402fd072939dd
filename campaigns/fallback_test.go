package campaigns_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels/sms"
	"github.com/ohcontact/ohcontact/channels/webchat"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/signposting"
	"github.com/ohcontact/ohcontact/triggers"
)

// TestUnseenWebChatInvitationGoesBySMS: a campaign invitation waiting in
// the web chat of a person with a mobile who has not opted out, that no
// browser has received after sms_fallback_after (24 hours by default), goes
// once by SMS, in the campaign's window and outside their quiet hours: the
// web chat conversation closes as no_response, an SMS conversation of the
// same flow opens with the invitation, and the one reminder follows there.
// Seen, replied, opted out, stopped, or with the fallback off, nothing goes
// by SMS; paused, it waits for the campaign to resume. Nobody gets more
// than the invitation and the reminder by SMS.
func TestUnseenWebChatInvitationGoesBySMS(t *testing.T) {
	t.Parallel()
	const day = 24 * time.Hour
	tuesday := day
	for _, tc := range []struct {
		name        string
		noMobile    bool
		remindAfter time.Duration // 0: the fixture's 72 hours
		after       string        // sms_fallback_after; "": the default
		// before runs after the web chat invitation, at the hour given by
		// its key after it; the jobs then run hour by hour for a week.
		before map[time.Duration]func(t *testing.T, f *fixture, id, staff, conv int64)
		smsAt  time.Duration // when the SMS conversation opened, after the invitation; 0 never
		state  string        // the member's in the end
		// webchat and texts count the messages sent in the web chat and by
		// SMS.
		webchat, texts int
	}{
		{name: "unseen: by SMS a day later, the reminder follows by SMS",
			smsAt: tuesday, state: "reminded", webchat: 2, texts: 3},
		{name: "due at night: waits for the window", after: "10h",
			smsAt: tuesday - time.Hour, state: "reminded", webchat: 2, texts: 3}, // Monday 20:00, then Tuesday 09:00
		{name: "due in their quiet hours: waits for them to end", before: at(0, func(t *testing.T, f *fixture, _, staff, _ int64) {
			exec(t, f, `UPDATE staff SET quiet_from = '09:00', quiet_until = '13:00' WHERE id = $1`, staff)
		}), smsAt: tuesday + 3*time.Hour, state: "reminded", webchat: 2, texts: 3},
		{name: "reminded in the web chat first: the SMS is the invitation, no second reminder", remindAfter: 12 * time.Hour,
			smsAt: tuesday, state: "reminded", webchat: 3, texts: 2}, // reminded Monday 22:00, held to Tuesday 09:00
		{name: "seen", before: at(2*time.Hour, func(t *testing.T, f *fixture, _, _, conv int64) {
			if err := postgres.MarkWebChatDelivered(t.Context(), f.db.Pool, conv, 1); err != nil {
				t.Fatal(err)
			}
		}), state: "reminded", webchat: 3},
		{name: "replied", before: at(2*time.Hour, func(t *testing.T, f *fixture, _, staff, _ int64) {
			if err := f.runner.HandleInbound(t.Context(), ohcontact.Inbound{Channel: ohcontact.ChannelWebChat,
				Address: webchat.StaffAddress(staff), Text: "booked", ExternalID: "WC1", ReceivedAt: f.clock.Now(), StaffID: staff,
				Organisation: ohcontact.Organisation{ID: f.org, Code: signposting.DemoCode, Name: "Demo Trust"}}); err != nil {
				t.Fatal(err)
			}
		}), state: "replied", webchat: 3}, // the invitation, its choices, the thanks
		{name: "opted out", before: at(2*time.Hour, func(t *testing.T, f *fixture, _, staff, _ int64) {
			exec(t, f, `UPDATE staff SET consent = 'opted_out', consent_changed_at = now() WHERE id = $1`, staff)
		}), state: "sent", webchat: 2},
		{name: "no mobile", noMobile: true, state: "reminded", webchat: 3},
		{name: "stopped", before: at(2*time.Hour, func(t *testing.T, f *fixture, id, _, _ int64) {
			if err := f.c.Stop(t.Context(), 0, id, f.lead); err != nil {
				t.Fatal(err)
			}
		}), state: "sent", webchat: 2},
		{name: "paused: held until resumed", before: map[time.Duration]func(t *testing.T, f *fixture, id, staff, conv int64){
			2 * time.Hour: func(t *testing.T, f *fixture, id, _, _ int64) {
				if err := f.c.Pause(t.Context(), 0, id, f.lead); err != nil {
					t.Fatal(err)
				}
			},
			2 * day: func(t *testing.T, f *fixture, id, _, _ int64) {
				if err := f.c.Resume(t.Context(), 0, id, f.lead); err != nil {
					t.Fatal(err)
				}
			},
		}, smsAt: 2 * day, state: "reminded", webchat: 2, texts: 3},
		{name: `sms_fallback_after = "0": never`, after: "0", state: "reminded", webchat: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			ctx := t.Context()
			if tc.after != "" {
				var cfg triggers.Config
				cfg.WebChat.SMSFallbackAfter = tc.after
				set, err := cfg.Settings()
				if err != nil {
					t.Fatal(err)
				}
				policy, err := triggers.NewPolicy(map[string]triggers.Settings{signposting.DemoCode: set})
				if err != nil {
					t.Fatal(err)
				}
				f.c.SMSFallbackAfter = func(org string) time.Duration { return policy.For(org).Rules.SMSFallbackAfter }
			}
			staff, _ := f.staff(t, person{department: "Ward 3", mobile: !tc.noMobile, webchat: true})
			n := f.campaign()
			if tc.remindAfter > 0 {
				n.RemindAfter = tc.remindAfter
			}
			id := f.create(t, n).CampaignID
			if err := f.c.Start(ctx, 0, id, f.lead); err != nil {
				t.Fatal(err)
			}
			if s, _, err := f.c.SendOne(ctx, id); err != nil || s != "next" {
				t.Fatalf("send: %s, %v; want the web chat invitation", s, err)
			}
			var conv int64
			if err := f.db.Pool.QueryRow(ctx, `SELECT id FROM conversations WHERE staff_id = $1 AND channel = 'webchat'`, staff).
				Scan(&conv); err != nil {
				t.Fatal(err)
			}
			smsAt := time.Duration(0)
			for h := time.Duration(0); h <= 7*day; h += time.Hour {
				f.clock.Set(monday.Add(h))
				if do := tc.before[h]; do != nil {
					do(t, f, id, staff, conv)
				}
				f.runDue(t)
				if smsAt == 0 && f.count(t, `SELECT count(*) FROM conversations WHERE staff_id = $1 AND channel = 'sms'`, staff) > 0 {
					smsAt = h
				}
			}
			m := f.member(t, id, staff)
			webchat := f.count(t, `SELECT count(*) FROM messages g JOIN conversations c ON c.id = g.conversation_id
				WHERE c.staff_id = $1 AND c.channel = 'webchat' AND g.direction = 'outbound'`, staff)
			texts := f.count(t, `SELECT count(*) FROM messages g JOIN conversations c ON c.id = g.conversation_id
				WHERE c.staff_id = $1 AND c.channel = 'sms' AND g.direction = 'outbound'`, staff)
			if smsAt != tc.smsAt || m.state != tc.state || webchat != tc.webchat || texts != tc.texts {
				t.Errorf("by SMS at %v, member %s, %d web chat messages, %d texts; want %v, %s, %d, %d",
					smsAt, m.state, webchat, texts, tc.smsAt, tc.state, tc.webchat, tc.texts)
			}
			var status, reason string
			if err := f.db.Pool.QueryRow(ctx, `SELECT status, coalesce(closed_reason, '') FROM conversations WHERE id = $1`, conv).
				Scan(&status, &reason); err != nil {
				t.Fatal(err)
			}
			audits := f.count(t, `SELECT count(*) FROM audit_events WHERE action = 'campaign.sms_fallback'`)
			if tc.smsAt == 0 {
				if audits != 0 {
					t.Errorf("%d campaign.sms_fallback audit events; want none", audits)
				}
				return
			}
			if status != "closed" || reason != "no_response" {
				t.Errorf("the web chat invitation is %s (%q); want closed no_response", status, reason)
			}
			var details string
			if err := f.db.Pool.QueryRow(ctx, `SELECT details::text FROM audit_events WHERE action = 'campaign.sms_fallback'
				AND record_type = 'campaign_member'`).Scan(&details); err != nil {
				t.Fatalf("the campaign.sms_fallback audit event: %v", err)
			}
			for _, pii := range []string{mobileOf(t, f, staff), "Ann", "Example"} {
				if strings.Contains(details, pii) {
					t.Errorf("the audit details %s name the person (%q)", details, pii)
				}
			}
			var channel, queue string
			if err := f.db.Pool.QueryRow(ctx, `SELECT c.channel, j.queue FROM conversations c JOIN messages g ON g.conversation_id = c.id
				JOIN river_job j ON j.kind = 'sms_deliver' AND (j.args->>'message_id')::bigint = g.id
				WHERE c.staff_id = $1 AND c.campaign_member_id IS NOT NULL ORDER BY g.id LIMIT 1`, staff).Scan(&channel, &queue); err != nil {
				t.Fatal(err)
			}
			if channel != "sms" || queue != "sms_prepaid" {
				t.Errorf("the SMS invitation went on %s, delivered from queue %s; want sms, sms_prepaid (its slot taken first)", channel, queue)
			}
		})
	}
}

// at is a before of one step, at h after the invitation.
func at(h time.Duration, do func(t *testing.T, f *fixture, id, staff, conv int64)) map[time.Duration]func(t *testing.T, f *fixture, id, staff, conv int64) {
	return map[time.Duration]func(t *testing.T, f *fixture, id, staff, conv int64){h: do}
}

// TestFallbackKeepsTheProgressRight: a campaign's progress counts a
// member whose invitation went by SMS once, as invited; delivered when the
// text is (migration 0024's trigger, on the SMS conversation), and replied
// when they answer it by SMS, with the outcome recorded.
func TestFallbackKeepsTheProgressRight(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	staff, _ := f.staff(t, person{department: "Ward 3", mobile: true, webchat: true})
	f.staff(t, person{department: "Ward 3", mobile: true}) // invited by SMS, never delivered
	id := f.create(t, f.campaign()).CampaignID
	if err := f.c.Start(ctx, 0, id, f.lead); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, _, err := f.c.SendOne(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	progress := func() string {
		t.Helper()
		p, err := postgres.CampaignProgressOf(ctx, f.db.Pool, id)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("sent %d, reminded %d, replied %d, delivered %d, booked %d", p.ByState["sent"], p.ByState["reminded"],
			p.ByState["replied"], p.Delivered, p.Outcomes["booked"])
	}
	f.clock.Set(monday.Add(24 * time.Hour))
	f.runDue(t)
	if got, want := progress(), "sent 2, reminded 0, replied 0, delivered 0, booked 0"; got != want {
		t.Errorf("after the fallback: %s; want %s", got, want)
	}
	exec(t, f, `UPDATE messages g SET delivery_status = 'delivered', updated_at = now() FROM conversations c
		WHERE c.id = g.conversation_id AND c.staff_id = $1 AND c.channel = 'sms' AND g.direction = 'outbound'`, staff)
	if got, want := progress(), "sent 2, reminded 0, replied 0, delivered 1, booked 0"; got != want {
		t.Errorf("the text delivered: %s; want %s", got, want)
	}
	if err := f.runner.HandleInbound(ctx, ohcontact.Inbound{Channel: ohcontact.ChannelSMS, Address: mobileOf(t, f, staff),
		Text: "booked", ExternalID: "SMfb1", ReceivedAt: f.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if got, want := progress(), "sent 1, reminded 0, replied 1, delivered 1, booked 1"; got != want {
		t.Errorf("answered by SMS: %s; want %s", got, want)
	}
	f.clock.Set(monday.Add(72 * time.Hour))
	f.runDue(t)
	if got, want := progress(), "sent 0, reminded 1, replied 1, delivered 1, booked 1"; got != want {
		t.Errorf("after the reminder of the other member: %s; want %s", got, want)
	}
}

// TestFallbackKeepsToTheSendRate runs the SMS fallbacks of unseen web chat
// invitations through River at 2 texts a second: each takes a send slot
// on the ordinary line for each of its texts (the first before its
// invitation is queued on the prepaid lane, the rest after), as the sender
// does, so a crowd of them falling due together keeps to the rate, each
// person texted once.
func TestFallbackKeepsToTheSendRate(t *testing.T) {
	t.Parallel()
	skipNearMidnight(t)
	f := newFixture(t)
	// Slots half a second apart: wider than a fallback's transactions, even
	// under the race detector, so the line never idles between them.
	const n, rate, texts = 6, 2.0, 2 // texts an invitation
	for range n {
		f.staff(t, person{department: "Ward 3", mobile: true, webchat: true})
	}
	l := newLive(t, f, rate)
	id := f.create(t, f.allDay("Ward 3")).CampaignID
	ctx := t.Context()
	if err := f.c.Start(ctx, 0, id, f.lead); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for f.status(t, id) != "finished" {
		if time.Now().After(deadline) {
			t.Fatal("the web chat invitations were not all sent")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// A day passes, and nobody opened the intranet.
	released := time.Now()
	exec(t, f, `UPDATE river_job SET scheduled_at = now() WHERE kind = 'campaign_sms_fallback' AND state = 'scheduled'`)
	l.waitFor(t, n*texts, 20*time.Second)
	time.Sleep(500 * time.Millisecond) // nothing more comes
	// Each text took its slot on the ordinary line: its next slot is a slot
	// a text after they fell due, at least.
	var next time.Time
	if err := f.db.Pool.QueryRow(ctx, `SELECT next_slot FROM send_slots WHERE name = $1`, sms.Queue).Scan(&next); err != nil {
		t.Fatalf("the ordinary line's send slots: %v", err)
	}
	if took, least := next.Sub(released), time.Duration(float64(n*texts)/rate*float64(time.Second)); took < least*9/10 {
		t.Errorf("the %d fallback texts took slots for %v; want %v at %v a second", n*texts, took, least, rate)
	}
	to := map[string]int{}
	for _, m := range l.twilio.Messages() {
		to[m.Get("To")]++
	}
	if len(to) != n || len(l.accepted()) != n*texts {
		t.Errorf("%d texts to %d people; want %d each to %d", len(l.accepted()), len(to), texts, n)
	}
	if k := f.count(t, `SELECT count(*) FROM audit_events WHERE action = 'campaign.sms_fallback'`); k != n {
		t.Errorf("%d campaign.sms_fallback audit events; want %d", k, n)
	}
}

// TestFallbackConversationClosesOnItsOwnTime: with no reminder, the SMS
// conversation the fallback opened closes as no_response close_after (72
// hours) after the fallback, not after the web chat invitation.
func TestFallbackConversationClosesOnItsOwnTime(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	staff, _ := f.staff(t, person{department: "Ward 3", mobile: true, webchat: true})
	n := f.campaign()
	n.RemindAfter = 0
	id := f.create(t, n).CampaignID
	if err := f.c.Start(ctx, 0, id, f.lead); err != nil {
		t.Fatal(err)
	}
	if s, _, err := f.c.SendOne(ctx, id); err != nil || s != "next" {
		t.Fatalf("send: %s, %v; want the web chat invitation", s, err)
	}
	closedAt := time.Duration(0)
	for h := time.Duration(0); h <= 6*24*time.Hour && closedAt == 0; h += time.Hour {
		f.clock.Set(monday.Add(h))
		f.runDue(t)
		if f.count(t, `SELECT count(*) FROM conversations WHERE staff_id = $1 AND channel = 'sms' AND closed_reason = 'no_response'`, staff) > 0 {
			closedAt = h
		}
	}
	if want := 24*time.Hour + 72*time.Hour; closedAt != want {
		t.Errorf("the SMS conversation closed %v after the invitation; want %v", closedAt, want)
	}
}
