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

// Referrals (tables referrals and referral_events): fast-track
// physiotherapy referrals the person agreed to in a flow, worked by their
// organisation's physio team in the console or by a referral system
// through the API. Every query that reads or changes one takes orgScope,
// the organisation of the user or API key (0: every organisation), and
// treats a referral of another organisation as not found. Every change
// writes its referral event and audit event in the caller's transaction.

// ReferralStatus is where a referral is: new, accepted, booked, declined,
// attended or did_not_attend.
type ReferralStatus string

// The referral statuses, in the only order they move in: new → accepted →
// booked → attended or did_not_attend; new or accepted → declined.
const (
	ReferralNew          ReferralStatus = "new"
	ReferralAccepted     ReferralStatus = "accepted"
	ReferralBooked       ReferralStatus = "booked"
	ReferralDeclined     ReferralStatus = "declined"
	ReferralAttended     ReferralStatus = "attended"
	ReferralDidNotAttend ReferralStatus = "did_not_attend"
)

// Actor is who changed a referral: a console user, a referral system's API
// key, or (both 0) the service itself.
type Actor struct {
	UserID   int64
	APIKeyID int64
}

// NewReferral is what a referral is made with.
type NewReferral struct {
	OrganisationID int64
	StaffID        int64
	ConversationID int64
	Language       string
	Answers        map[string]string
	SLADue         time.Time
}

// CreateReferral stores a new referral with the answers the person agreed
// to share, its "made" event and its audit event, and returns its id.
func CreateReferral(ctx context.Context, tx pgx.Tx, nr NewReferral) (int64, error) {
	body, err := json.Marshal(nr.Answers)
	if err != nil {
		return 0, err
	}
	var id int64
	err = tx.QueryRow(ctx, `
		INSERT INTO referrals (organisation_id, staff_id, conversation_id, kind, answers, language, sla_due_at)
		VALUES ($1, $2, $3, 'physiotherapy', $4, $5, $6) RETURNING id`,
		nr.OrganisationID, nr.StaffID, nr.ConversationID, body, nr.Language, nr.SLADue).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create referral: %w", err)
	}
	_, err = referralEvent(ctx, tx, id, nr.OrganisationID, Actor{}, "made", "", nil)
	return id, err
}

// Referral is a referral with what the physio worklist shows about it and
// the person it is about.
type Referral struct {
	ID               int64
	OrganisationID   int64
	OrganisationCode string
	OrganisationName string
	ConversationID   int64
	Channel          ohcontact.Channel
	Language         string
	// Answers are the person's answers, by question: area, duration,
	// red_flags, can_work, progress, contact.
	Answers          map[string]string
	Status           ReferralStatus
	SLADue           time.Time
	BreachCount      int
	ActedAt          time.Time // zero while new
	AppointmentAt    time.Time // zero unless booked (and after)
	AppointmentKind  string    // in_person or phone
	AppointmentPlace string    // in person only
	BookedAt         time.Time
	DeclineReason    string // see_gp, self_refer, under_care or oh_call
	DeclineNote      string
	CreatedAt        time.Time
	UpdatedAt        time.Time

	// The person.
	StaffID          int64
	FirstName        string
	LastName         string
	AssignmentNumber string
	Mobile           string
	Email            string
	OptedOut         bool
}

const referralColumns = `
	r.id, r.organisation_id, o.code, o.name, r.conversation_id, v.channel, r.language, r.answers, r.status,
	r.sla_due_at, r.breach_count, r.acted_at, r.appointment_at, coalesce(r.appointment_kind, ''),
	coalesce(r.appointment_place, ''), r.booked_at, coalesce(r.decline_reason, ''), coalesce(r.decline_note, ''),
	r.created_at, r.updated_at,
	s.id, s.first_name, s.last_name, s.assignment_number, coalesce(s.mobile, ''), coalesce(s.email, ''),
	s.consent = 'opted_out'`

const referralFrom = `
	FROM referrals r
	JOIN organisations o ON o.id = r.organisation_id
	JOIN conversations v ON v.id = r.conversation_id
	JOIN staff s ON s.id = r.staff_id`

