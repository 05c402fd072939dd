package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
)

// The cases table and each case's timeline, case_events. Every query that
// reads or changes a case on a user's behalf takes orgScope, the
// organisation the user works for (0: every organisation), and treats a
// case of another organisation as not found. Every change writes its case
// event and audit event in the caller's transaction.

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
	// ClientKey is the anonymous web chat client's key
	// (ohcontact.Conversation.ClientKey); empty otherwise.
	ClientKey string
}

// ConversationCaseStatus returns the status of conversation convID's
// newest unresolved case (ohcontact.CaseOpen or ohcontact.CaseClaimed), or of the case it
// follows (ohcontact.Conversation.FollowsCaseID), or "" when it has none.
func ConversationCaseStatus(ctx context.Context, q Querier, convID int64) (string, error) {
	var status string
	err := q.QueryRow(ctx, `SELECT status FROM cases WHERE status <> 'resolved' AND (conversation_id = $1
		OR id = (SELECT follows_case_id FROM conversations WHERE id = $1))
		ORDER BY id DESC LIMIT 1`, convID).Scan(&status)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("case status of conversation %d: %w", convID, err)
	}
	return status, nil
}

// ClientCaseWindow is how long after its case was opened another anonymous
// web chat from the same client joins it (OpenOrRaiseCase).
const ClientCaseWindow = time.Hour

