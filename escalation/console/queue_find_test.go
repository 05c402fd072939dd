package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact"
)

// named opens a case of priority p in org for a member of staff called
// first last, and returns it.
func (f *fixture) named(org int64, p ohcontact.Priority, first, last string) testCase {
	f.t.Helper()
	tc := f.newCase(org, p, time.Duration(f.seq.Load())*time.Minute)
	if _, err := f.db.Pool.Exec(f.t.Context(), `UPDATE staff SET first_name = $2, last_name = $3 WHERE id = $1`, tc.staff, first, last); err != nil {
		f.t.Fatal(err)
	}
	return tc
}

// assignment returns the assignment number of tc's member of staff.
func (f *fixture) assignment(tc testCase) string {
	f.t.Helper()
	var n string
	if err := f.db.Pool.QueryRow(f.t.Context(), `SELECT assignment_number FROM staff WHERE id = $1`, tc.staff).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// find GETs the queue with query and returns the ids of the cases it
// lists, in order, failing the test unless the status is 200.
func (b *browser) find(query url.Values) ([]int64, string) {
	b.t.Helper()
	resp, page := b.get("/console/?" + query.Encode())
	if resp.StatusCode != http.StatusOK {
		b.t.Fatalf("GET /console/?%s: status %d\n%s", query.Encode(), resp.StatusCode, errorSummary(page))
	}
	return rowIDs(page), page
}

func rowIDs(page string) []int64 {
	ids := []int64{}
	for _, m := range rowPattern.FindAllStringSubmatch(page, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		ids = append(ids, id)
	}
	return ids
}

func sorted(ids ...int64) []int64 { return slices.Sorted(slices.Values(ids)) }

func TestQueueSearch(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	zoe := f.named(f.org, ohcontact.PriorityUrgent, "Zoë", "Lloyd-Hughes")
	sian := f.named(f.org, ohcontact.PriorityHigh, "Siân", "O'Brien")
	ann := f.named(f.org, ohcontact.PriorityRoutine, "Ann", "Example")
	otherZoe := f.named(f.otherOrg, ohcontact.PriorityUrgent, "Zoë", "Lloyd-Hughes")
	b := f.signIn("nurse@example.nhs.uk")

	tests := []struct {
		name, q string
		want    []int64
	}{
		{"first name, without its accent", "zoe", []int64{zoe.id}},
		{"first and last name, in capitals", "ZOË LLOYD", []int64{zoe.id}},
		{"the second part of a double-barrelled name", "hughes", []int64{zoe.id}},
		{"a name without its apostrophe", "obrien", []int64{sian.id}},
		{"a name with its apostrophe", "O'Brien", []int64{sian.id}},
		{"the starts of both names, in any order", "lloyd z", []int64{zoe.id}},
		{"the middle of a name finds nothing", "loyd", []int64{}},
		{"a name nobody has", "Mohammed", []int64{}},
		{"an assignment number", f.assignment(ann), []int64{ann.id}},
		{"the start of an assignment number", f.assignment(sian)[:8], []int64{sian.id}},
		{"a case number with #", fmt.Sprintf("#%d", sian.id), []int64{sian.id}},
		{"a case number alone", strconv.FormatInt(ann.id, 10), []int64{ann.id}},
		{"another organisation's case number", fmt.Sprintf("#%d", otherZoe.id), []int64{}},
		{"another organisation's assignment number", f.assignment(otherZoe), []int64{}},
	}
	for _, tt := range tests {
		got, page := b.find(url.Values{"q": {tt.q}})
		if !slices.Equal(sorted(got...), sorted(tt.want...)) {
			t.Errorf("%s: searching %q listed %v, want %v", tt.name, tt.q, got, tt.want)
		}
		// The search stays in its field.
		if !strings.Contains(page, `name="q" value="`+attr(tt.q)+`"`) {
			t.Errorf("%s: the search %q is not kept in the form", tt.name, tt.q)
		}
		if len(tt.want) == 0 && !strings.Contains(page, "No cases match the search and filters.") {
			t.Errorf("%s: an empty result does not say so", tt.name)
		}
	}

	// A name found is shown with the assignment number; the count says
	// how many.
	_, page := b.find(url.Values{"q": {"zoe"}})
	row := text(regexp.MustCompile(fmt.Sprintf(`(?s)<tr data-case-id="%d">.*?</tr>`, zoe.id)).FindString(page))
	for _, want := range []string{"Zoë Lloyd-Hughes", "assignment " + f.assignment(zoe), "Suicide risk", "Urgent"} {
		if !strings.Contains(row, want) {
			t.Errorf("found row %q lacks %q", row, want)
		}
	}
	if !strings.Contains(page, `<caption class="table-caption">1 unresolved case</caption>`) {
		t.Error("the search results are not counted")
	}
	if !strings.Contains(page, `<a href="/console/">Clear the search and filters</a>`) {
		t.Error("a search has no link to clear it")
	}
}

// attr escapes s as html/template does in an attribute.
func attr(s string) string {
	return strings.NewReplacer("&", "&amp;", "'", "&#39;", `"`, "&#34;", "<", "&lt;", ">", "&gt;", "+", "&#43;").Replace(s)
}

func TestQueueFilters(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	nurse := f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	f.user("lead@example.nhs.uk", "Lee Lead", ohcontact.RoleLead, 0)
	urgent := f.newCase(f.org, ohcontact.PriorityUrgent, time.Hour)
	high := f.newCase(f.org, ohcontact.PriorityHigh, time.Hour)
	routine := f.newCase(f.org, ohcontact.PriorityRoutine, time.Hour)
	elsewhere := f.newCase(f.otherOrg, ohcontact.PriorityUrgent, time.Hour)
	b := f.signIn("nurse@example.nhs.uk")
	if resp, _ := b.post(fmt.Sprintf("/console/cases/%d/claim", high.id), nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("claim: status %d", resp.StatusCode)
	}
	// A case from no conversation (an HR referral, say).
	if _, err := f.db.Pool.Exec(t.Context(), `UPDATE cases SET conversation_id = NULL WHERE id = $1`, routine.id); err != nil {
		t.Fatal(err)
	}
	lead := f.signIn("lead@example.nhs.uk")

	tests := []struct {
		name  string
		who   *browser
		query url.Values
		want  []int64
	}{
		{"urgent", b, url.Values{"priority": {"urgent"}}, []int64{urgent.id}},
		{"claimed", b, url.Values{"status": {"claimed"}}, []int64{high.id}},
		{"open", b, url.Values{"status": {"open"}}, []int64{urgent.id, routine.id}},
		{"unresolved, by name", b, url.Values{"status": {"unresolved"}}, []int64{urgent.id, high.id, routine.id}},
		{"claimed by me", b, url.Values{"claimant": {"me"}}, []int64{high.id}},
		{"claimed by Sam Jones, chosen by name", b, url.Values{"claimant": {strconv.FormatInt(nurse, 10)}}, []int64{high.id}},
		{"unclaimed", b, url.Values{"claimant": {"unclaimed"}}, []int64{urgent.id, routine.id}},
		{"SMS", b, url.Values{"channel": {"sms"}}, []int64{urgent.id, high.id}},
		{"web chat", b, url.Values{"channel": {"webchat"}}, []int64{}},
		{"no channel", b, url.Values{"channel": {"none"}}, []int64{routine.id}},
		{"open and urgent", b, url.Values{"status": {"open"}, "priority": {"urgent"}}, []int64{urgent.id}},
		{"every organisation's urgent cases", lead, url.Values{"priority": {"urgent"}}, []int64{urgent.id, elsewhere.id}},
		{"one organisation", lead, url.Values{"organisation": {strconv.FormatInt(f.otherOrg, 10)}}, []int64{elsewhere.id}},
	}
	for _, tt := range tests {
		got, page := tt.who.find(tt.query)
		if !slices.Equal(sorted(got...), sorted(tt.want...)) {
			t.Errorf("%s: listed %v, want %v", tt.name, got, tt.want)
		}
		for k, v := range tt.query {
			value := v[0]
			if value == "unresolved" {
				value = ""
			}
			if !regexp.MustCompile(`(?s)<select class="select" id="` + k + `".*?<option value="` + value + `" selected>`).MatchString(page) {
				t.Errorf("%s: the filter %s=%s is not kept in the form", tt.name, k, v[0])
			}
		}
	}
	// An alert shows on every filtered page, even one without its case.
	f.alert(nurse, urgent.id)
	if _, page := b.find(url.Values{"priority": {"routine"}}); !strings.Contains(page, fmt.Sprintf("Case %d was not claimed within its SLA", urgent.id)) {
		t.Error("a filtered page hides the alert about an urgent case")
	}
	// Only a user who sees every organisation chooses one.
	if _, page := b.find(nil); strings.Contains(page, `id="organisation"`) {
		t.Error("a user of one organisation is offered a choice of organisation")
	}
	if _, page := lead.find(nil); !strings.Contains(page, `<option value="`+strconv.FormatInt(f.otherOrg, 10)+`">Other Trust</option>`) {
		t.Error("a user of every organisation is not offered a choice of organisation")
	}
}

func TestQueueRefusesBadFilters(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	f.user("lead@example.nhs.uk", "Lee Lead", ohcontact.RoleLead, 0)
	f.newCase(f.org, ohcontact.PriorityUrgent, time.Hour)
	b := f.signIn("nurse@example.nhs.uk")
	lead := f.signIn("lead@example.nhs.uk")
	tests := []struct {
		name  string
		who   *browser
		query url.Values
		field string // "" for the form as a whole
		says  string
	}{
		{"a search that is neither a name nor a number", b, url.Values{"q": {"<script>"}}, "q", "Enter a name, an assignment number, or a case number"},
		{"a case number that is not one", b, url.Values{"q": {"#12a"}}, "q", "Enter a name, an assignment number, or a case number"},
		{"too many words", b, url.Values{"q": {"a b c d e f"}}, "q", "Enter a name"},
		{"an unknown status", b, url.Values{"status": {"closed"}}, "status", "Choose unresolved, open, claimed or resolved cases."},
		{"an unknown priority", b, url.Values{"priority": {"critical"}}, "priority", "Choose urgent, high or routine"},
		{"an unknown channel", b, url.Values{"channel": {"email"}}, "channel", "Choose SMS, web chat or none"},
		{"a claimant who is not a clinician here", b, url.Values{"claimant": {"999999"}}, "claimant", "Choose a clinician from the list"},
		{"an organisation, for a user of one", b, url.Values{"organisation": {strconv.FormatInt(f.otherOrg, 10)}}, "", "You see only your own organisation's cases"},
		{"an unknown organisation", lead, url.Values{"organisation": {"999999"}}, "organisation", "Choose an organisation from the list."},
		{"a page link that is not one", b, url.Values{"after": {"abc"}}, "", "The link to this page is not valid"},
	}
	for _, tt := range tests {
		resp, page := tt.who.get("/console/?" + tt.query.Encode())
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", tt.name, resp.StatusCode)
			continue
		}
		if !strings.Contains(text(errorSummary(page)), tt.says) {
			t.Errorf("%s: the error summary %q does not say %q", tt.name, text(errorSummary(page)), tt.says)
		}
		if tt.field != "" && !strings.Contains(page, `<p class="error-message" id="`+tt.field+`-error">`) {
			t.Errorf("%s: no error next to the field %s", tt.name, tt.field)
		}
		if strings.Contains(page, "data-console-queue") {
			t.Errorf("%s: cases are listed despite the error", tt.name)
		}
	}
}

