package console_test

import (
	"encoding/csv"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact"
)

// dashboardActivity gives org, an hour ago, reports absence reports,
// referrals fast-track physiotherapy referrals (all still new) and
// callBacks OH call-back cases (none claimed yet).
func (f *fixture) dashboardActivity(org int64, reports, referrals, callBacks int) {
	f.t.Helper()
	ctx := f.t.Context()
	_, err := f.db.Pool.Exec(ctx, `
		INSERT INTO conversations (organisation_id, channel, address, flow, fsm_state, status, closed_reason, closed_at, created_at)
		SELECT $1::bigint, 'sms', 'report-' || $1::bigint || '-' || g, 'absence-report', 'closed', 'closed', 'completed', now(), now() - interval '1 hour'
		FROM generate_series(1, $2) g`, org, reports)
	if err != nil {
		f.t.Fatal(err)
	}
	n := f.seq.Add(1)
	_, err = f.db.Pool.Exec(ctx, `
		WITH s AS (INSERT INTO staff (organisation_id, assignment_number, first_name, last_name) VALUES ($1, $2, 'Ann', 'Example') RETURNING id),
		     c AS (INSERT INTO conversations (organisation_id, staff_id, channel, address, flow, fsm_state, created_at)
		           SELECT $1, id, 'webchat', 'staff-' || id, 'msk-checkin', 'ask_work', now() - interval '1 hour' FROM s RETURNING id, staff_id)
		INSERT INTO referrals (organisation_id, staff_id, conversation_id, kind, created_at)
		SELECT $1, c.staff_id, c.id, 'physiotherapy', now() - interval '1 hour' FROM c, generate_series(1, $3)`,
		org, fmt.Sprintf("2000%04d-1", n), referrals)
	if err != nil {
		f.t.Fatal(err)
	}
	_, err = f.db.Pool.Exec(ctx, `
		INSERT INTO cases (organisation_id, priority, category, sla_due_at, created_at)
		SELECT $1, 'routine', 'callback_requested', now() + interval '1 day', now() - interval '1 hour' FROM generate_series(1, $2)`,
		org, callBacks)
	if err != nil {
		f.t.Fatal(err)
	}
}

// figureKey is one figure of the dashboard: chart, series (column), label
// (row).
type figureKey struct{ chart, series, label string }

var (
	figureTablePattern = regexp.MustCompile(`(?s)<table class="table" data-chart="([^"]+)">(.*?)</table>`)
	figureRowPattern   = regexp.MustCompile(`(?s)<tr data-label="([^"]*)">(.*?)</tr>`)
	figureCellPattern  = regexp.MustCompile(`(?s)<td data-series="([^"]*)"[^>]*>(.*?)</td>`)
)

// pageFigures reads every figure of the dashboard page's tables, as the
// export writes them (without thousands separators).
func pageFigures(page string) map[figureKey]string {
	got := map[figureKey]string{}
	for _, table := range figureTablePattern.FindAllStringSubmatch(page, -1) {
		for _, row := range figureRowPattern.FindAllStringSubmatch(table[2], -1) {
			for _, c := range figureCellPattern.FindAllStringSubmatch(row[2], -1) {
				k := figureKey{table[1], html.UnescapeString(c[1]), html.UnescapeString(row[1])}
				got[k] = strings.ReplaceAll(html.UnescapeString(strings.TrimSpace(c[2])), ",", "")
			}
		}
	}
	return got
}

// csvFigures reads the export: its figures by organisation code ("all"
// for every organisation together).
func csvFigures(t *testing.T, body string) map[string]map[figureKey]string {
	t.Helper()
	records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v\n%s", err, body)
	}
	if len(records) < 2 || strings.Join(records[0], ",") != "organisation,chart,series,label,value" {
		t.Fatalf("export header %v, want organisation,chart,series,label,value and figures", records[0])
	}
	got := map[string]map[figureKey]string{}
	for _, r := range records[1:] {
		if got[r[0]] == nil {
			got[r[0]] = map[figureKey]string{}
		}
		got[r[0]][figureKey{r[1], r[2], r[3]}] = r[4]
	}
	return got
}

