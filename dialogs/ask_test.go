package dialogs

import (
	"strings"
	"testing"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/signposting"
)

// TestAskAnswers checks each kind of answer to the direct question, in the
// engine alone: what it says, the state it leaves and the effects it asks
// the runner for.
func TestAskAnswers(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	tests := []struct {
		name, answer string
		want         ohcontact.Priority // the risk pathway's priority; "" for none
		wantStep     string
		wantAsking   bool
		wantEffects  string
		wantReply    string
	}{
		{"yes", "yes", ohcontact.PriorityUrgent, StateRiskPathway, false, "risk_pathway(urgent", "999"},
		{"yes in words", "yeah I have been", ohcontact.PriorityUrgent, StateRiskPathway, false, "risk_pathway(urgent", "999"},
		{"no", "no", "", stressAskMood, false, "", "How are you feeling today?"},
		{"unclear", "sometimes i guess", ohcontact.PriorityHigh, StateRiskPathway, false, "risk_pathway(high", "999"},
		{"talk is unclear", "TALK", ohcontact.PriorityHigh, StateRiskPathway, false, "risk_pathway(high", "999"},
		{"stop", "STOP", "", StateOptedOut, false, "request_clinician(high, opted_out_when_asked", ""},
		{"language asks again", "Cymraeg", "", stressAskMood, true, "switch_language(cy)", "meddyliau am ddod"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start, err := e.Start(FlowStressCheckin, StartInfo{Org: signposting.DemoCode, Channel: ohcontact.ChannelSMS, Known: true})
			if err != nil {
				t.Fatal(err)
			}
			mood, err := e.Step(start.State, Input{Text: "yes", Now: testNow})
			if err != nil {
				t.Fatal(err)
			}
			asked, err := e.Ask(mood.State, ohcontact.RiskResult{Priority: ohcontact.PriorityNone, Ask: true}, testNow)
			if err != nil {
				t.Fatal(err)
			}
			if asked.State.AskedAt == nil || asked.State.Step != stressAskMood || !strings.Contains(asked.Replies[0].Text, "ending your life") {
				t.Fatalf("Ask: %s", FormatResult(asked))
			}
			got, err := e.Step(roundTrip(t, asked.State), Input{Text: tt.answer, Now: testNow})
			if err != nil {
				t.Fatal(err)
			}
			effects := FormatEffects(got.Effects)
			last := ""
			if len(got.Replies) > 0 {
				last = got.Replies[len(got.Replies)-1].Text
			}
			if got.State.Step != tt.wantStep || (got.State.AskedAt != nil) != tt.wantAsking ||
				!strings.Contains(effects, tt.wantEffects) || !strings.Contains(last, tt.wantReply) {
				t.Errorf("answer %q: %s\nwant step %s, asking %v, effects with %q, last reply with %q",
					tt.answer, FormatResult(got), tt.wantStep, tt.wantAsking, tt.wantEffects, tt.wantReply)
			}
			if tt.want == "" && strings.Contains(effects, "risk_pathway") {
				t.Errorf("answer %q took the risk pathway: %s", tt.answer, effects)
			}
		})
	}
}