func scanReferral(row pgx.Row) (Referral, error) {
	var r Referral
	var answers []byte
	var acted, appt, booked *time.Time
	err := row.Scan(&r.ID, &r.OrganisationID, &r.OrganisationCode, &r.OrganisationName, &r.ConversationID, &r.Channel,
		&r.Language, &answers, &r.Status, &r.SLADue, &r.BreachCount, &acted, &appt, &r.AppointmentKind,
		&r.AppointmentPlace, &booked, &r.DeclineReason, &r.DeclineNote, &r.CreatedAt, &r.UpdatedAt,
		&r.StaffID, &r.FirstName, &r.LastName, &r.AssignmentNumber, &r.Mobile, &r.Email, &r.OptedOut)
	if err != nil {
		return r, err
	}
	r.ActedAt, r.AppointmentAt, r.BookedAt = deref(acted), deref(appt), deref(booked)
	return r, json.Unmarshal(answers, &r.Answers)
}

// ReferralByID returns referral id, or ohcontact.ErrNotFound when there is none in
// organisation orgScope (0: any).
func ReferralByID(ctx context.Context, q Querier, orgScope, id int64) (Referral, error) {
	r, err := scanReferral(q.QueryRow(ctx, `SELECT `+referralColumns+referralFrom+`
		WHERE r.id = $1 AND ($2::bigint = 0 OR r.organisation_id = $2)`, id, orgScope))
	if errors.Is(err, pgx.ErrNoRows) {
		return r, fmt.Errorf("referral %d: %w", id, ohcontact.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("load referral %d: %w", id, err)
	}
	return r, nil
}

// LockReferral is ReferralByID for a change: the referral's row stays
// locked until tx ends.
func LockReferral(ctx context.Context, tx pgx.Tx, orgScope, id int64) (Referral, error) {
	r, err := scanReferral(tx.QueryRow(ctx, `SELECT `+referralColumns+referralFrom+`
		WHERE r.id = $1 AND ($2::bigint = 0 OR r.organisation_id = $2) FOR UPDATE OF r`, id, orgScope))
	if errors.Is(err, pgx.ErrNoRows) {
		return r, fmt.Errorf("referral %d: %w", id, ohcontact.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("lock referral %d: %w", id, err)
	}
	return r, nil
}

// ReferralFilter chooses referrals for a worklist or an API page.
type ReferralFilter struct {
	OrgScope int64
	StaffID  int64            // keeps one member of staff's referrals, when set
	Statuses []ReferralStatus // any status when empty
	// Since keeps referrals changed at or after it (updated_at), when set.
	Since time.Time
	// AfterID keeps referrals with a larger id, for paging in id order.
	AfterID int64
	// Paging puts the referrals in id order, for an API's pages, even on
	// the first page (AfterID 0, no Since).
	Paging bool
	Limit  int
}

// ListReferrals returns the referrals f chooses: new ones first, oldest
// (closest to its SLA) first, then the others, most recently changed
// first; or, when f.Paging, f.AfterID or f.Since is set, in id order for
// paging.
func ListReferrals(ctx context.Context, q Querier, f ReferralFilter) ([]Referral, error) {
	statuses := make([]string, len(f.Statuses))
	for i, s := range f.Statuses {
		statuses[i] = string(s)
	}
	var since *time.Time
	if !f.Since.IsZero() {
		since = &f.Since
	}
	order := `ORDER BY (r.status = 'new') DESC, CASE WHEN r.status = 'new' THEN r.sla_due_at END, r.updated_at DESC, r.id DESC`
	if f.Paging || f.AfterID != 0 || since != nil {
		order = `ORDER BY r.id`
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 500
	}
	rows, err := q.Query(ctx, `SELECT `+referralColumns+referralFrom+`
		WHERE ($1::bigint = 0 OR r.organisation_id = $1)
		  AND (cardinality($2::text[]) = 0 OR r.status = ANY($2))
		  AND ($3::timestamptz IS NULL OR r.updated_at >= $3)
		  AND r.id > $4 AND ($6::bigint = 0 OR r.staff_id = $6)
		`+order+` LIMIT $5`, f.OrgScope, statuses, since, f.AfterID, limit, f.StaffID)
	if err != nil {
		return nil, fmt.Errorf("list referrals: %w", err)
	}
	rs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Referral, error) { return scanReferral(row) })
	if err != nil {
		return nil, fmt.Errorf("list referrals: %w", err)
	}
	return rs, nil
}

