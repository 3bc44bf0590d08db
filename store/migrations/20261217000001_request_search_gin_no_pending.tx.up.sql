-- The trigram indexes take new entries straight into the index. With GIN's
-- fast update they gathered in a pending list that every search reads
-- whole and that the planner prices in: after a day of new requests a
-- search of "kamarul bin salleh" read the three lists for 25 ms, and a
-- search of "aisyah" was planned as a scan of the table (18 ms instead of
-- 5). Requests are written a few at a time, so the insert pays little.
{{if .Postgres}}
ALTER INDEX requests_reference_trgm SET (fastupdate = off);
--bun:split
ALTER INDEX requests_subject_name_trgm SET (fastupdate = off);
--bun:split
ALTER INDEX requests_subject_ic_trgm SET (fastupdate = off);
--bun:split
SELECT gin_clean_pending_list(i::regclass)
FROM unnest(ARRAY['requests_reference_trgm', 'requests_subject_name_trgm', 'requests_subject_ic_trgm']) AS i;
{{else}}
SELECT 1;
{{end}}
