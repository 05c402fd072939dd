package escalation_test

import (
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels"
	"github.com/ohcontact/ohcontact/channels/sms"
	"github.com/ohcontact/ohcontact/dialogs"
	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/locales"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
	"github.com/ohcontact/ohcontact/signposting"
	"github.com/ohcontact/ohcontact/triggers"
)

// referralFixture is a fresh database with the demo organisation, one
// member of staff referred by SMS, the referral lifecycle with an
// insert-only job client, its SLA check and notice workers, and a driven
// clock in Europe/London.
type referralFixture struct {
	db        *postgres.DB
	referrals *escalation.Referrals
	checks    *escalation.ReferralSLAChecks
	notices   *escalation.ReferralNotices
	org       int64
	staff     int64
	conv      ohcontact.Conversation
	physio    int64

	mu  sync.Mutex
	now time.Time
}

var london = mustLocation("Europe/London")

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func newReferralFixture(t *testing.T) *referralFixture {
	t.Helper()
	db := pgtest.New(t)
	ctx := t.Context()
	jobs, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{}) // insert-only
	if err != nil {
		t.Fatal(err)
	}
	// Friday 4 December 2026, 16:00 in London (GMT).
	f := &referralFixture{db: db, now: time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC)}
	f.org = pgtest.Organisation(t, db.Pool, signposting.DemoCode, "Demo Trust")
	f.staff = pgtest.Staff(t, db.Pool, pgtest.StaffRow{Organisation: f.org, Number: "A1001", First: "Sam", Last: "Jones",
		Mobile: "+447700900123"})
	err = db.Pool.QueryRow(ctx, `INSERT INTO users (organisation_id, email, display_name, role, password_hash)
		VALUES ($1, 'physio@test.example', 'Pat Physio', 'physio', 'x') RETURNING id`, f.org).Scan(&f.physio)
	if err != nil {
		t.Fatal(err)
	}
	f.conv.ID = pgtest.Conversation(t, db.Pool, pgtest.ConversationRow{Organisation: f.org, Staff: f.staff, Channel: "sms",
		Address: "+447700900123", Flow: "msk-checkin", State: "closed"}) // language en-GB, the default
	f.conv.OrganisationID, f.conv.StaffID, f.conv.Channel, f.conv.Language = f.org, f.staff, ohcontact.ChannelSMS, "en-GB"
	cases := &escalation.Cases{DB: db, SLA: escalation.DefaultSLA, Location: london, Jobs: jobs}
	f.referrals = &escalation.Referrals{DB: db, Location: london, Cases: cases, Jobs: jobs, Now: f.clock}
	f.checks = &escalation.ReferralSLAChecks{Referrals: f.referrals,
		OnCall: map[int64]escalation.OnCall{f.org: {Code: signposting.DemoCode, Mobile: "+447700900999"}},
		Texts:  &sms.Outbox{Jobs: jobs}, ConsoleURL: "https://oh.example.nhs.uk", Log: slog.New(slog.DiscardHandler)}
	bundle, err := locales.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	engine, err := dialogs.New(bundle, signposting.Demo())
	if err != nil {
		t.Fatal(err)
	}
	policy, err := triggers.NewPolicy(nil)
	if err != nil {
		t.Fatal(err)
	}
	f.notices = &escalation.ReferralNotices{DB: db, Engine: engine, Times: &triggers.Scheduler{Policy: policy},
		Outboxes: channels.Outboxes{ohcontact.ChannelSMS: &sms.Outbox{Jobs: jobs}},
		Location: london, Log: slog.New(slog.DiscardHandler), Now: f.clock}
	return f
}

func (f *referralFixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *referralFixture) set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = t
}

// make makes a referral in the fixture's conversation at the fixture's
// time.
func (f *referralFixture) make(t *testing.T) int64 {
	t.Helper()
	var id int64
	err := f.db.InTx(t.Context(), func(tx pgx.Tx) (err error) {
		id, err = f.referrals.Make(t.Context(), tx, f.conv, map[string]string{"area": "back", "duration": "2_to_6_weeks",
			"red_flags": "no", "can_work": "no", "contact": "phone_morning", "progress": "same"}, f.clock())
		return err
	})
	if err != nil {
		t.Fatalf("make referral: %v", err)
	}
	return id
}

