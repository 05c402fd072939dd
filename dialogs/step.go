package dialogs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/looplab/fsm"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/dialogs/intent"
)

// Step handles one inbound message in a conversation whose saved state is
// state, and returns the new state (the input state is not modified),
// replies and effects. The caller runs the risk screen first; Step does not
// screen free text, except that a PHQ-9 item 9 answer above 0 gives a
// RiskPathway effect, and so does a yes or an unclear answer to the direct
// question (Ask).
//
// Step returns ErrFinished when state is terminal.
func (e *Engine) Step(state State, in Input) (Result, error) {
	s, err := e.session(state, in)
	if err != nil {
		return Result{}, err
	}
	if s.st.AskedAt != nil {
		if err := s.answerAsk(in.Text); err != nil {
			return Result{}, err
		}
		return s.result()
	}
	if s.flow.terminal(s.st.Step) {
		return Result{}, ErrFinished
	}
	if s.st.Step == stateFeedbackComment && s.commentIsInput(in.Text) {
		return e.inboundAfterFeedback(s.st, in)
	}
	n, ok := s.flow.nodes[s.st.Step]
	if !ok {
		return Result{}, fmt.Errorf("%w %s: %q", ErrUnknownState, s.st.Flow, s.st.Step)
	}
	if err := s.handle(n, in.Text); err != nil {
		return Result{}, err
	}
	return s.result()
}

// fire sends event to the flow's machine, rebuilt from the saved state, and
// moves to the state it lands in, then says that state's prompt. A
// self-transition (fsm.NoTransitionError) means "stay" and says the node's
// again prompt.
func (s *session) fire(event string) error {
	from := s.st.Step
	m := fsm.NewFSM(from, s.flow.events, s.flow.callbacks)
	s.entered = ""
	err := m.Event(context.Background(), event, s)
	var noTransition fsm.NoTransitionError
	switch {
	case errors.As(err, &noTransition):
	case err != nil:
		return fmt.Errorf("dialogs: %s: event %s in state %s: %w", s.flow.name, event, from, err)
	}
	s.st.Step = m.Current()
	if s.st.Step != from {
		s.st.Reprompts = 0
	}
	n := s.flow.nodes[s.st.Step]
	switch {
	case n == nil:
		return fmt.Errorf("%w %s: %q", ErrUnknownState, s.flow.name, s.st.Step)
	case s.st.Step == from && n.again != nil:
		n.again(s)
	case n.prompt != nil:
		n.prompt(s)
	}
	return nil
}

// handle runs the keywords every step understands, then the node's own
// answer handler.
func (s *session) handle(n *node, text string) error {
	norm := normalize(text)
	k, lang := parseKeyword(norm)
	switch k {
	case KeywordOptOut:
		s.effect(OptOut{})
		return s.fire(evOptOut)
	case KeywordOptIn:
		s.effect(OptIn{})
		s.say("optin_confirm", s.ohData(), false)
		s.reprompt(n)
		return nil
	case KeywordHelp:
		if s.flow.name == FlowNewStarter && containsAny(" "+norm+" ", nsHelpPhrases) {
			break // "help me" to a welcome asks the OH team for help (new_starter.go)
		}
		s.say("help", s.ohData(), false)
		s.reprompt(n)
		return nil
	case KeywordLanguage:
		s.st.Lang = lang
		s.loc = s.e.localizer(lang)
		s.effect(SwitchLanguage{Lang: lang})
		s.say("language_switched", nil, false)
		s.reprompt(n)
		return nil
	case KeywordTalk:
		return s.talk()
	case KeywordAbsence:
		if s.flow.name != FlowAbsenceReport {
			return s.switchFlow(FlowAbsenceReport)
		}
	case KeywordSupport:
		if s.flow.name != FlowSupport {
			return s.switchFlow(FlowSupport)
		}
		if s.st.Step == supportAskAbsence {
			s.record(answerAskAbsence, "no")
			return s.fire(evNo) // the menu
		}
		s.reprompt(n)
		return nil
	}
	s.repromptID = ""
	ev := n.answer(s, answer{raw: text, norm: norm})
	if s.err != nil {
		return s.err
	}
	switch ev {
	case evStay:
		return nil
	case "":
	default:
		return s.fire(ev)
	}
	if done, err := s.menuIntent(n, text); done {
		return err
	}
	if n.notGiven != nil && s.st.Reprompts >= 1 {
		return s.fire(n.notGiven(s))
	}
	s.st.Reprompts++
	if s.st.Reprompts >= maxReprompts {
		if s.st.Step == StateOfferPerson {
			// Still no usable answer after the offer: ask OH to get in
			// touch rather than leave someone who may be struggling.
			s.effect(RequestClinician{Priority: ohcontact.PriorityRoutine, Reason: "could_not_understand"})
			s.say("offer_person_gave_up", nil, false)
		}
		return s.fire(evUnclear)
	}
	id := n.expect.reprompt()
	if s.repromptID != "" {
		id = s.repromptID
	}
	s.say(id, map[string]any{"N": n.menuSize, "Options": s.options(n)}, false)
	return nil
}

