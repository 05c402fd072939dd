package console_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/ohcontact/ohcontact/campaigns"
	"github.com/ohcontact/ohcontact/dialogs"
	"github.com/ohcontact/ohcontact/escalation/console"
	"github.com/ohcontact/ohcontact/locales"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
	"github.com/ohcontact/ohcontact/signposting"

	"github.com/ohcontact/ohcontact"
)

// campaignFixture is the console's fixture with campaigns, for the demo
// organisation (whose directory has vaccination clinic details), where
// Ann and Zofia (Polish) are nurses and Bob works in estates.
type campaignFixture struct {
	*fixture
	demo int64
}

func newCampaignFixture(t *testing.T) *campaignFixture {
	t.Helper()
	var demo int64
	f := newFixtureWith(t, false, func(cfg *console.Config) {
		bundle, err := locales.Bundle()
		if err != nil {
			t.Fatal(err)
		}
		engine, err := dialogs.New(bundle, signposting.Demo())
		if err != nil {
			t.Fatal(err)
		}
		jobs, err := river.NewClient(riverpgxv5.New(cfg.DB.Pool), &river.Config{}) // insert-only
		if err != nil {
			t.Fatal(err)
		}
		cfg.Log = slog.New(slog.NewTextHandler(t.Output(), nil))
		cfg.Campaigns = &campaigns.Campaigns{DB: cfg.DB, Engine: engine, Jobs: jobs, Flows: []string{dialogs.FlowVaccination},
			Location: time.UTC, Now: cfg.Now, Log: slog.New(slog.DiscardHandler)}
	})
	demo = pgtest.Organisation(t, f.db.Pool, signposting.DemoCode, "Demo Trust")
	cf := &campaignFixture{fixture: f, demo: demo}
	for _, s := range []struct{ number, first, mobile, group, lang string }{
		{"20000001-1", "Ann", "+447700900101", "Nursing and Midwifery Registered", "en-GB"},
		{"20000002-1", "Zofia", "+447700900102", "Nursing and Midwifery Registered", "pl"},
		{"20000003-1", "Bob", "+447700900103", "Estates and Ancillary", "en-GB"},
	} {
		id := pgtest.Staff(t, f.db.Pool, pgtest.StaffRow{Organisation: demo, Number: s.number, First: s.first, Last: "Example", Mobile: s.mobile})
		if _, err := f.db.Pool.Exec(t.Context(), `UPDATE staff SET staff_group = $2, language = $3 WHERE id = $1`, id, s.group, s.lang); err != nil {
			t.Fatal(err)
		}
	}
	return cf
}

// lead adds Lee Lead, an OH lead of the demo organisation, and returns
// their id and a browser signed in as them.
func (f *campaignFixture) lead() (int64, *browser) {
	id := f.user("lead@example.nhs.uk", "Lee Lead", ohcontact.RoleLead, f.demo)
	return id, f.signIn("lead@example.nhs.uk")
}

// campaignForm is a valid new campaign for the demo organisation's nurses.
func (f *campaignFixture) campaignForm() url.Values {
	return url.Values{"name": {"Flu 2026 nurses"}, "flow": {dialogs.FlowVaccination}, "vaccine": {"flu"},
		"audience": {"staff_group"}, "staff_group": {"Nursing and Midwifery Registered"},
		"starts_at":   {f.now().Add(time.Hour).UTC().Format("2006-01-02T15:04")},
		"window_from": {"09:00"}, "window_until": {"17:00"}, "window_days": {"1", "2", "3", "4", "5"}, "remind_after": {"3"}}
}

var campaignLocation = regexp.MustCompile(`^/console/campaigns/(\d+)\?done=created$`)

// create posts form as b and returns the new campaign's id.
func (f *campaignFixture) create(b *browser, form url.Values) int64 {
	f.t.Helper()
	resp, page := b.post("/console/campaigns", form)
	m := campaignLocation.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		f.t.Fatalf("create campaign: status %d, location %q\n%s", resp.StatusCode, resp.Header.Get("Location"), errorSummary(page))
	}
	var id int64
	fmt.Sscan(m[1], &id)
	return id
}

