-- Alarms (ISA-18.2). One row per alarm; a partial unique index keeps one open alarm per (tenant, well, rule). The
-- alarm itself is the JSON `body` (the domain type); the columns beside it are what lists filter and sort on.
-- `revision` guards concurrent changes (evaluation racing an acknowledgement): an update names the revision it read.
CREATE TABLE alarms (
    id              BLOB PRIMARY KEY NOT NULL,
    tenant_id       BLOB NOT NULL,
    well_id         BLOB NOT NULL,
    rule            TEXT NOT NULL,
    priority        TEXT NOT NULL CHECK (priority IN ('critical', 'high', 'low')),
    state           TEXT NOT NULL CHECK (state IN ('active_unacknowledged', 'active_acknowledged',
                                                   'returned_unacknowledged', 'normal')),
    raised_at       INTEGER NOT NULL,
    last_changed_at INTEGER NOT NULL,
    shelved_until   INTEGER,
    revision        INTEGER NOT NULL,
    body            TEXT NOT NULL,
    FOREIGN KEY (tenant_id, well_id) REFERENCES wells (tenant_id, id)
);
CREATE UNIQUE INDEX alarms_one_open ON alarms (tenant_id, well_id, rule) WHERE state <> 'normal';
CREATE INDEX alarms_tenant_raised ON alarms (tenant_id, raised_at DESC, id);
CREATE INDEX alarms_tenant_open ON alarms (tenant_id, state) WHERE state <> 'normal';

-- Every transition of every alarm, in order: the ISA-18.2 journal and the input of the alarm-health KPIs.
CREATE TABLE alarm_journal (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    alarm_id  BLOB NOT NULL REFERENCES alarms (id),
    at        INTEGER NOT NULL,
    body      TEXT NOT NULL
);
CREATE INDEX alarm_journal_tenant_at ON alarm_journal (tenant_id, at);
CREATE INDEX alarm_journal_alarm ON alarm_journal (alarm_id, seq);

-- The tenant's alarm rules (the validated rule set as JSON); absent = the defaults.
CREATE TABLE alarm_rule_sets (
    tenant_id  BLOB PRIMARY KEY NOT NULL REFERENCES tenants (id),
    rules      TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by BLOB
);
