package dialogs_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/dialogs"
)

// addStaff adds n members of staff, all called Ann, and returns their mobiles.
func (f *runnerFixture) addStaff(t *testing.T, n int) []string {
	t.Helper()
	var mobiles []string
	rows, err := f.db.Pool.Query(t.Context(), `
		INSERT INTO staff (organisation_id, assignment_number, first_name, last_name, mobile)
		SELECT $1, 'B' || i, 'Ann', 'Example', '+4477009' || lpad((10000 + i)::text, 5, '0')
		FROM generate_series(1, $2) i RETURNING mobile`, f.runner.DefaultOrganisation.ID, n)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var m string
		rows.Scan(&m)
		mobiles = append(mobiles, m)
	}
	if rows.Err() != nil || len(mobiles) != n {
		t.Fatalf("add staff: %v", rows.Err())
	}
	return mobiles
}

// handle delivers text from mobile through r; goroutines use it rather
// than deliver, which stops the test.
func handle(t *testing.T, r *dialogs.Runner, mobile, text, sid string) error {
	return r.HandleInbound(t.Context(), ohcontact.Inbound{Channel: ohcontact.ChannelSMS, Address: mobile, Text: text,
		ExternalID: sid, ReceivedAt: time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC)})
}

// history is everything stored for mobile's conversations, in order, one
// line a message: direction, seq, body, and whether a delivery job exists.
func (f *runnerFixture) history(t *testing.T, mobile string) string {
	t.Helper()
	rows, err := f.db.Pool.Query(t.Context(), `
		SELECT c.status || ' ' || m.direction || ' ' || m.seq || ' ' || m.body || ' ' ||
			(SELECT count(*) FROM river_job j WHERE j.kind = 'sms_deliver' AND (j.args->>'message_id')::bigint = m.id)
		FROM conversations c JOIN messages m ON m.conversation_id = c.id
		WHERE c.address = $1 ORDER BY c.id, m.seq`, mobile)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for rows.Next() {
		var l string
		rows.Scan(&l)
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

// TestRunnerBatchesMessagesThatArriveTogether: thirty people text at once
// while one transaction at a time is allowed. Their messages share
// transactions, and each person's conversation comes out exactly as one
// person's alone does.
func TestRunnerBatchesMessagesThatArriveTogether(t *testing.T) {
	t.Parallel()
	f := newRunnerFixture(t)
	f.runner.Batches = 1
	script := []string{"hello", "hello", "5"} // the menu, its nudge, goodbye
	for i, text := range script {
		f.deliver(t, annMobile, text, fmt.Sprintf("SM%032x", 1000+i))
	}
	alone := f.history(t, annMobile)
	if strings.Count(alone, "inbound") != 3 || !strings.Contains(alone, "outbound") {
		t.Fatalf("Ann's conversation alone:\n%s", alone)
	}

	mobiles := f.addStaff(t, 30)
	var wg sync.WaitGroup
	errs := make(chan error, len(mobiles)*len(script))
	for i, m := range mobiles {
		wg.Go(func() {
			for j, text := range script {
				errs <- handle(t, f.runner, m, text, fmt.Sprintf("SM%016x%016x", i+1, j+1))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("HandleInbound: %v", err)
		}
	}
	for _, m := range mobiles {
		if got := f.history(t, m); got != alone {
			t.Fatalf("%s's conversation, stepped with others:\n%s\nwant, as Ann's alone:\n%s", m, got, alone)
		}
	}
	var shared int
	f.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM (SELECT xmin::text FROM messages WHERE direction = 'inbound'
		GROUP BY 1 HAVING count(DISTINCT conversation_id) > 1) t`).Scan(&shared)
	if shared == 0 {
		t.Fatal("every message had a transaction of its own; messages that arrive together should share one")
	}
}

// TestRunnerOneBadMessageDoesNotFailItsBatch: a message whose conversation
// cannot be read fails alone; the others in its batch are handled.
func TestRunnerOneBadMessageDoesNotFailItsBatch(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newRunnerFixture(t)
	f.runner.Batches = 1
	mobiles := f.addStaff(t, 4)
	blocker, good1, bad, good2 := mobiles[0], mobiles[1], mobiles[2], mobiles[3]
	for _, m := range mobiles {
		f.send(t, m, "hello")
	}
	if _, err := f.db.Pool.Exec(ctx, `UPDATE conversations SET data = '[]' WHERE address = $1`, bad); err != nil {
		t.Fatal(err)
	}

	// Hold the blocker's conversation, so that its message's batch waits and
	// the other three queue up behind it, to go together.
	hold, err := f.db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hold.Exec(ctx, `SELECT 1 FROM conversations WHERE address = $1 FOR UPDATE`, blocker); err != nil {
		t.Fatal(err)
	}
	results := make(map[string]chan error)
	send := func(m string) {
		result := make(chan error, 1)
		results[m] = result
		go func() { result <- handle(t, f.runner, m, "2", "SM"+m[1:]) }()
	}
	send(blocker)
	waitFor(t, "the blocker's batch to wait for its lock", func() bool {
		var waiting int
		f.db.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting)
		return waiting == 1
	})
	for _, m := range []string{good1, bad, good2} {
		send(m)
	}
	waitFor(t, "three messages to queue", func() bool { return dialogs.QueuedMessages(f.runner) == 3 })
	hold.Rollback(ctx)

	for _, m := range []string{blocker, good1, good2} {
		if err := <-results[m]; err != nil {
			t.Errorf("%s: %v, want handled", m, err)
		}
		if v := f.conversation(t, m); v.inbound != 2 {
			t.Errorf("%s's conversation has %d inbound messages, want 2", m, v.inbound)
		}
	}
	if err := <-results[bad]; err == nil {
		t.Error("the message with an unreadable conversation was acknowledged")
	}
	if v := f.conversation(t, bad); v.inbound != 1 {
		t.Errorf("the unreadable conversation has %d inbound messages, want 1 (its second is not stored)", v.inbound)
	}
}

// TestRunnerInstancesRaceToOpenOneConversation: Ann's first three texts
// reach three instances at once, each delivered to all three (Twilio
// retrying). One conversation holds the three, in gap-free order.
func TestRunnerInstancesRaceToOpenOneConversation(t *testing.T) {
	t.Parallel()
	f := newRunnerFixture(t)
	instances := []*dialogs.Runner{f.runner, f.newRunner(), f.newRunner()}
	var wg sync.WaitGroup
	errs := make(chan error, 9)
	for i := range 3 {
		for _, r := range instances {
			wg.Go(func() { errs <- handle(t, r, annMobile, "hello", fmt.Sprintf("SM%032x", 77+i)) })
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("HandleInbound: %v", err)
		}
	}
	var conversations int
	var seqs []int
	f.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM conversations`).Scan(&conversations)
	rows, _ := f.db.Pool.Query(t.Context(), `SELECT seq FROM messages WHERE direction = 'inbound' ORDER BY seq`)
	for rows.Next() {
		var s int
		rows.Scan(&s)
		seqs = append(seqs, s)
	}
	var all []int
	f.db.Pool.QueryRow(t.Context(), `SELECT array_agg(seq ORDER BY seq) FROM messages`).Scan(&all)
	gapFree := len(all) > 0 && all[0] == 1 && all[len(all)-1] == len(all)
	if conversations != 1 || len(seqs) != 3 || !gapFree || !slices.IsSorted(all) {
		t.Fatalf("%d conversations, inbound at %v, all messages at %v; want one conversation with three texts, gap-free",
			conversations, seqs, all)
	}
}

// waitFor polls cond for up to ten seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
