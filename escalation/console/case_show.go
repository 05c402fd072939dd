package console

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels"
	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/postgres"
)

// caseView is the case page.
type caseView struct {
	layout
	Case         ohcontact.Case
	Priority     priorityView
	Category     string
	Status       string
	SLA          slaView
	Opened       when
	Claimed      when
	Resolved     when
	OutcomeLabel string
	// Person says who the case is about, as far as the console shows it.
	Person       string
	Channel      string
	Conversation string // with the automated service, with clinicians, or closed
	Contact      contactView
	Messages     []messageView
	Events       []eventView
	Assignees    []postgres.Assignee // everyone but the claimer
	Outcomes     []outcome
	// PriorityOptions are the priorities the case may be given.
	PriorityOptions []outcome
	MaxReply        int // characters, less the signature's
	MaxNote         int // characters
	// Signature is what the user's replies end with (escalation.Cases.Signature);
	// empty when the organisation does not sign them.
	Signature string
	// FollowUps are the case's follow-ups not cancelled, soonest first.
	FollowUps       []followUpView
	MaxFollowUpNote int // characters

	// What the user may do.
	CanWork     bool // a clinician or admin (leads read)
	CanClaim    bool
	CanAct      bool // holds the claim (or is an admin) on an unresolved case
	CanReply    bool
	CanHandBack bool
	// ReplyBlocked says why a user who holds the case cannot reply.
	ReplyBlocked string
	ReplyHint    string
	// Tell offers to send the person the closing message on resolving,
	// which reads ClosingText; TellBlocked says why it cannot be sent.
	Tell        bool
	ClosingText string
	TellBlocked string
	// NewMessage says the person has written since the clinician holding
	// the case last opened it.
	NewMessage bool
	// Unverified warns that an SMS reply may be read by someone else.
	Unverified bool
	// TakesOver warns that replying silences the automated service.
	TakesOver bool

	Form caseForm

	// LastInboundID is the id of the person's latest message (0: none).
	LastInboundID int64
}

// caseForm is what the user typed into the case page's forms, kept when
// one of them is refused.
type caseForm struct {
	Reply, Note, Outcome, ResolveNote string
	ReassignTo                        int64
	Priority, PriorityReason          string
	// NoTell unticks the closing message (a refused resolve that had it
	// unticked); it is ticked by default.
	NoTell bool
	// ShowContact asks for the person's contact details
	// (revealContact): read and audited with the page.
	ShowContact                bool
	FollowUpDate, FollowUpTime string
	FollowUpNote               string
}

// showCase handles GET /console/cases/{id}. Every view is audited.
func (c *Console) showCase(w http.ResponseWriter, r *http.Request, s *session) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, s)
		return
	}
	c.renderCase(w, r, s, id, http.StatusOK, caseForm{}, nil)
}

// renderCase shows case id with status, form and errs, and records the
// view in the audit log: nobody sees a transcript without a record of it.
func (c *Console) renderCase(w http.ResponseWriter, r *http.Request, s *session, id int64, status int, form caseForm, errs []fieldError) {
	v, err := c.loadCase(r.Context(), s, id, true, form.ShowContact)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	v.Form, v.Errors, v.Done = form, errs, doneMessages[r.URL.Query().Get("done")]
	c.render(w, r, status, "case", v)
}

// loadCase reads case id as the case page shows it to s, in one
// transaction. The page and its live frames (case_live.go) both read the
// case here, so that a frame shows exactly what a reload would. With audit
// (the page, not a frame) it also reads the follow-ups and the reply's
// signature, the person's contact details when showContact is set and s
// may see them (revealContact; audited as contact.reveal), lowers the
// case's new-message cue when s is whom it is meant for (seesNewMessages:
// a frame does not, since a page left open in a tab nobody is looking at
// sees nothing), and records the view (case.view). It returns ErrNotFound
// for a case that does not exist or that s may not see.
func (c *Console) loadCase(ctx context.Context, s *session, id int64, audit, showContact bool) (caseView, error) {
	var v caseView
	err := c.db.InTx(ctx, func(tx pgx.Tx) error {
		k, err := postgres.CaseByID(ctx, tx, s.scope(), id)
		if err != nil {
			return err
		}
		events, err := postgres.CaseEvents(ctx, tx, id)
		if err != nil {
			return err
		}
		msgs, err := postgres.CaseTranscript(ctx, tx, k.ID, k.ConversationID)
		if err != nil {
			return err
		}
		assignees, err := postgres.Assignees(ctx, tx, k.OrganisationID)
		if err != nil {
			return err
		}
		v = c.viewCase(s, k, events, msgs, assignees)
		if !audit {
			return nil
		}
		fus, err := postgres.FollowUps(ctx, tx, id)
		if err != nil {
			return err
		}
		v.FollowUps = c.viewFollowUps(k, fus, v.CanAct)
		if v.CanReply {
			sig, err := c.cases.Signature(ctx, tx, s.user.ID, k.OrganisationID, k.Language)
			if err != nil {
				return err
			}
			v.Signature, v.MaxReply = strings.TrimSpace(sig), escalation.MaxReply(sig)
		}
		if showContact && v.Contact.CanReveal {
			d, err := postgres.RevealContact(ctx, tx, k, s.user.ID)
			if err != nil {
				return err
			}
			v.Contact.show(d)
		}
		if v.NewMessage && seesNewMessages(s, k) {
			if err := postgres.SeeCaseMessages(ctx, tx, k); err != nil {
				return err
			}
		}
		return postgres.RecordCaseView(ctx, tx, k, s.user.ID)
	})
	return v, err
}

