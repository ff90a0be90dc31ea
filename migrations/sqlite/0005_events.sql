-- The tenant's event stream (alarm events, KPI changes) that WebSocket clients follow and resume from. `seq` is
-- consecutive per tenant and handed out under the writer lock, so the order of seq is the order of commit: a client
-- that has seen seq n has seen every event before it.
CREATE TABLE event_seqs (
    tenant_id BLOB PRIMARY KEY NOT NULL REFERENCES tenants (id),
    last_seq  INTEGER NOT NULL
);
CREATE TABLE events (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    seq       INTEGER NOT NULL,
    at        INTEGER NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('alert_created', 'alert_updated', 'alert_cleared', 'kpis_changed')),
    payload   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, seq)
) WITHOUT ROWID;
