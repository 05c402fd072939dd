package console

import (
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact/postgres"
)

// markAlertSeen handles POST /console/alerts/{id}/seen: the alert's banner
// goes, on every page and connection of its user. Only the user the alert
// is for can mark it: anyone else gets 404.
func (c *Console) markAlertSeen(w http.ResponseWriter, r *http.Request, s *session) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, s)
		return
	}
	err := c.db.InTx(r.Context(), func(tx pgx.Tx) error { return postgres.MarkAlertSeen(r.Context(), tx, id, s.user.ID) })
	switch {
	case err != nil:
		c.fail(w, r, s, err)
	default:
		c.redirect(w, r, "/console/?done=alert-seen")
	}
}
