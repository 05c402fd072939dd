package console_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// vaccinated invites n staff of org in group to a running vaccination
// campaign called name, invited at sent; the first booked of them booked.
func (f *fixture) vaccinated(org int64, name, group string, n, booked int, sent time.Time) {
	f.t.Helper()
	var campaign int64
	if err := f.db.Pool.QueryRow(f.t.Context(), `INSERT INTO campaigns (organisation_id, name, flow, vaccine, audience, audience_value,
		starts_at, window_from, window_until, status) VALUES ($1, $2, 'vaccination', 'flu', 'staff_group', $3, $4, '09:00', '17:00', 'running')
		RETURNING id`, org, name, group, sent).Scan(&campaign); err != nil {
		f.t.Fatal(err)
	}
	for i := range n {
		staff := pgtest.Staff(f.t, f.db.Pool, pgtest.StaffRow{Organisation: org, Number: fmt.Sprintf("4%03d%04d-1", campaign, i), First: "Ann", Last: "Example"})
		f.exec(`UPDATE staff SET staff_group = $2 WHERE id = $1`, staff, group)
		f.exec(`INSERT INTO campaign_members (campaign_id, staff_id, staff_group, state, sent_at, replied_at, outcome, outcome_at)
			SELECT $1, $2, (SELECT staff_group FROM staff WHERE id = $2), CASE WHEN $4 THEN 'replied' ELSE 'sent' END, $3, CASE WHEN $4 THEN $3::timestamptz END,
			       CASE WHEN $4 THEN 'booked' END, CASE WHEN $4 THEN $3::timestamptz END`, campaign, staff, sent, i < booked)
	}
}

// TestDashboardCampaignCharts reads vaccination uptake off the page, side
// by side and in the export: a lead sees their organisation's campaign
// only.
func TestDashboardCampaignCharts(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("lead@example.nhs.uk", "Lee Lead", ohcontact.RoleLead, f.org)
	f.user("admin@example.nhs.uk", "Ada Admin", ohcontact.RoleAdmin, 0)
	yesterday := f.now().Add(-24 * time.Hour)
	// Test Trust: 11 nurses invited, 6 booked; Other Trust: 7 doctors,
	// all booked.
	f.vaccinated(f.org, "Flu 2026", "Nursing and Midwifery Registered", 11, 6, yesterday)
	f.vaccinated(f.otherOrg, "Other flu", "Medical and Dental", 7, 7, yesterday)

	_, page := f.signIn("lead@example.nhs.uk").get("/console/dashboard")
	figures := pageFigures(page)
	for k, want := range map[figureKey]string{
		{"campaign_uptake", "Invited", "Flu 2026 (flu)"}:                                     "11",
		{"campaign_uptake", "Booked", "Flu 2026 (flu)"}:                                      "6",
		{"campaign_uptake", "Declined", "Flu 2026 (flu)"}:                                    "0",
		{"campaign_uptake", "Uptake (%)", "All campaigns"}:                                   "54.5",
		{"campaign_uptake_by_staff_group", "Replied", "Nursing and Midwifery Registered"}:    "6",
		{"campaign_uptake_by_staff_group", "Uptake (%)", "Nursing and Midwifery Registered"}: "54.5",
	} {
		if got := figures[k]; got != want {
			t.Errorf("%v = %q, want %q", k, got, want)
		}
	}
	if strings.Contains(page, "Other flu") || strings.Contains(page, "Medical and Dental") {
		t.Error("a lead of Test Trust sees Other Trust's campaign")
	}
	var week string
	for k, v := range figures {
		if k.chart == "campaign_uptake_by_week" && k.series == "Invited" && v != "0" {
			week += k.label + "=" + v
		}
	}
	if want := "Week of " + mondayOf(yesterday).Format("2 Jan 2006") + "=11"; week != want {
		t.Errorf("invitations by week: %q, want %q", week, want)
	}
	checkMarkup(t, "/console/dashboard with campaigns", page)

	a := f.signIn("admin@example.nhs.uk")
	_, page = a.get("/console/dashboard")
	figures = pageFigures(page)
	const uptake = "Vaccination uptake (% of invited)"
	for k, want := range map[figureKey]string{
		{"trusts_side_by_side", "All organisations", uptake}:                   "72.2", // 13 of 18
		{"trusts_side_by_side", "Test Trust", uptake}:                          "54.5",
		{"trusts_side_by_side", "Other Trust", uptake}:                         "100.0",
		{"trusts_side_by_side", "Other Trust", "Staff invited to vaccination"}: "7",
		{"campaign_uptake", "Invited", "Other flu (flu)"}:                      "7",
	} {
		if got := figures[k]; got != want {
			t.Errorf("%v = %q, want %q", k, got, want)
		}
	}
	_, body := a.get("/console/dashboard.csv")
	export := csvFigures(t, body)
	if fmt.Sprint(export["all"]) != fmt.Sprint(figures) {
		t.Errorf("the export differs from the page:\nexport %v\npage   %v", export["all"], figures)
	}
	if got := export["RX2"][figureKey{"campaign_uptake_by_staff_group", "Booked", "Medical and Dental"}]; got != "7" {
		t.Errorf("Other Trust's doctors booked in the export: %q, want 7", got)
	}
}

// mondayOf is the Monday of t's ISO week, in London.
func mondayOf(t time.Time) time.Time {
	london, _ := time.LoadLocation("Europe/London")
	t = t.In(london)
	return t.AddDate(0, 0, -(int(t.Weekday())+6)%7)
}
