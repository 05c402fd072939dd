package main

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ohcontact/ohcontact/demo"
)

// TestNewStartersInBrowser is the OH team working a new starter on the
// worklist: the demo lead opens "New starters", sees the one who did not
// reply after the reminder flagged (among the pilot month's), marks the
// questionnaire received and then clearance given, and the banner counts
// one fewer. axe-core finds no WCAG 2.2 AA violation on the page with a
// worklist item, nor after each mark.
func TestNewStartersInBrowser(t *testing.T) {
	t.Parallel()
	ctx, axe := browser(t)
	base, db := startConsoleDemo(t)
	var id int64
	err := db.Pool.QueryRow(t.Context(), `
		INSERT INTO new_starters (organisation_id, staff_id, starts_on, state, welcome_due_at, worklist_at, worklist_reason)
		SELECT organisation_id, id, current_date + 5, 'worklist', now() - interval '9 days', now() - interval '1 day', 'no_reply'
		FROM staff WHERE first_name <> '' ORDER BY id LIMIT 1 RETURNING id`).Scan(&id)
	if err != nil {
		t.Fatalf("seed a new starter: %v", err)
	}
	row := fmt.Sprintf(`document.querySelector("tr[data-new-starter-id='%d']")`, id)

	signInToConsole(t, ctx, base, demo.LeadEmail, demo.LeadPassword, `location.pathname === "/console/"`)
	submitAndWait(t, ctx, `Array.from(document.querySelectorAll("nav a")).find(a => a.textContent === "New starters").click()`,
		`location.pathname === "/console/new-starters" && `+row+` !== null`)
	// The banner's count of those on the worklist: 0 without a banner.
	const onWorklist = `(() => { const b = document.querySelector(".alert-banner-title");
		return b === null ? 0 : parseInt(b.textContent.replaceAll(",", ""), 10); })()`
	flagged, err := chromedp.Run(ctx, chromedp.Evaluate[int](onWorklist))
	if err != nil || flagged < 1 {
		t.Fatalf("the worklist banner counts %d (%v), want the new starter", flagged, err)
	}
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](row+`.innerText.includes("Worklist")`)); err != nil || !ok {
		t.Fatalf("the new starter is not flagged on the worklist (%v)", err)
	}
	checkAxe(t, ctx, axe, "new starters with a worklist item")

	submitAndWait(t, ctx, row+`.querySelector("form[action$='/questionnaire-received']").requestSubmit()`,
		`document.body.innerText.includes("Questionnaire marked received.")`)
	checkAxe(t, ctx, axe, "new starters after the questionnaire came back")
	submitAndWait(t, ctx, row+`.querySelector("form[action$='/clearance-given']").requestSubmit()`,
		`document.body.innerText.includes("Clearance marked given.")`)
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!`+row+`.innerText.includes("Worklist")`)); err != nil || !ok {
		t.Errorf("the cleared new starter is still flagged on the worklist (%v)", err)
	}
	if left, err := chromedp.Run(ctx, chromedp.Evaluate[int](onWorklist)); err != nil || left != flagged-1 {
		t.Errorf("after clearance the worklist banner counts %d (%v), want %d", left, err, flagged-1)
	}
	checkAxe(t, ctx, axe, "new starters after clearance")
	var marks int
	if err := db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM new_starters WHERE id = $1
		AND questionnaire_received_by IS NOT NULL AND clearance_given_by IS NOT NULL`, id).Scan(&marks); err != nil || marks != 1 {
		t.Errorf("the marks were not stored with their user (%v)", err)
	}
}
