-- The audit log's search by an actor's name (store.ListAudit) reads the
-- ids of the profiles whose name holds it, then their records. With no
-- index of the records' actor ids, it walked the log newest first,
-- checking each record: a common name ("aisyah", 4% of the records at
-- 490,000) finds a page within 650 records, but a rarer one walks far
-- more, and its count to 201 further (a name 0.16% of the records hold:
-- 125,000 records, 34 ms on SQLite; a name one person holds walks the
-- whole log). Through this index its count read 21 profiles' records
-- (0.4 ms on PostgreSQL, 0.5 on SQLite, where it had walked 4,800
-- records: 3.3 and 2.1 ms), and the rarer name's page and count 1–2 ms on
-- SQLite. Built in 0.3 s at 490,000 records (a bench database),
-- during which no record can be written.
CREATE INDEX audit_log_actor_id ON audit_log (actor_id, id);
--bun:split
ANALYZE audit_log;
