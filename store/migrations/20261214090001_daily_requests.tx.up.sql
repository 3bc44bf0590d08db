-- Daily use of the Borang (issue 14): supporting documents attached to a
-- request, kept in the database so that a backup holds them; the short-lived
-- state of a refused form carried to the page it redirects to (post/
-- redirect/get), bound to its session; and indexes for the audit page's
-- filters, each ending in the arrival number (id), the order the page reads
-- the log in (a record has its seq only once sealed, after commit).

CREATE TABLE request_attachments (
    id           {{.ID}},
    request_id   BIGINT NOT NULL REFERENCES requests(id),
    name         VARCHAR(255) NOT NULL,              -- the file's name as sent, for the download
    content_type VARCHAR(32) NOT NULL,               -- found from the content: application/pdf, image/jpeg, image/png
    size         BIGINT NOT NULL CHECK (size > 0),
    sha256       VARCHAR(64) NOT NULL,
    data         {{if .Postgres}}BYTEA{{else}}BLOB{{end}} NOT NULL,
    uploaded_by  BIGINT NOT NULL REFERENCES users(id),
    uploaded_at  {{.Time}} NOT NULL,
    UNIQUE (request_id, sha256)                      -- one file once per request: a second click adds nothing
);
--bun:split
CREATE INDEX request_attachments_request ON request_attachments (request_id, id);
--bun:split

CREATE TABLE form_flashes (
    session_id VARCHAR(64) NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    path       VARCHAR(255) NOT NULL,                -- the page that shows it
    payload    TEXT NOT NULL,                        -- JSON: the values typed, the messages
    expires_at {{.Time}} NOT NULL,
    PRIMARY KEY (session_id, path)
);
--bun:split

CREATE INDEX audit_log_actor ON audit_log (actor_login, id);
--bun:split
CREATE INDEX audit_log_action ON audit_log (action, id);
--bun:split
CREATE INDEX audit_log_object ON audit_log (object_id, id);
--bun:split
CREATE INDEX audit_log_at ON audit_log (at);
