// Package console is the OH clinician console: the web pages where
// clinicians pick up the cases the risk screen and the flows open, read the
// conversation, reply to the person, and resolve the case, and where the
// physio team works its physiotherapy referrals. The handlers that change a
// case parse the form, call escalation.Cases, which owns the case's life
// and its rules, and answer: a refusal from Cases is shown on the case page
// with its sentence and status (409, or 422 for a form field), a case of
// another organisation is a 404. Referrals take the same shape through
// escalation.Referrals.
//
// # Roles
//
// Users have one role (users.role). Clinicians and admins work cases: they
// claim, release, reassign, add notes, set follow-ups, reply, hand conversations back and
// resolve, and may reveal a person's contact details. Leads see the queue,
// case pages and person pages read-only (their dashboard is a separate
// page), with the person's organisation, job and department but not their
// phone number or email; every case and person page they open is audited
// like anyone's.
// Admins also manage accounts on /console/admin/users. Physio users work
// referrals and see no cases (Physio worklist). A user whose
// organisation is unset sees every organisation; everyone else sees only
// their own, enforced in every query: another organisation's case is a 404.
//
// Only the user holding a claim (or an admin) may reply, hand back, release,
// reassign, set or cancel a follow-up, or resolve (escalation.MayAct). Claiming is one conditional
// UPDATE, so of two clinicians pressing "Claim" together exactly one wins
// and the other is told who holds the case and since when.
//
// # Finding work
//
// The queue page, GET /console/, is also where cases are found: a GET
// form above its table (queue_show.go) takes these query parameters, each
// optional, and keeps them in the form:
//
//   - q, a search: "#1234" finds case 1234; "1234" case 1234 or the
//     assignment numbers starting 1234; text with a digit and only the
//     characters of assignment numbers, the assignment numbers starting
//     with it (case aside); anything else, up to five words of letters
//     (apostrophes and hyphens allowed), the people each of whose words
//     starts a word of their first or last name, accents, case,
//     apostrophes and hyphens aside ("zoe hughes" finds Zoë Lloyd-Hughes;
//     postgres search_fold).
//   - status: unresolved (the default: open or claimed), open, claimed or
//     resolved.
//   - priority: urgent, high or routine.
//   - organisation: an organisation's id, offered only to users who see
//     every organisation; anyone else giving one is refused.
//   - channel: sms, webchat, or none (cases from no conversation).
//   - claimant: me, unclaimed, or the id of a clinician or admin who can
//     work the user's cases.
//   - after or before: a case id, for the page after or before that case
//     in the list's order (keyset pagination: the links "Next page" and
//     "Previous page" carry them, with the filters).
//
// A page shows at most 50 cases, with the number on every page in the
// table's caption ("12 unresolved cases"). Unresolved cases come urgent
// first, then high, then routine, the longest waiting first within each;
// resolved cases (titled "Resolved cases") the most recently resolved
// first, each with its outcome in words, who resolved it and when. Every
// row names the person (and their assignment number) when known. A value
// that is not valid is shown next to its field (or, for organisation and
// the page, in the error summary) with status 422, and no cases. Reasons
// and outcomes are always shown in words (categoryLabels, outcomes),
// never as codes. The organisation scope applies in every query, searches
// included: another organisation's case or person is never found.
//
// # Physio worklist
//
// Users with the physio role (ohcontact.RolePhysio) work their organisation's
// fast-track physiotherapy referrals and see no cases: they land on GET
// /console/referrals when they sign in and when they open /console/; case
// pages, alerts and /console/live are not found for them, the queue's
// actions and the dashboard are refused. Physio users and admins (who may
// do everything) get the worklist; clinicians and leads are refused it.
// As for cases, a user whose organisation is unset sees every
// organisation's referrals, anyone else only their own, enforced in every
// query: another organisation's referral is a 404.
//
// The worklist (referral_list.go) lists new referrals first, closest to
// their SLA first, then the others most recently changed; ?status=
// chooses one status. A banner counts the referrals still new past their
// SLA and links the oldest. The referral page (referral_show.go) shows the
// answers the person agreed to share, in words, a yes or an unanswered red
// flags question stated in capitals, their contact details (warning when
// they have opted out, so are not told by the service), the history,
// including whether and how the person was told, and the forms its status
// allows (escalation.CanMove). Each form posts to
// /console/referrals/{id}/{action}, action one of accept, book, decline,
// attended and did-not-attend (referral_act.go), which changes the
// referral through escalation.Referrals.Act alone: that checks the
// change, moves the status forward only, audits it and queues the notice
// to the person. A change made redirects (303) to the referral page with
// a confirmation; a missing or wrong field is shown again next to the
// field (422); a move the status forbids is shown again with the sentence
// saying why (409). Appointment times are entered and shown in
// Config.Location. Every view of the worklist writes a referral.list
// audit event with the ids shown, and every view of a referral a
// referral.view event, in the transaction that reads them.
//
// # Campaigns
//
// OH leads and admins run campaigns (campaigns_list.go, campaign_*.go);
// anyone else is refused (403) and another organisation's campaign is not
// found. Every change goes through campaigns.Campaigns alone, which checks
// it, audits it and answers campaigns.Problems (shown next to each field,
// 422) or campaigns.ErrStatus (409). A draft's page previews each text in
// each language as Campaigns.Engine starts the flow, with its SMS segments
// (locales.Segments, folded as Config.FoldDiacritics says) and the cost;
// a campaign under way shows its progress, which static/console.js fetches
// again every 5 seconds (GET /console/campaigns/{id}/progress: counts
// only). Every view of the list or a campaign is audited (campaign.list,
// campaign.view) in the transaction that reads it.
//
// # Contact and the person page
//
// A case page's Contact panel shows the person's organisation, and their
// job and department when HR sent them, to everyone who may see the case.
// Their mobile (a tel: link) and email stay off the page until a clinician
// or admin presses its one button, a form posting to POST
// /console/cases/{id}/contact (contact_reveal.go). That answers with the
// case page itself, 200 and no redirect, showing them: the details are
// read and the contact.reveal audit event (the case, staff record and
// conversation ids and which details there were, never the values) is
// written in the transaction that renders the page, so no state carries
// them across a redirect, and a reload posts, and is audited, again. For
// a text from a number not in the staff directory, the number it came
// from is revealed the same way (it is the only way to call them); an
// anonymous web chat says plainly that there are no contact details. A
// person who opted out of messages is shown so next to them: calling may
// still be right. Leads are refused the POST (403).
//
// GET /console/people/{id} (person_show.go), id a staff record's, linked
// from each of their cases as "All contact with this person", shows the
// member of staff (no phone number or email) and, newest first, every
// case, every conversation on every channel with its transcript, every
// physiotherapy referral (linked for users who may open referral pages)
// and every absence episode, all within the user's organisation. Another
// organisation's person is not found, and so is anyone for physio users.
// Every view writes a person.view audit event with the ids of the cases,
// conversations, referrals and absences shown, in the transaction that
// reads them.
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
// A hand-back keeps the case's thread: until the case is resolved, the
// conversation the person starts next follows it (postgres.OpenConversations),
// so the case page shows the case's own transcript and then each later
// conversation's, after a marker, and replies go to the thread's newest open
// conversation (ohcontact.Case.CurrentConversationID). What the person
// writes on the thread raises the case's "New message" cue
// (postgres.NoteCaseMessage); it is lowered when the clinician holding the
// case (while nobody does, anyone who works cases) opens the case page,
// not when a lead reads it. The resolve form offers the closing message
// (escalation.Cases.Tellable), ticked by default, and shows its words.
//
// Replies are signed as the case's organisation configures
// (escalation.Cases.Signature: by default "From Sam Jones, OH nurse", in
// the person's language, the job title being the account's, or its role's
// default); the reply form says how, and the signature counts towards the
// reply's length (422 when the two together are too long). Admins set or
// clear an account's job title on the users page (POST
// /console/admin/users/{id}/title, user_title.go; audited as
// user.job_title_changed).
//
// # Follow-ups
//
// The user holding a case (or an admin) sets a follow-up on it (POST
// /console/cases/{id}/follow-ups, case_follow_up.go: date and time in
// Config.Location, which must be in the future, and a note of at most
// postgres.MaxFollowUpNote characters; each refused with 422 next to its
// field) and may cancel it while it is pending (POST
// /console/cases/{id}/follow-ups/{fid}/cancel; 409 after). The case page
// lists the follow-ups not cancelled, with time, status, note and who set
// them; the timeline shows each set, cancelled and due. When one falls
// due the job (escalation.FollowUpChecks) writes a follow_up_due alert,
// shown like an SLA alert (below) as "Follow-up due: case N, <time>": the
// note stays on the case page.
//
// # Sessions and CSRF
//
// Passwords are argon2id hashes (HashPassword), and no password that is
// blank or on the deny-list of common ones (CheckPassword) is set. Five
// failed sign-ins in a row lock an account for 15 minutes, until an admin
// unlocks it (POST /console/admin/users/{id}/unlock, audited as
// user.unlocked) or it signs in after that; unknown addresses, wrong
// passwords and locked accounts get the same answer after the same work.
//
// Sign-in is bounded before it costs anything (SignInLimits). Attempts are
// throttled per client (its address: Config.TrustedProxyHeader says when a
// proxy's header is believed) and per account (the lower-cased email
// address, known or not); a throttled attempt is answered 429 with
// Retry-After, hashes nothing and does not count towards the account's
// lockout, so a client that is throttled cannot lock anyone out. Every
// password hash and verification, the dummy one for an unknown address
// included, then waits for a slot of the hashing gate (hashGate: by
// default half the CPUs, so also at most that many times 19 MiB); an
// attempt that finds the gate's queue full, or gets no slot within 2
// seconds, is answered 503 with Retry-After at once, again without
// hashing or counting. Both answers show the sign-in form with a sentence
// saying to try again in a minute.
//
// A session is a
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
// audit event, and so does opening a case page's live connection (GET
// /console/cases/{id}/live), once, in the transaction that reads its first
// frame: the frames that follow on that connection are part of that view,
// as a page left open is, and are not audited again (each would otherwise
// add an event per wake-up). Every view of the queue page (it names
// people) writes a case.list event with the ids of the cases shown, what
// the search was by (search: case, assignment, case_or_assignment or name)
// and the filters' codes, in the transaction that reads them: never the
// text searched for, which may be a name, and which no log line carries
// either. Every reveal of contact details writes a contact.reveal event and
// every view of a person page a person.view event (Contact and the person
// page); every view and export of the pilot dashboard (aggregates only:
// dashboard_show.go) writes a dashboard.view or dashboard.export event; and
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
// an alert (clinician_alerts, kind sla_breached, written by the SLA job);
// when a follow-up falls due, its holder or the on-duty team gets one
// (kind follow_up_due, written by the follow-up job). Each is a banner on
// the queue page, with a link to the case, until they mark it seen
// (audited as alert.seen; only the alert's own user can) or claim the case.
//
// # Live updates
//
// The queue page keeps itself current through a websocket, GET
// /console/live, opened by static/console.js with the page's own query
// string, so that it keeps the same search, filters and page current
// (parameters that are not valid are refused with 422 before any
// upgrade); without JavaScript the page is the same, refreshed by hand. The handshake needs the session cookie
// (otherwise it is redirected to the sign-in page, like any page) and must
// come from this site's own pages: an Origin other than the request's own
// host, or a Sec-Fetch-Site other than same-origin, is refused with 403
// before any upgrade.
//
// The server sends one kind of frame, a whole snapshot of what the queue
// page shows the user, scoped to their organisation exactly as the page is:
//
//	{"type":"queue","rows":"<tr …>…","cases":[{"id":12,"priority":"urgent","status":"open","breached":true}],
//	 "total":1,"caption":"1 unresolved case","alerts":[{"id":3,"case_id":12,"kind":"sla_breached","status":"Urgent, open","at":"…","html":"<div …>…"}],
//	 "at":"2026-03-02T14:02:00Z","at_text":"14:02"}
//
// rows is the template "queue_rows" (the body of the table that carries
// data-console-queue, its rows data-case-id); cases are those rows in
// order; total counts the cases on every page of the list, and caption
// says so in the table caption's words; alerts are the user's unseen
// alerts (kind sla_breached or follow_up_due), oldest first, each with its
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
// (plus the query) after the wake-up. The round trip batches four
// queries: the session is still valid (a connection whose session has
// ended, by sign-out, expiry or a disabled account, is closed with 1008),
// the page of cases, their count, and the user's alerts. A snapshot whose
// cases are not those of the connection's last one is audited (case.list,
// as the page is) before it is sent, which takes a second round trip. Snapshots are not shared between
// connections: the queue query reads only unresolved cases, and sharing
// would save little for the state it would need. Each connection has
// exactly one writer goroutine (channels/wsconn); it pings every 25 seconds and the
// connection ends when no pong comes within 60. When Run ends (at
// shutdown) every live connection is closed with 1001, going away, so that
// browsers reconnect to another instance.
//
// A case page keeps itself current the same way, through GET
// /console/cases/{id}/live, opened by the same script (which finds the
// page's data-case-live element). The handshake is refused as the queue's
// is (redirect without a session, 403 from another origin), and as the
// page is: a case of another organisation, one that does not exist, or a
// physio user gets the page not found (404), before any upgrade. Each frame
// is a whole snapshot of what changes on the page:
//
//	{"type":"case","status":"claimed","claimed_by":7,"status_text":"Claimed by Sam Jones",
//	 "messages":"<ol class=\"transcript\">…","events":"<ol class=\"timeline\">…","summary":"<dl …>…",
//	 "message_count":4,"last_inbound_id":812}
//
// messages, events and summary are the templates "case_messages",
// "case_events" and "case_summary", rendered from what loadCase reads,
// the function the page itself is read with, so a frame holds exactly what
// a reload would; they fill the page's data-case-messages, data-case-events
// and data-case-summary elements. Each message carries its id
// (data-message-id, and id="message-N"); last_inbound_id is the id of the
// person's latest message (0 for none), message_count the number shown;
// claimed_by is the claimant's user id (0 when unclaimed), status_text the
// status in words. The page's forms are outside those elements and never
// replaced: the script says, in a polite live region (#case-notices, whose
// data- attributes hold what the page was rendered with), when a new
// message from the person came, marks it "New", and, when the status or
// claimant is no longer the page's, that the forms may no longer apply,
// with a link to reload.
//
// A case connection gets a frame on connect, after every wake-up (merged
// as the queue's, at most one per 50 ms) and every 30 seconds, whatever the
// case's status: a resolved case's page still updates. Each frame re-checks
// the session (ended, disabled, moved to another organisation or to the
// physio role: closed with 1008) and then reads its own case again. The
// wake-ups are the queue's, plus two triggers of migration 0019: any case
// event (notes, replies, hand-backs), and any message in a conversation
// with an unresolved case; a message in any other conversation, the bulk
// of the inbound hot path, wakes nobody.
package console

