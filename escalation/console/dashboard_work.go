package console

import (
	"slices"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// workCharts are the charts of the outcomes of the work: what clinicians
// decided, what became of referrals, whether call-backs were done in time,
// and how soon people who disclosed risk heard from a clinician.
func workCharts(d postgres.Dashboard) []chart {
	w := d.Work

	outcomesChart := chart{ID: "case_outcomes", Title: "Case outcomes, by priority", RowHeader: "Outcome",
		Caption: "The cases opened in the period, by the outcome the clinician chose when resolving them (in the console's words), " +
			"and those not resolved yet. Priority is the case's priority now."}
	// Rows: the console's outcomes in the order offered, then any other
	// code found (one no longer offered), then the cases not resolved.
	codes := make([]string, 0, len(outcomes)+1)
	for _, o := range outcomes {
		codes = append(codes, o.Code)
	}
	for _, p := range w.CaseOutcomes {
		for _, t := range p.Outcomes {
			if t.Key != "" && !slices.Contains(codes, t.Key) {
				codes = append(codes, t.Key)
			}
		}
	}
	codes = append(codes, "")
	for _, code := range codes {
		label := "Not resolved yet"
		if code != "" {
			label = outcomeLabel(code)
		}
		outcomesChart.Rows = append(outcomesChart.Rows, chartRow{Label: label})
	}
	for _, p := range w.CaseOutcomes {
		outcomesChart.Series = append(outcomesChart.Series, series{viewPriority(p.Priority).Label, true})
		for i, code := range codes {
			c := countCell(postgres.Figure{})
			for _, t := range p.Outcomes {
				if t.Key == code {
					c = countCell(t.Count)
				}
			}
			outcomesChart.Rows[i].Cells = append(outcomesChart.Rows[i].Cells, c)
		}
	}

	r := w.Referrals
	referrals := chart{ID: "physio_referral_outcomes", Title: "Fast-track physiotherapy referrals made in the period, and what became of them",
		RowHeader: "Referrals",
		Caption: "All the referrals made in the period together (the weekly chart above splits them by week made). Accepted and " +
			"booked count those that ever were; attended, did not attend, declined and still new are where they are now. " +
			"Recent referrals may still move on.",
		Series: []series{{"Referrals", true}},
		Rows: []chartRow{
			{Label: "Made", Cells: []cell{countCell(r.Made)}},
			{Label: "Accepted", Cells: []cell{countCell(r.Accepted)}},
			{Label: "Booked", Cells: []cell{countCell(r.Booked)}},
			{Label: "Attended", Cells: []cell{countCell(r.Attended)}},
			{Label: "Did not attend", Cells: []cell{countCell(r.DidNotAttend)}},
			{Label: "Declined", Cells: []cell{countCell(r.Declined)}},
			{Label: "Still new", Cells: []cell{countCell(r.New)}},
		}}

	routineSLA, _ := slaLabel(ohcontact.PriorityRoutine)
	callBacks := chart{ID: "callback_resolution", Title: "OH call-back cases resolved within their SLA", RowHeader: "Opened because",
		Caption: "The OH call-back cases opened in the period and whether a clinician resolved them (the call made and the case " +
			"closed) by the SLA deadline (" + routineSLA + "): stricter than the claim charts above, which count a case picked up.",
		Series: []series{{"Opened", false}, {"Resolved within SLA", true}, {"Resolved after the SLA", true},
			{"Not resolved yet", true}, {"Resolved within SLA (%)", false}}}
	for _, k := range w.CallBacks {
		label := "All OH call-backs"
		if k.Category != "" {
			label = callBackLabel(k.Category)
		}
		callBacks.Rows = append(callBacks.Rows, chartRow{Label: label, Cells: []cell{countCell(k.Opened),
			countCell(k.ResolvedInTime), countCell(k.ResolvedLate), countCell(k.Unresolved), percentCell(k.InTimeRate)}})
	}

	disclosures := chart{ID: "disclosure_to_contact", Title: "Time from a disclosure to a clinician's first message, against the SLA",
		RowHeader: "Priority", OwnScale: true,
		Caption: "Cases the risk screen opened in the period (a disclosure: suicide risk, self-harm, hopelessness, safeguarding, " +
			"low mood and the like; not requests for a call back), and the minutes from the case opening to the first message a " +
			"clinician sent the person, in the case's conversation or a later one that follows the case. Phone calls are not " +
			"recorded, so a case handled only by phone counts as resolved without a message. Each priority is drawn against its " +
			"own SLA, the dashed line. Routine cases have 2 working days, drawn as 48 hours.",
		Series: []series{{"Median (minutes)", true}, {"90th percentile (minutes)", true}, {"Opened", false},
			{"Messaged", false}, {"Messaged within SLA", false}, {"Resolved without a message", false}, {"Waiting, no message yet", false}}}
	for _, k := range w.Disclosures {
		row := claimRow(viewPriority(k.Priority).Label, k.Priority, postgres.CaseFigures{MedianClaim: k.Median, P90Claim: k.P90})
		row.Cells = append(row.Cells, countCell(k.Opened), countCell(k.Messaged), countCell(k.WithinSLA),
			countCell(k.ResolvedWithout), countCell(k.Waiting))
		disclosures.Rows = append(disclosures.Rows, row)
	}

	return []chart{outcomesChart, referrals, callBacks, disclosures}
}
