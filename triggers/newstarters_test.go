package triggers

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// welcomes turns new starters' welcomes on for the fixture's organisation:
// 7 days before the first day, reminders after 3.
func (f *fixture) welcomes(t *testing.T) {
	t.Helper()
	set := f.scheduler.Policy.For(testOrg)
	set.NewStarters = &NewStarterTerms{DaysBefore: 7, RemindAfterDays: 3}
	f.scheduler.Policy.ByOrganisation = map[string]Settings{testOrg: set}
}

// starter imports member of staff number with first day startsOn ("" for
// none).
func (f *fixture) starter(t *testing.T, number, startsOn string) {
	t.Helper()
	f.starterWith(t, number, "07700 900123", "", startsOn)
}

// newStarterRow is a new_starters row as a test compares it.
type newStarterRow struct {
	StartsOn string
	State    string
	Due      time.Time
}

// newStarters returns staff number's welcomes in the order planned, and
// how many welcome jobs are scheduled.
func (f *fixture) newStarters(t *testing.T, number string) ([]newStarterRow, int) {
	t.Helper()
	rows, err := f.db.Pool.Query(t.Context(), `
		SELECT n.starts_on::text, n.state, n.welcome_due_at FROM new_starters n JOIN staff s ON s.id = n.staff_id
		WHERE s.assignment_number = $1 ORDER BY n.id`, number)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []newStarterRow
	for rows.Next() {
		var r newStarterRow
		if err := rows.Scan(&r.StartsOn, &r.State, &r.Due); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	var jobs int
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM river_job WHERE kind = 'new_starter_due'`).Scan(&jobs); err != nil {
		t.Fatal(err)
	}
	return got, jobs
}

// TestPlanNewStarter: a first day from HR plans one welcome days_before it
// at the send window's opening; a changed day before the welcome cancels
// and replans; a day too close is welcomed at the next send window; a day
// already past, or an organisation without a new_starters section, plans
// nothing; the same file again plans nothing more.
func TestPlanNewStarter(t *testing.T) {
	t.Parallel()
	// Monday 4 May 2026, 08:00 in London (BST).
	f := newFixture(t, time.Date(2026, 5, 4, 8, 0, 0, 0, london(t)))
	t.Run("not configured", func(t *testing.T) {
		f.starter(t, "100", "2026-06-01")
		if got, _ := f.newStarters(t, "100"); len(got) != 0 {
			t.Fatalf("welcomes planned without a new_starters section: %+v", got)
		}
	})
	f.welcomes(t)
	// Monday 1 June: the welcome is due Monday 25 May at 09:00 BST.
	f.starter(t, "101", "2026-06-01")
	f.starter(t, "101", "01/06/2026") // the same day again
	want := []newStarterRow{{"2026-06-01", postgres.NewStarterPlanned, f.at(t, "2026-05-25", 9, 0)}}
	got, jobs := f.newStarters(t, "101")
	if !equalRows(got, want) || jobs != 1 {
		t.Fatalf("welcomes %+v, %d jobs; want %+v and 1 job", got, jobs, want)
	}
	// HR moves the first day: the planned welcome is cancelled, a new one planned.
	f.starter(t, "101", "2026-06-08")
	want = []newStarterRow{{"2026-06-01", postgres.NewStarterCancelled, f.at(t, "2026-05-25", 9, 0)},
		{"2026-06-08", postgres.NewStarterPlanned, f.at(t, "2026-06-01", 9, 0)}}
	if got, jobs = f.newStarters(t, "101"); !equalRows(got, want) || jobs != 2 {
		t.Fatalf("after a move: welcomes %+v, %d jobs; want %+v and 2 jobs", got, jobs, want)
	}
	// HR removes it: cancelled.
	f.starter(t, "101", "")
	want[1].State = postgres.NewStarterCancelled
	if got, _ = f.newStarters(t, "101"); !equalRows(got, want) {
		t.Fatalf("after removing the day: welcomes %+v; want %+v", got, want)
	}
	// Wednesday 6 May, in 2 days: too close for 7 days before, so the next
	// send window from now (09:00 today).
	f.starter(t, "102", "2026-05-06")
	if got, _ = f.newStarters(t, "102"); !equalRows(got, []newStarterRow{{"2026-05-06", postgres.NewStarterPlanned, f.at(t, "2026-05-04", 9, 0)}}) {
		t.Fatalf("a close first day: %+v; want due at the window's opening today", got)
	}
	// Yesterday: already started, so nobody is texted.
	f.starter(t, "103", "2026-05-03")
	if got, _ = f.newStarters(t, "103"); len(got) != 0 {
		t.Fatalf("a first day in the past planned %+v; want nothing", got)
	}
}

// TestPlanNewStarterAcrossTheClockChange: the welcome is at 09:00 local
// time on the day, in GMT after the clocks go back.
func TestPlanNewStarterAcrossTheClockChange(t *testing.T) {
	t.Parallel()
	// Thursday 22 October 2026 in BST; the clocks go back on Sunday 25th.
	f := newFixture(t, time.Date(2026, 10, 22, 12, 0, 0, 0, london(t)))
	f.welcomes(t)
	f.starter(t, "200", "2026-11-02") // Monday: welcome Monday 26 October, 09:00 GMT
	got, _ := f.newStarters(t, "200")
	want := time.Date(2026, 10, 26, 9, 0, 0, 0, time.UTC)
	if len(got) != 1 || !got[0].Due.Equal(want) {
		t.Fatalf("welcomes %+v; want one due %s", got, want)
	}
}

func equalRows(got, want []newStarterRow) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i].StartsOn != want[i].StartsOn || got[i].State != want[i].State || !got[i].Due.Equal(want[i].Due) {
			return false
		}
	}
	return true
}

// TestAPIStaffStartsOn: PUT /api/v1/staff with a starts_on plans the
// welcome as the import does; a bad date is a 422 naming starts_on.
func TestAPIStaffStartsOn(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t) // Monday 4 May 2026, 08:00 BST
	f.welcomes(t)
	rec := f.do(t, "PUT", "/api/v1/staff/300", f.key, `{"first_name": "Ann", "last_name": "Example", "starts_on": "2026-02-30"}`)
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), "starts_on") {
		t.Fatalf("bad date: %d %s; want 422 naming starts_on", rec.Code, rec.Body)
	}
	decode[staffJSON](t, f.do(t, "PUT", "/api/v1/staff/300", f.key,
		`{"first_name": "Ann", "last_name": "Example", "starts_on": "2026-06-01"}`), 201)
	got, jobs := f.newStarters(t, "300")
	if want := []newStarterRow{{"2026-06-01", postgres.NewStarterPlanned, f.at(t, "2026-05-25", 9, 0)}}; !equalRows(got, want) || jobs != 1 {
		t.Fatalf("welcomes %+v, %d jobs; want %+v and 1 job", got, jobs, want)
	}
}

// newStarterState returns staff number's latest welcome's state.
func (f *fixture) newStarterState(t *testing.T, number string) string {
	t.Helper()
	got, _ := f.newStarters(t, number)
	if len(got) == 0 {
		t.Fatalf("no welcome planned for %s", number)
	}
	return got[len(got)-1].State
}

// dueNewStarter returns the latest new_starter_due job's args and when it
// is scheduled.
func (f *fixture) dueNewStarter(t *testing.T) (NewStarterDueArgs, time.Time) {
	t.Helper()
	js := f.jobs(t, NewStarterDueArgs{}.Kind())
	if len(js) == 0 {
		t.Fatal("no new_starter_due job")
	}
	last := js[len(js)-1]
	var a NewStarterDueArgs
	if err := json.Unmarshal(last.Args, &a); err != nil {
		t.Fatal(err)
	}
	return a, last.ScheduledAt
}

// welcomeDue works the last new_starter_due job at its time (the welcome
// of the new starter last planned) and returns it and that time.
func (f *fixture) welcomeDue(t *testing.T) (NewStarterDueArgs, time.Time) {
	t.Helper()
	job, at := f.dueNewStarter(t)
	f.clock.Set(at)
	if err := work(t, &NewStarterDueWorker{c: f.contacts}, job); err != nil {
		t.Fatal(err)
	}
	return job, at
}

// TestNewStarterUnansweredThroughTheClockChange: the welcome goes at the
// send window on its day (not before), one reminder RemindAfterDays later,
// and the worklist after as many days again, at 09:00 local time across
// the clocks going back (Sunday 25 October 2026); a repeated job sends
// nothing more.
func TestNewStarterUnansweredThroughTheClockChange(t *testing.T) {
	t.Parallel()
	loc := london(t)
	// Monday 12 October 2026, 08:00 BST; first day Monday 26 October.
	f := newFixture(t, time.Date(2026, 10, 12, 8, 0, 0, 0, loc))
	f.welcomes(t)
	f.starter(t, "101", "2026-10-26")
	job, at := f.dueNewStarter(t)
	mustEqualTime(t, "welcome job", at, time.Date(2026, 10, 19, 9, 0, 0, 0, loc))
	worker := &NewStarterDueWorker{c: f.contacts}

	// Run early (before the window opens): it waits, sending nothing.
	f.clock.Set(time.Date(2026, 10, 19, 7, 30, 0, 0, loc))
	if d := snoozed(t, work(t, worker, job)); d != 90*time.Minute {
		t.Fatalf("an early welcome snoozes %s, want until 09:00", d)
	}
	if n := len(f.messages(t)); n != 0 {
		t.Fatalf("%d messages before the window", n)
	}

	f.clock.Set(time.Date(2026, 10, 19, 9, 0, 0, 0, loc))
	if err := work(t, worker, job); err != nil {
		t.Fatal(err)
	}
	ms := f.messages(t)
	if len(ms) != 1 || !strings.Contains(ms[0].Body, "https://oh.demo-trust.example/starter") ||
		!strings.Contains(ms[0].Body, "reply with your question") || !strings.Contains(ms[0].Body, "STOP") ||
		!strings.Contains(ms[0].Body, "999") || ms[0].Urgent {
		t.Fatalf("messages %+v, want the welcome with the questionnaire link, the opt-out and the crisis line", ms)
	}
	if got := f.smsJobs(t); len(got) != 1 || got[0] != ms[0].ID {
		t.Fatalf("sms deliveries %v, want the welcome %d", got, ms[0].ID)
	}
	var conv conversationRow
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT id, channel, address, flow, status FROM conversations WHERE new_starter_id = $1`,
		job.NewStarterID).Scan(&conv.ID, &conv.Channel, &conv.Address, &conv.Flow, &conv.Status); err != nil {
		t.Fatal(err)
	}
	if conv.Channel != "sms" || conv.Address != "+447700900123" || conv.Flow != "new-starter" || conv.Status != "open" {
		t.Fatalf("conversation %+v, want an open new-starter conversation by SMS to the staff mobile", conv)
	}
	if s := f.newStarterState(t, "101"); s != postgres.NewStarterWelcomed {
		t.Fatalf("state %s, want welcomed", s)
	}
	// The same job again (a retry) sends nothing.
	if err := work(t, worker, job); err != nil {
		t.Fatal(err)
	}
	if n := len(f.messages(t)); n != 1 {
		t.Fatalf("%d messages after a repeated job, want 1", n)
	}

	// Thursday 22 October 09:00 BST: the one reminder, in the same conversation.
	_, at = f.dueNewStarter(t)
	mustEqualTime(t, "reminder job", at, time.Date(2026, 10, 22, 9, 0, 0, 0, loc))
	f.clock.Set(at)
	if err := work(t, worker, job); err != nil {
		t.Fatal(err)
	}
	ms = f.messages(t)
	if len(ms) != 2 || ms[1].ConversationID != conv.ID || !strings.Contains(ms[1].Body, "a reminder") ||
		!strings.Contains(ms[1].Body, "https://oh.demo-trust.example/starter") {
		t.Fatalf("messages %+v, want the reminder in conversation %d", ms, conv.ID)
	}
	if s := f.newStarterState(t, "101"); s != postgres.NewStarterReminded {
		t.Fatalf("state %s, want reminded", s)
	}

	// Three days later is Sunday, outside the window: Monday 26 October
	// 09:00 GMT, after the clocks went back. Then the worklist, no text.
	_, at = f.dueNewStarter(t)
	mustEqualTime(t, "worklist job", at, time.Date(2026, 10, 26, 9, 0, 0, 0, time.UTC))
	f.clock.Set(at)
	if err := work(t, worker, job); err != nil {
		t.Fatal(err)
	}
	if s := f.newStarterState(t, "101"); s != postgres.NewStarterWorklist {
		t.Fatalf("state %s, want worklist", s)
	}
	var worklistAt time.Time
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT worklist_at FROM new_starters WHERE id = $1`, job.NewStarterID).Scan(&worklistAt); err != nil {
		t.Fatal(err)
	}
	mustEqualTime(t, "worklist_at", worklistAt, at)
	if n := len(f.messages(t)); n != 2 {
		t.Fatalf("%d messages, want the welcome and one reminder only", n)
	}
	if n := len(f.jobs(t, NewStarterDueArgs{}.Kind())); n != 3 {
		t.Fatalf("%d new_starter_due jobs, want 3 (welcome, reminder, worklist): nothing after the worklist", n)
	}
}

// TestNewStarterReplyStopsTheReminder: a reply, stored by the runner or
// found by the job, makes the new starter replied, and no reminder or
// worklist follows.
func TestNewStarterReplyStopsTheReminder(t *testing.T) {
	t.Parallel()
	for _, marked := range []bool{true, false} {
		name := map[bool]string{true: "marked by the runner", false: "found by the reminder"}[marked]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, time.Date(2026, 5, 4, 8, 0, 0, 0, london(t)))
			f.welcomes(t)
			f.starter(t, "101", "2026-06-01")
			job, _ := f.welcomeDue(t)
			worker := &NewStarterDueWorker{c: f.contacts}
			err := f.db.InTx(t.Context(), func(tx pgx.Tx) error {
				conv, _, err := postgres.LockNewStarterConversation(t.Context(), tx, job.NewStarterID)
				if err != nil {
					return err
				}
				in := ohcontact.Message{Direction: ohcontact.DirectionInbound, Author: ohcontact.AuthorStaff, Body: "done", ExternalID: "SM1"}
				if marked {
					return postgres.SaveSteps(t.Context(), tx, []postgres.Step{{Conversation: &conv, Messages: []*ohcontact.Message{&in}}})
				}
				return postgres.AppendMessage(t.Context(), tx, &conv, &in)
			})
			if err != nil {
				t.Fatal(err)
			}
			if s := f.newStarterState(t, "101"); marked && s != postgres.NewStarterReplied {
				t.Fatalf("state %s after the reply, want replied", s)
			}
			_, at := f.dueNewStarter(t)
			f.clock.Set(at)
			if err := work(t, worker, job); err != nil {
				t.Fatal(err)
			}
			if s := f.newStarterState(t, "101"); s != postgres.NewStarterReplied {
				t.Fatalf("state %s at the reminder's time, want replied", s)
			}
			if n := len(f.messages(t)); n != 2 {
				t.Fatalf("%d messages, want the welcome and the reply only", n)
			}
			if n := len(f.jobs(t, NewStarterDueArgs{}.Kind())); n != 2 {
				t.Fatalf("%d new_starter_due jobs, want 2 (welcome, reminder): nothing after a reply", n)
			}
		})
	}
}

// TestNewStarterWelcomeRechecks: a first day that is no longer HR's
// (changed without replanning) or has passed by the time the job runs, or
// an organisation that stopped welcoming new starters, is never texted;
// the welcome is cancelled. (A person who opted out is never texted
// either, but goes on the worklist: TestNewStarterNobodyCanTextGoesOnTheWorklist.)
func TestNewStarterWelcomeRechecks(t *testing.T) {
	t.Parallel()
	for name, change := range map[string]func(t *testing.T, f *fixture){
		"first day changed by hand": func(t *testing.T, f *fixture) {
			f.exec(t, `UPDATE staff SET starts_on = '2026-06-08' WHERE assignment_number = '101'`)
		},
		"not configured": func(_ *testing.T, f *fixture) { f.scheduler.Policy.ByOrganisation = nil },
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, time.Date(2026, 5, 4, 8, 0, 0, 0, london(t)))
			f.welcomes(t)
			f.starter(t, "101", "2026-06-01")
			job, at := f.dueNewStarter(t)
			change(t, f)
			f.clock.Set(at)
			if err := work(t, &NewStarterDueWorker{c: f.contacts}, job); err != nil {
				t.Fatal(err)
			}
			if n := len(f.messages(t)); n != 0 {
				t.Fatalf("%d messages, want none", n)
			}
			if s := f.newStarterState(t, "101"); s != postgres.NewStarterCancelled {
				t.Fatalf("state %s, want cancelled", s)
			}
		})
	}
	t.Run("first day passed", func(t *testing.T) {
		f := newFixture(t, time.Date(2026, 5, 4, 8, 0, 0, 0, london(t)))
		f.welcomes(t)
		f.starter(t, "101", "2026-05-06")
		job, _ := f.dueNewStarter(t)
		f.clock.Set(time.Date(2026, 5, 7, 9, 0, 0, 0, london(t))) // the job ran late, after the first day
		if err := work(t, &NewStarterDueWorker{c: f.contacts}, job); err != nil {
			t.Fatal(err)
		}
		if n := len(f.messages(t)); n != 0 || f.newStarterState(t, "101") != postgres.NewStarterCancelled {
			t.Fatalf("%d messages, state %s: want none, cancelled", n, f.newStarterState(t, "101"))
		}
	})
}

// starterWith imports member of staff number with mobile ("" for none),
// preferred channel ("" for none) and first day startsOn.
func (f *fixture) starterWith(t *testing.T, number, mobile, channel, startsOn string) {
	t.Helper()
	f.importCSV(t, "staff", "assignment_number,first_name,last_name,mobile,email,organisation,language,preferred_channel,starts_on\n"+
		number+",Ann,Example,"+mobile+",,"+testOrg+",,"+channel+","+startsOn+"\n")
}

// worklistRow is a new starter's state, why they are on the worklist (""
// when not) and since when (zero when not), and when they first replied
// (zero when not).
type worklistRow struct {
	State, Reason         string
	WorklistAt, RepliedAt time.Time
}

// worklistOf returns new starter id's worklistRow.
func (f *fixture) worklistOf(t *testing.T, id int64) worklistRow {
	t.Helper()
	var r worklistRow
	var reason *string
	var worklist, replied *time.Time
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT state, worklist_reason, worklist_at, replied_at FROM new_starters WHERE id = $1`, id).
		Scan(&r.State, &reason, &worklist, &replied); err != nil {
		t.Fatal(err)
	}
	if reason != nil {
		r.Reason = *reason
	}
	if worklist != nil {
		r.WorklistAt = *worklist
	}
	if replied != nil {
		r.RepliedAt = *replied
	}
	return r
}

