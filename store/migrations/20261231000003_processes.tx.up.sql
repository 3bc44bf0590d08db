-- The processes of the portal open on a SQLite file (serve, and each
-- command), each from its start to its end: a long job applying in parts
-- leaves the one writer free every second only while another process is
-- there, whose writes wait for it unseen (store.DB.RunJob). A process
-- that died is known by its pid, which no longer runs. Unused on
-- PostgreSQL.
CREATE TABLE processes (
    name       VARCHAR(64) PRIMARY KEY,
    pid        INTEGER NOT NULL,
    started_at {{.Time}} NOT NULL
);
