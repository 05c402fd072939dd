package dialogs_test

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels"
	"github.com/ohcontact/ohcontact/channels/sms"
	"github.com/ohcontact/ohcontact/channels/webchat"
	"github.com/ohcontact/ohcontact/dialogs"
	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/escalation/risk"
	"github.com/ohcontact/ohcontact/locales"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
	"github.com/ohcontact/ohcontact/signposting"
	"github.com/ohcontact/ohcontact/triggers"
)

const (
	annMobile     = "+447700900001"
	unknownMobile = "+447700900777"
)

type runnerFixture struct {
	db        *postgres.DB
	engine    *dialogs.Engine
	jobs      *river.Client[pgx.Tx]
	orgID     int64
	runner    *dialogs.Runner
	asks      *dialogs.AskTimeouts
	newRunner func() *dialogs.Runner
	seq       int
	// at is the runners' clock and every message's arrival: Wednesday 18
	// November 2026, 10:00 unless a test moves it.
	at time.Time
}

func newRunnerFixture(t *testing.T) *runnerFixture {
	t.Helper()
	db := pgtest.New(t)
	bundle, err := locales.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	engine, err := dialogs.New(bundle, signposting.Demo())
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{}) // insert-only
	if err != nil {
		t.Fatal(err)
	}
	orgID := pgtest.Organisation(t, db.Pool, "DEMO", "Demo Trust")
	pgtest.Staff(t, db.Pool, pgtest.StaffRow{Organisation: orgID, Number: "100", First: "Ann", Last: "Example", Mobile: annMobile})
	london, _ := time.LoadLocation("Europe/London")
	f := &runnerFixture{db: db, engine: engine, jobs: jobs, orgID: orgID, at: time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC)}
	now := func() time.Time { return f.at }
	policy, err := triggers.NewPolicy(nil)
	if err != nil {
		t.Fatal(err)
	}
	scheduler := &triggers.Scheduler{Policy: policy, Jobs: jobs, Now: now}
	screen := risk.New()
	cases := &escalation.Cases{SLA: escalation.DefaultSLA, Location: london, Jobs: jobs}
	outboxes := channels.Outboxes{ohcontact.ChannelSMS: &sms.Outbox{Jobs: jobs}, ohcontact.ChannelWebChat: webchat.Outbox{}}
	referrals := &escalation.Referrals{DB: db, Location: london, Cases: cases, Jobs: jobs, Now: now}
	f.asks = &dialogs.AskTimeouts{Jobs: jobs}
	// Each call is another instance of the service on the same database.
	f.newRunner = func() *dialogs.Runner {
		return &dialogs.Runner{
			DB: db, Engine: engine, Screen: screen,
			Cases:               cases,
			Referrals:           referrals,
			Outboxes:            outboxes,
			Asks:                f.asks,
			FollowUps:           &triggers.Contacts{DB: db, Scheduler: scheduler, Engine: engine, Log: slog.New(slog.DiscardHandler)},
			Absences:            scheduler,
			Team:                policy,
			DefaultOrganisation: ohcontact.Organisation{ID: orgID, Code: "DEMO", Name: "Demo Trust"},
			Location:            london,
			Now:                 now,
			Log:                 slog.New(slog.DiscardHandler),
		}
	}
	f.runner = f.newRunner()
	f.asks.Runner = f.runner
	return f
}

// send delivers text from mobile with a fresh MessageSid, and returns the sid.
func (f *runnerFixture) send(t *testing.T, mobile, text string) string {
	t.Helper()
	f.seq++
	sid := fmt.Sprintf("SM%032x", f.seq)
	f.deliver(t, mobile, text, sid)
	return sid
}

func (f *runnerFixture) deliver(t *testing.T, mobile, text, sid string) {
	t.Helper()
	err := f.runner.HandleInbound(t.Context(), ohcontact.Inbound{Channel: ohcontact.ChannelSMS, Address: mobile, Text: text,
		ExternalID: sid, ReceivedAt: f.at})
	if err != nil {
		t.Fatalf("HandleInbound(%q): %v", text, err)
	}
}

type conversationView struct {
	id                   int64
	owner, status, state string
	closedReason         string
	inbound, outbound    int
	urgentOut            int
	jobs                 int
	lastReply            string
}

