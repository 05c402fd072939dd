package escalation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// DefaultReferralWorkingDays is how many working days a physio team has to
// act on (accept, book or decline) a new referral unless its organisation
// sets its own ([organisations.msk] referral_sla_working_days).
const DefaultReferralWorkingDays = 2

// DeclineReasons are the reasons a physio team may decline a referral for,
// each telling the person what to do instead (dialogs.ReferralNotice). A
// decline for oh_call opens a routine case ("physio_declined") so the
// promised call from the OH team has a person behind it.
var DeclineReasons = []string{"see_gp", "self_refer", "under_care", "oh_call"}

// Referrals owns the life of a fast-track physiotherapy referral: made with
// the person's consent in a flow (Make), then worked by the organisation's
// physio team in the console or by a referral system through the API
// (Act). Every change is one transaction that writes the change, its event
// and its audit event. A referral has an SLA like a case: while it is new
// past its due time, ReferralSLAChecks records a breach every working day,
// texts the organisation's MSK on-call number if it has one, and the
// physio worklist shows a banner. Booking and declining tell the person
// (ReferralNotices), inside their send window.
type Referrals struct {
	DB *postgres.DB
	// WorkingDays is each organisation's referral SLA in working days, by
	// organisation id; DefaultReferralWorkingDays for the others.
	WorkingDays map[int64]int
	// Location is the time zone working days are counted in.
	Location *time.Location
	// Cases opens the case a decline for oh_call promises.
	Cases interface {
		Escalate(ctx context.Context, tx pgx.Tx, conv ohcontact.Conversation, risk ohcontact.RiskResult, now time.Time) (int64, error)
	}
	// Jobs inserts the SLA checks and the notices to the person.
	Jobs *river.Client[pgx.Tx]
	Now  func() time.Time
}

// due returns when a referral of organisation orgID made at made must be
// acted on.
func (r *Referrals) due(orgID int64, made time.Time) time.Time {
	days, ok := r.WorkingDays[orgID]
	if !ok {
		days = DefaultReferralWorkingDays
	}
	return SLA{RoutineWorkingDays: days}.Due(ohcontact.PriorityRoutine, made, r.Location)
}

// Make stores a physiotherapy referral for the person in conv (who must be
// a known member of staff) with answers, in tx, and starts its SLA clock.
func (r *Referrals) Make(ctx context.Context, tx pgx.Tx, conv ohcontact.Conversation, answers map[string]string, now time.Time) (int64, error) {
	if conv.StaffID == 0 {
		return 0, errors.New("make referral: the conversation has no member of staff")
	}
	due := r.due(conv.OrganisationID, now)
	id, err := postgres.CreateReferral(ctx, tx, postgres.NewReferral{OrganisationID: conv.OrganisationID,
		StaffID: conv.StaffID, ConversationID: conv.ID, Language: conv.Language, Answers: answers, SLADue: due})
	if err != nil {
		return 0, err
	}
	return id, r.watch(ctx, tx, id, 1, due)
}

// watch inserts the SLA check of referral id's breach-th breach at at.
func (r *Referrals) watch(ctx context.Context, tx pgx.Tx, id int64, breach int, at time.Time) error {
	if r.Jobs == nil {
		return errors.New("referral SLA: no job queue")
	}
	args := ReferralSLACheckArgs{ReferralID: id, Breach: breach, Due: at.UTC().Truncate(time.Microsecond)}
	opts := args.InsertOpts()
	opts.ScheduledAt = args.Due
	if _, err := r.Jobs.InsertTx(ctx, tx, args, &opts); err != nil {
		return fmt.Errorf("schedule SLA check of referral %d: %w", id, err)
	}
	return nil
}

// ReferralError is a change refused: Field names the input at fault
// (empty when the referral's status is what forbids it, a conflict), and
// Detail says why in a sentence for the person who asked.
type ReferralError struct {
	Field  string
	Detail string
}

func (e *ReferralError) Error() string { return e.Detail }

// next lists the statuses each status may move to. Booked may be booked
// again: the appointment changed, and the person is told the new one.
var next = map[postgres.ReferralStatus][]postgres.ReferralStatus{
	postgres.ReferralNew:      {postgres.ReferralAccepted, postgres.ReferralBooked, postgres.ReferralDeclined},
	postgres.ReferralAccepted: {postgres.ReferralBooked, postgres.ReferralDeclined},
	postgres.ReferralBooked:   {postgres.ReferralBooked, postgres.ReferralAttended, postgres.ReferralDidNotAttend},
}

