package console_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels"
	"github.com/ohcontact/ohcontact/dialogs"
	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/escalation/console"
	"github.com/ohcontact/ohcontact/locales"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
	"github.com/ohcontact/ohcontact/signposting"
)

// password is every test account's password.
const password = "correct horse battery"

// fakeOutbox records the messages queued on it.
type fakeOutbox struct {
	mu  sync.Mutex
	got []ohcontact.Message
}

func (o *fakeOutbox) Queue(_ context.Context, _ pgx.Tx, ms ...ohcontact.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.got = append(o.got, ms...)
	return nil
}

func (o *fakeOutbox) messages() []ohcontact.Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]ohcontact.Message(nil), o.got...)
}

// fixture is a console on a fresh database, served over HTTP, with a clock
// tests can move forward.
type fixture struct {
	t        *testing.T
	db       *postgres.DB
	console  *console.Console
	srv      *httptest.Server
	sms      *fakeOutbox
	skew     atomic.Int64 // added to the real time, in nanoseconds
	org      int64        // "Test Trust"
	otherOrg int64        // "Other Trust"
	seq      atomic.Int64 // for unique staff and numbers
	// referrals makes and changes referrals, as the console does.
	referrals *escalation.Referrals
}

func newFixture(t *testing.T, secure bool) *fixture {
	t.Helper()
	return newFixtureWith(t, secure, nil)
}

// newFixtureWith is newFixture with the console's configuration changed
// by configure (when not nil) before the console is made.
func newFixtureWith(t *testing.T, secure bool, configure func(*console.Config)) *fixture {
	t.Helper()
	f := &fixture{t: t, db: pgtest.New(t), sms: &fakeOutbox{}}
	f.org = pgtest.Organisation(t, f.db.Pool, "RX1", "Test Trust")
	f.otherOrg = pgtest.Organisation(t, f.db.Pool, "RX2", "Other Trust")
	jobs, err := river.NewClient(riverpgxv5.New(f.db.Pool), &river.Config{}) // insert-only
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := locales.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	engine, err := dialogs.New(bundle, signposting.Demo())
	if err != nil {
		t.Fatal(err)
	}
	cases := &escalation.Cases{DB: f.db, SLA: escalation.DefaultSLA, Location: time.UTC, Jobs: jobs,
		Outboxes: channels.Outboxes{ohcontact.ChannelSMS: f.sms}, Engine: engine, Now: f.now,
		// Replies go as written unless a test asks for them signed.
		Signing: map[int64]escalation.ReplySigning{f.org: {Unsigned: true}, f.otherOrg: {Unsigned: true}}}
	f.referrals = &escalation.Referrals{DB: f.db, Location: time.UTC, Cases: cases, Jobs: jobs, Now: f.now}
	cfg := console.Config{
		DB:            f.db,
		Cases:         cases,
		Referrals:     f.referrals,
		Location:      time.UTC,
		SecureCookies: secure,
		Now:           f.now,
	}
	if configure != nil {
		configure(&cfg)
	}
	f.console = console.New(cfg)
	mux := http.NewServeMux()
	f.console.Register(mux)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) now() time.Time { return time.Now().Add(time.Duration(f.skew.Load())) }

// advance moves the console's clock forward by d.
func (f *fixture) advance(d time.Duration) { f.skew.Add(int64(d)) }

// user creates an account with the test password and returns its id.
func (f *fixture) user(email, name, role string, org int64) int64 {
	f.t.Helper()
	hash, err := console.HashPassword(password)
	if err != nil {
		f.t.Fatal(err)
	}
	var id int64
	err = f.db.InTx(f.t.Context(), func(tx pgx.Tx) (err error) {
		id, err = postgres.CreateUser(f.t.Context(), tx, postgres.NewUser{OrganisationID: org, Email: email, Name: name, Role: role, PasswordHash: hash}, 0)
		return err
	})
	if err != nil {
		f.t.Fatalf("create user %s: %v", email, err)
	}
	return id
}

