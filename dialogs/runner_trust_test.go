package dialogs_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/dialogs"
	"github.com/ohcontact/ohcontact/locales"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
	"github.com/ohcontact/ohcontact/signposting"
	"github.com/ohcontact/ohcontact/triggers"
)

// One person, one trust (issue 16). The fixture's Ann is trust B's
// employee ("DEMO"); trust A ("DEMO-TEES") is another organisation of the same
// service, whose HR feed registers Ann's mobile on a record of its own.

// registrations are the ways trust A's HR feed can write Ann's mobile on
// its record with assignment number 100, returning that record's id.
var registrations = map[string]func(t *testing.T, f *runnerFixture, orgA int64) int64{
	"HR API": func(t *testing.T, f *runnerFixture, orgA int64) int64 {
		var key string
		err := f.db.InTx(t.Context(), func(tx pgx.Tx) error {
			var hash []byte
			key, hash = triggers.NewAPIKey()
			_, err := postgres.CreateAPIKey(t.Context(), tx, orgA, "Trust A ESR feed", postgres.ScopeHR, hash)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		(&triggers.API{DB: f.db, Scheduler: f.hrScheduler(t), Log: slog.New(slog.DiscardHandler)}).Register(mux)
		req := httptest.NewRequestWithContext(t.Context(), "PUT", "/api/v1/staff/100",
			strings.NewReader(`{"first_name": "Mallory", "last_name": "Example", "mobile": "`+annMobile+`"}`))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		var out struct{ ID int64 }
		if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &out) != nil {
			t.Fatalf("trust A's PUT: status %d: %s", rec.Code, rec.Body)
		}
		return out.ID
	},
	"CSV import": func(t *testing.T, f *runnerFixture, orgA int64) int64 {
		im := &triggers.Import{DB: f.db, Scheduler: f.hrScheduler(t), RowError: func(e *triggers.RowError) { t.Errorf("bad row: %v", e) }}
		sum, err := im.Staff(t.Context(), strings.NewReader("assignment_number,first_name,last_name,mobile,email,organisation,language,preferred_channel\n"+
			"100,Mallory,Example,"+annMobile+",,DEMO-TEES,,\n"))
		if err != nil || sum.New != 1 || sum.MobileConflicts != 1 {
			t.Fatalf("trust A's import: %+v, %v; want one new record and one mobile conflict", sum, err)
		}
		var id int64
		if err := f.db.Pool.QueryRow(t.Context(), `SELECT id FROM staff WHERE organisation_id = $1 AND assignment_number = '100'`, orgA).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	},
}

// hrScheduler is the scheduler an HR feed's staff records go through (it
// plans new starters' welcomes), on the fixture's clock.
func (f *runnerFixture) hrScheduler(t *testing.T) *triggers.Scheduler {
	t.Helper()
	policy, err := triggers.NewPolicy(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &triggers.Scheduler{Policy: policy, Jobs: f.jobs, Now: func() time.Time { return f.at }}
}

// trustFixture is the runner fixture with trust A, whose HR feed has
// registered Ann's mobile by register.
type trustFixture struct {
	*runnerFixture
	orgA, ann, mallory int64
	log                *syncBuffer
}

func newTrustFixture(t *testing.T, register func(*testing.T, *runnerFixture, int64) int64) *trustFixture {
	t.Helper()
	f := &trustFixture{runnerFixture: newRunnerFixture(t), log: &syncBuffer{}}
	f.runner.Log = slog.New(slog.NewTextHandler(f.log, nil))
	// An engine that knows both trusts' signposting: trust A's directory
	// is the built-in one's, under trust A's code.
	bundle, err := locales.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	dir := signposting.Demo()
	trustA := dir.Organisations[0]
	trustA.Code, trustA.Name = "DEMO-TEES", "Tees Moorland NHS Foundation Trust"
	dir.Organisations = append(dir.Organisations, trustA)
	if f.engine, err = dialogs.New(bundle, dir); err != nil {
		t.Fatal(err)
	}
	f.runner.Engine = f.engine
	ctx := t.Context()
	f.orgA = pgtest.Organisation(t, f.db.Pool, "DEMO-TEES", "Tees Moorland NHS Foundation Trust")
	if err := f.db.Pool.QueryRow(ctx, `SELECT id FROM staff WHERE mobile = $1 AND organisation_id = $2`, annMobile, f.orgID).Scan(&f.ann); err != nil {
		t.Fatal(err)
	}
	f.mallory = register(t, f.runnerFixture, f.orgA)

	// The conflict is recorded (ids only) and visible to admins.
	var audits int
	var conflicts []postgres.MobileConflict
	f.db.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'staff.mobile_conflict' AND record_id = $1
		AND organisation_id = $2 AND details->'other_staff_ids' = to_jsonb(ARRAY[$3::bigint])`, f.mallory, f.orgA, f.ann).Scan(&audits)
	if audits != 1 {
		t.Fatalf("%d staff.mobile_conflict audit events naming trust A's record and Ann's, want 1", audits)
	}
	conflicts, err = postgres.MobileConflicts(ctx, f.db.Pool, f.orgID)
	if err != nil {
		t.Fatal(err)
	}
	if len(conflicts) != 1 || conflicts[0].StaffID != f.ann || conflicts[0].OtherStaffID != f.mallory || conflicts[0].MobileLast3 != annMobile[len(annMobile)-3:] {
		t.Fatalf("trust B's admins see conflicts %+v, want Ann's record against trust A's", conflicts)
	}
	return f
}

// lastConversation returns the organisation and member of staff of the
// latest conversation with annMobile, and its case's organisation (0 when
// it has none).
func (f *trustFixture) lastConversation(t *testing.T) (org, staff, caseOrg int64) {
	t.Helper()
	err := f.db.Pool.QueryRow(t.Context(), `SELECT c.organisation_id, coalesce(c.staff_id, 0),
		coalesce((SELECT k.organisation_id FROM cases k WHERE k.conversation_id = c.id), 0)
		FROM conversations c WHERE c.address = $1 ORDER BY c.last_activity_at DESC, c.id DESC LIMIT 1`, annMobile).Scan(&org, &staff, &caseOrg)
	if err != nil {
		t.Fatal(err)
	}
	return org, staff, caseOrg
}

// TestCrisisTextFromAClaimedNumberOpensInTheEmployeesTrust: trust A's HR
// feed (API or CSV) registers trust B's employee's mobile, which is
// recorded as a conflict; her next text, a crisis disclosure, opens the
// case in trust B, on her own record, although trust A's record changed
// last. The runner warns, with ids only.
func TestCrisisTextFromAClaimedNumberOpensInTheEmployeesTrust(t *testing.T) {
	t.Parallel()
	for name, register := range registrations {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newTrustFixture(t, register)
			f.send(t, annMobile, "i've been saving up my tablets, i can't do this anymore")
			org, staff, caseOrg := f.lastConversation(t)
			if org != f.orgID || staff != f.ann || caseOrg != f.orgID {
				t.Fatalf("the disclosure went to organisation %d, staff %d, case in %d; want trust B (%d), Ann (%d)",
					org, staff, caseOrg, f.orgID, f.ann)
			}
			if v := f.conversation(t, annMobile); v.owner != "clinician" || v.state != dialogs.StateRiskPathway {
				t.Fatalf("after the disclosure: %+v; want the conversation with clinicians", v)
			}
			log := f.log.String()
			if !strings.Contains(log, "first holder") || strings.Contains(log, annMobile[1:]) || strings.Contains(log, "tablets") {
				t.Errorf("want a warning that names the records by id only; the log:\n%s", log)
			}
		})
	}
}

// TestTextContinuingAConversationInTrustAGoesToTrustA: when trust A has
// an open conversation with the number (it texted it, on its record), a
// reply continues that conversation, in trust A; once it closes, the next
// text still goes to the trust that last talked with the number.
func TestTextContinuingAConversationInTrustAGoesToTrustA(t *testing.T) {
	t.Parallel()
	f := newTrustFixture(t, registrations["HR API"])
	ctx := t.Context()
	// Trust A texts the number, as a contact does: a conversation on its
	// record, waiting for the reply.
	start, err := f.engine.Inbound(dialogs.StartInfo{Org: "DEMO-TEES", Channel: ohcontact.ChannelSMS, Known: true, FirstName: "Mallory"},
		dialogs.Input{Text: "hello", Now: time.Date(2026, 11, 18, 9, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(start.State)
	var convA int64
	err = f.db.InTx(ctx, func(tx pgx.Tx) error {
		opened, err := postgres.OpenConversations(ctx, tx, []ohcontact.Conversation{{OrganisationID: f.orgA, StaffID: f.mallory,
			Channel: ohcontact.ChannelSMS, Address: annMobile, Flow: start.State.Flow, State: start.State.Step, Data: data, Language: "en-GB"}})
		for _, c := range opened {
			convA = c.ID
		}
		return err
	})
	if err != nil || convA == 0 {
		t.Fatalf("open trust A's conversation: %v", err)
	}

	f.send(t, annMobile, "2")
	if org, staff, _ := f.lastConversation(t); org != f.orgA || staff != f.mallory {
		t.Fatalf("the reply went to organisation %d, staff %d; want trust A's conversation (%d, %d)", org, staff, f.orgA, f.mallory)
	}
	var inbound int
	f.db.Pool.QueryRow(ctx, `SELECT count(*) FROM messages WHERE conversation_id = $1 AND direction = 'inbound'`, convA).Scan(&inbound)
	if inbound != 1 {
		t.Fatalf("%d inbound messages in trust A's conversation, want the reply", inbound)
	}

	// Closed, it is still the number's latest conversation: the next text
	// goes to trust A again.
	if _, err := f.db.Pool.Exec(ctx, `UPDATE conversations SET status = 'closed', closed_reason = 'completed', closed_at = now()
		WHERE id = $1`, convA); err != nil {
		t.Fatal(err)
	}
	f.send(t, annMobile, "hello")
	if org, staff, _ := f.lastConversation(t); org != f.orgA || staff != f.mallory {
		t.Fatalf("the next text went to organisation %d, staff %d; want trust A (%d, %d)", org, staff, f.orgA, f.mallory)
	}
	if strings.Contains(f.log.String(), "first holder") {
		t.Error("a warning of an undecided number, when a conversation decided it")
	}
}

// syncBuffer is a bytes.Buffer safe for a logger's concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
