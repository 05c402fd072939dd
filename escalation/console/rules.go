package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/ohcontact/ohcontact/escalation"
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

// changeCase answers a form that changes case {id}: unless the form was
// refused (refused is not nil), it makes the change by calling change (a
// method of escalation.Cases) as s's user. It then answers as caseChanged
// does, with done and form, and reports whether the case changed.
func (c *Console) changeCase(w http.ResponseWriter, r *http.Request, s *session, done string, form caseForm, refused *problem,
	change func(ctx context.Context, a escalation.Actor, id int64) error) bool {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, s)
		return false
	}
	if refused != nil {
		c.caseChanged(w, r, s, id, refused, "", form)
		return false
	}
	err := change(r.Context(), s.actor(), id)
	c.caseChanged(w, r, s, id, err, done, form)
	return err == nil
}

// caseChanged answers a case page form: the case page with a confirmation
// when err is nil, the page again with the problem when the change was
// refused, 404 or 500 otherwise.
func (c *Console) caseChanged(w http.ResponseWriter, r *http.Request, s *session, id int64, err error, done string, form caseForm) {
	switch p := c.refusal(err); {
	case err == nil:
		c.redirect(w, r, fmt.Sprintf("/console/cases/%d?done=%s", id, done))
	case p != nil:
		c.renderCase(w, r, s, id, p.status, form, []fieldError{{p.field, p.msg}})
	default:
		c.fail(w, r, s, err)
	}
}

// refusal returns the problem to show for err when it refuses a change to
// a case (a problem with the form, or a refusal of escalation.Cases), and
// nil otherwise.
func (c *Console) refusal(err error) *problem {
	if p, ok := errors.AsType[*problem](err); ok {
		return p
	}
	if e, ok := errors.AsType[*escalation.ConflictError](err); ok {
		return conflict(e.Reason)
	}
	if e, ok := errors.AsType[*escalation.AssigneeError](err); ok {
		return invalid("reassign-to", e.Reason)
	}
	if e, ok := errors.AsType[*postgres.ClaimedError](err); ok {
		return conflict(fmt.Sprintf("Case already %s by %s at %s.", e.Status, e.ByName, c.at(e.At).Text))
	}
	return nil
}
