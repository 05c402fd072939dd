package triggers

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// staffRow is a staff record as the one-trust tests look at it.
type staffRow struct {
	ID     int64
	Org    int64
	Name   string
	Mobile string
}

func (f *fixture) staffOf(t *testing.T, org int64, number string) staffRow {
	t.Helper()
	s := staffRow{Org: org}
	err := f.db.Pool.QueryRow(t.Context(), `SELECT id, first_name, coalesce(mobile, '') FROM staff
		WHERE organisation_id = $1 AND assignment_number = $2`, org, number).Scan(&s.ID, &s.Name, &s.Mobile)
	if err != nil {
		t.Fatalf("staff %s of organisation %d: %v", number, org, err)
	}
	return s
}

// conflictAudits returns the staff.mobile_conflict audit events: the
// record, its organisation, the other records, and the actor's kind.
func (f *fixture) conflictAudits(t *testing.T) []conflictAudit {
	t.Helper()
	rows, err := f.db.Pool.Query(t.Context(), `SELECT record_id, organisation_id, actor_kind, details::text,
		array(SELECT x::bigint FROM jsonb_array_elements_text(details->'other_staff_ids') x)
		FROM audit_events WHERE action = 'staff.mobile_conflict' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var out []conflictAudit
	for rows.Next() {
		var a conflictAudit
		if err := rows.Scan(&a.Staff, &a.Org, &a.Actor, &a.Details, &a.Others); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

type conflictAudit struct {
	Staff, Org     int64
	Actor, Details string
	Others         []int64
}

// TestAPIKeyChangesItsOwnOrganisationOnly: organisation A's key, PUTting
// organisation B's employee's assignment number and mobile, makes a record
// of A's and leaves B's as it was; the shared mobile is a conflict,
// audited (ids only) and listed for admins with its last three digits.
func TestAPIKeyChangesItsOwnOrganisationOnly(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	// B's employee, from B's feed.
	decode[staffJSON](t, f.do(t, "PUT", "/api/v1/staff/200", f.otherKey,
		`{"first_name": "Bea", "last_name": "Other", "mobile": "07700900123"}`), http.StatusCreated)
	b := f.staffOf(t, f.otherOrg, "200")
	if len(f.conflictAudits(t)) != 0 {
		t.Fatal("a conflict recorded for a mobile on one record")
	}

	// A's key, with B's employee's assignment number and mobile.
	out := decode[staffJSON](t, f.do(t, "PUT", "/api/v1/staff/200", f.key,
		`{"first_name": "Mallory", "last_name": "Example", "mobile": "+447700900123"}`), http.StatusCreated)
	a := f.staffOf(t, f.orgID, "200")
	if out.ID != a.ID || a.ID == b.ID {
		t.Fatalf("A's key answered record %d; A's record is %d, B's %d", out.ID, a.ID, b.ID)
	}
	if again := f.staffOf(t, f.otherOrg, "200"); again != b {
		t.Fatalf("A's key changed B's record: %+v, was %+v", again, b)
	}

	audits := f.conflictAudits(t)
	if len(audits) != 1 || audits[0].Staff != a.ID || audits[0].Org != f.orgID || audits[0].Actor != "api_key" ||
		!slices.Equal(audits[0].Others, []int64{b.ID}) {
		t.Fatalf("conflict audits %+v, want one by the API key naming A's record %d and B's %d", audits, a.ID, b.ID)
	}
	if want := `{"other_staff_ids": [` + itoa(b.ID) + `], "other_organisation_ids": [` + itoa(f.otherOrg) + `]}`; audits[0].Details != want {
		t.Errorf("audit details %s, want ids only: %s", audits[0].Details, want)
	}

	// Visible: once to an admin of every organisation, to each
	// organisation's admins as their own record.
	all, err := postgres.MobileConflicts(t.Context(), f.db.Pool, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].MobileLast3 != "123" || !slices.Equal([]int64{all[0].StaffID, all[0].OtherStaffID}, []int64{b.ID, a.ID}) {
		t.Fatalf("conflicts for every organisation = %+v, want A's and B's records once, mobile ending 123", all)
	}
	for org, own := range map[int64]int64{f.orgID: a.ID, f.otherOrg: b.ID} {
		mine, err := postgres.MobileConflicts(t.Context(), f.db.Pool, org)
		if err != nil {
			t.Fatal(err)
		}
		if len(mine) != 1 || mine[0].StaffID != own {
			t.Errorf("conflicts for organisation %d = %+v, want its record %d", org, mine, own)
		}
	}

	// The same PUT again changes nothing and records nothing new; a
	// correction clears the conflict.
	decode[staffJSON](t, f.do(t, "PUT", "/api/v1/staff/200", f.key,
		`{"first_name": "Mallory", "last_name": "Example", "mobile": "+447700900123"}`), http.StatusOK)
	if n := len(f.conflictAudits(t)); n != 1 {
		t.Errorf("%d conflict audits after a repeated PUT, want still 1", n)
	}
	decode[staffJSON](t, f.do(t, "PUT", "/api/v1/staff/200", f.key,
		`{"first_name": "Mallory", "last_name": "Example", "mobile": "+447700900456"}`), http.StatusOK)
	if all, _ := postgres.MobileConflicts(t.Context(), f.db.Pool, 0); len(all) != 0 {
		t.Errorf("conflicts after the correction = %+v, want none", all)
	}
}

// TestImportChangesTheOrganisationsItNames: a staff file's row changes
// only the staff of the organisation it names; a row giving A's record B's
// employee's mobile is imported, counted, audited and listed.
func TestImportChangesTheOrganisationsItNames(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Date(2026, 5, 4, 8, 0, 0, 0, london(t)))
	other := pgtest.Organisation(t, f.db.Pool, "RX2", "Other Trust")
	const header = "assignment_number,first_name,last_name,mobile,email,organisation,language,preferred_channel\n"
	sum := f.importCSV(t, "staff", header+"200,Bea,Other,07700900123,,RX2,,\n")
	if sum.New != 1 || sum.MobileConflicts != 0 {
		t.Fatalf("B's import: %+v", sum)
	}
	b := f.staffOf(t, other, "200")

	sum = f.importCSV(t, "staff", header+"200,Mallory,Example,07700900123,,"+testOrg+",,\n")
	if sum.New != 1 || sum.MobileConflicts != 1 {
		t.Fatalf("A's import of B's employee's mobile: %+v, want one new record and one conflict", sum)
	}
	a := f.staffOf(t, f.orgID, "200")
	if again := f.staffOf(t, other, "200"); again != b {
		t.Fatalf("a row naming A changed B's record: %+v, was %+v", again, b)
	}
	audits := f.conflictAudits(t)
	if len(audits) != 1 || audits[0].Staff != a.ID || audits[0].Org != f.orgID || audits[0].Actor != "system" ||
		!slices.Equal(audits[0].Others, []int64{b.ID}) {
		t.Fatalf("conflict audits %+v, want one by the system naming A's record %d and B's %d", audits, a.ID, b.ID)
	}
	var counted int
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT (details->>'mobile_conflicts')::int FROM audit_events
		WHERE action = 'import.staff' ORDER BY id DESC LIMIT 1`).Scan(&counted); err != nil || counted != 1 {
		t.Errorf("the import's audit event counts %d mobile conflicts (%v), want 1", counted, err)
	}
	if all, _ := postgres.MobileConflicts(t.Context(), f.db.Pool, 0); len(all) != 1 || all[0].MobileLast3 != "123" {
		t.Fatalf("conflicts = %+v, want A's and B's records, mobile ending 123", all)
	}
}
