package console

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/dialogs"
	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/escalation/risk"
	"github.com/ohcontact/ohcontact/locales"
	"github.com/ohcontact/ohcontact/postgres"
)

// The pilot dashboard (GET /console/dashboard) and its export
// (GET /console/dashboard.csv): the pilot's outcomes as charts, for OH leads
// and admins. Both take the same filters, in the query string so that a
// view can be shared by its address: organisation (an id; only for users
// who see every organisation), from and to (YYYY-MM-DD, inclusive; the last
// 28 days by default). Every figure is an aggregate, with counts from 1 to
// 4 shown as "<5" and rates and times derived from them as "suppressed"
// (postgres.MinShown). Each view and each export is an audit event.

// seesDashboard reports whether u may see the pilot dashboard: leads and
// admins.
func seesDashboard(u ohcontact.User) bool {
	return u.Role == ohcontact.RoleLead || u.Role == ohcontact.RoleAdmin
}

// SeesDashboard reports whether the signed-in user may see the pilot
// dashboard.
func (l layout) SeesDashboard() bool { return l.User != nil && seesDashboard(*l.User) }

const (
	defaultPeriodDays = 28
	maxPeriodDays     = 366
)

// dashboardForm is the dashboard's filters as the user gave them.
type dashboardForm struct {
	Organisation, From, To string
}

// query is the form as a query string, for links to the same view.
func (f dashboardForm) query() string {
	q := url.Values{"from": {f.From}, "to": {f.To}}
	if f.Organisation != "" {
		q.Set("organisation", f.Organisation)
	}
	return q.Encode()
}

// dashboardView is the dashboard page.
type dashboardView struct {
	layout
	Form dashboardForm
	// Organisations are offered in the filter when the user sees every
	// organisation.
	Organisations []ohcontact.Organisation
	Period        string // the period and organisation shown, in words
	Query         string // the filters, for the export link
	Charts        []chart
	MinShown      int
}

// callBackCategories are the case categories the dashboard counts as OH
// call-backs, in the order it lists them: the person asked for a call
// back (stress check-in), asked for an appointment with OH (long-term
// check-in), or the physio team declined their referral and asked OH to
// call.
var callBackCategories = []string{"callback_requested", "appointment_requested", "physio_declined"}

// feedbackFlows are the flows the feedback charts list, in this order:
// every flow, as each may ask the feedback question at its ending.
var feedbackFlows = []string{dialogs.FlowAbsenceReport, dialogs.FlowStressCheckin, dialogs.FlowMSKCheckin,
	dialogs.FlowLongTermCheckin, dialogs.FlowSupport}

// firstContactDays are the ranges of days the first-contact chart counts
// episodes in.
var firstContactDays = []postgres.DayRange{{From: 0, To: 0}, {From: 1, To: 1}, {From: 2, To: 2}, {From: 3, To: 6},
	{From: 7, To: 13}, {From: 14, To: 27}, {From: 28, To: -1}}

