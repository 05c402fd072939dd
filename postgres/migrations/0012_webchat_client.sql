-- 0012: web chat clients and sessions.
--
-- An anonymous web chat conversation remembers which client opened it: a
-- keyed hash of the client's network address (never the address itself),
-- so that repeated disclosures from one client within an hour join one
-- case instead of paging on-call once for each new conversation.
ALTER TABLE conversations ADD COLUMN client_key text CHECK (length(client_key) BETWEEN 16 AND 64);
CREATE INDEX conversations_client_key_idx ON conversations (client_key, created_at) WHERE client_key IS NOT NULL;

-- Web chat sessions ended with "End chat" ("end"). A session token names
-- its session; one listed here is never resumed. A row is kept until the
-- session would have expired anyway.
CREATE TABLE webchat_revoked_sessions (
    session_id  text PRIMARY KEY CHECK (length(session_id) BETWEEN 16 AND 64),
    expires_at  timestamptz NOT NULL
);
