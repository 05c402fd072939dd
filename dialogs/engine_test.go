package dialogs

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/looplab/fsm"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/locales"
	"github.com/ohcontact/ohcontact/signposting"
)

func TestFlows(t *testing.T) {
	e := newTestEngine(t)
	want := []string{FlowAbsenceReport, FlowStressCheckin, FlowMSKCheckin, FlowLongTermCheckin, FlowSupport}
	if got := e.Flows(); !slices.Equal(got, want) {
		t.Fatalf("Flows() = %v, want %v", got, want)
	}
	for _, name := range want {
		f := e.flows[name]
		// Every state an event leads to or from has a node; every
		// non-terminal node can be answered and is reachable.
		reach := map[string]bool{f.initial: true}
		for changed := true; changed; {
			changed = false
			for _, ev := range f.events {
				for _, src := range ev.Src {
					if reach[src] && !reach[ev.Dst] {
						reach[ev.Dst] = true
						changed = true
					}
				}
			}
		}
		for _, ev := range f.events {
			for _, st := range append(slices.Clone(ev.Src), ev.Dst) {
				if f.nodes[st] == nil {
					t.Errorf("%s: event %s uses state %q with no node", name, ev.Name, st)
				}
			}
		}
		for st, n := range f.nodes {
			if !reach[st] {
				t.Errorf("%s: state %s cannot be reached", name, st)
			}
			if !f.terminal(st) && (n.answer == nil || n.prompt == nil) {
				t.Errorf("%s: state %s has no prompt or answer", name, st)
			}
			if strings.Contains(st, "-") {
				t.Errorf("%s: state %s has a hyphen (Mermaid cannot draw it)", name, st)
			}
		}
		for _, st := range []string{StateClosed, StateOptedOut, StateHandedOver} {
			if !reach[st] {
				t.Errorf("%s: %s cannot be reached", name, st)
			}
		}
		m, err := e.FSM(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, typ := range []fsm.VisualizeType{fsm.MERMAID, fsm.GRAPHVIZ} {
			if out, err := fsm.VisualizeWithType(m, typ); err != nil || !strings.Contains(out, StateOptedOut) {
				t.Errorf("%s: %s diagram: %v\n%s", name, typ, err, out)
			}
		}
	}
	if _, err := e.FSM("nope"); !errors.Is(err, ErrUnknownFlow) {
		t.Errorf("FSM(nope) err = %v", err)
	}
}

func TestStepIsPure(t *testing.T) {
	e := newTestEngine(t)
	state := State{Flow: FlowStressCheckin, Step: stressPHQ2, Lang: "en-GB", Org: signposting.DemoCode,
		Channel: ohcontact.ChannelSMS, Verified: true, Answers: map[string]string{"phq2.1": "2"},
		Signposted: []string{"wellbeing_hub"}}
	before := maps.Clone(state.Answers)
	r, err := e.Step(state, Input{Text: "2", Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(state.Answers, before) {
		t.Errorf("Step changed the caller's answers: %v", state.Answers)
	}
	if r.State.Step != stressPHQ9 || r.State.Answers["phq2.score"] != "4" {
		t.Errorf("state = %s %v, want phq9_9 with score 4", r.State.Step, r.State.Answers)
	}
	r2, _ := e.Step(state, Input{Text: "2", Now: testNow})
	if FormatEffects(r.Effects) != FormatEffects(r2.Effects) || r.Replies[0] != r2.Replies[0] {
		t.Error("the same input gave a different result")
	}
}

func TestErrors(t *testing.T) {
	e := newTestEngine(t)
	info := StartInfo{Org: signposting.DemoCode, Channel: ohcontact.ChannelSMS, Known: true, FirstName: "Sam"}
	if _, err := e.Start("nope", info); !errors.Is(err, ErrUnknownFlow) {
		t.Errorf("unknown flow: %v", err)
	}
	if _, err := e.Start(FlowSupport, StartInfo{Org: "NOPE"}); !errors.Is(err, ErrUnknownOrganisation) {
		t.Errorf("unknown organisation: %v", err)
	}
	st := State{Flow: FlowSupport, Step: "nowhere", Org: signposting.DemoCode}
	if _, err := e.Step(st, Input{Text: "1"}); !errors.Is(err, ErrUnknownState) {
		t.Errorf("unknown state: %v", err)
	}
	st = State{Flow: FlowAbsenceReport, Step: absAskStart, Org: signposting.DemoCode, Known: true, Verified: true}
	if _, err := e.Step(st, Input{Text: "today"}); !errors.Is(err, ErrNoTime) {
		t.Errorf("no time: %v", err)
	}
	// Opt-out needs no clock, in any state.
	if r, err := e.Step(st, Input{Text: "STOP"}); err != nil || r.State.Step != StateOptedOut {
		t.Errorf("STOP without a clock: %v %v", r.State.Step, err)
	}
	if _, err := New(nil, signposting.Demo()); err == nil {
		t.Error("New(nil bundle) succeeded")
	}
	b, _ := locales.Bundle()
	if _, err := New(b, &signposting.Directory{}); err == nil {
		t.Error("New with an invalid directory succeeded")
	}
}

func TestOptOutAtEveryStep(t *testing.T) {
	e := newTestEngine(t)
	for _, name := range e.Flows() {
		f := e.flows[name]
		for st := range f.nodes {
			if f.terminal(st) {
				continue
			}
			state := State{Flow: name, Step: st, Lang: "cy", Org: signposting.DemoCode, Channel: ohcontact.ChannelSMS,
				Verified: true, Known: true, FirstName: "Sam",
				Answers: map[string]string{"absence.starts_on": "2026-11-17", "absence.reason_code": "S10"}}
			r, err := e.Step(state, Input{Text: "Stop", Now: testNow})
			if err != nil {
				t.Fatalf("%s/%s: %v", name, st, err)
			}
			if !r.Done || r.State.Step != StateOptedOut || FormatEffects(r.Effects) != "opt_out, close(opted_out)" {
				t.Errorf("%s/%s: STOP gave %s %s", name, st, r.State.Step, FormatEffects(r.Effects))
			}
			if len(r.Replies) != 1 || !strings.Contains(r.Replies[0].Text, "START") {
				t.Errorf("%s/%s: opt-out confirmation %v does not say how to opt back in", name, st, r.Replies)
			}
		}
	}
}

func TestCrisisReply(t *testing.T) {
	e := newTestEngine(t)
	for _, lang := range locales.Languages {
		for _, ch := range []ohcontact.Channel{ohcontact.ChannelSMS, ohcontact.ChannelWebChat} {
			text := e.CrisisReply(lang, signposting.DemoCode, ch, true)
			for _, want := range []string{"999", "111", "116 123", "SHOUT", "85258"} {
				if !strings.Contains(text, want) {
					t.Errorf("%s %s crisis text lacks %q: %s", lang, ch, want, text)
				}
			}
			if ch == ohcontact.ChannelWebChat {
				// Anonymous: the same numbers, and no promise of a contact
				// nobody can make.
				anon := e.CrisisReply(lang, signposting.DemoCode, ch, false)
				if anon == text || !strings.Contains(anon, "116 123") || !strings.Contains(anon, "e-") && lang != "en-GB" ||
					lang == "en-GB" && (strings.Contains(anon, "who will contact you") || !strings.Contains(anon, "email address")) {
					t.Errorf("%s anonymous crisis text: %s", lang, anon)
				}
			}
			if ch == ohcontact.ChannelSMS {
				if p := locales.Check(lang, text); len(p) > 0 {
					t.Errorf("%s SMS crisis text: %v", lang, p)
				}
			}
		}
	}
	// An unknown organisation still gets the national numbers.
	if text := e.CrisisReply("xx", "NOPE", ohcontact.ChannelSMS, true); !strings.Contains(text, "116 123") {
		t.Errorf("crisis text for an unknown organisation: %s", text)
	}
}

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

// BenchmarkStep measures one step: an answer to a PHQ-2 item, which
// rebuilds the machine, reads the answer, fires an event and renders the
// next question.
func BenchmarkStep(b *testing.B) {
	e := newTestEngine(b)
	state := State{Flow: FlowStressCheckin, Step: stressPHQ1, Lang: "en-GB", Org: signposting.DemoCode,
		Channel: ohcontact.ChannelSMS, Verified: true, Answers: map[string]string{"consent": "yes", "mood": "2"}}
	in := Input{Text: "1", Now: testNow}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Step(state, in); err != nil {
			b.Fatal(err)
		}
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
