package channels

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// Outbox is what a channel does with outbound messages: it queues the
// delivery of the stored messages ms in tx, so that each is delivered if
// and only if tx commits (sms.Outbox, webchat.Outbox).
type Outbox interface {
	Queue(ctx context.Context, tx pgx.Tx, ms ...ohcontact.Message) error
}

// Outboxes are the outboxes of the channels the service sends on, by
// channel. A channel with no outbox cannot be sent on.
type Outboxes map[ohcontact.Channel]Outbox

// Send stores ms, in order, as outbound messages of conv (setting each
// one's direction, and filling in its id, sequence number, channel and
// time) and queues their delivery on conv's channel's outbox, all in tx:
// the one way a message is sent to a person outside the dialog runner's
// batches, which store theirs with their conversations' state and then
// call Queue. It returns an error, before storing anything, when conv's
// channel has no outbox. The caller saves conv's message count.
func (o Outboxes) Send(ctx context.Context, tx pgx.Tx, conv *ohcontact.Conversation, ms []ohcontact.Message) error {
	outbox, ok := o[conv.Channel]
	if !ok {
		return noOutbox(conv.Channel)
	}
	for i := range ms {
		ms[i].Direction = ohcontact.DirectionOutbound
		if err := postgres.AppendMessage(ctx, tx, conv, &ms[i]); err != nil {
			return err
		}
	}
	return outbox.Queue(ctx, tx, ms...)
}

// Queue queues the delivery of the stored outbound messages ms in tx, on
// each one's channel's outbox (one call per channel, in the order of ms).
// It returns an error when a message's channel has no outbox.
func (o Outboxes) Queue(ctx context.Context, tx pgx.Tx, ms []ohcontact.Message) error {
	var order []ohcontact.Channel
	byChannel := make(map[ohcontact.Channel][]ohcontact.Message)
	for _, m := range ms {
		if _, seen := byChannel[m.Channel]; !seen {
			order = append(order, m.Channel)
		}
		byChannel[m.Channel] = append(byChannel[m.Channel], m)
	}
	for _, channel := range order {
		outbox, ok := o[channel]
		if !ok {
			return noOutbox(channel)
		}
		if err := outbox.Queue(ctx, tx, byChannel[channel]...); err != nil {
			return err
		}
	}
	return nil
}

func noOutbox(c ohcontact.Channel) error { return fmt.Errorf("no outbox for channel %q", c) }
