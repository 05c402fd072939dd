package webchat

import (
	"strconv"
	"testing"
	"time"
)

func TestClientsConnectAndNewChat(t *testing.T) {
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	var cs clients
	l := Limits{MaxConnections: 2, NewChatsPerHour: 3}

	r1, ok1 := cs.connect("a", l, clock)
	_, ok2 := cs.connect("a", l, clock)
	if _, ok := cs.connect("a", l, clock); !ok1 || !ok2 || ok {
		t.Fatalf("connections allowed: %v %v %v, want two then none", ok1, ok2, ok)
	}
	if _, ok := cs.connect("b", l, clock); !ok {
		t.Fatal("another client was refused")
	}
	r1()
	r1() // a second release counts nothing
	if _, ok := cs.connect("a", l, clock); !ok {
		t.Fatal("no connection allowed after one was released")
	}
	if _, ok := cs.connect("a", l, clock); ok {
		t.Fatal("a double release freed two connections")
	}

	for i := range 3 {
		if !cs.newChat("a", now) {
			t.Fatalf("new chat %d refused", i+1)
		}
	}
	if cs.newChat("a", now) {
		t.Fatal("a fourth new chat within the hour was allowed")
	}
	if !cs.newChat("a", now.Add(20*time.Minute)) {
		t.Fatal("no new chat allowed 20 minutes later (one is refilled every 20)")
	}
}

// Idle clients are forgotten, so the table stays bounded; one with a
// connection is kept.
func TestClientsForgetIdle(t *testing.T) {
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	var cs clients
	release, _ := cs.connect("idle", Limits{}, clock)
	release()
	cs.connect("connected", Limits{}, clock)
	now = now.Add(clientIdle + sweepEvery + time.Second)
	cs.connect("new", Limits{}, clock)
	if n := cs.size(); n != 2 {
		t.Fatalf("%d clients remembered, want 2 (the idle one forgotten)", n)
	}
	cs.mu.Lock()
	_, idle := cs.m["idle"]
	cs.mu.Unlock()
	if idle {
		t.Fatal("the idle client is still remembered")
	}
}

func TestClientKey(t *testing.T) {
	a, b := clientKey([]byte("secret one of at least 32 bytes.."), "192.0.2.7"), clientKey([]byte("secret two of at least 32 bytes.."), "192.0.2.7")
	if len(a) != 32 || a == b || a == clientKey([]byte("secret one of at least 32 bytes.."), "192.0.2.8") {
		t.Fatalf("client keys %q, %q: want 32 hex digits, differing by secret and address", a, b)
	}
}

// At maxClients clients, a new one is refused unless an idle one can be
// forgotten.
func TestClientsBounded(t *testing.T) {
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	var cs clients
	var first func()
	for i := range maxClients {
		release, ok := cs.connect(strconv.Itoa(i), Limits{}, clock)
		if !ok {
			t.Fatalf("client %d refused", i)
		}
		if i == 0 {
			first = release
		}
	}
	if _, ok := cs.connect("one more", Limits{}, clock); ok {
		t.Fatal("a client beyond maxClients was remembered")
	}
	first()
	now = now.Add(clientIdle + time.Second)
	if _, ok := cs.connect("one more", Limits{}, clock); !ok {
		t.Fatal("a new client was refused when an idle one could be forgotten")
	}
	if n := cs.size(); n != maxClients {
		t.Fatalf("%d clients remembered, want %d", n, maxClients)
	}
}
