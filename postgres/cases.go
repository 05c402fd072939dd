package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
)

// NewCase is what a case is opened with.
type NewCase struct {
	OrganisationID int64
	ConversationID int64 // 0 when not from a conversation
	StaffID        int64 // 0 for an anonymous chat or an unknown number
	Priority       ohcontact.Priority
	Category       string
	Evidence       []string
	UnknownSender  bool
	SLADue         time.Time
}

// OpenOrRaiseCase opens a case, or, when the conversation already has one
// that is not resolved, adds the new evidence to it and raises its priority
// (bringing its SLA forward) if the new one is higher: one conversation,
// one open case, so a person writing several worrying messages does not
// bury clinicians in alerts. It reports the case id and whether it opened
// a new one. Opening is recorded as a case event and an audit event.
func OpenOrRaiseCase(ctx context.Context, tx pgx.Tx, nc NewCase) (int64, bool, error) {
	if !nc.Priority.Positive() {
		return 0, false, errors.New("open case: priority must be routine, high or urgent")
	}
	evidence, err := json.Marshal(nc.Evidence)
	if err != nil {
		return 0, false, err
	}
	var id int64
	if nc.ConversationID != 0 {
		err := tx.QueryRow(ctx, `
			UPDATE cases SET
				evidence = evidence || $2::jsonb,
				priority = CASE WHEN priority_rank($3) > priority_rank(priority) THEN $3 ELSE priority END,
				category = CASE WHEN priority_rank($3) > priority_rank(priority) THEN $4 ELSE category END,
				sla_due_at = least(sla_due_at, $5),
				updated_at = now()
			WHERE id = (SELECT id FROM cases WHERE conversation_id = $1 AND status <> 'resolved'
			            ORDER BY id DESC LIMIT 1 FOR UPDATE)
			RETURNING id`, nc.ConversationID, evidence, nc.Priority, nc.Category, nc.SLADue).Scan(&id)
		if err == nil {
			return id, false, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return 0, false, fmt.Errorf("raise case: %w", err)
		}
	}
	err = tx.QueryRow(ctx, `
		WITH c AS (
			INSERT INTO cases (organisation_id, conversation_id, staff_id, priority, category, evidence, unknown_sender, sla_due_at)
			VALUES ($1, nullif($2, 0), nullif($3, 0), $4, $5, $6, $7, $8)
			RETURNING id, organisation_id),
		e AS (INSERT INTO case_events (case_id, kind) SELECT id, 'opened' FROM c)
		INSERT INTO audit_events (actor_kind, action, record_type, record_id, organisation_id, details)
		SELECT 'system', 'case.opened', 'case', id, organisation_id, jsonb_build_object('priority', $4::text, 'category', $5::text) FROM c
		RETURNING record_id`,
		nc.OrganisationID, nc.ConversationID, nc.StaffID, nc.Priority, nc.Category, evidence, nc.UnknownSender, nc.SLADue).Scan(&id)
	if err != nil {
		return 0, false, fmt.Errorf("open case: %w", err)
	}
	return id, true, nil
}
