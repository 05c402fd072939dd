package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// demoStaff are the people demo mode puts in the demo organisation. Their
// numbers are in Ofcom's range reserved for drama (07700 900000–900999), so
// no real phone is ever texted. Each is off sick (SeedDemoAbsences) with
// reason, since daysOff days before the demo first starts: under the
// default trigger rules, an MSK check-in (S11, S12, from yesterday) and a
// long-term one (day 28) fall due that day, a stress one (S10, from
// yesterday) on that day or the next working day.
var demoStaff = []struct {
	assignment, first, last, mobile, language string
	reason                                    string
	daysOff                                   int
}{
	{"90000001-1", "Ann", "Example", "+447700900101", "en-GB", "S11", 1},
	{"90000002-1", "Bryn", "Jones", "+447700900102", "cy", "S10", 1},
	{"90000003-1", "Zofia", "Nowak", "+447700900103", "pl", "S12", 1},
	{"90000004-1", "Sam", "Patel", "+447700900104", "en-GB", "S13", 27},
	{"90000005-1", "Jo", "Smith", "+447700900105", "en-GB", "S10", 1},
}

// DemoSignedIn is the assignment number of the demo member of staff the
// mock intranet signs in.
const DemoSignedIn = "90000001-1"

// DemoSignedInName is the first name of the demo member of staff the mock
// intranet signs in.
func DemoSignedInName() string {
	for _, s := range demoStaff {
		if s.assignment == DemoSignedIn {
			return s.first
		}
	}
	return ""
}

// DemoMobiles returns the mobile numbers of the demo members of staff
// (SeedDemoStaff), in E.164 form: the only numbers the demo phone shows
// and texts from.
func DemoMobiles() []string {
	out := make([]string, len(demoStaff))
	for i, s := range demoStaff {
		out[i] = s.mobile
	}
	return out
}

// SeedDemoStaff adds the demo members of staff to the organisation with
// code orgCode, leaving any that exist as they are.
func (db *DB) SeedDemoStaff(ctx context.Context, orgCode string) error {
	for _, s := range demoStaff {
		_, err := db.Pool.Exec(ctx, `
			INSERT INTO staff (organisation_id, assignment_number, first_name, last_name, mobile, email, language, preferred_channel)
			SELECT id, $2, $3, $4, $5, lower($3 || '.' || $4 || '@demo.nhs.example'), $6, 'sms' FROM organisations WHERE code = $1
			ON CONFLICT (organisation_id, assignment_number) DO NOTHING`,
			orgCode, s.assignment, s.first, s.last, s.mobile, s.language)
		if err != nil {
			return fmt.Errorf("seed demo staff: %w", err)
		}
	}
	return nil
}

// SeedDemoAbsences opens, in tx, an absence episode (as the HR feed would)
// for each demo member of staff of the organisation with code orgCode who
// has none yet, starting as demoStaff says before today (a day in the
// organisation's time zone), and returns their staff ids for the trigger
// rules to plan. A member of staff with any episode gets none, so a second
// start, on any day, adds nothing.
func SeedDemoAbsences(ctx context.Context, tx pgx.Tx, orgCode string, today time.Time) ([]int64, error) {
	numbers, reasons, days := make([]string, len(demoStaff)), make([]string, len(demoStaff)), make([]int32, len(demoStaff))
	for i, s := range demoStaff {
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
		RETURNING staff_id`, orgCode, today.Format(time.DateOnly), numbers, reasons, days)
	if err != nil {
		return nil, fmt.Errorf("seed demo absences: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("seed demo absences: %w", err)
	}
	return ids, nil
}

// PhoneText is one text on the demo phone simulator's screen.
type PhoneText struct {
	Seq      int
	Inbound  bool // written by the person holding the phone
	Body     string
	Status   string
	SentAt   time.Time
	ErrorMsg string
}

// PhoneTexts returns the SMS messages exchanged with mobile, oldest first,
// across that number's conversations (at most the latest 200).
func (db *DB) PhoneTexts(ctx context.Context, mobile string) ([]PhoneText, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT seq, direction = 'inbound', body, delivery_status, created_at, coalesce(error_reason, '')
		FROM (SELECT m.* FROM messages m JOIN conversations c ON c.id = m.conversation_id
		      WHERE c.channel = 'sms' AND c.address = $1 ORDER BY m.id DESC LIMIT 200) latest
		ORDER BY id`, mobile)
	if err != nil {
		return nil, fmt.Errorf("phone texts: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (PhoneText, error) {
		var p PhoneText
		err := r.Scan(&p.Seq, &p.Inbound, &p.Body, &p.Status, &p.SentAt, &p.ErrorMsg)
		return p, err
	})
}

// PhoneOwner is a member of staff whose phone the simulator can show.
type PhoneOwner struct {
	Mobile, FirstName, LastName, Organisation string
}

// PhoneOwners returns the members of staff whose mobile is one of mobiles,
// those with the most recent texts first.
func (db *DB) PhoneOwners(ctx context.Context, mobiles []string) ([]PhoneOwner, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT s.mobile, s.first_name, s.last_name, o.name
		FROM staff s JOIN organisations o ON o.id = s.organisation_id
		LEFT JOIN LATERAL (SELECT max(last_activity_at) AS last FROM conversations c
		                   WHERE c.staff_id = s.id AND c.channel = 'sms') a ON true
		WHERE s.mobile = ANY($1)
		ORDER BY a.last DESC NULLS LAST, s.last_name, s.first_name`, mobiles)
	if err != nil {
		return nil, fmt.Errorf("phone owners: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[PhoneOwner])
}
