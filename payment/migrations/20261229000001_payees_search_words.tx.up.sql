-- The payees' names index (payment.Service.payeesNamed) holds, beside the
-- names without their spaces (name_joined), the names with them
-- (name_lower), so that both of the lookup's conditions are read in the
-- index and a candidate whose letters run together but whose words do not
-- match is set aside there, not read from the table and checked. A part of
-- common words found thousands of such candidates: "k en" holds "ken" in
-- 2,426 names joined and "k en" in 616, and its first 501 took 9.3 ms, read
-- in 3.7 this way (1,942 candidates checked against 841); "l bin abd", 404
-- payees, 2.5 → 1.9 ms. At 1,000,000 payments (103,295 payees), 300 parts
-- of real names through payment.Service.Search, best of three each, the
-- index swapped by hand between runs: p50 / p90 / p99 5.0–5.5 / 7.5–8.9 /
-- 16.2–17.2 ms before, 4.6 / 7.4–7.7 / 11.9–13.7 after. The index grows
-- from 12 to 23 MB and is built in 2.5 s (a first load builds it after its
-- rows, as before); this migration took 2.3 s at 1,000,000 payments, and
-- eMaklum's searches by name wait for it meanwhile (the old index is
-- dropped in the same transaction).
--
-- SQLite's FTS5 table matches the phrase with its spaces already.
{{if .Postgres}}
DROP INDEX payment_payees_name;
--bun:split
CREATE INDEX payment_payees_name ON payment_payees USING gist (name_joined gist_trgm_ops(siglen = 64), name_lower gist_trgm_ops(siglen = 64));
{{else}}
SELECT 1;
{{end}}
