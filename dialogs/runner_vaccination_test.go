package dialogs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact/dialogs"
	"github.com/ohcontact/ohcontact/escalation"
)

// campaignMember makes a running vaccination campaign for vaccine with Ann
// as its one member, invited (state sent), and returns the member's id.
func (f *runnerFixture) campaignMember(t *testing.T, vaccine string) int64 {
	t.Helper()
	var member int64
	err := f.db.Pool.QueryRow(t.Context(), `
		WITH c AS (INSERT INTO campaigns (organisation_id, name, flow, vaccine, audience, audience_value, starts_at, window_from, window_until, status)
			VALUES ($1, $2 || ' 2026', 'vaccination', $2, 'department', 'Ward 3', $3, '09:00', '17:00', 'running') RETURNING id)
		INSERT INTO campaign_members (campaign_id, staff_id, state, sent_at)
		SELECT c.id, s.id, 'sent', $3 FROM c, staff s WHERE s.mobile = $4 RETURNING id`,
		f.orgID, vaccine, f.at, annMobile).Scan(&member)
	if err != nil {
		t.Fatal(err)
	}
	return member
}

// invite opens Ann's vaccination conversation for campaign member member
// (0: none, as `ohcontact chat` has), as the campaign's sender would.
func (f *runnerFixture) invite(t *testing.T, member int64) {
	t.Helper()
	f.startFlow(t, dialogs.FlowVaccination)
	if member != 0 {
		if _, err := f.db.Pool.Exec(t.Context(), `UPDATE conversations SET campaign_member_id = $1
			WHERE id = (SELECT max(id) FROM conversations WHERE address = $2)`, member, annMobile); err != nil {
			t.Fatal(err)
		}
	}
}

type memberRow struct {
	state, outcome, detail string
}

func (f *runnerFixture) member(t *testing.T, id int64) memberRow {
	t.Helper()
	var r memberRow
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT state, coalesce(outcome, '-'), outcome_detail::text FROM campaign_members WHERE id = $1`, id).
		Scan(&r.state, &r.outcome, &r.detail); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRunnerRecordsVaccinationOutcomes: a reply to a campaign's invitation
// lands on its campaign member, in the reply's transaction; a question
// opens a routine case for the OH team with its SLA, which is what the
// reply promises; a conversation opened for no campaign member records
// nothing and says the same.
func TestRunnerRecordsVaccinationOutcomes(t *testing.T) {
	t.Parallel()
	f := newRunnerFixture(t)
	ctx := t.Context()

	flu := f.campaignMember(t, "flu")
	f.invite(t, flu)
	f.send(t, annMobile, "got it at Boots last week")
	v := f.conversation(t, annMobile)
	if got := f.member(t, flu); got != (memberRow{"replied", "had_elsewhere", `{"date": "2026-11-11", "where": "pharmacy"}`}) {
		t.Errorf("after \"got it at Boots last week\": member %+v; want replied, had elsewhere at a pharmacy a week ago", got)
	}
	if v.status != "closed" || !strings.Contains(v.lastReply, "noted that you've had it") {
		t.Errorf("conversation %+v; want it closed with thanks", v)
	}

	covid := f.campaignMember(t, "COVID-19")
	f.invite(t, covid)
	f.send(t, annMobile, "can I have it if I'm pregnant?")
	v = f.conversation(t, annMobile)
	if got := f.member(t, covid); got.state != "replied" || got.outcome != "question" {
		t.Errorf("after a question: member %+v; want replied, question", got)
	}
	var priority, status, category string
	var due time.Time
	if err := f.db.Pool.QueryRow(ctx, `SELECT priority, status, category, sla_due_at FROM cases WHERE conversation_id = $1`, v.id).
		Scan(&priority, &status, &category, &due); err != nil {
		t.Fatalf("no case for the question: %v (last reply %q)", err, v.lastReply)
	}
	// Asked on Wednesday 18 November at 10:00: due Friday at 10:00, the
	// 2 working days the reply promised.
	if priority != "routine" || status != "open" || category != "vaccination_question" ||
		!due.Equal(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("question case %s, %s, %s, due %s; want a routine open vaccination_question due in 2 working days", priority, status, category, due)
	}
	if v.owner != "clinician" || v.status != "open" || !strings.Contains(v.lastReply, "within 2 working days") {
		t.Errorf("conversation %+v; want it open with the OH team, who will reply within 2 working days", v)
	}
	var checks int
	f.db.Pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'case_sla_check'`).Scan(&checks)
	if checks != 1 {
		t.Errorf("%d SLA checks, want the question case's", checks)
	}
	if _, err := f.db.Pool.Exec(ctx, `UPDATE conversations SET status = 'closed', closed_reason = 'completed', closed_at = now() WHERE id = $1`, v.id); err != nil {
		t.Fatal(err)
	}

	// No campaign member: the same reply, and nothing recorded.
	f.invite(t, 0)
	f.send(t, annMobile, "I've booked")
	if v := f.conversation(t, annMobile); v.status != "closed" || !strings.HasPrefix(v.lastReply, "Thank you for booking") {
		t.Errorf("with no campaign member: %+v; want the booking thanked", v)
	}
	var outcomes int
	f.db.Pool.QueryRow(ctx, `SELECT count(*) FROM campaign_members WHERE outcome = 'booked'`).Scan(&outcomes)
	if outcomes != 0 {
		t.Errorf("%d members booked by a conversation opened for none", outcomes)
	}
}

// TestQuestionPromiseIsTheRoutineSLA: the vaccination flow tells a person
// who asks a question that OH will reply within the routine SLA's working
// days; a change to one must change the other.
func TestQuestionPromiseIsTheRoutineSLA(t *testing.T) {
	if dialogs.QuestionReplyDays != escalation.DefaultSLA.RoutineWorkingDays {
		t.Errorf("the flow promises a reply within %d working days, the routine SLA is %d", dialogs.QuestionReplyDays,
			escalation.DefaultSLA.RoutineWorkingDays)
	}
}
