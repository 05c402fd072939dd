package dialogs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// RiskScreen screens one inbound message for risk.
type RiskScreen interface {
	Screen(text string) ohcontact.RiskResult
}

// Escalator opens a case for a conversation (or raises its open one) in tx.
type Escalator interface {
	Escalate(ctx context.Context, tx pgx.Tx, conv ohcontact.Conversation, risk ohcontact.RiskResult, now time.Time) (int64, error)
}

// FollowUps schedules a check-in again after "not now", in tx.
type FollowUps interface {
	ScheduleFollowUp(ctx context.Context, tx pgx.Tx, conversationID int64, flow string, at time.Time) error
}

// AbsencePlanner plans a member of staff's absence episodes in tx, so a
// self-reported absence enters the trigger rules at once.
type AbsencePlanner interface {
	ScheduleStaff(ctx context.Context, tx pgx.Tx, staffID int64) error
}

// Outbox queues the delivery of a stored outbound message in tx.
type Outbox interface {
	Queue(ctx context.Context, tx pgx.Tx, m ohcontact.Message) error
}

// Meter counts what the runner did with an inbound message, once its
// transaction has committed (metrics.Metrics).
type Meter interface {
	Inbound(channel ohcontact.Channel)
	DialogStep(flow string)
	RiskScreen(p ohcontact.Priority)
}

// Runner handles inbound messages: one transaction per message that stores
// it (a retried delivery is a no-op), locks its conversation, runs the risk
// screen, steps the flow, and saves the new state, the replies and their
// delivery jobs. Replies are delivered only after commit, by the outboxes'
// jobs.
type Runner struct {
	DB     *postgres.DB
	Engine *Engine
	Screen RiskScreen
	Cases  Escalator
	// Outboxes deliver replies, by channel.
	Outboxes  map[ohcontact.Channel]Outbox
	FollowUps FollowUps
	Absences  AbsencePlanner
	// DefaultOrganisation answers numbers that are not in the staff
	// directory.
	DefaultOrganisation ohcontact.Organisation
	// Location is the organisations' time zone, for the flows' dates.
	Location *time.Location
	Now      func() time.Time
	Log      *slog.Logger
	// Metrics counts messages, steps and risk screens; nil counts nothing.
	Metrics Meter
}

// HandleInbound processes one inbound message. It returns nil for a message
// it has already processed (the same channel and external id).
func (r *Runner) HandleInbound(ctx context.Context, in ohcontact.Inbound) error {
	who, err := r.identify(ctx, in)
	if err != nil {
		return err
	}
	var t tally
	err = r.DB.InTx(ctx, func(tx pgx.Tx) error { return r.handle(ctx, tx, in, who, &t) })
	if errors.Is(err, postgres.ErrDuplicate) {
		r.Log.Info("inbound: duplicate delivery ignored", "channel", in.Channel)
		return nil
	}
	if err == nil && r.Metrics != nil {
		r.Metrics.Inbound(in.Channel)
		r.Metrics.RiskScreen(t.risk)
		if t.flow != "" {
			r.Metrics.DialogStep(t.flow)
		}
	}
	return err
}

// tally is what handling one inbound message did, counted after commit.
type tally struct {
	risk ohcontact.Priority
	flow string // the flow the engine stepped; empty when it did not run
}

// sender is who an inbound message is from, as far as we know.
type sender struct {
	staff ohcontact.Staff // ID 0 when unknown
	org   ohcontact.Organisation
}

// identify finds who wrote in: the member of staff the channel vouches
// for, or the one whose number sent a text; an anonymous chat or an unknown
// number is answered as the channel's organisation or the default one.
func (r *Runner) identify(ctx context.Context, in ohcontact.Inbound) (sender, error) {
	var s ohcontact.Staff
	var err error
	switch {
	case in.StaffID != 0:
		s, err = postgres.StaffByID(ctx, r.DB.Pool, in.StaffID)
	case in.Channel == ohcontact.ChannelSMS:
		s, err = postgres.StaffByMobile(ctx, r.DB.Pool, in.Address)
	case in.Organisation.ID != 0:
		return sender{org: in.Organisation}, nil
	default:
		return sender{}, fmt.Errorf("inbound on %q: no organisation and no member of staff", in.Channel)
	}
	switch {
	case err == nil:
		return sender{staff: s, org: ohcontact.Organisation{ID: s.OrganisationID, Code: s.OrganisationCode}}, nil
	case errors.Is(err, postgres.ErrNotFound):
		return sender{org: r.DefaultOrganisation}, nil
	default:
		return sender{}, err
	}
}

