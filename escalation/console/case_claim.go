package console

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact/postgres"
)

// claimCase handles POST /console/cases/{id}/claim. Of two clinicians
// claiming at once, one wins; the other is told who has the case. The
// winner's alerts about the case are answered, so marked seen.
func (c *Console) claimCase(w http.ResponseWriter, r *http.Request, s *session) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, s)
		return
	}
	err := c.db.InTx(r.Context(), func(tx pgx.Tx) error {
		if err := postgres.ClaimCase(r.Context(), tx, s.scope(), id, s.user.ID); err != nil {
			return err
		}
		return postgres.MarkCaseAlertsSeen(r.Context(), tx, id, s.user.ID)
	})
	if claimed, ok := errors.AsType[*postgres.ClaimedError](err); ok {
		err = conflict(fmt.Sprintf("Case already %s by %s at %s.", claimed.Status, claimed.ByName, c.at(claimed.At).Text))
	}
	c.caseChanged(w, r, s, id, err, "claimed", caseForm{})
}