func TestResolvedCases(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	older := f.newCase(f.org, ohcontact.PriorityUrgent, 3*time.Hour)
	newer := f.newCase(f.org, ohcontact.PriorityRoutine, 2*time.Hour)
	open := f.newCase(f.org, ohcontact.PriorityUrgent, time.Hour)
	b := f.signIn("nurse@example.nhs.uk")
	for _, k := range []struct {
		tc      testCase
		outcome string
	}{{older, "safeguarding_referral"}, {newer, "no_risk_found"}} {
		path := fmt.Sprintf("/console/cases/%d", k.tc.id)
		b.post(path+"/claim", nil)
		if resp, page := b.post(path+"/resolve", url.Values{"outcome": {k.outcome}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("resolve: status %d %s", resp.StatusCode, errorSummary(page))
		}
		time.Sleep(10 * time.Millisecond)
	}

	got, page := b.find(url.Values{"status": {"resolved"}})
	if want := []int64{newer.id, older.id}; !slices.Equal(got, want) {
		t.Errorf("resolved cases = %v, want %v (newest resolved first)", got, want)
	}
	if !strings.Contains(page, "<h1>Resolved cases</h1>") || !strings.Contains(page, `<caption class="table-caption">2 resolved cases</caption>`) {
		t.Error("the resolved list has no heading or count")
	}
	row := text(regexp.MustCompile(fmt.Sprintf(`(?s)<tr data-case-id="%d">.*?</tr>`, older.id)).FindString(page))
	for _, want := range []string{"Safeguarding referral made", "by Sam Jones", "Suicide risk"} {
		if !strings.Contains(row, want) {
			t.Errorf("resolved row %q lacks %q", row, want)
		}
	}
	if strings.Contains(page, "safeguarding_referral") || strings.Contains(page, "no_risk_found") {
		t.Error("the resolved list shows an outcome's code")
	}
	if got, _ := b.find(nil); !slices.Equal(got, []int64{open.id}) {
		t.Errorf("the queue lists %v, want only the unresolved case %d", got, open.id)
	}
}

func TestQueueListIsAudited(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	nurse := f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	zoe := f.named(f.org, ohcontact.PriorityUrgent, "Zoë", "Lloyd-Hughes")
	f.named(f.org, ohcontact.PriorityUrgent, "Ann", "Example")
	b := f.signIn("nurse@example.nhs.uk")
	before := f.count(`SELECT count(*) FROM audit_events WHERE action = 'case.list'`)
	b.find(url.Values{"q": {"zoe lloyd"}, "priority": {"urgent"}})
	var ids, search, priority string
	err := f.db.Pool.QueryRow(t.Context(), `
		SELECT details->>'case_ids', details->>'search', details->'filters'->>'priority' FROM audit_events
		WHERE action = 'case.list' AND actor_id = $1 AND organisation_id = $2 ORDER BY id DESC LIMIT 1`, nurse, f.org).
		Scan(&ids, &search, &priority)
	if err != nil {
		t.Fatal(err)
	}
	if ids != fmt.Sprintf("[%d]", zoe.id) || search != "name" || priority != "urgent" {
		t.Errorf("case.list audit event: case_ids %s, search %s, priority %s; want [%d], name, urgent", ids, search, priority, zoe.id)
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'case.list'`); n != before+1 {
		t.Errorf("%d case.list events for one search, want 1", n-before)
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE details::text ILIKE '%zo%' OR details::text ILIKE '%lloyd%'`); n != 0 {
		t.Errorf("%d audit events carry the name searched for", n)
	}
}

func TestQueuePages(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	var all []int64
	for i := range 55 {
		all = append(all, f.newCase(f.org, ohcontact.PriorityHigh, time.Duration(100-i)*time.Minute).id)
	}
	b := f.signIn("nurse@example.nhs.uk")
	first, page := b.find(nil)
	if !slices.Equal(first, all[:50]) || !strings.Contains(page, `<caption class="table-caption">55 unresolved cases</caption>`) {
		t.Fatalf("first page = %v, want the 50 oldest of 55 counted", first)
	}
	if strings.Contains(page, `rel="prev"`) {
		t.Error("the first page links a previous one")
	}
	next := nextPattern.FindStringSubmatch(page)
	if next == nil {
		t.Fatal("the first page of 55 has no next page")
	}
	resp, page := b.get(strings.ReplaceAll(next[1], "&amp;", "&"))
	if second := rowIDs(page); resp.StatusCode != http.StatusOK || !slices.Equal(second, all[50:]) {
		t.Errorf("second page = %v, want %v", second, all[50:])
	}
	if strings.Contains(page, `rel="next"`) {
		t.Error("the last page links a next one")
	}
	prev := regexp.MustCompile(`<a href="([^"]+)" rel="prev">`).FindStringSubmatch(page)
	if prev == nil {
		t.Fatal("the second page has no previous page")
	}
	if _, page := b.get(strings.ReplaceAll(prev[1], "&amp;", "&")); !slices.Equal(rowIDs(page), all[:50]) {
		t.Errorf("back from the second page = %v, want the first", rowIDs(page))
	}
	// Pages keep the filters.
	_, page = b.find(url.Values{"priority": {"high"}})
	if next := nextPattern.FindStringSubmatch(page); next == nil || !strings.Contains(next[1], "priority=high") {
		t.Errorf("the next page's link %v drops the filter", next)
	}
}

func TestLiveKeepsTheFilters(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.listen()
	f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	urgent := f.newCase(f.org, ohcontact.PriorityUrgent, time.Hour)
	routine := f.newCase(f.org, ohcontact.PriorityRoutine, time.Hour)
	b := f.signIn("nurse@example.nhs.uk")
	lc := b.openLiveQuery("?priority=urgent")
	first := lc.next()
	if !first.has(t, urgent.id) || first.has(t, routine.id) || first.Caption != "1 unresolved case" || first.Total != 1 {
		t.Fatalf("the first snapshot of the urgent cases = %+v", first.Cases)
	}
	// A new routine case wakes the connection but is not shown; a new
	// urgent one is.
	f.newCase(f.org, ohcontact.PriorityRoutine, 0)
	another := f.newCase(f.org, ohcontact.PriorityUrgent, 0)
	got := lc.waitFor("the new urgent case", func(fr liveFrame) bool { return fr.has(t, another.id) })
	if len(got.Cases) != 2 || got.Caption != "2 unresolved cases" {
		t.Errorf("the urgent cases' snapshot lists %+v (%q), want the 2 urgent ones", got.Cases, got.Caption)
	}
	// Filters that are not valid are refused before the upgrade.
	if _, resp, err := b.dialLiveQuery("?priority=critical", nil); err == nil || resp == nil || resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a live connection with a bad filter: %v (%v), want 422", err, resp)
	}
}
