// Package dialogs holds the conversation flows and the engine that steps
// them. Each flow is a looplab/fsm machine; the engine's step is pure: saved
// state and one inbound message in, new state, localised replies and effects
// out, with no I/O and no clock (time comes in the Input). The caller — the
// runner — saves the state, records the effects and queues the replies in one
// transaction, and delivers after commit (DESIGN.md, "The hot path").
//
// # Flows
//
// absence-report, stress-checkin, msk-checkin, long-term-checkin and support;
// each is described in its own file, and `ohcontact flows graph` draws them.
//
// # Messages in words
//
// Keywords (STOP, START, HELP, SUPPORT, SICK, TALK, a language) are whole
// messages and always win. A first message that is no keyword is read by
// the intent model (dialogs/intent) in Inbound, and so is an answer a menu
// did not understand (session.menuIntent): an absence report starts the
// absence report, a menu's topic picks its option, and a wish to stop is
// told to text STOP, never opted out on a guess. When the model is unsure
// whether a first message or an answer at the support menu is an absence
// report, the support flow asks (support.go, state ask_absence).
//
// # Identity before health
//
// No SMS names an absence reason or any health detail before the person has
// replied and confirmed who they are (DOMAIN.md, SMS content):
//
//   - The check-ins (stress, MSK, long-term) start with a first contact that
//     names only the OH service: "This is <OH>. We'd like to check in with
//     you. Reply YES to chat, or STOP to opt out. If you feel unsafe now call
//     999 or 111 (option 2)." It goes to the number on the staff record; a
//     YES from that number confirms identity (IdentityConfirmed{"reply_yes"})
//     and only then does the flow say why it got in touch. It does not name
//     the person either: on a shared or recycled phone the first text gives
//     away nothing but that OH wants a chat.
//   - The absence report records an HR-relevant episode against a staff
//     record, so it asks for the first name on record ("To check it's you,
//     please reply with your first name"), without saying it. Two wrong
//     answers end the flow with advice to tell their manager.
//   - A web chat signed in through the intranet starts confirmed
//     (StartInfo.IdentityConfirmed).
//   - The support menu is generic (not about the person) and needs no
//     confirmation.
//
// Every Reply says whether it carries health detail (Reply.Health); a test
// checks that no SMS reply does before confirmation.
//
// # One person, one trust
//
// The runner answers a text as the staff record with its number. A number
// on several records, of one organisation or several, is answered by the
// record whose conversation the text continues: the one with an open SMS
// conversation with the number, else the one with the latest SMS
// conversation with it; with neither, the record that has held the number
// longest, with a warning naming the records by id. It never follows the
// record an HR feed changed last, so one trust's feed cannot draw another
// trust's employee's texts (a crisis disclosure among them) to itself
// (Runner.identify, postgres.StaffForInbound).
package dialogs

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/looplab/fsm"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/dialogs/intent"
	"github.com/ohcontact/ohcontact/locales"
	"github.com/ohcontact/ohcontact/signposting"
)

// Flow names, as used by `ohcontact chat --flow` and in configuration.
const (
	FlowAbsenceReport   = "absence-report"
	FlowStressCheckin   = "stress-checkin"
	FlowMSKCheckin      = "msk-checkin"
	FlowLongTermCheckin = "long-term-checkin"
	FlowSupport         = "support"
)

// States every flow has. The terminal ones end the flow (Result.Done).
const (
	StateClosed      = "closed"       // terminal: completed, declined or ended; summary sent
	StateOptedOut    = "opted_out"    // terminal: the person opted out
	StateHandedOver  = "handed_over"  // terminal: a clinician owns the conversation
	StateRiskPathway = "risk_pathway" // terminal: a positive screen; crisis contacts sent, clinician owns it
	StateOfferPerson = "offer_person" // after three unusable answers in a row
)

// maxReprompts is how many unusable answers in a row are re-prompted before
// the flow offers a person.
const maxReprompts = 3

// Errors returned by the engine.
var (
	ErrUnknownFlow         = errors.New("dialogs: unknown flow")
	ErrUnknownOrganisation = errors.New("dialogs: unknown organisation")
	ErrFinished            = errors.New("dialogs: the conversation's flow has finished")
	ErrUnknownState        = errors.New("dialogs: unknown state for flow")
	ErrNoTime              = errors.New("dialogs: this step reads a date and Input.Now is not set")
)

