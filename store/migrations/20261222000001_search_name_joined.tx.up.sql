-- A name of several words is searched on PostgreSQL through a trigram
-- index of the names with their spaces taken out ("ahmadbinti"): its
-- trigrams across the words ("adb", "dbi") are held only by the names that
-- hold the words side by side. The index of the names holds each word
-- apart, so a search of two common words read every row holding both to
-- find the ones that hold them as typed: 21,700 for "ahmad binti", which
-- no request holds, 90 ms at 1,000,000 requests against 0.1 now. Its
-- statistics are kept as finely as the other search columns' (see
-- 20261221000001): the planner's choice between walking the ids newest
-- first and reading the index rests on them. Built in 3.3 s at 1,000,000
-- requests (25 MB), during which requests cannot be created.
{{if .Postgres}}
CREATE INDEX requests_search_name_joined_trgm ON requests_search USING GIN (replace(LOWER(subject_name), ' ', '') gin_trgm_ops) WITH (fastupdate = off);
--bun:split
ALTER INDEX requests_search_name_joined_trgm ALTER COLUMN 1 SET STATISTICS 1000;
--bun:split
ANALYZE requests_search;
{{else}}
SELECT 1;
{{end}}
