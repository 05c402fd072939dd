package console

import "time"

// SignInLimits bounds the work sign-in attempts cause on one instance. A
// zero field takes the default given with it.
type SignInLimits struct {
	// ClientPerMinute and ClientBurst throttle attempts per client
	// address: 10 a minute on average, 20 at once by default.
	ClientPerMinute float64
	ClientBurst     int
	// AccountPerMinute and AccountBurst throttle attempts per email
	// address: 5 a minute on average, 10 at once by default (the lockout
	// after 5 failures in a row applies within that).
	AccountPerMinute float64
	AccountBurst     int
	// Keys is how many client addresses, and how many email addresses,
	// each throttle remembers: 10000 by default (about 2 MB each).
	Keys int
	// Hashes is how many password hashes run at once: half the CPUs
	// (GOMAXPROCS), at least 1, by default. HashQueue is how many more
	// attempts may wait for one (16 per slot by default), and HashWait how
	// long each waits before it is answered 503 (2 seconds by default).
	Hashes    int
	HashQueue int
	HashWait  time.Duration
}

// withDefaults returns l with each zero field set to its default.
func (l SignInLimits) withDefaults() SignInLimits {
	set := func(v *float64, d float64) {
		if *v <= 0 {
			*v = d
		}
	}
	seti := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	set(&l.ClientPerMinute, 10)
	seti(&l.ClientBurst, 20)
	set(&l.AccountPerMinute, 5)
	seti(&l.AccountBurst, 10)
	seti(&l.Keys, 10000)
	seti(&l.Hashes, defaultHashSlots())
	seti(&l.HashQueue, defaultHashQueuePerSlot*l.Hashes)
	if l.HashWait <= 0 {
		l.HashWait = defaultHashWait
	}
	return l
}
