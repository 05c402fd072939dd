package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/ohcontact/ohcontact"
)

// The states of a new starter's welcome (new_starters.state).
const (
	NewStarterPlanned   = "planned"
	NewStarterWelcomed  = "welcomed"
	NewStarterReminded  = "reminded"
	NewStarterReplied   = "replied"
	NewStarterWorklist  = "worklist"
	NewStarterCancelled = "cancelled"
)

// NewStarter is one new starter's welcome, as the new_starters table
// holds it. Times not yet reached are zero.
type NewStarter struct {
	ID, OrganisationID, StaffID int64
	StartsOn                    time.Time // the first day, at midnight UTC
	State                       string
	WelcomeDueAt                time.Time
	WelcomedAt, RemindedAt      time.Time
	RepliedAt, WorklistAt       time.Time
}

const newStarterColumns = `n.id, n.organisation_id, n.staff_id, n.starts_on, n.state, n.welcome_due_at,
	n.welcomed_at, n.reminded_at, n.replied_at, n.worklist_at`

func scanNewStarter(row pgx.Row, what string) (NewStarter, error) {
	var n NewStarter
	var starts pgtype.Date
	var welcomed, reminded, replied, worklist pgtype.Timestamptz
	err := row.Scan(&n.ID, &n.OrganisationID, &n.StaffID, &starts, &n.State, &n.WelcomeDueAt,
		&welcomed, &reminded, &replied, &worklist)
	if errors.Is(err, pgx.ErrNoRows) {
		return n, fmt.Errorf("%s: %w", what, ohcontact.ErrNotFound)
	}
	if err != nil {
		return n, fmt.Errorf("load %s: %w", what, err)
	}
	n.StartsOn = starts.Time
	n.WelcomedAt, n.RemindedAt, n.RepliedAt, n.WorklistAt = welcomed.Time, reminded.Time, replied.Time, worklist.Time
	return n, nil
}

// StaffStart is what planning a new starter's welcome reads of a member of
// staff.
type StaffStart struct {
	OrganisationID   int64
	OrganisationCode string
	StartsOn         time.Time // at midnight UTC; zero when HR gave none
	// Welcomed is whether a welcome has gone for any first day: a new
	// starter is welcomed once.
	Welcomed bool
}

// StaffStartOf returns member of staff staffID's first day and whether
// they have been welcomed, or ohcontact.ErrNotFound.
func StaffStartOf(ctx context.Context, q Querier, staffID int64) (StaffStart, error) {
	var s StaffStart
	var starts pgtype.Date
	err := q.QueryRow(ctx, `
		SELECT s.organisation_id, o.code, s.starts_on,
			EXISTS (SELECT 1 FROM new_starters n WHERE n.staff_id = s.id AND n.state NOT IN ('planned', 'cancelled'))
		FROM staff s JOIN organisations o ON o.id = s.organisation_id
		WHERE s.id = $1`, staffID).Scan(&s.OrganisationID, &s.OrganisationCode, &starts, &s.Welcomed)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, fmt.Errorf("staff %d: %w", staffID, ohcontact.ErrNotFound)
	}
	if err != nil {
		return s, fmt.Errorf("load first day of staff %d: %w", staffID, err)
	}
	s.StartsOn = starts.Time
	return s, nil
}

// CancelPlannedNewStarter cancels member of staff staffID's planned
// welcomes for any first day but keep (zero: all of them), at now, and
// returns how many it cancelled.
func CancelPlannedNewStarter(ctx context.Context, tx pgx.Tx, staffID int64, keep, now time.Time) (int, error) {
	tag, err := tx.Exec(ctx, `
		UPDATE new_starters SET state = 'cancelled', updated_at = $3
		WHERE staff_id = $1 AND state = 'planned' AND starts_on IS DISTINCT FROM $2`,
		staffID, pgtype.Date{Time: keep, Valid: !keep.IsZero()}, now)
	if err != nil {
		return 0, fmt.Errorf("cancel planned welcomes of staff %d: %w", staffID, err)
	}
	return int(tag.RowsAffected()), nil
}

