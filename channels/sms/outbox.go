package sms

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/ohcontact/ohcontact"
)

// Outbox queues outbound texts for delivery in the caller's transaction, so a
// text is sent if and only if the step that wrote it commits.
type Outbox struct {
	Jobs *river.Client[pgx.Tx]
}

// Queue inserts the delivery job for the stored message m in tx.
func (o *Outbox) Queue(ctx context.Context, tx pgx.Tx, m ohcontact.Message) error {
	if _, err := o.Jobs.InsertTx(ctx, tx, DeliverArgs{MessageID: m.ID}, nil); err != nil {
		return fmt.Errorf("queue sms delivery for message %d: %w", m.ID, err)
	}
	return nil
}
