package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/demo"
	"github.com/ohcontact/ohcontact/postgres"
)

// submitAndWait runs script in the page (a form submission or a click) and
// waits until the page it leads to has loaded and predicate holds. The old
// page is marked, so the wait cannot end on it; the script runs after the
// evaluation returns, and evaluations cut short by the navigation are
// tried again.
func submitAndWait(t *testing.T, ctx context.Context, script, predicate string) {
	t.Helper()
	within(t, ctx, 10*time.Second, drop(chromedp.Evaluate[any](`window.oldPage = true; setTimeout(() => { `+script+` }, 0)`)))
	awaitNewPage(t, ctx, "after "+script, predicate)
}

// awaitNewPage waits until the page marked window.oldPage has been replaced
// by one that has loaded and where predicate holds, failing the test with
// what (what led there) after 20 s.
func awaitNewPage(t *testing.T, ctx context.Context, what, predicate string) {
	t.Helper()
	check := `!window.oldPage && document.readyState === "complete" && (` + predicate + `)`
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		ok, err := chromedp.Run(tctx, chromedp.Evaluate[bool](check))
		cancel()
		if err == nil && ok {
			return
		}
	}
	t.Fatalf("%s\nthe page never showed %s", what, predicate)
}

// signInToConsole signs email in with password on the console's sign-in
// page and waits until the page it leads to shows predicate.
func signInToConsole(t *testing.T, ctx context.Context, base, email, password, predicate string) {
	t.Helper()
	within(t, ctx, 20*time.Second, chromedp.Navigate(base+"/console/login"),
		drop(chromedp.Poll[bool](`document.readyState === "complete"`)))
	submitAndWait(t, ctx, `document.querySelector("#email").value = "`+email+`";
		document.querySelector("#password").value = "`+password+`";
		document.querySelector("form[action='/console/login']").requestSubmit()`, predicate)
}

