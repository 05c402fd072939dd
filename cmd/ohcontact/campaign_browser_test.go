package main

import (
	"bytes"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ohcontact/ohcontact/demo"
)

// TestCampaignInBrowser is issue 21's "Done when" in the console: the
// demo's OH lead opens Campaigns from the navigation, creates a flu
// vaccination campaign for a demo staff group (its nurses: Ann and Jo in
// English, Zofia in Polish), sees its plan and the preview
// of its texts with their cost in segments, and starts it; the demo phones
// receive the invitations; Ann books, Jo had it at her GP (and says when),
// Zofia asks a question in Polish; and the campaign page, left open, shows
// booked 1, had elsewhere 1 and question 1 without a reload; the pilot
// dashboard charts the campaign's uptake, its small numbers suppressed.
// axe-core finds no WCAG 2.2 AA violation on any campaign page or the
// dashboard.
func TestCampaignInBrowser(t *testing.T) {
	t.Parallel()
	ctx, axe := browser(t)
	base, _ := startConsoleDemo(t)
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}

	signInToConsole(t, ctx, base, demo.LeadEmail, demo.LeadPassword, `location.pathname === "/console/"`)
	submitAndWait(t, ctx, `document.querySelector("nav a[href='/console/campaigns']").click()`,
		`location.pathname === "/console/campaigns"`)
	checkAxe(t, ctx, axe, "campaigns")
	submitAndWait(t, ctx, `document.querySelector("a[href='/console/campaigns/new']").click()`,
		`location.pathname === "/console/campaigns/new"`)
	checkAxe(t, ctx, axe, "new campaign")

	start := time.Now().In(london).Format("2006-01-02T15:04")
	submitAndWait(t, ctx, `const org = document.querySelector("#organisation");
		if (org) { org.value = [...org.options].find(o => o.text.startsWith("Demo")).value; }
		document.querySelector("#name").value = "Flu 2026";
		document.querySelector("#vaccine").value = "flu";
		document.querySelector("#audience").checked = true;
		document.querySelector("#staff-group").value = "Nursing and Midwifery Registered";
		document.querySelector("#starts-at").value = "`+start+`";
		document.querySelector("#window-from").value = "00:00";
		document.querySelector("#window-until").value = "23:59";
		document.querySelectorAll("input[name=window_days]").forEach(d => d.checked = true);
		document.querySelector("form[action='/console/campaigns']").requestSubmit()`,
		`/^\/console\/campaigns\/\d+$/.test(location.pathname) && document.querySelector("#campaign-cost") !== null`)
	checkAxe(t, ctx, axe, "draft campaign")
	preview, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"3 people are to be invited", "Staff flu vaccinations are now available", "szczepienie przeciw grypie", "SMS segments in all"} {
		if !strings.Contains(preview, want) {
			t.Errorf("the draft's page lacks %q:\n%s", want, preview)
		}
	}

	submitAndWait(t, ctx, `document.querySelector("form[action$='/start'] button").click()`,
		`document.querySelector("#campaign-progress") !== null && document.querySelector("#campaign-status").textContent === "Running"`)
	checkAxe(t, ctx, axe, "running campaign")

	phone := func(number, want string) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
			if _, page := get(t, base+"/demo/phone?number="+url.QueryEscape(number)); strings.Contains(page, want) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the demo phone %s never showed %q", number, want)
			}
		}
	}
	reply := func(number, body string) {
		t.Helper()
		resp, err := postDemoPhone(t, base, url.Values{"number": {number}, "body": {body}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || strings.Contains(loc, "error") {
			t.Fatalf("reply %q: %d → %s", body, resp.StatusCode, loc)
		}
	}
	const ann, zofia, jo = "+447700900101", "+447700900103", "+447700900105"
	phone(ann, "Staff flu vaccinations are now available")
	phone(jo, "Staff flu vaccinations are now available")
	phone(zofia, "szczepienie przeciw grypie")
	reply(ann, "I've booked")
	reply(jo, "had it at my GP")
	phone(jo, "When did you have it?")
	reply(jo, "last week")
	reply(zofia, "Czy mogę się zaszczepić w ciąży?")

	// The page left open shows them, refreshed by itself.
	shown := `(() => { const t = document.querySelector("#campaign-progress").innerText;
		return /Booked\s+1/.test(t) && /Had it elsewhere\s+1/.test(t) && /Asked OH a question\s+1/.test(t) && /Replied\s+3/.test(t); })()`
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!window.oldPage && `+shown))
		if err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#campaign-progress").innerText`))
			t.Fatalf("the campaign page never showed booked 1, had elsewhere 1 and question 1:\n%s", text)
		}
	}
	checkAxe(t, ctx, axe, "campaign with replies")

	// The dashboard of the demo organisation (the other trusts' pilot
	// month has flu campaigns of its own) charts them, each too few to
	// show: "<5", and no uptake rate that would give them away.
	submitAndWait(t, ctx, `document.querySelector("nav a[href='/console/dashboard']").click()`,
		`document.querySelector("table[data-chart=campaign_uptake] tr[data-label='Flu 2026 (flu)']") !== null`)
	submitAndWait(t, ctx, `const s = document.querySelector("#organisation");
		s.value = [...s.options].find(o => o.text.startsWith("Demo")).value;
		document.querySelector("form.dashboard-filters").requestSubmit()`,
		`location.search.includes("organisation=") && document.querySelector("table[data-chart=campaign_uptake] tr[data-label='Flu 2026 (flu)']") !== null`)
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[][]string](pageFiguresJS))
	if err != nil {
		t.Fatal(err)
	}
	figures := map[string]string{}
	for _, r := range rows {
		if r[0] == "campaign_uptake" && r[2] == "Flu 2026 (flu)" || r[0] == "campaign_uptake_by_staff_group" && r[2] == "Nursing and Midwifery Registered" {
			figures[r[0]+"/"+r[1]] = r[3]
		}
	}
	for _, chart := range []string{"campaign_uptake", "campaign_uptake_by_staff_group"} {
		for series, want := range map[string]string{"Invited": "<5", "Replied": "<5", "Booked": "<5", "Had it elsewhere": "<5",
			"Declined": "0", "Question for OH": "<5", "Uptake (%)": "suppressed"} {
			if got := figures[chart+"/"+series]; got != want {
				t.Errorf("the dashboard's %s %s: %q, want %q", chart, series, got, want)
			}
		}
	}
	checkAxe(t, ctx, axe, "dashboard with a campaign")
}

