package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/ohcontact/ohcontact"
)

// These store what HR systems send: the staff directory and absence
// episodes, from CSV imports and the HR API. Upserts compare before they
// write, so a row that brings nothing new is not touched (its updated_at
// stays), and re-sending the same data changes nothing.

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

// AbsenceByID returns absence episode id, or ohcontact.ErrNotFound.
func AbsenceByID(ctx context.Context, q Querier, id int64) (Absence, error) {
	a, err := scanAbsence(q.QueryRow(ctx, `SELECT `+absenceColumns+` WHERE e.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return a, fmt.Errorf("absence %d: %w", id, ohcontact.ErrNotFound)
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
// starts on startsOn (a calendar day), or ohcontact.ErrNotFound.
func AbsenceIDByStart(ctx context.Context, q Querier, staffID int64, startsOn time.Time) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `SELECT id FROM absence_episodes WHERE staff_id = $1 AND starts_on = $2`,
		staffID, pgtype.Date{Time: startsOn, Valid: true}).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("absence of staff %d: %w", staffID, ohcontact.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("find absence: %w", err)
	}
	return id, nil
}

// ExistingContact is a contact already recorded for an episode.
type ExistingContact struct {
	ID      int64
	Trigger string
	State   string
}

// EpisodeToPlan is an absence episode with what planning its contacts
// needs: the person's organisation, quiet hours and channels, and the
// contacts it already has.
type EpisodeToPlan struct {
	ID               int64
	OrganisationCode string
	StartsOn         time.Time // a calendar day at midnight UTC
	EndsOn           time.Time // zero while the absence is open
	ReasonCode       string
	Quiet            *ohcontact.QuietHours // nil when the person has none
	HasMobile        bool
	PreferredChannel string // sms, webchat or empty
	Contacts         []ExistingContact
}

// EpisodesToPlan calls fn with each of the episodes ids, in id order. fn
// must not keep its argument, which is reused.
func EpisodesToPlan(ctx context.Context, q Querier, ids []int64, fn func(*EpisodeToPlan) error) error {
	rows, err := q.Query(ctx, `
		SELECT `+episodeToPlanColumns+`
		FROM absence_episodes e
		JOIN staff s ON s.id = e.staff_id
		JOIN organisations o ON o.id = s.organisation_id
		LEFT JOIN LATERAL (
			SELECT array_agg(id) AS ids, array_agg(trigger) AS triggers, array_agg(state) AS states
			FROM contacts WHERE episode_id = e.id) c ON true
		WHERE e.id = ANY($1)
		ORDER BY e.id`, ids)
	if err != nil {
		return fmt.Errorf("load episodes to plan: %w", err)
	}
	return forEachEpisodeToPlan(rows, fn)
}

// RecentEpisodeIDs returns the ids of staff member staffID's episodes that
// are open or ended on or after endedSince (a calendar day).
func RecentEpisodeIDs(ctx context.Context, q Querier, staffID int64, endedSince time.Time) ([]int64, error) {
	rows, err := q.Query(ctx, `SELECT id FROM absence_episodes WHERE staff_id = $1 AND (ends_on IS NULL OR ends_on >= $2) ORDER BY id`,
		staffID, pgtype.Date{Time: endedSince, Valid: true})
	if err != nil {
		return nil, fmt.Errorf("find episodes of staff %d: %w", staffID, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("find episodes of staff %d: %w", staffID, err)
	}
	return ids, nil
}

// EpisodeIDRange returns the lowest and highest episode ids, both 0 when
// there are none.
func EpisodeIDRange(ctx context.Context, q Querier) (lowest, highest int64, err error) {
	err = q.QueryRow(ctx, `SELECT coalesce(min(id), 0), coalesce(max(id), 0) FROM absence_episodes`).Scan(&lowest, &highest)
	if err != nil {
		return 0, 0, fmt.Errorf("episode id range: %w", err)
	}
	return lowest, highest, nil
}

// AllEpisodesToPlan calls fn with every episode with an id from fromID to
// toID that is open or ended on or after endedSince (a calendar day), in id
// order. It reads them in one pass, joining each to its contacts by hash
// rather than by index, so planning every episode costs one scan of each
// table. fn must not keep its argument, which is reused.
func AllEpisodesToPlan(ctx context.Context, q Querier, endedSince time.Time, fromID, toID int64, fn func(*EpisodeToPlan) error) error {
	rows, err := q.Query(ctx, `
		SELECT `+episodeToPlanColumns+`
		FROM absence_episodes e
		JOIN staff s ON s.id = e.staff_id
		JOIN organisations o ON o.id = s.organisation_id
		LEFT JOIN (
			SELECT episode_id, array_agg(id) AS ids, array_agg(trigger) AS triggers, array_agg(state) AS states
			FROM contacts WHERE episode_id BETWEEN $2 AND $3 GROUP BY episode_id) c ON c.episode_id = e.id
		WHERE (e.ends_on IS NULL OR e.ends_on >= $1) AND e.id BETWEEN $2 AND $3
		ORDER BY e.id`, pgtype.Date{Time: endedSince, Valid: true}, fromID, toID)
	if err != nil {
		return fmt.Errorf("load episodes to plan: %w", err)
	}
	return forEachEpisodeToPlan(rows, fn)
}

func forEachEpisodeToPlan(rows pgx.Rows, fn func(*EpisodeToPlan) error) error {
	var (
		ep                  EpisodeToPlan
		ends                pgtype.Date
		quietFrom, quietTil pgtype.Time
		ids                 []int64
		triggers, states    []string
	)
	_, err := pgx.ForEachRow(rows, []any{&ep.ID, &ep.OrganisationCode, &ep.StartsOn, &ends, &ep.ReasonCode,
		&quietFrom, &quietTil, &ep.HasMobile, &ep.PreferredChannel, &ids, &triggers, &states}, func() error {
		ep.EndsOn = time.Time{}
		if ends.Valid {
			ep.EndsOn = ends.Time
		}
		ep.Quiet = quietHours(quietFrom, quietTil)
		ep.Contacts = ep.Contacts[:0]
		for i := range ids {
			ep.Contacts = append(ep.Contacts, ExistingContact{ID: ids[i], Trigger: triggers[i], State: states[i]})
		}
		return fn(&ep)
	})
	if err != nil {
		return fmt.Errorf("plan episodes: %w", err)
	}
	return nil
}
