package triggers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels"
	"github.com/ohcontact/ohcontact/channels/webchat"
	"github.com/ohcontact/ohcontact/dialogs"
	"github.com/ohcontact/ohcontact/postgres"
)

// ContactDueArgs is the job that sends a scheduled contact's first message.
type ContactDueArgs struct {
	contactJob
	ContactID int64 `json:"contact_id"`
}

// ReminderDueArgs is the job that reminds a person who has not replied to
// a contact sent at SentAt.
type ReminderDueArgs struct {
	contactJob
	ContactID int64     `json:"contact_id"`
	SentAt    time.Time `json:"sent_at"`
}

// NoResponseDueArgs is the job that closes a contact sent at SentAt that
// is still unanswered after its reminder.
type NoResponseDueArgs struct {
	contactJob
	ContactID int64     `json:"contact_id"`
	SentAt    time.Time `json:"sent_at"`
}

// FollowUpDueArgs is the job that starts Flow again for a person who
// answered "not now" in conversation ConversationID.
type FollowUpDueArgs struct {
	contactJob
	ConversationID int64  `json:"conversation_id"`
	Flow           string `json:"flow"`
}

// WebChatFallbackArgs is the job that sends, by SMS, a contact opened in
// web chat conversation ConversationID that nobody has seen.
type WebChatFallbackArgs struct {
	contactJob
	ConversationID int64 `json:"conversation_id"`
}

// ScheduleAllArgs is the daily job that runs Scheduler.ScheduleAll.
type ScheduleAllArgs struct{}

// Kind is "contact_due".
func (ContactDueArgs) Kind() string { return "contact_due" }

// Kind is "contact_reminder_due".
func (ReminderDueArgs) Kind() string { return "contact_reminder_due" }

// Kind is "contact_no_response_due".
func (NoResponseDueArgs) Kind() string { return "contact_no_response_due" }

// Kind is "contact_follow_up_due".
func (FollowUpDueArgs) Kind() string { return "contact_follow_up_due" }

// Kind is "contact_webchat_sms_fallback".
func (WebChatFallbackArgs) Kind() string { return "contact_webchat_sms_fallback" }

// Kind is "triggers_schedule_all".
func (ScheduleAllArgs) Kind() string { return "triggers_schedule_all" }

// contactJob gives the contact jobs' args their insert options.
type contactJob struct{}

// InsertOpts bounds retries: each contact job re-checks its state and is
// harmless to repeat, but one that keeps failing needs a person.
func (contactJob) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 10} }

// BusyFor is how long after a person's last message an open conversation
// counts as under way: a contact (or a campaign's invitation) due meanwhile
// waits for it, and after it the idle conversation is closed (as
// no_response) to make way (MakeWay).
const BusyFor = time.Hour

// Starter starts a flow and returns its opening messages (dialogs.Engine).
type Starter interface {
	Start(flow string, st dialogs.StartInfo) (dialogs.Result, error)
}