// CanMove reports whether a referral whose status is from may be moved to
// to (Act refuses any other move).
func CanMove(from, to postgres.ReferralStatus) bool { return slices.Contains(next[from], to) }

// Act makes change c to referral id of organisation orgScope (0: any) on
// behalf of by, and returns the referral as it then is. It returns
// ohcontact.ErrNotFound for no such referral, and a *ReferralError when c
// is incomplete or the referral's status cannot move to c.Status (only
// forward: see next). Booking needs an appointment in the future (in
// person with a place, or by phone); declining a reason of
// DeclineReasons. Booking and declining queue the notice that tells the
// person. A change that leaves the referral as it is (a repeat: the same
// status, with the same appointment when booked or the same reason and
// note when declined) changes nothing, writes no event and queues no
// notice, so a referral system may resend a change safely.
func (r *Referrals) Act(ctx context.Context, orgScope int64, by postgres.Actor, id int64, c postgres.ReferralChange) (postgres.Referral, error) {
	now := r.Now()
	if err := r.check(c, now); err != nil {
		return postgres.Referral{}, err
	}
	var out postgres.Referral
	err := r.DB.InTx(ctx, func(tx pgx.Tx) error {
		ref, err := postgres.LockReferral(ctx, tx, orgScope, id)
		if err != nil {
			return err
		}
		if alreadySo(ref, c) {
			out = ref
			return nil
		}
		if !CanMove(ref.Status, c.Status) {
			return &ReferralError{Detail: fmt.Sprintf("This referral is %s, so it cannot be marked %s.",
				StatusText(ref.Status), StatusText(c.Status))}
		}
		eventID, err := postgres.ChangeReferral(ctx, tx, ref, c, by)
		if err != nil {
			return err
		}
		if c.Status == postgres.ReferralBooked || c.Status == postgres.ReferralDeclined {
			if _, err := r.Jobs.InsertTx(ctx, tx, ReferralNoticeArgs{ReferralID: id, EventID: eventID}, nil); err != nil {
				return fmt.Errorf("queue notice of referral %d: %w", id, err)
			}
		}
		if c.Status == postgres.ReferralDeclined && c.DeclineReason == "oh_call" {
			conv, err := postgres.ConversationByID(ctx, tx, ref.ConversationID)
			if err != nil {
				return err
			}
			if _, err := r.Cases.Escalate(ctx, tx, conv, ohcontact.RiskResult{Priority: ohcontact.PriorityRoutine,
				Category: "physio_declined", Evidence: []string{"the physio team declined the referral and asked OH to call"}}, now); err != nil {
				return err
			}
		}
		out, err = postgres.ReferralByID(ctx, tx, orgScope, id)
		return err
	})
	return out, err
}

// alreadySo reports whether referral ref already is as change c would
// make it.
func alreadySo(ref postgres.Referral, c postgres.ReferralChange) bool {
	switch {
	case ref.Status != c.Status:
		return false
	case c.Status == postgres.ReferralBooked:
		return ref.AppointmentAt.Equal(c.AppointmentAt) && ref.AppointmentKind == c.AppointmentKind &&
			ref.AppointmentPlace == c.AppointmentPlace
	case c.Status == postgres.ReferralDeclined:
		return ref.DeclineReason == c.DeclineReason && ref.DeclineNote == c.Note
	}
	return true
}

// check returns a *ReferralError when c lacks what its status needs.
func (r *Referrals) check(c postgres.ReferralChange, now time.Time) error {
	switch c.Status {
	case postgres.ReferralAccepted, postgres.ReferralAttended, postgres.ReferralDidNotAttend:
	case postgres.ReferralBooked:
		switch {
		case c.AppointmentAt.IsZero():
			return &ReferralError{Field: "appointment_at", Detail: "Enter the date and time of the appointment"}
		case !c.AppointmentAt.After(now):
			return &ReferralError{Field: "appointment_at", Detail: "The appointment must be in the future"}
		case c.AppointmentKind != "in_person" && c.AppointmentKind != "phone":
			return &ReferralError{Field: "appointment_kind", Detail: "Choose whether the appointment is in person or a phone call"}
		case c.AppointmentKind == "in_person" && c.AppointmentPlace == "":
			return &ReferralError{Field: "appointment_place", Detail: "Enter where the appointment is"}
		case len([]rune(c.AppointmentPlace)) > 200:
			return &ReferralError{Field: "appointment_place", Detail: "The place must be 200 characters or fewer"}
		case c.AppointmentKind == "phone" && c.AppointmentPlace != "":
			return &ReferralError{Field: "appointment_place", Detail: "A phone appointment has no place: leave it empty"}
		}
	case postgres.ReferralDeclined:
		if !slices.Contains(DeclineReasons, c.DeclineReason) {
			return &ReferralError{Field: "decline_reason", Detail: "Choose why the referral is declined, which says what the person should do instead"}
		}
	default:
		return &ReferralError{Field: "status", Detail: "Choose accepted, booked, declined, attended or did_not_attend"}
	}
	if len([]rune(c.Note)) > 500 {
		return &ReferralError{Field: "note", Detail: "The note must be 500 characters or fewer"}
	}
	if c.Status != postgres.ReferralBooked && (!c.AppointmentAt.IsZero() || c.AppointmentKind != "" || c.AppointmentPlace != "") {
		return &ReferralError{Field: "appointment_at", Detail: "Only a booking has an appointment"}
	}
	if c.Status != postgres.ReferralDeclined && c.DeclineReason != "" {
		return &ReferralError{Field: "decline_reason", Detail: "Only a decline has a reason"}
	}
	return nil
}

