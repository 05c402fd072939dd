package console

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestApprox(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d    time.Duration
		want string
	}{
		{30 * time.Second, "less than a minute"},
		{-3*time.Minute - 10*time.Second, "3 min"},
		{59 * time.Minute, "59 min"},
		{time.Hour, "1 h"},
		{3*time.Hour + 5*time.Minute, "3 h 5 min"},
		{47*time.Hour + 59*time.Minute, "47 h 59 min"},
		{48 * time.Hour, "2 days"},
		{52*time.Hour + 30*time.Minute, "2 days 4 h"},
	}
	for _, tt := range tests {
		if got := approx(tt.d); got != tt.want {
			t.Errorf("approx(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestNumber(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1600: "1,600", 4000: "4,000", 1234567: "1,234,567"} {
		if got := number(n); got != want {
			t.Errorf("number(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestViewSLAAndTimes(t *testing.T) {
	t.Parallel()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 29, 13, 0, 0, 0, time.UTC) // 14:00 BST, the day the clocks go forward
	c := &Console{loc: london, now: func() time.Time { return now }}
	tests := []struct {
		name                   string
		status                 string
		due, claimed, resolved time.Time
		want, wantDue          string
		wantOverdue            bool
	}{
		{"open, due", "open", now.Add(12 * time.Minute), time.Time{}, time.Time{}, "due in 12 min", "14:12", false},
		{"open, overdue", "open", now.Add(-3 * time.Minute), time.Time{}, time.Time{}, "overdue by 3 min", "13:57", true},
		{"claimed in time", "claimed", now.Add(time.Minute), now, time.Time{}, "met", "14:01", false},
		{"claimed late", "claimed", now.Add(-5 * time.Minute), now, time.Time{}, "missed by 5 min", "13:55", false},
		{"claimed in time, resolved late", "resolved", now.Add(time.Minute), now, now.Add(time.Hour), "met", "14:01", false},
		{"resolved unclaimed in time", "resolved", now.Add(time.Minute), time.Time{}, now, "met", "14:01", false},
		{"resolved unclaimed late", "resolved", now.Add(-5 * time.Minute), time.Time{}, now, "missed by 5 min", "13:55", false},
		{"due another day", "open", now.Add(49 * time.Hour), time.Time{}, time.Time{}, "due in 2 days 1 h", "Tue 31 Mar 15:00", false},
		{"due another year", "open", time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC), time.Time{}, time.Time{}, "due in 280 days 20 h", "4 Jan 2027 09:00", false},
	}
	for _, tt := range tests {
		v := c.viewSLA(tt.status, tt.due, tt.claimed, tt.resolved)
		if v.Text != tt.want || v.Due.Text != tt.wantDue || v.Overdue != tt.wantOverdue {
			t.Errorf("%s: %+v, want %q due %q overdue=%v", tt.name, v, tt.want, tt.wantDue, tt.wantOverdue)
		}
	}
}

// TestEveryCaseReasonHasWords checks that every reason a case is opened
// for (the risk screen's categories, the flows' requests for a clinician
// and the cases the escalation package opens) is shown in words of its
// own, never as its code made readable.
func TestEveryCaseReasonHasWords(t *testing.T) {
	t.Parallel()
	sources := map[string]*regexp.Regexp{
		"../risk/risk.go":    regexp.MustCompile(`Category\w+\s*=\s*"([a-z_]+)"`),
		"../../dialogs/*.go": regexp.MustCompile(`RequestClinician\{[^}]*Reason: "([a-z_]+)"`),
		"../*.go":            regexp.MustCompile(`Category: "([a-z_]+)"`),
	}
	found := 0
	for glob, pattern := range sources {
		files, err := filepath.Glob(glob)
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: %v", glob, err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range pattern.FindAllStringSubmatch(string(src), -1) {
				found++
				if _, ok := categoryLabels[m[1]]; !ok {
					t.Errorf("%s: cases opened for %q have no words in categoryLabels", file, m[1])
				}
			}
		}
	}
	if found < 15 {
		t.Errorf("found only %d reasons: has the code that opens cases moved?", found)
	}
	if got := outcomeLabel("safeguarding_referral"); got != "Safeguarding referral made" {
		t.Errorf("outcomeLabel = %q", got)
	}
	if got := outcomeLabel("no_longer_offered"); got != "No longer offered" {
		t.Errorf("an outcome no longer offered is shown as %q, want words", got)
	}
}
