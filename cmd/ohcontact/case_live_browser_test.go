package main

import (
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ohcontact/ohcontact/demo"
)

// TestLiveCasePageInBrowser: a clinician has a claimed case open and is
// typing a reply; the person texts again (through the demo phone, the real
// inbound path); the message appears on the open page without a reload,
// marked new, with a "New message from the person" banner in a polite live
// region, and the half-typed reply is untouched. axe-core finds no WCAG 2.2
// AA violation with the cue showing. When the case is released under the
// clinician, a banner says so with a link to reload.
func TestLiveCasePageInBrowser(t *testing.T) {
	t.Parallel()
	ctx, axe := browser(t)
	base, db := startConsoleDemo(t)
	id := textRisk(t, base, db)
	caseID := strconv.FormatInt(id, 10)

	signInToConsole(t, ctx, base, demo.ClinicianEmail, demo.ClinicianPassword, `location.pathname === "/console/"`)
	within(t, ctx, 20*time.Second, chromedp.Navigate(base+"/console/cases/"+caseID),
		drop(chromedp.Poll[bool](`document.readyState === "complete"`)))
	submitAndWait(t, ctx, `document.querySelector("form[action$='/claim']").requestSubmit()`,
		`document.querySelector("#reply") !== null && document.querySelector("#live-status").textContent === "Live"`)

	// The clinician starts a reply; a reload would lose the mark.
	const typed = "Hello, this is the OH team. I am"
	within(t, ctx, 10*time.Second, drop(chromedp.Evaluate[any](`window.samePage = true; document.querySelector("#reply").focus()`)),
		chromedp.KeyEvent(typed))

	const later = "are you still there? please call me"
	resp, err := postDemoPhone(t, base, url.Values{"number": {"+447700900101"}, "body": {later}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	poll(t, ctx, 15*time.Second, `window.samePage === true
		&& [...document.querySelectorAll("[data-case-messages] li.message-in.message-new")].some((li) => li.textContent.includes("`+later+`"))
		&& document.querySelector("[data-case-messages] li.message-new .tag-new").textContent === "New"
		&& document.querySelector("#case-notices[role='status'][aria-live='polite']").textContent.includes("New message from the person")
		&& document.querySelector("#case-notices a[href^='#message-']") !== null
		&& document.querySelector("#reply").value === "`+typed+`"
		&& document.activeElement === document.querySelector("#reply")`)
	checkAxe(t, ctx, axe, "live case page with a new message")

	// Released under the clinician (as an admin may): the forms may no
	// longer apply.
	if _, err := db.Pool.Exec(t.Context(), `UPDATE cases SET status = 'open', claimed_by = NULL, claimed_at = NULL WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	poll(t, ctx, 15*time.Second, `window.samePage === true
		&& document.querySelector("#case-notices").textContent.includes("This case has changed since the page was loaded: Open.")
		&& document.querySelector("#case-notices a[href='/console/cases/`+caseID+`']").textContent === "Reload the page"
		&& document.querySelector("#reply").value === "`+typed+`"`)
	checkAxe(t, ctx, axe, "live case page with a changed status")
}
