package dialogs

import (
	"fmt"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/escalation/risk"
)

// Asking directly. When the risk screen is unsure (a weak signal such as
// "I'm at breaking point", or a model score just below positive:
// ohcontact.RiskResult.Ask), the bot stops the flow where it is and asks,
// in the person's language, whether they are having thoughts of ending
// their life. Asking about suicide does not raise risk (reviews of 2014,
// 2018 and 2020), and a plain question gets plain answers.
//
//   - Yes: urgent, crisis contacts at once, the conversation goes to the
//     clinicians (the risk pathway).
//   - An unclear answer ("not sure", "sometimes", anything but yes or no):
//     high, crisis contacts, the risk pathway.
//   - No answer within AskTimeout: high, crisis contacts, the risk pathway
//     (AskTimeouts, a job scheduled when asking).
//   - No: the flow goes on where it stopped, with its question again. A "no"
//     is not an all-clear: a routine case the weak signal warranted stays
//     open (it is opened when asking), and the risk screen still reads
//     every later message.
//   - STOP opts out as always, and brings a person in (high) without
//     handing the conversation over: the person asked for no more texts.
//   - A language name asks again in that language; any other keyword
//     (TALK, HELP) is an unclear answer.
//   - Whatever the answer, the risk screen reads it first, as every
//     message: a disclosure in it ("no, but I've got the tablets here")
//     takes the pathway at the screen's priority if that is higher (the
//     runner).
//
// The question reveals nothing from records (it answers what the person
// has just written), so it is not health detail (Reply.Health) and is sent
// before identity is confirmed, like the crisis contacts.

// AskTimeout is how long the bot waits for an answer to the direct question
// before it brings a person in.
const AskTimeout = 30 * time.Minute

// Ask stops the flow of state to ask directly, at now, because of r. The
// result's state remembers the question (State.AskedAt); its effect
// (AskDirectly) opens the routine case r warrants, if any, and starts the
// AskTimeout clock.
func (e *Engine) Ask(state State, r ohcontact.RiskResult, now time.Time) (Result, error) {
	s, err := e.session(state, Input{Now: now})
	if err != nil {
		return Result{}, err
	}
	at := now.UTC().Truncate(time.Millisecond)
	s.st.AskedAt, s.st.AskedDirectly = &at, true
	s.say("risk_ask", nil, false)
	s.effect(AskDirectly{Risk: r, At: at})
	return s.result()
}

// answerAsk handles the answer to the direct question (see Ask).
func (s *session) answerAsk(text string) error {
	norm := normalize(text)
	k, lang := parseKeyword(norm)
	switch k {
	case KeywordLanguage:
		// The question again, in the language asked for; the clock runs on.
		s.st.Lang, s.loc = lang, s.e.localizer(lang)
		s.effect(SwitchLanguage{Lang: lang})
		s.say("risk_ask", nil, false)
		return nil
	case KeywordOptOut:
		s.st.AskedAt = nil
		s.effect(RequestClinician{Priority: ohcontact.PriorityHigh, Reason: "opted_out_when_asked"})
		s.effect(OptOut{})
		return s.fire(evOptOut)
	}
	s.st.AskedAt = nil
	yn := ynNone // TALK, HELP, SICK…: not an answer to the question
	if k == KeywordNone {
		yn = parseYesNo(norm)
	}
	switch yn {
	case ynYes:
		s.riskPathway(ohcontact.PriorityUrgent, "answered yes when asked directly about thoughts of ending their life")
	case ynNo:
		s.say("risk_ask_no", s.ohData(), false)
		if n, ok := s.flow.nodes[s.st.Step]; ok && !s.flow.terminal(s.st.Step) {
			s.reprompt(n)
		}
	default:
		s.riskPathway(ohcontact.PriorityHigh, "no clear yes or no when asked directly about thoughts of ending their life")
	}
	return nil
}

// unanswered is what happens when nobody answers the direct question in
// time: the risk pathway, at high priority.
func (s *session) unanswered() {
	s.st.AskedAt = nil
	s.riskPathway(ohcontact.PriorityHigh, fmt.Sprintf("no answer within %d minutes when asked directly about thoughts of ending their life", int(AskTimeout/time.Minute)))
}

// riskPathway stops the flow for a clinician with crisis contacts.
func (s *session) riskPathway(p ohcontact.Priority, why string) {
	s.effect(RiskPathway{Risk: ohcontact.RiskResult{Priority: p, Category: risk.CategorySuicideRisk, Evidence: []string{why}}})
	s.replies = append(s.replies, s.crisisReply())
	s.st.Step = StateRiskPathway
}

// Unanswered returns the result of the direct question asked in state going
// unanswered (AskTimeouts): the risk pathway at high priority, with crisis
// contacts. It returns ErrFinished if state is no longer asking.
func (e *Engine) Unanswered(state State) (Result, error) {
	if state.AskedAt == nil {
		return Result{}, ErrFinished
	}
	s, err := e.session(state, Input{})
	if err != nil {
		return Result{}, err
	}
	s.unanswered()
	return s.result()
}
