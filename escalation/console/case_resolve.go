package console

import (
	"net/http"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// resolveCase handles POST /console/cases/{id}/resolve: form fields outcome
// (one of outcomes' codes) and note (optional). A conversation still with
// clinicians is handed back in the same transaction: once the case is
// resolved nobody would read what the person writes next.
func (c *Console) resolveCase(w http.ResponseWriter, r *http.Request, s *session) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, s)
		return
	}
	code, note := r.PostForm.Get("outcome"), strings.TrimSpace(r.PostForm.Get("note"))
	form := caseForm{Outcome: code, ResolveNote: note}
	if !slices.ContainsFunc(outcomes, func(o outcome) bool { return o.Code == code }) {
		c.caseChanged(w, r, s, id, invalid("outcome", "Choose the outcome of the case"), "", form)
		return
	}
	if err := checkNote("resolve-note", note, false); err != nil {
		c.caseChanged(w, r, s, id, err, "", form)
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
		if err := postgres.ResolveCase(ctx, tx, k, code, note, s.user.ID); err != nil {
			return err
		}
		if conv.ID != 0 && !conv.Closed && conv.Owner == ohcontact.OwnerClinician {
			return handBackConversation(ctx, tx, k, &conv, "resolved", s.user.ID)
		}
		return nil
	})
	c.caseChanged(w, r, s, id, err, "resolved", form)
}
