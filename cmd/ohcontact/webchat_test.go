package main

import (
	"context"
	"crypto/rand"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ohcontact/ohcontact/channels/webchat"
	"github.com/ohcontact/ohcontact/demo"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
	"github.com/ohcontact/ohcontact/triggers"
)

const (
	chatOrigin = "http://oh.test" // PUBLIC_BASE_URL of the test servers, so their own origin
	chatSecret = "0123456789abcdef0123456789abcdef"
)

// chatFrame is a frame as the widget sees it.
type chatFrame struct {
	Type, Session, Identity, Service, Notice, Code, Message, Lang string
	Seq                                                           int
	Author, Text, ID                                              string
}

// startDemo runs `serve --demo` on dbURL until the test ends and returns
// its address. Its public URL, and so the origin its web chat allows, is
// chatOrigin.
func startDemo(t *testing.T, dbURL string) string {
	t.Helper()
	addr := freeAddr(t)
	startDemoAt(t, dbURL, addr, chatOrigin)
	return addr
}

// startDemoAt runs `serve --demo` on dbURL at addr, with public URL
// publicURL, until the test ends.
func startDemoAt(t *testing.T, dbURL, addr, publicURL string) {
	t.Helper()
	startDemoWith(t, dbURL, addr, publicURL, nil)
}

// startDemoWith is startDemoAt with more environment variables.
func startDemoWith(t *testing.T, dbURL, addr, publicURL string, more map[string]string) {
	t.Helper()
	vars := map[string]string{"DATABASE_URL": dbURL, "HTTP_ADDR": addr, "PUBLIC_BASE_URL": publicURL,
		"OHCONTACT_WIDGET_SECRETS": "DEMO=" + chatSecret}
	for k, v := range more {
		vars[k] = v
	}
	env, _, stderr := testEnv(vars)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, env, []string{"serve", "--demo"}) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	waitForLog(t, stderr, "serving", "addr")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server logs:\n%s", stderr)
		}
	})
}

func dialChat(t *testing.T, addr, origin string) *websocket.Conn {
	t.Helper()
	ws, resp, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws/chat?org=DEMO", http.Header{"Origin": {origin}})
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, resp)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

func hello(t *testing.T, ws *websocket.Conn, token, session string, after int) {
	t.Helper()
	if err := ws.WriteJSON(map[string]any{"type": "hello", "token": token, "session": session, "after": after}); err != nil {
		t.Fatal(err)
	}
}

func next(t *testing.T, ws *websocket.Conn) chatFrame {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	var f chatFrame
	if err := ws.ReadJSON(&f); err != nil {
		t.Fatalf("read frame: %v", err)
	}
	return f
}

// expect reads frames until one of type typ, failing on an error frame of
// another code.
func expect(t *testing.T, ws *websocket.Conn, typ string) chatFrame {
	t.Helper()
	for {
		f := next(t, ws)
		if f.Type == typ {
			return f
		}
		if f.Type == "error" {
			t.Fatalf("error frame %s (%q) while waiting for %s", f.Code, f.Message, typ)
		}
	}
}

func say(t *testing.T, ws *websocket.Conn, text string) string {
	t.Helper()
	id := strings.ToLower(rand.Text())[:22]
	if err := ws.WriteJSON(map[string]any{"type": "send", "id": id, "text": text}); err != nil {
		t.Fatal(err)
	}
	return id
}

