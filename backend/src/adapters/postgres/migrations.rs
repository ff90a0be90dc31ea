//! Embedded PostgreSQL migrations. An advisory lock serialises concurrent server instances starting together.

use super::rows::unavailable;
use crate::ports::StorageResult;
use deadpool_postgres::Object;

const MIGRATIONS: &[(i32, &str, &str)] = &[
    (1, "init", include_str!("../../../../migrations/postgres/0001_init.sql")),
    (
        2,
        "entry_well_check_in_adapter",
        include_str!("../../../../migrations/postgres/0002_entry_well_check_in_adapter.sql"),
    ),
    (3, "aggregates", include_str!("../../../../migrations/postgres/0003_aggregates.sql")),
    (4, "analytics", include_str!("../../../../migrations/postgres/0004_analytics.sql")),
    (5, "dirty_marks", include_str!("../../../../migrations/postgres/0005_dirty_marks.sql")),
    (
        6,
        "entry_values_index_with_id",
        include_str!("../../../../migrations/postgres/0006_entry_values_index_with_id.sql"),
    ),
    (7, "events", include_str!("../../../../migrations/postgres/0007_events.sql")),
    (8, "maintenance", include_str!("../../../../migrations/postgres/0008_maintenance.sql")),
    (9, "alarms", include_str!("../../../../migrations/postgres/0009_alarms.sql")),
    (10, "prices", include_str!("../../../../migrations/postgres/0010_prices.sql")),
    (11, "alarm_out_of_service", include_str!("../../../../migrations/postgres/0011_alarm_out_of_service.sql")),
    (12, "aggregate_blobs_inline", include_str!("../../../../migrations/postgres/0012_aggregate_blobs_inline.sql")),
    (13, "alarm_request_keys", include_str!("../../../../migrations/postgres/0013_alarm_request_keys.sql")),
];
/// Arbitrary constant naming Flowline's migration lock.
const MIGRATION_LOCK: i64 = 0x466c_6f77_6c69_6e65;

pub(super) async fn apply(client: &mut Object) -> StorageResult<usize> {
    let tx = client.transaction().await.map_err(unavailable)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await.map_err(unavailable)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    )
    .await
    .map_err(unavailable)?;
    let mut applied = 0;
    for (version, name, sql) in MIGRATIONS {
        let done = tx
            .query_opt("SELECT 1 FROM schema_migrations WHERE version = $1", &[version])
            .await
            .map_err(unavailable)?
            .is_some();
        if done {
            continue;
        }
        tx.batch_execute(sql).await.map_err(unavailable)?;
        tx.execute("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", &[version, name])
            .await
            .map_err(unavailable)?;
        tracing::info!(version, name, "applied PostgreSQL migration");
        applied += 1;
    }
    tx.commit().await.map_err(unavailable)?;
    Ok(applied)
}
