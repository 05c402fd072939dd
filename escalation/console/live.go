package console

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// The timings of live connections, the queue's and case pages' (see "Live
// updates" in the package doc).
const (
	liveReadLimit  = 512 // the browser sends only control frames
	livePongWait   = 60 * time.Second
	livePingPeriod = 25 * time.Second
	liveWriteWait  = 10 * time.Second
	liveQueryWait  = 10 * time.Second // for a snapshot's queries
	// liveCoalesce is the least time between two snapshots on one
	// connection, and the most a wake-up waits for its snapshot.
	liveCoalesce = 50 * time.Millisecond
	// liveRefresh is the most time between two snapshots.
	liveRefresh = 30 * time.Second
)

// Run wakes this instance's live connections (GET /console/live and GET
// /console/cases/{id}/live) whenever a case, its timeline, its
// conversation or an alert changes, on any instance, until ctx ends; then it
// closes them with "going away" (1001), so that browsers reconnect to an
// instance still serving. Start it once per Console, in the background.
func (c *Console) Run(ctx context.Context) {
	l := &postgres.Listener{DB: c.db, Channel: postgres.CasesChannel, Log: c.log,
		OnConnect: c.wakeLive,
		OnNotify:  func(string) { c.wakeLive() },
	}
	l.Run(ctx)
	c.liveMu.Lock()
	defer c.liveMu.Unlock()
	for lc := range c.live {
		lc.end(websocket.CloseGoingAway)
	}
}

// wakeLive wakes every live connection of this instance.
func (c *Console) wakeLive() {
	c.liveMu.Lock()
	defer c.liveMu.Unlock()
	for lc := range c.live {
		lc.poke()
	}
}

// serveLive handles GET /console/live: the websocket that keeps the queue
// page current. It takes the queue page's query parameters, and keeps
// that page of that list current; parameters that are not valid are
// refused (422) before any upgrade.
func (c *Console) serveLive(w http.ResponseWriter, r *http.Request, s *session) {
	orgs, claimants, err := c.queueChoices(r.Context(), c.db.Pool, s)
	if err != nil {
		c.serverError(w, r, s, err)
		return
	}
	q, bad := parseQueueQuery(r.URL.Query(), s, orgs, claimants)
	if len(bad) > 0 {
		c.errorPage(w, r, s, http.StatusUnprocessableEntity, "Not a valid list of cases",
			"The live queue's search or filters are not valid. Go back to the case queue and search again.")
		return
	}
	// The ids of the cases of the last snapshot: only one frame is read at
	// a time (the first, then the writer's).
	var shown []int64
	snapshot := func(ctx context.Context) ([]byte, error) { return c.snapshot(ctx, s, q, &shown) }
	c.runLive(w, r, s, snapshot, snapshot)
}

// runLive serves a live connection for s: it reads the first frame with
// first, then upgrades and sends it, then a frame read with next after each
// wake-up (see writeLive), until either side ends the connection. Both
// return ErrNotFound when what they read is not there for s: from first,
// that is answered as for a page not found, before any upgrade; from next,
// it means the session has ended.
func (c *Console) runLive(w http.ResponseWriter, r *http.Request, s *session, first, next func(context.Context) ([]byte, error)) {
	if !sameOrigin(r) {
		c.log.Warn("console: live connection from another origin refused", "route", r.Pattern, "user_id", s.user.ID)
		c.forbidden(w, r, s, "Live updates open only from this site's own pages.")
		return
	}
	lc := &liveConn{s: s, snapshot: next, wake: make(chan struct{}, 1), stop: make(chan struct{})}
	// Registered before the first snapshot is read, so that no change
	// committed after that read can go without a wake-up.
	c.liveMu.Lock()
	c.live[lc] = struct{}{}
	c.liveMu.Unlock()
	defer func() {
		c.liveMu.Lock()
		delete(c.live, lc)
		c.liveMu.Unlock()
	}()
	ctx := context.WithoutCancel(r.Context())
	frame, err := first(ctx)
	switch {
	case errors.Is(err, postgres.ErrNotFound):
		c.notFound(w, r, s)
		return
	case err != nil:
		c.serverError(w, r, s, err)
		return
	}

	// The server's read and write timeouts bound a request; a websocket
	// outlives them and keeps deadlines of its own, so they are lifted
	// before the upgrade.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	// The origin is checked above, more strictly than the upgrader would.
	up := websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 16 << 10, CheckOrigin: func(*http.Request) bool { return true }}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	defer ws.Close()
	ws.SetReadLimit(liveReadLimit)
	lc.ws = ws

	written := make(chan struct{})
	go func() { defer close(written); c.writeLive(ctx, lc, frame) }()
	lc.read()
	lc.end(websocket.CloseNormalClosure)
	<-written
}