// PlanNewStarter plans the welcome of member of staff staffID for first day
// startsOn, due at due, and returns its id, or 0 when one is already
// planned (or was cancelled) for that day.
func PlanNewStarter(ctx context.Context, tx pgx.Tx, orgID, staffID int64, startsOn, due, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `
		INSERT INTO new_starters (organisation_id, staff_id, starts_on, welcome_due_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5)
		ON CONFLICT (staff_id, starts_on) DO UPDATE SET state = 'planned', welcome_due_at = $4, updated_at = $5
			WHERE new_starters.state = 'cancelled'
		RETURNING id`, orgID, staffID, pgtype.Date{Time: startsOn, Valid: true}, due, now).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("plan welcome of staff %d: %w", staffID, err)
	}
	return id, nil
}

// LockNewStarter returns new starter id, locked until tx ends, or
// ohcontact.ErrNotFound.
func LockNewStarter(ctx context.Context, tx pgx.Tx, id int64) (NewStarter, error) {
	return scanNewStarter(tx.QueryRow(ctx, `SELECT `+newStarterColumns+` FROM new_starters n WHERE n.id = $1 FOR UPDATE`, id),
		fmt.Sprintf("new starter %d", id))
}

// SetNewStarterState moves new starter id to state at now, and records
// when: welcomed_at, reminded_at, replied_at or worklist_at (worklist_at
// is kept when already set: the first time counts).
func SetNewStarterState(ctx context.Context, tx pgx.Tx, id int64, state string, now time.Time) error {
	_, err := tx.Exec(ctx, `
		UPDATE new_starters SET state = $2, updated_at = $3,
			welcomed_at = CASE WHEN $2 = 'welcomed' THEN $3 ELSE welcomed_at END,
			reminded_at = CASE WHEN $2 = 'reminded' THEN $3 ELSE reminded_at END,
			replied_at  = CASE WHEN $2 = 'replied' THEN coalesce(replied_at, $3) ELSE replied_at END,
			worklist_at = CASE WHEN $2 = 'worklist' THEN coalesce(worklist_at, $3) ELSE worklist_at END
		WHERE id = $1`, id, state, now)
	if err != nil {
		return fmt.Errorf("mark new starter %d %s: %w", id, state, err)
	}
	return nil
}

// NewStarterPerson is whom a new starter's texts go to, as staff holds
// them now.
type NewStarterPerson struct {
	Staff            ohcontact.Staff
	StartsOn         time.Time // HR's first day now, at midnight UTC; zero when removed
	PreferredChannel string    // sms, webchat or empty
	Quiet            *ohcontact.QuietHours
	// Left is set when their record was anonymised (retention).
	Left bool
}

// NewStarterPersonOf returns member of staff staffID as a new starter's
// texts need them, or ohcontact.ErrNotFound.
func NewStarterPersonOf(ctx context.Context, q Querier, staffID int64) (NewStarterPerson, error) {
	var p NewStarterPerson
	var starts pgtype.Date
	var quietFrom, quietUntil pgtype.Time
	st := &p.Staff
	err := q.QueryRow(ctx, `
		SELECT `+staffColumns+`, s.starts_on, coalesce(s.preferred_channel, ''), s.quiet_from, s.quiet_until, `+staffLeft+`
		FROM staff s JOIN organisations o ON o.id = s.organisation_id
		WHERE s.id = $1`, staffID).Scan(&st.ID, &st.OrganisationID, &st.OrganisationCode, &st.AssignmentNumber,
		&st.FirstName, &st.Mobile, &st.Language, &st.OptedOut, &starts, &p.PreferredChannel, &quietFrom, &quietUntil, &p.Left)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, fmt.Errorf("staff %d: %w", staffID, ohcontact.ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("load new starter staff %d: %w", staffID, err)
	}
	p.StartsOn = starts.Time
	p.Quiet = quietHours(quietFrom, quietUntil)
	return p, nil
}
