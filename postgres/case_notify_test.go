package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// TestCaseMessagesNotify checks migration 0019's triggers: a case event,
// and a message in a conversation with an unresolved case, wake the
// consoles' channel; a message in any other conversation (the inbound hot
// path) wakes nobody, and the check that decides it is served by an index.
func TestCaseMessagesNotify(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, db)
	conn, err := pgx.ConnectConfig(ctx, db.Pool.Config().ConnConfig)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+postgres.CasesChannel); err != nil {
		t.Fatal(err)
	}
	// woken runs sql, then reports whether it woke the channel: whether a
	// notification came before a marker sent after it.
	seq := 0
	woken := func(sql string, args ...any) bool {
		t.Helper()
		if _, err := db.Pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		if _, err := db.Pool.Exec(ctx, `SELECT pg_notify($1, 'marker')`, postgres.CasesChannel); err != nil {
			t.Fatal(err)
		}
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		got := false
		for {
			n, err := conn.WaitForNotification(wctx)
			if err != nil {
				t.Fatalf("no marker: %v", err)
			}
			if n.Payload == "marker" {
				return got
			}
			got = true
		}
	}
	message := func(direction string) (string, []any) {
		seq++
		author, status := "staff", "received"
		if direction == "outbound" {
			author, status = "bot", "queued"
		}
		return `INSERT INTO messages (conversation_id, seq, direction, channel, author, body, delivery_status)
			VALUES ($1, $2, $3, 'sms', $4, 'hello', $5)`, []any{f.conversation, seq, direction, author, status}
	}

	if sql, args := message("inbound"); woken(sql, args...) {
		t.Error("a message in a conversation without a case woke the consoles")
	}
	var caseID int64
	err = db.InTx(ctx, func(tx pgx.Tx) (err error) {
		caseID, _, err = postgres.OpenOrRaiseCase(ctx, tx, postgres.NewCase{OrganisationID: f.org, ConversationID: f.conversation,
			StaffID: f.staff, Priority: ohcontact.PriorityUrgent, Category: "suicide_risk", Evidence: []string{"test"}, SLADue: time.Now().Add(time.Hour)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	woken(`SELECT 1`) // the case's own wake-up
	for _, direction := range []string{"inbound", "outbound"} {
		if sql, args := message(direction); !woken(sql, args...) {
			t.Errorf("an %s message in a conversation with an open case did not wake the consoles", direction)
		}
	}
	if !woken(`INSERT INTO case_events (case_id, kind, note) VALUES ($1, 'note', 'called')`, caseID) {
		t.Error("a note on a case did not wake the consoles")
	}
	woken(`UPDATE cases SET status = 'resolved', resolved_at = now(), outcome = 'no_risk_found' WHERE id = $1`, caseID)
	if sql, args := message("inbound"); woken(sql, args...) {
		t.Error("a message in a conversation whose case is resolved woke the consoles")
	}

	// The trigger's check can use the partial index, whatever the planner
	// prefers for a table this small.
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	var plan strings.Builder
	rows, err := tx.Query(ctx, `EXPLAIN SELECT 1 FROM cases WHERE conversation_id = 1 AND status <> 'resolved'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan.WriteString(line + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan.String(), "cases_unresolved_conversation_idx") {
		t.Errorf("the check for an unresolved case does not use its index:\n%s", plan.String())
	}
}
