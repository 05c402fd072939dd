package dialogs

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/looplab/fsm"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/dialogs/intent"
	"github.com/ohcontact/ohcontact/escalation/risk"
	"github.com/ohcontact/ohcontact/signposting"
)

// The stress, anxiety or depression check-in (S10 trigger) asks permission
// to chat (the neutral first contact; YES confirms identity), how the person
// is, then PHQ-2 and GAD-2 with the standard wording and scoring. PHQ-2 of 3
// or more asks PHQ-9 item 9, where any answer above 0 starts the risk
// pathway at once, whatever else was answered. PHQ-2 or GAD-2 of 3 or more
// offers contact with a clinician. It ends with a menu of support:
// psychological support, staff wellbeing, money worries, a call back from OH.
//
// PHQ-2, PHQ-9 and GAD-2 were developed by Drs Robert L. Spitzer, Janet B.W.
// Williams, Kurt Kroenke and colleagues, with an educational grant from
// Pfizer Inc. No permission is required to reproduce, translate, display or
// distribute them. Their wording is kept exactly in en-GB (locales/en-GB.toml,
// messages phq_*, gad_* and scale_options); Welsh and Polish use the
// published translations' sense and are marked for native-speaker review.
const (
	stressConsent        = "consent"
	stressAskMood        = "ask_mood"
	stressPHQ1           = "phq2_1"
	stressPHQ2           = "phq2_2"
	stressPHQ9           = "phq9_9"
	stressGAD1           = "gad2_1"
	stressGAD2           = "gad2_2"
	stressOfferClinician = "offer_clinician"
	stressOfferSupport   = "offer_support"
)

func stressCheckin() *flowDef {
	f := &flowDef{
		name:    FlowStressCheckin,
		initial: stressConsent,
		events: fsm.Events{
			{Name: evYes, Src: []string{stressConsent}, Dst: stressAskMood},
			{Name: evNo, Src: []string{stressConsent}, Dst: StateClosed},
			{Name: "answered", Src: []string{stressAskMood}, Dst: stressPHQ1},
			{Name: "answered", Src: []string{stressPHQ1}, Dst: stressPHQ2},
			{Name: "phq2_positive", Src: []string{stressPHQ2}, Dst: stressPHQ9},
			{Name: "phq2_negative", Src: []string{stressPHQ2}, Dst: stressGAD1},
			{Name: "item9_zero", Src: []string{stressPHQ9}, Dst: stressGAD1},
			{Name: "item9_above_zero", Src: []string{stressPHQ9}, Dst: StateRiskPathway},
			{Name: "answered", Src: []string{stressGAD1}, Dst: stressGAD2},
			{Name: "screen_positive", Src: []string{stressGAD2}, Dst: stressOfferClinician},
			{Name: "screen_negative", Src: []string{stressGAD2}, Dst: stressOfferSupport},
			{Name: evYes, Src: []string{stressOfferClinician}, Dst: stressOfferSupport},
			{Name: evNo, Src: []string{stressOfferClinician}, Dst: stressOfferSupport},
			{Name: "chose", Src: []string{stressOfferSupport}, Dst: stressOfferSupport},
			{Name: "finished", Src: []string{stressOfferSupport}, Dst: StateClosed},
		},
		nodes: map[string]*node{},
	}
	f.start = func(s *session) { f.nodes[f.initial].prompt(s) }
	f.nodes[stressConsent] = consentNode(FlowStressCheckin)
	f.nodes[stressAskMood] = &node{expect: expectAny,
		prompt: sayer("stress_intro", true),
		answer: func(s *session, a answer) string {
			if a.norm == "" {
				return ""
			}
			// A number from the menu is recorded; anything else is the
			// person's own words, which stay in the message log only.
			if v, ok := parseChoice(a.norm, 1, 3); ok {
				s.record("mood", strconv.Itoa(v))
			} else if v, ok := matchOption(s.text("stress_intro", nil), a.norm, 1, 3); ok {
				s.record("mood", strconv.Itoa(v))
			} else {
				s.record("mood", "own_words")
			}
			s.say("screen_intro", nil, true)
			return "answered"
		}}
	f.nodes[stressPHQ1] = scaleNode("phq_1", "phq2.1", func(s *session, v int) string { return "answered" })
	f.nodes[stressPHQ2] = scaleNode("phq_2", "phq2.2", func(s *session, v int) string {
		score := s.score("phq2.1", "phq2.2")
		s.record("phq2.score", strconv.Itoa(score))
		if risk.ScreenPositive(score) {
			return "phq2_positive"
		}
		return "phq2_negative"
	})
	f.nodes[stressPHQ9] = scaleNode("phq_9", "phq9.9", func(s *session, v int) string {
		r := risk.PHQ9Item9(v)
		if !r.Priority.Positive() {
			return "item9_zero"
		}
		s.effect(RiskPathway{Risk: r})
		s.say("stress_item9_thanks", nil, false)
		return "item9_above_zero"
	})
	f.nodes[stressGAD1] = scaleNode("gad_1", "gad2.1", func(s *session, v int) string { return "answered" })
	f.nodes[stressGAD2] = scaleNode("gad_2", "gad2.2", func(s *session, v int) string {
		gad := s.score("gad2.1", "gad2.2")
		s.record("gad2.score", strconv.Itoa(gad))
		if risk.PHQ2GAD2(s.score("phq2.1", "phq2.2"), gad).Priority.Positive() {
			return "screen_positive"
		}
		return "screen_negative"
	})
	f.nodes[stressOfferClinician] = yesNoNode(sayer("stress_offer_clinician", true), "offer_clinician",
		func(s *session) {
			s.effect(RequestClinician{Priority: ohcontact.PriorityRoutine, Reason: "screen_positive"})
			s.say("clinician_requested", map[string]any{"Hours": s.ohService().Hours}, false)
		}, nil)
	f.nodes[stressOfferSupport] = supportMenu("stress_offer_support", true, 5, 5, map[intent.Intent][]int{
		intent.Wellbeing: {1, 2}, intent.Money: {3}, intent.Talk: {4},
	}, func(s *session, choice int) string {
		switch choice {
		case 1:
			s.signpost(true, signposting.MentalHealth)
		case 2:
			s.signpost(true, signposting.Wellbeing)
		case 3:
			s.signpost(true, signposting.Financial)
		case 4:
			s.ohCallback()
		case 5:
			return "finished"
		}
		return ""
	})
	return f
}

