// Package webchat is the intranet chat channel: the websocket endpoint
// (GET /ws/chat) the widget talks to, the identity and session tokens that
// say who is chatting, and the hub that wakes browser connections when their
// conversation has something new, on whichever instance it was written.
//
// # Protocol
//
// JSON text frames. The widget opens /ws/chat?org=CODE from a page whose
// origin the organisation allows, and sends first
//
//	{"type":"hello","token":"…","session":"…","after":N,"lang":"…"}
//
// with an identity token from the intranet (or ""), the session this
// service gave it earlier (or ""), the last message number it has shown,
// and the language it shows its words in (its conversation's, else the
// page's data-lang or lang; optional, en-GB when absent or unknown).
// An unknown organisation gets HTTP 404 before the upgrade; an origin the
// organisation does not allow, or a first frame that is not a hello, gets
// an error frame and close 1008.
// The server answers {"type":"ready","session","identity","service","notice","lang"}
// (lang: the hello's, matched to en-GB, cy or pl; notice in it) and then
// every message of the open conversation after N as
// {"type":"message","seq","author","text","at","id"} (id: the widget's own
// id, on the person's messages). The widget sends {"type":"send","id","text"}
// and {"type":"end"}; the server sends {"type":"error","code","message"}
// (message in the connection's language) and {"type":"ended"} when the
// conversation it followed is closed, or in answer to "end".
//
// Before a conversation's messages, and whenever its language changes (the
// person typed "Cymraeg" or "Polski"), the server sends
// {"type":"lang","lang","notice"}: the widget then shows its own words in
// that language. They are built into widget.js, from the locale files.
//
// Every message the person sends is followed to its conversation, even one
// the service answers and closes at once (an anonymous "sick"): the
// widget gets the echo, the replies, then "ended".
//
// # Sessions
//
// The session in "ready" lets a reload or reconnect resume the same
// person's conversation. It names its session (an ID) and carries when it
// was first issued; every hello that resumes it gets a token for the same
// session with the same issue time and expiry, so a session lives at most
// 12 hours from first issue however often it is used. "end" revokes it on
// the server (postgres.RevokeWebChatSession) and closes the connection
// after "ended": a hello offering a revoked or expired session gets the
// error "session_expired" and a new anonymous chat, as the widget expects,
// and another connection still open with it gets "ended" at its next
// message. For a member of staff, "ended" carries a new session for the
// same person, with the same issue time and expiry, for their next
// conversation (the intranet page still says who they are); when a
// clinician keeps their conversation open, the new session does not show
// its messages up to the end again.
//
// # Limits
//
// The Origin check protects browsers only: a script sends any Origin. What
// stops one is Limits, per client (the peer address, or the address a
// trusted proxy's header names): a few connections at once (a handshake
// beyond them gets HTTP 429 before the upgrade), a few new anonymous chats
// an hour (beyond them the person is told to try later and given the
// crisis numbers; a risky message still goes through), and, per
// connection, a few messages a second. Anonymous conversations carry a
// keyed hash of their client (never the address), and disclosures in any of
// one client's conversations within an hour join one case
// (postgres.OpenOrRaiseCase). The limits are counted on each instance: N
// instances behind a load balancer allow N times as much.
package webchat

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels"
	"github.com/ohcontact/ohcontact/channels/wsconn"
	"github.com/ohcontact/ohcontact/locales"
	"github.com/ohcontact/ohcontact/postgres"
	widget "github.com/ohcontact/ohcontact/web-widget"
)

// Organisation is an organisation whose intranet embeds the widget.
type Organisation struct {
	ohcontact.Organisation
	// ServiceName is how the widget names the OH service.
	ServiceName string
	// Secret verifies the intranet's identity tokens and signs this
	// service's sessions; at least 32 bytes, the same on every instance.
	Secret []byte
	// AllowedOrigins are the intranet origins (scheme://host[:port]) whose
	// pages may open the chat.
	AllowedOrigins []string
}

// Runner persists an inbound message and steps its conversation.
type Runner interface {
	HandleInbound(ctx context.Context, in ohcontact.Inbound) error
}

