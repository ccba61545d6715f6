-- The console: password-less sign-in links and browser sessions. Both hold
-- only a SHA-256 of their secret, so a copy of the database opens nothing.
-- Retention (deleting expired rows) is a later issue: the expiry columns are
-- indexed for it.

CREATE TABLE signin_links (
    id           uuid PRIMARY KEY,
    adviser_id   uuid NOT NULL REFERENCES advisers (id) ON DELETE CASCADE,
    token_hash   bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz
);
CREATE INDEX signin_links_expires ON signin_links (expires_at);

CREATE TABLE sessions (
    id            uuid PRIMARY KEY,
    adviser_id    uuid NOT NULL REFERENCES advisers (id) ON DELETE CASCADE,
    token_hash    bytea NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    revoked_at    timestamptz
);
CREATE INDEX sessions_adviser ON sessions (adviser_id) WHERE revoked_at IS NULL;
CREATE INDEX sessions_expires ON sessions (expires_at);

-- A write made in the console names the session it came from (API writes
-- name their key in actor_key_id).
ALTER TABLE audit_log ADD COLUMN actor_session_id uuid;
