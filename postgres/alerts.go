package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
)

// CasesChannel is the NOTIFY channel that wakes the clinician consoles:
// triggers on cases and clinician_alerts (migration 0008) notify it, with
// an empty payload, when a transaction that changed either commits.
const CasesChannel = "ohcontact_cases"

// Alert is an alert for a clinician about a case, which the console shows
// them until they mark it seen or claim the case.
type Alert struct {
	ID     int64
	CaseID int64
	// Kind is sla_breached (the case passed its SLA unclaimed) or
	// follow_up_due (a follow-up set on it fell due: FollowUpDue).
	Kind string
	At   time.Time
	// FollowUpDue is when the follow-up of a follow_up_due alert was set
	// for; zero for other kinds.
	FollowUpDue time.Time
	// Where the case is now.
	Priority       ohcontact.Priority
	CaseStatus     string // open, claimed or resolved
	ClaimedByName  string
	ResolvedByName string
}

// UnseenAlerts returns the alerts of user userID that they have not marked
// seen, about cases of organisation orgScope (0: any), oldest first.
func UnseenAlerts(ctx context.Context, q Querier, orgScope, userID int64) ([]Alert, error) {
	rows, err := q.Query(ctx, unseenAlertsQuery, orgScope, userID)
	if err != nil {
		return nil, fmt.Errorf("load alerts of user %d: %w", userID, err)
	}
	return collectAlerts(rows)
}

const unseenAlertsQuery = `
	SELECT a.id, a.case_id, a.kind, a.created_at, f.due_at, c.priority, c.status,
	       coalesce(cu.display_name, ''), coalesce(ru.display_name, '')
	FROM clinician_alerts a
	JOIN cases c ON c.id = a.case_id
	LEFT JOIN case_follow_ups f ON f.id = a.follow_up_id
	LEFT JOIN users cu ON cu.id = c.claimed_by
	LEFT JOIN users ru ON ru.id = c.resolved_by
	WHERE a.user_id = $2 AND a.seen_at IS NULL AND ($1::bigint = 0 OR c.organisation_id = $1)
	ORDER BY a.id`

// collectAlerts reads the rows of unseenAlertsQuery.
func collectAlerts(rows pgx.Rows) ([]Alert, error) {
	alerts, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Alert, error) {
		var a Alert
		var due *time.Time
		err := row.Scan(&a.ID, &a.CaseID, &a.Kind, &a.At, &due, &a.Priority, &a.CaseStatus, &a.ClaimedByName, &a.ResolvedByName)
		a.FollowUpDue = deref(due)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("load alerts: %w", err)
	}
	return alerts, nil
}

// MarkAlertSeen marks alert id seen by its user, userID, writing the audit
// event alert.seen the first time. It returns ohcontact.ErrNotFound when userID has
// no such alert: another user's alerts are theirs to mark.
func MarkAlertSeen(ctx context.Context, tx pgx.Tx, id, userID int64) error {
	var orgID, caseID int64
	var first bool
	err := tx.QueryRow(ctx, `
		UPDATE clinician_alerts a SET seen_at = coalesce(was.seen_at, now())
		FROM clinician_alerts was JOIN cases c ON c.id = was.case_id
		WHERE a.id = $1 AND a.user_id = $2 AND was.id = a.id
		RETURNING c.organisation_id, a.case_id, was.seen_at IS NULL`, id, userID).Scan(&orgID, &caseID, &first)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("alert %d of user %d: %w", id, userID, ohcontact.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("mark alert %d seen: %w", id, err)
	}
	if !first {
		return nil
	}
	return Audit(ctx, tx, AuditEvent{ActorUserID: userID, Action: "alert.seen", RecordType: "clinician_alert", RecordID: id,
		OrganisationID: orgID, Details: map[string]any{"case_id": caseID}})
}

// MarkCaseAlertsSeen marks every unseen alert of user userID about case
// caseID seen: claiming a case answers them. The claim's own audit event
// records it.
func MarkCaseAlertsSeen(ctx context.Context, tx pgx.Tx, caseID, userID int64) error {
	if _, err := tx.Exec(ctx, `UPDATE clinician_alerts SET seen_at = now() WHERE case_id = $1 AND user_id = $2 AND seen_at IS NULL`,
		caseID, userID); err != nil {
		return fmt.Errorf("mark alerts of case %d seen: %w", caseID, err)
	}
	return nil
}

// LiveQueue is what the console's live queue shows one user at one moment.
type LiveQueue struct {
	Cases  CaseList // as FindCases returns it
	Alerts []Alert  // as UnseenAlerts returns them
}

// LiveQueueFor reads, in one round trip, what the console's live queue shows
// user userID, signed in with the session stored under tokenHash, who sees
// the cases of organisation f.OrgScope (0: every one): the page of cases f
// chooses, and the user's unseen alerts. It returns ohcontact.ErrNotFound when that
// session has ended by now, the account has been disabled, or the user no
// longer sees f.OrgScope: whatever shows the queue should then stop.
// Otherwise, when the page's cases are not those of shown (ids, in any
// order), it writes their case.list audit event (RecordCaseList, with
// search and filters) before it returns them; only then does it take a
// second round trip.
func LiveQueueFor(ctx context.Context, q Querier, tokenHash []byte, now time.Time, userID int64, f CaseFilter, shown []int64,
	search string, filters map[string]string) (LiveQueue, error) {
	var lq LiveQueue
	var signedIn bool
	var b pgx.Batch
	b.Queue(`
		SELECT EXISTS (SELECT 1 FROM user_sessions s JOIN users u ON u.id = s.user_id
		               WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.id = $3 AND u.disabled_at IS NULL
		                 AND coalesce(u.organisation_id, 0) = $4)`, tokenHash, now, userID, f.OrgScope).
		QueryRow(func(row pgx.Row) error { return row.Scan(&signedIn) })
	queueFindCases(&b, f, &lq.Cases)
	b.Queue(unseenAlertsQuery, f.OrgScope, userID).Query(func(rows pgx.Rows) (err error) {
		lq.Alerts, err = collectAlerts(rows)
		return err
	})
	if err := q.SendBatch(ctx, &b).Close(); err != nil {
		return LiveQueue{}, fmt.Errorf("load live queue of user %d: %w", userID, err)
	}
	if !signedIn {
		return LiveQueue{}, ohcontact.ErrNotFound
	}
	ids := lq.Cases.IDs()
	if !slices.Equal(slices.Sorted(slices.Values(ids)), slices.Sorted(slices.Values(shown))) {
		if err := RecordCaseList(ctx, q, f.OrgScope, userID, ids, search, filters); err != nil {
			return LiveQueue{}, fmt.Errorf("load live queue of user %d: %w", userID, err)
		}
	}
	return lq, nil
}