import (
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/ohcontact/ohcontact/campaigns"
	"github.com/ohcontact/ohcontact/channels/wsconn"
	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/postgres"
)

// Config is what the console needs.
type Config struct {
	DB *postgres.DB
	// Cases carries out every change to a case; the case pages need it.
	Cases *escalation.Cases
	// Referrals changes physiotherapy referrals: the physio worklist's
	// actions go through it alone.
	Referrals *escalation.Referrals
	// Location is the time zone times are shown in; UTC when nil.
	Location *time.Location
	// SecureCookies marks cookies Secure and gives them the __Host- prefix:
	// set it when browsers reach the console over https.
	SecureCookies bool
	// TrustedProxyHeader names the request header (X-Forwarded-For, say)
	// in which a reverse proxy in front of every instance puts the
	// client's address, last; sign-in attempts are then counted per that
	// address. When empty, attempts are counted per peer address, and no
	// header is believed: set it only when clients cannot reach the
	// service except through that proxy.
	TrustedProxyHeader string
	// SignIn bounds the work sign-in attempts may cause; its zero fields
	// take the defaults.
	SignIn SignInLimits
	// Campaigns creates and steers campaigns: the campaign pages need it,
	// and its Engine writes their previews.
	Campaigns *campaigns.Campaigns
	// FoldDiacritics reports whether an organisation (by code) has its
	// texts' diacritics folded as they are sent (sms.Deliverer's), so that
	// a preview counts the segments sent; nil folds none.
	FoldDiacritics func(organisation string) bool
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
	referrals     *escalation.Referrals
	campaigns     *campaigns.Campaigns
	fold          func(organisation string) bool
	loc           *time.Location
	secureCookies bool
	log           *slog.Logger
	now           func() time.Time
	pages         map[string]*template.Template
	// dummyHash is verified against when an email address is unknown, so
	// that the answer takes as long as for a wrong password.
	dummyHash string
	cop       *http.CrossOriginProtection
	// hashes bounds password hashing; clients and accounts throttle
	// sign-in attempts before any.
	hashes            *hashGate
	clients, accounts *throttle
	proxyHeader       string

	liveMu sync.Mutex
	live   map[*wsconn.Conn]struct{} // this instance's live connections (runLive)
}

