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

func TestUpsertStaffWritesOnlyWhatChanged(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, db)
	upsert := func(records ...postgres.StaffRecord) []postgres.Upserted {
		t.Helper()
		var changed []postgres.Upserted
		err := db.InTx(ctx, func(tx pgx.Tx) (err error) {
			changed, err = postgres.UpsertStaff(ctx, tx, records)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return changed
	}
	// The fixture's member of staff as HR sends them, and a new one.
	ann := postgres.StaffRecord{OrganisationID: f.org, AssignmentNumber: "12345678-1", FirstName: "Ann", LastName: "Example",
		Mobile: "+447700900001", Language: "en-GB"}
	bryn := postgres.StaffRecord{OrganisationID: f.org, AssignmentNumber: "200", FirstName: "Bryn", LastName: "Jones", Language: "cy",
		PreferredChannel: "webchat"}
	if got := upsert(ann, bryn); len(got) != 1 || !got[0].New {
		t.Fatalf("first upsert changed %+v, want Bryn inserted and Ann untouched", got)
	}
	if got := upsert(ann, bryn); len(got) != 0 {
		t.Fatalf("the same records again changed %+v", got)
	}
	// A new mobile is an update; a language from HR is not applied to an
	// existing record (the person chose theirs).
	ann.Mobile, ann.Language = "+447700900999", "pl"
	if got := upsert(ann); len(got) != 1 || got[0].New || got[0].ID != f.staff {
		t.Fatalf("upsert with a new mobile changed %+v, want Ann updated", got)
	}
	var mobile, lang string
	if err := db.Pool.QueryRow(ctx, `SELECT mobile, language FROM staff WHERE id = $1`, f.staff).Scan(&mobile, &lang); err != nil {
		t.Fatal(err)
	}
	if mobile != "+447700900999" || lang != "en-GB" {
		t.Fatalf("Ann's mobile %s and language %s, want the new mobile and her own language", mobile, lang)
	}
	ids, err := postgres.StaffIDs(ctx, db.Pool, []postgres.StaffKey{{OrganisationID: f.org, AssignmentNumber: "200"}, {OrganisationID: f.org, AssignmentNumber: "999"}})
	if err != nil || len(ids) != 1 || ids[postgres.StaffKey{OrganisationID: f.org, AssignmentNumber: "200"}] == 0 {
		t.Fatalf("StaffIDs = %v, %v; want Bryn only", ids, err)
	}
}

func TestUpsertAbsences(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, db)
	day := func(s string) time.Time {
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	upsert := func(records ...postgres.AbsenceRecord) []postgres.Upserted {
		t.Helper()
		var changed []postgres.Upserted
		err := db.InTx(ctx, func(tx pgx.Tx) (err error) {
			changed, err = postgres.UpsertAbsences(ctx, tx, records, postgres.SourceHRFeed)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return changed
	}
	// The fixture's episode (2 November, S10, open) as HR sends it, and a
	// new one.
	existing := postgres.AbsenceRecord{StaffID: f.staff, StartsOn: day("2026-11-02"), ReasonCode: "S10"}
	later := postgres.AbsenceRecord{StaffID: f.staff, StartsOn: day("2026-12-01"), EndsOn: day("2026-12-03"), ReasonCode: "S13", RelatedReason: "COVID-19"}
	if got := upsert(existing, later); len(got) != 1 || !got[0].New {
		t.Fatalf("first upsert changed %+v, want the December episode inserted", got)
	}
	if got := upsert(existing, later); len(got) != 0 {
		t.Fatalf("the same episodes again changed %+v", got)
	}
	existing.EndsOn = day("2026-11-06")
	if got := upsert(existing); len(got) != 1 || got[0].New || got[0].ID != f.episode {
		t.Fatalf("a return to work changed %+v, want the November episode updated", got)
	}
	a, err := postgres.AbsenceByID(ctx, db.Pool, f.episode)
	if err != nil || !a.EndsOn.Equal(day("2026-11-06")) || a.OrganisationID != f.org || a.AssignmentNumber != "12345678-1" {
		t.Fatalf("AbsenceByID = %+v, %v", a, err)
	}
	id, err := postgres.AbsenceIDByStart(ctx, db.Pool, f.staff, day("2026-12-01"))
	if err != nil || id == 0 {
		t.Fatalf("AbsenceIDByStart = %d, %v", id, err)
	}
	if _, err := postgres.AbsenceIDByStart(ctx, db.Pool, f.staff, day("2026-12-02")); !errors.Is(err, ohcontact.ErrNotFound) {
		t.Fatalf("AbsenceIDByStart of no episode = %v, want ErrNotFound", err)
	}
	if _, err := postgres.AbsenceByID(ctx, db.Pool, 0); !errors.Is(err, ohcontact.ErrNotFound) {
		t.Fatalf("AbsenceByID(0) = %v, want ErrNotFound", err)
	}
}

func TestAPIKeyByHash(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, db)
	live, revoked := make([]byte, 32), make([]byte, 32)
	live[0], revoked[0] = 1, 2
	var id int64
	err := db.InTx(ctx, func(tx pgx.Tx) (err error) {
		if id, err = postgres.CreateAPIKey(ctx, tx, f.org, "ESR", postgres.ScopeHR, live); err != nil {
			return err
		}
		revokedID, err := postgres.CreateAPIKey(ctx, tx, f.org, "old", postgres.ScopeHR, revoked)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE api_keys SET revoked_at = now() WHERE id = $1`, revokedID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	k, err := postgres.APIKeyByHash(ctx, db.Pool, live)
	if err != nil || k.ID != id || k.OrganisationID != f.org || k.OrganisationCode != "RX1" {
		t.Fatalf("APIKeyByHash = %+v, %v", k, err)
	}
	var used bool
	if err := db.Pool.QueryRow(ctx, `SELECT last_used_at IS NOT NULL FROM api_keys WHERE id = $1`, id).Scan(&used); err != nil || !used {
		t.Fatalf("last_used_at not recorded (%v)", err)
	}
	if _, err := postgres.APIKeyByHash(ctx, db.Pool, revoked); !errors.Is(err, ohcontact.ErrNotFound) {
		t.Fatalf("a revoked key: %v, want ErrNotFound", err)
	}
}
