package dialogs

import (
	"errors"
	"runtime"
	"sync"
	"testing"

	"github.com/ohcontact/ohcontact"
)

// TestBatcherAfterAPanic: a batch that panics answers its other messages
// "not processed" (never a false acknowledgement), and the batcher goes on
// working, rather than leaving every later message waiting.
func TestBatcherAfterAPanic(t *testing.T) {
	var b batcher
	release := make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- b.do(ohcontact.Inbound{Address: "first"}, 1, func(batch []*queued) {
			<-release
			for _, q := range batch {
				q.err = nil
			}
		})
	}()
	waitUntil(&b, func() bool { return b.running == 1 })
	// Two more queue behind the first batch; whichever caller takes them
	// runs both, and panics.
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	panics := make(chan any, 2)
	for _, addr := range []string{"second", "third"} {
		wg.Go(func() {
			defer func() {
				if p := recover(); p != nil {
					panics <- p
				}
			}()
			errs <- b.do(ohcontact.Inbound{Address: addr}, 1, func([]*queued) { panic("boom") })
		})
	}
	waitUntil(&b, func() bool { return len(b.queue) == 2 })
	close(release)
	wg.Wait()
	close(errs)
	if err := <-first; err != nil {
		t.Fatalf("first batch: %v", err)
	}
	if len(panics) != 1 {
		t.Fatalf("%d callers saw the panic, want the one that ran the batch", len(panics))
	}
	for err := range errs {
		if !errors.Is(err, errNotRun) {
			t.Fatalf("the other message in the panicking batch got %v, want errNotRun", err)
		}
	}
	err := b.do(ohcontact.Inbound{Address: "later"}, 1, func(batch []*queued) {
		for _, q := range batch {
			q.err = nil
		}
	})
	if err != nil {
		t.Fatalf("a message after the panic: %v", err)
	}
}

// waitUntil spins until cond, checked with b.mu held, is true.
func waitUntil(b *batcher, cond func() bool) {
	for {
		b.mu.Lock()
		ok := cond()
		b.mu.Unlock()
		if ok {
			return
		}
		runtime.Gosched()
	}
}
