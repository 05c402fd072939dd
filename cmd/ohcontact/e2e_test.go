package main

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// TestDemoPhoneEndToEnd drives the demo the way a person would: a text typed
// on /demo/phone goes, signed, to the Twilio webhook over HTTP; the runner
// answers; the delivery job hands the reply to the phone simulator; a risky
// text brings crisis contacts and an urgent case.
func TestDemoPhoneEndToEnd(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewEmptyURL(t)
	addr := freeAddr(t)
	startDemoAt(t, dbURL, addr, "http://"+addr)
	base := "http://" + addr

	reply := func(body string) {
		t.Helper()
		resp, err := postDemoPhone(t, base, url.Values{"number": {"+447700900101"}, "body": {body}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || strings.Contains(loc, "error") {
			t.Fatalf("reply %q: %d → %s", body, resp.StatusCode, loc)
		}
	}
	db := openDB(t, dbURL)
	// waitForText waits until every reply is delivered, then checks that the
	// phone shows one containing want.
	waitForText := func(want string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			var pending, outbound int
			db.Pool.QueryRow(t.Context(), `SELECT count(*) FILTER (WHERE delivery_status <> 'delivered'), count(*)
				FROM messages WHERE direction = 'outbound'`).Scan(&pending, &outbound)
			if pending == 0 && outbound > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d replies still undelivered after 15s", pending, outbound)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if _, page := get(t, base+"/demo/phone?number=%2B447700900101"); !strings.Contains(page, want) {
			t.Fatalf("the phone shows no text with %q:\n%s", want, page)
		}
	}

	reply("hello")
	waitForText("Demo Trust Occupational Health")

	reply("i want to end my life")
	waitForText("999")

	var priority, owner string
	// The newest case: the demo's pilot history has resolved cases of its own.
	err := db.Pool.QueryRow(t.Context(), `SELECT c.priority, v.owner FROM cases c JOIN conversations v ON v.id = c.conversation_id
		ORDER BY c.id DESC LIMIT 1`).
		Scan(&priority, &owner)
	if err != nil || priority != "urgent" || owner != "clinician" {
		t.Fatalf("case priority %q, conversation owner %q (%v); want an urgent case and clinician ownership", priority, owner, err)
	}

	// STOP is Twilio's keyword: the demo network confirms it, as Twilio
	// would, and the service queues nothing of its own.
	var before int
	db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM messages WHERE direction = 'outbound'`).Scan(&before)
	reply("STOP")
	waitForText("You have successfully been unsubscribed")
	var after int
	db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM messages WHERE direction = 'outbound'`).Scan(&after)
	if after != before {
		t.Fatalf("%d texts queued after STOP, want none", after-before)
	}
	reply("START")
	waitForText("opted back in")
}

// freeAddr returns a loopback address with a port nothing listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
