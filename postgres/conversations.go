package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
)

// ErrDuplicate is returned for an inbound message already stored (the same
// channel and external id): a retried delivery.
var ErrDuplicate = errors.New("duplicate message")

// ErrConflict is returned by SaveConversation when the conversation changed
// since it was loaded.
var ErrConflict = errors.New("conversation changed concurrently")

const conversationColumns = `id, organisation_id, coalesce(staff_id, 0), channel, address, flow, fsm_state, data,
	language, version, owner, status = 'closed', last_message_seq, coalesce(contact_id, 0), coalesce(client_key, ''),
	coalesce(follows_case_id, 0)`

// scanConversation reads the conversationColumns of row, then any columns
// selected after them into extra.
func scanConversation(row pgx.Row, extra ...any) (ohcontact.Conversation, error) {
	var c ohcontact.Conversation
	err := row.Scan(append([]any{&c.ID, &c.OrganisationID, &c.StaffID, &c.Channel, &c.Address, &c.Flow, &c.State, &c.Data,
		&c.Language, &c.Version, &c.Owner, &c.Closed, &c.LastMessageSeq, &c.ContactID, &c.ClientKey, &c.FollowsCaseID}, extra...)...)
	return c, err
}

// ConversationByID returns conversation id without locking it, or
// ErrNotFound.
func ConversationByID(ctx context.Context, q Querier, id int64) (ohcontact.Conversation, error) {
	c, err := scanConversation(q.QueryRow(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("load conversation %d: %w", id, err)
	}
	return c, nil
}

// SaveMessageSeq stores c's message count after messages were appended to
// it outside a step (a notice), leaving its flow, status and owner as
// they are.
func SaveMessageSeq(ctx context.Context, tx pgx.Tx, c *ohcontact.Conversation) error {
	if _, err := tx.Exec(ctx, `UPDATE conversations SET last_message_seq = $2, version = version + 1 WHERE id = $1`,
		c.ID, c.LastMessageSeq); err != nil {
		return fmt.Errorf("save conversation %d: %w", c.ID, err)
	}
	c.Version++
	return nil
}

// LockConversation locks conversation id's row in tx and returns it. It
// returns ErrNotFound if there is none.
func LockConversation(ctx context.Context, tx pgx.Tx, id int64) (ohcontact.Conversation, error) {
	c, err := scanConversation(tx.QueryRow(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE id = $1 FOR UPDATE`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("lock conversation %d: %w", id, err)
	}
	return c, nil
}

// AppendMessage stores m as the next message of c (whose row tx must hold
// locked), setting m.ID, m.Seq and m.CreatedAt and advancing
// c.LastMessageSeq. An inbound message whose channel and external id are
// already stored returns ErrDuplicate and changes nothing.
func AppendMessage(ctx context.Context, tx pgx.Tx, c *ohcontact.Conversation, m *ohcontact.Message) error {
	status := "queued"
	if m.Direction == ohcontact.DirectionInbound {
		status = "received"
	}
	var userID *int64
	if m.AuthorUserID != 0 {
		userID = &m.AuthorUserID
	}
	seq := c.LastMessageSeq + 1
	err := tx.QueryRow(ctx, `
		INSERT INTO messages (conversation_id, seq, direction, channel, author, author_user_id, body, external_id, urgent, delivery_status)
		VALUES ($1, $2, $3, $4, $5, $6, $7, nullif($8, ''), $9, $10)
		ON CONFLICT (channel, external_id) DO NOTHING
		RETURNING id, created_at`,
		c.ID, seq, m.Direction, c.Channel, m.Author, userID, m.Body, m.ExternalID, m.Urgent, status).Scan(&m.ID, &m.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrDuplicate
	}
	if err != nil {
		return fmt.Errorf("append message to conversation %d: %w", c.ID, err)
	}
	m.ConversationID, m.Seq, m.Channel = c.ID, seq, c.Channel
	c.LastMessageSeq = seq
	return nil
}

// SaveConversation writes c's flow state, owner, language, status and
// message count, and increments its version. It returns ErrConflict when
// the row's version is no longer c.Version.
func SaveConversation(ctx context.Context, tx pgx.Tx, c *ohcontact.Conversation, closedReason string) error {
	tag, err := tx.Exec(ctx, `
		UPDATE conversations SET
			flow = $3, fsm_state = $4, data = $5, language = $6, owner = $7,
			last_message_seq = $8, last_activity_at = now(), version = version + 1,
			status = CASE WHEN $9 THEN 'closed' ELSE 'open' END,
			closed_reason = CASE WHEN $9 THEN $10 END,
			closed_at = CASE WHEN $9 THEN coalesce(closed_at, now()) END
		WHERE id = $1 AND version = $2`,
		c.ID, c.Version, c.Flow, c.State, c.Data, c.Language, c.Owner, c.LastMessageSeq, c.Closed, nullIfEmpty(closedReason))
	if err != nil {
		return fmt.Errorf("save conversation %d: %w", c.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("save conversation %d: %w", c.ID, ErrConflict)
	}
	c.Version++
	return nil
}

func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// TranscriptMessage is one message of a conversation as a clinician reads
// it.
type TranscriptMessage struct {
	ID             int64
	ConversationID int64
	Seq            int
	Direction      ohcontact.Direction
	Author         ohcontact.Author
	AuthorName     string // the clinician's name, for their messages
	Body           string
	DeliveryStatus string // received for inbound messages
	ErrorReason    string // why an outbound message was not delivered
	At             time.Time
}

// Transcript returns conversation id's messages in order.
func Transcript(ctx context.Context, q Querier, conversationID int64) ([]TranscriptMessage, error) {
	msgs, err := transcript(ctx, q, `m.conversation_id = $1`, conversationID)
	if err != nil {
		return nil, fmt.Errorf("load transcript of conversation %d: %w", conversationID, err)
	}
	return msgs, nil
}

// Transcripts returns the messages of each of conversations ids, in order,
// by conversation, in one query.
func Transcripts(ctx context.Context, q Querier, ids []int64) (map[int64][]TranscriptMessage, error) {
	msgs, err := transcript(ctx, q, `m.conversation_id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("load transcripts of %d conversations: %w", len(ids), err)
	}
	byConv := make(map[int64][]TranscriptMessage, len(ids))
	for _, m := range msgs {
		byConv[m.ConversationID] = append(byConv[m.ConversationID], m)
	}
	return byConv, nil
}

// CaseTranscript returns the messages of case caseID's thread, oldest
// first: those of its conversation (convID, 0 when it has none), then those
// of the conversations the person started after a clinician handed it back
// (ohcontact.Conversation.FollowsCaseID), in the order they were written.
func CaseTranscript(ctx context.Context, q Querier, caseID, convID int64) ([]TranscriptMessage, error) {
	msgs, err := transcript(ctx, q, `m.conversation_id = $1 OR m.conversation_id IN
		(SELECT id FROM conversations WHERE follows_case_id = $2)`, convID, caseID)
	if err != nil {
		return nil, fmt.Errorf("load transcript of case %d: %w", caseID, err)
	}
	return msgs, nil
}

// transcript returns the messages matching where, by conversation, then
// in each in order: conversations in the order they were opened.
func transcript(ctx context.Context, q Querier, where string, args ...any) ([]TranscriptMessage, error) {
	rows, err := q.Query(ctx, `
		SELECT m.id, m.conversation_id, m.seq, m.direction, m.author, coalesce(u.display_name, ''), m.body, m.delivery_status,
		       coalesce(m.error_reason, ''), m.created_at
		FROM messages m LEFT JOIN users u ON u.id = m.author_user_id
		WHERE `+where+` ORDER BY m.conversation_id, m.seq`, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (TranscriptMessage, error) {
		var m TranscriptMessage
		err := row.Scan(&m.ID, &m.ConversationID, &m.Seq, &m.Direction, &m.Author, &m.AuthorName, &m.Body, &m.DeliveryStatus,
			&m.ErrorReason, &m.At)
		return m, err
	})
}

// PhoneText is one text on the demo phone simulator's screen.
type PhoneText struct {
	Seq      int
	Inbound  bool // written by the person holding the phone
	Body     string
	Status   string
	SentAt   time.Time
	ErrorMsg string
}

// PhoneTexts returns the SMS messages exchanged with mobile, oldest first,
// across that number's conversations (at most the latest 200).
func (db *DB) PhoneTexts(ctx context.Context, mobile string) ([]PhoneText, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT seq, direction = 'inbound', body, delivery_status, created_at, coalesce(error_reason, '')
		FROM (SELECT m.* FROM messages m JOIN conversations c ON c.id = m.conversation_id
		      WHERE c.channel = 'sms' AND c.address = $1 ORDER BY m.id DESC LIMIT 200) latest
		ORDER BY id`, mobile)
	if err != nil {
		return nil, fmt.Errorf("phone texts: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (PhoneText, error) {
		var p PhoneText
		err := r.Scan(&p.Seq, &p.Inbound, &p.Body, &p.Status, &p.SentAt, &p.ErrorMsg)
		return p, err
	})
}
