package escalation

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// Escalator opens cases when a person must be brought in.
type Escalator struct {
	SLA SLA
	// Location is the time zone working days are counted in.
	Location *time.Location
}

// Escalate opens a case for conv with risk's priority, category and
// evidence, in tx, or raises the conversation's open case. It returns the
// case id.
func (e *Escalator) Escalate(ctx context.Context, tx pgx.Tx, conv ohcontact.Conversation, risk ohcontact.RiskResult, now time.Time) (int64, error) {
	id, _, err := postgres.OpenOrRaiseCase(ctx, tx, postgres.NewCase{
		OrganisationID: conv.OrganisationID,
		ConversationID: conv.ID,
		StaffID:        conv.StaffID,
		Priority:       risk.Priority,
		Category:       risk.Category,
		Evidence:       risk.Evidence,
		UnknownSender:  conv.StaffID == 0,
		SLADue:         e.SLA.Due(risk.Priority, now, e.Location),
	})
	return id, err
}
