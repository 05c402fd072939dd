package console_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// caseFrame is a frame of GET /console/cases/{id}/live as the browser
// reads it.
type caseFrame struct {
	Type          string `json:"type"`
	Status        string `json:"status"`
	ClaimedBy     int64  `json:"claimed_by"`
	StatusText    string `json:"status_text"`
	Messages      string `json:"messages"`
	Events        string `json:"events"`
	Summary       string `json:"summary"`
	MessageCount  int    `json:"message_count"`
	LastInboundID int64  `json:"last_inbound_id"`

	raw string
}

func (f caseFrame) kind() string { return f.Type }
func (f caseFrame) text() string { return f.raw }

// caseLive is an open case page connection.
type caseLive = liveConn[caseFrame]

// dialCaseLive opens GET /console/cases/{id}/live with b's cookies and
// the server's own Origin, changed by header.
func (b *browser) dialCaseLive(id int64, header http.Header) (*websocket.Conn, *http.Response, error) {
	return b.dialWS(fmt.Sprintf("/console/cases/%d/live", id), header)
}

// openCaseLive opens case id's live connection, failing the test unless
// it opens.
func (b *browser) openCaseLive(id int64) *caseLive {
	b.t.Helper()
	return openLiveConn(b, fmt.Sprintf("/console/cases/%d/live", id), "case", func(data []byte) (caseFrame, error) {
		f := caseFrame{raw: string(data)}
		err := json.Unmarshal(data, &f)
		return f, err
	})
}

// inbound adds a message from the person to conversation conv, as the
// runner does, and returns its id.
func (f *fixture) inbound(conv int64, body string) int64 {
	f.t.Helper()
	ctx := f.t.Context()
	var id int64
	err := f.db.InTx(ctx, func(tx pgx.Tx) error {
		c, err := postgres.LockConversation(ctx, tx, conv)
		if err != nil {
			return err
		}
		m := ohcontact.Message{Direction: ohcontact.DirectionInbound, Author: ohcontact.AuthorStaff, Body: body,
			ExternalID: fmt.Sprintf("SMlive%d", f.seq.Add(1))}
		if err := postgres.AppendMessage(ctx, tx, &c, &m); err != nil {
			return err
		}
		id = m.ID
		return postgres.SaveMessageSeq(ctx, tx, &c)
	})
	if err != nil {
		f.t.Fatalf("inbound message: %v", err)
	}
	return id
}

// pagePart returns the inside of the element of page carrying attr.
func pagePart(t *testing.T, page, attr string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<div ` + attr + `>\n(.*?)\n</div>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the case page has no %s", attr)
	}
	return m[1]
}

// TestCaseLiveFrameOnConnect checks the first frame: it is what the page
// shows, and opening the connection is audited as a view of the case,
// once however many frames follow.
func TestCaseLiveFrameOnConnect(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.listen()
	nurse := f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	tc := f.newCase(f.org, ohcontact.PriorityUrgent, 0)
	b := f.signIn("nurse@example.nhs.uk")
	path := fmt.Sprintf("/console/cases/%d", tc.id)
	_, page := b.get(path)
	for _, want := range []string{`<script src="/console/static/console.js" defer></script>`, `id="live-status" aria-live="polite"`,
		`role="status" aria-live="polite" data-case-live="` + fmt.Sprint(tc.id) + `"`, `data-case-status="open"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the case page lacks %s", want)
		}
	}

	live := b.openCaseLive(tc.id)
	fr := live.next()
	if fr.Status != "open" || fr.ClaimedBy != 0 || fr.StatusText != "Open" || fr.MessageCount != 1 || fr.LastInboundID == 0 {
		t.Errorf("first frame %s; want open, unclaimed, one message from the person", fr.raw)
	}
	if !strings.Contains(page, fmt.Sprintf(`data-last-inbound-id="%d"`, fr.LastInboundID)) ||
		!strings.Contains(fr.Messages, fmt.Sprintf(`id="message-%d"`, fr.LastInboundID)) {
		t.Errorf("the frame's last inbound message %d is not the page's, or not in its messages:\n%s", fr.LastInboundID, fr.Messages)
	}
	for _, part := range []struct{ attr, got string }{
		{"data-case-messages", fr.Messages}, {"data-case-events", fr.Events}, {"data-case-summary", fr.Summary},
	} {
		if want := pagePart(t, page, part.attr); part.got != want {
			t.Errorf("the frame's %s differ from the page's:\n%s\nwant:\n%s", part.attr, part.got, want)
		}
	}
	if !strings.Contains(fr.Messages, "i have been saving up my tablets") || !strings.Contains(fr.Events, "Case opened by the service") ||
		!strings.Contains(text(fr.Summary), "Urgent") {
		t.Errorf("the frame lacks the transcript, timeline or summary: %s", fr.raw)
	}

	// A later frame is part of the same view.
	b.post(path+"/notes", url.Values{"note": {"Tried to call, no answer."}})
	live.waitFor("the note", func(fr caseFrame) bool { return strings.Contains(fr.Events, "Tried to call, no answer.") })
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'case.view' AND actor_id = $1 AND record_id = $2`, nurse, tc.id); n != 2 {
		t.Errorf("%d case.view audit events for a page view and a live connection, want 2", n)
	}
}

