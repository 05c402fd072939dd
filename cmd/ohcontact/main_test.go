package main

import (
	"errors"
	"flag"
	"strings"
	"testing"

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
