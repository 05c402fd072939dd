package postgres_test

import (
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

func TestOpenOrRaiseCase(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, db)
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

	open := func(p ohcontact.Priority, category, evidence string, due time.Time) (int64, bool) {
		t.Helper()
		var id int64
		var opened bool
		err := db.InTx(ctx, func(tx pgx.Tx) (err error) {
			id, opened, err = postgres.OpenOrRaiseCase(ctx, tx, postgres.NewCase{
				OrganisationID: f.org, ConversationID: f.conversation, StaffID: f.staff,
				Priority: p, Category: category, Evidence: []string{evidence}, SLADue: due})
			return err
		})
		if err != nil {
			t.Fatalf("OpenOrRaiseCase(%s): %v", p, err)
		}
		return id, opened
	}
	type caseRow struct {
		priority, category string
		evidence           int
		due                time.Time
	}
	read := func(id int64) caseRow {
		var c caseRow
		db.Pool.QueryRow(ctx, `SELECT priority, category, jsonb_array_length(evidence), sla_due_at FROM cases WHERE id = $1`, id).
			Scan(&c.priority, &c.category, &c.evidence, &c.due)
		return c
	}

	first, opened := open(ohcontact.PriorityRoutine, "hopelessness", `"no point" (hopelessness)`, now.Add(48*time.Hour))
	if !opened {
		t.Fatal("the first positive screen did not open a case")
	}
	second, opened := open(ohcontact.PriorityUrgent, "suicide_risk", `"saving my tablets" (means)`, now.Add(15*time.Minute))
	if opened || second != first {
		t.Fatalf("a second positive opened case %d (opened=%v), want case %d raised", second, opened, first)
	}
	if c := read(first); c.priority != "urgent" || c.category != "suicide_risk" || c.evidence != 2 || !c.due.Equal(now.Add(15*time.Minute)) {
		t.Fatalf("raised case = %+v, want urgent suicide_risk with both pieces of evidence, due in 15 minutes", c)
	}
	open(ohcontact.PriorityRoutine, "hopelessness", `"tired of it all"`, now.Add(48*time.Hour))
	if c := read(first); c.priority != "urgent" || !c.due.Equal(now.Add(15*time.Minute)) || c.evidence != 3 {
		t.Fatalf("a lower priority stepped the case down: %+v", c)
	}

	var events, audits int
	db.Pool.QueryRow(ctx, `SELECT count(*) FROM case_events WHERE case_id = $1 AND kind = 'opened'`, first).Scan(&events)
	db.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE record_type = 'case' AND record_id = $1 AND action = 'case.opened'`, first).Scan(&audits)
	if events != 1 || audits != 1 {
		t.Fatalf("%d opened events and %d audit events, want 1 each", events, audits)
	}

	err := db.InTx(ctx, func(tx pgx.Tx) error {
		_, _, err := postgres.OpenOrRaiseCase(ctx, tx, postgres.NewCase{OrganisationID: f.org, Priority: ohcontact.PriorityNone, Category: "x", SLADue: now})
		return err
	})
	if err == nil {
		t.Fatal("a case with priority none was opened")
	}
}

// openCase opens a case of priority p on a new conversation of org (or the
// fixture's conversation when conv is not 0) and backdates it by age.
func openCase(t *testing.T, db *postgres.DB, org, conv int64, p ohcontact.Priority, age time.Duration) int64 {
	t.Helper()
	ctx := t.Context()
	var id int64
	err := db.InTx(ctx, func(tx pgx.Tx) (err error) {
		id, _, err = postgres.OpenOrRaiseCase(ctx, tx, postgres.NewCase{OrganisationID: org, ConversationID: conv, Priority: p,
			Category: "suicide_risk", Evidence: []string{"test"}, SLADue: time.Now().Add(time.Hour)})
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE cases SET created_at = now() - $2::interval WHERE id = $1`, id, age.String())
		return err
	})
	if err != nil {
		t.Fatalf("open case: %v", err)
	}
	return id
}

