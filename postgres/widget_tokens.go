package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// UseWidgetNonce records an identity token's nonce, valid until expires.
// It reports false when the nonce was used before (a replayed token).
// Nonces of expired tokens are forgotten: such tokens are refused anyway.
func UseWidgetNonce(ctx context.Context, tx pgx.Tx, nonce string, expires time.Time) (bool, error) {
	if _, err := tx.Exec(ctx, `DELETE FROM widget_token_nonces WHERE expires_at < now()`); err != nil {
		return false, fmt.Errorf("record widget token nonce: %w", err)
	}
	tag, err := tx.Exec(ctx, `INSERT INTO widget_token_nonces (nonce, expires_at) VALUES ($1, $2)
		ON CONFLICT (nonce) DO NOTHING`, nonce, expires)
	if err != nil {
		return false, fmt.Errorf("record widget token nonce: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// RevokeWebChatSession records that web chat session id has ended: it is
// never resumed. The record is kept until expires, when the session would
// be refused anyway; records past theirs are forgotten. Revoking a session
// twice is not an error.
func RevokeWebChatSession(ctx context.Context, tx pgx.Tx, id string, expires time.Time) error {
	_, err := tx.Exec(ctx, `DELETE FROM webchat_revoked_sessions WHERE expires_at < now()`)
	if err == nil {
		_, err = tx.Exec(ctx, `INSERT INTO webchat_revoked_sessions (session_id, expires_at) VALUES ($1, $2)
			ON CONFLICT (session_id) DO UPDATE SET expires_at = greatest(webchat_revoked_sessions.expires_at, $2)`, id, expires)
	}
	if err != nil {
		return fmt.Errorf("revoke web chat session: %w", err)
	}
	return nil
}

// WebChatSessionRevoked reports whether web chat session id was revoked
// (RevokeWebChatSession).
func WebChatSessionRevoked(ctx context.Context, q Querier, id string) (bool, error) {
	var revoked bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM webchat_revoked_sessions WHERE session_id = $1)`, id).Scan(&revoked)
	if err != nil {
		return false, fmt.Errorf("check web chat session: %w", err)
	}
	return revoked, nil
}
