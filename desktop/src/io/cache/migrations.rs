//! The cache's embedded migrations (`migrations/desktop-cache/`), applied in order, each inside one transaction and
//! recorded in `schema_migrations`, as the backend applies its own.
//!
//! Owns: the list of migrations. Must not touch: anything but the schema.

use super::CacheError;
use rusqlite::Connection;

const MIGRATIONS: &[(i64, &str, &str)] =
    &[(1, "init", include_str!("../../../../migrations/desktop-cache/0001_init.sql"))];

/// Applies what is missing; returns how many migrations ran.
pub(super) fn apply(conn: &mut Connection) -> Result<usize, CacheError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    )?;
    let mut applied = 0;
    for (version, name, sql) in MIGRATIONS {
        let tx = conn.transaction()?;
        let done: bool =
            tx.query_row("SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?1)", [version], |r| {
                r.get(0)
            })?;
        if done {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![version, name, chrono::Utc::now().timestamp_millis()],
        )?;
        tx.commit()?;
        tracing::info!(version, name, "applied a migration of the offline cache");
        applied += 1;
    }
    Ok(applied)
}
