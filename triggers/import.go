package triggers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact/postgres"
)

// DefaultBatchSize is how many rows Import writes per statement (and, when
// not Strict, per transaction).
const DefaultBatchSize = 1000

// ErrRowsRejected is returned by a Strict import that found bad rows: it
// imported nothing.
var ErrRowsRejected = errors.New("bad rows: nothing imported")

// ErrNoOrganisation is returned by Import.Absences when rows may name no
// organisation and it cannot tell which one they belong to.
var ErrNoOrganisation = errors.New("the file has no organisation column and there is not exactly one organisation: give one with --org")

// Import loads HR exports (see NewStaffReader and NewAbsenceReader) into
// the database, streaming the file and writing BatchSize rows at a time.
// Staff are upserted by organisation and assignment number, absences by
// member of staff and start date; a row that brings nothing new is not
// written at all, so importing the same file again changes nothing. Every
// absence episode inserted or changed is planned by Scheduler in the same
// transaction (a return to work cancels its pending contacts; a new reason
// is re-planned).
//
// A bad row is reported to RowError and skipped: one the reader refuses,
// an unknown organisation, or (for absences) a member of staff not in the
// directory. Without Strict each batch is its own transaction, so the good
// rows are kept; with Strict the whole file is one transaction, rolled
// back if any row was bad. Each import appends one audit event with its
// counts.
type Import struct {
	DB        *postgres.DB
	Scheduler *Scheduler
	Strict    bool
	// Organisation is the code of the organisation of absence rows that
	// name none. When empty and the database has exactly one organisation,
	// that one.
	Organisation string
	// BatchSize is the number of rows per batch; DefaultBatchSize when 0.
	BatchSize int
	// RowError, if set, is called with each bad row.
	RowError func(*RowError)
	// Progress, if set, is called after each row with the number of bytes
	// of the file read so far.
	Progress func(offset int64)
}

// ImportSummary counts what an import did.
type ImportSummary struct {
	New, Updated, Unchanged int // good rows
	Skipped                 int // bad rows
	Scheduled               Scheduled
	// MobileConflicts counts the staff rows that gave a member of staff a
	// mobile that another organisation's staff already hold (each has a
	// staff.mobile_conflict audit event).
	MobileConflicts int
}

// Rows returns the number of good rows.
func (s ImportSummary) Rows() int { return s.New + s.Updated + s.Unchanged }

// Staff imports a staff export from r. Each row changes only the staff of
// the organisation it names (by organisation and assignment number), which
// must be one of this service's. A row that gives a member of staff a
// mobile another organisation's staff already hold is imported, and
// recorded as a conflict (auditMobileConflicts; ImportSummary.MobileConflicts).
func (im *Import) Staff(ctx context.Context, r io.Reader) (ImportSummary, error) {
	rd, err := NewStaffReader(r)
	if err != nil {
		return ImportSummary{}, err
	}
	orgs, err := organisationIDs(ctx, im.DB)
	if err != nil {
		return ImportSummary{}, err
	}
	run := importRun[StaffRow]{im: im, kind: "staff", next: rd.Next, offset: rd.Offset,
		key: func(s StaffRow) any { return [2]string{s.Organisation, s.AssignmentNumber} },
		check: func(s StaffRow) *RowError {
			if _, ok := orgs[s.Organisation]; !ok {
				return unknownOrganisation(s.Line)
			}
			return nil
		}}
	run.flush = func(ctx context.Context, tx pgx.Tx, rows []StaffRow) (ImportSummary, error) {
		records := make([]postgres.StaffRecord, len(rows))
		for i, s := range rows {
			records[i] = postgres.StaffRecord{OrganisationID: orgs[s.Organisation], AssignmentNumber: s.AssignmentNumber,
				FirstName: s.FirstName, LastName: s.LastName, Mobile: s.Mobile, Email: s.Email, Language: s.Language,
				PreferredChannel: s.PreferredChannel, JobTitle: s.JobTitle, Department: s.Department,
				StaffGroup: s.StaffGroup, StartsOn: s.StartsOn.optionalColumn()}
		}
		changed, err := postgres.UpsertStaff(ctx, tx, records)
		if err != nil {
			return ImportSummary{}, err
		}
		sum := written(len(records), changed)
		if err := im.planNewStarters(ctx, tx, changed); err != nil {
			return ImportSummary{}, err
		}
		if sum.MobileConflicts, err = auditMobileConflicts(ctx, tx, 0, changed); err != nil {
			return ImportSummary{}, err
		}
		return sum, nil
	}
	return run.run(ctx, 0)
}

// planNewStarters plans the welcomes of the staff an import inserted or
// changed (Scheduler.PlanNewStarter).
func (im *Import) planNewStarters(ctx context.Context, tx pgx.Tx, changed []postgres.Upserted) error {
	for _, u := range changed {
		if _, err := im.Scheduler.PlanNewStarter(ctx, tx, u.ID); err != nil {
			return err
		}
	}
	return nil
}

