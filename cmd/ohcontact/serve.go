package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/ohcontact/ohcontact/postgres"
)

// shutdownGrace is how long serve waits for in-flight requests after a
// SIGTERM or Ctrl-C before it closes their connections.
const shutdownGrace = 25 * time.Second

func runServe(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "serve", "serve [--migrate] [--demo] [--web-only]")
	migrate := fs.Bool("migrate", false, "apply pending schema migrations before serving (otherwise an out-of-date schema stops the start)")
	demo := fs.Bool("demo", false, "demo mode: implies --migrate, adds demo staff, a demo clinician and lead, and a month of pilot history, and serves /demo/phone and /demo/intranet")
	webOnly := fs.Bool("web-only", false, "serve requests and queue jobs, but leave working them (texts, contacts, SLA checks) to instances started without it")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(env.getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	if *demo {
		if err := checkDemoConfig(cfg); err != nil {
			return err
		}
	}
	log := newLogger(env.stderr, cfg.LogLevel)

	db, err := postgres.Open(ctx, postgres.Config{URL: cfg.DatabaseURL, MaxConns: cfg.DatabaseMaxConns})
	if err != nil {
		return err
	}
	defer db.Close()
	if *migrate || *demo {
		if _, err := db.Migrate(ctx, log); err != nil {
			return err
		}
	} else if err := db.CheckSchema(ctx); err != nil {
		return fmt.Errorf("%w (or start with 'serve --migrate')", err)
	}

	s, jobs, err := assemble(ctx, cfg, db, log, *demo)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on HTTP_ADDR: %w", err)
	}
	if *webOnly {
		log.Warn("web only: this instance works no jobs; at least one instance must run without --web-only, or nothing is sent")
	} else if err := jobs.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start jobs: %w", err)
	}
	log.Info("serving", "addr", ln.Addr().String(), "public_base_url", cfg.PublicBaseURL,
		"demo", *demo, "sms", map[bool]string{true: "simulator", false: "twilio"}[cfg.Twilio.Simulated()],
		"jobs", !*webOnly, "version", version)
	serveErr := s.serve(ctx, ln)
	if *webOnly {
		return serveErr
	}
	// Requests are done; let running jobs finish too.
	return errors.Join(serveErr, stopJobs(jobs, log))
}

// httpLimits are the HTTP server's timeouts and header limit.
type httpLimits struct {
	// ReadHeader bounds reading a request's headers, Read its headers and
	// body: a client that sends its body slowly is cut off.
	ReadHeader, Read time.Duration
	// Write bounds the time from the end of the request's headers to the
	// end of its response. Websockets lift both Read and Write on upgrade.
	Write time.Duration
	// Idle is how long a kept-alive connection may wait for its next
	// request.
	Idle time.Duration
	// MaxHeaderBytes is the most a request's headers may take.
	MaxHeaderBytes int
}

// defaultHTTPLimits are generous for the largest request bodies the
// service takes (the HR API's, 64 KiB at most) and its slowest answers (the
// dashboard and its CSV export), and short enough that a client trickling
// a body or headers cannot hold a connection for long.
var defaultHTTPLimits = httpLimits{
	ReadHeader:     10 * time.Second,
	Read:           30 * time.Second,
	Write:          60 * time.Second,
	Idle:           2 * time.Minute,
	MaxHeaderBytes: 64 << 10,
}

// server holds what the HTTP handlers share.
type server struct {
	db     *postgres.DB
	log    *slog.Logger
	mux    *http.ServeMux
	limits httpLimits
	// background runs while the server serves (the web chat hub's and
	// the console's listeners), each until its context ends.
	background []func(context.Context)
	// onShutdown runs when shutdown starts: hijacked connections
	// (websockets) are not closed by http.Server.Shutdown.
	onShutdown []func()
}

func newServer(db *postgres.DB, log *slog.Logger) *server {
	s := &server{db: db, log: log, mux: http.NewServeMux(), limits: defaultHTTPLimits}
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	return s
}

// serve answers HTTP on ln until ctx is cancelled, then stops accepting,
// lets in-flight requests finish (up to shutdownGrace) and returns.
func (s *server) serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.logRequests(s.mux),
		ReadHeaderTimeout: s.limits.ReadHeader,
		ReadTimeout:       s.limits.Read,
		WriteTimeout:      s.limits.Write,
		IdleTimeout:       s.limits.Idle,
		MaxHeaderBytes:    s.limits.MaxHeaderBytes,
		// Requests outlive the signal that stops the server: Shutdown waits
		// for them, and they should not see their context cancelled first.
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		ErrorLog:    slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	for _, f := range s.onShutdown {
		srv.RegisterOnShutdown(f)
	}
	bgCtx, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	var bg sync.WaitGroup
	for _, f := range s.background {
		bg.Go(func() { f(bgCtx) })
	}
	defer func() { stopBackground(); bg.Wait() }()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down: finishing in-flight requests", "grace", shutdownGrace.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	if err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	s.log.Info("stopped")
	return nil
}

// healthz answers 200 while the process is up.
func (s *server) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ok")
}

// readyz answers 200 when the database is reachable and its schema current,
// and 503 saying which is not otherwise.
func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.db.Pool.Ping(ctx); err != nil {
		s.log.Warn("not ready: database unreachable", "error", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "database unreachable")
		return
	}
	if err := s.db.CheckSchema(ctx); err != nil {
		s.log.Warn("not ready: schema", "error", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "database schema is not current")
		return
	}
	fmt.Fprintln(w, "ready")
}

// newLogger returns the JSON logger every part of the service writes to.
// Keys are stable; phone numbers, message bodies, names and tokens are never
// logged (requests are logged by route pattern, not URL).
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

// statusRecorder remembers the status code a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Hijack hands the connection to a websocket upgrade; the request is
// logged with status 101 when the websocket closes.
func (r *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	r.status = http.StatusSwitchingProtocols
	return http.NewResponseController(r.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the underlying writer (for
// flushing and websocket hijacking).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// logRequests logs each request by its route pattern, never its URL: query
// strings and paths can carry tokens and phone numbers.
func (s *server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "http request",
			slog.String("method", r.Method), slog.String("route", route),
			slog.Int("status", rec.status), slog.Duration("duration", time.Since(start)))
	})
}
