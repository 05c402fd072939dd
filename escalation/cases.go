// Package escalation brings people at risk to a clinician. Cases
// (cases.go) is the one home of a case's life: it opens and raises cases,
// each with its SLA clock (sla.go), and carries out what clinicians do with
// them (claim, release, reassign, note, reply, hand back, resolve), each
// change in one transaction with its rules, its case event and its audit
// event. SLAChecks (breach.go) re-notifies on-duty clinicians and the
// on-call number while a case stays unclaimed. A clinician holding a case
// may set follow-ups on it (Cases.SetFollowUp, follow_up.go): at each
// one's time FollowUpChecks alerts them, or the on-duty team when they
// are off. Replies are signed with the clinician's name and job title in
// the person's language, as each organisation configures
// (signature.go). Referrals (referrals.go)
// is the same for a physiotherapy referral: made with the person's
// consent, worked by their physio team, with its SLA checks and the
// notices that tell the person (referral_notices.go). The risk screen that
// decides who is at risk is in escalation/risk; the clinicians' and physio
// teams' console, which turns forms into calls of Cases and Referrals, in
// escalation/console.
package escalation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels"
	"github.com/ohcontact/ohcontact/dialogs"
	"github.com/ohcontact/ohcontact/postgres"
)

// Cases opens cases when a person must be brought in (Escalate) and
// changes them as clinicians work them. Every case open and unclaimed has
// its SLA clock running: an SLA check job (SLACheckArgs) inserted in the
// transaction that opens, raises or releases it, so a case can never wait
// in the queue without one.
//
// Each change (Claim, Release, Reassign, Note, Reply, HandBack, Resolve)
// runs in one transaction that locks the case and its conversation
// (postgres.LockCase), checks that the actor may make it, and writes it
// with its case event and audit event. A change that is not allowed
// returns a *ConflictError (or, from Reassign, an *AssigneeError) whose
// Reason tells the user why; a case not found in the actor's organisation
// returns an error wrapping ohcontact.ErrNotFound.
type Cases struct {
	DB  *postgres.DB
	SLA SLA
	// Location is the time zone working days are counted in.
	Location *time.Location
	// Jobs inserts the SLA checks.
	Jobs *river.Client[pgx.Tx]
	// Outboxes deliver clinicians' replies, by conversation channel. A
	// conversation on a channel with no outbox cannot be replied to.
	Outboxes channels.Outboxes
	// Engine words what the service adds to what clinicians send: the
	// signature of a reply (dialogs.Engine.ReplySignature) and the closing
	// message a resolved case's person may be sent (CaseClosed). Without
	// one, replies go unsigned and no closing message is offered.
	Engine *dialogs.Engine
	// Signing is how each organisation's replies are signed, by
	// organisation id; an organisation not in it signs with
	// SignNameAndTitle.
	Signing map[int64]ReplySigning
	// Now is the clock a released case's SLA clock restarts from, and
	// that follow-ups must be after; time.Now when nil.
	Now func() time.Time
}

// Actor is the user changing a case.
type Actor struct {
	UserID int64
	// OrganisationID is the organisation whose cases the actor works; 0
	// for every organisation. A case of another organisation is not found.
	OrganisationID int64
	// Admin may change a case whoever holds its claim.
	Admin bool
}

// ConflictError refuses a change the case does not allow as it stands:
// it is resolved, claimed by someone else, or its conversation cannot take
// the change.
type ConflictError struct {
	// Reason says why, in a sentence for the user.
	Reason string
}

func (e *ConflictError) Error() string { return e.Reason }

// AssigneeError is returned by Reassign when the user asked for cannot
// take the case.
type AssigneeError struct {
	// Reason says why, in a sentence for the user.
	Reason string
}

func (e *AssigneeError) Error() string { return e.Reason }

