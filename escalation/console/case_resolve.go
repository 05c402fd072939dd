package console

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/ohcontact/ohcontact/escalation"
)

// resolveCase handles POST /console/cases/{id}/resolve: form fields outcome
// (one of outcomes' codes), note (optional) and tell ("yes": send the
// person the closing message, escalation.Cases.Resolve). A conversation still with
// clinicians is handed back in the same transaction: once the case is
// resolved nobody would read what the person writes next.
func (c *Console) resolveCase(w http.ResponseWriter, r *http.Request, s *session) {
	code, note := r.PostForm.Get("outcome"), strings.TrimSpace(r.PostForm.Get("note"))
	tell := r.PostForm.Get("tell") == "yes"
	form := caseForm{Outcome: code, ResolveNote: note, NoTell: !tell}
	refused := checkNote("resolve-note", note, false)
	if !slices.ContainsFunc(outcomes, func(o outcome) bool { return o.Code == code }) {
		refused = invalid("outcome", "Choose the outcome of the case")
	}
	c.changeCase(w, r, s, "resolved", form, refused,
		func(ctx context.Context, a escalation.Actor, id int64) error {
			return c.cases.Resolve(ctx, a, id, code, note, tell)
		})
}