// RiskScreen screens a message for risk, as the runner does.
type RiskScreen interface {
	Screen(text string) ohcontact.RiskResult
}

// Handler serves GET /ws/chat.
type Handler struct {
	DB     *postgres.DB
	Hub    *Hub
	Runner Runner
	// Organisations are the organisations the widget serves, by code.
	Organisations map[string]Organisation
	// Notice returns the "not monitored 24/7" line with the crisis numbers
	// for an organisation code, in a language.
	Notice func(lang, org string) string
	// Text returns a message of the locale files in a language: the error
	// frames' messages ("webchat_error_" and the code).
	Text func(lang, id string) string
	// Limits bound what one client may do (connections, new anonymous
	// chats).
	Limits Limits
	// Screen lets a risky message through when its client may start no
	// more chats; nil lets none through (the refusal still gives the
	// crisis numbers).
	Screen RiskScreen
	Log    *slog.Logger
	Now    func() time.Time

	clients clients
}

const (
	// maxFrameBytes bounds a frame: 1,000 characters of text, JSON-escaped.
	maxFrameBytes = 16 << 10
	// maxTextRunes is the widget's own limit on a message.
	maxTextRunes = 1000
	helloWait    = 10 * time.Second
	sessionLife  = 12 * time.Hour
	// A connection may send sendBurst messages at once, then one every
	// sendRefill.
	sendBurst  = 5
	sendRefill = 2 * time.Second
)

var clientID = regexp.MustCompile(`^[A-Za-z0-9_-]{16,32}$`)

// errSessionRevoked reports a session ended with "end".
var errSessionRevoked = errors.New("webchat: session revoked")

type frame struct {
	Type     string `json:"type"`
	Token    string `json:"token,omitempty"`
	Session  string `json:"session,omitempty"`
	After    int    `json:"after,omitempty"`
	Lang     string `json:"lang,omitempty"`
	ID       string `json:"id,omitempty"`
	Text     string `json:"text,omitempty"`
	Seq      int    `json:"seq,omitempty"`
	Author   string `json:"author,omitempty"`
	At       string `json:"at,omitempty"`
	Identity string `json:"identity,omitempty"`
	Service  string `json:"service,omitempty"`
	Notice   string `json:"notice,omitempty"`
	Code     string `json:"code,omitempty"`
	Message  string `json:"message,omitempty"`

	// last closes the connection once the frame is written.
	last bool
}

// Register adds the web chat to mux: GET /ws/chat (the websocket) and GET
// /widget.js (the widget that opens it, its words in every language, with
// Notice's crisis line for no organisation). It fails when the widget
// cannot be built.
func (h *Handler) Register(mux *http.ServeMux) error {
	script, err := widget.Script(func(lang string) string { return h.Notice(lang, "") })
	if err != nil {
		return err
	}
	mux.Handle("GET /ws/chat", h)
	mux.Handle("GET /widget.js", widget.Handler(script))
	return nil
}

// errorFrame is an error frame with code; its message, in the
// connection's language, is added when it is written.
func errorFrame(code string) frame { return frame{Type: "error", Code: code} }

// refusal is the error frame for code with its message in lang. People
// read the message; the code tells the widget what to do.
func (h *Handler) refusal(lang, code, org string) frame {
	f := frame{Type: "error", Code: code, Message: h.Text(lang, "webchat_error_"+code)}
	if code == "too_many_chats" {
		// Crisis contacts are never withheld.
		f.Message += " " + h.Notice(lang, org)
	}
	return f
}

