package escalation_test

import (
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels"
	"github.com/ohcontact/ohcontact/channels/sms"
	"github.com/ohcontact/ohcontact/dialogs"
	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/locales"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/signposting"
)

// userID returns the id of the fixture's user with email.
func (f *slaFixture) userID(t *testing.T, email string) int64 {
	t.Helper()
	var id int64
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT id FROM users WHERE email = $1`, email).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// claimedCase opens an urgent case claimed by the user with email and
// returns it with that user as an actor.
func (f *slaFixture) claimedCase(t *testing.T, email string) (int64, escalation.Actor) {
	t.Helper()
	id := f.escalate(t, ohcontact.Conversation{OrganisationID: f.org}, ohcontact.PriorityUrgent)
	a := escalation.Actor{UserID: f.userID(t, email), OrganisationID: f.org}
	if err := f.cases.Claim(t.Context(), a, id); err != nil {
		t.Fatal(err)
	}
	return id, a
}

// followUpJob returns the arguments and scheduled time of follow-up fid's
// job.
func (f *slaFixture) followUpJob(t *testing.T, fid int64) (escalation.FollowUpArgs, time.Time) {
	t.Helper()
	var args escalation.FollowUpArgs
	var at time.Time
	err := f.db.Pool.QueryRow(t.Context(), `
		SELECT (args->>'follow_up_id')::bigint, (args->>'due')::timestamptz, scheduled_at FROM river_job
		WHERE kind = 'case_follow_up' AND (args->>'follow_up_id')::bigint = $1`, fid).Scan(&args.FollowUpID, &args.Due, &at)
	if err != nil {
		t.Fatalf("no job for follow-up %d: %v", fid, err)
	}
	return args, at
}

// count returns the single integer query gives.
func (f *slaFixture) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := f.db.Pool.QueryRow(t.Context(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSetFollowUp: only the clinician holding the case may set a
// follow-up; it must be in the future, with a note; it is on the
// timeline, audited, and its job is scheduled at its time; it can be
// cancelled once, audited.
func TestSetFollowUp(t *testing.T) {
	t.Parallel()
	f := newSLAFixture(t, false)
	id, holder := f.claimedCase(t, "on@test.example")
	other := escalation.Actor{UserID: f.userID(t, "off@test.example"), OrganisationID: f.org}
	now := f.clock()
	due := now.Add(26 * time.Hour)

	if _, err := f.cases.SetFollowUp(t.Context(), other, id, due, "call back"); !errors.As(err, new(*escalation.ConflictError)) {
		t.Errorf("follow-up by a clinician not holding the case: %v, want a conflict", err)
	}
	for _, at := range []time.Time{now, now.Add(-time.Minute)} {
		if _, err := f.cases.SetFollowUp(t.Context(), holder, id, at, "call back"); !errors.As(err, new(escalation.FollowUpTimeError)) {
			t.Errorf("follow-up at %v (now %v): %v, want FollowUpTimeError", at, now, err)
		}
	}
	var noteErr escalation.FollowUpNoteError
	if _, err := f.cases.SetFollowUp(t.Context(), holder, id, due, "  "); !errors.As(err, &noteErr) || !noteErr.Empty {
		t.Errorf("follow-up without a note: %v, want an empty-note error", err)
	}
	if n := f.count(t, `SELECT count(*) FROM case_follow_ups`); n != 0 {
		t.Fatalf("%d follow-ups stored after refusals, want 0", n)
	}

	fid, err := f.cases.SetFollowUp(t.Context(), holder, id, due, "Call to ask how the GP appointment went")
	if err != nil {
		t.Fatal(err)
	}
	args, at := f.followUpJob(t, fid)
	if !at.Equal(due) || !args.Due.Equal(due) {
		t.Errorf("follow-up job scheduled at %v (args %v), want %v", at, args.Due, due)
	}
	if n := f.count(t, `SELECT count(*) FROM case_events WHERE case_id = $1 AND kind = 'follow_up_set' AND user_id = $2
		AND note LIKE 'Due Sun 22 Nov 2026 04:00: Call to ask%'`, id, holder.UserID); n != 1 {
		t.Errorf("%d follow_up_set events saying when, want 1", n)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_events WHERE action = 'case.follow_up_set' AND actor_kind = 'user' AND actor_id = $1 AND record_id = $2
		AND (details->>'follow_up_id')::bigint = $3`, holder.UserID, id, fid); n != 1 {
		t.Errorf("%d case.follow_up_set audit events, want 1", n)
	}

	if err := f.cases.CancelFollowUp(t.Context(), other, id, fid); !errors.As(err, new(*escalation.ConflictError)) {
		t.Errorf("cancel by a clinician not holding the case: %v, want a conflict", err)
	}
	if err := f.cases.CancelFollowUp(t.Context(), holder, id, fid); err != nil {
		t.Fatal(err)
	}
	if err := f.cases.CancelFollowUp(t.Context(), holder, id, fid); !errors.As(err, new(*escalation.ConflictError)) {
		t.Errorf("second cancel: %v, want a conflict", err)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_events WHERE action = 'case.follow_up_cancelled' AND actor_kind = 'user' AND actor_id = $1 AND record_id = $2`,
		holder.UserID, id); n != 1 {
		t.Errorf("%d case.follow_up_cancelled audit events, want 1", n)
	}
	if fus, err := postgres.FollowUps(t.Context(), f.db.Pool, id); err != nil || len(fus) != 0 {
		t.Errorf("follow-ups shown after cancelling: %+v (%v), want none", fus, err)
	}
}

// TestFollowUpAlerts is a control for hazard H2 (escalation raised but not
// actioned): when a follow-up falls due on an unresolved case, the
// clinician holding it is alerted if on duty, otherwise the on-duty team;
// if nobody is on duty, every clinician who can work the case is alerted
// and the on-call number texted; a cancelled follow-up or a resolved case
// alerts nobody.
func TestFollowUpAlerts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		holder   string
		before   func(f *slaFixture, t *testing.T, id, fid int64, a escalation.Actor)
		alerted  []string
		onCall   int
		timeline int // follow_up_due events
	}{
		{name: "holder on duty", holder: "on@test.example", alerted: []string{"on@test.example"}, timeline: 1},
		{name: "holder off duty", holder: "off@test.example", alerted: []string{"on@test.example", "admin@test.example"}, timeline: 1},
		{name: "nobody on duty", holder: "off@test.example",
			before: func(f *slaFixture, t *testing.T, _, _ int64, _ escalation.Actor) {
				if _, err := f.db.Pool.Exec(t.Context(), `UPDATE users SET on_duty = false`); err != nil {
					t.Fatal(err)
				}
			},
			alerted: []string{"on@test.example", "admin@test.example", "off@test.example"}, onCall: 1, timeline: 1},
		{name: "cancelled", holder: "on@test.example",
			before: func(f *slaFixture, t *testing.T, id, fid int64, a escalation.Actor) {
				if err := f.cases.CancelFollowUp(t.Context(), a, id, fid); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "resolved", holder: "on@test.example",
			before: func(f *slaFixture, t *testing.T, id, _ int64, a escalation.Actor) {
				if err := f.cases.Resolve(t.Context(), a, id, "support_arranged", "", false); err != nil {
					t.Fatal(err)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newSLAFixture(t, true)
			jobs := f.cases.Jobs
			w := &escalation.FollowUpChecks{DB: f.db, OnCall: map[int64]escalation.OnCall{f.org: {Code: "RX1", Mobile: "+447700900900"}},
				Texts: &sms.Outbox{Jobs: jobs}, ConsoleURL: "https://oh.example.nhs.uk", Location: time.UTC,
				Log: slog.New(slog.DiscardHandler), Now: f.clock}
			id, a := f.claimedCase(t, tc.holder)
			fid, err := f.cases.SetFollowUp(t.Context(), a, id, f.clock().Add(time.Hour), "Call back")
			if err != nil {
				t.Fatal(err)
			}
			if tc.before != nil {
				tc.before(f, t, id, fid, a)
			}
			args, at := f.followUpJob(t, fid)
			job := &river.Job[escalation.FollowUpArgs]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 25}, Args: args}

			f.set(at.Add(-time.Second)) // this clock behind the database's
			if err := w.Work(t.Context(), job); tc.alerted != nil && !isSnooze(err) {
				t.Fatalf("early run: %v, want a snooze", err)
			}
			f.set(at)
			if err := w.Work(t.Context(), job); err != nil {
				t.Fatal(err)
			}
			if err := w.Work(t.Context(), job); err != nil { // a retry after a commit
				t.Fatal(err)
			}

			s := f.state(t, id)
			if !slices.Equal(s.alerted, tc.alerted) {
				t.Errorf("alerted %v, want %v", s.alerted, tc.alerted)
			}
			if s.onCallTexts != tc.onCall {
				t.Errorf("%d on-call texts, want %d", s.onCallTexts, tc.onCall)
			}
			if n := f.count(t, `SELECT count(*) FROM case_events WHERE case_id = $1 AND kind = 'follow_up_due' AND user_id IS NULL`, id); n != tc.timeline {
				t.Errorf("%d follow_up_due events, want %d", n, tc.timeline)
			}
			if n := f.count(t, `SELECT count(*) FROM audit_events WHERE action = 'case.follow_up_due' AND actor_kind = 'system' AND record_id = $1`, id); n != tc.timeline {
				t.Errorf("%d case.follow_up_due audit events, want %d", n, tc.timeline)
			}
			if tc.alerted == nil {
				return
			}
			alerts, err := postgres.UnseenAlerts(t.Context(), f.db.Pool, f.org, f.userID(t, tc.alerted[0]))
			if err != nil || len(alerts) != 1 || alerts[0].Kind != "follow_up_due" || !alerts[0].FollowUpDue.Equal(at) {
				t.Errorf("alerts %+v (%v), want one follow_up_due for %v", alerts, err, at)
			}
		})
	}
}

// TestRepliesSigned: a clinician's reply carries their name and job title
// in the person's language, in the style the organisation chose, counted
// in the reply's length; an organisation that turns signing off sends
// replies as written.
func TestRepliesSigned(t *testing.T) {
	t.Parallel()
	bundle, err := locales.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	engine, err := dialogs.New(bundle, signposting.Demo())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		lang    string
		signing escalation.ReplySigning
		title   string
		want    string
	}{
		{name: "default", lang: "en-GB", want: "See you soon\n\nFrom On Duty, OH clinician"},
		{name: "own title, first name", lang: "en-GB", title: "OH nurse",
			signing: escalation.ReplySigning{Style: escalation.SignFirstNameAndTitle}, want: "See you soon\n\nFrom On, OH nurse"},
		{name: "Welsh, title only", lang: "cy", title: "Nyrs IG",
			signing: escalation.ReplySigning{Style: escalation.SignTitle}, want: "See you soon\n\nOddi wrth Nyrs IG"},
		{name: "Polish", lang: "pl", want: "See you soon\n\nPozdrawiam, On Duty, OH clinician"},
		{name: "off", lang: "en-GB", signing: escalation.ReplySigning{Unsigned: true}, want: "See you soon"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newSLAFixture(t, false)
			f.cases.Signing = map[int64]escalation.ReplySigning{f.org: tc.signing}
			f.cases.Engine = engine
			f.cases.Outboxes = channels.Outboxes{ohcontact.ChannelSMS: &sms.Outbox{Jobs: f.cases.Jobs}}
			if _, err := f.db.Pool.Exec(t.Context(), `UPDATE users SET job_title = nullif($1, '') WHERE email = 'on@test.example'`, tc.title); err != nil {
				t.Fatal(err)
			}
			conv := conversation(t, f.db, f.org)
			if _, err := f.db.Pool.Exec(t.Context(), `UPDATE conversations SET language = $2 WHERE id = $1`, conv.ID, tc.lang); err != nil {
				t.Fatal(err)
			}
			id := f.escalate(t, conv, ohcontact.PriorityUrgent)
			a := escalation.Actor{UserID: f.userID(t, "on@test.example"), OrganisationID: f.org}
			if err := f.cases.Claim(t.Context(), a, id); err != nil {
				t.Fatal(err)
			}

			sig, err := f.cases.Signature(t.Context(), f.db.Pool, a.UserID, f.org, tc.lang)
			if err != nil {
				t.Fatal(err)
			}
			max := escalation.MaxReply(sig)
			long := strings.Repeat("a", max+1)
			var tooLong escalation.ReplyTooLongError
			if err := f.cases.Reply(t.Context(), a, id, long); !errors.As(err, &tooLong) || tooLong.Max != max {
				t.Errorf("reply of %d characters: %v, want ReplyTooLongError with max %d", max+1, err, max)
			}
			if err := f.cases.Reply(t.Context(), a, id, "See you soon"); err != nil {
				t.Fatal(err)
			}
			var body string
			if err := f.db.Pool.QueryRow(t.Context(), `SELECT body FROM messages WHERE conversation_id = $1 AND author = 'clinician'`,
				conv.ID).Scan(&body); err != nil {
				t.Fatal(err)
			}
			if body != tc.want {
				t.Errorf("reply stored as %q, want %q", body, tc.want)
			}
		})
	}
}