// OpenOrRaiseCase opens a case, or, when the conversation already has one
// that is not resolved, adds the new evidence to it and raises its priority
// (bringing its SLA forward) if the new one is higher: one conversation,
// one open case, so a person writing several worrying messages does not
// bury clinicians in alerts. One client, one case, too: with a ClientKey,
// when the conversation has no such case, the unresolved case of another
// conversation of the same organisation and client key opened within
// ClientCaseWindow is raised instead, its new evidence naming the
// conversation it came from. Callers with the same ClientKey are
// serialised on an advisory lock until tx ends, so concurrent disclosures
// from one client open one case. It reports the case id and whether it
// opened a new one. Opening is recorded as a case event and an audit
// event.
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
		id, err = raiseCase(ctx, tx, `conversation_id = $1`, nc, evidence, nc.ConversationID)
		if id != 0 || err != nil {
			return id, false, err
		}
	}
	if nc.ClientKey != "" {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('webchat-client:' || $1, 0))`, nc.ClientKey); err != nil {
			return 0, false, fmt.Errorf("lock web chat client: %w", err)
		}
		joined := make([]string, len(nc.Evidence))
		for i, e := range nc.Evidence {
			joined[i] = fmt.Sprintf("another anonymous web chat from the same client (conversation %d): %s", nc.ConversationID, e)
		}
		if evidence, err = json.Marshal(joined); err != nil {
			return 0, false, err
		}
		id, err = raiseCase(ctx, tx, `organisation_id = $6 AND created_at > now() - $7::interval
			AND conversation_id IN (SELECT id FROM conversations WHERE client_key = $1)`,
			nc, evidence, nc.ClientKey, nc.OrganisationID, ClientCaseWindow)
		if id != 0 || err != nil {
			return id, false, err
		}
		if evidence, err = json.Marshal(nc.Evidence); err != nil {
			return 0, false, err
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

// raiseCase adds evidence to the newest unresolved case matching where (a
// condition on cases whose first parameter is key, and whose parameters
// from $6 on are more) and raises it to nc's priority and SLA if they are
// higher. It returns the case's id, or 0 when no case matches.
func raiseCase(ctx context.Context, tx pgx.Tx, where string, nc NewCase, evidence []byte, key any, more ...any) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `
		UPDATE cases SET
			evidence = evidence || $2::jsonb,
			priority = CASE WHEN priority_rank($3) > priority_rank(priority) THEN $3 ELSE priority END,
			category = CASE WHEN priority_rank($3) > priority_rank(priority) THEN $4 ELSE category END,
			sla_due_at = least(sla_due_at, $5),
			updated_at = now()
		WHERE id = (SELECT id FROM cases WHERE `+where+` AND status <> 'resolved'
		            ORDER BY id DESC LIMIT 1 FOR UPDATE)
		RETURNING id`, append([]any{key, evidence, nc.Priority, nc.Category, nc.SLADue}, more...)...).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("raise case: %w", err)
	}
	return id, nil
}

// ClaimedError is returned by ClaimCase when the case is no longer open:
// another user claimed it first, or it was resolved. It matches
// ohcontact.ErrConflict.
type ClaimedError struct {
	Status string // claimed or resolved
	ByName string // who claimed or resolved it
	At     time.Time
}

func (e *ClaimedError) Error() string { return "case is already " + e.Status }

// Unwrap returns ohcontact.ErrConflict.
func (e *ClaimedError) Unwrap() error { return ohcontact.ErrConflict }

// QueueCase is a case as the console's lists show it.
type QueueCase struct {
	ID               int64
	OrganisationName string
	Priority         ohcontact.Priority
	Category         string
	UnknownSender    bool
	Channel          ohcontact.Channel // empty when the case has no conversation
	Status           string            // open, claimed or resolved
	ClaimedByName    string
	ClaimedAt        time.Time
	SLADue           time.Time
	CreatedAt        time.Time
	// The member of staff, when known (empty otherwise).
	FirstName, LastName, AssignmentNumber string
	// Set once resolved.
	Outcome        string
	ResolvedByName string
	ResolvedAt     time.Time
	// NewMessage is set while the case's new-message cue is raised
	// (ohcontact.Case.NewMessageAt).
	NewMessage bool
}

// CaseFilter chooses the cases FindCases lists, and the page of them.
type CaseFilter struct {
	// OrgScope is the organisation of the user the list is for (0: every
	// organisation); no case of another organisation is ever listed.
	OrgScope int64
	// Status is open, claimed or resolved; empty for open and claimed.
	Status string
	// Priority, when set, lists only cases of that priority.
	Priority ohcontact.Priority
	// OrganisationID, when not 0, lists only that organisation's cases.
	OrganisationID int64
	// Channel, when set, lists only the cases of conversations on that
	// channel, or, when it is NoChannel, the cases without a conversation.
	Channel ohcontact.Channel
	// ClaimedBy, when not 0, lists only cases claimed by that user;
	// Unclaimed only cases nobody holds.
	ClaimedBy int64
	Unclaimed bool
	// Search, when not empty, lists only the cases it finds.
	Search CaseSearch
	// After, when not 0, lists the page that follows case After in the
	// list's order; Before, when not 0 (and After is 0), the page before
	// case Before. A case that is not in the list (of another
	// organisation, or gone) gives an empty page.
	After, Before int64
	// Limit is the most cases a page holds.
	Limit int
}

// NoChannel is CaseFilter.Channel for the cases that came from no
// conversation.
const NoChannel ohcontact.Channel = "none"

// CaseSearch is what to look a case up by. When more than one is set, a
// case found by any of them is listed.
type CaseSearch struct {
	// CaseID is a case number.
	CaseID int64
	// Assignment is the start of a member of staff's assignment number,
	// in any case: ASCII letters, digits and hyphens, as assignment
	// numbers are.
	Assignment string
	// Words are the words of a name: each must be the start of a word of
	// the person's first or last name, accents and case aside
	// (search_fold; staff.search_name).
	Words []string
}

// Kind names what s searches by, for the audit log: "case",
// "assignment", "case_or_assignment", "name", or "" when s is empty.
func (s CaseSearch) Kind() string {
	switch {
	case s.CaseID != 0 && s.Assignment != "":
		return "case_or_assignment"
	case s.CaseID != 0:
		return "case"
	case s.Assignment != "":
		return "assignment"
	case len(s.Words) > 0:
		return "name"
	}
	return ""
}

// CaseList is one page of a list of cases.
type CaseList struct {
	Cases []QueueCase
	// Total is how many cases the whole list has, on every page.
	Total int
	// HasPrevious and HasNext say whether there are pages before and
	// after this one.
	HasPrevious, HasNext bool
}

// IDs returns the ids of the cases of l's page, in order.
func (l CaseList) IDs() []int64 {
	ids := make([]int64, len(l.Cases))
	for i, k := range l.Cases {
		ids[i] = k.ID
	}
	return ids
}

// FindCases returns the page of the cases f chooses, with the number of
// cases on every page. Unresolved cases come urgent first, then high,
// then routine, and the oldest first within a priority; resolved cases
// the most recently resolved first.
func FindCases(ctx context.Context, tx pgx.Tx, f CaseFilter) (CaseList, error) {
	var b pgx.Batch
	var list CaseList
	queueFindCases(&b, f, &list)
	if err := tx.SendBatch(ctx, &b).Close(); err != nil {
		return CaseList{}, fmt.Errorf("list cases: %w", err)
	}
	return list, nil
}

// queueFindCases queues on b the queries of FindCases(f), which fill in
// list.
func queueFindCases(b *pgx.Batch, f CaseFilter, list *CaseList) {
	where, args := caseListWhere(f)
	backwards := f.After == 0 && f.Before != 0
	// key is the list's order; the page after a case follows its key,
	// the page before it precedes it.
	key, follows, order := `(-priority_rank(c.priority), c.created_at, c.id)`, ">", "ASC"
	if f.Status == ohcontact.CaseResolved {
		key, follows, order = `(c.resolved_at, c.id)`, "<", "DESC"
	}
	page := where
	if cursor := max(f.After, f.Before); cursor != 0 {
		cmp := follows
		if backwards {
			cmp = map[string]string{">": "<", "<": ">"}[follows]
		}
		args = append(args, cursor)
		page += fmt.Sprintf(` AND %s %s (SELECT %s FROM cases c WHERE c.id = $%d AND %s)`,
			key, cmp, strings.Trim(key, "()"), len(args), scopeCondition(f.OrgScope, "c"))
	}
	if backwards {
		order = map[string]string{"ASC": "DESC", "DESC": "ASC"}[order]
	}
	limit := max(f.Limit, 1)
	// The page is chosen from cases alone, so that the joins are made for
	// its rows only.
	orderBy := strings.ReplaceAll(strings.Trim(key, "()"), ",", " "+order+",") + " " + order
	b.Queue(`SELECT c.id, o.name, c.priority, c.category, c.unknown_sender, coalesce(v.channel, ''), c.status,
	       coalesce(u.display_name, ''), c.claimed_at, c.sla_due_at, c.created_at,
	       coalesce(s.first_name, ''), coalesce(s.last_name, ''), coalesce(s.assignment_number, ''),
	       coalesce(c.outcome, ''), coalesce(ru.display_name, ''), c.resolved_at, c.new_message_at IS NOT NULL
	FROM (SELECT * FROM cases c WHERE `+page+` ORDER BY `+orderBy+fmt.Sprintf(` LIMIT %d`, limit+1)+`) c
	JOIN organisations o ON o.id = c.organisation_id
	LEFT JOIN conversations v ON v.id = c.conversation_id
	LEFT JOIN users u ON u.id = c.claimed_by
	LEFT JOIN users ru ON ru.id = c.resolved_by
	LEFT JOIN staff s ON s.id = c.staff_id
	ORDER BY `+orderBy, args...).Query(func(rows pgx.Rows) error {
		cases, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (QueueCase, error) {
			var c QueueCase
			var claimedAt, resolvedAt *time.Time
			err := row.Scan(&c.ID, &c.OrganisationName, &c.Priority, &c.Category, &c.UnknownSender, &c.Channel, &c.Status,
				&c.ClaimedByName, &claimedAt, &c.SLADue, &c.CreatedAt,
				&c.FirstName, &c.LastName, &c.AssignmentNumber, &c.Outcome, &c.ResolvedByName, &resolvedAt, &c.NewMessage)
			c.ClaimedAt, c.ResolvedAt = deref(claimedAt), deref(resolvedAt)
			return c, err
		})
		if err != nil {
			return fmt.Errorf("list cases: %w", err)
		}
		more := len(cases) > limit
		cases = cases[:min(len(cases), limit)]
		if backwards {
			slices.Reverse(cases)
			list.HasPrevious, list.HasNext = more, true
		} else {
			list.HasPrevious, list.HasNext = f.After != 0, more
		}
		list.Cases = cases
		return nil
	})
	b.Queue(`SELECT count(*) FROM cases c WHERE `+where, args[:len(args)-btoi(f.After != 0 || f.Before != 0)]...).
		QueryRow(func(row pgx.Row) error {
			if err := row.Scan(&list.Total); err != nil {
				return fmt.Errorf("count cases: %w", err)
			}
			return nil
		})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// scopeCondition is the condition on table alias t (of a table with an
// organisation_id) for organisation orgScope, passed as $1. It is written
// out for one organisation or every one, rather than as
// ($1 = 0 OR organisation_id = $1), so that a generic plan of the
// statement uses the index on organisation_id.
func scopeCondition(orgScope int64, t string) string {
	if orgScope == 0 {
		return `$1::bigint = 0`
	}
	return t + `.organisation_id = $1`
}

// caseStatusConditions are the conditions on cases c of the statuses
// CaseFilter.Status takes. They are written out, not passed as
// parameters, so that every plan of a statement can use the partial
// indexes on unresolved and on resolved cases.
var caseStatusConditions = map[string]string{
	"":                     `c.status <> 'resolved'`,
	ohcontact.CaseOpen:     `c.status = 'open'`,
	ohcontact.CaseClaimed:  `c.status = 'claimed'`,
	ohcontact.CaseResolved: `c.status = 'resolved'`,
}

// caseListWhere returns the condition on cases c that f sets, and its
// arguments, the first of which is f.OrgScope.
func caseListWhere(f CaseFilter) (string, []any) {
	args := []any{f.OrgScope}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	status, ok := caseStatusConditions[f.Status]
	if !ok {
		status = `false`
	}
	conds := []string{scopeCondition(f.OrgScope, "c"), status}
	if f.Priority != "" {
		conds = append(conds, `c.priority = `+arg(string(f.Priority)))
	}
	if f.OrganisationID != 0 {
		conds = append(conds, `c.organisation_id = `+arg(f.OrganisationID))
	}
	switch f.Channel {
	case "":
	case NoChannel:
		conds = append(conds, `c.conversation_id IS NULL`)
	default:
		conds = append(conds, `c.conversation_id IN (SELECT id FROM conversations WHERE channel = `+arg(string(f.Channel))+`)`)
	}
	if f.ClaimedBy != 0 {
		conds = append(conds, `c.claimed_by = `+arg(f.ClaimedBy))
	}
	if f.Unclaimed {
		conds = append(conds, `c.claimed_by IS NULL`)
	}
	// A search finds the members of staff first: = ANY (ARRAY(…)) makes
	// their cases an index scan of cases_staff_idx, and, with a case
	// number, a bitmap OR with the primary key's.
	var staff []string
	if p := strings.ToLower(f.Search.Assignment); p != "" {
		// The range of assignment numbers starting with p, in byte order
		// (text_pattern_ops), is an index range scan however the
		// statement is planned.
		end := p[:len(p)-1] + string(rune(p[len(p)-1]+1))
		staff = append(staff, `lower(assignment_number) ~>=~ `+arg(p)+` AND lower(assignment_number) ~<~ `+arg(end))
	}
	if len(f.Search.Words) > 0 {
		var like []string
		for _, w := range f.Search.Words {
			like = append(like, `search_name LIKE '% ' || search_fold(`+arg(likeEscaper.Replace(w))+`) || '%'`)
		}
		staff = append(staff, strings.Join(like, " AND "))
	}
	var found []string
	if f.Search.CaseID != 0 {
		found = append(found, `c.id = `+arg(f.Search.CaseID))
	}
	for _, cond := range staff {
		found = append(found, `c.staff_id = ANY (ARRAY(SELECT id FROM staff s WHERE `+scopeCondition(f.OrgScope, "s")+` AND `+cond+`))`)
	}
	if len(found) > 0 {
		conds = append(conds, `(`+strings.Join(found, " OR ")+`)`)
	}
	return strings.Join(conds, " AND "), args
}

// likeEscaper makes text match itself in a LIKE pattern.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// RecordCaseList writes the audit event case.list for userID having seen
// a list of cases (with names): ids lists those shown, search is what
// was searched by (CaseSearch.Kind, never the text searched for) and
// filters the filters' codes.
func RecordCaseList(ctx context.Context, q Querier, orgScope, userID int64, ids []int64, search string, filters map[string]string) error {
	details := map[string]any{"case_ids": ids}
	if search != "" {
		details["search"] = search
	}
	if len(filters) > 0 {
		details["filters"] = filters
	}
	return Audit(ctx, q, AuditEvent{ActorUserID: userID, Action: "case.list", RecordType: "case", OrganisationID: orgScope, Details: details})
}

const caseQuery = `
	SELECT c.id, c.organisation_id, o.name, c.priority, c.category, c.evidence, c.unknown_sender, c.status,
	       coalesce(c.claimed_by, 0), coalesce(cu.display_name, ''), c.claimed_at, c.sla_due_at, c.created_at,
	       coalesce(c.outcome, ''), coalesce(ru.display_name, ''), c.resolved_at, c.new_message_at,
	       coalesce(s.first_name, ''), coalesce(s.assignment_number, ''), coalesce(s.consent = 'opted_out', false),
	       coalesce(c.conversation_id, 0), coalesce(v.id, 0), o.code, coalesce(v.language, ''),
	       coalesce(v.channel, ''), coalesce(v.owner, ''), coalesce(v.status = 'closed', false),
	       coalesce(v.data->>'verified' = 'true', false),
	       CASE WHEN v.channel = 'sms' AND v.address <> '` + PurgedAddress + `' THEN right(v.address, 3) ELSE '' END,
	       coalesce(s.id, 0), coalesce(s.job_title, ''), coalesce(s.department, '')
	FROM cases c
	JOIN organisations o ON o.id = c.organisation_id
	LEFT JOIN users cu ON cu.id = c.claimed_by
	LEFT JOIN users ru ON ru.id = c.resolved_by
	LEFT JOIN staff s ON s.id = c.staff_id
	LEFT JOIN LATERAL (SELECT * FROM conversations x
		WHERE x.id = c.conversation_id OR (x.follows_case_id = c.id AND x.status = 'open')
		ORDER BY x.status = 'open' DESC, x.id DESC LIMIT 1) v ON true
	WHERE c.id = $1 AND ($2::bigint = 0 OR c.organisation_id = $2)`

func scanCase(row pgx.Row) (ohcontact.Case, error) {
	var c ohcontact.Case
	var evidence []byte
	var claimedAt, resolvedAt, newMessageAt *time.Time
	err := row.Scan(&c.ID, &c.OrganisationID, &c.OrganisationName, &c.Priority, &c.Category, &evidence, &c.UnknownSender, &c.Status,
		&c.ClaimedBy, &c.ClaimedByName, &claimedAt, &c.SLADue, &c.CreatedAt,
		&c.Outcome, &c.ResolvedByName, &resolvedAt, &newMessageAt,
		&c.StaffFirstName, &c.AssignmentNumber, &c.StaffOptedOut,
		&c.ConversationID, &c.CurrentConversationID, &c.OrganisationCode, &c.Language,
		&c.Channel, &c.Owner, &c.ConversationClosed, &c.Verified, &c.NumberEnding,
		&c.StaffID, &c.JobTitle, &c.Department)
	if err != nil {
		return c, err
	}
	c.ClaimedAt, c.ResolvedAt, c.NewMessageAt = deref(claimedAt), deref(resolvedAt), deref(newMessageAt)
	return c, json.Unmarshal(evidence, &c.Evidence)
}

// CaseByID returns case id, or ohcontact.ErrNotFound when there is none in
// organisation orgScope (0: any).
func CaseByID(ctx context.Context, q Querier, orgScope, id int64) (ohcontact.Case, error) {
	c, err := scanCase(q.QueryRow(ctx, caseQuery, id, orgScope))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("case %d: %w", id, ohcontact.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("load case %d: %w", id, err)
	}
	return c, nil
}

// LockCase is CaseByID for a change: it locks the row of the case's
// thread's conversation now (ohcontact.Case.CurrentConversationID) and then the
// case's row until tx ends, and returns both (conv.ID is 0 when the case
// has no conversation). The conversation is locked first because that is
// the order the conversation runner takes them in, so the two never
// deadlock.
func LockCase(ctx context.Context, tx pgx.Tx, orgScope, id int64) (ohcontact.Case, ohcontact.Conversation, error) {
	var conv ohcontact.Conversation
	var convID int64
	err := tx.QueryRow(ctx, `SELECT coalesce((SELECT x.id FROM conversations x
			WHERE x.id = c.conversation_id OR (x.follows_case_id = c.id AND x.status = 'open')
			ORDER BY x.status = 'open' DESC, x.id DESC LIMIT 1), 0)
		FROM cases c WHERE c.id = $1 AND ($2::bigint = 0 OR c.organisation_id = $2)`,
		id, orgScope).Scan(&convID)
	if errors.Is(err, pgx.ErrNoRows) {
		return ohcontact.Case{}, conv, fmt.Errorf("case %d: %w", id, ohcontact.ErrNotFound)
	}
	if err != nil {
		return ohcontact.Case{}, conv, fmt.Errorf("lock case %d: %w", id, err)
	}
	if convID != 0 {
		conv, err = LockConversation(ctx, tx, convID)
		if err != nil {
			return ohcontact.Case{}, conv, fmt.Errorf("case %d: %w", id, err)
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
// ohcontact.ErrNotFound when there is no such case in organisation orgScope (0: any).
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
func ReleaseCase(ctx context.Context, tx pgx.Tx, c ohcontact.Case, actorID int64) error {
	if _, err := tx.Exec(ctx, `
		UPDATE cases SET status = 'open', claimed_by = NULL, claimed_at = NULL, updated_at = now()
		WHERE id = $1 AND status = 'claimed'`, c.ID); err != nil {
		return fmt.Errorf("release case %d: %w", c.ID, err)
	}
	return caseEvent(ctx, tx, c.ID, c.OrganisationID, actorID, "released", "", map[string]any{"from_user_id": c.ClaimedBy})
}

// ReassignCase gives unresolved case c to the user toUserID, who must be an
// enabled clinician or administrator of c's organisation (or of every
// organisation); otherwise it returns ohcontact.ErrConflict (the user is
// disabled, a lead or physio, or of another organisation). A claimed case keeps its
// claim time, which its SLA is measured by: someone picked it up then. The
// caller holds c locked (LockCase) and has checked that actorID may.
func ReassignCase(ctx context.Context, tx pgx.Tx, c ohcontact.Case, toUserID, actorID int64) error {
	var toName string
	err := tx.QueryRow(ctx, `
		UPDATE cases SET status = 'claimed', claimed_by = u.id, claimed_at = coalesce(cases.claimed_at, now()), updated_at = now()
		FROM users u
		WHERE cases.id = $1 AND cases.status <> 'resolved'
		  AND u.id = $2 AND u.role IN ('clinician', 'admin') AND u.disabled_at IS NULL
		  AND (u.organisation_id IS NULL OR u.organisation_id = cases.organisation_id)
		RETURNING u.display_name`, c.ID, toUserID).Scan(&toName)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("reassign case %d: user %d cannot work it: %w", c.ID, toUserID, ohcontact.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("reassign case %d: %w", c.ID, err)
	}
	return caseEvent(ctx, tx, c.ID, c.OrganisationID, actorID, "reassigned", "Reassigned to "+toName,
		map[string]any{"from_user_id": c.ClaimedBy, "to_user_id": toUserID})
}

// SetCasePriority gives case k (locked in tx) priority p and the SLA due
// time due, with a priority_changed event whose note says what changed
// (and why: note), and its audit event.
func SetCasePriority(ctx context.Context, tx pgx.Tx, k ohcontact.Case, p ohcontact.Priority, due time.Time, note string, actorID int64) error {
	if _, err := tx.Exec(ctx, `UPDATE cases SET priority = $2, sla_due_at = $3, updated_at = now() WHERE id = $1`,
		k.ID, p, due); err != nil {
		return fmt.Errorf("set priority of case %d: %w", k.ID, err)
	}
	return caseEvent(ctx, tx, k.ID, k.OrganisationID, actorID, "priority_changed", note,
		map[string]any{"from": k.Priority, "to": p})
}

// AddCaseNote adds a note to c's timeline.
func AddCaseNote(ctx context.Context, tx pgx.Tx, c ohcontact.Case, note string, actorID int64) error {
	return caseEvent(ctx, tx, c.ID, c.OrganisationID, actorID, "note", note, nil)
}

// RecordReply records on c's timeline that actorID replied in its
// conversation with message messageID.
func RecordReply(ctx context.Context, tx pgx.Tx, c ohcontact.Case, messageID, actorID int64) error {
	return caseEvent(ctx, tx, c.ID, c.OrganisationID, actorID, "replied", "", map[string]any{"message_id": messageID})
}

// NoteCaseMessage raises the "new message" cue (ohcontact.Case.NewMessageAt) of the
// unresolved case whose thread conv is on: the case of its own
// conversation, or the case it follows. The caller calls it, in the
// transaction that stores an inbound message in conv, only for a
// conversation with clinicians or one that follows a case, so that an
// ordinary conversation's messages cost nothing (the statement wakes the
// consoles).
func NoteCaseMessage(ctx context.Context, tx pgx.Tx, conv ohcontact.Conversation, at time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE cases SET new_message_at = greatest(new_message_at, $3)
		WHERE status <> 'resolved' AND (conversation_id = $1 OR id = $2)`, conv.ID, conv.FollowsCaseID, at); err != nil {
		return fmt.Errorf("note a message on the case of conversation %d: %w", conv.ID, err)
	}
	return nil
}

