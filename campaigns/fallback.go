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

// FallbackArgs is the job that sends, by SMS, the campaign invitation
// opened in web chat conversation ConversationID when nobody has seen it
// (see the package doc).
type FallbackArgs struct {
	ConversationID int64 `json:"conversation_id"`
}

// Kind is "campaign_sms_fallback".
func (FallbackArgs) Kind() string { return "campaign_sms_fallback" }

// InsertOpts puts the fallback on Queue, as it may hold its worker while it
// waits for a send slot, as the senders do, and bounds retries: it
// re-checks its state and is harmless to repeat.
func (FallbackArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 10}
}

// FallbackWorker works FallbackArgs.
type FallbackWorker struct {
	river.WorkerDefaults[FallbackArgs]
	c *Campaigns
}

// Work sends the unseen invitation by SMS, or waits for the window, the
// campaign's resumption or the person, or does nothing (seen, replied,
// opted out, stopped). It takes its texts' send slots as the sender does
// (workSlotted): a fallback that has nothing to send takes none.
func (w *FallbackWorker) Work(ctx context.Context, job *river.Job[FallbackArgs]) error {
	return w.c.workSlotted(ctx, func(tx pgx.Tx, slot bool) (slotted, error) {
		return w.c.fallBack(ctx, tx, job.Args.ConversationID, w.c.Now(), slot)
	})
}

// fallBack sends the campaign invitation of web chat conversation id by
// SMS at now, in tx, when nobody has seen it (triggers.UnseenWebChat) and
// it may go (see the package doc): it opens an SMS conversation of the
// same flow for the member (the invitation in its SMS wording, queued on
// Invitations), closes the web chat one as no_response, schedules the new
// one's closing and audits campaign.sms_fallback. Without a send slot
// (slot false) it sends nothing and reports due instead. It locks the
// conversation before the member, as the runner does.
func (c *Campaigns) fallBack(ctx context.Context, tx pgx.Tx, id int64, now time.Time, slot bool) (slotted, error) {
	conv, unseen, err := triggers.UnseenWebChat(ctx, tx, id)
	if err != nil || !unseen || conv.CampaignMemberID == 0 {
		return slotted{}, err // seen, replied, ended or with a clinician
	}
	m, err := postgres.LockCampaignMember(ctx, tx, conv.CampaignMemberID)
	switch {
	case errors.Is(err, ohcontact.ErrNotFound):
		return slotted{}, nil
	case err != nil:
		return slotted{}, err
	case m.State != postgres.MemberSent && m.State != postgres.MemberReminded:
		return slotted{}, nil // replied
	case m.Staff.OptedOut, m.Left, m.Staff.Mobile == "":
		c.Log.Info("campaigns: unseen web chat invitation not sent by sms", "campaign_id", m.CampaignID, "member_id", m.ID,
			"opted_out", m.Staff.OptedOut, "mobile", m.Staff.Mobile != "")
		return slotted{}, nil
	}
	k, wait, ok, err := c.reachable(ctx, tx, m, now)
	switch {
	case err != nil || !ok:
		return slotted{wait: wait}, err
	case !slot:
		return slotted{due: true}, nil
	}
	// The person saw nothing: the text is the invitation, even when an
	// unseen reminder followed it in the web chat.
	text, wait, err := c.invite(ctx, tx, k, m, ohcontact.ChannelSMS, false, now)
	if err != nil || wait > 0 {
		return slotted{wait: wait}, err
	}
	conv.Closed = true
	if err := postgres.SaveConversation(ctx, tx, &conv, "no_response"); err != nil {
		return slotted{}, err
	}
	lastSaid := now
	if m.State == postgres.MemberSent && k.RemindAfter > 0 {
		lastSaid = ohcontact.Later(now, c.remindAt(k, m, m.SentAt)) // the reminder follows, in the SMS conversation
	}
	if err := c.scheduleClose(ctx, tx, m, text, lastSaid); err != nil {
		return slotted{}, err
	}
	if err := postgres.Audit(ctx, tx, postgres.AuditEvent{Action: "campaign.sms_fallback", RecordType: "campaign_member",
		RecordID: m.ID, OrganisationID: k.OrganisationID, Details: map[string]any{"campaign_id": k.ID,
			"webchat_conversation_id": conv.ID, "sms_conversation_id": text.ID}}); err != nil {
		return slotted{}, err
	}
	c.Log.Info("campaigns: unseen web chat invitation sent by sms", "campaign_id", k.ID, "member_id", m.ID,
		"conversation_id", text.ID)
	return slotted{texts: text.LastMessageSeq}, nil
}
