package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/demo"
	"github.com/ohcontact/ohcontact/postgres"
)

// TestContactAndPersonPageInBrowser is a clinician reaching a person: Ann
// texts something risky, and the same day asks to talk in the intranet
// web chat, signed in. The clinician opens the SMS case, reveals Ann's
// contact details with one button (a tel: link to her mobile), and
// follows "All contact with this person" to her person page, which lists
// both cases. axe-core finds no WCAG 2.2 AA violation on the case page
// with the contact details showing, nor on the person page with its
// transcripts open.
func TestContactAndPersonPageInBrowser(t *testing.T) {
	t.Parallel()
	ctx, axe := browser(t)
	base, db := startConsoleDemo(t)

	smsCase := textRisk(t, base, db)
	var staff, org, chatCase int64
	var mobile string
	err := db.InTx(t.Context(), func(tx pgx.Tx) error {
		err := tx.QueryRow(t.Context(), `UPDATE staff SET job_title = 'Staff Nurse', department = 'Ward 7'
			WHERE id = (SELECT staff_id FROM cases WHERE id = $1) RETURNING id, organisation_id, mobile`, smsCase).Scan(&staff, &org, &mobile)
		if err != nil {
			return err
		}
		opened, err := postgres.OpenConversations(t.Context(), tx, []ohcontact.Conversation{{OrganisationID: org, StaffID: staff,
			Channel: ohcontact.ChannelWebChat, Address: "widget-session-ann", Flow: "support", State: "risk_pathway", Language: "en-GB"}})
		if err != nil {
			return err
		}
		conv := opened[postgres.KeyFor(staff, ohcontact.ChannelWebChat, "")]
		in := ohcontact.Message{Direction: ohcontact.DirectionInbound, Author: ohcontact.AuthorStaff,
			Body: "can I talk to someone from OH please", ExternalID: "WC-ann-1"}
		if err := postgres.AppendMessage(t.Context(), tx, &conv, &in); err != nil {
			return err
		}
		chatCase, _, err = postgres.OpenOrRaiseCase(t.Context(), tx, postgres.NewCase{OrganisationID: org, ConversationID: conv.ID,
			StaffID: staff, Priority: ohcontact.PriorityRoutine, Category: "asked_to_talk", Evidence: []string{"asked to talk"},
			SLADue: time.Now().Add(time.Hour)})
		return err
	})
	if err != nil {
		t.Fatalf("open Ann's web chat case: %v", err)
	}

	signInToConsole(t, ctx, base, demo.ClinicianEmail, demo.ClinicianPassword, `location.pathname === "/console/"`)
	within(t, ctx, 20*time.Second, chromedp.Navigate(fmt.Sprintf("%s/console/cases/%d", base, smsCase)),
		drop(chromedp.Poll[bool](`document.readyState === "complete" && document.querySelector("form[action$='/contact']") !== null`)))
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("a[href^='tel:']").length`)); err != nil || n != 0 {
		t.Fatalf("%d tel: links before revealing (%v), want none", n, err)
	}

	submitAndWait(t, ctx, `document.querySelector("form[action$='/contact']").requestSubmit()`,
		`document.querySelector(".contact-panel a[href^='tel:']") !== null`)
	tel, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(".contact-panel a[href^='tel:']").getAttribute("href")`))
	if err != nil || tel != "tel:"+mobile {
		t.Fatalf("the revealed tel: link is %q (%v), want tel:%s", tel, err, mobile)
	}
	checkAxe(t, ctx, axe, "case with contact revealed")
	var reveals int
	if err := db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_events WHERE action = 'contact.reveal' AND record_id = $1`,
		smsCase).Scan(&reveals); err != nil || reveals != 1 {
		t.Fatalf("%d contact.reveal events (%v), want 1", reveals, err)
	}

	submitAndWait(t, ctx, `Array.from(document.querySelectorAll("a")).find(a => a.textContent === "All contact with this person").click()`,
		fmt.Sprintf(`location.pathname === "/console/people/%d"`, staff))
	for _, id := range []int64{smsCase, chatCase} {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector("tr[data-case-id='%d'] a") !== null`, id))); err != nil || !ok {
			t.Errorf("the person page does not list case %d (%v)", id, err)
		}
	}
	within(t, ctx, 5*time.Second, drop(chromedp.Evaluate[any](`document.querySelectorAll("details").forEach(d => d.open = true)`)))
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.body.innerText.includes("can I talk to someone from OH please") &&
		document.body.innerText.includes("i cant go on")`)); err != nil || !ok {
		t.Errorf("the person page does not show both conversations' transcripts (%v)", err)
	}
	checkAxe(t, ctx, axe, "person page")
}
