-- Maintenance items: the planned and finished maintenance actions of a well. Low volume, so (unlike field_entries,
-- see 0002) the composite foreign key stays as a backstop; the adapter also checks the well inside its transaction
-- to answer NotFound. `completed_at` is set exactly when the item is done.
CREATE TABLE maintenance_items (
    id           UUID PRIMARY KEY,
    tenant_id    UUID NOT NULL,
    well_id      UUID NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('inspection', 'pump_change', 'workover', 'chemical_treatment',
                                               'facility_service', 'well_test', 'other')),
    title        TEXT NOT NULL,
    notes        TEXT,
    due_on       DATE NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('scheduled', 'done', 'cancelled')),
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    completed_at TIMESTAMPTZ,
    created_by   TEXT NOT NULL,
    FOREIGN KEY (tenant_id, well_id) REFERENCES wells (tenant_id, id),
    CHECK ((status = 'done') = (completed_at IS NOT NULL))
);
-- The list: the tenant's items by due date, or one well's.
CREATE INDEX maintenance_tenant_due ON maintenance_items (tenant_id, due_on, id);
CREATE INDEX maintenance_tenant_well_due ON maintenance_items (tenant_id, well_id, due_on, id);
-- The next scheduled item of each well (well detail, map): DISTINCT ON over this partial index.
CREATE INDEX maintenance_next_scheduled ON maintenance_items (tenant_id, well_id, due_on, id) WHERE status = 'scheduled';