// readDashboardFilter reads r's filters: the last 28 days (to today, in
// the console's time zone) of every organisation the user sees unless they
// say otherwise, asking for the lists the charts show. It returns the form
// as given and the problems with it.
func (c *Console) readDashboardFilter(r *http.Request) (postgres.DashboardFilter, dashboardForm, []fieldError) {
	q := r.URL.Query()
	today := c.now().In(c.loc)
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	form := dashboardForm{Organisation: q.Get("organisation"), From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to"))}
	if form.To == "" {
		form.To = today.Format(time.DateOnly)
	}
	if form.From == "" {
		form.From = today.AddDate(0, 0, 1-defaultPeriodDays).Format(time.DateOnly)
	}
	f := postgres.DashboardFilter{CallBackCategories: callBackCategories, DisclosureCategories: risk.Categories,
		FeedbackFlows: feedbackFlows, Languages: locales.Languages, FirstContactDays: firstContactDays,
		CampaignFlows: campaignFlows}
	var errs []fieldError
	if form.Organisation != "" {
		id, err := strconv.ParseInt(form.Organisation, 10, 64)
		if err != nil || id <= 0 {
			errs = append(errs, fieldError{"organisation", "Choose an organisation from the list"})
		}
		f.OrganisationID = id
	}
	from, fromErr := time.Parse(time.DateOnly, form.From)
	to, toErr := time.Parse(time.DateOnly, form.To)
	switch {
	case fromErr != nil:
		errs = append(errs, fieldError{"from", "Enter the start date as a date, for example 2026-03-01"})
	case toErr != nil:
		errs = append(errs, fieldError{"to", "Enter the end date as a date, for example 2026-03-28"})
	case to.After(today):
		errs = append(errs, fieldError{"to", "The end date must be today or in the past"})
	case from.After(to):
		errs = append(errs, fieldError{"from", "The start date must be on or before the end date"})
	case to.Sub(from) >= maxPeriodDays*24*time.Hour:
		errs = append(errs, fieldError{"from", "Choose a period of at most a year"})
	}
	f.From, f.To = from, to
	return f, form, errs
}

// showDashboard handles GET /console/dashboard.
func (c *Console) showDashboard(w http.ResponseWriter, r *http.Request, s *session) {
	f, form, errs := c.readDashboardFilter(r)
	orgs, err := c.organisationsFor(r, s)
	if err != nil {
		c.serverError(w, r, s, err)
		return
	}
	v := dashboardView{layout: newLayout("Pilot dashboard", s), Form: form, MinShown: postgres.MinShown}
	if s.scope() == 0 {
		v.Organisations = orgs
	}
	if len(errs) > 0 {
		v.Errors = errs
		c.render(w, r, http.StatusUnprocessableEntity, "dashboard", v)
		return
	}
	d, ok := c.loadDashboard(w, r, s, f, "dashboard.view")
	if !ok {
		return
	}
	v.Period = periodLabel(d.Filter, orgs)
	v.Query = form.query()
	v.Charts = dashboardCharts(d, orgs)
	c.render(w, r, http.StatusOK, "dashboard", v)
}

// loadDashboard reads the dashboard for f and records action (viewing or
// exporting it) in the audit log. When it cannot, it answers the request
// itself and returns false.
func (c *Console) loadDashboard(w http.ResponseWriter, r *http.Request, s *session, f postgres.DashboardFilter, action string) (postgres.Dashboard, bool) {
	d, err := postgres.DashboardFor(r.Context(), c.db, s.scope(), f)
	if err != nil {
		c.fail(w, r, s, err)
		return d, false
	}
	err = postgres.Audit(r.Context(), c.db.Pool, postgres.AuditEvent{ActorUserID: s.user.ID, Action: action,
		RecordType: "dashboard", OrganisationID: d.Filter.OrganisationID,
		Details: map[string]any{"from": f.From.Format(time.DateOnly), "to": f.To.Format(time.DateOnly)}})
	if err != nil {
		c.serverError(w, r, s, err)
		return d, false
	}
	return d, true
}

// periodLabel says which period and organisations f covers: "23 March
// to 19 April 2026, all organisations".
func periodLabel(f postgres.DashboardFilter, orgs []ohcontact.Organisation) string {
	who := "all organisations"
	if f.OrganisationID != 0 {
		who = organisationName(f.OrganisationID, orgs)
	}
	from := f.From.Format("2 January 2006")
	if f.From.Year() == f.To.Year() {
		from = f.From.Format("2 January")
	}
	return fmt.Sprintf("%s to %s, %s", from, f.To.Format("2 January 2006"), who)
}

// Figures as the dashboard shows them.

// countCell is a count: "1,234", "0" or "<5".
func countCell(f postgres.Figure) cell {
	if f.Suppressed {
		return cell{Text: fmt.Sprintf("<%d", postgres.MinShown), Bar: fmt.Sprintf("<%d", postgres.MinShown)}
	}
	n := number(int(f.Value))
	return cell{Text: n, Bar: n, Value: f.Value}
}

// derivedCell is a rate or time shown to one decimal place, with bar as
// its bar's label: "suppressed" when derived from a count below
// postgres.MinShown, "n/a" when there was nothing to measure.
func derivedCell(f postgres.Figure, bar func(float64) string) cell {
	switch {
	case f.Suppressed:
		return cell{Text: "suppressed", Bar: "suppressed"}
	case f.Empty:
		return cell{Text: "n/a", Bar: "n/a"}
	}
	return cell{Text: strconv.FormatFloat(f.Value, 'f', 1, 64), Bar: bar(f.Value), Value: f.Value}
}

func percentCell(f postgres.Figure) cell {
	return derivedCell(f, func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) + "%" })
}

