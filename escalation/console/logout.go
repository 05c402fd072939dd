package console

import (
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact/postgres"
)

// logout handles POST /console/logout: the session ends at once, and so
// does the user's duty, so that nobody who has left is counted on to see
// SLA alerts. The answer deletes the session and pre-session cookies
// (Max-Age=0, under the names they were set with: __Host- prefixed when
// cookies are Secure).
func (c *Console) logout(w http.ResponseWriter, r *http.Request, s *session) {
	err := c.db.InTx(r.Context(), func(tx pgx.Tx) error {
		if err := postgres.EndSession(r.Context(), tx, hashToken(s.token)); err != nil {
			return err
		}
		return postgres.SetOnDuty(r.Context(), tx, s.user.ID, false)
	})
	if err != nil {
		c.serverError(w, r, s, err)
		return
	}
	c.setCookie(w, sessionCookie, "", -1)
	c.setCookie(w, loginCookie, "", -1)
	c.redirect(w, r, "/console/login")
}
