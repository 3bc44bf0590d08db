-- A search of a name of several words reads the names with their spaces
-- taken out (store.joinedName), on SQLite as on PostgreSQL, and
-- PostgreSQL's search table stores what searches compare.
--
-- SQLite's FTS5 table gains a column of the joined names, which its
-- content view computes from requests. "kamarulbinsalleh" has one trigram
-- that half the names hold ("bin"); the phrase "kamarul bin salleh" has
-- four (" bi", "bin", "in ", "n s"), each of whose lists FTS5 reads at
-- every row holding the rest. In the sqlite3 shell at 100,000 requests:
-- 5.6 ms → 2.3 for that name, 1.3–1.9 → 0.9 for "aisyah binti"; a search of
-- one word reads as before (the joined name's trigrams are mostly the
-- name's, in the same lists). Filled in about two seconds at 100,000
-- requests, during which requests cannot be created.
--
-- The FTS5 table's rowid is the request's id negated, so that its lists,
-- in the order of their rowids, hold the newest requests first: FTS5
-- reads a list forwards faster than backwards (backwards, it parses each
-- page forwards first), and a search reads newest first. In the sqlite3
-- shell at 100,000 requests, "kamarulbinsalleh" newest first 2.4–4.4 ms
-- backwards, 1.3–2.8 forwards. No query looks a row of the view up by its
-- rowid (the content is never read back: a search reads rowids alone), so
-- the negated id needs no index. FTS5 writes a list only in the order of
-- its rowids, and writes out what it holds whenever a row comes out of
-- order: the table is filled newest first (a 'rebuild' would read the
-- view oldest first, eight times slower), and a transaction creating many
-- requests writes its rows' lists one by one.
--
-- PostgreSQL's search table stores the reference and the name in small
-- letters, and the name joined, and its trigram indexes are of those
-- columns instead of expressions: a search common enough that the planner
-- walks the ids newest first computed them for every row it walked
-- ("aisyah binti", 1.1% of the names, at 100,000 requests: 7.7 ms, 2.9
-- with the columns stored; "aisyah" 1.8 → 1.0). The columns keep the
-- finer statistics of 20261221000001. The table is rewritten and its
-- three indexes built again: 2.6 s at 100,000 requests (an upgraded bench
-- database), during which requests cannot be created.
{{if .Postgres}}
ALTER TABLE requests_search
    ADD COLUMN reference_lower VARCHAR GENERATED ALWAYS AS (LOWER(reference)) STORED,
    ADD COLUMN subject_name_lower VARCHAR GENERATED ALWAYS AS (LOWER(subject_name)) STORED,
    ADD COLUMN subject_name_joined VARCHAR GENERATED ALWAYS AS (replace(LOWER(subject_name), ' ', '')) STORED;
--bun:split
DROP INDEX requests_search_reference_trgm;
--bun:split
DROP INDEX requests_search_subject_name_trgm;
--bun:split
DROP INDEX requests_search_name_joined_trgm;
--bun:split
CREATE INDEX requests_search_reference_trgm ON requests_search USING GIN (reference_lower gin_trgm_ops) WITH (fastupdate = off);
--bun:split
CREATE INDEX requests_search_subject_name_trgm ON requests_search USING GIN (subject_name_lower gin_trgm_ops) WITH (fastupdate = off);
--bun:split
CREATE INDEX requests_search_name_joined_trgm ON requests_search USING GIN (subject_name_joined gin_trgm_ops) WITH (fastupdate = off);
--bun:split
ALTER TABLE requests_search ALTER COLUMN reference_lower SET STATISTICS 1000;
--bun:split
ALTER TABLE requests_search ALTER COLUMN subject_name_lower SET STATISTICS 1000;
--bun:split
ALTER TABLE requests_search ALTER COLUMN subject_name_joined SET STATISTICS 1000;
--bun:split
ANALYZE requests_search;
{{else}}
DROP TRIGGER requests_search_insert;
--bun:split
DROP TRIGGER requests_search_update;
--bun:split
DROP TRIGGER requests_search_delete;
--bun:split
DROP TABLE requests_search;
--bun:split
CREATE VIEW requests_search_content AS
SELECT -id AS search_rowid, reference, subject_name, subject_ic, replace(subject_name, ' ', '') AS subject_name_joined
FROM requests;
--bun:split
CREATE VIRTUAL TABLE requests_search USING fts5(
    reference, subject_name, subject_ic, subject_name_joined,
    content='requests_search_content', content_rowid='search_rowid', tokenize='trigram'
);
--bun:split
INSERT INTO requests_search (rowid, reference, subject_name, subject_ic, subject_name_joined)
SELECT search_rowid, reference, subject_name, subject_ic, subject_name_joined
FROM requests_search_content ORDER BY search_rowid;
--bun:split
INSERT INTO requests_search (requests_search, rank) VALUES ('usermerge', 2);
--bun:split
CREATE TRIGGER requests_search_insert AFTER INSERT ON requests BEGIN
    INSERT INTO requests_search (rowid, reference, subject_name, subject_ic, subject_name_joined)
    VALUES (-new.id, new.reference, new.subject_name, new.subject_ic, replace(new.subject_name, ' ', ''));
END;
--bun:split
CREATE TRIGGER requests_search_update AFTER UPDATE OF reference, subject_name, subject_ic ON requests BEGIN
    INSERT INTO requests_search (requests_search, rowid, reference, subject_name, subject_ic, subject_name_joined)
    VALUES ('delete', -old.id, old.reference, old.subject_name, old.subject_ic, replace(old.subject_name, ' ', ''));
    INSERT INTO requests_search (rowid, reference, subject_name, subject_ic, subject_name_joined)
    VALUES (-new.id, new.reference, new.subject_name, new.subject_ic, replace(new.subject_name, ' ', ''));
END;
--bun:split
CREATE TRIGGER requests_search_delete AFTER DELETE ON requests BEGIN
    INSERT INTO requests_search (requests_search, rowid, reference, subject_name, subject_ic, subject_name_joined)
    VALUES ('delete', -old.id, old.reference, old.subject_name, old.subject_ic, replace(old.subject_name, ' ', ''));
END;
{{end}}