// sumWeeks adds up a weekly series of the page's figures.
func sumWeeks(t *testing.T, figures map[figureKey]string, chart, series string) string {
	t.Helper()
	total, small := 0, 0
	for k, v := range figures {
		if k.chart != chart || k.series != series {
			continue
		}
		if v == "<5" {
			small++
			continue
		}
		var n int
		fmt.Sscan(v, &n)
		total += n
	}
	if small > 0 {
		return fmt.Sprintf("%d and %d <5", total, small)
	}
	return fmt.Sprint(total)
}

func TestDashboardRoles(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	f.user("lead@example.nhs.uk", "Lee Lead", ohcontact.RoleLead, f.org)
	f.user("admin@example.nhs.uk", "Ada Admin", ohcontact.RoleAdmin, 0)

	nurse := f.signIn("nurse@example.nhs.uk")
	for _, path := range []string{"/console/dashboard", "/console/dashboard.csv"} {
		if resp, page := nurse.get(path); resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "Not allowed") {
			t.Errorf("a clinician asking for %s: status %d, want the 403 page", path, resp.StatusCode)
		}
	}
	if _, page := nurse.get("/console/"); strings.Contains(page, `href="/console/dashboard"`) {
		t.Error("a clinician's navigation links to the dashboard")
	}
	for _, who := range []string{"lead@example.nhs.uk", "admin@example.nhs.uk"} {
		b := f.signIn(who)
		resp, page := b.get("/console/dashboard")
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, "<h1>Pilot dashboard</h1>") || !strings.Contains(page, `href="/console/dashboard"`) {
			t.Errorf("%s: status %d, want the dashboard, linked from the navigation", who, resp.StatusCode)
		}
		checkMarkup(t, "/console/dashboard as "+who, page)
		if resp, _ := b.get("/console/dashboard.csv"); resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Errorf("%s: export status %d, type %q", who, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	if resp, _ := f.browser().get("/console/dashboard.csv"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("signed out, the export answers %d, want a redirect to sign in", resp.StatusCode)
	}
}