// SeeCaseMessages lowers case c's "new message" cue, as read with c:
// someone it is meant for has read the thread. A message written since c
// was read keeps it raised.
func SeeCaseMessages(ctx context.Context, q Querier, c ohcontact.Case) error {
	if c.NewMessageAt.IsZero() {
		return nil
	}
	if _, err := q.Exec(ctx, `UPDATE cases SET new_message_at = NULL WHERE id = $1 AND new_message_at = $2`,
		c.ID, c.NewMessageAt); err != nil {
		return fmt.Errorf("see the messages of case %d: %w", c.ID, err)
	}
	return nil
}

// RecordHandBack records on c's timeline that actorID handed its
// conversation back to the automated service, and the first time, when:
// from then on until c is resolved, a conversation the person starts
// follows c (OpenConversations).
func RecordHandBack(ctx context.Context, tx pgx.Tx, c ohcontact.Case, actorID int64) error {
	if _, err := tx.Exec(ctx, `UPDATE cases SET handed_back_at = coalesce(handed_back_at, now()) WHERE id = $1`, c.ID); err != nil {
		return fmt.Errorf("hand back case %d: %w", c.ID, err)
	}
	return caseEvent(ctx, tx, c.ID, c.OrganisationID, actorID, "handed_back", "", map[string]any{"conversation_id": c.CurrentConversationID})
}

