package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/escalation/console"
)

// loginFrom sends the sign-in form as the client at addr, as a proxy
// trusted with X-Forwarded-For would pass it on.
func (b *browser) loginFrom(addr, email, pw string) (*http.Response, string) {
	b.t.Helper()
	_, page := b.get("/console/login")
	return b.send(http.MethodPost, "/console/login", url.Values{"csrf_token": {csrfIn(b.t, page)}, "email": {email}, "password": {pw}},
		http.Header{"X-Forwarded-For": {"198.51.100.77, " + addr}})
}

// checkTooMany checks that resp refuses a sign-in attempt with status and
// a Retry-After, saying to try again in a minute.
func checkTooMany(t *testing.T, what string, resp *http.Response, page string, status int) {
	t.Helper()
	if resp.StatusCode != status || hasCookie(resp, "ohcontact_session") {
		t.Fatalf("%s: status %d, want %d and no session", what, resp.StatusCode, status)
	}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || s < 1 {
		t.Errorf("%s: Retry-After %q, want a number of seconds", what, resp.Header.Get("Retry-After"))
	}
	if !strings.Contains(text(page), "Too many sign-in attempts right now; try again in a minute.") {
		t.Errorf("%s: the page does not say to try again in a minute:\n%s", what, text(page))
	}
}

// TestSignInHashingIsBounded fills the hashing gate and checks that sign-in
// attempts beyond it are refused with 503 without hashing, and that
// signing in works again once it empties.
func TestSignInHashingIsBounded(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, false, func(c *console.Config) {
		c.SignIn = console.SignInLimits{Hashes: 1, HashQueue: 2, HashWait: 200 * time.Millisecond, ClientBurst: 1000, AccountBurst: 1000}
	})
	f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	release := f.console.HoldHashSlots()

	const attempts = 12
	type answer struct {
		resp *http.Response
		page string
		err  error
	}
	answers := make([]answer, attempts)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range attempts {
		b := f.browser()
		_, page := b.get("/console/login")
		form := url.Values{"csrf_token": {csrfIn(t, page)}, "email": {fmt.Sprintf("user%d@example.nhs.uk", i)}, "password": {password}}
		if i == 0 {
			form.Set("email", "nurse@example.nhs.uk")
		}
		wg.Go(func() {
			resp, page, err := b.trySend(http.MethodPost, "/console/login", form, nil)
			answers[i] = answer{resp, page, err}
		})
	}
	wg.Wait()
	took := time.Since(start)
	for i, a := range answers {
		if a.err != nil {
			t.Fatal(a.err)
		}
		checkTooMany(t, fmt.Sprintf("attempt %d on a full gate", i+1), a.resp, a.page, http.StatusServiceUnavailable)
	}
	if n := f.console.HashesRun(); n != 0 {
		t.Errorf("%d hashes ran while the gate was full, want 0", n)
	}
	// Two waited 200 ms; the others were refused at once.
	if took > 5*time.Second {
		t.Errorf("%d refused attempts took %v: they should be answered at once, or after the gate's wait", attempts, took)
	}
	if n := f.count(`SELECT failed_logins FROM users WHERE email = 'nurse@example.nhs.uk'`); n != 0 {
		t.Errorf("refused attempts counted %d failed sign-ins, want 0", n)
	}

	release()
	if resp, _ := f.browser().login("nurse@example.nhs.uk", password); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in once the gate is free: status %d, want 303", resp.StatusCode)
	}
	if n := f.console.HashesRun(); n != 1 {
		t.Errorf("%d hashes ran for one sign-in, want 1", n)
	}
}

