package campaigns

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/triggers"
)

// RemindArgs is the job that reminds campaign member MemberID once, if
// they have not replied (see the package doc).
type RemindArgs struct {
	MemberID int64 `json:"member_id"`
}

// Kind is "campaign_reminder".
func (RemindArgs) Kind() string { return "campaign_reminder" }

// InsertOpts puts the reminder on Queue, as it may hold its worker while
// it waits for a send slot, as the senders do, and bounds retries: it
// re-checks its state and is harmless to repeat, but one that keeps
// failing needs a person.
func (RemindArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 10}
}

// pausedRecheck is how often a reminder due while its campaign is paused
// looks again.
const pausedRecheck = 15 * time.Minute

// Work sends the reminder, or waits for the window or the campaign's
// resumption, or does nothing (replied, reminded already, stopped). A
// reminder by SMS takes its texts' send slots as an invitation does
// (workSlotted), so that many reminders due at once (the window opening)
// keep to the rate instead of queueing ahead of replies.
func (w *RemindWorker) Work(ctx context.Context, job *river.Job[RemindArgs]) error {
	return w.c.workSlotted(ctx, func(tx pgx.Tx, slot bool) (slotted, error) {
		return w.c.remind(ctx, tx, job.Args.MemberID, w.c.Now(), slot)
	})
}

// remind reminds member id at now, in tx, or reports how long to wait
// when it cannot yet; an SMS reminder without a send slot (slot false)
// sends nothing and reports due. It locks the member's latest conversation
// before the member, as the runner does.
func (c *Campaigns) remind(ctx context.Context, tx pgx.Tx, id int64, now time.Time, slot bool) (slotted, error) {
	conv, replied, err := postgres.LockMemberConversation(ctx, tx, id)
	if err != nil && !errors.Is(err, ohcontact.ErrNotFound) {
		return slotted{}, err
	}
	m, err := postgres.LockCampaignMember(ctx, tx, id)
	switch {
	case errors.Is(err, ohcontact.ErrNotFound):
		return slotted{}, nil
	case err != nil:
		return slotted{}, err
	case m.State != postgres.MemberSent:
		return slotted{}, nil // replied, reminded already, or cancelled
	case replied:
		return slotted{}, postgres.MarkMemberReplied(ctx, tx, id, now)
	case m.Staff.OptedOut || m.Left:
		return slotted{}, nil
	}
	k, wait, ok, err := c.reachable(ctx, tx, m, now)
	if err != nil || !ok {
		return slotted{wait: wait}, err
	}
	open := conv.ID != 0 && !conv.Closed
	channel := conv.Channel
	if !open {
		channel = triggers.ChooseChannel(m.PreferredChannel, m.Staff.Mobile != "")
	}
	before := conv.LastMessageSeq
	switch {
	case open && conv.Owner == ohcontact.OwnerClinician:
		return slotted{wait: triggers.BusyFor}, nil // a clinician is talking with them
	case channel == ohcontact.ChannelSMS && !slot:
		return slotted{due: true}, nil
	case open:
		if err := flow(k, m, true).Restart(ctx, tx, c.Engine, c.Invitations, &conv); err != nil {
			return slotted{}, err
		}
	default:
		var wait time.Duration
		if conv, wait, err = c.invite(ctx, tx, k, m, channel, true, now); err != nil || wait > 0 {
			return slotted{wait: wait}, err
		}
		before = 0
	}
	if err := postgres.MarkMemberReminded(ctx, tx, id, now); err != nil {
		return slotted{}, err
	}
	if err := c.scheduleClose(ctx, tx, m, conv, now); err != nil {
		return slotted{}, err
	}
	c.Log.Info("campaigns: reminder sent", "campaign_id", k.ID, "member_id", id)
	if channel != ohcontact.ChannelSMS {
		return slotted{}, nil
	}
	return slotted{texts: conv.LastMessageSeq - before}, nil
}

// reachable reads member m's campaign and reports whether a reminder or
// fallback may go to m at now: ok, or how long to wait (the campaign is
// paused, or m's next send time in its window is later), or neither (it is
// stopped, or m's quiet hours cover the window). The campaign is read, not
// locked (the sender locks it before its members: the other order): a
// pause committed as this runs lets this one text go.
func (c *Campaigns) reachable(ctx context.Context, tx pgx.Tx, m postgres.CampaignMember, now time.Time) (k postgres.Campaign, wait time.Duration, ok bool, err error) {
	k, err = postgres.CampaignByID(ctx, tx, 0, m.CampaignID)
	switch {
	case err != nil:
		return k, 0, false, err
	case k.Status == postgres.CampaignStopped:
		return k, 0, false, nil
	case k.Status == postgres.CampaignPaused:
		return k, pausedRecheck, false, nil
	}
	at, err := c.window(k).Next(now, triggers.QuietOf(m.Quiet))
	switch {
	case errors.Is(err, triggers.ErrNoSendTime):
		return k, 0, false, nil
	case err != nil:
		return k, 0, false, err
	case at.After(now):
		return k, at.Sub(now), false, nil
	}
	return k, 0, true, nil
}

// remindAt is when member m of campaign k, invited at sentAt, is reminded:
// remind_after later, held to the window and their quiet hours.
func (c *Campaigns) remindAt(k postgres.Campaign, m postgres.CampaignMember, sentAt time.Time) time.Time {
	at := sentAt.Add(k.RemindAfter)
	if next, err := c.window(k).Next(at, triggers.QuietOf(m.Quiet)); err == nil {
		return next
	}
	return at
}
