package main

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact/demo"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// csrfInPage finds the demo phone's CSRF token in its page.
var csrfInPage = regexp.MustCompile(`name="csrf_token" value="([0-9a-f]+)"`)

// postDemoPhone posts form to the demo phone at base as its page does: it
// loads the page first, with a cookie jar, and adds the page's CSRF token.
// Redirects are not followed.
func postDemoPhone(t *testing.T, base string, form url.Values) (*http.Response, error) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	token := demoPhoneToken(t, client, base)
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set("csrf_token", token)
	return client.PostForm(base+"/demo/phone", f)
}

// demoPhoneToken loads the demo phone's page with client and returns its
// CSRF token.
func demoPhoneToken(t *testing.T, client *http.Client, base string) string {
	t.Helper()
	resp, err := client.Get(base + "/demo/phone")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfInPage.FindSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("GET /demo/phone = %d, with no CSRF token in:\n%s", resp.StatusCode, page)
	}
	return string(m[1])
}

func TestDemoRefusesTwilioCredentials(t *testing.T) {
	t.Parallel()
	for _, vars := range []map[string]string{
		{"TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef", "TWILIO_AUTH_TOKEN": "0123456789abcdef0123456789abcdef", "TWILIO_FROM": "+447700900999"},
		{"TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef", "TWILIO_AUTH_TOKEN": "0123456789abcdef0123456789abcdef",
			"TWILIO_MESSAGING_SERVICE_SID": "MG0123456789abcdef0123456789abcdef"},
	} {
		vars["DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/never"
		env, _, _ := testEnv(vars)
		ctx, cancel := context.WithCancel(t.Context())
		err := run(ctx, env, []string{"serve", "--demo"})
		cancel()
		if err == nil || !strings.Contains(err.Error(), "TWILIO_ACCOUNT_SID") || !strings.Contains(err.Error(), "TWILIO_AUTH_TOKEN") {
			t.Errorf("serve --demo with Twilio credentials = %v, want an error naming the variables", err)
		}
	}
}

// TestDemoPhoneOnlyForDemoStaff: the demo phone shows and texts from the
// demo staff's numbers only, and takes a text only from its own page.
func TestDemoPhoneOnlyForDemoStaff(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewEmptyURL(t)
	addr := freeAddr(t)
	base := "http://" + addr
	startDemoAt(t, dbURL, addr, base)
	db := openDB(t, dbURL)
	// A real member of staff, with a real-looking number and a text.
	_, err := db.Pool.Exec(t.Context(), `
		INSERT INTO staff (organisation_id, assignment_number, first_name, last_name, mobile)
		SELECT id, 'R1', 'Real', 'Person', '+447911123456' FROM organisations WHERE code = 'DEMO'`)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("page lists demo staff only", func(t *testing.T) {
		status, page := get(t, base+"/demo/phone")
		page = html.UnescapeString(page)
		if status != 200 || !strings.Contains(page, "+447700900101") || strings.Contains(page, "+447911123456") || strings.Contains(page, "Real Person") {
			t.Errorf("GET /demo/phone = %d; want the demo staff only:\n%s", status, page)
		}
	})
	for _, number := range []string{"+447911123456", "+447700900555", "07911123456", "<script>"} {
		if status, _ := get(t, base+"/demo/phone?number="+url.QueryEscape(number)); status != http.StatusNotFound {
			t.Errorf("GET /demo/phone for a number not the demo's = %d, want 404", status)
		}
	}

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	token := demoPhoneToken(t, client, base)
	post := func(form url.Values, header http.Header, c *http.Client) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, base+"/demo/phone", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	noJar := &http.Client{CheckRedirect: client.CheckRedirect}
	tests := []struct {
		name   string
		form   url.Values
		header http.Header
		client *http.Client
		want   int
	}{
		{"no token", url.Values{"number": {"+447700900101"}, "body": {"hello"}}, nil, client, http.StatusForbidden},
		{"wrong token", url.Values{"number": {"+447700900101"}, "body": {"hello"}, "csrf_token": {strings.Repeat("0", 64)}}, nil, client, http.StatusForbidden},
		{"token without its cookie", url.Values{"number": {"+447700900101"}, "body": {"hello"}, "csrf_token": {token}}, nil, noJar, http.StatusForbidden},
		{"cross-site", url.Values{"number": {"+447700900101"}, "body": {"hello"}, "csrf_token": {token}},
			http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}}, client, http.StatusForbidden},
		{"another origin", url.Values{"number": {"+447700900101"}, "body": {"hello"}, "csrf_token": {token}},
			http.Header{"Origin": {"https://evil.example"}}, client, http.StatusForbidden},
		{"a real person's number", url.Values{"number": {"+447911123456"}, "body": {"hello"}, "csrf_token": {token}}, nil, client, http.StatusNotFound},
		{"not a number", url.Values{"number": {"+1 (555) 123"}, "body": {"hello"}, "csrf_token": {token}}, nil, client, http.StatusBadRequest},
		{"from the page", url.Values{"number": {"+447700900101"}, "body": {"hello"}, "csrf_token": {token}},
			http.Header{"Sec-Fetch-Site": {"same-origin"}, "Origin": {base}}, client, http.StatusSeeOther},
		{"national form of a demo number", url.Values{"number": {"07700 900102"}, "body": {"hello"}, "csrf_token": {token}}, nil, client, http.StatusSeeOther},
	}
	for _, tt := range tests {
		if got := post(tt.form, tt.header, tt.client); got != tt.want {
			t.Errorf("%s: POST /demo/phone = %d, want %d", tt.name, got, tt.want)
		}
	}
	var inbound int
	if err := db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM messages WHERE direction = 'inbound'`).Scan(&inbound); err != nil {
		t.Fatal(err)
	}
	if inbound != 2 {
		t.Errorf("%d inbound texts, want 2 (from the page only)", inbound)
	}
}

// TestDemoLandingPage: in demo mode / says where everything is, each of
// its links answers, and it lists the demo console accounts; its CSP
// allows no script.
func TestDemoLandingPage(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewEmptyURL(t)
	addr := freeAddr(t)
	base := "http://" + addr
	startDemoAt(t, dbURL, addr, base)

	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := html.UnescapeString(string(body))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %d", resp.StatusCode)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
		t.Errorf("CSP %q, want nothing allowed but the page's style", csp)
	}
	for _, link := range []string{"/demo/phone", "/demo/intranet?as=staff", "/demo/intranet?as=anonymous", "/console/", "/console/dashboard"} {
		if !strings.Contains(page, `href="`+link+`"`) {
			t.Errorf("the landing page does not link %s", link)
		}
		if status, _ := get(t, base+link); status != http.StatusOK {
			t.Errorf("GET %s (following redirects) = %d, want 200", link, status)
		}
	}
	for _, s := range []string{demo.ClinicianEmail, demo.ClinicianPassword, demo.LeadEmail, demo.LeadPassword,
		demo.PhysioEmail("DEMO"), demo.PhysioPassword, "<ol class=\"tour\">"} {
		if !strings.Contains(page, s) {
			t.Errorf("the landing page does not show %q", s)
		}
	}
	if strings.Contains(page, "<script") {
		t.Error("the landing page has a script")
	}
	if status, _ := get(t, base+"/no-such-page"); status != http.StatusNotFound {
		t.Errorf("GET /no-such-page = %d, want 404 (/ is the landing page only)", status)
	}
}

// TestDemoStaffHaveAFirstContact: when the demo starts, each demo phone has
// a text from OH, or a contact waiting for its send window; a second start
// adds no absence and no contact.
func TestDemoStaffHaveAFirstContact(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewEmptyURL(t)
	addr := freeAddr(t)
	base := "http://" + addr
	startDemoAt(t, dbURL, addr, base)
	db := openDB(t, dbURL)
	vars := map[string]string{"DATABASE_URL": dbURL}

	out, errOut, err := runCommand(t, vars, func(t *testing.T, env *environment) error {
		return runTriggers(t.Context(), env, []string{"plan", "--at", time.Now().AddDate(0, 0, 14).Format(time.RFC3339)})
	})
	if err != nil {
		t.Fatalf("triggers plan: %v (%s)", err, errOut)
	}
	for _, mobile := range demo.Mobiles() {
		var assignment string
		if err := db.Pool.QueryRow(t.Context(), `SELECT assignment_number FROM staff WHERE mobile = $1`, mobile).Scan(&assignment); err != nil {
			t.Fatal(err)
		}
		_, phonePage := get(t, base+"/demo/phone?number="+url.QueryEscape(mobile))
		if !strings.Contains(out, assignment+"\t") && !strings.Contains(phonePage, "From the OH service") {
			t.Errorf("demo number %s has no text and no pending contact:\nplan:\n%s", mobile, out)
		}
	}

	count := func() (episodes, contacts int) {
		t.Helper()
		err := db.Pool.QueryRow(t.Context(), `SELECT (SELECT count(*) FROM absence_episodes e JOIN staff s ON s.id = e.staff_id
			WHERE s.mobile = ANY($1)), (SELECT count(*) FROM contacts k JOIN absence_episodes e ON e.id = k.episode_id
			JOIN staff s ON s.id = e.staff_id WHERE s.mobile = ANY($1))`, demo.Mobiles()).Scan(&episodes, &contacts)
		if err != nil {
			t.Fatal(err)
		}
		return episodes, contacts
	}
	episodes, contacts := count()
	if episodes != len(demo.Mobiles()) || contacts < episodes {
		t.Fatalf("%d demo absences and %d contacts, want one absence each and a contact for each", episodes, contacts)
	}
	second := freeAddr(t)
	startDemoAt(t, dbURL, second, "http://"+second)
	if e, c := count(); e != episodes || c != contacts {
		t.Fatalf("a second start made %d absences and %d contacts of %d and %d: want none added", e, c, episodes, contacts)
	}
}

// quietDemoPhone cancels the demo's first contacts to demo number mobile
// and closes any conversation one has opened: the demo gives each demo
// member of staff a check-in, sent at once during the send window, and a
// test that opens its own conversation needs it to be the only one. A
// contact being sent meanwhile is waited for (its row is locked).
func quietDemoPhone(t *testing.T, db *postgres.DB, mobile string) {
	t.Helper()
	err := db.InTx(t.Context(), func(tx pgx.Tx) error {
		_, err := tx.Exec(t.Context(), `UPDATE contacts k SET state = 'cancelled', state_reason = 'a test took the phone'
			FROM absence_episodes e JOIN staff s ON s.id = e.staff_id
			WHERE k.episode_id = e.id AND s.mobile = $1 AND k.state = 'scheduled'`, mobile)
		if err != nil {
			return err
		}
		_, err = tx.Exec(t.Context(), `UPDATE conversations SET status = 'closed', closed_reason = 'completed', closed_at = now()
			WHERE staff_id = (SELECT id FROM staff WHERE mobile = $1) AND status = 'open'`, mobile)
		return err
	})
	if err != nil {
		t.Fatalf("quiet the demo phone: %v", err)
	}
}
