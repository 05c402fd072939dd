package triggers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/dialogs"
	"github.com/ohcontact/ohcontact/postgres"
)

// NewStarterTerms are when an organisation texts its new starters (the
// new_starters section of its configuration): the welcome DaysBefore their
// first day, in the send window; without a reply, one reminder
// RemindAfterDays later, and the OH admin worklist RemindAfterDays after
// that.
type NewStarterTerms struct {
	DaysBefore      int
	RemindAfterDays int
}

// NewStarterDueArgs is the job that welcomes new starter NewStarterID (and
// later reminds them, or puts them on the worklist): it re-checks the
// welcome's state when it runs.
type NewStarterDueArgs struct {
	contactJob         // bounds retries as the contact jobs do
	NewStarterID int64 `json:"new_starter_id"`
}

// Kind is "new_starter_due".
func (NewStarterDueArgs) Kind() string { return "new_starter_due" }

// PlanNewStarter plans, in tx, the welcome of member of staff staffID from
// the first day HR last gave (staff.starts_on), and returns the new
// starter's id, or 0 when it planned none. A first day changed before the
// welcome went cancels the planned welcome and plans one for the new day;
// a first day removed cancels it. Nothing is planned when the
// organisation welcomes no new starters, when the person was welcomed
// already (once, for any day), or when the first day is before today:
// someone who has started is not a new starter, and an HR file with
// every employee's historic start date must text nobody. The welcome is
// due DaysBefore the first day at the send window's opening (outside the
// person's quiet hours); when that has passed (the first day is close) it
// is due at the next send window from now. A NewStarterDueArgs job is
// inserted in tx for the welcome.
//
// The staff import and the staff API call it for every record they insert
// or change.
func (s *Scheduler) PlanNewStarter(ctx context.Context, tx pgx.Tx, staffID int64) (int64, error) {
	now := s.Now()
	st, err := postgres.StaffStartOf(ctx, tx, staffID)
	if err != nil {
		return 0, err
	}
	set := s.Policy.For(st.OrganisationCode)
	loc := set.Window.Location
	first := dateOf(st.StartsOn)
	keep := st.StartsOn
	if set.NewStarters == nil || st.Welcomed || st.StartsOn.IsZero() || first.Before(DateOf(now.In(loc))) {
		keep = time.Time{}
	}
	if _, err := postgres.CancelPlannedNewStarter(ctx, tx, staffID, keep, now); err != nil {
		return 0, err
	}
	if keep.IsZero() {
		return 0, nil
	}
	due := first.AddDays(-set.NewStarters.DaysBefore).At(set.Window.From, loc)
	due, err = s.NextSendTime(ctx, tx, staffID, ohcontact.Later(now, due))
	if err != nil {
		return 0, err
	}
	id, err := postgres.PlanNewStarter(ctx, tx, st.OrganisationID, staffID, st.StartsOn, due, now)
	if err != nil || id == 0 {
		return 0, err
	}
	if _, err := s.Jobs.InsertTx(ctx, tx, NewStarterDueArgs{NewStarterID: id}, &river.InsertOpts{ScheduledAt: due}); err != nil {
		return 0, fmt.Errorf("schedule welcome of new starter %d: %w", id, err)
	}
	return id, nil
}

// NewStarterDueWorker works NewStarterDueArgs (see Contacts.newStarterDue).
type NewStarterDueWorker struct {
	river.WorkerDefaults[NewStarterDueArgs]
	c *Contacts
}

// Work welcomes, reminds or puts on the worklist, or waits for the window.
func (w *NewStarterDueWorker) Work(ctx context.Context, job *river.Job[NewStarterDueArgs]) error {
	return w.c.inTx(ctx, func(tx pgx.Tx, now time.Time) (time.Duration, error) {
		return w.c.newStarterDue(ctx, tx, job.Args.NewStarterID, now)
	})
}

