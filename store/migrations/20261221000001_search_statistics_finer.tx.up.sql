-- A search with nothing else to narrow it reads PostgreSQL's search table
-- newest first, and its planner picks between walking the ids newest
-- first (when the matches are many) and reading the trigram index then
-- sorting (when they are few), from its estimate of the matches. That
-- estimate of a LIKE '%…%' is the share of the column's histogram that
-- matches: with 100 entries a word in 0.1% of the names matched none (an
-- estimate of 0.01%) or one (1%), and on one ANALYZE in three (the sample
-- is random) the planner walked every id for its 100 matches, 50 ms at
-- 100,000 requests where the index reads them in 0.5. With 1,000 entries
-- the estimates held at every ANALYZE tried, for words in 0.1, 0.3 and
-- 0.6% of the names; planning a search takes 0.2 ms instead of 0.06.
{{if .Postgres}}
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
