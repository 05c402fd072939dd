package pgtest

import (
	"testing"

	"github.com/ohcontact/ohcontact/postgres"
)

// The seed helpers insert the rows most tests start from, through q (a pool
// or a transaction), and return the new row's id. A failed insert fails the
// test.

// Organisation inserts an organisation with code and name.
func Organisation(t testing.TB, q postgres.Querier, code, name string) int64 {
	t.Helper()
	return insert(t, q, "organisation", `INSERT INTO organisations (code, name) VALUES ($1, $2) RETURNING id`, code, name)
}

// StaffRow is a member of staff for Staff.
type StaffRow struct {
	Organisation int64
	Number       string // assignment number
	First, Last  string
	Mobile       string // E.164; "" for none
}

// Staff inserts a member of staff, with the defaults for every column
// StaffRow does not name.
func Staff(t testing.TB, q postgres.Querier, s StaffRow) int64 {
	t.Helper()
	return insert(t, q, "staff", `INSERT INTO staff (organisation_id, assignment_number, first_name, last_name, mobile)
		VALUES ($1, $2, $3, $4, nullif($5, '')) RETURNING id`, s.Organisation, s.Number, s.First, s.Last, s.Mobile)
}

// AbsenceRow is an absence episode from the HR feed for Absence.
type AbsenceRow struct {
	Staff    int64
	StartsOn string // YYYY-MM-DD
	EndsOn   string // YYYY-MM-DD; "" while the absence goes on
	Reason   string // ESR reason code, such as S10
}

// Absence inserts an absence episode recorded by the HR feed.
func Absence(t testing.TB, q postgres.Querier, a AbsenceRow) int64 {
	t.Helper()
	return insert(t, q, "absence episode", `INSERT INTO absence_episodes (staff_id, starts_on, ends_on, reason_code, source)
		VALUES ($1, $2, nullif($3, '')::date, $4, 'hr_feed') RETURNING id`, a.Staff, a.StartsOn, a.EndsOn, a.Reason)
}

// ConversationRow is a conversation for Conversation.
type ConversationRow struct {
	Organisation int64
	Staff        int64  // 0 for nobody on record
	Channel      string // sms or webchat
	Address      string // a mobile number or a web chat's address
	Flow, State  string // the flow and its fsm state
	Closed       bool   // closed now as completed; open when false
}

// Conversation inserts a conversation, with the defaults for every column
// ConversationRow does not name.
func Conversation(t testing.TB, q postgres.Querier, c ConversationRow) int64 {
	t.Helper()
	return insert(t, q, "conversation", `INSERT INTO conversations (organisation_id, staff_id, channel, address, flow, fsm_state,
			status, closed_reason, closed_at)
		VALUES ($1, nullif($2::bigint, 0), $3, $4, $5, $6,
			CASE WHEN $7::boolean THEN 'closed' ELSE 'open' END, CASE WHEN $7 THEN 'completed' END, CASE WHEN $7 THEN now() END)
		RETURNING id`, c.Organisation, c.Staff, c.Channel, c.Address, c.Flow, c.State, c.Closed)
}

func insert(t testing.TB, q postgres.Querier, what, sql string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := q.QueryRow(t.Context(), sql, args...).Scan(&id); err != nil {
		t.Fatalf("pgtest: insert %s: %v", what, err)
	}
	return id
}

// NewStarterRow is a new starter for NewStarter: the staff record's, with
// a welcome due 7 days before StartsOn.
type NewStarterRow struct {
	Staff    int64
	StartsOn string // YYYY-MM-DD
	State    string // "" for planned
	// Worklist, when set, is when the new starter went on the OH admin
	// worklist (worklist_at), for Reason (a postgres.Worklist constant;
	// "" for postgres.WorklistNoReply).
	Worklist string // RFC 3339 or "" for never
	Reason   string
}

// NewStarter inserts a new starter.
func NewStarter(t testing.TB, q postgres.Querier, n NewStarterRow) int64 {
	t.Helper()
	return insert(t, q, "new starter", `
		INSERT INTO new_starters (organisation_id, staff_id, starts_on, state, welcome_due_at, worklist_at, worklist_reason)
		SELECT organisation_id, id, $2::date, coalesce(nullif($3, ''), 'planned'), $2::date - 7, nullif($4, '')::timestamptz,
			CASE WHEN $4 <> '' THEN coalesce(nullif($5, ''), 'no_reply') END
		FROM staff WHERE id = $1 RETURNING id`, n.Staff, n.StartsOn, n.State, n.Worklist, n.Reason)
}
