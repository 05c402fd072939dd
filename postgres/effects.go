package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// These record what a dialog step asked for, in the step's transaction.

// SetConsent records that staff member id opted in (optedOut false) or out
// at now. A repeat of the current choice keeps its original time.
func SetConsent(ctx context.Context, tx pgx.Tx, staffID int64, optedOut bool, now time.Time) error {
	consent := "opted_in"
	if optedOut {
		consent = "opted_out"
	}
	_, err := tx.Exec(ctx, `
		UPDATE staff SET consent = $2, consent_changed_at = $3, updated_at = now()
		WHERE id = $1 AND consent <> $2`, staffID, consent, now)
	if err != nil {
		return fmt.Errorf("record consent: %w", err)
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