func TestCampaignPagesAreForLeadsAndAdmins(t *testing.T) {
	t.Parallel()
	f := newCampaignFixture(t)
	f.user("lead@example.nhs.uk", "Lee Lead", ohcontact.RoleLead, f.demo)
	f.user("other@example.nhs.uk", "Olga Other", ohcontact.RoleLead, f.otherOrg)
	f.user("clin@example.nhs.uk", "Cal Clinician", ohcontact.RoleClinician, f.demo)
	f.user("physio@example.nhs.uk", "Pat Physio", ohcontact.RolePhysio, f.demo)
	lead := f.signIn("lead@example.nhs.uk")
	id := f.create(lead, f.campaignForm())
	if _, page := lead.get("/console/"); !strings.Contains(page, `href="/console/campaigns"`) {
		t.Error("the lead's navigation has no Campaigns link")
	}

	clin := f.signIn("clin@example.nhs.uk")
	for _, path := range []string{"/console/campaigns", "/console/campaigns/new", fmt.Sprintf("/console/campaigns/%d", id)} {
		if resp, _ := clin.get(path); resp.StatusCode != http.StatusForbidden {
			t.Errorf("clinician GET %s: status %d, want 403", path, resp.StatusCode)
		}
	}
	if resp, _ := clin.post(fmt.Sprintf("/console/campaigns/%d/start", id), nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("clinician start: status %d, want 403", resp.StatusCode)
	}
	physio := f.browser()
	physio.login("physio@example.nhs.uk", password)
	if resp, _ := physio.get("/console/campaigns"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("physio GET /console/campaigns: status %d, want 403", resp.StatusCode)
	}
	if _, page := clin.get("/console/"); strings.Contains(page, `href="/console/campaigns"`) {
		t.Error("a clinician's navigation links Campaigns")
	}

	other := f.signIn("other@example.nhs.uk")
	for _, path := range []string{fmt.Sprintf("/console/campaigns/%d", id), fmt.Sprintf("/console/campaigns/%d/progress", id)} {
		if resp, _ := other.get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("another organisation's lead GET %s: status %d, want 404", path, resp.StatusCode)
		}
	}
	if resp, _ := other.post(fmt.Sprintf("/console/campaigns/%d/start", id), nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another organisation's lead start: status %d, want 404", resp.StatusCode)
	}
	if _, page := other.get("/console/campaigns"); strings.Contains(page, "Flu 2026 nurses") {
		t.Error("another organisation's lead sees the campaign in the list")
	}
	if f.count(`SELECT count(*) FROM campaigns WHERE status = 'draft'`) != 1 {
		t.Error("a refused start changed the campaign")
	}
}

