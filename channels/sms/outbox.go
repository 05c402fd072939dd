package sms

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/ohcontact/ohcontact"
)

// River job priorities (1 is worked first).
const (
	priorityUrgent    = 1
	priorityProactive = 2
)

// Outbox queues outbound texts for delivery in the caller's transaction, so a
// text is sent if and only if the step that wrote it commits.
type Outbox struct {
	Jobs *river.Client[pgx.Tx]
	// Prepaid is set on the outbox of a sender that takes each text's send
	// slot itself (Throttle.Wait on Queue) before queueing it: its texts
	// but crisis ones go on PrepaidQueue, whose deliveries take none.
	Prepaid bool
}

// Queue inserts the delivery jobs for the stored messages ms in tx, in one
// round trip. Crisis texts go on CrisisQueue, the crisis lane: its own
// workers and its own sending rate, so they never wait behind ordinary
// texts however long that queue is. On Queue, urgent texts (replies to
// someone who has just written) are worked before proactive ones. A
// Prepaid outbox puts the others on PrepaidQueue.
func (o *Outbox) Queue(ctx context.Context, tx pgx.Tx, ms ...ohcontact.Message) error {
	if len(ms) == 0 {
		return nil
	}
	jobs := make([]river.InsertManyParams, len(ms))
	for i, m := range ms {
		opts := &river.InsertOpts{Priority: priorityProactive}
		switch {
		case m.Crisis:
			opts.Queue, opts.Priority = CrisisQueue, priorityUrgent
		case m.Urgent:
			opts.Priority = priorityUrgent
		}
		if o.Prepaid && !m.Crisis {
			opts.Queue = PrepaidQueue
		}
		jobs[i] = river.InsertManyParams{Args: DeliverArgs{MessageID: m.ID}, InsertOpts: opts}
	}
	if _, err := o.Jobs.InsertManyTx(ctx, tx, jobs); err != nil {
		return fmt.Errorf("queue delivery of %d sms: %w", len(ms), err)
	}
	return nil
}

// QueueOnCall inserts the delivery job for the stored on-call text id in
// tx, on the crisis lane: an unclaimed case or referral is waiting on it.
func (o *Outbox) QueueOnCall(ctx context.Context, tx pgx.Tx, id int64) error {
	if _, err := o.Jobs.InsertTx(ctx, tx, OnCallArgs{TextID: id}, nil); err != nil {
		return fmt.Errorf("queue on-call text %d: %w", id, err)
	}
	return nil
}
