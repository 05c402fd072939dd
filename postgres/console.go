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

// The clinician console's queries. Every one that reads or changes a case
// takes orgScope, the organisation the signed-in user works for (0: every
// organisation), and treats a case of another organisation as not found.
// Every change writes its case event and audit event in the caller's
// transaction.

// ErrNotAssignable is returned by ReassignCase when the user asked for
// cannot work the case: disabled, a lead, or of another organisation.
var ErrNotAssignable = errors.New("user cannot be assigned this case")

// ClaimedError is returned by ClaimCase when the case is no longer open:
// another user claimed it first, or it was resolved.
type ClaimedError struct {
	Status string // claimed or resolved
	ByName string // who claimed or resolved it
	At     time.Time
}

func (e *ClaimedError) Error() string { return "case is already " + e.Status }

// QueueCase is an unresolved case as the console's queue lists it.
type QueueCase struct {
	ID               int64
	OrganisationName string
	Priority         ohcontact.Priority
	Category         string
	UnknownSender    bool
	Channel          ohcontact.Channel // empty when the case has no conversation
	Status           string            // open or claimed
	ClaimedByName    string
	ClaimedAt        time.Time
	SLADue           time.Time
	CreatedAt        time.Time
}

// Queue returns the unresolved cases of organisation orgScope (of every
// organisation when it is 0): urgent first, then high, then routine, and
// the oldest first within a priority.
func Queue(ctx context.Context, q Querier, orgScope int64) ([]QueueCase, error) {
	rows, err := q.Query(ctx, queueQuery, orgScope)
	if err != nil {
		return nil, fmt.Errorf("load case queue: %w", err)
	}
	return collectQueue(rows)
}

const queueQuery = `
	SELECT c.id, o.name, c.priority, c.category, c.unknown_sender, coalesce(v.channel, ''), c.status,
	       coalesce(u.display_name, ''), c.claimed_at, c.sla_due_at, c.created_at
	FROM cases c
	JOIN organisations o ON o.id = c.organisation_id
	LEFT JOIN conversations v ON v.id = c.conversation_id
	LEFT JOIN users u ON u.id = c.claimed_by
	WHERE c.status <> 'resolved' AND ($1::bigint = 0 OR c.organisation_id = $1)
	ORDER BY priority_rank(c.priority) DESC, c.created_at, c.id`

// collectQueue reads the rows of queueQuery.
func collectQueue(rows pgx.Rows) ([]QueueCase, error) {
	cases, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (QueueCase, error) {
		var c QueueCase
		var claimedAt *time.Time
		err := row.Scan(&c.ID, &c.OrganisationName, &c.Priority, &c.Category, &c.UnknownSender, &c.Channel, &c.Status,
			&c.ClaimedByName, &claimedAt, &c.SLADue, &c.CreatedAt)
		c.ClaimedAt = deref(claimedAt)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("load case queue: %w", err)
	}
	return cases, nil
}

// Case is a case with everything the console's case page shows about it
// and the person it is about.
type Case struct {
	ID               int64
	OrganisationID   int64
	OrganisationName string
	Priority         ohcontact.Priority
	Category         string
	Evidence         []string
	UnknownSender    bool
	Status           string // open, claimed or resolved
	ClaimedBy        int64  // 0 when open
	ClaimedByName    string
	ClaimedAt        time.Time
	SLADue           time.Time
	CreatedAt        time.Time
	Outcome          string
	ResolvedByName   string
	ResolvedAt       time.Time

	// The member of staff, when known.
	StaffFirstName   string
	AssignmentNumber string
	StaffOptedOut    bool

	// The conversation, when the case came from one (ConversationID 0
	// otherwise).
	ConversationID     int64
	Channel            ohcontact.Channel
	Owner              ohcontact.Owner
	ConversationClosed bool
	// Verified is set once the person has confirmed who they are in the
	// conversation.
	Verified bool
	// NumberEnding is the last three digits of the number an SMS
	// conversation's replies go to; the whole number never leaves the
	// database for the console.
	NumberEnding string
}

const caseQuery = `
	SELECT c.id, c.organisation_id, o.name, c.priority, c.category, c.evidence, c.unknown_sender, c.status,
	       coalesce(c.claimed_by, 0), coalesce(cu.display_name, ''), c.claimed_at, c.sla_due_at, c.created_at,
	       coalesce(c.outcome, ''), coalesce(ru.display_name, ''), c.resolved_at,
	       coalesce(s.first_name, ''), coalesce(s.assignment_number, ''), coalesce(s.consent = 'opted_out', false),
	       coalesce(v.id, 0), coalesce(v.channel, ''), coalesce(v.owner, ''), coalesce(v.status = 'closed', false),
	       coalesce(v.data->>'verified' = 'true', false),
	       CASE WHEN v.channel = 'sms' AND v.address <> '` + PurgedAddress + `' THEN right(v.address, 3) ELSE '' END
	FROM cases c
	JOIN organisations o ON o.id = c.organisation_id
	LEFT JOIN users cu ON cu.id = c.claimed_by
	LEFT JOIN users ru ON ru.id = c.resolved_by
	LEFT JOIN staff s ON s.id = c.staff_id
	LEFT JOIN conversations v ON v.id = c.conversation_id
	WHERE c.id = $1 AND ($2::bigint = 0 OR c.organisation_id = $2)`

