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
	"time"

	"github.com/gorilla/websocket"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels/wsconn"
	"github.com/ohcontact/ohcontact/postgres"
)

// The limits and timings of live connections, the queue's and case pages'
// (see "Live updates" in the package doc); the rest are wsconn's.
var liveOptions = wsconn.Options{
	ReadLimit:      512, // the browser sends only control frames
	ReadBufferSize: 1024, WriteBufferSize: 16 << 10,
	// At least this long between two snapshots on one connection, and at
	// most this long from a wake-up to its snapshot.
	Coalesce: 50 * time.Millisecond,
	// At most this long between two snapshots.
	Refresh: 30 * time.Second,
}

// liveQueryWait bounds a snapshot's queries.
const liveQueryWait = 10 * time.Second

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
		lc.End(websocket.CloseGoingAway, "")
	}
}

// wakeLive wakes every live connection of this instance.
func (c *Console) wakeLive() {
	c.liveMu.Lock()
	defer c.liveMu.Unlock()
	for lc := range c.live {
		lc.Poke()
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
// wake-up and at least every liveOptions.Refresh (see writeLive), until
// either side ends the connection. Both return ErrNotFound when what they
// read is not there for s: from first, that is answered as for a page not
// found, before any upgrade; from next, it means the session has ended.
func (c *Console) runLive(w http.ResponseWriter, r *http.Request, s *session, first, next func(context.Context) ([]byte, error)) {
	if !sameOrigin(r) {
		c.log.Warn("console: live connection from another origin refused", "route", r.Pattern, "user_id", s.user.ID)
		c.forbidden(w, r, s, "Live updates open only from this site's own pages.")
		return
	}
	lc := wsconn.New(liveOptions)
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
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	// The origin is checked above, more strictly than the upgrader would.
	if lc.Upgrade(w, r) != nil {
		return // the upgrader has answered
	}
	_ = lc.Run(func([]byte) bool { return true }, func() error {
		return c.writeLive(ctx, lc, s, &frame, next)
	})
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

// writeLive writes lc's next frame, on its writer: *first the first time
// (then it is cleared), then one read with snapshot. A session that has
// ended closes the connection with 1008 (policy violation, "signed out").
// What the browser sends is dropped.
func (c *Console) writeLive(ctx context.Context, lc *wsconn.Conn, s *session, first *[]byte, snapshot func(context.Context) ([]byte, error)) error {
	frame, err := *first, error(nil)
	if *first = nil; frame == nil {
		frame, err = snapshot(ctx)
	}
	switch {
	case errors.Is(err, ohcontact.ErrNotFound):
		c.log.Info("console: live connection closed: the session has ended", "user_id", s.user.ID)
		lc.End(websocket.ClosePolicyViolation, "signed out")
		return nil
	case err != nil:
		c.log.Error("console: live snapshot", "user_id", s.user.ID, "error", err)
		return err
	}
	return lc.WriteText(frame)
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
	lq, err := postgres.LiveQueueFor(ctx, c.db.Pool, hashToken(s.token), now, s.user.ID, q.filter, *shown, q.filter.Search.Kind(), q.audited())
	if err != nil {
		return nil, err
	}
	*shown = lq.Cases.IDs()
	resolved := q.filter.Status == ohcontact.CaseResolved
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
