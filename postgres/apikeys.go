package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/ohcontact/ohcontact"
)

// The scopes of an API key: what it may use.
const (
	// ScopeHR is the HR API: absence episodes and the staff directory.
	ScopeHR = "hr"
	// ScopeReferrals is the referrals API: physiotherapy referrals.
	ScopeReferrals = "referrals"
)

// APIScopes are the scopes an API key may have.
var APIScopes = []string{ScopeHR, ScopeReferrals}

// APIKey is a system's key to one API (Scope: ScopeHR or ScopeReferrals)
// of one organisation. Only the SHA-256 of the key is stored.
type APIKey struct {
	ID               int64
	OrganisationID   int64
	OrganisationCode string
	Scope            string
}

// CreateAPIKey stores the SHA-256 hash of a new key of scope (one of
// APIScopes) for organisation orgID under name, records it in the audit
// log with its scope, and returns its id.
func CreateAPIKey(ctx context.Context, tx pgx.Tx, orgID int64, name, scope string, hash []byte) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO api_keys (organisation_id, name, scope, key_hash) VALUES ($1, $2, $3, $4) RETURNING id`,
		orgID, name, scope, hash).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create api key: %w", err)
	}
	if err := Audit(ctx, tx, AuditEvent{Action: "api_key.created", RecordType: "api_key", RecordID: id, OrganisationID: orgID,
		Details: map[string]any{"scope": scope}}); err != nil {
		return 0, err
	}
	return id, nil
}

// APIKeyByHash returns the key that is not revoked whose SHA-256 is hash,
// and records that it was used, or returns ohcontact.ErrNotFound.
func APIKeyByHash(ctx context.Context, q Querier, hash []byte) (APIKey, error) {
	var k APIKey
	err := q.QueryRow(ctx, `
		UPDATE api_keys k SET last_used_at = now()
		FROM organisations o
		WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND o.id = k.organisation_id
		RETURNING k.id, k.organisation_id, o.code, k.scope`, hash).Scan(&k.ID, &k.OrganisationID, &k.OrganisationCode, &k.Scope)
	if errors.Is(err, pgx.ErrNoRows) {
		return k, fmt.Errorf("api key: %w", ohcontact.ErrNotFound)
	}
	if err != nil {
		return k, fmt.Errorf("find api key: %w", err)
	}
	return k, nil
}
