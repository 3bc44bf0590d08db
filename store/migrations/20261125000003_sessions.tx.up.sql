-- Login: server-side sessions (web cookies and API bearer tokens alike), one-
-- time set-password links, and failed logins per client address (throttle).
-- Tokens are stored as SHA-256 hashes: a copy of the database opens nothing.

CREATE TABLE sessions (
    id           VARCHAR(64) PRIMARY KEY,  -- SHA-256 of the token
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind         VARCHAR(8) NOT NULL,      -- web or api
    created_at   {{.Time}} NOT NULL,
    last_seen_at {{.Time}} NOT NULL,
    expires_at   {{.Time}} NOT NULL,       -- absolute end
    ip           VARCHAR(64) NOT NULL DEFAULT ''
);
--bun:split
CREATE INDEX sessions_user ON sessions (user_id);
--bun:split

CREATE TABLE password_tokens (
    id         VARCHAR(64) PRIMARY KEY,    -- SHA-256 of the token in the link
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at {{.Time}} NOT NULL,
    expires_at {{.Time}} NOT NULL,
    used_at    {{.Time}}
);
--bun:split
CREATE INDEX password_tokens_user ON password_tokens (user_id);
--bun:split

CREATE TABLE login_failures (
    id {{.ID}},
    ip VARCHAR(64) NOT NULL,
    at {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX login_failures_ip ON login_failures (ip, at);
