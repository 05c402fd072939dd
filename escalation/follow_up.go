package escalation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// FollowUpTimeError refuses a follow-up whose time is not in the future.
type FollowUpTimeError struct{}

func (FollowUpTimeError) Error() string { return "a follow-up must be set for a time in the future" }

// FollowUpNoteError refuses a follow-up with no note, or one longer than
// postgres.MaxFollowUpNote characters.
type FollowUpNoteError struct{ Empty bool }

func (e FollowUpNoteError) Error() string {
	if e.Empty {
		return "a follow-up needs a note"
	}
	return fmt.Sprintf("a follow-up note must be %d characters or fewer", postgres.MaxFollowUpNote)
}

// FollowUpArgs is the job that, when follow-up FollowUpID falls due,
// alerts whoever should act on it.
type FollowUpArgs struct {
	FollowUpID int64     `json:"follow_up_id"`
	Due        time.Time `json:"due"`
}

// Kind is "case_follow_up".
func (FollowUpArgs) Kind() string { return "case_follow_up" }

// InsertOpts makes the job unique by its arguments and, like the SLA
// checks, first in line.
func (FollowUpArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 25, Priority: 1, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// SetFollowUp sets a follow-up on unresolved case id for due, which must
// be after now (else FollowUpTimeError), with note, which must not be
// empty nor longer than postgres.MaxFollowUpNote characters (else
// FollowUpNoteError). Only whoever may act on the case (MayAct) may. In
// one transaction it stores the follow-up with its follow_up_set case
// event (saying when, in Location) and audit event, and inserts the
// FollowUpArgs job scheduled at due. It returns the follow-up's id.
func (cs *Cases) SetFollowUp(ctx context.Context, a Actor, id int64, due time.Time, note string) (int64, error) {
	note = strings.TrimSpace(note)
	var fid int64
	err := cs.change(ctx, "set follow-up on", a, id, func(tx pgx.Tx, k ohcontact.Case, _ *ohcontact.Conversation) error {
		if no := MayAct(a, k); no != nil {
			return no
		}
		switch n := utf8.RuneCountInString(note); {
		case !due.After(cs.clock()):
			return FollowUpTimeError{}
		case n == 0:
			return FollowUpNoteError{Empty: true}
		case n > postgres.MaxFollowUpNote:
			return FollowUpNoteError{}
		}
		due = due.UTC().Truncate(time.Microsecond)
		var err error
		fid, err = postgres.AddFollowUp(ctx, tx, k, due, note, "Due "+cs.words(due)+": "+note, a.UserID)
		if err != nil {
			return err
		}
		args := FollowUpArgs{FollowUpID: fid, Due: due}
		opts := args.InsertOpts()
		opts.ScheduledAt = due
		if _, err := cs.Jobs.InsertTx(ctx, tx, args, &opts); err != nil {
			return fmt.Errorf("schedule follow-up %d: %w", fid, err)
		}
		return nil
	})
	return fid, err
}

// CancelFollowUp cancels follow-up fid of case id, which must still be
// pending (else a *ConflictError). Only whoever may act on the case
// (MayAct) may. The job finds it cancelled and does
// nothing.
func (cs *Cases) CancelFollowUp(ctx context.Context, a Actor, id, fid int64) error {
	return cs.change(ctx, "cancel follow-up of", a, id, func(tx pgx.Tx, k ohcontact.Case, _ *ohcontact.Conversation) error {
		if no := MayAct(a, k); no != nil {
			return no
		}
		err := postgres.CancelFollowUp(ctx, tx, k, fid, "", a.UserID)
		if errors.Is(err, ohcontact.ErrNotFound) {
			return &ConflictError{"This follow-up is no longer pending: it has been cancelled, or it has fallen due."}
		}
		return err
	})
}

// words says when t is, for a timeline: "Mon 7 Dec 2026 09:00" in
// Location.
func (cs *Cases) words(t time.Time) string {
	return t.In(cs.Location).Format("Mon 2 Jan 2006 15:04")
}

// FollowUpChecks is the River worker for FollowUpArgs. When a follow-up
// falls due on a case still unresolved, and it was not cancelled, it
// alerts (postgres.RecordFollowUpDue) the clinician holding the case if
// they are on duty, otherwise the organisation's on-duty clinicians. When
// nobody who can work the case is on duty it does what the SLA checks do
// for an unclaimed case nobody can be told about, and more: every
// clinician and admin who can work the case gets the alert, to see when
// they next open the queue, the organisation's on-call number (if it has
// one) is texted the case number, and an error is logged. Alerts, like
// SLA alerts, show on the queue page, and name the case and the time
// only; the note stays on the case page. A resolved case or a cancelled
// follow-up ends it: nothing is written.
type FollowUpChecks struct {
	river.WorkerDefaults[FollowUpArgs]
	DB *postgres.DB
	// OnCall is each organisation's on-call route, by organisation id
	// (as SLAChecks.OnCall).
	OnCall map[int64]OnCall
	Texts  OnCallOutbox
	// ConsoleURL is the console's public base URL, for the on-call text.
	ConsoleURL string
	// Location is the time zone the on-call text gives the time in.
	Location *time.Location
	Log      *slog.Logger
	Now      func() time.Time
}

// Work alerts about follow-up job.Args.FollowUpID if it is due on an
// unresolved case.
func (w *FollowUpChecks) Work(ctx context.Context, job *river.Job[FollowUpArgs]) error {
	now := w.Now()
	var early time.Duration
	err := w.DB.InTx(ctx, func(tx pgx.Tx) error {
		f, err := postgres.LockFollowUp(ctx, tx, job.Args.FollowUpID)
		if errors.Is(err, ohcontact.ErrNotFound) {
			return nil // purged
		}
		if err != nil {
			return err
		}
		switch {
		case f.Cancelled || f.Alerted || f.CaseStatus == "resolved":
			return nil
		case now.Before(f.Due):
			early = f.Due.Sub(now)
			return nil
		}
		to, n, err := postgres.RecordFollowUpDue(ctx, tx, f)
		if err != nil {
			return err
		}
		log := w.Log.With("case_id", f.CaseID, "follow_up_id", f.ID, "organisation_id", f.OrganisationID,
			"alerted", string(to), "clinicians_alerted", n)
		if to == postgres.AlertedClaimant || to == postgres.AlertedOnDuty {
			log.Info("follow-up due")
			return nil
		}
		route, hasOnCall := w.OnCall[f.OrganisationID]
		if !hasOnCall {
			log.Error("follow-up due and nobody is on duty to see it; the organisation has no on-call number")
			return nil
		}
		body := fmt.Sprintf("OH alert (%s): a follow-up on case %d was due at %s and nobody is on duty. Open %s/console/cases/%d",
			route.Code, f.CaseID, f.Due.In(w.Location).Format("15:04 on 2 Jan"), w.ConsoleURL, f.CaseID)
		id, err := postgres.QueueOnCallText(ctx, tx, postgres.OnCallText{OrganisationID: f.OrganisationID, CaseID: f.CaseID,
			Mobile: route.Mobile, Body: body})
		if err != nil {
			return err
		}
		log.Warn("follow-up due and nobody is on duty: on-call number texted")
		return w.Texts.QueueOnCall(ctx, tx, id)
	})
	if err != nil {
		return fmt.Errorf("follow-up %d: %w", job.Args.FollowUpID, err)
	}
	if early > 0 {
		return river.JobSnooze(early)
	}
	return nil
}
