package metrics_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels"
	"github.com/ohcontact/ohcontact/metrics"
	"github.com/ohcontact/ohcontact/postgres"
)

// fakeStore answers the collectors' queries with fixed figures, or err.
type fakeStore struct{ err error }

func (s fakeStore) JobQueues(_ context.Context, queues []string) ([]postgres.JobQueue, error) {
	var out []postgres.JobQueue
	for _, q := range queues {
		out = append(out, postgres.JobQueue{Name: q, Depth: 4, OldestSeconds: 1.5})
	}
	return out, s.err
}

func (s fakeStore) CaseEventCounts(_ context.Context, kinds []string) (map[string]int64, error) {
	counts := map[string]int64{}
	for _, k := range kinds {
		counts[k] = 2
	}
	return counts, s.err
}

const token = "0123456789abcdef0123456789abcdef-metrics"

func newMetrics(store metrics.Store) *metrics.Metrics {
	return metrics.New(metrics.Config{Store: store, Flows: []string{"support", "msk-checkin"}, Queues: []string{"default", "sms"}})
}

// scrape GETs /metrics from remote (host:port) with the Authorization
// header auth, and returns the status and body.
func scrape(t *testing.T, h http.Handler, remote, auth string) (int, string) {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	r.RemoteAddr = remote
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	body, _ := io.ReadAll(w.Result().Body)
	return w.Code, string(body)
}

// sample returns the value of series (name{labels}, as exposed) in a
// Prometheus text exposition, and whether it is there.
func sample(body, series string) (float64, bool) {
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			return f, err == nil
		}
	}
	return 0, false
}

func TestMetricsAccess(t *testing.T) {
	t.Parallel()
	access := metrics.Access{
		Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("10.20.0.0/16")},
		Token: token,
	}
	h := newMetrics(fakeStore{}).Handler(access, slog.New(slog.DiscardHandler))
	tests := []struct {
		name   string
		remote string
		auth   string
		want   int
	}{
		{"loopback", "127.0.0.1:40000", "", 200},
		{"loopback over IPv6", "[::1]:40000", "", 200},
		{"allowed network", "10.20.3.4:40000", "", 200},
		{"allowed network as an IPv4-mapped IPv6 peer", "[::ffff:10.20.3.4]:40000", "", 200},
		{"token from anywhere", "203.0.113.9:40000", "Bearer " + token, 200},
		{"token, scheme in lower case", "203.0.113.9:40000", "bearer " + token, 200},
		{"wrong token", "203.0.113.9:40000", "Bearer " + strings.ToUpper(token), 403},
		{"token's prefix", "203.0.113.9:40000", "Bearer " + token[:32], 403},
		{"token as basic auth", "203.0.113.9:40000", "Basic " + token, 403},
		{"no token, address not allowed", "203.0.113.9:40000", "", 403},
		{"next network along", "10.21.0.1:40000", "", 403},
		{"unparsable peer", "somewhere", "", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, body := scrape(t, h, tt.remote, tt.auth)
			if code != tt.want {
				t.Fatalf("GET /metrics from %s = %d, want %d", tt.remote, code, tt.want)
			}
			if code == 403 && body != "" {
				t.Errorf("refusal has a body: %q", body)
			}
			if code == 200 && !strings.Contains(body, "ohcontact_job_queue_depth") {
				t.Errorf("scrape lacks the queue series:\n%s", body)
			}
		})
	}
}

// TestMetricsForwardedForIgnored checks that a client cannot claim an
// allowed address in a header: only the TCP peer counts.
func TestMetricsForwardedForIgnored(t *testing.T) {
	t.Parallel()
	h := newMetrics(fakeStore{}).Handler(metrics.Access{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}},
		slog.New(slog.DiscardHandler))
	r := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	r.RemoteAddr = "203.0.113.9:40000"
	r.Header.Set("X-Forwarded-For", "127.0.0.1")
	r.Header.Set("X-Real-IP", "127.0.0.1")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 403 {
		t.Fatalf("GET /metrics claiming 127.0.0.1 in X-Forwarded-For = %d, want 403", w.Code)
	}
}

func TestMetricsWithoutToken(t *testing.T) {
	t.Parallel()
	h := newMetrics(fakeStore{}).Handler(metrics.Access{}, slog.New(slog.DiscardHandler))
	// With no token configured, an empty bearer token must not match it.
	for _, auth := range []string{"", "Bearer ", "Bearer"} {
		if code, _ := scrape(t, h, "203.0.113.9:40000", auth); code != 403 {
			t.Errorf("Authorization %q with no token configured = %d, want 403", auth, code)
		}
	}
}

