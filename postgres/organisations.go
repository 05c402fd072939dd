package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
)

// EnsureOrganisation creates the organisation with org.Code, or updates its
// name when it exists.
func (db *DB) EnsureOrganisation(ctx context.Context, org ohcontact.Organisation) error {
	_, err := db.Pool.Exec(ctx, `
		INSERT INTO organisations (code, name) VALUES ($1, $2)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, updated_at = now()
		WHERE organisations.name <> excluded.name`, org.Code, org.Name)
	if err != nil {
		return fmt.Errorf("ensure organisation %s: %w", org.Code, err)
	}
	return nil
}

// OrganisationByCode returns the id of the organisation with code, or
// ErrNotFound.
func (db *DB) OrganisationByCode(ctx context.Context, code string) (int64, error) {
	var id int64
	err := db.Pool.QueryRow(ctx, `SELECT id FROM organisations WHERE code = $1`, code).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("organisation %s: %w", code, ErrNotFound)
	}
	return id, err
}
