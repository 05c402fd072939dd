package console

import (
	"fmt"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"golang.org/x/text/unicode/norm"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// reply handles POST /console/cases/{id}/reply: form field body. In one
// transaction the reply is stored as an urgent message by the clinician
// (never held for a send window), queued on the conversation's channel,
// and recorded on the case's timeline and in the audit log. A conversation
// the bot still owns is taken over.
func (c *Console) reply(w http.ResponseWriter, r *http.Request, s *session) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, s)
		return
	}
	body := cleanReply(r.PostForm.Get("body"))
	form := caseForm{Reply: body}
	switch n := utf8.RuneCountInString(body); {
	case n == 0:
		c.caseChanged(w, r, s, id, invalid("reply", "Enter your reply"), "", form)
		return
	case n > maxReply:
		c.caseChanged(w, r, s, id, invalid("reply", fmt.Sprintf("The reply must be %d characters or fewer: it is %d", maxReply, n)), "", form)
		return
	}
	ctx := r.Context()
	err := c.db.InTx(ctx, func(tx pgx.Tx) error {
		k, conv, err := postgres.LockCase(ctx, tx, s.scope(), id)
		if err != nil {
			return err
		}
		if err := mayAct(s, k); err != nil {
			return err
		}
		if err := replyAllowed(k, c.outboxes); err != nil {
			return err
		}
		m := ohcontact.Message{Direction: ohcontact.DirectionOutbound, Author: ohcontact.AuthorClinician,
			AuthorUserID: s.user.ID, Body: body, Urgent: true}
		if err := postgres.AppendMessage(ctx, tx, &conv, &m); err != nil {
			return err
		}
		if err := c.outboxes[conv.Channel].Queue(ctx, tx, m); err != nil {
			return err
		}
		conv.Owner = ohcontact.OwnerClinician
		if err := postgres.SaveConversation(ctx, tx, &conv, ""); err != nil {
			return err
		}
		return postgres.RecordReply(ctx, tx, k, m.ID, s.user.ID)
	})
	if err == nil {
		c.log.Info("console: reply queued", "case_id", id, "user_id", s.user.ID)
	}
	c.caseChanged(w, r, s, id, err, "replied", form)
}

// cleanReply returns s as it may be sent: valid UTF-8 in NFC, line breaks
// kept as \n, other control and invisible format characters removed (but
// the joiners emoji are built with), surrounding space trimmed.
func cleanReply(s string) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\r\n", "\n")
	s = norm.NFC.String(s)
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\u200d' || r == '\ufe0f':
			return r
		case r == '\t' || r == '\r':
			return ' '
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, s))
}