// State is everything the engine needs to continue a conversation. It is
// JSON-serialisable: the runner saves Step in conversations.fsm_state, Lang
// in conversations.language and the whole value in conversations.data. A
// step may change Flow (SICK in a check-in starts the absence report; SUPPORT
// opens the support menu): save it too.
type State struct {
	Flow    string            `json:"flow"`
	Step    string            `json:"step"` // the fsm state
	Lang    string            `json:"lang"` // en-GB, cy or pl
	Org     string            `json:"org"`  // organisation code, for the directory
	Channel ohcontact.Channel `json:"channel"`
	// Verified is set once the person has confirmed who they are; no
	// health detail is sent before.
	Verified bool `json:"verified,omitempty"`
	// Known is set when the conversation is with a known member of staff.
	Known bool `json:"known,omitempty"`
	// FirstName is the first name on the staff record, used only to check
	// an answer in the absence report; it is never sent.
	FirstName string `json:"first_name,omitempty"`
	// Reminder is set when this conversation is itself a reminder, so
	// "not now" does not schedule another.
	Reminder bool `json:"reminder,omitempty"`
	// Answers holds the flow's answers by question (also sent as
	// RecordAnswer effects).
	Answers map[string]string `json:"answers,omitempty"`
	// Reprompts counts unusable answers in a row.
	Reprompts int `json:"reprompts,omitempty"`
	// Signposted lists the directory keys given so far, for the summary.
	Signposted []string `json:"signposted,omitempty"`
	// Told is what the message that started the absence report said
	// already, until the questions it answers are reached (AbsenceTold).
	Told *AbsenceTold `json:"told,omitempty"`
	// AskedAt is when the bot asked directly about thoughts of ending
	// their life and is waiting for the answer (ask.go); nil otherwise.
	AskedAt *time.Time `json:"asked_at,omitempty"`
	// AskedDirectly is set once the bot has asked directly about thoughts
	// of ending their life in this conversation: its ending is not
	// followed by the feedback question.
	AskedDirectly bool `json:"asked_directly,omitempty"`
	// FeedbackID is the feedback question a rating in this conversation
	// answered, and RatedAt when, while it waits for a comment
	// (feedback.go).
	FeedbackID int64      `json:"feedback_id,omitempty"`
	RatedAt    *time.Time `json:"rated_at,omitempty"`
	// HeldAt is when the bot last held the line in a conversation waiting
	// for a clinician (Runner.holdingLine); nil before.
	HeldAt *time.Time `json:"held_at,omitempty"`
}

// StartInfo describes a new conversation.
type StartInfo struct {
	Org     string // organisation code
	Channel ohcontact.Channel
	Lang    string // the staff member's language; "" means en-GB
	// Known is true when the conversation is with a member of staff on
	// record (false for unknown numbers and anonymous web chats).
	Known bool
	// FirstName is the staff record's first name (see State.FirstName).
	FirstName string
	// IdentityConfirmed is true for a web chat signed in through the
	// intranet: identity is already confirmed.
	IdentityConfirmed bool
	// Reminder is true when this contact is the one reminder after "not now".
	Reminder bool
	// AfterClosing is true when the person's last conversation on this
	// channel was closed by clinicians resolving their case lately
	// (ClosingGrace): a thank-you then is answered, not met with the menu.
	// It changes nothing else, so the runner looks only for a thank-you.
	AfterClosing bool
	// Feedback is the feedback question the person was asked lately and
	// has not answered (FeedbackGrace), 0 when none: a rating answers it.
	// It changes nothing else, so the runner looks only for a rating.
	Feedback int64
}

// ClosingGrace is how long after clinicians close a person's conversation
// a thank-you from them is taken as an answer to the closing message.
const ClosingGrace = 72 * time.Hour

// Input is one inbound message.
type Input struct {
	Text string
	// Now is when the message was received, in the organisation's time
	// zone; flows that ask for dates read today's date from it.
	Now time.Time
}

// Reply is one outbound message.
type Reply struct {
	Text string
	// MessageID is the catalogue message the text says, when it is one
	// (locales/*.toml); empty for text composed from several.
	MessageID string
	// Health is set when the text carries or implies health detail about
	// the person (a reason, a screening question, a referral).
	Health bool
	// Crisis is set for crisis contacts and urgent advice: never held by
	// send windows or quiet hours (messages.urgent).
	Crisis bool
}

// Result is the outcome of one step.
type Result struct {
	State   State
	Replies []Reply
	Effects []Effect
	// Done is set when the flow has reached a terminal state; further
	// messages start a new conversation (see Inbound), unless a clinician
	// now owns it.
	Done bool
}

