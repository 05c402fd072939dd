package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ohcontact/ohcontact"
)

// OnCallText is a text to an organisation's on-call number about one case
// or one referral (the other id 0). Body must carry no personal data.
type OnCallText struct {
	OrganisationID int64
	CaseID         int64
	ReferralID     int64
	Mobile         string
	Body           string
}

// QueueOnCallText stores t and returns its id; the caller queues its
// delivery in tx.
func QueueOnCallText(ctx context.Context, tx pgx.Tx, t OnCallText) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `
		INSERT INTO on_call_texts (organisation_id, case_id, referral_id, mobile, body)
		VALUES ($1, nullif($2::bigint, 0), nullif($3::bigint, 0), $4, $5) RETURNING id`,
		t.OrganisationID, t.CaseID, t.ReferralID, t.Mobile, t.Body).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("queue on-call text (case %d, referral %d): %w", t.CaseID, t.ReferralID, err)
	}
	return id, nil
}

// OnCallTexts is the on_call_texts table as the SMS delivery job sees it:
// the same four steps as a staff text (load, mark sending, record the
// provider's id or the failure), for a text that belongs to no
// conversation.
type OnCallTexts struct{ DB *DB }

// OutboundForDelivery loads on-call text id, or returns ohcontact.ErrNotFound.
func (o OnCallTexts) OutboundForDelivery(ctx context.Context, id int64) (OutboundSMS, error) {
	var m OutboundSMS
	err := o.DB.Pool.QueryRow(ctx, `SELECT t.mobile, t.body, t.delivery_status, o.code
		FROM on_call_texts t JOIN organisations o ON o.id = t.organisation_id WHERE t.id = $1`, id).
		Scan(&m.To, &m.Body, &m.Status, &m.Organisation)
	if errors.Is(err, pgx.ErrNoRows) {
		return m, fmt.Errorf("on-call text %d: %w", id, ohcontact.ErrNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("load on-call text %d: %w", id, err)
	}
	return m, nil
}

// MarkSending records that a send attempt for on-call text id is starting,
// as MarkSending does for a staff text.
func (o OnCallTexts) MarkSending(ctx context.Context, id int64) (bool, error) {
	return markSending(ctx, o.DB.Pool, "on_call_texts", id)
}

// RecordAccepted stores the provider's id for on-call text id, as
// RecordAccepted does for a staff text.
func (o OnCallTexts) RecordAccepted(ctx context.Context, id int64, externalID, status string) error {
	return recordAccepted(ctx, o.DB.Pool, "on_call_texts", id, externalID, status)
}

// RecordDeliveryFailure marks on-call text id failed with the provider's
// error code (0 when none) and a plain reason. An on-call number has no
// consent to withdraw, so optedOut changes nothing else.
func (o OnCallTexts) RecordDeliveryFailure(ctx context.Context, id int64, code int, reason string, _ bool, _ time.Time) error {
	_, err := o.DB.Pool.Exec(ctx, `
		UPDATE on_call_texts SET delivery_status = 'failed', error_code = nullif($2, 0), error_reason = left($3, 200), updated_at = now()
		WHERE id = $1`, id, code, reason)
	if err != nil {
		return fmt.Errorf("record on-call text %d failed: %w", id, err)
	}
	return nil
}