func minutesCell(f postgres.Figure) cell {
	return derivedCell(f, func(v float64) string { return approx(time.Duration(v * float64(time.Minute))) })
}

func workingDaysCell(f postgres.Figure) cell {
	return derivedCell(f, func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) + " working days" })
}

func daysCell(f postgres.Figure) cell {
	return derivedCell(f, func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) + " days" })
}

// Labels of what the dashboard counts.

func triggerLabel(trigger string) string {
	switch trigger {
	case postgres.TriggerAbsenceReport:
		return "Day-1 absence reports"
	case string(ohcontact.TriggerStress):
		return "Stress check-ins"
	case string(ohcontact.TriggerMSK):
		return "MSK check-ins"
	case string(ohcontact.TriggerLongTerm):
		return "Long-term check-ins"
	case "":
		return "All check-ins"
	}
	return categoryLabel(trigger)
}

func signpostCategoryLabel(category string) string {
	switch category {
	case "crisis":
		return "Crisis"
	case "mental_health":
		return "Mental health"
	case "wellbeing":
		return "Wellbeing"
	case "financial":
		return "Financial wellbeing"
	case "msk":
		return "Musculoskeletal (MSK)"
	case "oh":
		return "Occupational health"
	}
	return categoryLabel(category)
}

// serviceLabel words a signposting directory key: "msk_physio" is
// "MSK physio".
func serviceLabel(key string) string {
	words := strings.Split(categoryLabel(key), " ")
	for i, w := range words {
		switch strings.ToLower(w) {
		case "msk", "oh", "nhs", "nhs111":
			words[i] = strings.ToUpper(w)
		}
	}
	return strings.Join(words, " ")
}

// callBackLabel says why an OH call-back case (callBackCategories) was
// opened.
func callBackLabel(category string) string {
	switch category {
	case "callback_requested":
		return "Asked for a call back (stress check-in)"
	case "appointment_requested":
		return "Asked for an OH appointment (28-day check-in)"
	case "physio_declined":
		return "Physio declined, asked OH to call"
	}
	return categoryLabel(category)
}

func languageLabel(lang string) string {
	switch lang {
	case "en-GB":
		return "English"
	case "cy":
		return "Welsh (Cymraeg)"
	case "pl":
		return "Polish (polski)"
	}
	return lang
}

// span is what a dashboard's figures over time are counted by: a week,
// or, for a long period, a calendar month (postgres.Dashboard.Monthly).
type span struct {
	monthly bool
}

// Word is the span in a sentence: "week" or "month".
func (s span) Word() string {
	if s.monthly {
		return "month"
	}
	return "week"
}

// Header is the span as a column header: "Week" or "Month".
func (s span) Header() string {
	if s.monthly {
		return "Month"
	}
	return "Week"
}

// Label is the row label of the span starting on first: "Week of 2 Mar
// 2026" or "March 2026".
func (s span) Label(first time.Time) string {
	if s.monthly {
		return first.Format("January 2006")
	}
	return "Week of " + first.Format("2 Jan 2006")
}

// slaLabel says a priority's SLA (escalation.DefaultSLA, the service's),
// and returns it in minutes, a routine case's working days counted as whole
// days.
func slaLabel(p ohcontact.Priority) (string, float64) {
	sla := escalation.DefaultSLA
	switch p {
	case ohcontact.PriorityUrgent:
		return "SLA " + approx(sla.Urgent), sla.Urgent.Minutes()
	case ohcontact.PriorityHigh:
		return "SLA " + approx(sla.High), sla.High.Minutes()
	}
	return fmt.Sprintf("SLA %d working days", sla.RoutineWorkingDays), float64(sla.RoutineWorkingDays * 24 * 60)
}