// ServeHTTP upgrades the request, identifies the person, and runs the
// connection until either side closes it.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	org, ok := h.Organisations[r.URL.Query().Get("org")]
	if !ok {
		http.Error(w, "unknown organisation", http.StatusNotFound)
		return
	}
	client := h.Limits.client(r)
	release, ok := h.clients.connect(client, h.Limits, h.Now)
	if !ok {
		// Refused before the upgrade: a script gets nothing to hold open.
		h.Log.Warn("web chat: too many connections from one client", "org", org.Code, "client", clientKey(org.Secret, client)[:12])
		w.Header().Set("Retry-After", "60")
		http.Error(w, "too many connections", http.StatusTooManyRequests)
		return
	}
	defer release()
	// Origins are checked below, after the upgrade, so the widget can say
	// why it cannot chat; nothing is read or written for a refused origin.
	ws := wsconn.New(wsconn.Options{ReadLimit: maxFrameBytes, ReadBufferSize: 4096, WriteBufferSize: 4096})
	if ws.Upgrade(w, r) != nil {
		return // the upgrader has answered
	}
	defer ws.Close()
	if !slices.Contains(org.AllowedOrigins, strings.ToLower(r.Header.Get("Origin"))) {
		h.Log.Warn("web chat: origin not allowed", "org", org.Code)
		refuse(ws, h.refusal(locales.Default, "origin", org.Code), websocket.ClosePolicyViolation)
		return
	}

	var hello frame
	if err := ws.ReadJSON(helloWait, &hello); err != nil || hello.Type != "hello" {
		refuse(ws, h.refusal(locales.Default, "bad_request", org.Code), websocket.ClosePolicyViolation)
		return
	}
	c := &conn{h: h, ws: ws, org: org, client: client, clientKey: clientKey(org.Secret, client), after: max(hello.After, 0),
		lang: locales.Match(hello.Lang), tokens: sendBurst, refilled: h.Now()}
	ctx := context.WithoutCancel(r.Context())
	who, refusal := h.identify(ctx, org, hello)
	c.chatter = who
	// Until the writer starts, this goroutine is the only writer: the
	// refusal and ready go first, then the history.
	if refusal != "" {
		if c.write(errorFrame(refusal)) != nil {
			return
		}
	}
	identity := "anonymous"
	if who.staffID != 0 {
		identity = "staff"
	}
	if who.sessionID == "" {
		who.sessionID, who.issuedAt = rand.Text(), h.Now().Truncate(time.Second)
		c.chatter = who
	}
	// A resumed session keeps its ID and issue time: hellos never extend
	// it.
	session := MintSession(org.Secret, Session{ID: who.sessionID, Org: org.Code, AssignmentNumber: who.assignment,
		Address: who.address, IssuedAt: who.issuedAt, Expires: who.issuedAt.Add(sessionLife),
		Cleared: who.cleared, ClearedSeq: who.clearedSeq})
	ready := frame{Type: "ready", Session: session, Identity: identity, Service: org.ServiceName,
		Lang: c.lang, Notice: h.Notice(c.lang, org.Code)}
	if c.write(ready) != nil {
		return
	}

	h.Hub.subscribe(c)
	defer h.Hub.unsubscribe(c)
	// The writer's first wake-up sends the history.
	if err := ws.Run(func(data []byte) bool { return c.read(ctx, data) }, func() error { return c.catchUp(ctx, 0) }); err != nil {
		h.Log.Info("web chat: connection closed", "reason", err.Error())
	}
}

// chatter is who is chatting: a member of staff (staffID and assignment
// set) or an anonymous person; address is their conversations' address.
// sessionID and issuedAt are the session resumed; empty for a new one.
// cleared and clearedSeq are the session's Cleared and ClearedSeq.
type chatter struct {
	staffID    int64
	assignment string
	address    string
	sessionID  string
	issuedAt   time.Time
	cleared    int64
	clearedSeq int
}