// Escalate opens a case for conv with risk's priority, category and
// evidence, in tx, or raises the conversation's open case or, for an
// anonymous web chat, the open case its client opened within the last hour
// (postgres.OpenOrRaiseCase). It returns the case id. A case that has not
// yet breached its SLA gets a check at its (possibly brought forward) due
// time; one that has is already being re-notified about.
func (cs *Cases) Escalate(ctx context.Context, tx pgx.Tx, conv ohcontact.Conversation, risk ohcontact.RiskResult, now time.Time) (int64, error) {
	if cs.Jobs == nil {
		return 0, errors.New("escalate: no job queue for the SLA clock")
	}
	id, _, err := postgres.OpenOrRaiseCase(ctx, tx, postgres.NewCase{
		OrganisationID: conv.OrganisationID,
		ConversationID: conv.ID,
		StaffID:        conv.StaffID,
		Priority:       risk.Priority,
		Category:       risk.Category,
		Evidence:       risk.Evidence,
		UnknownSender:  conv.StaffID == 0,
		ClientKey:      conv.ClientKey,
		SLADue:         cs.SLA.Due(risk.Priority, now, cs.Location),
	})
	if err != nil {
		return 0, err
	}
	c, err := postgres.LockCaseSLA(ctx, tx, id)
	if err != nil {
		return 0, err
	}
	if c.Status == "open" && c.BreachCount == 0 {
		err = cs.watch(ctx, tx, c, c.SLADue)
	}
	return id, err
}

// Claim claims case id for a if it is open, and marks a's alerts about it
// seen: they are answered. Claiming is one conditional update, so of any
// number of concurrent claims exactly one wins; the others get a
// *postgres.ClaimedError saying who holds the case (or resolved it) and
// since when.
func (cs *Cases) Claim(ctx context.Context, a Actor, id int64) error {
	err := cs.DB.InTx(ctx, func(tx pgx.Tx) error {
		if err := postgres.ClaimCase(ctx, tx, a.OrganisationID, id, a.UserID); err != nil {
			return err
		}
		return postgres.MarkCaseAlertsSeen(ctx, tx, id, a.UserID)
	})
	if err != nil {
		return fmt.Errorf("claim case %d: %w", id, err)
	}
	return nil
}

// Release puts claimed case id back in the queue, open for anyone to
// claim, and restarts its SLA clock: a check at its SLA due time, or at
// once when that has passed (the case is back in the queue late, so the
// on-duty clinicians and the on-call number are told again).
func (cs *Cases) Release(ctx context.Context, a Actor, id int64) error {
	return cs.change(ctx, "release", a, id, func(tx pgx.Tx, k ohcontact.Case, _ *ohcontact.Conversation) error {
		if k.Status == "open" {
			return &ConflictError{"This case is not claimed, so there is nothing to release."}
		}
		if no := MayAct(a, k); no != nil {
			return no
		}
		if err := postgres.ReleaseCase(ctx, tx, k, a.UserID); err != nil {
			return err
		}
		return cs.rewatch(ctx, tx, k.ID)
	})
}

// Reassign gives unresolved case id to the user toUserID, an enabled
// clinician or admin who works for the case's organisation. It returns an
// *AssigneeError when toUserID already holds the case or cannot work it.
func (cs *Cases) Reassign(ctx context.Context, a Actor, id, toUserID int64) error {
	return cs.change(ctx, "reassign", a, id, func(tx pgx.Tx, k ohcontact.Case, _ *ohcontact.Conversation) error {
		if no := MayAct(a, k); no != nil {
			return no
		}
		if toUserID == k.ClaimedBy {
			return &AssigneeError{"The case is already claimed by " + k.ClaimedByName + ": choose someone else"}
		}
		err := postgres.ReassignCase(ctx, tx, k, toUserID, a.UserID)
		if errors.Is(err, ohcontact.ErrConflict) {
			return &AssigneeError{"Choose a clinician who works for this case's organisation"}
		}
		return err
	})
}

// Note adds note, which is not empty and fits case_events.note, to case
// id's timeline. Anyone who works cases may note any case of theirs,
// resolved or not.
func (cs *Cases) Note(ctx context.Context, a Actor, id int64, note string) error {
	return cs.change(ctx, "note", a, id, func(tx pgx.Tx, k ohcontact.Case, _ *ohcontact.Conversation) error {
		return postgres.AddCaseNote(ctx, tx, k, note, a.UserID)
	})
}

