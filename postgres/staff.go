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

// staffColumns are what scanStaff reads, from staff s joined to
// organisations o.
const staffColumns = `s.id, s.organisation_id, o.code, s.assignment_number, s.first_name, coalesce(s.mobile, ''),
	s.language, s.consent = 'opted_out'`

func scanStaff(row pgx.Row, what string) (ohcontact.Staff, error) {
	var s ohcontact.Staff
	err := row.Scan(&s.ID, &s.OrganisationID, &s.OrganisationCode, &s.AssignmentNumber, &s.FirstName, &s.Mobile, &s.Language, &s.OptedOut)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, fmt.Errorf("find staff by %s: %w", what, ohcontact.ErrNotFound)
	}
	if err != nil {
		return s, fmt.Errorf("find staff by %s: %w", what, err)
	}
	return s, nil
}

// StaffByAssignment returns the member of staff of organisation orgID with
// the given ESR assignment number, or ohcontact.ErrNotFound.
func StaffByAssignment(ctx context.Context, q Querier, orgID int64, number string) (ohcontact.Staff, error) {
	return scanStaff(q.QueryRow(ctx, `SELECT `+staffColumns+`
		FROM staff s JOIN organisations o ON o.id = s.organisation_id
		WHERE s.organisation_id = $1 AND s.assignment_number = $2`, orgID, number), "assignment number")
}

// Routing of inbound texts. A mobile on one staff record names that
// member of staff. A mobile on several (a person employed by two trusts, a
// shared phone, or an HR feed that wrote another trust's employee's number)
// is answered by the record the text continues, never by the record changed
// last, so that no organisation's HR feed can draw another organisation's
// employee's texts to itself by registering their number:
//
//  1. the record with an open SMS conversation with that number (the most
//     recently active, if several): the text continues it;
//  2. otherwise the record with the most recent SMS conversation with that
//     number, open or closed: its organisation contacted the number last
//     (a contact sent, a reply, a notice) or was texted from it;
//  3. otherwise the record that has held the number longest (mobile_since,
//     then the lowest id): the newcomer's claim loses.
//
// MobileMatch.By says which rule decided, and the runner logs a warning
// (ids only) when rule 3 did.

// Rules by which StaffForInbound chose among several records with one
// mobile (MobileMatch.By).
const (
	MatchOnly             = "only"              // the number is on one record
	MatchOpenConversation = "open_conversation" // rule 1
	MatchLastConversation = "last_conversation" // rule 2
	MatchFirstHolder      = "first_holder"      // rule 3
)

// MobileMatch is the member of staff a text from a mobile is from, and how
// they were chosen.
type MobileMatch struct {
	Staff ohcontact.Staff
	By    string // MatchOnly, MatchOpenConversation, MatchLastConversation or MatchFirstHolder
	// Others are the ids of the other records with the same mobile, in id
	// order; empty when By is MatchOnly.
	Others []int64
}

