package escalation_test

import (
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels/sms"
	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// slaFixture is a fresh database with two organisations, their clinicians,
// the cases with an insert-only job client, and the SLA check worker, all
// on a driven clock.
type slaFixture struct {
	db     *postgres.DB
	cases  *escalation.Cases
	checks *escalation.SLAChecks
	org    int64

	mu  sync.Mutex
	now time.Time
}

func newSLAFixture(t *testing.T, onCall bool) *slaFixture {
	t.Helper()
	db := pgtest.New(t)
	jobs, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{}) // insert-only
	if err != nil {
		t.Fatal(err)
	}
	f := &slaFixture{db: db, now: time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC)}
	f.org = pgtest.Organisation(t, db.Pool, "RX1", "Test Trust")
	other := pgtest.Organisation(t, db.Pool, "RX2", "Other Trust")
	// Who should be alerted: the on-duty clinician and the on-duty admin of
	// every organisation. Who should not: a clinician off duty, one on duty
	// elsewhere, a disabled one, and a lead.
	_, err = db.Pool.Exec(t.Context(), `
		INSERT INTO users (organisation_id, email, display_name, role, password_hash, on_duty, disabled_at) VALUES
			($1, 'on@test.example', 'On Duty', 'clinician', 'x', true, NULL),
			(NULL, 'admin@test.example', 'All Trusts', 'admin', 'x', true, NULL),
			($1, 'off@test.example', 'Off Duty', 'clinician', 'x', false, NULL),
			($2, 'elsewhere@test.example', 'Elsewhere', 'clinician', 'x', true, NULL),
			($1, 'gone@test.example', 'Disabled', 'clinician', 'x', true, now()),
			($1, 'lead@test.example', 'Lead', 'lead', 'x', true, NULL)`, f.org, other)
	if err != nil {
		t.Fatal(err)
	}
	f.cases = &escalation.Cases{DB: db, SLA: escalation.DefaultSLA, Location: time.UTC, Jobs: jobs, Now: f.clock}
	routes := map[int64]escalation.OnCall{}
	if onCall {
		routes[f.org] = escalation.OnCall{Code: "RX1", Mobile: "+447700900900"}
	}
	f.checks = &escalation.SLAChecks{DB: db, Cases: f.cases, OnCall: routes, Texts: &sms.Outbox{Jobs: jobs},
		ConsoleURL: "https://oh.example.nhs.uk", Log: slog.New(slog.DiscardHandler), Now: f.clock}
	return f
}

func (f *slaFixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *slaFixture) set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = t
}

// escalate opens (or raises) a case of priority p on conversation conv at
// the fixture's time.
func (f *slaFixture) escalate(t *testing.T, conv ohcontact.Conversation, p ohcontact.Priority) int64 {
	t.Helper()
	var id int64
	err := f.db.InTx(t.Context(), func(tx pgx.Tx) (err error) {
		id, err = f.cases.Escalate(t.Context(), tx, conv, ohcontact.RiskResult{Priority: p, Category: "suicide_risk",
			Evidence: []string{"test"}}, f.clock())
		return err
	})
	if err != nil {
		t.Fatalf("escalate: %v", err)
	}
	return id
}

type slaCheck struct {
	args escalation.SLACheckArgs
	at   time.Time
}

