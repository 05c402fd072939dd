package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact/channels/sms"
	"github.com/ohcontact/ohcontact/channels/sms/twiliotest"
)

const (
	account   = "AC00000000000000000000000000000002"
	authToken = "smsloadtoken"
)

// texts cycle through a short support conversation, each step answered by
// one text: "hello" opens it (the menu), "hello" again is not understood
// (the menu's nudge), "5" ends it (the goodbye). Nothing hands the
// conversation to a clinician, whose bot would then stay silent and make
// later steps cheaper than the first.
var texts = []string{"hello", "hello", "5"}

func mobile(i int) string { return fmt.Sprintf("+4477009%05d", i) }

// seed adds the demo organisation, its staff, and the tables pgbench's
// transaction writes to.
func seed(ctx context.Context, dbURL string, staff int) error {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `
		WITH o AS (INSERT INTO organisations (code, name) VALUES ('DEMO', 'Demo Trust') RETURNING id)
		INSERT INTO staff (organisation_id, assignment_number, first_name, last_name, mobile)
		SELECT o.id, 'L' || n, 'Load', 'Test', '+4477009' || lpad(n::text, 5, '0')
		FROM o, generate_series(0, $1 - 1) n`, staff)
	if err != nil {
		return fmt.Errorf("seed staff: %w", err)
	}
	// A history: everyone has finished three conversations before, as after
	// a pilot's first weeks. Against empty tables PostgreSQL caches plans
	// that scan them whole, which stay in use as the tables grow during the
	// run; a live service never has empty tables.
	_, err = conn.Exec(ctx, `
		INSERT INTO conversations (organisation_id, staff_id, channel, address, flow, fsm_state, last_message_seq,
			status, closed_reason, closed_at)
		SELECT s.organisation_id, s.id, 'sms', s.mobile, 'support', 'done', 2, 'closed', 'completed', now() - n * interval '1 week'
		FROM staff s, generate_series(1, 3) n;
		INSERT INTO messages (conversation_id, seq, direction, channel, author, body, external_id, delivery_status)
		SELECT c.id, n, d.direction, 'sms', d.author, 'an earlier text', CASE n WHEN 1 THEN 'SM' || md5(c.id::text) END, d.status
		FROM conversations c, generate_series(1, 2) n,
			LATERAL (SELECT CASE n WHEN 1 THEN 'inbound' ELSE 'outbound' END AS direction,
				CASE n WHEN 1 THEN 'staff' ELSE 'bot' END AS author,
				CASE n WHEN 1 THEN 'received' ELSE 'delivered' END AS status) d`)
	if err != nil {
		return fmt.Errorf("seed history: %w", err)
	}
	_, err = conn.Exec(ctx, `
		CREATE TABLE pgbench_conversations (id int PRIMARY KEY, last_seq int NOT NULL, updated_at timestamptz NOT NULL);
		CREATE TABLE pgbench_messages (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, conversation_id int NOT NULL,
			seq int NOT NULL, body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
		CREATE TABLE pgbench_jobs (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kind text NOT NULL,
			args jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
		INSERT INTO pgbench_conversations SELECT n, 0, now() FROM generate_series(1, 100000) n`)
	if err != nil {
		return fmt.Errorf("pgbench tables: %w", err)
	}
	// Start from settled tables: fresh statistics, and the bulk inserts'
	// checkpoint behind us rather than in the first run.
	if _, err := conn.Exec(ctx, "VACUUM ANALYZE"); err != nil {
		return err
	}
	_, err = conn.Exec(ctx, "CHECKPOINT")
	return err
}

// sender is one simulated member of staff; only one goroutine uses it at a
// time.
type sender struct {
	from string
	n    int
}

// post sends the sender's next text, signed as Twilio signs it, and waits
// for the acknowledgement (which comes after the step has committed).
func (s *sender) post(client *http.Client, base string) error {
	s.n++
	return s.postText(client, base, texts[(s.n-1)%len(texts)])
}

