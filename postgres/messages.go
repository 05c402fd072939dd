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
func PhoneTexts(ctx context.Context, q Querier, mobile string) ([]PhoneText, error) {
	rows, err := q.Query(ctx, `
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

// OutboundSMS is an outbound text as the delivery job sees it.
type OutboundSMS struct {
	To     string // the conversation's address, E.164
	Body   string
	Status string // delivery_status
	// Organisation is the code of the organisation the text is sent for.
	Organisation string
}

// OutboundForDelivery loads outbound message id for the SMS delivery job.
// It returns ohcontact.ErrNotFound when there is no such outbound SMS (purged, say).
// A text queued before its person opted out is already failed (SetConsent).
func OutboundForDelivery(ctx context.Context, q Querier, id int64) (OutboundSMS, error) {
	var m OutboundSMS
	err := q.QueryRow(ctx, `
		SELECT c.address, m.body, m.delivery_status, o.code
		FROM messages m
		JOIN conversations c ON c.id = m.conversation_id
		JOIN organisations o ON o.id = c.organisation_id
		WHERE m.id = $1 AND m.direction = 'outbound' AND m.channel = 'sms'`, id).
		Scan(&m.To, &m.Body, &m.Status, &m.Organisation)
	if errors.Is(err, pgx.ErrNoRows) {
		return m, fmt.Errorf("outbound sms %d: %w", id, ohcontact.ErrNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("load outbound sms %d: %w", id, err)
	}
	return m, nil
}

// MarkSending records that a send attempt for message id is starting. A
// message found in state "sending" by a later attempt was interrupted
// between the provider call and RecordAccepted. It reports false, and
// changes nothing, when the message is no longer queued or sending (an
// opt-out failed it meanwhile): it must not be sent.
func MarkSending(ctx context.Context, q Querier, id int64) (bool, error) {
	return markSending(ctx, q, "messages", id)
}

// RecordAccepted stores the provider's id for message id and its first
// status ("queued", "accepted" or "sent" become "sent"; "delivered" stays).
func RecordAccepted(ctx context.Context, q Querier, id int64, externalID, status string) error {
	return recordAccepted(ctx, q, "messages", id, externalID, status)
}

// markSending and recordAccepted are MarkSending and RecordAccepted for
// the outbound texts in table, messages or on_call_texts.
func markSending(ctx context.Context, q Querier, table string, id int64) (bool, error) {
	tag, err := q.Exec(ctx, `
		UPDATE `+table+` SET delivery_status = 'sending', updated_at = now()
		WHERE id = $1 AND delivery_status IN ('queued', 'sending')`, id)
	if err != nil {
		return false, fmt.Errorf("mark %s %d sending: %w", table, id, err)
	}
	return tag.RowsAffected() == 1, nil
}

func recordAccepted(ctx context.Context, q Querier, table string, id int64, externalID, status string) error {
	if status != "delivered" {
		status = "sent"
	}
	_, err := q.Exec(ctx, `
		UPDATE `+table+` SET external_id = $2, delivery_status = $3, updated_at = now()
		WHERE id = $1 AND delivery_status IN ('queued', 'sending')`, id, externalID, status)
	if err != nil {
		return fmt.Errorf("record %s %d accepted: %w", table, id, err)
	}
	return nil
}

// RecordDeliveryFailure marks message id failed with the provider's error
// code (0 when none) and a plain reason. When optedOut is true, the person
// behind the message's conversation is recorded as opted out at now.
func RecordDeliveryFailure(ctx context.Context, tx pgx.Tx, id int64, code int, reason string, optedOut bool, now time.Time) error {
	var staffID *int64
	err := tx.QueryRow(ctx, `
		UPDATE messages m SET delivery_status = 'failed', error_code = nullif($2, 0), error_reason = left($3, 200), updated_at = now()
		FROM conversations c
		WHERE m.id = $1 AND c.id = m.conversation_id
		RETURNING c.staff_id`, id, code, reason).Scan(&staffID)
	if err != nil {
		return fmt.Errorf("record message %d failed: %w", id, err)
	}
	if optedOut && staffID != nil {
		return SetConsent(ctx, tx, *staffID, true, now)
	}
	return nil
}

// UpdateDeliveryStatus moves the outbound message (or on-call text) with
// provider id sid to status, never backwards (queued → sending → sent → delivered, undelivered
// or failed), and records errorCode when it is not 0. Error 21610 (the
// person replied STOP to the provider) also opts them out at now. It
// reports whether the message changed.
func UpdateDeliveryStatus(ctx context.Context, tx pgx.Tx, sid, status string, errorCode int, now time.Time) (bool, error) {
	var staffID *int64
	err := tx.QueryRow(ctx, `
		UPDATE messages m
		SET delivery_status = $2, error_code = coalesce(nullif($3, 0), m.error_code), updated_at = now()
		FROM conversations c
		WHERE m.channel = 'sms' AND m.external_id = $1 AND m.direction = 'outbound' AND c.id = m.conversation_id
		  AND delivery_rank($2) > delivery_rank(m.delivery_status)
		RETURNING c.staff_id`, sid, status, errorCode).Scan(&staffID)
	if errors.Is(err, pgx.ErrNoRows) {
		// Not a staff text: an on-call text, an unknown SID, or an
		// update that arrived out of order.
		tag, err := tx.Exec(ctx, `
			UPDATE on_call_texts SET delivery_status = $2, error_code = coalesce(nullif($3, 0), error_code), updated_at = now()
			WHERE external_id = $1 AND delivery_rank($2) > delivery_rank(delivery_status)`, sid, status, errorCode)
		if err != nil {
			return false, fmt.Errorf("update delivery status: %w", err)
		}
		return tag.RowsAffected() > 0, nil
	}
	if err == nil && errorCode == 21610 && staffID != nil {
		err = SetConsent(ctx, tx, *staffID, true, now)
	}
	if err != nil {
		return false, fmt.Errorf("update delivery status: %w", err)
	}
	return true, nil
}

// Messages is the messages table as the SMS delivery job and Twilio's
// status callback see it: each method runs its function of the same name
// on the pool, or in a transaction of its own when that takes a pgx.Tx.
type Messages struct{ DB *DB }

// OutboundForDelivery runs OutboundForDelivery on the pool.
func (ms Messages) OutboundForDelivery(ctx context.Context, id int64) (OutboundSMS, error) {
	return OutboundForDelivery(ctx, ms.DB.Pool, id)
}

// MarkSending runs MarkSending on the pool.
func (ms Messages) MarkSending(ctx context.Context, id int64) (bool, error) {
	return MarkSending(ctx, ms.DB.Pool, id)
}

// RecordAccepted runs RecordAccepted on the pool.
func (ms Messages) RecordAccepted(ctx context.Context, id int64, externalID, status string) error {
	return RecordAccepted(ctx, ms.DB.Pool, id, externalID, status)
}

// RecordDeliveryFailure runs RecordDeliveryFailure in a transaction.
func (ms Messages) RecordDeliveryFailure(ctx context.Context, id int64, code int, reason string, optedOut bool, now time.Time) error {
	return ms.DB.InTx(ctx, func(tx pgx.Tx) error {
		return RecordDeliveryFailure(ctx, tx, id, code, reason, optedOut, now)
	})
}

// UpdateDeliveryStatus runs UpdateDeliveryStatus in a transaction.
func (ms Messages) UpdateDeliveryStatus(ctx context.Context, sid, status string, errorCode int, now time.Time) (bool, error) {
	var changed bool
	err := ms.DB.InTx(ctx, func(tx pgx.Tx) (err error) {
		changed, err = UpdateDeliveryStatus(ctx, tx, sid, status, errorCode, now)
		return err
	})
	return changed && err == nil, err
}

// ChatMessage is a message as the web chat widget shows it.
type ChatMessage struct {
	Seq    int
	Author ohcontact.Author
	Body   string
	At     time.Time
	// ExternalID is the widget's id for a message the person sent.
	ExternalID string
}

// ChatPage is what a web chat conversation has after a message number.
type ChatPage struct {
	Messages []ChatMessage // in order
	Closed   bool
	Language string // the conversation's language now
}

// WebChatMessagesAfter returns the messages of web chat conversation id
// numbered after seq, whether the conversation is closed, and its
// language. In a snapshot (DB.InSnapshot) all are read from the same
// moment, so a caller that sends the messages and sees Closed has sent the
// last one.
func WebChatMessagesAfter(ctx context.Context, tx pgx.Tx, id int64, seq int) (ChatPage, error) {
	var p ChatPage
	err := tx.QueryRow(ctx, `SELECT status = 'closed', language FROM conversations WHERE id = $1`, id).Scan(&p.Closed, &p.Language)
	if err != nil {
		return ChatPage{}, fmt.Errorf("web chat messages of conversation %d: %w", id, err)
	}
	rows, err := tx.Query(ctx, `SELECT seq, author, body, created_at, coalesce(external_id, '')
		FROM messages WHERE conversation_id = $1 AND seq > $2 ORDER BY seq`, id, seq)
	if err == nil {
		p.Messages, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (ChatMessage, error) {
			var m ChatMessage
			err := r.Scan(&m.Seq, &m.Author, &m.Body, &m.At, &m.ExternalID)
			return m, err
		})
	}
	if err != nil {
		return ChatPage{}, fmt.Errorf("web chat messages of conversation %d: %w", id, err)
	}
	return p, nil
}

// MarkWebChatDelivered records that the outbound messages of conversation
// id up to seq have reached a browser.
func MarkWebChatDelivered(ctx context.Context, q Querier, id int64, seq int) error {
	_, err := q.Exec(ctx, `UPDATE messages SET delivery_status = 'delivered', updated_at = now()
		WHERE conversation_id = $1 AND seq <= $2 AND direction = 'outbound' AND delivery_status <> 'delivered'`, id, seq)
	if err != nil {
		return fmt.Errorf("mark web chat %d delivered: %w", id, err)
	}
	return nil
}

// WebChatSeen reports whether web chat conversation id has been seen: a
// browser has received one of its messages (MarkWebChatDelivered), or the
// person has written in it.
func WebChatSeen(ctx context.Context, q Querier, id int64) (bool, error) {
	var seen bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM messages WHERE conversation_id = $1
		AND `+reachedMessage+`)`, id).Scan(&seen)
	if err != nil {
		return false, fmt.Errorf("web chat %d seen: %w", id, err)
	}
	return seen, nil
}

// reachedMessage is the SQL condition on a row of messages that shows its
// conversation reached the person: an outbound message delivered (to a
// phone, or for web chat to a browser: MarkWebChatDelivered), or any
// message the person wrote.
const reachedMessage = `(direction = 'inbound' OR delivery_status = 'delivered')`
