// Command load holds the load benchmarks that `make bench` runs against a
// real `ohcontact serve` process, each printing a Markdown section for
// BENCHMARKS.md on stdout:
//
//	load sms   signed inbound webhooks at rising concurrency, each a full
//	           dialog step, against a web-tier instance (serve --web-only,
//	           its replies delivered and checked by a worker instance after
//	           each run) and against one instance doing both; pgbench's
//	           figure for an equivalent transaction (two inserts and one
//	           update) in the same run as the ceiling; and, during every
//	           run, the time from a risky text to its case on the console's
//	           live websocket
//	load chat  N idle web chat connections on one instance: memory per
//	           connection, and the round trip of a message at that load
//	load signin  a flood of wrong sign-ins to the console (from one client
//	           address, then from many through a trusted proxy header):
//	           the server's peak memory, its answers, the latency of SMS
//	           webhooks meanwhile, and whether River kept its leader
//	load crisis  the crisis lane: crisis replies sent while thousands of
//	           ordinary texts wait behind a slow sending rate, timed from
//	           the inbound webhook to the fake Twilio API
//
//	DATABASE_URL=postgres://… go run ./scripts/load sms -bin bin/ohcontact
//
// DATABASE_URL names any database on the server; each benchmark creates and
// drops its own database beside it. The load generator, the server and
// PostgreSQL share the machine, as they would not in production.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

const loadDB = "ohcontact_load"

func main() {
	commands := map[string]func([]string) error{"sms": runSMS, "chat": runChat, "signin": runSignIn, "crisis": runCrisis}
	if len(os.Args) < 2 || commands[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: load sms|chat|signin|crisis [flags]")
		os.Exit(2)
	}
	if err := commands[os.Args[1]](os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// freshDatabase creates the load database beside DATABASE_URL's, migrates
// it with bin, and returns its URL (which child processes get as
// DATABASE_URL) and a function that drops it.
func freshDatabase(ctx context.Context, bin string) (string, func(), error) {
	admin := os.Getenv("DATABASE_URL")
	if admin == "" {
		return "", nil, errors.New("DATABASE_URL is not set")
	}
	url, err := createDatabase(ctx, admin)
	if err != nil {
		return "", nil, err
	}
	drop := func() { dropDatabase(ctx, admin) }
	if out, err := exec.Command(bin, "migrate").CombinedOutput(); err != nil {
		drop()
		return "", nil, fmt.Errorf("migrate: %v\n%s", err, out)
	}
	return url, drop, nil
}

// createDatabase creates the load database beside admin's.
func createDatabase(ctx context.Context, admin string) (string, error) {
	dropDatabase(ctx, admin)
	if err := adminExec(ctx, admin, "CREATE DATABASE "+loadDB); err != nil {
		return "", err
	}
	u, err := url.Parse(admin)
	if err != nil || u.Scheme == "" {
		return "", errors.New("DATABASE_URL must be a postgres:// URL")
	}
	u.Path = "/" + loadDB
	os.Setenv("DATABASE_URL", u.String())
	return u.String(), nil
}

func dropDatabase(ctx context.Context, admin string) {
	_ = adminExec(ctx, admin, "DROP DATABASE IF EXISTS "+loadDB+" WITH (FORCE)")
}

func adminExec(ctx context.Context, admin, sql string) error {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return fmt.Errorf("connect to DATABASE_URL: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	return nil
}

// serve starts `ohcontact` with args (serve …) and env added to this process's, waits
// until it is ready, and returns its base URL and process id.
func serve(bin string, args []string, env ...string) (base string, pid int, stop func(), err error) {
	return serveLogging(bin, args, os.Stderr, env...)
}

// serveLogging is serve with the server's log (its stderr) written to logw.
func serveLogging(bin string, args []string, logw io.Writer, env ...string) (base string, pid int, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", 0, nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	base = "http://" + addr
	cmd := exec.Command(bin, args...)
	cmd.Env = append(append(os.Environ(), "HTTP_ADDR="+addr, "PUBLIC_BASE_URL="+base, "LOG_LEVEL=warn"), env...)
	cmd.Stderr = logw
	if err := cmd.Start(); err != nil {
		return "", 0, nil, err
	}
	stop = func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base, cmd.Process.Pid, stop, nil
			}
		}
	}
	stop()
	return "", 0, nil, errors.New("ohcontact serve was not ready within 30 s")
}
