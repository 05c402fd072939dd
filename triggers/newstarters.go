package triggers

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

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
	NewStarterID int64 `json:"new_starter_id"`
}

// Kind is "new_starter_due".
func (NewStarterDueArgs) Kind() string { return "new_starter_due" }

// InsertOpts bounds retries as the contact jobs do.
func (NewStarterDueArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 10} }

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
	due, err = s.NextSendTime(ctx, tx, staffID, later(now, due))
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
