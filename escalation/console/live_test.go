package console_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ohcontact/ohcontact"
)

// liveFrame is a frame of GET /console/live as the browser reads it.
type liveFrame struct {
	Type    string       `json:"type"`
	Rows    string       `json:"rows"`
	Cases   []frameCase  `json:"cases"`
	Total   int          `json:"total"`
	Caption string       `json:"caption"`
	Alerts  []frameAlert `json:"alerts"`
	At      string       `json:"at"`
	AtText  string       `json:"at_text"`

	raw     string
	arrived time.Time
}

type frameCase struct {
	ID       int64  `json:"id"`
	Priority string `json:"priority"`
	Status   string `json:"status"`
	Breached bool   `json:"breached"`
}

type frameAlert struct {
	ID     int64  `json:"id"`
	CaseID int64  `json:"case_id"`
	Kind   string `json:"kind"`
	Status string `json:"status"`
	At     string `json:"at"`
	HTML   string `json:"html"`
}

// has reports whether the snapshot lists case id, in cases and in rows.
func (f liveFrame) has(t *testing.T, id int64) bool {
	t.Helper()
	inCases := slices.ContainsFunc(f.Cases, func(c frameCase) bool { return c.ID == id })
	inRows := strings.Contains(f.Rows, fmt.Sprintf(`<tr data-case-id="%d">`, id))
	if inCases != inRows {
		t.Fatalf("case %d is in cases: %v, in rows: %v; they must agree", id, inCases, inRows)
	}
	return inCases
}

// status returns case id's status in the snapshot ("" when it is not
// there).
func (f liveFrame) status(id int64) string {
	for _, c := range f.Cases {
		if c.ID == id {
			return c.Status
		}
	}
	return ""
}

// listen runs the console's listener until the test ends.
func (f *fixture) listen() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); f.console.Run(ctx) }()
	f.t.Cleanup(func() { cancel(); <-done })
}

func (f liveFrame) kind() string { return f.Type }
func (f liveFrame) text() string { return f.raw }

// liveClient is an open GET /console/live connection.
type liveClient = liveConn[liveFrame]

// dialLive opens GET /console/live with b's cookies, sending header
// (Origin: the server's own, unless header says otherwise).
func (b *browser) dialLive(header http.Header) (*websocket.Conn, *http.Response, error) {
	return b.dialLiveQuery("", header)
}

// dialLiveQuery is dialLive with query, the queue page's query string
// ("?priority=urgent"), as the page's script sends it.
func (b *browser) dialLiveQuery(query string, header http.Header) (*websocket.Conn, *http.Response, error) {
	return b.dialWS("/console/live"+query, header)
}

// openLive opens b's live connection, failing the test unless it opens.
func (b *browser) openLive() *liveClient {
	b.t.Helper()
	return b.openLiveQuery("")
}

// openLiveQuery is openLive for the queue page with query string query.
func (b *browser) openLiveQuery(query string) *liveClient {
	b.t.Helper()
	return openLiveConn(b, "/console/live"+query, "queue", func(data []byte) (liveFrame, error) {
		f := liveFrame{raw: string(data), arrived: time.Now()}
		err := json.Unmarshal(data, &f)
		return f, err
	})
}

