package dialogs

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels"
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

// Referrer makes a physiotherapy referral for the person in conv, in tx,
// with its SLA clock (escalation.Referrals).
type Referrer interface {
	Make(ctx context.Context, tx pgx.Tx, conv ohcontact.Conversation, answers map[string]string, now time.Time) (int64, error)
}

// TeamHours says when organisation org's OH team is next at work, at or
// after t: t itself while it is (triggers.Policy.NextStaffed).
type TeamHours interface {
	NextStaffed(org string, t time.Time) time.Time
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

// AskScheduler starts the clock on a direct question asked at askedAt in
// conversation conversationID, in tx (AskTimeouts).
type AskScheduler interface {
	ScheduleAskTimeout(ctx context.Context, tx pgx.Tx, conversationID int64, askedAt time.Time) error
}

// Meter counts what the runner did with an inbound message, once its
// transaction has committed (metrics.Metrics).
type Meter interface {
	Inbound(channel ohcontact.Channel)
	DialogStep(flow string)
	RiskScreen(p ohcontact.Priority)
}

// Runner handles inbound messages. Messages that arrive together are
// handled together (see batcher), in one transaction that stores each
// (a retried delivery is a no-op), locks its conversation, runs the risk
// screen, steps the flow, and saves the new state, the replies and their
// delivery jobs. Replies are delivered only after commit, by the outboxes'
// jobs.
type Runner struct {
	DB     *postgres.DB
	Engine *Engine
	Screen RiskScreen
	Cases  Escalator
	// Referrals makes the referrals flows promise.
	Referrals Referrer
	// Outboxes deliver replies, by channel.
	Outboxes  channels.Outboxes
	FollowUps FollowUps
	Absences  AbsencePlanner
	// Asks brings a person in when a direct question goes unanswered.
	Asks AskScheduler
	// Team says when each organisation's OH team is next at work, for the
	// holding line of a conversation waiting for a clinician; nil means
	// always.
	Team TeamHours
	// DefaultOrganisation answers numbers that are not in the staff
	// directory.
	DefaultOrganisation ohcontact.Organisation
	// Location is the organisations' time zone, for the flows' dates.
	Location *time.Location
	Now      func() time.Time
	Log      *slog.Logger
	// Metrics counts messages, steps and risk screens; nil counts nothing.
	Metrics Meter
	// Batches is how many transactions of inbound messages run at once; 0
	// means one per CPU (GOMAXPROCS). More keep a database with more cores
	// busy; on the load test's two shared cores, two do best
	// (docs/benchmarks-notes.md).
	Batches int

	batches batcher
}

// batchTimeout bounds one batch's transaction.
const batchTimeout = 10 * time.Second

// HandleInbound processes one inbound message and returns once it is
// committed. It returns nil for a message it has already processed (the
// same channel and external id).
func (r *Runner) HandleInbound(ctx context.Context, in ohcontact.Inbound) error {
	// The batch may hold other callers' messages: it outlives this caller.
	ctx = context.WithoutCancel(ctx)
	limit := r.Batches
	if limit <= 0 {
		limit = runtime.GOMAXPROCS(0)
	}
	return r.batches.do(in, limit, func(batch []*queued) { r.runBatch(ctx, batch) })
}

// item is one inbound message on its way through a batch.
type item struct {
	in        ohcontact.Inbound
	who       sender
	duplicate bool // already stored: a retried delivery
	st        step
	// answered is true when opening the conversation ran the engine on the
	// message already.
	answered bool
	t        tally
	err      error // this message alone failed
}

// runBatch handles batch in one transaction and sets each message's
// error. When the transaction fails, one message's fault must not fail the
// others: each is handled again on its own.
func (r *Runner) runBatch(ctx context.Context, batch []*queued) {
	items := make([]*item, len(batch))
	for i, q := range batch {
		items[i] = &item{in: q.in}
	}
	handleCtx, cancel := context.WithTimeout(ctx, batchTimeout)
	err := r.handle(handleCtx, items)
	cancel()
	if len(batch) == 1 && errors.Is(err, postgres.ErrDuplicate) {
		// Another delivery of it committed first.
		items[0].duplicate, err = true, nil
	}
	if err != nil && len(batch) > 1 {
		r.Log.Warn("inbound: batch failed; handling its messages one by one", "messages", len(batch), "error", err)
		for _, q := range batch {
			r.runBatch(ctx, []*queued{q})
		}
		return
	}
	for i, it := range items {
		switch {
		case err != nil:
			it.err = err
		case it.duplicate:
			r.Log.Info("inbound: duplicate delivery ignored", "channel", it.in.Channel)
		case it.err == nil && r.Metrics != nil:
			r.Metrics.Inbound(it.in.Channel)
			r.Metrics.RiskScreen(it.t.risk)
			if it.t.flow != "" {
				r.Metrics.DialogStep(it.t.flow)
			}
		}
		batch[i].err = it.err
	}
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

// identify finds who wrote each message: the member of staff the channel
// vouches for, or the one whose number sent a text; an anonymous chat or an
// unknown number is answered as the channel's organisation or the default
// one. A message that names neither fails alone.
//
// A number on the records of several members of staff (of one
// organisation or several) is answered by the record whose conversation
// the text continues: an open SMS conversation with the number, else the
// latest one; with neither, the record that has held the number longest,
// with a warning (ids only). It never follows the record an HR feed changed
// last (postgres.StaffForInbound).
func (r *Runner) identify(ctx context.Context, tx pgx.Tx, items []*item) error {
	var ids []int64
	var mobiles []string
	for _, it := range items {
		switch in := it.in; {
		case in.StaffID != 0:
			ids = append(ids, in.StaffID)
		case in.Channel == ohcontact.ChannelSMS:
			mobiles = append(mobiles, in.Address)
		case in.Organisation.ID != 0:
		default:
			it.err = fmt.Errorf("inbound on %q: no organisation and no member of staff", in.Channel)
		}
	}
	byID, byMobile, err := postgres.StaffForInbound(ctx, tx, ids, mobiles)
	if err != nil {
		return err
	}
	for _, it := range items {
		var s ohcontact.Staff
		var known bool
		switch in := it.in; {
		case it.err != nil:
			continue
		case in.StaffID != 0:
			s, known = byID[in.StaffID]
		case in.Channel == ohcontact.ChannelSMS:
			var m postgres.MobileMatch
			m, known = byMobile[in.Address]
			s = m.Staff
			if known && m.By == postgres.MatchFirstHolder {
				r.Log.Warn("inbound: a number on several staff records, none of which has texted with it: answered as its first holder",
					"staff_id", s.ID, "organisation_id", s.OrganisationID, "other_staff_ids", m.Others)
			}
		default:
			it.who = sender{org: in.Organisation}
			continue
		}
		if known {
			it.who = sender{staff: s, org: ohcontact.Organisation{ID: s.OrganisationID, Code: s.OrganisationCode}}
		} else {
			it.who = sender{org: r.DefaultOrganisation}
		}
	}
	return nil
}

// step is what one inbound message produced, before it is saved.
type step struct {
	conv         ohcontact.Conversation
	state        State
	replies      []Reply
	effects      []Effect
	closedReason string
	// answers and signposts are saved with the conversation (apply).
	answers   []postgres.Answer
	signposts []postgres.Signpost
}

// handle runs items in one transaction: it identifies their senders,
// locks (or opens) their conversations and skips the ones already stored,
// steps each, and saves them all with their replies' delivery jobs.
func (r *Runner) handle(ctx context.Context, items []*item) error {
	return r.DB.InStepTx(ctx, func(tx pgx.Tx) error {
		if err := r.identify(ctx, tx, items); err != nil {
			return err
		}
		var live []*item
		for _, it := range items {
			if it.err == nil {
				live = append(live, it)
			}
		}
		if len(live) == 0 {
			return nil
		}
		if err := r.lock(ctx, tx, live); err != nil {
			return err
		}
		now := r.Now()
		var steps []postgres.Step
		for _, it := range live {
			if it.duplicate {
				continue
			}
			s, err := r.step(ctx, tx, it, now)
			if err != nil {
				return err
			}
			steps = append(steps, s)
		}
		if len(steps) == 0 {
			return nil
		}
		if err := postgres.SaveSteps(ctx, tx, steps); err != nil {
			return err
		}
		return r.queueReplies(ctx, tx, steps)
	})
}

// key is the conversation it belongs to.
func (it *item) key() postgres.ConversationKey {
	return postgres.KeyFor(it.who.staff.ID, it.in.Channel, it.in.Address)
}

// resume makes the locked conversation c, already open, the one it steps.
func (it *item) resume(c ohcontact.Conversation) error {
	it.st = step{conv: c}
	if err := json.Unmarshal(c.Data, &it.st.state); err != nil {
		return fmt.Errorf("conversation %d: %w", c.ID, err)
	}
	return nil
}

// lock finds which items are already stored, and locks the open
// conversation of each of the others, opening one where there is none:
// the engine decides its flow (STOP, SICK, TALK, a language name, or the
// support menu) from the message itself.
func (r *Runner) lock(ctx context.Context, tx pgx.Tx, items []*item) error {
	keys := make([]postgres.ConversationKey, 0, len(items))
	var ids []postgres.MessageKey
	seen := make(map[postgres.ConversationKey]bool, len(items))
	for _, it := range items {
		if seen[it.key()] {
			// Two addresses of one person: step them one at a time.
			return errors.New("two messages in one batch share a conversation")
		}
		seen[it.key()] = true
		keys = append(keys, it.key())
		if it.in.ExternalID != "" {
			ids = append(ids, postgres.MessageKey{Channel: it.in.Channel, ExternalID: it.in.ExternalID})
		}
	}
	convs, stored, err := postgres.LockForInbound(ctx, tx, keys, ids)
	if err != nil {
		return err
	}
	var toOpen []*item
	for _, it := range items {
		it.duplicate = it.in.ExternalID != "" && stored[postgres.MessageKey{Channel: it.in.Channel, ExternalID: it.in.ExternalID}]
		c, ok := convs[it.key()]
		switch {
		case it.duplicate:
		case ok:
			if err := it.resume(c); err != nil {
				return err
			}
		default:
			toOpen = append(toOpen, it)
		}
	}
	if len(toOpen) > 0 {
		return r.open(ctx, tx, toOpen)
	}
	return nil
}

// open starts a conversation for each of items, which arrived with none
// open; a thank-you soon after clinicians closed the person's last one
// answers their closing message (StartInfo.AfterClosing), and a rating
// soon after the feedback question answers it (StartInfo.Feedback). One that another transaction opened a moment earlier is locked
// instead, and its message is a step in it.
func (r *Runner) open(ctx context.Context, tx pgx.Tx, items []*item) error {
	starts := make([]Result, len(items))
	convs := make([]ohcontact.Conversation, len(items))
	// Only a thank-you asks whether clinicians closed the last one: other
	// first messages cost no look-up.
	var thanking []postgres.ConversationKey
	for _, it := range items {
		if isThanks(normalize(it.in.Text)) {
			thanking = append(thanking, it.key())
		}
	}
	var closing map[postgres.ConversationKey]bool
	if len(thanking) > 0 {
		var err error
		if closing, err = postgres.ClosedByClinicians(ctx, tx, thanking, r.Now().Add(-ClosingGrace)); err != nil {
			return err
		}
	}
	for i, it := range items {
		in, who := it.in, it.who
		// Only a rating asks whether a feedback question awaits one.
		var feedback int64
		if _, ok := parseRating(in.Text); ok && who.staff.ID != 0 {
			var err error
			if feedback, err = postgres.FeedbackAwaiting(ctx, tx, who.staff.ID, in.Channel, r.Now().Add(-FeedbackGrace)); err != nil {
				return err
			}
		}
		res, err := r.Engine.Inbound(StartInfo{
			Org: who.org.Code, Channel: in.Channel, Lang: cmp.Or(who.staff.Language, in.Lang),
			Known: who.staff.ID != 0, FirstName: who.staff.FirstName, AfterClosing: closing[it.key()],
			Feedback: feedback,
		}, Input{Text: in.Text, Now: in.ReceivedAt.In(r.Location)})
		if err != nil {
			return fmt.Errorf("start conversation: %w", err)
		}
		data, err := json.Marshal(res.State)
		if err != nil {
			return err
		}
		starts[i] = res
		convs[i] = ohcontact.Conversation{
			OrganisationID: who.org.ID, StaffID: who.staff.ID, Channel: in.Channel, Address: in.Address,
			Flow: res.State.Flow, State: res.State.Step, Data: data, Language: cmp.Or(res.State.Lang, "en-GB"),
		}
		if anonymous(who.staff.ID != 0, in.Channel) {
			convs[i].ClientKey = in.ClientKey
		}
	}
	opened, err := postgres.OpenConversations(ctx, tx, convs)
	if err != nil {
		return err
	}
	var raced []*item
	for i, it := range items {
		c, ok := opened[it.key()]
		if !ok {
			raced = append(raced, it)
			continue
		}
		res := starts[i]
		it.st = step{conv: c, state: res.State, replies: res.Replies, effects: res.Effects}
		if res.Done {
			it.st.closedReason = "completed"
		}
		it.answered = true
	}
	if len(raced) == 0 {
		return nil
	}
	keys := make([]postgres.ConversationKey, len(raced))
	for i, it := range raced {
		keys[i] = it.key()
	}
	// Waits for the other transactions to commit.
	locked, _, err := postgres.LockForInbound(ctx, tx, keys, nil)
	if err != nil {
		return err
	}
	for _, it := range raced {
		c, ok := locked[it.key()]
		if !ok {
			return fmt.Errorf("conversation opened by another message is no longer open")
		}
		if err := it.resume(c); err != nil {
			return err
		}
	}
	return nil
}

// step runs the risk screen and the flow on it.in, carries out the
// effects in tx, and returns what to save: the message, the replies and the
// conversation's new state.
func (r *Runner) step(ctx context.Context, tx pgx.Tx, it *item, now time.Time) (postgres.Step, error) {
	in, who, st := it.in, it.who, &it.st
	input := Input{Text: in.Text, Now: in.ReceivedAt.In(r.Location)}
	// The person wrote on a case's thread: the clinicians see the cue.
	if st.conv.Owner == ohcontact.OwnerClinician || st.conv.FollowsCaseID != 0 {
		if err := postgres.NoteCaseMessage(ctx, tx, st.conv, now); err != nil {
			return postgres.Step{}, err
		}
	}

	// The risk screen runs on every message, in every state, before the flow.
	risk := r.Screen.Screen(in.Text)
	it.t.risk = risk.Priority
	// When the screen is unsure and the bot has the conversation, it asks
	// directly (ask.go); a clinician's conversation takes the pathway.
	ask := risk.Ask && st.conv.Owner == ohcontact.OwnerBot && st.state.AskedAt == nil
	answering := st.state.AskedAt != nil && st.conv.Owner == ohcontact.OwnerBot
	switch {
	case answering:
		// The answer to the direct question: the engine judges it (yes, no,
		// unclear), and only a screen that found more than a weak signal
		// raises it ("no, but I've got the tablets here").
		it.t.flow = st.state.Flow
		res, err := r.Engine.Step(st.state, input)
		if err != nil {
			return postgres.Step{}, fmt.Errorf("answer in conversation %d: %w", st.conv.ID, err)
		}
		if !risk.Ask && risk.Priority.Rank() > pathwayPriority(res.Effects).Rank() {
			r.pathway(st, risk, who, in.Channel, now)
		} else {
			st.state, st.replies, st.effects = res.State, res.Replies, res.Effects
		}
	case ask:
		res, err := r.Engine.Ask(st.state, risk, now)
		if err != nil {
			return postgres.Step{}, fmt.Errorf("ask in conversation %d: %w", st.conv.ID, err)
		}
		// The question replaces the flow's reply; an opening's effects stand.
		st.state, st.replies, st.closedReason = res.State, res.Replies, ""
		st.effects = append(st.effects, res.Effects...)
		r.Log.Warn("inbound: asking directly", "conversation_id", st.conv.ID, "priority", risk.Priority, "category", risk.Category)
	case risk.Priority.Positive():
		r.pathway(st, risk, who, in.Channel, now)
	case it.answered:
		// Opening the conversation already ran the engine on this message.
		it.t.flow = st.state.Flow
	case st.conv.Owner == ohcontact.OwnerClinician:
		// A clinician has the conversation: the bot stays silent, except
		// that opting out or back in takes effect at once, and that it
		// holds the line (holdingLine).
		if k, _ := ParseKeyword(in.Text); k == KeywordOptOut || k == KeywordOptIn {
			res, err := r.Engine.Inbound(StartInfo{Org: who.org.Code, Channel: in.Channel, Lang: st.conv.Language, Known: who.staff.ID != 0}, input)
			if err != nil {
				return postgres.Step{}, err
			}
			st.replies, st.effects = res.Replies, res.Effects
		} else if err := r.holdingLine(ctx, tx, st, who, in, now); err != nil {
			return postgres.Step{}, err
		}
	default:
		it.t.flow = st.state.Flow
		res, err := r.Engine.Step(st.state, input)
		if err != nil {
			return postgres.Step{}, fmt.Errorf("step conversation %d: %w", st.conv.ID, err)
		}
		st.state, st.replies, st.effects = res.State, res.Replies, res.Effects
		if res.Done {
			st.closedReason = "completed"
		}
	}
	if in.Channel == ohcontact.ChannelSMS {
		providerKeyword(in, who, st)
	}
	if err := r.apply(ctx, tx, st, who, now); err != nil {
		return postgres.Step{}, err
	}
	if in.Channel == ohcontact.ChannelSMS {
		r.silenceOptedOut(in, who, st)
	}
	if st.conv.Owner == ohcontact.OwnerClinician {
		st.closedReason = "" // a clinician closes it, by resolving the case
	}
	return st.saved(&ohcontact.Message{Direction: ohcontact.DirectionInbound, Author: ohcontact.AuthorStaff, Body: in.Text, ExternalID: in.ExternalID})
}

// saved is what SaveSteps stores for st: the inbound message, if any, then
// the replies, and the conversation with its new state. Replies are never
// held for a send window: they answer someone who has just written, or
// carry crisis contacts.
func (st *step) saved(inbound *ohcontact.Message) (postgres.Step, error) {
	var messages []*ohcontact.Message
	if inbound != nil {
		messages = append(messages, inbound)
	}
	for _, reply := range st.replies {
		messages = append(messages, &ohcontact.Message{Direction: ohcontact.DirectionOutbound, Author: ohcontact.AuthorBot, Body: reply.Text,
			Urgent: true, Crisis: reply.Crisis})
	}
	data, err := json.Marshal(st.state)
	if err != nil {
		return postgres.Step{}, err
	}
	st.conv.Flow, st.conv.State, st.conv.Data = st.state.Flow, st.state.Step, data
	return postgres.Step{Conversation: &st.conv, ClosedReason: st.closedReason, Messages: messages,
		Answers: st.answers, Signposts: st.signposts}, nil
}

// No text is queued to an opted-out number but a crisis reply. By SMS:
//
//   - Twilio's own opt-out keywords (STOP, END, QUIT…: in.ProviderOptOut):
//     Twilio has blocked the number and sent its own confirmation ("You have
//     successfully been unsubscribed…"), so the opt-out is recorded (even
//     for REVOKE and OPTOUT, which the flows do not know) and nothing is
//     queued: Twilio would refuse it (error 21610).
//   - Our other opt-out words, which Twilio does not know ("stop texting
//     me", "stopio", "koniec"): Twilio does not block the number, so our
//     confirmation is queued in the step that records the opt-out, and is
//     the last text the number gets; texts queued before it are failed
//     (postgres.SetConsent).
//   - Twilio's opt-in keywords (START, UNSTOP, YES: in.ProviderOptIn) from
//     a person who has opted out: Twilio has unblocked the number and
//     confirmed it, so the opt-in is recorded (even for YES, which the
//     flows read as an answer) and the flow's replies go.
//   - Anything else from a person who has opted out is stored and screened
//     (a disclosure still opens a case, whose console shows them opted
//     out), but nothing is queued, and the bot's conversation closes;
//     except that a disclosure's crisis contacts are queued all the same:
//     they answer a message the person has just sent, and crisis contacts
//     are never withheld. After our own opt-out words they reach the
//     person; after Twilio's, Twilio refuses them (21610), which the
//     message's delivery status records for the clinician.
//
// Web chat is unchanged: an opt-out there is confirmed in the widget.

// providerKeyword records, in st's effects, the opt-out or opt-in the
// provider has already carried out for in (see above).
func providerKeyword(in ohcontact.Inbound, who sender, st *step) {
	switch {
	case in.ProviderOptOut && !slices.ContainsFunc(st.effects, isEffect[OptOut]):
		st.effects = append(st.effects, OptOut{})
	case in.ProviderOptIn && who.staff.OptedOut && !slices.ContainsFunc(st.effects, isEffect[OptIn]):
		st.effects = append([]Effect{OptIn{}}, st.effects...)
	}
}

// silenceOptedOut drops the replies of st that would go to an opted-out
// number (see above).
func (r *Runner) silenceOptedOut(in ohcontact.Inbound, who sender, st *step) {
	optedOut := who.staff.OptedOut && !slices.ContainsFunc(st.effects, isEffect[OptIn])
	switch {
	case in.ProviderOptOut:
	case slices.ContainsFunc(st.effects, isEffect[OptOut]):
		return // our own word: the confirmation goes
	case !optedOut:
		return
	case st.conv.Owner == ohcontact.OwnerBot:
		st.closedReason = "opted_out"
	}
	crisis := slices.DeleteFunc(st.replies, func(r Reply) bool { return !r.Crisis })
	if dropped := len(st.replies) - len(crisis); dropped > 0 {
		r.Log.Info("inbound: no text queued: the number has opted out", "conversation_id", st.conv.ID, "replies", dropped)
	}
	st.replies = crisis
}

// isEffect reports whether e is a T.
func isEffect[T Effect](e Effect) bool {
	_, ok := e.(T)
	return ok
}

// pathway stops the flow for a positive screen: crisis contacts at once
// (to an anonymous chatter, with a request for a way to reach them), when
// the OH team is away when it is back, the case, and the conversation to
// the clinicians.
func (r *Runner) pathway(st *step, risk ohcontact.RiskResult, who sender, channel ohcontact.Channel, now time.Time) {
	reachable := !anonymous(who.staff.ID != 0, channel)
	st.replies = []Reply{{Text: r.Engine.CrisisReply(st.conv.Language, who.org.Code, channel, reachable), Crisis: true}}
	if next := r.nextStaffed(who.org.Code, now); !next.Equal(now) {
		st.replies = append(st.replies, r.Engine.HoldingLine(st.conv.Language, who.org.Code, channel, now, next, r.Location))
		st.state.HeldAt = &now
	}
	st.effects = []Effect{RiskPathway{Risk: risk}}
	st.state.Step, st.state.AskedAt = StateRiskPathway, nil
	r.Log.Warn("inbound: positive risk screen", "conversation_id", st.conv.ID, "priority", risk.Priority, "category", risk.Category)
}

// holdingEvery is how often, at most, the bot holds the line in a
// conversation waiting for a clinician.
const holdingEvery = time.Hour

// holdingLine answers a message in a conversation a clinician owns, where
// the bot is otherwise silent. An anonymous web chatter who writes a phone
// number or an email address (after the crisis reply asked for one) is
// thanked, every time. Anyone else hears, at most once an hour
// (holdingEvery), that the OH team has their messages, or when it is back:
// while the case waits in the queue unclaimed (or is another
// conversation's: an anonymous client's chats share one), or while the
// team is away.
// A claimed case in the team's hours is a conversation with a clinician:
// nothing is added to it.
func (r *Runner) holdingLine(ctx context.Context, tx pgx.Tx, st *step, who sender, in ohcontact.Inbound, now time.Time) error {
	next := r.nextStaffed(who.org.Code, now)
	away := !next.Equal(now)
	if anonymous(who.staff.ID != 0, in.Channel) && hasContactDetails(in.Text) {
		st.replies = append(st.replies, r.Engine.ContactDetailsThanks(st.conv.Language))
		if away {
			st.replies = append(st.replies, r.Engine.HoldingLine(st.conv.Language, who.org.Code, in.Channel, now, next, r.Location))
		}
		st.state.HeldAt = &now
		return nil
	}
	if st.state.HeldAt != nil && now.Sub(*st.state.HeldAt) < holdingEvery {
		return nil
	}
	status, err := postgres.ConversationCaseStatus(ctx, tx, st.conv.ID)
	if err != nil {
		return err
	}
	if status != ohcontact.CaseClaimed || away {
		st.replies = append(st.replies, r.Engine.HoldingLine(st.conv.Language, who.org.Code, in.Channel, now, next, r.Location))
		st.state.HeldAt = &now
	}
	return nil
}

// nextStaffed is when org's OH team is next at work (now while it is).
func (r *Runner) nextStaffed(org string, now time.Time) time.Time {
	if r.Team == nil {
		return now
	}
	return r.Team.NextStaffed(org, now)
}

// pathwayPriority is the priority of the RiskPathway among effects, or
// PriorityNone.
func pathwayPriority(effects []Effect) ohcontact.Priority {
	for _, e := range effects {
		if p, ok := e.(RiskPathway); ok {
			return p.Risk.Priority
		}
	}
	return ohcontact.PriorityNone
}

// queueReplies queues the delivery of the saved steps' replies in tx.
func (r *Runner) queueReplies(ctx context.Context, tx pgx.Tx, steps []postgres.Step) error {
	var replies []ohcontact.Message
	for _, s := range steps {
		for _, m := range s.Messages {
			if m.Direction == ohcontact.DirectionOutbound {
				replies = append(replies, *m)
			}
		}
	}
	return r.Outboxes.Queue(ctx, tx, replies)
}

// apply carries out a step's effects in tx, leaving answers and signposts
// in st for SaveSteps to store with the others'.
func (r *Runner) apply(ctx context.Context, tx pgx.Tx, st *step, who sender, now time.Time) error {
	conv := &st.conv
	for _, e := range st.effects {
		var err error
		switch e := e.(type) {
		case RecordAnswer:
			st.answers = append(st.answers, postgres.Answer{Question: e.Question, Value: e.Value})
		case IdentityConfirmed:
			// Identity lives in the saved state.
		case ScheduleReminder:
			err = r.FollowUps.ScheduleFollowUp(ctx, tx, conv.ID, e.Flow, now.Add(e.After))
		case Signpost:
			st.signposts = append(st.signposts, postgres.Signpost{Service: e.Service, Category: string(e.Category)})
		case RequestClinician:
			_, err = r.Cases.Escalate(ctx, tx, *conv, ohcontact.RiskResult{Priority: e.Priority, Category: e.Reason,
				Evidence: []string{"requested by the flow: " + e.Reason}}, now)
			if e.Handover {
				conv.Owner = ohcontact.OwnerClinician
			}
		case RiskPathway:
			_, err = r.Cases.Escalate(ctx, tx, *conv, e.Risk, now)
			conv.Owner = ohcontact.OwnerClinician
		case AskDirectly:
			if e.Risk.Priority.Positive() {
				_, err = r.Cases.Escalate(ctx, tx, *conv, e.Risk, now)
			}
			switch {
			case err != nil:
			case r.Asks == nil:
				err = errors.New("no AskScheduler: nobody would notice an unanswered question")
			default:
				err = r.Asks.ScheduleAskTimeout(ctx, tx, conv.ID, e.At)
			}
		case CreateReferral:
			if conv.StaffID != 0 {
				_, err = r.Referrals.Make(ctx, tx, *conv, e.Answers, now)
				break
			}
			// Nobody the physio team could reach: the person was promised
			// contact, so a clinician takes it on.
			_, err = r.Cases.Escalate(ctx, tx, *conv, ohcontact.RiskResult{Priority: ohcontact.PriorityRoutine,
				Category: "referral_unknown_person", Evidence: []string{"asked for a physiotherapy referral, but is not on the staff record"}}, now)
		case RecordAbsence:
			if who.staff.ID != 0 {
				err = r.recordAbsence(ctx, tx, st, who.staff.ID, e)
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
		case AskFeedback:
			err = r.askFeedback(ctx, tx, st, who, now)
		case RateFeedback:
			err = postgres.RateFeedback(ctx, tx, e.ID, conv.ID, e.Rating, now)
		case CommentFeedback:
			err = postgres.CommentFeedback(ctx, tx, e.ID, conv.ID, e.Text, now)
		case CampaignOutcome:
			if conv.CampaignMemberID != 0 {
				err = postgres.RecordCampaignOutcome(ctx, tx, conv.CampaignMemberID, e.Outcome, e.Detail, now)
			}
		case NewStarterWorklist:
			if conv.NewStarterID != 0 {
				err = postgres.PutNewStarterOnWorklist(ctx, tx, conv.NewStarterID, postgres.WorklistAsked, now)
			}
		}
		if err != nil {
			return fmt.Errorf("apply %s: %w", e, err)
		}
	}
	return nil
}

// askFeedback adds the feedback question to st's replies, at the end of a
// flow that may be followed by it (AskFeedback), when the person may be
// asked: a member of staff on record, in a conversation the bot still has,
// and as postgres.AskFeedback allows (once in 30 days, not opted out, no
// case on the conversation and none of theirs unresolved or lately
// opened).
func (r *Runner) askFeedback(ctx context.Context, tx pgx.Tx, st *step, who sender, now time.Time) error {
	if who.staff.ID == 0 || who.staff.OptedOut || st.conv.Owner != ohcontact.OwnerBot {
		return nil
	}
	asked, err := postgres.AskFeedback(ctx, tx, postgres.FeedbackAsk{ConversationID: st.conv.ID, OrganisationID: st.conv.OrganisationID,
		StaffID: who.staff.ID, Flow: st.state.Flow, Channel: st.conv.Channel, Language: st.state.Lang}, now)
	if err == nil && asked {
		st.replies = append(st.replies, r.Engine.FeedbackQuestion(st.state.Lang, st.conv.Channel))
	}
	return err
}

// recordAbsence stores the absence e that staff member staffID reported
// and plans its contacts, in tx. The episode takes the reference the flow
// told the person unless another episode has it (then one drawn again), or
// the person already had an episode starting that day (then its own): in
// either case the confirmation among st's replies is said again with the
// stored reference.
func (r *Runner) recordAbsence(ctx context.Context, tx pgx.Tx, st *step, staffID int64, e RecordAbsence) error {
	first := true
	draw := func() string {
		if first {
			first = false
			return e.Reference
		}
		return r.Engine.newReference()
	}
	rep, err := postgres.RecordSelfReportedAbsence(ctx, tx, postgres.SelfReport{StaffID: staffID, StartsOn: e.StartsOn,
		ReasonCode: e.ReasonCode, RelatedReason: e.RelatedReason, ExpectedReturn: e.ExpectedReturn}, draw)
	if err != nil {
		return err
	}
	if rep.Existing || rep.Reference != e.Reference {
		reply, err := r.Engine.AbsenceRecorded(st.state, rep.Reference, rep.Existing)
		if err != nil {
			return err
		}
		for i := range st.replies {
			if st.replies[i].MessageID == msgAbsRecorded {
				st.replies[i] = reply
			}
		}
	}
	return r.Absences.ScheduleStaff(ctx, tx, staffID)
}
