-- Flowline schema, SQLite dialect. Ids are 16-byte UUID blobs; instants are Unix milliseconds (UTC).
CREATE TABLE tenants (
    id          BLOB PRIMARY KEY NOT NULL,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    time_zone   TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE users (
    id            BLOB PRIMARY KEY NOT NULL,
    tenant_id     BLOB NOT NULL REFERENCES tenants (id),
    username      TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    created_at    INTEGER NOT NULL,
    UNIQUE (tenant_id, username)
);

CREATE TABLE wells (
    id                    BLOB PRIMARY KEY NOT NULL,
    tenant_id             BLOB NOT NULL REFERENCES tenants (id),
    api_number            TEXT CHECK (api_number IS NULL OR length(api_number) = 14),
    name                  TEXT NOT NULL,
    well_type             TEXT NOT NULL CHECK (well_type IN ('oil', 'gas', 'injection', 'disposal')),
    status                TEXT NOT NULL CHECK (status IN ('active', 'shut_in', 'inactive', 'plugged')),
    latitude              REAL,
    longitude             REAL,
    lease                 TEXT,
    field                 TEXT,
    county                TEXT,
    state                 TEXT,
    first_production_date TEXT,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    UNIQUE (tenant_id, id)
);
CREATE UNIQUE INDEX wells_tenant_api ON wells (tenant_id, api_number) WHERE api_number IS NOT NULL;
CREATE INDEX wells_tenant_name ON wells (tenant_id, name, id);
CREATE INDEX wells_tenant_status ON wells (tenant_id, status);

-- Clustered on the (time-ordered) entry id; the composite foreign key keeps every entry inside its well's tenant.
CREATE TABLE field_entries (
    id              BLOB PRIMARY KEY NOT NULL,
    tenant_id       BLOB NOT NULL,
    well_id         BLOB NOT NULL,
    recorded_at     INTEGER NOT NULL,
    oil_bbl         REAL NOT NULL,
    gas_mcf         REAL NOT NULL,
    water_bbl       REAL NOT NULL,
    tubing_psig     REAL,
    casing_psig     REAL,
    choke_64ths     REAL,
    hours_on        REAL NOT NULL CHECK (hours_on >= 0 AND hours_on <= 25),
    downtime_reason TEXT,
    source          TEXT NOT NULL,
    is_correction   INTEGER NOT NULL CHECK (is_correction IN (0, 1)),
    created_at      INTEGER NOT NULL,
    FOREIGN KEY (tenant_id, well_id) REFERENCES wells (tenant_id, id)
) WITHOUT ROWID;
CREATE INDEX field_entries_tenant_well_time ON field_entries (tenant_id, well_id, recorded_at);