// identify decides who is chatting: the person a valid session names (a
// reload or reconnect), else the person a valid identity token names, else
// a new anonymous chat. A session is valid until sessionLife after it was
// first issued, and never after it was revoked ("end"). It returns a
// refusal code when a token or session was offered and not accepted.
func (h *Handler) identify(ctx context.Context, org Organisation, hello frame) (who chatter, refusal string) {
	now := h.Now()
	var tokenClaims *Claims
	if hello.Token != "" {
		c, err := VerifyToken(org.Secret, hello.Token, now)
		switch {
		case errors.Is(err, ErrTokenExpired):
			refusal = "token_expired"
		case err != nil || c.Org != org.Code:
			refusal = "token_invalid"
		default:
			tokenClaims = &c
		}
	}
	if hello.Session != "" {
		s, err := VerifySession(org.Secret, hello.Session, now)
		if err == nil && !now.Before(s.IssuedAt.Add(sessionLife)) {
			err = ErrTokenExpired
		}
		if err == nil {
			var revoked bool
			revoked, err = postgres.WebChatSessionRevoked(ctx, h.DB.Pool, s.ID)
			if err == nil && revoked {
				err = errSessionRevoked
			}
		}
		switch {
		case err != nil || s.Org != org.Code:
			if refusal == "" && tokenClaims == nil {
				refusal = "session_expired"
			}
		case tokenClaims == nil || tokenClaims.AssignmentNumber == s.AssignmentNumber:
			// The session resumes; a token for the same person adds nothing.
			if s.AssignmentNumber == "" {
				return chatter{address: s.Address, sessionID: s.ID, issuedAt: s.IssuedAt}, refusal
			}
			staff, err := postgres.StaffByAssignment(ctx, h.DB.Pool, org.ID, s.AssignmentNumber)
			if err == nil {
				who := staffChatter(staff)
				who.sessionID, who.issuedAt, who.cleared, who.clearedSeq = s.ID, s.IssuedAt, s.Cleared, s.ClearedSeq
				return who, refusal
			}
			refusal = "session_expired"
		}
	}
	if tokenClaims != nil {
		var fresh bool
		err := h.DB.InTx(ctx, func(tx pgx.Tx) (err error) {
			fresh, err = postgres.UseWidgetNonce(ctx, tx, tokenClaims.Nonce, tokenClaims.Expires.Add(ClockSkew))
			return err
		})
		staff, serr := postgres.StaffByAssignment(ctx, h.DB.Pool, org.ID, tokenClaims.AssignmentNumber)
		switch {
		case err != nil:
			refusal = "token_invalid"
		case !fresh:
			refusal = "token_replayed"
		case serr != nil:
			refusal = "token_invalid"
		default:
			return staffChatter(staff), ""
		}
	}
	return chatter{address: "w_" + rand.Text()}, refusal
}

func staffChatter(s ohcontact.Staff) chatter {
	return chatter{staffID: s.ID, assignment: s.AssignmentNumber, address: StaffAddress(s.ID)}
}

// refuse writes f and closes ws with code, before the connection runs.
func refuse(ws *wsconn.Conn, f frame, code int) {
	if ws.WriteJSON(f) == nil {
		ws.HangUp(code, f.Code)
	}
}

// conn is one browser connection. Until ws runs, ServeHTTP's goroutine
// writes to it; then only its writer does (catchUp, and the work read
// gives it with ws.Do).
type conn struct {
	h   *Handler
	ws  *wsconn.Conn
	org Organisation
	chatter
	// client is the Limits key of the peer; clientKey its hash, stored
	// with anonymous conversations.
	client, clientKey string

	// Reader only: the send rate limit, and whether the session was
	// found revoked.
	tokens      int
	refilled    time.Time
	stopReading bool

	// Writer only: the conversation followed and the last seq sent, and
	// the language the browser was last told.
	after     int // the hello's "after", used once
	following int64
	lastSeq   int
	lang      string
}

// poke tells the writer that something new may be in the database.
func (c *conn) poke() { c.ws.Poke() }

// shutdown ends the connection with 1001, going away.
func (c *conn) shutdown() { c.ws.End(websocket.CloseGoingAway, "") }