func TestMetricsSeries(t *testing.T) {
	t.Parallel()
	m := newMetrics(fakeStore{})
	m.Inbound(ohcontact.ChannelSMS)
	m.Inbound("fax")
	m.DialogStep("support")
	m.DialogStep("+447700900123") // not a flow: never a label
	m.RiskScreen(ohcontact.PriorityUrgent)
	hook := m.Webhook("/sms/twilio/inbound", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) })
	hook(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/sms/twilio/inbound", nil))
	out := m.Outbox(ohcontact.ChannelWebChat, outbox{})
	if err := out.Queue(t.Context(), nil, ohcontact.Message{}, ohcontact.Message{}); err != nil {
		t.Fatal(err)
	}
	if err := m.Outbox(ohcontact.ChannelWebChat, outbox{err: errors.New("no")}).Queue(t.Context(), nil, ohcontact.Message{}); err == nil {
		t.Fatal("the counting outbox swallowed its outbox's error")
	}

	_, body := scrape(t, m.Handler(metrics.Access{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}},
		slog.New(slog.DiscardHandler)), "127.0.0.1:1", "")
	for series, want := range map[string]float64{
		`ohcontact_messages_total{channel="sms",direction="inbound"}`:           1,
		`ohcontact_messages_total{channel="other",direction="inbound"}`:         1,
		`ohcontact_messages_total{channel="webchat",direction="outbound"}`:      2,
		`ohcontact_dialog_steps_total{flow="support"}`:                          1,
		`ohcontact_dialog_steps_total{flow="other"}`:                            1,
		`ohcontact_risk_screens_total{priority="urgent"}`:                       1,
		`ohcontact_webhook_duration_seconds_count{route="/sms/twilio/inbound"}`: 1,
		`ohcontact_job_queue_depth{queue="sms"}`:                                4,
		`ohcontact_job_queue_oldest_seconds{queue="default"}`:                   1.5,
		`ohcontact_cases_total{event="breached"}`:                               2,
	} {
		if got, ok := sample(body, series); !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", series, got, ok, want)
		}
	}
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total", `ohcontact_webhook_duration_seconds_bucket{route="/sms/twilio/inbound",le="0.005"}`} {
		if !strings.Contains(body, name) {
			t.Errorf("scrape lacks %s", name)
		}
	}
	if strings.Contains(body, "447700900123") {
		t.Error("a phone number reached a label")
	}
}

type outbox struct{ err error }

func (o outbox) Queue(context.Context, pgx.Tx, ...ohcontact.Message) error { return o.err }

// TestMetricsDatabaseDown checks that a failing collector leaves its own
// series out and the rest in.
func TestMetricsDatabaseDown(t *testing.T) {
	t.Parallel()
	m := newMetrics(fakeStore{err: errors.New("connection refused")})
	m.Inbound(ohcontact.ChannelSMS)
	code, body := scrape(t, m.Handler(metrics.Access{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}},
		slog.New(slog.DiscardHandler)), "127.0.0.1:1", "")
	if code != 200 {
		t.Fatalf("GET /metrics with the database down = %d, want 200", code)
	}
	if _, ok := sample(body, `ohcontact_messages_total{channel="sms",direction="inbound"}`); !ok {
		t.Error("the process's own counters are missing")
	}
	if strings.Contains(body, "ohcontact_cases_total{") || strings.Contains(body, "ohcontact_job_queue_depth{") {
		t.Error("series read from a failing database are present")
	}
	_, body = scrape(t, m.Handler(metrics.Access{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}},
		slog.New(slog.DiscardHandler)), "127.0.0.1:1", "")
	if n, _ := sample(body, `promhttp_metric_handler_errors_total{cause="gathering"}`); n < 1 {
		t.Errorf("the failed gathering is not counted (%v)", n)
	}
}

func TestMetricsNil(t *testing.T) {
	t.Parallel()
	var m *metrics.Metrics
	m.Inbound(ohcontact.ChannelSMS)
	m.Outbound(ohcontact.ChannelSMS)
	m.DialogStep("support")
	m.RiskScreen(ohcontact.PriorityNone)
	called := false
	m.Webhook("/x", func(http.ResponseWriter, *http.Request) { called = true })(httptest.NewRecorder(), httptest.NewRequest("POST", "/x", nil))
	if !called {
		t.Error("a nil Metrics's Webhook did not call the handler")
	}
	if o := (outbox{}); m.Outbox(ohcontact.ChannelSMS, o) != channels.Outbox(o) {
		t.Error("a nil Metrics's Outbox wrapped the outbox")
	}
}
