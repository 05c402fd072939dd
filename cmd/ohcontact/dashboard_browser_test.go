package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/ohcontact/ohcontact/demo"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// pageFiguresJS reads every figure of the dashboard's tables as [chart,
// series, label, value], the value as the export writes it.
const pageFiguresJS = `[...document.querySelectorAll("table[data-chart]")].flatMap(t =>
	[...t.querySelectorAll("tr[data-label]")].flatMap(r =>
		[...r.querySelectorAll("td[data-series]")].map(c =>
			[t.dataset.chart, c.dataset.series, r.dataset.label, c.textContent.trim().replaceAll(",", "")])))`

// TestDashboardInBrowser signs in to a fresh demo as its OH lead and opens
// the pilot dashboard from the navigation: the organisations side by side,
// then every chart drawn, with a caption and its figures' table, from the
// seeded pilot month; the export has the page's figures, for every
// organisation and for one; axe-core finds no WCAG 2.2 AA violation with
// the tables closed or open; and the page prints as a report on A4.
func TestDashboardInBrowser(t *testing.T) {
	t.Parallel()
	ctx, axe := browser(t)
	dbURL := pgtest.NewEmptyURL(t)
	addr := freeAddr(t)
	base := "http://" + addr
	startDemoAt(t, dbURL, addr, base)

	signInToConsole(t, ctx, base, demo.LeadEmail, demo.LeadPassword, `location.pathname === "/console/"`)
	const charts = 34
	drawn := `location.pathname === "/console/dashboard" && document.querySelectorAll("figure > svg[role=img]").length === ` + strconv.Itoa(charts)
	submitAndWait(t, ctx, `document.querySelector("nav a[href='/console/dashboard']").click()`, drawn)
	checkAxe(t, ctx, axe, "dashboard")

	complete, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`[...document.querySelectorAll("section.chart")].every(s =>
		s.querySelector(".chart-caption") !== null && s.querySelector("table[data-chart]") !== null &&
		(s.querySelector("svg") === null ? s.id === "chart-trusts_side_by_side" :
			s.querySelector("figure > svg > title") !== null && s.querySelector("figure > svg > desc") !== null &&
			s.querySelector("details table[data-chart]") !== null))`))
	if err != nil || !complete {
		t.Error("a chart lacks its caption, its SVG title and description, or its table")
	}
	// Every organisation's figures side by side, by name, under all of them together.
	columns, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(
		"table[data-chart=trusts_side_by_side] thead th")].map(th => th.textContent.trim())`))
	if err != nil || len(columns) != 6 || columns[1] != "All organisations" || !slices.Contains(columns, "Tees Moorland NHS Foundation Trust") {
		t.Errorf("the side-by-side table's columns are %q (%v), want the figure, all organisations and the five by name", columns, err)
	}
	figures := exportMatchesPage(t, ctx, "every organisation", "all")

	// The pilot month is there: figures, not only zeros and "<5".
	sums := map[string]float64{}
	for _, f := range figures {
		if n, err := strconv.ParseFloat(f[3], 64); err == nil {
			sums[f[0]+"/"+f[1]] += n
		}
	}
	for _, series := range []string{"contacts_by_week/Day-1 absence reports", "contacts_by_week/Stress check-ins",
		"contacts_by_week/MSK check-ins", "contacts_by_week/Long-term check-ins", "signposts_by_service/Conversations",
		"physio_referrals/Made", "physio_referrals/Booked", "cases_by_priority/Opened", "conversations/SMS", "conversations/Web chat",
		"campaign_uptake/Invited", "campaign_uptake_by_staff_group/Booked", "campaign_uptake_by_week/Had it elsewhere",
		"new_starter_clearance/Starters", "new_starter_clearance/Cleared"} {
		if sums[series] < 10 {
			t.Errorf("%s adds up to %v in the demo's pilot month, want more", series, sums[series])
		}
	}
	// The demo's baseline year before go-live gives a comparison: both
	// periods' days lost, and their difference with an interval.
	compared := 0
	for _, f := range figures {
		if f[0] != "before_after_all" || f[2] != "Days lost per 100 staff a month" {
			continue
		}
		if v, err := strconv.ParseFloat(f[3], 64); (f[1] == "Baseline" || f[1] == "Pilot") && err == nil && v > 0 {
			compared++
		}
		if f[1] == "Difference (95% interval)" && regexp.MustCompile(`^−?[0-9.]+ \(−?[0-9.]+ to −?[0-9.]+\)$`).MatchString(f[3]) {
			compared++
		}
	}
	if compared != 3 {
		t.Errorf("the demo's dashboard does not compare days lost before and after go-live: %d of baseline, pilot and difference", compared)
	}
	for _, f := range figures {
		if f[0] == "response_rate" && f[1] == "Answered (%)" && f[2] == "All check-ins" {
			if rate, err := strconv.ParseFloat(f[3], 64); err != nil || rate < 50 || rate > 75 {
				t.Errorf("%s%% of check-ins answered, want about 60%%", f[3])
			}
		}
	}

	within(t, ctx, 10*time.Second, drop(chromedp.Evaluate[any](`document.querySelectorAll("details.chart-data").forEach(d => d.open = true)`)))
	checkAxe(t, ctx, axe, "dashboard with its tables open")
	printsOnA4(t, ctx)

	submitAndWait(t, ctx, `const s = document.querySelector("#organisation");
		s.value = [...s.options].find(o => o.text.startsWith("Tees Moorland")).value;
		document.querySelector("form.dashboard-filters").requestSubmit()`,
		drawn+` && location.search.includes("organisation=") && document.querySelector("main p strong").textContent.includes("Tees Moorland")`)
	exportMatchesPage(t, ctx, "Tees Moorland", "DEMO-TEES")

	// Staff feedback's comments page, from the navigation, is accessible too.
	submitAndWait(t, ctx, `document.querySelector("nav a[href='/console/feedback']").click()`,
		`location.pathname === "/console/feedback" && document.querySelector("h1") !== null`)
	checkAxe(t, ctx, axe, "staff feedback")

	db := openDB(t, dbURL)
	var views, exports int
	err = db.Pool.QueryRow(t.Context(), `SELECT count(*) FILTER (WHERE action = 'dashboard.view'), count(*) FILTER (WHERE action = 'dashboard.export')
		FROM audit_events a JOIN users u ON u.id = a.actor_id WHERE u.email = $1`, demo.LeadEmail).Scan(&views, &exports)
	if err != nil || views != 2 || exports != 2 {
		t.Errorf("%d views and %d exports of the dashboard audited (%v), want 2 each", views, exports, err)
	}
}

// exportMatchesPage downloads the export of the dashboard the browser
// shows, with its session and filters, and checks that its lines of
// organisation code (all: every organisation together) have exactly the
// page's figures, which it returns as [chart, series, label, value].
func exportMatchesPage(t *testing.T, ctx context.Context, what, code string) [][]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	page, err := chromedp.Run(ctx, chromedp.Evaluate[[][]string](pageFiguresJS))
	if err != nil {
		t.Fatalf("%s: read the page's figures: %v", what, err)
	}
	await := func(p *runtime.EvaluateParams) { yes := true; p.AwaitPromise = &yes }
	body, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch("/console/dashboard.csv" + location.search).then(r => r.text())`, await))
	if err != nil {
		t.Fatalf("%s: download the export: %v", what, err)
	}
	records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(records) == 0 || strings.Join(records[0], ",") != "organisation,chart,series,label,value" {
		t.Fatalf("%s: the export is not the dashboard's CSV (%v):\n%.500s", what, err, body)
	}
	var export [][]string
	for _, r := range records[1:] {
		if r[0] == code {
			export = append(export, r[1:])
		}
	}
	if len(page) < 50 || fmt.Sprint(export) != fmt.Sprint(page) {
		t.Errorf("%s: the export's figures are not the page's:\nexport %v\npage   %v", what, export, page)
	}
	return page
}

