package dialogs

import (
	"time"

	"github.com/ohcontact/ohcontact"
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
	// Vaccine is what a vaccination campaign's invitation is for
	// (StartInfo.Vaccine); empty in every other flow.
	Vaccine string `json:"vaccine,omitempty"`
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
	// Vaccine names what a vaccination campaign's invitation is for
	// ("flu", "COVID-19"); empty for every other start.
	Vaccine string
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
