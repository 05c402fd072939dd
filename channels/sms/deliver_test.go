package sms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/ohcontact/ohcontact"

	"github.com/ohcontact/ohcontact/channels/sms/twiliotest"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

const statusURL = "https://oh.example.nhs.uk/sms/twilio/status"

type deliveryFixture struct {
	db      *postgres.DB
	twilio  *twiliotest.Server
	d       *Deliverer
	staffID int64
}

func newDeliveryFixture(t *testing.T) *deliveryFixture {
	t.Helper()
	db := pgtest.New(t)
	srv := twiliotest.New(testAccount, testToken)
	t.Cleanup(srv.Close)
	tw, err := NewTwilio(TwilioConfig{AccountSID: testAccount, AuthToken: testToken, From: "+447700900999", APIBaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	f := &deliveryFixture{db: db, twilio: srv,
		d: &Deliverer{DB: db, Sender: tw, StatusCallback: statusURL, Log: slog.New(slog.DiscardHandler), Now: time.Now}}
	org := pgtest.Organisation(t, db.Pool, "RX1", "Test Trust")
	f.staffID = pgtest.Staff(t, db.Pool, pgtest.StaffRow{Organisation: org, Number: "100", First: "Ann", Last: "Example",
		Mobile: "+447700900001"})
	return f
}

// queue inserts an outbound bot text to the fixture's member of staff.
func (f *deliveryFixture) queue(t *testing.T, body string) int64 {
	t.Helper()
	var id int64
	err := f.db.Pool.QueryRow(t.Context(), `
		WITH c AS (
			INSERT INTO conversations (organisation_id, staff_id, channel, address, flow, fsm_state, last_message_seq)
			SELECT organisation_id, id, 'sms', mobile, 'support', 'menu', 1 FROM staff WHERE id = $1
			ON CONFLICT (staff_id, channel) WHERE status = 'open' AND staff_id IS NOT NULL
			DO UPDATE SET last_message_seq = conversations.last_message_seq + 1
			RETURNING id, last_message_seq)
		INSERT INTO messages (conversation_id, seq, direction, channel, author, body, delivery_status)
		SELECT id, last_message_seq, 'outbound', 'sms', 'bot', $2, 'queued' FROM c RETURNING id`, f.staffID, body).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *deliveryFixture) work(t *testing.T, id int64, attempt int) error {
	t.Helper()
	return f.d.Work(t.Context(), &river.Job[DeliverArgs]{
		JobRow: &rivertype.JobRow{Attempt: attempt, MaxAttempts: 8, Queue: Queue},
		Args:   DeliverArgs{MessageID: id},
	})
}

type messageRow struct {
	status, sid, reason string
	code                int
}

func (f *deliveryFixture) message(t *testing.T, id int64) messageRow {
	t.Helper()
	var m messageRow
	err := f.db.Pool.QueryRow(t.Context(), `
		SELECT delivery_status, coalesce(external_id, ''), coalesce(error_code, 0), coalesce(error_reason, '')
		FROM messages WHERE id = $1`, id).Scan(&m.status, &m.sid, &m.code, &m.reason)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestDeliverSendsOnceAndRecordsSID(t *testing.T) {
	t.Parallel()
	f := newDeliveryFixture(t)
	id := f.queue(t, "This is Demo Trust Occupational Health.")

	if err := f.work(t, id, 1); err != nil {
		t.Fatalf("Work: %v", err)
	}
	posted := f.twilio.Messages()
	if len(posted) != 1 || posted[0].Get("To") != "+447700900001" || posted[0].Get("StatusCallback") != statusURL {
		t.Fatalf("posted %v, want one text to +447700900001 with the status callback", posted)
	}
	m := f.message(t, id)
	if m.status != "sent" || len(m.sid) != 34 {
		t.Fatalf("message after delivery = %+v, want sent with Twilio's SID", m)
	}
	// River retries a job whose completion was lost: the text must not go twice.
	if err := f.work(t, id, 2); err != nil {
		t.Fatalf("second Work: %v", err)
	}
	if n := len(f.twilio.Messages()); n != 1 {
		t.Fatalf("a retried delivery sent the text again: %d texts", n)
	}
}

func TestDeliverRetriesThenSends(t *testing.T) {
	t.Parallel()
	f := newDeliveryFixture(t)
	id := f.queue(t, "hello")
	f.twilio.FailNext(twiliotest.Failure{HTTP: 503, Code: 20503}, twiliotest.Failure{HTTP: 429, Code: 20429})

	for attempt := 1; attempt <= 2; attempt++ {
		err := f.work(t, id, attempt)
		var se *SendError
		if !errors.As(err, &se) || se.Permanent {
			t.Fatalf("attempt %d = %v, want a retryable SendError", attempt, err)
		}
	}
	if err := f.work(t, id, 3); err != nil {
		t.Fatalf("attempt 3: %v", err)
	}
	if n := len(f.twilio.Messages()); n != 1 {
		t.Fatalf("%d texts accepted, want 1", n)
	}
	if m := f.message(t, id); m.status != "sent" {
		t.Fatalf("status %q, want sent", m.status)
	}
}

func TestDeliverPermanentFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		code         int
		reason       string
		wantOptedOut bool
	}{
		{"invalid number", ErrCodeInvalidNumber, "invalid phone number", false},
		{"replied STOP to Twilio", ErrCodeOptedOut, "the person has opted out (replied STOP)", true},
		{"not a mobile", ErrCodeNotMobile, "the number is not a mobile", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newDeliveryFixture(t)
			id := f.queue(t, "hello")
			f.twilio.FailNext(twiliotest.Failure{HTTP: 400, Code: tt.code})

			err := f.work(t, id, 1)
			var cancel *river.JobCancelError
			if !errors.As(err, &cancel) {
				t.Fatalf("Work = %v, want the job cancelled (no retries)", err)
			}
			if m := f.message(t, id); m.status != "failed" || m.code != tt.code || m.reason != tt.reason {
				t.Fatalf("message = %+v, want failed with code %d and reason %q", m, tt.code, tt.reason)
			}
			var consent string
			f.db.Pool.QueryRow(t.Context(), `SELECT consent FROM staff WHERE id = $1`, f.staffID).Scan(&consent)
			if (consent == "opted_out") != tt.wantOptedOut {
				t.Fatalf("consent = %q after error %d", consent, tt.code)
			}
		})
	}
}

