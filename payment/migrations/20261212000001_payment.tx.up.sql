-- eMaklum: payments (vouchers) from the accounting system, each with the
-- history of its statuses, the imports they came in, the public status
-- check's throttle and each user's choice of mail.
--
-- No foreign keys on the bulk tables (payments, payment_events, payee
-- names): an import writes a million rows in one transaction that also
-- writes the import row they point at, and a check per row would cost more
-- than the rest of the import.

{{if .Postgres}}CREATE EXTENSION IF NOT EXISTS pg_trgm{{else}}SELECT 1{{end}};
--bun:split

-- One import file: who, which file (name and SHA-256), how it went. A row is
-- written when the import starts (state running), so that a page can show
-- its progress, and finished in the import's own transaction (done) or
-- after it rolled back (rejected, with the first line errors as JSON).
CREATE TABLE payment_imports (
    id           {{.ID}},
    file_name    VARCHAR(255) NOT NULL,
    sha256       VARCHAR(64) NOT NULL DEFAULT '',
    state        VARCHAR(10) NOT NULL,           -- running, done, rejected
    lines        BIGINT NOT NULL DEFAULT 0,      -- data lines read
    vouchers     BIGINT NOT NULL DEFAULT 0,
    created      BIGINT NOT NULL DEFAULT 0,      -- vouchers new to the portal
    updated      BIGINT NOT NULL DEFAULT 0,      -- vouchers that moved
    events       BIGINT NOT NULL DEFAULT 0,      -- history rows written
    error_count  BIGINT NOT NULL DEFAULT 0,
    errors       TEXT NOT NULL DEFAULT '',
    user_id      BIGINT REFERENCES users(id),
    actor_login  VARCHAR(32) NOT NULL,
    started_at   {{.Time}} NOT NULL,
    heartbeat_at {{.Time}},                      -- progress written while running (PostgreSQL)
    finished_at  {{.Time}}
);
--bun:split
CREATE INDEX payment_imports_started ON payment_imports (started_at);
--bun:split

-- A voucher as it stands now: the latest line of the files. Dates are
-- calendar dates in Malaysia written YYYY-MM-DD, which sort as they read.
CREATE TABLE payments (
    voucher_no      VARCHAR(20) PRIMARY KEY,
    ptj_code        VARCHAR(10) NOT NULL,
    payee_id        VARCHAR(20) NOT NULL,
    payee_name      VARCHAR(150) NOT NULL,
    invoice_no      VARCHAR(40) NOT NULL,
    amount_sen      BIGINT NOT NULL CHECK (amount_sen > 0),
    status          VARCHAR(16) NOT NULL,
    status_date     VARCHAR(10) NOT NULL,
    payment_mode    VARCHAR(12) NOT NULL,
    payment_ref     VARCHAR(40) NOT NULL DEFAULT '',
    bank_account    VARCHAR(20) NOT NULL DEFAULT '',
    first_import_id BIGINT NOT NULL,
    last_import_id  BIGINT NOT NULL,
    updated_at      {{.Time}} NOT NULL
);
--bun:split
-- Each index serves a search with the list's order (newest status first):
-- a payee's own payments, a status in a date range, a PTJ's, everything by
-- date; and the exact look-ups by invoice and payment reference.
CREATE INDEX payments_payee ON payments (payee_id, status_date, voucher_no);
--bun:split
CREATE INDEX payments_status ON payments (status, status_date, voucher_no);
--bun:split
CREATE INDEX payments_ptj ON payments (ptj_code, status_date, voucher_no);
--bun:split
CREATE INDEX payments_date ON payments (status_date, voucher_no);
--bun:split
CREATE INDEX payments_invoice ON payments (invoice_no);
--bun:split
CREATE INDEX payments_ref ON payments (payment_ref);
--bun:split

-- The history of a voucher: every line that moved it, in the order of the
-- files and their lines.
CREATE TABLE payment_events (
    voucher_no   VARCHAR(20) NOT NULL,
    import_id    BIGINT NOT NULL,
    line         BIGINT NOT NULL,
    status       VARCHAR(16) NOT NULL,
    status_date  VARCHAR(10) NOT NULL,
    payment_mode VARCHAR(12) NOT NULL,
    payment_ref  VARCHAR(40) NOT NULL DEFAULT '',
    PRIMARY KEY (voucher_no, import_id, line)
);
--bun:split

-- Every name a payee id has carried: the name search looks here (a few
-- rows a payee) and then at the payee's payments by their index, instead
-- of matching text against every payment. PostgreSQL matches a part of a
-- name through a trigram index; SQLite scans this table, which at SQLite's
-- scale is small.
CREATE TABLE payment_payees (
    payee_id   VARCHAR(20) NOT NULL,
    payee_name VARCHAR(150) NOT NULL,
    PRIMARY KEY (payee_id, payee_name)
);
--bun:split
{{if .Postgres}}CREATE INDEX payment_payees_name ON payment_payees USING gin (payee_name gin_trgm_ops){{else}}SELECT 1{{end}};
--bun:split

-- The public status check's throttle: one row per check, by client address
-- (kind ip) and by payee id (kind payee, its SHA-256), so that the limits
-- hold across instances. Rows past the window are deleted as checks come.
CREATE TABLE payment_status_checks (
    id   {{.ID}},
    kind VARCHAR(8) NOT NULL,
    subject VARCHAR(64) NOT NULL,
    at   {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX payment_status_checks_key ON payment_status_checks (kind, subject, at);
--bun:split
CREATE INDEX payment_status_checks_at ON payment_status_checks (at);
--bun:split

-- A user's choices in eMaklum: no row means the defaults (mail on).
CREATE TABLE payment_settings (
    user_id      BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    mail_on_move BOOLEAN NOT NULL,
    updated_at   {{.Time}} NOT NULL
);
