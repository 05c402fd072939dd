package console

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"time"
)

// errHashBusy is returned by hashGate.do when no hashing slot came free in
// time: nothing was hashed, and the caller answers 503 at once.
var errHashBusy = errors.New("password hashing is at its limit")

// Default sizes of the hashing gate (SignInLimits).
const (
	defaultHashWait          = 2 * time.Second
	defaultHashQueuePerSlot  = 16
	defaultHashRetryAfterSec = 60
)

// defaultHashSlots is how many argon2id hashes run at once unless
// SignInLimits says otherwise: half the CPUs Go may use, at least one, so
// that a burst of sign-ins leaves the other half to the SMS webhooks, web
// chat and River's jobs. Each slot holds about 19 MiB (argonMemory) while
// it hashes, so the gate also bounds sign-in memory to slots × 19 MiB.
func defaultHashSlots() int { return max(1, runtime.GOMAXPROCS(0)/2) }

// hashGate bounds the password hashing (argon2id) the process does at
// once. Every hash and every verification the console makes, including the
// one against the dummy hash for an unknown email address, runs through
// do. At most cap(slots) run together; at most cap(queue) requests, those
// running included, are inside do at once, and any more are refused at
// once; a request inside waits at most wait for a slot, and is refused
// when none comes free in time or its context ends. A refused request has
// hashed nothing. The zero value is not usable: use newHashGate.
type hashGate struct {
	slots chan struct{} // a token held while hashing
	queue chan struct{} // a token held while waiting or hashing
	wait  time.Duration
	ran   atomic.Int64 // hashes run, for tests and benchmarks
}

// newHashGate returns a gate letting slots hashes run at once, with up to
// waiters more requests waiting up to wait each for a slot.
func newHashGate(slots, waiters int, wait time.Duration) *hashGate {
	return &hashGate{slots: make(chan struct{}, slots), queue: make(chan struct{}, slots+waiters), wait: wait}
}

// do runs fn, which hashes, once a slot is free. It returns errHashBusy,
// without running fn, when the queue is full, when no slot comes free
// within the gate's wait, or when ctx ends first.
func (g *hashGate) do(ctx context.Context, fn func()) error {
	select {
	case g.queue <- struct{}{}:
	default:
		return errHashBusy
	}
	defer func() { <-g.queue }()
	select {
	case g.slots <- struct{}{}:
	default:
		t := time.NewTimer(g.wait)
		defer t.Stop()
		select {
		case g.slots <- struct{}{}:
		case <-t.C:
			return errHashBusy
		case <-ctx.Done():
			return errHashBusy
		}
	}
	defer func() { <-g.slots }()
	g.ran.Add(1)
	fn()
	return nil
}

// hashes returns how many hashes have run through the gate.
func (g *hashGate) hashes() int64 { return g.ran.Load() }
