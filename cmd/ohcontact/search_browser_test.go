package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ohcontact/ohcontact/demo"
)

// TestFindWorkInBrowser is a clinician finding work in the console: they
// search the queue for a person by name (without the accent of her name),
// narrow the queue to urgent cases, and open the list of resolved cases,
// which says each case's outcome in words and who resolved it. axe-core
// finds no WCAG 2.2 AA violation on the filtered queue or the resolved
// list.
func TestFindWorkInBrowser(t *testing.T) {
	t.Parallel()
	ctx, axe := browser(t)
	base, db := startConsoleDemo(t)

	// Three cases of the demo organisation, for three of its staff, one of
	// them renamed Zoë Lloyd-Hughes: an urgent case, a routine one, and
	// one resolved by the demo clinician.
	var zoe, routine, resolved int64
	err := db.Pool.QueryRow(t.Context(), `
		WITH s AS (SELECT id, organisation_id, row_number() OVER (ORDER BY id) AS n FROM staff
		           WHERE organisation_id = (SELECT id FROM organisations WHERE code = 'DEMO') ORDER BY id LIMIT 3),
		     renamed AS (UPDATE staff SET first_name = 'Zoë', last_name = 'Lloyd-Hughes' WHERE id = (SELECT id FROM s WHERE n = 1)),
		     clinician AS (SELECT id FROM users WHERE lower(email) = lower($1)),
		     c AS (
		        INSERT INTO cases (organisation_id, staff_id, priority, category, status, sla_due_at, outcome, resolved_by, resolved_at)
		        SELECT organisation_id, id, CASE n WHEN 1 THEN 'urgent' ELSE 'routine' END,
		               CASE n WHEN 1 THEN 'suicide_risk' ELSE 'asked_to_talk' END,
		               CASE n WHEN 3 THEN 'resolved' ELSE 'open' END, now() + interval '1 hour',
		               CASE n WHEN 3 THEN 'safeguarding_referral' END,
		               CASE n WHEN 3 THEN (SELECT id FROM clinician) END, CASE n WHEN 3 THEN now() END
		        FROM s ORDER BY n
		        RETURNING id, priority, status)
		SELECT (SELECT id FROM c WHERE priority = 'urgent'), (SELECT id FROM c WHERE priority = 'routine' AND status = 'open'),
		       (SELECT id FROM c WHERE status = 'resolved')`, demo.ClinicianEmail).Scan(&zoe, &routine, &resolved)
	if err != nil {
		t.Fatal(err)
	}
	row := func(id int64) string { return fmt.Sprintf(`document.querySelector('tr[data-case-id="%d"]')`, id) }

	signInToConsole(t, ctx, base, demo.ClinicianEmail, demo.ClinicianPassword, `location.pathname === "/console/" && `+row(routine)+` !== null`)

	// A name, typed as people type it.
	submitAndWait(t, ctx, `document.querySelector("#q").value = "zoe lloyd";
		document.querySelector("form[role=search]").requestSubmit()`,
		row(zoe)+` !== null && `+row(routine)+` === null`)
	text := func(js string) string {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return got
	}
	shown := text(row(zoe) + `.textContent`)
	if !strings.Contains(shown, "Zoë Lloyd-Hughes") || !strings.Contains(shown, "Suicide risk") {
		t.Errorf("the case found shows %q, want her name and the reason in words", shown)
	}
	checkAxe(t, ctx, axe, "queue searched by name")

	// Urgent cases only: the search is cleared, the filter kept.
	submitAndWait(t, ctx, `document.querySelector("#q").value = "";
		document.querySelector("#priority").value = "urgent";
		document.querySelector("form[role=search]").requestSubmit()`,
		`location.search.includes("priority=urgent") && `+row(zoe)+` !== null && `+row(routine)+` === null`)
	if kept := text(`document.querySelector("#priority").value`); kept != "urgent" {
		t.Errorf("the priority filter shows %q after the search, want urgent", kept)
	}
	checkAxe(t, ctx, axe, "queue filtered by priority")

	// The resolved cases.
	submitAndWait(t, ctx, `document.querySelector("#priority").value = "";
		document.querySelector("#status").value = "resolved";
		document.querySelector("form[role=search]").requestSubmit()`,
		`document.querySelector("h1").textContent === "Resolved cases" && `+row(resolved)+` !== null`)
	shown = text(row(resolved) + `.textContent`)
	if !strings.Contains(shown, "Safeguarding referral made") || !strings.Contains(shown, "Asked to talk to someone") || !strings.Contains(shown, "by ") {
		t.Errorf("the resolved case shows %q, want its outcome, reason and who resolved it in words", shown)
	}
	checkAxe(t, ctx, axe, "resolved cases")

	// Clearing brings the queue back.
	submitAndWait(t, ctx, `document.querySelector("a[href='/console/']").click()`,
		`location.search === "" && `+row(routine)+` !== null && `+row(zoe)+` !== null`)
}