func TestCampaignCreateRefusesWithFieldErrors(t *testing.T) {
	t.Parallel()
	f := newCampaignFixture(t)
	_, lead := f.lead()

	_, page := lead.get("/console/campaigns/new")
	for _, want := range []string{"<option>Nursing and Midwifery Registered</option>", "<option>Estates and Ancillary</option>"} {
		if !strings.Contains(page, want) {
			t.Errorf("the form offers no %s", want)
		}
	}
	checkMarkup(t, "/console/campaigns/new", page)

	form := f.campaignForm()
	form.Set("name", "")
	form.Set("starts_at", "next Tuesday")
	form.Set("window_until", "08:00")
	form.Set("vaccine", "flu jab")
	resp, page := lead.post("/console/campaigns", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", resp.StatusCode)
	}
	summary := errorSummary(page)
	for _, want := range []string{`href="#name">Campaign name is missing`, `href="#starts-at">Enter the start as a date and time`,
		`href="#window-until">The time the window closes must be after the window opens`} {
		if !strings.Contains(summary, want) {
			t.Errorf("error summary lacks %q:\n%s", want, summary)
		}
	}
	for _, want := range []string{`id="name-error"`, `id="starts-at-error"`, `value="next Tuesday"`, `value="flu jab"`, `value="08:00"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the form shown again lacks %s", want)
		}
	}
	if n := f.count(`SELECT count(*) FROM campaigns`); n != 0 {
		t.Errorf("%d campaigns stored from a refused form", n)
	}

	form = f.campaignForm()
	form.Set("audience", "department")
	form.Set("department", "Nowhere")
	if resp, page := lead.post("/console/campaigns", form); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(errorSummary(page), `href="#department">Department is no department of anyone`) {
		t.Errorf("a department of nobody: status %d\n%s", resp.StatusCode, errorSummary(page))
	}
}

func TestCampaignDraftShowsPlanAndPreview(t *testing.T) {
	t.Parallel()
	f := newCampaignFixture(t)
	leadID, lead := f.lead()
	id := f.create(lead, f.campaignForm())

	resp, page := lead.get(fmt.Sprintf("/console/campaigns/%d?done=created", id))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	checkMarkup(t, "campaign page", page)
	txt := text(page)
	// Ann (English) and Zofia (Polish), both by SMS: one each.
	for _, want := range []string{"2 people are to be invited", "English SMS 1", "Polish SMS 1", "Vaccination: flu",
		"Staff group: Nursing and Midwifery Registered", "Once, 3 days after the invitation", "Start the campaign", "Yes, stop this campaign"} {
		if !strings.Contains(txt, want) {
			t.Errorf("the draft's page lacks %q", want)
		}
	}
	// The preview's segments are those of the texts the engine starts with,
	// multiplied by the SMS members of each language.
	bundle, err := locales.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	engine, err := dialogs.New(bundle, signposting.Demo())
	if err != nil {
		t.Fatal(err)
	}
	total, reminder := 0, 0
	for _, lang := range []string{"en-GB", "pl"} {
		for _, rem := range []bool{false, true} {
			res, err := engine.Start(dialogs.FlowVaccination, dialogs.StartInfo{Org: signposting.DemoCode, Channel: ohcontact.ChannelSMS,
				Lang: lang, Known: true, Reminder: rem, Vaccine: "flu"})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res.Replies {
				_, n := locales.Segments(r.Text)
				if rem {
					reminder += n
				} else {
					total += n
				}
				if !strings.Contains(txt, strings.Join(strings.Fields(r.Text), " ")) {
					t.Errorf("the preview lacks the %s text %q", lang, r.Text)
				}
			}
		}
	}
	if want := fmt.Sprintf("The invitations cost %d SMS segments in all, and the reminder up to %d more", total, reminder); !strings.Contains(txt, want) {
		t.Errorf("the page lacks %q", want)
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'campaign.view' AND record_id = $1 AND actor_kind = 'user' AND actor_id = $2`, id, leadID); n != 1 {
		t.Errorf("%d campaign.view audit events, want 1", n)
	}
	if _, page := lead.get("/console/campaigns"); !strings.Contains(text(page), "Flu 2026 nurses Vaccination: flu Draft") {
		t.Errorf("the list lacks the draft:\n%s", text(page))
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'campaign.list' AND actor_kind = 'user' AND actor_id = $1`, leadID); n != 1 {
		t.Errorf("%d campaign.list audit events, want 1", n)
	}
}

func TestCampaignListedNumbersShownOnce(t *testing.T) {
	t.Parallel()
	f := newCampaignFixture(t)
	_, lead := f.lead()
	form := f.campaignForm()
	form.Set("audience", "list")
	form.Set("list", "20000001-1\n20000003-1, 20000001-1; 99999999-9\n12/34")
	resp, page := lead.post("/console/campaigns", form)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200 (the page itself)\n%s", resp.StatusCode, errorSummary(page))
	}
	txt := text(page)
	for _, want := range []string{"1 listed number is nobody's", "99999999-9", "1 listed entry is not assignment numbers",
		"12/34", "1 number was listed more than once", "2 people are to be invited"} {
		if !strings.Contains(txt, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

func TestCampaignStartPauseResumeStop(t *testing.T) {
	t.Parallel()
	f := newCampaignFixture(t)
	leadID, lead := f.lead()
	id := f.create(lead, f.campaignForm())
	path := fmt.Sprintf("/console/campaigns/%d", id)
	status := func() string {
		var s string
		if err := f.db.Pool.QueryRow(t.Context(), `SELECT status FROM campaigns WHERE id = $1`, id).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}

	// No CSRF token: refused, nothing changes.
	if resp, _ := lead.send(http.MethodPost, path+"/start", url.Values{}, nil); resp.StatusCode != http.StatusForbidden || status() != "draft" {
		t.Errorf("start without CSRF: status %d, campaign %s", resp.StatusCode, status())
	}
	for _, step := range []struct{ action, want string }{{"start", "running"}, {"pause", "paused"}, {"resume", "running"}} {
		resp, _ := lead.post(path+"/"+step.action, nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != path+"?done="+step.action || status() != step.want {
			t.Fatalf("%s: status %d, location %q, campaign %s", step.action, resp.StatusCode, resp.Header.Get("Location"), status())
		}
	}
	if resp, page := lead.post(path+"/start", nil); resp.StatusCode != http.StatusConflict || !strings.Contains(page, "status has changed") {
		t.Errorf("starting a running campaign: status %d", resp.StatusCode)
	}
	// Stop asks to be sure.
	if resp, page := lead.post(path+"/stop", nil); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(errorSummary(page), `href="#confirm-stop"`) || status() != "running" {
		t.Errorf("stop unconfirmed: status %d, campaign %s", resp.StatusCode, status())
	}
	if resp, _ := lead.post(path+"/stop", url.Values{"confirm": {"yes"}}); resp.StatusCode != http.StatusSeeOther || status() != "stopped" {
		t.Errorf("stop: status %d, campaign %s", resp.StatusCode, status())
	}
	_, page := lead.get(path)
	checkMarkup(t, "stopped campaign", page)
	if strings.Contains(page, "/start\"") || strings.Contains(page, "Stop the campaign") {
		t.Error("a stopped campaign's page offers to start or stop it")
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE record_type = 'campaign' AND record_id = $1 AND actor_kind = 'user' AND actor_id = $2
		AND action IN ('campaign.start', 'campaign.pause', 'campaign.resume', 'campaign.stop')`, id, leadID); n != 4 {
		t.Errorf("%d audited changes, want 4", n)
	}
	if resp, _ := lead.post(path+"/launch", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown action: status %d, want 404", resp.StatusCode)
	}
}

