package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels/sms"
	"github.com/ohcontact/ohcontact/channels/sms/twiliotest"
)

// crisisText is what each crisis probe texts: a disclosure the risk screen
// answers with crisis contacts at once.
const crisisText = "I have the pills ready and I'm going to take them all tonight"

// Bodies of the backlog's texts; neither holds "999", which marks the
// crisis reply.
const (
	backlogReply     = "backlog: thanks, we will be in touch"
	backlogProactive = "backlog: how are you getting on?"
)

// crisisTarget is issue 16's: a crisis reply reaches the provider within
// a second of its inbound webhook, whatever the backlog.
const crisisTarget = time.Second

// runCrisis is `load crisis`.
func runCrisis(args []string) error {
	fs := flag.NewFlagSet("load crisis", flag.ExitOnError)
	bin := fs.String("bin", "bin/ohcontact", "the ohcontact binary to load")
	backlog := fs.Int("backlog", 5000, "ordinary texts (half replies, half proactive) queued before the crisis texts")
	probes := fs.Int("probes", 20, "crisis texts, each from a different member of staff")
	spacing := fs.Duration("spacing", 2*time.Second, "time between crisis texts")
	sendRate := fs.Float64("rate", 10, "TWILIO_SEND_RATE")
	fs.Parse(args)

	ctx := context.Background()
	dbURL, drop, err := freshDatabase(ctx, *bin)
	if err != nil {
		return err
	}
	defer drop()
	if err := seed(ctx, dbURL, *backlog+*probes); err != nil {
		return err
	}
	if err := queueBacklog(ctx, dbURL, *backlog); err != nil {
		return err
	}

	// The fake Twilio tells the waiting probe when its crisis reply comes.
	twilio := twiliotest.New(account, authToken)
	defer twilio.Close()
	var mu sync.Mutex
	waiting := map[string]chan time.Time{}
	twilio.OnMessage(func(f url.Values) {
		at := time.Now()
		if !strings.Contains(f.Get("Body"), "999") {
			return
		}
		mu.Lock()
		ch := waiting[f.Get("To")]
		mu.Unlock()
		if ch != nil {
			select {
			case ch <- at:
			default:
			}
		}
	})
	env := []string{"TWILIO_ACCOUNT_SID=" + account, "TWILIO_AUTH_TOKEN=" + authToken,
		"TWILIO_FROM=+447700900999", "TWILIO_API_BASE_URL=" + twilio.URL,
		"TWILIO_SEND_RATE=" + strconv.FormatFloat(*sendRate, 'f', -1, 64)}
	started := time.Now()
	base, _, stop, err := serve(*bin, []string{"serve"}, env...)
	if err != nil {
		return err
	}
	defer stop()
	// Let the ordinary lane get going: its workers busy, its send slots
	// reserved ahead.
	time.Sleep(3 * time.Second)

	client := &http.Client{Timeout: 30 * time.Second}
	const timeout = 10 * time.Second
	var latencies []time.Duration
	missed := 0
	for i := range *probes {
		next := time.Now().Add(*spacing)
		s := &sender{from: mobile(*backlog + i)}
		arrived := make(chan time.Time, 1)
		mu.Lock()
		waiting[s.from] = arrived
		mu.Unlock()
		sent := time.Now()
		if err := s.postText(client, base, crisisText); err != nil {
			return fmt.Errorf("crisis text: %w", err)
		}
		select {
		case at := <-arrived:
			latencies = append(latencies, at.Sub(sent))
			fmt.Fprintf(os.Stderr, "load crisis: %d: crisis reply at the provider after %v\n", i+1, at.Sub(sent).Round(time.Millisecond))
		case <-time.After(timeout):
			missed++
			fmt.Fprintf(os.Stderr, "load crisis: %d: no crisis reply within %v\n", i+1, timeout)
		}
		time.Sleep(time.Until(next))
	}
	elapsed := time.Since(started)
	slices.Sort(latencies)

	var left, sent int
	err = adminQueryRow(ctx, dbURL, `SELECT count(*) FILTER (WHERE delivery_status IN ('queued', 'sending')),
		count(*) FILTER (WHERE delivery_status IN ('sent', 'delivered'))
		FROM messages WHERE body IN ($1, $2)`, []any{backlogReply, backlogProactive}, &left, &sent)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "load crisis: %d crisis texts: p50 %v, p99 %v, max %v, %d missed; backlog %d: %d sent in %v, %d waiting\n",
		*probes, pct(latencies, 50), pct(latencies, 99), pct(latencies, 100), missed, *backlog, sent, elapsed.Round(time.Second), left)
	reportCrisis(os.Stdout, crisisReport{backlog: *backlog, rate: *sendRate, probes: *probes, spacing: *spacing,
		latencies: latencies, missed: missed, sent: sent, left: left, elapsed: elapsed, timeout: timeout})
	return nil
}

