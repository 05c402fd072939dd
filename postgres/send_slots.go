package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ReserveSendSlot reserves the next sending slot of the rate named name,
// slots being spacing apart, and returns how long to wait until it. The
// database's clock is the only clock involved, so instances with skewed
// clocks still share one rate.
//
// A slot more than maxWait away is not reserved: reserved is false and wait
// says when one would be within reach, so the caller can put its job aside
// instead of holding a worker.
//
// q is the pool: a reservation must commit at once, as every sender of
// every instance waits on the rate's row until it does.
func ReserveSendSlot(ctx context.Context, q Querier, name string, spacing, maxWait time.Duration) (wait time.Duration, reserved bool, err error) {
	var micros int64
	err = q.QueryRow(ctx, `
		INSERT INTO send_slots AS s (name, next_slot)
		VALUES ($1, clock_timestamp() + make_interval(secs => $2))
		ON CONFLICT (name) DO UPDATE
			SET next_slot = greatest(s.next_slot, clock_timestamp()) + make_interval(secs => $2)
			WHERE s.next_slot <= clock_timestamp() + make_interval(secs => $3)
		RETURNING (extract(epoch FROM s.next_slot - make_interval(secs => $2) - clock_timestamp()) * 1e6)::bigint`,
		name, spacing.Seconds(), maxWait.Seconds()).Scan(&micros)
	if errors.Is(err, pgx.ErrNoRows) {
		err = q.QueryRow(ctx, `
			SELECT (extract(epoch FROM next_slot - make_interval(secs => $2) - clock_timestamp()) * 1e6)::bigint
			FROM send_slots WHERE name = $1`, name, maxWait.Seconds()).Scan(&micros)
		if err != nil {
			return 0, false, fmt.Errorf("read send slot %q: %w", name, err)
		}
		return max(time.Duration(micros)*time.Microsecond, 0), false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("reserve send slot %q: %w", name, err)
	}
	return max(time.Duration(micros)*time.Microsecond, 0), true, nil
}
