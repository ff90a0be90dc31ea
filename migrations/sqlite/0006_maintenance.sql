-- Maintenance items: the planned and finished maintenance actions of a well. The composite foreign key keeps every
-- item inside its well's tenant. `due_on` is the tenant's local date as `YYYY-MM-DD` text (four-digit years, so
-- text order is date order); instants are Unix milliseconds (UTC); `completed_at` is set exactly when done.
CREATE TABLE maintenance_items (
    id           BLOB PRIMARY KEY NOT NULL,
    tenant_id    BLOB NOT NULL,
    well_id      BLOB NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('inspection', 'pump_change', 'workover', 'chemical_treatment',
                                               'facility_service', 'well_test', 'other')),
    title        TEXT NOT NULL,
    notes        TEXT,
    due_on       TEXT NOT NULL CHECK (length(due_on) = 10),
    status       TEXT NOT NULL CHECK (status IN ('scheduled', 'done', 'cancelled')),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    completed_at INTEGER,
    created_by   TEXT NOT NULL,
    FOREIGN KEY (tenant_id, well_id) REFERENCES wells (tenant_id, id),
    CHECK ((status = 'done') = (completed_at IS NOT NULL))
);
-- The list: the tenant's items by due date, or one well's.
CREATE INDEX maintenance_tenant_due ON maintenance_items (tenant_id, due_on, id);
CREATE INDEX maintenance_tenant_well_due ON maintenance_items (tenant_id, well_id, due_on, id);
-- The next scheduled item of each well (well detail, map): one index seek per well.
CREATE INDEX maintenance_next_scheduled ON maintenance_items (tenant_id, well_id, due_on, id) WHERE status = 'scheduled';