func demoToken(t *testing.T) string {
	t.Helper()
	tok, err := webchat.MintToken([]byte(chatSecret), webchat.Claims{AssignmentNumber: demo.SignedIn, Org: "DEMO",
		Expires: time.Now().Add(5 * time.Minute), Nonce: rand.Text()})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// An anonymous chat gets the support menu; a risk disclosure gets crisis
// contacts at once, asking in the same reply for a way to reach them (and,
// out of the OH team's hours, when it is back), and an urgent
// unknown-sender case; reconnecting shows exactly what was missed, and a
// reload the whole history.
func TestWebChatAnonymousRiskAndHistory(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewEmptyURL(t)
	addr := startDemo(t, dbURL)

	ws := dialChat(t, addr, chatOrigin)
	hello(t, ws, "", "", 0)
	ready := expect(t, ws, "ready")
	if ready.Identity != "anonymous" || !strings.Contains(ready.Notice, "not monitored 24/7") ||
		!strings.Contains(ready.Notice, "999") || ready.Service == "" {
		t.Fatalf("ready = %+v, want anonymous with the not-monitored notice, the crisis numbers and the service name", ready)
	}
	id := say(t, ws, "hello")
	echo := expect(t, ws, "message")
	if echo.Seq != 1 || echo.Author != "staff" || echo.ID != id || echo.Text != "hello" {
		t.Fatalf("echo = %+v, want seq 1 from staff with the client id", echo)
	}
	if menu := expect(t, ws, "message"); menu.Author != "bot" {
		t.Fatalf("reply = %+v, want the bot's menu", menu)
	}

	say(t, ws, "I've been saving up my tablets to take them all tonight")
	expect(t, ws, "message") // the echo
	crisis := expect(t, ws, "message")
	for _, want := range []string{"999", "option 2", "116 123", "85258", "not a 24-hour service", "cannot contact you", "phone number or email"} {
		if !strings.Contains(crisis.Text, want) {
			t.Errorf("crisis reply = %q, want %q in it", crisis.Text, want)
		}
	}
	last := crisis.Seq
	// Out of the OH team's hours (the demo's default), when it is back.
	defaults, err := triggers.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	if now := time.Now(); !(triggers.Policy{Default: defaults}).NextStaffed("", now).Equal(now) {
		if holding := expect(t, ws, "message"); !strings.Contains(holding.Text, "They are back on") {
			t.Errorf("out of hours the crisis reply was followed by %q, want when the team is back", holding.Text)
		} else {
			last = holding.Seq
		}
	}
	db := openDB(t, dbURL)
	var priority string
	var unknown bool
	if err := db.Pool.QueryRow(t.Context(), `SELECT priority, unknown_sender FROM cases ORDER BY id DESC LIMIT 1`).Scan(&priority, &unknown); err != nil || priority != "urgent" || !unknown {
		t.Fatalf("case: priority %q, unknown sender %v (%v); want urgent, true", priority, unknown, err)
	}
	ws.Close()

	again := dialChat(t, addr, chatOrigin)
	hello(t, again, "", ready.Session, 2)
	if f := expect(t, again, "ready"); f.Identity != "anonymous" {
		t.Fatalf("resumed identity %q", f.Identity)
	}
	for seq := 3; seq <= last; seq++ {
		if f := expect(t, again, "message"); f.Seq != seq {
			t.Fatalf("after a reconnect at 2 got seq %d, want %d", f.Seq, seq)
		}
	}

	reload := dialChat(t, addr, chatOrigin)
	hello(t, reload, "", ready.Session, 0)
	expect(t, reload, "ready")
	if f := expect(t, reload, "message"); f.Seq != 1 || f.ID != id {
		t.Fatalf("a reload starts with %+v, want seq 1 with its client id", f)
	}
}

func TestWebChatRefusals(t *testing.T) {
	t.Parallel()
	addr := startDemo(t, pgtest.NewEmptyURL(t))

	token := demoToken(t)
	ws := dialChat(t, addr, chatOrigin)
	hello(t, ws, token, "", 0)
	if f := expect(t, ws, "ready"); f.Identity != "staff" {
		t.Fatalf("a valid token gives identity %q, want staff", f.Identity)
	}

	tests := []struct {
		name, origin, token, code string
	}{
		{"replayed token", chatOrigin, token, "token_replayed"},
		{"forged token", chatOrigin, token[:len(token)-4] + "AAAA", "token_invalid"},
		{"session from elsewhere", chatOrigin, "", "session_expired"},
		{"origin not allowed", "https://evil.example", "", "origin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := dialChat(t, addr, tt.origin)
			session := ""
			if tt.code == "session_expired" {
				session = webchat.MintSession([]byte("another secret of at least 32 bytes!"), webchat.Session{Org: "DEMO",
					Address: "w_0123456789ab", Expires: time.Now().Add(time.Hour)})
			}
			hello(t, ws, tt.token, session, 0)
			f := next(t, ws)
			if f.Type != "error" || f.Code != tt.code || f.Message == "" {
				t.Fatalf("first frame %+v, want error %s with a message", f, tt.code)
			}
			if tt.code == "origin" {
				_, _, err := ws.ReadMessage()
				if !websocket.IsCloseError(err, websocket.ClosePolicyViolation) {
					t.Fatalf("after an origin refusal: %v, want close 1008", err)
				}
				return
			}
			if f := expect(t, ws, "ready"); f.Identity != "anonymous" {
				t.Fatalf("after a refused token the chat is %q, want anonymous", f.Identity)
			}
		})
	}
}

