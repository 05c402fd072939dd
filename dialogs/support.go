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
const supportMenuState = "menu"

func support() *flowDef {
	f := &flowDef{
		name:    FlowSupport,
		initial: supportMenuState,
		events: fsm.Events{
			{Name: "chose", Src: []string{supportMenuState}, Dst: supportMenuState},
			{Name: "finished", Src: []string{supportMenuState}, Dst: StateClosed},
		},
		nodes: map[string]*node{},
	}
	f.start = func(s *session) { f.nodes[f.initial].prompt(s) }
	// The menu lists options 1 to 4; 5 ("that's all") is offered only when
	// it asks whether they want anything else.
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
	return f
}