// Contacts sends contacts and follows them up, as River jobs that each
// run in one transaction and re-check the state they act on:
//
//   - ContactDue sends a scheduled contact's first message, unless the
//     person is back at work or opted out, or a clinician already has a
//     conversation with them (the contact is then cancelled); outside the
//     send window (settings changed since it was scheduled) it waits for the
//     next one. It opens a conversation on the person's preferred channel
//     (SMS when a mobile is known, else the web chat, at address
//     "staff-<id>" where their widget finds it), queues the flow's first
//     message through the channel's Outbox, and schedules ReminderDue at
//     Rules.ReminderAfter, held to the send window.
//   - ReminderDue, when the person has not written since, sends the
//     first message again (first_contact: it names only the OH service,
//     with the opt-out and the crisis line) in the send window, marks the
//     contact reminded, and schedules NoResponseDue at Rules.CloseAfter.
//   - NoResponseDue, when they still have not written, closes the
//     conversation as no_response and, for the triggers in
//     Rules.FollowUpUnanswered, opens a routine case asking the OH team to
//     follow up another way.
//   - FollowUpDue starts a check-in again, a day after "not now"
//     (ScheduleFollowUp), as a reminder, so "not now" a second time ends it.
//   - WebChatFallbackDue: a contact (or follow-up) opened in a web chat is
//     scheduled, in the same transaction, to go by SMS after
//     Rules.SMSFallbackAfter (24 hours; 0 never) if nobody has seen it: a
//     person who prefers the web chat but is off work may never open the
//     intranet. When it runs it re-checks: the conversation is still open
//     with the bot, none of its messages has reached a browser
//     (postgres.WebChatSeen) and the person has not written; they have a
//     mobile, have not opted out and are not back at work; and it waits for
//     the send window (Scheduler.NextSendTime). Then it starts the flow again
//     in an SMS conversation for the same contact, with its SMS wording
//     (naming only the OH service until the person confirms who they are),
//     closes the web chat one as no_response (so the widget shows it ended),
//     and audits contact.sms_fallback. Replies by SMS go on with the flow,
//     and the reminder follows in the SMS conversation. It happens once: the
//     SMS conversation schedules no fallback.
//
// A reply at any point makes the contact responded
// (postgres.SaveSteps, as the runner stores it), which stops the
// reminder and the closing.
type Contacts struct {
	DB        *postgres.DB
	Scheduler *Scheduler // Policy, Jobs and Now
	Engine    Starter
	// Outboxes queue messages by channel. They may be set after the
	// Contacts is made, but before its jobs run.
	Outboxes channels.Outboxes
	// Cases opens the routine case for an unanswered contact
	// (escalation.Cases, as the runner's).
	Cases dialogs.Escalator
	Log   *slog.Logger
}

// AddWorkers registers the contact jobs' workers (new starters' among
// them) and the daily scheduling job's.
func (c *Contacts) AddWorkers(w *river.Workers) {
	river.AddWorker(w, &ContactDueWorker{c: c})
	river.AddWorker(w, &ReminderDueWorker{c: c})
	river.AddWorker(w, &NoResponseDueWorker{c: c})
	river.AddWorker(w, &FollowUpDueWorker{c: c})
	river.AddWorker(w, &WebChatFallbackWorker{c: c})
	river.AddWorker(w, &NewStarterDueWorker{c: c})
	river.AddWorker(w, &ScheduleAllWorker{c: c})
}

// ContactDueWorker works ContactDueArgs (see Contacts).
type ContactDueWorker struct {
	river.WorkerDefaults[ContactDueArgs]
	c *Contacts
}

// ReminderDueWorker works ReminderDueArgs (see Contacts).
type ReminderDueWorker struct {
	river.WorkerDefaults[ReminderDueArgs]
	c *Contacts
}

// NoResponseDueWorker works NoResponseDueArgs (see Contacts).
type NoResponseDueWorker struct {
	river.WorkerDefaults[NoResponseDueArgs]
	c *Contacts
}

// FollowUpDueWorker works FollowUpDueArgs (see Contacts).
type FollowUpDueWorker struct {
	river.WorkerDefaults[FollowUpDueArgs]
	c *Contacts
}

// WebChatFallbackWorker works WebChatFallbackArgs (see Contacts).
type WebChatFallbackWorker struct {
	river.WorkerDefaults[WebChatFallbackArgs]
	c *Contacts
}

// ScheduleAllWorker works ScheduleAllArgs.
type ScheduleAllWorker struct {
	river.WorkerDefaults[ScheduleAllArgs]
	c *Contacts
}

// Work sends the contact, or records why not, or waits for the window.
func (w *ContactDueWorker) Work(ctx context.Context, job *river.Job[ContactDueArgs]) error {
	return w.c.inTx(ctx, func(tx pgx.Tx, now time.Time) (time.Duration, error) {
		return w.c.contactDue(ctx, tx, job.Args.ContactID, now)
	})
}

// Work sends the reminder, unless the person has written.
func (w *ReminderDueWorker) Work(ctx context.Context, job *river.Job[ReminderDueArgs]) error {
	return w.c.inTx(ctx, func(tx pgx.Tx, now time.Time) (time.Duration, error) {
		return w.c.reminderDue(ctx, tx, job.Args, now)
	})
}