// Engine steps flows. It is safe for concurrent use and holds no
// per-conversation state.
type Engine struct {
	// NewReference draws the reference an absence report is recorded with
	// (RecordAbsence.Reference); nil means ohcontact.NewReference. Set it
	// before the engine is used: tests make it deterministic.
	NewReference func() string

	dir     *signposting.Directory
	loc     map[string]*i18n.Localizer
	flows   map[string]*flowDef
	names   []string
	intents *intent.Classifier // what a message that is no keyword is about
}

// New returns an engine speaking the languages of bundle (locales.Bundle)
// and signposting from dir.
func New(bundle *i18n.Bundle, dir *signposting.Directory) (*Engine, error) {
	if bundle == nil || dir == nil {
		return nil, errors.New("dialogs: New needs a bundle and a directory")
	}
	if err := dir.Validate(); err != nil {
		return nil, fmt.Errorf("dialogs: %w", err)
	}
	e := &Engine{dir: dir, loc: map[string]*i18n.Localizer{}, flows: map[string]*flowDef{}, intents: intent.New()}
	for _, l := range locales.Languages {
		e.loc[l] = i18n.NewLocalizer(bundle, l)
	}
	for _, f := range []*flowDef{absenceReport(), stressCheckin(), mskCheckin(), longTermCheckin(), support()} {
		f.build()
		e.flows[f.name] = f
		e.names = append(e.names, f.name)
	}
	return e, nil
}

// Flows returns the flow names in a fixed order.
func (e *Engine) Flows() []string { return slices.Clone(e.names) }

// FSM returns a fresh state machine of flow in its initial state, for
// drawing (fsm.VisualizeWithType).
func (e *Engine) FSM(flow string) (*fsm.FSM, error) {
	f, ok := e.flows[flow]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownFlow, flow)
	}
	return fsm.NewFSM(f.initial, f.events, nil), nil
}

// Start begins flow and returns its opening messages. It does not read the
// clock: dates are asked for later.
func (e *Engine) Start(flow string, st StartInfo) (Result, error) {
	s, err := e.begin(flow, st, Input{})
	if err != nil {
		return Result{}, err
	}
	s.flow.start(s)
	return s.result()
}

// begin returns a session of a new conversation in flow's initial state,
// reading in, that has said nothing yet: the caller says the flow's
// opening (flow.start) or moves on at once.
func (e *Engine) begin(flow string, st StartInfo, in Input) (*session, error) {
	f, ok := e.flows[flow]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownFlow, flow)
	}
	state := State{
		Flow: flow, Lang: locales.Match(st.Lang), Org: st.Org, Channel: st.Channel,
		Verified: st.IdentityConfirmed, Known: st.Known, FirstName: st.FirstName,
		Reminder: st.Reminder,
	}
	s, err := e.session(state, in)
	if err != nil {
		return nil, err
	}
	if st.IdentityConfirmed {
		s.effect(IdentityConfirmed{Method: "signed_in"})
	}
	s.st.Step = f.initial
	return s, nil
}

// Step handles one inbound message in a conversation whose saved state is
// state, and returns the new state (the input state is not modified),
// replies and effects. The caller runs the risk screen first; Step does not
// screen free text, except that a PHQ-9 item 9 answer above 0 gives a
// RiskPathway effect, and so does a yes or an unclear answer to the direct
// question (Ask).
//
// Step returns ErrFinished when state is terminal.
func (e *Engine) Step(state State, in Input) (Result, error) {
	s, err := e.session(state, in)
	if err != nil {
		return Result{}, err
	}
	if s.st.AskedAt != nil {
		if err := s.answerAsk(in.Text); err != nil {
			return Result{}, err
		}
		return s.result()
	}
	if s.flow.terminal(s.st.Step) {
		return Result{}, ErrFinished
	}
	if s.st.Step == stateFeedbackComment && s.commentIsInput(in.Text) {
		return e.inboundAfterFeedback(s.st, in)
	}
	n, ok := s.flow.nodes[s.st.Step]
	if !ok {
		return Result{}, fmt.Errorf("%w %s: %q", ErrUnknownState, s.st.Flow, s.st.Step)
	}
	if err := s.handle(n, in.Text); err != nil {
		return Result{}, err
	}
	return s.result()
}

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
		state := State{Flow: FlowSupport, Step: StateClosed, Lang: locales.Match(st.Lang), Org: st.Org, Channel: st.Channel}
		s, err := e.session(state, in)
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
			state := State{Flow: FlowSupport, Step: StateClosed, Lang: locales.Match(st.Lang), Org: st.Org, Channel: st.Channel}
			s, err := e.session(state, in)
			if err != nil {
				return Result{}, err
			}
			s.say("case_closed_thanks", s.ohData(), false)
			s.effect(Close{Reason: "completed"})
			return s.result()
		}
		return e.inboundIntent(st, in)
	}
	return e.Start(FlowSupport, st)
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
		state := State{Flow: FlowSupport, Step: StateClosed, Lang: locales.Match(st.Lang), Org: st.Org, Channel: st.Channel}
		s, err := e.session(state, in)
		if err != nil {
			return Result{}, err
		}
		s.say("optout_how", s.ohData(), false)
		s.effect(Close{Reason: "completed"})
		return s.result()
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

