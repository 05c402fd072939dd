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

// Contacts are the proactive side of the service: one per absence episode
// and trigger, ever (a unique constraint). These queries plan them in bulk,
// and move one along its states as its jobs run:
//
//	scheduled → sent → reminded → no_response
//	              ↘        ↘
//	               responded (any reply)
//
// and scheduled → cancelled, skipped or failed.

// Why a contact was cancelled or failed, as contacts.state_reason records
// it (the triggers package writes them; the dashboard's reach funnel reads
// them). A contact skipped because it fell due too long before its absence
// was recorded has a sentence naming the due time instead.
const (
	// ReasonNotApplicable: the absence's reason or dates changed, and the
	// trigger no longer applies to it.
	ReasonNotApplicable = "no longer applies: the absence's reason or dates changed"
	ReasonNoSendTime    = "no send time: the send window and the person's quiet hours leave none"
	ReasonOptedOut      = "the person has opted out of messages"
	ReasonClinician     = "a clinician already has an open conversation with the person"
	// ReasonReturned begins the reason of a contact cancelled because the
	// person was back at work before it was sent; the day the absence
	// ended follows it.
	ReasonReturned = "returned to work before it was sent"
)

// episodeToPlanColumns are what scanEpisodeToPlan reads, from
// absence_episodes e, staff s, organisations o and the arrays of the
// episode's contacts c (ids, triggers, states).
const episodeToPlanColumns = `e.id, o.code, e.starts_on, e.ends_on, e.reason_code,
	s.quiet_from, s.quiet_until, s.mobile IS NOT NULL, coalesce(s.preferred_channel, ''),
	coalesce(c.ids, '{}'), coalesce(c.triggers, '{}'), coalesce(c.states, '{}')`

// NewContact is a contact to record.
type NewContact struct {
	EpisodeID int64
	Trigger   string
	Flow      string
	Channel   ohcontact.Channel
	State     string // scheduled, skipped, cancelled or failed
	Reason    string // state_reason, or empty
	DueAt     time.Time
	HeldUntil time.Time // zero unless a send window moved it
}

// InsertedContact is a contact InsertContacts recorded.
type InsertedContact struct {
	ID        int64
	EpisodeID int64
	Trigger   string
}

// InsertContacts records contacts, skipping any whose episode already has a
// contact for that trigger (recorded meanwhile by another transaction: a
// contact is never repeated), and returns those it recorded.
func InsertContacts(ctx context.Context, tx pgx.Tx, contacts []NewContact) ([]InsertedContact, error) {
	n := len(contacts)
	episodes, triggers, flows, channels := make([]int64, n), make([]string, n), make([]string, n), make([]string, n)
	states, reasons, due, held := make([]string, n), make([]string, n), make([]time.Time, n), make([]pgtype.Timestamptz, n)
	for i, c := range contacts {
		episodes[i], triggers[i], flows[i], channels[i] = c.EpisodeID, c.Trigger, c.Flow, string(c.Channel)
		states[i], reasons[i], due[i] = c.State, c.Reason, c.DueAt
		held[i] = pgtype.Timestamptz{Time: c.HeldUntil, Valid: !c.HeldUntil.IsZero()}
	}
	rows, err := tx.Query(ctx, `
		INSERT INTO contacts (episode_id, trigger, flow, channel, state, state_reason, due_at, held_until)
		SELECT e, t, f, c, s, nullif(r, ''), d, h
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[])
		     AS i(e, t, f, c, s, r, d, h)
		ON CONFLICT (episode_id, trigger) DO NOTHING
		RETURNING id, episode_id, trigger`,
		episodes, triggers, flows, channels, states, reasons, due, held)
	if err != nil {
		return nil, fmt.Errorf("insert contacts: %w", err)
	}
	inserted, err := pgx.CollectRows(rows, pgx.RowToStructByPos[InsertedContact])
	if err != nil {
		return nil, fmt.Errorf("insert contacts: %w", err)
	}
	return inserted, nil
}

