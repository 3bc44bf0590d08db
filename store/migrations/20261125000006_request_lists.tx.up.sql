-- Lists at scale: indexes that match the filters and the newest-first sort,
-- and substring search on the reference, the subject's name and MyKad that
-- does not read every row: trigram indexes on PostgreSQL (pg_trgm, which a
-- database owner may install), an FTS5 trigram table on SQLite kept by
-- triggers.

CREATE INDEX requests_state_id ON requests (state, id);
--bun:split
CREATE INDEX requests_submitter ON requests (submitter_id, id);
--bun:split
{{if .Postgres}}
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--bun:split
CREATE INDEX requests_reference_trgm ON requests USING GIN (LOWER(reference) gin_trgm_ops);
--bun:split
CREATE INDEX requests_subject_name_trgm ON requests USING GIN (LOWER(subject_name) gin_trgm_ops);
--bun:split
CREATE INDEX requests_subject_ic_trgm ON requests USING GIN (subject_ic gin_trgm_ops);
{{else}}
CREATE VIRTUAL TABLE requests_search USING fts5(
    reference, subject_name, subject_ic,
    content='requests', content_rowid='id', tokenize='trigram'
);
--bun:split
INSERT INTO requests_search (requests_search) VALUES ('rebuild');
--bun:split
CREATE TRIGGER requests_search_insert AFTER INSERT ON requests BEGIN
    INSERT INTO requests_search (rowid, reference, subject_name, subject_ic)
    VALUES (new.id, new.reference, new.subject_name, new.subject_ic);
END;
--bun:split
CREATE TRIGGER requests_search_update AFTER UPDATE OF reference, subject_name, subject_ic ON requests BEGIN
    INSERT INTO requests_search (requests_search, rowid, reference, subject_name, subject_ic)
    VALUES ('delete', old.id, old.reference, old.subject_name, old.subject_ic);
    INSERT INTO requests_search (rowid, reference, subject_name, subject_ic)
    VALUES (new.id, new.reference, new.subject_name, new.subject_ic);
END;
--bun:split
CREATE TRIGGER requests_search_delete AFTER DELETE ON requests BEGIN
    INSERT INTO requests_search (requests_search, rowid, reference, subject_name, subject_ic)
    VALUES ('delete', old.id, old.reference, old.subject_name, old.subject_ic);
END;
{{end}}
