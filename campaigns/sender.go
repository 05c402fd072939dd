package campaigns

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels/sms"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/triggers"
)

// SendArgs is the job that sends campaign CampaignID's invitations while
// it runs (see the package doc).
type SendArgs struct {
	CampaignID int64 `json:"campaign_id"`
}

// Kind is "campaign_send".
func (SendArgs) Kind() string { return "campaign_send" }

// InsertOpts puts the sender on Queue and keeps one per campaign while it
// waits or runs: starting or resuming a campaign whose sender is waiting
// (for its window, or a held member) adds none. A finished job does not
// count, so a campaign resumed after its sender ended gets a new one.
func (SendArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 25, UniqueOpts: river.UniqueOpts{ByArgs: true,
		ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
			rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

// sendRun is how long one run of a sender sends before it hands over to
// the next (inside River's job timeout and stuck-job rescue, with room for
// a send slot's wait).
const sendRun = 15 * time.Second

// SendWorker works SendArgs.
type SendWorker struct {
	river.WorkerDefaults[SendArgs]
	c *Campaigns
}

// RemindWorker works RemindArgs.
type RemindWorker struct {
	river.WorkerDefaults[RemindArgs]
	c *Campaigns
}

// AddWorkers registers the sender's, the reminder's, the closing's and
// the SMS fallback's workers.
func (c *Campaigns) AddWorkers(w *river.Workers) {
	river.AddWorker(w, &SendWorker{c: c})
	river.AddWorker(w, &RemindWorker{c: c})
	river.AddWorker(w, &CloseWorker{c: c})
	river.AddWorker(w, &FallbackWorker{c: c})
}

// step is what one invitation's transaction did.
type step int

const (
	stepSMS  step = iota // an invitation went by SMS: its send slot is used
	stepNext             // a member was dealt with without a text (web chat, held, skipped): the slot is still free
	stepWait             // nobody can be invited before the wait returned
	stepDone             // the campaign is paused, stopped or finished: the sender ends
)

// Work sends invitations for sendRun, one text per send slot, then hands over
// to a new job; it snoozes until the window opens or a held member may be
// invited, and ends (completing the job in the transaction that read the
// campaign's status) when the campaign is not running.
func (w *SendWorker) Work(ctx context.Context, job *river.Job[SendArgs]) error {
	run := sendRun
	if w.c.sendRun > 0 {
		run = w.c.sendRun
	}
	deadline := time.Now().Add(run)
	for time.Now().Before(deadline) {
		if err := w.c.takeSlots(ctx, 1); err != nil {
			return err
		}
		for time.Now().Before(deadline) && ctx.Err() == nil {
			var s step
			var texts int
			var wait time.Duration
			err := w.c.DB.InTx(ctx, func(tx pgx.Tx) error {
				var err error
				s, texts, wait, err = w.c.sendNext(ctx, tx, job.Args.CampaignID, w.c.Now())
				if err == nil && s == stepDone {
					_, err = river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job)
				}
				return err
			})
			switch {
			case err != nil:
				return err
			case s == stepDone:
				return nil
			case s == stepWait:
				return river.JobSnooze(wait)
			}
			if s == stepSMS {
				// The invitation's first text had its slot; each further
				// one (the vaccination flow's choices) takes its own.
				if err := w.c.takeSlots(ctx, texts-1); err != nil {
					return err
				}
				break
			}
		}
	}
	return w.handOver(ctx, job)
}

// takeSlots waits for n send slots on the ordinary SMS line (sms.Queue),
// one a text of an invitation, reminder or SMS fallback queued on
// sms.PrepaidQueue (the first before it is queued, the rest after). It returns a River snooze when the line is
// long. Without a Throttle it takes none.
func (c *Campaigns) takeSlots(ctx context.Context, n int) error {
	for range n {
		if c.Throttle == nil {
			return nil
		}
		if err := c.Throttle.Wait(ctx, sms.Queue); err != nil {
			return err
		}
	}
	return nil
}

// slotted is what one run of a step that sends on sms.PrepaidQueue (a
// reminder, a fallback) did or would do.
type slotted struct {
	wait  time.Duration // look again after wait
	due   bool          // it would send by SMS, given the first text's slot
	texts int           // the texts it queued by SMS
}

// workSlotted runs step in a transaction, with slot false until the first
// text's send slot is taken: a step due to send by SMS without one reports
// due, sending nothing, and workSlotted takes the slot outside the
// transaction and runs it again; after it sends, the rest's slots are
// taken (takeSlots). A step that has nothing to send takes no slot.
// Without a Throttle, slot is true from the start.
func (c *Campaigns) workSlotted(ctx context.Context, step func(tx pgx.Tx, slot bool) (slotted, error)) error {
	slot := c.Throttle == nil
	for {
		var r slotted
		err := c.DB.InTx(ctx, func(tx pgx.Tx) error {
			var err error
			r, err = step(tx, slot)
			return err
		})
		switch {
		case err != nil:
			return err
		case r.wait > 0:
			return river.JobSnooze(r.wait)
		case r.due && !slot:
			if err := c.takeSlots(ctx, 1); err != nil {
				return err
			}
			slot = true
			continue
		}
		return c.takeSlots(ctx, r.texts-1)
	}
}

// handOver completes job and inserts the campaign's next sender in one
// transaction: the insert wakes a worker at once (a snoozed job would wait
// for the next fetch, losing send slots), and the job's uniqueness holds,
// the completed job no longer counting.
func (w *SendWorker) handOver(ctx context.Context, job *river.Job[SendArgs]) error {
	if ctx.Err() != nil {
		return river.JobSnooze(0) // shutting down: another instance carries on
	}
	return w.c.DB.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job); err != nil {
			return err
		}
		if _, err := w.c.Jobs.InsertTx(ctx, tx, job.Args, nil); err != nil {
			return fmt.Errorf("hand campaign %d's sender over: %w", job.Args.CampaignID, err)
		}
		return nil
	})
}

