package console

import (
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact/postgres"
)

// feedbackView is the staff feedback comments page.
type feedbackView struct {
	layout
	// AllOrganisations is set for a user who sees every organisation's
	// comments: the table then names each comment's organisation.
	AllOrganisations bool
	Rows             []feedbackRow
	Shown            int // the most comments shown (postgres.FeedbackCommentsShown)
}

// feedbackRow is one comment: what it was about and when, never who.
type feedbackRow struct {
	ID           int64
	Written      when
	Flow         string
	Rating       int
	Language     string
	Channel      string
	Comment      string
	Organisation string
}

// showFeedback handles GET /console/feedback: the latest comments staff
// wrote after rating a conversation (dialogs, "Staff feedback"), of the
// user's organisation (every organisation's when theirs is unset), newest
// first, with the conversation's flow, the rating and the day, and nothing
// that names the person. For everyone but the physio team (seesCases).
// Every view is audited as feedback.view with the ids shown.
func (c *Console) showFeedback(w http.ResponseWriter, r *http.Request, s *session) {
	ctx := r.Context()
	v := feedbackView{layout: newLayout("Staff feedback", s), AllOrganisations: s.scope() == 0, Shown: postgres.FeedbackCommentsShown}
	err := c.db.InTx(ctx, func(tx pgx.Tx) error {
		comments, err := postgres.ListFeedbackComments(ctx, tx, s.scope(), postgres.Actor{UserID: s.user.ID})
		for _, fc := range comments {
			v.Rows = append(v.Rows, feedbackRow{ID: fc.ID, Written: c.at(fc.CommentedAt), Flow: flowLabel(fc.Flow), Rating: fc.Rating,
				Language: languageNames[fc.Language], Channel: channelLabel(fc.Channel), Comment: strings.TrimSpace(fc.Comment),
				Organisation: fc.OrganisationName})
		}
		return err
	})
	if err != nil {
		c.serverError(w, r, s, err)
		return
	}
	c.render(w, r, http.StatusOK, "feedback", v)
}