func TestLiveSnapshotOnConnect(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	urgent := f.newCase(f.org, ohcontact.PriorityUrgent, 20*time.Minute)
	high := f.newCase(f.org, ohcontact.PriorityHigh, time.Hour)
	if _, err := f.db.Pool.Exec(t.Context(), `UPDATE cases SET sla_due_at = now() - interval '5 minutes' WHERE id = $1`, urgent.id); err != nil {
		t.Fatal(err)
	}
	b := f.signIn("nurse@example.nhs.uk")

	s := b.openLive().next()
	if len(s.Cases) != 2 || s.Cases[0].ID != urgent.id || s.Cases[1].ID != high.id {
		t.Fatalf("cases %+v, want cases %d then %d, in the queue's order", s.Cases, urgent.id, high.id)
	}
	if c := s.Cases[0]; c.Priority != "urgent" || c.Status != "open" || !c.Breached {
		t.Errorf("overdue urgent case %+v, want urgent, open, breached", c)
	}
	if c := s.Cases[1]; c.Priority != "high" || c.Status != "open" || c.Breached {
		t.Errorf("high case within its SLA %+v, want high, open, not breached", c)
	}
	if !s.has(t, urgent.id) || !s.has(t, high.id) || !strings.Contains(text(s.Rows), "overdue by 5 min") {
		t.Errorf("rows lack the cases or the SLA countdown:\n%s", s.Rows)
	}
	if !strings.Contains(s.raw, `"alerts":[]`) {
		t.Errorf("alerts are not an empty list: %s", s.raw)
	}
	at, err := time.Parse(time.RFC3339, s.At)
	if err != nil || time.Since(at).Abs() > time.Minute || s.AtText == "" {
		t.Errorf("at %q (%q): want the time of the snapshot, RFC 3339 (%v)", s.At, s.AtText, err)
	}

	// The rows are the queue page's rows.
	_, page := b.get("/console/")
	if got, want := rowPattern.FindAllString(s.Rows, -1), rowPattern.FindAllString(page, -1); !slices.Equal(got, want) {
		t.Errorf("snapshot rows %v, page rows %v", got, want)
	}
	for _, want := range []string{`<script src="/console/static/console.js" defer></script>`, `id="live-status" aria-live="polite"`,
		`data-console-queue`, `data-console-alerts`} {
		if !strings.Contains(page, want) {
			t.Errorf("the queue page lacks %s", want)
		}
	}
	resp, js := b.get("/console/static/console.js")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") ||
		!strings.Contains(js, "/console/live") || resp.Header.Get("ETag") == "" {
		t.Errorf("console.js: status %d, type %q, ETag %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("ETag"))
	}
}

// TestLiveShowsChangesAsTheyCommit checks that a change made by another
// transaction (here, as the runner and another clinician make them) is in
// the next snapshot, and not before it commits.
func TestLiveShowsChangesAsTheyCommit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.listen()
	f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	f.user("other@example.nhs.uk", "Alex Smith", ohcontact.RoleClinician, f.org)
	b := f.signIn("nurse@example.nhs.uk")
	live := b.openLive()
	if s := live.next(); len(s.Cases) != 0 || !strings.Contains(s.Rows, "No unresolved cases.") {
		t.Fatalf("empty queue: %s", s.raw)
	}

	tc := f.newCase(f.org, ohcontact.PriorityUrgent, 0)
	live.waitFor("the new case", func(s liveFrame) bool { return s.has(t, tc.id) })

	// Not before commit.
	tx, err := f.db.Pool.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(t.Context(), `UPDATE cases SET priority = 'high' WHERE id = $1`, tc.id); err != nil {
		t.Fatal(err)
	}
	for _, s := range live.quiet(300 * time.Millisecond) {
		if s.Cases[0].Priority != "urgent" {
			t.Fatalf("an uncommitted change was shown: %+v", s.Cases)
		}
	}
	if err := tx.Rollback(t.Context()); err != nil {
		t.Fatal(err)
	}

	other := f.signIn("other@example.nhs.uk")
	if resp, _ := other.post(fmt.Sprintf("/console/cases/%d/claim", tc.id), nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("claim: status %d", resp.StatusCode)
	}
	s := live.waitFor("the claim", func(s liveFrame) bool { return s.status(tc.id) == "claimed" })
	if !strings.Contains(text(s.Rows), "Claimed by Alex Smith") {
		t.Errorf("rows do not say who claimed the case:\n%s", s.Rows)
	}
}

