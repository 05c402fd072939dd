package campaigns_test

import (
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/campaigns"
	"github.com/ohcontact/ohcontact/channels"
	"github.com/ohcontact/ohcontact/channels/sms"
	"github.com/ohcontact/ohcontact/channels/webchat"
	"github.com/ohcontact/ohcontact/dialogs"
	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/escalation/risk"
	"github.com/ohcontact/ohcontact/locales"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
	"github.com/ohcontact/ohcontact/signposting"
	"github.com/ohcontact/ohcontact/triggers"
)

// clock is a clock tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// fixture is a fresh database with the demo organisation, campaigns on a
// driven clock with an insert-only River client, and a dialog runner on
// the same clock.
type fixture struct {
	db     *postgres.DB
	clock  *clock
	london *time.Location
	jobs   *river.Client[pgx.Tx]
	engine *dialogs.Engine
	c      *campaigns.Campaigns
	runner *dialogs.Runner
	org    int64
	lead   int64
	n      int
}

// monday is Monday 16 November 2026, 10:00 in London (GMT): inside the
// tests' window, 09:00 to 17:00 Monday to Friday.
var monday = time.Date(2026, 11, 16, 10, 0, 0, 0, time.UTC)

func newFixture(t testing.TB) *fixture {
	t.Helper()
	db := pgtest.New(t)
	bundle, err := locales.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	engine, err := dialogs.New(bundle, signposting.Demo())
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{}) // insert-only
	if err != nil {
		t.Fatal(err)
	}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, clock: &clock{t: monday}, london: london, jobs: jobs, engine: engine}
	f.org = pgtest.Organisation(t, db.Pool, signposting.DemoCode, "Demo Trust")
	if err := db.Pool.QueryRow(t.Context(), `INSERT INTO users (organisation_id, email, display_name, role, password_hash)
		VALUES ($1, 'lead@example.nhs.uk', 'Lead', 'lead', 'x') RETURNING id`, f.org).Scan(&f.lead); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	policy, err := triggers.NewPolicy(nil)
	if err != nil {
		t.Fatal(err)
	}
	f.c = &campaigns.Campaigns{CloseAfter: func(org string) time.Duration { return policy.For(org).Rules.CloseAfter },
		SMSFallbackAfter: func(org string) time.Duration { return policy.For(org).Rules.SMSFallbackAfter }, DB: db, Engine: engine, Jobs: jobs,
		Invitations: channels.Outboxes{ohcontact.ChannelSMS: &sms.Outbox{Jobs: jobs, Prepaid: true}, ohcontact.ChannelWebChat: webchat.Outbox{}},
		Flows:       []string{dialogs.FlowVaccination}, Location: london, Now: f.clock.Now, Log: log}
	scheduler := &triggers.Scheduler{Policy: policy, Jobs: jobs, Now: f.clock.Now}
	cases := &escalation.Cases{SLA: escalation.DefaultSLA, Location: london, Jobs: jobs}
	f.runner = &dialogs.Runner{DB: db, Engine: engine, Screen: risk.New(), Cases: cases,
		Referrals: &escalation.Referrals{DB: db, Location: london, Cases: cases, Jobs: jobs, Now: f.clock.Now},
		Outboxes:  channels.Outboxes{ohcontact.ChannelSMS: &sms.Outbox{Jobs: jobs}, ohcontact.ChannelWebChat: webchat.Outbox{}}, Asks: &dialogs.AskTimeouts{Jobs: jobs},
		FollowUps: &triggers.Contacts{DB: db, Scheduler: scheduler, Engine: engine, Log: log},
		Absences:  scheduler, Team: policy,
		DefaultOrganisation: ohcontact.Organisation{ID: f.org, Code: signposting.DemoCode, Name: "Demo Trust"},
		Location:            london, Now: f.clock.Now, Log: log}
	return f
}

// person is a member of staff for staff.
type person struct {
	group, department string
	mobile            bool // a mobile, +4477009000NN, is on record
	optedOut          bool
	webchat           bool   // prefers the web chat
	quiet             string // quiet hours "22:00-07:00"; "" none
}

