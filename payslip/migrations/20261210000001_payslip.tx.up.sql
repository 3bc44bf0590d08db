-- ePayslip (slip gaji): the payroll imports, the months they brought with
-- their publication, one row per employee and month with its totals (so that
-- the list needs no sum), and the pay items of each slip.

-- One row per payroll file imported (audited as well).
CREATE TABLE payroll_imports (
    id          {{.ID}},
    file_name   VARCHAR(255) NOT NULL,
    sha256      VARCHAR(64) NOT NULL,
    lines       INTEGER NOT NULL,
    employees   INTEGER NOT NULL,
    slips       INTEGER NOT NULL,
    months      VARCHAR(255) NOT NULL,          -- YYYY-MM, comma-separated
    replaced    VARCHAR(255) NOT NULL DEFAULT '', -- months this import replaced
    warnings    TEXT NOT NULL DEFAULT '[]',      -- JSON [{"line","message"}] in BM and EN keys
    by_id       BIGINT REFERENCES users(id),
    by_login    VARCHAR(32) NOT NULL,
    at          {{.Time}} NOT NULL
);
--bun:split

-- A pay month: imported, then published (visible to its employees from
-- visible_from, or at once when it is NULL).
CREATE TABLE payroll_months (
    month        VARCHAR(7) PRIMARY KEY,
    state        VARCHAR(10) NOT NULL DEFAULT 'imported',
    import_id    BIGINT NOT NULL REFERENCES payroll_imports(id),
    employees    INTEGER NOT NULL,
    visible_from {{.Time}},
    published_at {{.Time}},
    published_by VARCHAR(32) NOT NULL DEFAULT ''
);
--bun:split

-- One employee's slip of one month, with the details and totals the
-- payroll gave. Looked up by the viewer's own MyKad only.
CREATE TABLE payslips (
    id             {{.ID}},
    month          VARCHAR(7) NOT NULL,
    ic_number      VARCHAR(12) NOT NULL,
    salary_no      VARCHAR(8) NOT NULL,
    name           VARCHAR(150) NOT NULL,
    ptj_code       VARCHAR(10) NOT NULL,
    position       VARCHAR(100) NOT NULL DEFAULT '',
    grade          VARCHAR(10) NOT NULL DEFAULT '',
    bank_code      VARCHAR(10) NOT NULL DEFAULT '',
    account_no     VARCHAR(20) NOT NULL DEFAULT '',
    tax_no         VARCHAR(13) NOT NULL DEFAULT '',
    epf_no         VARCHAR(12) NOT NULL DEFAULT '',
    gross_sen      BIGINT NOT NULL,
    deductions_sen BIGINT NOT NULL,
    net_sen        BIGINT NOT NULL,
    employer_sen   BIGINT NOT NULL,
    first_line     INTEGER NOT NULL,  -- where the slip starts in its file, for warnings
    -- The import that wrote it. No foreign key: the slips are written by
    -- their import's own transaction, right after its row, and a check per
    -- slip costs an import of 100,000 slips a second.
    import_id      BIGINT NOT NULL,
    slip_no        INTEGER NOT NULL   -- its number in the import: its items' key
);
--bun:split
-- The employee's list and slip (ic_number = ? ORDER BY month DESC).
CREATE UNIQUE INDEX payslips_employee ON payslips (ic_number, month);
--bun:split
-- The operators' totals per PTJ of a month.
CREATE INDEX payslips_month_ptj ON payslips (month, ptj_code);
--bun:split

-- The items of a slip in file order, under their import and the slip's
-- number in it (payslips.slip_no): the import copies them here (COPY) while
-- it reads the file, before the slips exist, in the order of the key, so
-- that the index only grows at its end. No foreign key to payslips: items
-- are only written by the import that writes their slips and deleted with
-- them, and a check per item would double the import's time.
CREATE TABLE payslip_items (
    import_id  BIGINT NOT NULL,
    slip_no    INTEGER NOT NULL,
    line_no    INTEGER NOT NULL,
    item_code  VARCHAR(10) NOT NULL,
    kind       VARCHAR(10) NOT NULL,
    name       VARCHAR(100) NOT NULL,
    amount_sen BIGINT NOT NULL,
    PRIMARY KEY (import_id, slip_no, line_no)
);
--bun:split

-- Who was told of which import of a month: the mail goes once per employee
-- and import, whoever publishes twice or at once.
CREATE TABLE payslip_notices (
    month     VARCHAR(7) NOT NULL,
    ic_number VARCHAR(12) NOT NULL,
    import_id BIGINT NOT NULL,
    at        {{.Time}} NOT NULL,
    PRIMARY KEY (month, ic_number, import_id)
);