func scanCase(row pgx.Row) (Case, error) {
	var c Case
	var evidence []byte
	var claimedAt, resolvedAt *time.Time
	err := row.Scan(&c.ID, &c.OrganisationID, &c.OrganisationName, &c.Priority, &c.Category, &evidence, &c.UnknownSender, &c.Status,
		&c.ClaimedBy, &c.ClaimedByName, &claimedAt, &c.SLADue, &c.CreatedAt,
		&c.Outcome, &c.ResolvedByName, &resolvedAt,
		&c.StaffFirstName, &c.AssignmentNumber, &c.StaffOptedOut,
		&c.ConversationID, &c.Channel, &c.Owner, &c.ConversationClosed, &c.Verified, &c.NumberEnding)
	if err != nil {
		return c, err
	}
	c.ClaimedAt, c.ResolvedAt = deref(claimedAt), deref(resolvedAt)
	return c, json.Unmarshal(evidence, &c.Evidence)
}

// CaseByID returns case id, or ErrNotFound when there is none in
// organisation orgScope (0: any).
func CaseByID(ctx context.Context, q Querier, orgScope, id int64) (Case, error) {
	c, err := scanCase(q.QueryRow(ctx, caseQuery, id, orgScope))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("load case %d: %w", id, err)
	}
	return c, nil
}

// LockCase is CaseByID for a change: it locks the case's conversation row
// and then the case's row until tx ends, and returns both (conv.ID is 0
// when the case has no conversation). The conversation is locked first
// because that is the order the conversation runner takes them in, so the
// two never deadlock.
func LockCase(ctx context.Context, tx pgx.Tx, orgScope, id int64) (Case, ohcontact.Conversation, error) {
	var conv ohcontact.Conversation
	var convID int64
	err := tx.QueryRow(ctx, `SELECT coalesce(conversation_id, 0) FROM cases WHERE id = $1 AND ($2::bigint = 0 OR organisation_id = $2)`,
		id, orgScope).Scan(&convID)
	if errors.Is(err, pgx.ErrNoRows) {
		return Case{}, conv, ErrNotFound
	}
	if err != nil {
		return Case{}, conv, fmt.Errorf("lock case %d: %w", id, err)
	}
	if convID != 0 {
		conv, err = LockConversation(ctx, tx, convID)
		if err != nil {
			return Case{}, conv, fmt.Errorf("case %d: %w", id, err)
		}
	}
	c, err := scanCase(tx.QueryRow(ctx, caseQuery+` FOR UPDATE OF c`, id, orgScope))
	if err != nil {
		return c, conv, fmt.Errorf("lock case %d: %w", id, err)
	}
	return c, conv, nil
}

// ClaimCase claims case id for userID if it is open; only one of any number
// of concurrent claims wins. When the case is no longer open it returns a
// *ClaimedError saying who holds it (or resolved it) and since when, and
// ErrNotFound when there is no such case in organisation orgScope (0: any).
func ClaimCase(ctx context.Context, tx pgx.Tx, orgScope, id, userID int64) error {
	var orgID int64
	err := tx.QueryRow(ctx, `
		UPDATE cases SET status = 'claimed', claimed_by = $3, claimed_at = now(), updated_at = now()
		WHERE id = $1 AND status = 'open' AND ($2::bigint = 0 OR organisation_id = $2)
		RETURNING organisation_id`, id, orgScope, userID).Scan(&orgID)
	if errors.Is(err, pgx.ErrNoRows) {
		// Lost the race, or the case was not open: say who has it. This
		// statement sees the winner's committed row.
		c, err := CaseByID(ctx, tx, orgScope, id)
		if err != nil {
			return err
		}
		if c.Status == "resolved" {
			return &ClaimedError{Status: c.Status, ByName: c.ResolvedByName, At: c.ResolvedAt}
		}
		return &ClaimedError{Status: c.Status, ByName: c.ClaimedByName, At: c.ClaimedAt}
	}
	if err != nil {
		return fmt.Errorf("claim case %d: %w", id, err)
	}
	return caseEvent(ctx, tx, id, orgID, userID, "claimed", "", nil)
}