func TestCampaignProgressFragment(t *testing.T) {
	t.Parallel()
	f := newCampaignFixture(t)
	_, lead := f.lead()
	id := f.create(lead, f.campaignForm())
	path := fmt.Sprintf("/console/campaigns/%d", id)
	lead.post(path+"/start", nil)
	// Ann was invited and booked (as the sender and the flow record it).
	err := f.db.InTx(t.Context(), func(tx pgx.Tx) error {
		var member int64
		if err := tx.QueryRow(t.Context(), `SELECT m.id FROM campaign_members m JOIN staff s ON s.id = m.staff_id
			WHERE m.campaign_id = $1 AND s.first_name = 'Ann'`, id).Scan(&member); err != nil {
			return err
		}
		if err := postgres.MarkMemberSent(t.Context(), tx, member, f.now()); err != nil {
			return err
		}
		return postgres.RecordCampaignOutcome(t.Context(), tx, member, postgres.OutcomeBooked, nil, f.now())
	})
	if err != nil {
		t.Fatal(err)
	}
	_, page := lead.get(path)
	if !strings.Contains(page, `data-campaign-progress data-src="`+path+`/progress"`) || !strings.Contains(page, "/console/static/console.js") {
		t.Error("the running campaign's page does not refresh its progress")
	}
	resp, frag := lead.get(path + "/progress")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("progress: status %d", resp.StatusCode)
	}
	for _, want := range []string{"Invited 1", "Replied 1", "Booked 1", "Had it elsewhere 0", "Still to invite 1"} {
		if !strings.Contains(text(frag), want) {
			t.Errorf("the progress lacks %q: %s", want, text(frag))
		}
	}
	if strings.Contains(frag, "<html") {
		t.Error("the progress is a whole page, not the panel")
	}
}

// upload sends form to path as multipart/form-data, as the new campaign
// form does: the session's CSRF token first (unless form has its own),
// then form's fields, then file as list_file named name when name is not
// empty. A chunked body is sent without its length.
func (b *browser) upload(path string, form url.Values, name string, file []byte, chunked bool) (*http.Response, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if !form.Has("csrf_token") {
		form.Set("csrf_token", b.csrf)
	}
	mw.WriteField("csrf_token", form.Get("csrf_token"))
	for k, vs := range form {
		for _, v := range vs {
			if k != "csrf_token" {
				mw.WriteField(k, v)
			}
		}
	}
	if name != "" {
		w, err := mw.CreateFormFile("list_file", name)
		if err != nil {
			b.t.Fatal(err)
		}
		w.Write(file)
	}
	mw.Close()
	var r io.Reader = bytes.NewReader(body.Bytes())
	if chunked {
		r = io.MultiReader(r) // no length known
	}
	req, err := http.NewRequestWithContext(b.t.Context(), http.MethodPost, b.f.srv.URL+path, r)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("upload to %s: %v", path, err)
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp, string(page)
}

// listForm is a valid new campaign for a list, with pasted numbers.
func (f *campaignFixture) listForm(pasted string) url.Values {
	form := f.campaignForm()
	form.Set("audience", "list")
	form.Set("list", pasted)
	return form
}