//go:embed templates/*.html static/console.css static/console.js
var files embed.FS

// New returns the console described by cfg.
func New(cfg Config) *Console {
	lim := cfg.SignIn.withDefaults()
	c := &Console{
		db: cfg.DB, cases: cfg.Cases, referrals: cfg.Referrals, campaigns: cfg.Campaigns, fold: cfg.FoldDiacritics, loc: cfg.Location, secureCookies: cfg.SecureCookies,
		log: cfg.Log, now: cfg.Now, pages: parsePages(),
		dummyHash:   mustHashPassword(newToken()),
		cop:         http.NewCrossOriginProtection(),
		hashes:      newHashGate(lim.Hashes, lim.HashQueue, lim.HashWait),
		clients:     newThrottle(lim.ClientPerMinute, lim.ClientBurst, lim.Keys),
		accounts:    newThrottle(lim.AccountPerMinute, lim.AccountBurst, lim.Keys),
		proxyHeader: cfg.TrustedProxyHeader,
		live:        map[*wsconn.Conn]struct{}{},
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
	handle("GET /console/{$}", c.signedIn(anyRole, c.homeFirst(c.showQueue)))
	handle("GET /console/live", c.signedIn(anyRole, c.casesOnly(c.serveLive)))
	handle("POST /console/duty", c.signedIn(worksCases, c.setDuty))
	handle("POST /console/alerts/{id}/seen", c.signedIn(anyRole, c.casesOnly(c.markAlertSeen)))
	handle("GET /console/cases/{id}", c.signedIn(anyRole, c.casesOnly(c.showCase)))
	handle("GET /console/cases/{id}/live", c.signedIn(anyRole, c.casesOnly(c.serveCaseLive)))
	handle("POST /console/cases/{id}/claim", c.signedIn(worksCases, c.claimCase))
	handle("POST /console/cases/{id}/release", c.signedIn(worksCases, c.releaseCase))
	handle("POST /console/cases/{id}/reassign", c.signedIn(worksCases, c.reassignCase))
	handle("POST /console/cases/{id}/notes", c.signedIn(worksCases, c.addNote))
	handle("POST /console/cases/{id}/reply", c.signedIn(worksCases, c.reply))
	handle("POST /console/cases/{id}/hand-back", c.signedIn(worksCases, c.handBack))
	handle("POST /console/cases/{id}/resolve", c.signedIn(worksCases, c.resolveCase))
	handle("POST /console/cases/{id}/priority", c.signedIn(worksCases, c.setPriority))
	handle("POST /console/cases/{id}/contact", c.signedIn(worksCases, c.revealContact))
	handle("GET /console/people/{id}", c.signedIn(anyRole, c.casesOnly(c.showPerson)))
	handle("POST /console/cases/{id}/follow-ups", c.signedIn(worksCases, c.setFollowUp))
	handle("POST /console/cases/{id}/follow-ups/{fid}/cancel", c.signedIn(worksCases, c.cancelFollowUp))

	handle("GET /console/referrals", c.signedIn(worksReferrals, c.showReferrals))
	handle("GET /console/referrals/{id}", c.signedIn(worksReferrals, c.showReferral))
	handle("POST /console/referrals/{id}/{action}", c.signedIn(worksReferrals, c.actOnReferral))

	handle("GET /console/campaigns", c.signedIn(runsCampaigns, c.showCampaigns))
	handle("GET /console/campaigns/new", c.signedIn(runsCampaigns, c.showNewCampaign))
	handle("POST /console/campaigns", c.signedInUpload(runsCampaigns, upload{maxBytes: maxListUploadBytes, tooLarge: c.listTooLarge}, c.createCampaign))
	handle("GET /console/campaigns/{id}", c.signedIn(runsCampaigns, c.showCampaign))
	handle("GET /console/campaigns/{id}/progress", c.signedIn(runsCampaigns, c.showCampaignProgress))
	handle("POST /console/campaigns/{id}/{action}", c.signedIn(runsCampaigns, c.actOnCampaign))

	handle("GET /console/new-starters", c.signedIn(worksNewStarters, c.showNewStarters))
	handle("POST /console/new-starters/{id}/{action}", c.signedIn(worksNewStarters, c.markNewStarter))

	handle("GET /console/feedback", c.signedIn(seesCases, c.showFeedback))

	handle("GET /console/dashboard", c.signedIn(seesDashboard, c.showDashboard))
	handle("GET /console/dashboard.csv", c.signedIn(seesDashboard, c.exportDashboard))

	handle("GET /console/admin/users", c.signedIn(isAdmin, c.showUsers))
	handle("POST /console/admin/users", c.signedIn(isAdmin, c.createUser))
	handle("POST /console/admin/users/{id}/disable", c.signedIn(isAdmin, c.disableUser))
	handle("POST /console/admin/users/{id}/enable", c.signedIn(isAdmin, c.enableUser))
	handle("POST /console/admin/users/{id}/unlock", c.signedIn(isAdmin, c.unlockUser))
	handle("POST /console/admin/users/{id}/title", c.signedIn(isAdmin, c.setUserTitle))

	// Anything else under /console/ gets the console's own 404 page.
	handle("/console/", func(w http.ResponseWriter, r *http.Request) { c.notFound(w, r, nil) })
}

// redirectToQueue handles GET /console.
func (c *Console) redirectToQueue(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/console/", http.StatusMovedPermanently)
}