// StatusText names a referral status in words.
func StatusText(s postgres.ReferralStatus) string {
	switch s {
	case postgres.ReferralNew:
		return "new"
	case postgres.ReferralDidNotAttend:
		return "did not attend"
	}
	return string(s)
}

// ReferralSLACheckArgs is the job that looks, when referral ReferralID's
// SLA falls due, whether the physio team has acted on it.
type ReferralSLACheckArgs struct {
	ReferralID int64     `json:"referral_id"`
	Breach     int       `json:"breach"` // the breach this check records: 1 for the first
	Due        time.Time `json:"due"`
}

// Kind is "referral_sla_check".
func (ReferralSLACheckArgs) Kind() string { return "referral_sla_check" }

// InsertOpts makes checks unique by their arguments.
func (ReferralSLACheckArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 25, Priority: 2, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// ReferralSLAChecks is the River worker for ReferralSLACheckArgs. When a
// referral is still new at its SLA due time it records the breach
// (postgres.RecordReferralBreach), texts the organisation's MSK on-call
// number if it has one, and checks again the next working day. The physio
// worklist shows every overdue referral in a banner meanwhile. The text
// names the referral by number only.
type ReferralSLAChecks struct {
	river.WorkerDefaults[ReferralSLACheckArgs]
	Referrals *Referrals
	// OnCall is each organisation's MSK on-call route, by organisation id.
	OnCall     map[int64]OnCall
	Texts      OnCallOutbox
	ConsoleURL string
	Log        *slog.Logger
}

// Work records the breach if referral job.Args.ReferralID is still new.
func (w *ReferralSLAChecks) Work(ctx context.Context, job *river.Job[ReferralSLACheckArgs]) error {
	r := w.Referrals
	now := r.Now()
	var early time.Duration
	err := r.DB.InTx(ctx, func(tx pgx.Tx) error {
		ref, err := postgres.LockReferralSLA(ctx, tx, job.Args.ReferralID)
		switch {
		case errors.Is(err, ohcontact.ErrNotFound):
			return nil
		case err != nil:
			return err
		case ref.Status != postgres.ReferralNew || ref.BreachCount >= job.Args.Breach:
			return nil
		case now.Before(ref.SLADue):
			early = ref.SLADue.Sub(now)
			return nil
		}
		if err := postgres.RecordReferralBreach(ctx, tx, ref); err != nil {
			return err
		}
		route, hasOnCall := w.OnCall[ref.OrganisationID]
		if hasOnCall {
			body := fmt.Sprintf("OH alert (%s): physio referral %d has not been acted on within its SLA (alert %d). Open %s/console/referrals/%d",
				route.Code, ref.ID, ref.BreachCount+1, w.ConsoleURL, ref.ID)
			id, err := postgres.QueueOnCallText(ctx, tx, postgres.OnCallText{OrganisationID: ref.OrganisationID, ReferralID: ref.ID,
				Mobile: route.Mobile, Body: body})
			if err != nil {
				return err
			}
			if err := w.Texts.QueueOnCall(ctx, tx, id); err != nil {
				return err
			}
		}
		w.Log.Warn("referral past its SLA", "referral_id", ref.ID, "organisation_id", ref.OrganisationID,
			"breach", ref.BreachCount+1, "on_call_texted", hasOnCall)
		return r.watch(ctx, tx, ref.ID, ref.BreachCount+2, SLA{}.Renotify(ohcontact.PriorityRoutine, now, r.Location))
	})
	if err != nil {
		return fmt.Errorf("SLA check of referral %d: %w", job.Args.ReferralID, err)
	}
	if early > 0 {
		return river.JobSnooze(early)
	}
	return nil
}