// pendingChecks returns the SLA checks not yet worked, soonest first.
func (f *slaFixture) pendingChecks(t *testing.T) []slaCheck {
	t.Helper()
	rows, err := f.db.Pool.Query(t.Context(), `
		SELECT args, scheduled_at FROM river_job WHERE kind = 'case_sla_check' AND state IN ('available', 'scheduled')
		ORDER BY scheduled_at, id`)
	if err != nil {
		t.Fatal(err)
	}
	var checks []slaCheck
	for rows.Next() {
		var raw []byte
		var c slaCheck
		if err := rows.Scan(&raw, &c.at); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &c.args); err != nil {
			t.Fatal(err)
		}
		checks = append(checks, c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return checks
}

// work runs check c at its scheduled time and marks its job completed, as
// River would.
func (f *slaFixture) work(t *testing.T, c slaCheck) {
	t.Helper()
	f.set(c.at)
	if err := f.checks.Work(t.Context(), &river.Job[escalation.SLACheckArgs]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 25}, Args: c.args}); err != nil {
		t.Fatalf("SLA check %+v: %v", c.args, err)
	}
	_, err := f.db.Pool.Exec(t.Context(), `
		UPDATE river_job SET state = 'completed', finalized_at = now()
		WHERE kind = 'case_sla_check' AND args = $1::jsonb AND state IN ('available', 'scheduled')`, mustJSON(t, c.args))
	if err != nil {
		t.Fatal(err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type breachState struct {
	count, events, audits, onCallTexts, onCallJobs int
	alerted                                        []string
}

func (f *slaFixture) state(t *testing.T, caseID int64) breachState {
	t.Helper()
	var s breachState
	err := f.db.Pool.QueryRow(t.Context(), `
		SELECT (SELECT breach_count FROM cases WHERE id = $1),
		       (SELECT count(*) FROM case_events WHERE case_id = $1 AND kind = 'sla_breached' AND user_id IS NULL),
		       (SELECT count(*) FROM audit_events WHERE record_type = 'case' AND record_id = $1 AND action = 'case.sla_breached' AND actor_kind = 'system'),
		       (SELECT count(*) FROM on_call_texts WHERE case_id = $1),
		       (SELECT count(*) FROM river_job WHERE kind = 'sms_on_call'),
		       (SELECT coalesce(array_agg(u.email ORDER BY a.id), '{}') FROM clinician_alerts a JOIN users u ON u.id = a.user_id WHERE a.case_id = $1)`,
		caseID).Scan(&s.count, &s.events, &s.audits, &s.onCallTexts, &s.onCallJobs, &s.alerted)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestUnclaimedCaseRenotifiesUntilClaimed is the control for hazard H2
// (escalation raised but not actioned): an urgent case nobody claims is
// breached at 15 minutes, again every 15 minutes, each time alerting every
// on-duty clinician who can work it and texting the on-call number; a claim
// stops the chain and a release past the SLA starts it again at once.
func TestUnclaimedCaseRenotifiesUntilClaimed(t *testing.T) {
	t.Parallel()
	f := newSLAFixture(t, true)
	opened := f.clock()
	id := f.escalate(t, ohcontact.Conversation{OrganisationID: f.org}, ohcontact.PriorityUrgent)

	checks := f.pendingChecks(t)
	if len(checks) != 1 || checks[0].args.CaseID != id || checks[0].args.Breach != 1 || !checks[0].at.Equal(opened.Add(15*time.Minute)) {
		t.Fatalf("SLA checks %+v, want one for breach 1 at the 15-minute SLA", checks)
	}

	f.work(t, checks[0])
	s := f.state(t, id)
	want := []string{"on@test.example", "admin@test.example"}
	if s.count != 1 || s.events != 1 || s.audits != 1 || strings.Join(s.alerted, ",") != strings.Join(want, ",") {
		t.Fatalf("after the first breach: %+v, want breach 1 recorded once, alerting %v", s, want)
	}
	if s.onCallTexts != 1 || s.onCallJobs != 1 {
		t.Fatalf("after the first breach: %d on-call texts and %d delivery jobs, want 1 each", s.onCallTexts, s.onCallJobs)
	}
	var mobile, body string
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT mobile, body FROM on_call_texts WHERE case_id = $1`, id).Scan(&mobile, &body); err != nil {
		t.Fatal(err)
	}
	wantBody := "OH alert (RX1): urgent case " + strconv.FormatInt(id, 10) + " is unclaimed past its SLA (alert 1). Open https://oh.example.nhs.uk/console/cases/" + strconv.FormatInt(id, 10)
	if mobile != "+447700900900" || body != wantBody {
		t.Fatalf("on-call text to %s: %q, want to +447700900900: %q", mobile, body, wantBody)
	}

	// Working the same check again (a retry after a crash) records nothing.
	f.set(checks[0].at)
	if err := f.checks.Work(t.Context(), &river.Job[escalation.SLACheckArgs]{JobRow: &rivertype.JobRow{Attempt: 2, MaxAttempts: 25}, Args: checks[0].args}); err != nil {
		t.Fatal(err)
	}
	if s := f.state(t, id); s.count != 1 || s.onCallTexts != 1 {
		t.Fatalf("a repeated check recorded another breach: %+v", s)
	}

	// Still unclaimed 15 minutes later: breach 2.
	checks = f.pendingChecks(t)
	if len(checks) != 1 || checks[0].args.Breach != 2 || !checks[0].at.Equal(opened.Add(30*time.Minute)) {
		t.Fatalf("SLA checks %+v, want breach 2 at 30 minutes", checks)
	}
	f.work(t, checks[0])
	if s := f.state(t, id); s.count != 2 || s.events != 2 || len(s.alerted) != 4 || s.onCallTexts != 2 {
		t.Fatalf("after the second breach: %+v", s)
	}

	// Claimed before breach 3: the chain ends.
	var on int64
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT id FROM users WHERE email = 'on@test.example'`).Scan(&on); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Pool.Exec(t.Context(), `UPDATE cases SET status = 'claimed', claimed_by = $2, claimed_at = now() WHERE id = $1`, id, on); err != nil {
		t.Fatal(err)
	}
	checks = f.pendingChecks(t)
	f.work(t, checks[0])
	if s := f.state(t, id); s.count != 2 || s.onCallTexts != 2 {
		t.Fatalf("a claimed case was breached: %+v", s)
	}
	if checks := f.pendingChecks(t); len(checks) != 0 {
		t.Fatalf("a claimed case still has SLA checks: %+v", checks)
	}

	// Released at 50 minutes, long past its SLA: told again at once.
	released := opened.Add(50 * time.Minute)
	f.set(released)
	if err := f.cases.Release(t.Context(), escalation.Actor{UserID: on, OrganisationID: f.org}, id); err != nil {
		t.Fatal(err)
	}
	checks = f.pendingChecks(t)
	if len(checks) != 1 || checks[0].args.Breach != 3 || !checks[0].at.Equal(released) {
		t.Fatalf("after a late release, SLA checks %+v, want breach 3 at once", checks)
	}
	f.work(t, checks[0])
	if s := f.state(t, id); s.count != 3 || s.onCallTexts != 3 {
		t.Fatalf("after a late release: %+v, want breach 3", s)
	}
}

// TestRaisedCaseIsCheckedAtItsNewSLA: a routine case raised to urgent by a
// later message is checked 15 minutes after the raise, not 2 working days
// after it opened; the old check, when it comes, records nothing more.
func TestRaisedCaseIsCheckedAtItsNewSLA(t *testing.T) {
	t.Parallel()
	f := newSLAFixture(t, true)
	conv := conversation(t, f.db, f.org)
	id := f.escalate(t, conv, ohcontact.PriorityRoutine)
	f.set(f.clock().Add(time.Hour))
	raised := f.clock()
	if got := f.escalate(t, conv, ohcontact.PriorityUrgent); got != id {
		t.Fatalf("the urgent message opened case %d, want case %d raised", got, id)
	}
	checks := f.pendingChecks(t)
	if len(checks) != 2 || !checks[0].at.Equal(raised.Add(15*time.Minute)) || checks[0].args.Breach != 1 {
		t.Fatalf("SLA checks %+v, want breach 1 at 15 minutes after the raise first", checks)
	}
	stale := checks[1] // the routine case's original check, 2 working days on
	f.work(t, checks[0])
	f.work(t, stale)
	if s := f.state(t, id); s.count != 1 || s.onCallTexts != 1 {
		t.Fatalf("after the urgent breach and the stale check: %+v, want breach 1 only", s)
	}
	if next := f.pendingChecks(t); len(next) != 1 || next[0].args.Breach != 2 || !next[0].at.Equal(raised.Add(30*time.Minute)) {
		t.Fatalf("SLA checks %+v, want breach 2 at 30 minutes after the raise", next)
	}
}

// TestBreachWithoutOnCallNumberStillAlertsClinicians: an organisation with
// no on-call route still records the breach and alerts on-duty clinicians.
func TestBreachWithoutOnCallNumberStillAlertsClinicians(t *testing.T) {
	t.Parallel()
	f := newSLAFixture(t, false)
	id := f.escalate(t, ohcontact.Conversation{OrganisationID: f.org}, ohcontact.PriorityHigh)
	checks := f.pendingChecks(t)
	if len(checks) != 1 || !checks[0].at.Equal(f.clock().Add(4*time.Hour)) {
		t.Fatalf("SLA checks %+v, want one at the 4-hour SLA", checks)
	}
	f.work(t, checks[0])
	if s := f.state(t, id); s.count != 1 || len(s.alerted) != 2 || s.onCallTexts != 0 {
		t.Fatalf("breach without on-call: %+v, want breach 1, 2 clinicians alerted, no text", s)
	}
	if next := f.pendingChecks(t); len(next) != 1 || !next[0].at.Equal(checks[0].at.Add(time.Hour)) {
		t.Fatalf("next check %+v, want an hour after the breach", next)
	}
}

// conversation inserts an open SMS conversation with nobody known.
func conversation(t *testing.T, db *postgres.DB, org int64) ohcontact.Conversation {
	t.Helper()
	var conv ohcontact.Conversation
	conv.ID = pgtest.Conversation(t, db.Pool, pgtest.ConversationRow{Organisation: org, Channel: "sms", Address: "+447700900555",
		Flow: "support", State: "start"})
	conv.OrganisationID = org
	return conv
}
