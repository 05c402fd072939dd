// Package dialogs holds the conversation flows and the engine that steps
// them. Each flow is a looplab/fsm machine; the engine's step is pure: saved
// state and one inbound message in, new state, localised replies and effects
// out, with no I/O and no clock (time comes in the Input). The caller — the
// runner — saves the state, records the effects and queues the replies in one
// transaction, and delivers after commit (DESIGN.md, "The hot path").
//
// # Flows
//
// absence-report, stress-checkin, msk-checkin, long-term-checkin, support
// vaccination (a campaign's invitation) and new-starter (a new starter's
// welcome); each is described in its own file, and `ohcontact flows graph`
// draws them.
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
//   - A vaccination campaign's invitation is the same for everyone in the
//     group (the OH service, the vaccine, the clinic) and the flow's later
//     texts only answer what the person wrote: no confirmation is asked.
//   - A new starter's welcome names the OH service and the questionnaire
//     link, and asks nothing about their health: no confirmation is asked.
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
	"errors"
	"fmt"
	"slices"

	"github.com/looplab/fsm"
	"github.com/nicksnyder/go-i18n/v2/i18n"

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
	FlowVaccination     = "vaccination"
	FlowNewStarter      = "new-starter"
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
	ErrNoVaccine           = errors.New("dialogs: a vaccination invitation needs StartInfo.Vaccine")
	ErrNoClinic            = errors.New("dialogs: the organisation has no vaccination clinic in its directory ([organisations.vaccination])")
	ErrNoQuestionnaire     = errors.New("dialogs: the organisation welcomes no new starters ([organisations.new_starters])")
)

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
	for _, f := range []*flowDef{absenceReport(), stressCheckin(), mskCheckin(), longTermCheckin(), support(), vaccination(), newStarter()} {
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
		Reminder: st.Reminder, Vaccine: st.Vaccine,
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

func (e *Engine) localizer(lang string) *i18n.Localizer {
	if l, ok := e.loc[locales.Match(lang)]; ok {
		return l
	}
	return e.loc[locales.Default]
}
