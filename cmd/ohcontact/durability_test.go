package main

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact/channels/sms"
	"github.com/ohcontact/ohcontact/channels/sms/twiliotest"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// TestMain lets a test run the real program in a child process: the test
// binary re-executed with OHCONTACT_TEST_MAIN=1 is ohcontact itself, so a
// test can kill a server with SIGKILL and start it again.
func TestMain(m *testing.M) {
	if os.Getenv("OHCONTACT_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

const (
	durabilityAccount = "AC00000000000000000000000000000001"
	durabilityToken   = "durabilitytoken"
)

// serverProcess is `ohcontact serve` running in a child process.
type serverProcess struct {
	cmd  *exec.Cmd
	logs *syncBuffer
}

// startServeProcess starts `ohcontact serve` with env and waits until it is
// ready.
func startServeProcess(t *testing.T, env []string, base string) *serverProcess {
	t.Helper()
	p := &serverProcess{logs: &syncBuffer{}}
	p.cmd = exec.Command(os.Args[0], "serve")
	p.cmd.Env = append(os.Environ(), append(env, "OHCONTACT_TEST_MAIN=1")...)
	p.cmd.Stderr = p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.cmd.Process.Kill(); _ = p.cmd.Wait() })
	// Jobs that were running when the server died are rescued once they
	// have been "running" for rescueStuckJobsAfter (River checks every 30 s).
	wait := rescueStuckJobsAfter + time.Minute
	deadline := time.Now().Add(wait)
	for {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready after 30s; logs:\n%s", p.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// inboundWebhook is one text as Twilio would post it.
type inboundWebhook struct {
	sid, from, body string
}

func (w inboundWebhook) post(client *http.Client, base string) error {
	form := url.Values{"MessageSid": {w.sid}, "AccountSid": {durabilityAccount}, "From": {w.from},
		"To": {"+447700900999"}, "Body": {w.body}, "NumMedia": {"0"}}
	req, err := http.NewRequest(http.MethodPost, base+"/sms/twilio/inbound", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", sms.Sign(durabilityToken, base+"/sms/twilio/inbound", form))
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// TestServerKilledMidRequestLosesNothing kills the server (SIGKILL) while
// inbound webhooks are arriving from many staff at once, starts it again,
// and lets Twilio retry what was not acknowledged. Every acknowledged text
// is then stored exactly once, every retried one is processed once, every
// conversation's messages are numbered without gaps, every inbound text in a
// bot conversation has its reply (stored in the same transaction), and
// every reply is delivered.
func TestServerKilledMidRequestLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills server processes")
	}
	t.Parallel()
	dbURL := pgtest.NewURL(t)
	db, err := postgres.Open(t.Context(), postgres.Config{URL: dbURL, MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const people = 30
	org := pgtest.Organisation(t, db.Pool, "DEMO", "Demo Trust")
	_, err = db.Pool.Exec(t.Context(), `
		INSERT INTO staff (organisation_id, assignment_number, first_name, last_name, mobile)
		SELECT $1, 'D' || n, 'Person', 'Example', '+4477009002' || lpad(n::text, 2, '0')
		FROM generate_series(1, $2) n`, org, people)
	if err != nil {
		t.Fatal(err)
	}

	twilio := twiliotest.New(durabilityAccount, durabilityToken)
	defer twilio.Close()
	addr := freeAddr(t)
	base := "http://" + addr
	env := []string{"DATABASE_URL=" + dbURL, "HTTP_ADDR=" + addr, "PUBLIC_BASE_URL=" + base, "LOG_LEVEL=warn",
		"TWILIO_ACCOUNT_SID=" + durabilityAccount, "TWILIO_AUTH_TOKEN=" + durabilityToken,
		"TWILIO_FROM=+447700900999", "TWILIO_API_BASE_URL=" + twilio.URL, "TWILIO_SEND_RATE=1000"}
	first := startServeProcess(t, env, base)

	// Each person texts in turn through a support conversation until the
	// server dies; what was acknowledged and what was not are both kept.
	bodies := []string{"hello", "2", "yes", "not sure", "menu", "thanks"}
	var mu sync.Mutex
	var acked, unacked []inboundWebhook
	var ackCount atomic.Int32
	killed := make(chan struct{})
	client := &http.Client{Timeout: 15 * time.Second}
	var wg sync.WaitGroup
	for i := 1; i <= people; i++ {
		from := fmt.Sprintf("+4477009002%02d", i)
		wg.Go(func() {
			for n := 0; ; n++ {
				w := inboundWebhook{sid: sms.NewMessageSID(), from: from, body: bodies[n%len(bodies)]}
				err := w.post(client, base)
				mu.Lock()
				if err == nil {
					acked = append(acked, w)
					ackCount.Add(1)
				} else {
					unacked = append(unacked, w)
				}
				mu.Unlock()
				if err != nil {
					return // the server is gone; Twilio would retry this one later
				}
				select {
				case <-killed:
					return
				default:
				}
			}
		})
	}
	for ackCount.Load() < 150 {
		time.Sleep(5 * time.Millisecond)
	}
	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	close(killed)
	wg.Wait()
	_ = first.cmd.Wait()
	t.Logf("killed after %d acknowledged texts; %d unacknowledged", len(acked), len(unacked))

	startServeProcess(t, env, base)
	// Twilio retries every unacknowledged webhook, and (as it may) some
	// acknowledged ones too.
	retries := append(append([]inboundWebhook(nil), unacked...), acked[:10]...)
	for _, w := range retries {
		if err := w.post(client, base); err != nil {
			t.Fatalf("retry of an unacknowledged text after restart: %v", err)
		}
	}

	ctx := t.Context()
	sent := map[string]bool{}
	for _, w := range append(acked, unacked...) {
		sent[w.sid] = true
	}
	var stored, distinct int
	err = db.Pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT external_id) FROM messages
		WHERE direction = 'inbound' AND external_id = ANY($1)`, slices.Collect(maps.Keys(sent))).Scan(&stored, &distinct)
	if err != nil {
		t.Fatal(err)
	}
	if stored != len(sent) || distinct != len(sent) {
		t.Errorf("%d texts were posted (acknowledged or retried); %d are stored (%d distinct), want each exactly once", len(sent), stored, distinct)
	}

	var gapped int
	err = db.Pool.QueryRow(ctx, `SELECT count(*) FROM (
		SELECT c.id FROM conversations c JOIN messages m ON m.conversation_id = c.id
		GROUP BY c.id, c.last_message_seq
		HAVING count(*) <> c.last_message_seq OR min(m.seq) <> 1 OR max(m.seq) <> c.last_message_seq) bad`).Scan(&gapped)
	if err != nil || gapped != 0 {
		t.Errorf("%d conversations have gaps in their seq or a stale last_message_seq (%v)", gapped, err)
	}

	// A bot conversation answers every inbound text in the same transaction,
	// so the message after an inbound one is never missing.
	var unanswered int
	err = db.Pool.QueryRow(ctx, `SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.direction = 'inbound' AND c.owner = 'bot' AND NOT EXISTS (
			SELECT 1 FROM messages r WHERE r.conversation_id = m.conversation_id AND r.seq = m.seq + 1
			AND r.direction = 'outbound')`).Scan(&unanswered)
	if err != nil || unanswered != 0 {
		t.Errorf("%d inbound texts have no reply stored after them (%v)", unanswered, err)
	}

	// Jobs that were running when the server died are rescued once they
	// have been "running" for rescueStuckJobsAfter (River checks every 30 s).
	wait := rescueStuckJobsAfter + time.Minute
	deadline := time.Now().Add(wait)
	for {
		var pending int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM messages WHERE direction = 'outbound'
			AND delivery_status IN ('queued', 'sending')`).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d replies still undelivered %v after the restart", pending, wait)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