// Work closes the unanswered contact, unless the person has written.
func (w *NoResponseDueWorker) Work(ctx context.Context, job *river.Job[NoResponseDueArgs]) error {
	return w.c.inTx(ctx, func(tx pgx.Tx, now time.Time) (time.Duration, error) {
		return 0, w.c.noResponseDue(ctx, tx, job.Args, now)
	})
}

// Work starts the check-in again.
func (w *FollowUpDueWorker) Work(ctx context.Context, job *river.Job[FollowUpDueArgs]) error {
	return w.c.inTx(ctx, func(tx pgx.Tx, now time.Time) (time.Duration, error) {
		return w.c.followUpDue(ctx, tx, job.Args, now)
	})
}

// Work sends the unseen web chat contact by SMS, or waits for the window.
func (w *WebChatFallbackWorker) Work(ctx context.Context, job *river.Job[WebChatFallbackArgs]) error {
	return w.c.inTx(ctx, func(tx pgx.Tx, now time.Time) (time.Duration, error) {
		return w.c.webChatFallbackDue(ctx, tx, job.Args, now)
	})
}

// Work plans every open or recently ended episode.
func (w *ScheduleAllWorker) Work(ctx context.Context, _ *river.Job[ScheduleAllArgs]) error {
	n, err := w.c.Scheduler.ScheduleAll(ctx, w.c.DB)
	if err != nil {
		return err
	}
	w.c.Log.Info("triggers: scheduled all episodes", "episodes", n.Episodes, "scheduled", n.Scheduled, "held", n.Held,
		"skipped", n.Skipped, "cancelled", n.Cancelled, "failed", n.Failed, "closed", n.Closed)
	return nil
}

// Timeout gives the daily planning longer than the short jobs' default: it
// reads every open episode.
func (w *ScheduleAllWorker) Timeout(*river.Job[ScheduleAllArgs]) time.Duration {
	return 10 * time.Minute
}

// DailySchedule returns the periodic job that plans every episode each day
// at 06:00 in loc (before send windows open), and once when this instance
// becomes the leader, to catch up after downtime.
func DailySchedule(loc *time.Location) *river.PeriodicJob {
	return river.NewPeriodicJob(dailyAt{at: Clock{6, 0}, loc: loc},
		func() (river.JobArgs, *river.InsertOpts) { return ScheduleAllArgs{}, nil },
		&river.PeriodicJobOpts{ID: "triggers_schedule_all", RunOnStart: true})
}

// dailyAt is a river.PeriodicSchedule: every day at a local time.
type dailyAt struct {
	at  Clock
	loc *time.Location
}

// Next returns the first moment after t when the local clock shows d.at.
func (d dailyAt) Next(t time.Time) time.Time {
	day := DateOf(t.In(d.loc))
	for {
		if next := day.At(d.at, d.loc); next.After(t) {
			return next
		}
		day = day.AddDays(1)
	}
}

// inTx runs fn in a transaction with the current time, then snoozes the
// job for the duration fn returned, if any, after commit.
func (c *Contacts) inTx(ctx context.Context, fn func(tx pgx.Tx, now time.Time) (time.Duration, error)) error {
	var snooze time.Duration
	err := c.DB.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		snooze, err = fn(tx, c.Scheduler.Now())
		return err
	})
	switch {
	case err != nil:
		return err
	case snooze > 0:
		return river.JobSnooze(snooze)
	}
	return nil
}

// lockContact locks contact id, or returns ok false (logged) when it is
// gone.
func (c *Contacts) lockContact(ctx context.Context, tx pgx.Tx, id int64) (ohcontact.Contact, bool, error) {
	k, err := postgres.LockContact(ctx, tx, id)
	if errors.Is(err, ohcontact.ErrNotFound) {
		c.Log.Warn("triggers: contact gone", "contact_id", id)
		return k, false, nil
	}
	return k, err == nil, err
}

