package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/ohcontact/ohcontact/demo"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// startConsoleDemo serves the demo on a fresh database until the test ends
// and returns its base URL and a pool on its database.
func startConsoleDemo(t *testing.T) (string, *postgres.DB) {
	t.Helper()
	dbURL := pgtest.NewEmptyURL(t)
	addr := freeAddr(t)
	base := "http://" + addr
	startDemoAt(t, dbURL, addr, base)
	db := openDB(t, dbURL)
	return base, db
}

// textRisk sends a risky text from a demo number, as a person would, and
// waits until its case is open.
func textRisk(t *testing.T, base string, db *postgres.DB) int64 {
	t.Helper()
	resp, err := postDemoPhone(t, base, url.Values{"number": {"+447700900101"}, "body": {"i cant go on, i have the pills ready"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var id int64
		if db.Pool.QueryRow(t.Context(), `SELECT id FROM cases WHERE status = 'open'`).Scan(&id) == nil {
			return id
		}
	}
	t.Fatal("the risky text opened no case")
	return 0
}

// poll waits until expression is true in the page.
func poll(t *testing.T, ctx context.Context, d time.Duration, expression string) {
	t.Helper()
	within(t, ctx, d, drop(chromedp.Poll[bool](expression, chromedp.WithPollingInterval(50*time.Millisecond))))
}

// TestLiveQueueInBrowser is H2's live control: a clinician has the queue
// open; a risky text arrives; its case appears in the queue without a
// reload, with the status saying the queue is live; an SLA alert appears
// as a banner, and axe-core finds no WCAG 2.2 AA violation with it
// showing.
func TestLiveQueueInBrowser(t *testing.T) {
	t.Parallel()
	ctx, axe := browser(t)
	base, db := startConsoleDemo(t)

	signInToConsole(t, ctx, base, demo.ClinicianEmail, demo.ClinicianPassword, `location.pathname === "/console/" && document.querySelector("#live-status").textContent === "Live"`)
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#queue-rows").textContent`)); err != nil ||
		!strings.Contains(got, "No unresolved cases.") {
		t.Fatalf("the queue is not empty to begin with: %q (%v)", got, err)
	}
	// A reload would lose this mark.
	within(t, ctx, 5*time.Second, drop(chromedp.Evaluate[any](`window.sameQueuePage = true`)))

	id := textRisk(t, base, db)
	caseID := strconv.FormatInt(id, 10)
	row := `document.querySelector("#queue-rows tr[data-case-id='` + caseID + `']")`
	poll(t, ctx, 15*time.Second, `window.sameQueuePage === true && `+row+` !== null && `+row+`.textContent.includes("Urgent")
		&& document.querySelector("[data-console-queue] caption").textContent === "1 unresolved case"`)
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#live-status[aria-live='polite']").textContent`)); err != nil || got != "Live" {
		t.Fatalf("live status %q (%v), want Live", got, err)
	}

	// The SLA job alerts the clinician.
	if _, err := db.Pool.Exec(t.Context(), `INSERT INTO clinician_alerts (user_id, case_id, kind)
		SELECT id, $2, 'sla_breached' FROM users WHERE email = $1`, demo.ClinicianEmail, id); err != nil {
		t.Fatal(err)
	}
	banner := `document.querySelector("[data-console-alerts] [role='alert']")`
	poll(t, ctx, 15*time.Second, `window.sameQueuePage === true && `+banner+` !== null
		&& `+banner+`.textContent.includes("Case `+caseID+` was not claimed within its SLA")
		&& `+banner+`.querySelector("a[href='/console/cases/`+caseID+`']") !== null
		&& `+banner+`.querySelector("form[action$='/seen'] button") !== null`)
	checkAxe(t, ctx, axe, "live queue with an alert")

	// Marking it seen takes the banner away.
	submitAndWait(t, ctx, banner+`.querySelector("form").requestSubmit()`,
		`document.body.textContent.includes("The alert has been marked as seen.") && `+banner+` === null`)
}

// TestConsoleKeyboardOnly is H11's keyboard control for the console: a
// clinician signs in, opens a case from the queue, claims it and resolves
// it with the keyboard alone (Tab, typing, Space and Enter), and every
// control on the way is reached in order and shows where the focus is.
func TestConsoleKeyboardOnly(t *testing.T) {
	t.Parallel()
	ctx, _ := browser(t)
	base, db := startConsoleDemo(t)
	id := textRisk(t, base, db)
	caseID := strconv.FormatInt(id, 10)

	within(t, ctx, 20*time.Second, chromedp.Navigate(base+"/console/login"),
		drop(chromedp.Poll[bool](`document.readyState === "complete"`)))
	tabTo(t, ctx, "a.skip-link")
	tabTo(t, ctx, "#email")
	within(t, ctx, 10*time.Second, chromedp.KeyEvent(demo.ClinicianEmail))
	tabTo(t, ctx, "#password")
	within(t, ctx, 10*time.Second, chromedp.KeyEvent(demo.ClinicianPassword))
	tabTo(t, ctx, "form[action='/console/login'] button[type=submit]")
	pressAndWait(t, ctx, kb.Enter, `location.pathname === "/console/"`)

	tabTo(t, ctx, "form[action='/console/duty'] button")
	tabTo(t, ctx, "#queue-rows a[href='/console/cases/"+caseID+"']")
	pressAndWait(t, ctx, kb.Enter, `location.pathname === "/console/cases/`+caseID+`"`)

	tabTo(t, ctx, "a.back-link")
	tabTo(t, ctx, "form[action$='/claim'] button")
	pressAndWait(t, ctx, kb.Enter, `document.body.textContent.includes("You have claimed this case.")`)

	tabTo(t, ctx, "#reply")
	tabTo(t, ctx, "input[name=outcome]")
	within(t, ctx, 5*time.Second, chromedp.KeyEvent(" "))
	if checked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.activeElement.checked`)); err != nil || !checked {
		t.Fatalf("Space did not choose the outcome (%v)", err)
	}
	tabTo(t, ctx, "#resolve-note")
	within(t, ctx, 10*time.Second, chromedp.KeyEvent("Called; support arranged."))
	tabTo(t, ctx, "form[action$='/resolve'] button[type=submit]")
	pressAndWait(t, ctx, kb.Enter, `document.body.textContent.includes("The case has been resolved.")`)

	var status, outcome string
	if err := db.Pool.QueryRow(t.Context(), `SELECT status, outcome FROM cases WHERE id = $1`, id).Scan(&status, &outcome); err != nil ||
		status != "resolved" || outcome != "support_arranged" {
		t.Fatalf("case %d: status %q, outcome %q (%v); want resolved, support_arranged", id, status, outcome, err)
	}
}

// focus is where the keyboard focus is, as tabTo sees it.
type focus struct {
	Matches bool   `json:"matches"`
	Visible bool   `json:"visible"`
	What    string `json:"what"`
}

// tabTo presses Tab until the element matching selector has the focus, so
// that the controls a test names in turn must come in that order. Every
// element the focus lands on must show it (an outline or a shadow: the
// console's yellow focus style). It fails the test after 60 presses.
func tabTo(t *testing.T, ctx context.Context, selector string) {
	t.Helper()
	sel, _ := json.Marshal(selector)
	var path []string
	for range 60 {
		within(t, ctx, 5*time.Second, chromedp.KeyEvent(kb.Tab))
		tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		f, err := chromedp.Run(tctx, chromedp.Evaluate[focus](`(() => {
			const e = document.activeElement, s = getComputedStyle(e);
			const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0 && s.outlineColor !== "rgba(0, 0, 0, 0)";
			return {matches: e.matches(`+string(sel)+`), visible: e !== document.body && (outline || s.boxShadow !== "none"),
				what: e.outerHTML.slice(0, 120)};
		})()`))
		cancel()
		if err != nil {
			t.Fatalf("read the focus: %v", err)
		}
		path = append(path, f.What)
		if !f.Visible {
			t.Errorf("the focus does not show on %s", f.What)
		}
		if f.Matches {
			return
		}
	}
	t.Fatalf("Tab never reached %s; it went through:\n%q", selector, path)
}

// pressAndWait presses key and waits until the page it leads to has loaded
// and predicate holds, as submitAndWait does for a script.
func pressAndWait(t *testing.T, ctx context.Context, key, predicate string) {
	t.Helper()
	within(t, ctx, 10*time.Second, drop(chromedp.Evaluate[any](`window.oldPage = true`)), chromedp.KeyEvent(key))
	awaitNewPage(t, ctx, fmt.Sprintf("after pressing %q", key), predicate)
}
