package main

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/ohcontact/ohcontact/campaigns"
	"github.com/ohcontact/ohcontact/channels/sms"
	"github.com/ohcontact/ohcontact/postgres"
)

// jobStopGrace is how long a stopping instance lets running jobs finish
// before cancelling them; a cancelled job is retried by another instance.
const jobStopGrace = 20 * time.Second

// Jobs are short (a text, a reminder, a check), so a job still "running"
// well past jobTimeout belongs to an instance that died mid-job (killed, or
// its machine lost): River's rescuer puts it back in line after
// rescueStuckJobsAfter and checks every 30 s, so a reply interrupted by a
// crash goes out within about a minute, not River's default hour.
const (
	jobTimeout           = 25 * time.Second
	rescueStuckJobsAfter = 30 * time.Second
)

// smsWorkers is how many texts an instance sends at once: enough to keep
// to sendRate a second when each takes up to 300 ms at the provider, and
// at least 10.
// crisisWorkers work the crisis lane (sms.CrisisQueue) on each instance:
// enough that a burst of crisis texts never waits for a worker.
const crisisWorkers = 10

// campaignSenders is how many campaigns an instance sends at once (each
// sender holds a worker while it sends; see campaigns.Queue), and
// prepaidWorkers deliver their invitations (sms.PrepaidQueue), which come
// one send slot at a time.
const (
	campaignSenders = 4
	prepaidWorkers  = 4
)

func smsWorkers(sendRate float64) int {
	return min(max(10, int(math.Ceil(sendRate*0.3))), 300)
}

// newJobs returns the River client that runs this instance's share of the
// background jobs, with every worker registered.
func newJobs(db *postgres.DB, log *slog.Logger, workers *river.Workers, sendRate float64) (*river.Client[pgx.Tx], error) {
	client, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{
		Queues: map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: 10},
			sms.Queue:          {MaxWorkers: smsWorkers(sendRate)},
			sms.CrisisQueue:    {MaxWorkers: crisisWorkers},
			sms.PrepaidQueue:   {MaxWorkers: prepaidWorkers},
			campaigns.Queue:    {MaxWorkers: campaignSenders},
		},
		Workers:              workers,
		Logger:               log.With("component", "jobs"),
		JobTimeout:           jobTimeout,
		RescueStuckJobsAfter: rescueStuckJobsAfter,
	})
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	return client, nil
}

// stopJobs lets running jobs finish, cancelling them after jobStopGrace.
func stopJobs(client *river.Client[pgx.Tx], log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(context.Background(), jobStopGrace)
	defer cancel()
	if err := client.Stop(ctx); err != nil {
		log.Warn("jobs did not finish in time; cancelling them", "grace", jobStopGrace.String())
		cancelCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return client.StopAndCancel(cancelCtx)
	}
	return nil
}
