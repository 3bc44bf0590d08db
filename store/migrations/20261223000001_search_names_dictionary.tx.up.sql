-- A search of a name of several words (store.joinedName) reads the names
-- holding it first, from a table of every joined name ever held, each
-- once, and then their requests through a B-tree of the joined names
-- (store.RequestQuery.on and namesIn).
--
-- Read through a trigram index of every request's joined name, a name was
-- as dear as the most common of its trigrams, whose lists the index reads:
-- "kamarulbinsalleh" holds "bin", which half the names hold (Malay names'
-- "bin" and "binti"). On PostgreSQL at 1,000,000 requests its bitmap took
-- 15.6 ms of the query's 21.4 (EXPLAIN ANALYZE), its 1,600 matches' rows 5
-- more; on SQLite, FTS5's read of its list was most of the page. A person
-- is the subject of several requests over the years (their registration,
-- each update, each reset of a password), so the names are fewer than
-- the requests, and their trigram lists shorter in that proportion; a
-- name's requests are then one B-tree range.
--
-- The requests' own indexes of their joined names are kept (PostgreSQL's
-- trigram index, the joined column of SQLite's FTS5 table): a name of
-- words held by more than 200 names is read through them as before
-- (store.namesListed), as its requests are then commonly many, and
-- those indexes read them newest first and stop at the page.
--
-- A name is added by trigger when a request is created or its subject's
-- name changed, and never taken out: a name no request holds any more
-- finds nothing, and costs only its row. Two requests about one new name
-- each add it; the second adds none (on PostgreSQL it waits for the first
-- to commit: ON CONFLICT DO NOTHING).
--
-- Measured with `ispeks migrate` on upgraded bench databases of 100,000
-- requests: SQLite 0.4 s, PostgreSQL 0.5 s, during which requests cannot
-- be created.
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
ANALYZE request_names;
--bun:split
ANALYZE requests_search;
{{else}}
CREATE TABLE request_names (
    id          INTEGER PRIMARY KEY,
    name_joined TEXT NOT NULL UNIQUE
);
--bun:split
INSERT INTO request_names (name_joined)
SELECT DISTINCT replace(LOWER(subject_name), ' ', '') FROM requests;
--bun:split
CREATE VIRTUAL TABLE request_names_search USING fts5(
    name_joined, content='request_names', content_rowid='id', tokenize='trigram'
);
--bun:split
INSERT INTO request_names_search (request_names_search) VALUES ('rebuild');
--bun:split
INSERT INTO request_names_search (request_names_search, rank) VALUES ('usermerge', 2);
--bun:split
-- The expression a search of a name of words compares (store's byNames).
CREATE INDEX requests_name_joined ON requests (replace(LOWER(subject_name), ' ', ''));
--bun:split
CREATE TRIGGER request_names_insert AFTER INSERT ON request_names BEGIN
    INSERT INTO request_names_search (rowid, name_joined) VALUES (new.id, new.name_joined);
END;
--bun:split
CREATE TRIGGER requests_name_insert AFTER INSERT ON requests BEGIN
    INSERT OR IGNORE INTO request_names (name_joined) VALUES (replace(LOWER(new.subject_name), ' ', ''));
END;
--bun:split
CREATE TRIGGER requests_name_update AFTER UPDATE OF subject_name ON requests BEGIN
    INSERT OR IGNORE INTO request_names (name_joined) VALUES (replace(LOWER(new.subject_name), ' ', ''));
END;
{{end}}
