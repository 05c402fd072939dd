package webchat

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/ohcontact/ohcontact/channels"
)

// Limits bound what one client may do with the web chat on one instance.
// A client is the peer's network address (an IPv6 client's /64), or, when
// TrustedProxyHeader is set, the address that header names. The Origin
// check only protects browsers: a script sends any Origin it likes, so
// these limits are what stop one.
//
// The limits are per instance: N instances behind a load balancer allow a
// client N times as much.
type Limits struct {
	// MaxConnections is how many connections one client may hold open at
	// once; the next handshake is refused with 429 before the upgrade. 0
	// means DefaultMaxConnections.
	MaxConnections int
	// NewChatsPerHour is how many anonymous conversations one client may
	// start in an hour (refilled smoothly). Beyond it the person is asked
	// to try later and given the crisis numbers; a message the risk screen
	// finds risky still goes through. 0 means DefaultNewChatsPerHour.
	NewChatsPerHour int
	// TrustedProxyHeader names the header in which the reverse proxy in
	// front of this service puts the client's address, such as
	// X-Forwarded-For (its last address is taken) or X-Real-IP. Empty
	// means the peer address is the client's. Set it only when every
	// request comes through that proxy: anyone else can write the header.
	TrustedProxyHeader string
}

const (
	// DefaultMaxConnections is Limits.MaxConnections when unset.
	DefaultMaxConnections = 20
	// DefaultNewChatsPerHour is Limits.NewChatsPerHour when unset.
	DefaultNewChatsPerHour = 10
	// maxClients bounds the clients remembered. When it is reached, the
	// clients with no connection that were last seen more than clientIdle
	// ago are forgotten; if that frees nothing, new clients are refused
	// (429) until some are.
	maxClients = 50_000
	// clientIdle is how long a client without connections is remembered:
	// by then its new-chat allowance has refilled, so forgetting it loses
	// nothing.
	clientIdle = time.Hour
	// sweepEvery is how often idle clients are forgotten in any case.
	sweepEvery = 10 * time.Minute
)

func (l Limits) maxConnections() int {
	if l.MaxConnections > 0 {
		return l.MaxConnections
	}
	return DefaultMaxConnections
}

func (l Limits) newChatsPerHour() int {
	if l.NewChatsPerHour > 0 {
		return l.NewChatsPerHour
	}
	return DefaultNewChatsPerHour
}

// client returns the client of r (channels.ClientAddress); it is never
// logged.
func (l Limits) client(r *http.Request) string {
	return channels.ClientAddress(r, l.TrustedProxyHeader)
}

// clientKey returns the key anonymous conversations of client are stored
// with: an HMAC-SHA256 under the organisation's secret, in hex, so the
// database never holds the address, and 12 hex digits of it are safe to
// log.
func clientKey(secret []byte, client string) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("ohcontact-client\x00"))
	mac.Write([]byte(client))
	return hex.EncodeToString(mac.Sum(nil)[:16])
}

// clients counts what each client does; the zero value is ready to use.
type clients struct {
	mu    sync.Mutex
	m     map[string]*clientState // guarded by mu
	swept time.Time               // guarded by mu
}

type clientState struct {
	conns int
	chats *rate.Limiter
	seen  time.Time
}

// connect counts a new connection from client, and reports false (counting
// nothing) when the client already has the most it may hold or no more
// clients can be remembered. The caller calls release once the
// connection ends. The client is seen now, by clock, and again on release.
func (cs *clients) connect(client string, l Limits, clock func() time.Time) (release func(), ok bool) {
	now := clock()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.m == nil {
		cs.m = map[string]*clientState{}
	}
	// A full table is swept at most once a second, so that a flood of
	// new clients cannot make every handshake walk it.
	if since := now.Sub(cs.swept); since > sweepEvery || len(cs.m) >= maxClients && since > time.Second {
		cs.sweep(now)
	}
	s := cs.m[client]
	if s == nil {
		if len(cs.m) >= maxClients {
			return nil, false
		}
		n := l.newChatsPerHour()
		s = &clientState{chats: rate.NewLimiter(rate.Every(time.Hour/time.Duration(n)), n)}
		cs.m[client] = s
	}
	s.seen = now
	if s.conns >= l.maxConnections() {
		return nil, false
	}
	s.conns++
	var once sync.Once
	return func() {
		once.Do(func() {
			cs.mu.Lock()
			defer cs.mu.Unlock()
			s.conns--
			s.seen = clock()
		})
	}, true
}

// newChat reports whether client, which holds a connection, may start
// another anonymous conversation now, and counts it if so.
func (cs *clients) newChat(client string, now time.Time) bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	s := cs.m[client]
	if s == nil {
		return false // not connected: cannot happen
	}
	s.seen = now
	return s.chats.AllowN(now, 1)
}

// sweep forgets the clients with no connection last seen more than
// clientIdle before now. The caller holds mu.
func (cs *clients) sweep(now time.Time) {
	cs.swept = now
	for k, s := range cs.m {
		if s.conns == 0 && now.Sub(s.seen) > clientIdle {
			delete(cs.m, k)
		}
	}
}

// size returns how many clients are remembered.
func (cs *clients) size() int {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return len(cs.m)
}
