package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact/channels/sms/twiliotest"
)

// knownAccounts are the console accounts the flood tries wrong passwords
// on, beside unknown addresses.
var knownAccounts = []string{"flood-known-1@demo.nhs.example", "flood-known-2@demo.nhs.example", "flood-known-3@demo.nhs.example"}

// floodMode is where the flood's attempts come from.
type floodMode struct {
	name string
	// spoofed: each attempt carries an X-Forwarded-For address of its own,
	// which the server believes (OHCONTACT_TRUSTED_PROXY_HEADER), as it
	// would from a reverse proxy in front of it passing on a botnet's
	// addresses. Otherwise every attempt comes from 127.0.0.1.
	spoofed bool
}

var floodModes = []floodMode{{name: "one address"}, {name: "many addresses", spoofed: true}}

// floodResult is one flood.
type floodResult struct {
	mode            floodMode
	elapsed         time.Duration
	statuses        map[int]int // sign-in answers by status; 0: no answer (transport error)
	rssBeforeKB     int
	rssPeakKB       int // the highest VmRSS sampled during the flood
	hwmKB           int // VmHWM at the end: the peak over the process's life
	webhooks        []time.Duration
	webhookErrors   int
	baseline        []time.Duration // webhooks at the same rate with no flood, sorted
	leaders         int             // distinct (leader, elected_at) seen in river_leader
	leaderless      int             // samples of river_leader with no leader
	leaderSamples   int
	leadershipLines []string // the server's log lines about losing leadership
}

func (r floodResult) attempts() int {
	n := 0
	for _, c := range r.statuses {
		n += c
	}
	return n
}

func (r floodResult) leaderKept() bool {
	return r.leaders == 1 && r.leaderless == 0 && len(r.leadershipLines) == 0
}

// runSignIn is `load signin`.
func runSignIn(args []string) error {
	fs := flag.NewFlagSet("load signin", flag.ExitOnError)
	bin := fs.String("bin", "bin/ohcontact", "the ohcontact binary to load")
	concurrency := fs.Int("concurrency", 200, "sign-in attempts in flight at once")
	duration := fs.Duration("duration", 30*time.Second, "length of each flood")
	rate := fs.Float64("webhooks", 20, "signed inbound SMS webhooks a second during each flood")
	modes := fs.String("modes", "one,many", "floods to run: one (every attempt from 127.0.0.1), many (spoofed X-Forwarded-For through a trusted proxy header)")
	fs.Parse(args)

	var run []floodMode
	for _, m := range strings.Split(*modes, ",") {
		switch strings.TrimSpace(m) {
		case "one":
			run = append(run, floodModes[0])
		case "many":
			run = append(run, floodModes[1])
		default:
			return fmt.Errorf("-modes: %q is neither one nor many", m)
		}
	}
	ctx := context.Background()
	dbURL, drop, err := freshDatabase(ctx, *bin)
	if err != nil {
		return err
	}
	defer drop()
	const staff = 500
	if err := seed(ctx, dbURL, staff); err != nil {
		return err
	}
	for _, email := range knownAccounts {
		if err := addUser(*bin, email, "flood-known-account-password"); err != nil {
			return err
		}
	}
	twilio := twiliotest.New(account, authToken)
	defer twilio.Close()
	env := []string{"TWILIO_ACCOUNT_SID=" + account, "TWILIO_AUTH_TOKEN=" + authToken,
		"TWILIO_FROM=+447700900999", "TWILIO_API_BASE_URL=" + twilio.URL, "TWILIO_SEND_RATE=1000"}
	senders := make([]*sender, staff)
	for i := range senders {
		senders[i] = &sender{from: mobile(i)}
	}

	var results []floodResult
	for _, m := range run {
		// Each flood starts with the known accounts unlocked.
		if err := adminExec(ctx, dbURL, "UPDATE users SET failed_logins = 0, locked_until = NULL"); err != nil {
			return err
		}
		r, err := flood(ctx, dbURL, *bin, env, m, senders, *concurrency, *rate, *duration)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "load signin: %s: %.0f attempts/s %v; RSS %d → peak %d KiB (VmHWM %d); webhooks p50 %v p99 %v, %d errors; leaders %d, leaderless samples %d, log lines %d\n",
			m.name, float64(r.attempts())/r.elapsed.Seconds(), r.statuses, r.rssBeforeKB, r.rssPeakKB, r.hwmKB,
			pct(r.webhooks, 50), pct(r.webhooks, 99), r.webhookErrors, r.leaders, r.leaderless, len(r.leadershipLines))
		results = append(results, r)
	}
	reportSignIn(os.Stdout, results, *concurrency, *rate, *duration)
	return nil
}

