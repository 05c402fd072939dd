package postgres_test

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// lockOpen locks key's open conversation in tx, failing the test when there
// is none.
func lockOpen(t *testing.T, tx pgx.Tx, key postgres.ConversationKey) ohcontact.Conversation {
	t.Helper()
	convs, _, err := postgres.LockForInbound(t.Context(), tx, []postgres.ConversationKey{key}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, ok := convs[key]
	if !ok {
		t.Fatalf("no open conversation for %+v", key)
	}
	return c
}

// TestConcurrentOpenersShareOneConversation runs the runner's protocol for a
// first message in eight transactions at once (as eight instances would):
// lock, open when there is none, lock again when another opened it first.
func TestConcurrentOpenersShareOneConversation(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, db)
	if _, err := db.Pool.Exec(ctx, `UPDATE conversations SET status = 'closed', closed_at = now(), closed_reason = 'completed'`); err != nil {
		t.Fatal(err)
	}
	key := postgres.ConversationKey{StaffID: f.staff, Channel: ohcontact.ChannelSMS}
	lockOrOpen := func(tx pgx.Tx) (ohcontact.Conversation, error) {
		convs, _, err := postgres.LockForInbound(ctx, tx, []postgres.ConversationKey{key}, nil)
		if c, ok := convs[key]; ok || err != nil {
			return c, err
		}
		opened, err := postgres.OpenConversations(ctx, tx, []ohcontact.Conversation{{OrganisationID: f.org, StaffID: f.staff,
			Channel: ohcontact.ChannelSMS, Address: "+447700900001", Flow: "support", State: "start", Language: "en-GB"}})
		if c, ok := opened[key]; ok || err != nil {
			return c, err
		}
		// Another transaction opened it first: this waits for its commit.
		convs, _, err = postgres.LockForInbound(ctx, tx, []postgres.ConversationKey{key}, nil)
		if c, ok := convs[key]; ok || err != nil {
			return c, err
		}
		return ohcontact.Conversation{}, errors.New("the conversation another transaction opened is not there")
	}

	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			errs <- db.InTx(ctx, func(tx pgx.Tx) error {
				c, err := lockOrOpen(tx)
				if err != nil {
					return err
				}
				m := &ohcontact.Message{Direction: ohcontact.DirectionInbound, Author: ohcontact.AuthorStaff, Body: "hi",
					ExternalID: "SM" + string(rune('a'+i))}
				return postgres.SaveSteps(ctx, tx, []postgres.Step{{Conversation: &c, Messages: []*ohcontact.Message{m}}})
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

// TestSaveSteps saves two conversations' steps at once, then refuses a
// retried delivery and a stale version.
func TestSaveSteps(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, db)
	var contact, unknown int64
	err := db.Pool.QueryRow(ctx, `
		WITH c AS (INSERT INTO contacts (episode_id, trigger, flow, channel, due_at, state)
			VALUES ($1, 'stress', 'stress-checkin', 'sms', now(), 'sent') RETURNING id)
		UPDATE conversations SET contact_id = (SELECT id FROM c) WHERE id = $2 RETURNING contact_id`, f.episode, f.conversation).Scan(&contact)
	if err != nil {
		t.Fatal(err)
	}
	unknown = pgtest.Conversation(t, db.Pool, pgtest.ConversationRow{Organisation: f.org, Channel: "sms", Address: "+447700900777",
		Flow: "support", State: "start"})
	ann := postgres.ConversationKey{StaffID: f.staff, Channel: ohcontact.ChannelSMS}
	stranger := postgres.ConversationKey{Channel: ohcontact.ChannelSMS, Address: "+447700900777"}
	inbound := func(sid string) *ohcontact.Message {
		return &ohcontact.Message{Direction: ohcontact.DirectionInbound, Author: ohcontact.AuthorStaff, Body: "yes", ExternalID: sid}
	}
	reply := &ohcontact.Message{Direction: ohcontact.DirectionOutbound, Author: ohcontact.AuthorBot, Body: "thanks", Urgent: true}

	err = db.InTx(ctx, func(tx pgx.Tx) error {
		a, b := lockOpen(t, tx, ann), lockOpen(t, tx, stranger)
		if a.ID != f.conversation || a.ContactID != contact || b.ID != unknown || b.StaffID != 0 {
			t.Fatalf("locked %+v and %+v", a, b)
		}
		a.State = "asked"
		return postgres.SaveSteps(ctx, tx, []postgres.Step{
			{Conversation: &a, Messages: []*ohcontact.Message{inbound("SMann"), reply}},
			{Conversation: &b, ClosedReason: "completed", Messages: []*ohcontact.Message{inbound("SMstranger")}},
		})
	})
	if err != nil {
		t.Fatalf("save two steps: %v", err)
	}
	if reply.ID == 0 || reply.ConversationID != f.conversation || reply.Seq != 2 || reply.CreatedAt.IsZero() {
		t.Errorf("reply after saving = %+v, want its id, conversation, seq 2 and time", reply)
	}
	var state, contactState, strangerStatus string
	var version, lastSeq int
	db.Pool.QueryRow(ctx, `SELECT fsm_state, version, last_message_seq FROM conversations WHERE id = $1`, f.conversation).Scan(&state, &version, &lastSeq)
	db.Pool.QueryRow(ctx, `SELECT state FROM contacts WHERE id = $1`, contact).Scan(&contactState)
	db.Pool.QueryRow(ctx, `SELECT status FROM conversations WHERE id = $1`, unknown).Scan(&strangerStatus)
	if state != "asked" || version != 2 || lastSeq != 2 || contactState != "responded" || strangerStatus != "closed" {
		t.Errorf("after saving: state %q, version %d, last seq %d, contact %q, stranger's conversation %q; want asked, 2, 2, responded, closed",
			state, version, lastSeq, contactState, strangerStatus)
	}

	err = db.InTx(ctx, func(tx pgx.Tx) error {
		_, stored, err := postgres.LockForInbound(ctx, tx, nil, []postgres.MessageKey{
			{Channel: ohcontact.ChannelSMS, ExternalID: "SMann"}, {Channel: ohcontact.ChannelSMS, ExternalID: "SMnew"}})
		if err != nil {
			return err
		}
		if !stored[postgres.MessageKey{Channel: ohcontact.ChannelSMS, ExternalID: "SMann"}] || len(stored) != 1 {
			t.Errorf("stored = %v, want only SMann", stored)
		}
		a := lockOpen(t, tx, ann)
		return postgres.SaveSteps(ctx, tx, []postgres.Step{{Conversation: &a, Messages: []*ohcontact.Message{inbound("SMann")}}})
	})
	if !errors.Is(err, postgres.ErrDuplicate) {
		t.Fatalf("retried delivery = %v, want ErrDuplicate", err)
	}
	err = db.InTx(ctx, func(tx pgx.Tx) error {
		a := lockOpen(t, tx, ann)
		a.Version-- // as if loaded before someone else saved
		return postgres.SaveSteps(ctx, tx, []postgres.Step{{Conversation: &a}})
	})
	if !errors.Is(err, ohcontact.ErrConflict) {
		t.Fatalf("stale save = %v, want ohcontact.ErrConflict", err)
	}
}

// TestSaveStepsAnswersAndSignposts: answers replace earlier ones to the
// same question, the last in a step winning; signposts add up.
func TestSaveStepsAnswersAndSignposts(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, db)
	key := postgres.ConversationKey{StaffID: f.staff, Channel: ohcontact.ChannelSMS}
	save := func(s postgres.Step) {
		t.Helper()
		err := db.InTx(ctx, func(tx pgx.Tx) error {
			c := lockOpen(t, tx, key)
			s.Conversation = &c
			return postgres.SaveSteps(ctx, tx, []postgres.Step{s})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	save(postgres.Step{Answers: []postgres.Answer{{"phq2.1", "1"}, {"choice", "2"}, {"phq2.1", "3"}},
		Signposts: []postgres.Signpost{{"eap", "wellbeing"}}})
	save(postgres.Step{Answers: []postgres.Answer{{"choice", "4"}}, Signposts: []postgres.Signpost{{"samaritans", "crisis"}}})
	var answers, signposts string
	db.Pool.QueryRow(ctx, `SELECT string_agg(question || '=' || value, ' ' ORDER BY question) FROM answers WHERE conversation_id = $1`,
		f.conversation).Scan(&answers)
	db.Pool.QueryRow(ctx, `SELECT string_agg(service || '/' || category || '/' || organisation_id, ' ' ORDER BY id) FROM signposts
		WHERE conversation_id = $1`, f.conversation).Scan(&signposts)
	if want := "choice=4 phq2.1=3"; answers != want {
		t.Errorf("answers %q, want %q", answers, want)
	}
	if want := fmt.Sprintf("eap/wellbeing/%d samaritans/crisis/%d", f.org, f.org); signposts != want {
		t.Errorf("signposts %q, want %q", signposts, want)
	}
}

// TestSaveConversationConflict: the scheduled contacts' save refuses a
// stale version too.
func TestSaveConversationConflict(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, db)
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		c := lockOpen(t, tx, postgres.ConversationKey{StaffID: f.staff, Channel: ohcontact.ChannelSMS})
		c.Version--
		return postgres.SaveConversation(ctx, tx, &c, "")
	})
	if !errors.Is(err, ohcontact.ErrConflict) {
		t.Fatalf("stale save = %v, want ohcontact.ErrConflict", err)
	}
}

// TestStaffForInbound: a number on several records answers as the record
// whose conversation the text continues (open, else the latest), else as
// its first holder, never as the record updated last; an unknown number or
// id is absent.
func TestStaffForInbound(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, db)
	insert := func(org int64, number, mobile, since string) int64 {
		t.Helper()
		var id int64
		err := db.Pool.QueryRow(ctx, `INSERT INTO staff (organisation_id, assignment_number, first_name, last_name, mobile, mobile_since, updated_at)
			VALUES ($1, $2, 'Ann', 'Other', $3, now() + $4::interval, now() + interval '1 hour') RETURNING id`, org, number, mobile, since).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	other := pgtest.Organisation(t, db.Pool, "RX2", "Other Trust")
	// The fixture's member of staff has an open conversation with the
	// number; the newcomer was updated later and (here) even claims to
	// have had the number first.
	newcomer := insert(other, "12345678-2", "+447700900001", "-1 day")
	// Two records, no conversations: the first holder answers, though the
	// other was updated later.
	first := insert(f.org, "22222222-1", "+447700900002", "-2 days")
	second := insert(other, "22222222-2", "+447700900002", "-1 day")
	db.Pool.Exec(ctx, `UPDATE staff SET updated_at = now() + interval '2 hours' WHERE id = $1`, second)

	lookup := func() (map[int64]ohcontact.Staff, map[string]postgres.MobileMatch) {
		t.Helper()
		var byID map[int64]ohcontact.Staff
		var byMobile map[string]postgres.MobileMatch
		err := db.InTx(ctx, func(tx pgx.Tx) error {
			var err error
			byID, byMobile, err = postgres.StaffForInbound(ctx, tx, []int64{f.staff, 999999},
				[]string{"+447700900001", "+447700900002", "+447700900777"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return byID, byMobile
	}
	byID, byMobile := lookup()
	if len(byID) != 1 || byID[f.staff].ID != f.staff || byID[f.staff].OrganisationCode != "RX1" {
		t.Errorf("by id = %+v, want only staff %d of RX1", byID, f.staff)
	}
	if len(byMobile) != 2 {
		t.Errorf("by mobile = %+v, want the two known numbers only", byMobile)
	}
	if m := byMobile["+447700900001"]; m.Staff.ID != f.staff || m.By != postgres.MatchOpenConversation || !slices.Equal(m.Others, []int64{newcomer}) {
		t.Errorf("number with an open conversation = %+v, want staff %d by its open conversation", m, f.staff)
	}
	if m := byMobile["+447700900002"]; m.Staff.ID != first || m.By != postgres.MatchFirstHolder || !slices.Equal(m.Others, []int64{second}) {
		t.Errorf("number with no conversation = %+v, want the first holder %d", m, first)
	}

	// Closed, the conversation still names the record it was with.
	if _, err := db.Pool.Exec(ctx, `UPDATE conversations SET status = 'closed', closed_reason = 'completed', closed_at = now()
		WHERE id = $1`, f.conversation); err != nil {
		t.Fatal(err)
	}
	// The second holder's organisation texts the number: its record
	// answers from then on.
	pgtest.Conversation(t, db.Pool, pgtest.ConversationRow{Organisation: other, Staff: second, Channel: "sms",
		Address: "+447700900002", Flow: "support", State: "start"})
	_, byMobile = lookup()
	if m := byMobile["+447700900001"]; m.Staff.ID != f.staff || m.By != postgres.MatchLastConversation {
		t.Errorf("number with a closed conversation = %+v, want staff %d by its last conversation", m, f.staff)
	}
	if m := byMobile["+447700900002"]; m.Staff.ID != second || m.By != postgres.MatchOpenConversation {
		t.Errorf("number the second holder's organisation texted = %+v, want staff %d", m, second)
	}
}

func TestTranscript(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, db)
	sam := createUser(t, db, "sam@example.nhs.uk", "Sam Jones", "clinician", f.org)
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		conv := lockOpen(t, tx, postgres.ConversationKey{StaffID: f.staff, Channel: ohcontact.ChannelSMS})
		for _, m := range []ohcontact.Message{
			{Direction: ohcontact.DirectionInbound, Author: ohcontact.AuthorStaff, Body: "help", ExternalID: "SM1"},
			{Direction: ohcontact.DirectionOutbound, Author: ohcontact.AuthorBot, Body: "crisis contacts"},
			{Direction: ohcontact.DirectionOutbound, Author: ohcontact.AuthorClinician, AuthorUserID: sam, Body: "hello"},
		} {
			if err := postgres.AppendMessage(ctx, tx, &conv, &m); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `UPDATE messages SET delivery_status = 'failed', error_reason = 'not a mobile' WHERE body = 'crisis contacts'`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := postgres.Transcript(ctx, db.Pool, f.conversation)
	if err != nil || len(msgs) != 3 {
		t.Fatalf("Transcript = %+v, %v", msgs, err)
	}
	if m := msgs[0]; m.Seq != 1 || m.Author != ohcontact.AuthorStaff || m.DeliveryStatus != "received" {
		t.Errorf("message 1 = %+v", m)
	}
	if m := msgs[1]; m.DeliveryStatus != "failed" || m.ErrorReason != "not a mobile" {
		t.Errorf("message 2 = %+v", m)
	}
	if m := msgs[2]; m.Author != ohcontact.AuthorClinician || m.AuthorName != "Sam Jones" || m.Body != "hello" {
		t.Errorf("message 3 = %+v", m)
	}
}
