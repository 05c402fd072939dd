package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// These record what a dialog step asked for, in the step's transaction.

// SetConsent records that staff member id opted in (optedOut false) or out
// at now. A repeat of the current choice keeps its original time. Opting
// out fails, in tx, every text still queued to the person ("not sent: the
// person opted out"), so that none queued before the opt-out is sent; a
// text the caller queues after SetConsent in tx (the confirmation of an
// opt-out Twilio does not know of) is not touched.
func SetConsent(ctx context.Context, tx pgx.Tx, staffID int64, optedOut bool, now time.Time) error {
	consent := "opted_in"
	if optedOut {
		consent = "opted_out"
	}
	tag, err := tx.Exec(ctx, `
		UPDATE staff SET consent = $2, consent_changed_at = $3, updated_at = now()
		WHERE id = $1 AND consent <> $2`, staffID, consent, now)
	if err != nil {
		return fmt.Errorf("record consent: %w", err)
	}
	if !optedOut || tag.RowsAffected() == 0 {
		return nil
	}
	_, err = tx.Exec(ctx, `
		UPDATE messages SET delivery_status = 'failed', error_reason = 'not sent: the person opted out', updated_at = now()
		WHERE conversation_id IN (SELECT c.id FROM conversations c JOIN staff s ON s.id = c.staff_id
				WHERE c.channel = 'sms' AND c.address = s.mobile AND s.id = $1)
		  AND direction = 'outbound' AND channel = 'sms' AND delivery_status = 'queued'`, staffID)
	if err != nil {
		return fmt.Errorf("cancel texts queued before an opt-out: %w", err)
	}
	return nil
}

// SetLanguage records the language staff member id chose to be written to in.
func SetLanguage(ctx context.Context, tx pgx.Tx, staffID int64, lang string) error {
	if _, err := tx.Exec(ctx, `UPDATE staff SET language = $2, updated_at = now() WHERE id = $1`, staffID, lang); err != nil {
		return fmt.Errorf("record language: %w", err)
	}
	return nil
}