// Two instances share one database: a message written through instance B
// reaches a browser connected to instance A (NOTIFY wakes A; A reads the
// database).
func TestWebChatAcrossInstances(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewEmptyURL(t)
	a := startDemo(t, dbURL)
	b := startDemo(t, dbURL)

	onA := dialChat(t, a, chatOrigin)
	hello(t, onA, demoToken(t), "", 0)
	ready := expect(t, onA, "ready")

	onB := dialChat(t, b, chatOrigin)
	hello(t, onB, "", ready.Session, 0)
	if f := expect(t, onB, "ready"); f.Identity != "staff" {
		t.Fatalf("the session on instance B is %q, want staff", f.Identity)
	}
	id := say(t, onB, "hello")
	if f := expect(t, onA, "message"); f.ID != id || f.Author != "staff" {
		t.Fatalf("instance A got %+v, want the message sent through B", f)
	}
	if f := expect(t, onA, "message"); f.Author != "bot" {
		t.Fatalf("instance A got %+v, want the bot's reply", f)
	}
}

// A message whose conversation the service answers and closes at once is
// echoed, answered and then ended; "Cymraeg" switches the connection's
// language, which the error frames follow.
func TestWebChatClosedAtOnceAndLanguage(t *testing.T) {
	t.Parallel()
	addr := startDemo(t, pgtest.NewEmptyURL(t))

	ws := dialChat(t, addr, chatOrigin)
	hello(t, ws, "", "", 0)
	if f := expect(t, ws, "ready"); f.Lang != "en-GB" {
		t.Fatalf("ready lang %q, want en-GB", f.Lang)
	}
	id := say(t, ws, "sick")
	if f := expect(t, ws, "message"); f.ID != id {
		t.Fatalf("got %+v, want the echo of %s", f, id)
	}
	if f := expect(t, ws, "message"); !strings.Contains(f.Text, "does not know who you are") {
		t.Fatalf("got %+v, want the reply to an anonymous absence", f)
	}
	expect(t, ws, "ended")

	say(t, ws, "Cymraeg")
	if f := expect(t, ws, "lang"); f.Lang != "cy" || !strings.HasPrefix(f.Notice, "Nid yw'r sgwrs hon yn cael ei monitro 24/7") || !strings.Contains(f.Notice, "999") {
		t.Fatalf("got %+v, want lang cy with the Welsh notice", f)
	}
	if err := ws.WriteJSON(map[string]any{"type": "send", "id": "bad"}); err != nil {
		t.Fatal(err)
	}
	if f := expect(t, ws, "error"); f.Code != "bad_request" || f.Message != "Nid oedd modd darllen y neges honno. Rhowch gynnig arall arni." {
		t.Fatalf("got %+v, want bad_request in Welsh", f)
	}

	welsh := dialChat(t, addr, chatOrigin)
	if err := welsh.WriteJSON(map[string]any{"type": "hello", "lang": "pl-PL"}); err != nil {
		t.Fatal(err)
	}
	if f := expect(t, welsh, "ready"); f.Lang != "pl" || !strings.HasPrefix(f.Notice, "Ten czat nie jest monitorowany") {
		t.Fatalf("ready %+v, want the page's language, pl", f)
	}
}

// "end" gives a member of staff a new session for their next conversation,
// and what it cleared stays cleared, also in a conversation a clinician
// keeps open.
func TestWebChatEndKeepsStaff(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewEmptyURL(t)
	addr := startDemo(t, dbURL)

	ws := dialChat(t, addr, chatOrigin)
	hello(t, ws, demoToken(t), "", 0)
	old := expect(t, ws, "ready")
	say(t, ws, "I've been saving up my tablets to take them all tonight")
	expect(t, ws, "message") // the echo
	expect(t, ws, "message") // the crisis reply
	if err := ws.WriteJSON(map[string]any{"type": "end"}); err != nil {
		t.Fatal(err)
	}
	ended := expect(t, ws, "ended")
	if ended.Session == "" || ended.Session == old.Session {
		t.Fatalf("ended = %+v, want a new session", ended)
	}
	db := openDB(t, dbURL)
	var owner string
	if err := db.Pool.QueryRow(t.Context(), `SELECT owner FROM conversations WHERE status = 'open'`).Scan(&owner); err != nil || owner != "clinician" {
		t.Fatalf("the disclosure's conversation: owner %q (%v), want kept open for a clinician", owner, err)
	}

	again := dialChat(t, addr, chatOrigin)
	hello(t, again, "", ended.Session, 0)
	if f := expect(t, again, "ready"); f.Identity != "staff" {
		t.Fatalf("the new session is %q, want staff", f.Identity)
	}
	id := say(t, again, "are you there")
	if f := expect(t, again, "message"); f.ID != id {
		t.Fatalf("first message after End chat and clear: %+v, want only the new one (%s)", f, id)
	}

	gone := dialChat(t, addr, chatOrigin)
	hello(t, gone, "", old.Session, 0)
	if f := next(t, gone); f.Type != "error" || f.Code != "session_expired" {
		t.Fatalf("the ended session got %+v, want session_expired", f)
	}
}
