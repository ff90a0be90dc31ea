-- Dirty marks become an append-only log: one row per inserting transaction and well, never updated. With one
-- upserted row per well, concurrent writers of the same wells waited for each other's commit (PostgreSQL row
-- locks); appends never wait, and the worker deletes exactly the rows it read.
DROP TABLE dirty_wells;
CREATE TABLE dirty_marks (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id BLOB NOT NULL,
    well_id   BLOB NOT NULL,
    from_at   INTEGER NOT NULL,
    to_at     INTEGER NOT NULL,
    marked_at INTEGER NOT NULL
);
CREATE INDEX dirty_marks_tenant_well ON dirty_marks (tenant_id, well_id, seq);

-- Analytics passes are recorded as job runs too: SQLite cannot alter a CHECK constraint, so the table is rebuilt.
CREATE TABLE job_runs_new (
    id          BLOB PRIMARY KEY NOT NULL,
    job         TEXT NOT NULL CHECK (job IN ('daily', 'weekly', 'monthly', 'dirty', 'backfill', 'analytics')),
    tenant_id   BLOB,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    status      TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    rows        INTEGER NOT NULL,
    message     TEXT
);
INSERT INTO job_runs_new SELECT * FROM job_runs;
DROP TABLE job_runs;
ALTER TABLE job_runs_new RENAME TO job_runs;
CREATE INDEX job_runs_started ON job_runs (started_at);
