package console

import (
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact/postgres"
)

// unlockUser handles POST /console/admin/users/{id}/unlock: an account
// locked after failed sign-ins can sign in again at once, and its count of
// failures starts again. It is audited as user.unlocked. An account of
// another organisation than the admin's is not found.
func (c *Console) unlockUser(w http.ResponseWriter, r *http.Request, s *session) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, s)
		return
	}
	err := c.db.InTx(r.Context(), func(tx pgx.Tx) error {
		return postgres.UnlockUser(r.Context(), tx, s.scope(), id, s.user.ID)
	})
	switch {
	case err != nil:
		c.fail(w, r, s, err)
	default:
		c.log.Info("console: account unlocked", "user_id", id, "by_user_id", s.user.ID)
		c.redirect(w, r, "/console/admin/users?done=unlocked")
	}
}
