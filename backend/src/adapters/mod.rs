//! Adapters: the `ports::Storage` trait on SQLite (embedded, the default) and PostgreSQL (production); the
//! `ports::EventBus` in process (default) and over Redis pub/sub (several instances).
//!
//! Owns: SQL, connection pools, migrations per dialect (embedded from `migrations/<dialect>/`), mapping database
//! errors onto `StorageError`, the Redis connection. Must not touch: HTTP, business rules (they live in `services`).

mod aggregate_codec;
mod analytics_codec;
pub mod local_bus;
pub mod postgres;
pub mod redis_bus;
pub mod sqlite;

use crate::ports::{Storage, StorageError};
use std::path::PathBuf;
use std::sync::Arc;

/// Which adapter a database URL selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `sqlite://PATH`, `sqlite:PATH` or `sqlite::memory:`.
    Sqlite(SqliteLocation),
    /// `postgres://…` or `postgresql://…`, passed on to the driver unchanged.
    Postgres(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqliteLocation {
    File(PathBuf),
    Memory,
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        let rest = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .ok_or_else(|| format!("database URL must start with sqlite: or postgres://, got {url:?}"))?;
        match rest {
            "" => Err("sqlite URL names no file".into()),
            ":memory:" => Ok(Self::Sqlite(SqliteLocation::Memory)),
            path => Ok(Self::Sqlite(SqliteLocation::File(PathBuf::from(path)))),
        }
    }
}

/// How a process uses its store: a long-running server keeps its memory small; a bulk tool (`simulate`, `import`)
/// trades memory for write speed. Only the SQLite adapter distinguishes them (PostgreSQL's memory is the server's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StorageProfile {
    #[default]
    Server,
    Bulk,
}

/// Opens the adapter the URL selects (server profile) and applies pending migrations.
pub async fn open_storage(url: &DatabaseUrl) -> Result<Arc<dyn Storage>, StorageError> {
    open_storage_with(url, StorageProfile::Server).await
}

/// As [`open_storage`], with the given profile.
pub async fn open_storage_with(url: &DatabaseUrl, profile: StorageProfile) -> Result<Arc<dyn Storage>, StorageError> {
    let storage: Arc<dyn Storage> = match url {
        DatabaseUrl::Sqlite(location) => Arc::new(sqlite::SqliteStorage::open(location.clone(), profile).await?),
        DatabaseUrl::Postgres(url) => Arc::new(postgres::PostgresStorage::connect(url).await?),
    };
    storage.migrate().await?;
    Ok(storage)
}

/// Escapes LIKE wildcards (with `\\` as the escape character) so that user text matches literally.
pub(crate) fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Instants are kept at millisecond precision in both dialects, so that stored and returned values are equal.
pub(crate) fn truncate_ms(t: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
}

/// Now, at the stored precision.
pub(crate) fn now_ms() -> chrono::DateTime<chrono::Utc> {
    truncate_ms(chrono::Utc::now())
}

/// Folds dirty marks `(well, mark id, from, to)`, grouped by well in the order wanted, into one `DirtyWell` per
/// well (the union of its spans).
pub(crate) fn fold_marks(
    marks: Vec<(flowline_shared::WellId, i64, chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)>,
) -> Vec<crate::ports::DirtyWell> {
    let mut out: Vec<crate::ports::DirtyWell> = Vec::new();
    for (well_id, seq, from, to) in marks {
        match out.last_mut() {
            Some(d) if d.well_id == well_id => {
                d.from = d.from.min(from);
                d.to = d.to.max(to);
                d.marks.push(seq);
            }
            _ => out.push(crate::ports::DirtyWell { well_id, from, to, marks: vec![seq] }),
        }
    }
    out
}

/// The `Conflict` message when a well's API number is taken.
pub(crate) fn api_conflict(well: &flowline_shared::Well) -> String {
    match &well.api_number {
        Some(api) => format!("API number {api} is already used by another well"),
        None => "well exists".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_scheme_selects_the_adapter() {
        assert_eq!(
            DatabaseUrl::parse("sqlite:///var/lib/flowline/db.sqlite3").unwrap(),
            DatabaseUrl::Sqlite(SqliteLocation::File("/var/lib/flowline/db.sqlite3".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:data.db").unwrap(),
            DatabaseUrl::Sqlite(SqliteLocation::File("data.db".into()))
        );
        assert_eq!(DatabaseUrl::parse("sqlite::memory:").unwrap(), DatabaseUrl::Sqlite(SqliteLocation::Memory));
        assert!(matches!(DatabaseUrl::parse("postgres://u@h/db").unwrap(), DatabaseUrl::Postgres(_)));
        assert!(DatabaseUrl::parse("mysql://x").is_err());
        assert!(DatabaseUrl::parse("sqlite:").is_err());
    }
}
