package dialogs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact/dialogs"
)

// welcomeAnn makes Ann a new starter for first day startsOn, welcomed, and opens her new-starter
// conversation for it, as the welcome job would; it returns the new
// starter's id.
func (f *runnerFixture) welcomeAnn(t *testing.T, startsOn string) int64 {
	t.Helper()
	var id int64
	err := f.db.Pool.QueryRow(t.Context(), `
		INSERT INTO new_starters (organisation_id, staff_id, starts_on, state, welcome_due_at, welcomed_at)
		SELECT $1, s.id, $4, 'welcomed', $2, $2 FROM staff s WHERE s.mobile = $3 RETURNING id`,
		f.orgID, f.at, annMobile, startsOn).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	f.startFlow(t, dialogs.FlowNewStarter)
	if _, err := f.db.Pool.Exec(t.Context(), `UPDATE conversations SET new_starter_id = $1
		WHERE id = (SELECT max(id) FROM conversations WHERE address = $2)`, id, annMobile); err != nil {
		t.Fatal(err)
	}
	return id
}

// newStarterRow is a new starter's state, whether they replied and went on
// the worklist, and why ("" when not).
type newStarterRow struct {
	state             string
	replied, worklist bool
	reason            string
}

func (f *runnerFixture) newStarter(t *testing.T, id int64) newStarterRow {
	t.Helper()
	var r newStarterRow
	var replied, worklist *time.Time
	var reason *string
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT state, replied_at, worklist_at, worklist_reason FROM new_starters WHERE id = $1`, id).
		Scan(&r.state, &replied, &worklist, &reason); err != nil {
		t.Fatal(err)
	}
	r.replied, r.worklist = replied != nil, worklist != nil
	if reason != nil {
		r.reason = *reason
	}
	return r
}

// TestRunnerNewStarterReplies: "done" to a welcome makes the new starter
// replied (no reminder follows) and keeps them off the worklist; a question
// puts them on the OH admin worklist at once, with no case opened and no
// time promised.
func TestRunnerNewStarterReplies(t *testing.T) {
	t.Parallel()
	f := newRunnerFixture(t)

	done := f.welcomeAnn(t, "2026-12-01")
	f.send(t, annMobile, "done")
	if got := f.newStarter(t, done); got != (newStarterRow{"replied", true, false, ""}) {
		t.Errorf("after \"done\": %+v; want replied, not on the worklist", got)
	}
	if v := f.conversation(t, annMobile); v.status != "closed" || !strings.Contains(v.lastReply, "Thank you") {
		t.Errorf("conversation %+v; want it closed with thanks", v)
	}

	asked := f.welcomeAnn(t, "2026-12-07")
	f.send(t, annMobile, "Do I need to bring anything on my first day?")
	if got := f.newStarter(t, asked); got != (newStarterRow{"worklist", true, true, "asked"}) {
		t.Errorf("after a question: %+v; want on the worklist", got)
	}
	v := f.conversation(t, annMobile)
	if v.owner != "bot" || strings.Contains(v.lastReply, "working day") || !strings.Contains(v.lastReply, "passed your message") {
		t.Errorf("conversation %+v; want the bot's acknowledgement promising no time", v)
	}
	var cases int
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM cases`).Scan(&cases); err != nil {
		t.Fatal(err)
	}
	if cases != 0 {
		t.Errorf("%d cases opened; a new starter's question goes on the worklist, not a case", cases)
	}
}

// TestRunnerNewStarterStopGoesOnTheWorklist: STOP to a welcome opts the new
// starter out and puts them on the OH admin worklist at once, as opted out
// (not "replied", which would leave nobody chasing the questionnaire they
// still need to start work); so does STOP after a question, whose reason
// it replaces.
func TestRunnerNewStarterStopGoesOnTheWorklist(t *testing.T) {
	t.Parallel()
	f := newRunnerFixture(t)

	stopped := f.welcomeAnn(t, "2026-12-01")
	f.send(t, annMobile, "STOP")
	if got := f.newStarter(t, stopped); got != (newStarterRow{"worklist", true, true, "opted_out"}) {
		t.Errorf("after STOP: %+v; want on the worklist, opted out", got)
	}
	f.send(t, annMobile, "START")

	asked := f.welcomeAnn(t, "2026-12-07")
	f.send(t, annMobile, "Do I need to bring anything on my first day?")
	f.send(t, annMobile, "STOP")
	if got := f.newStarter(t, asked); got != (newStarterRow{"worklist", true, true, "opted_out"}) {
		t.Errorf("after a question and STOP: %+v; want on the worklist, opted out", got)
	}
}