// staff adds a member of staff and returns their id and assignment
// number.
func (f *fixture) staff(t testing.TB, p person) (int64, string) {
	t.Helper()
	f.n++
	number := fmt.Sprint(1000 + f.n)
	var mobile, channel, quietFrom, quietUntil any
	if p.mobile {
		mobile = fmt.Sprintf("+447700900%03d", f.n)
	}
	if p.webchat {
		channel = "webchat"
	}
	if p.quiet != "" {
		quietFrom, quietUntil = p.quiet[:5], p.quiet[6:]
	}
	consent, changed := "unknown", any(nil)
	if p.optedOut {
		consent, changed = "opted_out", monday.AddDate(0, -1, 0)
	}
	var id int64
	err := f.db.Pool.QueryRow(t.Context(), `INSERT INTO staff (organisation_id, assignment_number, first_name, last_name, mobile,
			staff_group, department, preferred_channel, consent, consent_changed_at, quiet_from, quiet_until)
		VALUES ($1, $2, 'Ann', 'Example', $3, nullif($4, ''), nullif($5, ''), $6, $7, $8, $9, $10) RETURNING id`,
		f.org, number, mobile, p.group, p.department, channel, consent, changed, quietFrom, quietUntil).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id, number
}

// mobileOf is the mobile staff gives staff number n.
func mobileOf(t testing.TB, f *fixture, staffID int64) string {
	t.Helper()
	var m string
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT coalesce(mobile, '') FROM staff WHERE id = $1`, staffID).Scan(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// campaign is a valid New campaign for everyone in department Ward 3,
// from monday, 09:00 to 17:00 on weekdays, with a reminder after 72 hours.
func (f *fixture) campaign() campaigns.New {
	return campaigns.New{OrganisationID: f.org, Name: "Flu 2026", Flow: dialogs.FlowVaccination, Vaccine: "flu",
		Audience: campaigns.AudienceDepartment, AudienceValue: "Ward 3", StartsAt: monday,
		From: triggers.Clock{Hour: 9}, Until: triggers.Clock{Hour: 17},
		Days:        []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
		RemindAfter: 72 * time.Hour, CreatedBy: f.lead}
}

// create creates n, failing the test on an error.
func (f *fixture) create(t testing.TB, n campaigns.New) campaigns.Plan {
	t.Helper()
	plan, err := f.c.Create(t.Context(), n)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return plan
}

// member is a campaign member as the tests look at it.
type member struct {
	state, skipReason string
	notBefore         time.Time
	conversations     int
	outbound          int // messages sent to them in the campaign's conversations
}

func (f *fixture) member(t testing.TB, campaignID, staffID int64) member {
	t.Helper()
	var m member
	var notBefore *time.Time
	err := f.db.Pool.QueryRow(t.Context(), `SELECT m.state, coalesce(m.skip_reason, ''), m.not_before,
			(SELECT count(*) FROM conversations c WHERE c.campaign_member_id = m.id),
			(SELECT count(*) FROM conversations c JOIN messages g ON g.conversation_id = c.id
			 WHERE c.campaign_member_id = m.id AND g.direction = 'outbound')
		FROM campaign_members m WHERE m.campaign_id = $1 AND m.staff_id = $2`, campaignID, staffID).
		Scan(&m.state, &m.skipReason, &notBefore, &m.conversations, &m.outbound)
	if err != nil {
		t.Fatalf("member of campaign %d, staff %d: %v", campaignID, staffID, err)
	}
	if notBefore != nil {
		m.notBefore = notBefore.UTC()
	}
	return m
}

func (f *fixture) status(t testing.TB, id int64) string {
	t.Helper()
	k, err := postgres.CampaignByID(t.Context(), f.db.Pool, 0, id)
	if err != nil {
		t.Fatal(err)
	}
	return k.Status
}

// count runs a count query.
func (f *fixture) count(t testing.TB, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := f.db.Pool.QueryRow(t.Context(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}
