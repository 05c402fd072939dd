package dialogs

import (
	"github.com/ohcontact/ohcontact/dialogs/intent"
	"github.com/ohcontact/ohcontact/locales"
)

// Inbound decides what a message from someone with no open conversation
// starts. Keywords first: STOP opts out and START opts in (each with a
// confirmation and nothing else), SICK or ABSENT starts the absence report,
// TALK starts the support flow and asks for a person, a language name
// starts the support menu in that language, and HELP or SUPPORT starts the
// support menu. Any other message is read by the intent model
// (dialogs/intent):
//
//   - absence starts the absence report, as SICK does;
//   - a message that may be an absence report, though the model is not sure
//     (intent.Result.AskAbsence), starts the support flow with one question,
//     "Are you letting us know you're off sick?" (YES starts the absence
//     report; anything else shows the menu), whatever else it may be about;
//   - talk is taken as TALK;
//   - money, msk and wellbeing start the support menu with that choice
//     already made (its signposts follow the menu);
//   - back_at_work thanks them, asks them to tell their manager if they
//     have not, and starts the support menu;
//   - stop never opts anyone out on a guess: it replies how to (text STOP)
//     and closes;
//   - none, and anything the model is unsure of, starts the support menu.
//
// A thank-you alone ("thanks x", "diolch") after clinicians closed the
// person's conversation (StartInfo.AfterClosing) is answered with a
// you're welcome and how to reach the service, and closes.
//
// The result's state is the new conversation's; for opt-out, opt-in and
// stop it is already finished (Done).
func (e *Engine) Inbound(st StartInfo, in Input) (Result, error) {
	k, lang := ParseKeyword(in.Text)
	switch k {
	case KeywordOptOut, KeywordOptIn:
		s, err := e.closedSupport(st, in)
		if err != nil {
			return Result{}, err
		}
		if k == KeywordOptOut {
			s.st.Step = StateOptedOut
			s.effect(OptOut{})
			s.say("optout_confirm", s.ohData(), false)
			s.effect(Close{Reason: "opted_out"})
		} else {
			s.effect(OptIn{})
			s.say("optin_confirm", s.ohData(), false)
			s.effect(Close{Reason: "completed"})
		}
		return s.result()
	case KeywordAbsence:
		return e.Start(FlowAbsenceReport, st)
	case KeywordLanguage:
		st.Lang = lang
		r, err := e.Start(FlowSupport, st)
		if err == nil {
			r.Effects = append([]Effect{SwitchLanguage{Lang: lang}}, r.Effects...)
		}
		return r, err
	case KeywordTalk:
		return e.inboundTalk(st, in)
	case KeywordNone:
		if n, ok := parseRating(in.Text); ok && st.Feedback != 0 {
			return e.rated(st, in, n)
		}
		if st.AfterClosing && isThanks(normalize(in.Text)) {
			return e.closeSaying(st, in, "case_closed_thanks")
		}
		return e.inboundIntent(st, in)
	}
	return e.Start(FlowSupport, st)
}

// closedSupport returns a session of a support conversation that starts
// closed: for a message answered once, with the conversation closing.
func (e *Engine) closedSupport(st StartInfo, in Input) (*session, error) {
	return e.session(State{Flow: FlowSupport, Step: StateClosed, Lang: locales.Match(st.Lang), Org: st.Org, Channel: st.Channel}, in)
}

// closeSaying answers in with message id alone, in a support conversation
// that closes completed (closedSupport).
func (e *Engine) closeSaying(st StartInfo, in Input, id string) (Result, error) {
	s, err := e.closedSupport(st, in)
	if err != nil {
		return Result{}, err
	}
	s.say(id, s.ohData(), false)
	s.effect(Close{Reason: "completed"})
	return s.result()
}

// inboundIntent is Inbound for a message that is no keyword.
func (e *Engine) inboundIntent(st StartInfo, in Input) (Result, error) {
	r := e.intents.Classify(in.Text)
	if r.AskAbsence {
		s, err := e.begin(FlowSupport, st, in)
		if err != nil {
			return Result{}, err
		}
		s.intent = &r
		if err := s.askAbsence(); err != nil {
			return Result{}, err
		}
		return s.result()
	}
	got := r.Intent
	switch got {
	case intent.Absence:
		s, err := e.begin(FlowAbsenceReport, st, in)
		if err != nil {
			return Result{}, err
		}
		s.flow.start(s) // reads what the message said already (AbsenceTold)
		return s.result()
	case intent.Talk:
		return e.inboundTalk(st, in)
	case intent.Money, intent.MSK, intent.Wellbeing:
		return e.startSupport(st, in, "", func(s *session) error {
			n := s.flow.nodes[s.st.Step]
			return s.fire(n.choose(s, n.byIntent[got]))
		})
	case intent.BackAtWork:
		return e.startSupport(st, in, "back_at_work_ack", nil)
	case intent.Stop:
		return e.closeSaying(st, in, "optout_how")
	}
	return e.Start(FlowSupport, st)
}

// inboundTalk starts a support conversation that asks for a person at
// once (TALK), without the menu.
func (e *Engine) inboundTalk(st StartInfo, in Input) (Result, error) {
	s, err := e.begin(FlowSupport, st, in)
	if err != nil {
		return Result{}, err
	}
	if err := s.talk(); err != nil {
		return Result{}, err
	}
	return s.result()
}

// startSupport says message intro (when not "") and the support menu, and
// then, in the same step, runs then (when not nil): what the message
// already asked for.
func (e *Engine) startSupport(st StartInfo, in Input, intro string, then func(s *session) error) (Result, error) {
	s, err := e.begin(FlowSupport, st, in)
	if err != nil {
		return Result{}, err
	}
	if intro != "" {
		s.say(intro, s.ohData(), false)
	}
	s.flow.start(s)
	if then != nil {
		if err := then(s); err != nil {
			return Result{}, err
		}
	}
	return s.result()
}