func TestCampaignListUploaded(t *testing.T) {
	t.Parallel()
	f := newCampaignFixture(t)
	_, lead := f.lead()
	for _, tt := range []struct {
		name, pasted, fileName, file string
		source                       string // the audit record's list_source
		listed                       int
		members                      []string // first names of those planned
	}{
		{name: "plain list", fileName: "nurses.txt", file: "20000001-1\n20000002-1, 20000003-1;\n",
			source: "file", listed: 3, members: []string{"Ann", "Bob", "Zofia"}},
		{name: "plain list, CRLF and a BOM", fileName: "nurses.txt", file: "\ufeff20000002-1\r\n20000003-1\r\n",
			source: "file", listed: 2, members: []string{"Bob", "Zofia"}},
		{name: "ESR export", fileName: "Staff in post.csv",
			file: "\ufeffPerson Number, ASSIGNMENT NUMBER ,Last Name,First Name,Staff Group,Organisation\r\n" +
				"100001,20000001-1,Example,Ann,Nursing and Midwifery Registered,Demo Trust\r\n" +
				"100003,20000003-1,Example,Bob,\"Estates, and Ancillary\",Demo Trust\r\n" +
				"100004,,Example,Nobody,Students,Demo Trust\r\n",
			source: "file", listed: 2, members: []string{"Ann", "Bob"}},
		{name: "pasted and a file", pasted: "20000002-1", fileName: "more.csv", file: "assignment-number\n20000001-1\n",
			source: "pasted_and_file", listed: 2, members: []string{"Ann", "Zofia"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, page := lead.upload("/console/campaigns", f.listForm(tt.pasted), tt.fileName, []byte(tt.file), false)
			m := campaignLocation.FindStringSubmatch(resp.Header.Get("Location"))
			if resp.StatusCode != http.StatusSeeOther || m == nil {
				t.Fatalf("status %d, location %q\n%s", resp.StatusCode, resp.Header.Get("Location"), errorSummary(page))
			}
			var members []string
			rows, err := f.db.Pool.Query(t.Context(), `SELECT s.first_name FROM campaign_members m JOIN staff s ON s.id = m.staff_id
				WHERE m.campaign_id = $1 ORDER BY 1`, m[1])
			if err != nil {
				t.Fatal(err)
			}
			if members, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(members) != fmt.Sprint(tt.members) {
				t.Errorf("members %v, want %v", members, tt.members)
			}
			var source string
			var listed int
			if err := f.db.Pool.QueryRow(t.Context(), `SELECT details->>'list_source', (details->>'listed')::int FROM audit_events
				WHERE action = 'campaign.create' AND record_id = $1`, m[1]).Scan(&source, &listed); err != nil {
				t.Fatal(err)
			}
			if source != tt.source || listed != tt.listed {
				t.Errorf("audited list_source %q, listed %d; want %q, %d", source, listed, tt.source, tt.listed)
			}
		})
	}
}