// TestCaseLiveShowsChanges checks that the person's new message, another
// clinician's claim and the case's resolution reach an open case page.
func TestCaseLiveShowsChanges(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.listen()
	f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	alex := f.user("other@example.nhs.uk", "Alex Smith", ohcontact.RoleClinician, f.org)
	tc := f.newCase(f.org, ohcontact.PriorityHigh, 0)
	live := f.signIn("nurse@example.nhs.uk").openCaseLive(tc.id)
	first := live.next()

	id := f.inbound(tc.conversation, "please can someone call me")
	fr := live.waitFor("the new message", func(fr caseFrame) bool { return fr.MessageCount == 2 })
	if fr.LastInboundID != id || id <= first.LastInboundID || !strings.Contains(fr.Messages, "please can someone call me") ||
		!strings.Contains(fr.Messages, fmt.Sprintf(`id="message-%d"`, id)) {
		t.Errorf("frame after the person's message %d: %s", id, fr.raw)
	}

	other := f.signIn("other@example.nhs.uk")
	path := fmt.Sprintf("/console/cases/%d", tc.id)
	if resp, _ := other.post(path+"/claim", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("claim: status %d", resp.StatusCode)
	}
	fr = live.waitFor("the claim", func(fr caseFrame) bool { return fr.Status == "claimed" })
	if fr.ClaimedBy != alex || fr.StatusText != "Claimed by Alex Smith" || !strings.Contains(fr.Events, "Claimed by Alex Smith") {
		t.Errorf("frame after the claim: %s", fr.raw)
	}
	if resp, _ := other.post(path+"/resolve", url.Values{"outcome": {"support_arranged"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("resolve: status %d", resp.StatusCode)
	}
	fr = live.waitFor("the resolution", func(fr caseFrame) bool { return fr.Status == "resolved" })
	if !strings.Contains(text(fr.Summary), "Contacted – support arranged") {
		t.Errorf("the summary of a resolved case lacks its outcome: %s", fr.Summary)
	}
}

func TestCaseLiveRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.listen()
	f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	f.user("physio@example.nhs.uk", "Pat Physio", ohcontact.RolePhysio, f.org)
	own := f.newCase(f.org, ohcontact.PriorityUrgent, 0)
	elsewhere := f.newCase(f.otherOrg, ohcontact.PriorityUrgent, 0)
	b := f.signIn("nurse@example.nhs.uk")
	physio := f.signInPhysio("physio@example.nhs.uk")

	tests := []struct {
		name     string
		b        *browser
		id       int64
		header   http.Header
		status   int
		location string
	}{
		{"no session", f.browser(), own.id, nil, http.StatusSeeOther, "/console/login"},
		{"another organisation's case", b, elsewhere.id, nil, http.StatusNotFound, ""},
		{"no such case", b, 999999, nil, http.StatusNotFound, ""},
		{"physio user", physio, own.id, nil, http.StatusNotFound, ""},
		{"foreign origin", b, own.id, http.Header{"Origin": {"https://attacker.example"}}, http.StatusForbidden, ""},
		{"no origin", b, own.id, http.Header{"Origin": nil}, http.StatusForbidden, ""},
		{"cross-site fetch", b, own.id, http.Header{"Sec-Fetch-Site": {"cross-site"}}, http.StatusForbidden, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws, resp, err := tt.b.dialCaseLive(tt.id, tt.header)
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
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'case.view'`); n != 0 {
		t.Errorf("%d case.view audit events for refused connections, want 0", n)
	}

	t.Run("session ended", func(t *testing.T) {
		live := b.openCaseLive(own.id)
		live.next()
		if resp, _ := b.post("/console/logout", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout: status %d", resp.StatusCode)
		}
		f.inbound(own.conversation, "hello?") // a wake-up, and so a frame
		live.endedWith(websocket.ClosePolicyViolation)
	})
}

// TestCaseLiveLeavesNoGoroutines checks that a case page's connection
// ends its goroutines however it ends, as TestLiveLeavesNoGoroutines does
// for the queue's. It runs alone (not in parallel).
func TestCaseLiveLeavesNoGoroutines(t *testing.T) {
	if n := liveGoroutines(); n != 0 {
		t.Fatalf("%d live goroutines before the test", n)
	}
	f := newFixture(t, false)
	f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	tc := f.newCase(f.org, ohcontact.PriorityUrgent, 0)
	ctx, cancel := context.WithCancel(t.Context())
	ran := make(chan struct{})
	go func() { defer close(ran); f.console.Run(ctx) }()
	b := f.signIn("nurse@example.nhs.uk")

	closed, dropped, shutDown := b.openCaseLive(tc.id), b.openCaseLive(tc.id), b.openCaseLive(tc.id)
	for _, cl := range []*caseLive{closed, dropped, shutDown} {
		cl.next()
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
