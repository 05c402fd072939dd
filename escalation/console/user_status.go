package console

import (
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// disableUser handles POST /console/admin/users/{id}/disable: the account
// can no longer sign in and its sessions end at once.
func (c *Console) disableUser(w http.ResponseWriter, r *http.Request, s *session) {
	c.setUserDisabled(w, r, s, true)
}

// enableUser handles POST /console/admin/users/{id}/enable: a disabled
// account can sign in again, and a locked one is unlocked.
func (c *Console) enableUser(w http.ResponseWriter, r *http.Request, s *session) {
	c.setUserDisabled(w, r, s, false)
}

func (c *Console) setUserDisabled(w http.ResponseWriter, r *http.Request, s *session, disabled bool) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, s)
		return
	}
	if disabled && id == s.user.ID {
		c.renderUsers(w, r, s, http.StatusConflict, userForm{Role: ohcontact.RoleClinician, OrganisationID: s.scope()},
			[]fieldError{{"", "You cannot disable your own account. Ask another administrator."}})
		return
	}
	err := c.db.InTx(r.Context(), func(tx pgx.Tx) error {
		return postgres.SetUserDisabled(r.Context(), tx, s.scope(), id, disabled, s.user.ID)
	})
	switch {
	case err != nil:
		c.fail(w, r, s, err)
	case disabled:
		c.redirect(w, r, "/console/admin/users?done=disabled")
	default:
		c.redirect(w, r, "/console/admin/users?done=enabled")
	}
}
