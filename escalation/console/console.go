// Package console is the OH clinician console: the web pages where
// clinicians pick up the cases the risk screen and the flows open, read the
// conversation, reply to the person, and resolve the case.
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
// reassign or resolve. Claiming is one conditional UPDATE, so of two
// clinicians pressing "Claim" together exactly one wins and the other is
// told who holds the case and since when.
//
// # Conversations
//
// A reply is stored as an urgent outbound message by the clinician and
// queued on the conversation's channel's Outbox in the same transaction. A
// reply to a conversation the bot still owns takes it over: the bot stays
// silent from then on. Handing back returns it to the bot by closing it, so
// that the person's next message starts a fresh conversation with the bot:
// the flow a clinician took over has ended (its state is terminal) and
// cannot be stepped again. Resolving a case hands its conversation back
// too, since nobody watches a resolved case's conversation.
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
// audit event, and every change (claim, release, reassign, note, reply,
// hand back, resolve, and account changes) writes its audit event in the
// transaction that makes the change. Logs carry ids only: never names,
// email addresses, phone numbers, message bodies or tokens.
//
// # Live updates
//
// Pages do not refresh themselves. The queue's table carries
// data-console-queue and its rows data-case-id; the template "queue_rows"
// renders just the rows, for a live update to swap in.
package console

import (
	"context"
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// Outbox queues the delivery of a stored outbound message in tx, so it is
// sent if and only if tx commits.
type Outbox interface {
	Queue(ctx context.Context, tx pgx.Tx, m ohcontact.Message) error
}

// SLAClock restarts the SLA clock of a case released back to the queue, in
// the release's transaction (escalation.Escalator.Rewatch).
type SLAClock interface {
	Rewatch(ctx context.Context, tx pgx.Tx, id int64, now time.Time) error
}

// Config is what the console needs.
type Config struct {
	DB *postgres.DB
	// SLA restarts a released case's SLA clock.
	SLA SLAClock
	// Outboxes deliver clinicians' replies, by conversation channel. A
	// conversation on a channel with no outbox cannot be replied to.
	Outboxes map[ohcontact.Channel]Outbox
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
	sla           SLAClock
	outboxes      map[ohcontact.Channel]Outbox
	loc           *time.Location
	secureCookies bool
	log           *slog.Logger
	now           func() time.Time
	pages         map[string]*template.Template
	// dummyHash is verified against when an email address is unknown, so
	// that the answer takes as long as for a wrong password.
	dummyHash string
	cop       *http.CrossOriginProtection
}

//go:embed templates/*.html static/console.css
var files embed.FS

// New returns the console described by cfg.
func New(cfg Config) *Console {
	c := &Console{
		db: cfg.DB, sla: cfg.SLA, outboxes: cfg.Outboxes, loc: cfg.Location, secureCookies: cfg.SecureCookies,
		log: cfg.Log, now: cfg.Now, pages: parsePages(),
		dummyHash: mustHashPassword(newToken()),
		cop:       http.NewCrossOriginProtection(),
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

	handle("GET /console/static/console.css", c.showStylesheet)
	handle("GET /console/login", c.showLogin)
	handle("POST /console/login", c.checkLogin)
	handle("POST /console/logout", c.signedIn(anyRole, c.logout))

	handle("GET /console", c.redirectToQueue)
	handle("GET /console/{$}", c.signedIn(anyRole, c.showQueue))
	handle("GET /console/cases/{id}", c.signedIn(anyRole, c.showCase))
	handle("POST /console/cases/{id}/claim", c.signedIn(worksCases, c.claimCase))
	handle("POST /console/cases/{id}/release", c.signedIn(worksCases, c.releaseCase))
	handle("POST /console/cases/{id}/reassign", c.signedIn(worksCases, c.reassignCase))
	handle("POST /console/cases/{id}/notes", c.signedIn(worksCases, c.addNote))
	handle("POST /console/cases/{id}/reply", c.signedIn(worksCases, c.reply))
	handle("POST /console/cases/{id}/hand-back", c.signedIn(worksCases, c.handBack))
	handle("POST /console/cases/{id}/resolve", c.signedIn(worksCases, c.resolveCase))

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
