package triggers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// Contact states, as in contacts.state.
const (
	stateScheduled  = "scheduled"
	stateSent       = "sent"
	stateReminded   = "reminded"
	stateResponded  = "responded"
	stateNoResponse = "no_response"
	stateCancelled  = "cancelled"
	stateSkipped    = "skipped"
	stateFailed     = "failed"
)

// Reasons recorded in contacts.state_reason.
const (
	reasonNotApplicable = postgres.ReasonNotApplicable
	reasonNoSendTime    = postgres.ReasonNoSendTime
	reasonOptedOut      = postgres.ReasonOptedOut
	reasonClinician     = postgres.ReasonClinician
)

// returnedReason is the state_reason of a contact cancelled because the
// person is back at work: their absence ended on last.
func returnedReason(last Date) string {
	return fmt.Sprintf("%s (the absence ended %s)", postgres.ReasonReturned, last)
}

// recentlyEnded is how far back ScheduleAll looks for ended episodes: an
// episode that ended longer ago has had every contact it will have.
const recentlyEnded = 28 * 24 * time.Hour

// DefaultShards is how many ranges of episodes ScheduleAll plans at once
// unless told otherwise: on a 2-core database server, two take the first
// run over 100,000 staff's 150,000 episodes from about 4.5 s to 3 s
// (BenchmarkScheduleAll).
const DefaultShards = 2

// scheduleAllLock is the advisory lock class of ScheduleAll's ranges.
const scheduleAllLock = 0x6f68

// JobInserter inserts River jobs in the caller's transaction; a
// *river.Client[pgx.Tx] is one.
type JobInserter interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	InsertManyFastTx(ctx context.Context, tx pgx.Tx, params []river.InsertManyParams) (int, error)
}

// Scheduler turns absence episodes into contacts: for each episode it runs
// Plan with the organisation's settings and records one contact per
// trigger that applies, once ever (contacts has one row per episode and
// trigger):
//
//   - a trigger due too long ago is recorded as skipped, with its reason;
//   - one for a person already back at work (the episode ended before
//     today) is recorded as cancelled;
//   - any other is scheduled, with a ContactDue job at the first moment the
//     send window and the person's quiet hours allow at or after the later
//     of its due time and now. When that is later, the contact's held_until
//     says so ("queued until …").
//
// Re-planning an episode that changed cancels its scheduled contacts that
// no longer apply (the reason changed, or the person is back at work) and
// adds those that now apply; a contact already sent, skipped or cancelled
// is never recorded again. When the person is back at work, the open
// conversations their contacts started, if the bot still owns them, are
// closed as returned_to_work, without a message: a text about an absence
// that has ended adds nothing, and may be read on a phone at work. A reply
// after that starts a new conversation as usual.
type Scheduler struct {
	Policy Policy
	// Jobs inserts the ContactDue jobs. It may be set after the Scheduler
	// is made (the River client needs the workers first), but before use.
	Jobs JobInserter
	Now  func() time.Time
	// Shards is how many ranges of episodes ScheduleAll plans at once,
	// each on its own connection; DefaultShards when 0. The database's
	// cores bound what more shards gain.
	Shards int
}

// Scheduled counts what a scheduling pass did.
type Scheduled struct {
	Episodes  int // episodes planned
	Scheduled int // contacts scheduled, each with its ContactDue job
	Held      int // of those, held by a send window or quiet hours
	Skipped   int // contacts recorded as skipped (due too long ago)
	Cancelled int // contacts cancelled, or recorded as cancelled
	Failed    int // contacts with no possible send time
	Closed    int // conversations closed because the person is back at work
}

// add adds the counts of m to n.
func (n *Scheduled) add(m Scheduled) {
	n.Episodes += m.Episodes
	n.Scheduled += m.Scheduled
	n.Held += m.Held
	n.Skipped += m.Skipped
	n.Cancelled += m.Cancelled
	n.Failed += m.Failed
	n.Closed += m.Closed
}

// Schedule plans the episodes ids in tx: call it in the transaction that
// records or changes them.
func (s *Scheduler) Schedule(ctx context.Context, tx pgx.Tx, ids []int64) (Scheduled, error) {
	if len(ids) == 0 {
		return Scheduled{}, nil
	}
	p := s.newPass(s.Now())
	if err := postgres.EpisodesToPlan(ctx, tx, ids, p.add); err != nil {
		return Scheduled{}, err
	}
	return p.apply(ctx, tx)
}

// ScheduleStaff plans, in tx, the open and recently ended episodes of
// staff member staffID: the runner calls it after recording a
// self-reported absence (dialogs.RecordAbsence), so that it enters the same
// rules at once rather than at the next daily run. It returns only an error
// so that the runner's interface need not know this package.
func (s *Scheduler) ScheduleStaff(ctx context.Context, tx pgx.Tx, staffID int64) error {
	now := s.Now()
	ids, err := postgres.RecentEpisodeIDs(ctx, tx, staffID, DateOf(now.UTC().Add(-recentlyEnded)).midnightUTC())
	if err != nil {
		return err
	}
	_, err = s.Schedule(ctx, tx, ids)
	return err
}