func TestDeliverSkipsTextsQueuedBeforeOptOut(t *testing.T) {
	t.Parallel()
	f := newDeliveryFixture(t)
	id := f.queue(t, "a reminder queued yesterday")
	err := f.db.InTx(t.Context(), func(tx pgx.Tx) error { return postgres.SetConsent(t.Context(), tx, f.staffID, true, time.Now()) })
	if err != nil {
		t.Fatal(err)
	}
	confirmation := f.queue(t, "You have opted out") // queued after the opt-out, as its confirmation
	for _, id := range []int64{id, confirmation} {
		if err := f.work(t, id, 1); err != nil {
			t.Fatalf("Work: %v", err)
		}
	}
	if posted := f.twilio.Messages(); len(posted) != 1 || posted[0].Get("Body") != "You have opted out" {
		t.Fatalf("posted %v, want only the text queued after the opt-out", posted)
	}
	if m := f.message(t, id); m.status != "failed" || m.reason != "not sent: the person opted out" {
		t.Fatalf("message = %+v, want failed as opted out", m)
	}
}

// A Welsh text keeps its letters unless its organisation folds them.
func TestDeliverFoldsDiacriticsOnlyForOrganisationsThatChooseIt(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		fold func(string) bool
		want string
	}{
		{"by default", nil, "Gallwch hawlio tâl salwch."},
		{"another organisation folds", func(org string) bool { return org == "RX2" }, "Gallwch hawlio tâl salwch."},
		{"this organisation folds", func(org string) bool { return org == "RX1" }, "Gallwch hawlio tal salwch."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newDeliveryFixture(t)
			f.d.FoldDiacritics = tt.fold
			id := f.queue(t, "Gallwch hawlio tâl salwch.")
			if err := f.work(t, id, 1); err != nil {
				t.Fatal(err)
			}
			if posted := f.twilio.Messages(); len(posted) != 1 || posted[0].Get("Body") != tt.want {
				t.Fatalf("posted %v, want %q", posted, tt.want)
			}
		})
	}
}

