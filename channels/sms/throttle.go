package sms

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/ohcontact/ohcontact/postgres"
)

// throttleSlot names the shared sending rate in the send_slots table.
const throttleSlot = "sms"

// maxThrottleWait is the longest a delivery holds a worker waiting for its
// slot; a job further back in line is snoozed and tries again later.
const maxThrottleWait = 5 * time.Second

// Throttle keeps the texts of every instance together to one sending rate
// (Twilio queues, then refuses, texts sent faster than the account or
// number allows). The slots live in the database, so the rate holds
// however many instances run.
type Throttle struct {
	DB        *postgres.DB
	PerSecond float64
}

// wait blocks until the caller may send its text. It returns a River snooze
// error when the line is longer than maxThrottleWait; the job then runs
// again when its turn is near, without spending an attempt.
func (t *Throttle) wait(ctx context.Context) error {
	spacing := time.Duration(float64(time.Second) / t.PerSecond)
	wait, reserved, err := t.DB.ReserveSendSlot(ctx, throttleSlot, spacing, maxThrottleWait)
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
