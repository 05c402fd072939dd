package postgres_test

import (
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

type metricsTestArgs struct{}

func (metricsTestArgs) Kind() string { return "metrics_test" }

// TestMetricsJobQueues checks the queue backlog read at scrape time: only
// jobs due now count (available, or scheduled with their time come), the
// oldest one's wait is measured from when it became due, and a queue with
// none reports zeros.
func TestMetricsJobQueues(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	jobs, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{}) // insert-only
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range []river.InsertOpts{
		{Queue: "sms", ScheduledAt: time.Now().Add(-time.Minute)}, // scheduled, its time come
		{Queue: "sms"},
		{Queue: "sms", ScheduledAt: time.Now().Add(time.Hour)}, // not due yet
		{Queue: "elsewhere"},
	} {
		if _, err := jobs.Insert(ctx, metricsTestArgs{}, &opts); err != nil {
			t.Fatal(err)
		}
	}

	got, err := postgres.JobQueues(ctx, db.Pool, []string{"sms", "default"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "sms" || got[1].Name != "default" {
		t.Fatalf("JobQueues = %+v, want sms then default", got)
	}
	if got[0].Depth != 2 || got[0].OldestSeconds < 55 || got[0].OldestSeconds > 600 {
		t.Errorf("sms queue = %+v, want 2 due, the oldest waiting about a minute", got[0])
	}
	if got[1] != (postgres.JobQueue{Name: "default"}) {
		t.Errorf("empty default queue = %+v, want zeros", got[1])
	}
}