// queueBacklog queues n ordinary outbound texts, one to each of the first
// n members of staff in their latest conversation, with their delivery
// jobs, as the service's Outbox queues them: half replies (urgent,
// worked first on the ordinary lane) and half proactive contacts.
func queueBacklog(ctx context.Context, dbURL string, n int) error {
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	jobs, err := river.NewClient(riverpgxv5.New(pool), &river.Config{}) // insert only
	if err != nil {
		return err
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	rows, err := tx.Query(ctx, `
		INSERT INTO messages (conversation_id, seq, direction, channel, author, body, urgent, delivery_status)
		SELECT c.id, c.last_message_seq + 1, 'outbound', 'sms', 'bot',
			CASE WHEN s.n % 2 = 0 THEN $2 ELSE $3 END, s.n % 2 = 0, 'queued'
		FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM staff ORDER BY id LIMIT $1) s
		JOIN LATERAL (SELECT id, last_message_seq FROM conversations WHERE staff_id = s.id ORDER BY id DESC LIMIT 1) c ON true
		RETURNING id, urgent`, n, backlogReply, backlogProactive)
	if err != nil {
		return fmt.Errorf("backlog: %w", err)
	}
	var ms []ohcontact.Message
	for rows.Next() {
		var m ohcontact.Message
		if err := rows.Scan(&m.ID, &m.Urgent); err != nil {
			return err
		}
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("backlog: %w", err)
	}
	if len(ms) != n {
		return fmt.Errorf("backlog: queued %d texts, not %d", len(ms), n)
	}
	if err := (&sms.Outbox{Jobs: jobs}).Queue(ctx, tx, ms...); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

func adminQueryRow(ctx context.Context, dbURL, sql string, args []any, dest ...any) error {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return conn.QueryRow(ctx, sql, args...).Scan(dest...)
}

type crisisReport struct {
	backlog, probes, missed, sent, left int
	rate                                float64
	spacing, elapsed, timeout           time.Duration
	latencies                           []time.Duration // sorted
}

// reportCrisis writes the crisis lane section of BENCHMARKS.md.
func reportCrisis(w io.Writer, r crisisReport) {
	fmt.Fprintf(w, "## Crisis lane behind a backlog (scripts/load crisis)\n\n")
	fmt.Fprintf(w, "%d ordinary texts wait for delivery (half replies, half proactive contacts, each with its `sms_deliver` job\n", r.backlog)
	fmt.Fprintf(w, "queued as the Outbox queues them) when one `ohcontact serve` starts with `TWILIO_SEND_RATE=%g` against a local\n", r.rate)
	fmt.Fprintf(w, "fake of Twilio's API. From 3 s after it is ready, %d members of staff text %q, one every %v,\n", r.probes, crisisText, r.spacing)
	fmt.Fprintf(w, "each as a signed inbound webhook; each time is from sending the webhook to the fake API receiving the crisis\n")
	fmt.Fprintf(w, "reply (to that number, with \"999\" in it), which goes on the `sms_crisis` queue with its own workers and\n")
	fmt.Fprintf(w, "send slots.\n\n")
	fmt.Fprintf(w, "| backlog | send rate | crisis texts | p50 | p99 | max | no reply within %v | ordinary texts sent meanwhile | still waiting after |\n", r.timeout)
	fmt.Fprintf(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	fmt.Fprintf(w, "| %d | %g/s | %d | %v | %v | %v | %d | %d in %v | %d |\n\n", r.backlog, r.rate, r.probes,
		pct(r.latencies, 50), pct(r.latencies, 99), pct(r.latencies, 100), r.missed, r.sent, r.elapsed.Round(time.Second), r.left)
	verdict := "met"
	if r.missed > 0 || pct(r.latencies, 99) > crisisTarget {
		verdict = "not met"
	}
	fmt.Fprintf(w, "**Target (crisis reply at the provider within %v of its webhook, p99, behind the backlog): %s** — p99 %v",
		crisisTarget, verdict, pct(r.latencies, 99))
	if r.missed > 0 {
		fmt.Fprintf(w, ", %d of %d crisis replies not sent within %v", r.missed, r.probes, r.timeout)
	}
	fmt.Fprintf(w, "; %d ordinary texts still waiting.\n\n", r.left)
}