// CancelContacts cancels the contacts ids, each with its reason, that are
// still scheduled (one whose job has sent it meanwhile stays sent), and
// returns how many it cancelled.
func CancelContacts(ctx context.Context, tx pgx.Tx, ids []int64, reasons []string) (int, error) {
	tag, err := tx.Exec(ctx, `
		UPDATE contacts k SET state = 'cancelled', state_reason = c.reason, updated_at = now()
		FROM unnest($1::bigint[], $2::text[]) AS c(id, reason)
		WHERE k.id = c.id AND k.state = 'scheduled'`, ids, reasons)
	if err != nil {
		return 0, fmt.Errorf("cancel contacts: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// contactQuery selects contact $1 as scanContact reads it.
const contactQuery = `
	SELECT k.id, k.trigger, k.flow, k.state, k.due_at, k.held_until, e.ends_on,
	       ` + staffColumns + `, coalesce(s.preferred_channel, ''), s.quiet_from, s.quiet_until
	FROM contacts k
	JOIN absence_episodes e ON e.id = k.episode_id
	JOIN staff s ON s.id = e.staff_id
	JOIN organisations o ON o.id = s.organisation_id
	WHERE k.id = $1`

// LockContact returns contact id and locks its row until tx ends, or
// returns ohcontact.ErrNotFound.
func LockContact(ctx context.Context, tx pgx.Tx, id int64) (ohcontact.Contact, error) {
	return scanContact(tx.QueryRow(ctx, contactQuery+` FOR UPDATE OF k`, id), id)
}

// ContactByID returns contact id without locking it, or ohcontact.ErrNotFound.
func ContactByID(ctx context.Context, q Querier, id int64) (ohcontact.Contact, error) {
	return scanContact(q.QueryRow(ctx, contactQuery, id), id)
}

func scanContact(row pgx.Row, id int64) (ohcontact.Contact, error) {
	var (
		c                   ohcontact.Contact
		held                pgtype.Timestamptz
		ends                pgtype.Date
		quietFrom, quietTil pgtype.Time
	)
	err := row.Scan(&c.ID, &c.Trigger, &c.Flow, &c.State, &c.DueAt, &held, &ends,
		&c.Staff.ID, &c.Staff.OrganisationID, &c.Staff.OrganisationCode, &c.Staff.AssignmentNumber, &c.Staff.FirstName,
		&c.Staff.Mobile, &c.Staff.Language, &c.Staff.OptedOut, &c.PreferredChannel, &quietFrom, &quietTil)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("contact %d: %w", id, ohcontact.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("load contact %d: %w", id, err)
	}
	if held.Valid {
		c.HeldUntil = held.Time
	}
	if ends.Valid {
		c.EndsOn = ends.Time
	}
	c.Quiet = quietHours(quietFrom, quietTil)
	return c, nil
}

// SetContactState moves contact id to state with reason (empty for none).
// The caller holds the contact's lock and has checked the move.
func SetContactState(ctx context.Context, tx pgx.Tx, id int64, state, reason string) error {
	_, err := tx.Exec(ctx, `UPDATE contacts SET state = $2, state_reason = $3, updated_at = now() WHERE id = $1`,
		id, state, nullIfEmpty(reason))
	if err != nil {
		return fmt.Errorf("set contact %d %s: %w", id, state, err)
	}
	return nil
}

// MarkContactSent records that contact id went out on channel.
func MarkContactSent(ctx context.Context, tx pgx.Tx, id int64, channel ohcontact.Channel) error {
	_, err := tx.Exec(ctx, `UPDATE contacts SET state = 'sent', channel = $2, state_reason = NULL, updated_at = now() WHERE id = $1`,
		id, channel)
	if err != nil {
		return fmt.Errorf("mark contact %d sent: %w", id, err)
	}
	return nil
}

// SetContactChannel records that contact id now goes on on channel (a web
// chat contact nobody saw, sent by SMS instead), keeping its state.
func SetContactChannel(ctx context.Context, tx pgx.Tx, id int64, channel ohcontact.Channel) error {
	if _, err := tx.Exec(ctx, `UPDATE contacts SET channel = $2, updated_at = now() WHERE id = $1`, id, channel); err != nil {
		return fmt.Errorf("set channel of contact %d: %w", id, err)
	}
	return nil
}

// HoldContact records that contact id waits for a send window until until
// (shown to clinicians as "queued until …").
func HoldContact(ctx context.Context, tx pgx.Tx, id int64, until time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE contacts SET held_until = $2, updated_at = now() WHERE id = $1`, id, until)
	if err != nil {
		return fmt.Errorf("hold contact %d: %w", id, err)
	}
	return nil
}

// ConversationContact returns the contact that opened conversation id, or
// ohcontact.ErrNotFound when the person opened it.
func ConversationContact(ctx context.Context, q Querier, conversationID int64) (int64, error) {
	var id *int64
	err := q.QueryRow(ctx, `SELECT contact_id FROM conversations WHERE id = $1`, conversationID).Scan(&id)
	switch {
	case errors.Is(err, pgx.ErrNoRows) || (err == nil && id == nil):
		return 0, fmt.Errorf("contact of conversation %d: %w", conversationID, ohcontact.ErrNotFound)
	case err != nil:
		return 0, fmt.Errorf("find contact of conversation %d: %w", conversationID, err)
	}
	return *id, nil
}

// PlannedContact is a contact as `ohcontact triggers plan` lists it.
type PlannedContact struct {
	OrganisationCode string
	AssignmentNumber string
	Trigger          string
	// At is when it goes: its due time, or the end of its hold by a send
	// window. For a skipped contact, the due time it missed.
	At      time.Time
	Channel ohcontact.Channel
	Reason  string // why it was skipped; empty for scheduled contacts
}

// ScheduledContacts returns the contacts still to be sent that go at or
// before until, soonest first.
func ScheduledContacts(ctx context.Context, q Querier, until time.Time) ([]PlannedContact, error) {
	rows, err := q.Query(ctx, `
		SELECT o.code, s.assignment_number, k.trigger, coalesce(k.held_until, k.due_at) AS at, k.channel, ''
		FROM contacts k
		JOIN absence_episodes e ON e.id = k.episode_id
		JOIN staff s ON s.id = e.staff_id
		JOIN organisations o ON o.id = s.organisation_id
		WHERE k.state = 'scheduled' AND k.due_at <= $1 AND coalesce(k.held_until, k.due_at) <= $1
		ORDER BY at, o.code, s.assignment_number, k.trigger`, until)
	if err != nil {
		return nil, fmt.Errorf("list scheduled contacts: %w", err)
	}
	return collectPlanned(rows)
}

// SkippedContacts returns the contacts recorded as skipped since since,
// in order of their due time.
func SkippedContacts(ctx context.Context, q Querier, since time.Time) ([]PlannedContact, error) {
	rows, err := q.Query(ctx, `
		SELECT o.code, s.assignment_number, k.trigger, k.due_at, k.channel, coalesce(k.state_reason, '')
		FROM contacts k
		JOIN absence_episodes e ON e.id = k.episode_id
		JOIN staff s ON s.id = e.staff_id
		JOIN organisations o ON o.id = s.organisation_id
		WHERE k.state = 'skipped' AND k.created_at >= $1
		ORDER BY k.due_at, o.code, s.assignment_number, k.trigger`, since)
	if err != nil {
		return nil, fmt.Errorf("list skipped contacts: %w", err)
	}
	return collectPlanned(rows)
}

func collectPlanned(rows pgx.Rows) ([]PlannedContact, error) {
	planned, err := pgx.CollectRows(rows, pgx.RowToStructByPos[PlannedContact])
	if err != nil {
		return nil, fmt.Errorf("list contacts: %w", err)
	}
	return planned, nil
}