func TestCampaignListFileRefused(t *testing.T) {
	t.Parallel()
	f := newCampaignFixture(t)
	_, lead := f.lead()
	var many strings.Builder
	for i := range campaigns.MaxList + 1 {
		fmt.Fprintf(&many, "%08d-1\n", i)
	}
	huge := bytes.Repeat([]byte("20000001-1,Example,Ann,Nursing and Midwifery Registered,Demo Trust,2026-10-01\n"), 33<<20/75)
	for _, tt := range []struct {
		name, fileName string
		file           []byte
		chunked        bool
		status         int
		want           string // in the error summary, next to the file's field
		kept           bool   // the form comes back as filled in
	}{
		{name: "CSV without the column", fileName: "staff.csv", file: []byte("Person Number,Last Name,First Name\n100001,Example,Ann\n"),
			status: http.StatusUnprocessableEntity, want: "The file has no Assignment Number column", kept: true},
		{name: "a workbook", fileName: "staff.xlsx", file: []byte("PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml"),
			status: http.StatusUnprocessableEntity, want: "The file is not a CSV or text file", kept: true},
		{name: "UTF-16", fileName: "staff.txt", file: []byte("\xff\xfe2\x000\x000\x00"),
			status: http.StatusUnprocessableEntity, want: "The file is not a CSV or text file", kept: true},
		{name: "a broken row", fileName: "staff.csv", file: []byte("Assignment Number,Last Name\n20000001-1,Example\n20000002-1\n"),
			status: http.StatusUnprocessableEntity, want: "Line 3 of the file cannot be read: the row has 1 fields but the header has 2", kept: true},
		{name: "more numbers than a campaign takes", fileName: "all.txt", file: []byte(many.String()),
			status: http.StatusUnprocessableEntity, want: "The list of assignment numbers has more than 200000 entries", kept: true},
		{name: "an empty file", fileName: "none.txt", status: http.StatusUnprocessableEntity, want: "The list of assignment numbers is empty", kept: true},
		{name: "over the size limit", fileName: "huge.csv", file: huge, status: http.StatusRequestEntityTooLarge, want: "The file is larger than 32 MB"},
		{name: "over the size limit, its length not given", fileName: "huge.csv", file: huge, chunked: true,
			status: http.StatusRequestEntityTooLarge, want: "The file is larger than 32 MB"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			form := f.listForm("")
			form.Set("name", "Flu from "+tt.name)
			resp, page := lead.upload("/console/campaigns", form, tt.fileName, tt.file, tt.chunked)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d\n%s", resp.StatusCode, tt.status, errorSummary(page))
			}
			if summary := errorSummary(page); !strings.Contains(summary, `href="#list-file">`+tt.want) {
				t.Errorf("the error summary lacks %q next to the file:\n%s", tt.want, summary)
			}
			if !strings.Contains(page, `id="list-file-error"`) || !strings.Contains(page, `aria-describedby="list-file-hint list-file-error"`) {
				t.Error("the file's field shows no error")
			}
			if got := strings.Contains(page, `value="Flu from `+tt.name+`"`); got != tt.kept {
				t.Errorf("the form kept as filled in: %v, want %v", got, tt.kept)
			}
			if !strings.Contains(page, `value="list" checked`) {
				t.Error("the form comes back without the list chosen")
			}
			checkMarkup(t, tt.name, page)
		})
	}
	if n := f.count(`SELECT count(*) FROM campaigns`); n != 0 {
		t.Errorf("%d campaigns stored from refused files", n)
	}

	// A file that is fine, in a form refused for another reason, is to be
	// chosen again; the pasted numbers are kept.
	form := f.listForm("20000002-1")
	form.Set("window_until", "08:00")
	resp, page := lead.upload("/console/campaigns", form, "nurses.txt", []byte("20000001-1\n"), false)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text(page), "You chose nurses.txt. Choose it again before saving") ||
		!strings.Contains(page, ">20000002-1</textarea>") {
		t.Errorf("status %d; the form does not ask for the file again, or lost the pasted numbers:\n%s", resp.StatusCode, text(page))
	}
}

func TestCampaignUploadNeedsCSRF(t *testing.T) {
	t.Parallel()
	f := newCampaignFixture(t)
	f.user("lead@example.nhs.uk", "Lee Lead", ohcontact.RoleLead, f.demo)
	f.user("clin@example.nhs.uk", "Cal Clinician", ohcontact.RoleClinician, f.demo)
	lead := f.signIn("lead@example.nhs.uk")
	file := bytes.Repeat([]byte("20000001-1\n"), 200_000) // beyond what is kept in memory
	for _, tt := range []struct{ name, token string }{{"no token", ""}, {"a forged token", "forged"}, {"another form's token", csrfIn(t, func() string {
		_, page := f.browser().get("/console/login")
		return page
	}())}} {
		t.Run(tt.name, func(t *testing.T) {
			form := f.listForm("")
			form.Set("csrf_token", tt.token)
			if resp, page := lead.upload("/console/campaigns", form, "nurses.txt", file, false); resp.StatusCode != http.StatusForbidden ||
				!strings.Contains(page, "did not come from this site") {
				t.Errorf("status %d, want 403", resp.StatusCode)
			}
		})
	}
	// A clinician's upload, too large or not, is refused as any of their forms for campaigns.
	clin := f.signIn("clin@example.nhs.uk")
	if resp, _ := clin.upload("/console/campaigns", f.listForm(""), "nurses.txt", []byte("20000001-1\n"), false); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a clinician's upload: status %d, want 403", resp.StatusCode)
	}
	if resp, page := clin.upload("/console/campaigns", f.listForm(""), "huge.txt", bytes.Repeat(file, 16), false); resp.StatusCode != http.StatusForbidden ||
		strings.Contains(page, "list-file") {
		t.Errorf("a clinician's too large upload: status %d, want 403 without the form", resp.StatusCode)
	}
	if n := f.count(`SELECT count(*) FROM campaigns`); n != 0 {
		t.Errorf("%d campaigns stored from forms without a valid token", n)
	}
}