// CrisisReply returns the crisis contacts message in lang for org's
// directory, as sent on channel: 999 or A&E, NHS 111 option 2, Samaritans
// and Shout, and that the OH team has been told but is not a 24/7 service.
// The runner sends it at once (never held by quiet hours) on a positive risk
// screen. It never fails: a missing translation falls back to English, and
// an unknown organisation to the national numbers of the demo directory.
//
// To an anonymous web chatter (reachable false) it says instead that the
// OH team cannot contact them, and asks for a name and a phone number or
// email address, in the same message: nobody can contact someone they
// cannot identify, and one message never contradicts another.
func (e *Engine) CrisisReply(lang, org string, channel ohcontact.Channel, reachable bool) string {
	s := e.crisisSession(lang, org)
	s.st.Known, s.st.Channel = reachable, channel
	text := s.crisisReply().Text
	if channel == ohcontact.ChannelSMS {
		text = locales.SMSText(text)
	}
	return text
}

// crisisSession is a session for crisis texts: org's directory (the demo
// one's national numbers when org is unknown) in lang.
func (e *Engine) crisisSession(lang, org string) *session {
	o, ok := e.dir.Organisation(org)
	if !ok {
		o, _ = signposting.Demo().Organisation(signposting.DemoCode)
	}
	return &session{e: e, org: o, loc: e.localizer(locales.Match(lang))}
}

// HoldingLine is what the bot says, while the conversation waits for a
// clinician, to someone who writes: that the OH team is at work and has
// their messages (next equal to now or before it), or when it is back
// (next, shown on org's clock loc) and where to turn until then. It is
// never held by quiet hours.
func (e *Engine) HoldingLine(lang, org string, channel ohcontact.Channel, now, next time.Time, loc *time.Location) Reply {
	s := e.crisisSession(lang, org)
	id := "holding_at_work"
	var data map[string]any
	if next.After(now) {
		id = "holding_away"
		get := func(k string) signposting.Service { v, _ := s.org.Service(k); return v }
		n111 := get(signposting.KeyNHS111)
		local := next.In(loc)
		data = map[string]any{"Day": s.text(fmt.Sprintf("weekday_%d", local.Weekday()), nil), "Date": formatDate(local),
			"Time": local.Format("15:04"), "NHS111": n111.Phone, "Option": phoneOption(n111),
			"Samaritans": get(signposting.KeySamaritans).Phone}
	}
	text := s.text(id, data)
	if channel == ohcontact.ChannelSMS {
		text = locales.SMSText(text)
	}
	return Reply{Text: text, MessageID: id}
}

// ContactDetailsThanks acknowledges a name, phone number or email address
// written by an anonymous web chatter after a disclosure: the OH team has
// them (the case's transcript) and will use them.
func (e *Engine) ContactDetailsThanks(lang string) Reply {
	s := &session{e: e, loc: e.localizer(locales.Match(lang))}
	return Reply{Text: s.text("webchat_contact_thanks", nil), MessageID: "webchat_contact_thanks"}
}

// WidgetNotice is the line the web chat widget always shows: the chat is
// not watched around the clock, and where to turn now instead, with org's
// numbers.
func (e *Engine) WidgetNotice(lang, org string) string {
	s := e.crisisSession(lang, org)
	get := func(k string) signposting.Service { v, _ := s.org.Service(k); return v }
	return s.text("widget_notice", map[string]any{
		"Emergency": get(signposting.KeyEmergency).Phone, "NHS111": get(signposting.KeyNHS111).Phone,
		"Option": phoneOption(get(signposting.KeyNHS111)), "Samaritans": get(signposting.KeySamaritans).Phone,
	})
}

func (e *Engine) localizer(lang string) *i18n.Localizer {
	if l, ok := e.loc[locales.Match(lang)]; ok {
		return l
	}
	return e.loc[locales.Default]
}

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
	if len(v) > 200 {
		v = v[:200]
	}
	if s.st.Answers == nil {
		s.st.Answers = map[string]string{}
	}
	s.st.Answers[q] = v
	s.effect(RecordAnswer{Question: q, Value: v})
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

