package console

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// serveCaseLive handles GET /console/cases/{id}/live: the websocket that
// keeps a case page current (see "Live updates" in the package doc). It is
// refused as the page is: a case s may not see is not found. Opening it is
// a view of the case, audited as case.view in the transaction that reads
// the first frame; the frames that follow belong to that view.
func (c *Console) serveCaseLive(w http.ResponseWriter, r *http.Request, s *session) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, s)
		return
	}
	first := func(ctx context.Context) ([]byte, error) { return c.caseFrame(ctx, s, id, true) }
	next := func(ctx context.Context) ([]byte, error) {
		if err := c.stillSeesCases(ctx, s); err != nil {
			return nil, err
		}
		return c.caseFrame(ctx, s, id, false)
	}
	c.runLive(w, r, s, first, next)
}

// stillSeesCases returns ErrNotFound unless s's session is still valid, for
// the same user, organisation and a role that sees cases.
func (c *Console) stillSeesCases(ctx context.Context, s *session) error {
	ctx, cancel := context.WithTimeout(ctx, liveQueryWait)
	defer cancel()
	u, err := postgres.UserBySession(ctx, c.db.Pool, hashToken(s.token), c.now())
	if err != nil {
		return err
	}
	if u.ID != s.user.ID || u.OrganisationID != s.scope() || !seesCases(u) {
		return ohcontact.ErrNotFound
	}
	return nil
}

// caseLiveFrame is the frame GET /console/cases/{id}/live sends.
type caseLiveFrame struct {
	Type          string `json:"type"`   // case
	Status        string `json:"status"` // open, claimed or resolved
	ClaimedBy     int64  `json:"claimed_by"`
	StatusText    string `json:"status_text"`
	Messages      string `json:"messages"`
	Events        string `json:"events"`
	Summary       string `json:"summary"`
	MessageCount  int    `json:"message_count"`
	LastInboundID int64  `json:"last_inbound_id"`
}

// caseFrame reads case id as its page shows it to s (loadCase, audited
// when audit is set) and encodes the parts of the page that change. It
// returns ErrNotFound for a case s may not see.
func (c *Console) caseFrame(ctx context.Context, s *session, id int64, audit bool) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, liveQueryWait)
	defer cancel()
	v, err := c.loadCase(ctx, s, id, audit, false)
	if err != nil {
		return nil, err
	}
	f := caseLiveFrame{Type: "case", Status: v.Case.Status, ClaimedBy: v.Case.ClaimedBy, StatusText: v.Status,
		MessageCount: len(v.Messages), LastInboundID: v.LastInboundID}
	for _, part := range []struct {
		template string
		html     *string
	}{{"case_messages", &f.Messages}, {"case_events", &f.Events}, {"case_summary", &f.Summary}} {
		var buf bytes.Buffer
		if err := c.pages["case"].ExecuteTemplate(&buf, part.template, v); err != nil {
			return nil, fmt.Errorf("render %s of case %d: %w", part.template, id, err)
		}
		*part.html = buf.String()
	}
	return json.Marshal(f)
}