// read handles one message from the browser and reports whether to read
// on.
func (c *conn) read(ctx context.Context, data []byte) bool {
	var f frame
	if json.Unmarshal(data, &f) != nil {
		c.send(errorFrame("bad_request"))
		return true
	}
	switch f.Type {
	case "send":
		c.receive(ctx, f)
		return !c.stopReading
	case "end":
		var kept int64
		var keptSeq int
		err := c.h.DB.InTx(ctx, func(tx pgx.Tx) error {
			return postgres.RevokeWebChatSession(ctx, tx, c.sessionID, c.issuedAt.Add(sessionLife))
		})
		if err == nil {
			kept, keptSeq, err = postgres.EndWebChat(ctx, c.h.DB.Pool, c.address)
		}
		if err != nil {
			c.h.Log.Error("web chat: end", "error", err)
			c.send(errorFrame("unavailable"))
			return true
		}
		// The session is over: nothing more is read from this
		// connection, which closes once "ended" is written. A member of
		// staff gets a new session for their next conversation: the page
		// they chat from still says who they are. What was cleared stays
		// cleared, in a conversation their clinician keeps open too.
		ended := frame{Type: "ended", last: true}
		if c.staffID != 0 {
			ended.Session = MintSession(c.org.Secret, Session{ID: rand.Text(), Org: c.org.Code,
				AssignmentNumber: c.assignment, Address: c.address, IssuedAt: c.issuedAt, Expires: c.issuedAt.Add(sessionLife),
				Cleared: kept, ClearedSeq: keptSeq})
		}
		c.send(ended)
		return false
	default:
		c.send(errorFrame("bad_request"))
		return true
	}
}

// receive hands a message the person sent to the runner; the echo comes
// back through the database, like every other message.
func (c *conn) receive(connCtx context.Context, f frame) {
	if !clientID.MatchString(f.ID) {
		c.send(errorFrame("bad_request"))
		return
	}
	if utf8.RuneCountInString(f.Text) > maxTextRunes {
		c.send(errorFrame("too_long"))
		return
	}
	if !c.allowSend() {
		c.send(errorFrame("rate_limited"))
		return
	}
	text, err := channels.Normalise(f.Text)
	if err != nil {
		c.send(errorFrame("bad_request"))
		return
	}
	ctx, cancel := context.WithTimeout(connCtx, 10*time.Second)
	defer cancel()
	// Another connection with the same session (a copied token) may have
	// ended it: then this one ends too.
	if revoked, err := postgres.WebChatSessionRevoked(ctx, c.h.DB.Pool, c.sessionID); err != nil || revoked {
		if err != nil {
			c.h.Log.Error("web chat: message not processed", "error", err)
			c.send(errorFrame("unavailable"))
			return
		}
		c.send(frame{Type: "ended", last: true})
		c.stopReading = true
		return
	}
	if !c.mayChat(ctx, text) {
		c.send(errorFrame("too_many_chats"))
		return
	}
	in := ohcontact.Inbound{
		Channel: ohcontact.ChannelWebChat, Address: c.address, Text: text,
		ExternalID: c.address + ":" + f.ID, ReceivedAt: c.h.Now(),
		Organisation: c.org.Organisation, StaffID: c.staffID, Lang: c.lang,
	}
	if c.staffID == 0 {
		in.ClientKey = c.clientKey
	}
	err = c.h.Runner.HandleInbound(ctx, in)
	var conv int64
	if err == nil {
		// The conversation may be closed already (a flow that ends at its
		// first reply): the writer follows it all the same, so the
		// message and its replies are shown.
		conv, err = postgres.WebChatConversationOf(ctx, c.h.DB.Pool, c.address, in.ExternalID)
	}
	if err != nil {
		c.h.Log.Error("web chat: message not processed", "error", err)
		c.send(errorFrame("unavailable"))
		return
	}
	// The echo and the replies, even when the conversation is closed, with
	// the connection's context: this message's is over by then.
	c.ws.Do(func() error { return c.catchUp(connCtx, conv) })
}

// mayChat reports whether text may go to the runner as far as the
// client's new-chat allowance goes: a member of staff's message, or one in
// an open conversation, always may; one that would start an anonymous
// conversation uses up one of the client's new chats, and when none is
// left only a message the risk screen finds risky (or would ask about)
// may. Crisis contacts are never withheld: a risky message is answered as
// always, and a refusal carries the crisis numbers.
func (c *conn) mayChat(ctx context.Context, text string) bool {
	if c.staffID != 0 {
		return true
	}
	_, err := postgres.OpenWebChat(ctx, c.h.DB.Pool, c.address)
	if !errors.Is(err, ohcontact.ErrNotFound) {
		return true // open, or unknown: the runner decides
	}
	if c.h.clients.newChat(c.client, c.h.Now()) {
		return true
	}
	if c.h.Screen != nil {
		if r := c.h.Screen.Screen(text); r.Priority.Positive() || r.Ask {
			return true
		}
	}
	c.h.Log.Warn("web chat: too many new chats from one client", "org", c.org.Code, "client", c.clientKey[:12])
	return false
}