// fire sends event to the flow's machine, rebuilt from the saved state, and
// moves to the state it lands in, then says that state's prompt. A
// self-transition (fsm.NoTransitionError) means "stay" and says the node's
// again prompt.
func (s *session) fire(event string) error {
	from := s.st.Step
	m := fsm.NewFSM(from, s.flow.events, s.flow.callbacks)
	s.entered = ""
	err := m.Event(context.Background(), event, s)
	var noTransition fsm.NoTransitionError
	switch {
	case errors.As(err, &noTransition):
	case err != nil:
		return fmt.Errorf("dialogs: %s: event %s in state %s: %w", s.flow.name, event, from, err)
	}
	s.st.Step = m.Current()
	if s.st.Step != from {
		s.st.Reprompts = 0
	}
	n := s.flow.nodes[s.st.Step]
	switch {
	case n == nil:
		return fmt.Errorf("%w %s: %q", ErrUnknownState, s.flow.name, s.st.Step)
	case s.st.Step == from && n.again != nil:
		n.again(s)
	case n.prompt != nil:
		n.prompt(s)
	}
	return nil
}

// handle runs the keywords every step understands, then the node's own
// answer handler.
func (s *session) handle(n *node, text string) error {
	norm := normalize(text)
	k, lang := parseKeyword(norm)
	switch k {
	case KeywordOptOut:
		s.effect(OptOut{})
		return s.fire(evOptOut)
	case KeywordOptIn:
		s.effect(OptIn{})
		s.say("optin_confirm", s.ohData(), false)
		s.reprompt(n)
		return nil
	case KeywordHelp:
		s.say("help", s.ohData(), false)
		s.reprompt(n)
		return nil
	case KeywordLanguage:
		s.st.Lang = lang
		s.loc = s.e.localizer(lang)
		s.effect(SwitchLanguage{Lang: lang})
		s.say("language_switched", nil, false)
		s.reprompt(n)
		return nil
	case KeywordTalk:
		return s.talk()
	case KeywordAbsence:
		if s.flow.name != FlowAbsenceReport {
			return s.switchFlow(FlowAbsenceReport)
		}
	case KeywordSupport:
		if s.flow.name != FlowSupport {
			return s.switchFlow(FlowSupport)
		}
		if s.st.Step == supportAskAbsence {
			s.record(answerAskAbsence, "no")
			return s.fire(evNo) // the menu
		}
		s.reprompt(n)
		return nil
	}
	s.repromptID = ""
	ev := n.answer(s, answer{raw: text, norm: norm})
	if s.err != nil {
		return s.err
	}
	switch ev {
	case evStay:
		return nil
	case "":
	default:
		return s.fire(ev)
	}
	if done, err := s.menuIntent(n, text); done {
		return err
	}
	if n.notGiven != nil && s.st.Reprompts >= 1 {
		return s.fire(n.notGiven(s))
	}
	s.st.Reprompts++
	if s.st.Reprompts >= maxReprompts {
		if s.st.Step == StateOfferPerson {
			// Still no usable answer after the offer: ask OH to get in
			// touch rather than leave someone who may be struggling.
			s.effect(RequestClinician{Priority: ohcontact.PriorityRoutine, Reason: "could_not_understand"})
			s.say("offer_person_gave_up", nil, false)
		}
		return s.fire(evUnclear)
	}
	id := n.expect.reprompt()
	if s.repromptID != "" {
		id = s.repromptID
	}
	s.say(id, map[string]any{"N": n.menuSize, "Options": s.options(n)}, false)
	return nil
}

// options returns the numbered option lines ("1 Less than 2 weeks") of
// n's question as its prompt says them, so that a re-prompt after a miss
// repeats the choices instead of only their range. The prompt is rendered
// and taken back: it leaves no reply or effect behind.
func (s *session) options(n *node) string {
	if n.prompt == nil || (n.expect != expectMenu && n.expect != expectMultiMenu) {
		return ""
	}
	replies, effects := len(s.replies), len(s.effects)
	n.prompt(s)
	var lines []string
	for _, r := range s.replies[replies:] {
		for _, line := range strings.Split(r.Text, "\n") {
			num, _, ok := strings.Cut(line, " ")
			if _, err := strconv.Atoi(num); ok && err == nil {
				lines = append(lines, line)
			}
		}
	}
	s.replies, s.effects = s.replies[:replies], s.effects[:effects]
	return strings.Join(lines, "\n")
}

