package dialogs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// AskTimeoutArgs is the job that brings a person in if the direct question
// asked at AskedAt in conversation ConversationID is still unanswered.
type AskTimeoutArgs struct {
	ConversationID int64     `json:"conversation_id"`
	AskedAt        time.Time `json:"asked_at"`
}

// Kind is "risk_ask_timeout".
func (AskTimeoutArgs) Kind() string { return "risk_ask_timeout" }

// InsertOpts puts the check first in line, with the SLA checks: someone
// who did not answer a question about suicide is waiting for a person.
func (AskTimeoutArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 25, Priority: 1}
}

// AskTimeouts is the River worker for AskTimeoutArgs, and the Runner's
// AskScheduler. When the job runs and the conversation is still open, with
// the bot, waiting for the answer to that question, it takes the risk
// pathway at high priority (Engine.Unanswered) through the runner's own
// effects and saving: a case, crisis contacts sent at once, and the
// conversation handed to the clinicians. Anything else (an answer came, a
// clinician took over, the conversation closed or was purged) ends it
// quietly.
type AskTimeouts struct {
	river.WorkerDefaults[AskTimeoutArgs]
	Runner *Runner
	// Jobs inserts the checks; set once the River client exists.
	Jobs *river.Client[pgx.Tx]
}

// ScheduleAskTimeout inserts the check for the question asked at askedAt,
// AskTimeout later, in tx.
func (w *AskTimeouts) ScheduleAskTimeout(ctx context.Context, tx pgx.Tx, conversationID int64, askedAt time.Time) error {
	if w.Jobs == nil {
		return errors.New("ask: no job queue for the answer's deadline")
	}
	opts := AskTimeoutArgs{}.InsertOpts()
	opts.ScheduledAt = askedAt.Add(AskTimeout)
	if _, err := w.Jobs.InsertTx(ctx, tx, AskTimeoutArgs{ConversationID: conversationID, AskedAt: askedAt}, &opts); err != nil {
		return fmt.Errorf("schedule the answer's deadline in conversation %d: %w", conversationID, err)
	}
	return nil
}

// Work takes the risk pathway if the question is still unanswered.
func (w *AskTimeouts) Work(ctx context.Context, job *river.Job[AskTimeoutArgs]) error {
	r := w.Runner
	now := r.Now()
	return r.DB.InTx(ctx, func(tx pgx.Tx) error {
		conv, err := postgres.LockConversation(ctx, tx, job.Args.ConversationID)
		if errors.Is(err, ohcontact.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if conv.Closed || conv.Owner != ohcontact.OwnerBot {
			return nil
		}
		var state State
		if err := json.Unmarshal(conv.Data, &state); err != nil {
			return fmt.Errorf("read conversation %d: %w", conv.ID, err)
		}
		if state.AskedAt == nil || !state.AskedAt.Equal(job.Args.AskedAt) {
			return nil
		}
		res, err := r.Engine.Unanswered(state)
		if err != nil {
			return err
		}
		st := &step{conv: conv, state: res.State, replies: res.Replies, effects: res.Effects}
		if err := r.apply(ctx, tx, st, sender{}, now); err != nil {
			return err
		}
		saved, err := st.saved(nil)
		if err != nil {
			return err
		}
		steps := []postgres.Step{saved}
		if err := postgres.SaveSteps(ctx, tx, steps); err != nil {
			return err
		}
		return r.queueReplies(ctx, tx, steps)
	})
}
