package console

import (
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact/postgres"
)

// releaseCase handles POST /console/cases/{id}/release: the case goes back
// to the queue, open for anyone to claim.
func (c *Console) releaseCase(w http.ResponseWriter, r *http.Request, s *session) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, s)
		return
	}
	ctx := r.Context()
	err := c.db.InTx(ctx, func(tx pgx.Tx) error {
		k, _, err := postgres.LockCase(ctx, tx, s.scope(), id)
		if err != nil {
			return err
		}
		if k.Status == "open" {
			return conflict("This case is not claimed, so there is nothing to release.")
		}
		if err := mayAct(s, k); err != nil {
			return err
		}
		return postgres.ReleaseCase(ctx, tx, k, s.user.ID)
	})
	c.caseChanged(w, r, s, id, err, "released", caseForm{})
}
