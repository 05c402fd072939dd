package triggers

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

func TestImportSchedulesOverTheWeekendAndTheMarchClockChange(t *testing.T) {
	t.Parallel()
	// Friday 27 March 2026, before the clocks go forward on Sunday 29th.
	f := newFixture(t, time.Date(2026, 3, 27, 10, 0, 0, 0, london(t)))
	f.addStaff(t, "100", "07700 900001", "")
	sum := f.absence(t, "100", "2026-03-27", "", "S10")
	if sum.New != 1 || sum.Scheduled.Scheduled != 2 || sum.Scheduled.Held != 0 {
		t.Fatalf("import = %+v, want 1 new episode and 2 contacts scheduled, none held", sum)
	}

	cs := f.contactsOf(t, "100")
	if len(cs) != 2 {
		t.Fatalf("contacts = %+v, want stress and long_term", cs)
	}
	// Stress: the next working day, Monday, at 09:00 summer time.
	stress := f.contact(t, "100", ohcontact.TriggerStress)
	mustEqualTime(t, "stress due", stress.DueAt, f.at(t, "2026-03-30", 9, 0))
	if stress.State != stateScheduled || stress.Channel != "sms" || stress.HeldUntil != nil {
		t.Fatalf("stress contact = %+v, want scheduled by sms, not held", stress)
	}
	// Long-term: day 28 of the absence, Thursday 23 April.
	mustEqualTime(t, "long_term due", f.contact(t, "100", ohcontact.TriggerLongTerm).DueAt, f.at(t, "2026-04-23", 9, 0))

	js := f.jobs(t, ContactDueArgs{}.Kind())
	if len(js) != 2 {
		t.Fatalf("%d contact_due jobs, want 2", len(js))
	}
	mustEqualTime(t, "first job", js[0].ScheduledAt, time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC))
	if want := `{"contact_id": ` + strconv.FormatInt(stress.ID, 10) + `}`; string(js[0].Args) != want {
		t.Fatalf("job args %s, want %s", js[0].Args, want)
	}

	// The same file again changes nothing and schedules nothing.
	again := f.absence(t, "100", "2026-03-27", "", "S10")
	if again.Unchanged != 1 || again.New+again.Updated != 0 || again.Scheduled.Episodes != 0 {
		t.Fatalf("re-import = %+v, want 1 unchanged and nothing planned", again)
	}
	if n := len(f.jobs(t, ContactDueArgs{}.Kind())); n != 2 {
		t.Fatalf("%d contact_due jobs after re-import, want still 2", n)
	}
}

