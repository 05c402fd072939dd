package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
)

// CaseSLA is what the SLA clock of a case needs to know about it.
type CaseSLA struct {
	ID             int64
	OrganisationID int64
	Priority       ohcontact.Priority
	Status         string // open, claimed or resolved
	SLADue         time.Time
	BreachCount    int
}

// LockCaseSLA locks case id and returns its SLA state, or ErrNotFound.
// It locks the case row only, never its conversation, so it cannot
// deadlock with a step that holds the conversation and raises the case.
func LockCaseSLA(ctx context.Context, tx pgx.Tx, id int64) (CaseSLA, error) {
	c := CaseSLA{ID: id}
	err := tx.QueryRow(ctx, `
		SELECT organisation_id, priority, status, sla_due_at, breach_count
		FROM cases WHERE id = $1 FOR UPDATE`, id).
		Scan(&c.OrganisationID, &c.Priority, &c.Status, &c.SLADue, &c.BreachCount)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("case %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("lock case %d: %w", id, err)
	}
	return c, nil
}

// RecordSLABreach records that open case c has passed its SLA unclaimed:
// its breach count goes up, an sla_breached case event and audit event
// are written, and every on-duty clinician or administrator who can work
// the case (of its organisation, or of every organisation; not disabled)
// gets a clinician alert. It returns how many were alerted. The caller
// holds c locked (LockCaseSLA).
func RecordSLABreach(ctx context.Context, tx pgx.Tx, c CaseSLA) (alerted int, err error) {
	if _, err := tx.Exec(ctx, `UPDATE cases SET breach_count = breach_count + 1, updated_at = now() WHERE id = $1`, c.ID); err != nil {
		return 0, fmt.Errorf("count breach of case %d: %w", c.ID, err)
	}
	tag, err := tx.Exec(ctx, `
		INSERT INTO clinician_alerts (user_id, case_id, kind)
		SELECT id, $1, 'sla_breached' FROM users
		WHERE on_duty AND disabled_at IS NULL AND role IN ('clinician', 'admin')
		  AND (organisation_id IS NULL OR organisation_id = $2)
		ORDER BY id`, c.ID, c.OrganisationID)
	if err != nil {
		return 0, fmt.Errorf("alert clinicians to case %d: %w", c.ID, err)
	}
	alerted = int(tag.RowsAffected())
	err = caseEvent(ctx, tx, c.ID, c.OrganisationID, 0, "sla_breached", "", map[string]any{
		"breach": c.BreachCount + 1, "priority": string(c.Priority), "clinicians_alerted": alerted})
	return alerted, err
}

// QueueOnCallText stores a text to an organisation's on-call number about
// case caseID and returns its id; the caller queues its delivery in tx.
// body must carry no personal data.
func QueueOnCallText(ctx context.Context, tx pgx.Tx, orgID, caseID int64, mobile, body string) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `
		INSERT INTO on_call_texts (organisation_id, case_id, mobile, body) VALUES ($1, $2, $3, $4) RETURNING id`,
		orgID, caseID, mobile, body).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("queue on-call text for case %d: %w", caseID, err)
	}
	return id, nil
}

// OnCallTexts is the on_call_texts table as the SMS delivery job sees it:
// the same four steps as a staff text (load, mark sending, record the
// provider's id or the failure), for a text that belongs to no
// conversation.
type OnCallTexts struct{ DB *DB }

// OutboundForDelivery loads on-call text id, or returns ErrNotFound.
func (o OnCallTexts) OutboundForDelivery(ctx context.Context, id int64) (OutboundSMS, error) {
	var m OutboundSMS
	err := o.DB.Pool.QueryRow(ctx, `SELECT mobile, body, delivery_status FROM on_call_texts WHERE id = $1`, id).
		Scan(&m.To, &m.Body, &m.Status)
	if errors.Is(err, pgx.ErrNoRows) {
		return m, fmt.Errorf("on-call text %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("load on-call text %d: %w", id, err)
	}
	return m, nil
}

// MarkSending records that a send attempt for on-call text id is starting.
func (o OnCallTexts) MarkSending(ctx context.Context, id int64) error {
	return markSending(ctx, o.DB, "on_call_texts", id)
}

// RecordAccepted stores the provider's id for on-call text id, as
// DB.RecordAccepted does for a staff text.
func (o OnCallTexts) RecordAccepted(ctx context.Context, id int64, externalID, status string) error {
	return recordAccepted(ctx, o.DB, "on_call_texts", id, externalID, status)
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
