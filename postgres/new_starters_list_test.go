package postgres_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// TestNewStartersToList checks the page's order (the worklist first,
// longest there first, then by start date), that cancelled new starters,
// another organisation's and those cleared more than 30 days ago are left
// out, and that a cleared one leaves the worklist.
func TestNewStartersToList(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	a, b := pgtest.Organisation(t, db.Pool, "NA", "NA Trust"), pgtest.Organisation(t, db.Pool, "NB", "NB Trust")
	person := func(org int64, number, first string) int64 {
		return pgtest.Staff(t, db.Pool, pgtest.StaffRow{Organisation: org, Number: number, First: first, Last: "Starter"})
	}
	user := newStarterUser(t, db, "lead")
	now := time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)

	late := pgtest.NewStarter(t, db.Pool, pgtest.NewStarterRow{Staff: person(a, "N1", "Late"), StartsOn: "2026-09-20"})
	worklistNew := pgtest.NewStarter(t, db.Pool, pgtest.NewStarterRow{Staff: person(a, "N2", "Wnew"), StartsOn: "2026-09-03",
		State: "worklist", Worklist: "2026-08-31T10:00:00Z"})
	worklistOld := pgtest.NewStarter(t, db.Pool, pgtest.NewStarterRow{Staff: person(a, "N3", "Wold"), StartsOn: "2026-09-07",
		State: "worklist", Worklist: "2026-08-30T10:00:00Z"})
	soon := pgtest.NewStarter(t, db.Pool, pgtest.NewStarterRow{Staff: person(a, "N4", "Soon"), StartsOn: "2026-09-05", State: "welcomed"})
	pgtest.NewStarter(t, db.Pool, pgtest.NewStarterRow{Staff: person(a, "N5", "Gone"), StartsOn: "2026-09-04", State: "cancelled"})
	clearedLongAgo := pgtest.NewStarter(t, db.Pool, pgtest.NewStarterRow{Staff: person(a, "N6", "Old"), StartsOn: "2026-07-01", State: "replied"})
	other := pgtest.NewStarter(t, db.Pool, pgtest.NewStarterRow{Staff: person(b, "N7", "Other"), StartsOn: "2026-09-02"})

	mark := func(id int64, at time.Time) {
		t.Helper()
		err := db.InTx(ctx, func(tx pgx.Tx) error {
			if err := postgres.MarkQuestionnaireReceived(ctx, tx, a, id, user, at); err != nil {
				return err
			}
			return postgres.MarkClearanceGiven(ctx, tx, a, id, user, at)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	mark(clearedLongAgo, now.AddDate(0, 0, -31))

	ids := func(orgScope int64) []int64 {
		t.Helper()
		ns, err := postgres.NewStartersToList(ctx, db.Pool, orgScope, now)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, n := range ns {
			out = append(out, n.ID)
		}
		return out
	}
	if got, want := ids(a), []int64{worklistOld, worklistNew, soon, late}; !slices.Equal(got, want) {
		t.Errorf("organisation A lists %v, want %v (worklist longest first, then by start date)", got, want)
	}
	if got, want := ids(0), []int64{worklistOld, worklistNew, other, soon, late}; !slices.Equal(got, want) {
		t.Errorf("every organisation lists %v, want %v", got, want)
	}

	// Cleared today: still listed, after the worklist, and off it.
	mark(worklistOld, now)
	ns, err := postgres.NewStartersToList(ctx, db.Pool, a, now)
	if err != nil {
		t.Fatal(err)
	}
	if ns[0].ID != worklistNew || !ns[0].OnWorklist {
		t.Errorf("first is %d (on worklist %v), want %d on the worklist", ns[0].ID, ns[0].OnWorklist, worklistNew)
	}
	i := slices.IndexFunc(ns, func(n postgres.NewStarterListed) bool { return n.ID == worklistOld })
	if i < 0 || ns[i].OnWorklist || !ns[i].ClearanceGivenAt.Equal(now) || !ns[i].QuestionnaireReceivedAt.Equal(now) {
		t.Errorf("cleared new starter listed as %+v, want listed off the worklist with both marks", ns)
	}
}

// TestMarkNewStarter checks that each mark is made once, clearance only
// after the questionnaire came back, never on a cancelled new starter or
// another organisation's, and that each mark is audited with its user.
func TestMarkNewStarter(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	a, b := pgtest.Organisation(t, db.Pool, "MA", "MA Trust"), pgtest.Organisation(t, db.Pool, "MB", "MB Trust")
	user := newStarterUser(t, db, "admin")
	staff := pgtest.Staff(t, db.Pool, pgtest.StaffRow{Organisation: a, Number: "M1", First: "Mo", Last: "Starter"})
	id := pgtest.NewStarter(t, db.Pool, pgtest.NewStarterRow{Staff: staff, StartsOn: "2026-09-20", State: "worklist", Worklist: "2026-09-01T10:00:00Z"})
	cancelled := pgtest.NewStarter(t, db.Pool, pgtest.NewStarterRow{Staff: staff, StartsOn: "2026-09-13", State: "cancelled"})
	now := time.Date(2026, 9, 2, 9, 0, 0, 0, time.UTC)

	do := func(mark func(tx pgx.Tx) error) error { return db.InTx(ctx, mark) }
	received := func(orgScope, id int64) func(tx pgx.Tx) error {
		return func(tx pgx.Tx) error { return postgres.MarkQuestionnaireReceived(ctx, tx, orgScope, id, user, now) }
	}
	cleared := func(orgScope, id int64) func(tx pgx.Tx) error {
		return func(tx pgx.Tx) error { return postgres.MarkClearanceGiven(ctx, tx, orgScope, id, user, now) }
	}
	for _, c := range []struct {
		name string
		mark func(tx pgx.Tx) error
		want error
	}{
		{"clearance before the questionnaire", cleared(a, id), postgres.ErrNotReceived},
		{"another organisation's", received(b, id), ohcontact.ErrNotFound},
		{"cancelled", received(a, cancelled), postgres.ErrNewStarterCancelled},
		{"questionnaire received", received(a, id), nil},
		{"questionnaire received again", received(a, id), postgres.ErrAlreadyMarked},
		{"clearance given", cleared(0, id), nil},
		{"clearance given again", cleared(a, id), postgres.ErrAlreadyMarked},
	} {
		if err := do(c.mark); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	var actions []string
	rows, err := db.Pool.Query(ctx, `SELECT action FROM audit_events WHERE record_type = 'new_starter' AND record_id = $1
		AND actor_id = $2 AND organisation_id = $3 ORDER BY id`, id, user, a)
	if err != nil {
		t.Fatal(err)
	}
	if actions, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		t.Fatal(err)
	}
	if want := []string{"new_starter.questionnaire_received", "new_starter.clearance_given"}; !slices.Equal(actions, want) {
		t.Errorf("audited %v, want %v", actions, want)
	}
}

// newStarterUser inserts a console user of role.
func newStarterUser(t *testing.T, db *postgres.DB, role string) int64 {
	t.Helper()
	var id int64
	if err := db.Pool.QueryRow(t.Context(), `INSERT INTO users (email, display_name, role, password_hash)
		VALUES ($1 || '@example.nhs.uk', 'OH', $1, 'x') RETURNING id`, role).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}