func TestScheduleOneEpisode(t *testing.T) {
	t.Parallel()
	type want struct {
		trigger   ohcontact.Trigger
		state     string
		channel   string
		due, held string // local "2006-01-02 15:04"; held empty when not held
		reason    string // expected in state_reason
	}
	tests := []struct {
		name            string
		now             string // local "2006-01-02 15:04"
		mobile, channel string // of the member of staff
		quiet           string // "08:00-16:00", or empty
		start, end      string
		reason          string
		want            []want
	}{
		{
			name: "MSK day 2 on the Sunday the clocks go forward is held to Monday",
			now:  "2026-03-28 12:00", mobile: "07700900001", start: "2026-03-28", reason: "S11",
			want: []want{
				{ohcontact.TriggerMSK, stateScheduled, "sms", "2026-03-29 09:00", "2026-03-30 09:00", ""},
				{ohcontact.TriggerLongTerm, stateScheduled, "sms", "2026-04-24 09:00", "", ""},
			},
		},
		{
			name: "a night worker's quiet hours hold the contact to their end",
			now:  "2026-06-01 10:00", mobile: "07700900001", quiet: "08:00-16:00", start: "2026-06-01", reason: "S10",
			want: []want{
				{ohcontact.TriggerStress, stateScheduled, "sms", "2026-06-02 09:00", "2026-06-02 16:00", ""},
				{ohcontact.TriggerLongTerm, stateScheduled, "sms", "2026-06-28 09:00", "2026-06-29 16:00", ""},
			},
		},
		{
			name: "a late import skips what was due long ago and sends what is due now",
			now:  "2026-03-31 20:30", mobile: "07700900001", start: "2026-03-02", reason: "S10",
			want: []want{
				{ohcontact.TriggerStress, stateSkipped, "sms", "2026-03-03 09:00", "", "was more than 72h ago"},
				{ohcontact.TriggerLongTerm, stateScheduled, "sms", "2026-03-29 09:00", "2026-04-01 09:00", ""},
			},
		},
		{
			name: "an absence recorded after the return to work is cancelled, not sent",
			now:  "2026-05-06 10:00", mobile: "07700900001", start: "2026-05-04", end: "2026-05-05", reason: "S10",
			want: []want{{ohcontact.TriggerStress, stateCancelled, "sms", "2026-05-05 09:00", "", "returned to work before it was sent (the absence ended 2026-05-05)"}},
		},
		{
			name: "no mobile: the web chat",
			now:  "2026-05-04 10:00", start: "2026-05-04", end: "2026-05-20", reason: "S12",
			want: []want{{ohcontact.TriggerMSK, stateScheduled, "webchat", "2026-05-05 09:00", "", ""}},
		},
		{
			name: "a preference for the web chat wins over a mobile",
			now:  "2026-05-04 10:00", mobile: "07700900001", channel: "webchat", start: "2026-05-04", end: "2026-05-20", reason: "S12",
			want: []want{{ohcontact.TriggerMSK, stateScheduled, "webchat", "2026-05-05 09:00", "", ""}},
		},
		{
			name: "quiet hours covering the window leave no send time",
			now:  "2026-05-04 10:00", mobile: "07700900001", quiet: "08:00-19:00", start: "2026-05-04", end: "2026-05-20", reason: "S12",
			want: []want{{ohcontact.TriggerMSK, stateFailed, "sms", "2026-05-05 09:00", "", "no send time"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			loc := london(t)
			local := func(s string) time.Time {
				v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
			f := newFixture(t, local(tt.now))
			staffID := f.addStaff(t, "100", tt.mobile, tt.channel)
			if tt.quiet != "" {
				from, until, _ := strings.Cut(tt.quiet, "-")
				if _, err := f.db.Pool.Exec(t.Context(), `UPDATE staff SET quiet_from = $2, quiet_until = $3 WHERE id = $1`,
					staffID, from, until); err != nil {
					t.Fatal(err)
				}
			}
			f.absence(t, "100", tt.start, tt.end, tt.reason)

			got := f.contactsOf(t, "100")
			if len(got) != len(tt.want) {
				t.Fatalf("contacts = %+v, want %d", got, len(tt.want))
			}
			var sendAt []time.Time // of the scheduled contacts
			for i, w := range tt.want {
				g := got[i]
				if g.Trigger != string(w.trigger) || g.State != w.state || g.Channel != w.channel || !strings.Contains(g.Reason, w.reason) {
					t.Errorf("contact %d = %+v, want %+v", i, g, w)
				}
				mustEqualTime(t, string(w.trigger)+" due", g.DueAt, local(w.due))
				switch {
				case w.held == "" && g.HeldUntil != nil:
					t.Errorf("%s held until %s, want not held", w.trigger, g.HeldUntil.In(loc))
				case w.held != "" && g.HeldUntil == nil:
					t.Errorf("%s not held, want held until %s", w.trigger, w.held)
				case w.held != "":
					mustEqualTime(t, string(w.trigger)+" held until", *g.HeldUntil, local(w.held))
				}
				if w.state == stateScheduled {
					at := ohcontact.Later(local(w.due), local(tt.now))
					if w.held != "" {
						at = local(w.held)
					}
					sendAt = append(sendAt, at)
				}
			}
			// One job per scheduled contact, at its send time.
			slices.SortFunc(sendAt, time.Time.Compare)
			js := f.jobs(t, ContactDueArgs{}.Kind())
			if len(js) != len(sendAt) {
				t.Fatalf("%d contact_due jobs, want %d", len(js), len(sendAt))
			}
			for i, at := range sendAt {
				mustEqualTime(t, "job "+strconv.Itoa(i), js[i].ScheduledAt, at)
			}
		})
	}
}

func TestReturnToWorkCancelsPendingContactsAndClosesTheConversation(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Date(2026, 5, 4, 8, 0, 0, 0, london(t))) // Monday
	f.addStaff(t, "100", "07700900001", "")
	f.addStaff(t, "200", "07700900002", "")
	f.absence(t, "100", "2026-05-04", "", "S10")
	f.absence(t, "200", "2026-05-04", "", "S10")

	// 200's stress check-in goes out on Tuesday; then both return to work.
	f.clock.Set(f.at(t, "2026-05-05", 9, 0))
	var due ContactDueArgs
	due.ContactID = f.contact(t, "200", ohcontact.TriggerStress).ID
	if err := work(t, &ContactDueWorker{c: f.contacts}, due); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(f.at(t, "2026-05-08", 10, 0))
	sum := f.importCSV(t, "absences", "assignment_number,absence_start,absence_end,reason_code,related_reason\n"+
		"100,2026-05-04,2026-05-07,S10,\n200,2026-05-04,2026-05-07,S10,\n")
	if sum.Updated != 2 || sum.Scheduled.Cancelled != 3 || sum.Scheduled.Closed != 1 {
		t.Fatalf("import = %+v, want 2 updated, 3 contacts cancelled (both long_term, 100 stress), 1 conversation closed", sum)
	}
	for _, number := range []string{"100", "200"} {
		for _, c := range f.contactsOf(t, number) {
			want := stateCancelled
			if number == "200" && c.Trigger == string(ohcontact.TriggerStress) {
				want = stateSent // made: it stays made
			}
			if c.State != want {
				t.Errorf("%s's %s contact is %s, want %s", number, c.Trigger, c.State, want)
			}
			if want == stateCancelled && !strings.HasPrefix(c.Reason, "returned to work") {
				t.Errorf("%s's %s contact reason %q", number, c.Trigger, c.Reason)
			}
		}
	}
	var status, reason string
	err := f.db.Pool.QueryRow(t.Context(), `SELECT status, closed_reason FROM conversations WHERE contact_id = $1`, due.ContactID).
		Scan(&status, &reason)
	if err != nil || status != "closed" || reason != "returned_to_work" {
		t.Fatalf("conversation %s %s (%v), want closed as returned_to_work", status, reason, err)
	}
	var messages int
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM messages`).Scan(&messages); err != nil || messages != 1 {
		t.Fatalf("%d messages (%v), want only the first contact: the closing sends nothing", messages, err)
	}
}

func TestReasonChangeReplansWithoutRepeating(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Date(2026, 5, 4, 8, 0, 0, 0, london(t)))
	f.addStaff(t, "100", "07700900001", "")
	f.absence(t, "100", "2026-05-04", "", "S10")

	// S10 → S11: the stress contact no longer applies; an MSK one does.
	f.clock.Set(f.at(t, "2026-05-04", 12, 0))
	sum := f.absence(t, "100", "2026-05-04", "", "S11")
	if sum.Updated != 1 || sum.Scheduled.Cancelled != 1 || sum.Scheduled.Scheduled != 1 {
		t.Fatalf("import = %+v, want the stress contact cancelled and an MSK one scheduled", sum)
	}
	if c := f.contact(t, "100", ohcontact.TriggerStress); c.State != stateCancelled || c.Reason != reasonNotApplicable {
		t.Fatalf("stress contact %+v, want cancelled: no longer applies", c)
	}
	if c := f.contact(t, "100", ohcontact.TriggerMSK); c.State != stateScheduled {
		t.Fatalf("MSK contact %+v, want scheduled", c)
	}
	// Back to S10: the stress contact is not recorded again, and the MSK
	// one is cancelled in its turn; long_term is untouched throughout.
	sum = f.absence(t, "100", "2026-05-04", "", "S10")
	if sum.Scheduled.Scheduled != 0 || sum.Scheduled.Cancelled != 1 {
		t.Fatalf("import = %+v, want nothing scheduled and the MSK contact cancelled", sum)
	}
	if c := f.contact(t, "100", ohcontact.TriggerLongTerm); c.State != stateScheduled {
		t.Fatalf("long_term contact %+v, want still scheduled", c)
	}
	if n := len(f.jobs(t, ContactDueArgs{}.Kind())); n != 3 {
		t.Fatalf("%d contact_due jobs, want 3 (stress, long_term, MSK)", n)
	}
}

func TestScheduleAllCatchesUnplannedEpisodesOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Date(2026, 5, 4, 8, 0, 0, 0, london(t)))
	staffID := f.addStaff(t, "100", "07700900001", "")
	f.absence(t, "100", "2026-05-01", "", "S11")
	// Recorded without planning: a self-report, and one that ended long ago.
	if _, err := f.db.Pool.Exec(t.Context(), `
		INSERT INTO absence_episodes (staff_id, starts_on, ends_on, reason_code, source, reference) VALUES
			($1, '2026-04-20', '2026-04-22', 'S10', 'self_report', 'K7M4QX'),
			($1, '2026-02-02', '2026-02-06', 'S10', 'self_report', 'P3R9TW')`, staffID); err != nil {
		t.Fatal(err)
	}
	first, err := f.scheduler.ScheduleAll(t.Context(), f.db)
	if err != nil {
		t.Fatal(err)
	}
	// The imported episode is planned already; the recent self-report's
	// stress contact is long past (skipped); February's is not looked at.
	if first.Episodes != 2 || first.Scheduled != 0 || first.Skipped != 1 {
		t.Fatalf("first run = %+v, want 2 episodes planned and 1 contact skipped", first)
	}
	second, err := f.scheduler.ScheduleAll(t.Context(), f.db)
	if err != nil {
		t.Fatal(err)
	}
	if (second != Scheduled{Episodes: 2}) {
		t.Fatalf("second run = %+v, want nothing done", second)
	}
}

func TestScheduleStaffPlansASelfReportedAbsenceAtOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Date(2026, 5, 4, 8, 30, 0, 0, london(t)))
	staffID := f.addStaff(t, "100", "07700900001", "")
	// As the runner records the day-1 triage flow's absence, in its
	// transaction.
	err := f.db.InTx(t.Context(), func(tx pgx.Tx) error {
		report := postgres.SelfReport{StaffID: staffID, StartsOn: "2026-05-04", ReasonCode: "S10"}
		if _, err := postgres.RecordSelfReportedAbsence(t.Context(), tx, report, ohcontact.NewReference); err != nil {
			return err
		}
		return f.scheduler.ScheduleStaff(t.Context(), tx, staffID)
	})
	if err != nil {
		t.Fatal(err)
	}
	c := f.contact(t, "100", ohcontact.TriggerStress)
	if c.State != stateScheduled || !c.DueAt.Equal(f.at(t, "2026-05-05", 9, 0)) {
		t.Fatalf("stress contact %+v, want scheduled for Tuesday 09:00", c)
	}
	if n := len(f.jobs(t, ContactDueArgs{}.Kind())); n != 2 {
		t.Fatalf("%d contact_due jobs, want 2", n)
	}
}
