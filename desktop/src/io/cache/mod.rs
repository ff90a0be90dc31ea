//! The offline cache: one SQLite file in the desktop's data folder (`desktop-cache.sqlite3`) holding the last answer
//! of every request the views use (with its ETag and fetch time), the last user who signed in to each server, and
//! the outbox of alarm actions not yet answered by the server. Every row belongs to one [`CacheKey`] (server,
//! tenant, username).
//!
//! Owns: the connection, the schema (migrations in `migrations/desktop-cache/`, applied in order and recorded in
//! `schema_migrations`) and the SQL. Stores text and instants; what the text means (JSON of the wire types) is the
//! caller's business. Must not touch: the network, egui, the model; it is used only from `io` (through
//! [`SharedStore`] on tokio's blocking pool).

mod migrations;
mod queue;
mod responses;

pub use queue::QueuedItem;
pub use responses::{CachedResponse, LastSession, ResponseKind};

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The cache file's name inside the data folder.
pub const FILE_NAME: &str = "desktop-cache.sqlite3";
/// How long a statement waits for another process holding the file (a second window on the same data folder).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("the offline cache {} could not be opened: {source}", path.display())]
    Open { path: PathBuf, source: rusqlite::Error },
    #[error("the offline cache failed: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("the offline cache holds a value that cannot be read: {0}")]
    Corrupt(String),
    #[error("the offline cache is unavailable: {0}")]
    Unavailable(String),
}

/// Whose data a row is: the server (its base URL, or `embedded` for the in-process demo backend, whose port
/// changes at every start), the tenant and the user.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    pub server: String,
    pub tenant: String,
    pub username: String,
}

/// The open cache file.
pub struct LocalStore {
    conn: Connection,
}

impl LocalStore {
    /// Opens (or creates) the cache file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, CacheError> {
        let conn = Connection::open(path).map_err(|source| CacheError::Open { path: path.to_owned(), source })?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // WAL: a reader (a second window) never blocks the writer; `synchronous` stays FULL so that a queued action
        // survives a power cut, not only a closed app.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        Self::init(conn)
    }

    /// A cache that lives as long as the process (no data folder, or the file could not be opened).
    pub fn in_memory() -> Result<Self, CacheError> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> Result<Self, CacheError> {
        migrations::apply(&mut conn)?;
        Ok(Self { conn })
    }

    /// The versions of the migrations applied, in order.
    pub fn schema_versions(&self) -> Result<Vec<i64>, CacheError> {
        let mut statement = self.conn.prepare("SELECT version FROM schema_migrations ORDER BY version")?;
        let versions = statement.query_map([], |row| row.get(0))?.collect::<Result<Vec<i64>, _>>()?;
        Ok(versions)
    }
}

/// The store shared by the I/O thread's tasks; every call runs on tokio's blocking pool. A store that could not be
/// opened at all (not even in memory) answers every call with [`CacheError::Unavailable`].
#[derive(Clone)]
pub struct SharedStore(Option<Arc<Mutex<LocalStore>>>);

impl SharedStore {
    pub fn new(store: LocalStore) -> Self {
        Self(Some(Arc::new(Mutex::new(store))))
    }

    /// Opens the file at `path`, or (when `path` is `None` or the file cannot be opened) a store in memory, so that
    /// the app works without a cache, only without keeping anything across restarts.
    pub fn open_or_memory(path: Option<&Path>) -> Self {
        if let Some(path) = path {
            match LocalStore::open(path) {
                Ok(store) => return Self::new(store),
                Err(error) => tracing::error!(%error, "working without the offline cache file"),
            }
        }
        match LocalStore::in_memory() {
            Ok(store) => Self::new(store),
            Err(error) => {
                tracing::error!(%error, "working without any offline cache");
                Self(None)
            }
        }
    }

    /// Runs `work` on the store without blocking the async threads.
    pub async fn run<T, F>(&self, work: F) -> Result<T, CacheError>
    where
        T: Send + 'static,
        F: FnOnce(&LocalStore) -> Result<T, CacheError> + Send + 'static,
    {
        let store = self.0.clone().ok_or_else(|| CacheError::Unavailable("no cache could be opened".to_owned()))?;
        tokio::task::spawn_blocking(move || {
            let guard = store.lock().map_err(|_| CacheError::Unavailable("a previous use panicked".to_owned()))?;
            work(&guard)
        })
        .await
        .map_err(|e| CacheError::Unavailable(e.to_string()))?
    }
}

fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

fn instant(ms: i64) -> Result<DateTime<Utc>, CacheError> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| CacheError::Corrupt(format!("instant {ms} out of range")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_on_a_fresh_file_and_are_idempotent_on_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let store = LocalStore::open(&path).unwrap();
        assert_eq!(store.schema_versions().unwrap(), [1]);
        drop(store);
        let store = LocalStore::open(&path).unwrap();
        assert_eq!(store.schema_versions().unwrap(), [1], "reopening applies nothing twice");
        let tables: i64 = store
            .conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('responses', 'last_sessions', 'outbox')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 3);
    }

    #[test]
    fn a_file_that_is_not_a_database_falls_back_to_memory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, b"this is not a SQLite file, it is much too long to be mistaken for one..........")
            .unwrap();
        assert!(LocalStore::open(&path).is_err());
        assert!(SharedStore::open_or_memory(Some(&path)).0.is_some());
    }
}
