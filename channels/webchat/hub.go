package webchat

import (
	"context"
	"log/slog"
	"sync"

	"github.com/ohcontact/ohcontact/postgres"
)

// notifyChannel is the PostgreSQL NOTIFY channel that carries web chat
// wake-ups between instances. The payload is a conversation address: no
// personal data, and nothing a listener trusts beyond "look again".
const notifyChannel = "ohcontact_webchat"

// Hub wakes the browser connections of this instance when a web chat
// conversation has something new, wherever it was written. Every instance
// LISTENs on one connection; writers NOTIFY in the transaction that stores
// the message, so the wake-up arrives only after commit. The database stays
// the truth: a woken connection reads what it has not sent yet, so a lost or
// merged notification costs nothing, and after the listening connection is
// re-established every connection is woken once to catch up.
type Hub struct {
	DB  *postgres.DB
	Log *slog.Logger

	mu   sync.Mutex
	subs map[string]map[*conn]struct{} // by conversation address
}

// Run listens until ctx ends, reconnecting after failures.
func (h *Hub) Run(ctx context.Context) {
	l := &postgres.Listener{DB: h.DB, Channel: notifyChannel, Log: h.Log,
		// Anything written while we were not listening is read now.
		OnConnect: h.wakeAll,
		OnNotify:  h.wake,
	}
	l.Run(ctx)
}

func (h *Hub) subscribe(c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs == nil {
		h.subs = map[string]map[*conn]struct{}{}
	}
	if h.subs[c.address] == nil {
		h.subs[c.address] = map[*conn]struct{}{}
	}
	h.subs[c.address][c] = struct{}{}
}

func (h *Hub) unsubscribe(c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs[c.address], c)
	if len(h.subs[c.address]) == 0 {
		delete(h.subs, c.address)
	}
}

func (h *Hub) wake(address string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.subs[address] {
		c.poke()
	}
}

func (h *Hub) wakeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, set := range h.subs {
		for c := range set {
			c.poke()
		}
	}
}

// CloseAll closes every connection of this instance with "going away"
// (1001), so browsers reconnect to another instance. It is for shutdown:
// hijacked connections are not closed by http.Server.Shutdown.
func (h *Hub) CloseAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, set := range h.subs {
		for c := range set {
			c.shutdown()
		}
	}
}

// Connections returns how many browser connections this instance holds.
func (h *Hub) Connections() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, set := range h.subs {
		n += len(set)
	}
	return n
}

// Notify wakes the connections following address on every instance, when
// q's transaction commits (at once when q is the pool).
func Notify(ctx context.Context, q postgres.Querier, address string) error {
	_, err := q.Exec(ctx, "SELECT pg_notify($1, $2)", notifyChannel, address)
	return err
}
