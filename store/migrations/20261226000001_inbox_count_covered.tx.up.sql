{{if not .Postgres}}
-- The inbox counts the requests waiting in a state that are not about the
-- viewer (subject_ic <> their MyKad). PostgreSQL's index by state holds
-- the MyKad (migration 20261219000002, INCLUDE); SQLite's did not, so its
-- count read each request's row: the treasury's count to 1,001 took
-- 1.31 ms, and 0.28 from this index alone (at 100,000 requests, a bench
-- database). SQLite cannot rename an index: this one keeps the name it is
-- built under. Built in 0.17 s at 100,000 requests, during which no
-- request can be written.
CREATE INDEX requests_state_id_ic ON requests (state, id, subject_ic);
--bun:split
DROP INDEX requests_state_id;
{{end}}