// sameOrigin reports whether r, a websocket handshake, comes from one of
// this site's own pages. Browsers always send Origin on a handshake, and a
// page cannot forge it. The SameSite=Lax session cookie is not sent on a
// handshake from another site, but it is from another origin of the same
// site (another port or subdomain), which could then read the queue.
// Hosts are compared, as http.CrossOriginProtection does for forms, since
// TLS may end at a proxy; a Sec-Fetch-Site other than same-origin is
// refused too.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return false
	}
	o, err := url.Parse(r.Header.Get("Origin"))
	return err == nil && (o.Scheme == "http" || o.Scheme == "https") && o.Host != "" && strings.EqualFold(o.Host, r.Host)
}

// liveConn is one browser's live connection. Only writeLive writes
// messages to ws.
type liveConn struct {
	ws *websocket.Conn
	s  *session
	// snapshot reads the frame to send now; ErrNotFound means the session
	// has ended.
	snapshot func(context.Context) ([]byte, error)
	wake     chan struct{} // holds a wake-up not yet answered
	stop     chan struct{} // closed, once code is set, to end the connection
	once     sync.Once
	code     int // the close code to send
}

// poke asks for a snapshot; wake-ups not yet answered merge into one.
func (lc *liveConn) poke() {
	select {
	case lc.wake <- struct{}{}:
	default:
	}
}

// end asks the writer to close the connection with code.
func (lc *liveConn) end(code int) {
	lc.once.Do(func() { lc.code = code; close(lc.stop) })
}

// read reads, and drops, what the browser sends until the connection
// fails, the browser closes it or a pong is overdue. A close frame is
// answered by the writer, not here.
func (lc *liveConn) read() {
	lc.ws.SetCloseHandler(func(int, string) error { return nil })
	lc.ws.SetReadDeadline(time.Now().Add(livePongWait))
	lc.ws.SetPongHandler(func(string) error { return lc.ws.SetReadDeadline(time.Now().Add(livePongWait)) })
	for {
		if _, _, err := lc.ws.NextReader(); err != nil {
			return
		}
	}
}

// hangUp sends a close frame with code and reason and closes the
// connection, which ends the reader.
func (lc *liveConn) hangUp(code int, reason string) {
	_ = lc.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(liveWriteWait))
	_ = lc.ws.Close()
}

// writeLive is lc's one writer: first at once, then a snapshot after each
// wake-up (no sooner than liveCoalesce after the one before) and at least
// every liveRefresh; a ping every livePingPeriod; the close frame at the
// end.
func (c *Console) writeLive(ctx context.Context, lc *liveConn, first []byte) {
	ping := time.NewTicker(livePingPeriod)
	defer ping.Stop()
	next := time.NewTimer(0)
	defer next.Stop()
	// sent is when the last snapshot was sent, due when the next one is.
	var sent, due time.Time
	for {
		select {
		case <-next.C:
			frame, err := first, error(nil)
			if first = nil; frame == nil {
				frame, err = lc.snapshot(ctx)
			}
			switch {
			case errors.Is(err, postgres.ErrNotFound):
				c.log.Info("console: live connection closed: the session has ended", "user_id", lc.s.user.ID)
				lc.hangUp(websocket.ClosePolicyViolation, "signed out")
				return
			case err != nil:
				c.log.Error("console: live snapshot", "user_id", lc.s.user.ID, "error", err)
				lc.hangUp(websocket.CloseInternalServerErr, "")
				return
			}
			lc.ws.SetWriteDeadline(time.Now().Add(liveWriteWait))
			if err := lc.ws.WriteMessage(websocket.TextMessage, frame); err != nil {
				lc.hangUp(websocket.CloseGoingAway, "")
				return
			}
			sent = time.Now()
			due = sent.Add(liveRefresh)
			next.Reset(liveRefresh)
		case <-lc.wake:
			if soon := sent.Add(liveCoalesce); soon.Before(due) {
				due = soon
				next.Reset(time.Until(soon))
			}
		case <-ping.C:
			if err := lc.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(liveWriteWait)); err != nil {
				lc.hangUp(websocket.CloseGoingAway, "")
				return
			}
		case <-lc.stop:
			lc.hangUp(lc.code, "")
			return
		}
	}
}

