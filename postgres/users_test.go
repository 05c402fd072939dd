package postgres_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// createUser adds an account (with a placeholder hash) and returns its id.
func createUser(t *testing.T, db *postgres.DB, email, name, role string, org int64) int64 {
	t.Helper()
	var id int64
	err := db.InTx(t.Context(), func(tx pgx.Tx) (err error) {
		id, err = postgres.CreateUser(t.Context(), tx, postgres.NewUser{OrganisationID: org, Email: email, Name: name, Role: role,
			PasswordHash: "$argon2id$placeholder"}, 0)
		return err
	})
	if err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return id
}

func TestCreateUser(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, db)
	id := createUser(t, db, "Sam.Jones@example.nhs.uk", "Sam Jones", "clinician", f.org)

	u, err := postgres.UserByEmail(ctx, db.Pool, "sam.jones@EXAMPLE.nhs.uk")
	if err != nil || u.ID != id || u.OrganisationID != f.org || u.OrganisationName != "Test Trust" || u.Role != "clinician" || u.Disabled {
		t.Fatalf("UserByEmail = %+v, %v", u, err)
	}
	var audits int
	db.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'user.created' AND record_id = $1 AND actor_kind = 'system'`, id).Scan(&audits)
	if audits != 1 {
		t.Errorf("%d user.created audit events, want 1", audits)
	}

	err = db.InTx(ctx, func(tx pgx.Tx) error {
		_, err := postgres.CreateUser(ctx, tx, postgres.NewUser{Email: "SAM.JONES@example.nhs.uk", Name: "Other", Role: "admin", PasswordHash: "x"}, id)
		return err
	})
	if !errors.Is(err, ohcontact.ErrConflict) {
		t.Fatalf("a second account with the same address (another case) = %v, want ohcontact.ErrConflict", err)
	}
	if _, err := postgres.UserByEmail(ctx, db.Pool, "nobody@example.nhs.uk"); !errors.Is(err, ohcontact.ErrNotFound) {
		t.Fatalf("UserByEmail(unknown) = %v, want ErrNotFound", err)
	}

	every := createUser(t, db, "ada@example.nhs.uk", "Ada Admin", "admin", 0)
	users, err := postgres.Users(ctx, db.Pool, 0)
	if err != nil || len(users) != 2 || users[0].ID != every || users[0].OrganisationID != 0 || users[1].ID != id {
		t.Fatalf("Users(every organisation) = %+v, %v; want Ada then Sam", users, err)
	}
	users, err = postgres.Users(ctx, db.Pool, f.org)
	if err != nil || len(users) != 1 || users[0].ID != id {
		t.Fatalf("Users(Test Trust) = %+v, %v; want Sam only", users, err)
	}
}

func TestSessions(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, db)
	id := createUser(t, db, "sam@example.nhs.uk", "Sam Jones", "clinician", f.org)
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	token := make([]byte, 32)
	token[0] = 1
	stale := make([]byte, 32)
	stale[0] = 2

	start := func(hash []byte, at time.Time) {
		t.Helper()
		if err := db.InTx(ctx, func(tx pgx.Tx) error { return postgres.StartSession(ctx, tx, id, hash, at, at.Add(12*time.Hour)) }); err != nil {
			t.Fatal(err)
		}
	}
	start(stale, now.Add(-13*time.Hour))
	start(token, now)
	var sessions int
	db.Pool.QueryRow(ctx, `SELECT count(*) FROM user_sessions WHERE user_id = $1`, id).Scan(&sessions)
	if sessions != 1 {
		t.Errorf("%d sessions after signing in again, want the expired one dropped", sessions)
	}
	if u, err := postgres.UserBySession(ctx, db.Pool, token, now.Add(11*time.Hour)); err != nil || u.ID != id {
		t.Fatalf("UserBySession within 12 h = %+v, %v", u, err)
	}
	if _, err := postgres.UserBySession(ctx, db.Pool, token, now.Add(12*time.Hour)); !errors.Is(err, ohcontact.ErrNotFound) {
		t.Fatalf("UserBySession after 12 h = %v, want ErrNotFound", err)
	}

	// Disabling ends the sessions; enabling does not bring them back.
	setDisabled := func(disabled bool) {
		t.Helper()
		if err := db.InTx(ctx, func(tx pgx.Tx) error { return postgres.SetUserDisabled(ctx, tx, 0, id, disabled, 0) }); err != nil {
			t.Fatal(err)
		}
	}
	setDisabled(true)
	setDisabled(false)
	if _, err := postgres.UserBySession(ctx, db.Pool, token, now); !errors.Is(err, ohcontact.ErrNotFound) {
		t.Fatalf("a session survived disabling: %v", err)
	}
	start(token, now)
	if err := db.InTx(ctx, func(tx pgx.Tx) error { return postgres.EndSession(ctx, tx, token) }); err != nil {
		t.Fatal(err)
	}
	if _, err := postgres.UserBySession(ctx, db.Pool, token, now); !errors.Is(err, ohcontact.ErrNotFound) {
		t.Fatalf("a session survived EndSession: %v", err)
	}
	rows, _ := db.Pool.Query(ctx, `SELECT action FROM audit_events WHERE record_type = 'user' AND record_id = $1 ORDER BY id`, id)
	actions, err := pgx.CollectRows(rows, pgx.RowTo[string])
	want := []string{"user.created", "user.signed_in", "user.signed_in", "user.disabled", "user.enabled", "user.signed_in", "user.signed_out"}
	if err != nil || !slices.Equal(actions, want) {
		t.Errorf("audit trail %v, %v; want %v", actions, err, want)
	}

	if err := db.InTx(ctx, func(tx pgx.Tx) error { return postgres.SetUserDisabled(ctx, tx, f.org+1, id, true, 0) }); !errors.Is(err, ohcontact.ErrNotFound) {
		t.Errorf("disabling a user of another organisation = %v, want ErrNotFound", err)
	}
}

func TestRecordLoginFailure(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, db)
	id := createUser(t, db, "sam@example.nhs.uk", "Sam Jones", "clinician", f.org)
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	for i := 1; i <= 4; i++ {
		locked, err := postgres.RecordLoginFailure(ctx, db.Pool, id, now, 5, 15*time.Minute)
		if err != nil || !locked.IsZero() {
			t.Fatalf("failure %d: locked until %v, %v; want not locked", i, locked, err)
		}
	}
	locked, err := postgres.RecordLoginFailure(ctx, db.Pool, id, now, 5, 15*time.Minute)
	if err != nil || !locked.Equal(now.Add(15*time.Minute)) {
		t.Fatalf("failure 5: locked until %v, %v; want %v", locked, err, now.Add(15*time.Minute))
	}
	u, _ := postgres.UserByEmail(ctx, db.Pool, "sam@example.nhs.uk")
	if !u.LockedUntil.Equal(locked) {
		t.Errorf("stored lock %v, want %v", u.LockedUntil, locked)
	}
	// After the lockout the count starts again: one more failure does not
	// lock at once.
	later := now.Add(16 * time.Minute)
	if locked, err := postgres.RecordLoginFailure(ctx, db.Pool, id, later, 5, 15*time.Minute); err != nil || !locked.IsZero() {
		t.Fatalf("first failure after the lockout: locked until %v, %v", locked, err)
	}
}