// Reply sends body, which is cleaned (channels.CleanKeepingLines) and not
// empty, signed (Signature: the signature is appended in the
// conversation's language, and with it the reply must be at most
// channels.MaxTextRunes characters, else ReplyTooLongError), to the
// person in case id's conversation: it is stored as an urgent message by
// a (never held for a send window), queued on the conversation's
// channel's outbox, and recorded on the case's timeline. A conversation
// the bot still owns is taken over, so the bot stays silent from then on.
func (cs *Cases) Reply(ctx context.Context, a Actor, id int64, body string) error {
	return cs.change(ctx, "reply to", a, id, func(tx pgx.Tx, k ohcontact.Case, conv *ohcontact.Conversation) error {
		if no := MayAct(a, k); no != nil {
			return no
		}
		if no := cs.ReplyAllowed(k); no != nil {
			return no
		}
		sig, err := cs.Signature(ctx, tx, a.UserID, k.OrganisationID, conv.Language)
		if err != nil {
			return err
		}
		if n, max := utf8.RuneCountInString(body), MaxReply(sig); n > max {
			return ReplyTooLongError{Max: max, Length: n}
		}
		ms := []ohcontact.Message{{Author: ohcontact.AuthorClinician, AuthorUserID: a.UserID, Body: body + sig, Urgent: true}}
		if err := cs.Outboxes.Send(ctx, tx, conv, ms); err != nil {
			return err
		}
		conv.Owner = ohcontact.OwnerClinician
		if err := postgres.SaveConversation(ctx, tx, conv, ""); err != nil {
			return err
		}
		return postgres.RecordReply(ctx, tx, k, ms[0].ID, a.UserID)
	})
}

// HandBack gives case id's conversation, which is with clinicians, back to
// the automated service. The case stays as it is, to be resolved.
func (cs *Cases) HandBack(ctx context.Context, a Actor, id int64) error {
	return cs.change(ctx, "hand back", a, id, func(tx pgx.Tx, k ohcontact.Case, conv *ohcontact.Conversation) error {
		if no := MayAct(a, k); no != nil {
			return no
		}
		if no := HandBackAllowed(k); no != nil {
			return no
		}
		return handBack(ctx, tx, k, conv, "completed", a.UserID)
	})
}

// Resolve closes case id with outcome (and note, which may be empty, for
// the timeline). With tell, the person is sent the closing message
// (dialogs.Engine.CaseClosed) on the thread's conversation now
// (ohcontact.Case.CurrentConversationID), which is closed with it, so that
// what they write next starts afresh; Tellable says when that is refused.
// A conversation still with clinicians is handed back in the same
// transaction either way: once the case is resolved nobody would read what
// the person writes next.
func (cs *Cases) Resolve(ctx context.Context, a Actor, id int64, outcome, note string, tell bool) error {
	return cs.change(ctx, "resolve", a, id, func(tx pgx.Tx, k ohcontact.Case, conv *ohcontact.Conversation) error {
		if no := MayAct(a, k); no != nil {
			return no
		}
		if tell {
			if no := cs.Tellable(k); no != nil {
				return no
			}
			text, err := cs.Engine.CaseClosed(k.Language, k.OrganisationCode, conv.Channel)
			if err != nil {
				return err
			}
			ms := []ohcontact.Message{{Author: ohcontact.AuthorBot, Body: text}}
			if err := cs.Outboxes.Send(ctx, tx, conv, ms); err != nil {
				return err
			}
		}
		if err := postgres.ResolveCase(ctx, tx, k, outcome, note, tell, a.UserID); err != nil {
			return err
		}
		switch {
		case HandBackAllowed(k) == nil:
			return handBack(ctx, tx, k, conv, "resolved", a.UserID)
		case tell && !conv.Closed:
			conv.Closed = true
			return postgres.SaveConversation(ctx, tx, conv, "resolved")
		case tell:
			return postgres.SaveMessageSeq(ctx, tx, conv)
		}
		return nil
	})
}