// ResolveCase closes unresolved case c with outcome (and an optional note
// for the timeline); told says whether the person was sent the closing
// message. The caller holds c locked (LockCase) and has checked that
// actorID may.
func ResolveCase(ctx context.Context, tx pgx.Tx, c ohcontact.Case, outcome, note string, told bool, actorID int64) error {
	if _, err := tx.Exec(ctx, `
		UPDATE cases SET status = 'resolved', outcome = $2, resolved_by = $3, resolved_at = now(), updated_at = now(),
			new_message_at = NULL
		WHERE id = $1 AND status <> 'resolved'`, c.ID, outcome, actorID); err != nil {
		return fmt.Errorf("resolve case %d: %w", c.ID, err)
	}
	return caseEvent(ctx, tx, c.ID, c.OrganisationID, actorID, "resolved", note, map[string]any{"outcome": outcome, "told": told})
}

// RecordCaseView writes the audit event for userID having seen case c and
// its transcript.
func RecordCaseView(ctx context.Context, q Querier, c ohcontact.Case, userID int64) error {
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
	Kind     string // opened, claimed, released, reassigned, note, replied, handed_back, resolved, sla_breached, priority_changed, follow_up_set, follow_up_cancelled or follow_up_due
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

// CaseSLA is what the SLA clock of a case needs to know about it.
type CaseSLA struct {
	ID             int64
	OrganisationID int64
	Priority       ohcontact.Priority
	Status         string // open, claimed or resolved
	SLADue         time.Time
	BreachCount    int
}

// LockCaseSLA locks case id and returns its SLA state, or ohcontact.ErrNotFound.
// It locks the case row only, never its conversation, so it cannot
// deadlock with a step that holds the conversation and raises the case.
func LockCaseSLA(ctx context.Context, tx pgx.Tx, id int64) (CaseSLA, error) {
	c := CaseSLA{ID: id}
	err := tx.QueryRow(ctx, `
		SELECT organisation_id, priority, status, sla_due_at, breach_count
		FROM cases WHERE id = $1 FOR UPDATE`, id).
		Scan(&c.OrganisationID, &c.Priority, &c.Status, &c.SLADue, &c.BreachCount)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("case %d: %w", id, ohcontact.ErrNotFound)
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

// PersonCase is one of a person's cases, as the person page lists it.
type PersonCase struct {
	ID             int64
	Priority       ohcontact.Priority
	Category       string
	Status         string // open, claimed or resolved
	ClaimedByName  string
	ResolvedByName string
	Outcome        string
	Channel        ohcontact.Channel // empty when the case has no conversation
	ConversationID int64             // 0 when none
	CreatedAt      time.Time
	ResolvedAt     time.Time // zero unless resolved
}

// PersonCases returns the cases about member of staff staffID (a case of
// a conversation of theirs carries their id: escalation.Cases.Escalate)
// in organisation orgScope (0: any), newest first.
func PersonCases(ctx context.Context, q Querier, orgScope, staffID int64) ([]PersonCase, error) {
	rows, err := q.Query(ctx, `
		SELECT c.id, c.priority, c.category, c.status, coalesce(cu.display_name, ''), coalesce(ru.display_name, ''),
		       coalesce(c.outcome, ''), coalesce(v.channel, ''), coalesce(v.id, 0), c.created_at, c.resolved_at
		FROM cases c
		LEFT JOIN conversations v ON v.id = c.conversation_id
		LEFT JOIN users cu ON cu.id = c.claimed_by
		LEFT JOIN users ru ON ru.id = c.resolved_by
		WHERE c.staff_id = $1 AND ($2::bigint = 0 OR c.organisation_id = $2)
		ORDER BY c.created_at DESC, c.id DESC`, staffID, orgScope)
	if err != nil {
		return nil, fmt.Errorf("load cases of staff %d: %w", staffID, err)
	}
	cases, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (PersonCase, error) {
		var c PersonCase
		var resolved *time.Time
		err := row.Scan(&c.ID, &c.Priority, &c.Category, &c.Status, &c.ClaimedByName, &c.ResolvedByName, &c.Outcome,
			&c.Channel, &c.ConversationID, &c.CreatedAt, &resolved)
		c.ResolvedAt = deref(resolved)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("load cases of staff %d: %w", staffID, err)
	}
	return cases, nil
}

// CaseEventCounts returns how many case events of each of kinds
// (case_events.kind) have ever been recorded, by kind. Events the
// retention purge has deleted with their cases still count: each
// retention.purge audit event carries the running total it deleted
// (PurgeRetention), so the numbers only ever grow, as a Prometheus counter
// must, and agree on every instance.
func CaseEventCounts(ctx context.Context, q Querier, kinds []string) (map[string]int64, error) {
	rows, err := q.Query(ctx, `
		WITH held AS (
			SELECT kind, count(*) AS n FROM case_events WHERE kind = ANY($1) GROUP BY kind
		), purged AS (`+lastPurgeTotals+`)
		SELECT k.kind, coalesce(held.n, 0) + coalesce((purged.totals ->> k.kind)::bigint, 0)
		FROM unnest($1::text[]) AS k(kind)
		LEFT JOIN held ON held.kind = k.kind
		LEFT JOIN purged ON true`, kinds)
	if err != nil {
		return nil, fmt.Errorf("count case events: %w", err)
	}
	counts := make(map[string]int64, len(kinds))
	var kind string
	var n int64
	if _, err := pgx.ForEachRow(rows, []any{&kind, &n}, func() error { counts[kind] = n; return nil }); err != nil {
		return nil, fmt.Errorf("count case events: %w", err)
	}
	return counts, nil
}
