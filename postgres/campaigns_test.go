package postgres_test

import (
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

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
	}); !errors.Is(err, postgres.ErrNotFound) {
		t.Errorf("unknown member: got %v, want ErrNotFound", err)
	}
}