// TestRiskyTextToResolvedCaseInBrowser is the clinician's path end to end:
// a risky text on the demo phone brings crisis contacts to the phone and an
// urgent case to the console queue; a clinician signs in, opens the case,
// claims it, replies (the reply reaches the phone by SMS) and resolves it.
// axe-core finds no WCAG 2.2 AA violation on any console page on the way.
func TestRiskyTextToResolvedCaseInBrowser(t *testing.T) {
	t.Parallel()
	ctx, axe := browser(t)
	base, db := startConsoleDemo(t)

	resp, err := postDemoPhone(t, base, url.Values{"number": {"+447700900101"}, "body": {"i cant go on, i have the pills ready"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	waitForPhone := func(want string) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			if _, page := get(t, base+"/demo/phone?number=%2B447700900101"); strings.Contains(page, want) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the demo phone shows no text with %q", want)
			}
		}
	}
	waitForPhone("116 123")

	within(t, ctx, 20*time.Second, chromedp.Navigate(base+"/console/login"),
		drop(chromedp.Poll[bool](`document.readyState === "complete"`)))
	checkAxe(t, ctx, axe, "login")
	submitAndWait(t, ctx, `document.querySelector("#email").value = "`+demo.ClinicianEmail+`";
		document.querySelector("#password").value = "`+demo.ClinicianPassword+`";
		document.querySelector("form[action='/console/login']").requestSubmit()`,
		`location.pathname === "/console/" && document.body.textContent.toLowerCase().includes("urgent")`)
	checkAxe(t, ctx, axe, "queue")

	submitAndWait(t, ctx, `document.querySelector("a[href^='/console/cases/']").click()`,
		`location.pathname.startsWith("/console/cases/") && document.querySelector("form[action$='/claim']") !== null`)
	checkAxe(t, ctx, axe, "case")
	submitAndWait(t, ctx, `document.querySelector("form[action$='/claim']").requestSubmit()`,
		`document.querySelector("form[action$='/reply']") !== null && document.querySelector("form[action$='/claim']") === null`)
	checkAxe(t, ctx, axe, "claimed case")

	const reply = "This is Sam from the OH team. I will call you in 10 minutes on this number."
	submitAndWait(t, ctx, `document.querySelector("#reply").value = "`+reply+`";
		document.querySelector("form[action$='/reply']").requestSubmit()`,
		`document.body.textContent.includes("I will call you in 10 minutes")`)
	waitForPhone("I will call you in 10 minutes")

	submitAndWait(t, ctx, `document.querySelector("form[action$='/resolve'] input[name=outcome]").checked = true;
		document.querySelector("form[action$='/resolve']").requestSubmit()`,
		`document.body.textContent.toLowerCase().includes("resolved")`)
	var status string
	if err := db.Pool.QueryRow(t.Context(), `SELECT status FROM cases ORDER BY id DESC LIMIT 1`).Scan(&status); err != nil || status != "resolved" {
		t.Fatalf("case status %q (%v), want resolved", status, err)
	}
	var views int
	if err := db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_events WHERE action = 'case.view'`).Scan(&views); err != nil || views == 0 {
		t.Fatalf("%d case views audited (%v), want at least one", views, err)
	}
}

// TestPhysioReferralInBrowser is the physio team's path: the demo
// physiotherapist signs in and lands on the referrals worklist, with a
// banner for the overdue referral, opens a referral, is told what is
// missing from a booking, accepts the referral and books a phone
// appointment. axe-core finds no WCAG 2.2 AA violation on any page on the
// way.
func TestPhysioReferralInBrowser(t *testing.T) {
	t.Parallel()
	ctx, axe := browser(t)
	base, db := startConsoleDemo(t)

	// Two referrals in the demo organisation, as a flow makes them: one
	// past its SLA with the red flags question unanswered, one new. They
	// are the first two demo staff's, whose own check-ins make way.
	for _, mobile := range demo.Mobiles()[:2] {
		quietDemoPhone(t, db, mobile)
	}
	var id int64
	err := db.InTx(t.Context(), func(tx pgx.Tx) error {
		var org int64
		var staff []int64
		err := tx.QueryRow(t.Context(), `SELECT id FROM organisations WHERE code = 'DEMO'`).Scan(&org)
		if err != nil {
			return err
		}
		rows, err := tx.Query(t.Context(), `SELECT id FROM staff WHERE organisation_id = $1 ORDER BY id LIMIT 2`, org)
		if err != nil {
			return err
		}
		if staff, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return err
		}
		for i, s := range staff {
			opened, err := postgres.OpenConversations(t.Context(), tx, []ohcontact.Conversation{{OrganisationID: org, StaffID: s,
				Channel: ohcontact.ChannelSMS, Address: fmt.Sprintf("+44770090099%d", i), Flow: "msk-checkin", State: "offer_self_care", Language: "en-GB"}})
			if err != nil {
				return err
			}
			conv := opened[postgres.ConversationKey{StaffID: s, Channel: ohcontact.ChannelSMS}]
			answers := map[string]string{"area": "back", "duration": "2_to_6_weeks", "red_flags": "no", "can_work": "no",
				"progress": "worse", "contact": "phone_morning"}
			due := time.Now().Add(48 * time.Hour)
			if i == 0 {
				answers["red_flags"], due = "not_given", time.Now().Add(-time.Hour)
			}
			if id, err = postgres.CreateReferral(t.Context(), tx, postgres.NewReferral{OrganisationID: org, StaffID: s,
				ConversationID: conv.ID, Language: "en-GB", Answers: answers, SLADue: due}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("make referrals: %v", err)
	}

	signInToConsole(t, ctx, base, demo.PhysioEmail("DEMO"), demo.PhysioPassword, `location.pathname === "/console/referrals" && document.body.textContent.includes("1 referral is past its SLA")`)
	checkAxe(t, ctx, axe, "referrals")

	submitAndWait(t, ctx, fmt.Sprintf(`document.querySelector("tbody a[href='/console/referrals/%d']").click()`, id),
		`location.pathname.startsWith("/console/referrals/") && document.querySelector("form[action$='/accept']") !== null`)
	checkAxe(t, ctx, axe, "new referral")
	submitAndWait(t, ctx, `document.querySelector("form[action$='/book']").requestSubmit()`,
		`document.querySelector(".error-summary") !== null`)
	checkAxe(t, ctx, axe, "booking refused")
	submitAndWait(t, ctx, `document.querySelector("form[action$='/accept']").requestSubmit()`,
		`document.body.textContent.includes("You have accepted this referral")`)
	checkAxe(t, ctx, axe, "accepted referral")

	tomorrow := time.Now().Add(24 * time.Hour).Format("2006-01-02")
	submitAndWait(t, ctx, `document.querySelector("#appointment-date").value = "`+tomorrow+`";
		document.querySelector("#appointment-time").value = "09:30";
		document.querySelector("#appointment-kind-phone").checked = true;
		document.querySelector("form[action$='/book']").requestSubmit()`,
		`document.body.textContent.includes("The appointment has been booked")`)
	checkAxe(t, ctx, axe, "booked referral")
	var status string
	if err := db.Pool.QueryRow(t.Context(), `SELECT status FROM referrals WHERE id = $1`, id).Scan(&status); err != nil || status != "booked" {
		t.Fatalf("referral status %q (%v), want booked", status, err)
	}
}
