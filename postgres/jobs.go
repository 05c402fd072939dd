package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// JobQueue is one River queue's backlog: the jobs due to be worked now
// and how long the oldest of them has waited.
type JobQueue struct {
	Name          string
	Depth         int64
	OldestSeconds float64 // 0 when no job is due
}

// JobQueues returns the backlog of each of queues, in order, with zeros
// for a queue that has none. A job is due when it is available, or
// scheduled or waiting to retry with its time come (River's leader moves
// those to available every few seconds, so a backlog of them means that has
// stopped); it has waited since its scheduled time. It reads through
// River's own (state, queue, priority, scheduled_at) index, so it stays
// cheap while the queues are short, which is when it matters most that it
// answers.
func JobQueues(ctx context.Context, q Querier, queues []string) ([]JobQueue, error) {
	rows, err := q.Query(ctx, `
		SELECT q.name, count(j.id),
		       coalesce(greatest(extract(epoch FROM now() - min(j.scheduled_at)), 0), 0)::float8
		FROM unnest($1::text[]) WITH ORDINALITY AS q(name, n)
		LEFT JOIN river_job j ON j.queue = q.name AND j.state IN ('available', 'scheduled', 'retryable')
		      AND j.scheduled_at <= now()
		GROUP BY q.name, q.n
		ORDER BY q.n`, queues)
	if err != nil {
		return nil, fmt.Errorf("read job queues: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (JobQueue, error) {
		var jq JobQueue
		err := r.Scan(&jq.Name, &jq.Depth, &jq.OldestSeconds)
		return jq, err
	})
	if err != nil {
		return nil, fmt.Errorf("read job queues: %w", err)
	}
	return out, nil
}
