package campaigns_test

import (
	"context"
	"log/slog"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/campaigns"
	"github.com/ohcontact/ohcontact/channels"
	"github.com/ohcontact/ohcontact/channels/sms"
	"github.com/ohcontact/ohcontact/channels/sms/twiliotest"
	"github.com/ohcontact/ohcontact/channels/webchat"
	"github.com/ohcontact/ohcontact/triggers"
)

// live is the fixture's campaigns wired as serve wires them, on the real
// clock: a River client working the senders, reminders and deliveries,
// texts going to a fake Twilio at rate a second.
type live struct {
	twilio *twiliotest.Server
	mu     sync.Mutex
	sent   []time.Time // when Twilio accepted each text
	jobs   *river.Client[pgx.Tx]
}

func newLive(t testing.TB, f *fixture, rate float64) *live {
	t.Helper()
	l := &live{twilio: twiliotest.New("ACtest", "token")}
	t.Cleanup(l.twilio.Close)
	l.twilio.OnMessage(func(url.Values) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.sent = append(l.sent, time.Now())
	})
	tw, err := sms.NewTwilio(sms.TwilioConfig{AccountSID: "ACtest", AuthToken: "token", From: "+447700900999", APIBaseURL: l.twilio.URL})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	throttle := &sms.Throttle{DB: f.db, PerSecond: rate}
	workers := river.NewWorkers()
	f.c.AddWorkers(workers)
	river.AddWorker(workers, &sms.Deliverer{DB: f.db, Sender: tw, Throttle: throttle, Log: log, Now: time.Now})
	l.jobs, err = river.NewClient(riverpgxv5.New(f.db.Pool), &river.Config{
		Queues: map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}, campaigns.Queue: {MaxWorkers: 2},
			sms.Queue: {MaxWorkers: 4}, sms.PrepaidQueue: {MaxWorkers: 4}},
		Workers: workers, Logger: log, FetchCooldown: 20 * time.Millisecond, FetchPollInterval: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	f.c.Jobs, f.c.Throttle, f.c.Now = l.jobs, throttle, time.Now
	f.c.Invitations = channels.Outboxes{ohcontact.ChannelSMS: &sms.Outbox{Jobs: l.jobs, Prepaid: true}, ohcontact.ChannelWebChat: webchat.Outbox{}}
	if err := l.jobs.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = l.jobs.StopAndCancel(ctx) // the test is over
	})
	return l
}

// accepted returns when Twilio accepted each text so far.
func (l *live) accepted() []time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]time.Time(nil), l.sent...)
}

