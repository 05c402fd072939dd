package dialogs

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/signposting"
)

// Effect is something a step asks the caller to do, in the same transaction
// that saves the new state (or, for deliveries, after commit). Effects are
// values: the engine never acts on them. The concrete types are listed
// below; a type switch over them is exhaustive.
type Effect interface {
	fmt.Stringer
	effect()
}

// RecordAnswer stores an answer (answers table; the latest answer wins).
// Question matches ^[a-z0-9_.-]{1,64}$ and Value is at most 200 bytes.
type RecordAnswer struct {
	Question string
	Value    string
}

// IdentityConfirmed records that the person confirmed who they are, and how:
// "reply_yes" (replied YES to a first contact sent to the number on their
// record), "first_name" (gave the first name on record) or "signed_in" (the
// intranet widget's identity token). Health detail is sent only after it.
type IdentityConfirmed struct{ Method string }

// Signpost records that a service was given to the person (signposts table).
type Signpost struct {
	Service  string // directory key
	Category signposting.Category
}

// RequestClinician asks for a person from the OH team: open a case with
// this priority and reason. With Handover, the conversation also moves to
// clinician ownership and the bot stays silent until it is handed back.
type RequestClinician struct {
	Priority ohcontact.Priority
	Reason   string // case category, ^[a-z_]{1,40}$
	Handover bool
}

// RiskPathway is a positive risk screen found by a flow (PHQ-9 item 9 above
// 0). The caller treats it exactly as a positive risk screen of an inbound
// message: urgent case, crisis contacts (already among the replies, never
// held by quiet hours), clinician ownership, bot silent.
type RiskPathway struct {
	Risk ohcontact.RiskResult
}

// CreateReferral makes a fast-track physiotherapy referral holding the
// answers the person agreed to share (escalation.Referrals.Make): tracked
// work for their physio team, with an SLA.
type CreateReferral struct {
	Answers map[string]string
}

// RecordAbsence records a self-reported absence episode (source
// self_report) that the trigger rules then act on. Dates are YYYY-MM-DD;
// ExpectedReturn is empty when the person does not know.
type RecordAbsence struct {
	StartsOn       string
	ReasonCode     string // ESR code, S10..S99
	RelatedReason  string // e.g. "COVID-19", or empty
	ExpectedReturn string
	Reference      string // the reference the person was given
}

// ScheduleReminder asks for Flow to be started again after the given time
// (as a first contact, subject to send windows).
type ScheduleReminder struct {
	After time.Duration
	Flow  string
}

// OptOut records that the person opted out: no more messages of any flow
// until they opt in. It takes effect at once.
type OptOut struct{}

// OptIn records that the person opted back in.
type OptIn struct{}

// SwitchLanguage records the person's language (staff.language and
// conversations.language).
type SwitchLanguage struct{ Lang string }

// Close closes the conversation with a reason allowed by
// conversations.closed_reason ("completed" or "opted_out").
type Close struct{ Reason string }

// AskDirectly records that the bot asked directly about thoughts of ending
// their life at At, because of Risk (Engine.Ask): the runner opens the case
// Risk warrants if it is positive (without handing the conversation over)
// and schedules the check that brings a person in if nobody answers.
type AskDirectly struct {
	Risk ohcontact.RiskResult
	At   time.Time
}

// AskFeedback says that the flow has ended normally and may be followed by
// the feedback question (feedback.go); the runner asks it if the person
// may be asked.
type AskFeedback struct{}

// RateFeedback stores Rating (1 to 5) as the answer to feedback question
// ID (postgres.RateFeedback).
type RateFeedback struct {
	ID     int64
	Rating int
}

// CommentFeedback stores Text as the comment on feedback question ID
// (postgres.CommentFeedback).
type CommentFeedback struct {
	ID   int64
	Text string
}

// CampaignOutcome records what a person answered a campaign's invitation
// (postgres.RecordCampaignOutcome: one of postgres.OutcomeBooked,
// OutcomeHadElsewhere, OutcomeDeclined, OutcomeQuestion) on the campaign
// member the conversation was opened for. A conversation opened for no
// campaign member (ohcontact chat) records nothing. Detail holds the
// particulars (slot, date, where, reason); a later outcome of the same
// kind adds to them.
type CampaignOutcome struct {
	Outcome string
	Detail  map[string]string
}

// NewStarterWorklist puts the new starter the conversation was opened for
// on the OH admin team's worklist now (postgres.PutNewStarterOnWorklist,
// WorklistAsked): they asked a question or for help. A conversation opened for
// no new starter (ohcontact chat) records nothing.
type NewStarterWorklist struct{}

