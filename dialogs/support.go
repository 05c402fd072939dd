package dialogs

import (
	"github.com/looplab/fsm"
	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/dialogs/intent"

	"github.com/ohcontact/ohcontact/signposting"
)

// The support menu is for staff who open the widget or text HELP or SUPPORT
// (or anything, with no conversation open): wellbeing and mental health,
// money worries, back, muscle or joint pain, or talk to someone in OH. It is
// the same for everyone and says nothing about the person, so it needs no
// identity confirmation. After each choice it asks whether they want
// anything else.
//
// When the intent model is unsure whether a first message, or an answer at
// the menu, is an absence report (intent.Result.AskAbsence), the flow asks
// one yes/no question first (state ask_absence, "Are you letting us know
// you're off sick?"): YES starts the absence report, anything else shows
// the menu, and keywords still work (SICK, SUPPORT, TALK, STOP). What
// happened is recorded as the answer intent.ask_absence: asked, then yes,
// no or other.
const (
	supportMenuState  = "menu"
	supportAskAbsence = "ask_absence"
	// answerAskAbsence is the answer that records the question and its
	// answer, for figures.
	answerAskAbsence = "intent.ask_absence"
	// evUnsure asks whether a message was an absence report.
	evUnsure = "unsure"
)

func support() *flowDef {
	f := &flowDef{
		name:    FlowSupport,
		initial: supportMenuState,
		events: fsm.Events{
			{Name: "chose", Src: []string{supportMenuState}, Dst: supportMenuState},
			{Name: "finished", Src: []string{supportMenuState}, Dst: StateClosed},
			{Name: evUnsure, Src: []string{supportMenuState}, Dst: supportAskAbsence},
			{Name: evNo, Src: []string{supportAskAbsence}, Dst: supportMenuState},
			{Name: evRated, Src: []string{supportMenuState}, Dst: stateFeedbackComment},
			{Name: evComment, Src: []string{stateFeedbackComment}, Dst: StateClosed},
		},
		nodes: map[string]*node{},
	}
	f.start = func(s *session) { f.nodes[f.initial].prompt(s) }
	// The menu lists options 1 to 4; 5 ("that's all") is offered only when
	// it asks whether they want anything else.
	f.nodes[supportAskAbsence] = &node{expect: expectYesNo,
		prompt: sayer("intent_ask_absence", false),
		answer: func(s *session, a answer) string {
			switch parseYesNo(a.norm) {
			case ynYes:
				s.record(answerAskAbsence, "yes")
				if err := s.switchFlow(FlowAbsenceReport); err != nil {
					s.err = err
				}
				return evStay
			case ynNo, ynNotNow:
				s.record(answerAskAbsence, "no")
			default:
				s.record(answerAskAbsence, "other")
			}
			s.st.Told = nil
			return evNo
		}}
	f.nodes[supportMenuState] = supportMenu("support_menu", false, 4, 5, map[intent.Intent][]int{
		intent.Wellbeing: {1}, intent.Money: {2}, intent.MSK: {3}, intent.Talk: {4},
	}, func(s *session, choice int) string {
		switch choice {
		case 1:
			s.signpost(false, signposting.MentalHealth, signposting.Wellbeing)
		case 2:
			s.signpost(false, signposting.Financial)
		case 3:
			s.signpost(false, signposting.MSK)
		case 4:
			s.effect(RequestClinician{Priority: ohcontact.PriorityRoutine, Reason: "asked_to_talk", Handover: true})
			return evTalk
		case 5:
			return "finished"
		}
		return ""
	})
	f.nodes[supportMenuState].askAbsence = true
	f.nodes[stateFeedbackComment] = feedbackComment()
	return f
}

// askAbsence asks whether the message was an absence report (the intent
// model was unsure), from the support menu.
func (s *session) askAbsence() error {
	s.record(answerAskAbsence, "asked")
	s.st.Told = toldAbsence(s.said, s.now) // for the report, if YES

	return s.fire(evUnsure)
}