// TestLiveReconnectGetsCurrentState checks that a browser that was away
// gets, on reconnecting, everything that changed meanwhile.
func TestLiveReconnectGetsCurrentState(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.listen()
	f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	f.user("other@example.nhs.uk", "Alex Smith", ohcontact.RoleClinician, f.org)
	first := f.newCase(f.org, ohcontact.PriorityHigh, time.Hour)
	b := f.signIn("nurse@example.nhs.uk")
	live := b.openLive()
	if s := live.next(); s.status(first.id) != "open" {
		t.Fatalf("case %d not open in %s", first.id, s.raw)
	}
	live.close()

	// While the browser is away: a case is claimed, another opened.
	other := f.signIn("other@example.nhs.uk")
	if resp, _ := other.post(fmt.Sprintf("/console/cases/%d/claim", first.id), nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("claim: status %d", resp.StatusCode)
	}
	second := f.newCase(f.org, ohcontact.PriorityUrgent, 0)

	s := b.openLive().next()
	if s.status(first.id) != "claimed" || !s.has(t, second.id) || s.Cases[0].ID != second.id {
		t.Fatalf("after reconnecting: %+v; want case %d first, and case %d claimed", s.Cases, second.id, first.id)
	}
}

func TestLiveOrganisationScope(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.listen()
	f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	f.user("lead@example.nhs.uk", "Lee Lead", ohcontact.RoleLead, 0)
	elsewhere := f.newCase(f.otherOrg, ohcontact.PriorityUrgent, time.Hour)
	nurse := f.signIn("nurse@example.nhs.uk").openLive()
	everyOrg := f.signIn("lead@example.nhs.uk").openLive()
	var seen []liveFrame
	seen = append(seen, nurse.next())
	if s := everyOrg.next(); !s.has(t, elsewhere.id) || !strings.Contains(s.Rows, "Other Trust") {
		t.Fatalf("a user of every organisation does not see case %d with its organisation: %s", elsewhere.id, s.raw)
	}

	// Another organisation's case changes, then one of the nurse's opens.
	later := f.newCase(f.otherOrg, ohcontact.PriorityUrgent, 0)
	own := f.newCase(f.org, ohcontact.PriorityRoutine, 0)
	for {
		s := nurse.next()
		seen = append(seen, s)
		if s.has(t, own.id) {
			break
		}
	}
	seen = append(seen, nurse.quiet(200*time.Millisecond)...)
	for _, s := range seen {
		for _, id := range []int64{elsewhere.id, later.id} {
			if s.has(t, id) || strings.Contains(s.raw, "Other Trust") {
				t.Fatalf("another organisation's case %d reached an organisation's user: %s", id, s.raw)
			}
		}
	}
}

func TestLiveRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	b := f.signIn("nurse@example.nhs.uk")

	tests := []struct {
		name     string
		b        *browser
		header   http.Header
		status   int
		location string
	}{
		{"no session", f.browser(), nil, http.StatusSeeOther, "/console/login"},
		{"foreign origin", b, http.Header{"Origin": {"https://attacker.example"}}, http.StatusForbidden, ""},
		{"another port", b, http.Header{"Origin": {"http://127.0.0.1:1"}}, http.StatusForbidden, ""},
		{"no origin", b, http.Header{"Origin": nil}, http.StatusForbidden, ""},
		{"cross-site fetch", b, http.Header{"Sec-Fetch-Site": {"cross-site"}}, http.StatusForbidden, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws, resp, err := tt.b.dialLive(tt.header)
			if err == nil {
				ws.Close()
				t.Fatal("the websocket opened")
			}
			if !errors.Is(err, websocket.ErrBadHandshake) || resp == nil || resp.StatusCode != tt.status ||
				resp.Header.Get("Location") != tt.location {
				t.Fatalf("err %v, response %v; want status %d, location %q and no upgrade", err, resp, tt.status, tt.location)
			}
		})
	}

	t.Run("session ended", func(t *testing.T) {
		f.listen()
		live := b.openLive()
		live.next()
		if resp, _ := b.post("/console/logout", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout: status %d", resp.StatusCode)
		}
		f.newCase(f.org, ohcontact.PriorityUrgent, 0) // a wake-up, and so a snapshot
		live.endedWith(websocket.ClosePolicyViolation)
	})
}