// talk asks for a person and hands the conversation over (TALK).
func (s *session) talk() error {
	s.effect(RequestClinician{Priority: ohcontact.PriorityRoutine, Reason: "asked_to_talk", Handover: true})
	return s.fire(evTalk)
}

// menuIntent reads an answer a menu did not understand with the intent
// model (dialogs/intent): an absence report starts the absence report
// (as SICK does; not within it); at a menu that asks (n.askAbsence), a
// message that may be one is asked about; an intent the menu offers
// (n.byIntent) picks that option; a wish to stop is told to text STOP
// (never opted out on a guess). It reports whether it handled the answer.
func (s *session) menuIntent(n *node, text string) (bool, error) {
	if n.expect != expectMenu && n.expect != expectMultiMenu {
		return false, nil
	}
	r := s.intentOf(text)
	got := r.Intent
	switch {
	case got == intent.Absence && s.flow.name != FlowAbsenceReport:
		return true, s.switchFlow(FlowAbsenceReport)
	case r.AskAbsence && n.askAbsence:
		return true, s.askAbsence()
	case n.choose != nil && len(n.byIntent[got]) > 0:
		return true, s.fire(n.choose(s, n.byIntent[got]))
	case got == intent.Stop:
		s.say("optout_how", s.ohData(), false)
		return true, nil
	}
	return false, nil
}

// reprompt repeats the node's question (after HELP, START or a language
// switch).
func (s *session) reprompt(n *node) {
	if n.prompt != nil {
		n.prompt(s)
	}
}

// switchFlow leaves the current flow for another (SICK, SUPPORT), keeping
// who and how, and says the new flow's opening.
func (s *session) switchFlow(flow string) error {
	f := s.e.flows[flow]
	s.st = State{
		Flow: flow, Step: f.initial, Lang: s.st.Lang, Org: s.st.Org, Channel: s.st.Channel,
		Verified: s.st.Verified, Known: s.st.Known, FirstName: s.st.FirstName,
		Signposted: s.st.Signposted, Told: s.st.Told, AskedDirectly: s.st.AskedDirectly,
	}
	s.flow = f
	f.start(s)
	return nil
}

// answer is one inbound text, raw and normalised.
type answer struct {
	raw, norm string
}

// expect says what kind of answer a node wants, for its re-prompt.
type expect int

const (
	expectAny expect = iota
	expectYesNo
	expectMenu
	expectMultiMenu
	expectScale
	expectName
	expectStartDate
	expectReturnDate
)

func (x expect) reprompt() string {
	switch x {
	case expectYesNo:
		return "reprompt_yesno"
	case expectMenu:
		return "reprompt_menu"
	case expectMultiMenu:
		return "reprompt_multi"
	case expectScale:
		return "reprompt_scale"
	case expectName:
		return "reprompt_name"
	case expectStartDate:
		return "reprompt_start_date"
	case expectReturnDate:
		return "reprompt_return_date"
	}
	return "reprompt_any"
}

// Event names shared by every flow.
const (
	evOptOut  = "opt_out"
	evTalk    = "talk"
	evUnclear = "unclear"
	evYes     = "yes"
	evNo      = "no"
	// evStay is returned by an answer handler that has handled the answer
	// (and said something) without moving; no event is fired.
	evStay = "-"
)

// node is one state of a flow: what is said on entering it, and how an
// answer in it is read.
type node struct {
	expect   expect
	menuSize int // for expectMenu / expectMultiMenu: the number meaning "done", or the last option
	// prompt is said on entering the state (and after HELP or a language
	// switch).
	prompt func(s *session)
	// again is said when an answer keeps the flow in the same state (a
	// menu offering more).
	again func(s *session)
	// answer reads a usable answer, records it (effects, answers, replies)
	// and returns the event to fire, or "" when the answer is unusable.
	answer func(s *session, a answer) string
	// notGiven, when set, takes a second unusable answer in a row instead
	// of re-prompting again: it records the answer as not given and
	// returns the event to fire (the question is skipped, not the flow).
	notGiven func(s *session) string
	// choose, on a menu of support options, takes the options chosen and
	// returns the event to fire; byIntent are the options a message about
	// an intent picks ("I can't pay my rent": money worries).
	choose   func(s *session, choices []int) string
	byIntent map[intent.Intent][]int
	// askAbsence, on the support menu, asks about an answer the intent
	// model may read as an absence report (intent.Result.AskAbsence)
	// instead of re-prompting or picking an option.
	askAbsence bool
}