func (c *Contacts) contactDue(ctx context.Context, tx pgx.Tx, id int64, now time.Time) (time.Duration, error) {
	k, ok, err := c.lockContact(ctx, tx, id)
	if !ok || k.State != stateScheduled {
		return 0, err // sent, cancelled or gone: a repeated job does nothing
	}
	set := c.Scheduler.Policy.For(k.Staff.OrganisationCode)
	if backAtWork(dateOf(k.EndsOn), now, set.Rules.Location) {
		return 0, postgres.SetContactState(ctx, tx, k.ID, stateCancelled, returnedReason(dateOf(k.EndsOn)))
	}
	// A job may run early (its contact re-planned since) or find the window
	// changed: wait for the send time, and the window.
	from := ohcontact.Later(now, ohcontact.Later(k.DueAt, k.HeldUntil))
	at, err := set.Window.Next(from, QuietOf(k.Quiet))
	if errors.Is(err, ErrNoSendTime) {
		return 0, postgres.SetContactState(ctx, tx, k.ID, stateFailed, reasonNoSendTime)
	}
	if at.After(now) {
		if !at.Equal(k.HeldUntil) && at.After(k.DueAt) {
			if err := postgres.HoldContact(ctx, tx, k.ID, at); err != nil {
				return 0, err
			}
		}
		return at.Sub(now), nil
	}
	channel := ChooseChannel(k.PreferredChannel, k.Staff.Mobile != "")
	sent, wait, err := c.open(ctx, tx, k, opening{flow: k.Flow, channel: channel}, now)
	if err != nil || !sent {
		return wait, err
	}
	if err := postgres.MarkContactSent(ctx, tx, k.ID, channel); err != nil {
		return 0, err
	}
	remindAt, err := set.Window.Next(now.Add(set.Rules.ReminderAfter), QuietOf(k.Quiet))
	if err != nil {
		remindAt = now.Add(set.Rules.ReminderAfter) // the reminder re-checks the window when it runs
	}
	if _, err := c.Scheduler.Jobs.InsertTx(ctx, tx, ReminderDueArgs{ContactID: k.ID, SentAt: now},
		&river.InsertOpts{ScheduledAt: remindAt}); err != nil {
		return 0, fmt.Errorf("schedule reminder of contact %d: %w", k.ID, err)
	}
	c.Log.Info("triggers: contact sent", "contact_id", k.ID, "staff_id", k.Staff.ID)
	return 0, nil
}

// opening is what open starts: flow on channel. A reminder's flow says so
// (and "not now" ends it); a follow-up, unlike a contact's first message,
// leaves the contact's state alone when it is not sent.
type opening struct {
	flow               string
	channel            ohcontact.Channel
	reminder, followUp bool
}

// open opens a conversation of o.flow on o.channel for contact k and queues
// its first messages, in tx. It reports sent false when it did not: the
// contact was cancelled (opted out, or a clinician is talking with the
// person), or should wait the returned duration (the person is in the
// middle of another conversation on the channel). An idle open
// conversation on the channel is closed as no_response to make way. A web
// chat opening schedules its SMS fallback (WebChatFallbackDue).
func (c *Contacts) open(ctx context.Context, tx pgx.Tx, k ohcontact.Contact, o opening, now time.Time) (sent bool, wait time.Duration, err error) {
	cancel := func(reason string) (bool, time.Duration, error) {
		if o.followUp {
			return false, 0, nil // a follow-up is dropped; the contact keeps its state
		}
		return false, 0, postgres.SetContactState(ctx, tx, k.ID, stateCancelled, reason)
	}
	if k.Staff.OptedOut {
		return cancel(reasonOptedOut)
	}
	channel, flow := o.channel, o.flow
	switch clinician, wait, err := MakeWay(ctx, tx, k.Staff.ID, channel, now); {
	case err != nil:
		return false, 0, err
	case clinician:
		return cancel(reasonClinician)
	case wait > 0:
		return false, wait, nil
	}

	conv, err := Proactive{Staff: k.Staff, Flow: flow, Reminder: o.reminder, ContactID: k.ID}.Open(ctx, tx, c.Engine, c.Outboxes, channel)
	if err != nil {
		return false, 0, err
	}
	if after := c.Scheduler.Policy.For(k.Staff.OrganisationCode).Rules.SMSFallbackAfter; channel == ohcontact.ChannelWebChat && after > 0 {
		if _, err := c.Scheduler.Jobs.InsertTx(ctx, tx, WebChatFallbackArgs{ConversationID: conv.ID},
			&river.InsertOpts{ScheduledAt: now.Add(after)}); err != nil {
			return false, 0, fmt.Errorf("schedule sms fallback of contact %d: %w", k.ID, err)
		}
	}
	return true, 0, nil
}

