package console

import (
	"context"
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// handBack handles POST /console/cases/{id}/hand-back: the conversation
// goes back to the automated service. The case stays as it is, to be
// resolved.
func (c *Console) handBack(w http.ResponseWriter, r *http.Request, s *session) {
	c.changeCase(w, r, s, "handed-back", caseForm{}, nil, func(ctx context.Context, tx pgx.Tx, k postgres.Case, conv *ohcontact.Conversation) error {
		if err := mayAct(s, k); err != nil {
			return err
		}
		if p := handBackAllowed(k); p != nil {
			return p
		}
		return handBackConversation(ctx, tx, k, conv, "completed", s.user.ID)
	})
}

// handBackConversation gives case k's conversation (locked in tx) back to
// the automated service by closing it with reason: the flow a clinician
// took over has ended, so the person's next message starts a new
// conversation with the bot.
func handBackConversation(ctx context.Context, tx pgx.Tx, k postgres.Case, conv *ohcontact.Conversation, reason string, actorID int64) error {
	conv.Owner, conv.Closed = ohcontact.OwnerBot, true
	if err := postgres.SaveConversation(ctx, tx, conv, reason); err != nil {
		return err
	}
	return postgres.RecordHandBack(ctx, tx, k, actorID)
}