// flowDef is one flow: its machine and its nodes.
type flowDef struct {
	name    string
	initial string
	events  fsm.Events
	nodes   map[string]*node
	// start says the flow's opening (in state initial, which it may change
	// by firing an event).
	start     func(s *session)
	callbacks fsm.Callbacks
	terminals map[string]bool
}

func (f *flowDef) terminal(state string) bool { return f.terminals[state] }

// build adds the states and events every flow has: opt-out, a request to
// talk, and three unusable answers leading to an offer of a person, from
// every non-terminal state; the offer itself; and the terminal states.
func (f *flowDef) build() {
	f.terminals = map[string]bool{StateClosed: true, StateOptedOut: true, StateHandedOver: true, StateRiskPathway: true}
	f.nodes[StateOfferPerson] = &node{expect: expectYesNo,
		prompt: func(s *session) { s.say("offer_person", nil, false) },
		answer: func(s *session, a answer) string {
			switch parseYesNo(a.norm) {
			case ynYes:
				s.effect(RequestClinician{Priority: ohcontact.PriorityRoutine, Reason: "could_not_understand", Handover: true})
				return evYes
			case ynNo, ynNotNow:
				return evNo
			}
			return ""
		}}
	f.nodes[StateClosed] = &node{prompt: closing}
	f.nodes[StateOptedOut] = &node{prompt: func(s *session) {
		s.say("optout_confirm", s.ohData(), false)
		s.effect(Close{Reason: "opted_out"})
	}}
	f.nodes[StateHandedOver] = &node{prompt: func(s *session) {
		s.say("talk_ack", map[string]any{"Hours": s.ohService().Hours}, false)
	}}
	// Only flows that screen (the stress check-in) lead to the risk
	// pathway themselves; a positive risk screen of free text is the
	// runner's, before Step.
	if slices.ContainsFunc(f.events, func(e fsm.EventDesc) bool { return e.Dst == StateRiskPathway }) {
		f.nodes[StateRiskPathway] = &node{prompt: func(s *session) {
			s.replies = append(s.replies, s.crisisReply())
		}}
	}
	var states []string
	for name := range f.nodes {
		if !f.terminals[name] {
			states = append(states, name)
		}
	}
	slices.Sort(states)
	questions := slices.DeleteFunc(slices.Clone(states), func(st string) bool { return st == StateOfferPerson })
	f.events = append(f.events,
		fsm.EventDesc{Name: evOptOut, Src: states, Dst: StateOptedOut},
		fsm.EventDesc{Name: evTalk, Src: states, Dst: StateHandedOver},
		fsm.EventDesc{Name: evUnclear, Src: questions, Dst: StateOfferPerson},
		fsm.EventDesc{Name: evYes, Src: []string{StateOfferPerson}, Dst: StateHandedOver},
		fsm.EventDesc{Name: evNo, Src: []string{StateOfferPerson}, Dst: StateClosed},
		fsm.EventDesc{Name: evUnclear, Src: []string{StateOfferPerson}, Dst: StateClosed},
	)
	// Callbacks only record what happened; the session acts after Event
	// returns (calling Event, Can or SetState inside a callback deadlocks).
	f.callbacks = fsm.Callbacks{
		"enter_state": func(_ context.Context, e *fsm.Event) {
			if s, ok := e.Args[0].(*session); ok {
				s.entered = e.Dst
			}
		},
	}
}

// closing is the closed state's prompt: a summary of what was signposted,
// and Close.
func closing(s *session) {
	defer s.effect(Close{Reason: "completed"})
	if s.asksFeedback() {
		defer s.effect(AskFeedback{})
	}
	if s.skipClosing {
		return
	}
	names := make([]string, 0, len(s.st.Signposted))
	for _, k := range s.st.Signposted {
		if svc, ok := s.org.Service(k); ok {
			names = append(names, svc.Name)
		}
	}
	if len(names) == 0 {
		s.say("closing_none", s.ohData(), false)
	} else {
		s.sayText(s.plural("closing_summary", len(names), nil), false)
		s.sayText(strings.Join(names, "\n"), false)
	}
}

// signpost gives every service of the categories, once each, and records
// them.
func (s *session) signpost(health bool, cats ...signposting.Category) {
	for _, c := range cats {
		for _, svc := range s.org.ByCategory(c) {
			if c == signposting.Crisis {
				continue
			}
			s.sayText(s.serviceLine(svc), health)
			s.effect(Signpost{Service: svc.Key, Category: svc.Category})
			if !slices.Contains(s.st.Signposted, svc.Key) {
				s.st.Signposted = append(s.st.Signposted, svc.Key)
			}
		}
	}
}