// Tellable returns nil when the person in case k's thread can be sent the
// closing message as it is resolved, and otherwise a *ConflictError saying
// why not: whatever refuses a reply (ReplyAllowed) refuses it too, except
// that a closed conversation can still be written to, unless its number
// has been deleted.
func (cs *Cases) Tellable(k ohcontact.Case) *ConflictError {
	switch {
	case cs.Engine == nil:
		return &ConflictError{"Closing messages are not available."}
	case k.Channel == ohcontact.ChannelSMS && k.ConversationID != 0 && k.NumberEnding == "":
		return &ConflictError{"The conversation's number has been deleted, so no message can be sent."}
	}
	k.ConversationClosed = false
	return cs.ReplyAllowed(k)
}

// MaxPriorityReason is the longest reason for lowering a case's priority,
// in characters.
const MaxPriorityReason = 1000

// ReasonRequiredError refuses to lower a case's priority without a
// written reason.
type ReasonRequiredError struct{}

func (ReasonRequiredError) Error() string { return "a reason is needed to lower a case's priority" }

// SetPriority changes unresolved case id's priority to p. Anyone who works
// cases may raise it, at any time; lowering it takes the claim (or an
// admin) and a reason (else ReasonRequiredError): a case the screen
// under-rated must not wait, and one a clinician lowers must say why. The
// SLA is recomputed: a raised case is due by p's SLA from now, or by its
// old deadline if that is sooner; a lowered one by p's SLA from when it
// was opened, or its old deadline if that is later. An open case's breach
// clock follows (a check at the new deadline; the SLA check re-reads the
// case, so a check for the old one does nothing early). The timeline
// says what changed and why.
func (cs *Cases) SetPriority(ctx context.Context, a Actor, id int64, p ohcontact.Priority, reason string) error {
	return cs.change(ctx, "set priority of", a, id, func(tx pgx.Tx, k ohcontact.Case, _ *ohcontact.Conversation) error {
		now := cs.clock()
		switch {
		case k.Status == "resolved":
			return &ConflictError{"This case has been resolved, so it can no longer be changed."}
		case p == k.Priority:
			return &ConflictError{"The case already has that priority."}
		}
		due := cs.SLA.Due(p, now, cs.Location)
		note := fmt.Sprintf("Raised from %s to %s.", k.Priority, p)
		if p.Rank() < k.Priority.Rank() {
			if no := MayAct(a, k); no != nil {
				return no
			}
			if strings.TrimSpace(reason) == "" {
				return ReasonRequiredError{}
			}
			due = ohcontact.Later(cs.SLA.Due(p, k.CreatedAt, cs.Location), k.SLADue)
			note = fmt.Sprintf("Lowered from %s to %s: %s", k.Priority, p, reason)
		} else {
			if k.SLADue.Before(due) {
				due = k.SLADue
			}
			if reason != "" {
				note += " " + reason
			}
		}
		if err := postgres.SetCasePriority(ctx, tx, k, p, due, note, a.UserID); err != nil {
			return err
		}
		return cs.rewatch(ctx, tx, k.ID)
	})
}

// clock is the time now (Cases.Now, else the wall clock).
func (cs *Cases) clock() time.Time {
	if cs.Now != nil {
		return cs.Now()
	}
	return time.Now()
}

// change runs fn in one transaction on case id of a's organisation, locked
// with its conversation (postgres.LockCase); what names the change in the
// error.
func (cs *Cases) change(ctx context.Context, what string, a Actor, id int64, fn func(tx pgx.Tx, k ohcontact.Case, conv *ohcontact.Conversation) error) error {
	err := cs.DB.InTx(ctx, func(tx pgx.Tx) error {
		k, conv, err := postgres.LockCase(ctx, tx, a.OrganisationID, id)
		if err != nil {
			return err
		}
		return fn(tx, k, &conv)
	})
	if err != nil {
		return fmt.Errorf("%s case %d: %w", what, id, err)
	}
	return nil
}

