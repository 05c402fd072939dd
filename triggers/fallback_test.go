package triggers

import (
	"testing"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// sentWebChatContact returns a fixture in which staff member 100 (mobile as
// given, preferring the web chat), absent with S10 since Monday 4 May
// 2026, was sent their stress check-in by web chat on Tuesday at 09:00.
func sentWebChatContact(t *testing.T, mobile string, fallbackAfter time.Duration) (*fixture, contactRow, conversationRow) {
	t.Helper()
	f := newFixture(t, time.Date(2026, 5, 4, 8, 0, 0, 0, london(t)))
	f.scheduler.Policy.Default.Rules.SMSFallbackAfter = fallbackAfter
	f.addStaff(t, "100", mobile, "webchat")
	f.absence(t, "100", "2026-05-04", "", "S10")
	c := f.contact(t, "100", ohcontact.TriggerStress)
	f.clock.Set(f.at(t, "2026-05-05", 9, 0))
	if err := work(t, &ContactDueWorker{c: f.contacts}, ContactDueArgs{ContactID: c.ID}); err != nil {
		t.Fatal(err)
	}
	conv := f.conversationOf(t, c.ID)
	if conv.Channel != "webchat" {
		t.Fatalf("contact sent on %s, want webchat", conv.Channel)
	}
	return f, c, conv
}

// fallback runs the contact's SMS fallback job at the fixture's clock.
func (f *fixture) fallback(t *testing.T) error {
	t.Helper()
	var args WebChatFallbackArgs
	f.onlyJob(t, WebChatFallbackArgs{}.Kind(), &args)
	return work(t, &WebChatFallbackWorker{c: f.contacts}, args)
}

func TestUnseenWebChatContactGoesBySMSOnce(t *testing.T) {
	t.Parallel()
	f, c, webConv := sentWebChatContact(t, "07700900001", 24*time.Hour)
	var args WebChatFallbackArgs
	job := f.onlyJob(t, WebChatFallbackArgs{}.Kind(), &args)
	mustEqualTime(t, "fallback scheduled at", job.ScheduledAt, f.at(t, "2026-05-06", 9, 0))
	if args.ConversationID != webConv.ID {
		t.Fatalf("fallback for conversation %d, want the web chat %d", args.ConversationID, webConv.ID)
	}

	f.clock.Set(f.at(t, "2026-05-06", 9, 0))
	if err := f.fallback(t); err != nil {
		t.Fatal(err)
	}
	smsConv := f.conversationOf(t, c.ID)
	if smsConv.Channel != "sms" || smsConv.Address != "+447700900001" || smsConv.Status != "open" || smsConv.Flow != webConv.Flow {
		t.Fatalf("after the fallback the contact's conversation is %+v, want the same flow open by SMS", smsConv)
	}
	if n := len(f.smsJobs(t)); n != 1 {
		t.Fatalf("%d texts queued, want the check-in's first text", n)
	}
	var webStatus, webReason, channel string
	var audits int
	f.db.Pool.QueryRow(t.Context(), `SELECT status, closed_reason FROM conversations WHERE id = $1`, webConv.ID).Scan(&webStatus, &webReason)
	f.db.Pool.QueryRow(t.Context(), `SELECT channel FROM contacts WHERE id = $1`, c.ID).Scan(&channel)
	f.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_events WHERE action = 'contact.sms_fallback' AND record_id = $1`, c.ID).Scan(&audits)
	if webStatus != "closed" || webReason != "no_response" || channel != "sms" || audits != 1 {
		t.Fatalf("web chat %s (%s), contact channel %s, %d audit events; want the web chat closed, the contact by SMS, one audit event",
			webStatus, webReason, channel, audits)
	}
	// A retried job, a day later, sends nothing more; the SMS conversation
	// schedules no fallback of its own.
	f.clock.Set(f.at(t, "2026-05-07", 9, 0))
	if err := work(t, &WebChatFallbackWorker{c: f.contacts}, args); err != nil {
		t.Fatal(err)
	}
	if n := len(f.smsJobs(t)); n != 1 || len(f.jobs(t, WebChatFallbackArgs{}.Kind())) != 1 {
		t.Fatalf("%d texts queued and %d fallback jobs after a second run, want 1 and 1", n, len(f.jobs(t, WebChatFallbackArgs{}.Kind())))
	}
	// The reminder follows the contact to SMS.
	var reminder ReminderDueArgs
	f.onlyJob(t, ReminderDueArgs{}.Kind(), &reminder)
	if err := work(t, &ReminderDueWorker{c: f.contacts}, reminder); err != nil {
		t.Fatal(err)
	}
	if n := len(f.smsJobs(t)); n != 2 {
		t.Fatalf("%d texts queued after the reminder, want 2", n)
	}
}

func TestWebChatFallbackSendsNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mobile string
		before func(t *testing.T, f *fixture, conv conversationRow)
	}{
		{"when the widget received the contact", "07700900001", func(t *testing.T, f *fixture, conv conversationRow) {
			if err := postgres.MarkWebChatDelivered(t.Context(), f.db.Pool, conv.ID, 1); err != nil {
				t.Fatal(err)
			}
		}},
		{"when the person opted out", "07700900001", func(t *testing.T, f *fixture, _ conversationRow) {
			if _, err := f.db.Pool.Exec(t.Context(), `UPDATE staff SET consent = 'opted_out', consent_changed_at = now()`); err != nil {
				t.Fatal(err)
			}
		}},
		{"when the person has no mobile", "", nil},
		{"when the web chat was ended", "07700900001", func(t *testing.T, f *fixture, conv conversationRow) {
			if _, _, err := postgres.EndWebChat(t.Context(), f.db.Pool, conv.Address); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, c, conv := sentWebChatContact(t, tt.mobile, 24*time.Hour)
			if tt.before != nil {
				tt.before(t, f, conv)
			}
			f.clock.Set(f.at(t, "2026-05-06", 9, 0))
			if err := f.fallback(t); err != nil {
				t.Fatal(err)
			}
			if n := len(f.smsJobs(t)); n != 0 {
				t.Fatalf("%d texts queued, want none", n)
			}
			if got := f.conversationOf(t, c.ID); got.ID != conv.ID {
				t.Fatalf("the contact moved to conversation %+v", got)
			}
		})
	}
}

func TestWebChatFallbackWaitsForTheSendWindow(t *testing.T) {
	t.Parallel()
	f, c, _ := sentWebChatContact(t, "07700900001", 24*time.Hour)
	// The job runs late, on Sunday, when the window (Monday to Saturday,
	// 09:00 to 18:00) is shut: it waits for Monday 09:00.
	f.clock.Set(f.at(t, "2026-05-10", 11, 0))
	if wait := snoozed(t, f.fallback(t)); wait != 22*time.Hour {
		t.Fatalf("snoozed %v, want until Monday 09:00 (22h)", wait)
	}
	if n := len(f.smsJobs(t)); n != 0 {
		t.Fatalf("%d texts queued outside the window", n)
	}
	f.clock.Set(f.at(t, "2026-05-11", 9, 0))
	if err := f.fallback(t); err != nil {
		t.Fatal(err)
	}
	if got := f.conversationOf(t, c.ID); got.Channel != "sms" || len(f.smsJobs(t)) != 1 {
		t.Fatalf("on Monday: conversation %+v, %d texts; want one text by SMS", got, len(f.smsJobs(t)))
	}
}

func TestWebChatFallbackOff(t *testing.T) {
	t.Parallel()
	f, _, _ := sentWebChatContact(t, "07700900001", 0)
	if n := len(f.jobs(t, WebChatFallbackArgs{}.Kind())); n != 0 {
		t.Fatalf("%d fallback jobs with sms_fallback_after off, want none", n)
	}
}
