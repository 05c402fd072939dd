package dialogs

import (
	"fmt"
	"maps"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/dialogs/intent"
	"github.com/ohcontact/ohcontact/locales"
	"github.com/ohcontact/ohcontact/signposting"
)

func (e *Engine) session(state State, in Input) (*session, error) {
	f, ok := e.flows[state.Flow]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownFlow, state.Flow)
	}
	o, ok := e.dir.Organisation(state.Org)
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownOrganisation, state.Org)
	}
	state.Lang = locales.Match(state.Lang)
	state.Answers = maps.Clone(state.Answers)
	state.Signposted = slices.Clone(state.Signposted)
	return &session{e: e, flow: f, org: o, loc: e.localizer(state.Lang), st: state, now: in.Now, said: in.Text}, nil
}

// session is the working state of one Start or Step.
type session struct {
	e    *Engine
	flow *flowDef
	org  *signposting.Organisation
	loc  *i18n.Localizer
	now  time.Time
	st   State
	// said is the message being handled ("" when the engine speaks first).
	said string

	replies []Reply
	effects []Effect
	entered string // set by the fsm's enter_state callback
	err     error
	// repromptID, when set by an answer handler that returned "", replaces
	// the node's usual re-prompt (e.g. "a date in the last 4 weeks").
	repromptID string
	// skipClosing is set by a handler that has already said goodbye, so
	// the closed state adds no summary.
	skipClosing bool
	// intent is what the intent model made of the message, once asked
	// (intentOf).
	intent *intent.Result
}

// intentOf returns the intent model's reading of text, the message this
// session handles, classifying it at most once.
func (s *session) intentOf(text string) intent.Result {
	if s.intent == nil {
		got := s.e.intents.Classify(text)
		s.intent = &got
	}
	return *s.intent
}

func (s *session) result() (Result, error) {
	if s.err != nil {
		return Result{}, s.err
	}
	if s.st.Channel == ohcontact.ChannelSMS {
		for i := range s.replies {
			s.replies[i].Text = locales.SMSText(s.replies[i].Text)
		}
	}
	return Result{State: s.st, Replies: s.replies, Effects: s.effects, Done: s.flow.terminal(s.st.Step)}, nil
}

func (s *session) effect(e Effect) { s.effects = append(s.effects, e) }

// record stores an answer in the state and as an effect.
func (s *session) record(q, v string) {
	v = truncate(v, 200)
	if s.st.Answers == nil {
		s.st.Answers = map[string]string{}
	}
	s.st.Answers[q] = v
	s.effect(RecordAnswer{Question: q, Value: v})
}

// truncate returns s cut to at most max bytes, on a character boundary.
func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	for max > 0 && !utf8.RuneStart(s[max]) {
		max--
	}
	return s[:max]
}

// text returns message id localised with data. A translation missing in the
// session's language falls back to English (go-i18n returns the text and an
// error; the catalog test keeps that from happening). A message missing even
// in English fails the step.
func (s *session) text(id string, data map[string]any) string {
	msg, err := s.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if msg == "" && err != nil && s.err == nil {
		s.err = fmt.Errorf("dialogs: message %s: %w", id, err)
	}
	return msg
}

// plural returns message id in the plural form for count.
func (s *session) plural(id string, count int, data map[string]any) string {
	if data == nil {
		data = map[string]any{}
	}
	data["Count"] = count
	msg, err := s.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if msg == "" && err != nil && s.err == nil {
		s.err = fmt.Errorf("dialogs: message %s: %w", id, err)
	}
	return msg
}

// say appends the localised message id as a reply.
func (s *session) say(id string, data map[string]any, health bool) {
	s.replies = append(s.replies, Reply{Text: s.text(id, data), MessageID: id, Health: health})
}

// sayText appends a reply composed by the caller.
func (s *session) sayText(text string, health bool) {
	s.replies = append(s.replies, Reply{Text: text, Health: health})
}

// ohData is template data naming the OH service.
func (s *session) ohData() map[string]any {
	return map[string]any{"OH": s.org.OHName}
}

// ohService is the organisation's OH entry.
func (s *session) ohService() signposting.Service {
	if o := s.org.ByCategory(signposting.OH); len(o) > 0 {
		return o[0]
	}
	return signposting.Service{}
}
