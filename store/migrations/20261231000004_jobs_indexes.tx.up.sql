-- The indexes a long job dropped to write many rows without them, to be
-- built again, from these definitions, once its rows are in (DB.RunJob,
-- Job.Unindexed): a first eMaklum load of a million payments writes its
-- vouchers many times faster without their six indexes, and on SQLite
-- builds each in a transaction of its own, so that the writer is held for
-- one index's build and not for the load. Kept here, in the transaction
-- that dropped them, so that a job whose process died still builds them
-- when it is finished (DB.Resume) or abandoned (DB.AbandonJob).
-- They are built again in the order they were made (seq): a migration
-- makes a table's most used index first.
CREATE TABLE jobs_indexes (
    job        VARCHAR(64) NOT NULL,
    seq        INTEGER NOT NULL,
    index_name VARCHAR(128) NOT NULL,
    definition TEXT NOT NULL,
    PRIMARY KEY (job, seq)
);
