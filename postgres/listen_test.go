package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// receive returns the next value from ch, failing the test after 10
// seconds.
func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s within 10 seconds", what)
	}
	var zero T
	return zero
}

// TestListener checks that a Listener reports notifications on its channel
// only, calls OnConnect when it starts listening and again after its
// connection is lost and re-established, and stops when its context ends.
func TestListener(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	connects, payloads := make(chan struct{}, 10), make(chan string, 10)
	l := &postgres.Listener{DB: db, Channel: "test_wake",
		OnConnect: func() { connects <- struct{}{} },
		OnNotify:  func(p string) { payloads <- p },
	}
	ctx, cancel := context.WithCancel(t.Context())
	ran := make(chan struct{})
	go func() { defer close(ran); l.Run(ctx) }()
	notify := func(channel, payload string) {
		t.Helper()
		if _, err := db.Pool.Exec(t.Context(), `SELECT pg_notify($1, $2)`, channel, payload); err != nil {
			t.Fatal(err)
		}
	}

	receive(t, connects, "first OnConnect")
	notify("test_other", "not for us")
	notify("test_wake", "one")
	if p := receive(t, payloads, "notification"); p != "one" {
		t.Fatalf("payload %q, want one (and nothing from another channel)", p)
	}

	// The listening connection dies, as it would with a database restart.
	var killed int
	err := db.Pool.QueryRow(t.Context(), `
		SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN %'`).Scan(&killed)
	if err != nil || killed != 1 {
		t.Fatalf("terminated %d listening connections (%v), want 1", killed, err)
	}
	receive(t, connects, "OnConnect after the connection was lost")
	notify("test_wake", "two")
	if p := receive(t, payloads, "notification after reconnecting"); p != "two" {
		t.Fatalf("payload %q, want two", p)
	}

	cancel()
	receive(t, ran, "end of Run after its context ended")
}

// TestCaseChangesNotify checks migration 0008's triggers: every change to
// a case or an alert wakes the consoles' channel, once per transaction,
// when it commits.
func TestCaseChangesNotify(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, db)
	user := createUser(t, db, "nurse@example.nhs.uk", "Sam Jones", "clinician", f.org)
	conn, err := pgx.ConnectConfig(ctx, db.Pool.Config().ConnConfig)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+postgres.CasesChannel); err != nil {
		t.Fatal(err)
	}
	// next returns the payload of the next notification.
	next := func() string {
		t.Helper()
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			t.Fatalf("no notification: %v", err)
		}
		return n.Payload
	}
	// marker notifies "marker" at once, so that what arrives before it was
	// sent before it.
	marker := func() {
		t.Helper()
		if _, err := db.Pool.Exec(ctx, `SELECT pg_notify($1, 'marker')`, postgres.CasesChannel); err != nil {
			t.Fatal(err)
		}
	}

	// Opening a case, with several statements, notifies once, at commit.
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := postgres.OpenOrRaiseCase(ctx, tx, postgres.NewCase{OrganisationID: f.org, Priority: ohcontact.PriorityUrgent,
		Category: "suicide_risk", Evidence: []string{"test"}, SLADue: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `UPDATE cases SET category = 'self_harm' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	marker()
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	marker()
	if got := []string{next(), next(), next()}; got[0] != "marker" || got[1] != "" || got[2] != "marker" {
		t.Fatalf("notifications %q, want marker, one wake-up at commit, marker", got)
	}

	for _, tt := range []struct {
		name, sql string
		args      []any
	}{
		{"update a case", `UPDATE cases SET status = 'claimed', claimed_by = $1, claimed_at = now() WHERE id = $2`, []any{user, id}},
		{"delete no case", `DELETE FROM cases WHERE id = -1`, nil},
		{"insert an alert", `INSERT INTO clinician_alerts (user_id, case_id, kind) VALUES ($1, $2, 'sla_breached')`, []any{user, id}},
		{"mark an alert seen", `UPDATE clinician_alerts SET seen_at = now() WHERE case_id = $1`, []any{id}},
	} {
		if _, err := db.Pool.Exec(ctx, tt.sql, tt.args...); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if p := next(); p != "" {
			t.Fatalf("%s: notification %q, want an empty wake-up", tt.name, p)
		}
	}
}
