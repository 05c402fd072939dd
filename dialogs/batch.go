package dialogs

import (
	"errors"
	"sync"

	"github.com/ohcontact/ohcontact"
)

// Inbound messages that arrive together are stepped together. Each caller
// queues its message and waits. While fewer than a limit of batches are
// running (Runner.Batches), a waiting caller takes up to maxBatchSize queued messages, at
// most one per conversation, and runs them in one transaction for all of
// their callers. An idle service runs each message alone, at once; a busy
// one commits many at a time, so that the database spends its time on the
// work rather than on round trips and commits. Each caller still answers
// only after its own message is committed, and waits for that even past
// its own deadline: a busy service is slow to acknowledge a message, but
// never drops one.
const maxBatchSize = 32

// errNotRun is the answer for a message whose batch stopped before
// reaching it (a panic): not processed, so the sender retries.
var errNotRun = errors.New("inbound message not processed")

// queued is one caller's message, waiting for or in a batch.
type queued struct {
	in   ohcontact.Inbound
	key  string // its conversation: a batch holds one message per key
	done bool
	err  error
}

// batcher groups concurrent callers' messages into batches; its zero value
// is ready to use.
type batcher struct {
	mu      sync.Mutex
	wake    *sync.Cond // a batch finished
	queue   []*queued
	running int
	busy    map[string]bool // keys with a message in a running batch
}

// do queues in and returns once a batch has run it, the caller's own
// goroutine running batches (its own or others') while fewer than limit
// are running. run sets each message's err.
func (b *batcher) do(in ohcontact.Inbound, limit int, run func([]*queued)) error {
	q := &queued{in: in, key: string(in.Channel) + " " + in.Address, err: errNotRun}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.wake == nil {
		b.wake, b.busy = sync.NewCond(&b.mu), make(map[string]bool)
	}
	b.queue = append(b.queue, q)
	for !q.done {
		if b.running < limit {
			if batch := b.take(); len(batch) > 0 {
				b.run(batch, run)
				continue
			}
		}
		b.wake.Wait()
	}
	return q.err
}

// take removes from the queue, oldest first, the messages of the next
// batch: up to maxBatchSize, none for a conversation that has one in a
// running batch. b.mu is held.
func (b *batcher) take() []*queued {
	var batch []*queued
	rest := b.queue[:0]
	for _, q := range b.queue {
		if len(batch) < maxBatchSize && !b.busy[q.key] {
			b.busy[q.key] = true
			batch = append(batch, q)
		} else {
			rest = append(rest, q)
		}
	}
	clear(b.queue[len(rest):])
	b.queue = rest
	return batch
}

// run runs batch without holding b.mu, then marks its messages done and
// wakes the waiting callers. b.mu is held on entry and on return, even if
// run panics.
func (b *batcher) run(batch []*queued, run func([]*queued)) {
	b.running++
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		b.running--
		for _, q := range batch {
			q.done = true
			delete(b.busy, q.key)
		}
		b.wake.Broadcast()
	}()
	run(batch)
}