// StaffForInbound finds, in one round trip, the member of staff for each of
// ids that exists and for each of the E.164 mobiles that is in the
// directory. When several records share a number, the routing rules above
// choose one.
func StaffForInbound(ctx context.Context, tx pgx.Tx, ids []int64, mobiles []string) (map[int64]ohcontact.Staff, map[string]MobileMatch, error) {
	byID := make(map[int64]ohcontact.Staff, len(ids))
	byMobile := make(map[string]MobileMatch, len(mobiles))
	b := &pgx.Batch{}
	if len(ids) > 0 {
		b.Queue(`SELECT `+staffColumns+`
			FROM staff s JOIN organisations o ON o.id = s.organisation_id WHERE s.id = ANY($1)`, ids).
			Query(func(rows pgx.Rows) error {
				return collectStaff(rows, byID, func(s ohcontact.Staff) int64 { return s.ID })
			})
	}
	if len(mobiles) > 0 {
		// The conversation look-ups run only for numbers on several
		// records (the one-time filter n > 1): the usual text costs one
		// index look-up, as before.
		b.Queue(`
			WITH holders AS (
				SELECT s.*, count(*) OVER (PARTITION BY s.mobile) AS n,
				       array_agg(s.id) OVER (PARTITION BY s.mobile) AS ids
				FROM staff s WHERE s.mobile = ANY($1)
			), ranked AS (
				SELECT h.id, h.n, h.ids, open.at AS open_at, last.at AS last_at,
				       row_number() OVER (PARTITION BY h.mobile
				           ORDER BY open.at DESC NULLS LAST, last.at DESC NULLS LAST, h.mobile_since, h.id) AS rank
				FROM holders h
				LEFT JOIN LATERAL (SELECT max(c.last_activity_at) AS at FROM conversations c
					WHERE h.n > 1 AND c.staff_id = h.id AND c.channel = 'sms' AND c.status = 'open'
					  AND c.address = h.mobile) open ON true
				LEFT JOIN LATERAL (SELECT max(c.last_activity_at) AS at FROM conversations c
					WHERE h.n > 1 AND c.channel = 'sms' AND c.address = h.mobile AND c.staff_id = h.id) last ON true
			)
			SELECT `+staffColumns+`,
			       CASE WHEN r.n = 1 THEN 'only' WHEN r.open_at IS NOT NULL THEN 'open_conversation'
			            WHEN r.last_at IS NOT NULL THEN 'last_conversation' ELSE 'first_holder' END,
			       array(SELECT x FROM unnest(r.ids) x WHERE x <> r.id ORDER BY x)
			FROM ranked r JOIN staff s ON s.id = r.id JOIN organisations o ON o.id = s.organisation_id
			WHERE r.rank = 1`, mobiles).
			Query(func(rows pgx.Rows) error {
				matches, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (MobileMatch, error) {
					var m MobileMatch
					s := &m.Staff
					err := row.Scan(&s.ID, &s.OrganisationID, &s.OrganisationCode, &s.AssignmentNumber, &s.FirstName, &s.Mobile,
						&s.Language, &s.OptedOut, &m.By, &m.Others)
					return m, err
				})
				for _, m := range matches {
					byMobile[m.Staff.Mobile] = m
				}
				return err
			})
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, nil, fmt.Errorf("find staff: %w", err)
	}
	return byID, byMobile, nil
}

func collectStaff[K comparable](rows pgx.Rows, into map[K]ohcontact.Staff, key func(ohcontact.Staff) K) error {
	staff, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ohcontact.Staff, error) { return scanStaff(row, "") })
	for _, s := range staff {
		into[key(s)] = s
	}
	return err
}

// StaffSendTerms returns what decides when staff member id may be sent a
// message: their organisation's code and their quiet hours (nil when they
// have none), or ohcontact.ErrNotFound.
func StaffSendTerms(ctx context.Context, q Querier, id int64) (string, *ohcontact.QuietHours, error) {
	var code string
	var from, until pgtype.Time
	err := q.QueryRow(ctx, `SELECT o.code, s.quiet_from, s.quiet_until FROM staff s JOIN organisations o ON o.id = s.organisation_id
		WHERE s.id = $1`, id).Scan(&code, &from, &until)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil, fmt.Errorf("staff %d: %w", id, ohcontact.ErrNotFound)
	}
	if err != nil {
		return "", nil, fmt.Errorf("load send terms of staff %d: %w", id, err)
	}
	return code, quietHours(from, until), nil
}

// PhoneOwner is a member of staff whose phone the simulator can show.
type PhoneOwner struct {
	Mobile, FirstName, LastName, Organisation string
}

