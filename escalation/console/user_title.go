package console

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/postgres"
)

// setUserTitle handles POST /console/admin/users/{id}/title: form field
// job_title, the title the account's signed replies carry (ValidJobTitle;
// empty for its role's default), refused with 422 otherwise. It is audited
// as user.job_title_changed. An account of another organisation than the
// admin's is not found.
func (c *Console) setUserTitle(w http.ResponseWriter, r *http.Request, s *session) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, s)
		return
	}
	title := strings.TrimSpace(r.PostForm.Get("job_title"))
	if !ValidJobTitle(title) {
		c.renderUsers(w, r, s, http.StatusUnprocessableEntity, userForm{Role: ohcontact.RoleClinician, OrganisationID: s.scope()},
			[]fieldError{{fmt.Sprintf("job-title-%d", id), fmt.Sprintf("Enter a job title of %d characters or fewer, on one line", escalation.MaxJobTitle)}})
		return
	}
	err := c.db.InTx(r.Context(), func(tx pgx.Tx) error {
		return postgres.SetUserJobTitle(r.Context(), tx, s.scope(), id, title, s.user.ID)
	})
	switch {
	case err != nil:
		c.fail(w, r, s, err)
	default:
		c.redirect(w, r, "/console/admin/users?done=title")
	}
}
