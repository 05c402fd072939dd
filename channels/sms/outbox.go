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

// Queue inserts the delivery job for the stored message m in tx. Urgent
// texts (crisis contacts, replies to someone who has just written) are
// worked before proactive ones when the queue is long.
func (o *Outbox) Queue(ctx context.Context, tx pgx.Tx, m ohcontact.Message) error {
	opts := &river.InsertOpts{Priority: priorityProactive}
	if m.Urgent {
		opts.Priority = priorityUrgent
	}
	if _, err := o.Jobs.InsertTx(ctx, tx, DeliverArgs{MessageID: m.ID}, opts); err != nil {
		return fmt.Errorf("queue sms delivery for message %d: %w", m.ID, err)
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
