package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
)

// The console's new starters page: its list and the OH team's two marks.

// NewStarterListed is a new starter as the console's page lists them.
type NewStarterListed struct {
	ID               int64
	OrganisationID   int64
	OrganisationName string
	StaffID          int64
	FirstName        string
	LastName         string
	JobTitle         string // empty when HR did not send one
	StartsOn         time.Time
	State            string // new_starters.state
	// OnWorklist is set while the OH admin team must act: no reply after
	// the reminder, or the person asked for help, and clearance not given.
	OnWorklist              bool
	WorklistAt              time.Time // zero when never on the worklist
	QuestionnaireReceivedAt time.Time // zero until marked
	ClearanceGivenAt        time.Time // zero until marked
}

// NewStarterListDays is how long a new starter stays on the page after
// clearance was given.
const NewStarterListDays = 30

// NewStartersToList returns organisation orgScope's new starters (0: every
// organisation's) for the OH team's page at now: every one not cancelled
// and not cleared more than NewStarterListDays days ago, of staff whose
// record is not anonymised; those on the worklist first, longest there
// first, then the others by start date, earliest first.
func NewStartersToList(ctx context.Context, q Querier, orgScope int64, now time.Time) ([]NewStarterListed, error) {
	rows, err := q.Query(ctx, `
		SELECT n.id, n.organisation_id, o.name, n.staff_id, s.first_name, s.last_name, coalesce(s.job_title, ''),
		       n.starts_on, n.state, n.worklist_at IS NOT NULL AND n.clearance_given_at IS NULL,
		       n.worklist_at, n.questionnaire_received_at, n.clearance_given_at
		FROM new_starters n
		JOIN staff s ON s.id = n.staff_id
		JOIN organisations o ON o.id = n.organisation_id
		WHERE ($1::bigint = 0 OR n.organisation_id = $1) AND n.state <> 'cancelled' AND NOT `+staffLeft+`
		  AND (n.clearance_given_at IS NULL OR n.clearance_given_at >= $2::timestamptz - make_interval(days => $3))
		ORDER BY (n.worklist_at IS NOT NULL AND n.clearance_given_at IS NULL) DESC,
		         CASE WHEN n.clearance_given_at IS NULL THEN n.worklist_at END, n.starts_on, n.id`,
		orgScope, now, NewStarterListDays)
	if err != nil {
		return nil, fmt.Errorf("list new starters: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (NewStarterListed, error) {
		var n NewStarterListed
		var worklist, received, cleared *time.Time
		err := r.Scan(&n.ID, &n.OrganisationID, &n.OrganisationName, &n.StaffID, &n.FirstName, &n.LastName, &n.JobTitle,
			&n.StartsOn, &n.State, &n.OnWorklist, &worklist, &received, &cleared)
		n.WorklistAt, n.QuestionnaireReceivedAt, n.ClearanceGivenAt = deref(worklist), deref(received), deref(cleared)
		return n, err
	})
}

// RecordNewStarterListView writes the audit event for userID having seen
// the new starters page of organisation orgScope (0: every organisation),
// which listed the new starters ids.
func RecordNewStarterListView(ctx context.Context, q Querier, orgScope, userID int64, ids []int64) error {
	return Audit(ctx, q, AuditEvent{ActorUserID: userID, Action: "new_starter.list", RecordType: "new_starter",
		OrganisationID: orgScope, Details: map[string]any{"ids": orEmpty(ids)}})
}

// Why MarkQuestionnaireReceived or MarkClearanceGiven refused; each is an
// ohcontact.ErrConflict.
var (
	ErrAlreadyMarked = fmt.Errorf("already marked: %w", ohcontact.ErrConflict)
	// ErrNotReceived: clearance is given only after the questionnaire
	// came back.
	ErrNotReceived = fmt.Errorf("questionnaire not received: %w", ohcontact.ErrConflict)
	// ErrNewStarterCancelled: HR withdrew the start or moved its date.
	ErrNewStarterCancelled = fmt.Errorf("new starter cancelled: %w", ohcontact.ErrConflict)
)

// MarkQuestionnaireReceived records that user userID received new starter
// id's health questionnaire at now, and audits it
// (new_starter.questionnaire_received). It returns ohcontact.ErrNotFound
// when there is no such new starter in organisation orgScope (0: any),
// ErrAlreadyMarked when it was recorded already and ErrNewStarterCancelled
// for a cancelled one.
func MarkQuestionnaireReceived(ctx context.Context, tx pgx.Tx, orgScope, id, userID int64, now time.Time) error {
	return markNewStarter(ctx, tx, orgScope, id, userID, now, "questionnaire_received")
}

// MarkClearanceGiven records that user userID gave new starter id
// clearance at now, and audits it (new_starter.clearance_given). It
// returns ohcontact.ErrNotFound when there is no such new starter in
// organisation orgScope (0: any), ErrNotReceived before the questionnaire
// is marked received, ErrAlreadyMarked when clearance was recorded
// already and ErrNewStarterCancelled for a cancelled one. A new starter
// cleared leaves the worklist.
func MarkClearanceGiven(ctx context.Context, tx pgx.Tx, orgScope, id, userID int64, now time.Time) error {
	return markNewStarter(ctx, tx, orgScope, id, userID, now, "clearance_given")
}

// markNewStarter sets new starter id's columns step_at and step_by (step
// questionnaire_received or clearance_given) under the row's lock.
func markNewStarter(ctx context.Context, tx pgx.Tx, orgScope, id, userID int64, now time.Time, step string) error {
	var org int64
	var state string
	var received, cleared *time.Time
	err := tx.QueryRow(ctx, `
		SELECT organisation_id, state, questionnaire_received_at, clearance_given_at FROM new_starters
		WHERE id = $1 AND ($2::bigint = 0 OR organisation_id = $2) FOR NO KEY UPDATE`, id, orgScope).
		Scan(&org, &state, &received, &cleared)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("new starter %d: %w", id, ohcontact.ErrNotFound)
	case err != nil:
		return fmt.Errorf("lock new starter %d: %w", id, err)
	case state == "cancelled":
		return fmt.Errorf("mark new starter %d %s: %w", id, step, ErrNewStarterCancelled)
	case step == "questionnaire_received" && received != nil, step == "clearance_given" && cleared != nil:
		return fmt.Errorf("mark new starter %d %s: %w", id, step, ErrAlreadyMarked)
	case step == "clearance_given" && received == nil:
		return fmt.Errorf("mark new starter %d %s: %w", id, step, ErrNotReceived)
	}
	// step is one of two constants, never input.
	if _, err := tx.Exec(ctx, `UPDATE new_starters SET `+step+`_at = $2, `+step+`_by = $3, updated_at = $2 WHERE id = $1`,
		id, now, userID); err != nil {
		return fmt.Errorf("mark new starter %d %s: %w", id, step, err)
	}
	return Audit(ctx, tx, AuditEvent{ActorUserID: userID, Action: "new_starter." + step, RecordType: "new_starter",
		RecordID: id, OrganisationID: org})
}
