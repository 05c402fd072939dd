package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// Backoff between attempts to re-establish a Listener's connection: the
// first wait, doubled after each failure up to the last.
const (
	listenFirstBackoff = time.Second
	listenMaxBackoff   = 30 * time.Second
)

// Listener LISTENs on one PostgreSQL channel, on a connection of its own
// (not one of the pool's, which a LISTEN would pin), and reports what it
// hears. Notifications are wake-ups, never the truth: PostgreSQL delivers
// them only after the sending transaction commits, merges identical ones
// sent in one transaction, and loses every one sent while the connection
// is down. So a Listener also calls OnConnect each time it starts
// listening, first and after every reconnection, for its user to read
// again whatever it follows.
type Listener struct {
	DB      *DB
	Channel string
	// OnConnect is called each time the connection is listening again.
	OnConnect func()
	// OnNotify is called with each notification's payload, in the order
	// they arrive. Like OnConnect, it runs on Run's goroutine, so it must
	// not block: it should only wake whatever does the work.
	OnNotify func(payload string)
	// Log receives a line when the connection is lost; discarded when nil.
	Log *slog.Logger
}

// Run listens until ctx ends. When the connection fails it waits (one
// second, doubling up to 30 seconds while attempts keep failing, and
// starting again from one second once one succeeds) and reconnects.
func (l *Listener) Run(ctx context.Context) {
	log := l.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	backoff := listenFirstBackoff
	for {
		listened, err := l.listen(ctx)
		if ctx.Err() != nil {
			return
		}
		if listened {
			backoff = listenFirstBackoff
		}
		log.Warn("listening connection lost; reconnecting", "channel", l.Channel, "error", err, "after", backoff.String())
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return
		}
		backoff = min(2*backoff, listenMaxBackoff)
	}
}

// listen connects, LISTENs and reports notifications until the connection
// fails or ctx ends. It reports whether it got as far as listening.
func (l *Listener) listen(ctx context.Context) (listened bool, err error) {
	conn, err := pgx.ConnectConfig(ctx, l.DB.Pool.Config().ConnConfig)
	if err != nil {
		return false, fmt.Errorf("connect: %w", err)
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = conn.Close(closeCtx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{l.Channel}.Sanitize()); err != nil {
		return false, fmt.Errorf("listen on %s: %w", l.Channel, err)
	}
	l.OnConnect()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return true, fmt.Errorf("wait for notification on %s: %w", l.Channel, err)
		}
		l.OnNotify(n.Payload)
	}
}
