-- On PostgreSQL, a search of a name of several words (store.joinedName)
-- finds the names first, in a table of every joined name ever held, each
-- once, and then their requests through a B-tree of the search table's
-- joined names.
--
-- Read through the trigram index of every request's joined name, a name
-- was as dear as the most common of its trigrams, whose lists the index
-- reads whole: "kamarulbinsalleh" holds "bin", which half the names hold
-- (Malay names' "bin" and "binti"), and at 1,000,000 requests its bitmap
-- took 15.6 ms of the query's 21.4 (EXPLAIN ANALYZE), its 1,600 matches'
-- rows 5 more. A person is the subject of several requests over the years
-- (their registration, each update, each reset of a password), so the
-- names are fewer than the requests, and their trigram lists shorter in
-- that proportion; a name's requests are then one B-tree range, read from
-- the index alone (the PTJ is in it, for a search within one's PTJs).
-- Where every request had a name of its own, the names' index would be the
-- requests' index of before and the ranges one entry each: no dearer.
--
-- A name is added by the trigger of the search table, when a request is
-- created or its subject's name changed, and never taken out: a name no
-- request holds any more finds nothing, and costs only its row. Two
-- requests about one new name, created at once, each add it: the second
-- waits for the first to commit (ON CONFLICT DO NOTHING), and adds none.
--
-- The trigram index of the search table's joined names is dropped: no
-- search reads it now, and it was a dozen trigrams to write per request.
-- SQLite reads its joined names in the FTS5 table, as before.
{{if .Postgres}}
CREATE TABLE request_names (
    name_joined VARCHAR PRIMARY KEY
);
--bun:split
INSERT INTO request_names (name_joined)
SELECT DISTINCT subject_name_joined FROM requests_search;
--bun:split
CREATE INDEX request_names_trgm ON request_names USING GIN (name_joined gin_trgm_ops) WITH (fastupdate = off);
--bun:split
CREATE INDEX requests_search_name_joined ON requests_search (subject_name_joined, id) INCLUDE (ptj_code);
--bun:split
DROP INDEX requests_search_name_joined_trgm;
--bun:split
CREATE FUNCTION request_names_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO request_names (name_joined) VALUES (NEW.subject_name_joined)
    ON CONFLICT (name_joined) DO NOTHING;
    RETURN NULL;
END
$$;
--bun:split
-- The joined name is generated from subject_name, which is what an UPDATE
-- sets (requests_search_keep's ON CONFLICT DO UPDATE among them).
CREATE TRIGGER request_names_keep AFTER INSERT OR UPDATE OF subject_name ON requests_search
FOR EACH ROW EXECUTE FUNCTION request_names_keep();
--bun:split
-- The joined names are compared for equality now, whose estimate needs no
-- finer statistics than the default (20261221000001 set them for LIKE's),
-- and a thousand of them made planning the join to the names a few tenths
-- of a millisecond dearer.
ALTER TABLE requests_search ALTER COLUMN subject_name_joined SET STATISTICS -1;
--bun:split
ANALYZE request_names;
--bun:split
ANALYZE requests_search;
{{else}}
SELECT 1;
{{end}}
