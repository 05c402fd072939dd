package main

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ohcontact/ohcontact/channels/webchat"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// crisisSentence is what the attack in issue 16 sent on every connection.
const crisisSentence = "I've been saving up my tablets to take them all tonight"

// A client may hold WEBCHAT_MAX_CONNECTIONS connections: the next handshake
// is refused with 429 before the upgrade, whatever Origin it claims, and
// one is allowed again once a connection closes.
func TestWebChatConnectionLimit(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	startDemoWith(t, pgtest.NewEmptyURL(t), addr, chatOrigin, map[string]string{"WEBCHAT_MAX_CONNECTIONS": "3"})

	var open []*websocket.Conn
	for range 3 {
		ws := dialChat(t, addr, chatOrigin)
		hello(t, ws, "", "", 0)
		expect(t, ws, "ready")
		open = append(open, ws)
	}
	for _, origin := range []string{chatOrigin, "https://evil.example"} {
		ws, resp, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws/chat?org=DEMO", http.Header{"Origin": {origin}})
		if err == nil {
			ws.Close()
			t.Fatalf("a fourth connection (Origin %s) was accepted", origin)
		}
		if resp == nil || resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("a fourth connection (Origin %s): %v (%v), want 429 with Retry-After", origin, err, resp)
		}
	}

	open[0].Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws/chat?org=DEMO", http.Header{"Origin": {chatOrigin}})
		if err == nil {
			ws.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no connection allowed after one closed: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The attack of issue 16: one client, 50 connections, one crisis sentence
// each. Every message is answered with the crisis contacts at once, and
// the client has one case, not 50 (and so one on-call page).
func TestWebChatOneClientOneCase(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewEmptyURL(t)
	addr := freeAddr(t)
	// More connections than the attack needs, so only the case rule is
	// tested here; the new-chat allowance is the default (10): a risky
	// message is never held back by it.
	startDemoWith(t, dbURL, addr, chatOrigin, map[string]string{"WEBCHAT_MAX_CONNECTIONS": "60"})

	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- crisisChat(addr, i)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}

	db := openDB(t, dbURL)
	var cases, conversations, evidence int
	if err := db.Pool.QueryRow(t.Context(), `
		SELECT count(*), coalesce(max(jsonb_array_length(c.evidence)), 0)
		FROM cases c JOIN conversations v ON v.id = c.conversation_id
		WHERE v.channel = 'webchat' AND v.staff_id IS NULL AND c.created_at > now() - interval '10 minutes'`).Scan(&cases, &evidence); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool.QueryRow(t.Context(), `SELECT count(DISTINCT client_key) FROM conversations WHERE channel = 'webchat' AND client_key IS NOT NULL`).Scan(&conversations); err != nil {
		t.Fatal(err)
	}
	if cases != 1 || conversations != 1 {
		t.Fatalf("%d cases from %d client keys, want 1 case for the one client", cases, conversations)
	}
	if evidence < n {
		t.Errorf("the case has %d pieces of evidence, want every disclosure's (%d)", evidence, n)
	}
}

// crisisChat opens an anonymous chat, sends the crisis sentence and waits
// for the crisis contacts.
func crisisChat(addr string, i int) error {
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws/chat?org=DEMO", http.Header{"Origin": {chatOrigin}})
	if err != nil {
		return fmt.Errorf("connection %d: %w", i, err)
	}
	defer ws.Close()
	ws.SetReadDeadline(time.Now().Add(60 * time.Second))
	if err := ws.WriteJSON(map[string]any{"type": "hello"}); err != nil {
		return err
	}
	sent := false
	for {
		var f chatFrame
		if err := ws.ReadJSON(&f); err != nil {
			return fmt.Errorf("connection %d: no crisis reply: %w", i, err)
		}
		switch {
		case f.Type == "ready" && !sent:
			sent = true
			if err := ws.WriteJSON(map[string]any{"type": "send", "id": fmt.Sprintf("crisis-message-%04d", i), "text": crisisSentence}); err != nil {
				return err
			}
		case f.Type == "error":
			return fmt.Errorf("connection %d: error %s: %s", i, f.Code, f.Message)
		case f.Type == "message" && f.Author == "bot":
			if !strings.Contains(f.Text, "999") || !strings.Contains(f.Text, "116 123") {
				return fmt.Errorf("connection %d: first reply %q has no crisis contacts", i, f.Text)
			}
			return nil
		}
	}
}

