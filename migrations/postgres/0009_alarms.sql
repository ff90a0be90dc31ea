-- Alarms (ISA-18.2). One row per alarm; a partial unique index keeps one open alarm per (tenant, well, rule). The
-- alarm itself is the JSON `body` (the domain type); the columns beside it are what lists filter and sort on.
-- `revision` guards concurrent changes (evaluation racing an acknowledgement): an update names the revision it read.
-- As for the other per-well tables (migration 0002), the well's tenant is checked by the writer in its transaction.
CREATE TABLE alarms (
    id              UUID PRIMARY KEY,
    tenant_id       UUID NOT NULL REFERENCES tenants (id),
    well_id         UUID NOT NULL,
    rule            TEXT NOT NULL,
    priority        TEXT NOT NULL CHECK (priority IN ('critical', 'high', 'low')),
    state           TEXT NOT NULL CHECK (state IN ('active_unacknowledged', 'active_acknowledged',
                                                   'returned_unacknowledged', 'normal')),
    raised_at       TIMESTAMPTZ NOT NULL,
    last_changed_at TIMESTAMPTZ NOT NULL,
    shelved_until   TIMESTAMPTZ,
    revision        BIGINT NOT NULL,
    body            JSONB NOT NULL
);
CREATE UNIQUE INDEX alarms_one_open ON alarms (tenant_id, well_id, rule) WHERE state <> 'normal';
CREATE INDEX alarms_tenant_raised ON alarms (tenant_id, raised_at DESC, id);
CREATE INDEX alarms_tenant_open ON alarms (tenant_id, state) WHERE state <> 'normal';

-- Every transition of every alarm, in order: the ISA-18.2 journal and the input of the alarm-health KPIs.
CREATE TABLE alarm_journal (
    seq       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    alarm_id  UUID NOT NULL REFERENCES alarms (id),
    at        TIMESTAMPTZ NOT NULL,
    body      JSONB NOT NULL
);
CREATE INDEX alarm_journal_tenant_at ON alarm_journal (tenant_id, at);
CREATE INDEX alarm_journal_alarm ON alarm_journal (alarm_id, seq);

-- The tenant's alarm rules (the validated rule set as JSON); absent = the defaults.
CREATE TABLE alarm_rule_sets (
    tenant_id  UUID PRIMARY KEY REFERENCES tenants (id),
    rules      JSONB NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by UUID
);
