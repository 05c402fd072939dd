package triggers

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/ohcontact/ohcontact/postgres"
)

// Absence paging: the default and largest page.
const (
	defaultAbsencePage = 100
	maxAbsencePage     = 500
)

// absenceQuery reads GET /api/v1/absences's query parameters: source
// (self_report or hr_feed), since (RFC 3339 with an offset), after (an id)
// and limit (1 to maxAbsencePage), for organisation orgID. It returns every
// parameter at fault, each named; an unknown parameter is one, so that a
// misspelt filter is not silently ignored.
func absenceQuery(q url.Values, orgID int64) (postgres.AbsenceFilter, []fieldError) {
	f := postgres.AbsenceFilter{OrganisationID: orgID, Limit: defaultAbsencePage}
	var errs []fieldError
	fail := func(name, detail string) { errs = append(errs, fieldError{Field: name, Detail: detail}) }
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		v := q.Get(name)
		switch {
		case len(q[name]) > 1:
			fail(name, name+" may be given once")
			continue
		case name == "source":
			if v != postgres.SourceSelfReport && v != postgres.SourceHRFeed {
				fail(name, fmt.Sprintf("source %q is not one of self_report, hr_feed", v))
			}
			f.Source = v
		case name == "since":
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				fail(name, "since must be a date and time with an offset (RFC 3339), e.g. 2026-05-04T09:00:00Z")
			}
			f.Since = t
		case name == "after":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				fail(name, "after must be an absence id (a whole number, 0 or more)")
			}
			f.AfterID = n
		case name == "limit":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > maxAbsencePage {
				fail(name, fmt.Sprintf("limit must be a whole number from 1 to %d", maxAbsencePage))
			}
			f.Limit = n
		default:
			fail(name, name+" is not a parameter of this request (parameters: source, since, after, limit)")
		}
	}
	return f, errs
}

// listAbsences answers GET /api/v1/absences: a page of the key's
// organisation's absence episodes, in id order, filtered by source and by
// when they were recorded or last changed (since), with the next page's URL
// when the page is full. An HR system polls it with ?source=self_report and
// the time of its last poll for the day-1 reports made since. The page is
// audited (absence.list, with its ids) before it is sent.
func (a *API) listAbsences(w http.ResponseWriter, r *http.Request, c caller) {
	f, errs := absenceQuery(r.URL.Query(), c.OrganisationID)
	if len(errs) > 0 {
		writeProblem(w, http.StatusBadRequest, "The query has problems: see errors.", errs)
		return
	}
	episodes, err := postgres.ListAbsences(r.Context(), a.DB.Pool, f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	page := struct {
		Absences []absenceJSON `json:"absences"`
		Next     string        `json:"next,omitempty"`
	}{Absences: make([]absenceJSON, len(episodes))}
	ids := make([]int64, len(episodes))
	for i, e := range episodes {
		ids[i], page.Absences[i] = e.ID, toAbsenceJSON(e)
	}
	if len(ids) > 0 {
		if err := postgres.RecordAbsenceListView(r.Context(), a.DB.Pool, c.OrganisationID, ids, postgres.Actor{APIKeyID: c.ID}); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	if len(episodes) == f.Limit {
		page.Next = nextPage(r.URL.Path, r.URL.Query(), ids[len(ids)-1])
	}
	writeJSON(w, http.StatusOK, page)
}
