package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/triggers"
)

const importUsage = `import staff|absences [--strict] [--org CODE] FILE

Imports an HR export (CSV, UTF-8, first line the column names, matched
ignoring case; dates 2026-03-14 or 14/03/2026):

  staff:    assignment_number, first_name, last_name, mobile, email,
            organisation, language, preferred_channel, and optionally
            job_title, department and staff_group (up to 100
            characters each), and starts_on (a new starter's first
            day: OH texts a welcome before it); blank, or no such
            column, means unknown
  absences: assignment_number, absence_start, absence_end, reason_code,
            related_reason, and optionally organisation (absence_end is
            empty while the absence is open)

Staff are matched by organisation and assignment number, absences by member
of staff and start date; a row that brings nothing new is not written, so
importing the same file again changes nothing. A row changes only the staff
of the organisation it names. A mobile that another organisation's staff
already hold is imported, counted as a mobile conflict in the summary, and
listed for admins on the console's Users page. Every absence added or changed
has its contacts planned at once: a return to work cancels pending ones, a
new reason re-plans them. FILE may be - for standard input.

Each bad row (an impossible date, an unknown reason code, a malformed
number, an unknown organisation or member of staff) is reported on standard
error as "line N: reason" and skipped; the others are imported, 1,000 to a
transaction. A summary follows on standard output. With --strict the file
is imported whole or not at all. A progress bar shows on a terminal.

Exit status: 0 when every row was imported; 1 when rows were skipped (with
--strict: nothing was imported) or the import failed; 2 for a usage error`

func runImport(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "import", importUsage)
	strict := fs.Bool("strict", false, "import the whole file or, if any row is bad, nothing")
	org := fs.String("org", "", "absences only: the organisation of rows that name none (needed when the file has no organisation column and there are several organisations)")
	kind, err := splitSubcommand(env, fs, args)
	if err != nil {
		return err
	}
	var problems []string
	if kind != "staff" && kind != "absences" {
		problems = append(problems, fmt.Sprintf("want staff or absences, got %q", kind))
	}
	if fs.NArg() != 1 {
		problems = append(problems, "want one FILE")
	}
	if *org != "" && kind == "staff" {
		problems = append(problems, "--org is for absences: a staff file names each row's organisation")
	}
	if err := usageProblems(env, fs, "import", problems); err != nil {
		return err
	}

	in, size, err := openInput(fs.Arg(0), env.stdin)
	if err != nil {
		return err
	}
	defer in.Close()

	cfg, db, _, err := openWithOrganisations(ctx, env)
	if err != nil {
		return err
	}
	defer db.Close()
	scheduler, err := newScheduler(cfg, db)
	if err != nil {
		return err
	}

	bar := newProgressBar(env.stderr, fs.Arg(0), size)
	im := &triggers.Import{DB: db, Scheduler: scheduler, Strict: *strict, Organisation: *org,
		RowError: func(e *triggers.RowError) { bar.clear(); fmt.Fprintln(env.stderr, e) },
		Progress: bar.show}
	var sum triggers.ImportSummary
	if kind == "staff" {
		sum, err = im.Staff(ctx, in)
	} else {
		sum, err = im.Absences(ctx, in)
	}
	bar.clear()
	switch {
	case errors.Is(err, triggers.ErrNoOrganisation):
		fmt.Fprintln(env.stderr, "ohcontact import:", err)
		return errUsage
	case errors.Is(err, triggers.ErrRowsRejected):
		fmt.Fprintf(env.stdout, "imported nothing (--strict): %s bad, %s good rolled back\n", rows(sum.Skipped), rows(sum.Rows()))
		return fmt.Errorf("%s bad: nothing imported", rows(sum.Skipped))
	case err != nil && (*strict || sum.Rows() == 0):
		return err // nothing was imported
	}
	fmt.Fprintf(env.stdout, "imported %s: %s new, %s updated, %s unchanged; %s skipped\n",
		rows(sum.Rows()), thousands(sum.New), thousands(sum.Updated), thousands(sum.Unchanged), rows(sum.Skipped))
	if sum.MobileConflicts > 0 {
		fmt.Fprintf(env.stdout, "mobile conflicts: %s gave a member of staff a mobile another organisation's staff already hold (listed for admins on the console's Users page)\n",
			rows(sum.MobileConflicts))
	}
	if kind == "absences" {
		n := sum.Scheduled
		fmt.Fprintf(env.stdout, "contacts: %s scheduled (%s held by send windows), %s skipped, %s cancelled, %s with no send time\n",
			thousands(n.Scheduled), thousands(n.Held), thousands(n.Skipped), thousands(n.Cancelled), thousands(n.Failed))
	}
	switch {
	case err != nil:
		return fmt.Errorf("stopped part-way, after the rows above were imported: %w", err)
	case sum.Skipped > 0:
		return fmt.Errorf("%s skipped (see above)", rows(sum.Skipped))
	}
	return nil
}

// openInput opens the file at path, or stdin for "-", and returns its size
// (0 when unknown).
func openInput(path string, stdin io.Reader) (io.ReadCloser, int64, error) {
	if path == "-" {
		return io.NopCloser(stdin), 0, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err // the error names the file
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, fi.Size(), nil
}

// newScheduler returns a Scheduler with the organisations' trigger settings
// and an insert-only job client: the jobs it schedules are worked by serve.
func newScheduler(cfg Config, db *postgres.DB) (*triggers.Scheduler, error) {
	policy, err := triggers.NewPolicy(cfg.File.Triggers)
	if err != nil {
		return nil, err
	}
	jobs, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{})
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	return &triggers.Scheduler{Policy: policy, Jobs: jobs, Now: time.Now}, nil
}

// rows formats n rows: "1 row", "1,234 rows".
func rows(n int) string {
	if n == 1 {
		return "1 row"
	}
	return thousands(n) + " rows"
}

// thousands formats n with commas between thousands: 1,234,567.
func thousands(n int) string {
	if n < 0 {
		return "-" + thousands(-n)
	}
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// progressBar draws an import's progress on a terminal's line, at most ten
// times a second; it draws nothing when w is not a terminal or the size is
// unknown.
type progressBar struct {
	w     io.Writer
	name  string
	size  int64
	drawn time.Time
	shown bool
}

func newProgressBar(w io.Writer, name string, size int64) *progressBar {
	f, ok := w.(*os.File)
	if !ok || size <= 0 {
		return &progressBar{}
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return &progressBar{}
	}
	return &progressBar{w: w, name: name, size: size}
}

// show draws the bar at offset bytes read.
func (p *progressBar) show(offset int64) {
	if p.w == nil || time.Since(p.drawn) < 100*time.Millisecond {
		return
	}
	p.drawn, p.shown = time.Now(), true
	const width = 30
	done := int(min(offset, p.size) * width / p.size)
	fmt.Fprintf(p.w, "\r%s [%s%s] %3d%%  %.1f of %.1f MB", p.name, strings.Repeat("#", done), strings.Repeat(".", width-done),
		min(offset, p.size)*100/p.size, float64(offset)/1e6, float64(p.size)/1e6)
}

// clear removes the bar from the line, so other output starts clean.
func (p *progressBar) clear() {
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}