// ScheduleAll plans every episode that is open or ended in the last 28
// days: the daily run catches episodes recorded without planning and
// applies changed settings. Planning is idempotent, so a second run records
// and schedules nothing.
//
// The episodes are split by id into Shards ranges planned at once, each in
// its own transaction (a range that fails is planned by the next run; the
// others keep their work). In each, the episodes and their contacts are
// read in one pass, the rules run in Go, and the new contacts and their
// jobs are written in bulk (River's COPY insert).
func (s *Scheduler) ScheduleAll(ctx context.Context, db *postgres.DB) (Scheduled, error) {
	lowest, highest, err := postgres.EpisodeIDRange(ctx, db.Pool)
	if err != nil || highest == 0 {
		return Scheduled{}, err
	}
	shards := int64(s.Shards)
	if shards <= 0 {
		shards = DefaultShards
	}
	size := (highest - lowest + shards) / shards
	now := s.Now()
	endedSince := DateOf(now.UTC().Add(-recentlyEnded)).midnightUTC()
	results := make([]Scheduled, shards)
	errs := make([]error, shards)
	var wg sync.WaitGroup
	for i := range shards {
		wg.Go(func() {
			from := lowest + i*size
			errs[i] = db.InTx(ctx, func(tx pgx.Tx) error {
				// Runs that meet (a restart's run-on-start and the daily
				// run) take turns range by range.
				if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, scheduleAllLock, int32(i)); err != nil {
					return fmt.Errorf("schedule all: %w", err)
				}
				p := s.newPass(now)
				if err := postgres.AllEpisodesToPlan(ctx, tx, endedSince, from, from+size-1, p.add); err != nil {
					return err
				}
				var err error
				results[i], err = p.apply(ctx, tx)
				return err
			})
		})
	}
	wg.Wait()
	var n Scheduled
	for _, r := range results {
		n.add(r)
	}
	return n, errors.Join(errs...)
}

// pass is one scheduling pass: what planning the episodes decided, written
// by apply.
type pass struct {
	s        *Scheduler
	now      time.Time
	n        Scheduled
	contacts []postgres.NewContact
	// index finds a contact in contacts by episode and trigger, and sendAt
	// is when each contact to schedule is sent.
	index         map[episodeTrigger]int
	sendAt        map[episodeTrigger]time.Time
	cancelIDs     []int64
	cancelReasons []string
	// closeContacts are the contacts of people back at work whose
	// conversations close.
	closeContacts []int64
}

type episodeTrigger struct {
	episode int64
	trigger string
}

func (s *Scheduler) newPass(now time.Time) *pass {
	return &pass{s: s, now: now, index: map[episodeTrigger]int{}, sendAt: map[episodeTrigger]time.Time{}}
}

// add plans one episode.
func (p *pass) add(ep *postgres.EpisodeToPlan) error {
	p.n.Episodes++
	set := p.s.Policy.For(ep.OrganisationCode)
	e := Episode{StartsOn: DateOf(ep.StartsOn), EndsOn: dateOf(ep.EndsOn), ReasonCode: ep.ReasonCode}
	back := backAtWork(e.EndsOn, p.now, set.Rules.Location)
	quiet := QuietOf(ep.Quiet)
	due := Plan(e, set.Rules, p.now)

	for _, d := range due {
		if slices.ContainsFunc(ep.Contacts, func(c postgres.ExistingContact) bool { return c.Trigger == string(d.Trigger) }) {
			continue
		}
		c := postgres.NewContact{EpisodeID: ep.ID, Trigger: string(d.Trigger), Flow: d.Trigger.Flow(),
			Channel: ChooseChannel(ep.PreferredChannel, ep.HasMobile), DueAt: d.DueAt}
		key := episodeTrigger{ep.ID, c.Trigger}
		switch {
		case d.Skipped:
			c.State, c.Reason = stateSkipped, d.SkipReason
		case back:
			c.State, c.Reason = stateCancelled, returnedReason(e.EndsOn)
		default:
			from := ohcontact.Later(d.DueAt, p.now)
			at, err := set.Window.Next(from, quiet)
			if err != nil {
				c.State, c.Reason = stateFailed, reasonNoSendTime
				break
			}
			c.State = stateScheduled
			if at.After(from) {
				c.HeldUntil = at
			}
			p.sendAt[key] = at
		}
		p.index[key] = len(p.contacts)
		p.contacts = append(p.contacts, c)
	}

	for _, c := range ep.Contacts {
		planned := slices.ContainsFunc(due, func(d Due) bool { return string(d.Trigger) == c.Trigger })
		switch {
		case c.State == stateScheduled && back:
			p.cancel(c.ID, returnedReason(e.EndsOn))
		case c.State == stateScheduled && !planned:
			p.cancel(c.ID, reasonNotApplicable)
		case back && (c.State == stateSent || c.State == stateReminded):
			p.closeContacts = append(p.closeContacts, c.ID)
		}
	}
	return nil
}

