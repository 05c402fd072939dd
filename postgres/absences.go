package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// These store what HR systems send: the staff directory and absence
// episodes, from CSV imports and the HR API. Upserts compare before they
// write, so a row that brings nothing new is not touched (its updated_at
// stays), and re-sending the same data changes nothing.

// StaffRecord is a member of staff as an HR system sends them. Empty
// Mobile, Email and PreferredChannel mean none; an empty JobTitle or
// Department means unknown.
type StaffRecord struct {
	OrganisationID   int64
	AssignmentNumber string
	FirstName        string
	LastName         string
	Mobile           string // E.164
	Email            string
	Language         string // en-GB, cy or pl
	PreferredChannel string // sms, webchat or empty
	JobTitle         string // at most 100 characters
	Department       string // at most 100 characters
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
	jobs, departments := make([]string, n), make([]string, n)
	for i, r := range records {
		orgs[i], numbers[i], first[i], last[i] = r.OrganisationID, r.AssignmentNumber, r.FirstName, r.LastName
		mobiles[i], emails[i], langs[i], channels[i] = r.Mobile, r.Email, r.Language, r.PreferredChannel
		jobs[i], departments[i] = r.JobTitle, r.Department
	}
	rows, err := tx.Query(ctx, `
		INSERT INTO staff AS s (organisation_id, assignment_number, first_name, last_name, mobile, email, language, preferred_channel,
		                        job_title, department)
		SELECT o, a, f, l, nullif(m, ''), nullif(e, ''), g, nullif(p, ''), nullif(j, ''), nullif(d, '')
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
		            $9::text[], $10::text[])
		     AS i(o, a, f, l, m, e, g, p, j, d)
		ON CONFLICT (organisation_id, assignment_number) DO UPDATE SET
			first_name = excluded.first_name, last_name = excluded.last_name, mobile = excluded.mobile,
			email = excluded.email, preferred_channel = excluded.preferred_channel,
			job_title = excluded.job_title, department = excluded.department, updated_at = now()
		WHERE (s.first_name, s.last_name, s.mobile, s.email, s.preferred_channel, s.job_title, s.department)
		      IS DISTINCT FROM (excluded.first_name, excluded.last_name, excluded.mobile, excluded.email, excluded.preferred_channel,
		                        excluded.job_title, excluded.department)
		RETURNING s.id, s.xmax = 0`,
		orgs, numbers, first, last, mobiles, emails, langs, channels, jobs, departments)
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
	Source           string // SourceHRFeed or SourceSelfReport
	// Reference is the reference the person was told when they reported
	// it; empty for an episode only the HR feed has sent.
	Reference string
	// ExpectedReturn is the day the person said they expect to be back;
	// zero when they did not know, or were not asked.
	ExpectedReturn time.Time
	ReportedAt     time.Time // when the episode was first recorded
	UpdatedAt      time.Time
}

const absenceColumns = `e.id, e.staff_id, s.organisation_id, s.assignment_number, e.starts_on, e.ends_on, e.reason_code,
	coalesce(e.related_reason, ''), e.source, coalesce(e.reference, ''), e.expected_return, e.created_at, e.updated_at
	FROM absence_episodes e JOIN staff s ON s.id = e.staff_id`

func scanAbsence(row pgx.Row) (Absence, error) {
	var a Absence
	var ends, back pgtype.Date
	err := row.Scan(&a.ID, &a.StaffID, &a.OrganisationID, &a.AssignmentNumber, &a.StartsOn, &ends, &a.ReasonCode,
		&a.RelatedReason, &a.Source, &a.Reference, &back, &a.ReportedAt, &a.UpdatedAt)
	if ends.Valid {
		a.EndsOn = ends.Time
	}
	if back.Valid {
		a.ExpectedReturn = back.Time
	}
	return a, err
}

