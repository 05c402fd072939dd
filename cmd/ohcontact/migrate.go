package main

import (
	"context"
	"fmt"

	"github.com/ohcontact/ohcontact/postgres"
)

func runMigrate(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "migrate", "migrate\n\nApplies every pending schema migration (ohcontact's and River's) to DATABASE_URL.\nSafe to run again, and from several instances at once")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(env.getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	log := newLogger(env.stderr, cfg.LogLevel)
	db, err := postgres.Open(ctx, postgres.Config{URL: cfg.DatabaseURL, MaxConns: 2})
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx, log)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(env.stdout, "schema is up to date: nothing to apply")
		return nil
	}
	fmt.Fprintf(env.stdout, "applied %d migrations:\n", len(applied))
	for _, name := range applied {
		fmt.Fprintln(env.stdout, " ", name)
	}
	return nil
}
