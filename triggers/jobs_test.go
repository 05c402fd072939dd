package triggers

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels/sms"
	"github.com/ohcontact/ohcontact/dialogs"
	"github.com/ohcontact/ohcontact/postgres"
)

// messageRow is a message as the tests look at it.
type messageRow struct {
	ID             int64
	ConversationID int64
	Direction      string
	Body           string
	Urgent         bool
}

func (f *fixture) messages(t *testing.T) []messageRow {
	t.Helper()
	rows, err := f.db.Pool.Query(t.Context(), `SELECT id, conversation_id, direction, body, urgent FROM messages ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := pgx.CollectRows(rows, pgx.RowToStructByPos[messageRow])
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// conversationRow is a conversation as the tests look at it.
type conversationRow struct {
	ID           int64
	Channel      string
	Address      string
	Flow         string
	Status       string
	ClosedReason string
	Reminder     bool
}

// conversationOf returns the latest conversation contact id opened.
func (f *fixture) conversationOf(t *testing.T, contactID int64) conversationRow {
	t.Helper()
	var c conversationRow
	err := f.db.Pool.QueryRow(t.Context(), `
		SELECT id, channel, address, flow, status, coalesce(closed_reason, ''), coalesce((data->>'reminder')::boolean, false)
		FROM conversations WHERE contact_id = $1 ORDER BY id DESC LIMIT 1`, contactID).
		Scan(&c.ID, &c.Channel, &c.Address, &c.Flow, &c.Status, &c.ClosedReason, &c.Reminder)
	if err != nil {
		t.Fatalf("conversation of contact %d: %v", contactID, err)
	}
	return c
}

// smsJobs returns the message ids of the queued SMS deliveries.
func (f *fixture) smsJobs(t *testing.T) []int64 {
	t.Helper()
	var ids []int64
	for _, j := range f.jobs(t, sms.DeliverArgs{}.Kind()) {
		var a sms.DeliverArgs
		if err := json.Unmarshal(j.Args, &a); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.MessageID)
	}
	return ids
}

// snoozed returns how long err snoozes a job, failing unless it does.
func snoozed(t *testing.T, err error) time.Duration {
	t.Helper()
	var s *river.JobSnoozeError
	if !errors.As(err, &s) {
		t.Fatalf("Work = %v, want a snooze", err)
	}
	return s.Duration
}

// lifecycle is one contact followed from import to closing, unanswered,
// with each job's time.
type lifecycle struct {
	name       string
	start      string // local date the absence starts
	reason     string
	trigger    ohcontact.Trigger
	sent       time.Time // when the contact's job runs
	remind     time.Time // when the reminder's job is scheduled
	close      time.Time // when the no-response job is scheduled
	wantCase   bool
	caseSLADue time.Time
}

func TestContactLifecycleThroughTheClockChanges(t *testing.T) {
	t.Parallel()
	loc := london(t)
	local := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, loc) }
	tests := []lifecycle{
		{
			// The clocks go forward on Sunday 29 March: Friday's S10 absence
			// is contacted on Monday at 09:00 summer time, reminded 48 hours
			// later, and closed 72 hours after that, on Saturday.
			name: "March", start: "2026-03-27", reason: "S10", trigger: ohcontact.TriggerStress,
			sent:   local(2026, time.March, 30, 9),
			remind: local(2026, time.April, 1, 9),
			close:  local(2026, time.April, 4, 9),
			// A routine case opened on Saturday counts 2 working days from
			// Monday 09:00.
			wantCase: true, caseSLADue: local(2026, time.April, 8, 9),
		},
		{
			// The clocks go back on Sunday 25 October: 48 hours after Friday
			// 09:00 summer time is Sunday 08:00 winter time, outside the
			// window, so the reminder waits for Monday 09:00. MSK contacts
			// open no case when unanswered.
			name: "October", start: "2026-10-22", reason: "S11", trigger: ohcontact.TriggerMSK,
			sent:   local(2026, time.October, 23, 9),
			remind: local(2026, time.October, 26, 9),
			close:  local(2026, time.October, 29, 9),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, f0(t, tt.start))
			f.addStaff(t, "100", "07700900001", "")
			f.absence(t, "100", tt.start, "", tt.reason)
			c := f.contact(t, "100", tt.trigger)
			due := f.jobs(t, ContactDueArgs{}.Kind())[0]
			mustEqualTime(t, "contact job", due.ScheduledAt, tt.sent)

			// The contact: one neutral first message, queued for SMS.
			f.clock.Set(tt.sent)
			if err := work(t, &ContactDueWorker{c: f.contacts}, ContactDueArgs{ContactID: c.ID}); err != nil {
				t.Fatal(err)
			}
			conv := f.conversationOf(t, c.ID)
			if conv.Channel != "sms" || conv.Address != "+447700900001" || conv.Flow != tt.trigger.Flow() || conv.Status != "open" {
				t.Fatalf("conversation %+v, want an open %s by SMS to the staff mobile", conv, tt.trigger.Flow())
			}
			ms := f.messages(t)
			if len(ms) != 1 || ms[0].Direction != "outbound" || ms[0].Urgent || !strings.Contains(ms[0].Body, "check in with you") {
				t.Fatalf("messages %+v, want the first contact, not urgent", ms)
			}
			if got := f.smsJobs(t); len(got) != 1 || got[0] != ms[0].ID {
				t.Fatalf("sms deliveries %v, want message %d", got, ms[0].ID)
			}
			if got := f.contact(t, "100", tt.trigger); got.State != stateSent {
				t.Fatalf("contact %+v, want sent", got)
			}
			// A repeated job does nothing.
			if err := work(t, &ContactDueWorker{c: f.contacts}, ContactDueArgs{ContactID: c.ID}); err != nil {
				t.Fatal(err)
			}
			if n := len(f.messages(t)); n != 1 {
				t.Fatalf("%d messages after a repeated job, want 1", n)
			}

			// Ignored: one reminder, in the window.
			var remind ReminderDueArgs
			job := f.onlyJob(t, ReminderDueArgs{}.Kind(), &remind)
			mustEqualTime(t, "reminder job", job.ScheduledAt, tt.remind)
			mustEqualTime(t, "reminder's sent at", remind.SentAt, tt.sent)
			f.clock.Set(tt.remind)
			if err := work(t, &ReminderDueWorker{c: f.contacts}, remind); err != nil {
				t.Fatal(err)
			}
			ms = f.messages(t)
			if len(ms) != 2 || ms[1].ConversationID != conv.ID || ms[1].Urgent || !strings.Contains(ms[1].Body, "check in with you") {
				t.Fatalf("messages %+v, want the reminder in the same conversation", ms)
			}
			if !f.conversationOf(t, c.ID).Reminder {
				t.Fatal("the conversation's state does not say it is a reminder: \"not now\" would schedule another")
			}
			if got := f.smsJobs(t); len(got) != 2 || got[1] != ms[1].ID {
				t.Fatalf("sms deliveries %v, want messages %d and %d", got, ms[0].ID, ms[1].ID)
			}

			// Still ignored: closed as no response.
			var closing NoResponseDueArgs
			job = f.onlyJob(t, NoResponseDueArgs{}.Kind(), &closing)
			mustEqualTime(t, "no-response job", job.ScheduledAt, tt.close)
			f.clock.Set(tt.close)
			if err := work(t, &NoResponseDueWorker{c: f.contacts}, closing); err != nil {
				t.Fatal(err)
			}
			if got := f.conversationOf(t, c.ID); got.Status != "closed" || got.ClosedReason != "no_response" {
				t.Fatalf("conversation %+v, want closed as no_response", got)
			}
			if got := f.contact(t, "100", tt.trigger); got.State != stateNoResponse {
				t.Fatalf("contact %+v, want no_response", got)
			}
			var cases int
			var priority, category string
			var evidence []string
			var slaDue time.Time
			err := f.db.Pool.QueryRow(t.Context(), `
				SELECT count(*) OVER (), priority, category, evidence, sla_due_at FROM cases WHERE conversation_id = $1`, conv.ID).
				Scan(&cases, &priority, &category, &evidence, &slaDue)
			switch {
			case !tt.wantCase && errors.Is(err, pgx.ErrNoRows):
			case !tt.wantCase:
				t.Fatalf("a case was opened (%v) for an unanswered %s contact", err, tt.trigger)
			case err != nil:
				t.Fatalf("no case for the unanswered contact: %v", err)
			default:
				want := "no reply to the stress check-in sent " + DateOf(tt.sent).String() + " and its reminder"
				if cases != 1 || priority != "routine" || category != "no_response" || len(evidence) != 1 || evidence[0] != want {
					t.Fatalf("case %s %s %q, want one routine no_response case: %q", priority, category, evidence, want)
				}
				mustEqualTime(t, "case SLA", slaDue, tt.caseSLADue)
			}
		})
	}
}

// f0 returns 10:00 on day in London: when the tests' absences are imported.
func f0(t *testing.T, day string) time.Time {
	t.Helper()
	d, err := ParseDate(day)
	if err != nil {
		t.Fatal(err)
	}
	return d.At(Clock{10, 0}, london(t))
}

func TestContactDueWaitsForItsTimeAndTheWindow(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Date(2026, 5, 4, 8, 0, 0, 0, london(t))) // Monday
	f.addStaff(t, "100", "07700900001", "")
	f.absence(t, "100", "2026-05-04", "", "S10")
	c := f.contact(t, "100", ohcontact.TriggerStress) // due Tuesday 09:00
	w := &ContactDueWorker{c: f.contacts}

	// Early (re-planned since the job was queued): wait for the due time.
	f.clock.Set(f.at(t, "2026-05-05", 8, 15))
	if d := snoozed(t, work(t, w, ContactDueArgs{ContactID: c.ID})); d != 45*time.Minute {
		t.Fatalf("snoozed %s, want 45m", d)
	}
	// Late, after the window closed (River was down): wait for the next
	// window, and say so.
	f.clock.Set(f.at(t, "2026-05-05", 19, 30))
	if d := snoozed(t, work(t, w, ContactDueArgs{ContactID: c.ID})); d != 13*time.Hour+30*time.Minute {
		t.Fatalf("snoozed %s, want 13h30m", d)
	}
	got := f.contact(t, "100", ohcontact.TriggerStress)
	if got.State != stateScheduled || got.HeldUntil == nil || !got.HeldUntil.Equal(f.at(t, "2026-05-06", 9, 0)) {
		t.Fatalf("contact %+v, want scheduled, held until Wednesday 09:00", got)
	}
	if n := len(f.messages(t)); n != 0 {
		t.Fatalf("%d messages sent outside the window", n)
	}
}

func TestContactDueRechecksBeforeSending(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// setup changes the world between scheduling and sending, at the
		// send time now.
		setup      func(t *testing.T, f *fixture, staffID int64, now time.Time)
		wantState  string
		wantReason string
		wantSnooze time.Duration
		wantClosed string // the closed_reason of the conversation that was open, if any
	}{
		{
			name: "opted out",
			setup: func(t *testing.T, f *fixture, staffID int64, now time.Time) {
				f.exec(t, `UPDATE staff SET consent = 'opted_out', consent_changed_at = now() WHERE id = $1`, staffID)
			},
			wantState: stateCancelled, wantReason: reasonOptedOut,
		},
		{
			name: "back at work, recorded without re-planning",
			setup: func(t *testing.T, f *fixture, staffID int64, now time.Time) {
				f.exec(t, `UPDATE absence_episodes SET ends_on = '2026-05-04' WHERE staff_id = $1`, staffID)
			},
			wantState: stateCancelled, wantReason: "returned to work before it was sent (the absence ended 2026-05-04)",
		},
		{
			name: "a clinician is talking with them on the web chat",
			setup: func(t *testing.T, f *fixture, staffID int64, now time.Time) {
				f.openConversation(t, staffID, "webchat", "clinician", now.Add(-48*time.Hour))
			},
			wantState: stateCancelled, wantReason: reasonClinician,
		},
		{
			name: "in the middle of another conversation by text",
			setup: func(t *testing.T, f *fixture, staffID int64, now time.Time) {
				f.openConversation(t, staffID, "sms", "bot", now.Add(-10*time.Minute))
			},
			wantState: stateScheduled, wantSnooze: 50 * time.Minute,
		},
		{
			name: "an idle conversation by text makes way",
			setup: func(t *testing.T, f *fixture, staffID int64, now time.Time) {
				f.openConversation(t, staffID, "sms", "bot", now.Add(-3*time.Hour))
			},
			wantState: stateSent, wantClosed: "no_response",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, time.Date(2026, 5, 4, 8, 0, 0, 0, london(t)))
			staffID := f.addStaff(t, "100", "07700900001", "")
			f.absence(t, "100", "2026-05-04", "", "S10")
			c := f.contact(t, "100", ohcontact.TriggerStress)
			now := f.at(t, "2026-05-05", 9, 0)
			f.clock.Set(now)
			tt.setup(t, f, staffID, now)

			err := work(t, &ContactDueWorker{c: f.contacts}, ContactDueArgs{ContactID: c.ID})
			if tt.wantSnooze != 0 {
				if d := snoozed(t, err); d != tt.wantSnooze {
					t.Fatalf("snoozed %s, want %s", d, tt.wantSnooze)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			got := f.contact(t, "100", ohcontact.TriggerStress)
			if got.State != tt.wantState || got.Reason != tt.wantReason {
				t.Fatalf("contact %s (%q), want %s (%q)", got.State, got.Reason, tt.wantState, tt.wantReason)
			}
			var closed string
			if err := f.db.Pool.QueryRow(t.Context(),
				`SELECT coalesce(string_agg(closed_reason, ','), '') FROM conversations WHERE contact_id IS NULL`).Scan(&closed); err != nil {
				t.Fatal(err)
			}
			if closed != tt.wantClosed {
				t.Fatalf("the other conversation's closed_reason is %q, want %q", closed, tt.wantClosed)
			}
			if sent := len(f.messages(t)) > 0; sent != (tt.wantState == stateSent) {
				t.Fatalf("messages sent: %v, want %v", sent, tt.wantState == stateSent)
			}
		})
	}
}

// exec runs sql on the fixture's database.
func (f *fixture) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if _, err := f.db.Pool.Exec(t.Context(), sql, args...); err != nil {
		t.Fatal(err)
	}
}

// openConversation opens a support conversation with member of staff
// staffID, last active at lastActivity.
func (f *fixture) openConversation(t *testing.T, staffID int64, channel, owner string, lastActivity time.Time) {
	t.Helper()
	f.exec(t, `
		INSERT INTO conversations (organisation_id, staff_id, channel, address, flow, fsm_state, owner, last_activity_at)
		SELECT organisation_id, id, $2, 'staff-' || id, 'support', 'menu', $3, $4 FROM staff WHERE id = $1`,
		staffID, channel, owner, lastActivity)
}

func TestAReplyStopsTheReminder(t *testing.T) {
	t.Parallel()
	for _, marked := range []bool{true, false} {
		name := map[bool]string{true: "marked by the runner", false: "found by the reminder"}[marked]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, c, _ := sentStressContact(t)
			// The person replies, as the runner stores it.
			err := f.db.InTx(t.Context(), func(tx pgx.Tx) error {
				locked, _, err := postgres.LockContactConversation(t.Context(), tx, c.ID)
				if err != nil {
					return err
				}
				in := ohcontact.Message{Direction: ohcontact.DirectionInbound, Author: ohcontact.AuthorStaff, Body: "yes", ExternalID: "SM1"}
				if marked {
					return postgres.SaveSteps(t.Context(), tx, []postgres.Step{{Conversation: &locked, Messages: []*ohcontact.Message{&in}}})
				}
				return postgres.AppendMessage(t.Context(), tx, &locked, &in)
			})
			if err != nil {
				t.Fatal(err)
			}
			var remind ReminderDueArgs
			f.onlyJob(t, ReminderDueArgs{}.Kind(), &remind)
			f.clock.Set(f.at(t, "2026-05-07", 9, 0))
			if err := work(t, &ReminderDueWorker{c: f.contacts}, remind); err != nil {
				t.Fatal(err)
			}
			if got := f.contact(t, "100", ohcontact.TriggerStress); got.State != stateResponded {
				t.Fatalf("contact %+v, want responded", got)
			}
			if n := len(f.messages(t)); n != 2 {
				t.Fatalf("%d messages, want the contact and the reply only", n)
			}
			if n := len(f.jobs(t, NoResponseDueArgs{}.Kind())); n != 0 {
				t.Fatalf("%d no-response jobs after a reply", n)
			}
		})
	}
}

func TestWebChatContactWaitsAtTheStaffAddress(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Date(2026, 5, 4, 8, 0, 0, 0, london(t)))
	staffID := f.addStaff(t, "100", "", "")
	f.absence(t, "100", "2026-05-04", "", "S10")
	c := f.contact(t, "100", ohcontact.TriggerStress)
	f.clock.Set(f.at(t, "2026-05-05", 9, 0))
	if err := work(t, &ContactDueWorker{c: f.contacts}, ContactDueArgs{ContactID: c.ID}); err != nil {
		t.Fatal(err)
	}
	conv := f.conversationOf(t, c.ID)
	if conv.Channel != "webchat" || conv.Address != "staff-"+strconv.FormatInt(staffID, 10) {
		t.Fatalf("conversation %+v, want a web chat at staff-%d", conv, staffID)
	}
	if n := len(f.messages(t)); n != 1 {
		t.Fatalf("%d messages, want the first contact", n)
	}
	if n := len(f.smsJobs(t)); n != 0 {
		t.Fatalf("%d sms deliveries for a web chat contact", n)
	}
}

// sentStressContact returns a fixture in which staff member 100, absent
// with S10 since Monday 4 May 2026, was sent their stress check-in on
// Tuesday at 09:00, with the contact and the conversation it opened.
func sentStressContact(t *testing.T) (*fixture, contactRow, conversationRow) {
	t.Helper()
	f := newFixture(t, time.Date(2026, 5, 4, 8, 0, 0, 0, london(t)))
	f.addStaff(t, "100", "07700900001", "")
	f.absence(t, "100", "2026-05-04", "", "S10")
	c := f.contact(t, "100", ohcontact.TriggerStress)
	f.clock.Set(f.at(t, "2026-05-05", 9, 0))
	if err := work(t, &ContactDueWorker{c: f.contacts}, ContactDueArgs{ContactID: c.ID}); err != nil {
		t.Fatal(err)
	}
	return f, c, f.conversationOf(t, c.ID)
}

func TestNotNowFollowsUpOnceADayLater(t *testing.T) {
	t.Parallel()
	f, c, first := sentStressContact(t)

	// Saturday 20:00: "not now" — the runner closes the conversation and
	// asks for a follow-up 24 hours later, which falls on Sunday, outside
	// the window: it is held to Monday 09:00.
	saturday := f.at(t, "2026-05-09", 20, 0)
	err := f.db.InTx(t.Context(), func(tx pgx.Tx) error {
		if _, err := tx.Exec(t.Context(), `UPDATE contacts SET state = 'responded' WHERE id = $1`, c.ID); err != nil {
			return err
		}
		f.exec(t, `UPDATE conversations SET status = 'closed', closed_reason = 'completed', closed_at = now() WHERE id = $1`, first.ID)
		return f.contacts.ScheduleFollowUp(t.Context(), tx, first.ID, dialogs.FlowStressCheckin, saturday.Add(24*time.Hour))
	})
	if err != nil {
		t.Fatal(err)
	}
	var args FollowUpDueArgs
	job := f.onlyJob(t, FollowUpDueArgs{}.Kind(), &args)
	mustEqualTime(t, "follow-up job", job.ScheduledAt, f.at(t, "2026-05-11", 9, 0))

	f.clock.Set(job.ScheduledAt)
	if err := work(t, &FollowUpDueWorker{c: f.contacts}, args); err != nil {
		t.Fatal(err)
	}
	again := f.conversationOf(t, c.ID)
	if again.ID == first.ID || again.Status != "open" || !again.Reminder || again.Flow != dialogs.FlowStressCheckin {
		t.Fatalf("follow-up conversation %+v, want a new open stress check-in marked as a reminder", again)
	}
	if n := len(f.messages(t)); n != 2 {
		t.Fatalf("%d messages, want the contact and the follow-up", n)
	}
	if got := f.contact(t, "100", ohcontact.TriggerStress); got.State != stateResponded {
		t.Fatalf("contact %+v, want still responded", got)
	}
}

// TestScheduleFollowUpDoesNotWaitForTheContact checks the lock order: the
// runner holds the conversation when it schedules a follow-up, while a
// follow-up job holds the contact and waits for the person's
// conversations. Were ScheduleFollowUp to lock the contact, the two would
// deadlock.
func TestScheduleFollowUpDoesNotWaitForTheContact(t *testing.T) {
	t.Parallel()
	f, c, conv := sentStressContact(t)

	job, err := f.db.Pool.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = job.Rollback(t.Context()) }() // a test's cleanup
	if _, err := postgres.LockContact(t.Context(), job, c.ID); err != nil {
		t.Fatal(err)
	}
	err = f.db.InTx(t.Context(), func(tx pgx.Tx) error {
		if _, err := tx.Exec(t.Context(), `SET LOCAL lock_timeout = '2s'`); err != nil {
			return err
		}
		if _, err := tx.Exec(t.Context(), `SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE`, conv.ID); err != nil {
			return err
		}
		return f.contacts.ScheduleFollowUp(t.Context(), tx, conv.ID, dialogs.FlowStressCheckin, f.clock.Now().Add(24*time.Hour))
	})
	if err != nil {
		t.Fatalf("ScheduleFollowUp with the contact locked elsewhere: %v", err)
	}
}

func TestDailyScheduleRunsAtSixLocalThroughTheClockChanges(t *testing.T) {
	t.Parallel()
	loc := london(t)
	d := dailyAt{at: Clock{6, 0}, loc: loc}
	tests := []struct{ after, want time.Time }{
		{time.Date(2026, 3, 28, 7, 0, 0, 0, loc), time.Date(2026, 3, 29, 5, 0, 0, 0, time.UTC)},      // 06:00 BST, the day the clocks go forward
		{time.Date(2026, 3, 29, 5, 0, 0, 0, time.UTC), time.Date(2026, 3, 30, 5, 0, 0, 0, time.UTC)}, // exactly at a run: the next day's
		{time.Date(2026, 10, 25, 0, 30, 0, 0, loc), time.Date(2026, 10, 25, 6, 0, 0, 0, time.UTC)},   // 06:00 GMT, the day they go back
		{time.Date(2026, 10, 24, 5, 59, 0, 0, time.UTC), time.Date(2026, 10, 25, 6, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		if got := d.Next(tt.after); !got.Equal(tt.want) {
			t.Errorf("Next(%s) = %s, want %s", tt.after, got.UTC(), tt.want)
		}
	}
}
