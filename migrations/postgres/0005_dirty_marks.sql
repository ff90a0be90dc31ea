-- Dirty marks become an append-only log: one row per inserting transaction and well, never updated. With one
-- upserted row per well, concurrent writers of the same wells waited for each other's commit (row locks held to
-- the end of the entry transaction); appends never wait, and the worker deletes exactly the rows it read.
DROP TABLE dirty_wells;
CREATE TABLE dirty_marks (
    seq       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id UUID NOT NULL,
    well_id   UUID NOT NULL,
    from_at   TIMESTAMPTZ NOT NULL,
    to_at     TIMESTAMPTZ NOT NULL,
    marked_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX dirty_marks_tenant_well ON dirty_marks (tenant_id, well_id, seq);

-- Analytics passes are recorded as job runs too.
ALTER TABLE job_runs DROP CONSTRAINT IF EXISTS job_runs_job_check;
ALTER TABLE job_runs ADD CONSTRAINT job_runs_job_check
    CHECK (job IN ('daily', 'weekly', 'monthly', 'dirty', 'backfill', 'analytics'));
