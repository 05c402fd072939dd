package console

import (
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact/postgres"
)

// logout handles POST /console/logout: the session ends at once.
func (c *Console) logout(w http.ResponseWriter, r *http.Request, s *session) {
	err := c.db.InTx(r.Context(), func(tx pgx.Tx) error { return postgres.EndSession(r.Context(), tx, hashToken(s.token)) })
	if err != nil {
		c.serverError(w, r, s, err)
		return
	}
	c.setCookie(w, sessionCookie, "", -1)
	c.redirect(w, r, "/console/login")
}
