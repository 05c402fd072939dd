package console

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ohcontact/ohcontact/postgres"
)

// The dashboard's absence charts: outcomes by reason, days lost by month,
// before and after go-live, and absences reached by a check-in or not
// (postgres.AbsenceFigures).

func absenceGroupLabel(group string) string {
	switch group {
	case postgres.AbsenceAll:
		return "All absences"
	case postgres.AbsenceS10:
		return "Stress (S10)"
	case postgres.AbsenceMSK:
		return "MSK (S11, S12)"
	}
	return group
}

// lengthCell is an episode length of started episodes: "not yet known"
// when the Kaplan–Meier estimate has not reached it.
func lengthCell(f, started postgres.Figure) cell {
	if f.Empty && started.Value > 0 {
		return cell{Text: "not yet known", Bar: "not yet known"}
	}
	return daysCell(f)
}

// signed formats v to one decimal place, negative with a minus sign
// (U+2212), so that the export's cell is not taken for a formula.
func signed(v float64) string {
	s := strconv.FormatFloat(v, 'f', 1, 64)
	if s == "-0.0" {
		return "0.0"
	}
	return strings.Replace(s, "-", "−", 1)
}

// differenceCell is a difference with its 95% interval, as text only:
// "−15.0 (−38.7 to 12.5)", or "(no interval)".
func differenceCell(d postgres.Difference) cell {
	switch {
	case d.Value.Suppressed:
		return cell{Text: "suppressed", Bar: "suppressed"}
	case d.Value.Empty:
		return cell{Text: "n/a", Bar: "n/a"}
	}
	text := signed(d.Value.Value) + " (no interval)"
	if !d.Low.Empty && !d.Low.Suppressed {
		text = fmt.Sprintf("%s (%s to %s)", signed(d.Value.Value), signed(d.Low.Value), signed(d.High.Value))
	}
	return cell{Text: text, Bar: text}
}

func dayLabel(t time.Time) string { return t.Format("2 January 2006") }

// comparedOrganisations says which organisations the before-and-after
// charts count, with their periods, and which they leave out.
func comparedOrganisations(ba postgres.BeforeAfter) string {
	var counted, left []string
	for _, o := range ba.Organisations {
		counted = append(counted, fmt.Sprintf("%s (live %s: baseline %s to %s, pilot %s to %s)", o.Name, dayLabel(o.GoLive),
			dayLabel(o.BaselineFrom), dayLabel(o.GoLive.AddDate(0, 0, -1)), dayLabel(o.PilotFrom), dayLabel(o.PilotTo)))
	}
	for _, o := range ba.LeftOut {
		why := "no go-live day"
		if !o.GoLive.IsZero() {
			why = "live " + dayLabel(o.GoLive) + ", after the period"
		}
		left = append(left, fmt.Sprintf("%s (%s)", o.Name, why))
	}
	s := "No organisation shown here had gone live by the end of the period: there is nothing to compare."
	if len(counted) > 0 {
		s = "Counted: " + strings.Join(counted, "; ") + "."
	}
	if len(left) > 0 {
		s += " Left out: " + strings.Join(left, "; ") + "."
	}
	return s
}

