package console

import (
	"context"
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// releaseCase handles POST /console/cases/{id}/release: the case goes back
// to the queue, open for anyone to claim, and its SLA clock starts again.
func (c *Console) releaseCase(w http.ResponseWriter, r *http.Request, s *session) {
	c.changeCase(w, r, s, "released", caseForm{}, nil, func(ctx context.Context, tx pgx.Tx, k postgres.Case, _ *ohcontact.Conversation) error {
		if k.Status == "open" {
			return conflict("This case is not claimed, so there is nothing to release.")
		}
		if err := mayAct(s, k); err != nil {
			return err
		}
		if err := postgres.ReleaseCase(ctx, tx, k, s.user.ID); err != nil {
			return err
		}
		return c.sla.Rewatch(ctx, tx, k.ID, c.now())
	})
}