func (f *referralFixture) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := f.db.Pool.QueryRow(t.Context(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// TestReferralMovesForwardOnly: the physio team's actions move a referral
// forward only, each with its event and audit event; a move back, or a
// booking without what it needs, is refused with a sentence and changes
// nothing.
func TestReferralMovesForwardOnly(t *testing.T) {
	t.Parallel()
	f := newReferralFixture(t)
	id := f.make(t)
	by := postgres.Actor{UserID: f.physio}
	ctx := t.Context()
	inAWeek := f.clock().Add(7 * 24 * time.Hour)

	refused := []struct {
		name   string
		change postgres.ReferralChange
		field  string
	}{
		{"attended before booked", postgres.ReferralChange{Status: postgres.ReferralAttended}, ""},
		{"booked in the past", postgres.ReferralChange{Status: postgres.ReferralBooked, AppointmentAt: f.clock().Add(-time.Hour), AppointmentKind: "phone"}, "appointment_at"},
		{"booked in person nowhere", postgres.ReferralChange{Status: postgres.ReferralBooked, AppointmentAt: inAWeek, AppointmentKind: "in_person"}, "appointment_place"},
		{"declined for no reason", postgres.ReferralChange{Status: postgres.ReferralDeclined}, "decline_reason"},
		{"back to new", postgres.ReferralChange{Status: postgres.ReferralNew}, "status"},
	}
	for _, c := range refused {
		_, err := f.referrals.Act(ctx, f.org, by, id, c.change)
		if e, ok := errors.AsType[*escalation.ReferralError](err); !ok || e.Field != c.field || e.Detail == "" {
			t.Errorf("%s: got %v, want a refusal on field %q", c.name, err, c.field)
		}
	}

	steps := []postgres.ReferralChange{
		{Status: postgres.ReferralAccepted},
		{Status: postgres.ReferralAccepted}, // a repeat changes nothing
		{Status: postgres.ReferralBooked, AppointmentAt: inAWeek, AppointmentKind: "in_person", AppointmentPlace: "Physio Outpatients"},
		{Status: postgres.ReferralAttended},
	}
	for _, c := range steps {
		r, err := f.referrals.Act(ctx, f.org, by, id, c)
		if err != nil || r.Status != c.Status {
			t.Fatalf("%s: got %v, %v", c.Status, r.Status, err)
		}
	}
	_, err := f.referrals.Act(ctx, f.org, by, id, postgres.ReferralChange{Status: postgres.ReferralDeclined, DeclineReason: "see_gp"})
	if e, ok := errors.AsType[*escalation.ReferralError](err); !ok || e.Field != "" || !strings.Contains(e.Detail, "attended") {
		t.Errorf("declining an attended referral: got %v, want a conflict naming its status", err)
	}
	if _, err := f.referrals.Act(ctx, f.org+1, by, id, postgres.ReferralChange{Status: postgres.ReferralAccepted}); !errors.Is(err, ohcontact.ErrNotFound) {
		t.Errorf("another organisation's referral: got %v, want not found", err)
	}
	if n := f.count(t, `SELECT count(*) FROM referral_events WHERE referral_id = $1 AND user_id = $2`, id, f.physio); n != 3 {
		t.Errorf("%d events by the physio user, want 3 (accepted, booked, attended)", n)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_events WHERE record_type = 'referral' AND record_id = $1
		AND action IN ('referral.accepted', 'referral.booked', 'referral.attended') AND actor_id = $2`, id, f.physio); n != 3 {
		t.Errorf("%d audit events for the actions, want 3", n)
	}
}

// TestReferralPastSLAAlertsTeam is the control for hazard H17 (a promise
// without delivery) on the physio side: a referral nobody acts on is
// breached at its SLA, two working days, texting the MSK on-call number
// (by referral number, no personal data), and again every working day,
// until someone acts on it.
func TestReferralPastSLAAlertsTeam(t *testing.T) {
	t.Parallel()
	f := newReferralFixture(t)
	id := f.make(t) // Friday 16:00: due Tuesday 16:00

	check := f.pendingCheck(t)
	wantDue := time.Date(2026, 12, 8, 16, 0, 0, 0, time.UTC)
	if check.args.ReferralID != id || check.args.Breach != 1 || !check.at.Equal(wantDue) {
		t.Fatalf("SLA check %+v at %s, want breach 1 at %s", check.args, check.at, wantDue)
	}
	f.work(t, check)
	if n := f.count(t, `SELECT breach_count FROM referrals WHERE id = $1`, id); n != 1 {
		t.Errorf("breach count %d, want 1", n)
	}
	var body string
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT body FROM on_call_texts WHERE referral_id = $1`, id).Scan(&body); err != nil {
		t.Fatalf("no on-call text: %v", err)
	}
	if strings.Contains(body, "Sam") || strings.Contains(body, "900123") || !strings.Contains(body, "/console/referrals/") {
		t.Errorf("on-call text %q: want the referral's link and no personal data", body)
	}
	again := f.pendingCheck(t)
	if again.args.Breach != 2 || !again.at.Equal(wantDue.Add(24*time.Hour)) {
		t.Errorf("next check %+v at %s, want breach 2 a working day later", again.args, again.at)
	}

	if _, err := f.referrals.Act(t.Context(), 0, postgres.Actor{UserID: f.physio}, id, postgres.ReferralChange{Status: postgres.ReferralAccepted}); err != nil {
		t.Fatal(err)
	}
	f.work(t, again)
	if n := f.count(t, `SELECT breach_count FROM referrals WHERE id = $1`, id); n != 1 {
		t.Errorf("breach count %d after the referral was accepted, want still 1", n)
	}
	if n := f.count(t, `SELECT count(*) FROM river_job WHERE kind = 'referral_sla_check' AND state IN ('available', 'scheduled')`); n != 0 {
		t.Errorf("%d checks still pending after the referral was acted on, want 0", n)
	}
}

type referralCheck struct {
	args escalation.ReferralSLACheckArgs
	at   time.Time
}

// pendingCheck returns the one SLA check not yet worked.
func (f *referralFixture) pendingCheck(t *testing.T) referralCheck {
	t.Helper()
	var c referralCheck
	var raw []byte
	err := f.db.Pool.QueryRow(t.Context(), `
		SELECT args, scheduled_at FROM river_job WHERE kind = 'referral_sla_check' AND state IN ('available', 'scheduled')`).Scan(&raw, &c.at)
	if err != nil {
		t.Fatalf("pending referral SLA check: %v", err)
	}
	if err := json.Unmarshal(raw, &c.args); err != nil {
		t.Fatal(err)
	}
	return c
}

// work runs check c at its scheduled time and marks its job completed.
func (f *referralFixture) work(t *testing.T, c referralCheck) {
	t.Helper()
	f.set(c.at)
	job := &river.Job[escalation.ReferralSLACheckArgs]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 25}, Args: c.args}
	if err := f.checks.Work(t.Context(), job); err != nil {
		t.Fatalf("referral SLA check %+v: %v", c.args, err)
	}
	if _, err := f.db.Pool.Exec(t.Context(), `
		UPDATE river_job SET state = 'completed', finalized_at = now()
		WHERE kind = 'referral_sla_check' AND args = $1::jsonb`, mustJSON(t, c.args)); err != nil {
		t.Fatal(err)
	}
}

