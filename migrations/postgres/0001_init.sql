-- Flowline schema, PostgreSQL dialect.
CREATE TABLE tenants (
    id          UUID PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    time_zone   TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
    id            UUID PRIMARY KEY,
    tenant_id     UUID NOT NULL REFERENCES tenants (id),
    username      TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    created_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, username)
);

CREATE TABLE wells (
    id                    UUID PRIMARY KEY,
    tenant_id             UUID NOT NULL REFERENCES tenants (id),
    api_number            TEXT CHECK (api_number IS NULL OR length(api_number) = 14),
    name                  TEXT NOT NULL,
    well_type             TEXT NOT NULL CHECK (well_type IN ('oil', 'gas', 'injection', 'disposal')),
    status                TEXT NOT NULL CHECK (status IN ('active', 'shut_in', 'inactive', 'plugged')),
    latitude              DOUBLE PRECISION,
    longitude             DOUBLE PRECISION,
    lease                 TEXT,
    field                 TEXT,
    county                TEXT,
    state                 TEXT,
    first_production_date DATE,
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, id)
);
CREATE UNIQUE INDEX wells_tenant_api ON wells (tenant_id, api_number) WHERE api_number IS NOT NULL;
CREATE INDEX wells_tenant_name ON wells (tenant_id, name, id);
CREATE INDEX wells_tenant_status ON wells (tenant_id, status);

CREATE TABLE field_entries (
    id              UUID PRIMARY KEY,
    tenant_id       UUID NOT NULL,
    well_id         UUID NOT NULL,
    recorded_at     TIMESTAMPTZ NOT NULL,
    oil_bbl         DOUBLE PRECISION NOT NULL,
    gas_mcf         DOUBLE PRECISION NOT NULL,
    water_bbl       DOUBLE PRECISION NOT NULL,
    tubing_psig     DOUBLE PRECISION,
    casing_psig     DOUBLE PRECISION,
    choke_64ths     DOUBLE PRECISION,
    hours_on        DOUBLE PRECISION NOT NULL CHECK (hours_on >= 0 AND hours_on <= 25),
    downtime_reason TEXT,
    source          TEXT NOT NULL,
    is_correction   BOOLEAN NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (tenant_id, well_id) REFERENCES wells (tenant_id, id)
);
CREATE INDEX field_entries_tenant_well_time ON field_entries (tenant_id, well_id, recorded_at);
