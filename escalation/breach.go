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
	"github.com/ohcontact/ohcontact/postgres"
)

// SLACheckArgs is the job that looks, when case CaseID's SLA falls due,
// whether a clinician has claimed it.
type SLACheckArgs struct {
	CaseID int64 `json:"case_id"`
	// Breach is the breach this check records if the case is still
	// unclaimed: 1 for the first.
	Breach int `json:"breach"`
	// Due is when the check runs. It is part of the arguments, which make
	// a check unique, so that a case whose SLA is brought forward gets a
	// check at the new time while the old one still waits.
	Due time.Time `json:"due"`
}

// Kind is "case_sla_check".
func (SLACheckArgs) Kind() string { return "case_sla_check" }

// InsertOpts makes checks unique by their arguments and first in line:
// nothing the service does is more pressing than an unclaimed case.
func (SLACheckArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 25, Priority: 1, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// OnCallOutbox queues the delivery of a stored on-call text in tx
// (sms.Outbox).
type OnCallOutbox interface {
	QueueOnCall(ctx context.Context, tx pgx.Tx, id int64) error
}

// OnCall is an organisation's on-call route for cases nobody has claimed.
type OnCall struct {
	Code   string // the organisation's code, named in the text
	Mobile string // E.164
}

// SLAChecks is the River worker for SLACheckArgs. When a case is still
// open (unclaimed) at its SLA due time it records the breach
// (postgres.RecordSLABreach: the breach count, an sla_breached case event
// and audit event, and an alert in the console for every on-duty clinician
// who can work it), texts the organisation's on-call number, and schedules
// the next check, so that the breach is repeated at SLA.Renotify until
// someone claims the case. A claimed or resolved case, or a breach another
// check has recorded, ends the chain; releasing a case starts it again
// (Cases.Release). The text names the case by number and priority only: no
// personal data.
type SLAChecks struct {
	river.WorkerDefaults[SLACheckArgs]
	DB *postgres.DB
	// Cases schedules the next check (its SLA, Location and Jobs).
	Cases *Cases
	// OnCall is each organisation's on-call route, by organisation id. An
	// organisation without one relies on its on-duty clinicians alone,
	// and each breach logs a warning saying so.
	OnCall map[int64]OnCall
	Texts  OnCallOutbox
	// ConsoleURL is the console's public base URL, for the link in the
	// on-call text (PUBLIC_BASE_URL).
	ConsoleURL string
	Log        *slog.Logger
	Now        func() time.Time
}

// Work records the breach if case job.Args.CaseID is still unclaimed.
func (w *SLAChecks) Work(ctx context.Context, job *river.Job[SLACheckArgs]) error {
	now := w.Now()
	var early time.Duration
	err := w.DB.InTx(ctx, func(tx pgx.Tx) error {
		c, err := postgres.LockCaseSLA(ctx, tx, job.Args.CaseID)
		if errors.Is(err, ohcontact.ErrNotFound) {
			return nil // purged
		}
		if err != nil {
			return err
		}
		switch {
		case c.Status != "open" || c.BreachCount >= job.Args.Breach:
			return nil
		case now.Before(c.SLADue):
			early = c.SLADue.Sub(now) // this clock behind the database's
			return nil
		}
		alerted, err := postgres.RecordSLABreach(ctx, tx, c)
		if err != nil {
			return err
		}
		route, hasOnCall := w.OnCall[c.OrganisationID]
		if hasOnCall {
			body := fmt.Sprintf("OH alert (%s): %s case %d is unclaimed past its SLA (alert %d). Open %s/console/cases/%d",
				route.Code, c.Priority, c.ID, c.BreachCount+1, w.ConsoleURL, c.ID)
			id, err := postgres.QueueOnCallText(ctx, tx, postgres.OnCallText{OrganisationID: c.OrganisationID, CaseID: c.ID,
				Mobile: route.Mobile, Body: body})
			if err != nil {
				return err
			}
			if err := w.Texts.QueueOnCall(ctx, tx, id); err != nil {
				return err
			}
		}
		log := w.Log.With("case_id", c.ID, "organisation_id", c.OrganisationID, "priority", string(c.Priority),
			"breach", c.BreachCount+1, "clinicians_alerted", alerted, "on_call_texted", hasOnCall)
		switch {
		case alerted == 0 && !hasOnCall:
			log.Error("case past its SLA and nobody could be told: no clinician on duty and no on-call number")
		case !hasOnCall:
			log.Warn("case past its SLA; the organisation has no on-call number")
		default:
			log.Info("case past its SLA")
		}
		c.BreachCount++
		return w.Cases.watch(ctx, tx, c, w.Cases.SLA.Renotify(c.Priority, now, w.Cases.Location))
	})
	if err != nil {
		return fmt.Errorf("SLA check of case %d: %w", job.Args.CaseID, err)
	}
	if early > 0 {
		return river.JobSnooze(early)
	}
	return nil
}
