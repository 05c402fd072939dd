package escalation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels"
	"github.com/ohcontact/ohcontact/dialogs"
	"github.com/ohcontact/ohcontact/postgres"
)

// ReferralNoticeArgs is the job that tells the person about a booking or a
// decline of their referral: EventID is the referral event that asked for
// it.
type ReferralNoticeArgs struct {
	ReferralID int64 `json:"referral_id"`
	EventID    int64 `json:"event_id"`
}

// Kind is "referral_notice".
func (ReferralNoticeArgs) Kind() string { return "referral_notice" }

// SendTimes says when a member of staff may next be sent a message that
// nobody is waiting for: their organisation's send window and their quiet
// hours (triggers.Scheduler).
type SendTimes interface {
	NextSendTime(ctx context.Context, q postgres.Querier, staffID int64, now time.Time) (time.Time, error)
}

// ReferralNotices is the River worker for ReferralNoticeArgs. At the
// person's next send time it writes the notice (dialogs.Engine's
// ReferralNotice, in the referral's language) into the conversation the
// referral was made in, on its channel (a text to the number they replied
// from, or their web chat), and records on the referral's history that
// they were told, and how. A person who has opted out, or whose
// conversation has been purged, is not written to: the history says so,
// so that the physio team tells them another way. A notice superseded by a
// later booking or decline is dropped (the later one is sent), and one
// already done is not done again.
type ReferralNotices struct {
	river.WorkerDefaults[ReferralNoticeArgs]
	DB       *postgres.DB
	Engine   *dialogs.Engine
	Times    SendTimes
	Outboxes channels.Outboxes
	Location *time.Location
	Log      *slog.Logger
	Now      func() time.Time
}

// Work sends the notice, or waits for the person's send time.
func (w *ReferralNotices) Work(ctx context.Context, job *river.Job[ReferralNoticeArgs]) error {
	now := w.Now()
	var wait time.Duration
	err := w.DB.InTx(ctx, func(tx pgx.Tx) error {
		ref, err := postgres.LockReferral(ctx, tx, 0, job.Args.ReferralID)
		if errors.Is(err, ohcontact.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		events, err := postgres.ReferralEvents(ctx, tx, ref.ID)
		if err != nil {
			return err
		}
		if superseded(events, job.Args.EventID) {
			return nil
		}
		if ref.OptedOut {
			return postgres.RecordReferralNotice(ctx, tx, ref.ID, ref.OrganisationID, false,
				"Not told: they opted out of messages. Tell them another way.")
		}
		at, err := w.Times.NextSendTime(ctx, tx, ref.StaffID, now)
		if err != nil {
			return err
		}
		if at.After(now) {
			wait = at.Sub(now)
			return nil
		}
		conv, err := postgres.LockConversation(ctx, tx, ref.ConversationID)
		if err != nil {
			return err
		}
		_, ok := w.Outboxes[conv.Channel]
		if conv.Address == postgres.PurgedAddress || !ok {
			return postgres.RecordReferralNotice(ctx, tx, ref.ID, ref.OrganisationID, false,
				"Not told: the conversation they were referred in no longer exists. Tell them another way.")
		}
		text, err := w.Engine.ReferralNotice(dialogs.ReferralNotice{
			Lang: ref.Language, Org: ref.OrganisationCode, Channel: conv.Channel, Status: string(ref.Status),
			At: ref.AppointmentAt.In(w.Location), Phone: ref.AppointmentKind == "phone", Place: ref.AppointmentPlace,
			DeclineReason: ref.DeclineReason,
		})
		if err != nil {
			return err
		}
		ms := []ohcontact.Message{{Author: ohcontact.AuthorBot, Body: text}}
		if err := w.Outboxes.Send(ctx, tx, &conv, ms); err != nil {
			return err
		}
		if err := postgres.SaveMessageSeq(ctx, tx, &conv); err != nil {
			return err
		}
		how := "Told by text message."
		if conv.Channel == ohcontact.ChannelWebChat {
			how = "Told in their web chat."
		}
		w.Log.Info("referral notice queued", "referral_id", ref.ID, "message_id", ms[0].ID)
		return postgres.RecordReferralNotice(ctx, tx, ref.ID, ref.OrganisationID, true, how)
	})
	if err != nil {
		return fmt.Errorf("notice of referral %d: %w", job.Args.ReferralID, err)
	}
	if wait > 0 {
		return river.JobSnooze(wait)
	}
	return nil
}

// superseded reports whether event id's notice is no longer to be sent:
// a booking or decline came after it (whose notice is the one to send), or
// the notice is done (a person_told or person_not_told event after it:
// a job run twice sends once).
func superseded(events []postgres.ReferralEvent, id int64) bool {
	for _, e := range events {
		switch {
		case e.ID <= id:
		case e.Kind == string(postgres.ReferralBooked), e.Kind == string(postgres.ReferralDeclined),
			e.Kind == "person_told", e.Kind == "person_not_told":
			return true
		}
	}
	return false
}
