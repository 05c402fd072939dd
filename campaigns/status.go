package campaigns

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact/postgres"
)

// transition is a status change a user may ask for.
type transition struct {
	action string   // audit action
	from   []string // the statuses it may start from
	to     string
}

var (
	start   = transition{"campaign.start", []string{postgres.CampaignDraft}, postgres.CampaignRunning}
	pause   = transition{"campaign.pause", []string{postgres.CampaignRunning}, postgres.CampaignPaused}
	resume  = transition{"campaign.resume", []string{postgres.CampaignPaused}, postgres.CampaignRunning}
	stopAll = transition{"campaign.stop", []string{postgres.CampaignDraft, postgres.CampaignRunning, postgres.CampaignPaused},
		postgres.CampaignStopped}
)

// Start starts draft campaign id of organisation orgScope (0: any) for
// user userID: its sender begins at its start time. It returns
// ohcontact.ErrNotFound for another organisation's campaign or none, and
// ErrStatus when it is not a draft.
func (c *Campaigns) Start(ctx context.Context, orgScope, id, userID int64) error {
	return c.change(ctx, orgScope, id, userID, start)
}

// Pause pauses running campaign id: nothing more is sent (after at most
// the one invitation in flight) until it is resumed, reminders included.
// Errors as Start's; ErrStatus when it is not running.
func (c *Campaigns) Pause(ctx context.Context, orgScope, id, userID int64) error {
	return c.change(ctx, orgScope, id, userID, pause)
}

// Resume resumes paused campaign id. Errors as Start's; ErrStatus when it
// is not paused.
func (c *Campaigns) Resume(ctx context.Context, orgScope, id, userID int64) error {
	return c.change(ctx, orgScope, id, userID, resume)
}

// Stop stops campaign id for good: every member not yet sent is cancelled
// and no reminder follows. Errors as Start's; ErrStatus when it is already
// stopped or finished.
func (c *Campaigns) Stop(ctx context.Context, orgScope, id, userID int64) error {
	return c.change(ctx, orgScope, id, userID, stopAll)
}

// change makes transition t of campaign id for userID, audited in the same
// transaction; starting or resuming inserts the sender's job there too.
func (c *Campaigns) change(ctx context.Context, orgScope, id, userID int64, t transition) error {
	return c.DB.InTx(ctx, func(tx pgx.Tx) error {
		k, err := postgres.LockCampaign(ctx, tx, orgScope, id)
		if err != nil {
			return err
		}
		if !slices.Contains(t.from, k.Status) {
			return fmt.Errorf("campaign %d is %s: %w", id, k.Status, ErrStatus)
		}
		now := c.Now()
		if err := postgres.SetCampaignStatus(ctx, tx, id, t.to, now); err != nil {
			return err
		}
		details := map[string]any{"from": k.Status, "to": t.to}
		if t.to == postgres.CampaignStopped {
			n, err := postgres.CancelPlannedMembers(ctx, tx, id, now)
			if err != nil {
				return err
			}
			details["cancelled"] = n
		}
		if t.to == postgres.CampaignRunning {
			if _, err := c.Jobs.InsertTx(ctx, tx, SendArgs{CampaignID: id}, nil); err != nil {
				return fmt.Errorf("queue campaign %d's sender: %w", id, err)
			}
		}
		if err := postgres.Audit(ctx, tx, postgres.AuditEvent{ActorUserID: userID, Action: t.action, RecordType: "campaign",
			RecordID: id, OrganisationID: k.OrganisationID, Details: details}); err != nil {
			return err
		}
		c.Log.Info("campaigns: "+t.action, "campaign_id", id, "user_id", userID)
		return nil
	})
}
