package campaigns

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// SendOne runs one of the sender's transactions for campaign id at c.Now()
// and says what it did: "sms", "next", "wait" (with how long) or "done".
func (c *Campaigns) SendOne(ctx context.Context, id int64) (string, time.Duration, error) {
	var s step
	var wait time.Duration
	err := c.DB.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		s, _, wait, err = c.sendNext(ctx, tx, id, c.Now())
		return err
	})
	return [...]string{stepSMS: "sms", stepNext: "next", stepWait: "wait", stepDone: "done"}[s], wait, err
}

// RemindOne runs the reminder job's transaction for member id at c.Now(),
// its send slot taken, and returns how long it would snooze.
func (c *Campaigns) RemindOne(ctx context.Context, id int64) (time.Duration, error) {
	var r slotted
	err := c.DB.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		r, err = c.remind(ctx, tx, id, c.Now(), true)
		return err
	})
	return r.wait, err
}

// SetSendRun makes each run of a sender last d before it hands over.
func (c *Campaigns) SetSendRun(d time.Duration) { c.sendRun = d }

// CloseOne runs the closing job's transaction for args at c.Now().
func (c *Campaigns) CloseOne(ctx context.Context, args CloseArgs) error {
	return c.DB.InTx(ctx, func(tx pgx.Tx) error { return c.close(ctx, tx, args, c.Now()) })
}

// FallbackOne runs the SMS fallback job's transaction for web chat
// conversation id at c.Now(), its send slot taken, and returns how long it
// would snooze.
func (c *Campaigns) FallbackOne(ctx context.Context, id int64) (time.Duration, error) {
	var r slotted
	err := c.DB.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		r, err = c.fallBack(ctx, tx, id, c.Now(), true)
		return err
	})
	return r.wait, err
}