func TestQueue(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, db)
	other := pgtest.Organisation(t, db.Pool, "RX2", "Other Trust")

	routine := openCase(t, db, f.org, 0, ohcontact.PriorityRoutine, 5*time.Hour)
	high := openCase(t, db, f.org, 0, ohcontact.PriorityHigh, time.Hour)
	urgentNew := openCase(t, db, f.org, f.conversation, ohcontact.PriorityUrgent, time.Minute)
	urgentOld := openCase(t, db, f.org, 0, ohcontact.PriorityUrgent, 20*time.Minute)
	elsewhere := openCase(t, db, other, 0, ohcontact.PriorityUrgent, 10*time.Minute)
	resolved := openCase(t, db, f.org, 0, ohcontact.PriorityUrgent, 30*time.Minute)
	db.Pool.Exec(ctx, `UPDATE cases SET status = 'resolved', resolved_at = now(), outcome = 'x' WHERE id = $1`, resolved)

	ids := func(scope int64) []int64 {
		t.Helper()
		return findCases(t, db, postgres.CaseFilter{OrgScope: scope, Limit: 50}).IDs()
	}
	if got, want := ids(0), []int64{urgentOld, elsewhere, urgentNew, high, routine}; !slices.Equal(got, want) {
		t.Errorf("queue of every organisation = %v, want %v", got, want)
	}
	if got, want := ids(f.org), []int64{urgentOld, urgentNew, high, routine}; !slices.Equal(got, want) {
		t.Errorf("queue of Test Trust = %v, want %v", got, want)
	}
	cases := findCases(t, db, postgres.CaseFilter{OrgScope: f.org, Limit: 50}).Cases
	if c := cases[1]; c.Channel != ohcontact.ChannelSMS || c.OrganisationName != "Test Trust" || c.Status != "open" || c.Priority != ohcontact.PriorityUrgent {
		t.Errorf("queue entry %+v", c)
	}
	if c := cases[0]; c.Channel != "" {
		t.Errorf("a case without a conversation has channel %q", c.Channel)
	}
}

// findCases returns FindCases(f).
func findCases(t *testing.T, db *postgres.DB, f postgres.CaseFilter) postgres.CaseList {
	t.Helper()
	var list postgres.CaseList
	err := db.InTx(t.Context(), func(tx pgx.Tx) (err error) {
		list, err = postgres.FindCases(t.Context(), tx, f)
		return err
	})
	if err != nil {
		t.Fatalf("FindCases(%+v): %v", f, err)
	}
	return list
}

// TestFindCasesPages checks that paging through a list, forwards and
// back, shows every case once, in order, and says which pages exist.
func TestFindCasesPages(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, db)
	var resolved []int64
	for i := range 7 {
		p := []ohcontact.Priority{ohcontact.PriorityUrgent, ohcontact.PriorityHigh, ohcontact.PriorityRoutine}[i%3]
		openCase(t, db, f.org, 0, p, time.Duration(i)*time.Minute)
		id := openCase(t, db, f.org, 0, p, time.Hour)
		if _, err := db.Pool.Exec(ctx, `UPDATE cases SET status = 'resolved', outcome = 'no_risk_found',
			resolved_at = now() - $2::integer * interval '1 minute' WHERE id = $1`, id, i); err != nil {
			t.Fatal(err)
		}
		resolved = append(resolved, id)
	}
	all := findCases(t, db, postgres.CaseFilter{OrgScope: f.org, Limit: 50}).IDs()
	for _, tt := range []struct {
		name   string
		status string
		want   []int64
	}{
		{"unresolved", "", all},
		{"resolved, newest first", ohcontact.CaseResolved, resolved},
	} {
		var got []int64
		filter := postgres.CaseFilter{OrgScope: f.org, Status: tt.status, Limit: 3}
		var pages []postgres.CaseList
		for {
			page := findCases(t, db, filter)
			if page.Total != 7 {
				t.Errorf("%s: total %d, want 7", tt.name, page.Total)
			}
			if page.HasPrevious != (len(pages) > 0) {
				t.Errorf("%s: page %d has previous %v", tt.name, len(pages)+1, page.HasPrevious)
			}
			pages = append(pages, page)
			got = append(got, page.IDs()...)
			if !page.HasNext {
				break
			}
			filter.After = page.Cases[len(page.Cases)-1].ID
		}
		if !slices.Equal(got, tt.want) || len(pages) != 3 {
			t.Errorf("%s: pages of 3 gave %v in %d pages, want %v in 3", tt.name, got, len(pages), tt.want)
		}
		// Back from the last page comes the second.
		back := findCases(t, db, postgres.CaseFilter{OrgScope: f.org, Status: tt.status, Limit: 3, Before: pages[2].Cases[0].ID})
		if !slices.Equal(back.IDs(), pages[1].IDs()) || !back.HasPrevious || !back.HasNext {
			t.Errorf("%s: the page before the last = %+v, want %v with pages either side", tt.name, back.IDs(), pages[1].IDs())
		}
	}
}