// TestNewStarterNobodyCanTextGoesOnTheWorklist: a new starter who has
// opted out, or has no mobile (whatever channel they prefer: they cannot
// reach the intranet's web chat before they start), is not texted and
// opens no conversation: when the welcome is due they go on the OH admin
// worklist, saying why, and nothing more is scheduled.
func TestNewStarterNobodyCanTextGoesOnTheWorklist(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, mobile, channel string
		optedOut              bool
		reason                string
	}{
		{"opted out", "07700 900123", "", true, postgres.WorklistOptedOut},
		{"no mobile", "", "", false, postgres.WorklistNoMobile},
		{"no mobile, prefers the web chat", "", "webchat", false, postgres.WorklistNoMobile},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, time.Date(2026, 5, 4, 8, 0, 0, 0, london(t)))
			f.welcomes(t)
			f.starterWith(t, "101", tc.mobile, tc.channel, "2026-06-01")
			if tc.optedOut {
				f.exec(t, `UPDATE staff SET consent = 'opted_out', consent_changed_at = now() WHERE assignment_number = '101'`)
			}
			job, at := f.welcomeDue(t)
			want := worklistRow{State: postgres.NewStarterWorklist, Reason: tc.reason, WorklistAt: at}
			if got := f.worklistOf(t, job.NewStarterID); got != want {
				t.Fatalf("new starter %+v, want %+v", got, want)
			}
			var convs int
			if err := f.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM conversations`).Scan(&convs); err != nil {
				t.Fatal(err)
			}
			if n := len(f.messages(t)); n != 0 || convs != 0 {
				t.Fatalf("%d messages in %d conversations, want none", n, convs)
			}
			if n := len(f.jobs(t, NewStarterDueArgs{}.Kind())); n != 1 {
				t.Fatalf("%d new_starter_due jobs, want the welcome's only: nothing is due after the worklist", n)
			}
		})
	}
}

// TestNewStarterPreferringTheWebChatIsTexted: a new starter with a mobile
// is welcomed by SMS even when HR says they prefer the web chat, which
// they cannot reach before their first day.
func TestNewStarterPreferringTheWebChatIsTexted(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Date(2026, 5, 4, 8, 0, 0, 0, london(t)))
	f.welcomes(t)
	f.starterWith(t, "101", "07700 900123", "webchat", "2026-06-01")
	job, _ := f.welcomeDue(t)
	var channel, address string
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT channel, address FROM conversations WHERE new_starter_id = $1`,
		job.NewStarterID).Scan(&channel, &address); err != nil {
		t.Fatal(err)
	}
	if channel != "sms" || address != "+447700900123" {
		t.Fatalf("welcome on %s at %q, want SMS to the mobile", channel, address)
	}
	if ms := f.messages(t); len(ms) != 1 || len(f.smsJobs(t)) != 1 || f.newStarterState(t, "101") != postgres.NewStarterWelcomed {
		t.Fatalf("%d messages, %d sms jobs, state %s; want the welcome by SMS", len(ms), len(f.smsJobs(t)), f.newStarterState(t, "101"))
	}
}

