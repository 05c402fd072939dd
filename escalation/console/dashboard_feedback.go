package console

import (
	"strconv"

	"github.com/ohcontact/ohcontact/postgres"
)

// feedbackCharts are the dashboard's charts of staff feedback
// (postgres.Dashboard.Feedback): the question asked and answered, and the
// ratings, by flow and for all flows together.
func feedbackCharts(d postgres.Dashboard) []chart {
	answered := chart{ID: "feedback_answered", Title: "Feedback question answered, by flow", RowHeader: "Conversation", Percent: true,
		Caption: "When a conversation ended normally, staff on record were asked \"How helpful was this? Reply 1 to 5\", at most " +
			"once in 30 days, and never after a disclosure, a case, a request for a person or an opt-out. Questions asked in the " +
			"period, and the share answered with a rating.",
		Series: []series{{"Asked", false}, {"Answered", false}, {"Answered (%)", true}}}
	ratings := chart{ID: "feedback_ratings", Title: "How helpful staff found it, by flow", RowHeader: "Conversation",
		Caption: "The ratings given to the questions asked in the period, from 1 (not helpful) to 5 (very helpful), and their mean. " +
			"Where one rating is suppressed, another is too, so that the total cannot give it away.",
		Series: []series{{"1 not helpful", true}, {"2", true}, {"3", true}, {"4", true}, {"5 very helpful", true}, {"Mean rating", false}}}
	for _, f := range d.Feedback {
		label := "All conversations"
		if f.Flow != "" {
			label = flowLabel(f.Flow)
		}
		answered.Rows = append(answered.Rows, chartRow{Label: label,
			Cells: []cell{countCell(f.Asked), countCell(f.Answered), percentCell(f.Rate)}})
		row := chartRow{Label: label}
		for _, r := range f.Ratings {
			row.Cells = append(row.Cells, countCell(r))
		}
		row.Cells = append(row.Cells, meanRatingCell(f.Mean))
		ratings.Rows = append(ratings.Rows, row)
	}
	return []chart{answered, ratings}
}

// meanRatingCell is a mean rating: "4.2 of 5".
func meanRatingCell(f postgres.Figure) cell {
	return derivedCell(f, func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) + " of 5" })
}
