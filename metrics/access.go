package metrics

import (
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Access says who may read GET /metrics: a client whose TCP peer address
// is in one of Allow, or one that presents Token as a bearer token.
type Access struct {
	Allow []netip.Prefix
	// Token is the bearer token that opens /metrics from anywhere; empty
	// when none does.
	Token string
}

// Handler serves GET /metrics in Prometheus's text format to the clients a
// allows, and answers anyone else 403 with an empty body. A collector that
// fails is logged to log and its series left out; the rest are served, and
// promhttp_metric_handler_errors_total{cause="gathering"} counts the
// failure, for an alert.
func (m *Metrics) Handler(a Access, log *slog.Logger) http.Handler {
	metrics := promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.registry,
	})
	var token [sha256.Size]byte
	if a.Token != "" {
		token = sha256.Sum256([]byte(a.Token))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.allowedAddr(r.RemoteAddr) && (a.Token == "" || !bearer(r, token)) {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		metrics.ServeHTTP(w, r)
	})
}

// allowedAddr reports whether remote, a request's RemoteAddr (the TCP
// peer, host:port), is in an allowed network. An IPv4 peer on an IPv6
// socket (::ffff:a.b.c.d) counts as its IPv4 address.
func (a Access) allowedAddr(remote string) bool {
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		return false
	}
	addr := ap.Addr().Unmap()
	for _, p := range a.Allow {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// bearer reports whether r carries the bearer token whose SHA-256 is want.
// Comparing digests in constant time reveals neither the token nor its
// length through timing.
func bearer(r *http.Request, want [sha256.Size]byte) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}
