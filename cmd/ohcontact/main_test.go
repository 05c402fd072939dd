package main

import (
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

func TestEveryCommandHasHelp(t *testing.T) {
	t.Parallel()
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env, stdout, _ := testEnv(nil)
			err := run(t.Context(), env, []string{c.name, "--help"})
			if !errors.Is(err, flag.ErrHelp) {
				t.Fatalf("%s --help returned %v, want flag.ErrHelp", c.name, err)
			}
			if !strings.HasPrefix(stdout.String(), "Usage: ohcontact "+c.name) {
				t.Fatalf("%s --help printed %q, want usage on stdout", c.name, stdout.String())
			}
		})
	}
}

func TestUnknownCommandIsAUsageError(t *testing.T) {
	t.Parallel()
	env, _, stderr := testEnv(nil)
	if err := run(t.Context(), env, []string{"frobnicate"}); !errors.Is(err, errUsage) {
		t.Fatalf("run(frobnicate) = %v, want errUsage", err)
	}
	if !strings.Contains(stderr.String(), `unknown command "frobnicate"`) {
		t.Fatalf("stderr %q does not name the unknown command", stderr.String())
	}
}

func TestMigrateCommandTwice(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"DATABASE_URL": pgtest.NewEmptyURL(t)}

	env, stdout, _ := testEnv(vars)
	if err := run(t.Context(), env, []string{"migrate"}); err != nil {
		t.Fatalf("first migrate: %v", err)
	}
	if !strings.Contains(stdout.String(), "0001_schema.sql") {
		t.Fatalf("first migrate printed %q, want the applied migrations", stdout.String())
	}
	env, stdout, _ = testEnv(vars)
	if err := run(t.Context(), env, []string{"migrate"}); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	if got := stdout.String(); got != "schema is up to date: nothing to apply\n" {
		t.Fatalf("second migrate printed %q, want nothing applied", got)
	}
}

// openDB opens a pool of two connections on the database at url for a
// test's checks, closed when the test ends.
func openDB(t *testing.T, url string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(t.Context(), postgres.Config{URL: url, MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

// commandDB returns the environment of a fresh, migrated database for a
// command under test (with no OHCONTACT_CONFIG: the demo organisation,
// DEMO), and a pool on it for checks.
func commandDB(t *testing.T) (map[string]string, *postgres.DB) {
	t.Helper()
	vars := map[string]string{"DATABASE_URL": pgtest.NewURL(t)}
	return vars, openDB(t, vars["DATABASE_URL"])
}