// scaleNode is one PHQ/GAD item: the question with its four options,
// recorded as question (0 to 3), then next decides the event.
//
// At PHQ-9 item 9 a plain "yes" cannot be scored but says the thoughts were
// there: it is scored 1 and so starts the risk pathway (a false alarm costs
// a clinician's call; a miss could cost a life). "No" is 0 at every item.
func scaleNode(msgID, question string, next func(s *session, v int) string) *node {
	return &node{expect: expectScale,
		prompt: func(s *session) {
			s.sayText(s.text(msgID, nil)+"\n"+s.text("scale_options", nil), true)
		},
		answer: func(s *session, a answer) string {
			v, ok := parseScale(a.norm)
			if !ok {
				v, ok = matchOption(s.text("scale_options", nil), a.norm, 0, 3)
			}
			if !ok && question == "phq9.9" && parseYesNo(a.norm) == ynYes {
				v, ok = 1, true
			}
			if !ok {
				return ""
			}
			s.record(question, strconv.Itoa(v))
			return next(s, v)
		}}
}

// score adds recorded 0-3 answers.
func (s *session) score(questions ...string) int {
	t := 0
	for _, q := range questions {
		v, _ := strconv.Atoi(s.st.Answers[q])
		t += v
	}
	return t
}

// ohCallback asks OH to call the person back (once per conversation): a
// routine case in the clinicians' queue, with its SLA.
func (s *session) ohCallback() {
	if s.st.Answers["oh_callback"] == "yes" {
		return
	}
	s.record("oh_callback", "yes")
	s.effect(RequestClinician{Priority: ohcontact.PriorityRoutine, Reason: "callback_requested"})
	s.say("oh_callback_made", map[string]any{"Hours": s.ohService().Hours}, false)
	for _, svc := range s.org.ByCategory(signposting.OH) {
		s.effect(Signpost{Service: svc.Key, Category: svc.Category})
		if !slices.Contains(s.st.Signposted, svc.Key) {
			s.st.Signposted = append(s.st.Signposted, svc.Key)
		}
	}
}

// supportMenu is a menu of support where the person may choose one or more
// options, then is asked whether they want anything else, until they choose
// done (the last option) or say no. pick handles one choice and returns
// "finished" or evTalk to leave the menu, or "" to stay. Events: chose
// (stay), finished, and talk. listed is the last option the prompt lists
// (the re-prompt asks for 1 to listed); byIntent are the options a message
// about an intent picks when it names no option (menuIntent).
func supportMenu(promptID string, health bool, listed, done int, byIntent map[intent.Intent][]int, pick func(s *session, choice int) string) *node {
	choose := func(s *session, choices []int) string {
		ev := "chose"
		for _, c := range choices {
			s.record(fmt.Sprintf("support.%d", c), "chosen")
			switch pick(s, c) {
			case evTalk:
				ev = evTalk
			case "finished":
				if ev != evTalk {
					ev = "finished"
				}
			}
		}
		return ev
	}
	var n *node
	n = &node{expect: expectMultiMenu, menuSize: listed, choose: choose, byIntent: byIntent,
		prompt: func(s *session) { s.say(promptID, s.ohData(), health) },
		again:  func(s *session) { s.say("support_more", map[string]any{"N": done - 1, "Done": done}, false) },
		answer: func(s *session, a answer) string {
			choices := parseChoices(a.norm, 1, done)
			if len(choices) == 0 {
				if v, ok := matchOption(s.text(promptID, s.ohData()), a.norm, 1, done); ok {
					choices = []int{v}
				}
			}
			if len(choices) == 0 {
				got := s.intentOf(a.raw)
				if got.Intent == intent.Absence || len(byIntent[got.Intent]) > 0 {
					return "" // menuIntent takes it: "nie przyjdę dziś" is no "nie"
				}
				if got.AskAbsence && n.askAbsence && !bareYesNo(a.norm) {
					return "" // menuIntent asks about it; a bare "no thanks" is still an answer
				}
				switch parseYesNo(a.norm) {
				case ynNo, ynNotNow:
					return "finished"
				}
				return ""
			}
			return choose(s, choices)
		}}
	return n
}