func TestCaseScopeAndClaim(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, db)
	if _, err := db.Pool.Exec(ctx, `UPDATE conversations SET data = '{"verified": true}' WHERE id = $1`, f.conversation); err != nil {
		t.Fatal(err)
	}
	sam := createUser(t, db, "sam@example.nhs.uk", "Sam Jones", "clinician", f.org)
	alex := createUser(t, db, "alex@example.nhs.uk", "Alex Smith", "clinician", f.org)
	id := openCase(t, db, f.org, f.conversation, ohcontact.PriorityUrgent, 0)

	c, err := postgres.CaseByID(ctx, db.Pool, f.org, id)
	if err != nil || c.ConversationID != f.conversation || c.Channel != ohcontact.ChannelSMS || c.StaffFirstName != "" ||
		c.NumberEnding != "001" || !c.Verified || c.Status != "open" || !slices.Equal(c.Evidence, []string{"test"}) {
		t.Fatalf("CaseByID = %+v, %v", c, err)
	}
	if _, err := postgres.CaseByID(ctx, db.Pool, f.org+1, id); !errors.Is(err, ohcontact.ErrNotFound) {
		t.Fatalf("CaseByID from another organisation = %v, want ErrNotFound", err)
	}

	claim := func(scope, user int64) error {
		return db.InTx(ctx, func(tx pgx.Tx) error { return postgres.ClaimCase(ctx, tx, scope, id, user) })
	}
	if err := claim(f.org+1, sam); !errors.Is(err, ohcontact.ErrNotFound) {
		t.Fatalf("claim from another organisation = %v, want ErrNotFound", err)
	}
	if err := claim(f.org, sam); err != nil {
		t.Fatalf("claim: %v", err)
	}
	err = claim(0, alex)
	claimed, ok := errors.AsType[*postgres.ClaimedError](err)
	if !ok || claimed.Status != "claimed" || claimed.ByName != "Sam Jones" || claimed.At.IsZero() {
		t.Fatalf("second claim = %v (%+v), want ClaimedError naming Sam Jones", err, claimed)
	}
	if !errors.Is(err, ohcontact.ErrConflict) {
		t.Errorf("second claim = %v, want it to match ohcontact.ErrConflict", err)
	}

	err = db.InTx(ctx, func(tx pgx.Tx) error {
		c, conv, err := postgres.LockCase(ctx, tx, f.org, id)
		if err != nil {
			return err
		}
		if conv.ID != f.conversation || c.ClaimedBy != sam {
			t.Errorf("LockCase = %+v, conversation %d", c, conv.ID)
		}
		return postgres.ResolveCase(ctx, tx, c, "no_risk_found", "", false, sam)
	})
	if err != nil {
		t.Fatal(err)
	}
	claimed, ok = errors.AsType[*postgres.ClaimedError](claim(f.org, alex))
	if !ok || claimed.Status != "resolved" || claimed.ByName != "Sam Jones" {
		t.Fatalf("claiming a resolved case = %+v, want ClaimedError resolved by Sam Jones", claimed)
	}
	if _, _, err := postgres.LockCase(ctx, mustBegin(t, db), f.org+1, id); !errors.Is(err, ohcontact.ErrNotFound) {
		t.Fatalf("LockCase from another organisation = %v, want ErrNotFound", err)
	}
}

