package dialogs

import (
	"cmp"
	"strconv"

	"github.com/looplab/fsm"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/signposting"
)

// The MSK check-in (S11, S12, optionally S28) asks permission to chat (YES
// confirms identity), how the problem is going, and offers the fast-track
// physiotherapy self-referral. With consent it asks the questions the
// physio team needs — where, how long, whether they could do their job,
// how to contact them — and makes a referral holding the answers: tracked
// work for the team, with an SLA (escalation.Referrals). For back problems
// it also asks about the red flags of cauda equina syndrome (numbness
// around the bottom or genitals, new bladder or bowel trouble, weakness in
// both legs): a yes gets advice to go to A&E or call 999 now, sent as
// urgent, and a high priority request for a clinician instead of a
// routine referral. It ends with self-care and other MSK signposting.
//
// Consent is never lost to an answer the bot cannot read: a second
// unusable answer to a referral question records it as "not_given" and
// goes on; after two questions not given, the referral is made with what
// there is and the person is offered someone from the OH team.
const (
	mskConsent       = "consent"
	mskAskProgress   = "ask_progress"
	mskOfferPhysio   = "offer_physio"
	mskAskArea       = "ask_area"
	mskRedFlags      = "red_flags"
	mskAskDuration   = "ask_duration"
	mskAskWork       = "ask_work"
	mskAskContact    = "ask_contact"
	mskOfferSelfCare = "offer_self_care"
)

// notGiven is the recorded value of a referral question the person could
// not answer in a way the bot understood.
const notGiven = "not_given"

var (
	mskAreas     = []string{"", "back", "neck", "shoulder", "elbow_wrist_hand", "hip", "knee", "ankle_foot", "other_or_several"}
	mskDurations = []string{"", "under_2_weeks", "2_to_6_weeks", "6_to_12_weeks", "over_12_weeks"}
	mskWork      = []string{"", "yes_as_normal", "yes_with_changes", "no"}
	mskProgress  = []string{"", "better", "same", "worse"}
	mskContact   = []string{"", "phone_any_time", "phone_morning", "phone_afternoon", "text_first"}
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
			{Name: "answered", Src: []string{mskAskWork}, Dst: mskAskContact},
			{Name: "referred", Src: []string{mskAskContact}, Dst: mskOfferSelfCare},
			{Name: evYes, Src: []string{mskOfferSelfCare}, Dst: StateClosed},
			{Name: evNo, Src: []string{mskOfferSelfCare}, Dst: StateClosed},
		},
		nodes: map[string]*node{},
	}
	f.start = func(s *session) { f.nodes[f.initial].prompt(s) }
	f.nodes[mskConsent] = consentNode(FlowMSKCheckin)
	f.nodes[mskAskProgress] = menuNode("msk_intro", true, "msk.progress", mskProgress, func(*session, int) string { return "answered" })
	f.nodes[mskOfferPhysio] = yesNoNode(sayer("msk_offer_physio", true), "msk.physio_consent", nil, nil)
	f.nodes[mskAskArea] = referralQuestion("msk.area", "answered",
		menuNode("msk_area", true, "msk.area", mskAreas, func(_ *session, v int) string {
			if v == 1 {
				return "back"
			}
			return "answered"
		}))
	f.nodes[mskRedFlags] = referralQuestion("msk.red_flags", evNo, yesNoNode(sayer("msk_red_flags", true), "msk.red_flags",
		func(s *session) {
			s.replies = append(s.replies, Reply{Text: s.text("msk_red_flags_urgent", nil), MessageID: "msk_red_flags_urgent", Health: true, Crisis: true})
			s.effect(RequestClinician{Priority: ohcontact.PriorityHigh, Reason: "msk_red_flags"})
		}, nil))
	duration := menuNode("msk_duration", true, "msk.duration", mskDurations, func(*session, int) string { return "answered" })
	read := duration.answer
	duration.answer = func(s *session, a answer) string {
		if ev := read(s, a); ev != "" {
			return ev
		}
		days, ok := parseDuration(a.norm)
		if !ok && !s.now.IsZero() {
			// "since tues", "from the 3rd": the days since that date.
			if d, since := parseDate(a.raw, s.now, true); since {
				days, ok = s.now.Sub(d).Hours()/24, true
			}
		}
		if !ok {
			return ""
		}
		s.record("msk.duration", mskDurations[durationOption(days)])
		return "answered"
	}
	f.nodes[mskAskDuration] = referralQuestion("msk.duration", "answered", duration)
	f.nodes[mskAskWork] = referralQuestion("msk.can_work", "answered",
		menuNode("msk_work", true, "msk.can_work", mskWork, func(*session, int) string { return "answered" }))
	f.nodes[mskAskContact] = referralQuestion("msk.contact", "referred",
		menuNode("msk_contact", false, "msk.contact", mskContact, func(s *session, _ int) string {
			s.refer()
			return "referred"
		}))
	f.nodes[mskOfferSelfCare] = yesNoNode(sayer("msk_offer_self_care", true), "msk.self_care",
		func(s *session) { s.signpost(true, signposting.MSK, signposting.Wellbeing) }, nil)
	return f
}

// durationOption is the msk_duration option (1 to 4) for a problem of
// days: under 2 weeks, 2 to 6, 6 to 12, more than 12.
func durationOption(days float64) int {
	switch weeks := days / 7; {
	case weeks < 2:
		return 1
	case weeks <= 6:
		return 2
	case weeks <= 12:
		return 3
	}
	return 4
}

// referralQuestion makes n, a question asked after the person agreed to
// a referral, keep that consent when its answer cannot be read: a second
// unusable answer records question as not given and fires next; if that
// makes two questions not given, the referral is made with the answers
// there are and the person is offered someone from the OH team instead
// (the last question makes the referral itself).
func referralQuestion(question, next string, n *node) *node {
	n.notGiven = func(s *session) string {
		s.record(question, notGiven)
		missed := 0
		for _, q := range []string{"msk.area", "msk.red_flags", "msk.duration", "msk.can_work", "msk.contact"} {
			if s.st.Answers[q] == notGiven {
				missed++
			}
		}
		if missed >= 2 {
			s.refer()
			return evUnclear
		}
		s.say("msk_not_given", nil, false)
		if next == "referred" {
			s.refer()
		}
		return next
	}
	return n
}

// refer makes the physiotherapy referral with the answers given so far,
// and says so.
func (s *session) refer() {
	a := s.st.Answers
	given := func(q, fallback string) string { return cmp.Or(a[q], fallback) }
	s.effect(CreateReferral{Answers: map[string]string{
		"area": given("msk.area", notGiven), "duration": given("msk.duration", notGiven),
		"can_work": given("msk.can_work", notGiven), "contact": given("msk.contact", notGiven),
		"progress": a["msk.progress"], "red_flags": given("msk.red_flags", "not_asked"),
	}})
	s.say("msk_referral_made", nil, true)
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
