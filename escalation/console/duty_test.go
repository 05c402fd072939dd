package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ohcontact/ohcontact"
)

func TestDuty(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	nurse := f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	f.user("lead@example.nhs.uk", "Lee Lead", ohcontact.RoleLead, f.org)
	b := f.signIn("nurse@example.nhs.uk")

	_, page := b.get("/console/")
	if !strings.Contains(text(page), "You are off duty") || !strings.Contains(page, `name="on_duty" value="true"`) || !strings.Contains(page, "Start duty") {
		t.Fatalf("the queue page does not offer to start duty:\n%s", text(page))
	}
	resp, _ := b.post("/console/duty", url.Values{"on_duty": {"true"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/?done=duty-started" {
		t.Fatalf("start duty: status %d, location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page = b.get("/console/?done=duty-started")
	if !strings.Contains(text(page), "You are on duty: you will be alerted") || !strings.Contains(page, `name="on_duty" value="false"`) ||
		!strings.Contains(page, "End duty") {
		t.Fatalf("after starting duty the page does not say so, or offer to end it:\n%s", text(page))
	}
	checkMarkup(t, "/console/ on duty", page)
	if n := f.count(`SELECT count(*) FROM users WHERE id = $1 AND on_duty`, nurse); n != 1 {
		t.Fatal("users.on_duty not set")
	}
	if resp, _ := b.post("/console/duty", url.Values{"on_duty": {"false"}}); resp.Header.Get("Location") != "/console/?done=duty-ended" {
		t.Fatalf("end duty: status %d, location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n := f.count(`SELECT count(*) FROM users WHERE id = $1 AND NOT on_duty`, nurse); n != 1 {
		t.Fatal("users.on_duty still set after ending duty")
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE record_id = $1 AND action IN ('user.duty_started', 'user.duty_ended')`, nurse); n != 2 {
		t.Errorf("%d duty audit events, want 2", n)
	}

	tests := []struct {
		name   string
		b      *browser
		form   url.Values
		csrf   bool
		status int
	}{
		{"no value", b, url.Values{}, true, http.StatusUnprocessableEntity},
		{"not a boolean", b, url.Values{"on_duty": {"yes"}}, true, http.StatusUnprocessableEntity},
		{"no CSRF token", b, url.Values{"on_duty": {"true"}}, false, http.StatusForbidden},
		{"a lead", f.signIn("lead@example.nhs.uk"), url.Values{"on_duty": {"true"}}, true, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var resp *http.Response
			var page string
			if tt.csrf {
				resp, page = tt.b.post("/console/duty", tt.form)
			} else {
				resp, page = tt.b.send(http.MethodPost, "/console/duty", tt.form, nil)
			}
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.status == http.StatusUnprocessableEntity && !strings.Contains(page, "data-console-queue") {
				t.Error("the queue page refusing the duty form lists no cases")
			}
			if n := f.count(`SELECT count(*) FROM users WHERE on_duty`); n != 0 {
				t.Fatal("a refused form changed someone's duty")
			}
		})
	}
	if _, page := f.signIn("lead@example.nhs.uk").get("/console/"); strings.Contains(page, `action="/console/duty"`) {
		t.Error("a lead, who does not work cases, is offered duty")
	}

	// Signing out ends duty: nobody who has left is counted on for alerts.
	b.post("/console/duty", url.Values{"on_duty": {"true"}})
	if resp, _ := b.post("/console/logout", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: status %d", resp.StatusCode)
	}
	if n := f.count(`SELECT count(*) FROM users WHERE id = $1 AND on_duty`, nurse); n != 0 {
		t.Error("signing out left the user on duty")
	}
}