func (c *conn) allowSend() bool {
	now := c.h.Now()
	if n := int(now.Sub(c.refilled) / sendRefill); n > 0 {
		c.tokens = min(sendBurst, c.tokens+n)
		c.refilled = c.refilled.Add(time.Duration(n) * sendRefill)
	}
	if c.tokens == 0 {
		return false
	}
	c.tokens--
	return true
}

// send gives f to the writer; "ended" stops following the conversation,
// and a last frame ends the connection once written.
func (c *conn) send(f frame) {
	c.ws.Do(func() error {
		if f.Type == "ended" {
			c.following, c.lastSeq = 0, 0
		}
		err := c.write(f)
		if err == nil && f.last {
			c.ws.End(websocket.CloseNormalClosure, "")
		}
		return err
	})
}

// write writes f, an error frame with its message in the connection's
// language.
func (c *conn) write(f frame) error {
	if f.Type == "error" && f.Message == "" {
		f = c.h.refusal(c.lang, f.Code, c.org.Code)
	}
	return c.ws.WriteJSON(f)
}

// catchUp sends what the followed conversation has that the browser has
// not seen, and "ended" once it is closed; before its messages, "lang" when
// its language is not the one the browser was last told. conv, when not 0,
// is the conversation a message the person sent went to, followed even when
// it is closed already; the one followed until then is finished first.
// With no conversation followed and conv 0 it looks for the open one at the
// connection's address.
func (c *conn) catchUp(ctx context.Context, conv int64) error {
	if conv != 0 && c.following != 0 && c.following != conv {
		// One open conversation per address: the one followed is closed,
		// and this sends the rest of it and "ended".
		if err := c.catchUp(ctx, 0); err != nil {
			return err
		}
	}
	first := c.following == 0 || c.following != conv && conv != 0
	if first {
		id := conv
		if id == 0 {
			var err error
			id, err = postgres.OpenWebChat(ctx, c.h.DB.Pool, c.address)
			if errors.Is(err, ohcontact.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
		}
		c.following, c.lastSeq = id, 0
		if id == c.cleared {
			c.lastSeq = c.clearedSeq
		}
	}
	var page postgres.ChatPage
	err := c.h.DB.InSnapshot(ctx, func(tx pgx.Tx) (err error) {
		page, err = postgres.WebChatMessagesAfter(ctx, tx, c.following, c.lastSeq)
		return err
	})
	if err != nil {
		return err
	}
	msgs, closed := page.Messages, page.Closed
	if lang := locales.Match(page.Language); lang != c.lang {
		c.lang = lang
		if err := c.write(frame{Type: "lang", Lang: lang, Notice: c.h.Notice(lang, c.org.Code)}); err != nil {
			return err
		}
	}
	if first && c.after > 0 {
		// A reconnect: skip what the browser has, unless its number is
		// beyond this conversation (it was following an older one).
		if n := len(msgs); n > 0 && msgs[n-1].Seq >= c.after {
			msgs = slices.DeleteFunc(msgs, func(m postgres.ChatMessage) bool { return m.Seq <= c.after })
			c.lastSeq = c.after
		}
		c.after = 0
	}
	for _, m := range msgs {
		f := frame{Type: "message", Seq: m.Seq, Author: string(m.Author), Text: m.Body, At: m.At.UTC().Format(time.RFC3339)}
		if m.Author == ohcontact.AuthorStaff {
			f.ID = strings.TrimPrefix(m.ExternalID, c.address+":")
		}
		if err := c.write(f); err != nil {
			return err
		}
		c.lastSeq = m.Seq
	}
	if len(msgs) > 0 {
		if err := postgres.MarkWebChatDelivered(ctx, c.h.DB.Pool, c.following, c.lastSeq); err != nil {
			return err
		}
	}
	if closed {
		c.following, c.lastSeq = 0, 0
		return c.write(frame{Type: "ended"})
	}
	return nil
}
