package postgres_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

func TestContactStates(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, db)
	due := time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)
	inTx := func(fn func(tx pgx.Tx) error) {
		t.Helper()
		if err := db.InTx(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	state := func(id int64) string {
		t.Helper()
		var s string
		if err := db.Pool.QueryRow(ctx, `SELECT state FROM contacts WHERE id = $1`, id).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}

	// A contact is recorded once: a second insert for the same episode and
	// trigger records nothing.
	var stress, msk int64
	inTx(func(tx pgx.Tx) error {
		got, err := postgres.InsertContacts(ctx, tx, []postgres.NewContact{
			{EpisodeID: f.episode, Trigger: "stress", Flow: "stress-checkin", Channel: ohcontact.ChannelSMS, State: "scheduled", DueAt: due},
			{EpisodeID: f.episode, Trigger: "msk", Flow: "msk-checkin", Channel: ohcontact.ChannelSMS, State: "scheduled", DueAt: due,
				HeldUntil: due.Add(time.Hour)},
		})
		if err != nil || len(got) != 2 {
			t.Fatalf("InsertContacts = %+v, %v; want 2 recorded", got, err)
		}
		for _, c := range got {
			if c.Trigger == "stress" {
				stress = c.ID
			} else {
				msk = c.ID
			}
		}
		again, err := postgres.InsertContacts(ctx, tx, []postgres.NewContact{
			{EpisodeID: f.episode, Trigger: "stress", Flow: "stress-checkin", Channel: ohcontact.ChannelWebChat, State: "skipped", DueAt: due},
		})
		if err != nil || len(again) != 0 {
			t.Fatalf("a repeated contact: %+v, %v; want nothing recorded", again, err)
		}
		return nil
	})
	if stress == 0 || msk == 0 {
		t.Fatal("InsertContacts did not return both contacts")
	}

	// The stress contact is sent; cancelling both then cancels only MSK.
	inTx(func(tx pgx.Tx) error {
		c, err := postgres.LockContact(ctx, tx, stress)
		if err != nil || c.Staff.ID != f.staff || c.Staff.Mobile != "+447700900001" || !c.HeldUntil.IsZero() || !c.EndsOn.IsZero() {
			t.Fatalf("LockContact = %+v, %v", c, err)
		}
		return postgres.MarkContactSent(ctx, tx, stress, ohcontact.ChannelSMS)
	})
	inTx(func(tx pgx.Tx) error {
		n, err := postgres.CancelContacts(ctx, tx, []int64{stress, msk}, []string{"gone", "gone"})
		if err != nil || n != 1 {
			t.Fatalf("CancelContacts = %d, %v; want 1", n, err)
		}
		return nil
	})
	if s, m := state(stress), state(msk); s != "sent" || m != "cancelled" {
		t.Fatalf("states %s and %s, want sent and cancelled", s, m)
	}
}
