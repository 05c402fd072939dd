package main

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseUntil(t *testing.T) {
	t.Parallel()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	// Saturday 28 March 2026, the day before the clocks go forward.
	now := time.Date(2026, 3, 28, 15, 0, 0, 0, london)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"", time.Date(2026, 3, 30, 0, 0, 0, 0, london).Add(-time.Nanosecond)}, // the end of Sunday, in summer time
		{"2026-03-30", time.Date(2026, 3, 31, 0, 0, 0, 0, london).Add(-time.Nanosecond)},
		{"30/03/2026", time.Date(2026, 3, 31, 0, 0, 0, 0, london).Add(-time.Nanosecond)},
		{"2026-03-30T18:00", time.Date(2026, 3, 30, 17, 0, 0, 0, time.UTC)},
		{"2026-03-30T18:00:00+01:00", time.Date(2026, 3, 30, 17, 0, 0, 0, time.UTC)},
		{"2026-03-30T18:00:00Z", time.Date(2026, 3, 30, 18, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, err := parseUntil(tt.in, now, london)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("parseUntil(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if _, err := parseUntil("tomorrow", now, london); err == nil {
		t.Error("parseUntil(tomorrow) did not fail")
	}
}

func TestTriggersPlanListsDueContactsInOrder(t *testing.T) {
	t.Parallel()
	vars, db := commandDB(t)
	today := time.Now().Format("2006-01-02")
	_, _, _ = runCommand(t, vars, importArgs("staff", writeFile(t, "staff.csv", staffCSV))) // it fails: staffCSV has bad rows on purpose
	_, _, err := runCommand(t, vars, importArgs("absences", writeFile(t, "absences.csv",
		"assignment_number,absence_start,absence_end,reason_code,related_reason\n"+
			"100,"+today+",,S10,\n"+
			"200,"+today+",,S12,\n"+
			"100,2026-01-05,2026-01-30,S10,\n")))
	if err != nil {
		t.Fatal(err)
	}
	plan := func(args ...string) []string {
		t.Helper()
		out, errOut, err := runCommand(t, vars, func(t *testing.T, env *environment) error {
			return runTriggers(t.Context(), env, append([]string{"plan"}, args...))
		})
		if err != nil {
			t.Fatalf("triggers plan %q: %v (%s)", args, err, errOut)
		}
		return strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	}

	lines := plan("--at", time.Now().AddDate(0, 0, 40).Format("2006-01-02"))
	if lines[0] != "assignment_number\ttrigger\tdue\tchannel" {
		t.Fatalf("header %q", lines[0])
	}
	var triggers []string
	var last time.Time
	for _, l := range lines[1:] {
		cols := strings.Split(l, "\t")
		if len(cols) != 4 {
			t.Fatalf("line %q has %d columns, want 4", l, len(cols))
		}
		due, err := time.Parse(time.RFC3339, cols[2])
		if err != nil || due.Before(last) {
			t.Fatalf("line %q: due %v (%v), want RFC 3339, not before %v", l, due, err, last)
		}
		if _, offset := due.Zone(); offset != 0 && offset != 3600 {
			t.Fatalf("line %q is not on the London clock", l)
		}
		last = due
		triggers = append(triggers, cols[0]+" "+cols[1]+" "+cols[3])
	}
	// Bryn has no mobile: the web chat. Ann's stress check-in and MSK's
	// day 2 come before the two long-term ones, in some order.
	got := strings.Join(triggers, ", ")
	for _, want := range []string{"100 stress sms", "200 msk webchat", "100 long_term sms", "200 long_term webchat"} {
		if !strings.Contains(got, want) {
			t.Errorf("plan %q lacks %q", got, want)
		}
	}
	if len(triggers) != 4 || !strings.Contains(triggers[3], "long_term") {
		t.Errorf("plan %q, want 4 contacts, long-term last", got)
	}

	// January's absence was imported long after: its contacts were skipped.
	skipped := plan("--skipped")
	if skipped[0] != "assignment_number\ttrigger\tdue\treason" || len(skipped) != 2 ||
		!strings.HasPrefix(skipped[1], "100\tstress\t2026-01-06T09:00:00Z\tdue Tue 6 Jan 2026 09:00 was more than 72h ago") {
		t.Fatalf("--skipped printed %q", skipped)
	}
	var n int
	if err := db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM contacts WHERE state = 'skipped'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d skipped contacts (%v), want 1", n, err)
	}
}

func TestTriggersUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{nil, {"list"}, {"plan", "extra"}, {"plan", "--at", "soon"}} {
		_, errOut, err := runCommand(t, nil, func(t *testing.T, env *environment) error { return runTriggers(t.Context(), env, args) })
		if !errors.Is(err, errUsage) || !strings.Contains(errOut, "Usage: ohcontact triggers plan") {
			t.Errorf("triggers %q = %v, %q; want a usage error", args, err, errOut)
		}
	}
}
