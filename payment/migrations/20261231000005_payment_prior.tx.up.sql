-- The vouchers an import's parts moved, as they stood before it. On SQLite
-- an import lands in parts (store.DB.RunJob), and one stopped midway whose
-- staging file is gone cannot be finished: it is abandoned instead
-- (payment.Service.AbandonImport), its new vouchers removed and those it
-- moved put back from here. A voucher's row is written once an import,
-- from its last moving line, so each has one row an import; the import's
-- rows go with its last part. A file applied in one transaction (every
-- file on PostgreSQL, a small one on SQLite) never writes here: a failure
-- undoes it whole. Only the columns an import may change are kept (a
-- voucher's payee and amount never change).
CREATE TABLE payment_prior (
    import_id      BIGINT NOT NULL,
    voucher_no     VARCHAR(20) NOT NULL,
    ptj_code       VARCHAR(10) NOT NULL,
    payee_name     VARCHAR(150) NOT NULL,
    invoice_no     VARCHAR(40) NOT NULL,
    status         VARCHAR(16) NOT NULL,
    status_date    VARCHAR(10) NOT NULL,
    payment_mode   VARCHAR(12) NOT NULL,
    payment_ref    VARCHAR(40) NOT NULL,
    bank_account   VARCHAR(20) NOT NULL,
    last_import_id BIGINT NOT NULL,
    updated_at     {{.Time}} NOT NULL,
    PRIMARY KEY (import_id, voucher_no)
);
