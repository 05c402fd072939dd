package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// pageFiguresJS reads every figure of the dashboard's tables as [chart,
// series, label, value], the value as the export writes it.
const pageFiguresJS = `[...document.querySelectorAll("table[data-chart]")].flatMap(t =>
	[...t.querySelectorAll("tr[data-label]")].flatMap(r =>
		[...r.querySelectorAll("td[data-series]")].map(c =>
			[t.dataset.chart, c.dataset.series, r.dataset.label, c.textContent.trim().replaceAll(",", "")])))`

// TestDashboardInBrowser signs in to a fresh demo as its OH lead and opens
// the pilot dashboard from the navigation: every chart is drawn, with a
// caption and its figures' table, from the seeded pilot month; the export
// has the page's figures, for every organisation and for one; axe-core
// finds no WCAG 2.2 AA violation with the tables closed or open.
func TestDashboardInBrowser(t *testing.T) {
	t.Parallel()
	ctx, axe := browser(t)
	dbURL := pgtest.NewEmptyURL(t)
	addr := freeAddr(t)
	base := "http://" + addr
	startDemoAt(t, dbURL, addr, base)

	signInToConsole(t, ctx, base, demoLeadEmail, demoLeadPassword, `location.pathname === "/console/"`)
	const charts = 14
	drawn := `location.pathname === "/console/dashboard" && document.querySelectorAll("figure > svg[role=img]").length === ` + strconv.Itoa(charts)
	submitAndWait(t, ctx, `document.querySelector("nav a[href='/console/dashboard']").click()`, drawn)
	checkAxe(t, ctx, axe, "dashboard")

	complete, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`[...document.querySelectorAll("section.chart")].every(s =>
		s.querySelector("figure > figcaption") !== null && s.querySelector("svg > title") !== null &&
		s.querySelector("svg > desc") !== null && s.querySelector("details table[data-chart]") !== null)`))
	if err != nil || !complete {
		t.Error("a chart lacks its caption, its SVG title and description, or its table")
	}
	figures := exportMatchesPage(t, ctx, "every organisation")

	// The pilot month is there: figures, not only zeros and "<5".
	sums := map[string]float64{}
	for _, f := range figures {
		if n, err := strconv.ParseFloat(f[3], 64); err == nil {
			sums[f[0]+"/"+f[1]] += n
		}
	}
	for _, series := range []string{"contacts_by_week/Day-1 absence reports", "contacts_by_week/Stress check-ins",
		"contacts_by_week/MSK check-ins", "contacts_by_week/Long-term check-ins", "signposts_by_service/Conversations",
		"physio_referrals/Made", "physio_referrals/Booked", "cases_by_priority/Opened", "conversations/SMS", "conversations/Web chat"} {
		if sums[series] < 10 {
			t.Errorf("%s adds up to %v in the demo's pilot month, want more", series, sums[series])
		}
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

	submitAndWait(t, ctx, `const s = document.querySelector("#organisation");
		s.value = [...s.options].find(o => o.text.startsWith("Tees Moorland")).value;
		document.querySelector("form.dashboard-filters").requestSubmit()`,
		drawn+` && location.search.includes("organisation=") && document.querySelector("main p strong").textContent.includes("Tees Moorland")`)
	exportMatchesPage(t, ctx, "Tees Moorland")

	db := openDB(t, dbURL)
	var views, exports int
	err = db.Pool.QueryRow(t.Context(), `SELECT count(*) FILTER (WHERE action = 'dashboard.view'), count(*) FILTER (WHERE action = 'dashboard.export')
		FROM audit_events a JOIN users u ON u.id = a.actor_id WHERE u.email = $1`, demoLeadEmail).Scan(&views, &exports)
	if err != nil || views != 2 || exports != 2 {
		t.Errorf("%d views and %d exports of the dashboard audited (%v), want 2 each", views, exports, err)
	}
}

// exportMatchesPage downloads the export of the dashboard the browser
// shows, with its session and filters, and checks that it has exactly the
// page's figures, which it returns as [chart, series, label, value].
func exportMatchesPage(t *testing.T, ctx context.Context, what string) [][]string {
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
	if err != nil || len(records) == 0 || strings.Join(records[0], ",") != "chart,series,label,value" {
		t.Fatalf("%s: the export is not the dashboard's CSV (%v):\n%.500s", what, err, body)
	}
	if len(page) < 50 || fmt.Sprint(records[1:]) != fmt.Sprint(page) {
		t.Errorf("%s: the export's figures are not the page's:\nexport %v\npage   %v", what, records[1:], page)
	}
	return page
}
