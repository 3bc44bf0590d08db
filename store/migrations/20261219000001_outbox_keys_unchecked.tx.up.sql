-- On PostgreSQL a mail no longer checks its addressee and its request as
-- foreign keys. The row carries the address and name it is sent to and
-- the content it says; the ids stay to say whose mail it was and about
-- what, and neither profiles nor requests are ever deleted (a profile is
-- deactivated, a request ends in a final state). Each key was checked row
-- by row, a share lock each: an officer's approval mails every treasury
-- approver, so fifty approvals at once locked the same twenty profiles, a
-- lock on a row others already held making PostgreSQL write a new
-- MultiXact into it, and checked their request twenty times. A
-- transaction inserting twenty mails ran, at 50 clients on the scale
-- bench's data (pgbench), 2,250 a second with both keys, 3,470 without the
-- addressee's, 3,700 also without the index by request (nothing reads
-- mails by request) and 5,100 without either key. SQLite's one writer takes no such locks: its keys
-- stay.
{{if .Postgres}}
ALTER TABLE outbox DROP CONSTRAINT outbox_to_user_id_fkey;
--bun:split
ALTER TABLE outbox DROP CONSTRAINT outbox_request_id_fkey;
--bun:split
DROP INDEX outbox_request;
{{else}}
SELECT 1;
{{end}}
