package postgres

import (
	"context"
	"fmt"
)

// AuditEvent is one row of the append-only audit log. Its actor is the API
// key ActorAPIKeyID when that is set, otherwise the user ActorUserID when
// that is set, otherwise the system (such as an import an operator ran).
type AuditEvent struct {
	ActorUserID    int64 // 0: not a user
	ActorAPIKeyID  int64 // 0: not an HR system's API key
	Action         string
	RecordType     string
	RecordID       int64 // 0 when the event is about no one record
	OrganisationID int64 // 0 when the record belongs to no one organisation
	// Details carries ids, codes, field names and counts only: never
	// names, message bodies, phone numbers, email addresses or dates of
	// absence.
	Details map[string]any
}

// Audit appends e to the audit log.
func Audit(ctx context.Context, q Querier, e AuditEvent) error {
	kind, actor := "system", (*int64)(nil)
	switch {
	case e.ActorAPIKeyID != 0:
		kind, actor = "api_key", &e.ActorAPIKeyID
	case e.ActorUserID != 0:
		kind, actor = "user", &e.ActorUserID
	}
	details := e.Details
	if details == nil {
		details = map[string]any{}
	}
	_, err := q.Exec(ctx, `
		INSERT INTO audit_events (actor_kind, actor_id, action, record_type, record_id, organisation_id, details)
		VALUES ($1, $2, $3, $4, nullif($5::bigint, 0), nullif($6::bigint, 0), $7)`,
		kind, actor, e.Action, e.RecordType, e.RecordID, e.OrganisationID, details)
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}
