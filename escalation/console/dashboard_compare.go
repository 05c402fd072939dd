package console

import (
	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// Trusts side by side: the dashboard's headline figures for every
// organisation the user sees, one column each, beside all of them
// together. Every figure is the one the organisation's own dashboard shows
// (postgres.Dashboard.Organisations, read in the same snapshot), with the
// same small-number suppression, so a column never tells more than that
// organisation's page. It is a table rather than a chart: its rows have
// different units.

// headline is one row of the comparison: a figure of a dashboard, with
// its unit in the label.
type headline struct {
	Label  string
	Figure func(postgres.Dashboard) cell
}

// headlines are the comparison's rows, in the order the page lists them.
var headlines = []headline{
	{"Days lost to sickness per 100 staff a month", func(d postgres.Dashboard) cell {
		return daysCell(absenceOutcomes(d).DaysLost)
	}},
	{"Absence length in days (median)", func(d postgres.Dashboard) cell {
		o := absenceOutcomes(d)
		return lengthCell(o.MedianLength, o.Started)
	}},
	{"Absences back within 28 days (%)", func(d postgres.Dashboard) cell { return percentCell(absenceOutcomes(d).Within28) }},
	{"Absences reaching 28 days (%)", func(d postgres.Dashboard) cell { return percentCell(absenceOutcomes(d).Reached28) }},
	{"Change in days lost per 100 staff a month since go-live (95% interval)", func(d postgres.Dashboard) cell {
		for _, g := range d.Absence.BeforeAfter.Groups {
			if g.Group == postgres.AbsenceAll {
				return differenceCell(g.DaysLost)
			}
		}
		return cell{Text: "n/a", Bar: "n/a"}
	}},
	{"Check-ins made", func(d postgres.Dashboard) cell { return countCell(allCheckIns(d).Made) }},
	{"Check-ins answered (%)", func(d postgres.Dashboard) cell { return percentCell(allCheckIns(d).Rate) }},
	{"Days from absence start to first check-in (median)", func(d postgres.Dashboard) cell { return daysCell(d.FirstContactMedian) }},
	{"Check-ins that reached the person (% of eligible)", func(d postgres.Dashboard) cell {
		return percentCell(postgres.Share(reachStep(d, postgres.ReachDelivered), reachStep(d, postgres.ReachEligible)))
	}},
	{"Check-ins that led to support (% of eligible)", func(d postgres.Dashboard) cell {
		return percentCell(postgres.Share(reachStep(d, postgres.ReachSupported), reachStep(d, postgres.ReachEligible)))
	}},
	{"Urgent cases opened", func(d postgres.Dashboard) cell { return countCell(priorityCases(d, ohcontact.PriorityUrgent).Opened) }},
	{"Urgent cases claimed within SLA", func(d postgres.Dashboard) cell {
		return countCell(priorityCases(d, ohcontact.PriorityUrgent).WithinSLA)
	}},
	{"Minutes to claim an urgent case (median)", func(d postgres.Dashboard) cell {
		return minutesCell(priorityCases(d, ohcontact.PriorityUrgent).MedianClaim)
	}},
	{"High-priority cases opened", func(d postgres.Dashboard) cell { return countCell(priorityCases(d, ohcontact.PriorityHigh).Opened) }},
	{"Routine cases opened", func(d postgres.Dashboard) cell { return countCell(priorityCases(d, ohcontact.PriorityRoutine).Opened) }},
	{"Minutes from an urgent disclosure to a clinician's first message (median)", func(d postgres.Dashboard) cell {
		for _, k := range d.Work.Disclosures {
			if k.Priority == ohcontact.PriorityUrgent {
				return minutesCell(k.Median)
			}
		}
		return minutesCell(postgres.Figure{Empty: true})
	}},
	{"OH call-backs resolved within SLA (%)", func(d postgres.Dashboard) cell {
		for _, k := range d.Work.CallBacks {
			if k.Category == "" {
				return percentCell(k.InTimeRate)
			}
		}
		return percentCell(postgres.Figure{Empty: true})
	}},
	{"Physiotherapy referrals made", func(d postgres.Dashboard) cell { return countCell(d.Work.Referrals.Made) }},
	{"Physiotherapy referrals attended", func(d postgres.Dashboard) cell { return countCell(d.Work.Referrals.Attended) }},
	{"Staff feedback questions answered (%)", func(d postgres.Dashboard) cell { return percentCell(allFeedback(d).Rate) }},
	{"How helpful staff found it (mean rating of 5)", func(d postgres.Dashboard) cell { return meanRatingCell(allFeedback(d).Mean) }},
}

// reachStep is how many of d's check-ins of every trigger got to step.
func reachStep(d postgres.Dashboard, step string) postgres.Figure {
	for _, f := range d.Reach {
		if f.Trigger != "" {
			continue
		}
		for _, s := range f.Steps {
			if s.Step == step {
				return s.Contacts
			}
		}
	}
	return postgres.Figure{}
}

// absenceOutcomes is d's absence figures of every reason together.
func absenceOutcomes(d postgres.Dashboard) postgres.AbsenceOutcomes {
	for _, o := range d.Absence.Outcomes {
		if o.Group == postgres.AbsenceAll {
			return o
		}
	}
	return postgres.AbsenceOutcomes{}
}

// allCheckIns is d's check-ins of every trigger together.
func allCheckIns(d postgres.Dashboard) postgres.Responses {
	for _, r := range d.Responses {
		if r.Trigger == "" {
			return r
		}
	}
	return postgres.Responses{}
}

// priorityCases is d's cases of priority p.
func priorityCases(d postgres.Dashboard, p ohcontact.Priority) postgres.CaseFigures {
	for _, k := range d.Cases {
		if k.Priority == p {
			return k.CaseFigures
		}
	}
	return postgres.CaseFigures{}
}

// compareChart is the side-by-side table of d, a dashboard of every
// organisation, whose organisations are named in orgs; false when d has
// no organisations' own figures.
func compareChart(d postgres.Dashboard, orgs []ohcontact.Organisation) (chart, bool) {
	if len(d.Organisations) == 0 {
		return chart{}, false
	}
	ch := chart{ID: "trusts_side_by_side", Title: "Organisations side by side", RowHeader: "Figure", TableOnly: true,
		Caption: "The headline figures of the period for each organisation, as its own dashboard shows them, and for all of them " +
			"together. Organisations differ in size, staff mix and when they went live: compare rates and times rather than counts. " +
			"Open an organisation's own dashboard, or download the figures, for everything else side by side."}
	ch.Series = append(ch.Series, series{Name: "All organisations"})
	for _, od := range d.Organisations {
		ch.Series = append(ch.Series, series{Name: organisationName(od.Filter.OrganisationID, orgs)})
	}
	for _, h := range headlines {
		row := chartRow{Label: h.Label, Cells: []cell{h.Figure(d)}}
		for _, od := range d.Organisations {
			row.Cells = append(row.Cells, h.Figure(od))
		}
		ch.Rows = append(ch.Rows, row)
	}
	return ch, true
}

// organisationName is the name of organisation id among orgs.
func organisationName(id int64, orgs []ohcontact.Organisation) string {
	for _, o := range orgs {
		if o.ID == id {
			return o.Name
		}
	}
	return "Organisation " + number(int(id))
}
