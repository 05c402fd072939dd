package console

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// reassignCase handles POST /console/cases/{id}/reassign: form field
// user_id, a clinician or admin who works the case's organisation.
func (c *Console) reassignCase(w http.ResponseWriter, r *http.Request, s *session) {
	to, err := strconv.ParseInt(r.PostForm.Get("user_id"), 10, 64)
	form := caseForm{ReassignTo: to}
	var refused *problem
	if err != nil || to <= 0 {
		refused = invalid("reassign-to", "Choose who to reassign the case to")
	}
	c.changeCase(w, r, s, "reassigned", form, refused, func(ctx context.Context, tx pgx.Tx, k postgres.Case, _ *ohcontact.Conversation) error {
		if err := mayAct(s, k); err != nil {
			return err
		}
		if to == k.ClaimedBy {
			return invalid("reassign-to", "The case is already claimed by "+k.ClaimedByName+": choose someone else")
		}
		err := postgres.ReassignCase(ctx, tx, k, to, s.user.ID)
		if errors.Is(err, postgres.ErrNotAssignable) {
			return invalid("reassign-to", "Choose a clinician who works for this case's organisation")
		}
		return err
	})
}
