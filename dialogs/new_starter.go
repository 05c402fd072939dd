package dialogs

import (
	"fmt"
	"strings"

	"github.com/looplab/fsm"

	"github.com/ohcontact/ohcontact/dialogs/intent"
)

// The new-starter flow welcomes a new member of staff some days before
// their first day (triggers.NewStarterDueArgs). The welcome names the OH
// service, gives the organisation's health questionnaire link
// (signposting.NewStarters.QuestionnaireURL), asks them to reply DONE when
// they have filled it in or to reply with their question, and keeps the
// opt-out and the crisis line of a first contact; the one reminder
// (StartInfo.Reminder) says the same in its own words. Nothing clinical is
// asked or said: the questionnaire itself is behind the organisation's link
// (questionnaire_url, reachable before the first day), and no reply
// carries health detail (Reply.Health).
//
// Replies, in English, Welsh and Polish:
//
//   - "done", "sent it", "filled it in": thanks; the flow ends. (Any reply
//     marks the new starter replied: postgres.SaveSteps.)
//   - a question, "help me", a problem with the link, or a wish to talk:
//     the NewStarterWorklist effect puts them on the OH admin team's
//     worklist now, and the reply says the OH team has their message and
//     will get in touch, promising no time (no case and no SLA stand
//     behind it); the flow ends.
//   - "ok", "thanks": a short note of what to reply; the flow waits.
//
// STOP, HELP, TALK, SICK, a language name and three unusable answers
// behave as in every flow (an opt-out also puts the new starter on the
// worklist, to be reached another way: postgres.SetConsent), and the
// runner's risk screen reads every reply first. The closing texts are the flow's own: no summary and no feedback
// question.
const (
	nsWelcomed = "welcomed"
)

// The new-starter flow's events.
const (
	evNSDone  = "questionnaire_done"
	evNSAsked = "asked_oh"
)

func newStarter() *flowDef {
	f := &flowDef{
		name:    FlowNewStarter,
		initial: nsWelcomed,
		events: fsm.Events{
			{Name: evNSDone, Src: []string{nsWelcomed}, Dst: StateClosed},
			{Name: evNSAsked, Src: []string{nsWelcomed}, Dst: StateClosed},
		},
		nodes: map[string]*node{},
	}
	f.start = func(s *session) {
		if s.org.NewStarters == nil {
			s.err = fmt.Errorf("%w: %s", ErrNoQuestionnaire, s.org.Code)
			return
		}
		f.nodes[f.initial].prompt(s)
	}
	f.nodes[nsWelcomed] = &node{
		prompt: func(s *session) {
			if s.st.Reminder {
				s.say("ns_reminder", s.nsData(), false)
				return
			}
			s.say("ns_welcome", s.nsData(), false)
		},
		answer: func(s *session, a answer) string {
			padded := " " + a.norm + " "
			switch {
			case strings.Contains(a.raw, "?") || isQuestion(a.norm) || containsAny(padded, nsHelpPhrases) ||
				s.intentOf(a.raw).Intent == intent.Talk:
				s.effect(NewStarterWorklist{})
				s.say("ns_question_ack", nil, false)
				s.skipClosing = true
				return evNSAsked
			case containsAny(padded, nsDonePhrases):
				s.say("ns_done", nil, false)
				s.skipClosing = true
				return evNSDone
			case isThanks(a.norm) || parseYesNo(a.norm) == ynYes || parseYesNo(a.norm) == ynNotNow:
				s.say("ns_ack", nil, false)
				return evStay
			}
			s.repromptID = "ns_again"
			return ""
		}}
	return f
}

// nsData is the template data of the welcome and the reminder: the OH
// service and the questionnaire link.
func (s *session) nsData() map[string]any {
	return map[string]any{"OH": s.org.OHName, "URL": s.org.NewStarters.QuestionnaireURL}
}

// Words of replies to the welcome, normalised, in English, Welsh and
// Polish; each is matched as whole words.
var (
	nsDonePhrases = []string{"done", "all done", "done it", "sent", "sent it", "filled", "filled it", "filled it in",
		"filled in", "completed", "submitted", "finished",
		"wedi gwneud", "wedi gorffen", "wedi llenwi", "wedii lenwi", "wedi anfon", "wedii anfon", "gwnaed", "wedi cwblhau",
		"zrobione", "gotowe", "zrobilem", "zrobilam", "wypelnilem", "wypelnilam", "wypelnione", "wyslalem", "wyslalam",
		"wyslane"}
	nsHelpPhrases = []string{"help me", "need help", "question", "a question", "cant open", "can not open", "doesnt work",
		"does not work", "not working", "wont open", "wont load", "problem",
		"helpwch fi", "angen help", "cwestiwn", "ddim yn gweithio", "methu agor", "problem",
		"pomocy", "pomoz", "pomozcie", "potrzebuje pomocy", "pytanie", "nie dziala", "nie moge otworzyc", "problem"}
)