// sendNext invites the next member of campaign id at now, in tx, if the
// campaign is running and its window open (see the package doc). For
// stepSMS it returns how many texts the invitation queued.
func (c *Campaigns) sendNext(ctx context.Context, tx pgx.Tx, id int64, now time.Time) (step, int, time.Duration, error) {
	k, err := postgres.LockCampaign(ctx, tx, 0, id)
	switch {
	case errors.Is(err, ohcontact.ErrNotFound):
		return stepDone, 0, 0, nil
	case err != nil:
		return 0, 0, 0, err
	case k.Status != postgres.CampaignRunning:
		return stepDone, 0, 0, nil
	}
	w := c.window(k)
	at, err := w.Next(ohcontact.Later(now, k.StartsAt), nil)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("campaign %d: %w", id, err) // the window always has a day and an opening
	}
	if at.After(now) {
		return stepWait, 0, at.Sub(now), nil
	}
	m, err := postgres.LockNextPlannedMember(ctx, tx, id, now)
	if errors.Is(err, ohcontact.ErrNotFound) {
		return c.nobodyReady(ctx, tx, k, now)
	}
	if err != nil {
		return 0, 0, 0, err
	}
	switch {
	case m.Left:
		return stepNext, 0, 0, postgres.SkipMember(ctx, tx, m.ID, postgres.SkipLeft, now)
	case m.Staff.OptedOut:
		return stepNext, 0, 0, postgres.SkipMember(ctx, tx, m.ID, postgres.SkipOptedOut, now)
	}
	at, err = w.Next(now, triggers.QuietOf(m.Quiet))
	switch {
	case errors.Is(err, triggers.ErrNoSendTime):
		return stepNext, 0, 0, postgres.SkipMember(ctx, tx, m.ID, postgres.SkipNoChannel, now)
	case err != nil:
		return 0, 0, 0, err
	case at.After(now):
		return stepNext, 0, 0, postgres.HoldMember(ctx, tx, m.ID, at, now)
	}
	channel := triggers.ChooseChannel(m.PreferredChannel, m.Staff.Mobile != "")
	conv, wait, err := c.invite(ctx, tx, k, m, channel, false, now)
	switch {
	case err != nil:
		return 0, 0, 0, err
	case wait > 0:
		return stepNext, 0, 0, postgres.HoldMember(ctx, tx, m.ID, now.Add(wait), now)
	}
	if err := postgres.MarkMemberSent(ctx, tx, m.ID, now); err != nil {
		return 0, 0, 0, err
	}
	lastSaid := now
	if k.RemindAfter > 0 {
		remindAt := c.remindAt(k, m, now)
		if _, err := c.Jobs.InsertTx(ctx, tx, RemindArgs{MemberID: m.ID}, &river.InsertOpts{ScheduledAt: remindAt}); err != nil {
			return 0, 0, 0, fmt.Errorf("schedule reminder of campaign member %d: %w", m.ID, err)
		}
		lastSaid = remindAt
	}
	if err := c.scheduleClose(ctx, tx, m, conv, lastSaid); err != nil {
		return 0, 0, 0, err
	}
	if after := c.SMSFallbackAfter(k.OrganisationCode); channel == ohcontact.ChannelWebChat && after > 0 {
		if _, err := c.Jobs.InsertTx(ctx, tx, FallbackArgs{ConversationID: conv.ID}, &river.InsertOpts{ScheduledAt: now.Add(after)}); err != nil {
			return 0, 0, 0, fmt.Errorf("schedule sms fallback of campaign member %d: %w", m.ID, err)
		}
	}
	if channel == ohcontact.ChannelSMS {
		return stepSMS, conv.LastMessageSeq, 0, nil // a new conversation: its messages are the invitation's texts
	}
	return stepNext, 0, 0, nil
}

