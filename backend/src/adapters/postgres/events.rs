//! The event stream on PostgreSQL: an append takes the tenant's `event_seqs` row lock (the upsert) until it commits,
//! so concurrent appenders of one tenant are serialised and `seq` order is commit order.

use super::PostgresStorage;
use super::rows::{self, truncate_ms, unavailable};
use crate::ports::{EventRepository, NewEvent, StorageError, StorageResult, StoredEvent};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use flowline_shared::TenantId;
use serde_json::Value;
use tokio_postgres::Row;

fn event(tenant_id: TenantId, row: &Row) -> StorageResult<StoredEvent> {
    let data = match rows::get::<Value>(row, 3)? {
        Value::Object(map) => map,
        other => return Err(StorageError::Unavailable(format!("stored event data is not an object: {other}"))),
    };
    Ok(StoredEvent { tenant_id, seq: rows::get(row, 0)?, at: rows::get(row, 1)?, kind: rows::parse(row, 2)?, data })
}

/// Appends `events` to the tenant's stream inside `tx` (the caller commits). The counter upsert takes the tenant's
/// row lock, which serialises appenders until commit.
pub(super) async fn append_in(
    tx: &deadpool_postgres::Transaction<'_>,
    tenant: TenantId,
    events: &[NewEvent],
) -> StorageResult<Vec<StoredEvent>> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let count = events.len() as i64;
    let last: i64 = rows::get(
        &tx.query_one(
            "INSERT INTO event_seqs (tenant_id, last_seq) VALUES ($1, $2) \
             ON CONFLICT (tenant_id) DO UPDATE SET last_seq = event_seqs.last_seq + $2 RETURNING last_seq",
            &[&tenant.0, &count],
        )
        .await
        .map_err(unavailable)?,
        0,
    )?;
    let first = last - count + 1;
    let seqs: Vec<i64> = (first..=last).collect();
    let ats: Vec<DateTime<Utc>> = events.iter().map(|e| truncate_ms(e.at)).collect();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    let data: Vec<Value> = events.iter().map(|e| Value::Object(e.data.clone())).collect();
    tx.execute(
        "INSERT INTO events (tenant_id, seq, at, kind, payload) \
         SELECT $1, u.seq, u.at, u.kind, u.payload FROM UNNEST($2::bigint[], $3::timestamptz[], $4::text[], $5::jsonb[]) \
         AS u(seq, at, kind, payload)",
        &[&tenant.0, &seqs, &ats, &kinds, &data],
    )
    .await
    .map_err(unavailable)?;
    Ok(events
        .iter()
        .zip(seqs.into_iter().zip(ats))
        .map(|(e, (seq, at))| StoredEvent { tenant_id: tenant, seq, kind: e.kind, at, data: e.data.clone() })
        .collect())
}

#[async_trait]
impl EventRepository for PostgresStorage {
    async fn append_events(&self, tenant: TenantId, events: &[NewEvent]) -> StorageResult<Vec<StoredEvent>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(unavailable)?;
        let known =
            tx.query_opt("SELECT 1 FROM tenants WHERE id = $1", &[&tenant.0]).await.map_err(unavailable)?.is_some();
        if !known {
            return Err(StorageError::NotFound(format!("tenant {}", tenant.0)));
        }
        let stored = append_in(&tx, tenant, events).await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(stored)
    }

    async fn events_after(&self, tenant: TenantId, after: i64, limit: u32) -> StorageResult<Vec<StoredEvent>> {
        let client = self.client().await?;
        client
            .query(
                "SELECT seq, at, kind, payload FROM events WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                &[&tenant.0, &after, &i64::from(limit)],
            )
            .await
            .map_err(unavailable)?
            .iter()
            .map(|row| event(tenant, row))
            .collect()
    }

    async fn prune_events(&self, tenant: TenantId, before: DateTime<Utc>) -> StorageResult<u64> {
        let client = self.client().await?;
        client
            .execute("DELETE FROM events WHERE tenant_id = $1 AND at < $2", &[&tenant.0, &before])
            .await
            .map_err(unavailable)
    }

    async fn last_event_seq(&self, tenant: TenantId) -> StorageResult<i64> {
        let client = self.client().await?;
        let row = client
            .query_opt("SELECT last_seq FROM event_seqs WHERE tenant_id = $1", &[&tenant.0])
            .await
            .map_err(unavailable)?;
        row.map_or(Ok(0), |r| rows::get(&r, 0))
    }
}
