-- Notifications waiting to be mailed. A workflow action writes its rows in its
-- own transaction, so that a mail exists exactly when the action committed;
-- workers claim due rows with a lease and record the outcome.
CREATE TABLE outbox (
    id              {{.ID}},
    kind            VARCHAR(40) NOT NULL,
    to_user_id      BIGINT REFERENCES users(id),
    to_email        VARCHAR(254) NOT NULL,
    to_name         VARCHAR(150) NOT NULL DEFAULT '',
    lang            VARCHAR(2) NOT NULL DEFAULT 'ms',
    data            TEXT NOT NULL,            -- JSON of notify.Data
    request_id      BIGINT REFERENCES requests(id),
    state           VARCHAR(10) NOT NULL DEFAULT 'queued',  -- queued, sent, failed
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at {{.Time}} NOT NULL,
    locked_until    {{.Time}},
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      {{.Time}} NOT NULL,
    sent_at         {{.Time}}
);
--bun:split
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
--bun:split
CREATE INDEX outbox_request ON outbox (request_id);
