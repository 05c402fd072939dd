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
}

// Queue inserts the delivery jobs for the stored messages ms in tx, in one
// round trip. Urgent texts (crisis contacts, replies to someone who has
// just written) are worked before proactive ones when the queue is long.
func (o *Outbox) Queue(ctx context.Context, tx pgx.Tx, ms ...ohcontact.Message) error {
	if len(ms) == 0 {
		return nil
	}
	jobs := make([]river.InsertManyParams, len(ms))
	for i, m := range ms {
		opts := &river.InsertOpts{Priority: priorityProactive}
		if m.Urgent {
			opts.Priority = priorityUrgent
		}
		jobs[i] = river.InsertManyParams{Args: DeliverArgs{MessageID: m.ID}, InsertOpts: opts}
	}
	if _, err := o.Jobs.InsertManyTx(ctx, tx, jobs); err != nil {
		return fmt.Errorf("queue delivery of %d sms: %w", len(ms), err)
	}
	return nil
}

// QueueOnCall inserts the delivery job for the stored on-call text id in tx.
func (o *Outbox) QueueOnCall(ctx context.Context, tx pgx.Tx, id int64) error {
	if _, err := o.Jobs.InsertTx(ctx, tx, OnCallArgs{TextID: id}, nil); err != nil {
		return fmt.Errorf("queue on-call text %d: %w", id, err)
	}
	return nil
}
