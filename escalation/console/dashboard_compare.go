package console

import (
	"slices"

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
// A dashboard always has every group, trigger, priority and category these
// look up (postgres.Dashboard), so a lookup never falls back to a zero.
var headlines = []headline{
	{"Days lost to sickness per 100 staff a month", func(d postgres.Dashboard) cell {
		return daysCell(absenceAll(d).DaysLost)
	}},
	{"Absence length in days (median)", func(d postgres.Dashboard) cell {
		o := absenceAll(d)
		return lengthCell(o.MedianLength, o.Started)
	}},
	{"Absences back within 28 days (%)", func(d postgres.Dashboard) cell { return percentCell(absenceAll(d).Within28) }},
	{"Absences reaching 28 days (%)", func(d postgres.Dashboard) cell { return percentCell(absenceAll(d).Reached28) }},
	{"Change in days lost per 100 staff a month since go-live (95% interval)", func(d postgres.Dashboard) cell {
		return differenceCell(find(d.Absence.BeforeAfter.Groups, func(g postgres.GroupComparison) bool { return g.Group == postgres.AbsenceAll }).DaysLost)
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
		return minutesCell(find(d.Work.Disclosures, func(k postgres.DisclosureContact) bool { return k.Priority == ohcontact.PriorityUrgent }).Median)
	}},
	{"OH call-backs resolved within SLA (%)", func(d postgres.Dashboard) cell {
		return percentCell(find(d.Work.CallBacks, func(k postgres.CallBackResolution) bool { return k.Category == "" }).InTimeRate)
	}},
	{"Physiotherapy referrals made", func(d postgres.Dashboard) cell { return countCell(d.Work.Referrals.Made) }},
	{"Physiotherapy referrals attended", func(d postgres.Dashboard) cell { return countCell(d.Work.Referrals.Attended) }},
	{"Staff feedback questions answered (%)", func(d postgres.Dashboard) cell { return percentCell(allFeedback(d).Rate) }},
	{"How helpful staff found it (mean rating of 5)", func(d postgres.Dashboard) cell { return meanRatingCell(allFeedback(d).Mean) }},
	{"Staff invited to vaccination", func(d postgres.Dashboard) cell { return countCell(allCampaigns(d).Invited) }},
	{"Vaccination uptake (% of invited)", func(d postgres.Dashboard) cell {
		return percentCell(allCampaigns(d).Uptake)
	}},
	{"New starters cleared by their first day (%)", func(d postgres.Dashboard) cell { return percentCell(d.NewStarters.ByDay1Rate) }},
	{"Days from a new starter's first day to clearance (median; negative: before it)", func(d postgres.Dashboard) cell {
		return dayOffsetCell(d.NewStarters.MedianDays)
	}},
}

// find returns the first of xs that matches, or a zero T.
func find[T any](xs []T, match func(T) bool) T {
	if i := slices.IndexFunc(xs, match); i >= 0 {
		return xs[i]
	}
	var zero T
	return zero
}

// reachStep is how many of d's check-ins of every trigger got to step.
func reachStep(d postgres.Dashboard, step string) postgres.Figure {
	all := find(d.Reach, func(f postgres.ReachFunnel) bool { return f.Trigger == "" })
	return find(all.Steps, func(s postgres.ReachStep) bool { return s.Step == step }).Contacts
}

// absenceAll is d's absence figures of every reason together.
func absenceAll(d postgres.Dashboard) postgres.AbsenceOutcomes {
	return find(d.Absence.Outcomes, func(o postgres.AbsenceOutcomes) bool { return o.Group == postgres.AbsenceAll })
}

// allCheckIns is d's check-ins of every trigger together.
func allCheckIns(d postgres.Dashboard) postgres.Responses {
	return find(d.Responses, func(r postgres.Responses) bool { return r.Trigger == "" })
}

// priorityCases is d's cases of priority p.
func priorityCases(d postgres.Dashboard, p ohcontact.Priority) postgres.CaseFigures {
	return find(d.Cases, func(k postgres.PriorityCases) bool { return k.Priority == p }).CaseFigures
}

// allFeedback is d's staff feedback of every flow together.
func allFeedback(d postgres.Dashboard) postgres.FeedbackFlow {
	return find(d.Feedback, func(f postgres.FeedbackFlow) bool { return f.Flow == "" })
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
