package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func testEnv(vars map[string]string) (*environment, *syncBuffer, *syncBuffer) {
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	return &environment{stdin: strings.NewReader(""), stdout: stdout, stderr: stderr, getenv: func(k string) string { return vars[k] }}, stdout, stderr
}

// startServer serves s on a loopback port until the test ends, and returns
// its base URL and a function that stops it and returns serve's error.
func startServer(t *testing.T, s *server) (string, func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.serve(ctx, ln) }()
	var once sync.Once
	var serveErr error
	stop := func() error {
		once.Do(func() { cancel(); serveErr = <-done })
		return serveErr
	}
	t.Cleanup(func() { _ = stop() })
	return "http://" + ln.Addr().String(), stop
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(body))
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	s := newServer(db, slog.New(slog.DiscardHandler))
	base, _ := startServer(t, s)

	if code, body := get(t, base+"/healthz"); code != 200 || body != "ok" {
		t.Fatalf("/healthz = %d %q, want 200 ok", code, body)
	}
	if code, body := get(t, base+"/readyz"); code != 200 || body != "ready" {
		t.Fatalf("/readyz = %d %q, want 200 ready", code, body)
	}
	// A migration rolled back behind the service's back makes it unready.
	if _, err := db.Pool.Exec(t.Context(), `DELETE FROM schema_migrations`); err != nil {
		t.Fatal(err)
	}
	if code, body := get(t, base+"/readyz"); code != 503 || !strings.Contains(body, "schema") {
		t.Fatalf("/readyz with pending migrations = %d %q, want 503 naming the schema", code, body)
	}
}

func TestServeRefusesOutdatedSchema(t *testing.T) {
	t.Parallel()
	env, _, _ := testEnv(map[string]string{"DATABASE_URL": pgtest.NewEmptyURL(t), "HTTP_ADDR": "127.0.0.1:0"})
	err := run(t.Context(), env, []string{"serve"})
	if !errors.Is(err, postgres.ErrSchemaOutdated) {
		t.Fatalf("serve on an unmigrated database = %v, want ErrSchemaOutdated", err)
	}
}

// TestServeMigrateFlag starts the real serve command with --migrate on an
// empty database and checks that it becomes ready, then stops it as a
// SIGTERM would.
func TestServeMigrateFlag(t *testing.T) {
	t.Parallel()
	env, _, stderr := testEnv(map[string]string{"DATABASE_URL": pgtest.NewEmptyURL(t), "HTTP_ADDR": "127.0.0.1:0"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, env, []string{"serve", "--migrate"}) }()

	addr := waitForLog(t, stderr, "serving", "addr")
	if code, _ := get(t, "http://"+addr+"/readyz"); code != 200 {
		t.Fatalf("/readyz after serve --migrate = %d, want 200", code)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v after shutdown, want nil", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30s of its context ending")
	}
}

// waitForLog waits for a JSON log line with message msg and returns its
// string attribute key.
func waitForLog(t *testing.T, logs *syncBuffer, msg, key string) string {
	t.Helper()
	// Generous: a demo server seeds a month of history and hashes its
	// accounts' passwords first, slowly under the race detector.
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		sc := bufio.NewScanner(strings.NewReader(logs.String()))
		for sc.Scan() {
			var line map[string]any
			if json.Unmarshal(sc.Bytes(), &line) == nil && line["msg"] == msg {
				if v, ok := line[key].(string); ok {
					return v
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %q log line with %q within 60s; logs:\n%s", msg, key, logs.String())
	return ""
}

func TestShutdownFinishesInFlightRequests(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	s := newServer(db, slog.New(slog.DiscardHandler))
	started, release := make(chan struct{}), make(chan struct{})
	s.mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		if r.Context().Err() != nil {
			http.Error(w, "cancelled", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "finished")
	})
	base, stop := startServer(t, s)

	type result struct {
		code int
		body string
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get(base + "/slow")
		if err != nil {
			got <- result{body: err.Error()}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		got <- result{resp.StatusCode, string(b)}
	}()
	<-started
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()

	// While shutting down, the server accepts no new connections…
	deadline := time.Now().Add(5 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", strings.TrimPrefix(base, "http://"), time.Second)
		if err != nil {
			break
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("server still accepting connections 5s after shutdown began")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// …and the request already in flight completes normally.
	close(release)
	if r := <-got; r.code != 200 || r.body != "finished" {
		t.Fatalf("in-flight request = %d %q, want 200 finished", r.code, r.body)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("serve returned %v, want nil", err)
	}
}

func TestRequestLogsCarryNoPersonalData(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	logs := &syncBuffer{}
	s := newServer(db, newLogger(logs, slog.LevelDebug))
	base, _ := startServer(t, s)

	get(t, base+"/healthz?mobile=%2B447700900123&token=s3cr3t-t0ken")
	get(t, base+"/no/such/page/Ann.Example")
	waitForLog(t, logs, "http request", "route")
	out := logs.String()
	for _, secret := range []string{"447700900123", "s3cr3t-t0ken", "Ann.Example"} {
		if strings.Contains(out, secret) {
			t.Errorf("request log contains %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, `"route":"GET /healthz"`) {
		t.Errorf("request log lacks the route pattern:\n%s", out)
	}
}