func (f *runnerFixture) conversation(t *testing.T, mobile string) conversationView {
	t.Helper()
	var v conversationView
	ctx := t.Context()
	err := f.db.Pool.QueryRow(ctx, `SELECT id, owner, status, fsm_state, coalesce(closed_reason, '') FROM conversations
		WHERE address = $1 ORDER BY id DESC LIMIT 1`, mobile).Scan(&v.id, &v.owner, &v.status, &v.state, &v.closedReason)
	if err != nil {
		t.Fatalf("load conversation: %v", err)
	}
	f.db.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE direction = 'inbound'), count(*) FILTER (WHERE direction = 'outbound'),
		count(*) FILTER (WHERE direction = 'outbound' AND urgent) FROM messages WHERE conversation_id = $1`, v.id).
		Scan(&v.inbound, &v.outbound, &v.urgentOut)
	f.db.Pool.QueryRow(ctx, `SELECT coalesce((SELECT body FROM messages WHERE conversation_id = $1 AND direction = 'outbound'
		ORDER BY seq DESC LIMIT 1), '')`, v.id).Scan(&v.lastReply)
	f.db.Pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'sms_deliver'
		AND (args->>'message_id')::bigint IN (SELECT id FROM messages WHERE conversation_id = $1)`, v.id).Scan(&v.jobs)
	return v
}

func TestRunnerRepliesAndQueuesDelivery(t *testing.T) {
	t.Parallel()
	f := newRunnerFixture(t)
	f.send(t, annMobile, "hello")
	v := f.conversation(t, annMobile)
	if v.inbound != 1 || v.outbound == 0 || v.jobs != v.outbound || v.owner != "bot" || v.status != "open" {
		t.Fatalf("after hello: %+v; want the message stored, replies queued with one delivery job each", v)
	}
	before := v.outbound
	f.send(t, annMobile, "2")
	if v = f.conversation(t, annMobile); v.inbound != 2 || v.outbound <= before || v.jobs != v.outbound {
		t.Fatalf("after a menu choice: %+v", v)
	}
	var answers, signposts int
	f.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM answers WHERE conversation_id = $1`, v.id).Scan(&answers)
	f.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM signposts WHERE conversation_id = $1`, v.id).Scan(&signposts)
	if answers == 0 || signposts == 0 {
		t.Fatalf("after a menu choice: %d answers and %d signposts stored, want the choice and the services given", answers, signposts)
	}
}

func TestRunnerRetriedDeliveryIsProcessedOnce(t *testing.T) {
	t.Parallel()
	f := newRunnerFixture(t)
	sid := f.send(t, annMobile, "hello")
	first := f.conversation(t, annMobile)

	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() { f.deliver(t, annMobile, "hello", sid) })
	}
	wg.Wait()
	if again := f.conversation(t, annMobile); again != first {
		t.Fatalf("a retried delivery changed the conversation: %+v, was %+v", again, first)
	}
}

func TestRunnerConcurrentDuplicatesOfAFirstMessage(t *testing.T) {
	t.Parallel()
	f := newRunnerFixture(t)
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() { f.deliver(t, annMobile, "hello", "SM0000000000000000000000000000dead") })
	}
	wg.Wait()
	var conversations, inbound int
	f.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM conversations`).Scan(&conversations)
	f.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM messages WHERE direction = 'inbound'`).Scan(&inbound)
	if conversations != 1 || inbound != 1 {
		t.Fatalf("%d conversations and %d inbound messages after six concurrent copies, want 1 and 1", conversations, inbound)
	}
}