// With a sending rate of one text an hour, the second text waits its turn:
// its job is snoozed (no attempt spent) and nothing reaches Twilio.
func TestDeliveryKeepsToTheSendingRate(t *testing.T) {
	f := newDeliveryFixture(t)
	f.d.Throttle = &Throttle{DB: f.db, PerSecond: 1.0 / 3600}
	first, second := f.queue(t, "first"), f.queue(t, "second")

	if err := f.work(t, first, 1); err != nil {
		t.Fatalf("first text: %v", err)
	}
	err := f.work(t, second, 1)
	var snooze *river.JobSnoozeError
	if !errors.As(err, &snooze) {
		t.Fatalf("second text: got %v, want a snooze until its slot", err)
	}
	if snooze.Duration < 50*time.Minute || snooze.Duration > time.Hour {
		t.Errorf("snoozed for %v, want just under an hour", snooze.Duration)
	}
	if got := f.message(t, second).status; got != "queued" {
		t.Errorf("second text status = %q, want queued", got)
	}
	if n := len(f.twilio.Messages()); n != 1 {
		t.Errorf("Twilio got %d texts, want 1", n)
	}
}

// An on-call text goes through the same delivery: sent once to the on-call
// number with the status callback, its SID recorded, a retried job doing
// nothing, and Twilio's later status moving it forward.
func TestOnCallTextDeliveredOnceAndTracked(t *testing.T) {
	t.Parallel()
	f := newDeliveryFixture(t)
	var id int64
	err := f.db.Pool.QueryRow(t.Context(), `
		WITH c AS (INSERT INTO cases (organisation_id, priority, category, sla_due_at)
		           SELECT organisation_id, 'urgent', 'suicide_risk', now() FROM staff WHERE id = $1 RETURNING id, organisation_id)
		INSERT INTO on_call_texts (organisation_id, case_id, mobile, body)
		SELECT organisation_id, id, '+447700900900', 'OH alert (RX1): urgent case is unclaimed past its SLA' FROM c RETURNING id`,
		f.staffID).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	oc := &OnCallDeliverer{Deliverer: f.d}
	for attempt := 1; attempt <= 2; attempt++ {
		err := oc.Work(t.Context(), &river.Job[OnCallArgs]{JobRow: &rivertype.JobRow{Attempt: attempt, MaxAttempts: 8, Queue: CrisisQueue}, Args: OnCallArgs{TextID: id}})
		if err != nil {
			t.Fatalf("attempt %d: %v", attempt, err)
		}
	}
	posted := f.twilio.Messages()
	if len(posted) != 1 || posted[0].Get("To") != "+447700900900" || posted[0].Get("StatusCallback") != statusURL {
		t.Fatalf("posted %v, want one text to the on-call number with the status callback", posted)
	}
	var status, sid string
	read := func() {
		t.Helper()
		if err := f.db.Pool.QueryRow(t.Context(), `SELECT delivery_status, coalesce(external_id, '') FROM on_call_texts WHERE id = $1`, id).Scan(&status, &sid); err != nil {
			t.Fatal(err)
		}
	}
	read()
	if status != "sent" || len(sid) != 34 {
		t.Fatalf("on-call text %s with SID %q, want sent with Twilio's SID", status, sid)
	}
	statuses := postgres.Messages{DB: f.db}
	if changed, err := statuses.UpdateDeliveryStatus(t.Context(), sid, "delivered", 0, time.Now()); err != nil || !changed {
		t.Fatalf("status callback: changed=%v err=%v", changed, err)
	}
	if changed, _ := statuses.UpdateDeliveryStatus(t.Context(), sid, "sent", 0, time.Now()); changed {
		t.Fatal("a late 'sent' moved a delivered on-call text backwards")
	}
	if read(); status != "delivered" {
		t.Fatalf("on-call text %s, want delivered", status)
	}
}

// TestCrisisLaneSkipsTheSendingLine is the crisis lane's rate control: an
// hour's line of ordinary texts (the sending rate used up for an hour) does
// not hold a crisis text, which has its own line of send slots.
func TestCrisisLaneSkipsTheSendingLine(t *testing.T) {
	f := newDeliveryFixture(t)
	f.d.Throttle = &Throttle{DB: f.db, PerSecond: 1.0 / 3600}
	first, second := f.queue(t, "first"), f.queue(t, "second")
	if err := f.work(t, first, 1); err != nil {
		t.Fatalf("first text: %v", err)
	}
	if _, snoozed := errors.AsType[*river.JobSnoozeError](f.work(t, second, 1)); !snoozed {
		t.Fatal("the second ordinary text was not held to the sending rate")
	}
	crisis := f.queue(t, "If you are in danger now, call 999")
	err := f.d.Work(t.Context(), &river.Job[DeliverArgs]{
		JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 8, Queue: CrisisQueue}, Args: DeliverArgs{MessageID: crisis}})
	if err != nil {
		t.Fatalf("crisis text: got %v, want it sent at once", err)
	}
	if got := f.message(t, crisis).status; got == "queued" {
		t.Errorf("crisis text status = %q, want sent", got)
	}
}