// ReferralChange is a move of a referral to Status, with what that status
// needs: an appointment (booked), a reason (declined).
type ReferralChange struct {
	Status           ReferralStatus
	AppointmentAt    time.Time
	AppointmentKind  string
	AppointmentPlace string
	DeclineReason    string
	Note             string // for the history (and, when declined, the decline note)
}

// ChangeReferral records change on referral r, which the caller holds
// locked (LockReferral) and has checked may move so, with its event and
// audit event, and returns the event's id. The first change away from new
// is when the referral was acted on, which stops its SLA clock.
func ChangeReferral(ctx context.Context, tx pgx.Tx, r Referral, c ReferralChange, by Actor) (int64, error) {
	var appt *time.Time
	kind, place := nullIfEmpty(c.AppointmentKind), nullIfEmpty(c.AppointmentPlace)
	if !c.AppointmentAt.IsZero() {
		appt = &c.AppointmentAt
	}
	reason, note := nullIfEmpty(c.DeclineReason), (*string)(nil)
	if c.Status == ReferralDeclined {
		note = nullIfEmpty(c.Note)
	}
	_, err := tx.Exec(ctx, `
		UPDATE referrals SET status = $2,
			acted_at = coalesce(acted_at, now()),
			appointment_at = coalesce($3, appointment_at),
			appointment_kind = coalesce($4, appointment_kind),
			appointment_place = CASE WHEN $3::timestamptz IS NOT NULL THEN $5 ELSE appointment_place END,
			booked_at = CASE WHEN $2 = 'booked' THEN now() ELSE booked_at END,
			decline_reason = $6, decline_note = $7,
			updated_at = now()
		WHERE id = $1`, r.ID, c.Status, appt, kind, place, reason, note)
	if err != nil {
		return 0, fmt.Errorf("change referral %d to %s: %w", r.ID, c.Status, err)
	}
	details := map[string]any{"from": string(r.Status), "to": string(c.Status)}
	if c.DeclineReason != "" {
		details["reason"] = c.DeclineReason
	}
	return referralEvent(ctx, tx, r.ID, r.OrganisationID, by, string(c.Status), c.Note, details)
}

// RecordReferralNotice records on referral id's history whether the
// person was told of event eventID (kind person_told or person_not_told),
// with a note for the physio team saying how, or why not.
func RecordReferralNotice(ctx context.Context, tx pgx.Tx, id, orgID int64, told bool, note string) error {
	kind := "person_not_told"
	if told {
		kind = "person_told"
	}
	_, err := referralEvent(ctx, tx, id, orgID, Actor{}, kind, note, nil)
	return err
}

// referralEvent adds an event of kind to referral id's history and the
// matching audit event, referral.KIND, and returns the event's id.
func referralEvent(ctx context.Context, tx pgx.Tx, id, orgID int64, by Actor, kind, note string, details map[string]any) (int64, error) {
	var eventID int64
	err := tx.QueryRow(ctx, `
		INSERT INTO referral_events (referral_id, user_id, api_key_id, kind, note)
		VALUES ($1, nullif($2::bigint, 0), nullif($3::bigint, 0), $4, nullif($5, '')) RETURNING id`,
		id, by.UserID, by.APIKeyID, kind, note).Scan(&eventID)
	if err != nil {
		return 0, fmt.Errorf("add %s event to referral %d: %w", kind, id, err)
	}
	return eventID, Audit(ctx, tx, AuditEvent{ActorUserID: by.UserID, ActorAPIKeyID: by.APIKeyID, Action: "referral." + kind,
		RecordType: "referral", RecordID: id, OrganisationID: orgID, Details: details})
}

// ReferralEvent is one entry of a referral's history.
type ReferralEvent struct {
	ID       int64
	Kind     string
	UserName string // empty for the service or a referral system
	BySystem bool   // made through the API
	Note     string
	At       time.Time
}

