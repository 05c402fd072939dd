package channels_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// recorder is an outbox that records each Queue call's messages, or fails.
type recorder struct {
	calls [][]ohcontact.Message
	err   error
}

func (o *recorder) Queue(_ context.Context, _ pgx.Tx, ms ...ohcontact.Message) error {
	o.calls = append(o.calls, ms)
	return o.err
}

// openChat opens an anonymous web chat conversation in db.
func openChat(t *testing.T, db *postgres.DB) ohcontact.Conversation {
	t.Helper()
	var org int64
	if err := db.Pool.QueryRow(t.Context(), `INSERT INTO organisations (code, name) VALUES ('RX1', 'Test Trust') RETURNING id`).Scan(&org); err != nil {
		t.Fatal(err)
	}
	c := ohcontact.Conversation{OrganisationID: org, Channel: ohcontact.ChannelWebChat, Address: "w_test",
		Flow: "support", State: "start", Language: "en-GB"}
	var opened ohcontact.Conversation
	err := db.InTx(t.Context(), func(tx pgx.Tx) error {
		convs, err := postgres.OpenConversations(t.Context(), tx, []ohcontact.Conversation{c})
		opened = convs[postgres.KeyOf(c)]
		return err
	})
	if err != nil || opened.ID == 0 {
		t.Fatalf("open conversation: %v", err)
	}
	return opened
}

// stored returns the bodies of conversation id's stored outbound messages,
// in order.
func stored(t *testing.T, db *postgres.DB, id int64) []string {
	t.Helper()
	rows, _ := db.Pool.Query(t.Context(), `SELECT body FROM messages WHERE conversation_id = $1 AND direction = 'outbound'
		AND delivery_status = 'queued' ORDER BY seq`, id)
	bodies, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return bodies
}

func TestOutboxesSend(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	conv := openChat(t, db)
	chat := &recorder{}
	outboxes := channels.Outboxes{ohcontact.ChannelWebChat: chat}

	ms := []ohcontact.Message{{Author: ohcontact.AuthorBot, Body: "first"}, {Author: ohcontact.AuthorBot, Body: "second"}}
	err := db.InTx(t.Context(), func(tx pgx.Tx) error {
		if err := outboxes.Send(t.Context(), tx, &conv, ms); err != nil {
			return err
		}
		return postgres.SaveMessageSeq(t.Context(), tx, &conv)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := stored(t, db, conv.ID); !slices.Equal(got, []string{"first", "second"}) {
		t.Errorf("stored %q, want first then second, queued", got)
	}
	if len(chat.calls) != 1 || len(chat.calls[0]) != 2 {
		t.Fatalf("queued %v, want both messages in one call", chat.calls)
	}
	for i, m := range chat.calls[0] {
		if m.ID == 0 || m.ID != ms[i].ID || m.Seq != i+1 || m.ConversationID != conv.ID || m.Channel != ohcontact.ChannelWebChat ||
			m.Direction != ohcontact.DirectionOutbound {
			t.Errorf("queued message %d %+v: want the stored message, outbound, sequence %d", i, m, i+1)
		}
	}

	t.Run("no outbox for the channel", func(t *testing.T) {
		err := db.InTx(t.Context(), func(tx pgx.Tx) error {
			return channels.Outboxes{}.Send(t.Context(), tx, &conv, []ohcontact.Message{{Author: ohcontact.AuthorBot, Body: "third"}})
		})
		if err == nil {
			t.Fatal("sent on a channel with no outbox")
		}
		if got := stored(t, db, conv.ID); len(got) != 2 {
			t.Errorf("stored %q after a refused send, want the two messages before it", got)
		}
	})

	t.Run("the outbox fails", func(t *testing.T) {
		failing := channels.Outboxes{ohcontact.ChannelWebChat: &recorder{err: errors.New("queue full")}}
		err := db.InTx(t.Context(), func(tx pgx.Tx) error {
			c := conv
			return failing.Send(t.Context(), tx, &c, []ohcontact.Message{{Author: ohcontact.AuthorBot, Body: "fourth"}})
		})
		if err == nil {
			t.Fatal("the outbox's error was lost")
		}
		if got := stored(t, db, conv.ID); len(got) != 2 {
			t.Errorf("stored %q after the queue failed, want nothing more", got)
		}
	})
}

func TestOutboxesQueue(t *testing.T) {
	t.Parallel()
	sms, chat := &recorder{}, &recorder{}
	outboxes := channels.Outboxes{ohcontact.ChannelSMS: sms, ohcontact.ChannelWebChat: chat}
	ms := []ohcontact.Message{
		{ID: 1, Channel: ohcontact.ChannelSMS}, {ID: 2, Channel: ohcontact.ChannelWebChat}, {ID: 3, Channel: ohcontact.ChannelSMS},
	}
	if err := outboxes.Queue(t.Context(), nil, ms); err != nil {
		t.Fatal(err)
	}
	ids := func(calls [][]ohcontact.Message) [][]int64 {
		var out [][]int64
		for _, c := range calls {
			var call []int64
			for _, m := range c {
				call = append(call, m.ID)
			}
			out = append(out, call)
		}
		return out
	}
	if got := ids(sms.calls); len(got) != 1 || !slices.Equal(got[0], []int64{1, 3}) {
		t.Errorf("sms outbox queued %v, want [[1 3]]", got)
	}
	if got := ids(chat.calls); len(got) != 1 || !slices.Equal(got[0], []int64{2}) {
		t.Errorf("web chat outbox queued %v, want [[2]]", got)
	}
	if err := (channels.Outboxes{ohcontact.ChannelSMS: sms}).Queue(t.Context(), nil, ms); err == nil {
		t.Error("queued a web chat message with no web chat outbox")
	}
	if err := outboxes.Queue(t.Context(), nil, nil); err != nil {
		t.Errorf("queueing nothing: %v", err)
	}
}
