-- PostgreSQL's search table, read for a search with nothing else to
-- narrow it, newest first: its planner picks between walking the ids
-- newest first (when the matches are many) and reading a trigram index
-- then sorting (when they are few), from its estimate of the matches.
--
-- A name of several words is read through a trigram index of the names
-- with their spaces taken out ("ahmadbinti"): its trigrams across the
-- words ("adb", "dbi") are held only by the names that hold the words side
-- by side. The index of the names holds each word apart, so a search of
-- two common words read every row holding both to find the ones that hold
-- them as typed: 21,700 for "ahmad binti", which no request holds, 90 ms
-- at 1,000,000 requests against 0.4 now. Built in 3.3 s at 1,000,000
-- requests (25 MB), during which requests cannot be created.
--
-- The estimate of a LIKE '%…%' is the share of the column's histogram
-- that matches: with 100 entries a word in 0.1% of the names matched none
-- (an estimate of 0.01%) or one (1%), and on one ANALYZE in three (the
-- sample is random) the planner walked every id for its 100 matches, 50
-- ms at 100,000 requests where the index reads them in 0.5. With 1,000
-- entries the estimates held at every ANALYZE tried, for words in 0.1, 0.3
-- and 0.6% of the names; planning a search takes 0.2 ms instead of 0.06.
{{if .Postgres}}
CREATE INDEX requests_search_name_joined_trgm ON requests_search USING GIN (replace(LOWER(subject_name), ' ', '') gin_trgm_ops) WITH (fastupdate = off);
--bun:split
ALTER INDEX requests_search_name_joined_trgm ALTER COLUMN 1 SET STATISTICS 1000;
--bun:split
ALTER INDEX requests_search_subject_name_trgm ALTER COLUMN 1 SET STATISTICS 1000;
--bun:split
ALTER INDEX requests_search_reference_trgm ALTER COLUMN 1 SET STATISTICS 1000;
--bun:split
ALTER TABLE requests_search ALTER COLUMN subject_ic SET STATISTICS 1000;
--bun:split
ANALYZE requests_search;
{{else}}
SELECT 1;
{{end}}