// mustBegin returns a transaction rolled back when the test ends.
func mustBegin(t *testing.T, db *postgres.DB) pgx.Tx {
	t.Helper()
	tx, err := db.Pool.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback(t.Context()) })
	return tx
}

func TestReassignCase(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, db)
	other := pgtest.Organisation(t, db.Pool, "RX2", "Other Trust")
	sam := createUser(t, db, "sam@example.nhs.uk", "Sam Jones", "clinician", f.org)
	everyOrg := createUser(t, db, "ada@example.nhs.uk", "Ada Admin", "admin", 0)
	lead := createUser(t, db, "lee@example.nhs.uk", "Lee Lead", "lead", f.org)
	elsewhere := createUser(t, db, "olly@example.nhs.uk", "Olly Other", "clinician", other)
	disabled := createUser(t, db, "gone@example.nhs.uk", "Gone", "clinician", f.org)
	db.Pool.Exec(ctx, `UPDATE users SET disabled_at = now() WHERE id = $1`, disabled)
	id := openCase(t, db, f.org, f.conversation, ohcontact.PriorityHigh, 0)

	as, err := postgres.Assignees(ctx, db.Pool, f.org)
	if err != nil || !slices.Equal(as, []postgres.Assignee{{everyOrg, "Ada Admin"}, {sam, "Sam Jones"}}) {
		t.Fatalf("Assignees = %+v, %v; want Ada and Sam", as, err)
	}
	reassign := func(to int64) error {
		return db.InTx(ctx, func(tx pgx.Tx) error {
			c, _, err := postgres.LockCase(ctx, tx, 0, id)
			if err != nil {
				return err
			}
			return postgres.ReassignCase(ctx, tx, c, to, sam)
		})
	}
	for _, to := range []int64{lead, elsewhere, disabled, 999999} {
		if err := reassign(to); !errors.Is(err, ohcontact.ErrConflict) {
			t.Errorf("reassign to user %d = %v, want ohcontact.ErrConflict", to, err)
		}
	}
	if err := reassign(everyOrg); err != nil {
		t.Fatal(err)
	}
	c, _ := postgres.CaseByID(ctx, db.Pool, 0, id)
	if c.Status != "claimed" || c.ClaimedBy != everyOrg {
		t.Fatalf("after reassigning: %+v", c)
	}
	events, err := postgres.CaseEvents(ctx, db.Pool, id)
	if err != nil || len(events) != 2 || events[1].Kind != "reassigned" || events[1].UserName != "Sam Jones" || events[1].Note != "Reassigned to Ada Admin" {
		t.Fatalf("CaseEvents = %+v, %v", events, err)
	}

	// Reassigning keeps the first claim time, which the SLA is measured
	// by; releasing forgets it.
	firstClaim := time.Now().Add(-time.Hour).Truncate(time.Microsecond)
	if _, err := db.Pool.Exec(ctx, `UPDATE cases SET claimed_at = $2 WHERE id = $1`, id, firstClaim); err != nil {
		t.Fatal(err)
	}
	if err := reassign(sam); err != nil {
		t.Fatal(err)
	}
	if c, _ := postgres.CaseByID(ctx, db.Pool, 0, id); c.ClaimedBy != sam || !c.ClaimedAt.Equal(firstClaim) {
		t.Fatalf("after reassigning a claimed case: claimed by %d at %v, want %d at %v", c.ClaimedBy, c.ClaimedAt, sam, firstClaim)
	}
	err = db.InTx(ctx, func(tx pgx.Tx) error {
		c, _, err := postgres.LockCase(ctx, tx, 0, id)
		if err != nil {
			return err
		}
		return postgres.ReleaseCase(ctx, tx, c, sam)
	})
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := postgres.CaseByID(ctx, db.Pool, 0, id); c.Status != "open" || c.ClaimedBy != 0 || !c.ClaimedAt.IsZero() {
		t.Fatalf("after releasing: %+v", c)
	}
}

