package console

import (
	"errors"
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
	Case         postgres.Case
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
	// Unverified warns that an SMS reply may be read by someone else.
	Unverified bool
	// TakesOver warns that replying silences the automated service.
	TakesOver bool

	Form caseForm
}

// caseForm is what the user typed into the case page's forms, kept when
// one of them is refused.
type caseForm struct {
	Reply, Note, Outcome, ResolveNote string
	ReassignTo                        int64
	Priority, PriorityReason          string
	FollowUpDate, FollowUpTime        string
	FollowUpNote                      string
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
	ctx := r.Context()
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
		var msgs []postgres.TranscriptMessage
		if k.ConversationID != 0 {
			if msgs, err = postgres.Transcript(ctx, tx, k.ConversationID); err != nil {
				return err
			}
		}
		assignees, err := postgres.Assignees(ctx, tx, k.OrganisationID)
		if err != nil {
			return err
		}
		v = c.viewCase(s, k, events, msgs, assignees)
		fus, err := postgres.FollowUps(ctx, tx, id)
		if err != nil {
			return err
		}
		v.FollowUps = c.viewFollowUps(k, fus, v.CanAct)
		if v.CanReply {
			conv, err := postgres.ConversationByID(ctx, tx, k.ConversationID)
			if err != nil {
				return err
			}
			sig, err := c.cases.Signature(ctx, tx, s.user.ID, k.OrganisationID, conv.Language)
			if err != nil {
				return err
			}
			v.Signature, v.MaxReply = strings.TrimSpace(sig), escalation.MaxReply(sig)
		}
		return postgres.RecordCaseView(ctx, tx, k, s.user.ID)
	})
	if errors.Is(err, postgres.ErrNotFound) {
		c.notFound(w, r, s)
		return
	}
	if err != nil {
		c.serverError(w, r, s, err)
		return
	}
	v.Form, v.Errors, v.Done = form, errs, doneMessages[r.URL.Query().Get("done")]
	c.render(w, r, status, "case", v)
}

func (c *Console) viewCase(s *session, k postgres.Case, events []postgres.CaseEvent, msgs []postgres.TranscriptMessage, assignees []postgres.Assignee) caseView {
	v := caseView{
		layout: newLayout(fmt.Sprintf("Case %d", k.ID), s), Case: k,
		Priority: viewPriority(k.Priority), Category: categoryLabel(k.Category),
		Status: statusLabel(k.Status, k.ClaimedByName, k.ResolvedByName), SLA: c.viewSLA(k.Status, k.SLADue, k.ClaimedAt, k.ResolvedAt),
		Opened: c.at(k.CreatedAt), Claimed: c.at(k.ClaimedAt), Resolved: c.at(k.ResolvedAt), OutcomeLabel: outcomeLabel(k.Outcome),
		Channel: channelLabel(k.Channel), Outcomes: outcomes, PriorityOptions: priorityOptions, MaxReply: channels.MaxTextRunes, MaxNote: maxNote,
		MaxFollowUpNote: postgres.MaxFollowUpNote,
		CanWork:         worksCases(s.user),
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
	for _, m := range msgs {
		v.Messages = append(v.Messages, c.viewMessage(m, staffName))
	}
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
	}
	return v
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
