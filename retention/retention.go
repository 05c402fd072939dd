// Package retention deletes what the service no longer needs to keep, in
// a River job that runs every night (03:30, Europe/London).
//
// # What is kept, and for how long
//
// Conversation transcripts and staff members' personal data go
// Policy.PersonalDataMonths after the conversation closes or the person's
// last activity (default 18 months): long enough for the OH team to look
// back over a year's contacts and an episode that recurs, no longer. What
// goes: a conversation's messages and answers, its saved flow state (the
// flow's answers and the first name), its address (the phone number or
// widget session), its referrals' answers and the comment of staff feedback
// asked at its end or written in it (the rating stays); and a member of staff's
// names, mobile and email. What stays: the conversation row (organisation,
// channel, flow, language, outcome, times) and its signposts (service and
// category), which are the pilot's evidence and carry no personal data;
// and the staff row's assignment number and consent, so that an opt-out
// outlives the purge. A conversation whose case is not resolved, and a
// person with an open absence, conversation or case, are left alone; an
// open conversation is never touched. An HR feed that still sends a
// person restores their details at its next import.
//
// Cases — the OH clinical record of an escalation: why it was flagged (the
// screen's evidence), who worked it, notes and outcome — go
// Policy.CaseMonths after they are resolved (default 6 years), with their
// events, their clinicians' alerts and their on-call texts. The NHS
// England Records Management Code of Practice ties occupational health
// records to the member of staff leaving (about 6 years after they leave);
// this service does not know when anyone leaves, so it keeps a case 6
// years from its resolution, the Limitation Act's period for a claim, and
// the OH service sets a longer period where its own policy asks for one.
// An unresolved case is never deleted.
//
// Audit events go Policy.AuditMonths after they occurred (default 8
// years): longer than cases, so every case still held can still show who
// viewed and changed it, with a margin for a complaint or claim raised
// late. The audit table refuses changes but allows deletion.
//
// # How a purge runs
//
// In batches: each transaction takes at most Purger.Batch (default 1,000)
// conversations, cases, staff records and audit events, oldest first, so a
// first run on a large database never holds locks for long, and records
// itself as a retention.purge audit event (actor the system) with its
// counts and cutoffs, in the same transaction as the deletions it counts.
// Batches follow each other until one finds less than a batch of every
// kind. A run with nothing to purge still writes one event, with zero
// counts: the record shows the purge ran. A run cut short (a shutdown, a
// timeout) keeps the batches it committed, and the next run carries on.
package retention

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/ohcontact/ohcontact/postgres"
)

// Policy is how long each kind of record is kept, in months.
type Policy struct {
	// PersonalDataMonths: transcripts after their conversation closes,
	// and staff members' personal data after their last activity.
	PersonalDataMonths int
	// CaseMonths: cases after they are resolved.
	CaseMonths int
	// AuditMonths: audit events after they occurred.
	AuditMonths int
}

// DefaultPolicy keeps transcripts and personal data 18 months, cases 6
// years and audit events 8 years (see the package doc for why).
var DefaultPolicy = Policy{PersonalDataMonths: 18, CaseMonths: 6 * 12, AuditMonths: 8 * 12}

// DefaultBatch is how many records of each kind one purge transaction
// takes when Purger.Batch is zero.
const DefaultBatch = 1000

// Purger purges what Policy no longer keeps.
type Purger struct {
	DB     *postgres.DB
	Policy Policy
	// Batch is how many records of each kind one transaction takes;
	// DefaultBatch when zero.
	Batch int
	Now   func() time.Time
	Log   *slog.Logger
}

// Cutoffs returns the moments before which records go, at now.
func (p Policy) Cutoffs(now time.Time) postgres.RetentionCutoffs {
	return postgres.RetentionCutoffs{
		PersonalData: now.AddDate(0, -p.PersonalDataMonths, 0),
		Cases:        now.AddDate(0, -p.CaseMonths, 0),
		Audit:        now.AddDate(0, -p.AuditMonths, 0),
	}
}

// Purge runs a purge to its end, one batch per transaction (see the
// package doc), and returns what it purged in all. The cutoffs are fixed
// when it starts.
func (p *Purger) Purge(ctx context.Context) (postgres.Purged, error) {
	batch := p.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	cut := p.Policy.Cutoffs(p.Now())
	var total postgres.Purged
	more := true
	for more {
		var n postgres.Purged
		err := p.DB.InTx(ctx, func(tx pgx.Tx) error {
			var err error
			n, more, err = postgres.PurgeRetention(ctx, tx, cut, batch)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("retention purge: %w", err)
		}
		total = total.Add(n)
	}
	p.Log.Info("retention: purged",
		"conversations", total.Conversations, "messages", total.Messages, "answers", total.Answers,
		"referrals", total.Referrals, "feedback_comments", total.FeedbackComments, "staff_cleared", total.StaffCleared, "staff_deleted", total.StaffDeleted,
		"cases", total.Cases, "case_events", total.CaseEvents, "clinician_alerts", total.ClinicianAlerts,
		"on_call_texts", total.OnCallTexts, "audit_events", total.AuditEvents)
	return total, nil
}

// PurgeArgs is the nightly job that runs the purge.
type PurgeArgs struct{}

// Kind is "retention_purge".
func (PurgeArgs) Kind() string { return "retention_purge" }

// InsertOpts gives up after a few attempts: the next night's run picks up
// where a failed one stopped.
func (PurgeArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 3} }

// Worker works PurgeArgs.
type Worker struct {
	river.WorkerDefaults[PurgeArgs]
	Purger *Purger
}

// Work runs the purge.
func (w *Worker) Work(ctx context.Context, _ *river.Job[PurgeArgs]) error {
	_, err := w.Purger.Purge(ctx)
	return err
}

// Timeout gives a first run on a large database time to work through its
// batches; one cut short carries on next time.
func (w *Worker) Timeout(*river.Job[PurgeArgs]) time.Duration { return time.Hour }

// Nightly returns the periodic job that runs the purge every day at 03:30
// in loc: after the night's traffic, before the 06:00 trigger planning,
// and clear of the hour the clocks change (01:00–02:00 in London).
func Nightly(loc *time.Location) *river.PeriodicJob {
	return river.NewPeriodicJob(nightlyAt(loc),
		func() (river.JobArgs, *river.InsertOpts) { return PurgeArgs{}, nil },
		&river.PeriodicJobOpts{ID: "retention_purge"})
}

// nightlyAt is the purge's schedule: 03:30 every day in loc.
func nightlyAt(loc *time.Location) dailyAt { return dailyAt{hour: 3, min: 30, loc: loc} }

// dailyAt is a river.PeriodicSchedule: every day at hour:min local time.
type dailyAt struct {
	hour, min int
	loc       *time.Location
}

// Next returns the first moment after t when the local clock shows
// hour:min.
func (d dailyAt) Next(t time.Time) time.Time {
	local := t.In(d.loc)
	for day := 0; ; day++ {
		next := time.Date(local.Year(), local.Month(), local.Day()+day, d.hour, d.min, 0, 0, d.loc)
		if next.After(t) {
			return next
		}
	}
}
