package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ohcontact/ohcontact"
)

// Campaign outcomes: what a member of a vaccination campaign answered.
const (
	OutcomeBooked       = "booked"        // booked (or said they have) a vaccination with OH
	OutcomeHadElsewhere = "had_elsewhere" // already vaccinated elsewhere; detail: date, where
	OutcomeDeclined     = "declined"      // does not want it; detail: reason, when given
	OutcomeQuestion     = "question"      // asked OH a question: a routine case stands behind it
)

// RecordCampaignOutcome records outcome, with its particulars detail, for
// campaign member memberID at now, and marks the member replied. A later
// outcome replaces an earlier one (a person who declined and then booked
// has booked); detail keys are merged, so a reason given after "no" joins
// the decline. It returns ohcontact.ErrNotFound when there is no such member.
func RecordCampaignOutcome(ctx context.Context, tx pgx.Tx, memberID int64, outcome string, detail map[string]string, now time.Time) error {
	if detail == nil {
		detail = map[string]string{}
	}
	d, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("record campaign outcome: %w", err)
	}
	tag, err := tx.Exec(ctx, `
		UPDATE campaign_members SET outcome = $2,
			outcome_detail = CASE WHEN outcome IS DISTINCT FROM $2 THEN $3::jsonb ELSE outcome_detail || $3::jsonb END,
			outcome_at = $4, state = 'replied', replied_at = coalesce(replied_at, $4), updated_at = $4
		WHERE id = $1`, memberID, outcome, d, now)
	if err != nil {
		return fmt.Errorf("record campaign outcome of member %d: %w", memberID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("campaign member %d: %w", memberID, ohcontact.ErrNotFound)
	}
	return nil
}
