package console

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestThrottle(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	th := newThrottle(10, 3, 100) // one every 6 s, 3 at once
	for i := range 3 {
		if _, ok := th.allow("a", start); !ok {
			t.Fatalf("attempt %d of the burst refused", i+1)
		}
	}
	wait, ok := th.allow("a", start)
	if ok || wait != 6*time.Second {
		t.Fatalf("attempt past the burst: wait %v, allowed %v; want refused, 6s", wait, ok)
	}
	// A refused attempt is not counted: the next slot is still 6 s away.
	if wait, ok := th.allow("a", start.Add(time.Second)); ok || wait != 5*time.Second {
		t.Fatalf("second refused attempt: wait %v, allowed %v; want refused, 5s", wait, ok)
	}
	if _, ok := th.allow("a", start.Add(6*time.Second)); !ok {
		t.Fatal("attempt after the refill refused")
	}
	if _, ok := th.allow("b", start); !ok {
		t.Fatal("another key is throttled by the first")
	}
	if got := retryAfter(wait); got != 6 {
		t.Errorf("retryAfter(%v) = %d, want 6", wait, got)
	}
	if got := retryAfter(1500 * time.Millisecond); got != 2 {
		t.Errorf("retryAfter(1.5s) = %d, want 2", got)
	}
}

func TestThrottleIsBounded(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	th := newThrottle(60, 2, 50) // full again after 2 s idle
	for i := range 1000 {
		th.allow(string(rune('A'+i%26))+time.Duration(i).String(), start)
	}
	if n := th.size(); n != 50 {
		t.Fatalf("%d keys remembered after a spray of 1000, want the cap of 50", n)
	}
	// Idle keys are forgotten once their buckets would be full again.
	th.allow("late", start.Add(3*time.Second))
	if n := th.size(); n != 1 {
		t.Fatalf("%d keys remembered after every other went idle, want 1", n)
	}
}

func TestHashGate(t *testing.T) {
	t.Parallel()
	g := newHashGate(1, 2, 50*time.Millisecond)
	ran := false
	if err := g.do(t.Context(), func() { ran = true }); err != nil || !ran || g.hashes() != 1 {
		t.Fatalf("free gate: %v, ran %v, hashes %d", err, ran, g.hashes())
	}

	// One hash running and two waiting fill the gate: a fourth is refused
	// at once, the waiters when their wait ends, and none of them hash.
	hold, done := make(chan struct{}), make(chan struct{})
	go func() { _ = g.do(context.Background(), func() { close(hold); <-done }) }()
	<-hold
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for range 3 {
		wg.Go(func() { errs <- g.do(context.Background(), func() { t.Error("hashed past the limit") }) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if !errors.Is(err, errHashBusy) {
			t.Errorf("attempt on a full gate: %v, want errHashBusy", err)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := g.do(ctx, func() {}); !errors.Is(err, errHashBusy) {
		t.Errorf("attempt whose request has ended: %v, want errHashBusy", err)
	}
	close(done)
	if g.hashes() != 2 {
		t.Errorf("%d hashes ran, want 2", g.hashes())
	}
}