// TestOpenOrRaiseCaseOneClient proves that disclosures in several anonymous
// web chats from one client join one case while it is open and within the
// hour, and that another client, a resolved case or an older case does
// not.
func TestOpenOrRaiseCaseOneClient(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, db)
	now := time.Now()

	anonymous := func(client string) int64 {
		t.Helper()
		var id int64
		err := db.InTx(ctx, func(tx pgx.Tx) error {
			opened, err := postgres.OpenConversations(ctx, tx, []ohcontact.Conversation{{OrganisationID: f.org,
				Channel: ohcontact.ChannelWebChat, Address: "w_" + rand.Text(), Flow: "support", State: "start", Language: "en-GB", ClientKey: client}})
			for _, c := range opened {
				id = c.ID
				if c.ClientKey != client {
					t.Errorf("opened conversation has client key %q, want %q", c.ClientKey, client)
				}
			}
			return err
		})
		if err != nil || id == 0 {
			t.Fatalf("open anonymous conversation: %v", err)
		}
		return id
	}
	escalate := func(conv int64, client string) (int64, bool) {
		t.Helper()
		var id int64
		var opened bool
		err := db.InTx(ctx, func(tx pgx.Tx) (err error) {
			id, opened, err = postgres.OpenOrRaiseCase(ctx, tx, postgres.NewCase{OrganisationID: f.org, ConversationID: conv,
				Priority: ohcontact.PriorityUrgent, Category: "suicide_risk", Evidence: []string{"crisis"}, UnknownSender: true,
				SLADue: now.Add(15 * time.Minute), ClientKey: client})
			return err
		})
		if err != nil {
			t.Fatalf("OpenOrRaiseCase: %v", err)
		}
		return id, opened
	}

	clientA, clientB := "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	first, opened := escalate(anonymous(clientA), clientA)
	if !opened {
		t.Fatal("the first disclosure opened no case")
	}
	second := anonymous(clientA)
	if id, opened := escalate(second, clientA); opened || id != first {
		t.Fatalf("a second conversation from the same client opened case %d (opened=%v), want case %d joined", id, opened, first)
	}
	var evidence []string
	db.Pool.QueryRow(ctx, `SELECT evidence FROM cases WHERE id = $1`, first).Scan(&evidence)
	if want := fmt.Sprintf("another anonymous web chat from the same client (conversation %d): crisis", second); len(evidence) != 2 || evidence[1] != want {
		t.Fatalf("evidence = %q, want the joined conversation named", evidence)
	}
	if _, opened := escalate(anonymous(clientB), clientB); !opened {
		t.Fatal("another client's disclosure joined the first client's case")
	}

	// A case older than the window is not joined.
	if _, err := db.Pool.Exec(ctx, `UPDATE cases SET created_at = now() - interval '61 minutes' WHERE id = $1`, first); err != nil {
		t.Fatal(err)
	}
	third, opened := escalate(anonymous(clientA), clientA)
	if !opened {
		t.Fatal("a case opened more than an hour ago was joined")
	}
	// A resolved case is not joined.
	if _, err := db.Pool.Exec(ctx, `UPDATE cases SET status = 'resolved', outcome = 'other', resolved_at = now() WHERE id = $1`, third); err != nil {
		t.Fatal(err)
	}
	if _, opened := escalate(anonymous(clientA), clientA); !opened {
		t.Fatal("a resolved case was joined")
	}
}
