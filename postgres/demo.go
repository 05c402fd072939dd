package postgres

import (
	"context"
	"fmt"
)

// demoStaff are the people demo mode puts in the demo organisation. Their
// numbers are in Ofcom's range reserved for drama (07700 900000–900999), so
// no real phone is ever texted.
var demoStaff = []struct {
	assignment, first, last, mobile, language string
}{
	{"90000001-1", "Ann", "Example", "+447700900101", "en-GB"},
	{"90000002-1", "Bryn", "Jones", "+447700900102", "cy"},
	{"90000003-1", "Zofia", "Nowak", "+447700900103", "pl"},
	{"90000004-1", "Sam", "Patel", "+447700900104", "en-GB"},
	{"90000005-1", "Jo", "Smith", "+447700900105", "en-GB"},
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
