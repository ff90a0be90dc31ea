//! SQLite adapter: one writer connection and a few readers over a WAL database file, driven from tokio through
//! `spawn_blocking`. SQLite allows one writer at a time anyway; the separate readers keep queries from waiting
//! behind a long import.

mod aggregates;
mod alarms;
mod analytics;
mod entries;
mod events;
mod maintenance;
mod migrations;
mod prices;
mod rows;
mod tenants;
mod wells;

use super::{SqliteLocation, StorageProfile};
use crate::ports::{Storage, StorageError, StorageResult};
use async_trait::async_trait;
use rusqlite::Connection;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const READERS: usize = 4;

struct Inner {
    writer: Mutex<Connection>,
    /// Empty for an in-memory database (a second connection would see another database).
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

/// The SQLite implementation of every storage port.
#[derive(Clone)]
pub struct SqliteStorage {
    inner: Arc<Inner>,
}

fn configure(conn: &Connection, writer: bool, profile: StorageProfile) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    if writer {
        // WAL: readers never block the writer; NORMAL sync is durable across application crashes in WAL mode.
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if mode != "wal" && mode != "memory" {
            tracing::warn!(mode, "SQLite did not switch to WAL");
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // The (tenant, well, time) index is appended to in as many places as there are wells: a bulk load runs at
        // memory speed only while those pages stay cached.
        let cache_kib: i64 = match profile {
            StorageProfile::Server => 64 * 1024,
            StorageProfile::Bulk => 1024 * 1024,
        };
        conn.pragma_update(None, "cache_size", -cache_kib)?;
        if profile == StorageProfile::Bulk {
            // Checkpoint every ~400 MB of WAL instead of every 4 MB: a page rewritten by several transactions is
            // copied into the database once.
            conn.pragma_update(None, "wal_autocheckpoint", 100_000)?;
        }
    } else {
        conn.pragma_update(None, "cache_size", -16_384)?;
    }
    Ok(())
}

impl SqliteStorage {
    /// Opens (creating if needed) the database; creates the parent folder of a file database.
    pub async fn open(location: SqliteLocation, profile: StorageProfile) -> StorageResult<Self> {
        tokio::task::spawn_blocking(move || Self::open_blocking(&location, profile))
            .await
            .map_err(|e| StorageError::Unavailable(format!("SQLite open task failed: {e}")))?
    }

    fn open_blocking(location: &SqliteLocation, profile: StorageProfile) -> StorageResult<Self> {
        let (writer, readers) = match location {
            SqliteLocation::Memory => {
                let conn = Connection::open_in_memory().map_err(rows::unavailable)?;
                configure(&conn, true, profile).map_err(rows::unavailable)?;
                (conn, Vec::new())
            }
            SqliteLocation::File(path) => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| StorageError::Unavailable(format!("cannot create {}: {e}", parent.display())))?;
                }
                let writer = Connection::open(path)
                    .map_err(|e| StorageError::Unavailable(format!("cannot open {}: {e}", path.display())))?;
                configure(&writer, true, profile).map_err(rows::unavailable)?;
                let mut readers = Vec::with_capacity(READERS);
                for _ in 0..READERS {
                    let conn = Connection::open(path).map_err(rows::unavailable)?;
                    configure(&conn, false, profile).map_err(rows::unavailable)?;
                    readers.push(Mutex::new(conn));
                }
                (writer, readers)
            }
        };
        Ok(Self { inner: Arc::new(Inner { writer: Mutex::new(writer), readers, next_reader: AtomicUsize::new(0) }) })
    }

    /// Runs `f` on the writer connection off the async threads.
    async fn write<T, F>(&self, f: F) -> StorageResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StorageResult<T> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let mut conn = inner.writer.lock().map_err(|_| poisoned())?;
            f(&mut conn)
        })
        .await
        .map_err(|e| StorageError::Unavailable(format!("SQLite task failed: {e}")))?
    }

    /// Runs `f` on a reader connection (the writer for an in-memory database).
    async fn read<T, F>(&self, f: F) -> StorageResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StorageResult<T> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            if inner.readers.is_empty() {
                let conn = inner.writer.lock().map_err(|_| poisoned())?;
                return f(&conn);
            }
            let start = inner.next_reader.fetch_add(1, Ordering::Relaxed);
            for i in 0..inner.readers.len() {
                if let Ok(conn) = inner.readers[(start + i) % inner.readers.len()].try_lock() {
                    return f(&conn);
                }
            }
            let conn = inner.readers[start % inner.readers.len()].lock().map_err(|_| poisoned())?;
            f(&conn)
        })
        .await
        .map_err(|e| StorageError::Unavailable(format!("SQLite task failed: {e}")))?
    }
}

fn poisoned() -> StorageError {
    StorageError::Unavailable("SQLite connection lock poisoned by an earlier panic".into())
}

#[async_trait]
impl Storage for SqliteStorage {
    async fn migrate(&self) -> StorageResult<usize> {
        self.write(migrations::apply).await
    }

    async fn ping(&self) -> StorageResult<()> {
        self.read(|conn| conn.query_row("SELECT 1", [], |_| Ok(())).map_err(rows::unavailable)).await
    }

    fn dialect(&self) -> &'static str {
        "sqlite"
    }
}
