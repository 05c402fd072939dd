// Package console is the OH clinician console: the web pages where
// clinicians pick up the cases the risk screen and the flows open, read the
// conversation, reply to the person, and resolve the case. The handlers
// that change a case parse the form, call escalation.Cases, which owns
// the case's life and its rules, and answer: a refusal from Cases is shown
// on the case page with its sentence and status (409, or 422 for a form
// field), a case of another organisation is a 404.
//
// # Roles
//
// Users have one role (users.role). Clinicians and admins work cases: they
// claim, release, reassign, add notes, reply, hand conversations back and
// resolve. Leads see the queue and case pages read-only (their dashboard is
// a separate page); every case page they open is audited like anyone's.
// Admins also manage accounts on /console/admin/users. A user whose
// organisation is unset sees every organisation; everyone else sees only
// their own, enforced in every query: another organisation's case is a 404.
//
// Only the user holding a claim (or an admin) may reply, hand back, release,
// reassign or resolve (escalation.MayAct). Claiming is one conditional
// UPDATE, so of two clinicians pressing "Claim" together exactly one wins
// and the other is told who holds the case and since when.
//
// # Conversations
//
// A reply is stored as an urgent outbound message by the clinician and
// queued on the conversation's channel's outbox in the same transaction
// (escalation.Cases.Reply). A reply to a conversation the bot still owns
// takes it over: the bot stays silent from then on. Handing back returns
// it to the bot by closing it, so that the person's next message starts a
// fresh conversation with the bot: the flow a clinician took over has
// ended (its state is terminal) and cannot be stepped again. Resolving a
// case hands its conversation back too, since nobody watches a resolved
// case's conversation.
//
// # Sessions and CSRF
//
// Passwords are argon2id hashes (HashPassword). Five failed sign-ins in a row
// lock an account for 15 minutes; unknown addresses, wrong passwords and
// locked accounts get the same answer after the same work. A session is a
// random 32-byte token in an HttpOnly, SameSite=Lax cookie (Secure, and
// named with the __Host- prefix, when Config.SecureCookies is set), stored
// as its SHA-256 in user_sessions, for 12 hours. Every POST form carries a
// CSRF token, the HMAC-SHA256 of the session token, checked in constant
// time, and cross-origin POSTs are refused (Origin and Sec-Fetch-Site);
// the sign-in form is protected the same way by a pre-session cookie.
// Neither needs server-side state, so any instance serves any request.
//
// # Audit
//
// Every view of a case page (it shows the transcript) writes a case.view
// audit event, every view and export of the pilot dashboard (aggregates
// only: dashboard_show.go) a dashboard.view or dashboard.export event, and
// every change (claim, release, reassign, note, reply, hand back, resolve,
// and account changes) writes its audit event in the transaction that
// makes the change. Logs carry ids only: never names,
// email addresses, phone numbers, message bodies or tokens.
//
// # Duty and alerts
//
// Clinicians and admins start and end their duty on the queue page
// (users.on_duty, audited as user.duty_started and user.duty_ended);
// signing out ends it too. When a
// case passes its SLA unclaimed, the organisation's on-duty clinicians get
// an alert (clinician_alerts, written by the SLA job): a banner on the
// queue page, with a link to the case, until they mark it seen (audited as
// alert.seen; only the alert's own user can) or claim the case.
//
// # Live updates
//
// The queue page keeps itself current through a websocket, GET
// /console/live, opened by static/console.js; without JavaScript the page
// is the same, refreshed by hand. The handshake needs the session cookie
// (otherwise it is redirected to the sign-in page, like any page) and must
// come from this site's own pages: an Origin other than the request's own
// host, or a Sec-Fetch-Site other than same-origin, is refused with 403
// before any upgrade.
//
// The server sends one kind of frame, a whole snapshot of what the queue
// page shows the user, scoped to their organisation exactly as the page is:
//
//	{"type":"queue","rows":"<tr …>…","cases":[{"id":12,"priority":"urgent","status":"open","breached":true}],
//	 "alerts":[{"id":3,"case_id":12,"kind":"sla_breached","status":"Urgent, open","at":"…","html":"<div …>…"}],
//	 "at":"2026-03-02T14:02:00Z","at_text":"14:02"}
//
// rows is the template "queue_rows" (the body of the table that carries
// data-console-queue, its rows data-case-id); cases are those rows in
// order; alerts are the user's unseen alerts, oldest first, each with its
// banner (the template "alert", carrying data-alert-id); at is when the
// snapshot was read. The browser sends nothing but the protocol's control
// frames (reads are limited to 512 bytes).
//
// A snapshot is sent on connect, after every wake-up and every 30 seconds
// (so SLA countdowns stay current). Because every frame is the whole
// state, a reconnect is gap-free by construction: whatever changed while
// the browser was away is in the first snapshot it gets, and a lost or
// merged wake-up costs nothing. Wake-ups come from PostgreSQL: triggers on
// cases and clinician_alerts NOTIFY postgres.CasesChannel when a change
// commits, on whichever instance made it; each Console's Run LISTENs on
// one connection and wakes every live connection of the instance, and
// wakes them all again after re-establishing that connection.
//
// Bursts are coalesced per connection: a snapshot follows a wake-up at
// once, unless the previous one was under 50 ms ago, in which case it
// follows 50 ms after that one, and every wake-up meanwhile is answered by
// it. So a connection costs at most one database round trip per 50 ms
// however many cases change, and a change is never shown more than 50 ms
// (plus the query) after the wake-up. The round trip batches three
// queries: the session is still valid (a connection whose session has
// ended, by sign-out, expiry or a disabled account, is closed with 1008),
// the queue, and the user's alerts. Snapshots are not shared between
// connections: the queue query reads only unresolved cases, and sharing
// would save little for the state it would need. Each connection has
// exactly one writer goroutine; it pings every 25 seconds and the
// connection ends when no pong comes within 60. When Run ends (at
// shutdown) every live connection is closed with 1001, going away, so that
// browsers reconnect to another instance.
package console

