package main

import (
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/escalation/console"
	"github.com/ohcontact/ohcontact/postgres"
)

// runUserAdd runs user add with args and stdin, returning stdout, stderr
// and the error.
func runUserAdd(t *testing.T, vars map[string]string, stdin string, args ...string) (string, string, error) {
	t.Helper()
	env, stdout, stderr := testEnv(vars)
	env.stdin = strings.NewReader(stdin)
	err := runUser(t.Context(), env, append([]string{"add"}, args...))
	return stdout.String(), stderr.String(), err
}

func TestUserAdd(t *testing.T) {
	t.Parallel()
	vars, db := commandDB(t)
	ctx := t.Context()

	out, _, err := runUserAdd(t, vars, "a long enough password\r\n", "--email", "Sam.Jones@example.nhs.uk", "--name", "Sam Jones", "--role", "clinician",
		"--title", "OH nurse", "--org", "DEMO")
	if err != nil {
		t.Fatalf("user add: %v", err)
	}
	id, err := strconv.ParseInt(strings.TrimSpace(out), 10, 64)
	if err != nil || out != strconv.FormatInt(id, 10)+"\n" {
		t.Fatalf("user add printed %q, want the new id", out)
	}
	var role, org, title string
	if err := db.Pool.QueryRow(ctx, `SELECT u.role, o.code, u.job_title FROM users u JOIN organisations o ON o.id = u.organisation_id
		WHERE u.id = $1 AND u.email = 'Sam.Jones@example.nhs.uk' AND u.display_name = 'Sam Jones'`, id).Scan(&role, &org, &title); err != nil ||
		role != "clinician" || org != "DEMO" || title != "OH nurse" {
		t.Fatalf("stored account: role %q, organisation %q, job title %q, %v", role, org, title, err)
	}
	// The account signs in with the first line of standard input, without
	// its line ending.
	if status := signIn(t, db, "sam.jones@example.nhs.uk", "a long enough password"); status != http.StatusSeeOther {
		t.Fatalf("signing in with the new account: status %d, want 303", status)
	}

	out, _, err = runUserAdd(t, vars, "another long password", "--email", "ada@example.nhs.uk", "--name", "Ada Admin", "--role", "admin")
	if err != nil {
		t.Fatalf("user add for every organisation: %v", err)
	}
	var everyOrg bool
	db.Pool.QueryRow(ctx, `SELECT organisation_id IS NULL FROM users WHERE id = $1`, strings.TrimSpace(out)).Scan(&everyOrg)
	if !everyOrg {
		t.Error("an account added without --org is tied to an organisation")
	}

	// A physiotherapist of one organisation, who works its referrals.
	out, _, err = runUserAdd(t, vars, "a physio's long password", "--email", "pat@example.nhs.uk", "--name", "Pat Physio", "--role", "physio", "--org", "DEMO")
	if err != nil {
		t.Fatalf("user add --role physio: %v", err)
	}
	if err := db.Pool.QueryRow(ctx, `SELECT role FROM users WHERE id = $1`, strings.TrimSpace(out)).Scan(&role); err != nil || role != ohcontact.RolePhysio {
		t.Errorf("physio account: role %q, %v", role, err)
	}
	if status := signIn(t, db, "pat@example.nhs.uk", "a physio's long password"); status != http.StatusSeeOther {
		t.Errorf("signing in as the physiotherapist: status %d, want 303", status)
	}

	tests := []struct {
		name, stdin, email, org, wantErr string
	}{
		{"duplicate email", "a long enough password\n", "SAM.JONES@example.nhs.uk", "DEMO", "there is already an account with that email address"},
		{"short password", "elevenchars\n", "new@example.nhs.uk", "DEMO", "at least 12 characters"},
		{"no password", "", "new@example.nhs.uk", "DEMO", "no password on standard input"},
		{"unknown organisation", "a long enough password\n", "new@example.nhs.uk", "NOPE", `no organisation with code "NOPE"`},
	}
	for _, tt := range tests {
		out, _, err := runUserAdd(t, vars, tt.stdin, "--email", tt.email, "--name", "Someone", "--role", "lead", "--org", tt.org)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) || out != "" {
			t.Errorf("%s: error %v, stdout %q; want %q", tt.name, err, out, tt.wantErr)
		}
		if p := strings.TrimSpace(tt.stdin); p != "" && err != nil && strings.Contains(err.Error(), p) {
			t.Errorf("%s: the error shows the password", tt.name)
		}
	}
	var n int
	db.Pool.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n)
	if n != 3 {
		t.Errorf("%d accounts after the refused commands, want 3", n)
	}
}

// signIn signs in to a console on db and returns the answer's status.
func signIn(t *testing.T, db *postgres.DB, email, password string) int {
	t.Helper()
	mux := http.NewServeMux()
	console.New(console.Config{DB: db}).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(srv.URL + "/console/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatal("no CSRF token on the sign-in page")
	}
	resp, err = client.PostForm(srv.URL+"/console/login", url.Values{"csrf_token": {string(m[1])}, "email": {email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestUserUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		wantErr error
		stdout  string
		stderr  string
	}{
		{"help", []string{"--help"}, flag.ErrHelp, "Usage: ohcontact user add --email", ""},
		{"add help", []string{"add", "-h"}, flag.ErrHelp, "first line of standard input (12 to 256 characters, not only spaces", ""},
		{"no subcommand", []string{"--email", "a@b.nhs.uk", "--name", "A", "--role", "lead"}, errUsage, "", `want the subcommand add, got ""`},
		{"unknown subcommand", []string{"remove", "--email", "a@b.nhs.uk", "--name", "A", "--role", "lead"}, errUsage, "", `got "remove"`},
		{"extra argument", []string{"add", "--email", "a@b.nhs.uk", "--name", "A", "--role", "lead", "more"}, errUsage, "", `got "add more"`},
		{"no email", []string{"add", "--name", "A", "--role", "lead"}, errUsage, "", "--email must be an email address"},
		{"no name", []string{"add", "--email", "a@b.nhs.uk", "--role", "lead"}, errUsage, "", "--name must be 1 to 100 characters"},
		{"bad role", []string{"add", "--email", "a@b.nhs.uk", "--name", "A", "--role", "nurse"}, errUsage, "", "--role must be clinician, lead, admin or physio"},
		{"unknown flag", []string{"add", "--password", "x"}, errUsage, "", "password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, stdout, stderr := testEnv(nil)
			env.stdin = strings.NewReader("a long enough password\n")
			err := runUser(t.Context(), env, tt.args)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("runUser(%q) = %v, want %v", tt.args, err, tt.wantErr)
			}
			if !strings.Contains(stdout.String(), tt.stdout) || !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stdout %q, stderr %q; want %q and %q", stdout, stderr, tt.stdout, tt.stderr)
			}
			if tt.wantErr == errUsage && stdout.String() != "" {
				t.Errorf("usage error wrote to stdout: %q", stdout)
			}
		})
	}
}

func TestUserAddRefusesWeakPasswords(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, password, want string }{
		{"common", "Password2026!", "too common"},
		{"spaces", "              ", "only spaces"},
		{"short", "short", "at least 12 characters"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, _, _ := testEnv(nil)
			env.stdin = strings.NewReader(tt.password + "\n")
			err := runUser(t.Context(), env, []string{"add", "--email", "a@b.nhs.uk", "--name", "A", "--role", "lead"})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("user add with a %s password: %v, want an error saying %q", tt.name, err, tt.want)
			}
		})
	}
}
