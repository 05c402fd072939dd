package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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

// texts cycle through a support conversation: greetings, menu choices,
// answers the flow does not expect.
var texts = []string{"hello", "2", "yes", "not sure", "menu", "thanks, that helps"}

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
	form := url.Values{"MessageSid": {"SM" + randomHex(16)}, "AccountSid": {account}, "From": {s.from},
		"To": {"+447700900999"}, "Body": {texts[s.n%len(texts)]}, "NumMedia": {"0"}}
	s.n++
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
func reportSMS(w io.Writer, results []result, staff int, d time.Duration) {
	fmt.Fprintf(w, "## SMS inbound load (scripts/load sms)\n\n")
	fmt.Fprintf(w, "Signed inbound webhooks from %d simulated members of staff against one `ohcontact serve`, %v per level;\n", staff, d)
	fmt.Fprintf(w, "each is a full dialog step (risk screen, flow, one transaction with the outbound message and its River job),\n")
	fmt.Fprintf(w, "acknowledged after commit; the replies are delivered during the run to a local fake of Twilio's API. The\n")
	fmt.Fprintf(w, "load generator, the server, its delivery workers and PostgreSQL share the machine. pgbench runs the\n")
	fmt.Fprintf(w, "ceiling transaction (one update, two inserts) at the same concurrency against the same server.\n\n")
	fmt.Fprintf(w, "| senders | messages/s | p50 | p99 | errors | pgbench tps | messages/s ÷ pgbench |\n")
	fmt.Fprintf(w, "|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range results {
		fmt.Fprintf(w, "| %d | %.0f | %v | %v | %d | %.0f | %.2f |\n", r.concurrency, r.perSecond(),
			r.percentile(50), r.percentile(99), r.errors, r.pgbenchTPS, r.perSecond()/r.pgbenchTPS)
	}
	fmt.Fprintln(w)
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
	if err := seed(ctx, dbURL, *staff); err != nil {
		return err
	}

	twilio := twiliotest.New(account, authToken)
	defer twilio.Close()
	base, _, stop, err := serve(*bin, []string{"serve"}, "TWILIO_ACCOUNT_SID="+account, "TWILIO_AUTH_TOKEN="+authToken,
		"TWILIO_FROM=+447700900999", "TWILIO_API_BASE_URL="+twilio.URL, "TWILIO_SEND_RATE=1000")
	if err != nil {
		return err
	}
	defer stop()

	senders := make([]*sender, *staff)
	for i := range senders {
		senders[i] = &sender{from: mobile(i)}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: 30 * time.Second}
	load(client, base, senders, 8, 5*time.Second) // warm up
	if _, err := pgbench(dbURL, 2, 5*time.Second, *staff); err != nil {
		return err
	}
	var results []result
	for _, c := range concurrency {
		r := load(client, base, senders, c, *duration)
		r.pgbenchTPS, err = pgbench(dbURL, c, *duration, *staff)
		if err != nil {
			return err
		}
		results = append(results, r)
		fmt.Fprintf(os.Stderr, "load sms: %d senders: %.0f msg/s, p50 %v, p99 %v, %d errors; pgbench %.0f tps\n",
			c, r.perSecond(), r.percentile(50), r.percentile(99), r.errors, r.pgbenchTPS)
	}
	reportSMS(os.Stdout, results, *staff, *duration)
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

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
