package triggers

import (
	"encoding/json"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/ohcontact/ohcontact/channels/sms"
	"github.com/ohcontact/ohcontact/postgres"
)

// TestAbsenceToFollowUpCase is issue 6's "done when": an absence imported
// with S10 produces a first SMS in the simulator at the right time, a
// reminder when it is ignored, and a follow-up case when it is still
// ignored. The clock moves an hour at a time from the import, Friday 27
// March 2026, across the weekend the clocks go forward, to the Saturday
// after; at each hour the jobs that are due run, as River would run them,
// and queued texts are delivered by the SMS delivery job to the simulator.
func TestAbsenceToFollowUpCase(t *testing.T) {
	t.Parallel()
	loc := london(t)
	f := newFixture(t, time.Date(2026, 3, 27, 10, 0, 0, 0, loc))
	f.importCSV(t, "staff", "assignment_number,first_name,last_name,mobile,email,organisation,language,preferred_channel\n"+
		"12345678-1,Ann,Example,07700 900123,,"+testOrg+",,\n")
	f.importCSV(t, "absences", "assignment_number,absence_start,absence_end,reason_code,related_reason\n"+
		"12345678-1,27/03/2026,,S10,\n")
	deliverer := &sms.Deliverer{DB: f.db, Sender: &sms.Simulator{}, Log: slog.New(slog.DiscardHandler), Now: f.clock.Now}

	type event struct {
		what string
		at   time.Time
	}
	var events []event
	texts, cases := 0, 0
	for now := f.clock.Now(); now.Before(time.Date(2026, 4, 4, 12, 0, 0, 0, loc)); now = now.Add(time.Hour) {
		f.clock.Set(now)
		f.runDueJobs(t, now)
		// Texts are delivered as soon as they are queued.
		for _, j := range f.jobs(t, sms.DeliverArgs{}.Kind()) {
			var a sms.DeliverArgs
			if err := json.Unmarshal(j.Args, &a); err != nil {
				t.Fatal(err)
			}
			if err := work(t, deliverer, a); err != nil {
				t.Fatal(err)
			}
			f.exec(t, `DELETE FROM river_job WHERE id = $1`, j.ID)
		}
		shown, err := postgres.PhoneTexts(t.Context(), f.db.Pool, "+447700900123")
		if err != nil {
			t.Fatal(err)
		}
		for ; texts < len(shown); texts++ {
			if shown[texts].Status != "delivered" {
				t.Fatalf("text %d is %s in the simulator, want delivered", texts+1, shown[texts].Status)
			}
			events = append(events, event{"text", now})
		}
		var n int
		if err := f.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM cases WHERE category = 'no_response' AND priority = 'routine'`).
			Scan(&n); err != nil {
			t.Fatal(err)
		}
		for ; cases < n; cases++ {
			events = append(events, event{"case", now})
		}
	}
	want := []event{
		{"text", time.Date(2026, 3, 30, 9, 0, 0, 0, loc)}, // the first working day, 09:00 summer time
		{"text", time.Date(2026, 4, 1, 9, 0, 0, 0, loc)},  // the reminder, 48 hours later
		{"case", time.Date(2026, 4, 4, 9, 0, 0, 0, loc)},  // 72 hours after the reminder
	}
	if len(events) != len(want) {
		t.Fatalf("events %v, want %v", events, want)
	}
	for i, w := range want {
		if events[i].what != w.what || !events[i].at.Equal(w.at) {
			t.Errorf("event %d: %s at %s, want %s at %s", i+1, events[i].what, events[i].at.In(loc), w.what, w.at)
		}
	}
}

// runDueJobs works, in order, the contact jobs scheduled at or before now,
// removing each that completes and moving on each that snoozes, as River
// would.
func (f *fixture) runDueJobs(t *testing.T, now time.Time) {
	t.Helper()
	c := f.contacts
	workers := map[string]func(args []byte) error{
		ContactDueArgs{}.Kind():    func(b []byte) error { return workJSON(t, &ContactDueWorker{c: c}, b) },
		ReminderDueArgs{}.Kind():   func(b []byte) error { return workJSON(t, &ReminderDueWorker{c: c}, b) },
		NoResponseDueArgs{}.Kind(): func(b []byte) error { return workJSON(t, &NoResponseDueWorker{c: c}, b) },
	}
	for {
		var id int64
		var kind string
		var args []byte
		err := f.db.Pool.QueryRow(t.Context(), `
			SELECT id, kind, args FROM river_job WHERE kind = ANY($1) AND scheduled_at <= $2 ORDER BY scheduled_at, id LIMIT 1`,
			[]string{ContactDueArgs{}.Kind(), ReminderDueArgs{}.Kind(), NoResponseDueArgs{}.Kind()}, now).Scan(&id, &kind, &args)
		if errors.Is(err, pgx.ErrNoRows) {
			return // none due
		}
		if err != nil {
			t.Fatal(err)
		}
		var snooze *river.JobSnoozeError
		switch err := workers[kind](args); {
		case errors.As(err, &snooze):
			f.exec(t, `UPDATE river_job SET scheduled_at = $2 WHERE id = $1`, id, now.Add(snooze.Duration))
		case err != nil:
			t.Fatalf("%s job %d: %v", kind, id, err)
		default:
			f.exec(t, `DELETE FROM river_job WHERE id = $1`, id)
		}
	}
}

// workJSON works a job whose args are JSON.
func workJSON[T river.JobArgs](t *testing.T, w river.Worker[T], args []byte) error {
	t.Helper()
	var a T
	if err := json.Unmarshal(args, &a); err != nil {
		t.Fatal(err)
	}
	return work(t, w, a)
}