// waitFor waits up to limit for n texts to have been accepted.
func (l *live) waitFor(t testing.TB, n int, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for len(l.accepted()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d texts accepted after %v; want %d", len(l.accepted()), limit, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// allDay is a campaign of department dept open all week, all day (but the
// last minute), from now, with no reminder.
func (f *fixture) allDay(dept string) campaigns.New {
	n := f.campaign()
	n.AudienceValue, n.StartsAt, n.RemindAfter = dept, time.Now(), 0
	n.From, n.Until = triggers.Clock{}, triggers.Clock{Hour: 23, Minute: 59}
	n.Days = []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}
	return n
}

func skipNearMidnight(t testing.TB) {
	if now := time.Now().In(londonLoc(t)); now.Hour() == 23 && now.Minute() >= 57 {
		t.Skip("the all-day window closes at 23:59 London time")
	}
}

func londonLoc(t testing.TB) *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestPauseStopsSendsAtOnce runs a vaccination campaign (two texts an
// invitation) through River at 5 texts a second: after a pause at most the
// one invitation in flight reaches Twilio, within a second, and nothing
// after; resumed, the campaign sends the rest, never more texts a second
// than the rate, and finishes, each member invited once, its sender handing over to a new job every second on the way.
// (How close to the rate it keeps is BenchmarkSend's to measure: the race
// detector slows the sender.)
func TestPauseStopsSendsAtOnce(t *testing.T) {
	t.Parallel()
	skipNearMidnight(t)
	f := newFixture(t)
	const n, rate, texts = 25, 5.0, 2 // texts an invitation
	for range n {
		f.staff(t, person{department: "Ward 3", mobile: true})
	}
	l := newLive(t, f, rate)
	f.c.SetSendRun(time.Second)
	id := f.create(t, f.allDay("Ward 3")).CampaignID
	ctx := t.Context()
	if err := f.c.Start(ctx, 0, id, f.lead); err != nil {
		t.Fatal(err)
	}
	l.waitFor(t, 5*texts, 10*time.Second)
	if err := f.c.Pause(ctx, 0, id, f.lead); err != nil {
		t.Fatal(err)
	}
	paused := time.Now()
	time.Sleep(2 * time.Second)
	var after []time.Duration
	for _, at := range l.accepted() {
		if at.After(paused) {
			after = append(after, at.Sub(paused))
		}
	}
	if len(after) > texts || (len(after) > 0 && after[len(after)-1] > time.Second) {
		t.Errorf("texts accepted after the pause: %v; want at most the invitation in flight, within 1 s", after)
	}
	before := len(l.accepted()) / texts
	if sent := f.count(t, `SELECT count(*) FROM campaign_members WHERE campaign_id = $1 AND state = 'sent'`, id); sent*texts != len(l.accepted()) {
		t.Errorf("%d members sent while paused, %d texts accepted; want %d each", sent, len(l.accepted()), texts)
	}

	if err := f.c.Resume(ctx, 0, id, f.lead); err != nil {
		t.Fatal(err)
	}
	resumed := time.Now()
	l.waitFor(t, n*texts, 30*time.Second)
	took := l.accepted()[n*texts-1].Sub(resumed)
	if least := time.Duration(float64((n-before)*texts-1) / rate * float64(time.Second)); took < least*9/10 {
		t.Errorf("the last %d invitations' texts took %v; want at least %v at %v a second", n-before, took, least, rate)
	}
	deadline := time.Now().Add(5 * time.Second)
	for f.status(t, id) != "finished" && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if s := f.status(t, id); s != "finished" {
		t.Errorf("status %s; want finished", s)
	}
	if runs := f.count(t, `SELECT count(*) FROM river_job WHERE kind = 'campaign_send' AND state = 'completed'`); runs < 4 {
		t.Errorf("%d sender runs; want one a second", runs)
	}
	if dup := f.count(t, `SELECT count(*) - count(DISTINCT c.staff_id) FROM conversations c WHERE c.campaign_member_id IS NOT NULL`); dup != 0 || len(l.accepted()) != n*texts {
		t.Errorf("%d texts for %d members, %d people invited twice; want each once, %d texts each", len(l.accepted()), n, dup, texts)
	}
}

// TestReplyIsNotQueuedBehindTheCampaign: while a campaign sends at the
// whole rate, a person's reply is answered within two seconds (slots of
// 0.2 s; the step itself under the race detector): the campaign has only
// the invitation in flight ahead of it, not the 40 it has to send, which
// would hold the reply for eight seconds.
func TestReplyIsNotQueuedBehindTheCampaign(t *testing.T) {
	t.Parallel()
	skipNearMidnight(t)
	f := newFixture(t)
	const n, rate = 40, 5.0
	for range n {
		f.staff(t, person{department: "Ward 3", mobile: true})
	}
	l := newLive(t, f, rate)
	id := f.create(t, f.allDay("Ward 3")).CampaignID
	if err := f.c.Start(t.Context(), 0, id, f.lead); err != nil {
		t.Fatal(err)
	}
	l.waitFor(t, 3, 10*time.Second)
	var mobile string
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT address FROM conversations WHERE campaign_member_id IS NOT NULL ORDER BY id LIMIT 1`).
		Scan(&mobile); err != nil {
		t.Fatal(err)
	}
	texts := func() int {
		k := 0
		for _, m := range l.twilio.Messages() {
			if m.Get("To") == mobile {
				k++
			}
		}
		return k
	}
	start := time.Now()
	if err := f.runner.HandleInbound(t.Context(), ohcontact.Inbound{Channel: ohcontact.ChannelSMS, Address: mobile, Text: "yes",
		ExternalID: "SMreply", ReceivedAt: f.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	for texts() < 3 { // the invitation, its choices, the answer
		if time.Since(start) > 5*time.Second {
			t.Fatalf("no answer to the reply within 5 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the reply was answered after %v, behind the campaign; want within 2 s", took)
	}
	if got := len(l.accepted()); got >= 2*n {
		t.Errorf("the campaign had sent all %d invitations already: the test proves nothing", n)
	}
}
