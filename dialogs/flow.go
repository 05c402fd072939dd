package dialogs

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/looplab/fsm"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/dialogs/intent"
)

// answer is one inbound text, raw and normalised.
type answer struct {
	raw, norm string
}

// expect says what kind of answer a node wants, for its re-prompt.
type expect int

const (
	expectAny expect = iota
	expectYesNo
	expectMenu
	expectMultiMenu
	expectScale
	expectName
	expectStartDate
	expectReturnDate
)

func (x expect) reprompt() string {
	switch x {
	case expectYesNo:
		return "reprompt_yesno"
	case expectMenu:
		return "reprompt_menu"
	case expectMultiMenu:
		return "reprompt_multi"
	case expectScale:
		return "reprompt_scale"
	case expectName:
		return "reprompt_name"
	case expectStartDate:
		return "reprompt_start_date"
	case expectReturnDate:
		return "reprompt_return_date"
	}
	return "reprompt_any"
}

// Event names shared by every flow.
const (
	evOptOut  = "opt_out"
	evTalk    = "talk"
	evUnclear = "unclear"
	evYes     = "yes"
	evNo      = "no"
	// evStay is returned by an answer handler that has handled the answer
	// (and said something) without moving; no event is fired.
	evStay = "-"
)

// node is one state of a flow: what is said on entering it, and how an
// answer in it is read.
type node struct {
	expect   expect
	menuSize int // for expectMenu / expectMultiMenu: the number meaning "done", or the last option
	// prompt is said on entering the state (and after HELP or a language
	// switch).
	prompt func(s *session)
	// again is said when an answer keeps the flow in the same state (a
	// menu offering more).
	again func(s *session)
	// answer reads a usable answer, records it (effects, answers, replies)
	// and returns the event to fire, or "" when the answer is unusable.
	answer func(s *session, a answer) string
	// notGiven, when set, takes a second unusable answer in a row instead
	// of re-prompting again: it records the answer as not given and
	// returns the event to fire (the question is skipped, not the flow).
	notGiven func(s *session) string
	// choose, on a menu of support options, takes the options chosen and
	// returns the event to fire; byIntent are the options a message about
	// an intent picks ("I can't pay my rent": money worries).
	choose   func(s *session, choices []int) string
	byIntent map[intent.Intent][]int
	// askAbsence, on the support menu, asks about an answer the intent
	// model may read as an absence report (intent.Result.AskAbsence)
	// instead of re-prompting or picking an option.
	askAbsence bool
}

// flowDef is one flow: its machine and its nodes.
type flowDef struct {
	name    string
	initial string
	events  fsm.Events
	nodes   map[string]*node
	// start says the flow's opening (in state initial, which it may change
	// by firing an event).
	start     func(s *session)
	callbacks fsm.Callbacks
	terminals map[string]bool
}

func (f *flowDef) terminal(state string) bool { return f.terminals[state] }

