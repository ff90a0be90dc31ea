-- Wells whose alarms an operator took out of service (ISA-18.2): their rules are not evaluated and their open
-- alarms are neither annunciated nor counted, until the well is returned to service (the row is deleted).
CREATE TABLE alarm_out_of_service (
    tenant_id BLOB NOT NULL,
    well_id   BLOB NOT NULL,
    since     INTEGER NOT NULL,
    by_user   BLOB NOT NULL,
    reason    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, well_id),
    FOREIGN KEY (tenant_id, well_id) REFERENCES wells (tenant_id, id)
) WITHOUT ROWID;
