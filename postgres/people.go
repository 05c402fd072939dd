package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
)

// People as the console shows them to clinicians: how to reach the person
// a case is about (RevealContact), and a member of staff's whole history
// with the service across channels (the person page: PersonByID,
// PersonCases, PersonConversations, with ListReferrals, ListAbsences and
// Transcript). Every read of contact details or of a person's history is
// audited by the caller in the transaction that reads.

// ContactDetails are how to reach the person a case is about.
type ContactDetails struct {
	Mobile string // E.164, from the staff record; empty when not known
	Email  string // from the staff record; empty when not known
	// TextedFrom is the number (E.164) an SMS sender not in the staff
	// directory texted from; empty otherwise.
	TextedFrom string
}

// RevealContact returns the contact details of case k's person: the staff
// record's mobile and email, or, for a text from a number not in the
// staff directory, that number (nothing for an anonymous web chat). It
// writes the contact.reveal audit event for userID with q, naming the
// case, staff record and conversation and which details there were,
// never the values: call it in the transaction that shows them.
func RevealContact(ctx context.Context, q Querier, k Case, userID int64) (ContactDetails, error) {
	var c ContactDetails
	err := q.QueryRow(ctx, `
		SELECT coalesce(s.mobile, ''), coalesce(s.email, ''),
		       CASE WHEN s.id IS NULL AND v.channel = 'sms' AND v.address <> '`+PurgedAddress+`' THEN v.address ELSE '' END
		FROM cases c LEFT JOIN staff s ON s.id = c.staff_id LEFT JOIN conversations v ON v.id = c.conversation_id
		WHERE c.id = $1`, k.ID).Scan(&c.Mobile, &c.Email, &c.TextedFrom)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("read contact details of case %d: %w", k.ID, err)
	}
	shown := []string{}
	for _, f := range []struct{ name, v string }{{"mobile", c.Mobile}, {"email", c.Email}, {"texted_from", c.TextedFrom}} {
		if f.v != "" {
			shown = append(shown, f.name)
		}
	}
	return c, Audit(ctx, q, AuditEvent{ActorUserID: userID, Action: "contact.reveal", RecordType: "case", RecordID: k.ID,
		OrganisationID: k.OrganisationID,
		Details:        map[string]any{"staff_id": k.StaffID, "conversation_id": k.ConversationID, "shown": shown}})
}

// Person is a member of staff as the person page shows them: who they
// are, not how to reach them (RevealContact).
type Person struct {
	ID               int64
	OrganisationID   int64
	OrganisationName string
	AssignmentNumber string
	FirstName        string
	LastName         string
	JobTitle         string // empty when not known
	Department       string // empty when not known
	Language         string // en-GB, cy or pl
	Consent          string // unknown, opted_in or opted_out
	ConsentChangedAt time.Time
}

// PersonByID returns member of staff id, or ErrNotFound when there is none
// in organisation orgScope (0: any).
func PersonByID(ctx context.Context, q Querier, orgScope, id int64) (Person, error) {
	var p Person
	var changed *time.Time
	err := q.QueryRow(ctx, `
		SELECT s.id, s.organisation_id, o.name, s.assignment_number, s.first_name, s.last_name,
		       coalesce(s.job_title, ''), coalesce(s.department, ''), s.language, s.consent, s.consent_changed_at
		FROM staff s JOIN organisations o ON o.id = s.organisation_id
		WHERE s.id = $1 AND ($2::bigint = 0 OR s.organisation_id = $2)`, id, orgScope).
		Scan(&p.ID, &p.OrganisationID, &p.OrganisationName, &p.AssignmentNumber, &p.FirstName, &p.LastName,
			&p.JobTitle, &p.Department, &p.Language, &p.Consent, &changed)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, ErrNotFound
	}
	if err != nil {
		return p, fmt.Errorf("load staff %d: %w", id, err)
	}
	p.ConsentChangedAt = deref(changed)
	return p, nil
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

// PersonConversation is one of a person's conversations with the service.
type PersonConversation struct {
	ID           int64
	Channel      ohcontact.Channel
	Flow         string
	Owner        ohcontact.Owner
	Status       string // open or closed
	ClosedReason string // completed, opted_out, no_response, returned_to_work, resolved or purged; empty while open
	CreatedAt    time.Time
	LastActivity time.Time
}

// PersonConversations returns member of staff staffID's conversations on
// every channel in organisation orgScope (0: any), newest first.
func PersonConversations(ctx context.Context, q Querier, orgScope, staffID int64) ([]PersonConversation, error) {
	rows, err := q.Query(ctx, `
		SELECT id, channel, flow, owner, status, coalesce(closed_reason, ''), created_at, last_activity_at
		FROM conversations
		WHERE staff_id = $1 AND ($2::bigint = 0 OR organisation_id = $2)
		ORDER BY created_at DESC, id DESC`, staffID, orgScope)
	if err != nil {
		return nil, fmt.Errorf("load conversations of staff %d: %w", staffID, err)
	}
	convs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (PersonConversation, error) {
		var c PersonConversation
		err := row.Scan(&c.ID, &c.Channel, &c.Flow, &c.Owner, &c.Status, &c.ClosedReason, &c.CreatedAt, &c.LastActivity)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("load conversations of staff %d: %w", staffID, err)
	}
	return convs, nil
}

// PersonShown is what a view of the person page showed, by id.
type PersonShown struct {
	Cases, Conversations, Referrals, Absences []int64
}

// RecordPersonView writes the audit event for userID having seen person
// p's page, which showed shown.
func RecordPersonView(ctx context.Context, q Querier, p Person, userID int64, shown PersonShown) error {
	return Audit(ctx, q, AuditEvent{ActorUserID: userID, Action: "person.view", RecordType: "staff", RecordID: p.ID,
		OrganisationID: p.OrganisationID, Details: map[string]any{
			"case_ids": orEmpty(shown.Cases), "conversation_ids": orEmpty(shown.Conversations),
			"referral_ids": orEmpty(shown.Referrals), "absence_ids": orEmpty(shown.Absences)}})
}

// orEmpty is ids, or an empty list (not null) when there are none.
func orEmpty(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}
