// Package ohcontact holds the domain vocabulary of the OH digital contact
// service: the types every other package speaks in. It depends on nothing
// but the standard library.
//
// The service contacts NHS staff who are off sick (by SMS or intranet web
// chat) when an absence trigger fires, runs a short conversation, signposts
// them to support, and hands anyone at risk to an occupational-health
// clinician.
package ohcontact

import "time"

// Organisation is an NHS trust (or other employer) whose OH service uses
// ohcontact. Code is its short, stable identifier (an NHS organisation code
// such as "RTD", or "DEMO").
type Organisation struct {
	ID   int64
	Code string
	Name string
	// GoLive is the first day of the organisation's pilot (a date; zero if
	// not said). The pilot dashboard compares the figures from then on
	// with a baseline period just before it.
	GoLive time.Time
}

// Channel is how a conversation reaches a member of staff.
type Channel string

const (
	ChannelSMS     Channel = "sms"     // text messages through Twilio (or the demo phone simulator)
	ChannelWebChat Channel = "webchat" // the intranet chat widget
)

// Label is c's name as people read it: "SMS" or "Web chat".
func (c Channel) Label() string {
	switch c {
	case ChannelSMS:
		return "SMS"
	case ChannelWebChat:
		return "Web chat"
	}
	return string(c)
}

// Priority is how fast a person must be brought in. It never decides that
// nobody is needed: every priority above PriorityNone opens a case.
type Priority string

const (
	PriorityNone    Priority = "none"    // nothing found: the flow carries on
	PriorityRoutine Priority = "routine" // a person follows up within working days
	PriorityHigh    Priority = "high"    // a person follows up within hours
	PriorityUrgent  Priority = "urgent"  // crisis contacts now; a person within minutes
)

// Positive reports whether p brings a person in.
func (p Priority) Positive() bool { return p != PriorityNone && p != "" }

// Rank orders priorities: none 0, routine 1, high 2, urgent 3.
func (p Priority) Rank() int {
	switch p {
	case PriorityRoutine:
		return 1
	case PriorityHigh:
		return 2
	case PriorityUrgent:
		return 3
	}
	return 0
}

// RiskResult is what the risk screen found in one inbound message.
type RiskResult struct {
	Priority Priority
	// Category names the kind of risk, e.g. "suicide_risk" or
	// "safeguarding"; empty when Priority is PriorityNone.
	Category string
	// Evidence says, for a clinician, which words matched and why.
	Evidence []string
	// Ask is set when the bot should ask the person directly whether they
	// are having thoughts of ending their life: the screen saw a weak
	// signal or a model score just below positive. It comes only with
	// PriorityNone or PriorityRoutine. Asking is safe; yes, an unclear
	// answer or silence brings a person in.
	Ask bool
}

// Inbound is one message from a member of staff (or an unknown sender), as a
// channel hands it to the conversation runner.
type Inbound struct {
	Channel Channel
	// Address is where the message came from and replies go: the sender's
	// number in E.164 for SMS, the widget session for web chat.
	Address string
	// Text is the normalised message body (see channels.Normalise).
	Text string
	// ExternalID is the channel's id for the message (Twilio's MessageSid, the
	// widget's frame id). A second message with the same channel and
	// ExternalID is a retry and is not processed again.
	ExternalID string
	ReceivedAt time.Time
	// Organisation and StaffID are set by channels that know who is
	// writing before the message arrives: the web chat knows the
	// organisation from the page and the person from their identity token
	// (StaffID 0 for an anonymous chat). SMS leaves both zero; the
	// sender's number decides.
	Organisation Organisation
	StaffID      int64
	// ClientKey is, for an anonymous web chat, a keyed hash of the
	// client's network address (never the address itself); empty
	// otherwise. Anonymous conversations with the same key are taken to be
	// one client's.
	ClientKey string
	// Lang is the language the channel knows the person reads (the web
	// chat page's, en-GB, cy or pl); empty when it knows none. A new
	// conversation with someone who has no language on record (an
	// anonymous chat) starts in it.
	Lang string
	// ProviderOptOut and ProviderOptIn are set by the SMS channel when the
	// text is one of its provider's own opt-out or opt-in keywords (Twilio's
	// STOP, START…: sms.TwilioKeyword). The provider has then already
	// blocked (or unblocked) the number and sent the person its own
	// confirmation, so the runner records the opt-out (or opt-in) and, for
	// an opt-out, queues no text of its own.
	ProviderOptOut, ProviderOptIn bool
}

// Owner says who answers a conversation. A conversation owned by a
// clinician gets no bot replies until it is handed back.
type Owner string

const (
	OwnerBot       Owner = "bot"
	OwnerClinician Owner = "clinician"
)

// Staff is a member of staff as the conversation runner needs them.
type Staff struct {
	ID               int64
	OrganisationID   int64
	OrganisationCode string
	AssignmentNumber string
	FirstName        string
	Mobile           string // E.164, empty when unknown
	Language         string // "en-GB", "cy" or "pl"
	OptedOut         bool
}

// Conversation is one run of a flow on one channel. Flow, State and Data
// are the dialog engine's saved state; Version increases with every save.
type Conversation struct {
	ID             int64
	OrganisationID int64
	StaffID        int64 // 0 for an anonymous chat or an unknown number
	ContactID      int64 // the scheduled contact that opened it; 0 when the person did
	// CampaignMemberID is the campaign member row whose invitation opened
	// it (a vaccination campaign's); 0 for every other conversation.
	CampaignMemberID int64
	// NewStarterID is the new starter whose welcome opened it; 0 for every
	// other conversation.
	NewStarterID   int64
	Channel        Channel
	Address        string
	Flow           string
	State          string
	Data           []byte // JSON
	Language       string
	Version        int
	Owner          Owner
	Closed         bool
	LastMessageSeq int
	// ClientKey is the Inbound.ClientKey that opened an anonymous web chat
	// conversation; empty for every other conversation.
	ClientKey string
	// FollowsCaseID is the unresolved case whose conversation a clinician
	// had handed back when the person started this one: its messages are
	// part of that case's thread. 0 for every other conversation.
	FollowsCaseID int64
}

// Direction is which way a message went.
type Direction string

const (
	DirectionInbound  Direction = "inbound"
	DirectionOutbound Direction = "outbound"
)

// Author is who wrote a message.
type Author string

const (
	AuthorStaff     Author = "staff"
	AuthorBot       Author = "bot"
	AuthorClinician Author = "clinician"
)

// Message is one message in a conversation. Seq numbers a conversation's
// messages from 1 with no gaps.
type Message struct {
	ID             int64
	ConversationID int64
	Seq            int
	Direction      Direction
	Channel        Channel
	Author         Author
	AuthorUserID   int64 // the clinician, when Author is AuthorClinician
	Body           string
	ExternalID     string
	// Urgent messages (crisis contacts, replies to someone who has just
	// written) are never held for a send window.
	Urgent bool
	// Crisis messages (crisis contacts and urgent advice) are delivered on
	// a lane of their own, never behind ordinary messages (sms.Outbox).
	// Set only when queueing; not stored.
	Crisis    bool
	CreatedAt time.Time
}