func TestDashboardScopeExportAndAudit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	lead := f.user("lead@example.nhs.uk", "Lee Lead", ohcontact.RoleLead, f.org)
	admin := f.user("admin@example.nhs.uk", "Ada Admin", ohcontact.RoleAdmin, 0)
	f.dashboardActivity(f.org, 6, 3, 2)
	f.dashboardActivity(f.otherOrg, 9, 7, 5)

	// A lead of one organisation sees its figures only, however they ask.
	b := f.signIn("lead@example.nhs.uk")
	resp, page := b.get("/console/dashboard")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("lead: status %d", resp.StatusCode)
	}
	if strings.Contains(page, `id="organisation"`) || !strings.Contains(page, "Test Trust") {
		t.Error("a lead of one organisation is offered a choice of organisation, or not told which one they see")
	}
	figures := pageFigures(page)
	if got := sumWeeks(t, figures, "contacts_by_week", "Day-1 absence reports"); got != "6" {
		t.Errorf("the lead's page shows %s absence reports, want their organisation's 6", got)
	}
	if got := sumWeeks(t, figures, "physio_referrals", "Made"); got != "0 and 1 <5" {
		t.Errorf("the lead's page shows %s physiotherapy referrals, want <5 (3)", got)
	}
	if resp, _ := b.get(fmt.Sprintf("/console/dashboard?organisation=%d", f.otherOrg)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a lead asking for another organisation: status %d, want 404", resp.StatusCode)
	}
	if resp, _ := b.get(fmt.Sprintf("/console/dashboard.csv?organisation=%d", f.otherOrg)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a lead exporting another organisation: status %d, want 404", resp.StatusCode)
	}
	resp, body := b.get("/console/dashboard.csv")
	if got := csvFigures(t, body); len(got) != 1 || fmt.Sprint(got["RX1"]) != fmt.Sprint(figures) {
		t.Errorf("the lead's export is not their page, under their organisation's code:\nexport %v\npage   %v", got, figures)
	}
	if strings.Contains(page, "trusts_side_by_side") {
		t.Error("a lead of one organisation is shown organisations side by side")
	}
	if !strings.Contains(resp.Header.Get("Content-Disposition"), `filename="ohcontact-dashboard-RX1-`) {
		t.Errorf("export named %q, want the organisation's code in it", resp.Header.Get("Content-Disposition"))
	}

	// An admin of every organisation sees both, together or one at a time,
	// and the export matches the page figure for figure.
	a := f.signIn("admin@example.nhs.uk")
	ownPages := map[string]map[figureKey]string{}
	for _, tt := range []struct {
		query, code, reports, referrals, callBacks string
	}{
		{"", "all", "15", "10", "7"},
		{fmt.Sprintf("?organisation=%d", f.otherOrg), "RX2", "9", "7", "5"},
		{fmt.Sprintf("?organisation=%d", f.org), "RX1", "6", "0 and 1 <5", "0 and 1 <5"},
	} {
		_, page := a.get("/console/dashboard" + tt.query)
		figures := pageFigures(page)
		if got := sumWeeks(t, figures, "contacts_by_week", "Day-1 absence reports"); got != tt.reports {
			t.Errorf("admin%s: %s absence reports, want %s", tt.query, got, tt.reports)
		}
		if got := sumWeeks(t, figures, "physio_referrals", "Made"); got != tt.referrals {
			t.Errorf("admin%s: %s physiotherapy referrals, want %s", tt.query, got, tt.referrals)
		}
		if got := sumWeeks(t, figures, "physio_referrals", "Still new"); got != tt.referrals {
			t.Errorf("admin%s: %s physiotherapy referrals still new, want %s", tt.query, got, tt.referrals)
		}
		if got := sumWeeks(t, figures, "callbacks_by_week", "Opened"); got != tt.callBacks {
			t.Errorf("admin%s: %s OH call-back cases, want %s", tt.query, got, tt.callBacks)
		}
		if got := figures[figureKey{"callbacks_by_kind", "Opened", "Asked for a call back (stress check-in)"}]; tt.code != "RX1" && got != tt.callBacks {
			t.Errorf("admin%s: %s call backs asked for, want %s", tt.query, got, tt.callBacks)
		}
		for _, k := range []figureKey{
			{"physio_time_to_booking", "Median (working days)", ""},
			{"callback_time_to_claim", "Median (minutes)", ""},
			{"callbacks_by_kind", "Median (minutes)", "Asked for a call back (stress check-in)"},
		} {
			for got, v := range figures {
				if got.chart == k.chart && got.series == k.series && (k.label == "" || got.label == k.label) && v != "n/a" {
					t.Errorf("admin%s: %v is %s with nothing booked or claimed, want n/a", tt.query, got, v)
				}
			}
		}
		for _, id := range []string{"physio_referrals", "physio_time_to_booking", "callbacks_by_week", "callback_time_to_claim", "callbacks_by_kind"} {
			if !strings.Contains(page, `<section class="chart" id="chart-`+id+`"`) || !strings.Contains(page, `<table class="table" data-chart="`+id+`">`) {
				t.Errorf("admin%s: no chart and table %s", tt.query, id)
			}
		}
		if len(figures) < 50 {
			t.Errorf("admin%s: only %d figures on the page", tt.query, len(figures))
		}
		_, body := a.get("/console/dashboard.csv" + tt.query)
		export := csvFigures(t, body)
		if fmt.Sprint(export[tt.code]) != fmt.Sprint(figures) {
			t.Errorf("admin%s: the export differs from the page:\nexport %v\npage   %v", tt.query, export[tt.code], figures)
		}
		ownPages[tt.code] = figures
		if tt.code == "all" {
			for _, code := range []string{"RX1", "RX2"} {
				if len(export[code]) < 50 {
					t.Errorf("the export of every organisation has %d figures of %s, want its whole page", len(export[code]), code)
				}
			}
			defer func() {
				for _, code := range []string{"RX1", "RX2"} {
					if fmt.Sprint(export[code]) != fmt.Sprint(ownPages[code]) {
						t.Errorf("the export of every organisation has other figures for %s than its own page:\nexport %v\npage   %v",
							code, export[code], ownPages[code])
					}
				}
			}()
			// Side by side: all together, then each organisation by name,
			// each with its own page's figure.
			for series, want := range map[string]string{"All organisations": "7", "Test Trust": "<5", "Other Trust": "5"} {
				if got := figures[figureKey{"trusts_side_by_side", series, "Routine cases opened"}]; got != want {
					t.Errorf("side by side, %s opened %q routine cases, want %q", series, got, want)
				}
			}
		} else if _, ok := figures[figureKey{"trusts_side_by_side", "All organisations", "Routine cases opened"}]; ok {
			t.Errorf("admin%s: one organisation's page sets organisations side by side", tt.query)
		}
		for _, name := range []string{"Ann", "Example", "2000"} {
			if strings.Contains(body, name) {
				t.Errorf("admin%s: the export mentions %q", tt.query, name)
			}
		}
	}
	if resp, page := a.get("/console/dashboard?from=yesterday&to=2026-01-01"); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(errorSummary(page), "Enter the start date as a date") || strings.Contains(page, "data-chart") {
		t.Errorf("a bad date: status %d, want 422 with the problem and no charts", resp.StatusCode)
	}
	if resp, _ := a.get("/console/dashboard.csv?from=2026-03-10&to=2026-03-01"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("exporting a period that ends before it starts: status %d, want 400", resp.StatusCode)
	}

	// Every view and export is in the audit log, and nothing refused is.
	views := f.count(`SELECT count(*) FROM audit_events WHERE action = 'dashboard.view' AND actor_id = $1 AND organisation_id = $2`, lead, f.org)
	exports := f.count(`SELECT count(*) FROM audit_events WHERE action = 'dashboard.export' AND actor_id = $1 AND organisation_id = $2`, lead, f.org)
	if views != 1 || exports != 1 {
		t.Errorf("lead: %d views and %d exports audited, want 1 each", views, exports)
	}
	views = f.count(`SELECT count(*) FROM audit_events WHERE action = 'dashboard.view' AND actor_id = $1`, admin)
	exports = f.count(`SELECT count(*) FROM audit_events WHERE action = 'dashboard.export' AND actor_id = $1`, admin)
	if views != 3 || exports != 3 {
		t.Errorf("admin: %d views and %d exports audited, want 3 each", views, exports)
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action LIKE 'dashboard.%' AND details ? 'from' AND details ? 'to'`); n != 8 {
		t.Errorf("%d dashboard audit events carry their period, want all 8", n)
	}
}

// TestDashboardLongPeriodByMonth checks that a period longer than 13 weeks
// is charted by calendar month, in words and rows, and a shorter one by
// week.
func TestDashboardLongPeriodByMonth(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("lead@example.nhs.uk", "Lee Lead", ohcontact.RoleLead, f.org)
	b := f.signIn("lead@example.nhs.uk")
	today := time.Now().UTC() // the fixture console's time zone
	for _, tt := range []struct {
		days         int
		header, word string
		row          string
	}{
		{200, "Month", "month", today.Format("January 2006")},
		{28, "Week", "week", "Week of "},
	} {
		from := today.AddDate(0, 0, -tt.days).Format(time.DateOnly)
		resp, page := b.get("/console/dashboard?from=" + from + "&to=" + today.Format(time.DateOnly))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%d days: status %d", tt.days, resp.StatusCode)
		}
		text := html.UnescapeString(page)
		for _, want := range []string{"Contacts made, by trigger and " + tt.word, `<th scope="col">` + tt.header + `</th>`,
			"Opt-outs, by " + tt.word, `data-label="` + tt.row} {
			if !strings.Contains(text, want) {
				t.Errorf("%d days: the page does not have %q", tt.days, want)
			}
		}
	}
}
