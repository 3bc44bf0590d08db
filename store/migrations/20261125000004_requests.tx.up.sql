-- The Borang workflow: requests (Borang Pentadbiran Pengguna iSPEKS), their
-- history, delegations (pemangku), public holidays for working-day reminders,
-- the yearly reference counter and the treasury's default ceilings.

CREATE TABLE requests (
    id                {{.ID}},
    reference         VARCHAR(20) NOT NULL UNIQUE,   -- BPP/2026/000123
    kind              VARCHAR(16) NOT NULL,
    state             VARCHAR(20) NOT NULL,
    version           BIGINT NOT NULL DEFAULT 1,
    ptj_code          VARCHAR(10) NOT NULL REFERENCES ptj(code),
    subject_ic        VARCHAR(12) NOT NULL,
    subject_name      VARCHAR(150) NOT NULL,
    subject_email     VARCHAR(254) NOT NULL,
    subject_position  VARCHAR(100) NOT NULL DEFAULT '',
    subject_grade     VARCHAR(10) NOT NULL DEFAULT '',
    subject_salary_no VARCHAR(8) NOT NULL DEFAULT '',
    subject_user_id   BIGINT REFERENCES users(id),
    modules           TEXT NOT NULL DEFAULT '[]',      -- JSON list of modules
    roles             TEXT NOT NULL DEFAULT '[]',      -- JSON list of {role, approval_limit_sen}
    justification     TEXT NOT NULL DEFAULT '',
    declaration       BOOLEAN NOT NULL DEFAULT FALSE,
    submitter_id      BIGINT NOT NULL REFERENCES users(id),
    created_at        {{.Time}} NOT NULL,
    updated_at        {{.Time}} NOT NULL,
    state_since       {{.Time}} NOT NULL,              -- when it reached its state: reminders count from here
    last_reminded_at  {{.Time}}
);
--bun:split
-- At most one open request per subject: the database keeps the rule even
-- when two representatives submit at the same moment.
CREATE UNIQUE INDEX requests_one_open ON requests (subject_ic)
    WHERE state NOT IN ('provisioned', 'rejected', 'withdrawn');
--bun:split
CREATE INDEX requests_state ON requests (state, ptj_code);
--bun:split
CREATE INDEX requests_ptj ON requests (ptj_code, id);
--bun:split

CREATE TABLE request_events (
    id                {{.ID}},
    request_id        BIGINT NOT NULL REFERENCES requests(id),
    event             VARCHAR(16) NOT NULL,
    from_state        VARCHAR(20) NOT NULL,
    to_state          VARCHAR(20) NOT NULL,
    actor_id          BIGINT NOT NULL REFERENCES users(id),
    actor_login       VARCHAR(32) NOT NULL,
    actor_name        VARCHAR(150) NOT NULL,
    on_behalf_id      BIGINT REFERENCES users(id),
    on_behalf_login   VARCHAR(32),
    on_behalf_name    VARCHAR(150),
    remarks           TEXT NOT NULL DEFAULT '',
    at                {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX request_events_request ON request_events (request_id, id);
--bun:split

-- Pemangku: a controlling officer names a delegate of the same PTJ for a
-- range of dates (inclusive, Asia/Kuala_Lumpur calendar dates).
CREATE TABLE delegations (
    id           {{.ID}},
    ptj_code     VARCHAR(10) NOT NULL REFERENCES ptj(code),
    principal_id BIGINT NOT NULL REFERENCES users(id),
    delegate_id  BIGINT NOT NULL REFERENCES users(id),
    from_date    VARCHAR(10) NOT NULL,
    to_date      VARCHAR(10) NOT NULL,
    created_at   {{.Time}} NOT NULL,
    revoked_at   {{.Time}},
    CHECK (from_date <= to_date),
    CHECK (principal_id <> delegate_id)
);
--bun:split
CREATE INDEX delegations_delegate ON delegations (delegate_id, to_date);
--bun:split

-- Public holidays the treasury maintains (cuti umum); weekends are Saturday and Sunday.
CREATE TABLE holidays (
    day  VARCHAR(10) PRIMARY KEY,
    name VARCHAR(100) NOT NULL
);
--bun:split

-- The last reference number given out per year; taking the next one locks the row.
CREATE TABLE request_counters (
    year INTEGER PRIMARY KEY,
    last BIGINT NOT NULL
);
--bun:split

-- Default ceilings of approval limits (had kelulusan) per role, in sen; the
-- treasury changes them with `ispeks ceiling set`.
INSERT INTO role_ceilings (role, ceiling_sen) VALUES
    ('ptj_rep', 5000000),
    ('controlling_officer', 100000000),
    ('treasury_approver', 1000000000),
    ('sysadmin', 0),
    ('auditor', 0);
