package console_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/escalation/console"
)

// TestFollowUps: the clinician holding a case sets a follow-up with a date,
// a time and a note; a time that cannot be read or is past, and an empty
// note, are shown next to their field; the follow-up is listed with who
// set it; when it falls due the holder, on duty, gets a banner on the
// queue page naming the case and the time but not the note; a follow-up
// can be cancelled; a clinician not holding the case cannot set one.
func TestFollowUps(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("sam@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	f.user("kim@example.nhs.uk", "Kim Lee", ohcontact.RoleClinician, f.org)
	tc := f.newCase(f.org, ohcontact.PriorityHigh, 0)
	path := fmt.Sprintf("/console/cases/%d", tc.id)
	sam := f.signIn("sam@example.nhs.uk")
	if resp, _ := sam.post(path+"/claim", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("claim: status %d", resp.StatusCode)
	}
	sam.post("/console/duty", url.Values{"on_duty": {"true"}})

	due := f.now().Add(3 * time.Minute).Truncate(time.Minute)
	date, clock := due.Format("2006-01-02"), due.Format("15:04")
	past := f.now().Add(-time.Hour)
	refusals := []struct {
		name  string
		form  url.Values
		field string
	}{
		{"no date", url.Values{"time": {clock}, "note": {"Call"}}, "follow-up-date"},
		{"not a time", url.Values{"date": {date}, "time": {"9am"}, "note": {"Call"}}, "follow-up-date"},
		{"past", url.Values{"date": {past.Format("2006-01-02")}, "time": {past.Format("15:04")}, "note": {"Call"}}, "follow-up-date"},
		{"no note", url.Values{"date": {date}, "time": {clock}, "note": {" "}}, "follow-up-note"},
	}
	for _, r := range refusals {
		resp, page := sam.post(path+"/follow-ups", r.form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(errorSummary(page), `href="#`+r.field+`"`) ||
			!strings.Contains(page, `id="`+r.field+`-error"`) {
			t.Errorf("%s: status %d, want 422 with the error at #%s", r.name, resp.StatusCode, r.field)
		}
	}
	if n := f.count(`SELECT count(*) FROM case_follow_ups`); n != 0 {
		t.Fatalf("%d follow-ups after refusals, want 0", n)
	}

	kim := f.signIn("kim@example.nhs.uk")
	if _, page := kim.get(path); strings.Contains(page, `action="`+path+`/follow-ups"`) {
		t.Error("a clinician not holding the case is offered the follow-up form")
	}
	if resp, _ := kim.post(path+"/follow-ups", url.Values{"date": {date}, "time": {clock}, "note": {"Call"}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("follow-up by a clinician not holding the case: status %d, want 409", resp.StatusCode)
	}

	note := "Call to ask how the GP appointment went"
	if resp, _ := sam.post(path+"/follow-ups", url.Values{"date": {date}, "time": {clock}, "note": {note}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("follow-up: status %d, want 303", resp.StatusCode)
	}
	_, page := sam.get(path)
	list := text(page[strings.Index(page, `id="follow-ups"`):])
	for _, want := range []string{note, "Pending", "Set by Sam Jones", due.Format("15:04")} {
		if !strings.Contains(list, want) {
			t.Errorf("follow-ups section lacks %q", want)
		}
	}
	if !strings.Contains(text(page), "Follow-up set by Sam Jones") {
		t.Error("the timeline does not show the follow-up")
	}

	// At its time the job alerts Sam, on duty and holding the case.
	var args escalation.FollowUpArgs
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT (args->>'follow_up_id')::bigint, (args->>'due')::timestamptz FROM river_job
		WHERE kind = 'case_follow_up'`).Scan(&args.FollowUpID, &args.Due); err != nil {
		t.Fatal(err)
	}
	f.advance(4 * time.Minute)
	w := &escalation.FollowUpChecks{DB: f.db, Location: time.UTC, Log: slog.New(slog.DiscardHandler), Now: f.now}
	if err := w.Work(t.Context(), &river.Job[escalation.FollowUpArgs]{JobRow: &rivertype.JobRow{}, Args: args}); err != nil {
		t.Fatal(err)
	}
	_, queue := sam.get("/console/")
	if want := fmt.Sprintf("Follow-up due: case %d, ", tc.id); !strings.Contains(text(queue), want) || !strings.Contains(queue, clock) {
		t.Errorf("queue page lacks the banner %q and the time %s:\n%s", want, clock, text(queue))
	}
	if strings.Contains(queue, note) {
		t.Error("the queue page shows the follow-up's note")
	}
	if _, queue := kim.get("/console/"); strings.Contains(queue, "Follow-up due") {
		t.Error("Kim, off duty and not holding the case, is alerted")
	}
	_, page = sam.get(path)
	if !strings.Contains(text(page), "Due: the alert was sent") || strings.Contains(page, "/cancel\"") {
		t.Errorf("a follow-up that fell due is not shown as due, or can still be cancelled:\n%s", text(page))
	}

	// A second one, cancelled.
	if resp, _ := sam.post(path+"/follow-ups", url.Values{"date": {f.now().Add(time.Hour).Format("2006-01-02")},
		"time": {f.now().Add(time.Hour).Format("15:04")}, "note": {"Second call"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second follow-up: status %d", resp.StatusCode)
	}
	var fid int64
	f.db.Pool.QueryRow(t.Context(), `SELECT id FROM case_follow_ups WHERE note = 'Second call'`).Scan(&fid)
	cancel := fmt.Sprintf("%s/follow-ups/%d/cancel", path, fid)
	if resp, _ := sam.post(cancel, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel: status %d, want 303", resp.StatusCode)
	}
	if resp, _ := sam.post(cancel, nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("second cancel: status %d, want 409", resp.StatusCode)
	}
	_, page = sam.get(path)
	section := page[strings.Index(page, `id="follow-ups"`):strings.Index(page, "<h2>Timeline</h2>")]
	if strings.Contains(section, "Second call") || !strings.Contains(text(page), "Follow-up cancelled by Sam Jones") {
		t.Error("a cancelled follow-up is still listed, or its cancelling is not on the timeline")
	}
}

// TestReplyShowsSignature: the reply form says how the reply will be
// signed, and its limit leaves room for the signature.
func TestReplyShowsSignature(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, false, func(cfg *console.Config) {
		cfg.Cases.Signing = nil // each organisation signs, as by default
	})
	f.user("sam@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	tc := f.newCase(f.org, ohcontact.PriorityHigh, 0)
	path := fmt.Sprintf("/console/cases/%d", tc.id)
	sam := f.signIn("sam@example.nhs.uk")
	sam.post(path+"/claim", nil)
	_, page := sam.get(path)
	sig := "From Sam Jones, OH clinician"
	if !strings.Contains(text(page), "signed, in the person's language, as: "+sig) {
		t.Errorf("the reply form does not show the signature %q", sig)
	}
	max := 1600 - len("\n\n"+sig)
	if !strings.Contains(page, fmt.Sprintf(`maxlength="%d"`, max)) {
		t.Errorf("the reply's limit is not %d", max)
	}
	resp, page := sam.post(path+"/reply", url.Values{"body": {strings.Repeat("a", max+1)}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(errorSummary(page), `href="#reply"`) {
		t.Errorf("a reply too long with its signature: status %d, want 422 at #reply", resp.StatusCode)
	}
	if resp, _ := sam.post(path+"/reply", url.Values{"body": {"See you soon"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply: status %d", resp.StatusCode)
	}
	if ms := f.sms.messages(); len(ms) != 1 || ms[0].Body != "See you soon\n\n"+sig {
		t.Errorf("reply sent as %+v, want it signed", ms)
	}
}