// newStarterDue does, at now in tx, what new starter id's state calls for,
// and returns how long to wait when it cannot yet:
//
//   - planned: the welcome goes when the row still holds (HR's first day is
//     the same and has not passed, the organisation still welcomes new
//     starters and the person's record is not anonymised; otherwise the
//     row is cancelled), in the send window outside their quiet hours, and
//     once they are free (MakeWay: not talking with a clinician, not in
//     the middle of a conversation). It opens a conversation of
//     dialogs.FlowNewStarter by SMS, queues the welcome on c.Outboxes,
//     marks the row welcomed and schedules this job again RemindAfterDays
//     later (held to the send window). A person who has opted out, or has
//     no mobile, is not texted: the row goes on the OH admin worklist at
//     once (postgres.WorklistOptedOut, WorklistNoMobile), to be reached
//     another way, and nothing more is due.
//   - welcomed, with no reply since: the one reminder (in the welcome's
//     conversation while it is open to the mobile HR holds now, else in a
//     new one by SMS), the row reminded, and this job again
//     RemindAfterDays later; a person who has opted out since, or has no
//     mobile now, goes on the worklist instead.
//   - reminded, with no reply since: the row goes on the OH admin worklist
//     (WorklistNoReply, or WorklistOptedOut when they have opted out).
//
// New starters are texted whatever channel they prefer, never welcomed in
// the web chat: they cannot reach the intranet before their first day.
//
// An opt-out after the welcome puts the new starter on the worklist at
// once (postgres.SetConsent), not when the reminder would have been due:
// no text can go to them, and the reminder's RemindAfterDays would come
// out of the few days (DaysBefore) the OH team has to get the
// questionnaire back before they start.
//
// A reply found here (the runner not having marked it) makes the row
// replied; a replied, cancelled or worklist row is left as it is, and so
// is one whose next step is not yet due (a repeated job: early). It locks
// the new starter's latest conversation before the row, as the runner does.
func (c *Contacts) newStarterDue(ctx context.Context, tx pgx.Tx, id int64, now time.Time) (time.Duration, error) {
	conv, replied, err := postgres.LockNewStarterConversation(ctx, tx, id)
	if err != nil && !errors.Is(err, ohcontact.ErrNotFound) {
		return 0, err
	}
	n, err := postgres.LockNewStarter(ctx, tx, id)
	switch {
	case errors.Is(err, ohcontact.ErrNotFound):
		c.Log.Warn("triggers: new starter gone", "new_starter_id", id)
		return 0, nil
	case err != nil:
		return 0, err
	case replied && (n.State == postgres.NewStarterWelcomed || n.State == postgres.NewStarterReminded):
		return 0, postgres.SetNewStarterState(ctx, tx, id, postgres.NewStarterReplied, now)
	}
	p, err := postgres.NewStarterPersonOf(ctx, tx, n.StaffID)
	if err != nil {
		return 0, err
	}
	set := c.Scheduler.Policy.For(p.Staff.OrganisationCode)
	switch n.State {
	case postgres.NewStarterPlanned:
		return c.welcomeNewStarter(ctx, tx, n, p, set, now)
	case postgres.NewStarterWelcomed:
		if early(set, n.WelcomedAt, now) {
			return 0, nil
		}
		return c.remindNewStarter(ctx, tx, n, p, set, conv, now)
	case postgres.NewStarterReminded:
		if early(set, n.RemindedAt, now) {
			return 0, nil
		}
		reason := postgres.WorklistNoReply
		if p.Staff.OptedOut {
			reason = postgres.WorklistOptedOut
		}
		return 0, c.newStarterToWorklist(ctx, tx, id, reason, now)
	}
	return 0, nil
}

// newStarterToWorklist puts new starter id on the OH admin worklist for
// reason at now.
func (c *Contacts) newStarterToWorklist(ctx context.Context, tx pgx.Tx, id int64, reason string, now time.Time) error {
	if err := postgres.PutNewStarterOnWorklist(ctx, tx, id, reason, now); err != nil {
		return err
	}
	c.Log.Info("triggers: new starter on the worklist", "new_starter_id", id, "reason", reason)
	return nil
}

// welcomeNewStarter is newStarterDue for planned row n.
func (c *Contacts) welcomeNewStarter(ctx context.Context, tx pgx.Tx, n postgres.NewStarter, p postgres.NewStarterPerson, set Settings,
	now time.Time) (time.Duration, error) {
	var why string
	switch {
	case set.NewStarters == nil:
		why = "not_configured"
	case !p.StartsOn.Equal(n.StartsOn):
		why = "first_day_changed"
	case dateOf(n.StartsOn).Before(DateOf(now.In(set.Window.Location))):
		why = "first_day_passed"
	case p.Left:
		why = "anonymised"
	}
	switch {
	case why != "":
		c.Log.Info("triggers: new starter's welcome cancelled", "new_starter_id", n.ID, "reason", why)
		return 0, postgres.SetNewStarterState(ctx, tx, n.ID, postgres.NewStarterCancelled, now)
	case p.Staff.OptedOut:
		return 0, c.newStarterToWorklist(ctx, tx, n.ID, postgres.WorklistOptedOut, now)
	case p.Staff.Mobile == "":
		return 0, c.newStarterToWorklist(ctx, tx, n.ID, postgres.WorklistNoMobile, now)
	}
	// A job of an earlier plan of this row, due sooner, waits for this one's.
	due := ohcontact.Later(now, n.WelcomeDueAt)
	at, err := set.Window.Next(due, QuietOf(p.Quiet))
	switch {
	case errors.Is(err, ErrNoSendTime):
		at = due // no window will come: welcome when due rather than never
	case err != nil:
		return 0, err
	}
	if at.After(now) {
		return at.Sub(now), nil
	}
	if _, wait, err := c.openNewStarter(ctx, tx, n, p, false, now); err != nil || wait > 0 {
		return wait, err
	}
	if err := postgres.SetNewStarterState(ctx, tx, n.ID, postgres.NewStarterWelcomed, now); err != nil {
		return 0, err
	}
	c.Log.Info("triggers: new starter welcomed", "new_starter_id", n.ID)
	return 0, c.scheduleNewStarter(ctx, tx, n.ID, set, p.Quiet, now)
}

