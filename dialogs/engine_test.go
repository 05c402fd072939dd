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
	want := []string{FlowAbsenceReport, FlowStressCheckin, FlowMSKCheckin, FlowLongTermCheckin, FlowSupport, FlowVaccination, FlowNewStarter}
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
	// A vaccination invitation needs its vaccine, and a clinic in the
	// organisation's directory.
	if _, err := e.Start(FlowVaccination, info); !errors.Is(err, ErrNoVaccine) {
		t.Errorf("vaccination without a vaccine: %v", err)
	}
	noClinic := signposting.Demo()
	noClinic.Organisations[0].Vaccination = nil
	b, err := locales.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	bare, err := New(b, noClinic)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bare.Start(FlowVaccination, StartInfo{Org: signposting.DemoCode, Vaccine: "flu"}); !errors.Is(err, ErrNoClinic) {
		t.Errorf("vaccination without a clinic: %v", err)
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