// AbsenceByID returns absence episode id, or ErrNotFound.
func AbsenceByID(ctx context.Context, q Querier, id int64) (Absence, error) {
	a, err := scanAbsence(q.QueryRow(ctx, `SELECT `+absenceColumns+` WHERE e.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return a, fmt.Errorf("absence %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("load absence %d: %w", id, err)
	}
	return a, nil
}

// AbsenceFilter chooses an organisation's absence episodes for a page of
// the HR API.
type AbsenceFilter struct {
	OrganisationID int64
	StaffID        int64  // keeps one member of staff's episodes, when set
	Source         string // SourceHRFeed, SourceSelfReport, or empty for both
	// Since keeps episodes recorded or changed at or after it
	// (updated_at), when set.
	Since   time.Time
	AfterID int64 // keeps episodes with a larger id, for paging
	Limit   int
}

// ListAbsences returns the episodes f chooses, in id order, at most
// f.Limit (500 when it is 0).
func ListAbsences(ctx context.Context, q Querier, f AbsenceFilter) ([]Absence, error) {
	var since *time.Time
	if !f.Since.IsZero() {
		since = &f.Since
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 500
	}
	rows, err := q.Query(ctx, `SELECT `+absenceColumns+`
		WHERE s.organisation_id = $1 AND ($2 = '' OR e.source = $2)
		  AND ($3::timestamptz IS NULL OR e.updated_at >= $3) AND e.id > $4
		  AND ($6::bigint = 0 OR e.staff_id = $6)
		ORDER BY e.id LIMIT $5`, f.OrganisationID, f.Source, since, f.AfterID, limit, f.StaffID)
	if err != nil {
		return nil, fmt.Errorf("list absences: %w", err)
	}
	as, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Absence, error) { return scanAbsence(row) })
	if err != nil {
		return nil, fmt.Errorf("list absences: %w", err)
	}
	return as, nil
}

// AbsenceReasonNames returns the words of each ESR absence reason code
// (the absence_reasons table): "S11" is "Back problems".
func AbsenceReasonNames(ctx context.Context, q Querier) (map[string]string, error) {
	rows, err := q.Query(ctx, `SELECT code, description FROM absence_reasons`)
	if err != nil {
		return nil, fmt.Errorf("load absence reasons: %w", err)
	}
	names := map[string]string{}
	var code, name string
	if _, err := pgx.ForEachRow(rows, []any{&code, &name}, func() error { names[code] = name; return nil }); err != nil {
		return nil, fmt.Errorf("load absence reasons: %w", err)
	}
	return names, nil
}

// RecordAbsenceListView writes the audit event for an API key having read
// a page of organisation orgID's absence episodes: ids lists them.
func RecordAbsenceListView(ctx context.Context, q Querier, orgID int64, ids []int64, by Actor) error {
	return Audit(ctx, q, AuditEvent{ActorUserID: by.UserID, ActorAPIKeyID: by.APIKeyID, Action: "absence.list",
		RecordType: "absence_episode", OrganisationID: orgID, Details: map[string]any{"absence_ids": ids}})
}

// SelfReport is an absence as the person reported it (the day-1 report).
// Dates are YYYY-MM-DD; ExpectedReturn is empty when they did not know.
type SelfReport struct {
	StaffID        int64
	StartsOn       string
	ReasonCode     string
	RelatedReason  string // or empty
	ExpectedReturn string
}

// Reported is the episode a self-report was recorded in.
type Reported struct {
	ID        int64
	Reference string
	// Existing is set when the person already had an episode starting
	// that day (an earlier report, or the HR feed's).
	Existing bool
}

// referenceDraws is how many references RecordSelfReportedAbsence draws
// before it gives up: with a few million references in use out of 729
// million, ten collisions in a row do not happen.
const referenceDraws = 10

// RecordSelfReportedAbsence records r in tx and returns its episode: a new
// one (source self_report) with a reference from newRef, or the person's
// episode already starting that day, which keeps its source, reason and
// reference (it gains one from newRef if it had none, as an HR-feed
// episode has) and takes the expected return r gives. A reference another
// episode already has is drawn again, in a savepoint, so the collision
// does not abort tx.
func RecordSelfReportedAbsence(ctx context.Context, tx pgx.Tx, r SelfReport, newRef func() string) (Reported, error) {
	for range referenceDraws {
		rep, err := recordSelfReport(ctx, tx, r, newRef())
		if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok && pgErr.Code == "23505" && pgErr.ConstraintName == "absence_episodes_reference_key" {
			continue
		}
		if err != nil {
			return rep, fmt.Errorf("record self-reported absence: %w", err)
		}
		return rep, nil
	}
	return Reported{}, fmt.Errorf("record self-reported absence: %d references in a row were taken", referenceDraws)
}

// recordSelfReport is one attempt of RecordSelfReportedAbsence, with
// reference ref, in a savepoint of tx.
func recordSelfReport(ctx context.Context, tx pgx.Tx, r SelfReport, ref string) (Reported, error) {
	var rep Reported
	err := pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error {
		err := sp.QueryRow(ctx, `
			INSERT INTO absence_episodes AS e (staff_id, starts_on, reason_code, related_reason, source, reference, expected_return)
			VALUES ($1, $2::date, $3, nullif($4, ''), $5, $6, nullif($7, '')::date)
			ON CONFLICT (staff_id, starts_on) DO UPDATE SET
				reference = coalesce(e.reference, excluded.reference), expected_return = excluded.expected_return, updated_at = now()
			WHERE e.reference IS NULL OR e.expected_return IS DISTINCT FROM excluded.expected_return
			RETURNING e.id, e.reference, e.xmax <> 0`,
			r.StaffID, r.StartsOn, r.ReasonCode, r.RelatedReason, SourceSelfReport, ref, r.ExpectedReturn).
			Scan(&rep.ID, &rep.Reference, &rep.Existing)
		if errors.Is(err, pgx.ErrNoRows) {
			// The episode exists and already says all this.
			rep.Existing = true
			err = sp.QueryRow(ctx, `SELECT id, reference FROM absence_episodes WHERE staff_id = $1 AND starts_on = $2::date`,
				r.StaffID, r.StartsOn).Scan(&rep.ID, &rep.Reference)
		}
		return err
	})
	return rep, err
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
