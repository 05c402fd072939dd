package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/signposting"
	"github.com/ohcontact/ohcontact/triggers"
)

// staff are the people demo mode puts in the demo organisation. Their
// numbers are in Ofcom's range reserved for drama (07700 900000–900999), so
// no real phone is ever texted. Each is off sick (seedAbsences) with
// reason, since daysOff days before the demo first starts: under the
// default trigger rules, an MSK check-in (S11, S12, from yesterday) and a
// long-term one (day 28) fall due that day, a stress one (S10, from
// yesterday) on that day or the next working day. Each has an ESR staff
// group, so that a demo campaign can pick a group (Ann and Zofia are
// nurses).
var staff = []struct {
	assignment, first, last, mobile, language string
	group                                     string
	reason                                    string
	daysOff                                   int
}{
	{"90000001-1", "Ann", "Example", "+447700900101", "en-GB", "Nursing and Midwifery Registered", "S11", 1},
	{"90000002-1", "Bryn", "Jones", "+447700900102", "cy", "Allied Health Professionals", "S10", 1},
	{"90000003-1", "Zofia", "Nowak", "+447700900103", "pl", "Nursing and Midwifery Registered", "S12", 1},
	{"90000004-1", "Sam", "Patel", "+447700900104", "en-GB", "Estates and Ancillary", "S13", 27},
	{"90000005-1", "Jo", "Smith", "+447700900105", "en-GB", "Nursing and Midwifery Registered", "S10", 1},
}

// SignedIn is the assignment number of the demo member of staff the mock
// intranet signs in.
const SignedIn = "90000001-1"

// SignedInName is the first name of the demo member of staff the mock
// intranet signs in.
func SignedInName() string {
	for _, s := range staff {
		if s.assignment == SignedIn {
			return s.first
		}
	}
	return ""
}

// Mobiles returns the mobile numbers of the demo members of staff, in
// E.164 form: the only numbers the demo phone shows and texts from.
func Mobiles() []string {
	out := make([]string, len(staff))
	for i, s := range staff {
		out[i] = s.mobile
	}
	return out
}

// seedStaff adds the demo members of staff to the demo organisation,
// leaving any that exist as they are.
func seedStaff(ctx context.Context, db *postgres.DB) error {
	for _, s := range staff {
		_, err := db.Pool.Exec(ctx, `
			INSERT INTO staff (organisation_id, assignment_number, first_name, last_name, mobile, email, language, preferred_channel,
				staff_group)
			SELECT id, $2, $3, $4, $5, lower($3 || '.' || $4 || '@demo.nhs.example'), $6, 'sms', $7 FROM organisations WHERE code = $1
			ON CONFLICT (organisation_id, assignment_number) DO NOTHING`,
			signposting.DemoCode, s.assignment, s.first, s.last, s.mobile, s.language, s.group)
		if err != nil {
			return fmt.Errorf("seed demo staff: %w", err)
		}
	}
	return nil
}

// seedContacts opens an absence for each demo member of staff who has
// none yet, and plans its contacts with scheduler in the same transaction,
// so that each demo phone has a first contact from OH to answer (sent at
// once in the send window, else when it opens). Once: a second start adds
// nothing.
func seedContacts(ctx context.Context, db *postgres.DB, scheduler *triggers.Scheduler, loc *time.Location) error {
	return db.InTx(ctx, func(tx pgx.Tx) error {
		ids, err := seedAbsences(ctx, tx, time.Now().In(loc))
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := scheduler.ScheduleStaff(ctx, tx, id); err != nil {
				return fmt.Errorf("plan demo contacts: %w", err)
			}
		}
		return nil
	})
}

// seedAbsences opens, in tx, an absence episode (as the HR feed would) for
// each demo member of staff who has none yet, starting as staff says
// before today (a day in the organisation's time zone), and returns their
// staff ids for the trigger rules to plan. A member of staff with any
// episode gets none, so a second start, on any day, adds nothing.
func seedAbsences(ctx context.Context, tx pgx.Tx, today time.Time) ([]int64, error) {
	numbers, reasons, days := make([]string, len(staff)), make([]string, len(staff)), make([]int32, len(staff))
	for i, s := range staff {
		numbers[i], reasons[i], days[i] = s.assignment, s.reason, int32(s.daysOff)
	}
	rows, err := tx.Query(ctx, `
		INSERT INTO absence_episodes (staff_id, starts_on, reason_code, source)
		SELECT s.id, $2::date - d.days, d.reason, 'hr_feed'
		FROM unnest($3::text[], $4::text[], $5::int[]) AS d(assignment, reason, days)
		JOIN organisations o ON o.code = $1
		JOIN staff s ON s.organisation_id = o.id AND s.assignment_number = d.assignment
		WHERE NOT EXISTS (SELECT 1 FROM absence_episodes e WHERE e.staff_id = s.id)
		ON CONFLICT (staff_id, starts_on) DO NOTHING
		RETURNING staff_id`, signposting.DemoCode, today.Format(time.DateOnly), numbers, reasons, days)
	if err != nil {
		return nil, fmt.Errorf("seed demo absences: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("seed demo absences: %w", err)
	}
	return ids, nil
}
