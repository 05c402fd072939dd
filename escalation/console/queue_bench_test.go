package console_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact/escalation/console"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// benchCases seeds 4 organisations with 10,000 members of staff each,
// 10,000 unresolved cases (a third claimed, each from an SMS or web chat
// conversation) and 200,000 resolved ones, spread evenly, and returns a
// client signed in as a clinician of the first organisation (2,500
// unresolved and 50,000 resolved cases) and the console's URL.
func benchCases(b *testing.B) (*http.Client, string) {
	b.Helper()
	ctx := b.Context()
	db := pgtest.New(b)
	hash, err := console.HashPassword(password)
	if err != nil {
		b.Fatal(err)
	}
	for _, sql := range []string{
		`INSERT INTO organisations (code, name) SELECT 'RB' || i, 'Bench Trust ' || i FROM generate_series(1, 4) AS i`,
		`INSERT INTO users (organisation_id, email, display_name, role, password_hash)
		 SELECT id, 'nurse' || id || '@example.nhs.uk', 'Nurse ' || id, 'clinician', $1 FROM organisations ORDER BY id`,
		`INSERT INTO staff (organisation_id, assignment_number, first_name, last_name)
		 SELECT (SELECT min(id) FROM organisations) + i % 4, lpad(i::text, 8, '0') || '-1',
		        (ARRAY['Ann', 'Zoë', 'Siân', 'Łukasz', 'Mohammed', 'Olivia', 'Dafydd', 'Agnieszka', 'Sam', 'Priya',
		               'Rhys', 'Chloé', 'Tomasz', 'Grace', 'Oisín', 'Fatima', 'Gareth', 'Amelia', 'Kwame', 'Ewa'])[1 + (i / 4) % 20],
		        (ARRAY['Smith', 'Jones', 'Lloyd-Hughes', 'O''Brien', 'Nowak', 'Williams', 'Davies', 'Kowalski', 'Evans', 'Patel',
		               'Thomas', 'Roberts', 'Wiśniewski', 'Khan', 'Hughes', 'Edwards', 'Brown', 'Taylor', 'Wójcik', 'Murphy',
		               'Walsh', 'Green', 'Hall', 'Wood', 'Price', 'Lewis', 'Morgan', 'Ahmed', 'Begum', 'Clarke',
		               'Kelly', 'Byrne', 'Ryan', 'Doyle', 'Lee', 'Martin', 'Jackson', 'White', 'Harris', 'Wright',
		               'Zieliński', 'Kamiński', 'Lewandowski', 'Dąbrowski', 'Owen', 'Pritchard', 'Rees', 'Jenkins', 'Powell', 'Bevan'])[1 + (i / 80) % 50]
		 FROM generate_series(1, 40000) AS i`,
		// Unresolved cases: staff member i % 40000, created up to 3 days
		// ago, a third claimed by their organisation's nurse.
		`INSERT INTO cases (organisation_id, staff_id, priority, category, status, claimed_by, claimed_at, sla_due_at, created_at)
		 SELECT s.organisation_id, s.id, (ARRAY['routine', 'high', 'urgent'])[1 + i % 3],
		        (ARRAY['suicide_risk', 'self_harm', 'asked_to_talk', 'callback_requested', 'low_mood'])[1 + i % 5],
		        CASE WHEN i % 3 = 0 THEN 'claimed' ELSE 'open' END,
		        CASE WHEN i % 3 = 0 THEN u.id END, CASE WHEN i % 3 = 0 THEN now() END,
		        now() - (i % 4320) * interval '1 minute' + interval '1 hour', now() - (i % 4320) * interval '1 minute'
		 FROM generate_series(1, 10000) AS i
		 JOIN staff s ON s.id = (SELECT min(id) FROM staff) + (i * 7919) % 40000
		 JOIN users u ON u.organisation_id = s.organisation_id`,
		`WITH v AS (
			INSERT INTO conversations (organisation_id, staff_id, channel, address, flow, fsm_state, owner, status, closed_reason, closed_at)
			SELECT organisation_id, staff_id, CASE WHEN id % 4 = 0 THEN 'webchat' ELSE 'sms' END, 'bench-' || id, 'support', 'risk_pathway',
			       'clinician', 'closed', 'resolved', now()
			FROM cases ORDER BY id
			RETURNING id, address)
		 UPDATE cases c SET conversation_id = v.id FROM v WHERE v.address = 'bench-' || c.id`,
		// Resolved cases: over the last two years.
		`INSERT INTO cases (organisation_id, staff_id, priority, category, status, claimed_by, claimed_at, sla_due_at,
		                    outcome, resolved_by, resolved_at, created_at)
		 SELECT s.organisation_id, s.id, (ARRAY['routine', 'high', 'urgent'])[1 + i % 3],
		        (ARRAY['suicide_risk', 'self_harm', 'asked_to_talk', 'callback_requested', 'low_mood'])[1 + i % 5], 'resolved',
		        u.id, now() - i * interval '5 minutes', now() - i * interval '5 minutes',
		        (ARRAY['support_arranged', 'no_further_action', 'referred_crisis_or_gp', 'no_risk_found'])[1 + i % 4],
		        u.id, now() - i * interval '5 minutes' + interval '1 hour', now() - i * interval '5 minutes'
		 FROM generate_series(1, 200000) AS i
		 JOIN staff s ON s.id = (SELECT min(id) FROM staff) + (i::bigint * 104729) % 40000
		 JOIN users u ON u.organisation_id = s.organisation_id`,
	} {
		var args []any
		if strings.Contains(sql, "$1") {
			args = []any{hash}
		}
		if _, err := db.Pool.Exec(ctx, sql, args...); err != nil {
			b.Fatalf("seed: %v\n%s", err, sql)
		}
	}
	if _, err := db.Pool.Exec(ctx, `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}

	var email string
	if err := db.InTx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT email FROM users ORDER BY id LIMIT 1`).Scan(&email)
	}); err != nil {
		b.Fatal(err)
	}
	return benchSignIn(b, console.Config{DB: db, Location: time.UTC}, email)
}

