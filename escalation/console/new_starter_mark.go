package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact/postgres"
)

// newStarterMarks are the new starters page's forms, by the last part of
// their path: the mark each makes and the done key of its confirmation.
var newStarterMarks = map[string]struct {
	mark func(ctx context.Context, tx pgx.Tx, orgScope, id, userID int64, now time.Time) error
	done string
}{
	"questionnaire-received": {postgres.MarkQuestionnaireReceived, "received"},
	"clearance-given":        {postgres.MarkClearanceGiven, "cleared"},
}

// markNewStarter handles POST /console/new-starters/{id}/{action}, action
// questionnaire-received or clearance-given: it records the mark as the
// user, in the user's organisation, audited in the same transaction, and
// redirects (303) to the page with a confirmation. Each mark is made once,
// and clearance only after the questionnaire came back: a repeat (someone
// marked it meanwhile), clearance first, or a new starter HR cancelled
// shows the page again with why (409), nothing changed. Another
// organisation's new starter, or an unknown action, is not found.
func (c *Console) markNewStarter(w http.ResponseWriter, r *http.Request, s *session) {
	id, ok := pathID(r)
	m, known := newStarterMarks[r.PathValue("action")]
	if !ok || !known {
		c.notFound(w, r, s)
		return
	}
	ctx := r.Context()
	err := c.db.InTx(ctx, func(tx pgx.Tx) error { return m.mark(ctx, tx, s.scope(), id, s.user.ID, c.now()) })
	var why string
	switch {
	case err == nil:
		c.log.Info("console: new starter marked", "user_id", s.user.ID, "new_starter_id", id, "mark", m.done)
		c.redirect(w, r, "/console/new-starters?done="+m.done)
		return
	case errors.Is(err, postgres.ErrAlreadyMarked):
		why = "This was already marked, perhaps by someone else since the page was shown, so nothing was changed."
	case errors.Is(err, postgres.ErrNotReceived):
		why = "Mark the questionnaire received before giving clearance."
	case errors.Is(err, postgres.ErrNewStarterCancelled):
		why = "HR has withdrawn this start or moved its date, so nothing was changed."
	default:
		c.fail(w, r, s, fmt.Errorf("new starter %d: %w", id, err))
		return
	}
	c.renderNewStarters(w, r, s, http.StatusConflict, "", []fieldError{{"", why}})
}
