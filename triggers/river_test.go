package triggers

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels"
	"github.com/ohcontact/ohcontact/channels/sms"
	"github.com/ohcontact/ohcontact/channels/webchat"
	"github.com/ohcontact/ohcontact/postgres"
)

// TestWorkersRunOnRiver wires the contact jobs into a real River client, as
// serve does, and checks that an absence imported now is contacted by the
// jobs River runs, the text delivered to the simulator; the daily planning
// job runs when the client starts. The window is open all day, so that
// "now" is always in it.
func TestWorkersRunOnRiver(t *testing.T) {
	t.Parallel()
	if now := time.Now().UTC(); now.Hour() == 23 && now.Minute() >= 57 {
		t.Skip("the all-day send window closes at 23:59 UTC")
	}
	f := newFixture(t, time.Now())
	allDay, err := Defaults()
	if err != nil {
		t.Fatal(err)
	}
	allDay.Rules.Location, allDay.Window.Location = time.UTC, time.UTC
	allDay.Window.Days = []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}
	allDay.Window.From, allDay.Window.Until, allDay.Rules.DueTime = Clock{0, 0}, Clock{23, 59}, Clock{0, 0}
	allDay.Rules.MSKAfterDays = 0 // due on the first day, at 00:00: now
	f.scheduler.Policy = Policy{Default: allDay}
	f.scheduler.Now = time.Now

	log := slog.New(slog.DiscardHandler)
	workers := river.NewWorkers()
	f.contacts.AddWorkers(workers)
	river.AddWorker(workers, &sms.Deliverer{DB: f.db, Sender: &sms.Simulator{}, Log: log, Now: time.Now})
	client, err := river.NewClient(riverpgxv5.New(f.db.Pool), &river.Config{
		Queues:  map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}, sms.Queue: {MaxWorkers: 2}},
		Workers: workers, Logger: log, FetchPollInterval: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	client.PeriodicJobs().Add(DailySchedule(time.UTC))
	f.scheduler.Jobs = client
	f.contacts.Outboxes = channels.Outboxes{ohcontact.ChannelSMS: &sms.Outbox{Jobs: client}, ohcontact.ChannelWebChat: webchat.Outbox{}}

	f.addStaff(t, "100", "07700900001", "")
	f.absence(t, "100", time.Now().UTC().Format("2006-01-02"), "", "S11")
	if err := client.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := client.Stop(ctx); err != nil {
			t.Errorf("stop River: %v", err)
		}
	})

	deadline := time.Now().Add(20 * time.Second)
	for {
		texts, err := postgres.PhoneTexts(t.Context(), f.db.Pool, "+447700900001")
		if err != nil {
			t.Fatal(err)
		}
		var planned int
		if err := f.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM river_job WHERE kind = $1 AND state = 'completed'`,
			ScheduleAllArgs{}.Kind()).Scan(&planned); err != nil {
			t.Fatal(err)
		}
		if len(texts) == 1 && texts[0].Status == "delivered" && planned == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20 s: texts %+v, %d daily planning runs completed; want the first contact delivered and 1 run", texts, planned)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if c := f.contact(t, "100", ohcontact.TriggerMSK); c.State != stateSent {
		t.Fatalf("contact %+v, want sent", c)
	}
}
