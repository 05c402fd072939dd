package dialogs_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/dialogs"
	"github.com/ohcontact/ohcontact/postgres"
)

// disclosure is a free-text risk disclosure in the middle of a flow.
const disclosure = "honestly ive been saving up my tablets so i can take them all"

// TestRiskDisclosureMidFlowTranscripts interrupts each flow, part-way
// through, with a disclosure sent through the runner (real database, real
// risk screen), and writes what the person saw to
// testdata/runner/<flow>_risk-disclosure.txt: crisis contacts at once, the flow
// stopped, the conversation with clinicians, an urgent case, and
// afterwards no bot reply but the holding line (runner_holding_test.go).
func TestRiskDisclosureMidFlowTranscripts(t *testing.T) {
	t.Parallel()
	firstReply := map[string]string{
		dialogs.FlowAbsenceReport:   "Ann",
		dialogs.FlowStressCheckin:   "yes",
		dialogs.FlowMSKCheckin:      "yes",
		dialogs.FlowLongTermCheckin: "yes",
		dialogs.FlowSupport:         "1",
		dialogs.FlowVaccination:     "1",
		dialogs.FlowNewStarter:      "ok",
	}
	for flow, first := range firstReply {
		t.Run(flow, func(t *testing.T) {
			t.Parallel()
			f := newRunnerFixture(t)
			f.startFlow(t, flow)
			f.send(t, annMobile, first)
			f.send(t, annMobile, disclosure)
			afterDisclosure := f.conversation(t, annMobile)
			f.send(t, annMobile, "hello? is anyone there")
			f.send(t, annMobile, "please")
			v := f.conversation(t, annMobile)

			if !strings.Contains(afterDisclosure.lastReply, "999") || afterDisclosure.urgentOut == 0 {
				t.Errorf("the reply to a disclosure was %q, want crisis contacts sent at once", afterDisclosure.lastReply)
			}
			if v.owner != "clinician" || v.state != dialogs.StateRiskPathway || v.outbound != afterDisclosure.outbound+1 {
				t.Errorf("after the disclosure: %+v; want the flow stopped, clinicians owning it and the bot silent but for one holding line", v)
			}
			var priority string
			f.db.Pool.QueryRow(t.Context(), `SELECT priority FROM cases WHERE conversation_id = $1`, v.id).Scan(&priority)
			if priority != "urgent" {
				t.Errorf("case priority %q, want urgent", priority)
			}
			dialogs.CheckGolden(t, filepath.Join("testdata", "runner", flow+"_risk-disclosure.txt"), f.transcript(t, flow, v.id))
		})
	}
}

// startFlow opens a conversation with Ann in flow (a vaccination
// invitation is to the flu vaccine), as a trigger's first contact would, with the flow's opening texts stored as sent.
func (f *runnerFixture) startFlow(t *testing.T, flow string) {
	t.Helper()
	f.startFlowOn(t, flow, ohcontact.ChannelSMS, annMobile, "en-GB")
}

// startFlowOn opens a conversation with Ann in flow on channel at address
// (her mobile, or a web chat session signed in as her), in lang.
func (f *runnerFixture) startFlowOn(t *testing.T, flow string, channel ohcontact.Channel, address, lang string) {
	t.Helper()
	ctx := t.Context()
	info := dialogs.StartInfo{Org: "DEMO", Channel: channel, Lang: lang, Known: true, FirstName: "Ann",
		IdentityConfirmed: channel == ohcontact.ChannelWebChat}
	if flow == dialogs.FlowVaccination {
		info.Vaccine = "flu"
	}
	res, err := f.runner.Engine.Start(flow, info)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(res.State)
	err = f.db.InTx(ctx, func(tx pgx.Tx) error {
		var ann int64
		if err := tx.QueryRow(ctx, `SELECT id FROM staff WHERE mobile = $1`, annMobile).Scan(&ann); err != nil {
			return err
		}
		opened, err := postgres.OpenConversations(ctx, tx, []ohcontact.Conversation{{OrganisationID: f.runner.DefaultOrganisation.ID,
			StaffID: ann, Channel: channel, Address: address, Flow: flow, State: res.State.Step, Data: data, Language: lang}})
		if err != nil {
			return err
		}
		c, ok := opened[postgres.KeyFor(ann, channel, address)]
		if !ok {
			return fmt.Errorf("Ann already has an open conversation")
		}
		for _, r := range res.Replies {
			m := ohcontact.Message{Direction: ohcontact.DirectionOutbound, Author: ohcontact.AuthorBot, Body: r.Text}
			if err := postgres.AppendMessage(ctx, tx, &c, &m); err != nil {
				return err
			}
		}
		return postgres.SaveConversation(ctx, tx, &c, "")
	})
	if err != nil {
		t.Fatalf("start %s: %v", flow, err)
	}
}

// transcript renders conversation id as a clinician reads it.
func (f *runnerFixture) transcript(t *testing.T, flow string, id int64) string {
	t.Helper()
	return f.transcriptWith(t, id, fmt.Sprintf("# Transcript %s_risk-disclosure, written by go test ./dialogs -update. Read it as a conversation:\n", flow)+
		"# \"<\" is the bot, \">\" the staff member. The flow starts as a trigger's first contact; a risk\n"+
		"# disclosure part-way through stops it, sends crisis contacts and hands the conversation to clinicians.\n")
}

// transcriptWith renders conversation id under header.
func (f *runnerFixture) transcriptWith(t *testing.T, id int64, header string) string {
	t.Helper()
	rows, err := f.db.Pool.Query(t.Context(), `SELECT direction, body FROM messages WHERE conversation_id = $1 ORDER BY seq`, id)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(header)
	for rows.Next() {
		var direction, body string
		if err := rows.Scan(&direction, &body); err != nil {
			t.Fatal(err)
		}
		mark := "<"
		if direction == "inbound" {
			mark = ">"
		}
		fmt.Fprintf(&b, "%s %s\n", mark, body)
	}
	var owner, state, priority, category string
	err = f.db.Pool.QueryRow(t.Context(), `SELECT v.owner, v.fsm_state, coalesce(c.priority, 'none'), coalesce(c.category, '-')
		FROM conversations v LEFT JOIN cases c ON c.conversation_id = v.id WHERE v.id = $1`, id).Scan(&owner, &state, &priority, &category)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "# owner: %s  state: %s  case: %s %s\n", owner, state, priority, category)
	return b.String()
}
