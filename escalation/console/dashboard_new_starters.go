package console

import "github.com/ohcontact/ohcontact/postgres"

// newStarterChart is the dashboard's chart of new starters' clearance
// (postgres.Dashboard.NewStarters): those whose first day fell in the
// period, how many OH has cleared, and how soon.
func newStarterChart(d postgres.Dashboard) chart {
	n := d.NewStarters
	return chart{ID: "new_starter_clearance", Title: "New starters' clearance", RowHeader: "New starters", Percent: true,
		Caption: "New starters whose first day was in the period (not those HR withdrew), how many the OH team has marked " +
			"\"clearance given\" so far, and how many by their first day and within 14 days of it, as a share of all of them. " +
			"Days run from the first day to the day clearance was given: 0 is the first day, a negative number before it.",
		Series: []series{{"Starters", false}, {"Cleared", false}, {"Cleared by the first day", false}, {"By the first day (%)", true},
			{"Cleared within 14 days", false}, {"Within 14 days (%)", true}},
		Rows: []chartRow{{Label: "Starting in the period", Cells: []cell{countCell(n.Starters), countCell(n.Cleared),
			countCell(n.ByDay1), percentCell(n.ByDay1Rate), countCell(n.Within14), percentCell(n.Within14Rate)}}},
		Facts: []chartFact{{Series: "Median days", Label: "From the first day to clearance", Cell: dayOffsetCell(n.MedianDays)}}}
}

// dayOffsetCell is a number of days before (negative) or after a day,
// its minus sign U+2212 so that the export's cell is not taken for a
// formula.
func dayOffsetCell(f postgres.Figure) cell {
	c := daysCell(f)
	if !f.Suppressed && !f.Empty {
		c.Text = signed(f.Value)
		c.Bar = c.Text + " days"
	}
	return c
}
