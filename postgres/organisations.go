package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
)

// EnsureOrganisation creates the organisation with org.Code, or brings its
// name and go-live day up to date when it exists. A zero org.GoLive keeps
// the go-live day the organisation has (the demo's is set when its pilot
// history is seeded): a go-live day is moved, never removed.
func EnsureOrganisation(ctx context.Context, q Querier, org ohcontact.Organisation) error {
	var goLive *string
	if !org.GoLive.IsZero() {
		d := org.GoLive.Format(time.DateOnly)
		goLive = &d
	}
	_, err := q.Exec(ctx, `
		INSERT INTO organisations (code, name, go_live_on) VALUES ($1, $2, $3::date)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, go_live_on = coalesce(excluded.go_live_on, organisations.go_live_on), updated_at = now()
		WHERE (organisations.name, organisations.go_live_on) IS DISTINCT FROM (excluded.name, coalesce(excluded.go_live_on, organisations.go_live_on))`,
		org.Code, org.Name, goLive)
	if err != nil {
		return fmt.Errorf("ensure organisation %s: %w", org.Code, err)
	}
	return nil
}

// OrganisationByCode returns the id of the organisation with code, or
// ohcontact.ErrNotFound.
func OrganisationByCode(ctx context.Context, q Querier, code string) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `SELECT id FROM organisations WHERE code = $1`, code).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("organisation %s: %w", code, ohcontact.ErrNotFound)
	}
	return id, err
}

// Organisations lists every organisation, by name.
func Organisations(ctx context.Context, q Querier) ([]ohcontact.Organisation, error) {
	rows, err := q.Query(ctx, `SELECT id, code, name, go_live_on FROM organisations ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("list organisations: %w", err)
	}
	orgs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ohcontact.Organisation, error) {
		var o ohcontact.Organisation
		var goLive *time.Time
		err := row.Scan(&o.ID, &o.Code, &o.Name, &goLive)
		if goLive != nil {
			o.GoLive = *goLive
		}
		return o, err
	})
	if err != nil {
		return nil, fmt.Errorf("list organisations: %w", err)
	}
	return orgs, nil
}
