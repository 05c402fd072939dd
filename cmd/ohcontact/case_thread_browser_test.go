package main

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ohcontact/ohcontact/demo"
	"github.com/ohcontact/ohcontact/postgres"
)

// openCase goes from the page the browser is on to the case page at path,
// as a click on a link would.
func openCase(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	submitAndWait(t, ctx, `location.assign("`+path+`")`, `location.pathname === "`+path+`" && document.querySelector("h1") !== null`)
}

// TestPriorityInBrowser is H18's control in the browser: the clinician
// holding an urgent case lowers it only with a written reason (the form
// says so next to the field, and keeps the choice), then raises it again;
// the timeline says what changed and why. axe-core finds no WCAG 2.2 AA
// violation with the error showing.
func TestPriorityInBrowser(t *testing.T) {
	t.Parallel()
	ctx, axe := browser(t)
	base, db := startConsoleDemo(t)
	id := textRisk(t, base, db)
	path := "/console/cases/" + strconv.FormatInt(id, 10)
	signInToConsole(t, ctx, base, demo.ClinicianEmail, demo.ClinicianPassword, `location.pathname === "/console/"`)
	openCase(t, ctx, path)
	submitAndWait(t, ctx, `document.querySelector("form[action$='/claim']").requestSubmit()`,
		`document.body.textContent.includes("You have claimed this case.")`)

	form := `document.querySelector("form[action$='/priority']")`
	submitAndWait(t, ctx, form+`.querySelector("input[value=routine]").checked = true; `+form+`.requestSubmit()`,
		`document.querySelector("#priority-reason-error") !== null`)
	checkAxe(t, ctx, axe, "case with a priority error")
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](form+`.querySelector("input[value=routine]").checked`)); err != nil || !ok {
		t.Errorf("the refused form lost the chosen priority (%v)", err)
	}
	assertPriority(t, db, id, "urgent")

	submitAndWait(t, ctx, `document.querySelector("#priority-reason").value = "Spoke to her: safe, with family, GP tomorrow.";
		`+form+`.querySelector("input[value=routine]").checked = true; `+form+`.requestSubmit()`,
		`document.body.textContent.includes("The case's priority has been changed")`)
	assertPriority(t, db, id, "routine")
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(".timeline").textContent`)); err != nil ||
		!strings.Contains(got, "Priority changed by") || !strings.Contains(got, "GP tomorrow") {
		t.Errorf("the timeline does not say the priority changed and why: %q (%v)", got, err)
	}

	submitAndWait(t, ctx, form+`.querySelector("input[value=urgent]").checked = true; `+form+`.requestSubmit()`,
		`document.body.textContent.includes("The case's priority has been changed")`)
	assertPriority(t, db, id, "urgent")
}

// assertPriority fails unless case id has priority want.
func assertPriority(t *testing.T, db *postgres.DB, id int64, want string) {
	t.Helper()
	var got string
	if err := db.Pool.QueryRow(t.Context(), `SELECT priority FROM cases WHERE id = $1`, id).Scan(&got); err != nil || got != want {
		t.Fatalf("case priority %q (%v), want %q", got, err, want)
	}
}

// TestReplyAfterHandBackInBrowser is H19's control end to end: the
// clinician replies to the person and hands the conversation back; the
// person's answer, texted from the demo phone, shows on the open case page
// after the marker without a reload, and after one with the new-message
// cue; resolving with the closing message
// ticked sends it to the phone. axe-core finds no WCAG 2.2 AA violation
// with the cue showing.
func TestReplyAfterHandBackInBrowser(t *testing.T) {
	t.Parallel()
	ctx, axe := browser(t)
	base, db := startConsoleDemo(t)
	id := textRisk(t, base, db)
	path := "/console/cases/" + strconv.FormatInt(id, 10)
	signInToConsole(t, ctx, base, demo.ClinicianEmail, demo.ClinicianPassword, `location.pathname === "/console/"`)
	openCase(t, ctx, path)
	submitAndWait(t, ctx, `document.querySelector("form[action$='/claim']").requestSubmit()`,
		`document.querySelector("form[action$='/reply']") !== null`)
	submitAndWait(t, ctx, `document.querySelector("#reply").value = "Can I call you on Monday at 9am?";
		document.querySelector("form[action$='/reply']").requestSubmit()`,
		`document.body.textContent.includes("Your reply has been queued to send.")`)
	submitAndWait(t, ctx, `document.querySelector("form[action$='/hand-back']").requestSubmit()`,
		`document.body.textContent.includes("The conversation has been handed back")`)

	resp, err := postDemoPhone(t, base, url.Values{"number": {"+447700900101"}, "body": {"yes Monday 9am is fine"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// The open page shows it without a reload.
	poll(t, ctx, 15*time.Second, `document.querySelector(".transcript-break") !== null
		&& document.querySelector(".transcript").textContent.includes("yes Monday 9am is fine")`)
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var n int
		if db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM cases WHERE id = $1 AND new_message_at IS NOT NULL`, id).Scan(&n) == nil && n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the person's answer after the hand-back raised no new-message cue on the case")
		}
	}
	openCase(t, ctx, path)
	poll(t, ctx, 10*time.Second, `document.body.textContent.includes("New message from the person")
		&& document.querySelector(".transcript-break") !== null
		&& document.querySelector(".transcript").textContent.includes("yes Monday 9am is fine")`)
	checkAxe(t, ctx, axe, "case with a reply after the hand-back")

	submitAndWait(t, ctx, `document.querySelector("form[action$='/resolve'] input[name=outcome]").checked = true;
		document.querySelector("form[action$='/resolve']").requestSubmit()`,
		`document.body.textContent.includes("The case has been resolved.")`)
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if _, page := get(t, base+"/demo/phone?number=%2B447700900101"); strings.Contains(page, "has closed this conversation") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the demo phone never got the closing message")
		}
	}
}