// MakeWay readies member of staff staffID for a proactive conversation on
// channel at now, in tx (a contact's, or a campaign's invitation): it locks
// their open conversations and reports clinician when a clinician owns one,
// on any channel, or how long to wait when one on channel has had activity
// within BusyFor (the person is in the middle of it). Otherwise it closes
// their idle open conversations on channel as no_response, so that a new
// one may open, and reports neither.
func MakeWay(ctx context.Context, tx pgx.Tx, staffID int64, channel ohcontact.Channel, now time.Time) (clinician bool, wait time.Duration, err error) {
	open, err := postgres.LockOpenConversations(ctx, tx, staffID)
	if err != nil {
		return false, 0, err
	}
	if slices.ContainsFunc(open, func(o postgres.OpenConversation) bool { return o.Owner == ohcontact.OwnerClinician }) {
		return true, 0, nil
	}
	for _, o := range open {
		if o.Channel != channel {
			continue
		}
		if idleAt := o.LastActivity.Add(BusyFor); idleAt.After(now) {
			return false, idleAt.Sub(now), nil
		}
		o.Closed = true
		if err := postgres.SaveConversation(ctx, tx, &o.Conversation, "no_response"); err != nil {
			return false, 0, err
		}
	}
	return false, 0, nil
}

// UnseenWebChat locks conversation id in tx and reports whether it is a
// web chat still open with the bot that nobody has seen: none of its
// messages has reached a browser and the person has not written in it
// (postgres.WebChatSeen). Its opening may then go again by SMS (a
// contact's WebChatFallbackDue, a campaign invitation's fallback). A
// conversation that is gone, ended or with a clinician is not unseen.
func UnseenWebChat(ctx context.Context, tx pgx.Tx, id int64) (ohcontact.Conversation, bool, error) {
	conv, err := postgres.LockConversation(ctx, tx, id)
	switch {
	case errors.Is(err, ohcontact.ErrNotFound):
		return conv, false, nil
	case err != nil:
		return conv, false, err
	case conv.Closed || conv.Owner != ohcontact.OwnerBot || conv.Channel != ohcontact.ChannelWebChat:
		return conv, false, nil
	}
	seen, err := postgres.WebChatSeen(ctx, tx, conv.ID)
	return conv, err == nil && !seen, err
}

func (c *Contacts) webChatFallbackDue(ctx context.Context, tx pgx.Tx, args WebChatFallbackArgs, now time.Time) (time.Duration, error) {
	conv, unseen, err := UnseenWebChat(ctx, tx, args.ConversationID)
	if err != nil || !unseen || conv.ContactID == 0 {
		return 0, err // seen, ended, answered elsewhere, with a clinician, or no contact's
	}
	k, ok, err := c.lockContact(ctx, tx, conv.ContactID)
	if !ok {
		return 0, err
	}
	set := c.Scheduler.Policy.For(k.Staff.OrganisationCode)
	switch {
	case k.Staff.OptedOut, k.Staff.Mobile == "", backAtWork(dateOf(k.EndsOn), now, set.Rules.Location):
		c.Log.Info("triggers: unseen web chat contact not sent by sms", "contact_id", k.ID,
			"opted_out", k.Staff.OptedOut, "mobile", k.Staff.Mobile != "")
		return 0, nil
	}
	at, err := c.Scheduler.NextSendTime(ctx, tx, k.Staff.ID, now)
	if err != nil || at.After(now) {
		return at.Sub(now), err
	}
	var state dialogs.State
	if err := json.Unmarshal(conv.Data, &state); err != nil {
		return 0, fmt.Errorf("conversation %d: %w", conv.ID, err)
	}
	sent, wait, err := c.open(ctx, tx, k, opening{flow: conv.Flow, channel: ohcontact.ChannelSMS, reminder: state.Reminder, followUp: true}, now)
	if err != nil || !sent {
		return wait, err
	}
	conv.Closed = true
	if err := postgres.SaveConversation(ctx, tx, &conv, "no_response"); err != nil {
		return 0, err
	}
	if err := postgres.SetContactChannel(ctx, tx, k.ID, ohcontact.ChannelSMS); err != nil {
		return 0, err
	}
	if err := postgres.Audit(ctx, tx, postgres.AuditEvent{Action: "contact.sms_fallback", RecordType: "contact", RecordID: k.ID,
		OrganisationID: k.Staff.OrganisationID, Details: map[string]any{"webchat_conversation_id": conv.ID}}); err != nil {
		return 0, err
	}
	c.Log.Info("triggers: unseen web chat contact sent by sms", "contact_id", k.ID, "conversation_id", conv.ID)
	return 0, nil
}

