package main

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// writeFile writes content to a file in a temporary directory and returns
// its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// runCommand runs fn with args, returning stdout, stderr and the error.
func runCommand(t *testing.T, vars map[string]string, fn func(*testing.T, *environment) error) (string, string, error) {
	t.Helper()
	env, stdout, stderr := testEnv(vars)
	err := fn(t, env)
	return stdout.String(), stderr.String(), err
}

func importArgs(args ...string) func(*testing.T, *environment) error {
	return func(t *testing.T, env *environment) error { return runImport(t.Context(), env, args) }
}

const staffCSV = `Assignment Number,First Name,Last Name,Mobile,Email,Organisation,Language,Preferred Channel
100,Ann,Example,07700 900001,ann@example.nhs.uk,DEMO,,sms
200,Bryn,Jones,,,DEMO,Cymraeg,
300,Cat,Smith,020 7946 0001,,DEMO,,
400,Dan,Brown,,,RX9,,
`

func TestImportStaffReportsBadRowsAndIsIdempotent(t *testing.T) {
	t.Parallel()
	vars, db := commandDB(t)
	path := writeFile(t, "staff.csv", staffCSV)

	out, errOut, err := runCommand(t, vars, importArgs("staff", path))
	if err == nil || errors.Is(err, errUsage) {
		t.Fatalf("import with bad rows returned %v, want an error (exit status 1)", err)
	}
	wantErr := "line 4: mobile is not a mobile number (UK mobiles start 07, but not 070 or 076)\n" +
		"line 5: the organisation is not one of this service's (organisations come from OHCONTACT_CONFIG)\n"
	if errOut != wantErr {
		t.Fatalf("stderr:\n%s\nwant:\n%s", errOut, wantErr)
	}
	if strings.Contains(errOut, "01632") {
		t.Fatal("a bad row's report repeats the phone number")
	}
	if want := "imported 2 rows: 2 new, 0 updated, 0 unchanged; 2 rows skipped\n"; out != want {
		t.Fatalf("stdout %q, want %q", out, want)
	}

	out, _, _ = runCommand(t, vars, importArgs("staff", path))
	if want := "imported 2 rows: 0 new, 0 updated, 2 unchanged; 2 rows skipped\n"; out != want {
		t.Fatalf("second import printed %q, want %q", out, want)
	}
	var updatedAfterFirst, audits int
	if err := db.Pool.QueryRow(t.Context(), `SELECT count(*) FILTER (WHERE updated_at > created_at) FROM staff`).Scan(&updatedAfterFirst); err != nil {
		t.Fatal(err)
	}
	if updatedAfterFirst != 0 {
		t.Fatalf("%d staff rows were rewritten by the second import", updatedAfterFirst)
	}
	if err := db.Pool.QueryRow(t.Context(), `
		SELECT count(*) FROM audit_events WHERE action = 'import.staff' AND actor_kind = 'system'
		  AND details->>'skipped' = '2' AND NOT details::text LIKE '%Ann%'`).Scan(&audits); err != nil {
		t.Fatal(err)
	}
	if audits != 2 {
		t.Fatalf("%d import audit events with counts, want 2", audits)
	}
}

