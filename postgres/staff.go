package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
)

// StaffByMobile returns the member of staff with the given E.164 mobile, or
// ErrNotFound. When several records share a number (a shared phone, or a
// person employed by two trusts), the most recently updated one answers.
func StaffByMobile(ctx context.Context, q Querier, mobile string) (ohcontact.Staff, error) {
	var s ohcontact.Staff
	err := q.QueryRow(ctx, `
		SELECT s.id, s.organisation_id, o.code, s.assignment_number, s.first_name, coalesce(s.mobile, ''), s.language,
		       s.consent = 'opted_out'
		FROM staff s JOIN organisations o ON o.id = s.organisation_id
		WHERE s.mobile = $1 ORDER BY s.updated_at DESC, s.id DESC LIMIT 1`, mobile).
		Scan(&s.ID, &s.OrganisationID, &s.OrganisationCode, &s.AssignmentNumber, &s.FirstName, &s.Mobile, &s.Language, &s.OptedOut)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, ErrNotFound
	}
	if err != nil {
		return s, fmt.Errorf("find staff by mobile: %w", err)
	}
	return s, nil
}
