package dialogs

import (
	"strconv"

	"github.com/looplab/fsm"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/signposting"
)

// The MSK check-in (S11, S12, optionally S28) asks permission to chat (YES
// confirms identity), how the problem is going, and offers the fast-track
// physiotherapy self-referral. With consent it asks three questions for the
// physio team — where, how long, whether they could do their job — and
// creates a referral holding the answers. For back problems it also asks
// about the red flags of cauda equina syndrome (numbness around the bottom
// or genitals, new bladder or bowel trouble, weakness in both legs): a yes
// gets advice to go to A&E or call 999 now, sent as urgent, and a high
// priority request for a clinician instead of a routine referral. It ends
// with self-care and other MSK signposting.
const (
	mskConsent       = "consent"
	mskAskProgress   = "ask_progress"
	mskOfferPhysio   = "offer_physio"
	mskAskArea       = "ask_area"
	mskRedFlags      = "red_flags"
	mskAskDuration   = "ask_duration"
	mskAskWork       = "ask_work"
	mskOfferSelfCare = "offer_self_care"
)

var (
	mskAreas     = []string{"", "back", "neck", "shoulder", "elbow_wrist_hand", "hip", "knee", "ankle_foot", "other_or_several"}
	mskDurations = []string{"", "under_2_weeks", "2_to_6_weeks", "6_to_12_weeks", "over_12_weeks"}
	mskWork      = []string{"", "yes_as_normal", "yes_with_changes", "no"}
	mskProgress  = []string{"", "better", "same", "worse"}
)

func mskCheckin() *flowDef {
	f := &flowDef{
		name:    FlowMSKCheckin,
		initial: mskConsent,
		events: fsm.Events{
			{Name: evYes, Src: []string{mskConsent}, Dst: mskAskProgress},
			{Name: evNo, Src: []string{mskConsent}, Dst: StateClosed},
			{Name: "answered", Src: []string{mskAskProgress}, Dst: mskOfferPhysio},
			{Name: evYes, Src: []string{mskOfferPhysio}, Dst: mskAskArea},
			{Name: evNo, Src: []string{mskOfferPhysio}, Dst: mskOfferSelfCare},
			{Name: "back", Src: []string{mskAskArea}, Dst: mskRedFlags},
			{Name: "answered", Src: []string{mskAskArea}, Dst: mskAskDuration},
			{Name: evYes, Src: []string{mskRedFlags}, Dst: StateClosed},
			{Name: evNo, Src: []string{mskRedFlags}, Dst: mskAskDuration},
			{Name: "answered", Src: []string{mskAskDuration}, Dst: mskAskWork},
			{Name: "referred", Src: []string{mskAskWork}, Dst: mskOfferSelfCare},
			{Name: evYes, Src: []string{mskOfferSelfCare}, Dst: StateClosed},
			{Name: evNo, Src: []string{mskOfferSelfCare}, Dst: StateClosed},
		},
		nodes: map[string]*node{},
	}
	f.start = func(s *session) { f.nodes[f.initial].prompt(s) }
	f.nodes[mskConsent] = consentNode(FlowMSKCheckin)
	f.nodes[mskAskProgress] = menuNode("msk_intro", true, "msk.progress", mskProgress, func(*session, int) string { return "answered" })
	f.nodes[mskOfferPhysio] = yesNoNode(sayer("msk_offer_physio", true), "msk.physio_consent", nil, nil)
	f.nodes[mskAskArea] = menuNode("msk_area", true, "msk.area", mskAreas, func(_ *session, v int) string {
		if v == 1 {
			return "back"
		}
		return "answered"
	})
	f.nodes[mskRedFlags] = yesNoNode(sayer("msk_red_flags", true), "msk.red_flags",
		func(s *session) {
			s.replies = append(s.replies, Reply{Text: s.text("msk_red_flags_urgent", nil), Health: true, Crisis: true})
			s.effect(RequestClinician{Priority: ohcontact.PriorityHigh, Reason: "msk_red_flags"})
		}, nil)
	f.nodes[mskAskDuration] = menuNode("msk_duration", true, "msk.duration", mskDurations, func(*session, int) string { return "answered" })
	f.nodes[mskAskWork] = menuNode("msk_work", true, "msk.can_work", mskWork, func(s *session, _ int) string {
		a := s.st.Answers
		s.effect(CreateReferral{Kind: "physiotherapy", Answers: map[string]string{
			"area": a["msk.area"], "duration": a["msk.duration"], "can_work": a["msk.can_work"],
			"progress": a["msk.progress"], "red_flags": orString(a["msk.red_flags"], "not_asked"),
		}})
		s.say("msk_referral_made", nil, true)
		return "referred"
	})
	f.nodes[mskOfferSelfCare] = yesNoNode(sayer("msk_offer_self_care", true), "msk.self_care",
		func(s *session) { s.signpost(true, signposting.MSK, signposting.Wellbeing) }, nil)
	return f
}

// menuNode is a single-choice menu whose options are recorded by value
// (values[1..]); next decides the event from the choice.
func menuNode(promptID string, health bool, question string, values []string, next func(s *session, v int) string) *node {
	return &node{expect: expectMenu, menuSize: len(values) - 1,
		prompt: func(s *session) { s.say(promptID, s.ohData(), health) },
		answer: func(s *session, a answer) string {
			v, ok := parseChoice(a.norm, 1, len(values)-1)
			if !ok {
				v, ok = matchOption(s.text(promptID, s.ohData()), a.norm, 1, len(values)-1)
			}
			if !ok {
				return ""
			}
			val := values[v]
			if val == "" {
				val = strconv.Itoa(v)
			}
			s.record(question, val)
			return next(s, v)
		}}
}

func orString(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
