// Package pgtest gives each test its own PostgreSQL database on the server
// named by DATABASE_URL (make test starts a local one).
//
// The schema is migrated once into a template database named after the
// migrations' checksums; each test then gets a clone of it (CREATE DATABASE
// … TEMPLATE), which takes milliseconds, so tests run in parallel and never
// see each other's rows. Databases are dropped when the test ends.
package pgtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact/postgres"
)

// templateLockID serialises template creation between test processes (go
// test runs each package in its own process).
const templateLockID = 0x6f68746d706c

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// New returns a connection pool on a fresh database with every migration
// applied. The database is dropped when the test ends.
func New(t testing.TB) *postgres.DB {
	t.Helper()
	url := NewURL(t)
	db, err := postgres.Open(t.Context(), postgres.Config{URL: url, MaxConns: 8})
	if err != nil {
		t.Fatalf("pgtest: open test database: %v", err)
	}
	t.Cleanup(db.Close)
	return db
}

// NewURL is New for tests that hand the database to something else (a
// server process, say): it returns the fresh database's connection URL.
func NewURL(t testing.TB) string {
	t.Helper()
	templateOnce.Do(func() { templateName, templateErr = ensureTemplate(context.Background()) })
	if templateErr != nil {
		t.Fatalf("pgtest: %v", templateErr)
	}
	return create(t, "TEMPLATE "+pgx.Identifier{templateName}.Sanitize())
}

// NewEmptyURL returns the connection URL of a fresh database with no schema,
// for tests of migration itself.
func NewEmptyURL(t testing.TB) string {
	t.Helper()
	return create(t, "")
}

func create(t testing.TB, clause string) string {
	t.Helper()
	admin := adminURL(t)
	name := "ohcontact_test_" + strings.ToLower(rand.Text())
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("pgtest: connect to DATABASE_URL: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" "+clause); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return withDatabase(admin, name)
}

func adminURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("DATABASE_URL")
	if u == "" {
		t.Fatal("pgtest: DATABASE_URL is not set: run the tests with 'make test', which starts a local PostgreSQL")
	}
	return u
}

// ensureTemplate creates the migrated template database unless one for the
// current migrations exists, and drops templates of older schemas.
func ensureTemplate(ctx context.Context) (string, error) {
	admin := os.Getenv("DATABASE_URL")
	if admin == "" {
		return "", fmt.Errorf("DATABASE_URL is not set: run the tests with 'make test', which starts a local PostgreSQL")
	}
	schema, err := postgres.SchemaID()
	if err != nil {
		return "", err
	}
	name := "ohcontact_tmpl_" + schema[:12]

	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", fmt.Errorf("connect to DATABASE_URL: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", templateLockID); err != nil {
		return "", err
	}
	defer func() { _, _ = conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", templateLockID) }() // the session ends anyway

	// Each run marks the template it uses, so that runs of other schemas
	// at the same time (worktrees sharing one server) keep theirs.
	var ready bool
	err = conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)", name).Scan(&ready)
	if err != nil {
		return "", err
	}
	if ready {
		_, err = conn.Exec(ctx, "COMMENT ON DATABASE "+pgx.Identifier{name}.Sanitize()+" IS "+usedMark())
		return name, err
	}

	// Templates of older schemas unused for staleAfter, and a half-built
	// one of this schema left by a killed run.
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database
		WHERE datname LIKE 'ohcontact\_tmpl\_%' AND (datname = $1 OR coalesce(shobj_description(oid, 'pg_database'), '') < $2)`,
		name, "used "+time.Now().Add(-staleAfter).UTC().Format(time.RFC3339))
	if err != nil {
		return "", err
	}
	stale, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", err
	}
	for _, old := range stale {
		id := pgx.Identifier{old}.Sanitize()
		if _, err := conn.Exec(ctx, "ALTER DATABASE "+id+" WITH IS_TEMPLATE false"); err != nil {
			return "", err
		}
		if _, err := conn.Exec(ctx, "DROP DATABASE "+id+" WITH (FORCE)"); err != nil {
			return "", err
		}
	}

	id := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+id); err != nil {
		return "", err
	}
	db, err := postgres.Open(ctx, postgres.Config{URL: withDatabase(admin, name), MaxConns: 2})
	if err != nil {
		return "", err
	}
	_, err = db.Migrate(ctx, slog.New(slog.DiscardHandler))
	db.Close()
	if err != nil {
		return "", fmt.Errorf("migrate template: %w", err)
	}
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+id+" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"); err != nil {
		return "", err
	}
	_, err = conn.Exec(ctx, "COMMENT ON DATABASE "+id+" IS "+usedMark())
	return name, err
}

// staleAfter is how long a template of another schema may go unused
// before a run drops it.
const staleAfter = 2 * time.Hour

// usedMark is the SQL literal a template's comment holds: when a run last
// took it, as "used " and an RFC 3339 UTC time, which sorts as text.
func usedMark() string {
	return "'used " + time.Now().UTC().Format(time.RFC3339) + "'"
}

// withDatabase returns the URL u with its database name replaced.
func withDatabase(u, name string) string {
	parsed, err := url.Parse(u)
	if err != nil || parsed.Scheme == "" {
		// A keyword/value connection string: a later dbname wins.
		return u + " dbname=" + name
	}
	parsed.Path = "/" + name
	return parsed.String()
}
