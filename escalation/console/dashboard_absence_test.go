package console_test

import (
	"fmt"
	"html"
	"strings"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// TestDashboardAbsence reads the absence charts off the page and the
// export: Test Trust went live 40 days ago, with a baseline and a pilot
// period of 30 days each; Other Trust has no go-live day.
func TestDashboardAbsence(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("admin@example.nhs.uk", "Ada Admin", ohcontact.RoleAdmin, 0)
	now := f.now().UTC()
	goLive := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -40)
	day := func(n int) string { return goLive.AddDate(0, 0, n).Format(time.DateOnly) }
	f.exec(`UPDATE organisations SET go_live_on = $2 WHERE id = $1`, f.org, day(0))
	// Ten staff: five absent (S10) for 7 days in the baseline, five for 3
	// days in the pilot. Days lost per 100 staff a month: baseline 35 / 10
	// × 100 × 30.4375 / 30 = 355.1, pilot 15 → 152.2; over the whole
	// 60-day period 50 → 253.6. Median lengths 7 and 3 days.
	for i := range 10 {
		var start, end string
		switch {
		case i < 5:
			start, end = day(-20), day(-14)
		default:
			start, end = day(1), day(3)
		}
		staff := pgtest.Staff(t, f.db.Pool, pgtest.StaffRow{Organisation: f.org, Number: fmt.Sprintf("3000%04d-1", i), First: "Ann", Last: "Example"})
		pgtest.Absence(t, f.db.Pool, pgtest.AbsenceRow{Staff: staff, StartsOn: start, EndsOn: end, Reason: "S10"})
	}

	a := f.signIn("admin@example.nhs.uk")
	query := "?from=" + day(-30) + "&to=" + day(29)
	_, page := a.get("/console/dashboard" + query)
	figures := pageFigures(page)
	for k, want := range map[figureKey]string{
		{"absence_days_lost", "Days lost per 100 staff a month", "All absences"}:   "253.6",
		{"absence_days_lost", "Days lost per 100 staff a month", "MSK (S11, S12)"}: "0.0",
		{"absence_length", "Median (days)", "Stress (S10)"}:                        "3.0",
		{"before_after_all", "Baseline", "Days lost per 100 staff a month"}:        "355.1",
		{"before_after_all", "Pilot", "Days lost per 100 staff a month"}:           "152.2",
		{"before_after_s10", "Baseline", "Median length (days)"}:                   "7.0",
		{"before_after_s10", "Pilot", "Median length (days)"}:                      "3.0",
		{"before_after_s10", "Difference (95% interval)", "Median length (days)"}:  "−4.0 (no interval)",
		{"before_after_msk", "Pilot", "Median length (days)"}:                      "n/a",
		{"contacted_vs_not", "Reached within 2 days", "Stress check-ins"}:          "0",
	} {
		if got := figures[k]; got != want {
			t.Errorf("%v = %q, want %q", k, got, want)
		}
	}
	if got := figures[figureKey{"before_after_all", "Difference (95% interval)", "Days lost per 100 staff a month"}]; !strings.HasPrefix(got, "−202.9 (") {
		t.Errorf("days lost difference %q, want −202.9 with an interval", got)
	}
	text := html.UnescapeString(page)
	for _, want := range []string{
		"Counted: Test Trust (live " + goLive.Format("2 January 2006"), "Left out: Other Trust (no go-live day)",
		"OBSERVATIONAL, not randomised", "today's headcount",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the page does not say %q", want)
		}
	}
	_, body := a.get("/console/dashboard.csv" + query)
	if got := csvFigures(t, body)["all"]; fmt.Sprint(got) != fmt.Sprint(figures) {
		t.Errorf("the export differs from the page:\nexport %v\npage   %v", got, figures)
	}
	checkMarkup(t, "/console/dashboard with absences", page)
}
