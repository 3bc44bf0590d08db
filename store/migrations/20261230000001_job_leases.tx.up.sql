-- A lease says which process runs a job that must run in one place at a
-- time (the reminder sweep): several `serve` processes on one PostgreSQL
-- each sweep every hour, and two sweeps at once would each claim part of
-- the due requests and so each mail an approver a part of the count.
-- A process that dies holding a lease frees it when `until` passes.
CREATE TABLE job_leases (
    name   VARCHAR(64) PRIMARY KEY,
    holder VARCHAR(64) NOT NULL,
    until  {{.Time}} NOT NULL
);
