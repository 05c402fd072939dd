package campaigns

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// CloseArgs is the job that closes conversation ConversationID, which
// campaign member MemberID's invitation (or reminder, or SMS fallback)
// opened, as no_response, if it is still their latest, open with the bot,
// and nothing was said in it since it held Seq messages: an invitation
// nobody answered, or one left unfinished ("not now", a booking link
// nobody confirmed), would otherwise stay open for good and take the
// person's next text.
type CloseArgs struct {
	MemberID       int64 `json:"member_id"`
	Seq            int   `json:"seq"`
	ConversationID int64 `json:"conversation_id"`
}

// Kind is "campaign_close".
func (CloseArgs) Kind() string { return "campaign_close" }

// InsertOpts bounds retries (the job re-checks its state and is harmless
// to repeat) and keeps one job per member and message count while it
// waits: the reminder's and the one that found the reminder are the same.
func (CloseArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true,
		ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
			rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

// CloseWorker works CloseArgs.
type CloseWorker struct {
	river.WorkerDefaults[CloseArgs]
	c *Campaigns
}

// Work closes the member's conversation, or looks again later (see
// close).
func (w *CloseWorker) Work(ctx context.Context, job *river.Job[CloseArgs]) error {
	return w.c.DB.InTx(ctx, func(tx pgx.Tx) error { return w.c.close(ctx, tx, job.Args, w.c.Now()) })
}

// scheduleClose schedules the closing of member m's conversation conv,
// as it stands, CloseAfter after lastSaid (the invitation, or the
// reminder due after it, or the reminder sent).
func (c *Campaigns) scheduleClose(ctx context.Context, tx pgx.Tx, m postgres.CampaignMember, conv ohcontact.Conversation, lastSaid time.Time) error {
	at := lastSaid.Add(c.CloseAfter(m.Staff.OrganisationCode))
	if _, err := c.Jobs.InsertTx(ctx, tx, CloseArgs{MemberID: m.ID, Seq: conv.LastMessageSeq, ConversationID: conv.ID}, &river.InsertOpts{ScheduledAt: at}); err != nil {
		return fmt.Errorf("schedule closing of campaign member %d's conversation: %w", m.ID, err)
	}
	return nil
}

// close closes, at now, in tx, member args.MemberID's latest conversation
// as no_response when it is args.ConversationID, open with the bot and
// still holds args.Seq messages. A conversation something was said in
// since (a reply, the reminder) is looked at again CloseAfter from now; a
// finished one, one a clinician owns (they close it), and one a later
// conversation replaced (the SMS fallback's, which has its own closing) are
// left alone. It locks the conversation before the member, as the runner
// does.
func (c *Campaigns) close(ctx context.Context, tx pgx.Tx, args CloseArgs, now time.Time) error {
	conv, _, err := postgres.LockMemberConversation(ctx, tx, args.MemberID)
	switch {
	case errors.Is(err, ohcontact.ErrNotFound):
		return nil
	case err != nil:
		return err
	case conv.Closed || conv.Owner != ohcontact.OwnerBot, conv.ID != args.ConversationID:
		return nil
	}
	m, err := postgres.LockCampaignMember(ctx, tx, args.MemberID)
	if err != nil {
		return err
	}
	if conv.LastMessageSeq != args.Seq {
		return c.scheduleClose(ctx, tx, m, conv, now)
	}
	conv.Closed = true
	if err := postgres.SaveConversation(ctx, tx, &conv, "no_response"); err != nil {
		return err
	}
	c.Log.Info("campaigns: unfinished conversation closed", "campaign_id", m.CampaignID, "member_id", m.ID, "conversation_id", conv.ID)
	return nil
}