// Absences imports an absence export from r, planning the contacts of
// every episode it inserts or changes.
func (im *Import) Absences(ctx context.Context, r io.Reader) (ImportSummary, error) {
	rd, err := NewAbsenceReader(r)
	if err != nil {
		return ImportSummary{}, err
	}
	orgs, err := organisationIDs(ctx, im.DB)
	if err != nil {
		return ImportSummary{}, err
	}
	defaultOrg := im.Organisation
	switch _, ok := orgs[defaultOrg]; {
	case defaultOrg != "" && !ok:
		return ImportSummary{}, fmt.Errorf("--org %s: no such organisation (organisations come from OHCONTACT_CONFIG)", defaultOrg)
	case defaultOrg == "" && len(orgs) == 1:
		for code := range orgs {
			defaultOrg = code
		}
	}
	if _, hasColumn := rd.index[colOrganisation]; !hasColumn && defaultOrg == "" {
		return ImportSummary{}, ErrNoOrganisation
	}
	orgOf := func(a AbsenceRow) string {
		if a.Organisation != "" {
			return a.Organisation
		}
		return defaultOrg
	}
	run := importRun[AbsenceRow]{im: im, kind: "absences", next: rd.Next, offset: rd.Offset,
		key: func(a AbsenceRow) any { return [3]string{orgOf(a), a.AssignmentNumber, a.StartsOn.String()} },
		check: func(a AbsenceRow) *RowError {
			switch _, known := orgs[orgOf(a)]; {
			case orgOf(a) == "":
				return &RowError{Line: a.Line, Column: colOrganisation, Reason: "organisation is empty and no default was given (--org)"}
			case !known:
				return unknownOrganisation(a.Line)
			}
			return nil
		}}
	run.flush = func(ctx context.Context, tx pgx.Tx, rows []AbsenceRow) (ImportSummary, error) {
		keys := make([]postgres.StaffKey, 0, len(rows))
		for _, a := range rows {
			keys = append(keys, postgres.StaffKey{OrganisationID: orgs[orgOf(a)], AssignmentNumber: a.AssignmentNumber})
		}
		staff, err := postgres.StaffIDs(ctx, tx, keys)
		if err != nil {
			return ImportSummary{}, err
		}
		records := make([]postgres.AbsenceRecord, 0, len(rows))
		for i, a := range rows {
			staffID, ok := staff[keys[i]]
			if !ok {
				run.reject(&RowError{Line: a.Line, Column: colAssignmentNumber,
					Reason: fmt.Sprintf("assignment_number is not in the staff directory of %s (import staff first)", orgOf(a))})
				continue
			}
			records = append(records, postgres.AbsenceRecord{StaffID: staffID, StartsOn: a.StartsOn.midnightUTC(),
				EndsOn: zeroOrMidnight(a.EndsOn), ReasonCode: a.ReasonCode, RelatedReason: a.RelatedReason})
		}
		if len(records) == 0 {
			return ImportSummary{}, nil
		}
		changed, err := postgres.UpsertAbsences(ctx, tx, records, postgres.SourceHRFeed)
		if err != nil {
			return ImportSummary{}, err
		}
		ids := make([]int64, len(changed))
		for i, u := range changed {
			ids[i] = u.ID
		}
		sum := written(len(records), changed)
		if sum.Scheduled, err = im.Scheduler.Schedule(ctx, tx, ids); err != nil {
			return ImportSummary{}, err
		}
		return sum, nil
	}
	return run.run(ctx, orgs[defaultOrg])
}

// unknownOrganisation reports a row whose organisation code is not configured;
// the cell is not repeated, as it may hold anything when columns are shifted.
func unknownOrganisation(line int) *RowError {
	return &RowError{Line: line, Column: colOrganisation,
		Reason: "the organisation is not one of this service's (organisations come from OHCONTACT_CONFIG)"}
}

// zeroOrMidnight returns d as a date column is written, or the zero time
// for the zero Date.
func zeroOrMidnight(d Date) time.Time {
	if d.IsZero() {
		return time.Time{}
	}
	return d.midnightUTC()
}

// organisationIDs returns the id of every organisation, by code.
func organisationIDs(ctx context.Context, db *postgres.DB) (map[string]int64, error) {
	orgs, err := postgres.Organisations(ctx, db.Pool)
	if err != nil {
		return nil, err
	}
	ids := make(map[string]int64, len(orgs))
	for _, o := range orgs {
		ids[o.Code] = o.ID
	}
	return ids, nil
}

// importRun is one import of rows of type T.
type importRun[T any] struct {
	im     *Import
	kind   string // staff or absences, for the audit event
	next   func() (T, error)
	offset func() int64
	key    func(T) any // rows with the same key may not share a batch
	// check, if set, refuses a row as soon as it is read.
	check func(T) *RowError
	// flush writes a batch in tx, rejecting rows the database shows to be
	// bad, and returns the counts of the others (New, Updated, Unchanged
	// and Scheduled), which read adds to sum once the batch is written.
	flush func(ctx context.Context, tx pgx.Tx, rows []T) (ImportSummary, error)
	sum   ImportSummary
	// rejected are the bad rows not yet reported: they are reported in
	// line order after each batch.
	rejected []*RowError
}

