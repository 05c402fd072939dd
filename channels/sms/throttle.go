package sms

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/ohcontact/ohcontact/postgres"
)

// maxThrottleWait is the longest a delivery holds a worker waiting for its
// slot; a job further back in line is snoozed and tries again later.
const maxThrottleWait = 5 * time.Second

// Throttle keeps the texts of every instance together to one sending rate
// (Twilio queues, then refuses, texts sent faster than the account or
// number allows). The slots live in the database, so the rate holds
// however many instances run. Each River queue has its own line of slots
// (send_slots.name is the queue's name), so the crisis lane never waits
// behind slots the ordinary lane has reserved: together they may send up
// to twice the rate while both are busy, and Twilio queues the excess
// rather than refusing it.
type Throttle struct {
	DB        *postgres.DB
	PerSecond float64
}

// Wait blocks until the caller may send its text on queue's line of slots.
// It returns a River snooze error when the line is longer than
// maxThrottleWait; the job then runs again when its turn is near, without
// spending an attempt. The delivery job calls it for each text, except on
// PrepaidQueue, whose sender (a campaign's) has called it already, on
// Queue's line, before queueing the text.
func (t *Throttle) Wait(ctx context.Context, queue string) error {
	spacing := time.Duration(float64(time.Second) / t.PerSecond)
	wait, reserved, err := postgres.ReserveSendSlot(ctx, t.DB.Pool, queue, spacing, maxThrottleWait)
	if err != nil {
		return err
	}
	if !reserved {
		return river.JobSnooze(max(wait, spacing))
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