func TestRunnerRiskDisclosureMidFlow(t *testing.T) {
	t.Parallel()
	f := newRunnerFixture(t)
	f.send(t, annMobile, "hello")
	f.send(t, annMobile, "i've been saving up my tablets, i can't do this anymore")

	v := f.conversation(t, annMobile)
	if v.owner != "clinician" || v.state != dialogs.StateRiskPathway || v.status != "open" {
		t.Fatalf("after a disclosure: %+v; want the conversation open and owned by clinicians", v)
	}
	var priority, category string
	var cases int
	f.db.Pool.QueryRow(t.Context(), `SELECT count(*), max(priority), max(category) FROM cases WHERE conversation_id = $1`, v.id).
		Scan(&cases, &priority, &category)
	if cases != 1 || priority != "urgent" {
		t.Fatalf("%d cases, priority %q; want one urgent case", cases, priority)
	}
	if v.urgentOut == 0 || v.jobs != v.outbound {
		t.Fatalf("crisis contacts not queued for immediate delivery: %+v", v)
	}

	// The bot only holds the line while the conversation waits for a
	// clinician (TestHoldingLineInTheTeamsHours)…
	f.send(t, annMobile, "2")
	after := f.conversation(t, annMobile)
	if after.outbound != v.outbound+1 || !strings.HasPrefix(after.lastReply, "The OH team is at work now") {
		t.Fatalf("after a disclosure the bot replied %q; want only the holding line", after.lastReply)
	}
	before := after.outbound
	// …but the screen still runs on every message.
	f.send(t, annMobile, "going to jump off the bridge tonight")
	if after := f.conversation(t, annMobile); after.outbound != before+1 {
		t.Fatalf("a second disclosure got %d replies, want crisis contacts again", after.outbound-before)
	}
	f.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM cases WHERE conversation_id = $1`, v.id).Scan(&cases)
	if cases != 1 {
		t.Fatalf("%d cases for one conversation, want the open case raised, not a second", cases)
	}
}

func TestRunnerStopOptsOutAtOnce(t *testing.T) {
	t.Parallel()
	f := newRunnerFixture(t)
	f.send(t, annMobile, "hello")
	f.send(t, annMobile, "STOP")
	v := f.conversation(t, annMobile)
	var consent string
	f.db.Pool.QueryRow(t.Context(), `SELECT consent FROM staff WHERE mobile = $1`, annMobile).Scan(&consent)
	if consent != "opted_out" || v.status != "closed" || v.closedReason != "opted_out" {
		t.Fatalf("after STOP: consent %q, conversation %+v; want opted out and closed", consent, v)
	}

	f.send(t, annMobile, "START")
	f.db.Pool.QueryRow(t.Context(), `SELECT consent FROM staff WHERE mobile = $1`, annMobile).Scan(&consent)
	if consent != "opted_in" {
		t.Fatalf("after START: consent %q, want opted_in", consent)
	}
}

func TestRunnerUnknownNumber(t *testing.T) {
	t.Parallel()
	f := newRunnerFixture(t)
	f.send(t, unknownMobile, "hi who is this")
	v := f.conversation(t, unknownMobile)
	if v.outbound == 0 || v.owner != "bot" {
		t.Fatalf("unknown number got %+v, want a generic reply", v)
	}
	f.send(t, unknownMobile, "i want to kill myself")
	var unknownSender bool
	var priority string
	err := f.db.Pool.QueryRow(t.Context(), `SELECT unknown_sender, priority FROM cases WHERE conversation_id = $1`, v.id).
		Scan(&unknownSender, &priority)
	if err == pgx.ErrNoRows || !unknownSender || priority != "urgent" {
		t.Fatalf("disclosure from an unknown number: case unknown_sender=%v priority=%q (%v); want an urgent unknown-sender case", unknownSender, priority, err)
	}
}

// TestAnonymousChatStartsInThePagesLanguage: an anonymous web chat on a
// Welsh page is answered in Welsh from its first message.
func TestAnonymousChatStartsInThePagesLanguage(t *testing.T) {
	t.Parallel()
	f := newRunnerFixture(t)
	err := f.runner.HandleInbound(t.Context(), ohcontact.Inbound{Channel: ohcontact.ChannelWebChat, Address: "anon-cy",
		Text: "helo", ExternalID: "frame-1", ReceivedAt: f.at, Organisation: f.runner.DefaultOrganisation, Lang: "cy"})
	if err != nil {
		t.Fatal(err)
	}
	v := f.conversation(t, "anon-cy")
	var lang string
	f.db.Pool.QueryRow(t.Context(), `SELECT language FROM conversations WHERE id = $1`, v.id).Scan(&lang)
	if lang != "cy" || !strings.Contains(v.lastReply, "Iechyd") {
		t.Errorf("an anonymous chat on a Welsh page: language %q, reply %q; want Welsh", lang, v.lastReply)
	}
}