// postText sends body as the sender's next text.
func (s *sender) postText(client *http.Client, base, body string) error {
	form := url.Values{"MessageSid": {sms.NewMessageSID()}, "AccountSid": {account}, "From": {s.from},
		"To": {"+447700900999"}, "Body": {body}, "NumMedia": {"0"}}
	endpoint := base + "/sms/twilio/inbound"
	req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", sms.Sign(authToken, endpoint, form))
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// result is one run at one concurrency.
type result struct {
	concurrency int
	elapsed     time.Duration
	latencies   []time.Duration // sorted
	errors      int
	pgbenchTPS  float64
	probe       probeResult
	// Web tier only: the replies the run queued, and how long a worker
	// instance took to deliver them all afterwards.
	queued int
	drain  time.Duration
}

func (r result) perSecond() float64 { return float64(len(r.latencies)) / r.elapsed.Seconds() }

func (r result) percentile(p int) time.Duration { return pct(r.latencies, p) }

// pct returns the p-th percentile of sorted durations.
func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[min(max(i-1, 0), len(sorted)-1)].Round(100 * time.Microsecond)
}

// load runs concurrency goroutines for d, each texting as the senders it
// owns (sender i belongs to goroutine i mod concurrency), one text at a time.
func load(client *http.Client, base string, senders []*sender, concurrency int, d time.Duration) result {
	var mu sync.Mutex
	r := result{concurrency: concurrency}
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for g := range concurrency {
		wg.Go(func() {
			var mine []time.Duration
			errs := 0
			for i := g; time.Now().Before(deadline); i += concurrency {
				s := senders[i%len(senders)]
				t0 := time.Now()
				if err := s.post(client, base); err != nil {
					errs++
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			r.latencies = append(r.latencies, mine...)
			r.errors += errs
			mu.Unlock()
		})
	}
	wg.Wait()
	r.elapsed = time.Since(start)
	slices.Sort(r.latencies)
	return r
}

// pgbenchScript is the ceiling's transaction: what a dialog step must do at
// least (store the inbound text, queue the reply's job, move the
// conversation on), with nothing else.
const pgbenchScript = `\set id random(1, :conversations)
BEGIN;
UPDATE pgbench_conversations SET last_seq = last_seq + 1, updated_at = now() WHERE id = :id;
INSERT INTO pgbench_messages (conversation_id, seq, body) VALUES (:id, 1, 'thanks, that helps');
INSERT INTO pgbench_jobs (kind, args) VALUES ('sms_deliver', '{"message_id": 1}');
END;
`

var tpsLine = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)

// pgbench runs the ceiling's transaction at concurrency clients for d and
// returns transactions per second.
func pgbench(dbURL string, concurrency int, d time.Duration, conversations int) (float64, error) {
	script, err := os.CreateTemp("", "smsload-*.sql")
	if err != nil {
		return 0, err
	}
	defer os.Remove(script.Name())
	if _, err := script.WriteString(pgbenchScript); err != nil {
		return 0, err
	}
	script.Close()
	cmd := exec.Command(pgbenchPath(), "-n", "-c", strconv.Itoa(concurrency), "-j", strconv.Itoa(min(concurrency, 2)),
		"-T", strconv.Itoa(int(d.Seconds())), "-D", "conversations="+strconv.Itoa(conversations), "-f", script.Name(), dbURL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("pgbench: %v\n%s", err, out)
	}
	m := tpsLine.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("pgbench printed no tps line:\n%s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

// pgbenchPath finds pgbench on PATH or beside the machine's PostgreSQL.
func pgbenchPath() string {
	if p, err := exec.LookPath("pgbench"); err == nil {
		return p
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		return strings.TrimSpace(string(out)) + "/pgbench"
	}
	return "pgbench"
}

// reportSMS writes the SMS load section of BENCHMARKS.md.
func reportSMS(w io.Writer, allInOne, web []result, staff int, d time.Duration) {
	fmt.Fprintf(w, "## SMS inbound load (scripts/load sms)\n\n")
	fmt.Fprintf(w, "Signed inbound webhooks from %d simulated members of staff, %v per level; each is a full dialog step\n", staff, d)
	fmt.Fprintf(w, "(risk screen, flow, one transaction with the outbound message and its River delivery job), acknowledged\n")
	fmt.Fprintf(w, "after commit. Each person's texts cycle through a short support conversation (%q), so every step\n", texts)
	fmt.Fprintf(w, "opens, moves or closes a conversation and queues one reply. pgbench runs the ceiling transaction (one\n")
	fmt.Fprintf(w, "update, two inserts) at the same concurrency\n")
	fmt.Fprintf(w, "against the same server. Two deployments of the one binary:\n\n")
	fmt.Fprintf(w, "- **web tier**: the measured `ohcontact serve --web-only` takes the webhooks and queues the replies; a\n")
	fmt.Fprintf(w, "  worker instance (`ohcontact serve`) delivers them to a local fake of Twilio's API after each run, as one on\n")
	fmt.Fprintf(w, "  another machine would during it, and the run checks that every reply was sent.\n")
	fmt.Fprintf(w, "- **all in one**: one `ohcontact serve` takes the webhooks and delivers the replies during the run, its\n")
	fmt.Fprintf(w, "  delivery workers competing with the steps for the same two cores (`TWILIO_SEND_RATE=1000`).\n\n")
	fmt.Fprintf(w, "Before the runs every member of staff has three finished conversations, as after a pilot's first weeks.\n")
	fmt.Fprintf(w, "The load generator, the server and PostgreSQL share the machine.\n\n")
	fmt.Fprintf(w, "| deployment | senders | messages/s | p50 | p99 | errors | pgbench tps | messages/s ÷ pgbench | replies delivered after |\n")
	fmt.Fprintf(w, "|---|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, r := range web {
		fmt.Fprintf(w, "| web tier | %d | %.0f | %v | %v | %d | %.0f | %.2f | %d in %v |\n", r.concurrency, r.perSecond(),
			r.percentile(50), r.percentile(99), r.errors, r.pgbenchTPS, r.perSecond()/r.pgbenchTPS, r.queued, r.drain.Round(100*time.Millisecond))
	}
	for _, r := range allInOne {
		fmt.Fprintf(w, "| all in one | %d | %.0f | %v | %v | %d | %.0f | %.2f | (during the run) |\n", r.concurrency, r.perSecond(),
			r.percentile(50), r.percentile(99), r.errors, r.pgbenchTPS, r.perSecond()/r.pgbenchTPS)
	}
	fmt.Fprintf(w, "\n%s\n", verdict(web))
	fmt.Fprintf(w, "\n### A risky text to the clinician console, during the load\n\n")
	fmt.Fprintf(w, "While each run above goes on, a probe texts \"%s\" from one person after another\n", riskyText)
	fmt.Fprintf(w, "(each with no case yet), and a clinician signed in to the console holds the queue's live websocket open\n")
	fmt.Fprintf(w, "on the same instance: the time from sending the text to its new case arriving in a snapshot\n")
	fmt.Fprintf(w, "(on its first page or, once that page is full of older urgent cases, in its count: the queue is paged 50 at a time).\n\n")
	fmt.Fprintf(w, "| deployment | senders | probes | p50 | p99 | max | no case within 5 s |\n")
	fmt.Fprintf(w, "|---|---:|---:|---:|---:|---:|---:|\n")
	for _, set := range []struct {
		name string
		rs   []result
	}{{"web tier", web}, {"all in one", allInOne}} {
		for _, r := range set.rs {
			p := r.probe
			fmt.Fprintf(w, "| %s | %d | %d | %v | %v | %v | %d |\n", set.name, r.concurrency, len(p.latencies),
				pct(p.latencies, 50), pct(p.latencies, 99), pct(p.latencies, 100), p.timeouts)
		}
	}
	fmt.Fprintln(w)
}

// verdict says whether the web tier met the target: at its busiest level
// with p99 under 100 ms, at least half of pgbench's figure at that level.
func verdict(web []result) string {
	var best *result
	for i, r := range web {
		if r.percentile(99) < 100*time.Millisecond && (best == nil || r.perSecond() > best.perSecond()) {
			best = &web[i]
		}
	}
	if best == nil {
		return "**Target (at least half of pgbench, p99 under 100 ms): not met** — p99 is 100 ms or more at every level."
	}
	ratio := best.perSecond() / best.pgbenchTPS
	met := "met"
	if ratio < 0.5 {
		met = "not met"
	}
	return fmt.Sprintf("**Target (at least half of pgbench, p99 under 100 ms): %s** — at its busiest level under 100 ms p99, %d senders, "+
		"the web tier handled %.0f messages a second (p99 %v), %.2f of pgbench's %.0f.",
		met, best.concurrency, best.perSecond(), best.percentile(99), ratio, best.pgbenchTPS)
}

// measure runs the load at concurrency against base for d with the console
// probe alongside, texting as probes from *next on. The probes' cases from
// earlier runs are resolved first, so that each run starts with an empty
// queue that the probe fills to at most about a hundred cases.
func measure(dbURL string, client *http.Client, base string, senders, probes []*sender, next *int, concurrency int, d time.Duration) (result, error) {
	if err := adminExec(context.Background(), dbURL, `UPDATE cases SET status = 'resolved', claimed_by = NULL, claimed_at = NULL,
		resolved_at = now(), outcome = 'load probe' WHERE status <> 'resolved'`); err != nil {
		return result{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	type probed struct {
		r   probeResult
		err error
	}
	done := make(chan probed, 1)
	go func() {
		r, err := probeConsole(ctx, client, base, probes[*next:])
		done <- probed{r, err}
	}()
	r := load(client, base, senders, concurrency, d)
	p := <-done
	if p.err != nil {
		return r, p.err
	}
	r.probe = p.r
	*next += len(p.r.latencies) + p.r.timeouts
	return r, nil
}

// drain starts a worker instance, waits until every queued SMS delivery
// is done, stops it, and checks that every outbound text was sent. It
// returns how many texts it delivered and how long that took.
func drain(ctx context.Context, dbURL, bin string, env []string) (int, time.Duration, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close(ctx)
	const pendingSQL = `SELECT count(*) FROM messages WHERE direction = 'outbound' AND channel = 'sms' AND delivery_status IN ('queued', 'sending')`
	var pending int
	if err := conn.QueryRow(ctx, pendingSQL).Scan(&pending); err != nil {
		return 0, 0, err
	}
	start := time.Now()
	_, _, stop, err := serve(bin, []string{"serve"}, env...)
	if err != nil {
		return 0, 0, err
	}
	defer stop()
	for left := pending; left > 0; {
		if time.Since(start) > 5*time.Minute {
			return pending, 0, fmt.Errorf("%d of %d replies still undelivered after 5 minutes", left, pending)
		}
		time.Sleep(50 * time.Millisecond)
		if err := conn.QueryRow(ctx, pendingSQL).Scan(&left); err != nil {
			return 0, 0, err
		}
	}
	took := time.Since(start)
	var failed int
	err = conn.QueryRow(ctx, `SELECT count(*) FROM messages WHERE direction = 'outbound' AND delivery_status NOT IN ('sent', 'delivered')`).Scan(&failed)
	if err != nil {
		return 0, 0, err
	}
	if failed > 0 {
		return 0, 0, fmt.Errorf("%d replies were not sent", failed)
	}
	return pending, took, nil
}

// runSMS is `load sms`.
func runSMS(args []string) error {
	flag := flag.NewFlagSet("load sms", flag.ExitOnError)
	bin := flag.String("bin", "bin/ohcontact", "the ohcontact binary to load")
	staff := flag.Int("staff", 2000, "members of staff texting")
	levels := flag.String("levels", "1,4,16,64", "concurrent senders, one run each")
	duration := flag.Duration("duration", 10*time.Second, "length of each run")
	flag.Parse(args)
	concurrency, err := parseLevels(*levels)
	if err != nil {
		return err
	}
	ctx := context.Background()
	dbURL, drop, err := freshDatabase(ctx, *bin)
	if err != nil {
		return err
	}
	defer drop()
	// Probe senders come after the load's: enough for one text every
	// 100 ms through every run.
	nProbes := 2 * len(concurrency) * int(duration.Seconds()*10+10)
	if err := seed(ctx, dbURL, *staff+nProbes); err != nil {
		return err
	}
	if err := addClinician(*bin); err != nil {
		return err
	}
	twilio := twiliotest.New(account, authToken)
	defer twilio.Close()
	env := []string{"TWILIO_ACCOUNT_SID=" + account, "TWILIO_AUTH_TOKEN=" + authToken,
		"TWILIO_FROM=+447700900999", "TWILIO_API_BASE_URL=" + twilio.URL, "TWILIO_SEND_RATE=1000"}

	senders := make([]*sender, *staff)
	for i := range senders {
		senders[i] = &sender{from: mobile(i)}
	}
	probes := make([]*sender, nProbes)
	for i := range probes {
		probes[i] = &sender{from: mobile(*staff + i)}
	}
	next := 0
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: 30 * time.Second}

	// The web tier first, each run followed by a worker draining its replies.
	base, _, stop, err := serve(*bin, []string{"serve", "--web-only"}, env...)
	if err != nil {
		return err
	}
	load(client, base, senders, 8, 5*time.Second) // warm up
	if _, _, err := drain(ctx, dbURL, *bin, env); err != nil {
		stop()
		return err
	}
	if _, err := pgbench(dbURL, 2, 5*time.Second, *staff); err != nil {
		stop()
		return err
	}
	var web []result
	for _, c := range concurrency {
		r, err := measure(dbURL, client, base, senders, probes, &next, c, *duration)
		if err == nil {
			r.pgbenchTPS, err = pgbench(dbURL, c, *duration, *staff)
		}
		if err == nil {
			r.queued, r.drain, err = drain(ctx, dbURL, *bin, env)
		}
		if err != nil {
			stop()
			return err
		}
		web = append(web, r)
		fmt.Fprintf(os.Stderr, "load sms: web tier, %d senders: %.0f msg/s, p50 %v, p99 %v, %d errors; pgbench %.0f tps; %d replies delivered after in %v; console p99 %v\n",
			c, r.perSecond(), r.percentile(50), r.percentile(99), r.errors, r.pgbenchTPS, r.queued, r.drain, pct(r.probe.latencies, 99))
	}
	stop()

	// Then one instance doing both.
	base, _, stop, err = serve(*bin, []string{"serve"}, env...)
	if err != nil {
		return err
	}
	defer stop()
	var allInOne []result
	for i, c := range concurrency {
		r, err := measure(dbURL, client, base, senders, probes, &next, c, *duration)
		if err != nil {
			return err
		}
		r.pgbenchTPS = web[i].pgbenchTPS
		allInOne = append(allInOne, r)
		fmt.Fprintf(os.Stderr, "load sms: all in one, %d senders: %.0f msg/s, p50 %v, p99 %v, %d errors; console p99 %v\n",
			c, r.perSecond(), r.percentile(50), r.percentile(99), r.errors, pct(r.probe.latencies, 99))
	}
	reportSMS(os.Stdout, allInOne, web, *staff, *duration)
	return nil
}

func parseLevels(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-levels: %q is not a positive whole number", f)
		}
		out = append(out, n)
	}
	return out, nil
}
