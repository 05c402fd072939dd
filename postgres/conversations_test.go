package postgres_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

func TestConcurrentMessagesShareOneConversation(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, ctx, db)
	if _, err := db.Pool.Exec(ctx, `UPDATE conversations SET status = 'closed', closed_at = now(), closed_reason = 'completed'`); err != nil {
		t.Fatal(err)
	}
	staff, err := postgres.StaffByMobile(ctx, db.Pool, "+447700900001")
	if err != nil || staff.ID != f.staff {
		t.Fatalf("StaffByMobile = %+v, %v", staff, err)
	}

	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			errs <- db.InTx(ctx, func(tx pgx.Tx) error {
				c, _, err := postgres.LockOrOpenConversation(ctx, tx, ohcontact.Conversation{
					OrganisationID: staff.OrganisationID, StaffID: staff.ID, Channel: ohcontact.ChannelSMS,
					Address: staff.Mobile, Flow: "support", State: "start", Language: "en-GB"})
				if err != nil {
					return err
				}
				m := ohcontact.Message{Direction: ohcontact.DirectionInbound, Author: ohcontact.AuthorStaff, Body: "hi",
					ExternalID: "SM" + string(rune('a'+i))}
				if err := postgres.AppendMessage(ctx, tx, &c, &m); err != nil {
					return err
				}
				return postgres.SaveConversation(ctx, tx, &c, "")
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent message: %v", err)
		}
	}
	var conversations, messages, maxSeq int
	db.Pool.QueryRow(ctx, `SELECT count(*) FROM conversations WHERE status = 'open'`).Scan(&conversations)
	db.Pool.QueryRow(ctx, `SELECT count(*), max(seq) FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE c.status = 'open'`).Scan(&messages, &maxSeq)
	if conversations != 1 || messages != n || maxSeq != n {
		t.Fatalf("%d open conversations with %d messages up to seq %d; want 1 with %d, seq 1..%d", conversations, messages, maxSeq, n, n)
	}
}

func TestAppendMessageDuplicateAndSaveConflict(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, ctx, db)

	appendInbound := func() error {
		return db.InTx(ctx, func(tx pgx.Tx) error {
			c, err := postgres.LockOpenConversation(ctx, tx, f.staff, ohcontact.ChannelSMS, "")
			if err != nil {
				return err
			}
			m := ohcontact.Message{Direction: ohcontact.DirectionInbound, Author: ohcontact.AuthorStaff, Body: "yes", ExternalID: "SMdup"}
			if err := postgres.AppendMessage(ctx, tx, &c, &m); err != nil {
				return err
			}
			return postgres.SaveConversation(ctx, tx, &c, "")
		})
	}
	if err := appendInbound(); err != nil {
		t.Fatalf("first delivery: %v", err)
	}
	if err := appendInbound(); !errors.Is(err, postgres.ErrDuplicate) {
		t.Fatalf("second delivery = %v, want ErrDuplicate", err)
	}

	err := db.InTx(ctx, func(tx pgx.Tx) error {
		c, err := postgres.LockOpenConversation(ctx, tx, f.staff, ohcontact.ChannelSMS, "")
		if err != nil {
			return err
		}
		c.Version-- // as if loaded before someone else saved
		return postgres.SaveConversation(ctx, tx, &c, "")
	})
	if !errors.Is(err, postgres.ErrConflict) {
		t.Fatalf("stale save = %v, want ErrConflict", err)
	}
}
