-- Foundation: PTJ master data, profiles with roles and module grants, and the
-- append-only, hash-chained audit log. {{.ID}} and {{.Time}} are filled per
-- dialect (see store.sqlTypes); everything else is portable SQL.

-- Pusat Tanggungjawab: the offices that own users and requests.
CREATE TABLE ptj (
    code        VARCHAR(10) PRIMARY KEY,
    name        VARCHAR(200) NOT NULL,
    department  VARCHAR(200) NOT NULL DEFAULT '',
    created_at  {{.Time}} NOT NULL
);
--bun:split

-- Every profile is an employee; login is the MyKad number (12 digits) for
-- civil servants or a service login.
CREATE TABLE users (
    id                  {{.ID}},
    login               VARCHAR(32) NOT NULL UNIQUE,
    name                VARCHAR(150) NOT NULL,
    email               VARCHAR(254) NOT NULL,
    ptj_code            VARCHAR(10) NOT NULL REFERENCES ptj(code),
    position            VARCHAR(100) NOT NULL DEFAULT '',
    grade               VARCHAR(10) NOT NULL DEFAULT '',
    salary_no           VARCHAR(8) NOT NULL DEFAULT '',
    status              VARCHAR(16) NOT NULL DEFAULT 'active',
    lang                VARCHAR(2) NOT NULL DEFAULT 'ms',
    password_hash       VARCHAR(200) NOT NULL DEFAULT '',
    must_change         BOOLEAN NOT NULL DEFAULT FALSE,
    password_expires_at {{.Time}},
    password_changed_at {{.Time}},
    failed_attempts     INTEGER NOT NULL DEFAULT 0,
    locked_at           {{.Time}},
    created_at          {{.Time}} NOT NULL,
    updated_at          {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX users_ptj ON users (ptj_code);
--bun:split

-- Roles, each with its PTJ scope (for ptj_rep and controlling_officer) and an
-- approval limit (had kelulusan) in sen.
CREATE TABLE user_roles (
    user_id            BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role               VARCHAR(32) NOT NULL,
    ptj_code           VARCHAR(10) REFERENCES ptj(code),
    approval_limit_sen BIGINT NOT NULL DEFAULT 0 CHECK (approval_limit_sen >= 0),
    PRIMARY KEY (user_id, role)
);
--bun:split
CREATE INDEX user_roles_role ON user_roles (role, ptj_code);
--bun:split

CREATE TABLE user_modules (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    module  VARCHAR(16) NOT NULL,
    PRIMARY KEY (user_id, module)
);
--bun:split

-- The treasury's ceiling per role: no approval limit may exceed it.
CREATE TABLE role_ceilings (
    role        VARCHAR(32) PRIMARY KEY,
    ceiling_sen BIGINT NOT NULL CHECK (ceiling_sen >= 0)
);
--bun:split

-- Append-only audit log. Each row's hash covers its content and the previous
-- row's hash, so that altering or deleting a row breaks the chain.
CREATE TABLE audit_log (
    seq         BIGINT PRIMARY KEY,
    at          {{.Time}} NOT NULL,
    actor_id    BIGINT,
    actor_login VARCHAR(32) NOT NULL DEFAULT '',
    action      VARCHAR(64) NOT NULL,
    object_type VARCHAR(32) NOT NULL DEFAULT '',
    object_id   VARCHAR(64) NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    prev_hash   VARCHAR(64) NOT NULL,
    hash        VARCHAR(64) NOT NULL
);
--bun:split

-- The head of the chain: one row, updated by every append. Updating it first
-- takes its row lock, which puts concurrent appends in a line.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY,
    seq  BIGINT NOT NULL,
    hash VARCHAR(64) NOT NULL
);
--bun:split
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