// step is what one inbound message produced, before it is saved.
type step struct {
	conv         ohcontact.Conversation
	state        State
	replies      []Reply
	effects      []Effect
	closedReason string
}

func (r *Runner) handle(ctx context.Context, tx pgx.Tx, in ohcontact.Inbound, who sender, t *tally) error {
	now := r.Now()
	input := Input{Text: in.Text, Now: in.ReceivedAt.In(r.Location)}
	var st step
	// answered is true when opening the conversation already ran the engine.
	answered := false
	conv, err := postgres.LockOpenConversation(ctx, tx, who.staff.ID, in.Channel, in.Address)
	switch {
	case errors.Is(err, postgres.ErrNotFound):
		st, answered, err = r.open(ctx, tx, in, who, input)
	case err == nil:
		st = step{conv: conv}
		err = json.Unmarshal(conv.Data, &st.state)
	}
	if err != nil {
		return err
	}
	inbound := ohcontact.Message{Direction: ohcontact.DirectionInbound, Author: ohcontact.AuthorStaff, Body: in.Text, ExternalID: in.ExternalID}
	if err := postgres.AppendMessage(ctx, tx, &st.conv, &inbound); err != nil {
		return err
	}
	// A reply to a scheduled contact stops its reminder and follow-up.
	if err := postgres.MarkContactResponded(ctx, tx, st.conv.ID); err != nil {
		return err
	}

	// The risk screen runs on every message, in every state, before the flow.
	risk := r.Screen.Screen(in.Text)
	t.risk = risk.Priority
	switch {
	case risk.Priority.Positive():
		st.replies = []Reply{{Text: r.Engine.CrisisReply(st.conv.Language, who.org.Code, in.Channel), Crisis: true}}
		if who.staff.ID == 0 && in.Channel == ohcontact.ChannelWebChat {
			// Nobody can contact an anonymous chatter: ask how to.
			st.replies = append(st.replies, Reply{Text: r.Engine.ReachBackRequest(st.conv.Language)})
		}
		st.effects = []Effect{RiskPathway{Risk: risk}}
		st.state.Step = StateRiskPathway
		r.Log.Warn("inbound: positive risk screen", "conversation_id", st.conv.ID, "priority", risk.Priority, "category", risk.Category)
	case answered:
		// Opening the conversation already ran the engine on this message.
		t.flow = st.state.Flow
	case st.conv.Owner == ohcontact.OwnerClinician:
		// A clinician has the conversation: the bot stays silent, except
		// that opting out or back in takes effect at once.
		if k, _ := ParseKeyword(in.Text); k == KeywordOptOut || k == KeywordOptIn {
			res, err := r.Engine.Inbound(StartInfo{Org: who.org.Code, Channel: in.Channel, Lang: st.conv.Language, Known: who.staff.ID != 0}, input)
			if err != nil {
				return err
			}
			st.replies, st.effects = res.Replies, res.Effects
		}
	default:
		t.flow = st.state.Flow
		res, err := r.Engine.Step(st.state, input)
		if err != nil {
			return fmt.Errorf("step conversation %d: %w", st.conv.ID, err)
		}
		st.state, st.replies, st.effects = res.State, res.Replies, res.Effects
		if res.Done {
			st.closedReason = "completed"
		}
	}
	if err := r.apply(ctx, tx, &st, who, now); err != nil {
		return err
	}
	if st.conv.Owner == ohcontact.OwnerClinician {
		st.closedReason = "" // a clinician closes it, by resolving the case
	}
	for _, reply := range st.replies {
		// Replies to someone who has just written are never held for a send
		// window, crisis contacts least of all.
		m := ohcontact.Message{Direction: ohcontact.DirectionOutbound, Author: ohcontact.AuthorBot, Body: reply.Text, Urgent: true}
		if err := postgres.AppendMessage(ctx, tx, &st.conv, &m); err != nil {
			return err
		}
		outbox, ok := r.Outboxes[in.Channel]
		if !ok {
			return fmt.Errorf("no outbox for channel %q", in.Channel)
		}
		if err := outbox.Queue(ctx, tx, m); err != nil {
			return err
		}
	}
	data, err := json.Marshal(st.state)
	if err != nil {
		return err
	}
	st.conv.Flow, st.conv.State, st.conv.Data = st.state.Flow, st.state.Step, data
	st.conv.Closed = st.closedReason != ""
	return postgres.SaveConversation(ctx, tx, &st.conv, st.closedReason)
}

