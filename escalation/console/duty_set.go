package console

import (
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact/postgres"
)

// setDuty handles POST /console/duty: form field on_duty, true to start
// duty and false to end it. On duty, a clinician is alerted when a case of
// their organisation passes its SLA unclaimed.
func (c *Console) setDuty(w http.ResponseWriter, r *http.Request, s *session) {
	var onDuty bool
	switch r.PostForm.Get("on_duty") {
	case "true":
		onDuty = true
	case "false":
	default:
		c.renderQueue(w, r, s, http.StatusUnprocessableEntity, []fieldError{{"", "Choose to start or to end your duty."}})
		return
	}
	err := c.db.InTx(r.Context(), func(tx pgx.Tx) error { return postgres.SetOnDuty(r.Context(), tx, s.user.ID, onDuty) })
	switch {
	case err != nil:
		c.serverError(w, r, s, err)
	case onDuty:
		c.redirect(w, r, "/console/?done=duty-started")
	default:
		c.redirect(w, r, "/console/?done=duty-ended")
	}
}