func TestOtherFormsStaySmallAndURLEncoded(t *testing.T) {
	t.Parallel()
	f := newCampaignFixture(t)
	f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.demo)
	f.user("lead@example.nhs.uk", "Lee Lead", ohcontact.RoleLead, f.demo)
	nurse := f.signIn("nurse@example.nhs.uk")
	onDuty := func() int { return f.count(`SELECT count(*) FROM users WHERE on_duty`) }

	padded := url.Values{"on_duty": {"true"}, "padding": {strings.Repeat("x", 64<<10)}}
	if resp, _ := nurse.post("/console/duty", padded); resp.StatusCode != http.StatusForbidden || onDuty() != 0 {
		t.Errorf("a form over 64 KiB: status %d, %d on duty; want 403 and nobody", resp.StatusCode, onDuty())
	}
	if resp, _ := nurse.upload("/console/duty", url.Values{"on_duty": {"true"}}, "", nil, false); resp.StatusCode != http.StatusForbidden || onDuty() != 0 {
		t.Errorf("a multipart form: status %d, %d on duty; want 403 and nobody", resp.StatusCode, onDuty())
	}
	if resp, _ := nurse.post("/console/duty", url.Values{"on_duty": {"true"}}); resp.StatusCode != http.StatusSeeOther || onDuty() != 1 {
		t.Errorf("the form as sent: status %d, %d on duty; want 303 and one", resp.StatusCode, onDuty())
	}

	// The campaign form itself, URL-encoded, is held to 64 KiB too.
	lead := f.signIn("lead@example.nhs.uk")
	form := f.listForm(strings.Repeat("20000001-1\n", 64<<10/11+1))
	if resp, _ := lead.post("/console/campaigns", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a URL-encoded campaign over 64 KiB: status %d, want 403", resp.StatusCode)
	}
	if resp, _ := lead.upload("/console/campaigns", form, "", nil, false); resp.StatusCode != http.StatusOK {
		t.Errorf("the same pasted as multipart: status %d, want 200 (the page, listing the repeats)", resp.StatusCode)
	}
}

func TestCampaignUploadOnASlowLine(t *testing.T) {
	t.Parallel()
	f := newCampaignFixture(t)
	_, lead := f.lead()
	// The console behind a server with the service's timeouts, shortened.
	mux := http.NewServeMux()
	f.console.Register(mux)
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = 300*time.Millisecond, 300*time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close)

	for _, tt := range []struct {
		name        string
		contentType string
		wantOK      bool
	}{
		{"a file, over three read timeouts", "multipart", true},
		{"any other form", "urlencoded", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			form := f.listForm("")
			form.Set("csrf_token", lead.csrf)
			var body bytes.Buffer
			contentType := "application/x-www-form-urlencoded"
			if tt.contentType == "multipart" {
				mw := multipart.NewWriter(&body)
				for k := range form {
					mw.WriteField(k, form.Get(k))
				}
				w, _ := mw.CreateFormFile("list_file", "nurses.txt")
				w.Write([]byte("20000001-1\n20000002-1\n"))
				mw.Close()
				contentType = mw.FormDataContentType()
			} else {
				form.Set("list", "20000001-1\n20000002-1")
				body.WriteString(form.Encode())
			}
			pr, pw := io.Pipe()
			go func() {
				for chunk := range slices.Chunk(body.Bytes(), body.Len()/10+1) {
					time.Sleep(100 * time.Millisecond)
					if _, err := pw.Write(chunk); err != nil {
						return
					}
				}
				pw.Close()
			}()
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/console/campaigns", pr)
			if err != nil {
				t.Fatal(err)
			}
			req.ContentLength = int64(body.Len())
			req.Header.Set("Content-Type", contentType)
			resp, err := lead.client.Do(req)
			if err == nil {
				resp.Body.Close()
			}
			if ok := err == nil && resp.StatusCode == http.StatusSeeOther; ok != tt.wantOK {
				t.Errorf("sent over a second: created %v (%v), want %v", ok, err, tt.wantOK)
			}
			pr.Close()
		})
	}
}
