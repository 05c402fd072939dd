package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
)

// Staff feedback: the one question "How helpful was this?" the bot may ask
// at the end of a conversation (dialogs, "Staff feedback"), its answer
// (1 to 5) and an optional comment. One row of the feedback table is one
// question asked.

// FeedbackEvery is how often, at most, one member of staff is asked.
const FeedbackEvery = 30 * 24 * time.Hour

// FeedbackAsk is a question about to be asked at the end of conversation
// ConversationID.
type FeedbackAsk struct {
	ConversationID int64
	OrganisationID int64
	StaffID        int64
	Flow           string
	Channel        ohcontact.Channel
	Language       string
}

// AskFeedback records that a's question is asked at now, and reports
// whether it may be: it is not (and nothing is stored) when the person has
// been asked in the FeedbackEvery before now; when they have opted out;
// when the conversation has, or follows, a case; or when they have a case
// that is not resolved or was opened in the FeedbackEvery before now (a
// disclosure anywhere is never followed by the question). Two
// conversations of one person ending at once take turns on the staff row.
func AskFeedback(ctx context.Context, tx pgx.Tx, a FeedbackAsk, now time.Time) (bool, error) {
	if a.StaffID == 0 {
		return false, errors.New("ask feedback: only a member of staff on record is asked")
	}
	since := now.Add(-FeedbackEvery)
	tag, err := tx.Exec(ctx, `
		WITH s AS (SELECT id, consent FROM staff WHERE id = $3 FOR UPDATE)
		INSERT INTO feedback (organisation_id, staff_id, conversation_id, flow, channel, language, asked_at)
		SELECT $2, s.id, $1, $4, $5, $6, $7 FROM s
		WHERE s.consent <> 'opted_out'
		  AND NOT EXISTS (SELECT 1 FROM feedback f WHERE f.staff_id = s.id AND f.asked_at > $8)
		  AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.id = $1 AND c.follows_case_id IS NOT NULL)
		  AND NOT EXISTS (SELECT 1 FROM cases k WHERE k.conversation_id = $1)
		  AND NOT EXISTS (SELECT 1 FROM cases k WHERE k.staff_id = s.id AND (k.status <> 'resolved' OR k.created_at > $8))
		ON CONFLICT (conversation_id) DO NOTHING`,
		a.ConversationID, a.OrganisationID, a.StaffID, a.Flow, string(a.Channel), a.Language, now, since)
	if err != nil {
		return false, fmt.Errorf("ask feedback at the end of conversation %d: %w", a.ConversationID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// FeedbackAwaiting returns the id of the question staff member staffID was
// asked on channel since since and has not answered, the latest; 0 when
// there is none.
func FeedbackAwaiting(ctx context.Context, q Querier, staffID int64, channel ohcontact.Channel, since time.Time) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `SELECT id FROM feedback WHERE staff_id = $1 AND channel = $2 AND rating IS NULL AND asked_at >= $3
		ORDER BY asked_at DESC, id DESC LIMIT 1`, staffID, string(channel), since).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("feedback awaiting an answer: %w", err)
	}
	return id, nil
}

// RateFeedback stores rating (1 to 5), given at now in conversation
// convID, as the answer to question id. A question already answered keeps
// its first answer; ohcontact.ErrNotFound when there is no question id.
func RateFeedback(ctx context.Context, q Querier, id, convID int64, rating int, now time.Time) error {
	if rating < 1 || rating > 5 {
		return fmt.Errorf("rate feedback %d: rating %d is not from 1 to 5", id, rating)
	}
	var found bool
	err := q.QueryRow(ctx, `
		WITH u AS (UPDATE feedback SET rating = $3, rated_at = $4, answer_conversation_id = $2
		           WHERE id = $1 AND rating IS NULL RETURNING 1)
		SELECT EXISTS (SELECT 1 FROM feedback WHERE id = $1)`, id, convID, rating, now).Scan(&found)
	if err != nil {
		return fmt.Errorf("rate feedback %d: %w", id, err)
	}
	if !found {
		return fmt.Errorf("rate feedback %d: %w", id, ohcontact.ErrNotFound)
	}
	return nil
}

// MaxFeedbackComment is the longest comment stored, in characters; a
// longer one is cut (the whole text stays in the transcript).
const MaxFeedbackComment = 2000

// CommentFeedback stores comment, written at now, on question id, which
// must have been rated in conversation convID: a comment anywhere else is
// refused with ohcontact.ErrNotFound. The first comment stands.
func CommentFeedback(ctx context.Context, q Querier, id, convID int64, comment string, now time.Time) error {
	if r := []rune(comment); len(r) > MaxFeedbackComment {
		comment = string(r[:MaxFeedbackComment])
	}
	if comment == "" {
		return fmt.Errorf("comment on feedback %d: the comment is empty", id)
	}
	var found bool
	err := q.QueryRow(ctx, `
		WITH u AS (UPDATE feedback SET comment = $3, commented_at = $4
		           WHERE id = $1 AND answer_conversation_id = $2 AND comment IS NULL RETURNING 1)
		SELECT EXISTS (SELECT 1 FROM feedback WHERE id = $1 AND answer_conversation_id = $2)`,
		id, convID, comment, now).Scan(&found)
	if err != nil {
		return fmt.Errorf("comment on feedback %d: %w", id, err)
	}
	if !found {
		return fmt.Errorf("comment on feedback %d in conversation %d: %w", id, convID, ohcontact.ErrNotFound)
	}
	return nil
}

// FeedbackComment is one comment as the OH team reads it: with its flow,
// rating and day, and nothing that names the person.
type FeedbackComment struct {
	ID               int64
	OrganisationName string
	Flow             string
	Channel          ohcontact.Channel
	Language         string
	Rating           int
	Comment          string
	CommentedAt      time.Time
}

// FeedbackCommentsShown is how many comments ListFeedbackComments returns
// at most.
const FeedbackCommentsShown = 200

// ListFeedbackComments returns the latest comments (at most
// FeedbackCommentsShown, newest first) of organisation orgScope (0: every
// organisation), and audits the view as feedback.view by actor by, with
// the ids shown, in the same call: a caller cannot read them unaudited.
func ListFeedbackComments(ctx context.Context, tx pgx.Tx, orgScope int64, by Actor) ([]FeedbackComment, error) {
	rows, err := tx.Query(ctx, `
		SELECT f.id, o.name, f.flow, f.channel, f.language, f.rating, f.comment, f.commented_at
		FROM feedback f JOIN organisations o ON o.id = f.organisation_id
		WHERE f.comment IS NOT NULL AND ($1::bigint = 0 OR f.organisation_id = $1)
		ORDER BY f.commented_at DESC, f.id DESC LIMIT $2`, orgScope, FeedbackCommentsShown)
	if err != nil {
		return nil, fmt.Errorf("list feedback comments: %w", err)
	}
	cs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (FeedbackComment, error) {
		var c FeedbackComment
		err := row.Scan(&c.ID, &c.OrganisationName, &c.Flow, &c.Channel, &c.Language, &c.Rating, &c.Comment, &c.CommentedAt)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("list feedback comments: %w", err)
	}
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	if err := Audit(ctx, tx, AuditEvent{ActorUserID: by.UserID, ActorAPIKeyID: by.APIKeyID, Action: "feedback.view",
		RecordType: "feedback", OrganisationID: orgScope, Details: map[string]any{"feedback_ids": ids}}); err != nil {
		return nil, err
	}
	return cs, nil
}