import (
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/postgres"
)

// Config is what the console needs.
type Config struct {
	DB *postgres.DB
	// Cases carries out every change to a case; the case pages need it.
	Cases *escalation.Cases
	// Location is the time zone times are shown in; UTC when nil.
	Location *time.Location
	// SecureCookies marks cookies Secure and gives them the __Host- prefix:
	// set it when browsers reach the console over https.
	SecureCookies bool
	// Log receives the console's log lines, which carry ids only;
	// discarded when nil.
	Log *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Console serves the clinician console's pages.
type Console struct {
	db            *postgres.DB
	cases         *escalation.Cases
	loc           *time.Location
	secureCookies bool
	log           *slog.Logger
	now           func() time.Time
	pages         map[string]*template.Template
	// dummyHash is verified against when an email address is unknown, so
	// that the answer takes as long as for a wrong password.
	dummyHash string
	cop       *http.CrossOriginProtection

	liveMu sync.Mutex
	live   map[*liveConn]struct{} // this instance's /console/live connections
}

//go:embed templates/*.html static/console.css static/console.js
var files embed.FS

// New returns the console described by cfg.
func New(cfg Config) *Console {
	c := &Console{
		db: cfg.DB, cases: cfg.Cases, loc: cfg.Location, secureCookies: cfg.SecureCookies,
		log: cfg.Log, now: cfg.Now, pages: parsePages(),
		dummyHash: mustHashPassword(newToken()),
		cop:       http.NewCrossOriginProtection(),
		live:      map[*liveConn]struct{}{},
	}
	if c.loc == nil {
		c.loc = time.UTC
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

// Register adds the console's routes, all under /console/, to mux.
func (c *Console) Register(mux *http.ServeMux) {
	handle := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, c.secure(h)) }

	handle("GET /console/static/console.css", stylesheet.serve)
	handle("GET /console/static/console.js", script.serve)
	handle("GET /console/login", c.showLogin)
	handle("POST /console/login", c.checkLogin)
	handle("POST /console/logout", c.signedIn(anyRole, c.logout))

	handle("GET /console", c.redirectToQueue)
	handle("GET /console/{$}", c.signedIn(anyRole, c.showQueue))
	handle("GET /console/live", c.signedIn(anyRole, c.serveLive))
	handle("POST /console/duty", c.signedIn(worksCases, c.setDuty))
	handle("POST /console/alerts/{id}/seen", c.signedIn(anyRole, c.markAlertSeen))
	handle("GET /console/cases/{id}", c.signedIn(anyRole, c.showCase))
	handle("POST /console/cases/{id}/claim", c.signedIn(worksCases, c.claimCase))
	handle("POST /console/cases/{id}/release", c.signedIn(worksCases, c.releaseCase))
	handle("POST /console/cases/{id}/reassign", c.signedIn(worksCases, c.reassignCase))
	handle("POST /console/cases/{id}/notes", c.signedIn(worksCases, c.addNote))
	handle("POST /console/cases/{id}/reply", c.signedIn(worksCases, c.reply))
	handle("POST /console/cases/{id}/hand-back", c.signedIn(worksCases, c.handBack))
	handle("POST /console/cases/{id}/resolve", c.signedIn(worksCases, c.resolveCase))

	handle("GET /console/dashboard", c.signedIn(seesDashboard, c.showDashboard))
	handle("GET /console/dashboard.csv", c.signedIn(seesDashboard, c.exportDashboard))

	handle("GET /console/admin/users", c.signedIn(isAdmin, c.showUsers))
	handle("POST /console/admin/users", c.signedIn(isAdmin, c.createUser))
	handle("POST /console/admin/users/{id}/disable", c.signedIn(isAdmin, c.disableUser))
	handle("POST /console/admin/users/{id}/enable", c.signedIn(isAdmin, c.enableUser))

	// Anything else under /console/ gets the console's own 404 page.
	handle("/console/", func(w http.ResponseWriter, r *http.Request) { c.notFound(w, r, nil) })
}

// redirectToQueue handles GET /console.
func (c *Console) redirectToQueue(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/console/", http.StatusMovedPermanently)
}
