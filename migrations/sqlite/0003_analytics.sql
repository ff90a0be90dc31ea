-- Per-well analytics results (the cache the trend, anomaly and forecast queries read), the bookkeeping that says
-- which wells need them recomputed, and the leases that let one instance run each scheduled job.
-- Field, direction and severity values are the serde names of the shared types; `trend`, `anomaly` and `forecast`
-- hold the whole shared values as JSON text, the other columns copy what the queries filter and sort on.

-- One row per well that was ever marked changed or computed. `computed_at` is NULL until the first pass;
-- `forecast_field` is set with `computed_at`, with either `forecast` (JSON of a Forecast) or `forecast_error`.
CREATE TABLE well_analytics (
    tenant_id       BLOB NOT NULL,
    well_id         BLOB NOT NULL,
    computed_at     INTEGER,
    data_changed_at INTEGER,
    as_of           TEXT,
    forecast_field  TEXT,
    forecast        TEXT,
    forecast_error  TEXT,
    PRIMARY KEY (tenant_id, well_id),
    FOREIGN KEY (tenant_id, well_id) REFERENCES wells (tenant_id, id),
    CHECK (forecast IS NULL OR forecast_error IS NULL)
);

-- The latest trend of each (well, field): what the list filters and sorts on. The well's name, type, status and
-- lease and whether `field` is its primary one are copied from `wells` when a trend is stored and kept in step by
-- the trigger below, so that a page of the list reads one index of this table instead of joining every well
-- (10,000 lookups per request). The whole trend is in `well_trend_details`.
CREATE TABLE well_trends (
    tenant_id      BLOB NOT NULL,
    well_id        BLOB NOT NULL,
    field          TEXT NOT NULL,
    is_primary     INTEGER NOT NULL CHECK (is_primary IN (0, 1)),
    well_name      TEXT NOT NULL,
    well_type      TEXT NOT NULL,
    well_status    TEXT NOT NULL,
    well_lease     TEXT,
    direction      TEXT NOT NULL CHECK (direction IN ('up', 'flat', 'down', 'insufficient_data')),
    percent_change REAL,
    slope_per_day  REAL,
    r_squared      REAL,
    computed_at    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, well_id, field),
    FOREIGN KEY (tenant_id, well_id) REFERENCES wells (tenant_id, id)
);
-- Covering indexes of the list (each well's primary field; one field of every well): every filter and sort
-- column, so that a page is chosen in one index.
CREATE INDEX well_trends_primary ON well_trends
    (tenant_id, percent_change, well_name, well_id, direction, well_status, well_type, well_lease) WHERE is_primary = 1;
CREATE INDEX well_trends_field ON well_trends
    (tenant_id, field, percent_change, well_name, well_id, direction, well_status, well_type, well_lease);
-- The list by name (pages deep into it are skipped in the index instead of sorted).
CREATE INDEX well_trends_primary_name ON well_trends
    (tenant_id, well_name, well_id, percent_change, direction, well_status, well_type, well_lease) WHERE is_primary = 1;

-- The JSON of each stored trend (read for the rows of a page only).
CREATE TABLE well_trend_details (
    tenant_id BLOB NOT NULL,
    well_id   BLOB NOT NULL,
    field     TEXT NOT NULL,
    trend     TEXT NOT NULL,
    PRIMARY KEY (tenant_id, well_id, field),
    FOREIGN KEY (tenant_id, well_id) REFERENCES wells (tenant_id, id)
);

-- Flagged days, newest first in the list, then by well name (copied from `wells` like the trends' columns).
CREATE TABLE well_anomalies (
    tenant_id   BLOB NOT NULL,
    well_id     BLOB NOT NULL,
    field       TEXT NOT NULL,
    well_name   TEXT NOT NULL,
    day         TEXT NOT NULL CHECK (length(day) = 10),
    z           REAL NOT NULL,
    severity    TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
    detected_at INTEGER NOT NULL,
    anomaly     TEXT NOT NULL,
    -- (well, day) before field: replacing a well's window is then a range of this key, which the planner prefers
    -- to the day index without statistics.
    PRIMARY KEY (tenant_id, well_id, day, field),
    FOREIGN KEY (tenant_id, well_id) REFERENCES wells (tenant_id, id)
);
CREATE INDEX well_anomalies_day ON well_anomalies (tenant_id, day DESC, well_name, well_id);

-- Keeps the copies of the wells' columns in step. The primary field of a well is oil for oil wells, gas for gas
-- wells, water for injection and disposal wells (backend/src/adapters/analytics_codec.rs writes the same CASE).
CREATE TRIGGER analytics_follow_wells AFTER UPDATE OF name, well_type, status, lease ON wells
BEGIN
    UPDATE well_trends SET well_name = NEW.name, well_type = NEW.well_type, well_status = NEW.status,
        well_lease = NEW.lease,
        is_primary = (field = CASE NEW.well_type WHEN 'oil' THEN 'oil_bbl' WHEN 'gas' THEN 'gas_mcf' WHEN 'injection' THEN 'water_bbl' WHEN 'disposal' THEN 'water_bbl' END)
    WHERE tenant_id = NEW.tenant_id AND well_id = NEW.id;
    UPDATE well_anomalies SET well_name = NEW.name
    WHERE tenant_id = NEW.tenant_id AND well_id = NEW.id AND well_name <> NEW.name;
END;

-- A lease per scheduled job: held by `holder` (an instance id) until `expires_at`.
CREATE TABLE job_leases (
    name       TEXT PRIMARY KEY NOT NULL,
    holder     BLOB NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
