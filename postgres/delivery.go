package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// OutboundSMS is an outbound text as the delivery job sees it.
type OutboundSMS struct {
	To     string // the conversation's address, E.164
	Body   string
	Status string // delivery_status
	// Organisation is the code of the organisation the text is sent for.
	Organisation string
}

// OutboundForDelivery loads outbound message id for the SMS delivery job.
// It returns ErrNotFound when there is no such outbound SMS (purged, say).
// A text queued before its person opted out is already failed (SetConsent).
func (db *DB) OutboundForDelivery(ctx context.Context, id int64) (OutboundSMS, error) {
	var m OutboundSMS
	err := db.Pool.QueryRow(ctx, `
		SELECT c.address, m.body, m.delivery_status, o.code
		FROM messages m
		JOIN conversations c ON c.id = m.conversation_id
		JOIN organisations o ON o.id = c.organisation_id
		WHERE m.id = $1 AND m.direction = 'outbound' AND m.channel = 'sms'`, id).
		Scan(&m.To, &m.Body, &m.Status, &m.Organisation)
	if errors.Is(err, pgx.ErrNoRows) {
		return m, fmt.Errorf("outbound sms %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("load outbound sms %d: %w", id, err)
	}
	return m, nil
}

// MarkSending records that a send attempt for message id is starting. A
// message found in state "sending" by a later attempt was interrupted
// between the provider call and RecordAccepted. It reports false, and
// changes nothing, when the message is no longer queued or sending (an
// opt-out failed it meanwhile): it must not be sent.
func (db *DB) MarkSending(ctx context.Context, id int64) (bool, error) {
	return markSending(ctx, db, "messages", id)
}

// RecordAccepted stores the provider's id for message id and its first
// status ("queued", "accepted" or "sent" become "sent"; "delivered" stays).
func (db *DB) RecordAccepted(ctx context.Context, id int64, externalID, status string) error {
	return recordAccepted(ctx, db, "messages", id, externalID, status)
}

// markSending and recordAccepted are MarkSending and RecordAccepted for
// the outbound texts in table, messages or on_call_texts.
func markSending(ctx context.Context, db *DB, table string, id int64) (bool, error) {
	tag, err := db.Pool.Exec(ctx, `
		UPDATE `+table+` SET delivery_status = 'sending', updated_at = now()
		WHERE id = $1 AND delivery_status IN ('queued', 'sending')`, id)
	if err != nil {
		return false, fmt.Errorf("mark %s %d sending: %w", table, id, err)
	}
	return tag.RowsAffected() == 1, nil
}

func recordAccepted(ctx context.Context, db *DB, table string, id int64, externalID, status string) error {
	if status != "delivered" {
		status = "sent"
	}
	_, err := db.Pool.Exec(ctx, `
		UPDATE `+table+` SET external_id = $2, delivery_status = $3, updated_at = now()
		WHERE id = $1 AND delivery_status IN ('queued', 'sending')`, id, externalID, status)
	if err != nil {
		return fmt.Errorf("record %s %d accepted: %w", table, id, err)
	}
	return nil
}

// RecordDeliveryFailure marks message id failed with the provider's error
// code (0 when none) and a plain reason. When optedOut is true, the person
// behind the message's conversation is recorded as opted out at now.
func (db *DB) RecordDeliveryFailure(ctx context.Context, id int64, code int, reason string, optedOut bool, now time.Time) error {
	return db.InTx(ctx, func(tx pgx.Tx) error {
		var staffID *int64
		err := tx.QueryRow(ctx, `
			UPDATE messages m SET delivery_status = 'failed', error_code = nullif($2, 0), error_reason = left($3, 200), updated_at = now()
			FROM conversations c
			WHERE m.id = $1 AND c.id = m.conversation_id
			RETURNING c.staff_id`, id, code, reason).Scan(&staffID)
		if err != nil {
			return fmt.Errorf("record message %d failed: %w", id, err)
		}
		if optedOut && staffID != nil {
			return SetConsent(ctx, tx, *staffID, true, now)
		}
		return nil
	})
}

// UpdateDeliveryStatus moves the outbound message (or on-call text) with
// provider id sid to status, never backwards (queued → sending → sent → delivered, undelivered
// or failed), and records errorCode when it is not 0. Error 21610 (the
// person replied STOP to the provider) also opts them out at now. It
// reports whether the message changed.
func (db *DB) UpdateDeliveryStatus(ctx context.Context, sid, status string, errorCode int, now time.Time) (bool, error) {
	var changed bool
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		var staffID *int64
		err := tx.QueryRow(ctx, `
			UPDATE messages m
			SET delivery_status = $2, error_code = coalesce(nullif($3, 0), m.error_code), updated_at = now()
			FROM conversations c
			WHERE m.channel = 'sms' AND m.external_id = $1 AND m.direction = 'outbound' AND c.id = m.conversation_id
			  AND delivery_rank($2) > delivery_rank(m.delivery_status)
			RETURNING c.staff_id`, sid, status, errorCode).Scan(&staffID)
		if errors.Is(err, pgx.ErrNoRows) {
			// Not a staff text: an on-call text, an unknown SID, or an
			// update that arrived out of order.
			tag, err := tx.Exec(ctx, `
				UPDATE on_call_texts SET delivery_status = $2, error_code = coalesce(nullif($3, 0), error_code), updated_at = now()
				WHERE external_id = $1 AND delivery_rank($2) > delivery_rank(delivery_status)`, sid, status, errorCode)
			changed = tag.RowsAffected() > 0
			return err
		}
		if err != nil {
			return err
		}
		changed = true
		if errorCode == 21610 && staffID != nil {
			return SetConsent(ctx, tx, *staffID, true, now)
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("update delivery status: %w", err)
	}
	return changed, nil
}
