-- Stored aggregates, dirty marks and job runs (issue 3).

-- Every aggregate of one well whose period starts in one local month (the month's days, the weeks whose Monday is
-- in it, the month), one blob per period in the encoding of backend/src/adapters/aggregate_codec.rs. A month is
-- replaced whole, so (tenant, well, period, period start, field) stays unique.
CREATE TABLE aggregate_months (
    tenant_id   BLOB NOT NULL,
    well_id     BLOB NOT NULL,
    month       TEXT NOT NULL CHECK (length(month) = 10 AND substr(month, 9, 2) = '01'),
    daily       BLOB NOT NULL,
    weekly      BLOB NOT NULL,
    monthly     BLOB NOT NULL,
    computed_at INTEGER NOT NULL,
    FOREIGN KEY (tenant_id, well_id) REFERENCES wells (tenant_id, id)
);
CREATE UNIQUE INDEX aggregate_months_key ON aggregate_months (tenant_id, well_id, month);

-- Readings stored since a well's aggregates were computed, as the span of their instants.
CREATE TABLE dirty_wells (
    tenant_id BLOB NOT NULL,
    well_id   BLOB NOT NULL,
    from_at   INTEGER NOT NULL,
    to_at     INTEGER NOT NULL,
    version   INTEGER NOT NULL,
    marked_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, well_id)
) WITHOUT ROWID;
CREATE INDEX dirty_wells_marked ON dirty_wells (tenant_id, marked_at);

CREATE TABLE job_runs (
    id          BLOB PRIMARY KEY NOT NULL,
    job         TEXT NOT NULL CHECK (job IN ('daily', 'weekly', 'monthly', 'dirty', 'backfill')),
    tenant_id   BLOB,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    status      TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    rows        INTEGER NOT NULL,
    message     TEXT
);
CREATE INDEX job_runs_started ON job_runs (started_at);

-- The aggregation jobs read every numeric value of a well's entries in (time, id) order: a covering index makes
-- that an index-only range scan instead of one primary-key lookup per entry, with no sort (the id is placed before
-- the values). It replaces the (tenant, well, time) index, so inserts still maintain two b-trees.
CREATE INDEX field_entries_tenant_well_time_values ON field_entries
    (tenant_id, well_id, recorded_at, id, oil_bbl, gas_mcf, water_bbl, tubing_psig, casing_psig, choke_64ths, hours_on);
DROP INDEX field_entries_tenant_well_time;
