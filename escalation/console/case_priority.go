package console

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/escalation"
)

// setPriority handles POST /console/cases/{id}/priority: form fields
// priority (routine, high or urgent) and reason, which lowering needs
// (escalation.Cases.SetPriority). Anyone who works cases may raise one.
func (c *Console) setPriority(w http.ResponseWriter, r *http.Request, s *session) {
	p := ohcontact.Priority(r.PostForm.Get("priority"))
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	form := caseForm{Priority: string(p), PriorityReason: reason}
	var refused *problem
	switch {
	case !p.Positive():
		refused = invalid("priority", "Choose the case's priority")
	case utf8.RuneCountInString(reason) > escalation.MaxPriorityReason:
		refused = invalid("priority-reason", "The reason must be "+number(escalation.MaxPriorityReason)+" characters or fewer")
	}
	c.changeCase(w, r, s, "priority", form, refused,
		func(ctx context.Context, a escalation.Actor, id int64) error {
			err := c.cases.SetPriority(ctx, a, id, p, reason)
			if errors.As(err, new(escalation.ReasonRequiredError)) {
				return invalid("priority-reason", "Give a reason for lowering the priority")
			}
			return err
		})
}