// liveSnapshot is the frame GET /console/live sends.
type liveSnapshot struct {
	Type    string      `json:"type"` // queue
	Rows    string      `json:"rows"`
	Cases   []liveCase  `json:"cases"`
	Total   int         `json:"total"`
	Caption string      `json:"caption"`
	Alerts  []liveAlert `json:"alerts"`
	At      string      `json:"at"`
	AtText  string      `json:"at_text"`
}

type liveCase struct {
	ID       int64              `json:"id"`
	Priority ohcontact.Priority `json:"priority"`
	Status   string             `json:"status"`
	Breached bool               `json:"breached"`
}

type liveAlert struct {
	ID     int64  `json:"id"`
	CaseID int64  `json:"case_id"`
	Kind   string `json:"kind"`
	Status string `json:"status"`
	At     string `json:"at"`
	HTML   string `json:"html"`
}

// snapshot reads and encodes what the queue page of list and page q
// shows s's user now, and records in shown the cases shown (a change to
// them is audited, with shown the ones before). It returns ErrNotFound
// when the user's session has ended.
func (c *Console) snapshot(ctx context.Context, s *session, q queueQuery, shown *[]int64) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, liveQueryWait)
	defer cancel()
	now := c.now()
	lq, err := c.db.LiveQueue(ctx, hashToken(s.token), now, s.user.ID, q.filter, *shown, q.filter.Search.Kind(), q.audited())
	if err != nil {
		return nil, err
	}
	*shown = lq.Cases.IDs()
	resolved := q.filter.Status == postgres.CaseResolved
	v := queueView{AllOrganisations: s.scope() == 0, Rows: c.queueRows(lq.Cases.Cases), Filtered: q.form != (queueForm{}),
		Resolved: resolved, Columns: queueColumns(s.scope() == 0, resolved)}
	var buf bytes.Buffer
	if err := c.pages["queue"].ExecuteTemplate(&buf, "queue_rows", v); err != nil {
		return nil, fmt.Errorf("render queue rows: %w", err)
	}
	f := liveSnapshot{Type: "queue", Rows: buf.String(), Cases: make([]liveCase, 0, len(lq.Cases.Cases)),
		Total: lq.Cases.Total, Caption: queueCaption(lq.Cases.Total, q.filter),
		Alerts: make([]liveAlert, 0, len(lq.Alerts)), At: now.UTC().Format(time.RFC3339), AtText: c.at(now).Text}
	for i, k := range lq.Cases.Cases {
		f.Cases = append(f.Cases, liveCase{ID: k.ID, Priority: k.Priority, Status: k.Status, Breached: v.Rows[i].SLA.Breached})
	}
	for _, a := range lq.Alerts {
		av := c.viewAlert(a, s.csrf)
		buf.Reset()
		if err := c.pages["queue"].ExecuteTemplate(&buf, "alert", av); err != nil {
			return nil, fmt.Errorf("render alert %d: %w", a.ID, err)
		}
		f.Alerts = append(f.Alerts, liveAlert{ID: a.ID, CaseID: a.CaseID, Kind: a.Kind, Status: av.Status,
			At: av.At.DateTime, HTML: buf.String()})
	}
	return json.Marshal(f)
}
