package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
)

// ChatMessage is a message as the web chat widget shows it.
type ChatMessage struct {
	Seq    int
	Author ohcontact.Author
	Body   string
	At     time.Time
	// ExternalID is the widget's id for a message the person sent.
	ExternalID string
}

// OpenWebChat returns the id of the open web chat conversation at address,
// or ErrNotFound.
func (db *DB) OpenWebChat(ctx context.Context, address string) (int64, error) {
	var id int64
	err := db.Pool.QueryRow(ctx, `SELECT id FROM conversations
		WHERE channel = 'webchat' AND address = $1 AND status = 'open'
		ORDER BY id DESC LIMIT 1`, address).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("find open web chat: %w", err)
	}
	return id, nil
}

// WebChatConversationOf returns the id of the web chat conversation at
// address that holds the message the widget sent with externalID, open or
// closed, or ErrNotFound.
func (db *DB) WebChatConversationOf(ctx context.Context, address, externalID string) (int64, error) {
	var id int64
	err := db.Pool.QueryRow(ctx, `SELECT c.id FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.channel = 'webchat' AND m.external_id = $2 AND c.channel = 'webchat' AND c.address = $1`,
		address, externalID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("find the web chat of a message: %w", err)
	}
	return id, nil
}

// ChatPage is what a web chat conversation has after a message number.
type ChatPage struct {
	Messages []ChatMessage // in order
	Closed   bool
	Language string // the conversation's language now
}

// WebChatMessagesAfter returns the messages of web chat conversation id
// numbered after seq, whether the conversation is closed, and its
// language. All are read in one snapshot, so a caller that sends the
// messages and sees Closed has sent the last one.
func (db *DB) WebChatMessagesAfter(ctx context.Context, id int64, seq int) (ChatPage, error) {
	var p ChatPage
	snapshot := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	err := pgx.BeginTxFunc(ctx, db.Pool, snapshot, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT status = 'closed', language FROM conversations WHERE id = $1`, id).Scan(&p.Closed, &p.Language); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT seq, author, body, created_at, coalesce(external_id, '')
			FROM messages WHERE conversation_id = $1 AND seq > $2 ORDER BY seq`, id, seq)
		if err != nil {
			return err
		}
		p.Messages, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (ChatMessage, error) {
			var m ChatMessage
			err := r.Scan(&m.Seq, &m.Author, &m.Body, &m.At, &m.ExternalID)
			return m, err
		})
		return err
	})
	if err != nil {
		return ChatPage{}, fmt.Errorf("web chat messages of conversation %d: %w", id, err)
	}
	return p, nil
}

// MarkWebChatDelivered records that the outbound messages of conversation
// id up to seq have reached a browser.
func (db *DB) MarkWebChatDelivered(ctx context.Context, id int64, seq int) error {
	_, err := db.Pool.Exec(ctx, `UPDATE messages SET delivery_status = 'delivered', updated_at = now()
		WHERE conversation_id = $1 AND seq <= $2 AND direction = 'outbound' AND delivery_status <> 'delivered'`, id, seq)
	if err != nil {
		return fmt.Errorf("mark web chat %d delivered: %w", id, err)
	}
	return nil
}

// reachedMessage is the SQL condition on a row of messages that shows its
// conversation reached the person: an outbound message delivered (to a
// phone, or for web chat to a browser: MarkWebChatDelivered), or any
// message the person wrote.
const reachedMessage = `(direction = 'inbound' OR delivery_status = 'delivered')`

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

// EndWebChat closes the open web chat at address with reason "ended",
// when the bot has it. A conversation a clinician has stays open, so the
// clinician can still answer; the widget forgets it all the same. It
// returns the id and last message number of a conversation left open (0 and
// 0 when none is).
func (db *DB) EndWebChat(ctx context.Context, address string) (kept int64, seq int, err error) {
	_, err = db.Pool.Exec(ctx, `UPDATE conversations
		SET status = 'closed', closed_reason = 'ended', closed_at = now(), version = version + 1
		WHERE channel = 'webchat' AND address = $1 AND status = 'open' AND owner = 'bot'`, address)
	if err == nil {
		err = db.Pool.QueryRow(ctx, `SELECT id, last_message_seq FROM conversations
			WHERE channel = 'webchat' AND address = $1 AND status = 'open'`, address).Scan(&kept, &seq)
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, 0, nil
		}
	}
	if err != nil {
		return 0, 0, fmt.Errorf("end web chat: %w", err)
	}
	return kept, seq, nil
}

// UseWidgetNonce records an identity token's nonce, valid until expires.
// It reports false when the nonce was used before (a replayed token).
// Nonces of expired tokens are forgotten: such tokens are refused anyway.
func (db *DB) UseWidgetNonce(ctx context.Context, nonce string, expires time.Time) (bool, error) {
	var fresh bool
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM widget_token_nonces WHERE expires_at < now()`); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO widget_token_nonces (nonce, expires_at) VALUES ($1, $2)
			ON CONFLICT (nonce) DO NOTHING`, nonce, expires)
		fresh = tag.RowsAffected() == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("record widget token nonce: %w", err)
	}
	return fresh, nil
}

// RevokeWebChatSession records that web chat session id has ended: it is
// never resumed. The record is kept until expires, when the session would
// be refused anyway; records past theirs are forgotten. Revoking a session
// twice is not an error.
func (db *DB) RevokeWebChatSession(ctx context.Context, id string, expires time.Time) error {
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM webchat_revoked_sessions WHERE expires_at < now()`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO webchat_revoked_sessions (session_id, expires_at) VALUES ($1, $2)
			ON CONFLICT (session_id) DO UPDATE SET expires_at = greatest(webchat_revoked_sessions.expires_at, $2)`, id, expires)
		return err
	})
	if err != nil {
		return fmt.Errorf("revoke web chat session: %w", err)
	}
	return nil
}

// WebChatSessionRevoked reports whether web chat session id was revoked
// (RevokeWebChatSession).
func (db *DB) WebChatSessionRevoked(ctx context.Context, id string) (bool, error) {
	var revoked bool
	err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM webchat_revoked_sessions WHERE session_id = $1)`, id).Scan(&revoked)
	if err != nil {
		return false, fmt.Errorf("check web chat session: %w", err)
	}
	return revoked, nil
}