// nobodyReady is sendNext when no member of campaign k may be invited at
// now: it waits for the earliest held one, or, when nobody is left
// planned, finishes the campaign.
func (c *Campaigns) nobodyReady(ctx context.Context, tx pgx.Tx, k postgres.Campaign, now time.Time) (step, int, time.Duration, error) {
	next, planned, err := postgres.NextHeldMember(ctx, tx, k.ID)
	switch {
	case err != nil:
		return 0, 0, 0, err
	case planned && next.After(now):
		return stepWait, 0, next.Sub(now), nil
	case planned:
		return stepWait, 0, time.Second, nil // another sender holds the rest: look again soon
	}
	if err := postgres.SetCampaignStatus(ctx, tx, k.ID, postgres.CampaignFinished, now); err != nil {
		return 0, 0, 0, err
	}
	if err := postgres.Audit(ctx, tx, postgres.AuditEvent{Action: "campaign.finish", RecordType: "campaign", RecordID: k.ID,
		OrganisationID: k.OrganisationID}); err != nil {
		return 0, 0, 0, err
	}
	c.Log.Info("campaigns: finished", "campaign_id", k.ID)
	return stepDone, 0, 0, nil
}

// invite opens a conversation of campaign k's flow for member m on
// channel, in tx, once the person is free (triggers.MakeWay), and queues
// its opening on Invitations (as a reminder when reminder is set). It returns
// the conversation, or how long to wait instead when they are in a live
// conversation, or talking with a clinician (looked at again after
// triggers.BusyFor).
func (c *Campaigns) invite(ctx context.Context, tx pgx.Tx, k postgres.Campaign, m postgres.CampaignMember,
	channel ohcontact.Channel, reminder bool, now time.Time) (ohcontact.Conversation, time.Duration, error) {
	switch clinician, wait, err := triggers.MakeWay(ctx, tx, m.Staff.ID, channel, now); {
	case err != nil:
		return ohcontact.Conversation{}, 0, err
	case clinician:
		return ohcontact.Conversation{}, triggers.BusyFor, nil
	case wait > 0:
		return ohcontact.Conversation{}, wait, nil
	}
	conv, err := flow(k, m, reminder).Open(ctx, tx, c.Engine, c.Invitations, channel)
	return conv, 0, err
}

// flow is campaign k's flow for member m, as the reminder when reminder
// is set.
func flow(k postgres.Campaign, m postgres.CampaignMember, reminder bool) triggers.Proactive {
	return triggers.Proactive{Staff: m.Staff, Flow: k.Flow, Reminder: reminder, Vaccine: k.Vaccine, CampaignMemberID: m.ID}
}
