package sms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/locales"
	"github.com/ohcontact/ohcontact/postgres"
)

// Sender hands one text to an SMS provider.
type Sender interface {
	Send(ctx context.Context, m Outgoing) (Accepted, error)
}

// DeliverArgs is the job that sends one queued outbound message. It is
// inserted in the same transaction as the message (a transactional outbox).
type DeliverArgs struct {
	MessageID int64 `json:"message_id"`
}

// Kind names the job in River's tables.
func (DeliverArgs) Kind() string { return "sms_deliver" }

// InsertOpts puts deliveries on their own queue so a burst of texts does not
// wait behind other jobs (Outbox.Queue moves crisis texts to CrisisQueue).
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 8}
}

// The River queues SMS deliveries run on. CrisisQueue, the crisis lane,
// carries crisis contacts and on-call texts: it has workers of its own and
// a sending rate of its own (Throttle), so no backlog of ordinary texts,
// and none of their reserved send slots, is ever ahead of a crisis text.
// PrepaidQueue carries texts whose sender took their send slot on Queue's
// line before queueing them (Outbox.Prepaid: a campaign's invitations, one
// at a time), so their deliveries reserve none: the invitations and the
// ordinary texts share one rate, in the order their slots were taken, and
// a campaign never has more than a text or two waiting for delivery.
// Retries stay on the queue their job was inserted on.
const (
	Queue        = "sms"
	CrisisQueue  = "sms_crisis"
	PrepaidQueue = "sms_prepaid"
)

// Deliverer is the River worker for DeliverArgs.
//
// A text must never go out twice because of a retry after the provider took
// it: the provider's SID is recorded before the job completes, and an
// attempt that finds the message already sent does nothing. One window
// remains: a crash after the provider accepted the text and before
// RecordAccepted committed. The next attempt finds the message "sending" and
// sends again, because for a service that may carry crisis contacts a
// duplicate text is the lesser harm than a lost one.
type Deliverer struct {
	river.WorkerDefaults[DeliverArgs]
	DB     *postgres.DB
	Sender Sender
	// StatusCallback is the public URL of the status webhook.
	StatusCallback string
	// Throttle, when set, keeps all instances to one sending rate.
	Throttle *Throttle
	// FoldDiacritics reports whether an organisation (by code) has its
	// texts' accented letters folded to GSM-7 for cost
	// (locales.FoldDiacritics); nil folds none.
	FoldDiacritics func(organisation string) bool
	Log            *slog.Logger
	Now            func() time.Time
}

// NextRetry backs off 5 s, 20 s, 45 s, 80 s… : a text is worth little late.
func (d *Deliverer) NextRetry(job *river.Job[DeliverArgs]) time.Time { return retryAt(job.Attempt) }

func retryAt(attempt int) time.Time {
	return time.Now().Add(time.Duration(attempt*attempt) * 5 * time.Second)
}

// Work sends the message, or records why it was not sent.
func (d *Deliverer) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	return d.deliver(ctx, postgres.Messages{DB: d.DB}, job.Args.MessageID, job.JobRow)
}

// textStore is where a delivery job reads its text and records what became
// of it: staff texts (postgres.Messages) and on-call texts (postgres.OnCallTexts).
type textStore interface {
	OutboundForDelivery(ctx context.Context, id int64) (postgres.OutboundSMS, error)
	MarkSending(ctx context.Context, id int64) (bool, error)
	RecordAccepted(ctx context.Context, id int64, externalID, status string) error
	RecordDeliveryFailure(ctx context.Context, id int64, code int, reason string, optedOut bool, now time.Time) error
}

// deliver sends text id of store for job, within the sending rate of the
// job's queue.
func (d *Deliverer) deliver(ctx context.Context, store textStore, id int64, job *rivertype.JobRow) error {
	attempt, maxAttempts := job.Attempt, job.MaxAttempts
	m, err := store.OutboundForDelivery(ctx, id)
	if errors.Is(err, ohcontact.ErrNotFound) {
		d.Log.Warn("sms delivery: text gone", "text_id", id)
		return nil
	}
	if err != nil {
		return err
	}
	switch {
	case m.Status != "queued" && m.Status != "sending":
		return nil // already sent or failed: a retried job does nothing
	case m.Status == "sending":
		d.Log.Warn("sms delivery: resending after an interrupted attempt", "text_id", id, "attempt", attempt)
	}
	if d.Throttle != nil && job.Queue != PrepaidQueue {
		if err := d.Throttle.Wait(ctx, job.Queue); err != nil {
			return err
		}
	}
	switch ok, err := store.MarkSending(ctx, id); {
	case err != nil:
		return err
	case !ok:
		return nil // failed meanwhile: the person opted out
	}
	body := m.Body
	if d.FoldDiacritics != nil && d.FoldDiacritics(m.Organisation) {
		body = locales.FoldDiacritics(body)
	}
	acc, err := d.Sender.Send(ctx, Outgoing{To: m.To, Body: body, StatusCallback: d.StatusCallback})
	if err != nil {
		var se *SendError
		if !errors.As(err, &se) {
			return fmt.Errorf("send text %d: %w", id, err)
		}
		if !se.Permanent && attempt < maxAttempts {
			d.Log.Warn("sms delivery: will retry", "text_id", id, "attempt", attempt, "code", se.Code, "http", se.HTTP, "reason", se.Reason)
			return se
		}
		d.Log.Warn("sms delivery: failed", "text_id", id, "code", se.Code, "reason", se.Reason)
		if err := store.RecordDeliveryFailure(ctx, id, se.Code, se.Reason, se.Code == ErrCodeOptedOut, d.Now()); err != nil {
			return err
		}
		return river.JobCancel(se)
	}
	return store.RecordAccepted(ctx, id, acc.SID, acc.Status)
}

// OnCallArgs is the job that sends one text to an organisation's on-call
// number (postgres.QueueOnCallText), inserted in the same transaction.
type OnCallArgs struct {
	TextID int64 `json:"on_call_text_id"`
}

// Kind names the job in River's tables.
func (OnCallArgs) Kind() string { return "sms_on_call" }

// InsertOpts puts on-call texts on the crisis lane: an unclaimed case is
// waiting on them.
func (OnCallArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: CrisisQueue, MaxAttempts: 8, Priority: priorityUrgent}
}

// OnCallDeliverer is the River worker for OnCallArgs: Deliverer's
// delivery, retries and duplicate guard, for texts that belong to no
// conversation.
type OnCallDeliverer struct {
	river.WorkerDefaults[OnCallArgs]
	Deliverer *Deliverer
}

// NextRetry backs off as Deliverer.NextRetry does.
func (o *OnCallDeliverer) NextRetry(job *river.Job[OnCallArgs]) time.Time {
	return retryAt(job.Attempt)
}

// Work sends the on-call text, or records why it was not sent.
func (o *OnCallDeliverer) Work(ctx context.Context, job *river.Job[OnCallArgs]) error {
	return o.Deliverer.deliver(ctx, postgres.OnCallTexts{DB: o.Deliverer.DB}, job.Args.TextID, job.JobRow)
}
