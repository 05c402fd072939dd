package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels"
	"github.com/ohcontact/ohcontact/channels/sms"
	"github.com/ohcontact/ohcontact/demo"
	"github.com/ohcontact/ohcontact/dialogs"
	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/signposting"
	"github.com/ohcontact/ohcontact/triggers"
)

// TestMSKReferralBookedInBrowser is issue 15's whole promise, end to end
// on the demo: a member of staff answers the MSK check-in by text from
// the demo phone (with "about a month" for how long); the referral is on
// the physio worklist; the demo physiotherapist books it in the console
// in Chromium; and the person's phone receives the booking text, in their
// send window.
func TestMSKReferralBookedInBrowser(t *testing.T) {
	t.Parallel()
	ctx, axe := browser(t)
	base, db := startConsoleDemo(t)
	const mobile = "+447700900101"

	// The check-in opens as a scheduled MSK contact would open it, as the
	// person's only conversation.
	quietDemoPhone(t, db, mobile)
	engine, err := newDemoEngine()
	if err != nil {
		t.Fatal(err)
	}
	start, err := engine.Start(dialogs.FlowMSKCheckin, dialogs.StartInfo{Org: signposting.DemoCode, Channel: ohcontact.ChannelSMS, Known: true})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(start.State)
	if err != nil {
		t.Fatal(err)
	}
	err = db.InTx(t.Context(), func(tx pgx.Tx) error {
		var org, staff int64
		if err := tx.QueryRow(t.Context(), `SELECT organisation_id, id FROM staff WHERE mobile = $1`, mobile).Scan(&org, &staff); err != nil {
			return err
		}
		_, err := postgres.OpenConversations(t.Context(), tx, []ohcontact.Conversation{{OrganisationID: org, StaffID: staff,
			Channel: ohcontact.ChannelSMS, Address: mobile, Flow: start.State.Flow, State: start.State.Step, Data: data, Language: "en-GB"}})
		return err
	})
	if err != nil {
		t.Fatalf("open the check-in: %v", err)
	}

	for _, body := range []string{"yes", "about the same", "yes", "2", "about a month", "1", "2", "no"} {
		resp, err := postDemoPhone(t, base, url.Values{"number": {mobile}, "body": {body}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("reply %q: %d", body, resp.StatusCode)
		}
	}
	var id int64
	var answers map[string]string
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if db.Pool.QueryRow(t.Context(), `SELECT id, answers FROM referrals WHERE status = 'new' ORDER BY id DESC LIMIT 1`).Scan(&id, &answers) == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the MSK check-in made no referral")
		}
	}
	if answers["area"] != "neck" || answers["duration"] != "2_to_6_weeks" || answers["contact"] != "phone_morning" {
		t.Fatalf("referral answers %v, want neck, 2 to 6 weeks, a morning phone call", answers)
	}

	signInToConsole(t, ctx, base, demo.PhysioEmail(signposting.DemoCode), demo.PhysioPassword, fmt.Sprintf(`location.pathname === "/console/referrals" && document.querySelector("a[href='/console/referrals/%d']") !== null`, id))
	submitAndWait(t, ctx, fmt.Sprintf(`document.querySelector("a[href='/console/referrals/%d']").click()`, id),
		`document.querySelector("form[action$='/book']") !== null && document.body.textContent.includes("Neck")`)
	checkAxe(t, ctx, axe, "referral from the MSK check-in")
	day := time.Now().Add(72 * time.Hour).Format("2006-01-02")
	submitAndWait(t, ctx, `document.querySelector("#appointment-date").value = "`+day+`";
		document.querySelector("#appointment-time").value = "10:30";
		document.querySelector("#appointment-kind").checked = true;
		document.querySelector("#appointment-place").value = "Physio Outpatients, Level 2";
		document.querySelector("form[action$='/book']").requestSubmit()`,
		`document.body.textContent.includes("The appointment has been booked")`)
	checkAxe(t, ctx, axe, "booked referral")

	// The server sends the notice in the person's send window. So that the
	// test passes at any hour, it also works the notice itself at 10:00 on
	// the next weekday: the notice is sent once, whichever comes first.
	tellAtTenOnAWeekday(t, db, id)
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, page := get(t, base+"/demo/phone?number=%2B447700900101")
		if strings.Contains(page, "your physiotherapy appointment is on") && strings.Contains(page, "10:30") &&
			strings.Contains(page, "Physio Outpatients, Level 2") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the phone shows no booking text:\n%s", page)
		}
		time.Sleep(200 * time.Millisecond)
	}
	var told int
	db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM referral_events WHERE referral_id = $1 AND kind = 'person_told'`, id).Scan(&told)
	if told != 1 {
		t.Errorf("%d person_told events, want 1", told)
	}
}

// tellAtTenOnAWeekday works referral id's notice as the server's worker
// would at 10:00 London time on the next weekday.
func tellAtTenOnAWeekday(t *testing.T, db *postgres.DB, id int64) {
	t.Helper()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().In(london).AddDate(0, 0, 1)
	for at.Weekday() == time.Saturday || at.Weekday() == time.Sunday {
		at = at.AddDate(0, 0, 1)
	}
	at = time.Date(at.Year(), at.Month(), at.Day(), 10, 0, 0, 0, london)
	var raw []byte
	if err := db.Pool.QueryRow(t.Context(), `SELECT args FROM river_job WHERE kind = 'referral_notice' AND (args->>'referral_id')::bigint = $1`,
		id).Scan(&raw); err != nil {
		t.Fatalf("no notice queued for the booking: %v", err)
	}
	var args escalation.ReferralNoticeArgs
	if err := json.Unmarshal(raw, &args); err != nil {
		t.Fatal(err)
	}
	engine, err := newDemoEngine()
	if err != nil {
		t.Fatal(err)
	}
	policy, err := triggers.NewPolicy(nil)
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{}) // insert-only: the server delivers
	if err != nil {
		t.Fatal(err)
	}
	w := &escalation.ReferralNotices{DB: db, Engine: engine, Times: &triggers.Scheduler{Policy: policy},
		Outboxes: channels.Outboxes{ohcontact.ChannelSMS: &sms.Outbox{Jobs: jobs}},
		Location: london, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return at }}
	if err := w.Work(t.Context(), &river.Job[escalation.ReferralNoticeArgs]{JobRow: &rivertype.JobRow{}, Args: args}); err != nil {
		t.Fatalf("work the notice: %v", err)
	}
}