// TestNewStarterOptOutGoesOnTheWorklistAtOnce: a new starter who opts out
// after the welcome (Twilio refusing a text with 21610, or STOP, which
// postgres.SetConsent records either way) goes on the OH admin worklist at
// once, saying why, whether they had been reminded or had replied, as long
// as their questionnaire has not come back; the job then sends no
// reminder and schedules nothing more. The welcome's row and conversation
// stay.
func TestNewStarterOptOutGoesOnTheWorklistAtOnce(t *testing.T) {
	t.Parallel()
	optOut := func(t *testing.T, f *fixture, id int64) {
		t.Helper()
		if err := f.db.InTx(t.Context(), func(tx pgx.Tx) error {
			return postgres.SetConsent(t.Context(), tx, id, true, f.clock.Now())
		}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		// before readies the welcome (its job already worked once) and
		// opts the person out.
		before func(t *testing.T, f *fixture, job NewStarterDueArgs, staffID int64)
		want   string // the state after
		// reason is why they are on the worklist, "" when they are not.
		reason string
	}{
		{"welcomed, then a text fails with 21610", func(t *testing.T, f *fixture, _ NewStarterDueArgs, _ int64) {
			welcome := f.messages(t)[0].ID
			if err := f.db.InTx(t.Context(), func(tx pgx.Tx) error {
				return postgres.RecordDeliveryFailure(t.Context(), tx, welcome, 21610, "opted out", true, f.clock.Now())
			}); err != nil {
				t.Fatal(err)
			}
		}, postgres.NewStarterWorklist, postgres.WorklistOptedOut},
		{"reminded, then opted out", func(t *testing.T, f *fixture, job NewStarterDueArgs, staffID int64) {
			_, at := f.dueNewStarter(t)
			f.clock.Set(at)
			if err := work(t, &NewStarterDueWorker{c: f.contacts}, job); err != nil {
				t.Fatal(err)
			}
			f.clock.Set(at.Add(time.Hour))
			optOut(t, f, staffID)
		}, postgres.NewStarterWorklist, postgres.WorklistOptedOut},
		{"replied, then opted out before the questionnaire came back", func(t *testing.T, f *fixture, job NewStarterDueArgs, staffID int64) {
			f.reply(t, job.NewStarterID, "done", "SM1")
			optOut(t, f, staffID)
		}, postgres.NewStarterWorklist, postgres.WorklistOptedOut},
		{"opted out after the questionnaire came back", func(t *testing.T, f *fixture, job NewStarterDueArgs, staffID int64) {
			f.reply(t, job.NewStarterID, "done", "SM1")
			f.exec(t, `INSERT INTO users (email, display_name, role, password_hash) VALUES ('oh@example.nhs.uk', 'OH', 'admin', 'x')`)
			f.exec(t, `UPDATE new_starters SET questionnaire_received_at = now(),
				questionnaire_received_by = (SELECT id FROM users) WHERE id = $1`, job.NewStarterID)
			optOut(t, f, staffID)
		}, postgres.NewStarterReplied, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, time.Date(2026, 5, 4, 8, 0, 0, 0, london(t)))
			f.welcomes(t)
			f.starter(t, "101", "2026-06-01")
			job, at := f.welcomeDue(t)
			worker := &NewStarterDueWorker{c: f.contacts}
			var staffID int64
			if err := f.db.Pool.QueryRow(t.Context(), `SELECT id FROM staff WHERE assignment_number = '101'`).Scan(&staffID); err != nil {
				t.Fatal(err)
			}
			f.clock.Set(at.Add(26 * time.Hour))
			tc.before(t, f, job, staffID)
			optedOutAt := f.clock.Now()
			got := f.worklistOf(t, job.NewStarterID)
			if got.State != tc.want || got.Reason != tc.reason || (tc.reason != "") != got.WorklistAt.Equal(optedOutAt) {
				t.Fatalf("after the opt-out: %+v; want %s, on the worklist for %q at %s", got, tc.want, tc.reason, optedOutAt)
			}
			sent, jobs := len(f.messages(t)), len(f.jobs(t, NewStarterDueArgs{}.Kind()))

			// The next step's job, when it comes, sends and schedules nothing.
			_, at = f.dueNewStarter(t)
			f.clock.Set(at)
			if err := work(t, worker, job); err != nil {
				t.Fatal(err)
			}
			if after := f.worklistOf(t, job.NewStarterID); after != got {
				t.Errorf("the job moved the new starter from %+v to %+v", got, after)
			}
			if n := len(f.messages(t)); n != sent {
				t.Errorf("%d messages after the job, want %d: nothing texted after an opt-out", n, sent)
			}
			if n := len(f.jobs(t, NewStarterDueArgs{}.Kind())); n != jobs {
				t.Errorf("%d new_starter_due jobs after the job, want %d", n, jobs)
			}
			var convs int
			if err := f.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM conversations WHERE new_starter_id = $1`, job.NewStarterID).
				Scan(&convs); err != nil || convs != 1 {
				t.Errorf("%d welcome conversations (%v), want the welcome's kept", convs, err)
			}
		})
	}
}

// reply stores body as new starter id's reply with provider id sid in
// their welcome's conversation, as the runner does (postgres.SaveSteps).
func (f *fixture) reply(t *testing.T, id int64, body, sid string) {
	t.Helper()
	err := f.db.InTx(t.Context(), func(tx pgx.Tx) error {
		conv, _, err := postgres.LockNewStarterConversation(t.Context(), tx, id)
		if err != nil {
			return err
		}
		in := ohcontact.Message{Direction: ohcontact.DirectionInbound, Author: ohcontact.AuthorStaff, Body: body, ExternalID: sid}
		return postgres.SaveSteps(t.Context(), tx, []postgres.Step{{Conversation: &conv, Messages: []*ohcontact.Message{&in}}})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestNewStarterFirstReplyIsKept: replied_at is when the new starter first
// wrote, and later messages do not write the row again.
func TestNewStarterFirstReplyIsKept(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Date(2026, 5, 4, 8, 0, 0, 0, london(t)))
	f.welcomes(t)
	f.starter(t, "101", "2026-06-01")
	job, _ := f.welcomeDue(t)
	read := func() (replied, updated time.Time) {
		t.Helper()
		if err := f.db.Pool.QueryRow(t.Context(), `SELECT replied_at, updated_at FROM new_starters WHERE id = $1`, job.NewStarterID).
			Scan(&replied, &updated); err != nil {
			t.Fatal(err)
		}
		return replied, updated
	}
	f.reply(t, job.NewStarterID, "ok", "SM1")
	firstReplied, firstUpdated := read()
	f.reply(t, job.NewStarterID, "done", "SM2")
	replied, updated := read()
	if !replied.Equal(firstReplied) || !updated.Equal(firstUpdated) {
		t.Fatalf("after a second reply replied_at %s, updated_at %s; want the first reply's %s, %s (the row not written)",
			replied, updated, firstReplied, firstUpdated)
	}
}

// TestNewStarterWithoutAMobileAtTheReminder: HR removing the mobile after
// the welcome puts the new starter on the worklist when the reminder is
// due, as having no mobile, and the old number gets no reminder.
func TestNewStarterWithoutAMobileAtTheReminder(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Date(2026, 5, 4, 8, 0, 0, 0, london(t)))
	f.welcomes(t)
	f.starter(t, "101", "2026-06-01")
	job, _ := f.welcomeDue(t)
	worker := &NewStarterDueWorker{c: f.contacts}
	f.starterWith(t, "101", "", "", "2026-06-01")
	_, at := f.dueNewStarter(t)
	f.clock.Set(at)
	if err := work(t, worker, job); err != nil {
		t.Fatal(err)
	}
	want := worklistRow{State: postgres.NewStarterWorklist, Reason: postgres.WorklistNoMobile, WorklistAt: at}
	if got := f.worklistOf(t, job.NewStarterID); got != want {
		t.Fatalf("new starter %+v, want %+v", got, want)
	}
	if n := len(f.messages(t)); n != 1 {
		t.Fatalf("%d messages, want the welcome only", n)
	}
}
