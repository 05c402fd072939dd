package console

import (
	"github.com/ohcontact/ohcontact/dialogs"
	"github.com/ohcontact/ohcontact/postgres"
)

// campaignFlows are the flows of the campaigns whose uptake the dashboard
// charts: vaccination invitations.
var campaignFlows = []string{dialogs.FlowVaccination}

// uptakeSeries are the columns of an uptake chart: the counts in its table,
// the uptake drawn.
var uptakeSeries = []series{{"Invited", false}, {"Replied", false}, {"Booked", false}, {"Had it elsewhere", false},
	{"Declined", false}, {"Question for OH", false}, {"Uptake (%)", true}}

// uptakeRow is the row of an uptake chart for u.
func uptakeRow(label string, u postgres.UptakeFigures) chartRow {
	return chartRow{Label: label, Cells: []cell{countCell(u.Invited), countCell(u.Replied), countCell(u.Booked),
		countCell(u.HadElsewhere), countCell(u.Declined), countCell(u.Question), percentCell(u.Uptake)}}
}

// campaignCharts are the dashboard's charts of vaccination campaign
// uptake (postgres.Dashboard.Campaigns): by campaign, by staff group and
// by week of invitation.
func campaignCharts(d postgres.Dashboard) []chart {
	by := span{d.Monthly}
	const counted = "Staff invited by a vaccination campaign in the period, counted once each at what they have answered so far: " +
		"uptake is those who booked or had it elsewhere, as a share of those invited. " +
		"Where one count in a column is suppressed, another is too, so that the total cannot give it away. "
	campaigns := chart{ID: "campaign_uptake", Title: "Vaccination uptake, by campaign", RowHeader: "Campaign", Percent: true,
		Caption: counted + "Each campaign that sent an invitation in the period, by when it starts, then all of them together.",
		Series:  uptakeSeries}
	for _, c := range d.Campaigns.Campaigns {
		label := "All campaigns"
		if c.CampaignID != 0 {
			label = c.Name
			if c.Vaccine != "" {
				label += " (" + c.Vaccine + ")"
			}
		}
		campaigns.Rows = append(campaigns.Rows, uptakeRow(label, c.UptakeFigures))
	}
	groups := chart{ID: "campaign_uptake_by_staff_group", Title: "Vaccination uptake, by staff group", RowHeader: "Staff group", Percent: true,
		Caption: counted + "By the staff group HR recorded for each person when their campaign was planned, most invited first.",
		Series:  uptakeSeries}
	for _, g := range d.Campaigns.StaffGroups {
		label := g.Group
		if label == "" {
			label = "Not known"
		}
		groups.Rows = append(groups.Rows, uptakeRow(label, g.UptakeFigures))
	}
	weeks := chart{ID: "campaign_uptake_by_week", Title: "Vaccination uptake, by " + by.Word() + " invited", RowHeader: by.Header() + " invited",
		Percent: true,
		Caption: counted + "By the " + by.Word() + " each was invited: recent " + by.Word() + "s grow as people reply.",
		Series:  uptakeSeries}
	for i, w := range d.Buckets {
		weeks.Rows = append(weeks.Rows, uptakeRow(by.Label(w), d.Campaigns.Weeks[i]))
	}
	return []chart{campaigns, groups, weeks}
}

// allCampaigns is d's campaign uptake of every campaign together.
func allCampaigns(d postgres.Dashboard) postgres.UptakeFigures {
	return find(d.Campaigns.Campaigns, func(c postgres.CampaignUptake) bool { return c.CampaignID == 0 }).UptakeFigures
}