// printsOnA4 prints the dashboard the browser shows to PDF on A4, as an
// OH lead printing it for a board would, and checks that it is a report:
// in print, no chart is wider than the page or split across two (each
// section is shorter than a page), the navigation, filters and tables are
// gone, and the PDF has no more pages than the page has charts.
func printsOnA4(t *testing.T, ctx context.Context) {
	t.Helper()
	// A bound for a stuck browser, not a speed target: printing 24 pages of
	// charts took over 30 s on a busy two-core machine.
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	// A4 less the print stylesheet's 12 mm margins, in CSS pixels (96 an inch).
	pageWidth, pageHeight := (210-24)/25.4*96, (297-24)/25.4*96
	type layout struct {
		Sections, Hidden   int
		Widest, Tallest    float64
		TallestID, Visible string
	}
	var got layout
	err := chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
			return err
		}),
		chromedp.EmulateViewport(int64(pageWidth), int64(pageHeight)),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			var err error
			got, err = chromedp.Evaluate[layout](`(() => {
				const sections = [...document.querySelectorAll("section.chart")];
				const tallest = sections.reduce((a, s) => s.getBoundingClientRect().height > a.getBoundingClientRect().height ? s : a);
				const shown = sel => [...document.querySelectorAll(sel)].filter(e => e.getClientRects().length > 0);
				return {Sections: sections.length,
					Widest: Math.max(document.documentElement.scrollWidth, ...sections.map(s => s.getBoundingClientRect().right)),
					Tallest: tallest.getBoundingClientRect().height, TallestID: tallest.id,
					Hidden: shown("nav, form.dashboard-filters, details.chart-data, .dashboard-download").length,
					Visible: document.querySelector("main p strong").textContent};
			})()`)(ctx, tg)
			return err
		}))
	if err != nil {
		t.Fatalf("lay the dashboard out for print: %v", err)
	}
	if got.Widest > pageWidth+1 {
		t.Errorf("printed, the dashboard is %.0f px wide, wider than A4's %.0f", got.Widest, pageWidth)
	}
	if got.Tallest > pageHeight {
		t.Errorf("printed, %s is %.0f px tall, taller than A4's %.0f: it would be split", got.TallestID, got.Tallest, pageHeight)
	}
	if got.Hidden != 0 || got.Visible == "" {
		t.Errorf("printed, %d navigation, filter, table or download elements show, and the period reads %q", got.Hidden, got.Visible)
	}
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), func(p *page.PrintToPDFParams) {
		yes := true
		p.PreferCSSPageSize = &yes
	}))
	if err != nil {
		t.Fatalf("print the dashboard to PDF: %v", err)
	}
	pages := len(pdfPage.FindAll(pdf, -1))
	t.Logf("the dashboard prints on %d A4 pages (%d charts)", pages, got.Sections)
	if pages == 0 || pages > got.Sections {
		t.Errorf("the dashboard prints on %d A4 pages, want 1 to %d (one a chart at most)", pages, got.Sections)
	}
	within(t, ctx, 5*time.Second, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
		return err
	}), chromedp.ResetViewport())
}

// pdfPage matches a page object of a PDF (not the /Pages tree).
var pdfPage = regexp.MustCompile(`/Type\s*/Page[^s]`)