func (p *pass) cancel(id int64, reason string) {
	p.cancelIDs = append(p.cancelIDs, id)
	p.cancelReasons = append(p.cancelReasons, reason)
}

// apply writes what the pass decided in tx.
func (p *pass) apply(ctx context.Context, tx pgx.Tx) (Scheduled, error) {
	if len(p.contacts) > 0 {
		inserted, err := postgres.InsertContacts(ctx, tx, p.contacts)
		if err != nil {
			return p.n, err
		}
		var jobs []river.InsertManyParams
		for _, ins := range inserted {
			key := episodeTrigger{ins.EpisodeID, ins.Trigger}
			switch c := p.contacts[p.index[key]]; c.State {
			case stateSkipped:
				p.n.Skipped++
			case stateCancelled:
				p.n.Cancelled++
			case stateFailed:
				p.n.Failed++
			case stateScheduled:
				jobs = append(jobs, river.InsertManyParams{Args: ContactDueArgs{ContactID: ins.ID},
					InsertOpts: &river.InsertOpts{ScheduledAt: p.sendAt[key]}})
				if !c.HeldUntil.IsZero() {
					p.n.Held++
				}
			}
		}
		if len(jobs) > 0 {
			if _, err := p.s.Jobs.InsertManyFastTx(ctx, tx, jobs); err != nil {
				return p.n, fmt.Errorf("insert contact jobs: %w", err)
			}
		}
		p.n.Scheduled = len(jobs)
	}
	if len(p.cancelIDs) > 0 {
		n, err := postgres.CancelContacts(ctx, tx, p.cancelIDs, p.cancelReasons)
		if err != nil {
			return p.n, err
		}
		p.n.Cancelled += n
	}
	if len(p.closeContacts) > 0 {
		n, err := postgres.CloseContactConversations(ctx, tx, p.closeContacts)
		if err != nil {
			return p.n, err
		}
		p.n.Closed = n
	}
	return p.n, nil
}

// backAtWork reports whether a person whose absence ended on last (zero
// while open) is back at work at now: last is before today in loc.
func backAtWork(last Date, now time.Time, loc *time.Location) bool {
	return !last.IsZero() && last.Before(DateOf(now.In(loc)))
}

// ChooseChannel picks how to reach a person: their preference; else SMS
// when a mobile is known; else the web chat widget, where the contact waits
// until they open it. (New starters, who cannot reach the intranet before
// their first day, are texted or put on the worklist: Contacts.newStarterDue.)
func ChooseChannel(preferred string, hasMobile bool) ohcontact.Channel {
	if hasMobile && preferred != string(ohcontact.ChannelWebChat) {
		return ohcontact.ChannelSMS
	}
	return ohcontact.ChannelWebChat
}

// QuietOf converts stored quiet hours (nil for none).
func QuietOf(q *ohcontact.QuietHours) *QuietHours {
	if q == nil {
		return nil
	}
	return &QuietHours{From: Clock{q.From / 60, q.From % 60}, Until: Clock{q.Until / 60, q.Until % 60}}
}

// dateOf returns the calendar day of a date column read as midnight UTC,
// or the zero Date for the zero time (a NULL).
func dateOf(t time.Time) Date {
	if t.IsZero() {
		return Date{}
	}
	return DateOf(t.UTC())
}

// midnightUTC returns d as a date column is written: midnight UTC.
func (d Date) midnightUTC() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

// optionalColumn is midnightUTC for a date that may be unknown: the zero
// time for the zero Date (a NULL column).
func (d Date) optionalColumn() time.Time {
	if d.IsZero() {
		return time.Time{}
	}
	return d.midnightUTC()
}

// NextSendTime returns the first time at or after now that staff member
// staffID may be sent a message nobody is waiting for: their
// organisation's send window, outside their quiet hours. When no time
// ever would be (ErrNoSendTime), it returns now: a message the person
// must have is sent rather than never.
func (s *Scheduler) NextSendTime(ctx context.Context, q postgres.Querier, staffID int64, now time.Time) (time.Time, error) {
	code, quiet, err := postgres.StaffSendTerms(ctx, q, staffID)
	if err != nil {
		return now, err
	}
	at, err := s.Policy.For(code).Window.Next(now, QuietOf(quiet))
	if errors.Is(err, ErrNoSendTime) {
		return now, nil
	}
	return at, err
}
