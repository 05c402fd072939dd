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

// InsertOpts bounds retries: the job re-checks its state and is harmless
// to repeat, but one that keeps failing needs a person.
func (RemindArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 10} }

// pausedRecheck is how often a reminder due while its campaign is paused
// looks again.
const pausedRecheck = 15 * time.Minute

// Work sends the reminder, or waits for the window or the campaign's
// resumption, or does nothing (replied, reminded already, stopped).
func (w *RemindWorker) Work(ctx context.Context, job *river.Job[RemindArgs]) error {
	var wait time.Duration
	err := w.c.DB.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		wait, err = w.c.remind(ctx, tx, job.Args.MemberID, w.c.Now())
		return err
	})
	switch {
	case err != nil:
		return err
	case wait > 0:
		return river.JobSnooze(wait)
	}
	return nil
}

// remind reminds member id at now, in tx, and returns how long to wait
// when it cannot yet. It locks the member's latest conversation before the
// member, as the runner does.
func (c *Campaigns) remind(ctx context.Context, tx pgx.Tx, id int64, now time.Time) (time.Duration, error) {
	conv, replied, err := postgres.LockMemberConversation(ctx, tx, id)
	if err != nil && !errors.Is(err, ohcontact.ErrNotFound) {
		return 0, err
	}
	m, err := postgres.LockCampaignMember(ctx, tx, id)
	switch {
	case errors.Is(err, ohcontact.ErrNotFound):
		return 0, nil
	case err != nil:
		return 0, err
	case m.State != postgres.MemberSent:
		return 0, nil // replied, reminded already, or cancelled
	case replied:
		return 0, postgres.MarkMemberReplied(ctx, tx, id, now)
	case m.Staff.OptedOut || m.Left:
		return 0, nil
	}
	// The campaign is read, not locked (the sender locks it before its
	// members: the other order): a pause committed as this runs lets
	// this one reminder go.
	k, err := postgres.CampaignByID(ctx, tx, 0, m.CampaignID)
	switch {
	case err != nil:
		return 0, err
	case k.Status == postgres.CampaignStopped:
		return 0, nil
	case k.Status == postgres.CampaignPaused:
		return pausedRecheck, nil
	}
	at, err := c.window(k).Next(now, triggers.QuietOf(m.Quiet))
	switch {
	case errors.Is(err, triggers.ErrNoSendTime):
		return 0, nil // their quiet hours cover the window: no reminder
	case err != nil:
		return 0, err
	case at.After(now):
		return at.Sub(now), nil
	}
	switch {
	case conv.ID != 0 && !conv.Closed && conv.Owner == ohcontact.OwnerClinician:
		return triggers.BusyFor, nil // a clinician is talking with them
	case conv.ID != 0 && !conv.Closed:
		if err := flow(k, m, true).Restart(ctx, tx, c.Engine, c.Outboxes, &conv); err != nil {
			return 0, err
		}
	default:
		channel := triggers.ChooseChannel(m.PreferredChannel, m.Staff.Mobile != "")
		var wait time.Duration
		if conv, wait, err = c.invite(ctx, tx, c.Outboxes, k, m, channel, true, now); err != nil || wait > 0 {
			return wait, err
		}
	}
	if err := postgres.MarkMemberReminded(ctx, tx, id, now); err != nil {
		return 0, err
	}
	if err := c.scheduleClose(ctx, tx, m, conv, now); err != nil {
		return 0, err
	}
	c.Log.Info("campaigns: reminder sent", "campaign_id", k.ID, "member_id", id)
	return 0, nil
}