// remindNewStarter is newStarterDue for welcomed row n, whose latest
// conversation (zero when none) is conv, unanswered.
func (c *Contacts) remindNewStarter(ctx context.Context, tx pgx.Tx, n postgres.NewStarter, p postgres.NewStarterPerson, set Settings,
	conv ohcontact.Conversation, now time.Time) (time.Duration, error) {
	// The welcome's conversation, while it is open to the mobile HR holds now.
	open := conv.ID != 0 && !conv.Closed && conv.Channel == ohcontact.ChannelSMS && conv.Address == p.Staff.Mobile
	switch {
	case p.Left:
		return 0, nil
	case p.Staff.OptedOut:
		return 0, c.newStarterToWorklist(ctx, tx, n.ID, postgres.WorklistOptedOut, now)
	case p.Staff.Mobile == "":
		return 0, c.newStarterToWorklist(ctx, tx, n.ID, postgres.WorklistNoMobile, now)
	}
	at, err := set.Window.Next(now, QuietOf(p.Quiet))
	switch {
	case errors.Is(err, ErrNoSendTime):
		at = now
	case err != nil:
		return 0, err
	case at.After(now):
		return at.Sub(now), nil
	}
	switch {
	case open && conv.Owner == ohcontact.OwnerClinician:
		return BusyFor, nil // a clinician is talking with them
	case open:
		if err := newStarterFlow(n, p, true).Restart(ctx, tx, c.Engine, c.Outboxes, &conv); err != nil {
			return 0, err
		}
	default:
		if _, wait, err := c.openNewStarter(ctx, tx, n, p, true, now); err != nil || wait > 0 {
			return wait, err
		}
	}
	if err := postgres.SetNewStarterState(ctx, tx, n.ID, postgres.NewStarterReminded, now); err != nil {
		return 0, err
	}
	c.Log.Info("triggers: new starter reminded", "new_starter_id", n.ID)
	return 0, c.scheduleNewStarter(ctx, tx, n.ID, set, p.Quiet, now)
}

// openNewStarter opens a conversation of the new-starter flow for new
// starter n (person p, who has a mobile) by SMS, once they are free
// (MakeWay), and queues its welcome (its reminder when reminder is set).
// It returns the conversation, or how long to wait instead.
func (c *Contacts) openNewStarter(ctx context.Context, tx pgx.Tx, n postgres.NewStarter, p postgres.NewStarterPerson,
	reminder bool, now time.Time) (ohcontact.Conversation, time.Duration, error) {
	const channel = ohcontact.ChannelSMS
	switch clinician, wait, err := MakeWay(ctx, tx, p.Staff.ID, channel, now); {
	case err != nil:
		return ohcontact.Conversation{}, 0, err
	case clinician:
		return ohcontact.Conversation{}, BusyFor, nil
	case wait > 0:
		return ohcontact.Conversation{}, wait, nil
	}
	conv, err := newStarterFlow(n, p, reminder).Open(ctx, tx, c.Engine, c.Outboxes, channel)
	return conv, 0, err
}

// newStarterFlow is the new-starter flow for new starter n (person p), as
// the reminder when reminder is set.
func newStarterFlow(n postgres.NewStarter, p postgres.NewStarterPerson, reminder bool) Proactive {
	return Proactive{Staff: p.Staff, Flow: dialogs.FlowNewStarter, Reminder: reminder, NewStarterID: n.ID}
}

// early reports whether a new starter's next step, RemindAfterDays after
// since, is not due at now: the job is a repeat (the step's own job is
// scheduled at or after that time), and does nothing. Without a
// new_starters section nothing more is due.
func early(set Settings, since, now time.Time) bool {
	return set.NewStarters == nil || now.Before(stepAfter(set, since))
}

// stepAfter is RemindAfterDays calendar days after since, in the send
// window's time zone.
func stepAfter(set Settings, since time.Time) time.Time {
	return since.In(set.Window.Location).AddDate(0, 0, set.NewStarters.RemindAfterDays)
}

// scheduleNewStarter schedules new starter id's next step RemindAfterDays
// (calendar days, in the send window's time zone) after now, held to the
// send window outside quiet hours.
func (c *Contacts) scheduleNewStarter(ctx context.Context, tx pgx.Tx, id int64, set Settings, quiet *ohcontact.QuietHours, now time.Time) error {
	at := stepAfter(set, now)
	if next, err := set.Window.Next(at, QuietOf(quiet)); err == nil {
		at = next
	}
	if _, err := c.Scheduler.Jobs.InsertTx(ctx, tx, NewStarterDueArgs{NewStarterID: id}, &river.InsertOpts{ScheduledAt: at}); err != nil {
		return fmt.Errorf("schedule next step of new starter %d: %w", id, err)
	}
	return nil
}
