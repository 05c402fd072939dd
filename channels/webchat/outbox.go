package webchat

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// Outbox delivers stored outbound web chat messages: it wakes, when tx
// commits, the browser connections following the conversation, on every
// instance. A person with no connection open sees the message when they
// next open the widget.
type Outbox struct{}

// Queue schedules the wake-ups for the stored messages ms in tx, one per
// conversation.
func (Outbox) Queue(ctx context.Context, tx pgx.Tx, ms ...ohcontact.Message) error {
	if len(ms) == 0 {
		return nil
	}
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.ConversationID
	}
	if err := postgres.NotifyAddresses(ctx, tx, notifyChannel, ids); err != nil {
		return fmt.Errorf("wake web chats: %w", err)
	}
	return nil
}

// StaffAddress is the conversation address of a signed-in member of
// staff's web chat. Every web chat with them uses it, whoever opens it (the
// person, or a scheduled contact), so their widget finds it.
func StaffAddress(staffID int64) string { return fmt.Sprintf("staff-%d", staffID) }