// slaCells are the cells of cases opened, claimed within their SLA and
// breached.
func slaCells(k postgres.CaseFigures) []cell {
	return []cell{countCell(k.Opened), countCell(k.WithinSLA), countCell(k.Breached)}
}

// claimRow is the row of a time-to-claim chart for cases k of priority p:
// the median and 90th percentile minutes to claim, drawn against p's SLA.
func claimRow(label string, p ohcontact.Priority, k postgres.CaseFigures) chartRow {
	sla, minutes := slaLabel(p)
	return chartRow{Label: label + " (" + sla + ")",
		Cells:  []cell{minutesCell(k.MedianClaim), minutesCell(k.P90Claim)},
		Max:    max(2*minutes, 1.1*k.P90Claim.Value, 1.1*k.MedianClaim.Value),
		Marker: minutes, MarkerLabel: "SLA"}
}

// dashboardCharts turns the dashboard's figures into its charts, in the
// order the page shows them: the organisations side by side first when d
// counts every organisation (orgs names them).
func dashboardCharts(d postgres.Dashboard, orgs []ohcontact.Organisation) []chart {
	by := span{d.Monthly}
	overTime := func(id, title, caption, name string, figures []postgres.Figure) chart {
		ch := chart{ID: id, Title: title, Caption: caption, RowHeader: by.Header(), Series: []series{{name, true}}}
		for i, w := range d.Buckets {
			ch.Rows = append(ch.Rows, chartRow{Label: by.Label(w), Cells: []cell{countCell(figures[i])}})
		}
		return ch
	}

	contacts := chart{ID: "contacts_by_week", Title: "Contacts made, by trigger and " + by.Word(), RowHeader: by.Header(),
		Caption: "Day-1 absence reports are conversations the person started to report an absence. Check-ins are the service's own " +
			"contacts: stress (S10) on the next working day, MSK on day 2, long-term on day 28 of an absence, counted when their first message went. " +
			"The first and last " + by.Word() + "s may be partly outside the period: only its days are counted."}
	for _, s := range d.ContactsByWeek {
		contacts.Series = append(contacts.Series, series{triggerLabel(s.Key), true})
	}
	for i, w := range d.Buckets {
		row := chartRow{Label: by.Label(w)}
		for _, s := range d.ContactsByWeek {
			row.Cells = append(row.Cells, countCell(s.Figures[i]))
		}
		contacts.Rows = append(contacts.Rows, row)
	}

	responses := chart{ID: "response_rate", Title: "Check-ins answered", RowHeader: "Check-in", Percent: true,
		Caption: "The share of check-ins made in the period that the person answered (any reply, STOP included).",
		Series:  []series{{"Made", false}, {"Answered", false}, {"Answered (%)", true}}}
	for _, r := range d.Responses {
		responses.Rows = append(responses.Rows, chartRow{Label: triggerLabel(r.Trigger),
			Cells: []cell{countCell(r.Made), countCell(r.Responded), percentCell(r.Rate)}})
	}

	first := chart{ID: "first_contact", Title: "Days from the start of an absence to the first check-in", RowHeader: "Days after the absence began",
		Caption: "Absence episodes whose first check-in was made in the period, by how many days after the first day of absence it was made " +
			"(0: the same day).",
		Series: []series{{"Absence episodes", true}},
		Facts:  []chartFact{{Series: "Median days", Label: "All episodes", Cell: daysCell(d.FirstContactMedian)}}}
	for _, b := range d.FirstContact {
		label := fmt.Sprintf("%d to %d days", b.From, b.To)
		switch {
		case b.To < 0:
			label = fmt.Sprintf("%d days or more", b.From)
		case b.From == 0 && b.To == 0:
			label = "The same day"
		case b.From == 1 && b.To == 1:
			label = "1 day"
		case b.From == b.To:
			label = fmt.Sprintf("%d days", b.From)
		}
		first.Rows = append(first.Rows, chartRow{Label: label, Cells: []cell{countCell(b.Episodes)}})
	}

	categories := chart{ID: "signposts_by_category", Title: "Signposting, by category", RowHeader: "Category",
		Caption: "Conversations in which the person was given at least one service of each category, most first.",
		Series:  []series{{"Conversations", true}}}
	for _, t := range d.SignpostsByCategory {
		categories.Rows = append(categories.Rows, chartRow{Label: signpostCategoryLabel(t.Key), Cells: []cell{countCell(t.Count)}})
	}
	services := chart{ID: "signposts_by_service", Title: "Signposting, by service", RowHeader: "Service",
		Caption: "Conversations in which each service of the signposting directory was given, most first. " +
			"Fast-track physiotherapy (MSK physio) is given with the MSK self-care advice.",
		Series: []series{{"Conversations", true}}}
	for _, t := range d.SignpostsByService {
		services.Rows = append(services.Rows, chartRow{Label: serviceLabel(t.Key), Cells: []cell{countCell(t.Count)}})
	}

	referrals := chart{ID: "physio_referrals", Title: "Fast-track physiotherapy referrals, by " + by.Word() + " made", RowHeader: by.Header() + " made",
		Caption: "Referrals to fast-track staff physiotherapy the MSK check-in made, with the person's consent, and what has become of them " +
			"so far. Each referral is counted in the " + by.Word() + " it was made: accepted and booked count those that ever were, including those " +
			"attended, not attended or declined since; attended, did not attend, declined and still new are where they are now. " +
			"Past SLA counts those not accepted, booked or declined by their deadline. Recent " + by.Word() + "s grow as the physio team works them.",
		Series: []series{{"Made", true}, {"Accepted", true}, {"Booked", true}, {"Attended", true},
			{"Did not attend", false}, {"Declined", false}, {"Still new", false}, {"Past SLA", false}}}
	booking := chart{ID: "physio_time_to_booking", Title: "Working days from referral to booking, by " + by.Word() + " made", RowHeader: by.Header() + " made",
		Caption: "The median and 90th percentile of the working days (Monday to Friday) from a referral being made to its first " +
			"appointment being booked, for the referrals made each " + by.Word() + " that have been booked.",
		Series: []series{{"Median (working days)", true}, {"90th percentile (working days)", true}}}
	for i, w := range d.Buckets {
		r := d.Referrals[i]
		referrals.Rows = append(referrals.Rows, chartRow{Label: by.Label(w), Cells: []cell{countCell(r.Made), countCell(r.Accepted),
			countCell(r.Booked), countCell(r.Attended), countCell(r.DidNotAttend), countCell(r.Declined), countCell(r.New), countCell(r.PastSLA)}})
		booking.Rows = append(booking.Rows, chartRow{Label: by.Label(w),
			Cells: []cell{workingDaysCell(r.MedianToBooking), workingDaysCell(r.P90ToBooking)}})
	}

	cases := chart{ID: "cases_by_priority", Title: "Escalations and SLA breaches, by priority", RowHeader: "Priority",
		Caption: "Cases opened in the period. A case meets its SLA when a clinician claims it (or resolves it) by its deadline; " +
			"it breaches when it is picked up later, or is still waiting past the deadline.",
		Series: []series{{"Opened", true}, {"Claimed within SLA", true}, {"SLA breached", true}}}
	claims := chart{ID: "time_to_claim", Title: "Time to claim a case, against the SLA", RowHeader: "Priority", OwnScale: true,
		Caption: "Minutes from a case opening to a clinician first claiming it, for the cases opened in the period. " +
			"Each priority is drawn against its own SLA, the dashed line: a bar short of it is inside the SLA. " +
			"Routine cases have 2 working days, drawn as 48 hours.",
		Series: []series{{"Median (minutes)", true}, {"90th percentile (minutes)", true}}}
	for _, k := range d.Cases {
		label := viewPriority(k.Priority).Label
		cases.Rows = append(cases.Rows, chartRow{Label: label, Cells: slaCells(k.CaseFigures)})
		claims.Rows = append(claims.Rows, claimRow(label, k.Priority, k.CaseFigures))
	}

	routineSLA, _ := slaLabel(ohcontact.PriorityRoutine)
	callBacks := chart{ID: "callbacks_by_week", Title: "OH call-back cases and their SLA, by " + by.Word(), RowHeader: by.Header(),
		Caption: "Cases opened because a person asked OH to call them back (stress check-in) or asked for an appointment with OH " +
			"(28-day check-in), or because the physio team declined a referral and asked OH to call. They are routine cases (" +
			routineSLA + ").",
		Series: []series{{"Opened", true}, {"Claimed within SLA", true}, {"SLA breached", true}}}
	callBackClaims := chart{ID: "callback_time_to_claim", Title: "Time to claim an OH call-back case, by " + by.Word(), RowHeader: by.Header(), OwnScale: true,
		Caption: "Minutes from an OH call-back case opening to a clinician first claiming it, for the cases opened each " + by.Word() + ", drawn " +
			"against the routine SLA (" + routineSLA + ", drawn as whole days), the dashed line.",
		Series: []series{{"Median (minutes)", true}, {"90th percentile (minutes)", true}}}
	for i, w := range d.Buckets {
		callBacks.Rows = append(callBacks.Rows, chartRow{Label: by.Label(w), Cells: slaCells(d.CallBacks[i])})
		callBackClaims.Rows = append(callBackClaims.Rows, claimRow(by.Label(w), ohcontact.PriorityRoutine, d.CallBacks[i]))
	}
	callBackKinds := chart{ID: "callbacks_by_kind", Title: "OH call-back cases, by why they were opened", RowHeader: "Opened because",
		Caption: "The OH call-back cases opened in the period, by what asked for the call, with the minutes to a clinician's first claim.",
		Series: []series{{"Opened", true}, {"Claimed within SLA", true}, {"SLA breached", true},
			{"Median (minutes)", false}, {"90th percentile (minutes)", false}}}
	for _, k := range d.CallBacksByCategory {
		callBackKinds.Rows = append(callBackKinds.Rows, chartRow{Label: callBackLabel(k.Category),
			Cells: append(slaCells(k.CaseFigures), minutesCell(k.MedianClaim), minutesCell(k.P90Claim))})
	}

	optOuts := overTime("opt_outs", "Opt-outs, by "+by.Word(),
		"People who replied STOP (or opted out another way) in each "+by.Word()+" and have not opted back in.", "People", d.OptOuts)

	conversations := chart{ID: "conversations", Title: "Conversations, by language and channel", RowHeader: "Language",
		Caption: "Every conversation started in the period: check-ins, absence reports and support chats, signed in or anonymous.",
		Series:  []series{{"SMS", true}, {"Web chat", true}}}
	rowOf := map[string]int{}
	for _, lc := range d.Conversations {
		i, ok := rowOf[lc.Language]
		if !ok {
			i = len(conversations.Rows)
			rowOf[lc.Language] = i
			conversations.Rows = append(conversations.Rows, chartRow{Label: languageLabel(lc.Language), Cells: make([]cell, 2)})
		}
		column := 0
		if lc.Channel == ohcontact.ChannelWebChat {
			column = 1
		}
		conversations.Rows[i].Cells[column] = countCell(lc.Conversations)
	}

	// Whether the pilot worked first: absences and their comparison, then
	// whom the service reached, then what it did, what came of it and what
	// staff said; then the campaigns.
	var charts []chart
	if side, ok := compareChart(d, orgs); ok {
		charts = append(charts, side)
	}
	charts = append(charts, absenceCharts(d)...)
	charts = append(charts, reachCharts(d)...)
	charts = append(charts, contacts, responses, first, categories, services, referrals, booking, cases, claims,
		callBacks, callBackClaims, callBackKinds, optOuts, conversations)
	charts = append(charts, workCharts(d)...)
	charts = append(charts, feedbackCharts(d)...)
	charts = append(charts, campaignCharts(d)...)
	return append(charts, newStarterChart(d))
}
