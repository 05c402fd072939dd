package console

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// queuePageSize is the most cases a page of the queue shows.
const queuePageSize = 50

// queueView is the case queue page: the unresolved cases, or the cases
// its filters and search choose, a page at a time.
type queueView struct {
	layout
	// AllOrganisations is set for a user who sees every organisation's
	// cases: the table then names each case's organisation, and the form
	// filters by organisation.
	AllOrganisations bool
	// Form is the filters and search as given; the choices of each
	// filter follow.
	Form                                                     queueForm
	Statuses, Priorities, Organisations, Channels, Claimants []statusOption
	// Filtered is set when anything other than the default (unresolved
	// cases, no search) is asked for; Resolved when the resolved cases
	// are.
	Filtered, Resolved bool
	// Invalid is set when a query parameter is not valid: the page then
	// lists no cases.
	Invalid bool
	Rows    []queueRow
	// Columns is how many columns the table has.
	Columns int
	// Caption counts the cases on every page: "12 unresolved cases".
	Caption string
	// PreviousURL and NextURL link the pages either side; empty when
	// there is none.
	PreviousURL, NextURL string
	// RefreshURL is the first page of the same list.
	RefreshURL string
	Updated    when
	// Alerts are the user's unseen alerts.
	Alerts []alertView
	// CanWork is set for clinicians and admins, who go on and off duty;
	// OnDuty says whether they are.
	CanWork, OnDuty bool
}

// queueRow is one case in the queue.
type queueRow struct {
	ID            int64
	Priority      priorityView
	Category      string
	Organisation  string
	Waiting       string
	SLA           slaView
	Status        string
	UnknownSender bool
	// NewMessage says the person has written since the clinician holding
	// the case last opened it.
	NewMessage bool
	// Person is the member of staff's name and Assignment their
	// assignment number; both empty when the case has no known person.
	Person, Assignment string
	Channel            string
	// Outcome, ResolvedBy and Resolved are set for a resolved case.
	Outcome, ResolvedBy string
	Resolved            when
}

// choiceView is one of a form's select fields, for the template
// "choice": its id (also its name), label, value, options, and the page,
// which says what is wrong with it.
type choiceView struct {
	ID, Label, Value string
	Options          []statusOption
	Page             interface{ ErrorFor(string) string }
}

func newChoice(id, label, value string, opts []statusOption, page interface{ ErrorFor(string) string }) choiceView {
	return choiceView{id, label, value, opts, page}
}

// queueForm is the queue page's search and filters, as the query
// parameters give them (see "Finding work" in the package doc).
type queueForm struct {
	Q, Status, Priority, Organisation, Channel, Claimant string
}

// values returns the query string of f (without a page), for links.
func (f queueForm) values() url.Values {
	v := url.Values{}
	for _, p := range [][2]string{{"q", f.Q}, {"status", f.Status}, {"priority", f.Priority},
		{"organisation", f.Organisation}, {"channel", f.Channel}, {"claimant", f.Claimant}} {
		if p[1] != "" {
			v.Set(p[0], p[1])
		}
	}
	return v
}

// The filters' choices; the first of each (value "") is the default.
var (
	queueStatuses = []statusOption{{"", "Unresolved (open or claimed)"}, {ohcontact.CaseOpen, "Open"},
		{ohcontact.CaseClaimed, "Claimed"}, {ohcontact.CaseResolved, "Resolved"}}
	queuePriorities = append([]statusOption{{"", "Any priority"}}, priorityChoices()...)
	queueChannels   = []statusOption{{"", "Any channel"}, {string(ohcontact.ChannelSMS), ohcontact.ChannelSMS.Label()},
		{string(ohcontact.ChannelWebChat), ohcontact.ChannelWebChat.Label()}, {string(postgres.NoChannel), "None (not from a conversation)"}}
)

func priorityChoices() []statusOption {
	var out []statusOption
	for _, p := range priorityOptions {
		out = append(out, statusOption{p.Code, p.Label})
	}
	return out
}

