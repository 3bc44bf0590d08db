-- A long job on SQLite applies its staged rows in parts, one short write
-- transaction each, so that other writes wait for one part and not for
-- the whole job (DB.RunJob). Its row here, written with its first part
-- and removed with its last, says where it stands: a process that dies
-- between two parts leaves it, and the job is finished from `through`
-- with the staging file it names (DB.Resume). PostgreSQL applies a job
-- in one transaction and never writes here.
CREATE TABLE jobs_applying (
    name       VARCHAR(64) PRIMARY KEY,
    file       VARCHAR(1000) NOT NULL,
    part_rows  BIGINT NOT NULL,
    through    BIGINT NOT NULL,
    last       BIGINT NOT NULL,
    started_at {{.Time}} NOT NULL
);