// ReleaseCase puts claimed case c back in the queue for anyone to claim.
// Its claim time goes with the claim: its SLA is then measured by the next
// claim. The caller holds c locked (LockCase) and has checked that actorID may.
func ReleaseCase(ctx context.Context, tx pgx.Tx, c Case, actorID int64) error {
	if _, err := tx.Exec(ctx, `
		UPDATE cases SET status = 'open', claimed_by = NULL, claimed_at = NULL, updated_at = now()
		WHERE id = $1 AND status = 'claimed'`, c.ID); err != nil {
		return fmt.Errorf("release case %d: %w", c.ID, err)
	}
	return caseEvent(ctx, tx, c.ID, c.OrganisationID, actorID, "released", "", map[string]any{"from_user_id": c.ClaimedBy})
}

// ReassignCase gives unresolved case c to the user toUserID, who must be an
// enabled clinician or administrator of c's organisation (or of every
// organisation); ErrNotAssignable otherwise. A claimed case keeps its
// claim time, which its SLA is measured by: someone picked it up then. The
// caller holds c locked (LockCase) and has checked that actorID may.
func ReassignCase(ctx context.Context, tx pgx.Tx, c Case, toUserID, actorID int64) error {
	var toName string
	err := tx.QueryRow(ctx, `
		UPDATE cases SET status = 'claimed', claimed_by = u.id, claimed_at = coalesce(cases.claimed_at, now()), updated_at = now()
		FROM users u
		WHERE cases.id = $1 AND cases.status <> 'resolved'
		  AND u.id = $2 AND u.role IN ('clinician', 'admin') AND u.disabled_at IS NULL
		  AND (u.organisation_id IS NULL OR u.organisation_id = cases.organisation_id)
		RETURNING u.display_name`, c.ID, toUserID).Scan(&toName)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotAssignable
	}
	if err != nil {
		return fmt.Errorf("reassign case %d: %w", c.ID, err)
	}
	return caseEvent(ctx, tx, c.ID, c.OrganisationID, actorID, "reassigned", "Reassigned to "+toName,
		map[string]any{"from_user_id": c.ClaimedBy, "to_user_id": toUserID})
}

// AddCaseNote adds a note to c's timeline.
func AddCaseNote(ctx context.Context, tx pgx.Tx, c Case, note string, actorID int64) error {
	return caseEvent(ctx, tx, c.ID, c.OrganisationID, actorID, "note", note, nil)
}

// RecordReply records on c's timeline that actorID replied in its
// conversation with message messageID.
func RecordReply(ctx context.Context, tx pgx.Tx, c Case, messageID, actorID int64) error {
	return caseEvent(ctx, tx, c.ID, c.OrganisationID, actorID, "replied", "", map[string]any{"message_id": messageID})
}

// RecordHandBack records on c's timeline that actorID handed its
// conversation back to the automated service.
func RecordHandBack(ctx context.Context, tx pgx.Tx, c Case, actorID int64) error {
	return caseEvent(ctx, tx, c.ID, c.OrganisationID, actorID, "handed_back", "", map[string]any{"conversation_id": c.ConversationID})
}

// ResolveCase closes unresolved case c with outcome (and an optional note
// for the timeline). The caller holds c locked (LockCase) and has checked
// that actorID may.
func ResolveCase(ctx context.Context, tx pgx.Tx, c Case, outcome, note string, actorID int64) error {
	if _, err := tx.Exec(ctx, `
		UPDATE cases SET status = 'resolved', outcome = $2, resolved_by = $3, resolved_at = now(), updated_at = now()
		WHERE id = $1 AND status <> 'resolved'`, c.ID, outcome, actorID); err != nil {
		return fmt.Errorf("resolve case %d: %w", c.ID, err)
	}
	return caseEvent(ctx, tx, c.ID, c.OrganisationID, actorID, "resolved", note, map[string]any{"outcome": outcome})
}

// RecordCaseView writes the audit event for userID having seen case c and
// its transcript.
func RecordCaseView(ctx context.Context, q Querier, c Case, userID int64) error {
	return Audit(ctx, q, AuditEvent{ActorUserID: userID, Action: "case.view", RecordType: "case", RecordID: c.ID,
		OrganisationID: c.OrganisationID, Details: map[string]any{"conversation_id": c.ConversationID}})
}

// caseEvent adds an event of kind to case id's timeline and the matching
// audit event, case.KIND. An actorID of 0 is the system.
func caseEvent(ctx context.Context, tx pgx.Tx, id, orgID, actorID int64, kind, note string, details map[string]any) error {
	if _, err := tx.Exec(ctx, `INSERT INTO case_events (case_id, user_id, kind, note) VALUES ($1, nullif($2::bigint, 0), $3, nullif($4, ''))`,
		id, actorID, kind, note); err != nil {
		return fmt.Errorf("add %s event to case %d: %w", kind, id, err)
	}
	return Audit(ctx, tx, AuditEvent{ActorUserID: actorID, Action: "case." + kind, RecordType: "case", RecordID: id,
		OrganisationID: orgID, Details: details})
}