// testCase is a case opened the way the runner opens one: a member of
// staff texted something risky and the conversation went to clinicians.
type testCase struct {
	id, conversation, staff int64
	mobile                  string
}

// newCase opens a case of priority p in org, its conversation's created
// age ago.
func (f *fixture) newCase(org int64, p ohcontact.Priority, age time.Duration) testCase {
	f.t.Helper()
	ctx := f.t.Context()
	n := f.seq.Add(1)
	tc := testCase{mobile: fmt.Sprintf("+4477009%05d", n)}
	err := f.db.InTx(ctx, func(tx pgx.Tx) error {
		tc.staff = pgtest.Staff(f.t, tx, pgtest.StaffRow{Organisation: org, Number: fmt.Sprintf("1000%04d-1", n), First: "Ann", Last: "Example",
			Mobile: tc.mobile})
		opened, err := postgres.OpenConversations(ctx, tx, []ohcontact.Conversation{{OrganisationID: org, StaffID: tc.staff,
			Channel: ohcontact.ChannelSMS, Address: tc.mobile, Flow: "support", State: "risk_pathway", Language: "en-GB"}})
		if err != nil {
			return err
		}
		conv := opened[postgres.ConversationKey{StaffID: tc.staff, Channel: ohcontact.ChannelSMS}]
		tc.conversation = conv.ID
		in := ohcontact.Message{Direction: ohcontact.DirectionInbound, Author: ohcontact.AuthorStaff,
			Body: "i have been saving up my tablets", ExternalID: fmt.Sprintf("SM%d", n)}
		if err := postgres.AppendMessage(ctx, tx, &conv, &in); err != nil {
			return err
		}
		conv.Owner = ohcontact.OwnerClinician
		if err := postgres.SaveConversation(ctx, tx, &conv, ""); err != nil {
			return err
		}
		tc.id, _, err = postgres.OpenOrRaiseCase(ctx, tx, postgres.NewCase{OrganisationID: org, ConversationID: conv.ID, StaffID: tc.staff,
			Priority: p, Category: "suicide_risk", Evidence: []string{`"saving up my tablets" (means: stockpiling medication)`},
			SLADue: time.Now().Add(15 * time.Minute)})
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE cases SET created_at = now() - $2::interval WHERE id = $1`, tc.id, age.String())
		return err
	})
	if err != nil {
		f.t.Fatalf("open case: %v", err)
	}
	return tc
}

// browser is one person's browser: a cookie jar, redirects not followed.
type browser struct {
	t      *testing.T
	f      *fixture
	client *http.Client
	csrf   string // the signed-in session's CSRF token
}

func (f *fixture) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: f.t, f: f, client: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// signIn signs in as email, failing the test unless that works.
func (f *fixture) signIn(email string) *browser {
	f.t.Helper()
	b := f.browser()
	resp, _ := b.login(email, password)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/" {
		f.t.Fatalf("sign in as %s: status %d, location %q", email, resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page := b.get("/console/")
	b.csrf = csrfIn(f.t, page)
	return b
}

// login fills in and sends the sign-in form.
func (b *browser) login(email, pw string) (*http.Response, string) {
	b.t.Helper()
	_, page := b.get("/console/login")
	return b.send(http.MethodPost, "/console/login", url.Values{"csrf_token": {csrfIn(b.t, page)}, "email": {email}, "password": {pw}}, nil)
}

func (b *browser) get(path string) (*http.Response, string) {
	b.t.Helper()
	return b.send(http.MethodGet, path, nil, nil)
}

// post sends form to path with the session's CSRF token.
func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf_token", b.csrf)
	return b.send(http.MethodPost, path, form, nil)
}

func (b *browser) send(method, path string, form url.Values, header http.Header) (*http.Response, string) {
	b.t.Helper()
	resp, page, err := b.trySend(method, path, form, header)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp, page
}

// trySend is send for other goroutines than the test's: it returns its
// error.
func (b *browser) trySend(method, path string, form url.Values, header http.Header) (*http.Response, string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(b.t.Context(), method, b.f.srv.URL+path, body)
	if err != nil {
		return nil, "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	return resp, string(page), err
}

var csrfPattern = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func csrfIn(t *testing.T, page string) string {
	t.Helper()
	m := csrfPattern.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in the page:\n%.2000s", page)
	}
	return m[1]
}

// text returns page's visible text, roughly: tags removed, entities
// decoded, white space collapsed.
func text(page string) string {
	return strings.Join(strings.Fields(html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(page, " "))), " ")
}

// count returns the result of a count(*) query.
func (f *fixture) count(sql string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.db.Pool.QueryRow(f.t.Context(), sql, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func TestLogin(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	disabled := f.user("gone@example.nhs.uk", "Former Nurse", ohcontact.RoleClinician, f.org)
	if _, err := f.db.Pool.Exec(t.Context(), `UPDATE users SET disabled_at = now() WHERE id = $1`, disabled); err != nil {
		t.Fatal(err)
	}

	t.Run("success", func(t *testing.T) {
		b := f.browser()
		resp, _ := b.login("Nurse@Example.nhs.uk", password)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/" {
			t.Fatalf("status %d, location %q; want 303 to /console/", resp.StatusCode, resp.Header.Get("Location"))
		}
		var session *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == "ohcontact_session" {
				session = c
			}
		}
		if session == nil {
			t.Fatalf("no session cookie in %v", resp.Header["Set-Cookie"])
		}
		if !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Secure || session.Path != "/" ||
			session.MaxAge != int((12*time.Hour).Seconds()) || len(session.Value) != 43 {
			t.Errorf("session cookie %+v: want HttpOnly, SameSite=Lax, not Secure over http, Path=/, 12 h, 32 random bytes", session)
		}
		if n := f.count(`SELECT count(*) FROM user_sessions WHERE expires_at > now() + interval '11 hours 59 minutes'`); n != 1 {
			t.Errorf("%d 12-hour sessions stored, want 1", n)
		}
		if n := f.count(`SELECT count(*) FROM user_sessions WHERE token_hash = sha256(convert_to($1, 'UTF8'))`, session.Value); n != 1 {
			t.Errorf("the session is not stored as the SHA-256 of its token")
		}
		resp, page := b.get("/console/")
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Signed in as Sam Jones") {
			t.Fatalf("queue after sign-in: status %d\n%.1000s", resp.StatusCode, page)
		}
	})

	// An unknown address and a wrong password get the same answer.
	var answers []string
	for _, tt := range []struct{ name, email, password string }{
		{"wrong password", "nurse@example.nhs.uk", "not the password at all"},
		{"unknown email", "nobody@example.nhs.uk", password},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := f.browser()
			resp, page := b.login(tt.email, tt.password)
			if resp.StatusCode != http.StatusUnauthorized || hasCookie(resp, "ohcontact_session") {
				t.Fatalf("status %d, cookies %v; want 401 and no session", resp.StatusCode, resp.Header["Set-Cookie"])
			}
			if !strings.Contains(text(page), "The email address or password is not right.") {
				t.Fatalf("no sign-in error in:\n%s", text(page))
			}
			answers = append(answers, errorSummary(page))
		})
	}
	if len(answers) == 2 && answers[0] != answers[1] {
		t.Errorf("unknown email answered %q, wrong password %q: they must be the same", answers[1], answers[0])
	}

	t.Run("disabled", func(t *testing.T) {
		b := f.browser()
		resp, page := b.login("gone@example.nhs.uk", password)
		if resp.StatusCode != http.StatusForbidden || hasCookie(resp, "ohcontact_session") {
			t.Fatalf("status %d; want 403 and no session", resp.StatusCode)
		}
		if !strings.Contains(page, "This account has been disabled") {
			t.Fatalf("no disabled message in:\n%s", text(page))
		}
	})

	t.Run("empty fields", func(t *testing.T) {
		b := f.browser()
		resp, page := b.login("", "")
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, `<a href="#email">Enter your email address</a>`) ||
			!strings.Contains(page, `<a href="#password">Enter your password</a>`) {
			t.Fatalf("status %d; want 400 and an error summary linked to both fields:\n%s", resp.StatusCode, page)
		}
	})
}

func hasCookie(resp *http.Response, name string) bool {
	for _, c := range resp.Cookies() {
		if c.Name == name && c.MaxAge >= 0 {
			return true
		}
	}
	return false
}

var summaryPattern = regexp.MustCompile(`(?s)<div class="error-summary".*?</div>`)

func errorSummary(page string) string { return summaryPattern.FindString(page) }

func TestLoginLockout(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	id := f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	b := f.browser()
	for i := range 5 {
		if resp, _ := b.login("nurse@example.nhs.uk", "wrong password number"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d, want 401", i+1, resp.StatusCode)
		}
	}
	if n := f.count(`SELECT count(*) FROM users WHERE id = $1 AND locked_until > now() + interval '14 minutes'`, id); n != 1 {
		t.Fatal("5 failures in a row did not lock the account for 15 minutes")
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'user.locked' AND record_id = $1`, id); n != 1 {
		t.Errorf("%d user.locked audit events, want 1", n)
	}
	resp, page := b.login("nurse@example.nhs.uk", password)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "The email address or password is not right.") {
		t.Fatalf("the right password on a locked account: status %d, want 401 with the usual message", resp.StatusCode)
	}

	f.advance(16 * time.Minute)
	if resp, _ := b.login("nurse@example.nhs.uk", password); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after the lockout: status %d, want 303", resp.StatusCode)
	}
	if n := f.count(`SELECT count(*) FROM users WHERE id = $1 AND failed_logins = 0 AND locked_until IS NULL`, id); n != 1 {
		t.Error("a successful sign-in did not clear the failure count and lockout")
	}
}

