package postgres_test

import (
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

func TestRecordCampaignOutcome(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	org := pgtest.Organisation(t, db.Pool, "RX1", "Trust one")
	staff := pgtest.Staff(t, db.Pool, pgtest.StaffRow{Organisation: org, Number: "100001", First: "Ann", Last: "Lee"})
	var member int64
	err := db.Pool.QueryRow(ctx, `
		WITH c AS (INSERT INTO campaigns (organisation_id, name, flow, vaccine, audience, audience_value, starts_at, window_from, window_until)
			VALUES ($1, 'Flu 2026', 'vaccination', 'flu', 'department', 'Ward 3', now(), '09:00', '17:00') RETURNING id)
		INSERT INTO campaign_members (campaign_id, staff_id, state, sent_at) SELECT id, $2, 'sent', now() FROM c RETURNING id`,
		org, staff).Scan(&member)
	if err != nil {
		t.Fatal(err)
	}
	record := func(outcome string, detail map[string]string, at time.Time) error {
		return db.InTx(ctx, func(tx pgx.Tx) error {
			return postgres.RecordCampaignOutcome(ctx, tx, member, outcome, detail, at)
		})
	}
	type row struct {
		state, outcome, detail string
		replied, outcomeAt     time.Time
	}
	read := func() row {
		t.Helper()
		var r row
		if err := db.Pool.QueryRow(ctx, `SELECT state, outcome, outcome_detail::text, replied_at, outcome_at
			FROM campaign_members WHERE id = $1`, member).Scan(&r.state, &r.outcome, &r.detail, &r.replied, &r.outcomeAt); err != nil {
			t.Fatal(err)
		}
		return r
	}
	first := time.Date(2026, 10, 5, 10, 0, 0, 0, time.UTC)
	if err := record(postgres.OutcomeDeclined, nil, first); err != nil {
		t.Fatal(err)
	}
	// A reason given after "no" joins the decline.
	if err := record(postgres.OutcomeDeclined, map[string]string{"reason": "needle phobia"}, first.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if r := read(); r.state != "replied" || r.outcome != "declined" || r.detail != `{"reason": "needle phobia"}` || !r.replied.Equal(first) {
		t.Errorf("after decline and reason: %+v", r)
	}
	// A later outcome replaces the earlier one with its own particulars;
	// the member replied when they first answered.
	later := first.Add(48 * time.Hour)
	if err := record(postgres.OutcomeHadElsewhere, map[string]string{"date": "2026-10-06", "where": "GP"}, later); err != nil {
		t.Fatal(err)
	}
	if r := read(); r.outcome != "had_elsewhere" || r.detail != `{"date": "2026-10-06", "where": "GP"}` || !r.replied.Equal(first) || !r.outcomeAt.Equal(later) {
		t.Errorf("after had elsewhere: %+v", r)
	}
	if err := record("maybe", nil, later); err == nil {
		t.Error("an outcome that is not one of the four was recorded")
	}
	if err := db.InTx(ctx, func(tx pgx.Tx) error {
		return postgres.RecordCampaignOutcome(ctx, tx, member+1000, postgres.OutcomeBooked, nil, later)
	}); !errors.Is(err, ohcontact.ErrNotFound) {
		t.Errorf("unknown member: got %v, want ErrNotFound", err)
	}
}

// TestCampaignProgressDelivered: a member counts as delivered once a text
// of their campaign conversation is marked delivered, whichever way
// (MarkWebChatDelivered here; a Twilio status callback updates the same
// column), and never before: the count kept on the member row agrees with
// the messages.
func TestCampaignProgressDelivered(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	org := pgtest.Organisation(t, db.Pool, "RX1", "Trust one")
	staff := pgtest.Staff(t, db.Pool, pgtest.StaffRow{Organisation: org, Number: "100001", First: "Ann", Last: "Lee"})
	var campaign, conv int64
	err := db.Pool.QueryRow(ctx, `
		WITH c AS (INSERT INTO campaigns (organisation_id, name, flow, vaccine, audience, audience_value, starts_at, window_from, window_until)
			VALUES ($1, 'Flu 2026', 'vaccination', 'flu', 'department', 'Ward 3', now(), '09:00', '17:00') RETURNING id),
		m AS (INSERT INTO campaign_members (campaign_id, staff_id, state, sent_at) SELECT id, $2, 'sent', now() FROM c RETURNING id, campaign_id),
		v AS (INSERT INTO conversations (organisation_id, staff_id, campaign_member_id, channel, address, flow, fsm_state, data, owner, last_message_seq)
			SELECT $1, $2, m.id, 'webchat', 'staff-1', 'vaccination', 'invited', '{}', 'bot', 2 FROM m RETURNING id),
		g AS (INSERT INTO messages (conversation_id, seq, direction, channel, author, body, delivery_status)
			SELECT v.id, q, 'outbound', 'webchat', 'bot', 'Hello', 'queued' FROM v CROSS JOIN generate_series(1, 2) q)
		SELECT m.campaign_id, v.id FROM m, v`, org, staff).Scan(&campaign, &conv)
	if err != nil {
		t.Fatal(err)
	}
	delivered := func() int {
		t.Helper()
		p, err := postgres.CampaignProgressOf(ctx, db.Pool, campaign)
		if err != nil {
			t.Fatal(err)
		}
		var fromMessages int
		if err := db.Pool.QueryRow(ctx, `SELECT count(DISTINCT c.campaign_member_id) FROM conversations c JOIN messages g ON g.conversation_id = c.id
			WHERE c.campaign_member_id IS NOT NULL AND g.delivery_status = 'delivered'`).Scan(&fromMessages); err != nil {
			t.Fatal(err)
		}
		if p.Delivered != fromMessages {
			t.Errorf("progress counts %d delivered, the messages %d", p.Delivered, fromMessages)
		}
		return p.Delivered
	}
	if n := delivered(); n != 0 {
		t.Errorf("%d delivered before any text reached the person; want 0", n)
	}
	for _, seq := range []int{1, 2} { // the second delivery changes nothing
		if err := postgres.MarkWebChatDelivered(ctx, db.Pool, conv, seq); err != nil {
			t.Fatal(err)
		}
		if n := delivered(); n != 1 {
			t.Errorf("after text %d: %d delivered; want 1", seq, n)
		}
	}
}