// TestThrottledClientCannotLockOut checks that attempts from one client
// past its throttle are refused with 429, hash nothing and do not count
// towards the account's lockout, and that other clients (told apart by
// the trusted proxy's header) are not throttled with it.
func TestThrottledClientCannotLockOut(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, false, func(c *console.Config) {
		c.TrustedProxyHeader = "X-Forwarded-For"
		c.SignIn = console.SignInLimits{ClientPerMinute: 1, ClientBurst: 3, AccountBurst: 1000}
	})
	id := f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	attacker := f.browser()
	for i := range 3 {
		if resp, _ := attacker.loginFrom("203.0.113.9", "nurse@example.nhs.uk", "wrong password number"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d within the burst: status %d, want 401", i+1, resp.StatusCode)
		}
	}
	for i := range 10 {
		resp, page := attacker.loginFrom("203.0.113.9", "nurse@example.nhs.uk", "wrong password number")
		checkTooMany(t, fmt.Sprintf("throttled attempt %d", i+1), resp, page, http.StatusTooManyRequests)
	}
	if n := f.console.HashesRun(); n != 3 {
		t.Errorf("%d hashes ran, want 3: throttled attempts hash nothing", n)
	}
	if n := f.count(`SELECT count(*) FROM users WHERE id = $1 AND failed_logins = 3 AND locked_until IS NULL`, id); n != 1 {
		t.Error("throttled attempts counted towards the lockout")
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'user.locked'`); n != 0 {
		t.Errorf("%d user.locked audit events, want 0", n)
	}
	// The nurse, elsewhere, signs in.
	if resp, _ := f.browser().loginFrom("203.0.113.10", "nurse@example.nhs.uk", password); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("another client: status %d, want 303", resp.StatusCode)
	}
}

// TestAccountThrottle checks that attempts on one account are throttled
// whichever client makes them, however its address is written, and that
// other accounts are not throttled with it.
func TestAccountThrottle(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, false, func(c *console.Config) {
		c.TrustedProxyHeader = "X-Forwarded-For"
		c.SignIn = console.SignInLimits{AccountPerMinute: 1, AccountBurst: 2, ClientBurst: 1000}
	})
	f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	f.user("other@example.nhs.uk", "Alex Smith", ohcontact.RoleClinician, f.org)
	for i, email := range []string{"nurse@example.nhs.uk", "Nurse@Example.nhs.uk"} {
		if resp, _ := f.browser().loginFrom(fmt.Sprintf("203.0.113.%d", i+1), email, "wrong password number"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: status %d, want 401", i+1, resp.StatusCode)
		}
	}
	resp, page := f.browser().loginFrom("203.0.113.3", "NURSE@example.nhs.uk", password)
	checkTooMany(t, "third attempt on the account", resp, page, http.StatusTooManyRequests)
	if resp, _ := f.browser().loginFrom("203.0.113.3", "other@example.nhs.uk", password); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("another account: status %d, want 303", resp.StatusCode)
	}
	f.advance(time.Minute)
	if resp, _ := f.browser().loginFrom("203.0.113.4", "nurse@example.nhs.uk", password); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a minute later: status %d, want 303", resp.StatusCode)
	}
}

func TestAdminRefusedWeakPasswords(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("admin@example.nhs.uk", "Ada Admin", ohcontact.RoleAdmin, 0)
	b := f.signIn("admin@example.nhs.uk")
	org := strconv.FormatInt(f.org, 10)
	for _, tt := range []struct{ name, pw, says string }{
		{"common", "Password2026!", "Choose a less common password"},
		{"letter swaps", "L1verp00l1892", "Choose a less common password"},
		{"spaces", "                ", "Enter a password that is not only spaces"},
	} {
		resp, page := b.post("/console/admin/users", url.Values{"email": {"new@example.nhs.uk"}, "name": {"New Nurse"},
			"role": {"clinician"}, "organisation_id": {org}, "password": {tt.pw}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(errorSummary(page), `<a href="#password">`+tt.says) {
			t.Errorf("%s: status %d, summary %s", tt.name, resp.StatusCode, errorSummary(page))
		}
	}
	if n := f.count(`SELECT count(*) FROM users WHERE email = 'new@example.nhs.uk'`); n != 0 {
		t.Error("an account was made with a weak password")
	}
	if n := f.console.HashesRun(); n != 1 {
		t.Errorf("%d hashes ran (the admin's sign-in is 1): refused passwords must hash nothing", n)
	}
}