// TestLockoutIsAtomic checks that the lock and its audit event are saved
// together: when the audit event cannot be written, the account is not
// locked either.
func TestLockoutIsAtomic(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	id := f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	if _, err := f.db.Pool.Exec(t.Context(), `ALTER TABLE audit_events ADD CONSTRAINT test_no_locks CHECK (action <> 'user.locked')`); err != nil {
		t.Fatal(err)
	}
	b := f.browser()
	for i := range 4 {
		if resp, _ := b.login("nurse@example.nhs.uk", "wrong password number"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d, want 401", i+1, resp.StatusCode)
		}
	}
	if resp, _ := b.login("nurse@example.nhs.uk", "wrong password number"); resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("failure 5 with the audit log refusing: status %d, want 500", resp.StatusCode)
	}
	if n := f.count(`SELECT count(*) FROM users WHERE id = $1 AND locked_until IS NULL AND failed_logins = 4`, id); n != 1 {
		t.Error("the account was locked (or its count changed) although the lock could not be audited")
	}
}

func TestSecureCookies(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)

	// Secure cookies are not returned over http by a cookie jar, so carry
	// them by hand.
	b := f.browser()
	b.client.Jar = nil
	resp, page := b.get("/console/login")
	var login *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "__Host-ohcontact_login" {
			login = c
		}
	}
	if login == nil || !login.Secure || !login.HttpOnly || login.Path != "/" || login.Domain != "" {
		t.Fatalf("pre-session cookie %+v; want __Host-ohcontact_login, Secure, HttpOnly, Path=/", login)
	}
	form := url.Values{"csrf_token": {csrfIn(t, page)}, "email": {"nurse@example.nhs.uk"}, "password": {password}}
	resp, _ = b.send(http.MethodPost, "/console/login", form, http.Header{"Cookie": {login.Name + "=" + login.Value}})
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "__Host-ohcontact_session" {
			session = c
		}
	}
	if resp.StatusCode != http.StatusSeeOther || session == nil || !session.Secure || !session.HttpOnly || session.Path != "/" {
		t.Fatalf("status %d, session cookie %+v; want 303 and __Host-ohcontact_session, Secure, HttpOnly, Path=/", resp.StatusCode, session)
	}
	resp, page = b.send(http.MethodGet, "/console/", nil, http.Header{"Cookie": {session.Name + "=" + session.Value}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("queue with the secure session cookie: status %d", resp.StatusCode)
	}
	resp, _ = b.send(http.MethodPost, "/console/logout", url.Values{"csrf_token": {csrfIn(t, page)}},
		http.Header{"Cookie": {session.Name + "=" + session.Value}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: status %d, want 303", resp.StatusCode)
	}
	checkCookiesDeleted(t, resp, "__Host-ohcontact_session", "__Host-ohcontact_login")
}

func TestLogout(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	id := f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	b := f.signIn("nurse@example.nhs.uk")
	stolen := b.client.Jar.Cookies(mustURL(t, f.srv.URL))

	resp, _ := b.post("/console/logout", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/login" {
		t.Fatalf("logout: status %d, location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	checkCookiesDeleted(t, resp, "ohcontact_session", "ohcontact_login")
	if n := f.count(`SELECT count(*) FROM user_sessions WHERE user_id = $1`, id); n != 0 {
		t.Fatalf("%d sessions left after logout", n)
	}
	// The old cookie is worthless now.
	replay := f.browser()
	replay.client.Jar.SetCookies(mustURL(t, f.srv.URL), stolen)
	if resp, _ := replay.get("/console/"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/login" {
		t.Fatalf("old session cookie after logout: status %d, location %q; want a redirect to sign in", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// checkCookiesDeleted checks that resp deletes each of the cookies names:
// a Set-Cookie with Max-Age=0 and the attributes it was set with.
func checkCookiesDeleted(t *testing.T, resp *http.Response, names ...string) {
	t.Helper()
	for _, name := range names {
		var found bool
		for _, line := range resp.Header.Values("Set-Cookie") {
			if strings.HasPrefix(line, name+"=;") {
				found = true
				if !strings.Contains(line, "Max-Age=0") || !strings.Contains(line, "Path=/") || !strings.Contains(line, "HttpOnly") {
					t.Errorf("cookie %s is not deleted: Set-Cookie: %s", name, line)
				}
				if strings.HasPrefix(name, "__Host-") && !strings.Contains(line, "Secure") {
					t.Errorf("cookie %s is deleted without Secure, which browsers ignore: Set-Cookie: %s", name, line)
				}
			}
		}
		if !found {
			t.Errorf("no Set-Cookie deleting %s in %q", name, resp.Header.Values("Set-Cookie"))
		}
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestSignedOutIsSentToSignIn(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	tc := f.newCase(f.org, ohcontact.PriorityUrgent, 0)
	b := f.browser()
	for _, path := range []string{"/console/", fmt.Sprintf("/console/cases/%d", tc.id), "/console/admin/users"} {
		if resp, _ := b.get(path); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/login" {
			t.Errorf("GET %s signed out: status %d, location %q; want 303 to /console/login", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'case.view'`); n != 0 {
		t.Errorf("%d case views audited for nobody", n)
	}
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	f.user("other@example.nhs.uk", "Alex Smith", ohcontact.RoleClinician, f.org)
	tc := f.newCase(f.org, ohcontact.PriorityUrgent, 0)
	b := f.signIn("nurse@example.nhs.uk")
	other := f.signIn("other@example.nhs.uk")
	claim := fmt.Sprintf("/console/cases/%d/claim", tc.id)

	tests := []struct {
		name   string
		token  string
		header http.Header
	}{
		{"no token", "", nil},
		{"wrong token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", nil},
		{"another session's token", other.csrf, nil},
		{"cross-site request", b.csrf, http.Header{"Sec-Fetch-Site": {"cross-site"}}},
		{"foreign origin", b.csrf, http.Header{"Origin": {"https://attacker.example"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{}
			if tt.token != "" {
				form.Set("csrf_token", tt.token)
			}
			resp, page := b.send(http.MethodPost, claim, form, tt.header)
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "nothing was changed") {
				t.Fatalf("status %d; want 403 with a plain page", resp.StatusCode)
			}
			if n := f.count(`SELECT count(*) FROM cases WHERE id = $1 AND status = 'open'`, tc.id); n != 1 {
				t.Fatal("the case changed despite the refused form")
			}
		})
	}

	// The same-origin form with its token works, so the refusals above are
	// about the token and origin alone.
	resp, _ := b.send(http.MethodPost, claim, url.Values{"csrf_token": {b.csrf}},
		http.Header{"Sec-Fetch-Site": {"same-origin"}, "Origin": {f.srv.URL}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("same-origin claim with its token: status %d, want 303", resp.StatusCode)
	}

	t.Run("sign-in form", func(t *testing.T) {
		fresh := f.browser()
		resp, _ := fresh.send(http.MethodPost, "/console/login",
			url.Values{"email": {"nurse@example.nhs.uk"}, "password": {password}}, nil)
		if resp.StatusCode != http.StatusForbidden || hasCookie(resp, "ohcontact_session") {
			t.Fatalf("sign-in without the pre-session token: status %d; want 403 and no session", resp.StatusCode)
		}
		_, page := fresh.get("/console/login")
		token := csrfIn(t, page)
		resp, _ = fresh.send(http.MethodPost, "/console/login",
			url.Values{"csrf_token": {token}, "email": {"nurse@example.nhs.uk"}, "password": {password}},
			http.Header{"Sec-Fetch-Site": {"cross-site"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-site sign-in: status %d, want 403", resp.StatusCode)
		}
	})
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	b := f.signIn("nurse@example.nhs.uk")
	for _, path := range []string{"/console/login", "/console/", "/console/cases/999999", "/console/nowhere"} {
		resp, _ := b.get(path)
		h := resp.Header
		if h.Get("Cache-Control") != "no-store" || h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") != "no-referrer" ||
			!strings.Contains(h.Get("Content-Security-Policy"), "default-src 'self'") ||
			!strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("GET %s: headers %v", path, h)
		}
	}
	resp, css := b.get("/console/static/console.css")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") || !strings.Contains(css, "#ffeb3b") {
		t.Fatalf("stylesheet: status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, _ = b.send(http.MethodGet, "/console/static/console.css", nil, http.Header{"If-None-Match": {resp.Header.Get("ETag")}})
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("stylesheet revalidation: status %d, want 304", resp.StatusCode)
	}
}

func TestPagesAreAccessibleMarkup(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("admin@example.nhs.uk", "Ada Admin", ohcontact.RoleAdmin, 0)
	tc := f.newCase(f.org, ohcontact.PriorityUrgent, 0)
	b := f.signIn("admin@example.nhs.uk")
	for _, path := range []string{"/console/", fmt.Sprintf("/console/cases/%d", tc.id), "/console/admin/users", "/console/cases/999999"} {
		_, page := b.get(path)
		checkMarkup(t, path, page)
	}
	checkMarkup(t, "/console/login", func() string { _, p := f.browser().get("/console/login"); return p }())
}

// checkMarkup checks what axe would first complain about: language, one
// h1, a skip link to main, and a label for every input.
func checkMarkup(t *testing.T, path, page string) {
	t.Helper()
	if !strings.Contains(page, `<html lang="en-GB">`) {
		t.Errorf("%s: no lang=en-GB", path)
	}
	if n := strings.Count(page, "<h1"); n != 1 {
		t.Errorf("%s: %d h1 elements, want 1", path, n)
	}
	if !strings.Contains(page, `<a class="skip-link" href="#main-content">`) || !strings.Contains(page, `<main class="main" id="main-content"`) {
		t.Errorf("%s: no skip link to the main landmark", path)
	}
	for _, m := range regexp.MustCompile(`<(?:input|textarea|select)[^>]*\bid="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		if !strings.Contains(page, `for="`+m[1]+`"`) {
			t.Errorf("%s: input %s has no label", path, m[1])
		}
	}
	for _, m := range regexp.MustCompile(`<(input|textarea|select)\b[^>]*>`).FindAllStringSubmatch(page, -1) {
		if !strings.Contains(m[0], `type="hidden"`) && !strings.Contains(m[0], ` id="`) {
			t.Errorf("%s: %s without an id cannot be labelled", path, m[0])
		}
	}
}
