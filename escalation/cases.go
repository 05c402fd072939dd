// Package escalation brings people at risk to a clinician: it opens and
// raises cases, each with its SLA clock (cases.go, sla.go), and re-notifies
// on-duty clinicians and the on-call number while a case stays unclaimed
// (breach.go). The risk screen that decides who is at risk is in
// escalation/risk; the clinicians' console in escalation/console.
package escalation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// Escalator opens cases when a person must be brought in, and starts each
// case's SLA clock: an SLA check job (SLACheckArgs) inserted in the same
// transaction, so a case can never be opened without one.
type Escalator struct {
	SLA SLA
	// Location is the time zone working days are counted in.
	Location *time.Location
	// Jobs inserts the SLA checks.
	Jobs *river.Client[pgx.Tx]
}

// Escalate opens a case for conv with risk's priority, category and
// evidence, in tx, or raises the conversation's open case. It returns the
// case id. A case that has not yet breached its SLA gets a check at its
// (possibly brought forward) due time; one that has is already being
// re-notified about.
func (e *Escalator) Escalate(ctx context.Context, tx pgx.Tx, conv ohcontact.Conversation, risk ohcontact.RiskResult, now time.Time) (int64, error) {
	if e.Jobs == nil {
		return 0, errors.New("escalate: no job queue for the SLA clock")
	}
	id, _, err := postgres.OpenOrRaiseCase(ctx, tx, postgres.NewCase{
		OrganisationID: conv.OrganisationID,
		ConversationID: conv.ID,
		StaffID:        conv.StaffID,
		Priority:       risk.Priority,
		Category:       risk.Category,
		Evidence:       risk.Evidence,
		UnknownSender:  conv.StaffID == 0,
		SLADue:         e.SLA.Due(risk.Priority, now, e.Location),
	})
	if err != nil {
		return 0, err
	}
	c, err := postgres.LockCaseSLA(ctx, tx, id)
	if err != nil {
		return 0, err
	}
	if c.Status == "open" && c.BreachCount == 0 {
		err = e.watch(ctx, tx, c, c.SLADue)
	}
	return id, err
}

// Rewatch restarts the SLA clock of case id, which a clinician has just
// released back to the queue, in tx: a check at its SLA due time, or at
// once when that has passed (the case is back in the queue late, so the
// on-duty clinicians and the on-call number are told again).
func (e *Escalator) Rewatch(ctx context.Context, tx pgx.Tx, id int64, now time.Time) error {
	c, err := postgres.LockCaseSLA(ctx, tx, id)
	if err != nil || c.Status != "open" {
		return err
	}
	return e.watch(ctx, tx, c, later(c.SLADue, now))
}

// watch inserts the check for c's next breach at at. Checks are unique by
// their arguments, so watching twice for the same breach at the same time
// inserts one job.
func (e *Escalator) watch(ctx context.Context, tx pgx.Tx, c postgres.CaseSLA, at time.Time) error {
	args := SLACheckArgs{CaseID: c.ID, Breach: c.BreachCount + 1, Due: at.UTC().Truncate(time.Microsecond)}
	opts := args.InsertOpts()
	opts.ScheduledAt = args.Due
	if _, err := e.Jobs.InsertTx(ctx, tx, args, &opts); err != nil {
		return fmt.Errorf("schedule SLA check of case %d: %w", c.ID, err)
	}
	return nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