// handBack gives case k's conversation (locked in tx) back to the
// automated service by closing it with reason: the flow a clinician took
// over has ended, so the person's next message starts a new conversation
// with the bot.
func handBack(ctx context.Context, tx pgx.Tx, k ohcontact.Case, conv *ohcontact.Conversation, reason string, actorID int64) error {
	conv.Owner, conv.Closed = ohcontact.OwnerBot, true
	if err := postgres.SaveConversation(ctx, tx, conv, reason); err != nil {
		return err
	}
	return postgres.RecordHandBack(ctx, tx, k, actorID)
}

// MayAct returns nil when a may change case k (release, reassign, reply,
// hand back, resolve): it is unresolved and the claim is a's, or a is an
// admin. Otherwise it returns a *ConflictError saying why not.
func MayAct(a Actor, k ohcontact.Case) *ConflictError {
	switch {
	case k.Status == "resolved":
		return &ConflictError{"This case has been resolved, so it can no longer be changed."}
	case a.Admin || k.ClaimedBy == a.UserID:
		return nil
	case k.Status == "open":
		return &ConflictError{"Claim this case first."}
	}
	return &ConflictError{fmt.Sprintf("This case is claimed by %s: only they or an admin can do that.", k.ClaimedByName)}
}

// ReplyAllowed returns nil when case k's conversation can take a reply,
// and otherwise a *ConflictError saying why not.
func (cs *Cases) ReplyAllowed(k ohcontact.Case) *ConflictError {
	switch {
	case k.ConversationID == 0:
		return &ConflictError{"This case did not come from a conversation, so there is no one to reply to here."}
	case k.ConversationClosed:
		return &ConflictError{"The conversation has closed, so replies cannot be sent. To reach the person, use Contact at the top of this page."}
	case k.StaffOptedOut:
		return &ConflictError{"This person has opted out of messages from the service, so replies cannot be sent. To reach them, use Contact at the top of this page."}
	case cs.Outboxes[k.Channel] == nil:
		return &ConflictError{fmt.Sprintf("Replies by %s are not available yet. To reach the person, use Contact at the top of this page.", k.Channel.Label())}
	}
	return nil
}

// HandBackAllowed returns nil when case k's conversation is with
// clinicians, so it can be handed back to the automated service, and
// otherwise a *ConflictError saying why not.
func HandBackAllowed(k ohcontact.Case) *ConflictError {
	switch {
	case k.ConversationID == 0:
		return &ConflictError{"This case did not come from a conversation, so there is nothing to hand back."}
	case k.ConversationClosed:
		return &ConflictError{"The conversation has already closed."}
	case k.Owner != ohcontact.OwnerClinician:
		return &ConflictError{"The conversation is already with the automated service."}
	}
	return nil
}

// rewatch restarts the SLA clock of case id, just released back to the
// queue or given another priority, in tx: a check at its SLA due time, or
// now when that has passed.
func (cs *Cases) rewatch(ctx context.Context, tx pgx.Tx, id int64) error {
	c, err := postgres.LockCaseSLA(ctx, tx, id)
	if err != nil || c.Status != "open" {
		return err
	}
	return cs.watch(ctx, tx, c, ohcontact.Later(c.SLADue, cs.clock()))
}

// watch inserts the check for c's next breach at at. Checks are unique by
// their arguments, so watching twice for the same breach at the same time
// inserts one job.
func (cs *Cases) watch(ctx context.Context, tx pgx.Tx, c postgres.CaseSLA, at time.Time) error {
	args := SLACheckArgs{CaseID: c.ID, Breach: c.BreachCount + 1, Due: at.UTC().Truncate(time.Microsecond)}
	opts := args.InsertOpts()
	opts.ScheduledAt = args.Due
	if _, err := cs.Jobs.InsertTx(ctx, tx, args, &opts); err != nil {
		return fmt.Errorf("schedule SLA check of case %d: %w", c.ID, err)
	}
	return nil
}
