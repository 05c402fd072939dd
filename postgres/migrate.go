package postgres

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one numbered SQL file from migrations/. Files are append-only:
// a migration that was applied is never edited, a change is a new file.
type Migration struct {
	Version  int
	Name     string // the file name, e.g. "0001_schema.sql"
	SQL      string
	Checksum string // hex SHA-256 of SQL, to catch edits to applied files
}

// ErrSchemaOutdated is returned by CheckSchema when migrations are pending.
var ErrSchemaOutdated = errors.New("database schema is out of date: run 'ohcontact migrate'")

// migrationLockID is the pg_advisory_lock key that serialises migrations
// between instances starting at the same time ("ohcontact" in ASCII, truncated).
const migrationLockID = 0x6f68636f6e74

var migrationName = regexp.MustCompile(`^([0-9]{4})_[a-z0-9_]+\.sql$`)

// Migrations returns the embedded migrations in version order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration file %q is not named NNNN_words.sql", e.Name())
		}
		version, _ := strconv.Atoi(m[1])
		body, err := migrationFiles.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(body)
		out = append(out, Migration{Version: version, Name: e.Name(), SQL: string(body), Checksum: hex.EncodeToString(sum[:])})
	}
	slices.SortFunc(out, func(a, b Migration) int { return a.Version - b.Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %04d (versions are consecutive from 0001)", m.Name, i+1)
		}
	}
	return out, nil
}

// Migrate applies every pending migration, each in its own transaction, then
// River's job-queue migrations. It holds an advisory lock throughout, so
// instances starting together take turns. It returns the names of the
// migrations it applied: none when the schema was already current.
func (db *DB) Migrate(ctx context.Context, log *slog.Logger) ([]string, error) {
	all, err := Migrations()
	if err != nil {
		return nil, err
	}
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLockID); err != nil {
		return nil, fmt.Errorf("migrate: take lock: %w", err)
	}
	defer func() {
		// A fresh context: the unlock must run even when ctx was cancelled.
		_, _ = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLockID)
	}()

	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version     integer PRIMARY KEY,
		name        text NOT NULL,
		checksum    text NOT NULL,
		applied_at  timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	pending, err := pendingMigrations(ctx, conn.Conn(), all)
	if err != nil {
		return nil, err
	}
	var applied []string
	for _, m := range pending {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)`,
				m.Version, m.Name, m.Checksum)
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("migrate: apply %s: %w", m.Name, err)
		}
		log.Info("applied migration", "migration", m.Name)
		applied = append(applied, m.Name)
	}

	river, err := riverMigrator(db, log)
	if err != nil {
		return applied, err
	}
	res, err := river.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return applied, fmt.Errorf("migrate: river: %w", err)
	}
	for _, v := range res.Versions {
		log.Info("applied migration", "migration", fmt.Sprintf("river_%03d_%s", v.Version, v.Name))
		applied = append(applied, fmt.Sprintf("river %03d %s", v.Version, v.Name))
	}
	return applied, nil
}

// CheckSchema returns nil when every migration (ours and River's) has been
// applied, and an error wrapping ErrSchemaOutdated that names what is missing
// otherwise.
func (db *DB) CheckSchema(ctx context.Context) error {
	all, err := Migrations()
	if err != nil {
		return err
	}
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("check schema: %w", err)
	}
	defer conn.Release()
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return fmt.Errorf("check schema: %w", err)
	}
	if !exists {
		return fmt.Errorf("%w (no migrations applied)", ErrSchemaOutdated)
	}
	pending, err := pendingMigrations(ctx, conn.Conn(), all)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		names := make([]string, len(pending))
		for i, m := range pending {
			names[i] = m.Name
		}
		return fmt.Errorf("%w (pending: %s)", ErrSchemaOutdated, strings.Join(names, ", "))
	}
	river, err := riverMigrator(db, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	res, err := river.Validate(ctx, nil)
	if err != nil {
		return fmt.Errorf("check schema: river: %w", err)
	}
	if !res.OK {
		return fmt.Errorf("%w (river: %s)", ErrSchemaOutdated, strings.Join(res.Messages, "; "))
	}
	return nil
}

// pendingMigrations returns the migrations in all that the database has not
// applied. It fails when an applied migration's file has changed since, or
// when the database is newer than this binary.
func pendingMigrations(ctx context.Context, conn *pgx.Conn, all []Migration) ([]Migration, error) {
	rows, err := conn.Query(ctx, `SELECT version, name, checksum FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	type appliedRow struct {
		version        int
		name, checksum string
	}
	applied, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (appliedRow, error) {
		var a appliedRow
		err := r.Scan(&a.version, &a.name, &a.checksum)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	for _, a := range applied {
		if a.version > len(all) {
			return nil, fmt.Errorf("database has migration %s, which this binary does not know: it is older than the schema", a.name)
		}
		if m := all[a.version-1]; m.Checksum != a.checksum {
			return nil, fmt.Errorf("migration %s was edited after it was applied: add a new migration instead", m.Name)
		}
	}
	return all[len(applied):], nil
}

// SchemaID identifies the schema this binary expects: a hex SHA-256 over our
// migrations and River's. Two binaries with the same SchemaID need the same
// database.
func SchemaID() (string, error) {
	all, err := Migrations()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, m := range all {
		h.Write([]byte(m.Checksum))
	}
	river, err := rivermigrate.New(riverpgxv5.New(nil), nil)
	if err != nil {
		return "", fmt.Errorf("river migrator: %w", err)
	}
	for _, v := range river.AllVersions() {
		fmt.Fprintf(h, "river %d %s\n", v.Version, v.Name)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func riverMigrator(db *DB, log *slog.Logger) (*rivermigrate.Migrator[pgx.Tx], error) {
	m, err := rivermigrate.New(riverpgxv5.New(db.Pool), &rivermigrate.Config{Logger: log})
	if err != nil {
		return nil, fmt.Errorf("river migrator: %w", err)
	}
	return m, nil
}