func (CampaignOutcome) effect()    {}
func (NewStarterWorklist) effect() {}
func (AskFeedback) effect()        {}
func (RateFeedback) effect()       {}
func (CommentFeedback) effect()    {}
func (AskDirectly) effect()        {}
func (RecordAnswer) effect()       {}
func (IdentityConfirmed) effect()  {}
func (Signpost) effect()           {}
func (RequestClinician) effect()   {}
func (RiskPathway) effect()        {}
func (CreateReferral) effect()     {}
func (RecordAbsence) effect()      {}
func (ScheduleReminder) effect()   {}
func (OptOut) effect()             {}
func (OptIn) effect()              {}
func (SwitchLanguage) effect()     {}
func (Close) effect()              {}

func (e RecordAnswer) String() string      { return fmt.Sprintf("answer(%s=%s)", e.Question, e.Value) }
func (e IdentityConfirmed) String() string { return "identity_confirmed(" + e.Method + ")" }
func (e Signpost) String() string          { return fmt.Sprintf("signpost(%s, %s)", e.Service, e.Category) }
func (e RequestClinician) String() string {
	h := ""
	if e.Handover {
		h = ", handover"
	}
	return fmt.Sprintf("request_clinician(%s, %s%s)", e.Priority, e.Reason, h)
}
func (e RiskPathway) String() string {
	return fmt.Sprintf("risk_pathway(%s, %s: %s)", e.Risk.Priority, e.Risk.Category, strings.Join(e.Risk.Evidence, "; "))
}
func (e CreateReferral) String() string {
	keys := make([]string, 0, len(e.Answers))
	for k := range e.Answers {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k + "=" + e.Answers[k])
	}
	return fmt.Sprintf("create_referral(physiotherapy: %s)", b.String())
}
func (e RecordAbsence) String() string {
	ret := e.ExpectedReturn
	if ret == "" {
		ret = "unknown"
	}
	rel := ""
	if e.RelatedReason != "" {
		rel = " (" + e.RelatedReason + ")"
	}
	return fmt.Sprintf("record_absence(from %s, %s%s, back %s, ref %s)", e.StartsOn, e.ReasonCode, rel, ret, e.Reference)
}
func (e ScheduleReminder) String() string {
	return fmt.Sprintf("schedule_reminder(%s after %s)", e.Flow, e.After)
}
func (e AskDirectly) String() string {
	if !e.Risk.Priority.Positive() {
		return "ask_directly"
	}
	return fmt.Sprintf("ask_directly(%s, %s)", e.Risk.Priority, e.Risk.Category)
}
func (NewStarterWorklist) String() string { return "new_starter_worklist" }
func (e CampaignOutcome) String() string {
	keys := slices.Sorted(maps.Keys(e.Detail))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + e.Detail[k]
	}
	if len(parts) == 0 {
		return "campaign_outcome(" + e.Outcome + ")"
	}
	return fmt.Sprintf("campaign_outcome(%s: %s)", e.Outcome, strings.Join(parts, ", "))
}
func (AskFeedback) String() string    { return "ask_feedback" }
func (e RateFeedback) String() string { return fmt.Sprintf("rate_feedback(%d)", e.Rating) }
func (e CommentFeedback) String() string {
	return fmt.Sprintf("comment_feedback(%d characters)", len([]rune(e.Text)))
}
func (OptOut) String() string           { return "opt_out" }
func (OptIn) String() string            { return "opt_in" }
func (e SwitchLanguage) String() string { return "switch_language(" + e.Lang + ")" }
func (e Close) String() string          { return "close(" + e.Reason + ")" }

// FormatEffects returns effects as one line for transcripts and the chat
// command: "-" when there are none.
func FormatEffects(effects []Effect) string {
	if len(effects) == 0 {
		return "-"
	}
	parts := make([]string, len(effects))
	for i, e := range effects {
		parts[i] = e.String()
	}
	return strings.Join(parts, ", ")
}

// FormatResult returns a step's result as transcript lines, as in
// testdata/*.txt and the chat command: each reply's first line prefixed "< "
// and its other lines indented, then "# state: FLOW/STEP  effects: ...".
func FormatResult(r Result) string {
	var b strings.Builder
	for _, rep := range r.Replies {
		for i, line := range strings.Split(rep.Text, "\n") {
			if i == 0 {
				b.WriteString("< " + line + "\n")
			} else {
				b.WriteString("  " + line + "\n")
			}
		}
	}
	fmt.Fprintf(&b, "# state: %s/%s  effects: %s\n", r.State.Flow, r.State.Step, FormatEffects(r.Effects))
	return b.String()
}
