-- The tenant's price table: dated WTI (USD/bbl) and Henry Hub (USD/MMBtu) prices an admin set, each replacing the
-- embedded EIA baseline price of its day or adding a day; and the tenant's gas heat content (absent = 1.037
-- MMBtu/Mcf). `updated_by` is the admin's username. The checks repeat the `kpis::prices` and `kpis::revenue` ranges
-- as a backstop.
CREATE TABLE tenant_prices (
    tenant_id  UUID NOT NULL REFERENCES tenants (id),
    commodity  TEXT NOT NULL CHECK (commodity IN ('wti', 'henry_hub')),
    day        DATE NOT NULL,
    price      DOUBLE PRECISION NOT NULL CHECK (price BETWEEN -100 AND 1000),
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (tenant_id, commodity, day)
);

CREATE TABLE tenant_price_settings (
    tenant_id                  UUID PRIMARY KEY REFERENCES tenants (id),
    heat_content_mmbtu_per_mcf DOUBLE PRECISION NOT NULL CHECK (heat_content_mmbtu_per_mcf BETWEEN 0.8 AND 1.5),
    updated_at                 TIMESTAMPTZ NOT NULL,
    updated_by                 TEXT NOT NULL
);