// build adds the states and events every flow has: opt-out, a request to
// talk, and three unusable answers leading to an offer of a person, from
// every non-terminal state; the offer itself; and the terminal states.
func (f *flowDef) build() {
	f.terminals = map[string]bool{StateClosed: true, StateOptedOut: true, StateHandedOver: true, StateRiskPathway: true}
	f.nodes[StateOfferPerson] = &node{expect: expectYesNo,
		prompt: func(s *session) { s.say("offer_person", nil, false) },
		answer: func(s *session, a answer) string {
			switch parseYesNo(a.norm) {
			case ynYes:
				s.effect(RequestClinician{Priority: ohcontact.PriorityRoutine, Reason: "could_not_understand", Handover: true})
				return evYes
			case ynNo, ynNotNow:
				return evNo
			}
			return ""
		}}
	f.nodes[StateClosed] = &node{prompt: closing}
	f.nodes[StateOptedOut] = &node{prompt: func(s *session) {
		s.say("optout_confirm", s.ohData(), false)
		s.effect(Close{Reason: "opted_out"})
	}}
	f.nodes[StateHandedOver] = &node{prompt: func(s *session) {
		if !s.skipClosing { // else the handler has said what happens next
			s.say("talk_ack", map[string]any{"Hours": s.ohService().Hours}, false)
		}
	}}
	// Only flows that screen (the stress check-in) lead to the risk
	// pathway themselves; a positive risk screen of free text is the
	// runner's, before Step.
	if slices.ContainsFunc(f.events, func(e fsm.EventDesc) bool { return e.Dst == StateRiskPathway }) {
		f.nodes[StateRiskPathway] = &node{prompt: func(s *session) {
			s.replies = append(s.replies, s.crisisReply())
		}}
	}
	var states []string
	for name := range f.nodes {
		if !f.terminals[name] {
			states = append(states, name)
		}
	}
	slices.Sort(states)
	questions := slices.DeleteFunc(slices.Clone(states), func(st string) bool { return st == StateOfferPerson })
	f.events = append(f.events,
		fsm.EventDesc{Name: evOptOut, Src: states, Dst: StateOptedOut},
		fsm.EventDesc{Name: evTalk, Src: states, Dst: StateHandedOver},
		fsm.EventDesc{Name: evUnclear, Src: questions, Dst: StateOfferPerson},
		fsm.EventDesc{Name: evYes, Src: []string{StateOfferPerson}, Dst: StateHandedOver},
		fsm.EventDesc{Name: evNo, Src: []string{StateOfferPerson}, Dst: StateClosed},
		fsm.EventDesc{Name: evUnclear, Src: []string{StateOfferPerson}, Dst: StateClosed},
	)
	// Callbacks only record what happened; the session acts after Event
	// returns (calling Event, Can or SetState inside a callback deadlocks).
	f.callbacks = fsm.Callbacks{
		"enter_state": func(_ context.Context, e *fsm.Event) {
			if s, ok := e.Args[0].(*session); ok {
				s.entered = e.Dst
			}
		},
	}
}

// closing is the closed state's prompt: a summary of what was signposted,
// and Close.
func closing(s *session) {
	defer s.effect(Close{Reason: "completed"})
	if s.asksFeedback() {
		defer s.effect(AskFeedback{})
	}
	if s.skipClosing {
		return
	}
	names := make([]string, 0, len(s.st.Signposted))
	for _, k := range s.st.Signposted {
		if svc, ok := s.org.Service(k); ok {
			names = append(names, svc.Name)
		}
	}
	if len(names) == 0 {
		s.say("closing_none", s.ohData(), false)
	} else {
		s.sayText(s.plural("closing_summary", len(names), nil), false)
		s.sayText(strings.Join(names, "\n"), false)
	}
}

// consentNode is the first-contact step of the check-ins: YES confirms
// identity and goes on (event yes); NO closes; "not now" schedules one
// reminder a day later and closes.
func consentNode(flow string) *node {
	return &node{expect: expectYesNo,
		prompt: func(s *session) { s.say("first_contact", s.ohData(), false) },
		answer: func(s *session, a answer) string {
			switch parseYesNo(a.norm) {
			case ynYes:
				s.record("consent", "yes")
				if !s.st.Verified {
					s.st.Verified = true
					s.effect(IdentityConfirmed{Method: "reply_yes"})
				}
				return evYes
			case ynNo:
				s.record("consent", "no")
				return evNo
			case ynNotNow:
				s.record("consent", "not_now")
				if !s.st.Reminder {
					s.effect(ScheduleReminder{After: 24 * time.Hour, Flow: flow})
					s.say("consent_later", nil, false)
					s.skipClosing = true
				}
				return evNo
			}
			return ""
		}}
}

// yesNoNode is a yes/no question whose answer is recorded as question.
func yesNoNode(prompt func(s *session), question string, onYes, onNo func(s *session)) *node {
	return &node{expect: expectYesNo, prompt: prompt,
		answer: func(s *session, a answer) string {
			switch parseYesNo(a.norm) {
			case ynYes:
				s.record(question, "yes")
				if onYes != nil {
					onYes(s)
				}
				return evYes
			case ynNo, ynNotNow:
				s.record(question, "no")
				if onNo != nil {
					onNo(s)
				}
				return evNo
			}
			return ""
		}}
}

// sayer returns a prompt that says message id (health marks health detail).
func sayer(id string, health bool) func(s *session) {
	return func(s *session) { s.say(id, s.ohData(), health) }
}