// Beyond WEBCHAT_NEW_CHATS_PER_HOUR new anonymous chats, a message that
// would start another is refused with a plain sentence and the crisis
// numbers; a risky one still goes through and gets the crisis contacts.
func TestWebChatNewChatLimit(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	startDemoWith(t, pgtest.NewEmptyURL(t), addr, chatOrigin, map[string]string{"WEBCHAT_NEW_CHATS_PER_HOUR": "2"})

	for i := range 2 {
		ws := dialChat(t, addr, chatOrigin)
		hello(t, ws, "", "", 0)
		expect(t, ws, "ready")
		say(t, ws, "hello")
		expect(t, ws, "message") // the echo
		if f := expect(t, ws, "message"); f.Author != "bot" {
			t.Fatalf("chat %d: reply %+v, want the bot's", i+1, f)
		}
		// A second message in an open chat starts nothing new.
		say(t, ws, "1")
		expect(t, ws, "message")
		ws.Close()
	}

	ws := dialChat(t, addr, chatOrigin)
	hello(t, ws, "", "", 0)
	expect(t, ws, "ready")
	say(t, ws, "hello")
	f := next(t, ws)
	if f.Type != "error" || f.Code != "too_many_chats" || !strings.Contains(f.Message, "try again later") ||
		!strings.Contains(f.Message, "999") || !strings.Contains(f.Message, "116 123") {
		t.Fatalf("a third new chat: %+v, want too_many_chats saying to try later, with the crisis numbers", f)
	}
	say(t, ws, crisisSentence)
	expect(t, ws, "message") // the echo
	if f := expect(t, ws, "message"); !strings.Contains(f.Text, "999") {
		t.Fatalf("a risky message beyond the limit got %q, want the crisis contacts", f.Text)
	}
}

// "End chat" revokes the session: the server closes the connection, a
// hello with it starts a new anonymous chat (session_expired), and another
// connection still open with it ends at its next message.
func TestWebChatEndRevokesSession(t *testing.T) {
	t.Parallel()
	addr := startDemo(t, pgtest.NewEmptyURL(t))

	ws := dialChat(t, addr, chatOrigin)
	hello(t, ws, "", "", 0)
	session := expect(t, ws, "ready").Session
	say(t, ws, "hello")
	expect(t, ws, "message")

	copied := dialChat(t, addr, chatOrigin)
	hello(t, copied, "", session, 0)
	expect(t, copied, "ready")

	if err := ws.WriteJSON(map[string]any{"type": "end"}); err != nil {
		t.Fatal(err)
	}
	expect(t, ws, "ended")
	// The conversation's own "ended" (its close, followed by the writer) may
	// come before the one that answers "end"; after that, only the close.
	for {
		_, data, err := ws.ReadMessage()
		if err == nil && strings.Contains(string(data), `"type":"ended"`) {
			continue
		}
		if !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
			t.Fatalf("after ended: %v (%s), want the server to close the connection (1000)", err, data)
		}
		break
	}

	again := dialChat(t, addr, chatOrigin)
	hello(t, again, "", session, 0)
	if f := next(t, again); f.Type != "error" || f.Code != "session_expired" {
		t.Fatalf("a hello with the ended session got %+v, want error session_expired", f)
	}
	ready := expect(t, again, "ready")
	if ready.Identity != "anonymous" || ready.Session == session {
		t.Fatalf("after a revoked session: %+v, want a new anonymous session", ready)
	}
	say(t, again, "hello")
	if f := expect(t, again, "message"); f.Seq != 1 {
		t.Fatalf("the new chat starts at seq %d, want 1 (a new conversation)", f.Seq)
	}

	// The copy, still connected, ends at its next message.
	say(t, copied, "hello")
	for {
		f := next(t, copied)
		if f.Type == "ended" {
			break
		}
		if f.Type == "message" && f.Seq > 2 {
			t.Fatalf("a connection with a revoked session went on chatting: %+v", f)
		}
	}
}

// A session lives 12 hours from first issue: a hello that resumes it gets
// the same expiry, and a session first issued more than 12 hours ago is
// refused even if its token says it expires later (as a renewed one
// would).
func TestWebChatSessionAbsoluteLifetime(t *testing.T) {
	t.Parallel()
	addr := startDemo(t, pgtest.NewEmptyURL(t))
	secret := []byte(chatSecret)

	ws := dialChat(t, addr, chatOrigin)
	hello(t, ws, "", "", 0)
	first := expect(t, ws, "ready").Session
	s1, err := webchat.VerifySession(secret, first, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if life := s1.Expires.Sub(s1.IssuedAt); life != 12*time.Hour {
		t.Fatalf("a new session lives %v, want 12h", life)
	}
	time.Sleep(1100 * time.Millisecond) // a later second, so renewal would show
	again := dialChat(t, addr, chatOrigin)
	hello(t, again, "", first, 0)
	s2, err := webchat.VerifySession(secret, expect(t, again, "ready").Session, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if s2.ID != s1.ID || !s2.IssuedAt.Equal(s1.IssuedAt) || !s2.Expires.Equal(s1.Expires) {
		t.Fatalf("resuming gave %+v, want the same session %+v, not renewed", s2, s1)
	}

	old := s1
	old.IssuedAt = time.Now().Add(-12*time.Hour - time.Minute)
	old.Expires = time.Now().Add(time.Hour) // renewed by hellos, as before issue 16
	stale := dialChat(t, addr, chatOrigin)
	hello(t, stale, "", webchat.MintSession(secret, old), 0)
	if f := next(t, stale); f.Type != "error" || f.Code != "session_expired" {
		t.Fatalf("a session issued over 12 hours ago got %+v, want error session_expired", f)
	}
	if f := expect(t, stale, "ready"); f.Identity != "anonymous" || f.Session == first {
		t.Fatalf("after an expired session: %+v, want a new anonymous session", f)
	}
}