// CaseEvent is one entry of a case's timeline.
type CaseEvent struct {
	Kind     string // opened, claimed, released, reassigned, note, replied, handed_back, resolved or sla_breached
	UserName string // empty for the system
	Note     string
	At       time.Time
}

// CaseEvents returns case id's timeline, oldest first.
func CaseEvents(ctx context.Context, q Querier, id int64) ([]CaseEvent, error) {
	rows, err := q.Query(ctx, `
		SELECT e.kind, coalesce(u.display_name, ''), coalesce(e.note, ''), e.created_at
		FROM case_events e LEFT JOIN users u ON u.id = e.user_id
		WHERE e.case_id = $1 ORDER BY e.id`, id)
	if err != nil {
		return nil, fmt.Errorf("load events of case %d: %w", id, err)
	}
	events, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (CaseEvent, error) {
		var e CaseEvent
		err := row.Scan(&e.Kind, &e.UserName, &e.Note, &e.At)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("load events of case %d: %w", id, err)
	}
	return events, nil
}

// TranscriptMessage is one message of a conversation as a clinician reads
// it.
type TranscriptMessage struct {
	Seq            int
	Direction      ohcontact.Direction
	Author         ohcontact.Author
	AuthorName     string // the clinician's name, for their messages
	Body           string
	DeliveryStatus string // received for inbound messages
	ErrorReason    string // why an outbound message was not delivered
	At             time.Time
}

// Transcript returns conversation id's messages in order.
func Transcript(ctx context.Context, q Querier, conversationID int64) ([]TranscriptMessage, error) {
	rows, err := q.Query(ctx, `
		SELECT m.seq, m.direction, m.author, coalesce(u.display_name, ''), m.body, m.delivery_status,
		       coalesce(m.error_reason, ''), m.created_at
		FROM messages m LEFT JOIN users u ON u.id = m.author_user_id
		WHERE m.conversation_id = $1 ORDER BY m.seq`, conversationID)
	if err != nil {
		return nil, fmt.Errorf("load transcript of conversation %d: %w", conversationID, err)
	}
	msgs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (TranscriptMessage, error) {
		var m TranscriptMessage
		err := row.Scan(&m.Seq, &m.Direction, &m.Author, &m.AuthorName, &m.Body, &m.DeliveryStatus, &m.ErrorReason, &m.At)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("load transcript of conversation %d: %w", conversationID, err)
	}
	return msgs, nil
}

// Assignee is a user a case can be reassigned to.
type Assignee struct {
	ID   int64
	Name string
}

// Assignees lists the enabled clinicians and administrators who can work
// the cases of organisation orgID (theirs or every organisation's), by
// name.
func Assignees(ctx context.Context, q Querier, orgID int64) ([]Assignee, error) {
	rows, err := q.Query(ctx, `
		SELECT id, display_name FROM users
		WHERE role IN ('clinician', 'admin') AND disabled_at IS NULL AND (organisation_id IS NULL OR organisation_id = $1)
		ORDER BY lower(display_name), id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("list assignees: %w", err)
	}
	as, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Assignee])
	if err != nil {
		return nil, fmt.Errorf("list assignees: %w", err)
	}
	return as, nil
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// SetOnDuty starts (onDuty true) or ends the duty of user userID, who then
// is, or is no longer, among those told when a case passes its SLA
// unclaimed, and writes the audit event user.duty_started or
// user.duty_ended. Asking for the status the user already has changes
// nothing and writes no event.
func SetOnDuty(ctx context.Context, tx pgx.Tx, userID int64, onDuty bool) error {
	var orgID int64
	err := tx.QueryRow(ctx, `
		UPDATE users SET on_duty = $2, updated_at = now() WHERE id = $1 AND on_duty <> $2
		RETURNING coalesce(organisation_id, 0)`, userID, onDuty).Scan(&orgID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("set user %d on duty=%v: %w", userID, onDuty, err)
	}
	action := "user.duty_ended"
	if onDuty {
		action = "user.duty_started"
	}
	return Audit(ctx, tx, AuditEvent{ActorUserID: userID, Action: action, RecordType: "user", RecordID: userID, OrganisationID: orgID})
}

// OnDuty reports whether user userID is on duty.
func OnDuty(ctx context.Context, q Querier, userID int64) (bool, error) {
	var on bool
	if err := q.QueryRow(ctx, `SELECT on_duty FROM users WHERE id = $1`, userID).Scan(&on); err != nil {
		return false, fmt.Errorf("load duty of user %d: %w", userID, err)
	}
	return on, nil
}
