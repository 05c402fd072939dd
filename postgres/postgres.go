// Package postgres is ohcontact's storage: a pgx/v5 connection pool, the
// embedded schema migrations (ours and River's), and transactions.
//
// PostgreSQL holds all state, jobs and fan-out; every ohcontact serve
// instance is stateless and shares one database.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultMaxConns is the pool size used when Config.MaxConns is zero. pgxpool's
// own default (the number of CPUs, at least 4) is too small for a web server
// whose every request holds a connection for a transaction.
const DefaultMaxConns = 20

// Config says how to reach the database.
type Config struct {
	// URL is a libpq-style connection string or postgres:// URL.
	URL string
	// MaxConns is the pool size; DefaultMaxConns when zero.
	MaxConns int32
}

// Querier is what both a pool and a transaction offer.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// DB is the connection pool shared by every part of the service. Its
// methods own only the pool, transactions and migrations (a Listener
// listens on it); storage functions take the Querier or pgx.Tx they run on.
type DB struct {
	Pool *pgxpool.Pool
}

// Open connects to the database and checks that it answers.
// The caller must Close the returned DB.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	poolCfg, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		// pgx's parse errors can echo the connection string, password included.
		return nil, errors.New("parse database URL: not a valid PostgreSQL connection string")
	}
	poolCfg.MaxConns = cfg.MaxConns
	if poolCfg.MaxConns <= 0 {
		poolCfg.MaxConns = DefaultMaxConns
	}
	poolCfg.MinConns = min(2, poolCfg.MaxConns)
	poolCfg.MaxConnIdleTime = 5 * time.Minute
	poolCfg.ConnConfig.RuntimeParams["application_name"] = "ohcontact"
	// Every timestamp leaves the database in UTC; people see local time only
	// where it is rendered.
	poolCfg.ConnConfig.RuntimeParams["timezone"] = "UTC"

	pool, err := pgxpool.NewWithConfig(ctx, poolCfg)
	if err != nil {
		return nil, fmt.Errorf("open database pool: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("reach database at %s: %w", poolCfg.ConnConfig.Host, err)
	}
	return &DB{Pool: pool}, nil
}

// Close waits for borrowed connections to be returned and closes the pool.
func (db *DB) Close() { db.Pool.Close() }

// InTx runs fn in a transaction, committing when fn returns nil and rolling
// back otherwise. fn must not keep tx after it returns.
func (db *DB) InTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db.Pool, fn)
}

// InStepTx is InTx for the dialog runner's hot path, whose statements take
// arrays (one element per message of a batch; see steps.go). PostgreSQL
// would plan those anew on every call, a one-element array making a custom
// plan look cheaper than the cached generic one, and planning costs more
// than running them. Their generic plans are index look-ups whatever the
// arrays hold, so the transaction uses generic plans throughout; the
// setting comes with BEGIN, in the same round trip.
func (db *DB) InStepTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, db.Pool, pgx.TxOptions{BeginQuery: "BEGIN; SET LOCAL plan_cache_mode = force_generic_plan"}, fn)
}

// InSnapshot is InTx for a read-only transaction that sees one snapshot of
// the database (repeatable read) throughout.
func (db *DB) InSnapshot(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, db.Pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

// deref is *t, or the zero time when t is nil (a NULL column).
func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