// serviceLine is one service as a text: "Samaritans: call 116 123.
// https://www.samaritans.org (24/7, free)".
func (s *session) serviceLine(svc signposting.Service) string {
	var parts []string
	if svc.Phone != "" {
		if svc.PhoneOption > 0 {
			parts = append(parts, s.text("svc_call_option", map[string]any{"Phone": svc.Phone, "Option": svc.PhoneOption}))
		} else {
			parts = append(parts, s.text("svc_call", map[string]any{"Phone": svc.Phone}))
		}
	}
	if svc.SMSNumber != "" {
		parts = append(parts, s.text("svc_text", map[string]any{"Keyword": svc.SMSKeyword, "Number": svc.SMSNumber}))
	}
	var b strings.Builder
	b.WriteString(svc.Name)
	b.WriteString(":")
	if len(parts) > 0 {
		b.WriteString(" ")
		b.WriteString(strings.Join(parts, ", "))
		b.WriteString(".")
	}
	if svc.URL != "" {
		b.WriteString(" ")
		b.WriteString(svc.URL)
	}
	if svc.Hours != "" {
		b.WriteString(" (" + svc.Hours + ")")
	}
	return b.String()
}

// anonymous reports whether a conversation is an anonymous web chat: with
// nobody on record (known false) and no number to call back, nobody can
// contact the person unless they say how.
func anonymous(known bool, channel ohcontact.Channel) bool {
	return !known && channel == ohcontact.ChannelWebChat
}

// crisisReply is the crisis contacts message (to an anonymous web chatter,
// the one that asks how the OH team may contact them).
func (s *session) crisisReply() Reply {
	get := func(k string) signposting.Service { v, _ := s.org.Service(k); return v }
	em, n111, sam, shout := get(signposting.KeyEmergency), get(signposting.KeyNHS111), get(signposting.KeySamaritans), get(signposting.KeyShout)
	id := "crisis"
	if anonymous(s.st.Known, s.st.Channel) {
		id = "webchat_crisis_anonymous"
	}
	text := s.text(id, map[string]any{
		"Emergency": em.Phone, "NHS111": n111.Phone, "Option": phoneOption(n111), "Samaritans": sam.Phone,
		"Keyword": shout.SMSKeyword, "Number": shout.SMSNumber,
	})
	return Reply{Text: text, MessageID: id, Crisis: true}
}

// phoneOption is the menu option of NHS 111's mental health line (2 unless
// the directory says otherwise).
func phoneOption(n111 signposting.Service) int {
	if n111.PhoneOption == 0 {
		return 2
	}
	return n111.PhoneOption
}

// formatDate formats a date for texts: 3/11/2026 (day/month/year, read the
// same way in all three languages).
func formatDate(t time.Time) string {
	return fmt.Sprintf("%d/%d/%d", t.Day(), int(t.Month()), t.Year())
}

// consentNode is the first-contact step of the check-ins: YES confirms
// identity and goes on (event yes); NO closes; "not now" schedules one
// reminder a day later and closes.
func consentNode(flow string) *node {
	return &node{expect: expectYesNo,
		prompt: func(s *session) { s.say("first_contact", s.ohData(), false) },
		answer: func(s *session, a answer) string {
			switch parseYesNo(a.norm) {
			case ynYes:
				s.record("consent", "yes")
				if !s.st.Verified {
					s.st.Verified = true
					s.effect(IdentityConfirmed{Method: "reply_yes"})
				}
				return evYes
			case ynNo:
				s.record("consent", "no")
				return evNo
			case ynNotNow:
				s.record("consent", "not_now")
				if !s.st.Reminder {
					s.effect(ScheduleReminder{After: 24 * time.Hour, Flow: flow})
					s.say("consent_later", nil, false)
					s.skipClosing = true
				}
				return evNo
			}
			return ""
		}}
}

// yesNoNode is a yes/no question whose answer is recorded as question.
func yesNoNode(prompt func(s *session), question string, onYes, onNo func(s *session)) *node {
	return &node{expect: expectYesNo, prompt: prompt,
		answer: func(s *session, a answer) string {
			switch parseYesNo(a.norm) {
			case ynYes:
				s.record(question, "yes")
				if onYes != nil {
					onYes(s)
				}
				return evYes
			case ynNo, ynNotNow:
				s.record(question, "no")
				if onNo != nil {
					onNo(s)
				}
				return evNo
			}
			return ""
		}}
}

// sayer returns a prompt that says message id (health marks health detail).
func sayer(id string, health bool) func(s *session) {
	return func(s *session) { s.say(id, s.ohData(), health) }
}