// TestPrepaidTextTakesNoSecondSlot: a text on the prepaid lane (a
// campaign's invitation, whose sender took its slot on the ordinary line
// before queueing it) is sent at once however long the line is, and takes
// no slot of its own: the next ordinary text's turn does not move.
func TestPrepaidTextTakesNoSecondSlot(t *testing.T) {
	f := newDeliveryFixture(t)
	f.d.Throttle = &Throttle{DB: f.db, PerSecond: 1.0 / 3600}
	if err := f.d.Throttle.Wait(t.Context(), Queue); err != nil { // the sender's slot
		t.Fatal(err)
	}
	var before time.Time
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT next_slot FROM send_slots WHERE name = $1`, Queue).Scan(&before); err != nil {
		t.Fatal(err)
	}
	invitation := f.queue(t, "OH invites you to your flu vaccination")
	err := f.d.Work(t.Context(), &river.Job[DeliverArgs]{
		JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 8, Queue: PrepaidQueue}, Args: DeliverArgs{MessageID: invitation}})
	if err != nil {
		t.Fatalf("prepaid text: got %v, want it sent at once", err)
	}
	if got := f.message(t, invitation).status; got == "queued" {
		t.Errorf("prepaid text status = %q, want sent", got)
	}
	var after time.Time
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT next_slot FROM send_slots WHERE name = $1`, Queue).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if !after.Equal(before) {
		t.Errorf("the ordinary line moved from %v to %v; want no second slot taken", before, after)
	}
	var lines int
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM send_slots WHERE name = $1`, PrepaidQueue).Scan(&lines); err != nil || lines != 0 {
		t.Errorf("the prepaid lane has a line of its own (%v)", err)
	}
}

// TestCrisisTextOvertakesBacklog proves the lane with River running: with
// a backlog of ordinary replies and proactive contacts waiting on the
// sending rate, a crisis text queued after them reaches Twilio within a
// second, while most of the backlog still waits.
func TestCrisisTextOvertakesBacklog(t *testing.T) {
	f := newDeliveryFixture(t)
	f.d.Throttle = &Throttle{DB: f.db, PerSecond: 4}
	ctx := t.Context()
	const backlog = 24
	var ms []ohcontact.Message
	for i := range backlog {
		ms = append(ms, ohcontact.Message{ID: f.queue(t, fmt.Sprintf("ordinary %d", i)), Urgent: i%2 == 0})
	}
	crisis := ohcontact.Message{ID: f.queue(t, "CRISIS: call 999 or 111 option 2"), Urgent: true, Crisis: true}

	workers := river.NewWorkers()
	river.AddWorker(workers, f.d)
	client, err := river.NewClient(riverpgxv5.New(f.db.Pool), &river.Config{
		Queues:  map[string]river.QueueConfig{Queue: {MaxWorkers: 2}, CrisisQueue: {MaxWorkers: 2}},
		Workers: workers, Logger: slog.New(slog.DiscardHandler), FetchPollInterval: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	outbox := &Outbox{Jobs: client}
	err = f.db.InTx(ctx, func(tx pgx.Tx) error {
		if err := outbox.Queue(ctx, tx, ms...); err != nil {
			return err
		}
		return outbox.Queue(ctx, tx, crisis)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Stop(context.Background()) }) // the test is over
	started := time.Now()
	for f.message(t, crisis.ID).status == "queued" || f.message(t, crisis.ID).status == "sending" {
		if time.Since(started) > 5*time.Second {
			t.Fatalf("the crisis text was not sent within 5 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	took := time.Since(started)
	sent := f.twilio.Messages()
	ordinary := 0
	for _, m := range sent {
		if !strings.HasPrefix(m.Get("Body"), "CRISIS") {
			ordinary++
		}
	}
	if took > time.Second || ordinary > backlog/3 {
		t.Errorf("crisis text sent after %v with %d of %d ordinary texts before it; want within 1 s, ahead of most", took, ordinary, backlog)
	}
}
