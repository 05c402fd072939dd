package postgres

import (
	"context"
	"fmt"

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