// open starts a conversation for a message that arrived with none open: the
// engine decides the flow (STOP, SICK, TALK, a language name, or the support
// menu) from the message itself. It reports whether the engine has answered
// the message; it has not when another message opened the conversation a
// moment earlier, and this one is a step in it.
func (r *Runner) open(ctx context.Context, tx pgx.Tx, in ohcontact.Inbound, who sender, input Input) (step, bool, error) {
	res, err := r.Engine.Inbound(StartInfo{
		Org: who.org.Code, Channel: in.Channel, Lang: who.staff.Language,
		Known: who.staff.ID != 0, FirstName: who.staff.FirstName,
	}, input)
	if err != nil {
		return step{}, false, fmt.Errorf("start conversation: %w", err)
	}
	data, err := json.Marshal(res.State)
	if err != nil {
		return step{}, false, err
	}
	conv, opened, err := postgres.LockOrOpenConversation(ctx, tx, ohcontact.Conversation{
		OrganisationID: who.org.ID, StaffID: who.staff.ID, Channel: in.Channel, Address: in.Address,
		Flow: res.State.Flow, State: res.State.Step, Data: data, Language: or(res.State.Lang, "en-GB"),
	})
	if err != nil {
		return step{}, false, err
	}
	st := step{conv: conv}
	if !opened {
		return st, false, json.Unmarshal(conv.Data, &st.state)
	}
	st.state, st.replies, st.effects = res.State, res.Replies, res.Effects
	if res.Done {
		st.closedReason = "completed"
	}
	return st, true, nil
}

// apply carries out a step's effects in tx.
func (r *Runner) apply(ctx context.Context, tx pgx.Tx, st *step, who sender, now time.Time) error {
	conv := &st.conv
	for _, e := range st.effects {
		var err error
		switch e := e.(type) {
		case RecordAnswer:
			err = postgres.RecordAnswer(ctx, tx, conv.ID, e.Question, e.Value)
		case IdentityConfirmed:
			// Identity lives in the saved state.
		case ScheduleReminder:
			err = r.FollowUps.ScheduleFollowUp(ctx, tx, conv.ID, e.Flow, now.Add(e.After))
		case Signpost:
			err = postgres.RecordSignpost(ctx, tx, conv.OrganisationID, conv.ID, e.Service, string(e.Category))
		case RequestClinician:
			_, err = r.Cases.Escalate(ctx, tx, *conv, ohcontact.RiskResult{Priority: e.Priority, Category: e.Reason,
				Evidence: []string{"requested by the flow: " + e.Reason}}, now)
			if e.Handover {
				conv.Owner = ohcontact.OwnerClinician
			}
		case RiskPathway:
			_, err = r.Cases.Escalate(ctx, tx, *conv, e.Risk, now)
			conv.Owner = ohcontact.OwnerClinician
		case CreateReferral:
			if who.staff.ID != 0 {
				err = postgres.CreateReferral(ctx, tx, conv.OrganisationID, who.staff.ID, conv.ID, e.Kind, e.Answers)
			}
		case RecordAbsence:
			if who.staff.ID != 0 {
				err = postgres.RecordSelfReportedAbsence(ctx, tx, who.staff.ID, e.StartsOn, e.ReasonCode, e.RelatedReason)
				if err == nil {
					err = r.Absences.ScheduleStaff(ctx, tx, who.staff.ID)
				}
			}
		case OptOut, OptIn:
			if who.staff.ID != 0 {
				_, optOut := e.(OptOut)
				err = postgres.SetConsent(ctx, tx, who.staff.ID, optOut, now)
			}
			if _, optOut := e.(OptOut); optOut && conv.Owner == ohcontact.OwnerBot {
				st.closedReason = "opted_out"
			}
		case SwitchLanguage:
			conv.Language = e.Lang
			if who.staff.ID != 0 {
				err = postgres.SetLanguage(ctx, tx, who.staff.ID, e.Lang)
			}
		case Close:
			st.closedReason = e.Reason
		}
		if err != nil {
			return fmt.Errorf("apply %s: %w", e, err)
		}
	}
	return nil
}

func or(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
