-- The list of profiles (store.ListUsers) is read in the order of their
-- names; without an index in that order every page sorted every profile.
-- A search of profiles compared every profile's name, login and e-mail
-- (LIKE), twice: once for the page, once for its count. Measured at 50,000
-- profiles before this migration (bench scale, the auditor's /users):
-- the first page 15.2 / 22.6 ms p50 / p99 on SQLite and 23.9 / 43.5 on
-- PostgreSQL, a search of a common name 49.0 / 80.9 and 38.4 / 53.0; read
-- once and in the order of users_name, that search was still 30-35 ms on
-- SQLite, a scan.
--
-- Measured with `ispeks migrate` on bench databases of 50,000 profiles
-- seeded by the previous binary: SQLite 0.6 s, PostgreSQL 0.7 s, during
-- which profiles cannot be created or changed.
CREATE INDEX users_name ON users (name, id);
{{if .Postgres}}
--bun:split
-- What a search compares: the name and the e-mail in small letters, and
-- the login (a MyKad number).
CREATE INDEX users_name_trgm ON users USING GIN (LOWER(name) gin_trgm_ops) WITH (fastupdate = off);
--bun:split
CREATE INDEX users_login_trgm ON users USING GIN (login gin_trgm_ops) WITH (fastupdate = off);
--bun:split
CREATE INDEX users_email_trgm ON users USING GIN (LOWER(email) gin_trgm_ops) WITH (fastupdate = off);
{{else}}
--bun:split
-- The same three, through an FTS5 trigram table of its own (kept by the
-- triggers below, merged as the requests' is: store.MergeSearch).
CREATE VIRTUAL TABLE users_search USING fts5(
    name, login, email, content='users', content_rowid='id', tokenize='trigram'
);
--bun:split
INSERT INTO users_search (users_search) VALUES ('rebuild');
--bun:split
INSERT INTO users_search (users_search, rank) VALUES ('usermerge', 2);
--bun:split
CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_search (rowid, name, login, email) VALUES (new.id, new.name, new.login, new.email);
END;
--bun:split
CREATE TRIGGER users_search_update AFTER UPDATE OF name, login, email ON users BEGIN
    INSERT INTO users_search (users_search, rowid, name, login, email) VALUES ('delete', old.id, old.name, old.login, old.email);
    INSERT INTO users_search (rowid, name, login, email) VALUES (new.id, new.name, new.login, new.email);
END;
--bun:split
CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_search (users_search, rowid, name, login, email) VALUES ('delete', old.id, old.name, old.login, old.email);
END;
{{end}}
--bun:split
ANALYZE users;