// TestBookingTellsThePerson: a booking made in the evening is texted to
// the person the next morning, in the send window, with the appointment;
// a decline for an OH call opens the case that keeps its promise; a
// person who opted out is not texted, and the history says so.
func TestBookingTellsThePerson(t *testing.T) {
	t.Parallel()
	f := newReferralFixture(t)
	ctx := t.Context()
	id := f.make(t)
	f.set(time.Date(2026, 12, 7, 21, 30, 0, 0, time.UTC)) // Monday 21:30
	appt := time.Date(2026, 12, 15, 14, 30, 0, 0, time.UTC)
	if _, err := f.referrals.Act(ctx, f.org, postgres.Actor{UserID: f.physio}, id, postgres.ReferralChange{
		Status: postgres.ReferralBooked, AppointmentAt: appt, AppointmentKind: "in_person", AppointmentPlace: "Physio Outpatients, Level 2"}); err != nil {
		t.Fatal(err)
	}
	args := f.noticeArgs(t)
	if err := f.notices.Work(ctx, &river.Job[escalation.ReferralNoticeArgs]{JobRow: &rivertype.JobRow{}, Args: args}); !isSnooze(err) {
		t.Fatalf("notice at 21:30: got %v, want it to wait for the send window", err)
	}
	if n := f.count(t, `SELECT count(*) FROM messages WHERE conversation_id = $1`, f.conv.ID); n != 0 {
		t.Fatalf("%d messages written outside the send window, want 0", n)
	}
	f.set(time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC))
	if err := f.notices.Work(ctx, &river.Job[escalation.ReferralNoticeArgs]{JobRow: &rivertype.JobRow{}, Args: args}); err != nil {
		t.Fatal(err)
	}
	var body string
	if err := f.db.Pool.QueryRow(ctx, `SELECT body FROM messages WHERE conversation_id = $1 AND direction = 'outbound'`, f.conv.ID).Scan(&body); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"15/12/2026", "14:30", "Physio Outpatients, Level 2"} {
		if !strings.Contains(body, want) {
			t.Errorf("notice %q lacks %q", body, want)
		}
	}
	// River runs a job at least once: a second run sends nothing more.
	if err := f.notices.Work(ctx, &river.Job[escalation.ReferralNoticeArgs]{JobRow: &rivertype.JobRow{}, Args: args}); err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, `SELECT count(*) FROM river_job WHERE kind = 'sms_deliver'`); n != 1 {
		t.Errorf("%d deliveries queued, want 1", n)
	}
	if n := f.count(t, `SELECT count(*) FROM referral_events WHERE referral_id = $1 AND kind = 'person_told'`, id); n != 1 {
		t.Errorf("%d person_told events, want 1", n)
	}

	// A second referral, declined for an OH call, to a person who has
	// since opted out.
	id2 := f.make(t)
	if _, err := f.db.Pool.Exec(ctx, `UPDATE staff SET consent = 'opted_out', consent_changed_at = now() WHERE id = $1`, f.staff); err != nil {
		t.Fatal(err)
	}
	if _, err := f.referrals.Act(ctx, f.org, postgres.Actor{UserID: f.physio}, id2, postgres.ReferralChange{
		Status: postgres.ReferralDeclined, DeclineReason: "oh_call"}); err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, `SELECT count(*) FROM cases WHERE conversation_id = $1 AND category = 'physio_declined' AND status = 'open'`, f.conv.ID); n != 1 {
		t.Errorf("%d open physio_declined cases, want 1: the promised call needs a person", n)
	}
	args2 := f.noticeArgs(t)
	if err := f.notices.Work(ctx, &river.Job[escalation.ReferralNoticeArgs]{JobRow: &rivertype.JobRow{}, Args: args2}); err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, `SELECT count(*) FROM referral_events WHERE referral_id = $1 AND kind = 'person_not_told'`, id2); n != 1 {
		t.Errorf("%d person_not_told events for the opted-out person, want 1", n)
	}
	if n := f.count(t, `SELECT count(*) FROM messages WHERE conversation_id = $1`, f.conv.ID); n != 1 {
		t.Errorf("%d messages, want still 1: nobody texts a person who opted out", n)
	}
}

// noticeArgs returns the newest notice job's arguments.
func (f *referralFixture) noticeArgs(t *testing.T) escalation.ReferralNoticeArgs {
	t.Helper()
	var raw []byte
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT args FROM river_job WHERE kind = 'referral_notice' ORDER BY id DESC LIMIT 1`).Scan(&raw); err != nil {
		t.Fatalf("no notice queued: %v", err)
	}
	var a escalation.ReferralNoticeArgs
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatal(err)
	}
	return a
}

func isSnooze(err error) bool {
	_, ok := errors.AsType[*river.JobSnoozeError](err)
	return ok
}
