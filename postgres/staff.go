package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
)

// staffColumns are what scanStaff reads, from staff s joined to
// organisations o.
const staffColumns = `s.id, s.organisation_id, o.code, s.assignment_number, s.first_name, coalesce(s.mobile, ''),
	s.language, s.consent = 'opted_out'`

func scanStaff(row pgx.Row, what string) (ohcontact.Staff, error) {
	var s ohcontact.Staff
	err := row.Scan(&s.ID, &s.OrganisationID, &s.OrganisationCode, &s.AssignmentNumber, &s.FirstName, &s.Mobile, &s.Language, &s.OptedOut)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, ErrNotFound
	}
	if err != nil {
		return s, fmt.Errorf("find staff by %s: %w", what, err)
	}
	return s, nil
}

// StaffByID returns the member of staff with the given id, or ErrNotFound.
func StaffByID(ctx context.Context, q Querier, id int64) (ohcontact.Staff, error) {
	return scanStaff(q.QueryRow(ctx, `SELECT `+staffColumns+`
		FROM staff s JOIN organisations o ON o.id = s.organisation_id WHERE s.id = $1`, id), "id")
}

// StaffByAssignment returns the member of staff of organisation orgID with
// the given ESR assignment number, or ErrNotFound.
func StaffByAssignment(ctx context.Context, q Querier, orgID int64, number string) (ohcontact.Staff, error) {
	return scanStaff(q.QueryRow(ctx, `SELECT `+staffColumns+`
		FROM staff s JOIN organisations o ON o.id = s.organisation_id
		WHERE s.organisation_id = $1 AND s.assignment_number = $2`, orgID, number), "assignment number")
}

// StaffByMobile returns the member of staff with the given E.164 mobile, or
// ErrNotFound. When several records share a number (a shared phone, or a
// person employed by two trusts), the most recently updated one answers.
func StaffByMobile(ctx context.Context, q Querier, mobile string) (ohcontact.Staff, error) {
	return scanStaff(q.QueryRow(ctx, `SELECT `+staffColumns+`
		FROM staff s JOIN organisations o ON o.id = s.organisation_id
		WHERE s.mobile = $1 ORDER BY s.updated_at DESC, s.id DESC LIMIT 1`, mobile), "mobile")
}
