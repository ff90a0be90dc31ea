-- The tenant's event stream (alarm events, KPI changes) that WebSocket clients follow and resume from. `seq` is
-- consecutive per tenant: an append takes the tenant's `event_seqs` row lock until it commits, so the order of seq
-- is the order of commit and a client that has seen seq n has seen every event before it (a global identity column
-- could commit 11 before 10, and a client resuming after 11 would miss 10 for good).
CREATE TABLE event_seqs (
    tenant_id UUID PRIMARY KEY REFERENCES tenants (id),
    last_seq  BIGINT NOT NULL
);
CREATE TABLE events (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    seq       BIGINT NOT NULL,
    at        TIMESTAMPTZ NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('alert_created', 'alert_updated', 'alert_cleared', 'kpis_changed')),
    payload   JSONB NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);
