package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

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

// StaffByAssignment returns the member of staff of organisation orgID with
// the given ESR assignment number, or ErrNotFound.
func StaffByAssignment(ctx context.Context, q Querier, orgID int64, number string) (ohcontact.Staff, error) {
	return scanStaff(q.QueryRow(ctx, `SELECT `+staffColumns+`
		FROM staff s JOIN organisations o ON o.id = s.organisation_id
		WHERE s.organisation_id = $1 AND s.assignment_number = $2`, orgID, number), "assignment number")
}

// StaffForInbound finds, in one round trip, the member of staff for each of
// ids that exists and for each of the E.164 mobiles that is in the
// directory. When several records share a number (a shared phone, or a
// person employed by two trusts), the most recently updated one answers.
func StaffForInbound(ctx context.Context, tx pgx.Tx, ids []int64, mobiles []string) (map[int64]ohcontact.Staff, map[string]ohcontact.Staff, error) {
	byID := make(map[int64]ohcontact.Staff, len(ids))
	byMobile := make(map[string]ohcontact.Staff, len(mobiles))
	b := &pgx.Batch{}
	if len(ids) > 0 {
		b.Queue(`SELECT `+staffColumns+`
			FROM staff s JOIN organisations o ON o.id = s.organisation_id WHERE s.id = ANY($1)`, ids).
			Query(func(rows pgx.Rows) error {
				return collectStaff(rows, byID, func(s ohcontact.Staff) int64 { return s.ID })
			})
	}
	if len(mobiles) > 0 {
		b.Queue(`SELECT DISTINCT ON (s.mobile) `+staffColumns+`
			FROM staff s JOIN organisations o ON o.id = s.organisation_id
			WHERE s.mobile = ANY($1) ORDER BY s.mobile, s.updated_at DESC, s.id DESC`, mobiles).
			Query(func(rows pgx.Rows) error {
				return collectStaff(rows, byMobile, func(s ohcontact.Staff) string { return s.Mobile })
			})
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, nil, fmt.Errorf("find staff: %w", err)
	}
	return byID, byMobile, nil
}

func collectStaff[K comparable](rows pgx.Rows, into map[K]ohcontact.Staff, key func(ohcontact.Staff) K) error {
	staff, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ohcontact.Staff, error) { return scanStaff(row, "") })
	for _, s := range staff {
		into[key(s)] = s
	}
	return err
}

// StaffSendTerms returns what decides when staff member id may be sent a
// message: their organisation's code and their quiet hours (nil when they
// have none), or ErrNotFound.
func StaffSendTerms(ctx context.Context, q Querier, id int64) (string, *QuietHours, error) {
	var code string
	var from, until pgtype.Time
	err := q.QueryRow(ctx, `SELECT o.code, s.quiet_from, s.quiet_until FROM staff s JOIN organisations o ON o.id = s.organisation_id
		WHERE s.id = $1`, id).Scan(&code, &from, &until)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil, ErrNotFound
	}
	if err != nil {
		return "", nil, fmt.Errorf("load send terms of staff %d: %w", id, err)
	}
	return code, quietHours(from, until), nil
}
