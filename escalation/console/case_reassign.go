package console

import (
	"context"
	"net/http"
	"strconv"

	"github.com/ohcontact/ohcontact/escalation"
)

// reassignCase handles POST /console/cases/{id}/reassign: form field
// user_id, a clinician or admin who works the case's organisation.
func (c *Console) reassignCase(w http.ResponseWriter, r *http.Request, s *session) {
	to, err := strconv.ParseInt(r.PostForm.Get("user_id"), 10, 64)
	var refused *problem
	if err != nil || to <= 0 {
		refused = invalid("reassign-to", "Choose who to reassign the case to")
	}
	c.changeCase(w, r, s, "reassigned", caseForm{ReassignTo: to}, refused,
		func(ctx context.Context, a escalation.Actor, id int64) error { return c.cases.Reassign(ctx, a, id, to) })
}