func TestImportAbsences(t *testing.T) {
	t.Parallel()
	vars, db := commandDB(t)
	if _, _, err := runCommand(t, vars, importArgs("staff", writeFile(t, "staff.csv", staffCSV))); err == nil {
		t.Fatal("the staff file has bad rows")
	}
	today := time.Now().Format("2006-01-02")
	absences := "assignment_number,absence_start,absence_end,reason_code,related_reason\n" +
		"100," + today + ",,S10,\n" +
		"999," + today + ",,S10,\n" +
		"200,2026-02-30,,S11,\n"
	path := writeFile(t, "absences.csv", absences)

	// --strict: nothing is imported.
	out, errOut, err := runCommand(t, vars, importArgs("absences", "--strict", path))
	if err == nil || !strings.Contains(out, "imported nothing (--strict): 2 rows bad, 1 row good rolled back") {
		t.Fatalf("--strict: %v, stdout %q", err, out)
	}
	if !strings.Contains(errOut, "line 3: assignment_number is not in the staff directory of DEMO") ||
		!strings.Contains(errOut, "line 4: absence_start 2026-02-30 is not a real date") {
		t.Fatalf("--strict stderr %q", errOut)
	}
	var episodes int
	if err := db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM absence_episodes`).Scan(&episodes); err != nil || episodes != 0 {
		t.Fatalf("%d episodes (%v) after a refused --strict import", episodes, err)
	}

	// Without: the good row is imported and planned.
	out, _, err = runCommand(t, vars, importArgs("absences", path))
	if err == nil {
		t.Fatal("an import with bad rows succeeded")
	}
	if !strings.HasPrefix(out, "imported 1 row: 1 new, 0 updated, 0 unchanged; 2 rows skipped\ncontacts: 2 scheduled") {
		t.Fatalf("stdout %q", out)
	}

	// All good: exit status 0.
	good := writeFile(t, "good.csv", "assignment_number,absence_start,absence_end,reason_code,related_reason\n100,"+today+",,S10,\n")
	out, _, err = runCommand(t, vars, importArgs("absences", good))
	if err != nil || !strings.HasPrefix(out, "imported 1 row: 0 new, 0 updated, 1 unchanged; 0 rows skipped\n") {
		t.Fatalf("re-import: %v, %q", err, out)
	}
}

func TestImportUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		wantErr error
		stderr  string
	}{
		{"help", []string{"--help"}, flag.ErrHelp, ""},
		{"no kind", []string{"file.csv"}, errUsage, "want staff or absences"},
		{"no file", []string{"staff"}, errUsage, "want one FILE"},
		{"two files", []string{"staff", "a.csv", "b.csv"}, errUsage, "want one FILE"},
		{"--org for staff", []string{"staff", "--org", "RX1", "a.csv"}, errUsage, "--org is for absences"},
		{"unknown flag", []string{"staff", "--force", "a.csv"}, errUsage, "force"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, errOut, err := runCommand(t, nil, importArgs(tt.args...))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("import %q = %v, want %v", tt.args, err, tt.wantErr)
			}
			if !strings.Contains(errOut, tt.stderr) {
				t.Fatalf("stderr %q, want %q", errOut, tt.stderr)
			}
			if tt.wantErr == flag.ErrHelp && !strings.Contains(out, "Exit status: 0 when every row was imported") {
				t.Fatalf("--help does not document the exit status: %q", out)
			}
		})
	}
}

func TestImportAbsencesNeedsAnOrganisation(t *testing.T) {
	t.Parallel()
	vars, db := commandDB(t)
	pgtest.Organisation(t, db.Pool, "RX1", "Trust one")
	path := writeFile(t, "absences.csv", "assignment_number,absence_start,absence_end,reason_code,related_reason\n100,2026-05-04,,S10,\n")
	_, errOut, err := runCommand(t, vars, importArgs("absences", path))
	if !errors.Is(err, errUsage) || !strings.Contains(errOut, "--org") {
		t.Fatalf("import with two organisations and no --org: %v, %q", err, errOut)
	}
	_, errOut, err = runCommand(t, vars, importArgs("absences", "--org", "RX9", path))
	if err == nil || !strings.Contains(err.Error(), "no such organisation") {
		t.Fatalf("import --org RX9: %v, %q", err, errOut)
	}
}

func TestThousands(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -12345: "-12,345"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestProgressBar(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	p := &progressBar{w: &b, name: "absences.csv", size: 2_000_000}
	p.show(500_000)
	p.show(600_000) // within 100 ms: not drawn
	p.clear()
	p.clear() // nothing to clear
	want := "\rabsences.csv [#######.......................]  25%  0.5 of 2.0 MB\r\033[K"
	if b.String() != want {
		t.Fatalf("drew %q, want %q", b.String(), want)
	}
	// Not a terminal (a buffer, or a file): nothing is drawn.
	quiet := newProgressBar(&b, "x", 10)
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range []*progressBar{quiet, newProgressBar(f, "x", 10)} {
		p.show(5)
		p.clear()
	}
	if b.String() != want {
		t.Fatalf("a bar drew on a non-terminal: %q", b.String())
	}
	if fi, _ := f.Stat(); fi.Size() != 0 {
		t.Fatal("a bar drew into a file")
	}
}
