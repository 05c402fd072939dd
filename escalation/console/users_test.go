package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

func TestAdminPageIsForAdmins(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	f.user("lead@example.nhs.uk", "Lee Lead", ohcontact.RoleLead, 0)
	f.user("admin@example.nhs.uk", "Ada Admin", ohcontact.RoleAdmin, 0)
	for _, email := range []string{"nurse@example.nhs.uk", "lead@example.nhs.uk"} {
		b := f.signIn(email)
		if resp, _ := b.get("/console/admin/users"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: GET users page: status %d, want 403", email, resp.StatusCode)
		}
		resp, _ := b.post("/console/admin/users", url.Values{"email": {"x@example.nhs.uk"}, "name": {"X"}, "role": {"admin"}, "password": {"long enough password"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: POST users page: status %d, want 403", email, resp.StatusCode)
		}
		if _, page := b.get("/console/"); strings.Contains(page, "/console/admin/users") {
			t.Errorf("%s sees a link to the users page", email)
		}
	}
	if n := f.count(`SELECT count(*) FROM users WHERE email = 'x@example.nhs.uk'`); n != 0 {
		t.Error("a non-admin created an account")
	}
	resp, page := f.signIn("admin@example.nhs.uk").get("/console/admin/users")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "nurse@example.nhs.uk") || !strings.Contains(page, "Lee Lead") {
		t.Fatalf("admin's users page: status %d", resp.StatusCode)
	}
	if !strings.Contains(page, "At least 12 characters.") {
		t.Error("the new account form does not say how long the password must be")
	}
}

func TestAdminCreatesAndDisablesUsers(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	admin := f.user("admin@example.nhs.uk", "Ada Admin", ohcontact.RoleAdmin, 0)
	b := f.signIn("admin@example.nhs.uk")
	add := func(email, name, role, org, pw string) (*http.Response, string) {
		return b.post("/console/admin/users", url.Values{"email": {email}, "name": {name}, "role": {role}, "organisation_id": {org}, "password": {pw}})
	}
	org := strconv.FormatInt(f.org, 10)

	resp, _ := add("new.nurse@example.nhs.uk", "New Nurse", "clinician", org, "a long enough password")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/admin/users?done=created" {
		t.Fatalf("add user: status %d, location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var id int64
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT id FROM users WHERE email = 'new.nurse@example.nhs.uk' AND role = 'clinician'
		AND organisation_id = $1 AND password_hash LIKE '$argon2id$v=19$%'`, f.org).Scan(&id); err != nil {
		t.Fatalf("the new account is not stored as asked: %v", err)
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'user.created' AND record_id = $1 AND actor_id = $2`, id, admin); n != 1 {
		t.Errorf("%d user.created audit events by the admin, want 1", n)
	}
	// A job title for signed replies, shown in the list; too long a one is refused.
	resp, _ = b.post("/console/admin/users", url.Values{"email": {"titled@example.nhs.uk"}, "name": {"Tia Titled"}, "role": {"clinician"},
		"organisation_id": {org}, "password": {"a long enough password"}, "job_title": {"OH nurse"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add user with a job title: status %d", resp.StatusCode)
	}
	if _, page := b.get("/console/admin/users"); !strings.Contains(page, "Clinician (job title: OH nurse)") ||
		!strings.Contains(page, "Clinician (job title: OH clinician, the default)") {
		t.Error("the users page does not show job titles")
	}
	resp, page := b.post("/console/admin/users", url.Values{"email": {"long@example.nhs.uk"}, "name": {"Lon Title"}, "role": {"clinician"},
		"organisation_id": {org}, "password": {"a long enough password"}, "job_title": {strings.Repeat("t", 61)}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(errorSummary(page), `href="#job-title"`) {
		t.Errorf("a 61-character job title: status %d, want 422 at #job-title", resp.StatusCode)
	}
	nurse := f.browser()
	if resp, _ := nurse.login("new.nurse@example.nhs.uk", "a long enough password"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the new user cannot sign in: status %d", resp.StatusCode)
	}

	for _, tt := range []struct{ name, email, role, org, pw, field, says string }{
		{"duplicate email", "New.Nurse@example.nhs.uk", "clinician", org, "a long enough password", "email", "There is already an account with this email address"},
		{"short password", "short@example.nhs.uk", "clinician", org, "too short", "password", "Enter a password of 12 to 256 characters"},
		{"no role", "norole@example.nhs.uk", "", org, "a long enough password", "role", "Choose a role"},
		{"bad email", "not an email", "clinician", org, "a long enough password", "email", "Enter an email address"},
		{"unknown organisation", "org@example.nhs.uk", "clinician", "999999", "a long enough password", "organisation", "Choose an organisation"},
	} {
		resp, page := add(tt.email, "Someone", tt.role, tt.org, tt.pw)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(errorSummary(page), fmt.Sprintf(`<a href="#%s">%s`, tt.field, tt.says)) {
			t.Errorf("%s: status %d, summary %s", tt.name, resp.StatusCode, errorSummary(page))
		}
		if strings.Contains(page, tt.pw) {
			t.Errorf("%s: the refused form shows the password again", tt.name)
		}
	}
	if n := f.count(`SELECT count(*) FROM users`); n != 3 {
		t.Errorf("%d accounts after the refused forms, want 3 (the admin and the two added)", n)
	}

	// Disabling ends the account's sessions at once; enabling lets it back.
	if resp, _ := b.post(fmt.Sprintf("/console/admin/users/%d/disable", id), nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: status %d", resp.StatusCode)
	}
	if resp, _ := nurse.get("/console/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a disabled user's session still works: status %d", resp.StatusCode)
	}
	if resp, _ := f.browser().login("new.nurse@example.nhs.uk", "a long enough password"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a disabled user signing in: status %d, want 403", resp.StatusCode)
	}
	if resp, _ := b.post(fmt.Sprintf("/console/admin/users/%d/enable", id), nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("enable: status %d", resp.StatusCode)
	}
	if resp, _ := f.browser().login("new.nurse@example.nhs.uk", "a long enough password"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("an enabled user signing in: status %d, want 303", resp.StatusCode)
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action IN ('user.disabled', 'user.enabled') AND record_id = $1 AND actor_id = $2`, id, admin); n != 2 {
		t.Errorf("%d disable and enable audit events, want 2", n)
	}
	if resp, _ := b.post(fmt.Sprintf("/console/admin/users/%d/disable", admin), nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("an admin disabling themselves: status %d, want 409", resp.StatusCode)
	}
}

func TestOrganisationAdminIsScoped(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("admin@example.nhs.uk", "Ada Admin", ohcontact.RoleAdmin, f.org)
	other := f.user("other@example.nhs.uk", "Olly Other", ohcontact.RoleClinician, f.otherOrg)
	b := f.signIn("admin@example.nhs.uk")

	_, page := b.get("/console/admin/users")
	if strings.Contains(page, "Olly Other") || strings.Contains(page, "Other Trust") || strings.Contains(page, "Every organisation</option>") {
		t.Error("an organisation's admin sees another organisation, or may create accounts for every organisation")
	}
	if resp, _ := b.post(fmt.Sprintf("/console/admin/users/%d/disable", other), nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("disabling another organisation's user: status %d, want 404", resp.StatusCode)
	}
	for _, org := range []string{"", strconv.FormatInt(f.otherOrg, 10)} {
		resp, _ := b.post("/console/admin/users", url.Values{"email": {"n@example.nhs.uk"}, "name": {"N"}, "role": {"clinician"},
			"organisation_id": {org}, "password": {"a long enough password"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("creating an account for organisation %q: status %d, want 422", org, resp.StatusCode)
		}
	}
	if n := f.count(`SELECT count(*) FROM users WHERE disabled_at IS NULL`); n != 2 {
		t.Errorf("%d enabled accounts, want 2", n)
	}
}

// TestUsersPageListsMobileConflicts: a mobile on the staff records of two
// organisations is a banner on the admins' Users page, naming the records by
// assignment number and the number by its last three digits; an admin of
// one organisation sees their own record and only the other organisation's
// name.
func TestUsersPageListsMobileConflicts(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("admin@example.nhs.uk", "Ada Admin", ohcontact.RoleAdmin, 0)
	f.user("rx1.admin@example.nhs.uk", "Rex Admin", ohcontact.RoleAdmin, f.org)
	_, page := f.signIn("admin@example.nhs.uk").get("/console/admin/users")
	if strings.Contains(page, `id="mobile-conflicts"`) {
		t.Fatal("a conflict banner with no conflicts")
	}
	for _, s := range []pgtest.StaffRow{
		{Organisation: f.otherOrg, Number: "B-200", First: "Bea", Last: "Other", Mobile: "+447700900123"},
		{Organisation: f.org, Number: "A-200", First: "Mallory", Last: "Example", Mobile: "+447700900123"},
		{Organisation: f.org, Number: "A-300", First: "Ann", Last: "Example", Mobile: "+447700900300"},
	} {
		pgtest.Staff(t, f.db.Pool, s)
	}

	_, page = f.signIn("admin@example.nhs.uk").get("/console/admin/users")
	banner := text(page)
	for _, want := range []string{"1 staff mobile is also on another organisation's staff record", "…123",
		"Other Trust, assignment number B-200", "Test Trust, assignment number A-200"} {
		if !strings.Contains(banner, want) {
			t.Errorf("the admin of every organisation's Users page does not say %q", want)
		}
	}
	if strings.Contains(page, "7700900123") || strings.Contains(page, "A-300") {
		t.Error("the Users page shows a whole number, or a record in no conflict")
	}
	checkMarkup(t, "/console/admin/users", page)

	_, page = f.signIn("rx1.admin@example.nhs.uk").get("/console/admin/users")
	banner = text(page)
	if !strings.Contains(banner, "Test Trust, assignment number A-200") || !strings.Contains(banner, "Other Trust") ||
		strings.Contains(banner, "B-200") {
		t.Errorf("an admin of Test Trust should see their record A-200 and the other organisation's name only: %s", banner)
	}
}

func TestAdminUnlocksAccount(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	admin := f.user("admin@example.nhs.uk", "Ada Admin", ohcontact.RoleAdmin, f.org)
	nurse := f.user("nurse@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	other := f.user("other@example.nhs.uk", "Olly Other", ohcontact.RoleClinician, f.otherOrg)
	if _, err := f.db.Pool.Exec(t.Context(), `UPDATE users SET locked_until = now() + interval '15 minutes', failed_logins = 0
		WHERE id IN ($1, $2)`, nurse, other); err != nil {
		t.Fatal(err)
	}
	b := f.signIn("admin@example.nhs.uk")
	unlock := fmt.Sprintf("/console/admin/users/%d/unlock", nurse)

	_, page := b.get("/console/admin/users")
	if !strings.Contains(text(page), "Locked until") || !strings.Contains(page, `action="`+unlock+`"`) {
		t.Fatalf("the users page does not show the lock and an unlock form:\n%s", text(page))
	}
	if resp, _ := b.send(http.MethodPost, unlock, url.Values{}, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("unlock without the CSRF token: status %d, want 403", resp.StatusCode)
	}
	if resp, _ := b.post(fmt.Sprintf("/console/admin/users/%d/unlock", other), nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unlocking another organisation's account: status %d, want 404", resp.StatusCode)
	}
	if resp, _ := f.browser().login("nurse@example.nhs.uk", password); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a locked account signing in: status %d, want 401", resp.StatusCode)
	}

	resp, _ := b.post(unlock, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/admin/users?done=unlocked" {
		t.Fatalf("unlock: status %d, location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, page := b.get("/console/admin/users?done=unlocked"); !strings.Contains(page, "The account has been unlocked") {
		t.Error("no confirmation of the unlock")
	}
	if n := f.count(`SELECT count(*) FROM users WHERE id = $1 AND locked_until IS NULL AND failed_logins = 0`, nurse); n != 1 {
		t.Fatal("the account is still locked")
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'user.unlocked' AND record_id = $1 AND actor_id = $2`, nurse, admin); n != 1 {
		t.Errorf("%d user.unlocked audit events by the admin, want 1", n)
	}
	if n := f.count(`SELECT count(*) FROM users WHERE id = $1 AND locked_until > now()`, other); n != 1 {
		t.Error("another organisation's account was unlocked")
	}
	if resp, _ := f.browser().login("nurse@example.nhs.uk", password); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the unlocked account signing in: status %d, want 303", resp.StatusCode)
	}
}

// TestAdminSetsJobTitle: an admin changes the job title an existing
// account's replies are signed with, or clears it back to the role's
// default; a title too long or on two lines is refused next to its field;
// another organisation's account is not found; each change is audited.
func TestAdminSetsJobTitle(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	admin := f.user("admin@example.nhs.uk", "Ada Admin", ohcontact.RoleAdmin, f.org)
	nurse := f.user("sam@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	other := f.user("other@example.nhs.uk", "Olly Other", ohcontact.RoleClinician, f.otherOrg)
	b := f.signIn("admin@example.nhs.uk")
	path := fmt.Sprintf("/console/admin/users/%d/title", nurse)

	if _, page := b.get("/console/admin/users"); !strings.Contains(page, `action="`+path+`"`) {
		t.Fatal("the users page offers no job title form for a clinician")
	}
	if resp, _ := b.post(path, url.Values{"job_title": {"  OH nurse  "}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("set job title: status %d, want 303", resp.StatusCode)
	}
	if n := f.count(`SELECT count(*) FROM users WHERE id = $1 AND job_title = 'OH nurse'`, nurse); n != 1 {
		t.Error("the job title was not saved, trimmed")
	}
	if _, page := b.get("/console/admin/users?done=title"); !strings.Contains(text(page), "Sam Jones") || !strings.Contains(page, `value="OH nurse"`) {
		t.Error("the users page does not show the saved job title")
	}
	for _, bad := range []string{strings.Repeat("x", 61), "OH\nnurse"} {
		resp, page := b.post(path, url.Values{"job_title": {bad}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(errorSummary(page), fmt.Sprintf(`href="#job-title-%d"`, nurse)) {
			t.Errorf("job title %q: status %d, want 422 with the error linked to the field", bad, resp.StatusCode)
		}
	}
	if resp, _ := b.post(path, url.Values{"job_title": {""}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("clear job title: status %d, want 303", resp.StatusCode)
	}
	if n := f.count(`SELECT count(*) FROM users WHERE id = $1 AND job_title IS NULL`, nurse); n != 1 {
		t.Error("clearing the job title did not go back to the role's default")
	}
	if resp, _ := b.post(fmt.Sprintf("/console/admin/users/%d/title", other), url.Values{"job_title": {"Nurse"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("setting another organisation's account's title: status %d, want 404", resp.StatusCode)
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'user.job_title_changed' AND record_id = $1 AND actor_id = $2`, nurse, admin); n != 2 {
		t.Errorf("%d user.job_title_changed audit events, want 2", n)
	}
}
