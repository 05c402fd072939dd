package postgres_test

import (
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

func TestAlerts(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, db)
	other := pgtest.Organisation(t, db.Pool, "RX2", "Other Trust")
	nurse := createUser(t, db, "nurse@example.nhs.uk", "Sam Jones", "clinician", f.org)
	colleague := createUser(t, db, "other@example.nhs.uk", "Alex Smith", "clinician", f.org)
	first := openCase(t, db, f.org, 0, ohcontact.PriorityUrgent, time.Hour)
	second := openCase(t, db, f.org, 0, ohcontact.PriorityHigh, time.Hour)
	elsewhere := openCase(t, db, other, 0, ohcontact.PriorityUrgent, time.Hour)
	alert := func(user, caseID int64) int64 {
		t.Helper()
		var id int64
		if err := db.Pool.QueryRow(ctx, `INSERT INTO clinician_alerts (user_id, case_id, kind) VALUES ($1, $2, 'sla_breached') RETURNING id`,
			user, caseID).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	onFirst, onSecond, onElsewhere := alert(nurse, first), alert(nurse, second), alert(nurse, elsewhere)
	alert(colleague, first)
	unseen := func(scope int64) []int64 {
		t.Helper()
		alerts, err := postgres.UnseenAlerts(ctx, db.Pool, scope, nurse)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, a := range alerts {
			ids = append(ids, a.ID)
		}
		return ids
	}
	if got := unseen(f.org); len(got) != 2 || got[0] != onFirst || got[1] != onSecond {
		t.Fatalf("unseen alerts in Test Trust = %v, want %d, %d (the user's own, of the organisation, oldest first)", got, onFirst, onSecond)
	}
	if got := unseen(0); len(got) != 3 || got[2] != onElsewhere {
		t.Fatalf("unseen alerts in every organisation = %v, want the other organisation's too", got)
	}
	alerts, _ := postgres.UnseenAlerts(ctx, db.Pool, f.org, nurse)
	if a := alerts[0]; a.CaseID != first || a.Kind != "sla_breached" || a.Priority != ohcontact.PriorityUrgent || a.CaseStatus != "open" || a.At.IsZero() {
		t.Errorf("alert %+v", a)
	}

	markSeen := func(id, user int64) error {
		return db.InTx(ctx, func(tx pgx.Tx) error { return postgres.MarkAlertSeen(ctx, tx, id, user) })
	}
	if err := markSeen(onFirst, colleague); !errors.Is(err, ohcontact.ErrNotFound) {
		t.Fatalf("another user marking the alert seen = %v, want ErrNotFound", err)
	}
	for range 2 {
		if err := markSeen(onFirst, nurse); err != nil {
			t.Fatal(err)
		}
	}
	if got := unseen(f.org); len(got) != 1 || got[0] != onSecond {
		t.Fatalf("unseen alerts after marking one seen = %v", got)
	}
	var audits int
	db.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'alert.seen' AND record_id = $1 AND actor_id = $2
		AND organisation_id = $3 AND (details->>'case_id')::bigint = $4`, onFirst, nurse, f.org, first).Scan(&audits)
	if audits != 1 {
		t.Errorf("%d alert.seen audit events after marking it seen twice, want 1", audits)
	}

	if err := db.InTx(ctx, func(tx pgx.Tx) error { return postgres.MarkCaseAlertsSeen(ctx, tx, second, nurse) }); err != nil {
		t.Fatal(err)
	}
	if got := unseen(f.org); len(got) != 0 {
		t.Fatalf("unseen alerts after the case's were marked seen = %v", got)
	}
	var colleagues int
	db.Pool.QueryRow(ctx, `SELECT count(*) FROM clinician_alerts WHERE user_id = $1 AND seen_at IS NULL`, colleague).Scan(&colleagues)
	if colleagues != 1 {
		t.Errorf("the colleague has %d unseen alerts, want 1: marking is per user", colleagues)
	}
}

// TestLiveQueue checks that the live queue is read only for a session that
// is still valid, for the organisation the user sees.
func TestLiveQueue(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, db)
	nurse := createUser(t, db, "nurse@example.nhs.uk", "Sam Jones", "clinician", f.org)
	id := openCase(t, db, f.org, 0, ohcontact.PriorityUrgent, time.Hour)
	if _, err := db.Pool.Exec(ctx, `INSERT INTO clinician_alerts (user_id, case_id, kind) VALUES ($1, $2, 'sla_breached')`, nurse, id); err != nil {
		t.Fatal(err)
	}
	token := sha256.Sum256([]byte("a session token"))
	now := time.Now()
	err := db.InTx(ctx, func(tx pgx.Tx) error { return postgres.StartSession(ctx, tx, nurse, token[:], now, now.Add(time.Hour)) })
	if err != nil {
		t.Fatal(err)
	}

	lq, err := postgres.LiveQueueFor(ctx, db.Pool, token[:], now, nurse, postgres.CaseFilter{OrgScope: f.org, Limit: 50}, nil, "", nil)
	if err != nil || len(lq.Cases.Cases) != 1 || lq.Cases.Cases[0].ID != id || len(lq.Alerts) != 1 || lq.Alerts[0].CaseID != id {
		t.Fatalf("LiveQueue = %+v, %v; want the case and its alert", lq, err)
	}
	for _, tt := range []struct {
		name  string
		token []byte
		at    time.Time
		scope int64
	}{
		{"another session", make([]byte, 32), now, f.org},
		{"an expired session", token[:], now.Add(2 * time.Hour), f.org},
		{"another organisation", token[:], now, 0},
	} {
		if _, err := postgres.LiveQueueFor(ctx, db.Pool, tt.token, tt.at, nurse, postgres.CaseFilter{OrgScope: tt.scope, Limit: 50}, nil, "", nil); !errors.Is(err, ohcontact.ErrNotFound) {
			t.Errorf("%s: LiveQueue = %v, want ErrNotFound", tt.name, err)
		}
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE users SET disabled_at = now() WHERE id = $1`, nurse); err != nil {
		t.Fatal(err)
	}
	if _, err := postgres.LiveQueueFor(ctx, db.Pool, token[:], now, nurse, postgres.CaseFilter{OrgScope: f.org, Limit: 50}, nil, "", nil); !errors.Is(err, ohcontact.ErrNotFound) {
		t.Errorf("a disabled account: LiveQueue = %v, want ErrNotFound", err)
	}
}

func TestSetOnDuty(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, db)
	nurse := createUser(t, db, "nurse@example.nhs.uk", "Sam Jones", "clinician", f.org)
	set := func(on bool) {
		t.Helper()
		if err := db.InTx(ctx, func(tx pgx.Tx) error { return postgres.SetOnDuty(ctx, tx, nurse, on) }); err != nil {
			t.Fatal(err)
		}
		if got, err := postgres.OnDuty(ctx, db.Pool, nurse); err != nil || got != on {
			t.Fatalf("OnDuty = %v, %v; want %v", got, err, on)
		}
	}
	set(true)
	set(true) // already on duty: no second event
	set(false)
	rows, err := db.Pool.Query(ctx, `SELECT action FROM audit_events WHERE record_id = $1 AND actor_id = $1
		AND organisation_id = $2 AND action LIKE 'user.duty%' ORDER BY id`, nurse, f.org)
	if err != nil {
		t.Fatal(err)
	}
	actions, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(actions) != 2 || actions[0] != "user.duty_started" || actions[1] != "user.duty_ended" {
		t.Fatalf("duty audit events %v (%v), want user.duty_started then user.duty_ended", actions, err)
	}
}
