//! Embedded SQLite migrations, applied in order inside one transaction each.

use super::rows::unavailable;
use crate::ports::StorageResult;
use rusqlite::Connection;

const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("../../../../migrations/sqlite/0001_init.sql")),
    (2, "aggregates", include_str!("../../../../migrations/sqlite/0002_aggregates.sql")),
    (3, "analytics", include_str!("../../../../migrations/sqlite/0003_analytics.sql")),
    (4, "dirty_marks", include_str!("../../../../migrations/sqlite/0004_dirty_marks.sql")),
    (5, "events", include_str!("../../../../migrations/sqlite/0005_events.sql")),
    (6, "maintenance", include_str!("../../../../migrations/sqlite/0006_maintenance.sql")),
    (7, "alarms", include_str!("../../../../migrations/sqlite/0007_alarms.sql")),
    (8, "prices", include_str!("../../../../migrations/sqlite/0008_prices.sql")),
    (9, "alarm_out_of_service", include_str!("../../../../migrations/sqlite/0009_alarm_out_of_service.sql")),
    (10, "alarm_request_keys", include_str!("../../../../migrations/sqlite/0010_alarm_request_keys.sql")),
];

pub(super) fn apply(conn: &mut Connection) -> StorageResult<usize> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    )
    .map_err(unavailable)?;
    let mut applied = 0;
    for (version, name, sql) in MIGRATIONS {
        let tx = conn.transaction().map_err(unavailable)?;
        let done: bool = tx
            .query_row("SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?1)", [version], |r| r.get(0))
            .map_err(unavailable)?;
        if done {
            continue;
        }
        tx.execute_batch(sql).map_err(unavailable)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![version, name, chrono::Utc::now().timestamp_millis()],
        )
        .map_err(unavailable)?;
        tx.commit().map_err(unavailable)?;
        tracing::info!(version, name, "applied SQLite migration");
        applied += 1;
    }
    Ok(applied)
}
