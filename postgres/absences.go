package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// These store what HR systems send: the staff directory and absence
// episodes, from CSV imports and the HR API. Upserts compare before they
// write, so a row that brings nothing new is not touched (its updated_at
// stays), and re-sending the same data changes nothing.

// StaffRecord is a member of staff as an HR system sends them. Empty
// Mobile, Email and PreferredChannel mean none.
type StaffRecord struct {
	OrganisationID   int64
	AssignmentNumber string
	FirstName        string
	LastName         string
	Mobile           string // E.164
	Email            string
	Language         string // en-GB, cy or pl
	PreferredChannel string // sms, webchat or empty
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
	for i, r := range records {
		orgs[i], numbers[i], first[i], last[i] = r.OrganisationID, r.AssignmentNumber, r.FirstName, r.LastName
		mobiles[i], emails[i], langs[i], channels[i] = r.Mobile, r.Email, r.Language, r.PreferredChannel
	}
	rows, err := tx.Query(ctx, `
		INSERT INTO staff AS s (organisation_id, assignment_number, first_name, last_name, mobile, email, language, preferred_channel)
		SELECT o, a, f, l, nullif(m, ''), nullif(e, ''), g, nullif(p, '')
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
		     AS i(o, a, f, l, m, e, g, p)
		ON CONFLICT (organisation_id, assignment_number) DO UPDATE SET
			first_name = excluded.first_name, last_name = excluded.last_name, mobile = excluded.mobile,
			email = excluded.email, preferred_channel = excluded.preferred_channel, updated_at = now()
		WHERE (s.first_name, s.last_name, s.mobile, s.email, s.preferred_channel)
		      IS DISTINCT FROM (excluded.first_name, excluded.last_name, excluded.mobile, excluded.email, excluded.preferred_channel)
		RETURNING s.id, s.xmax = 0`,
		orgs, numbers, first, last, mobiles, emails, langs, channels)
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

// AbsenceRecord is an absence episode as an HR system (or the person)
// reports it. Dates are calendar days at midnight UTC; EndsOn is zero while
// the absence is open.
type AbsenceRecord struct {
	StaffID       int64
	StartsOn      time.Time
	EndsOn        time.Time
	ReasonCode    string
	RelatedReason string // or empty
}

// Absence sources, as in absence_episodes.source.
const (
	SourceHRFeed     = "hr_feed"
	SourceSelfReport = "self_report"
)

// UpsertAbsences inserts or updates absence episodes by member of staff and
// start date, and returns the episodes it inserted or changed (in no
// particular order). An update writes the end, reason and related reason;
// the source stays that of the first report. Each member of staff and start
// date may appear once in records.
func UpsertAbsences(ctx context.Context, tx pgx.Tx, records []AbsenceRecord, source string) ([]Upserted, error) {
	n := len(records)
	staff, starts, ends := make([]int64, n), make([]pgtype.Date, n), make([]pgtype.Date, n)
	reasons, related := make([]string, n), make([]string, n)
	for i, r := range records {
		staff[i], reasons[i], related[i] = r.StaffID, r.ReasonCode, r.RelatedReason
		starts[i] = pgtype.Date{Time: r.StartsOn, Valid: true}
		ends[i] = pgtype.Date{Time: r.EndsOn, Valid: !r.EndsOn.IsZero()}
	}
	rows, err := tx.Query(ctx, `
		INSERT INTO absence_episodes AS e (staff_id, starts_on, ends_on, reason_code, related_reason, source)
		SELECT s, b, f, r, nullif(x, ''), $6
		FROM unnest($1::bigint[], $2::date[], $3::date[], $4::text[], $5::text[]) AS i(s, b, f, r, x)
		ON CONFLICT (staff_id, starts_on) DO UPDATE SET
			ends_on = excluded.ends_on, reason_code = excluded.reason_code,
			related_reason = excluded.related_reason, updated_at = now()
		WHERE (e.ends_on, e.reason_code, e.related_reason)
		      IS DISTINCT FROM (excluded.ends_on, excluded.reason_code, excluded.related_reason)
		RETURNING e.id, e.xmax = 0`,
		staff, starts, ends, reasons, related, source)
	if err != nil {
		return nil, fmt.Errorf("upsert absences: %w", err)
	}
	return collectUpserted(rows, "upsert absences")
}

// Absence is a stored absence episode with its member of staff.
type Absence struct {
	ID               int64
	StaffID          int64
	OrganisationID   int64
	AssignmentNumber string
	StartsOn         time.Time
	EndsOn           time.Time // zero while open
	ReasonCode       string
	RelatedReason    string
}

// AbsenceByID returns absence episode id, or ErrNotFound.
func AbsenceByID(ctx context.Context, q Querier, id int64) (Absence, error) {
	var a Absence
	var ends pgtype.Date
	err := q.QueryRow(ctx, `
		SELECT e.id, e.staff_id, s.organisation_id, s.assignment_number, e.starts_on, e.ends_on, e.reason_code,
		       coalesce(e.related_reason, '')
		FROM absence_episodes e JOIN staff s ON s.id = e.staff_id WHERE e.id = $1`, id).
		Scan(&a.ID, &a.StaffID, &a.OrganisationID, &a.AssignmentNumber, &a.StartsOn, &ends, &a.ReasonCode, &a.RelatedReason)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, fmt.Errorf("absence %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("load absence %d: %w", id, err)
	}
	if ends.Valid {
		a.EndsOn = ends.Time
	}
	return a, nil
}

// AbsenceIDByStart returns the id of staff member staffID's episode that
// starts on startsOn (a calendar day), or ErrNotFound.
func AbsenceIDByStart(ctx context.Context, q Querier, staffID int64, startsOn time.Time) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `SELECT id FROM absence_episodes WHERE staff_id = $1 AND starts_on = $2`,
		staffID, pgtype.Date{Time: startsOn, Valid: true}).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("find absence: %w", err)
	}
	return id, nil
}