// absenceCharts are the absence charts, in the order the page shows them.
func absenceCharts(d postgres.Dashboard) []chart {
	a := d.Absence
	headcount := []chartFact{{Series: "Staff", Label: "Today's headcount", Cell: countCell(a.Headcount)}}
	daysLost := chart{ID: "absence_days_lost", Title: "Days lost to sickness absence per 100 staff a month, by reason", RowHeader: "Reason",
		Caption: "Calendar days of sickness absence (from HR's absence records) falling in the period, per 100 staff, per month. " +
			"Absences that began before the period or run past its end count only their days inside it; absences still open count " +
			"to the period's end (today at the latest). Divided by today's headcount (the staff HR has sent, not the headcount on each " +
			"day), then by the period's length in months (its days / 30.4375). MSK is ESR reasons S11 (back problems) and S12 " +
			"(other musculoskeletal problems).",
		Series: []series{{"Days lost per 100 staff a month", true}, {"Absences with days in the period", false}},
		Facts:  headcount}
	lengths := chart{ID: "absence_length", Title: "How long absences that started in the period lasted", RowHeader: "Reason",
		Caption: "Absences that started in the period, with the median and 90th percentile of their length in calendar days, first to " +
			"last day of absence (back at work the next day: 1 day). Absences still open at the period's end (today at the latest) count " +
			"as lasting at least their days so far (a Kaplan–Meier estimate), so that long absences are not left out; “not yet known”: " +
			"too many are still open for the estimate to reach it.",
		Series: []series{{"Absences started", false}, {"Median (days)", true}, {"90th percentile (days)", true}}}
	returns := chart{ID: "absence_returns", Title: "Back at work within 7 and 28 days, and absences reaching 28 days", RowHeader: "Reason",
		Percent: true,
		Caption: "Absences that started in the period: the share back within 7 days (lasted 7 days or fewer), back within 28 days " +
			"(lasted fewer than 28 days: never long-term) and reaching 28 days (lasted 28 days or more: the day of the long-term " +
			"check-in). Each share counts only the absences whose outcome is known at the period's end (today at the latest): those " +
			"that started at least 7 days before it for 7 days, at least 27 days before it for 28 days (the “followed” columns).",
		Series: []series{{"Followed 7 days", false}, {"Back within 7 days (%)", true}, {"Followed 28 days", false},
			{"Back within 28 days (%)", true}, {"Reached 28 days (%)", true}}}
	for _, o := range a.Outcomes {
		label := absenceGroupLabel(o.Group)
		daysLost.Rows = append(daysLost.Rows, chartRow{Label: label, Cells: []cell{daysCell(o.DaysLost), countCell(o.LossEpisodes)}})
		lengths.Rows = append(lengths.Rows, chartRow{Label: label,
			Cells: []cell{countCell(o.Started), lengthCell(o.MedianLength, o.Started), lengthCell(o.P90Length, o.Started)}})
		returns.Rows = append(returns.Rows, chartRow{Label: label, Cells: []cell{countCell(o.Followed7), percentCell(o.Within7),
			countCell(o.Followed28), percentCell(o.Within28), percentCell(o.Reached28)}})
	}

	byMonth := chart{ID: "absence_days_lost_by_month", Title: "Days lost per 100 staff a month, by month", RowHeader: "Month",
		Caption: "As “Days lost to sickness absence”, for each calendar month's days in the period: a month only partly in the " +
			"period is counted over its days in it.",
		Facts: headcount}
	for _, s := range a.DaysLostByMonth {
		byMonth.Series = append(byMonth.Series, series{absenceGroupLabel(s.Key), true})
	}
	for i, m := range a.Months {
		row := chartRow{Label: m.Format("January 2006")}
		for _, s := range a.DaysLostByMonth {
			row.Cells = append(row.Cells, daysCell(s.Figures[i]))
		}
		byMonth.Rows = append(byMonth.Rows, row)
	}

	charts := []chart{daysLost, byMonth, lengths, returns}
	ba := a.BeforeAfter
	for i, g := range ba.Groups {
		caption := "The same figures for a baseline period before go-live beside the pilot period after it. " +
			"Periods and organisations as for all absences."
		if i == 0 {
			caption = "Each organisation's pilot period is this dashboard's period from its go-live day on (to today at the latest); its " +
				"baseline is the same number of days just before go-live, from the absence history HR sent. Organisations are " +
				"counted together, each with its own periods. " + comparedOrganisations(ba) + " Difference is pilot less baseline " +
				"with its 95% interval: for days lost, taking each member of staff (today's headcount) as a unit, their days lost a " +
				"month in each period (difference of means, normal interval from the two variances); for percentages, in percentage " +
				"points, Newcombe's hybrid score interval. Lengths have no interval: there is no simple one for a difference of " +
				"medians estimated from absences still open. A before-and-after comparison is not a trial: seasons, staffing and " +
				"recording change too."
		}
		ch := chart{ID: "before_after_" + strings.ToLower(g.Group), Title: "Before and after go-live: " + absenceGroupLabel(g.Group),
			RowHeader: "Figure", OwnScale: true, Caption: caption,
			Series: []series{{"Baseline", true}, {"Pilot", true}, {"Difference (95% interval)", false}}}
		if i == 0 {
			ch.Facts = []chartFact{{Series: "Staff", Label: "Today's headcount of the organisations counted", Cell: countCell(ba.Headcount)}}
		}
		row := func(label string, base, pilot cell, diff postgres.Difference, scale float64) {
			if scale == 0 {
				scale = 1.1 * max(base.Value, pilot.Value, 1)
			}
			ch.Rows = append(ch.Rows, chartRow{Label: label, Cells: []cell{base, pilot, differenceCell(diff)}, Max: scale})
		}
		b, p := g.Baseline, g.Pilot
		row("Days lost per 100 staff a month", daysCell(b.DaysLost), daysCell(p.DaysLost), g.DaysLost, 0)
		row("Median length (days)", lengthCell(b.MedianLength, b.Started), lengthCell(p.MedianLength, p.Started), g.MedianLength, 0)
		row("90th percentile length (days)", lengthCell(b.P90Length, b.Started), lengthCell(p.P90Length, p.Started), g.P90Length, 0)
		row("Back within 7 days (%)", percentCell(b.Within7), percentCell(p.Within7), g.Within7, 100)
		row("Back within 28 days (%)", percentCell(b.Within28), percentCell(p.Within28), g.Within28, 100)
		row("Reached 28 days (%)", percentCell(b.Reached28), percentCell(p.Reached28), g.Reached28, 100)
		charts = append(charts, ch)
	}

	contacted := chart{ID: "contacted_vs_not", Title: "Observational: back at work within 28 days, reached by the check-in or not",
		RowHeader: "Check-in", Percent: true,
		Caption: "OBSERVATIONAL, not randomised: people the service reached may differ from those it did not (how unwell they were, " +
			"whether HR had their mobile number), so a difference here need not be the service's doing. In each organisation's pilot " +
			"period (as above), check-ins due while the person was still absent, by whether their first message went within 2 days " +
			"of the due time (reached) or not (skipped, cancelled, failed or sent later), and the share back at work within 28 days " +
			"of the day due (the absence's last day no more than 27 days after it). Only check-ins due at least 27 days before the " +
			"period's end are counted, so each has been followed for 28 days. All absences: each absence once, at its first check-in " +
			"due in the period. Difference: reached less not reached, in percentage points, with Newcombe's 95% interval.",
		Series: []series{{"Reached within 2 days", false}, {"Not reached", false}, {"Back within 28 days, reached (%)", true},
			{"Back within 28 days, not reached (%)", true}, {"Difference (95% interval)", false}}}
	for _, c := range ba.Contacted {
		label := triggerLabel(c.Trigger)
		if c.Trigger == "" {
			label = "All absences (first check-in)"
		}
		contacted.Rows = append(contacted.Rows, chartRow{Label: label, Cells: []cell{countCell(c.Contacted), countCell(c.NotContacted),
			percentCell(c.ContactedBack), percentCell(c.NotContactedBack), differenceCell(c.Difference)}})
	}
	return append(charts, contacted)
}