// Proactive is a flow the service starts with a member of staff, and what
// it is opened for: a contact (ContactID), a campaign's member or a new
// starter's welcome.
type Proactive struct {
	Staff            ohcontact.Staff
	Flow             string
	Reminder         bool   // the one reminder (dialogs.StartInfo.Reminder)
	Vaccine          string // a vaccination campaign's vaccine
	ContactID        int64
	CampaignMemberID int64
	NewStarterID     int64
}

// Open starts p's flow on channel and opens its conversation, owned by the
// bot, at the person's mobile or their web chat's staff address; it stores
// the flow's opening as the bot's messages and queues them on outboxes, in
// tx. The caller has made way (MakeWay).
func (p Proactive) Open(ctx context.Context, tx pgx.Tx, engine Starter, outboxes channels.Outboxes, channel ohcontact.Channel) (ohcontact.Conversation, error) {
	res, data, err := p.start(engine, channel, p.Staff.Language)
	if err != nil {
		return ohcontact.Conversation{}, err
	}
	address := p.Staff.Mobile
	if channel == ohcontact.ChannelWebChat {
		address = webchat.StaffAddress(p.Staff.ID)
	}
	conv, err := postgres.OpenContactConversation(ctx, tx, ohcontact.Conversation{
		OrganisationID: p.Staff.OrganisationID, StaffID: p.Staff.ID, CampaignMemberID: p.CampaignMemberID,
		NewStarterID: p.NewStarterID, Channel: channel, Address: address,
		Flow: res.State.Flow, State: res.State.Step, Data: data, Language: res.State.Lang,
	}, p.ContactID)
	if err != nil {
		return conv, err
	}
	return conv, p.send(ctx, tx, outboxes, &conv, res.Replies)
}

// Restart starts p's flow again in conv, the open conversation the first
// opening opened, in the language it is in (a reminder there), and stores
// and queues the opening as Open does. tx holds conv locked.
func (p Proactive) Restart(ctx context.Context, tx pgx.Tx, engine Starter, outboxes channels.Outboxes, conv *ohcontact.Conversation) error {
	res, data, err := p.start(engine, conv.Channel, conv.Language)
	if err != nil {
		return err
	}
	conv.Flow, conv.State, conv.Data = res.State.Flow, res.State.Step, data
	return p.send(ctx, tx, outboxes, conv, res.Replies)
}

// start starts p's flow on channel in lang, and returns its result and its
// state as JSON.
func (p Proactive) start(engine Starter, channel ohcontact.Channel, lang string) (dialogs.Result, []byte, error) {
	res, err := engine.Start(p.Flow, dialogs.StartInfo{Org: p.Staff.OrganisationCode, Channel: channel, Lang: lang,
		Known: true, FirstName: p.Staff.FirstName, Reminder: p.Reminder, Vaccine: p.Vaccine})
	if err != nil {
		return res, nil, fmt.Errorf("start %s for staff %d: %w", p.Flow, p.Staff.ID, err)
	}
	data, err := json.Marshal(res.State)
	return res, data, err
}

