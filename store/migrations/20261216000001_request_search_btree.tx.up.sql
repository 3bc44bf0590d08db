-- Searches answered by a B-tree (store.RequestQuery.search): a whole MyKad
-- number, and the start of a reference. SQLite's GLOB uses the reference's
-- unique index as it is; PostgreSQL's LIKE 'BPP/2026/%' needs an index of
-- the pattern operators whatever the database's collation.

CREATE INDEX requests_subject_ic ON requests (subject_ic);
{{if .Postgres}}
--bun:split
CREATE INDEX requests_reference_prefix ON requests (reference varchar_pattern_ops);
{{end}}
