-- The composite foreign key from field_entries to wells fired a per-row trigger that takes a KEY SHARE lock on the
-- well: with several bulk writers that meant a MultiXact per row and halved ingest throughput. The adapter now
-- checks, in the inserting transaction, that every well of a batch belongs to the batch's tenant (wells are never
-- deleted, so the check cannot race), and the storage contract suite keeps that promise tested.
ALTER TABLE field_entries DROP CONSTRAINT IF EXISTS field_entries_tenant_id_well_id_fkey;
