package console

import (
	"container/list"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// throttle limits attempts per key (a client's address, or an account's
// email address) with a token bucket per key: perMinute attempts a minute
// on average, burst at once. It remembers at most max keys. A key unused
// for as long as its bucket takes to fill again is forgotten, which loses
// nothing; when max keys are still in use, the least recently used one is
// forgotten, so a spray of addresses cannot grow memory without bound (at
// the price of that key's count: the hashing gate still bounds the work).
// Its state is per instance: behind a load balancer each instance counts
// the attempts it serves. A throttle is safe for concurrent use.
type throttle struct {
	every rate.Limit
	burst int
	max   int
	idle  time.Duration // how long an empty bucket takes to fill

	mu   sync.Mutex
	keys map[string]*list.Element // of *throttleKey, in lru
	lru  *list.List               // most recently used first
}

type throttleKey struct {
	key  string
	lim  *rate.Limiter
	last time.Time
}

// newThrottle returns a throttle of perMinute attempts a minute per key,
// burst at once, remembering at most max keys.
func newThrottle(perMinute float64, burst, max int) *throttle {
	return &throttle{
		every: rate.Limit(perMinute / 60), burst: burst, max: max,
		idle: time.Duration(float64(burst) / perMinute * float64(time.Minute)),
		keys: map[string]*list.Element{}, lru: list.New(),
	}
}

// allow counts an attempt for key at now and reports whether it is within
// the limit. When it is not, the attempt is not counted and wait is how
// long until one would be.
func (t *throttle) allow(key string, now time.Time) (wait time.Duration, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for e := t.lru.Back(); e != nil && now.Sub(e.Value.(*throttleKey).last) >= t.idle; e = t.lru.Back() {
		t.forget(e)
	}
	e, found := t.keys[key]
	if !found {
		if t.lru.Len() >= t.max {
			t.forget(t.lru.Back())
		}
		e = t.lru.PushFront(&throttleKey{key: key, lim: rate.NewLimiter(t.every, t.burst)})
		t.keys[key] = e
	}
	k := e.Value.(*throttleKey)
	t.lru.MoveToFront(e)
	if now.After(k.last) {
		k.last = now
	}
	r := k.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d, false
	}
	return 0, true
}

func (t *throttle) forget(e *list.Element) {
	delete(t.keys, e.Value.(*throttleKey).key)
	t.lru.Remove(e)
}

// size returns how many keys t remembers.
func (t *throttle) size() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lru.Len()
}

// retryAfter is d in whole seconds, rounded up, for a Retry-After header.
func retryAfter(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