func (r *importRun[T]) reject(e *RowError) {
	r.sum.Skipped++
	r.rejected = append(r.rejected, e)
}

// report passes the bad rows found so far to Import.RowError.
func (r *importRun[T]) report() {
	slices.SortStableFunc(r.rejected, func(a, b *RowError) int { return a.Line - b.Line })
	for _, e := range r.rejected {
		if r.im.RowError != nil {
			r.im.RowError(e)
		}
	}
	r.rejected = r.rejected[:0]
}

// written counts n good rows written, of which changed were inserted or
// updated.
func written(n int, changed []postgres.Upserted) ImportSummary {
	var s ImportSummary
	for _, u := range changed {
		if u.New {
			s.New++
		} else {
			s.Updated++
		}
	}
	s.Unchanged = n - len(changed)
	return s
}

// run reads every row and writes them in batches, then records the import
// in the audit log; orgID is the organisation the audit event names (0 for
// none). Without Strict, an import that fails part-way is recorded too, as
// not completed, since the batches before the failure are kept.
func (r *importRun[T]) run(ctx context.Context, orgID int64) (ImportSummary, error) {
	if !r.im.Strict {
		err := r.read(ctx, func(fn func(tx pgx.Tx) error) error { return r.im.DB.InTx(ctx, fn) })
		if err != nil && r.sum.Rows() == 0 {
			return r.sum, err
		}
		// An interrupted import is audited too: the batches it wrote are kept.
		actx := context.WithoutCancel(ctx)
		auditErr := r.im.DB.InTx(actx, func(tx pgx.Tx) error { return r.audit(actx, tx, orgID, err == nil) })
		return r.sum, errors.Join(err, auditErr)
	}
	tx, err := r.im.DB.Pool.Begin(ctx)
	if err != nil {
		return r.sum, fmt.Errorf("import %s: %w", r.kind, err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }() // after Commit it is a no-op
	if err := r.read(ctx, func(fn func(tx pgx.Tx) error) error { return fn(tx) }); err != nil {
		return r.sum, err
	}
	if r.sum.Skipped > 0 {
		return r.sum, ErrRowsRejected
	}
	if err := r.audit(ctx, tx, orgID, true); err != nil {
		return r.sum, err
	}
	if err := tx.Commit(ctx); err != nil {
		return r.sum, fmt.Errorf("import %s: commit: %w", r.kind, err)
	}
	return r.sum, nil
}

// read reads every row, writing batches with write, which runs its
// function in a transaction; a batch's rows are counted in sum only once
// write has returned without error (without Strict, once it committed).
func (r *importRun[T]) read(ctx context.Context, write func(fn func(tx pgx.Tx) error) error) error {
	size := r.im.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	batch := make([]T, 0, size)
	keys := make(map[any]bool, size)
	flush := func() error {
		defer r.report()
		if len(batch) == 0 {
			return nil
		}
		var n ImportSummary
		err := write(func(tx pgx.Tx) error {
			var err error
			n, err = r.flush(ctx, tx, batch)
			return err
		})
		batch, keys = batch[:0], make(map[any]bool, size)
		if err != nil {
			return fmt.Errorf("import %s: %w", r.kind, err)
		}
		r.sum.New += n.New
		r.sum.Updated += n.Updated
		r.sum.Unchanged += n.Unchanged
		r.sum.MobileConflicts += n.MobileConflicts
		r.sum.Scheduled.add(n.Scheduled)
		return nil
	}
	for {
		row, err := r.next()
		var rowErr *RowError
		if err == nil && r.check != nil {
			rowErr = r.check(row)
		}
		switch {
		case errors.Is(err, io.EOF):
			return flush()
		case rowErr != nil || errors.As(err, &rowErr):
			r.reject(rowErr)
		case err != nil:
			return fmt.Errorf("import %s: %w", r.kind, err)
		default:
			k := r.key(row)
			if keys[k] || len(batch) == size {
				if err := flush(); err != nil {
					return err
				}
			}
			batch, keys[k] = append(batch, row), true
		}
		if r.im.Progress != nil {
			r.im.Progress(r.offset())
		}
	}
}

// audit appends the import's audit event, by the system (an operator ran
// it): counts only.
func (r *importRun[T]) audit(ctx context.Context, tx pgx.Tx, orgID int64, completed bool) error {
	s := r.sum
	details := map[string]any{"rows": s.Rows(), "new": s.New, "updated": s.Updated, "unchanged": s.Unchanged,
		"skipped": s.Skipped, "strict": r.im.Strict, "completed": completed}
	if r.kind == "staff" {
		details["mobile_conflicts"] = s.MobileConflicts
	}
	if r.kind == "absences" {
		details["contacts_scheduled"] = s.Scheduled.Scheduled
		details["contacts_cancelled"] = s.Scheduled.Cancelled
	}
	return postgres.Audit(ctx, tx, postgres.AuditEvent{Action: "import." + r.kind, RecordType: "import", OrganisationID: orgID, Details: details})
}
