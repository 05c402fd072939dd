package main

import (
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/ohcontact/ohcontact/demo"
	"github.com/ohcontact/ohcontact/escalation"
)

// TestFollowUpAlertInBrowser is the follow-up control for hazard H2
// (escalation raised but not actioned): the demo clinician starts duty,
// claims a case and sets a follow-up for tomorrow at 09:30 with a note; the
// case page lists it (axe-core finds no WCAG 2.2 AA violation); when the
// follow-up job runs at that time (an injected clock), the open queue page
// shows the banner "Follow-up due: case N" without a reload, with a link
// to the case, and no note (axe-core again).
func TestFollowUpAlertInBrowser(t *testing.T) {
	t.Parallel()
	ctx, axe := browser(t)
	base, db := startConsoleDemo(t)
	id := textRisk(t, base, db)
	caseID := strconv.FormatInt(id, 10)

	signInToConsole(t, ctx, base, demo.ClinicianEmail, demo.ClinicianPassword, `location.pathname === "/console/" && document.querySelector("form[action='/console/duty']") !== null`)
	submitAndWait(t, ctx, `document.querySelector("form[action='/console/duty']").requestSubmit()`,
		`document.body.textContent.includes("You are on duty")`)

	within(t, ctx, 20*time.Second, chromedp.Navigate(base+"/console/cases/"+caseID),
		drop(chromedp.Poll[bool](`document.querySelector("form[action$='/claim']") !== null`)))
	submitAndWait(t, ctx, `document.querySelector("form[action$='/claim']").requestSubmit()`,
		`document.querySelector("form[action$='/follow-ups']") !== null`)

	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	tomorrow := time.Now().In(london).AddDate(0, 0, 1)
	due := time.Date(tomorrow.Year(), tomorrow.Month(), tomorrow.Day(), 9, 30, 0, 0, london)
	const note = "Call to ask how the GP appointment went"
	submitAndWait(t, ctx, `document.querySelector("#follow-up-date").value = "`+due.Format("2006-01-02")+`";
		document.querySelector("#follow-up-time").value = "09:30";
		document.querySelector("#follow-up-note").value = "`+note+`";
		document.querySelector("form[action$='/follow-ups']").requestSubmit()`,
		`document.body.textContent.includes("The follow-up has been set")
		&& document.querySelector("#follow-ups + ul [data-follow-up-id]").textContent.includes("`+note+`")
		&& document.querySelector("#follow-ups + ul [data-follow-up-id]").textContent.includes("09:30")`)
	checkAxe(t, ctx, axe, "case page with a follow-up")

	within(t, ctx, 20*time.Second, chromedp.Navigate(base+"/console/"),
		drop(chromedp.Poll[bool](`document.querySelector("#live-status").textContent === "Live"`)))
	within(t, ctx, 5*time.Second, drop(chromedp.Evaluate[any](`window.sameQueuePage = true`)))

	// The follow-up job, as the server's worker would run it at 09:30.
	var args escalation.FollowUpArgs
	if err := db.Pool.QueryRow(t.Context(), `SELECT (args->>'follow_up_id')::bigint, (args->>'due')::timestamptz FROM river_job
		WHERE kind = 'case_follow_up'`).Scan(&args.FollowUpID, &args.Due); err != nil {
		t.Fatalf("no follow-up job: %v", err)
	}
	if !args.Due.Equal(due) {
		t.Fatalf("follow-up due %v, want %v", args.Due, due)
	}
	w := &escalation.FollowUpChecks{DB: db, Location: london, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return due }}
	if err := w.Work(t.Context(), &river.Job[escalation.FollowUpArgs]{JobRow: &rivertype.JobRow{}, Args: args}); err != nil {
		t.Fatal(err)
	}

	banner := `document.querySelector("[data-console-alerts] [role='alert']")`
	poll(t, ctx, 15*time.Second, `window.sameQueuePage === true && `+banner+` !== null
		&& `+banner+`.textContent.includes("Follow-up due: case `+caseID+`,")
		&& `+banner+`.textContent.includes("09:30")
		&& !`+banner+`.textContent.includes("GP appointment")
		&& `+banner+`.querySelector("a[href='/console/cases/`+caseID+`']") !== null`)
	checkAxe(t, ctx, axe, "queue with a follow-up alert")
}
