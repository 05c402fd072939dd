package triggers

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// failingJobs inserts jobs through JobInserter until ok bulk inserts have
// been made, then fails every one.
type failingJobs struct {
	JobInserter
	ok int
}

var errJobsDown = errors.New("job queue down")

func (j *failingJobs) InsertManyFastTx(ctx context.Context, tx pgx.Tx, params []river.InsertManyParams) (int, error) {
	if j.ok == 0 {
		return 0, errJobsDown
	}
	j.ok--
	return j.JobInserter.InsertManyFastTx(ctx, tx, params)
}

// importAudit returns the details of the only audit event of action.
func (f *fixture) importAudit(t *testing.T, action string) map[string]any {
	t.Helper()
	rows, err := f.db.Pool.Query(t.Context(), `SELECT details FROM audit_events WHERE action = $1`, action)
	if err != nil {
		t.Fatal(err)
	}
	events, err := pgx.CollectRows(rows, pgx.RowTo[map[string]any])
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 {
		t.Fatalf("%d %s audit events, want 1", len(events), action)
	}
	return events[0]
}

func TestImportCountsOnlyCommittedBatches(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Date(2026, 3, 27, 10, 0, 0, 0, london(t)))
	f.addStaff(t, "100", "07700 900001", "")
	f.addStaff(t, "200", "07700 900002", "")
	// The first batch commits; the second fails scheduling its contacts and
	// is rolled back.
	f.scheduler.Jobs = &failingJobs{JobInserter: f.scheduler.Jobs, ok: 1}
	im := &Import{DB: f.db, Scheduler: f.scheduler, BatchSize: 1}
	sum, err := im.Absences(t.Context(), strings.NewReader("assignment_number,absence_start,absence_end,reason_code,related_reason\n"+
		"100,2026-03-27,,S10,\n200,2026-03-27,,S10,\n"))
	if !errors.Is(err, errJobsDown) {
		t.Fatalf("import error = %v, want the job queue's", err)
	}
	if sum.New != 1 || sum.Rows() != 1 || sum.Scheduled.Episodes != 1 || sum.Scheduled.Scheduled != 2 {
		t.Fatalf("summary %+v, want the first batch only: 1 new episode, 2 contacts scheduled", sum)
	}
	if n := len(f.contactsOf(t, "200")); n != 0 {
		t.Fatalf("%d contacts for 200, want none: the batch was rolled back", n)
	}
	details := f.importAudit(t, "import.absences")
	if details["rows"] != 1.0 || details["new"] != 1.0 || details["contacts_scheduled"] != 2.0 || details["completed"] != false {
		t.Fatalf("audit details %v, want the first batch's counts, not completed", details)
	}
}

func TestInterruptedImportIsAudited(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Date(2026, 3, 27, 10, 0, 0, 0, london(t)))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	read := 0
	// Interrupted (Ctrl-C) once the first batch is written and the second
	// row read: the second batch is never written.
	im := &Import{DB: f.db, Scheduler: f.scheduler, BatchSize: 1, Progress: func(int64) {
		if read++; read == 2 {
			cancel()
		}
	}}
	sum, err := im.Staff(ctx, strings.NewReader("assignment_number,first_name,last_name,mobile,email,organisation,language,preferred_channel\n"+
		"100,Ann,Example,,,"+testOrg+",,\n200,Bob,Example,,,"+testOrg+",,\n"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("import error = %v, want context.Canceled", err)
	}
	if sum.New != 1 {
		t.Fatalf("summary %+v, want 1 new", sum)
	}
	details := f.importAudit(t, "import.staff")
	if details["new"] != 1.0 || details["completed"] != false {
		t.Fatalf("audit details %v, want 1 new, not completed", details)
	}
}
