-- A search by a part of a name first asks whether more than
-- Options.NamePayees (500) payees carry it, and which (payment.Service.
-- payeesNamed). Most parts a clerk types are common ("BINTI", a given
-- name), and an index that can stop at the 501st match is what that
-- question needs. Measured at 1,000,000 payments (103,295 payees, bench
-- data) on 300 parts of real names:
--
-- PostgreSQL's GIN trigram index cannot stop early: its bitmap holds every
-- match before the first is read (a common part 15–21 ms), and the
-- planner, seeing a LIMIT, often scanned the table instead (23–42 ms): the
-- lookup took 4.4 / 26.0 / 39.4 ms p50 / p90 / p99. A GiST trigram index
-- is read in order and stops at the LIMIT: 3.0 / 5.0 / 17.1 (its
-- signature of 64 bytes: with the default 12, 3.3 / 6.0 / 18.2). A part
-- of common words ("q bin k") leaves thousands of candidates to check
-- against the pattern, and ILIKE folds both texts' case for each: on the
-- names kept in small letters (name_lower) LIKE checks them as they are,
-- 2.3 / 3.9 / 10.4. Trigrams do not keep the words' order: "q bin k"
-- reads every name with "bin", a word ending in "q" and one starting with
-- "k". The index is of the names without their spaces (name_joined), where
-- "qbink"'s trigrams across the words ("qbi", "ink") are held only by
-- names with those words side by side; each is then checked with its
-- spaces (name_lower): 3.2 / 5.8 / 8.6–8.8, against 3.8–4.0 / 7.6 /
-- 11.4–12.6 through name_lower's index in the same hour.
--
-- SQLite compared every payee's name (LIKE): a rare part 17–30 ms. An FTS5
-- trigram table of the payees' names, kept by a trigger (payment_payees
-- is only ever inserted into), finds a rare part in 0.1–3 ms (8–11 for a
-- long phrase of common trigrams, such as a full name, where LIKE took
-- 23–31) and a common one's first 501 in 1.4–2.6.
--
-- When a part names more payees than that, the payments are read newest
-- first through payments_date, checking each one's name: on PostgreSQL
-- each a row read from the table (15–20 ms for "ana per"). The index holds
-- the names too (INCLUDE), so that the page's voucher numbers are found
-- from its entries alone, then only the page's rows read: 4.5–6.0 ms
-- (read so where the table's pages are marked all-visible, as autovacuum
-- leaves them after an import; until then each entry's row is checked, as
-- before). It grows from 39 to 66 MB at 1,000,000 payments, and is built
-- in 3.5 s. This migration took 6.0 s on PostgreSQL at 1,000,000 payments
-- (eMaklum waits meanwhile) and 1.2 s on SQLite.
{{if .Postgres}}
DROP INDEX payment_payees_name;
--bun:split
ALTER TABLE payment_payees ADD COLUMN name_lower VARCHAR(150) GENERATED ALWAYS AS (lower(payee_name)) STORED;
--bun:split
ALTER TABLE payment_payees ADD COLUMN name_joined VARCHAR(150) GENERATED ALWAYS AS (replace(lower(payee_name), ' ', '')) STORED;
--bun:split
CREATE INDEX payment_payees_name ON payment_payees USING gist (name_joined gist_trgm_ops(siglen = 64));
--bun:split
DROP INDEX payments_date;
--bun:split
CREATE INDEX payments_date ON payments (status_date, voucher_no) INCLUDE (payee_name);
{{else}}
CREATE VIRTUAL TABLE payment_payees_search USING fts5(payee_id UNINDEXED, payee_name, tokenize = 'trigram');
--bun:split
INSERT INTO payment_payees_search (payee_id, payee_name) SELECT payee_id, payee_name FROM payment_payees;
--bun:split
CREATE TRIGGER payment_payees_search_insert AFTER INSERT ON payment_payees BEGIN
    INSERT INTO payment_payees_search (payee_id, payee_name) VALUES (new.payee_id, new.payee_name);
END;
{{end}}