// addUser creates a console account (a clinician) with password.
func addUser(bin, email, password string) error {
	cmd := exec.Command(bin, "user", "add", "--email", email, "--name", "Flood Target", "--role", "clinician")
	cmd.Stdin = strings.NewReader(password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("user add: %v\n%s", err, out)
	}
	return nil
}

// lockedBuffer is a bytes.Buffer safe for one writer and readers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// flood starts one all-in-one `ohcontact serve`, and for d sends it
// concurrency sign-in attempts at a time with wrong passwords, while
// sending signed SMS webhooks at rate a second, sampling its memory and
// watching River's leader.
func flood(ctx context.Context, dbURL, bin string, env []string, mode floodMode, senders []*sender,
	concurrency int, rate float64, d time.Duration) (floodResult, error) {
	r := floodResult{mode: mode, statuses: map[int]int{}}
	if mode.spoofed {
		env = append(slices.Clone(env), "OHCONTACT_TRUSTED_PROXY_HEADER=X-Forwarded-For")
	}
	var log lockedBuffer
	base, pid, stop, err := serveLogging(bin, []string{"serve"}, io.MultiWriter(os.Stderr, &log), env...)
	if err != nil {
		return r, err
	}
	defer stop()
	// Settle (River elects its leader), then warm the webhook path up.
	webhookClient := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 30 * time.Second}
	for i := range 20 {
		if err := senders[i].post(webhookClient, base); err != nil {
			return r, fmt.Errorf("warm-up webhook: %w", err)
		}
	}
	time.Sleep(2 * time.Second)
	if r.rssBeforeKB, err = procStatusKB(pid, "VmRSS"); err != nil {
		return r, err
	}
	// The webhooks alone first, for comparison on this machine as it is.
	bctx, bcancel := context.WithTimeout(ctx, baselineFor)
	var bmu sync.Mutex
	var berrs int
	sendWebhooks(bctx, webhookClient, base, senders, 20, rate, &bmu, &r.baseline, &berrs)
	bcancel()
	if berrs > 0 {
		return r, fmt.Errorf("%d webhooks failed before the flood", berrs)
	}
	slices.Sort(r.baseline)

	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return r, err
	}
	defer conn.Close(ctx)

	fctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex

	// Memory: VmRSS every 100 ms.
	wg.Go(func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for fctx.Err() == nil {
			if kb, err := procStatusKB(pid, "VmRSS"); err == nil {
				mu.Lock()
				r.rssPeakKB = max(r.rssPeakKB, kb)
				mu.Unlock()
			}
			select {
			case <-t.C:
			case <-fctx.Done():
			}
		}
	})
	// River's leader, every 500 ms.
	wg.Go(func() {
		type election struct {
			leader string
			at     time.Time
		}
		seen := map[election]bool{}
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for fctx.Err() == nil {
			var e election
			err := conn.QueryRow(ctx, "SELECT leader_id, elected_at FROM river_leader WHERE name = 'default'").Scan(&e.leader, &e.at)
			r.leaderSamples++
			switch {
			case errors.Is(err, pgx.ErrNoRows):
				r.leaderless++
			case err == nil:
				seen[e] = true
			}
			select {
			case <-t.C:
			case <-fctx.Done():
			}
		}
		r.leaders = len(seen)
	})
	// Webhooks at rate a second.
	wg.Go(func() {
		sendWebhooks(fctx, webhookClient, base, senders, 20+int(rate*baselineFor.Seconds()), rate, &mu, &r.webhooks, &r.webhookErrors)
	})
	// The flood.
	start := time.Now()
	transport := &http.Transport{MaxIdleConnsPerHost: concurrency + 16, MaxConnsPerHost: 0}
	for g := range concurrency {
		wg.Go(func() {
			statuses, err := floodWorker(fctx, transport, base, mode, g)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				statuses[-1]++
			}
			for s, n := range statuses {
				r.statuses[s] += n
			}
		})
	}
	wg.Wait()
	r.elapsed = time.Since(start)
	if r.hwmKB, err = procStatusKB(pid, "VmHWM"); err != nil {
		return r, err
	}
	stop()
	for _, line := range strings.Split(log.String(), "\n") {
		l := strings.ToLower(line)
		if strings.Contains(l, "leader") && (strings.Contains(l, "stepping down") || strings.Contains(l, "error") ||
			strings.Contains(l, "resign") || strings.Contains(l, "lost")) {
			r.leadershipLines = append(r.leadershipLines, line)
		}
	}
	slices.Sort(r.webhooks)
	return r, nil
}

