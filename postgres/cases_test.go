package postgres_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

func TestOpenOrRaiseCase(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, ctx, db)
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

	open := func(p ohcontact.Priority, category, evidence string, due time.Time) (int64, bool) {
		t.Helper()
		var id int64
		var opened bool
		err := db.InTx(ctx, func(tx pgx.Tx) (err error) {
			id, opened, err = postgres.OpenOrRaiseCase(ctx, tx, postgres.NewCase{
				OrganisationID: f.org, ConversationID: f.conversation, StaffID: f.staff,
				Priority: p, Category: category, Evidence: []string{evidence}, SLADue: due})
			return err
		})
		if err != nil {
			t.Fatalf("OpenOrRaiseCase(%s): %v", p, err)
		}
		return id, opened
	}
	type caseRow struct {
		priority, category string
		evidence           int
		due                time.Time
	}
	read := func(id int64) caseRow {
		var c caseRow
		db.Pool.QueryRow(ctx, `SELECT priority, category, jsonb_array_length(evidence), sla_due_at FROM cases WHERE id = $1`, id).
			Scan(&c.priority, &c.category, &c.evidence, &c.due)
		return c
	}

	first, opened := open(ohcontact.PriorityRoutine, "hopelessness", `"no point" (hopelessness)`, now.Add(48*time.Hour))
	if !opened {
		t.Fatal("the first positive screen did not open a case")
	}
	second, opened := open(ohcontact.PriorityUrgent, "suicide_risk", `"saving my tablets" (means)`, now.Add(15*time.Minute))
	if opened || second != first {
		t.Fatalf("a second positive opened case %d (opened=%v), want case %d raised", second, opened, first)
	}
	if c := read(first); c.priority != "urgent" || c.category != "suicide_risk" || c.evidence != 2 || !c.due.Equal(now.Add(15*time.Minute)) {
		t.Fatalf("raised case = %+v, want urgent suicide_risk with both pieces of evidence, due in 15 minutes", c)
	}
	open(ohcontact.PriorityRoutine, "hopelessness", `"tired of it all"`, now.Add(48*time.Hour))
	if c := read(first); c.priority != "urgent" || !c.due.Equal(now.Add(15*time.Minute)) || c.evidence != 3 {
		t.Fatalf("a lower priority stepped the case down: %+v", c)
	}

	var events, audits int
	db.Pool.QueryRow(ctx, `SELECT count(*) FROM case_events WHERE case_id = $1 AND kind = 'opened'`, first).Scan(&events)
	db.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE record_type = 'case' AND record_id = $1 AND action = 'case.opened'`, first).Scan(&audits)
	if events != 1 || audits != 1 {
		t.Fatalf("%d opened events and %d audit events, want 1 each", events, audits)
	}

	err := db.InTx(ctx, func(tx pgx.Tx) error {
		_, _, err := postgres.OpenOrRaiseCase(ctx, tx, postgres.NewCase{OrganisationID: f.org, Priority: ohcontact.PriorityNone, Category: "x", SLADue: now})
		return err
	})
	if err == nil {
		t.Fatal("a case with priority none was opened")
	}
}
