-- Wells whose alarms an operator took out of service (ISA-18.2): their rules are not evaluated and their open
-- alarms are neither annunciated nor counted, until the well is returned to service (the row is deleted). The
-- well's tenant is checked by the writer (migration 0002).
CREATE TABLE alarm_out_of_service (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    well_id   UUID NOT NULL,
    since     TIMESTAMPTZ NOT NULL,
    by_user   UUID NOT NULL,
    reason    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, well_id)
);
