package postgres_test

import (
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// fixture is one organisation with one member of staff, one open absence
// episode, and one SMS conversation, for constraint tests to build on.
type fixture struct {
	org, staff, episode, conversation int64
}

func newFixture(t *testing.T, db *postgres.DB) fixture {
	t.Helper()
	var f fixture
	f.org = pgtest.Organisation(t, db.Pool, "RX1", "Test Trust")
	f.staff = pgtest.Staff(t, db.Pool, pgtest.StaffRow{Organisation: f.org, Number: "12345678-1", First: "Ann", Last: "Example",
		Mobile: "+447700900001"})
	f.episode = pgtest.Absence(t, db.Pool, pgtest.AbsenceRow{Staff: f.staff, StartsOn: "2026-11-02", Reason: "S10"})
	f.conversation = pgtest.Conversation(t, db.Pool, pgtest.ConversationRow{Organisation: f.org, Staff: f.staff, Channel: "sms",
		Address: "+447700900001", Flow: "support", State: "start"})
	return f
}

// TestSchemaConstraints proves that the database itself refuses the rows that
// would break the service's promises, whatever code writes them.
func TestSchemaConstraints(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, db)

	if _, err := db.Pool.Exec(ctx, `
		INSERT INTO messages (conversation_id, seq, direction, channel, author, body, external_id, delivery_status)
		VALUES ($1, 1, 'inbound', 'sms', 'staff', 'hello', 'SM0001', 'received')`, f.conversation); err != nil {
		t.Fatalf("insert first inbound message: %v", err)
	}
	if _, err := db.Pool.Exec(ctx, `
		INSERT INTO contacts (episode_id, trigger, flow, channel, due_at) VALUES ($1, 'stress', 'stress-checkin', 'sms', now())`,
		f.episode); err != nil {
		t.Fatalf("insert first contact: %v", err)
	}

	tests := []struct {
		name       string
		sql        string
		args       []any
		code       string // SQLSTATE
		constraint string
	}{
		{
			name: "duplicate inbound external id (a retried Twilio webhook)",
			sql: `INSERT INTO messages (conversation_id, seq, direction, channel, author, body, external_id, delivery_status)
			      VALUES ($1, 2, 'inbound', 'sms', 'staff', 'hello', 'SM0001', 'received')`,
			args: []any{f.conversation}, code: "23505", constraint: "messages_channel_external_id_key",
		},
		{
			name: "second contact for the same episode and trigger",
			sql:  `INSERT INTO contacts (episode_id, trigger, flow, channel, due_at) VALUES ($1, 'stress', 'stress-checkin', 'sms', now())`,
			args: []any{f.episode}, code: "23505", constraint: "contacts_episode_id_trigger_key",
		},
		{
			name: "unknown ESR reason code",
			sql:  `INSERT INTO absence_episodes (staff_id, starts_on, reason_code, source) VALUES ($1, '2026-10-01', 'S50', 'hr_feed')`,
			args: []any{f.staff}, code: "23503", constraint: "absence_episodes_reason_code_fkey",
		},
		{
			name: "absence ending before it starts",
			sql:  `INSERT INTO absence_episodes (staff_id, starts_on, ends_on, reason_code, source) VALUES ($1, '2026-10-05', '2026-10-01', 'S13', 'hr_feed')`,
			args: []any{f.staff}, code: "23514", constraint: "absence_episodes_check",
		},
		{
			name: "mobile number not in E.164",
			sql:  `UPDATE staff SET mobile = '07700 900001' WHERE id = $1`,
			args: []any{f.staff}, code: "23514", constraint: "staff_mobile_check",
		},
		{
			name: "unknown trigger",
			sql:  `INSERT INTO contacts (episode_id, trigger, flow, channel, due_at) VALUES ($1, 'birthday', 'support', 'sms', now())`,
			args: []any{f.episode}, code: "23514", constraint: "contacts_trigger_check",
		},
		{
			name: "two messages with the same sequence number in a conversation",
			sql: `INSERT INTO messages (conversation_id, seq, direction, channel, author, body, delivery_status)
			      VALUES ($1, 1, 'outbound', 'sms', 'bot', 'hi', 'queued')`,
			args: []any{f.conversation}, code: "23505", constraint: "messages_conversation_id_seq_key",
		},
		{
			name: "second open conversation for the same person and channel",
			sql: `INSERT INTO conversations (organisation_id, staff_id, channel, address, flow, fsm_state)
			      SELECT organisation_id, staff_id, channel, address, 'support', 'start' FROM conversations WHERE id = $1`,
			args: []any{f.conversation}, code: "23505", constraint: "conversations_open_staff_key",
		},
		{
			name: "case claimed by nobody",
			sql:  `INSERT INTO cases (organisation_id, priority, category, status, sla_due_at) VALUES ($1, 'urgent', 'suicide_risk', 'claimed', now())`,
			args: []any{f.org}, code: "23514", constraint: "cases_check1",
		},
		{
			name: "case with the priority none (every positive brings a person in)",
			sql:  `INSERT INTO cases (organisation_id, priority, category, sla_due_at) VALUES ($1, 'none', 'suicide_risk', now())`,
			args: []any{f.org}, code: "23514", constraint: "cases_priority_check",
		},
		{
			name: "follow-up alert that names no follow-up",
			sql:  `INSERT INTO clinician_alerts (user_id, case_id, kind) VALUES (0, 0, 'follow_up_due')`,
			code: "23514", constraint: "clinician_alerts_check",
		},
		{
			name: "follow-up without a note",
			sql:  `INSERT INTO case_follow_ups (case_id, due_at, note, set_by) VALUES (0, now(), '', 0)`,
			code: "23514", constraint: "case_follow_ups_note_check",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.Pool.Exec(ctx, tt.sql, tt.args...)
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) {
				t.Fatalf("got %v, want SQLSTATE %s on %s", err, tt.code, tt.constraint)
			}
			if pgErr.Code != tt.code || pgErr.ConstraintName != tt.constraint {
				t.Fatalf("got SQLSTATE %s on %q (%s), want %s on %q", pgErr.Code, pgErr.ConstraintName, pgErr.Message, tt.code, tt.constraint)
			}
		})
	}
}

func TestAuditEventsAreAppendOnly(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	var id int64
	if err := db.Pool.QueryRow(ctx, `
		INSERT INTO audit_events (actor_kind, action, record_type, record_id) VALUES ('system', 'transcript.viewed', 'conversation', 1)
		RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE audit_events SET action = 'nothing.happened' WHERE id = $1`, id); err == nil {
		t.Fatal("an audit event was changed after it was written")
	}
}

// TestAbsenceEpisodeOrganisation checks an episode carries its member of
// staff's organisation, which the dashboard counts it under, whatever
// code writes it.
func TestAbsenceEpisodeOrganisation(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, db)
	other := pgtest.Organisation(t, db.Pool, "RX2", "Other Trust")
	var org int64
	if err := db.Pool.QueryRow(ctx, `SELECT organisation_id FROM absence_episodes WHERE id = $1`, f.episode).Scan(&org); err != nil || org != f.org {
		t.Fatalf("new episode's organisation %d (%v), want its staff's %d", org, err, f.org)
	}
	if err := db.Pool.QueryRow(ctx, `UPDATE absence_episodes SET organisation_id = $2 WHERE id = $1 RETURNING organisation_id`,
		f.episode, other).Scan(&org); err != nil || org != f.org {
		t.Errorf("episode moved to another organisation: %d (%v), want its staff's %d", org, err, f.org)
	}
}
