package console

import (
	"context"
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
	code, note := r.PostForm.Get("outcome"), strings.TrimSpace(r.PostForm.Get("note"))
	form := caseForm{Outcome: code, ResolveNote: note}
	refused := checkNote("resolve-note", note, false)
	if !slices.ContainsFunc(outcomes, func(o outcome) bool { return o.Code == code }) {
		refused = invalid("outcome", "Choose the outcome of the case")
	}
	c.changeCase(w, r, s, "resolved", form, refused, func(ctx context.Context, tx pgx.Tx, k postgres.Case, conv *ohcontact.Conversation) error {
		if err := mayAct(s, k); err != nil {
			return err
		}
		if err := postgres.ResolveCase(ctx, tx, k, code, note, s.user.ID); err != nil {
			return err
		}
		if handBackAllowed(k) != nil {
			return nil // the conversation is not with clinicians
		}
		return handBackConversation(ctx, tx, k, conv, "resolved", s.user.ID)
	})
}
