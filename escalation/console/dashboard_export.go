package console

import (
	"bytes"
	"fmt"
	"net/http"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// exportDashboard handles GET /console/dashboard.csv: every chart's
// figures, with the page's filters, as CSV (RFC 4180, UTF-8). The header
// is organisation,chart,series,label,value, and each line after it is one
// figure of the page's tables: organisation is the code of the
// organisation counted, or "all" for every organisation the user sees
// together; chart is the chart's id, in the page's order
// (trusts_side_by_side, absence_days_lost, absence_days_lost_by_month,
// absence_length, absence_returns, before_after_all, before_after_s10,
// before_after_msk, contacted_vs_not, reach_funnel, reach_lost,
// contacts_by_week, response_rate, first_contact, signposts_by_category,
// signposts_by_service, physio_referrals, physio_time_to_booking,
// cases_by_priority, time_to_claim, callbacks_by_week,
// callback_time_to_claim, callbacks_by_kind, opt_outs, conversations,
// case_outcomes, physio_referral_outcomes, callback_resolution,
// disclosure_to_contact, feedback_answered, feedback_ratings,
// campaign_uptake, campaign_uptake_by_staff_group, campaign_uptake_by_week,
// new_starter_clearance),
// series the table's column, label its row, and value the figure as the
// page shows it without thousands separators: a number, "<5",
// "suppressed" or "n/a". Both read dashboardCharts, so the export always
// matches the page. The export of every organisation has the "all" lines
// (the page's, trusts_side_by_side among them) and then, for each
// organisation, the lines of that organisation's own page, so that a
// spreadsheet can set any figure side by side.
//
// The referral and call-back charts' lines: physio_referrals has, for each
// week made (label "Week of …"), the series Made, Accepted, Booked,
// Attended, Did not attend, Declined, Still new and Past SLA (counts of
// that week's referrals; see postgres.ReferralWeek); physio_time_to_booking
// the series "Median (working days)" and "90th percentile (working days)";
// callbacks_by_week, for each week opened, Opened, "Claimed within SLA" and
// "SLA breached"; callback_time_to_claim, for each week ("Week of … (SLA
// 2 working days)"), "Median (minutes)" and "90th percentile (minutes)";
// and callbacks_by_kind, for each kind of call-back (label: why the case
// was opened), all five of those counts and times. A cell that a
// spreadsheet would take for a formula (starting with =, +, -, @, a tab or
// a carriage return) is written with a leading apostrophe (csvCell). The
// before_after_* and contacted_vs_not charts' "Difference (95% interval)"
// cells are text, "−15.0 (−38.7 to 12.5)" or "−4.0 (no interval)", their
// negative numbers with a minus sign (U+2212).
func (c *Console) exportDashboard(w http.ResponseWriter, r *http.Request, s *session) {
	f, _, errs := c.readDashboardFilter(r)
	if len(errs) > 0 {
		http.Error(w, "These figures cannot be exported: "+errs[0].Message+". Open the dashboard, check its filters and download again.",
			http.StatusBadRequest)
		return
	}
	orgs, err := c.organisationsFor(r, s)
	if err != nil {
		c.serverError(w, r, s, err)
		return
	}
	d, ok := c.loadDashboard(w, r, s, f, "dashboard.export")
	if !ok {
		return
	}
	var buf bytes.Buffer
	out := newCSVWriter(&buf)
	_ = out.Write([]string{"organisation", "chart", "series", "label", "value"}) // errors come out of Flush
	for _, od := range append([]postgres.Dashboard{d}, d.Organisations...) {
		who := organisationCode(od.Filter.OrganisationID, orgs)
		for _, ch := range dashboardCharts(od, orgs) {
			for _, row := range ch.Rows {
				for i, sr := range ch.Series {
					_ = out.Write([]string{who, ch.ID, sr.Name, row.Label, row.Cells[i].CSV()})
				}
			}
			for _, fact := range ch.Facts {
				_ = out.Write([]string{who, ch.ID, fact.Series, fact.Label, fact.Cell.CSV()})
			}
		}
	}
	out.Flush()
	if err := out.Error(); err != nil {
		c.serverError(w, r, s, fmt.Errorf("write dashboard CSV: %w", err))
		return
	}
	who := organisationCode(d.Filter.OrganisationID, orgs)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="ohcontact-dashboard-%s-%s-to-%s.csv"`,
		who, f.From.Format(time.DateOnly), f.To.Format(time.DateOnly)))
	_, _ = buf.WriteTo(w)
}

// organisationCode is the export's name of organisation id among orgs:
// its code, or "all" for 0 (every organisation).
func organisationCode(id int64, orgs []ohcontact.Organisation) string {
	for _, o := range orgs {
		if o.ID == id {
			return o.Code
		}
	}
	return "all"
}