// baselineFor is how long webhooks are timed alone before each flood.
const baselineFor = 5 * time.Second

// sendWebhooks sends signed SMS webhooks at rate a second until ctx ends,
// each in its own goroutine (an open loop, as Twilio sends them whatever
// the server's state), texting as senders from the first-th on, and
// appends their latencies to *latencies and counts failures in *errs under
// mu. It returns when every webhook sent has been answered.
func sendWebhooks(ctx context.Context, client *http.Client, base string, senders []*sender, first int, rate float64,
	mu *sync.Mutex, latencies *[]time.Duration, errs *int) {
	t := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer t.Stop()
	var sent sync.WaitGroup
	defer sent.Wait()
	for i := first; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s := senders[i%len(senders)]
		sent.Go(func() {
			t0 := time.Now()
			err := s.post(client, base)
			took := time.Since(t0)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				*errs++
				return
			}
			*latencies = append(*latencies, took)
		})
	}
}

// floodWorker is one attacker: it fetches the sign-in form once (its
// pre-session cookie and CSRF token), then posts wrong passwords, one at a
// time, until ctx ends: three in four for unknown email addresses, one in
// four for a known account. It returns the answers by status.
func floodWorker(ctx context.Context, transport http.RoundTripper, base string, mode floodMode, g int) (map[int]int, error) {
	statuses := map[int]int{}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Transport: transport, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(base + "/console/login")
	if err != nil {
		return statuses, err
	}
	m := csrfField.FindStringSubmatch(readAll(resp))
	if m == nil {
		return statuses, errors.New("console sign-in page has no CSRF token")
	}
	rng := rand.New(rand.NewPCG(uint64(g), uint64(time.Now().UnixNano())))
	for i := 0; ctx.Err() == nil; i++ {
		email := fmt.Sprintf("flood-%x@attacker.example", rng.Uint64())
		if i%4 == 3 {
			email = knownAccounts[rng.IntN(len(knownAccounts))]
		}
		form := url.Values{"csrf_token": {m[1]}, "email": {email}, "password": {fmt.Sprintf("guess-%x", rng.Uint64())}}
		// Not with ctx: an attempt under way when the flood ends is answered.
		req, _ := http.NewRequest(http.MethodPost, base+"/console/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", base)
		if mode.spoofed {
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", rng.IntN(256), rng.IntN(256), rng.IntN(256)))
		}
		resp, err := client.Do(req)
		if err != nil {
			statuses[0]++
			continue
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		statuses[resp.StatusCode]++
	}
	return statuses, nil
}

// procStatusKB reads one kB field (VmRSS, VmHWM) of a process's
// /proc/PID/status.
func procStatusKB(pid int, field string) (int, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			var kb int
			_, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb)
			return kb, err
		}
	}
	return 0, fmt.Errorf("no %s for process %d", field, pid)
}

// Sign-in flood targets (issue 16).
const (
	floodRSSTargetMB     = 300
	floodWebhookP99Limit = 100 * time.Millisecond
)

