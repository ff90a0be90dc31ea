-- Stored aggregates, dirty marks and job runs (issue 3).

-- Every aggregate of one well whose period starts in one local month (the month's days, the weeks whose Monday is
-- in it, the month), one blob per period in the encoding of backend/src/adapters/aggregate_codec.rs. A month is
-- replaced whole, so (tenant, well, period, period start, field) stays unique. As for field_entries, the adapter
-- checks that the wells are the tenant's (no foreign key).
CREATE TABLE aggregate_months (
    tenant_id   UUID NOT NULL,
    well_id     UUID NOT NULL,
    month       DATE NOT NULL CHECK (EXTRACT(DAY FROM month) = 1),
    daily       BYTEA NOT NULL,
    weekly      BYTEA NOT NULL,
    monthly     BYTEA NOT NULL,
    computed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, well_id, month)
);
-- The blobs are dense binary floats: compression costs time and saves little.
ALTER TABLE aggregate_months ALTER COLUMN daily SET STORAGE EXTERNAL;
ALTER TABLE aggregate_months ALTER COLUMN weekly SET STORAGE EXTERNAL;
ALTER TABLE aggregate_months ALTER COLUMN monthly SET STORAGE EXTERNAL;

-- Readings stored since a well's aggregates were computed, as the span of their instants.
CREATE TABLE dirty_wells (
    tenant_id UUID NOT NULL,
    well_id   UUID NOT NULL,
    from_at   TIMESTAMPTZ NOT NULL,
    to_at     TIMESTAMPTZ NOT NULL,
    version   BIGINT NOT NULL,
    marked_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, well_id)
);
CREATE INDEX dirty_wells_marked ON dirty_wells (tenant_id, marked_at);

CREATE TABLE job_runs (
    id          UUID PRIMARY KEY,
    job         TEXT NOT NULL CHECK (job IN ('daily', 'weekly', 'monthly', 'dirty', 'backfill')),
    tenant_id   UUID,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    status      TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    rows        BIGINT NOT NULL,
    message     TEXT
);
CREATE INDEX job_runs_started ON job_runs (started_at);

-- The aggregation jobs read every numeric value of a well's entries in time order: with the values in the index
-- that can be an index-only scan.
CREATE INDEX field_entries_tenant_well_time_values ON field_entries (tenant_id, well_id, recorded_at)
    INCLUDE (oil_bbl, gas_mcf, water_bbl, tubing_psig, casing_psig, choke_64ths, hours_on);
DROP INDEX field_entries_tenant_well_time;