// PhoneOwners returns the members of staff whose mobile is one of mobiles,
// those with the most recent texts first.
func PhoneOwners(ctx context.Context, q Querier, mobiles []string) ([]PhoneOwner, error) {
	rows, err := q.Query(ctx, `
		SELECT s.mobile, s.first_name, s.last_name, o.name
		FROM staff s JOIN organisations o ON o.id = s.organisation_id
		LEFT JOIN LATERAL (SELECT max(last_activity_at) AS last FROM conversations c
		                   WHERE c.staff_id = s.id AND c.channel = 'sms') a ON true
		WHERE s.mobile = ANY($1)
		ORDER BY a.last DESC NULLS LAST, s.last_name, s.first_name`, mobiles)
	if err != nil {
		return nil, fmt.Errorf("phone owners: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[PhoneOwner])
}

// MobileConflict is a mobile held by staff of two organisations, seen from
// one side: the record StaffID of OrganisationID, and the record
// OtherStaffID of another organisation with the same number. It names the
// number by its last three digits only.
type MobileConflict struct {
	StaffID               int64
	OrganisationID        int64
	OrganisationName      string
	AssignmentNumber      string
	OtherStaffID          int64
	OtherOrganisationID   int64
	OtherOrganisationName string
	OtherAssignmentNumber string
	MobileLast3           string
	// Since is when the later of the two records got the number.
	Since time.Time
}

const mobileConflictColumns = `m.staff_id, m.organisation_id, o.name, m.assignment_number,
	m.other_staff_id, m.other_organisation_id, p.name, m.other_assignment_number, m.mobile_last3,
	greatest(m.mobile_since, m.other_mobile_since)`

func collectMobileConflicts(rows pgx.Rows, err error) ([]MobileConflict, error) {
	if err != nil {
		return nil, fmt.Errorf("find mobile conflicts: %w", err)
	}
	cs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (MobileConflict, error) {
		var c MobileConflict
		err := row.Scan(&c.StaffID, &c.OrganisationID, &c.OrganisationName, &c.AssignmentNumber, &c.OtherStaffID,
			&c.OtherOrganisationID, &c.OtherOrganisationName, &c.OtherAssignmentNumber, &c.MobileLast3, &c.Since)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("find mobile conflicts: %w", err)
	}
	return cs, nil
}

// MobileConflicts lists the mobiles held by staff of two organisations
// (the view staff_mobile_conflicts), newest first. For orgScope 0 (an
// admin of every organisation) each pair of records appears once;
// otherwise each of organisation orgScope's records in a conflict appears
// once per other record, as StaffID.
func MobileConflicts(ctx context.Context, q Querier, orgScope int64) ([]MobileConflict, error) {
	rows, err := q.Query(ctx, `SELECT `+mobileConflictColumns+`
		FROM staff_mobile_conflicts m
		JOIN organisations o ON o.id = m.organisation_id JOIN organisations p ON p.id = m.other_organisation_id
		WHERE CASE WHEN $1 = 0 THEN m.staff_id < m.other_staff_id ELSE m.organisation_id = $1 END
		ORDER BY greatest(m.mobile_since, m.other_mobile_since) DESC, m.staff_id, m.other_staff_id`, orgScope)
	return collectMobileConflicts(rows, err)
}

// NewMobileConflicts returns the conflicts that tx made by giving any of
// the records ids its mobile (mobile_since is tx's start): one per record
// of another organisation that already holds the number, as OtherStaffID.
func NewMobileConflicts(ctx context.Context, tx pgx.Tx, ids []int64) ([]MobileConflict, error) {
	rows, err := tx.Query(ctx, `SELECT `+mobileConflictColumns+`
		FROM staff_mobile_conflicts m
		JOIN organisations o ON o.id = m.organisation_id JOIN organisations p ON p.id = m.other_organisation_id
		WHERE m.staff_id = ANY($1) AND m.mobile_since = now()
		ORDER BY m.staff_id, m.other_staff_id`, ids)
	return collectMobileConflicts(rows, err)
}

// SetConsent records that staff member id opted in (optedOut false) or out
// at now. A repeat of the current choice keeps its original time. Opting
// out fails, in tx, every text still queued to the person ("not sent: the
// person opted out"), so that none queued before the opt-out is sent; a
// text the caller queues after SetConsent in tx (the confirmation of an
// opt-out Twilio does not know of) is not touched. It also puts a new
// starter whose health questionnaire has not come back on the OH admin
// team's worklist, to be reached another way (optedOutNewStarters).
func SetConsent(ctx context.Context, tx pgx.Tx, staffID int64, optedOut bool, now time.Time) error {
	consent := "opted_in"
	if optedOut {
		consent = "opted_out"
	}
	tag, err := tx.Exec(ctx, `
		UPDATE staff SET consent = $2, consent_changed_at = $3, updated_at = now()
		WHERE id = $1 AND consent <> $2`, staffID, consent, now)
	if err != nil {
		return fmt.Errorf("record consent: %w", err)
	}
	if !optedOut || tag.RowsAffected() == 0 {
		return nil
	}
	_, err = tx.Exec(ctx, `
		UPDATE messages SET delivery_status = 'failed', error_reason = 'not sent: the person opted out', updated_at = now()
		WHERE conversation_id IN (SELECT c.id FROM conversations c JOIN staff s ON s.id = c.staff_id
				WHERE c.channel = 'sms' AND c.address = s.mobile AND s.id = $1)
		  AND direction = 'outbound' AND channel = 'sms' AND delivery_status = 'queued'`, staffID)
	if err != nil {
		return fmt.Errorf("cancel texts queued before an opt-out: %w", err)
	}
	return optedOutNewStarters(ctx, tx, staffID, now)
}

// SetLanguage records the language staff member id chose to be written to in.
func SetLanguage(ctx context.Context, tx pgx.Tx, staffID int64, lang string) error {
	if _, err := tx.Exec(ctx, `UPDATE staff SET language = $2, updated_at = now() WHERE id = $1`, staffID, lang); err != nil {
		return fmt.Errorf("record language: %w", err)
	}
	return nil
}

// StaffRecord is a member of staff as an HR system sends them. Empty
// Mobile, Email and PreferredChannel mean none; an empty JobTitle,
// Department or StaffGroup means unknown.
type StaffRecord struct {
	OrganisationID   int64
	AssignmentNumber string
	FirstName        string
	LastName         string
	Mobile           string // E.164
	Email            string
	Language         string    // en-GB, cy or pl
	PreferredChannel string    // sms, webchat or empty
	JobTitle         string    // at most 100 characters
	Department       string    // at most 100 characters
	StaffGroup       string    // at most 100 characters: ESR's staff group, which campaigns pick staff by
	StartsOn         time.Time // a new starter's first day (its date, at midnight UTC), or zero when not known
}

// Upserted is a row an upsert inserted or changed.
type Upserted struct {
	ID  int64
	New bool // inserted, not updated
}

// UpsertStaff inserts or updates staff by organisation and assignment
// number, and returns the rows it inserted or changed (in no particular
// order); the others were already as given. Language is written only when
// the record is new: after that it is the person's own choice (they can
// change it by text), which the HR feed must not undo. Each organisation
// and assignment number may appear once in records.
func UpsertStaff(ctx context.Context, tx pgx.Tx, records []StaffRecord) ([]Upserted, error) {
	n := len(records)
	orgs, numbers, first, last := make([]int64, n), make([]string, n), make([]string, n), make([]string, n)
	mobiles, emails, langs, channels := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	jobs, departments, groups := make([]string, n), make([]string, n), make([]string, n)
	starts := make([]pgtype.Date, n)
	for i, r := range records {
		starts[i] = pgtype.Date{Time: r.StartsOn, Valid: !r.StartsOn.IsZero()}
		orgs[i], numbers[i], first[i], last[i] = r.OrganisationID, r.AssignmentNumber, r.FirstName, r.LastName
		mobiles[i], emails[i], langs[i], channels[i] = r.Mobile, r.Email, r.Language, r.PreferredChannel
		jobs[i], departments[i], groups[i] = r.JobTitle, r.Department, r.StaffGroup
	}
	rows, err := tx.Query(ctx, `
		INSERT INTO staff AS s (organisation_id, assignment_number, first_name, last_name, mobile, email, language, preferred_channel,
		                        job_title, department, staff_group, starts_on)
		SELECT o, a, f, l, nullif(m, ''), nullif(e, ''), g, nullif(p, ''), nullif(j, ''), nullif(d, ''), nullif(sg, ''), so
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
		            $9::text[], $10::text[], $11::text[], $12::date[])
		     AS i(o, a, f, l, m, e, g, p, j, d, sg, so)
		ON CONFLICT (organisation_id, assignment_number) DO UPDATE SET
			first_name = excluded.first_name, last_name = excluded.last_name, mobile = excluded.mobile,
			email = excluded.email, preferred_channel = excluded.preferred_channel,
			job_title = excluded.job_title, department = excluded.department, staff_group = excluded.staff_group,
			starts_on = excluded.starts_on, updated_at = now()
		WHERE (s.first_name, s.last_name, s.mobile, s.email, s.preferred_channel, s.job_title, s.department, s.staff_group, s.starts_on)
		      IS DISTINCT FROM (excluded.first_name, excluded.last_name, excluded.mobile, excluded.email, excluded.preferred_channel,
		                        excluded.job_title, excluded.department, excluded.staff_group, excluded.starts_on)
		RETURNING s.id, s.xmax = 0`,
		orgs, numbers, first, last, mobiles, emails, langs, channels, jobs, departments, groups, starts)
	if err != nil {
		return nil, fmt.Errorf("upsert staff: %w", err)
	}
	return collectUpserted(rows, "upsert staff")
}

// collectUpserted reads the (id, inserted) rows of an upsert. A row whose
// xmax is 0 was inserted; an updated one carries the updating transaction's
// id.
func collectUpserted(rows pgx.Rows, what string) ([]Upserted, error) {
	changed, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Upserted, error) {
		var u Upserted
		err := r.Scan(&u.ID, &u.New)
		return u, err
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return changed, nil
}

// StaffKey names a member of staff as HR systems do.
type StaffKey struct {
	OrganisationID   int64
	AssignmentNumber string
}

// StaffIDs returns the ids of the members of staff named by keys; keys
// with no member of staff are missing from the map.
func StaffIDs(ctx context.Context, q Querier, keys []StaffKey) (map[StaffKey]int64, error) {
	orgs, numbers := make([]int64, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		orgs[i], numbers[i] = k.OrganisationID, k.AssignmentNumber
	}
	rows, err := q.Query(ctx, `
		SELECT s.organisation_id, s.assignment_number, s.id
		FROM unnest($1::bigint[], $2::text[]) AS k(o, a)
		JOIN staff s ON s.organisation_id = k.o AND s.assignment_number = k.a`, orgs, numbers)
	if err != nil {
		return nil, fmt.Errorf("find staff: %w", err)
	}
	ids := make(map[StaffKey]int64, len(keys))
	var k StaffKey
	var id int64
	_, err = pgx.ForEachRow(rows, []any{&k.OrganisationID, &k.AssignmentNumber, &id}, func() error { ids[k] = id; return nil })
	if err != nil {
		return nil, fmt.Errorf("find staff: %w", err)
	}
	return ids, nil
}

// quietHours converts staff.quiet_from and quiet_until (both set or both
// NULL) to minutes after midnight.
func quietHours(from, until pgtype.Time) *ohcontact.QuietHours {
	if !from.Valid || !until.Valid {
		return nil
	}
	const usPerMinute = 60 * 1_000_000
	return &ohcontact.QuietHours{From: int(from.Microseconds / usPerMinute), Until: int(until.Microseconds / usPerMinute)}
}

// A member of staff as the console shows them: how to reach them
// (RevealContact) and who they are (PersonByID). Every read of contact
// details or of a person's history is audited in the transaction that reads.

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
func RevealContact(ctx context.Context, q Querier, k ohcontact.Case, userID int64) (ContactDetails, error) {
	var c ContactDetails
	err := q.QueryRow(ctx, `
		SELECT coalesce(s.mobile, ''), coalesce(s.email, ''),
		       CASE WHEN s.id IS NULL AND v.channel = 'sms' AND v.address <> '`+PurgedAddress+`' THEN v.address ELSE '' END
		FROM cases c LEFT JOIN staff s ON s.id = c.staff_id LEFT JOIN conversations v ON v.id = c.conversation_id
		WHERE c.id = $1`, k.ID).Scan(&c.Mobile, &c.Email, &c.TextedFrom)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("case %d: %w", k.ID, ohcontact.ErrNotFound)
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

// PersonByID returns member of staff id, or ohcontact.ErrNotFound when there is none
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
		return p, fmt.Errorf("staff %d: %w", id, ohcontact.ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("load staff %d: %w", id, err)
	}
	p.ConsentChangedAt = deref(changed)
	return p, nil
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

// AudienceValues returns the distinct staff groups and departments of
// organisation orgScope's staff (0: every organisation's), each sorted,
// without empty values or anonymised records: what a campaign may be for.
// Values that differ only in case are listed once (a campaign matches them
// without regard to case).
func AudienceValues(ctx context.Context, q Querier, orgScope int64) (staffGroups, departments []string, err error) {
	rows, err := q.Query(ctx, `
		SELECT kind, min(value) FROM (
			SELECT 'staff_group' AS kind, s.staff_group AS value FROM staff s
			WHERE ($1 = 0 OR s.organisation_id = $1) AND NOT `+staffLeft+`
			UNION ALL
			SELECT 'department', s.department FROM staff s
			WHERE ($1 = 0 OR s.organisation_id = $1) AND NOT `+staffLeft+`
		) v WHERE btrim(value) <> ''
		GROUP BY kind, lower(value) ORDER BY kind, lower(value)`, orgScope)
	if err != nil {
		return nil, nil, fmt.Errorf("list staff groups and departments: %w", err)
	}
	var kind, value string
	_, err = pgx.ForEachRow(rows, []any{&kind, &value}, func() error {
		if kind == "staff_group" {
			staffGroups = append(staffGroups, value)
		} else {
			departments = append(departments, value)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("list staff groups and departments: %w", err)
	}
	return staffGroups, departments, nil
}