// TestCampaignListUploadInBrowser is the list upload of issue 21 through
// the real form: the demo's OH lead chooses a CSV that has no Assignment
// Number column and is told so next to the file's field, the form kept as
// filled in; chooses a file over 32 MiB and is told so; then chooses an
// ESR-like export (a byte-order mark, CRLF, Assignment Number among other
// columns) and gets the draft for the two people in it. axe-core finds no
// WCAG 2.2 AA violation on the form, with and without the errors.
func TestCampaignListUploadInBrowser(t *testing.T) {
	t.Parallel()
	ctx, axe := browser(t)
	base, _ := startConsoleDemo(t)
	dir := t.TempDir()
	noColumn, export := filepath.Join(dir, "names.csv"), filepath.Join(dir, "Staff in post.csv")
	if err := os.WriteFile(noColumn, []byte("Last Name,First Name\nJones,Bryn\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(export, []byte("\ufeffPerson Number,Last Name,Assignment Number,Staff Group\r\n"+
		"100002,Jones,90000002-1,Allied Health Professionals\r\n100004,Patel,90000004-1,Estates and Ancillary\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	signInToConsole(t, ctx, base, demo.LeadEmail, demo.LeadPassword, `location.pathname === "/console/"`)
	within(t, ctx, 20*time.Second, chromedp.Navigate(base+"/console/campaigns/new"),
		drop(chromedp.Poll[bool](`document.readyState === "complete"`)))
	checkAxe(t, ctx, axe, "new campaign with a file field")
	within(t, ctx, 10*time.Second, chromedp.SetUploadFiles(chromedp.CSS("#list-file"), []string{noColumn}))
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().In(london).Add(time.Hour).Format("2006-01-02T15:04")
	fillIn := `const org = document.querySelector("#organisation");
		if (org) { org.value = [...org.options].find(o => o.text.startsWith("Demo")).value; }
		document.querySelector("#name").value = "Flu 2026 from ESR";
		document.querySelector("#vaccine").value = "flu";
		document.querySelector("#audience-list").checked = true;
		document.querySelector("#starts-at").value = "` + start + `";`
	submitAndWait(t, ctx, fillIn+`document.querySelector("form[action='/console/campaigns']").requestSubmit()`,
		`document.querySelector("#list-file-error") !== null`)
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[document.querySelector("#list-file-error").innerText,
		document.querySelector("#name").value, String(document.querySelector("#audience-list").checked)]`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got[0], "no Assignment Number column") || got[1] != "Flu 2026 from ESR" || got[2] != "true" {
		t.Errorf("after a file without the column: error %q, name %q, list chosen %s", got[0], got[1], got[2])
	}
	checkAxe(t, ctx, axe, "new campaign, file refused")

	// A file over the limit is answered with the form, not a broken
	// connection, however early the server answers; the form is then as it
	// first shows (the body was not read).
	huge := filepath.Join(dir, "huge.csv")
	if err := os.WriteFile(huge, bytes.Repeat([]byte("90000002-1,Jones,Bryn,Allied Health Professionals,Demo\n"), 40<<20/52), 0o600); err != nil {
		t.Fatal(err)
	}
	within(t, ctx, 10*time.Second, chromedp.SetUploadFiles(chromedp.CSS("#list-file"), []string{huge}))
	submitAndWait(t, ctx, `document.querySelector("form[action='/console/campaigns']").requestSubmit()`,
		`(document.querySelector("#list-file-error")?.innerText ?? "").includes("larger than 32 MB")`)

	checkAxe(t, ctx, axe, "new campaign, file too large")

	within(t, ctx, 10*time.Second, chromedp.SetUploadFiles(chromedp.CSS("#list-file"), []string{export}))
	submitAndWait(t, ctx, fillIn+`document.querySelector("form[action='/console/campaigns']").requestSubmit()`,
		`/^\/console\/campaigns\/\d+$/.test(location.pathname) && document.querySelector("#campaign-cost") !== null`)
	page, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page, "2 people are to be invited") {
		t.Errorf("the draft from the export does not invite its two people:\n%s", page)
	}
	checkAxe(t, ctx, axe, "draft campaign from a file")
}
