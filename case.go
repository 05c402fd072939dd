package ohcontact

import "time"

// Case statuses (Case.Status).
const (
	CaseOpen     = "open"     // in the queue, waiting for a clinician
	CaseClaimed  = "claimed"  // a clinician has it
	CaseResolved = "resolved" // closed with an outcome
)

// Case is a case with everything the console's case page shows about it
// and the person it is about.
type Case struct {
	ID               int64
	OrganisationID   int64
	OrganisationName string
	Priority         Priority
	Category         string
	Evidence         []string
	UnknownSender    bool
	Status           string // open, claimed or resolved
	ClaimedBy        int64  // 0 when open
	ClaimedByName    string
	ClaimedAt        time.Time
	SLADue           time.Time
	CreatedAt        time.Time
	Outcome          string
	ResolvedByName   string
	ResolvedAt       time.Time
	// NewMessageAt is when the person last wrote on the case's thread, if
	// the clinician holding it has not opened it since (zero otherwise).
	NewMessageAt time.Time

	// The member of staff, when known (StaffID 0 otherwise). Their
	// mobile and email are not here: postgres.RevealContact reads them.
	StaffID          int64
	JobTitle         string // empty when not known
	Department       string // empty when not known
	StaffFirstName   string
	AssignmentNumber string
	StaffOptedOut    bool

	// The case's conversation, when it came from one (ConversationID 0
	// otherwise).
	ConversationID int64
	// Its thread's conversation now: the newest open one of the case's
	// conversation and those that followed it after a hand-back
	// (Conversation.FollowsCaseID), else the case's own. Replies
	// go to it, and the fields below describe it.
	CurrentConversationID int64
	OrganisationCode      string
	Language              string
	Channel               Channel
	Owner                 Owner
	ConversationClosed    bool
	// Verified is set once the person has confirmed who they are in the
	// conversation.
	Verified bool
	// NumberEnding is the last three digits of the number an SMS
	// conversation's replies go to; the whole number never leaves the
	// database for the console.
	NumberEnding string
}