// reportSignIn writes the sign-in flood section of BENCHMARKS.md.
func reportSignIn(w io.Writer, rs []floodResult, concurrency int, rate float64, d time.Duration) {
	fmt.Fprintf(w, "## Sign-in flood (scripts/load signin)\n\n")
	fmt.Fprintf(w, "One `ohcontact serve` (web and River's workers together) takes %d concurrent sign-in attempts for %v, each\n", concurrency, d)
	fmt.Fprintf(w, "posted as soon as the last was answered: wrong passwords, three in four for unknown email addresses and one in\n")
	fmt.Fprintf(w, "four for one of %d known accounts, each attacker with the sign-in form's pre-session cookie and CSRF token.\n", len(knownAccounts))
	fmt.Fprintf(w, "Meanwhile signed inbound SMS webhooks arrive at %.0f a second (each a full dialog step), River's leader is read\n", rate)
	fmt.Fprintf(w, "from `river_leader` every 500 ms, and the server's memory is read from /proc (VmRSS every 100 ms; VmHWM,\n")
	fmt.Fprintf(w, "the peak over its life, at the end). Two floods, each on a fresh server with the accounts unlocked:\n\n")
	fmt.Fprintf(w, "- **one address**: every attempt from 127.0.0.1, as from one attacker (the per-client throttle's case).\n")
	fmt.Fprintf(w, "- **many addresses**: the server believes `X-Forwarded-For` (`OHCONTACT_TRUSTED_PROXY_HEADER`), and every\n")
	fmt.Fprintf(w, "  attempt carries a random address in 10.0.0.0/8, as a botnet behind the reverse proxy would: only the\n")
	fmt.Fprintf(w, "  per-account throttle and the hashing gate stand in its way.\n\n")
	fmt.Fprintf(w, "The attackers, the server and PostgreSQL share the machine's cores: the attackers' own work (building,\n")
	fmt.Fprintf(w, "sending and reading thousands of requests a second), which a real attacker does elsewhere, slows the\n")
	fmt.Fprintf(w, "webhooks here too.\n\n")
	fmt.Fprintf(w, "| clients | attempts/s | 200 | 303 | 401 | 429 | 503 | other | RSS before | peak RSS (VmHWM) | webhooks | webhook p50 | webhook p99 | webhook max | webhook errors | webhook p50 / p99 with no flood | River leader |\n")
	fmt.Fprintf(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, r := range rs {
		other := 0
		for s, n := range r.statuses {
			switch s {
			case 200, 303, 401, 429, 503:
			default:
				other += n
			}
		}
		leader := "kept"
		if !r.leaderKept() {
			leader = fmt.Sprintf("**lost** (%d elections, %d samples with none, %d log lines)", r.leaders, r.leaderless, len(r.leadershipLines))
		}
		fmt.Fprintf(w, "| %s | %.0f | %d | %d | %d | %d | %d | %d | %d MiB | %d MiB (%d MiB) | %d | %v | %v | %v | %d | %v / %v | %s |\n",
			r.mode.name, float64(r.attempts())/r.elapsed.Seconds(), r.statuses[200], r.statuses[303], r.statuses[401],
			r.statuses[429], r.statuses[503], other, r.rssBeforeKB/1024, r.rssPeakKB/1024, r.hwmKB/1024,
			len(r.webhooks), pct(r.webhooks, 50), pct(r.webhooks, 99), pct(r.webhooks, 100), r.webhookErrors,
			pct(r.baseline, 50), pct(r.baseline, 99), leader)
	}
	fmt.Fprintf(w, "\nEach 401 is one argon2id verification; 429s were refused by a throttle before any lookup or hashing, 503s by\n")
	fmt.Fprintf(w, "the hashing gate. \"peak RSS\" is the highest sample during the flood; in brackets, VmHWM. The last webhook\n")
	fmt.Fprintf(w, "column is the same server taking the same webhooks for %v just before its flood, with no attempts: what the\n", baselineFor)
	fmt.Fprintf(w, "machine gives as it is.\n\n")
	for _, r := range rs {
		p99 := pct(r.webhooks, 99)
		peakMB := max(r.rssPeakKB, r.hwmKB) / 1024
		met := peakMB <= floodRSSTargetMB && p99 <= floodWebhookP99Limit && r.webhookErrors == 0 && r.leaderKept()
		verdict := "met"
		if !met {
			verdict = "not met"
		}
		fmt.Fprintf(w, "**Target, %s (peak RSS ≤ %d MB, webhook p99 ≤ %v, River's leader kept): %s** — peak RSS %d MiB, webhook p99 %v",
			r.mode.name, floodRSSTargetMB, floodWebhookP99Limit, verdict, peakMB, p99)
		if r.webhookErrors > 0 {
			fmt.Fprintf(w, " (%d webhooks failed)", r.webhookErrors)
		}
		if r.leaderKept() {
			fmt.Fprintf(w, ", leader kept.\n\n")
		} else {
			fmt.Fprintf(w, ", leader lost.\n\n")
		}
	}
}
