//! The event stream on SQLite: the tenant's counter row and the events are written in one transaction on the one
//! writer connection, so numbering and commit order agree.

use super::SqliteStorage;
use super::rows::{instant, ms, parsed, truncate_ms, unavailable};
use crate::ports::{EventRepository, NewEvent, StorageError, StorageResult, StoredEvent};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use flowline_shared::TenantId;
use rusqlite::{OptionalExtension, Row, params};

fn event(tenant_id: TenantId, row: &Row<'_>) -> rusqlite::Result<StoredEvent> {
    let raw: String = row.get(3)?;
    let data = serde_json::from_str(&raw)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, Box::new(e)))?;
    Ok(StoredEvent { tenant_id, seq: row.get(0)?, at: instant(row, 1)?, kind: parsed(row, 2)?, data })
}

/// Appends `events` to the tenant's stream inside `tx` (the caller commits): the counter row, then the events.
pub(super) fn append_in(
    tx: &rusqlite::Transaction<'_>,
    tenant: TenantId,
    events: Vec<NewEvent>,
) -> StorageResult<Vec<StoredEvent>> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let last: i64 = tx
        .query_row(
            "INSERT INTO event_seqs (tenant_id, last_seq) VALUES (?1, ?2) \
             ON CONFLICT (tenant_id) DO UPDATE SET last_seq = last_seq + ?2 RETURNING last_seq",
            params![tenant.0, events.len() as i64],
            |r| r.get(0),
        )
        .map_err(unavailable)?;
    let first = last - events.len() as i64 + 1;
    let mut stored = Vec::with_capacity(events.len());
    let mut insert = tx
        .prepare_cached("INSERT INTO events (tenant_id, seq, at, kind, payload) VALUES (?1, ?2, ?3, ?4, ?5)")
        .map_err(unavailable)?;
    for (seq, e) in (first..).zip(events) {
        let payload =
            serde_json::to_string(&e.data).map_err(|err| StorageError::Unavailable(format!("event data: {err}")))?;
        // Stored to the millisecond: the appended event reads back equal.
        let at = truncate_ms(e.at);
        insert.execute(params![tenant.0, seq, ms(at), e.kind.as_str(), payload]).map_err(unavailable)?;
        stored.push(StoredEvent { tenant_id: tenant, seq, kind: e.kind, at, data: e.data });
    }
    Ok(stored)
}

#[async_trait]
impl EventRepository for SqliteStorage {
    async fn append_events(&self, tenant: TenantId, events: &[NewEvent]) -> StorageResult<Vec<StoredEvent>> {
        let events = events.to_vec();
        self.write(move |conn| {
            let tx = conn.transaction().map_err(unavailable)?;
            let known: bool = tx
                .query_row("SELECT EXISTS (SELECT 1 FROM tenants WHERE id = ?1)", params![tenant.0], |r| r.get(0))
                .map_err(unavailable)?;
            if !known {
                return Err(StorageError::NotFound(format!("tenant {}", tenant.0)));
            }
            let stored = append_in(&tx, tenant, events)?;
            tx.commit().map_err(unavailable)?;
            Ok(stored)
        })
        .await
    }

    async fn events_after(&self, tenant: TenantId, after: i64, limit: u32) -> StorageResult<Vec<StoredEvent>> {
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT seq, at, kind, payload FROM events WHERE tenant_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
                )
                .map_err(unavailable)?;
            let rows = stmt
                .query_map(params![tenant.0, after, i64::from(limit)], |row| event(tenant, row))
                .map_err(unavailable)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(unavailable)
        })
        .await
    }

    async fn prune_events(&self, tenant: TenantId, before: DateTime<Utc>) -> StorageResult<u64> {
        self.write(move |conn| {
            conn.execute("DELETE FROM events WHERE tenant_id = ?1 AND at < ?2", params![tenant.0, ms(before)])
                .map(|n| n as u64)
                .map_err(unavailable)
        })
        .await
    }

    async fn last_event_seq(&self, tenant: TenantId) -> StorageResult<i64> {
        self.read(move |conn| {
            let last: Option<i64> = conn
                .query_row("SELECT last_seq FROM event_seqs WHERE tenant_id = ?1", params![tenant.0], |r| r.get(0))
                .optional()
                .map_err(unavailable)?;
            Ok(last.unwrap_or(0))
        })
        .await
    }
}
