-- The client's Idempotency-Key of the operator request (acknowledge, acknowledge all, shelve) that produced a journal
-- record: a retried request finds its records here and is answered without being applied twice. Written in the
-- same transaction as the records themselves.
ALTER TABLE alarm_journal ADD COLUMN request_key TEXT;
CREATE INDEX alarm_journal_request_key ON alarm_journal (tenant_id, request_key) WHERE request_key IS NOT NULL;
