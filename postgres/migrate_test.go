package postgres_test

import (
	"errors"
	"log/slog"
	"testing"

	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

func TestMigrateTwiceIsNoOp(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, err := postgres.Open(ctx, postgres.Config{URL: pgtest.NewEmptyURL(t), MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	log := slog.New(slog.DiscardHandler)

	if err := db.CheckSchema(ctx); !errors.Is(err, postgres.ErrSchemaOutdated) {
		t.Fatalf("CheckSchema on an empty database = %v, want ErrSchemaOutdated", err)
	}
	first, err := db.Migrate(ctx, log)
	if err != nil {
		t.Fatalf("first migrate: %v", err)
	}
	all, _ := postgres.Migrations()
	if len(first) <= len(all) { // ours plus River's
		t.Fatalf("first migrate applied %v, want all %d of ours and River's", first, len(all))
	}
	if err := db.CheckSchema(ctx); err != nil {
		t.Fatalf("CheckSchema after migrate: %v", err)
	}
	second, err := db.Migrate(ctx, log)
	if err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	if len(second) != 0 {
		t.Fatalf("second migrate applied %v, want nothing", second)
	}
}

func TestMigrateRefusesEditedMigration(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	if _, err := db.Pool.Exec(ctx, `UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx, slog.New(slog.DiscardHandler)); err == nil {
		t.Fatal("Migrate accepted a migration whose file differs from what was applied")
	}
	if err := db.CheckSchema(ctx); err == nil {
		t.Fatal("CheckSchema accepted a migration whose file differs from what was applied")
	}
}

func TestCheckSchemaNamesPendingMigration(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	if _, err := db.Pool.Exec(ctx, `DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)`); err != nil {
		t.Fatal(err)
	}
	err := db.CheckSchema(ctx)
	if !errors.Is(err, postgres.ErrSchemaOutdated) {
		t.Fatalf("CheckSchema = %v, want ErrSchemaOutdated", err)
	}
}