// send stores replies as the bot's messages in conv, queues each for
// delivery on outboxes and saves conv, in tx. Nobody has just written, so
// they are not urgent (the jobs send them inside the send window); only a
// crisis reply would be, and openings carry none.
func (p Proactive) send(ctx context.Context, tx pgx.Tx, outboxes channels.Outboxes, conv *ohcontact.Conversation, replies []dialogs.Reply) error {
	ms := make([]ohcontact.Message, len(replies))
	for i, r := range replies {
		ms[i] = ohcontact.Message{Author: ohcontact.AuthorBot, Body: r.Text, Urgent: r.Crisis}
	}
	if err := outboxes.Send(ctx, tx, conv, ms); err != nil {
		return err
	}
	return postgres.SaveConversation(ctx, tx, conv, "")
}

// unanswered locks the conversation contact id opened, then the contact
// (the runner's order: conversation, then contact), and reports whether
// the contact is in state and its conversation still waits for the
// person's first reply, with the bot in charge. A reply found here (the
// runner not having marked it) makes the contact responded.
func (c *Contacts) unanswered(ctx context.Context, tx pgx.Tx, id int64, state string) (ohcontact.Contact, ohcontact.Conversation, bool, error) {
	conv, replied, err := postgres.LockContactConversation(ctx, tx, id)
	if errors.Is(err, ohcontact.ErrNotFound) {
		return ohcontact.Contact{}, conv, false, nil
	}
	if err != nil {
		return ohcontact.Contact{}, conv, false, err
	}
	k, ok, err := c.lockContact(ctx, tx, id)
	switch {
	case !ok || k.State != state:
		return k, conv, false, err
	case replied:
		return k, conv, false, postgres.SetContactState(ctx, tx, k.ID, stateResponded, "")
	}
	return k, conv, !conv.Closed && conv.Owner == ohcontact.OwnerBot, nil
}

func (c *Contacts) reminderDue(ctx context.Context, tx pgx.Tx, args ReminderDueArgs, now time.Time) (time.Duration, error) {
	k, conv, waiting, err := c.unanswered(ctx, tx, args.ContactID, stateSent)
	if err != nil || !waiting || k.Staff.OptedOut {
		return 0, err
	}
	set := c.Scheduler.Policy.For(k.Staff.OrganisationCode)
	if backAtWork(dateOf(k.EndsOn), now, set.Rules.Location) {
		conv.Closed = true
		return 0, postgres.SaveConversation(ctx, tx, &conv, "returned_to_work")
	}
	at, err := set.Window.Next(now, QuietOf(k.Quiet))
	switch {
	case errors.Is(err, ErrNoSendTime):
		at = now // no window will come: remind now rather than never
	case err != nil:
		return 0, err
	case at.After(now):
		return at.Sub(now), nil
	}
	if err := (Proactive{Staff: k.Staff, Flow: k.Flow, Reminder: true, ContactID: k.ID}).Restart(ctx, tx, c.Engine, c.Outboxes, &conv); err != nil {
		return 0, err
	}
	if err := postgres.SetContactState(ctx, tx, k.ID, stateReminded, ""); err != nil {
		return 0, err
	}
	if _, err := c.Scheduler.Jobs.InsertTx(ctx, tx, NoResponseDueArgs{ContactID: k.ID, SentAt: args.SentAt},
		&river.InsertOpts{ScheduledAt: now.Add(set.Rules.CloseAfter)}); err != nil {
		return 0, fmt.Errorf("schedule closing of contact %d: %w", k.ID, err)
	}
	c.Log.Info("triggers: reminder sent", "contact_id", k.ID, "conversation_id", conv.ID)
	return 0, nil
}

