package dialogs

import (
	"github.com/looplab/fsm"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/signposting"
)

// The long-term check-in (28 days of continuous absence) asks permission to
// chat (YES confirms identity), how the person is compared with a week or
// two ago, what would help a return (phased return, adjustments, an OH
// appointment, or not ready to think about it), offers financial wellbeing
// information because sick pay reduces over time, and offers a talk with
// someone in OH (unless an OH appointment was just asked for).
const (
	ltConsent        = "consent"
	ltAskProgress    = "ask_progress"
	ltAskReturn      = "ask_return"
	ltOfferFinancial = "offer_financial"
	ltOfferTalk      = "offer_talk"
	ltReturnNotReady = 4
	ltReturnOH       = 3
)

var ltProgress = []string{"", "better", "same", "worse"}

func longTermCheckin() *flowDef {
	f := &flowDef{
		name:    FlowLongTermCheckin,
		initial: ltConsent,
		events: fsm.Events{
			{Name: evYes, Src: []string{ltConsent}, Dst: ltAskProgress},
			{Name: evNo, Src: []string{ltConsent}, Dst: StateClosed},
			{Name: "answered", Src: []string{ltAskProgress}, Dst: ltAskReturn},
			{Name: "answered", Src: []string{ltAskReturn}, Dst: ltOfferFinancial},
			{Name: "answered", Src: []string{ltOfferFinancial}, Dst: ltOfferTalk},
			{Name: "oh_already_asked", Src: []string{ltOfferFinancial}, Dst: StateClosed},
			{Name: evYes, Src: []string{ltOfferTalk}, Dst: StateClosed},
			{Name: evNo, Src: []string{ltOfferTalk}, Dst: StateClosed},
		},
		nodes: map[string]*node{},
	}
	f.start = func(s *session) { f.nodes[f.initial].prompt(s) }
	f.nodes[ltConsent] = consentNode(FlowLongTermCheckin)
	f.nodes[ltAskProgress] = menuNode("lt_intro", true, "long_term.progress", ltProgress, func(*session, int) string { return "answered" })
	f.nodes[ltAskReturn] = &node{expect: expectMultiMenu, menuSize: 4,
		prompt: sayer("lt_return", true),
		answer: func(s *session, a answer) string {
			choices := parseChoices(a.norm, 1, 4)
			if len(choices) == 0 {
				if v, ok := matchOption(s.text("lt_return", nil), a.norm, 1, 4); ok {
					choices = []int{v}
				}
			}
			if len(choices) == 0 {
				if v := parseYesNo(a.norm); v == ynNo || v == ynNotNow || v == ynUnsure {
					choices = []int{ltReturnNotReady}
				} else {
					return ""
				}
			}
			for _, c := range choices {
				switch c {
				case 1:
					s.record("long_term.phased_return", "yes")
					s.say("lt_phased_info", nil, true)
				case 2:
					s.record("long_term.adjustments", "yes")
					s.say("lt_adjust_info", nil, true)
				case ltReturnOH:
					s.record("long_term.oh_appointment", "yes")
					if s.st.Answers["oh_callback"] != "yes" {
						s.record("oh_callback", "yes")
						s.effect(RequestClinician{Priority: ohcontact.PriorityRoutine, Reason: "appointment_requested"})
						s.say("lt_oh_referral", map[string]any{"Hours": s.ohService().Hours}, true)
					}
				case ltReturnNotReady:
					s.record("long_term.not_ready", "yes")
					s.say("lt_not_ready", nil, false)
				}
			}
			return "answered"
		}}
	f.nodes[ltOfferFinancial] = &node{expect: expectYesNo,
		prompt: sayer("lt_money", true),
		answer: func(s *session, a answer) string {
			switch parseYesNo(a.norm) {
			case ynYes:
				s.record("long_term.financial", "yes")
				s.signpost(true, signposting.Financial)
			case ynNo, ynNotNow:
				s.record("long_term.financial", "no")
			default:
				return ""
			}
			if s.st.Answers["oh_callback"] == "yes" {
				return "oh_already_asked"
			}
			return "answered"
		}}
	f.nodes[ltOfferTalk] = yesNoNode(sayer("lt_talk", false), "long_term.talk",
		func(s *session) {
			s.effect(RequestClinician{Priority: ohcontact.PriorityRoutine, Reason: "long_term_talk"})
			s.say("clinician_requested", map[string]any{"Hours": s.ohService().Hours}, false)
		}, nil)
	return f
}