// benchSignIn serves the console with cfg and returns a client signed in
// as the user with email (whose password is password) and the console's
// URL.
func benchSignIn(b *testing.B, cfg console.Config, email string) (*http.Client, string) {
	b.Helper()
	c := console.New(cfg)
	mux := http.NewServeMux()
	c.Register(mux)
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page := benchGet(b, client, srv.URL+"/console/login", http.StatusOK)
	token := csrfPattern.FindStringSubmatch(page)
	if token == nil {
		b.Fatal("no CSRF token on the sign-in page")
	}
	resp, err := client.PostForm(srv.URL+"/console/login", url.Values{"csrf_token": {token[1]}, "email": {email}, "password": {password}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		b.Fatalf("sign in: %v %v", resp, err)
	}
	resp.Body.Close()
	return client, srv.URL
}

// benchGet GETs u, reads the whole response and checks its status.
func benchGet(b *testing.B, client *http.Client, u string, status int) string {
	b.Helper()
	resp, err := client.Get(u)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != status {
		b.Fatalf("GET %s: status %d, %v\n%.1000s", u, resp.StatusCode, err, body)
	}
	return string(body)
}

// BenchmarkQueue renders the queue page (its whole response, through the
// real handlers) for a clinician whose organisation has 2,500 unresolved
// and 50,000 resolved cases, of 10,000 and 200,000 in all: the first page
// of the unresolved cases, a filtered one, the first page of the resolved
// cases, and a page of them far back. Target: 200 ms per page.
func BenchmarkQueue(b *testing.B) {
	client, base := benchCases(b)
	for _, bb := range []struct{ name, query string }{
		{"unresolved", ""},
		{"urgent_unclaimed_sms", "?priority=urgent&claimant=unclaimed&channel=sms"},
		{"resolved", "?status=resolved"},
	} {
		b.Run(bb.name, func(b *testing.B) {
			for b.Loop() {
				page := benchGet(b, client, base+"/console/"+bb.query, http.StatusOK)
				if !strings.Contains(page, `rel="next"`) {
					b.Fatal("a list of hundreds of cases has no next page")
				}
			}
		})
	}
	b.Run("resolved_page_200", func(b *testing.B) {
		// The page after the 10,000th resolved case.
		page := benchGet(b, client, base+"/console/?status=resolved", http.StatusOK)
		for range 200 {
			next := nextPattern.FindStringSubmatch(page)
			if next == nil {
				b.Fatal("no next page")
			}
			page = benchGet(b, client, base+strings.ReplaceAll(next[1], "&amp;", "&"), http.StatusOK)
		}
		u := base + strings.ReplaceAll(nextPattern.FindStringSubmatch(page)[1], "&amp;", "&")
		for b.Loop() {
			benchGet(b, client, u, http.StatusOK)
		}
	})
}

// BenchmarkSearch searches, as a clinician of the organisation
// BenchmarkQueue's is, by a name (first and last, accents aside; and a
// last name), the start of an assignment number and a case number.
// Target: 100 ms per search.
func BenchmarkSearch(b *testing.B) {
	client, base := benchCases(b)
	// A case of the clinician's organisation, for the case number.
	first := rowPattern.FindStringSubmatch(benchGet(b, client, base+"/console/", http.StatusOK))
	if first == nil {
		b.Fatal("the queue is empty")
	}
	for _, bb := range []struct{ name, q, status string }{
		{"name", "zoe lloyd", ""},
		{"name_resolved", "zoe lloyd", "resolved"},
		{"last_name_resolved", "nowak", "resolved"},
		{"assignment", "0000012", "resolved"},
		{"case_number", "#" + first[1], ""},
	} {
		b.Run(bb.name, func(b *testing.B) {
			u := base + "/console/?" + url.Values{"q": {bb.q}, "status": {bb.status}}.Encode()
			for b.Loop() {
				page := benchGet(b, client, u, http.StatusOK)
				if !rowPattern.MatchString(page) {
					b.Fatalf("the search %q found nothing", bb.q)
				}
			}
		})
	}
}

// nextPattern finds the link to the next page.
var nextPattern = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
