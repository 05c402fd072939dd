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

// Why a new starter is on the OH admin team's worklist
// (new_starters.worklist_reason).
const (
	// WorklistNoReply: no reply after the reminder.
	WorklistNoReply = "no_reply"
	// WorklistAsked: they asked a question or for help in reply.
	WorklistAsked = "asked"
	// WorklistOptedOut: they opted out of texts before their questionnaire
	// came back; the OH team reaches them another way.
	WorklistOptedOut = "opted_out"
	// WorklistNoMobile: HR gave no mobile to text; the OH team reaches them
	// another way.
	WorklistNoMobile = "no_mobile"
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
// startsOn, due at due, and returns its id: a new row, or the cancelled
// one of that day planned again; 0 when one is already planned, or
// under way, for that day.
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

// SetNewStarterState moves new starter id to state (welcomed, reminded,
// replied or cancelled; PutNewStarterOnWorklist for the worklist) at now,
// and records when: welcomed_at, reminded_at or replied_at (replied_at is
// kept when already set: the first reply counts).
func SetNewStarterState(ctx context.Context, tx pgx.Tx, id int64, state string, now time.Time) error {
	_, err := tx.Exec(ctx, `
		UPDATE new_starters SET state = $2, updated_at = $3,
			welcomed_at = CASE WHEN $2 = 'welcomed' THEN $3 ELSE welcomed_at END,
			reminded_at = CASE WHEN $2 = 'reminded' THEN $3 ELSE reminded_at END,
			replied_at  = CASE WHEN $2 = 'replied' THEN coalesce(replied_at, $3) ELSE replied_at END
		WHERE id = $1`, id, state, now)
	if err != nil {
		return fmt.Errorf("mark new starter %d %s: %w", id, state, err)
	}
	return nil
}

// PutNewStarterOnWorklist puts new starter id on the OH admin team's
// worklist at now for reason (a Worklist constant). worklist_at is kept
// when already set (the first time counts); the reason is the latest,
// except that WorklistOptedOut stays: whatever they wrote since, texts
// do not reach them.
func PutNewStarterOnWorklist(ctx context.Context, tx pgx.Tx, id int64, reason string, now time.Time) error {
	_, err := tx.Exec(ctx, `
		UPDATE new_starters SET state = 'worklist', updated_at = $3, worklist_at = coalesce(worklist_at, $3),
			worklist_reason = CASE WHEN worklist_reason = 'opted_out' THEN worklist_reason ELSE $2 END
		WHERE id = $1`, id, reason, now)
	if err != nil {
		return fmt.Errorf("put new starter %d on the worklist: %w", id, err)
	}
	return nil
}

// optedOutNewStarters puts member of staff staffID's welcomes on the OH
// admin team's worklist at now, as WorklistOptedOut: every one welcomed
// (welcomed, reminded, replied or on the worklist already) whose health
// questionnaire has not come back. A welcome still planned is left to its
// job, which finds the opt-out when the welcome is due (and HR's first day
// is checked again then). SetConsent calls it when the person opts out.
func optedOutNewStarters(ctx context.Context, tx pgx.Tx, staffID int64, now time.Time) error {
	_, err := tx.Exec(ctx, `
		UPDATE new_starters SET state = 'worklist', updated_at = $2, worklist_at = coalesce(worklist_at, $2),
			worklist_reason = 'opted_out'
		WHERE staff_id = $1 AND state IN ('welcomed', 'reminded', 'replied', 'worklist') AND questionnaire_received_at IS NULL
		  AND worklist_reason IS DISTINCT FROM 'opted_out'`, staffID, now)
	if err != nil {
		return fmt.Errorf("put staff %d's welcomes on the worklist after an opt-out: %w", staffID, err)
	}
	return nil
}

// NewStarterPerson is whom a new starter's texts go to, as staff holds
// them now.
type NewStarterPerson struct {
	Staff    ohcontact.Staff
	StartsOn time.Time // HR's first day now, at midnight UTC; zero when removed
	Quiet    *ohcontact.QuietHours
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
		SELECT `+staffColumns+`, s.starts_on, s.quiet_from, s.quiet_until, `+staffLeft+`
		FROM staff s JOIN organisations o ON o.id = s.organisation_id
		WHERE s.id = $1`, staffID).Scan(&st.ID, &st.OrganisationID, &st.OrganisationCode, &st.AssignmentNumber,
		&st.FirstName, &st.Mobile, &st.Language, &st.OptedOut, &starts, &quietFrom, &quietUntil, &p.Left)
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
	// OnWorklist is set while the OH admin team must act (WorklistReason
	// says why) and clearance has not been given.
	OnWorklist bool
	// WorklistReason is why they went on the worklist (a Worklist
	// constant), empty when they never did.
	WorklistReason          string
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
		       n.starts_on, n.state, n.worklist_at IS NOT NULL AND n.clearance_given_at IS NULL, coalesce(n.worklist_reason, ''),
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
			&n.StartsOn, &n.State, &n.OnWorklist, &n.WorklistReason, &worklist, &received, &cleared)
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
