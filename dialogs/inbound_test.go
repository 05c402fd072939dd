package dialogs

import (
	"slices"
	"strings"
	"testing"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/signposting"
)

func TestInboundTalk(t *testing.T) {
	e := newTestEngine(t)
	r, err := e.Inbound(StartInfo{Org: signposting.DemoCode, Channel: ohcontact.ChannelWebChat}, Input{Text: "agent please"})
	if err != nil {
		t.Fatal(err)
	}
	if r.State.Step != StateHandedOver || !r.Done || !strings.Contains(FormatEffects(r.Effects), "handover") {
		t.Errorf("TALK with no conversation: %s %s", r.State.Step, FormatEffects(r.Effects))
	}
}

// TestIntentNeverOptsOut: a message the intent model reads as a wish to
// stop, but that is no STOP keyword, is told how to opt out and is never
// opted out on the guess: not as a first message, and not at any state of
// any flow.
func TestIntentNeverOptsOut(t *testing.T) {
	e := newTestEngine(t)
	texts := []string{"take me off your list", "I don't want these messages", "Peidiwch â anfon negeseuon ata i eto",
		"Proszę nie pisać do mnie więcej"}
	optsOut := func(effects []Effect) bool {
		return slices.ContainsFunc(effects, func(ef Effect) bool { _, ok := ef.(OptOut); return ok })
	}
	for _, text := range texts {
		if k, _ := ParseKeyword(text); k != KeywordNone {
			t.Fatalf("%q is keyword %s: the test needs messages that are not", text, k)
		}
		if got := e.intents.Classify(text).Intent; got != "stop" {
			t.Fatalf("the intent model reads %q as %s, not stop: the test needs messages it reads as stop", text, got)
		}
		r, err := e.Inbound(StartInfo{Org: signposting.DemoCode, Channel: ohcontact.ChannelSMS}, Input{Text: text, Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		if optsOut(r.Effects) || !r.Done || len(r.Replies) != 1 || r.Replies[0].MessageID != "optout_how" {
			t.Errorf("Inbound(%q) = %+v, want one optout_how reply, closed, and no opt-out", text, r)
		}
		for _, name := range e.Flows() {
			for st := range e.flows[name].nodes {
				if e.flows[name].terminal(st) {
					continue
				}
				state := State{Flow: name, Step: st, Org: signposting.DemoCode, Channel: ohcontact.ChannelSMS, Verified: true, Known: true, FirstName: "Sam"}
				r, err := e.Step(state, Input{Text: text, Now: testNow})
				if err != nil {
					t.Fatalf("%s/%s: %v", name, st, err)
				}
				if optsOut(r.Effects) || r.State.Step == StateOptedOut {
					t.Errorf("%s/%s: %q opted out", name, st, text)
				}
			}
		}
	}
}

// TestInboundIntents: a first message in words starts what it is about
// (Engine.Inbound), and a keyword still wins over the model.
func TestInboundIntents(t *testing.T) {
	e := newTestEngine(t)
	tests := []struct {
		text, flow, step string
		reply            string // a message id among the replies
	}{
		{"Hi, I'm off sick today, I've got flu", FlowAbsenceReport, "identify", ""},
		{"wont be in 2day, d&v", FlowAbsenceReport, "identify", ""},
		{"can someone from OH ring me please", FlowSupport, StateHandedOver, "talk_ack"},
		{"I'm back at work today", FlowSupport, supportMenuState, "back_at_work_ack"},
		{"my back is killing me", FlowSupport, supportMenuState, "support_more"},
		{"who is this?", FlowSupport, supportMenuState, "support_menu"},
		{"under the weather today", FlowSupport, supportAskAbsence, "intent_ask_absence"},
		{"pen tost ofnadwy", FlowSupport, supportAskAbsence, "intent_ask_absence"},
		{"HELP", FlowSupport, supportMenuState, "support_menu"},
		{"STOP", FlowSupport, StateOptedOut, "optout_confirm"},
	}
	for _, tt := range tests {
		r, err := e.Inbound(StartInfo{Org: signposting.DemoCode, Channel: ohcontact.ChannelSMS, Known: true, FirstName: "Sam"}, Input{Text: tt.text, Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		if r.State.Flow != tt.flow || r.State.Step != tt.step {
			t.Errorf("Inbound(%q) is at %s/%s, want %s/%s", tt.text, r.State.Flow, r.State.Step, tt.flow, tt.step)
		}
		if tt.reply != "" && !slices.ContainsFunc(r.Replies, func(rep Reply) bool { return rep.MessageID == tt.reply }) {
			t.Errorf("Inbound(%q) replied %+v, want %s among them", tt.text, r.Replies, tt.reply)
		}
	}
}
