package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ohcontact/ohcontact"
)

// MaxFollowUpNote is the longest follow-up note, in characters
// (case_follow_ups.note).
const MaxFollowUpNote = 1000

// FollowUp is a follow-up set on a case: at Due, whoever holds the case
// (or the on-duty team) is alerted, unless it was cancelled or the case
// resolved by then.
type FollowUp struct {
	ID        int64
	CaseID    int64
	Due       time.Time
	Note      string
	SetByName string
	SetAt     time.Time
	// CancelledByName is empty unless it was cancelled, at CancelledAt.
	CancelledByName string
	CancelledAt     time.Time
	// AlertedAt is when it fell due and someone was alerted; zero before.
	AlertedAt time.Time
}

// Pending reports whether f still waits for its time: neither cancelled
// nor yet due.
func (f FollowUp) Pending() bool { return f.CancelledAt.IsZero() && f.AlertedAt.IsZero() }

// AddFollowUp sets a follow-up on case k (locked in tx: LockCase) for due
// with note, and writes its follow_up_set case event (with eventNote, which
// says when it is due in words) and audit event. It returns its id.
func AddFollowUp(ctx context.Context, tx pgx.Tx, k ohcontact.Case, due time.Time, note, eventNote string, actorID int64) (int64, error) {
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO case_follow_ups (case_id, due_at, note, set_by) VALUES ($1, $2, $3, $4) RETURNING id`,
		k.ID, due, note, actorID).Scan(&id); err != nil {
		return 0, fmt.Errorf("set follow-up on case %d: %w", k.ID, err)
	}
	return id, caseEvent(ctx, tx, k.ID, k.OrganisationID, actorID, "follow_up_set", eventNote,
		map[string]any{"follow_up_id": id, "due_at": due.UTC().Format(time.RFC3339)})
}

// CancelFollowUp cancels pending follow-up id of case k (locked in tx),
// with its follow_up_cancelled case event and audit event. It returns
// ohcontact.ErrNotFound when k has no such follow-up still pending.
func CancelFollowUp(ctx context.Context, tx pgx.Tx, k ohcontact.Case, id int64, eventNote string, actorID int64) error {
	tag, err := tx.Exec(ctx, `
		UPDATE case_follow_ups SET cancelled_by = $3, cancelled_at = now()
		WHERE id = $1 AND case_id = $2 AND cancelled_at IS NULL AND alerted_at IS NULL`, id, k.ID, actorID)
	if err != nil {
		return fmt.Errorf("cancel follow-up %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("follow-up %d of case %d: %w", id, k.ID, ohcontact.ErrNotFound)
	}
	return caseEvent(ctx, tx, k.ID, k.OrganisationID, actorID, "follow_up_cancelled", eventNote, map[string]any{"follow_up_id": id})
}

// FollowUps returns the follow-ups of case caseID that were not
// cancelled, soonest first.
func FollowUps(ctx context.Context, q Querier, caseID int64) ([]FollowUp, error) {
	rows, err := q.Query(ctx, `
		SELECT f.id, f.case_id, f.due_at, f.note, s.display_name, f.created_at, f.alerted_at
		FROM case_follow_ups f JOIN users s ON s.id = f.set_by
		WHERE f.case_id = $1 AND f.cancelled_at IS NULL
		ORDER BY f.due_at, f.id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("load follow-ups of case %d: %w", caseID, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (FollowUp, error) {
		var f FollowUp
		var alerted *time.Time
		err := row.Scan(&f.ID, &f.CaseID, &f.Due, &f.Note, &f.SetByName, &f.SetAt, &alerted)
		f.AlertedAt = deref(alerted)
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("load follow-ups of case %d: %w", caseID, err)
	}
	return out, nil
}

// FollowUpDue is what the follow-up job needs to know when a follow-up's
// time comes.
type FollowUpDue struct {
	ID             int64
	CaseID         int64
	OrganisationID int64
	Due            time.Time
	Cancelled      bool
	Alerted        bool
	CaseStatus     string // open, claimed or resolved
	ClaimedBy      int64  // 0 when the case is open
}

// LockFollowUp locks follow-up id and its case (the case row first, as
// LockCaseSLA does, never the conversation) and returns their state, or
// ohcontact.ErrNotFound.
func LockFollowUp(ctx context.Context, tx pgx.Tx, id int64) (FollowUpDue, error) {
	f := FollowUpDue{ID: id}
	err := tx.QueryRow(ctx, `
		SELECT c.id, c.organisation_id, c.status, coalesce(c.claimed_by, 0)
		FROM cases c JOIN case_follow_ups f ON f.case_id = c.id
		WHERE f.id = $1 FOR UPDATE OF c`, id).Scan(&f.CaseID, &f.OrganisationID, &f.CaseStatus, &f.ClaimedBy)
	if err == nil {
		err = tx.QueryRow(ctx, `
			SELECT due_at, cancelled_at IS NOT NULL, alerted_at IS NOT NULL
			FROM case_follow_ups WHERE id = $1 FOR UPDATE`, id).Scan(&f.Due, &f.Cancelled, &f.Alerted)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return f, fmt.Errorf("follow-up %d: %w", id, ohcontact.ErrNotFound)
	}
	if err != nil {
		return f, fmt.Errorf("lock follow-up %d: %w", id, err)
	}
	return f, nil
}

// FollowUpAlerted says who a follow-up's alert went to.
type FollowUpAlerted string

const (
	// AlertedClaimant: the clinician holding the case, on duty.
	AlertedClaimant FollowUpAlerted = "claimant"
	// AlertedOnDuty: the organisation's on-duty clinicians, the holder
	// being off duty (or the case unclaimed).
	AlertedOnDuty FollowUpAlerted = "on_duty"
	// AlertedEveryone: nobody who can work the case was on duty, so every
	// clinician and admin who can work it, to see when they next open the
	// queue.
	AlertedEveryone FollowUpAlerted = "everyone"
)

// followUpDueNotes say on the timeline who a follow-up's alert went to.
var followUpDueNotes = map[FollowUpAlerted]string{
	AlertedClaimant: "The clinician holding the case was alerted.",
	AlertedOnDuty:   "The clinician holding the case was off duty (or nobody held it): the on-duty clinicians were alerted.",
	AlertedEveryone: "Nobody was on duty: every clinician who can work the case was alerted, to see when they next open the queue.",
	"":              "Nobody could be alerted: no clinician can work the case.",
}

// RecordFollowUpDue records that follow-up f (locked: LockFollowUp) has
// fallen due on its unresolved case. A follow_up_due alert goes to the
// clinician holding the case if they are on duty; otherwise to every
// on-duty clinician or admin who can work the case (of its organisation,
// or of every organisation; not disabled); and if none is on duty, to
// every enabled clinician or admin who can work it, so that the alert
// waits on the queue page of whoever comes on first. It marks f alerted
// and writes a follow_up_due case event and audit event by the system,
// and returns who was alerted and how many.
func RecordFollowUpDue(ctx context.Context, tx pgx.Tx, f FollowUpDue) (FollowUpAlerted, int, error) {
	const insert = `
		INSERT INTO clinician_alerts (user_id, case_id, kind, follow_up_id)
		SELECT id, $1, 'follow_up_due', $3 FROM users
		WHERE disabled_at IS NULL AND role IN ('clinician', 'admin')
		  AND (organisation_id IS NULL OR organisation_id = $2) AND `
	tries := []struct {
		to    FollowUpAlerted
		where string
	}{
		{AlertedClaimant, `on_duty AND id = $4 ORDER BY id`},
		{AlertedOnDuty, `on_duty AND $4::bigint >= 0 ORDER BY id`},
		{AlertedEveryone, `$4::bigint >= 0 ORDER BY id`},
	}
	var to FollowUpAlerted
	var n int64
	for _, try := range tries {
		tag, err := tx.Exec(ctx, insert+try.where, f.CaseID, f.OrganisationID, f.ID, f.ClaimedBy)
		if err != nil {
			return "", 0, fmt.Errorf("alert clinicians to follow-up %d: %w", f.ID, err)
		}
		if n = tag.RowsAffected(); n > 0 {
			to = try.to
			break
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE case_follow_ups SET alerted_at = now() WHERE id = $1`, f.ID); err != nil {
		return "", 0, fmt.Errorf("mark follow-up %d alerted: %w", f.ID, err)
	}
	err := caseEvent(ctx, tx, f.CaseID, f.OrganisationID, 0, "follow_up_due", followUpDueNotes[to], map[string]any{
		"follow_up_id": f.ID, "alerted": string(to), "clinicians_alerted": n})
	return to, int(n), err
}