func (c *Console) viewCase(s *session, k ohcontact.Case, events []postgres.CaseEvent, msgs []postgres.TranscriptMessage, assignees []postgres.Assignee) caseView {
	v := caseView{
		layout: newLayout(fmt.Sprintf("Case %d", k.ID), s), Case: k,
		Priority: viewPriority(k.Priority), Category: categoryLabel(k.Category),
		Status: statusLabel(k.Status, k.ClaimedByName, k.ResolvedByName), SLA: c.viewSLA(k.Status, k.SLADue, k.ClaimedAt, k.ResolvedAt),
		Opened: c.at(k.CreatedAt), Claimed: c.at(k.ClaimedAt), Resolved: c.at(k.ResolvedAt), OutcomeLabel: outcomeLabel(k.Outcome),
		Channel: channelLabel(k.Channel), Outcomes: outcomes, PriorityOptions: priorityOptions, MaxReply: channels.MaxTextRunes, MaxNote: maxNote,
		CanWork: worksCases(s.user), Contact: viewContact(s, k), MaxFollowUpNote: postgres.MaxFollowUpNote,
	}
	staffName := k.StaffFirstName
	switch {
	case k.StaffFirstName != "":
		v.Person = fmt.Sprintf("%s (assignment number %s)", k.StaffFirstName, k.AssignmentNumber)
	case k.Channel == ohcontact.ChannelWebChat:
		v.Person, staffName = "Anonymous: not signed in to the web chat", "Sender"
	case k.UnknownSender:
		v.Person, staffName = "Unknown sender: not in the staff directory", "Sender"
	default:
		v.Person, staffName = "Not known", "Sender"
	}
	if k.NumberEnding != "" {
		v.Person += ", texting from the number ending " + k.NumberEnding
	}
	switch {
	case k.ConversationID == 0:
		v.Conversation = "None: this case did not come from a conversation"
	case k.ConversationClosed:
		v.Conversation = "Closed"
	case k.Owner == ohcontact.OwnerClinician:
		v.Conversation = "With clinicians: the automated service is silent"
	default:
		v.Conversation = "With the automated service"
	}
	for i, m := range msgs {
		mv := c.viewMessage(m, staffName)
		mv.Later = i > 0 && m.ConversationID != msgs[i-1].ConversationID
		v.Messages = append(v.Messages, mv)
		if m.Direction == ohcontact.DirectionInbound {
			v.LastInboundID = max(v.LastInboundID, m.ID)
		}
	}
	v.NewMessage = !k.NewMessageAt.IsZero()
	for _, e := range events {
		v.Events = append(v.Events, c.viewEvent(e))
	}
	for _, a := range assignees {
		if a.ID != k.ClaimedBy {
			v.Assignees = append(v.Assignees, a)
		}
	}

	v.CanClaim = v.CanWork && k.Status == "open"
	v.CanAct = v.CanWork && escalation.MayAct(s.actor(), k) == nil
	if v.CanAct {
		if no := c.cases.ReplyAllowed(k); no != nil {
			v.ReplyBlocked = no.Reason
		} else {
			v.CanReply = true
			v.TakesOver = k.Owner == ohcontact.OwnerBot
			v.Unverified = k.Channel == ohcontact.ChannelSMS && !k.Verified
			v.ReplyHint = "Sent to the web chat."
			if k.Channel == ohcontact.ChannelSMS {
				v.ReplyHint = "Sent by SMS to the number ending " + k.NumberEnding + "."
			}
		}
		v.CanHandBack = escalation.HandBackAllowed(k) == nil
		if no := c.cases.Tellable(k); no != nil {
			v.TellBlocked = no.Reason
		} else if text, err := c.cases.Engine.CaseClosed(k.Language, k.OrganisationCode, k.Channel); err == nil {
			v.Tell, v.ClosingText = true, text
		} else {
			c.log.Error("console: word the closing message", "case_id", k.ID, "error", err)
			v.TellBlocked = "The closing message could not be worded. Tell the person another way if they need to know."
		}
	}
	return v
}

// seesNewMessages says whether s opening case k has read what the person
// wrote for the one it is meant for: the clinician holding it, or while
// nobody does, anyone who works cases. A lead reading it leaves the cue.
func seesNewMessages(s *session, k ohcontact.Case) bool {
	if k.ClaimedBy != 0 {
		return k.ClaimedBy == s.user.ID
	}
	return worksCases(s.user)
}

// doneMessages confirm, after the redirect, what a form did.
var doneMessages = map[string]string{
	"claimed":     "You have claimed this case.",
	"released":    "You have released this case: it is back in the queue for anyone to claim.",
	"reassigned":  "The case has been reassigned.",
	"noted":       "Your note has been added to the timeline.",
	"replied":     "Your reply has been queued to send.",
	"handed-back": "The conversation has been handed back to the automated service.",
	"resolved":    "The case has been resolved.",
	"priority":    "The case's priority has been changed, and its SLA with it.",
	// case_follow_up.go
	"follow-up-set":       "The follow-up has been set. At its time you are alerted if you are on duty, otherwise the on-duty team is.",
	"follow-up-cancelled": "The follow-up has been cancelled.",
}
