package triggers

import (
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels"
	"github.com/ohcontact/ohcontact/channels/sms"
	"github.com/ohcontact/ohcontact/channels/webchat"
	"github.com/ohcontact/ohcontact/dialogs"
	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/locales"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
	"github.com/ohcontact/ohcontact/signposting"
)

// testOrg is the organisation of the fixtures: the demo directory's, so the
// dialog engine knows its OH service.
const testOrg = signposting.DemoCode

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

// fixture is a fresh database with one organisation, a scheduler and the
// contact jobs on a driven clock, and an insert-only River client.
type fixture struct {
	db        *postgres.DB
	clock     *clock
	loc       *time.Location
	scheduler *Scheduler
	contacts  *Contacts
	orgID     int64
}

func newFixture(t testing.TB, now time.Time) *fixture {
	t.Helper()
	db := pgtest.New(t)
	jobs, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{}) // insert-only
	if err != nil {
		t.Fatal(err)
	}
	policy, err := NewPolicy(nil)
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
	f := &fixture{db: db, clock: &clock{t: now}, loc: london(t)}
	f.scheduler = &Scheduler{Policy: policy, Jobs: jobs, Now: f.clock.Now}
	f.contacts = &Contacts{DB: db, Scheduler: f.scheduler, Engine: engine,
		Outboxes: channels.Outboxes{ohcontact.ChannelSMS: &sms.Outbox{Jobs: jobs}, ohcontact.ChannelWebChat: webchat.Outbox{}},
		Cases:    &escalation.Cases{SLA: escalation.DefaultSLA, Location: f.loc, Jobs: jobs}, Log: slog.New(slog.DiscardHandler)}
	f.orgID = pgtest.Organisation(t, db.Pool, testOrg, "Demo Trust")
	return f
}

// at returns the local time in London on the given day.
func (f *fixture) at(t *testing.T, day string, hour, minute int) time.Time {
	t.Helper()
	d, err := ParseDate(day)
	if err != nil {
		t.Fatal(err)
	}
	return d.At(Clock{hour, minute}, f.loc)
}

// importCSV imports a staff or absence file, failing the test on any error
// or bad row.
func (f *fixture) importCSV(t *testing.T, kind, csv string) ImportSummary {
	t.Helper()
	im := &Import{DB: f.db, Scheduler: f.scheduler, RowError: func(e *RowError) { t.Errorf("bad row: %v", e) }}
	var sum ImportSummary
	var err error
	if kind == "staff" {
		sum, err = im.Staff(t.Context(), strings.NewReader(csv))
	} else {
		sum, err = im.Absences(t.Context(), strings.NewReader(csv))
	}
	if err != nil {
		t.Fatalf("import %s: %v", kind, err)
	}
	return sum
}

// addStaff imports one member of staff with a mobile unless mobile is "".
func (f *fixture) addStaff(t *testing.T, number, mobile, channel string) int64 {
	t.Helper()
	f.importCSV(t, "staff", "assignment_number,first_name,last_name,mobile,email,organisation,language,preferred_channel\n"+
		number+",Ann,Example,"+mobile+",,"+testOrg+",,"+channel+"\n")
	var id int64
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT id FROM staff WHERE assignment_number = $1`, number).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// absence imports one absence episode.
func (f *fixture) absence(t *testing.T, number, start, end, reason string) ImportSummary {
	t.Helper()
	return f.importCSV(t, "absences", "assignment_number,absence_start,absence_end,reason_code,related_reason\n"+
		number+","+start+","+end+","+reason+",\n")
}

// contactRow is a contact as the tests look at it.
type contactRow struct {
	ID        int64
	Trigger   string
	State     string
	Channel   string
	DueAt     time.Time
	HeldUntil *time.Time
	Reason    string
}

// contacts returns the contacts of member of staff number, by due time.
func (f *fixture) contactsOf(t *testing.T, number string) []contactRow {
	t.Helper()
	rows, err := f.db.Pool.Query(t.Context(), `
		SELECT k.id, k.trigger, k.state, k.channel, k.due_at, k.held_until, coalesce(k.state_reason, '')
		FROM contacts k JOIN absence_episodes e ON e.id = k.episode_id JOIN staff s ON s.id = e.staff_id
		WHERE s.assignment_number = $1 ORDER BY k.due_at, k.trigger`, number)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[contactRow])
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// contact returns the only contact of number with trigger.
func (f *fixture) contact(t *testing.T, number string, trigger ohcontact.Trigger) contactRow {
	t.Helper()
	for _, c := range f.contactsOf(t, number) {
		if c.Trigger == string(trigger) {
			return c
		}
	}
	t.Fatalf("no %s contact for %s", trigger, number)
	return contactRow{}
}

// jobRow is a River job as the tests look at it.
type jobRow struct {
	ID          int64
	Args        []byte
	ScheduledAt time.Time
}

// jobs returns the River jobs of kind, soonest first.
func (f *fixture) jobs(t *testing.T, kind string) []jobRow {
	t.Helper()
	rows, err := f.db.Pool.Query(t.Context(), `SELECT id, args, scheduled_at FROM river_job WHERE kind = $1 ORDER BY scheduled_at, id`, kind)
	if err != nil {
		t.Fatal(err)
	}
	js, err := pgx.CollectRows(rows, pgx.RowToStructByPos[jobRow])
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// onlyJob returns the single job of kind, decoding its args into args.
func (f *fixture) onlyJob(t *testing.T, kind string, args any) jobRow {
	t.Helper()
	js := f.jobs(t, kind)
	if len(js) != 1 {
		t.Fatalf("%d %s jobs, want 1", len(js), kind)
	}
	if err := json.Unmarshal(js[0].Args, args); err != nil {
		t.Fatal(err)
	}
	return js[0]
}

// work runs a contact job's worker on args, at the fixture's clock.
func work[T river.JobArgs](t *testing.T, w river.Worker[T], args T) error {
	t.Helper()
	return w.Work(t.Context(), &river.Job[T]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 10}, Args: args})
}

// mustEqualTime fails unless got and want are the same moment.
func mustEqualTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Fatalf("%s = %s, want %s", what, got.In(want.Location()).Format(time.RFC3339), want.Format(time.RFC3339))
	}
}