// showQueue handles GET /console/: the user's unseen alerts, their duty,
// and a page of the cases the query parameters choose (the unresolved
// ones by default), with the number on every page. A parameter that is
// not valid is shown next to its field, with status 422. Every view is
// audited (case.list) with the ids of the cases shown.
func (c *Console) showQueue(w http.ResponseWriter, r *http.Request, s *session) {
	c.renderQueue(w, r, s, http.StatusOK, nil)
}

// renderQueue shows the queue page with status and errs.
func (c *Console) renderQueue(w http.ResponseWriter, r *http.Request, s *session, status int, errs []fieldError) {
	ctx := r.Context()
	v := queueView{layout: newLayout("Case queue", s), AllOrganisations: s.scope() == 0,
		Statuses: queueStatuses, Priorities: queuePriorities, Channels: queueChannels,
		Updated: c.at(c.now()), CanWork: worksCases(s.user)}
	err := c.db.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		if v.Organisations, v.Claimants, err = c.queueChoices(ctx, tx, s); err != nil {
			return err
		}
		q, bad := parseQueueQuery(r.URL.Query(), s, v.Organisations, v.Claimants)
		v.Form, v.Filtered, v.Resolved = q.form, q.form != (queueForm{}), q.filter.Status == ohcontact.CaseResolved
		v.Columns, v.RefreshURL = queueColumns(v.AllOrganisations, v.Resolved), pageURL(q.form, "", nil, 0)
		if v.Resolved {
			v.Title = "Resolved cases"
		}
		if len(bad) > 0 {
			v.Invalid, errs, status = true, append(errs, bad...), http.StatusUnprocessableEntity
			return nil
		}
		list, err := postgres.FindCases(ctx, tx, q.filter)
		if err != nil {
			return err
		}
		v.Rows, v.Caption = c.queueRows(list.Cases), queueCaption(list.Total, q.filter)
		if list.HasPrevious {
			v.PreviousURL = pageURL(q.form, "before", list.Cases, 0)
		}
		if list.HasNext {
			v.NextURL = pageURL(q.form, "after", list.Cases, len(list.Cases)-1)
		}
		return postgres.RecordCaseList(ctx, tx, s.scope(), s.user.ID, list.IDs(), q.filter.Search.Kind(), q.audited())
	})
	if err != nil {
		c.serverError(w, r, s, err)
		return
	}
	alerts, err := postgres.UnseenAlerts(ctx, c.db.Pool, s.scope(), s.user.ID)
	if err != nil {
		c.serverError(w, r, s, err)
		return
	}
	if v.CanWork {
		if v.OnDuty, err = postgres.OnDuty(ctx, c.db.Pool, s.user.ID); err != nil {
			c.serverError(w, r, s, err)
			return
		}
	}
	for _, a := range alerts {
		v.Alerts = append(v.Alerts, c.viewAlert(a, s.csrf))
	}
	v.Errors, v.Done = errs, queueDone[r.URL.Query().Get("done")]
	c.render(w, r, status, "queue", v)
}

// pageURL links the page before or after (dir) case cases[i] of the list
// form chooses; with no cases there, the first page.
func pageURL(form queueForm, dir string, cases []postgres.QueueCase, i int) string {
	v := form.values()
	if len(cases) > 0 {
		v.Set(dir, strconv.FormatInt(cases[i].ID, 10))
	}
	if len(v) == 0 {
		return "/console/"
	}
	return "/console/?" + v.Encode()
}

// queueColumns is how many columns the queue's table has.
func queueColumns(allOrganisations, resolved bool) int {
	n := 8
	if resolved {
		n = 7
	}
	if allOrganisations {
		n++
	}
	return n
}

// queueCaption counts a list's cases: "1 case", "12 resolved cases".
func queueCaption(n int, f postgres.CaseFilter) string {
	what := map[string]string{"": "unresolved ", ohcontact.CaseOpen: "open ", ohcontact.CaseClaimed: "claimed ",
		ohcontact.CaseResolved: "resolved "}[f.Status]
	noun := "cases"
	if n == 1 {
		noun = "case"
	}
	return number(n) + " " + what + noun
}

