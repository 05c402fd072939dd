package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/ohcontact/ohcontact/channels"
	"github.com/ohcontact/ohcontact/escalation"
)

// reply handles POST /console/cases/{id}/reply: form field body. In one
// transaction the reply is stored as an urgent message by the clinician
// (never held for a send window), queued on the conversation's channel,
// and recorded on the case's timeline and in the audit log. A conversation
// the bot still owns is taken over. The reply is signed as the
// organisation configures (escalation.Cases.Signature), and with its
// signature must fit channels.MaxTextRunes (422 otherwise).
func (c *Console) reply(w http.ResponseWriter, r *http.Request, s *session) {
	body := channels.CleanKeepingLines(r.PostForm.Get("body"))
	var refused *problem
	switch n := utf8.RuneCountInString(body); {
	case n == 0:
		refused = invalid("reply", "Enter your reply")
	case n > channels.MaxTextRunes:
		refused = invalid("reply", fmt.Sprintf("The reply must be %s characters or fewer: it is %s", number(channels.MaxTextRunes), number(n)))
	}
	replied := c.changeCase(w, r, s, "replied", caseForm{Reply: body}, refused,
		func(ctx context.Context, a escalation.Actor, id int64) error {
			err := c.cases.Reply(ctx, a, id, body)
			if long, ok := errors.AsType[escalation.ReplyTooLongError](err); ok {
				return invalid("reply", fmt.Sprintf("The reply must be %s characters or fewer, so that it fits with your signature: it is %s",
					number(long.Max), number(long.Length)))
			}
			return err
		})
	if replied {
		id, _ := pathID(r)
		c.log.Info("console: reply queued", "case_id", id, "user_id", s.user.ID)
	}
}