// TestLiveAlerts checks that an alert written for a clinician (as the SLA
// job writes them) reaches their queue page and live connection, and
// nobody else's; that only they can mark it seen; and that marking it seen,
// or claiming its case, takes it away.
func TestLiveAlerts(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.listen()
	nurseID := f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	f.user("other@example.nhs.uk", "Alex Smith", ohcontact.RoleClinician, f.org)
	breached := f.newCase(f.org, ohcontact.PriorityUrgent, 30*time.Minute)
	b := f.signIn("nurse@example.nhs.uk")
	other := f.signIn("other@example.nhs.uk")
	live := b.openLive()
	otherLive := other.openLive()
	live.next()
	otherLive.next()

	alert := f.alert(nurseID, breached.id)
	s := live.waitFor("the alert", func(s liveFrame) bool { return len(s.Alerts) == 1 })
	a := s.Alerts[0]
	if a.ID != alert || a.CaseID != breached.id || a.Kind != "sla_breached" || a.Status != "Urgent, open" {
		t.Errorf("alert %+v", a)
	}
	for _, want := range []string{`role="alert"`, fmt.Sprintf(`data-alert-id="%d"`, alert),
		fmt.Sprintf(`<a href="/console/cases/%d">`, breached.id), fmt.Sprintf(`action="/console/alerts/%d/seen"`, alert),
		`value="` + b.csrf + `"`, fmt.Sprintf("Case %d was not claimed within its SLA", breached.id)} {
		if !strings.Contains(a.HTML, want) {
			t.Errorf("the alert's banner lacks %s:\n%s", want, a.HTML)
		}
	}
	_, page := b.get("/console/")
	if !strings.Contains(page, a.HTML) {
		t.Errorf("the queue page does not show the banner the live queue does:\n%s", page)
	}
	checkMarkup(t, "/console/ with an alert", page)
	for _, s := range otherLive.quiet(300 * time.Millisecond) {
		if len(s.Alerts) != 0 {
			t.Fatalf("another clinician got the alert: %s", s.raw)
		}
	}
	if _, page := other.get("/console/"); strings.Contains(page, "data-alert-id") {
		t.Error("another clinician's queue page shows the alert")
	}

	seen := fmt.Sprintf("/console/alerts/%d/seen", alert)
	if resp, _ := other.post(seen, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another clinician marking the alert seen: status %d, want 404", resp.StatusCode)
	}
	if resp, _ := b.send(http.MethodPost, seen, url.Values{}, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("marking seen without the CSRF token: status %d, want 403", resp.StatusCode)
	}
	resp, _ := b.post(seen, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/?done=alert-seen" {
		t.Fatalf("mark seen: status %d, location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	live.waitFor("no alert", func(s liveFrame) bool { return len(s.Alerts) == 0 })
	if _, page := b.get("/console/?done=alert-seen"); strings.Contains(page, "data-alert-id") || !strings.Contains(page, "The alert has been marked as seen.") {
		t.Error("the queue page still shows the alert, or does not confirm it was marked seen")
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'alert.seen' AND record_id = $1 AND actor_id = $2`, alert, nurseID); n != 1 {
		t.Errorf("%d alert.seen audit events, want 1", n)
	}
	b.post(seen, nil) // again: nothing more to record
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'alert.seen'`); n != 1 {
		t.Errorf("%d alert.seen audit events after marking it seen twice, want 1", n)
	}

	// Claiming the case answers the alerts about it.
	again := f.alert(nurseID, breached.id)
	live.waitFor("the second alert", func(s liveFrame) bool { return len(s.Alerts) == 1 && s.Alerts[0].ID == again })
	if resp, _ := b.post(fmt.Sprintf("/console/cases/%d/claim", breached.id), nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("claim: status %d", resp.StatusCode)
	}
	live.waitFor("no alert after the claim", func(s liveFrame) bool { return len(s.Alerts) == 0 && s.status(breached.id) == "claimed" })
}

// alert writes an SLA alert for user about case, as the SLA job does, and
// returns its id.
func (f *fixture) alert(user, caseID int64) int64 {
	f.t.Helper()
	var id int64
	err := f.db.Pool.QueryRow(f.t.Context(), `INSERT INTO clinician_alerts (user_id, case_id, kind) VALUES ($1, $2, 'sla_breached') RETURNING id`,
		user, caseID).Scan(&id)
	if err != nil {
		f.t.Fatalf("insert alert: %v", err)
	}
	return id
}

// TestLiveCoalescesBursts checks that a burst of changes costs a connection
// at most one snapshot per 50 ms, and that the last change is still shown.
func TestLiveCoalescesBursts(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.listen()
	f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	live := f.signIn("nurse@example.nhs.uk").openLive()
	start := live.next().arrived

	var last testCase
	for range 30 {
		last = f.newCase(f.org, ohcontact.PriorityRoutine, 0)
	}
	n := 0
	end := live.waitFor("the burst's last case", func(s liveFrame) bool { n++; return s.has(t, last.id) }).arrived
	if limit := int(end.Sub(start)/(50*time.Millisecond)) + 2; n > limit {
		t.Errorf("%d snapshots in %v after 30 changes, want at most %d (one per 50 ms)", n, end.Sub(start), limit)
	}
}

// TestLiveLeavesNoGoroutines checks that a live connection's goroutines
// end however it ends: closed by the browser, dropped by the network, or
// closed by the server at shutdown (when Run ends). It runs alone (not in
// parallel), so the goroutines it counts are its own.
func TestLiveLeavesNoGoroutines(t *testing.T) {
	if n := liveGoroutines(); n != 0 {
		t.Fatalf("%d live goroutines before the test", n)
	}
	f := newFixture(t, false)
	ctx, cancel := context.WithCancel(t.Context())
	ran := make(chan struct{})
	go func() { defer close(ran); f.console.Run(ctx) }()
	f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	b := f.signIn("nurse@example.nhs.uk")

	closed, dropped, shutDown := b.openLive(), b.openLive(), b.openLive()
	for _, lc := range []*liveClient{closed, dropped, shutDown} {
		lc.next()
	}
	if n := liveGoroutines(); n < 3 {
		t.Fatalf("%d live goroutines for 3 connections: the count does not see them", n)
	}
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
	if err := closed.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	closed.endedWith(websocket.CloseNormalClosure)
	_ = dropped.ws.NetConn().Close()
	cancel()
	<-ran
	shutDown.endedWith(websocket.CloseGoingAway)

	deadline := time.Now().Add(5 * time.Second)
	for liveGoroutines() != 0 {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("live goroutines left behind:\n%s", buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var liveFrames = regexp.MustCompile(`console\.\(\*Console\)\.(serveLive|runLive)|wsconn\.\(\*Conn\)\.(Run|write)|postgres\.\(\*Listener\)\.Run`)

// liveGoroutines counts the goroutines serving live connections or
// listening for their wake-ups.
func liveGoroutines() int {
	buf := make([]byte, 1<<20)
	n := 0
	for g := range strings.SplitSeq(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if liveFrames.MatchString(g) {
			n++
		}
	}
	return n
}

// TestLiveOutlivesServerTimeouts checks that the live connection keeps
// working after the HTTP server's read and write timeouts, which bound a
// request, not a websocket, have passed.
func TestLiveOutlivesServerTimeouts(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	const timeout = 200 * time.Millisecond
	srv := httptest.NewUnstartedServer(f.srv.Config.Handler)
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = timeout, timeout
	srv.Start()
	t.Cleanup(srv.Close)
	f.listen()
	f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	// Signing in (a password hash) may take longer than the timeouts; the
	// session cookie is the host's, whatever the port.
	b := f.signIn("nurse@example.nhs.uk")
	f.srv = srv
	live := b.openLive()
	live.next()

	time.Sleep(3 * timeout)
	tc := f.newCase(f.org, ohcontact.PriorityUrgent, 0)
	live.waitFor("a case opened after the timeouts", func(s liveFrame) bool { return s.has(t, tc.id) })
}