// queueChoices returns the organisations (only for a user who sees every
// organisation) and the claimants the queue's form offers.
func (c *Console) queueChoices(ctx context.Context, q postgres.Querier, s *session) (orgs, claimants []statusOption, err error) {
	claimants = []statusOption{{"", "Anyone or nobody"}, {"me", "Me"}, {"unclaimed", "Nobody (unclaimed)"}}
	if s.scope() != 0 {
		as, err := postgres.Assignees(ctx, q, s.scope())
		if err != nil {
			return nil, nil, err
		}
		for _, a := range as {
			claimants = append(claimants, statusOption{strconv.FormatInt(a.ID, 10), a.Name})
		}
		return nil, claimants, nil
	}
	users, err := postgres.Users(ctx, q, 0)
	if err != nil {
		return nil, nil, err
	}
	for _, u := range users {
		if worksCases(u) && !u.Disabled {
			claimants = append(claimants, statusOption{strconv.FormatInt(u.ID, 10), u.Name})
		}
	}
	os, err := postgres.Organisations(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	orgs = []statusOption{{"", "Every organisation"}}
	for _, o := range os {
		orgs = append(orgs, statusOption{strconv.FormatInt(o.ID, 10), o.Name})
	}
	return orgs, claimants, nil
}

// queueQuery is the queue's query parameters understood.
type queueQuery struct {
	form   queueForm
	filter postgres.CaseFilter
}

// audited returns the filters' codes for the audit log; never the text
// searched for, which may be a name.
func (q queueQuery) audited() map[string]string {
	m := map[string]string{}
	f := q.form
	f.Q = ""
	for k, v := range f.values() {
		m[k] = v[0]
	}
	return m
}

// The shapes a search can take.
var (
	caseNumberPattern = regexp.MustCompile(`^#\s*([0-9]{1,18})$`)
	digitsPattern     = regexp.MustCompile(`^[0-9]{1,18}$`)
	// assignmentPattern is the start of an assignment number: it has a
	// digit, and only the characters assignment numbers have.
	assignmentPattern = regexp.MustCompile(`^[0-9A-Za-z-]*[0-9][0-9A-Za-z-]*$`)
)

// parseQueueQuery reads the queue's query parameters for s, given the
// choices of organisation and claimant the form offers; a value that is
// not valid is returned as a fieldError for its field.
func parseQueueQuery(v url.Values, s *session, orgs, claimants []statusOption) (queueQuery, []fieldError) {
	var errs []fieldError
	q := queueQuery{filter: postgres.CaseFilter{OrgScope: s.scope(), Limit: queuePageSize}}
	choose := func(field string, opts []statusOption, message string) string {
		value := strings.TrimSpace(v.Get(field))
		if field == "status" && value == "unresolved" {
			value = ""
		}
		for _, o := range opts {
			if o.Value == value {
				return value
			}
		}
		errs = append(errs, fieldError{field, message})
		return ""
	}
	f := &q.form
	f.Status = choose("status", queueStatuses, "Choose unresolved, open, claimed or resolved cases.")
	f.Priority = choose("priority", queuePriorities, "Choose urgent, high or routine, or any priority.")
	f.Channel = choose("channel", queueChannels, "Choose SMS, web chat or none, or any channel.")
	f.Claimant = choose("claimant", claimants, "Choose a clinician from the list, yourself or nobody.")
	if s.scope() != 0 {
		if v.Get("organisation") != "" {
			errs = append(errs, fieldError{"", "You see only your own organisation's cases: there is no organisation to choose."})
		}
	} else {
		f.Organisation = choose("organisation", orgs, "Choose an organisation from the list.")
	}
	q.filter.Status, q.filter.Priority = f.Status, ohcontact.Priority(f.Priority)
	q.filter.Channel = ohcontact.Channel(f.Channel)
	q.filter.OrganisationID, _ = strconv.ParseInt(f.Organisation, 10, 64)
	switch f.Claimant {
	case "me":
		q.filter.ClaimedBy = s.user.ID
	case "unclaimed":
		q.filter.Unclaimed = true
	default:
		q.filter.ClaimedBy, _ = strconv.ParseInt(f.Claimant, 10, 64)
	}

	f.Q = strings.Join(strings.Fields(v.Get("q")), " ")
	var ok bool
	if q.filter.Search, ok = parseSearch(f.Q); !ok {
		errs = append(errs, fieldError{"q", "Enter a name, an assignment number, or a case number such as 1234 or #1234."})
	}
	for _, dir := range []string{"after", "before"} {
		if p := v.Get(dir); p != "" {
			id, err := strconv.ParseInt(p, 10, 64)
			if err != nil || id <= 0 {
				errs = append(errs, fieldError{"", "The link to this page is not valid: start again from the first page."})
				continue
			}
			if dir == "after" {
				q.filter.After = id
			} else {
				q.filter.Before = id
			}
		}
	}
	return q, errs
}

// parseSearch understands text searched for (spaces already collapsed):
// "#1234" is a case number; "1234" a case number or the start of an
// assignment number; text with a digit and only the characters of
// assignment numbers the start of one; anything else up to five words of
// letters (with apostrophes and hyphens) the starts of the words of a
// name. It reports false for anything else.
func parseSearch(text string) (postgres.CaseSearch, bool) {
	var s postgres.CaseSearch
	if text == "" {
		return s, true
	}
	if len(text) > 100 {
		return s, false
	}
	if m := caseNumberPattern.FindStringSubmatch(text); m != nil {
		s.CaseID, _ = strconv.ParseInt(m[1], 10, 64)
		return s, s.CaseID > 0
	}
	if digitsPattern.MatchString(text) {
		s.CaseID, _ = strconv.ParseInt(text, 10, 64)
	}
	if len(text) <= 20 && assignmentPattern.MatchString(text) {
		s.Assignment = text
		return s, true
	}
	words := strings.Fields(text)
	if len(words) > 5 {
		return s, false
	}
	for _, w := range words {
		letters := false
		for _, r := range w {
			switch {
			case unicode.IsLetter(r):
				letters = true
			case r == '\'' || r == '’' || r == '-':
			default:
				return s, false
			}
		}
		if !letters {
			return s, false
		}
	}
	s.Words = words
	return s, true
}

// queueRows returns how the queue shows cases.
func (c *Console) queueRows(cases []postgres.QueueCase) []queueRow {
	rows := make([]queueRow, 0, len(cases))
	for _, k := range cases {
		row := queueRow{
			ID: k.ID, Priority: viewPriority(k.Priority), Category: categoryLabel(k.Category),
			Organisation: k.OrganisationName, Waiting: approx(c.now().Sub(k.CreatedAt)),
			SLA:    c.viewSLA(k.Status, k.SLADue, k.ClaimedAt, k.ResolvedAt),
			Status: statusLabel(k.Status, k.ClaimedByName, k.ResolvedByName), UnknownSender: k.UnknownSender,
			Person: strings.TrimSpace(k.FirstName + " " + k.LastName), Assignment: k.AssignmentNumber,
			Channel: channelLabel(k.Channel), NewMessage: k.NewMessage,
		}
		if k.Status == ohcontact.CaseResolved {
			row.Outcome, row.ResolvedBy, row.Resolved = outcomeLabel(k.Outcome), k.ResolvedByName, c.at(k.ResolvedAt)
		}
		rows = append(rows, row)
	}
	return rows
}

// queueDone confirm, after the redirect, what a form on the queue page did.
var queueDone = map[string]string{
	"duty-started": "You are on duty: you will be alerted when a case passes its SLA unclaimed.",
	"duty-ended":   "You are off duty: you will not be alerted when a case passes its SLA unclaimed.",
	"alert-seen":   "The alert has been marked as seen.",
}
