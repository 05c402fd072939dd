package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// problem is a refusal the user can act on: shown on the page the form was
// on, never logged as a failure.
type problem struct {
	status int
	field  string // the input it is about; empty for the form as a whole
	msg    string
}

func (p *problem) Error() string { return p.msg }

func conflict(msg string) *problem { return &problem{status: http.StatusConflict, msg: msg} }

func invalid(field, msg string) *problem {
	return &problem{status: http.StatusUnprocessableEntity, field: field, msg: msg}
}

// mayAct returns nil when s may change case k: it is unresolved and the
// claim is theirs, or they are an admin.
func mayAct(s *session, k postgres.Case) error {
	switch {
	case k.Status == "resolved":
		return conflict("This case has been resolved, so it can no longer be changed.")
	case isAdmin(s.user) || k.ClaimedBy == s.user.ID:
		return nil
	case k.Status == "open":
		return conflict("Claim this case first.")
	}
	return conflict(fmt.Sprintf("This case is claimed by %s: only they or an admin can do that.", k.ClaimedByName))
}

// replyAllowed returns nil when case k's conversation can take a reply,
// and otherwise a problem saying why not.
func replyAllowed(k postgres.Case, outboxes map[ohcontact.Channel]Outbox) *problem {
	switch {
	case k.ConversationID == 0:
		return conflict("This case did not come from a conversation, so there is no one to reply to here.")
	case k.ConversationClosed:
		return conflict("The conversation has closed, so replies cannot be sent. Contact the person another way if you need to.")
	case k.StaffOptedOut:
		return conflict("This person has opted out of messages from the service, so replies cannot be sent. Contact them another way if you need to.")
	case outboxes[k.Channel] == nil:
		return conflict(fmt.Sprintf("Replies by %s are not available yet. Contact the person another way.", channelLabel(k.Channel)))
	}
	return nil
}

// handBackAllowed returns nil when case k's conversation is with
// clinicians, so it can be handed back to the automated service, and
// otherwise a problem saying why not.
func handBackAllowed(k postgres.Case) *problem {
	switch {
	case k.ConversationID == 0:
		return conflict("This case did not come from a conversation, so there is nothing to hand back.")
	case k.ConversationClosed:
		return conflict("The conversation has already closed.")
	case k.Owner != ohcontact.OwnerClinician:
		return conflict("The conversation is already with the automated service.")
	}
	return nil
}

// changeCase answers a form that changes case {id}. Unless the form was
// refused (refused is not nil), it locks the case and its conversation
// (LockCase) and runs change in one transaction; change checks its own
// rules and returns a *problem to refuse. It then answers as caseChanged
// does, with done and form, and reports whether the case changed.
func (c *Console) changeCase(w http.ResponseWriter, r *http.Request, s *session, done string, form caseForm, refused *problem,
	change func(ctx context.Context, tx pgx.Tx, k postgres.Case, conv *ohcontact.Conversation) error) bool {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, s)
		return false
	}
	if refused != nil {
		c.caseChanged(w, r, s, id, refused, "", form)
		return false
	}
	ctx := r.Context()
	err := c.db.InTx(ctx, func(tx pgx.Tx) error {
		k, conv, err := postgres.LockCase(ctx, tx, s.scope(), id)
		if err != nil {
			return err
		}
		return change(ctx, tx, k, &conv)
	})
	c.caseChanged(w, r, s, id, err, done, form)
	return err == nil
}

// caseChanged answers a case page form: the case page with a confirmation
// when err is nil, the page again with the problem when the change was
// refused, 404 or 500 otherwise.
func (c *Console) caseChanged(w http.ResponseWriter, r *http.Request, s *session, id int64, err error, done string, form caseForm) {
	var p *problem
	switch {
	case err == nil:
		c.redirect(w, r, fmt.Sprintf("/console/cases/%d?done=%s", id, done))
	case errors.As(err, &p):
		c.renderCase(w, r, s, id, p.status, form, []fieldError{{p.field, p.msg}})
	case errors.Is(err, postgres.ErrNotFound):
		c.notFound(w, r, s)
	default:
		c.serverError(w, r, s, fmt.Errorf("case %d: %w", id, err))
	}
}
