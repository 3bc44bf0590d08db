-- eEC (Borang EC, C.P.8C): the treasury's mapping of pay item codes to the
-- form's lines, the years generated and published, one statement per
-- employee and year with its figures, the item codes each generation read,
-- and who was told of which version of their statement.

-- Each payroll item code's line on the Borang EC ('none': not on it).
CREATE TABLE statement_mapping (
    item_code  VARCHAR(10) PRIMARY KEY,
    ec_line    VARCHAR(4) NOT NULL,
    updated_at {{.Time}} NOT NULL,
    updated_by VARCHAR(32) NOT NULL
);
--bun:split

-- A year of statements: generated (seen by operators only), then published
-- to its employees. months/sources are the published pay months it read and
-- their imports ("2025-01:7,…"), so that a payroll correction since is seen.
CREATE TABLE statement_years (
    year         INTEGER PRIMARY KEY,
    state        VARCHAR(10) NOT NULL DEFAULT 'generated',
    months       VARCHAR(100) NOT NULL,
    sources      TEXT NOT NULL,
    statements   INTEGER NOT NULL,
    generated_at {{.Time}} NOT NULL,
    generated_by VARCHAR(32) NOT NULL,
    published_at {{.Time}},
    published_by VARCHAR(32) NOT NULL DEFAULT ''
);
--bun:split

-- One employee's Borang EC of one year: the header and section A as the
-- last pay slip of the year has them, start/end month when paid for only
-- part of the year's months, and every figure in sen. version grows each
-- time a generation changes anything of it; the serial number is the id.
CREATE TABLE statements (
    id          {{.ID}},
    year        INTEGER NOT NULL,
    ic_number   VARCHAR(12) NOT NULL,
    version     INTEGER NOT NULL,
    employer_no VARCHAR(11) NOT NULL,
    salary_no   VARCHAR(8) NOT NULL,
    name        VARCHAR(150) NOT NULL,
    ptj_code    VARCHAR(10) NOT NULL,
    position    VARCHAR(100) NOT NULL,
    grade       VARCHAR(10) NOT NULL,
    tax_no      VARCHAR(13) NOT NULL,
    epf_no      VARCHAR(12) NOT NULL,
    start_month VARCHAR(7),
    end_month   VARCHAR(7),
    b1a_sen  BIGINT NOT NULL,
    b1b_sen  BIGINT NOT NULL,
    b1c_sen  BIGINT NOT NULL,
    b1d_sen  BIGINT NOT NULL,
    b1f_sen  BIGINT NOT NULL,
    b2_sen   BIGINT NOT NULL,
    b3_sen   BIGINT NOT NULL,
    b4_sen   BIGINT NOT NULL,
    b6_sen   BIGINT NOT NULL,
    c1_sen   BIGINT NOT NULL,
    d1_sen   BIGINT NOT NULL,
    d2_sen   BIGINT NOT NULL,
    d3_sen   BIGINT NOT NULL,
    e1_sen   BIGINT NOT NULL,
    e2_sen   BIGINT NOT NULL,
    f_sen    BIGINT NOT NULL,
    changed_at  {{.Time}} NOT NULL
);
--bun:split
-- The employee's years and statement (ic_number = ? [AND year = ?]).
CREATE UNIQUE INDEX statements_employee ON statements (ic_number, year);
--bun:split
-- The operators' totals per PTJ and list of a year.
CREATE INDEX statements_year_ptj ON statements (year, ptj_code);
--bun:split

-- The item codes paid in a year's published slips as its last generation
-- found them, with the line they had then (NULL: no mapping).
CREATE TABLE statement_codes (
    year       INTEGER NOT NULL,
    item_code  VARCHAR(10) NOT NULL,
    kind       VARCHAR(10) NOT NULL,
    name       VARCHAR(100) NOT NULL,
    ec_line    VARCHAR(4),
    employees  INTEGER NOT NULL,
    amount_sen BIGINT NOT NULL,
    PRIMARY KEY (year, item_code)
);
--bun:split

-- Who was told of which version of their statement: one mail per employee
-- and version, whoever publishes or regenerates, and however often.
CREATE TABLE statement_notices (
    year      INTEGER NOT NULL,
    ic_number VARCHAR(12) NOT NULL,
    version   INTEGER NOT NULL,
    at        {{.Time}} NOT NULL,
    PRIMARY KEY (year, ic_number, version)
);
