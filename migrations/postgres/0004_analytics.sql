-- Per-well analytics results (the cache the trend, anomaly and forecast queries read), the bookkeeping that says
-- which wells need them recomputed, and the leases that let one instance run each scheduled job.
-- Field, direction and severity values are the serde names of the shared types; `trend`, `anomaly` and `forecast`
-- hold the whole shared values as JSONB, the other columns copy what the queries filter and sort on. As for
-- field_entries, the adapter checks that the wells are the tenant's (no foreign keys).

-- One row per well that was ever marked changed or computed. `computed_at` is NULL until the first pass;
-- `forecast_field` is set with `computed_at`, with either `forecast` (a Forecast) or `forecast_error`.
CREATE TABLE well_analytics (
    tenant_id       UUID NOT NULL,
    well_id         UUID NOT NULL,
    computed_at     TIMESTAMPTZ,
    data_changed_at TIMESTAMPTZ,
    as_of           DATE,
    forecast_field  TEXT,
    forecast        JSONB,
    forecast_error  TEXT,
    PRIMARY KEY (tenant_id, well_id),
    CHECK (forecast IS NULL OR forecast_error IS NULL)
);

-- The latest trend of each (well, field): what the list filters and sorts on. The well's name, type, status and
-- lease and whether `field` is its primary one are copied from `wells` when a trend is stored and kept in step by
-- the trigger below, so that a page of the list reads this table only. The whole trend is in `well_trend_details`:
-- its ~1 kB would make the rows that a page counts and sorts eight times wider (JSONB under 2 kB is not toasted).
CREATE TABLE well_trends (
    tenant_id      UUID NOT NULL,
    well_id        UUID NOT NULL,
    field          TEXT NOT NULL,
    is_primary     BOOLEAN NOT NULL,
    well_name      TEXT NOT NULL,
    well_type      TEXT NOT NULL,
    well_status    TEXT NOT NULL,
    well_lease     TEXT,
    direction      TEXT NOT NULL CHECK (direction IN ('up', 'flat', 'down', 'insufficient_data')),
    percent_change DOUBLE PRECISION,
    slope_per_day  DOUBLE PRECISION,
    r_squared      DOUBLE PRECISION,
    computed_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, well_id, field)
);
-- The list of each well's primary field in each of its orders (change ascending or descending with no change
-- last, name; ties by name and id), and one field of every well by change. With the filter columns included, a
-- page and the count are index-only scans once (auto)vacuum has marked the pages all-visible.
CREATE INDEX well_trends_primary ON well_trends
    (tenant_id, percent_change ASC NULLS LAST, well_name COLLATE "C", well_id)
    INCLUDE (field, direction, well_status, well_type, well_lease) WHERE is_primary;
CREATE INDEX well_trends_primary_desc ON well_trends
    (tenant_id, percent_change DESC NULLS LAST, well_name COLLATE "C", well_id)
    INCLUDE (field, direction, well_status, well_type, well_lease) WHERE is_primary;
CREATE INDEX well_trends_primary_name ON well_trends (tenant_id, well_name COLLATE "C", well_id)
    INCLUDE (field, percent_change, direction, well_status, well_type, well_lease) WHERE is_primary;
CREATE INDEX well_trends_field ON well_trends (tenant_id, field, percent_change, well_name COLLATE "C", well_id)
    INCLUDE (direction, well_status, well_type, well_lease);

-- The JSON of each stored trend (read for the rows of a page only).
CREATE TABLE well_trend_details (
    tenant_id UUID NOT NULL,
    well_id   UUID NOT NULL,
    field     TEXT NOT NULL,
    trend     JSONB NOT NULL,
    PRIMARY KEY (tenant_id, well_id, field)
);

-- Flagged days, newest first in the list, then by well name (copied from `wells` like the trends' columns).
CREATE TABLE well_anomalies (
    tenant_id   UUID NOT NULL,
    well_id     UUID NOT NULL,
    field       TEXT NOT NULL,
    well_name   TEXT NOT NULL,
    day         DATE NOT NULL,
    z           DOUBLE PRECISION NOT NULL,
    severity    TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
    detected_at TIMESTAMPTZ NOT NULL,
    anomaly     JSONB NOT NULL,
    PRIMARY KEY (tenant_id, well_id, day, field)
);
CREATE INDEX well_anomalies_day ON well_anomalies (tenant_id, day DESC, well_name COLLATE "C", well_id);

-- Keeps the copies of the wells' columns in step. The primary field of a well is oil for oil wells, gas for gas
-- wells, water for injection and disposal wells (backend/src/adapters/analytics_codec.rs writes the same CASE).
CREATE FUNCTION analytics_follow_wells() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE well_trends SET well_name = NEW.name, well_type = NEW.well_type, well_status = NEW.status,
        well_lease = NEW.lease,
        is_primary = (field = CASE NEW.well_type WHEN 'oil' THEN 'oil_bbl' WHEN 'gas' THEN 'gas_mcf' WHEN 'injection' THEN 'water_bbl' WHEN 'disposal' THEN 'water_bbl' END)
    WHERE tenant_id = NEW.tenant_id AND well_id = NEW.id;
    UPDATE well_anomalies SET well_name = NEW.name
    WHERE tenant_id = NEW.tenant_id AND well_id = NEW.id AND well_name <> NEW.name;
    RETURN NULL;
END
$$;
CREATE TRIGGER analytics_follow_wells AFTER UPDATE OF name, well_type, status, lease ON wells FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.well_type IS DISTINCT FROM NEW.well_type
        OR OLD.status IS DISTINCT FROM NEW.status OR OLD.lease IS DISTINCT FROM NEW.lease)
    EXECUTE FUNCTION analytics_follow_wells();

-- A lease per scheduled job: held by `holder` (an instance id) until `expires_at`.
CREATE TABLE job_leases (
    name       TEXT PRIMARY KEY,
    holder     UUID NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