func (c *Contacts) noResponseDue(ctx context.Context, tx pgx.Tx, args NoResponseDueArgs, now time.Time) error {
	k, conv, waiting, err := c.unanswered(ctx, tx, args.ContactID, stateReminded)
	if err != nil || !waiting {
		return err
	}
	conv.Closed = true
	if err := postgres.SaveConversation(ctx, tx, &conv, "no_response"); err != nil {
		return err
	}
	if err := postgres.SetContactState(ctx, tx, k.ID, stateNoResponse, ""); err != nil {
		return err
	}
	set := c.Scheduler.Policy.For(k.Staff.OrganisationCode)
	if !slices.Contains(set.Rules.FollowUpUnanswered, ohcontact.Trigger(k.Trigger)) {
		return nil
	}
	caseID, err := c.Cases.Escalate(ctx, tx, conv, ohcontact.RiskResult{
		Priority: ohcontact.PriorityRoutine, Category: "no_response",
		Evidence: []string{fmt.Sprintf("no reply to the %s check-in sent %s and its reminder",
			checkInName(ohcontact.Trigger(k.Trigger)), DateOf(args.SentAt.In(set.Rules.Location)))},
	}, now)
	if err != nil {
		return err
	}
	c.Log.Info("triggers: unanswered contact closed, case opened", "contact_id", k.ID, "case_id", caseID)
	return nil
}

// checkInName names a trigger's check-in for clinicians.
func checkInName(t ohcontact.Trigger) string {
	switch t {
	case ohcontact.TriggerMSK:
		return "MSK"
	case ohcontact.TriggerLongTerm:
		return "long-term"
	}
	return string(t)
}

// ScheduleFollowUp schedules the check-in flow to start again at at (held
// to the send window) for the person in conversation conversationID, who
// answered "not now" (the flows' dialogs.ScheduleReminder effect). The
// runner calls it in its transaction. A conversation no contact opened has
// no check-in to repeat, and is left alone.
func (c *Contacts) ScheduleFollowUp(ctx context.Context, tx pgx.Tx, conversationID int64, flow string, at time.Time) error {
	contactID, err := postgres.ConversationContact(ctx, tx, conversationID)
	if errors.Is(err, ohcontact.ErrNotFound) {
		c.Log.Info("triggers: no contact to follow up", "conversation_id", conversationID)
		return nil
	}
	if err != nil {
		return err
	}
	// Only read the contact, without locking it: the runner holds the
	// conversation's lock, and the jobs lock a contact before the person's
	// conversations (contactDue, followUpDue), so locking it here, in the
	// other order, could deadlock with them.
	k, err := postgres.ContactByID(ctx, tx, contactID)
	if errors.Is(err, ohcontact.ErrNotFound) {
		c.Log.Warn("triggers: contact gone", "contact_id", contactID)
		return nil
	}
	if err != nil {
		return err
	}
	if next, err := c.Scheduler.Policy.For(k.Staff.OrganisationCode).Window.Next(at, QuietOf(k.Quiet)); err == nil {
		at = next
	}
	if _, err := c.Scheduler.Jobs.InsertTx(ctx, tx, FollowUpDueArgs{ConversationID: conversationID, Flow: flow},
		&river.InsertOpts{ScheduledAt: at}); err != nil {
		return fmt.Errorf("schedule follow-up of conversation %d: %w", conversationID, err)
	}
	return nil
}

func (c *Contacts) followUpDue(ctx context.Context, tx pgx.Tx, args FollowUpDueArgs, now time.Time) (time.Duration, error) {
	contactID, err := postgres.ConversationContact(ctx, tx, args.ConversationID)
	if errors.Is(err, ohcontact.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	k, ok, err := c.lockContact(ctx, tx, contactID)
	if !ok {
		return 0, err
	}
	set := c.Scheduler.Policy.For(k.Staff.OrganisationCode)
	if backAtWork(dateOf(k.EndsOn), now, set.Rules.Location) {
		return 0, nil
	}
	at, err := set.Window.Next(now, QuietOf(k.Quiet))
	switch {
	case errors.Is(err, ErrNoSendTime):
		return 0, nil // no window will come: drop the follow-up
	case err != nil:
		return 0, err
	case at.After(now):
		return at.Sub(now), nil
	}
	channel := ChooseChannel(k.PreferredChannel, k.Staff.Mobile != "")
	sent, wait, err := c.open(ctx, tx, k, opening{flow: args.Flow, channel: channel, reminder: true, followUp: true}, now)
	if sent {
		c.Log.Info("triggers: follow-up sent", "contact_id", k.ID)
	}
	return wait, err
}
