-- Hardening of logins (issue 13): the throttle counts failures per address
-- and login; a lock lasts as long as the lock schedule says (locked_until,
-- NULL: until a sysadmin unlocks or a reset), growing with each lock in a
-- row (lock_count); the hashes of a user's earlier passwords, which a new one
-- may not repeat.

ALTER TABLE login_failures ADD COLUMN login VARCHAR(32) NOT NULL DEFAULT '';
--bun:split
CREATE INDEX login_failures_ip_login ON login_failures (ip, login, at);
--bun:split
ALTER TABLE users ADD COLUMN locked_until {{.Time}};
--bun:split
ALTER TABLE users ADD COLUMN lock_count INTEGER NOT NULL DEFAULT 0;
--bun:split

CREATE TABLE password_history (
    id         {{.ID}},
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    hash       VARCHAR(200) NOT NULL,
    created_at {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX password_history_user ON password_history (user_id, id);