// ReferralEvents returns referral id's history, oldest first.
func ReferralEvents(ctx context.Context, q Querier, id int64) ([]ReferralEvent, error) {
	rows, err := q.Query(ctx, `
		SELECT e.id, e.kind, coalesce(u.display_name, ''), e.api_key_id IS NOT NULL, coalesce(e.note, ''), e.created_at
		FROM referral_events e LEFT JOIN users u ON u.id = e.user_id
		WHERE e.referral_id = $1 ORDER BY e.id`, id)
	if err != nil {
		return nil, fmt.Errorf("load history of referral %d: %w", id, err)
	}
	es, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ReferralEvent])
	if err != nil {
		return nil, fmt.Errorf("load history of referral %d: %w", id, err)
	}
	return es, nil
}

// RecordReferralView writes the audit event for a user or API key having
// seen referral r with the person's contact details.
func RecordReferralView(ctx context.Context, q Querier, r Referral, by Actor) error {
	return Audit(ctx, q, AuditEvent{ActorUserID: by.UserID, ActorAPIKeyID: by.APIKeyID, Action: "referral.view",
		RecordType: "referral", RecordID: r.ID, OrganisationID: r.OrganisationID})
}

// RecordReferralListView writes the audit event for a user or API key
// having seen a list of referrals (names and answers): ids lists them.
func RecordReferralListView(ctx context.Context, q Querier, orgScope int64, ids []int64, by Actor) error {
	return Audit(ctx, q, AuditEvent{ActorUserID: by.UserID, ActorAPIKeyID: by.APIKeyID, Action: "referral.list",
		RecordType: "referral", OrganisationID: orgScope, Details: map[string]any{"referral_ids": ids}})
}

// ReferralSLA is what the SLA check needs of a referral.
type ReferralSLA struct {
	ID             int64
	OrganisationID int64
	Status         ReferralStatus
	SLADue         time.Time
	BreachCount    int
}

// LockReferralSLA locks referral id for its SLA check, or returns
// ohcontact.ErrNotFound.
func LockReferralSLA(ctx context.Context, tx pgx.Tx, id int64) (ReferralSLA, error) {
	var r ReferralSLA
	err := tx.QueryRow(ctx, `SELECT id, organisation_id, status, sla_due_at, breach_count FROM referrals WHERE id = $1 FOR UPDATE`,
		id).Scan(&r.ID, &r.OrganisationID, &r.Status, &r.SLADue, &r.BreachCount)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, fmt.Errorf("referral %d: %w", id, ohcontact.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("lock referral %d: %w", id, err)
	}
	return r, nil
}

// RecordReferralBreach records that referral r is still new past its SLA:
// its breach count and an sla_breached event (and audit event).
func RecordReferralBreach(ctx context.Context, tx pgx.Tx, r ReferralSLA) error {
	if _, err := tx.Exec(ctx, `UPDATE referrals SET breach_count = breach_count + 1, updated_at = now() WHERE id = $1`, r.ID); err != nil {
		return fmt.Errorf("record breach of referral %d: %w", r.ID, err)
	}
	_, err := referralEvent(ctx, tx, r.ID, r.OrganisationID, Actor{}, "sla_breached", "",
		map[string]any{"breach": r.BreachCount + 1})
	return err
}

// OverdueReferrals returns how many referrals of organisation orgScope (0:
// every organisation) are still new past their SLA at now, and the oldest
// one's id (0 when none).
func OverdueReferrals(ctx context.Context, q Querier, orgScope int64, now time.Time) (int, int64, error) {
	var n int
	var oldest int64
	err := q.QueryRow(ctx, `
		SELECT count(*), coalesce((array_agg(id ORDER BY sla_due_at, id))[1], 0) FROM referrals
		WHERE status = 'new' AND sla_due_at <= $2 AND ($1::bigint = 0 OR organisation_id = $1)`, orgScope, now).Scan(&n, &oldest)
	if err != nil {
		return 0, 0, fmt.Errorf("count overdue referrals: %w", err)
	}
	return n, oldest, nil
}