// options returns the numbered option lines ("1 Less than 2 weeks") of
// n's question as its prompt says them, so that a re-prompt after a miss
// repeats the choices instead of only their range. The prompt is rendered
// and taken back: it leaves no reply or effect behind.
func (s *session) options(n *node) string {
	if n.prompt == nil || (n.expect != expectMenu && n.expect != expectMultiMenu) {
		return ""
	}
	replies, effects := len(s.replies), len(s.effects)
	n.prompt(s)
	var lines []string
	for _, r := range s.replies[replies:] {
		for _, line := range strings.Split(r.Text, "\n") {
			num, _, ok := strings.Cut(line, " ")
			if _, err := strconv.Atoi(num); ok && err == nil {
				lines = append(lines, line)
			}
		}
	}
	s.replies, s.effects = s.replies[:replies], s.effects[:effects]
	return strings.Join(lines, "\n")
}

// talk asks for a person and hands the conversation over (TALK).
func (s *session) talk() error {
	s.effect(RequestClinician{Priority: ohcontact.PriorityRoutine, Reason: "asked_to_talk", Handover: true})
	return s.fire(evTalk)
}

// menuIntent reads an answer a menu did not understand with the intent
// model (dialogs/intent): an absence report starts the absence report
// (as SICK does; not within it); at a menu that asks (n.askAbsence), a
// message that may be one is asked about; an intent the menu offers
// (n.byIntent) picks that option; a wish to stop is told to text STOP
// (never opted out on a guess). It reports whether it handled the answer.
func (s *session) menuIntent(n *node, text string) (bool, error) {
	if n.expect != expectMenu && n.expect != expectMultiMenu {
		return false, nil
	}
	r := s.intentOf(text)
	got := r.Intent
	switch {
	case got == intent.Absence && s.flow.name != FlowAbsenceReport:
		return true, s.switchFlow(FlowAbsenceReport)
	case r.AskAbsence && n.askAbsence:
		return true, s.askAbsence()
	case n.choose != nil && len(n.byIntent[got]) > 0:
		return true, s.fire(n.choose(s, n.byIntent[got]))
	case got == intent.Stop:
		s.say("optout_how", s.ohData(), false)
		return true, nil
	}
	return false, nil
}

// reprompt repeats the node's question (after HELP, START or a language
// switch).
func (s *session) reprompt(n *node) {
	if n.prompt != nil {
		n.prompt(s)
	}
}

// switchFlow leaves the current flow for another (SICK, SUPPORT), keeping
// who and how, and says the new flow's opening.
func (s *session) switchFlow(flow string) error {
	f := s.e.flows[flow]
	s.st = State{
		Flow: flow, Step: f.initial, Lang: s.st.Lang, Org: s.st.Org, Channel: s.st.Channel,
		Verified: s.st.Verified, Known: s.st.Known, FirstName: s.st.FirstName,
		Signposted: s.st.Signposted, Told: s.st.Told, AskedDirectly: s.st.AskedDirectly,
	}
	s.flow = f
	f.start(s)
	return nil
}
