//! Maintenance items on SQLite. The composite foreign key keeps an item inside its well's tenant; the writers also
//! check the well first so that a foreign well is `NotFound`, not a constraint error.

use super::SqliteStorage;
use super::rows::{self, classify, ms, truncate_ms, unavailable};
use crate::ports::{InsertOutcome, MaintenanceFilter, MaintenanceRepository, PageRequest, StorageError, StorageResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use flowline_shared::dto::maintenance::{MaintenanceId, MaintenanceItem, MaintenancePatch, MaintenanceStatus};
use flowline_shared::{TenantId, WellId};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};
use std::collections::HashMap;

const COLUMNS: &str =
    "id, well_id, kind, title, notes, due_on, status, created_at, updated_at, completed_at, created_by";

fn item(row: &Row<'_>) -> rusqlite::Result<MaintenanceItem> {
    let completed: Option<i64> = row.get(9)?;
    Ok(MaintenanceItem {
        id: MaintenanceId(row.get(0)?),
        well_id: WellId(row.get(1)?),
        kind: rows::parsed(row, 2)?,
        title: row.get(3)?,
        notes: row.get(4)?,
        due_on: rows::date(row, 5)?,
        status: rows::parsed(row, 6)?,
        created_at: rows::instant(row, 7)?,
        updated_at: rows::instant(row, 8)?,
        completed_at: match completed {
            None => None,
            Some(_) => Some(rows::instant(row, 9)?),
        },
        created_by: row.get(10)?,
    })
}

/// The item with its instants at the stored precision.
fn stored_form(item: &MaintenanceItem) -> MaintenanceItem {
    MaintenanceItem {
        created_at: truncate_ms(item.created_at),
        updated_at: truncate_ms(item.updated_at),
        completed_at: item.completed_at.map(truncate_ms),
        ..item.clone()
    }
}

fn ensure_well(conn: &Connection, tenant: TenantId, well: WellId) -> StorageResult<()> {
    let mut stmt = conn.prepare_cached("SELECT 1 FROM wells WHERE tenant_id = ?1 AND id = ?2").map_err(unavailable)?;
    if stmt.exists(params![tenant.0, well.0]).map_err(unavailable)? {
        Ok(())
    } else {
        Err(StorageError::NotFound(format!("well {well} in this tenant")))
    }
}

/// Inserts `item`; with `skip_existing`, an id already stored is left alone (returns false).
fn insert(conn: &Connection, tenant: TenantId, item: &MaintenanceItem, skip_existing: bool) -> StorageResult<bool> {
    // Only a taken id is skipped (`OR IGNORE` would also skip rows breaking a CHECK).
    let on_conflict = if skip_existing { " ON CONFLICT (id) DO NOTHING" } else { "" };
    let mut stmt = conn
        .prepare_cached(&format!(
            "INSERT INTO maintenance_items (tenant_id, {COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12){on_conflict}"
        ))
        .map_err(unavailable)?;
    let changed = stmt
        .execute(params![
            tenant.0,
            item.id.0,
            item.well_id.0,
            item.kind.as_str(),
            item.title,
            item.notes,
            item.due_on.to_string(),
            item.status.as_str(),
            ms(item.created_at),
            ms(item.updated_at),
            item.completed_at.map(ms),
            item.created_by,
        ])
        .map_err(|e| classify(e, &format!("maintenance item {} exists", item.id)))?;
    Ok(changed == 1)
}

fn get(conn: &Connection, tenant: TenantId, id: MaintenanceId) -> StorageResult<Option<MaintenanceItem>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM maintenance_items WHERE tenant_id = ?1 AND id = ?2"))
        .map_err(unavailable)?
        .query_row(params![tenant.0, id.0], item)
        .optional()
        .map_err(unavailable)
}

/// `WHERE` clause and its values; every value is bound.
fn filter_sql(tenant: TenantId, f: &MaintenanceFilter) -> (String, Vec<Value>) {
    let mut sql = String::from("tenant_id = ?");
    let mut values: Vec<Value> = vec![Value::Blob(tenant.0.as_bytes().to_vec())];
    if let Some(well) = f.well_id {
        sql.push_str(" AND well_id = ?");
        values.push(Value::Blob(well.0.as_bytes().to_vec()));
    }
    if let Some(status) = f.status {
        sql.push_str(" AND status = ?");
        values.push(Value::Text(status.as_str().to_owned()));
    }
    if let Some(from) = f.due_from {
        sql.push_str(" AND due_on >= ?");
        values.push(Value::Text(from.to_string()));
    }
    if let Some(to) = f.due_to {
        sql.push_str(" AND due_on <= ?");
        values.push(Value::Text(to.to_string()));
    }
    (sql, values)
}

#[async_trait]
impl MaintenanceRepository for SqliteStorage {
    async fn create_maintenance(&self, tenant: TenantId, item: &MaintenanceItem) -> StorageResult<MaintenanceItem> {
        let item = stored_form(item);
        self.write(move |conn| {
            let tx = conn.transaction().map_err(unavailable)?;
            ensure_well(&tx, tenant, item.well_id)?;
            insert(&tx, tenant, &item, false)?;
            tx.commit().map_err(unavailable)?;
            Ok(item)
        })
        .await
    }

    async fn insert_maintenance(&self, tenant: TenantId, items: &[MaintenanceItem]) -> StorageResult<InsertOutcome> {
        let items: Vec<MaintenanceItem> = items.iter().map(stored_form).collect();
        self.write(move |conn| {
            let tx = conn.transaction().map_err(unavailable)?;
            let mut wells: Vec<WellId> = items.iter().map(|i| i.well_id).collect();
            wells.sort_unstable();
            wells.dedup();
            for well in wells {
                ensure_well(&tx, tenant, well)?;
            }
            let mut outcome = InsertOutcome::default();
            for item in &items {
                if insert(&tx, tenant, item, true)? {
                    outcome.inserted += 1;
                } else {
                    outcome.duplicates += 1;
                }
            }
            tx.commit().map_err(unavailable)?;
            Ok(outcome)
        })
        .await
    }

    async fn get_maintenance(&self, tenant: TenantId, id: MaintenanceId) -> StorageResult<Option<MaintenanceItem>> {
        self.read(move |conn| get(conn, tenant, id)).await
    }

    async fn list_maintenance(
        &self,
        tenant: TenantId,
        filter: &MaintenanceFilter,
        page: PageRequest,
    ) -> StorageResult<(Vec<MaintenanceItem>, u64)> {
        let (clause, values) = filter_sql(tenant, filter);
        self.read(move |conn| {
            let total: i64 = conn
                .query_row(
                    &format!("SELECT COUNT(*) FROM maintenance_items WHERE {clause}"),
                    params_from_iter(values.iter()),
                    |r| r.get(0),
                )
                .map_err(unavailable)?;
            let sql = format!(
                "SELECT {COLUMNS} FROM maintenance_items WHERE {clause} ORDER BY due_on, id LIMIT {limit} OFFSET {offset}",
                limit = page.limit,
                offset = page.offset,
            );
            let mut stmt = conn.prepare(&sql).map_err(unavailable)?;
            let items = stmt
                .query_map(params_from_iter(values.iter()), item)
                .map_err(unavailable)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(unavailable)?;
            Ok((items, u64::try_from(total).unwrap_or(0)))
        })
        .await
    }

    async fn update_maintenance(
        &self,
        tenant: TenantId,
        id: MaintenanceId,
        patch: &MaintenancePatch,
        now: DateTime<Utc>,
    ) -> StorageResult<MaintenanceItem> {
        let patch = patch.clone();
        let now = truncate_ms(now);
        self.write(move |conn| {
            let tx = conn.transaction().map_err(unavailable)?;
            let current =
                get(&tx, tenant, id)?.ok_or_else(|| StorageError::NotFound(format!("maintenance item {id}")))?;
            let updated = current.patched(&patch, now);
            tx.execute(
                "UPDATE maintenance_items SET kind = ?3, title = ?4, notes = ?5, due_on = ?6, status = ?7, \
                 updated_at = ?8, completed_at = ?9 WHERE tenant_id = ?1 AND id = ?2",
                params![
                    tenant.0,
                    id.0,
                    updated.kind.as_str(),
                    updated.title,
                    updated.notes,
                    updated.due_on.to_string(),
                    updated.status.as_str(),
                    ms(updated.updated_at),
                    updated.completed_at.map(ms),
                ],
            )
            .map_err(unavailable)?;
            tx.commit().map_err(unavailable)?;
            Ok(updated)
        })
        .await
    }

    async fn delete_maintenance(&self, tenant: TenantId, id: MaintenanceId) -> StorageResult<()> {
        self.write(move |conn| {
            let deleted = conn
                .execute("DELETE FROM maintenance_items WHERE tenant_id = ?1 AND id = ?2", params![tenant.0, id.0])
                .map_err(unavailable)?;
            if deleted == 0 {
                return Err(StorageError::NotFound(format!("maintenance item {id}")));
            }
            Ok(())
        })
        .await
    }

    async fn next_scheduled_maintenance(
        &self,
        tenant: TenantId,
        wells: &[WellId],
    ) -> StorageResult<HashMap<WellId, MaintenanceItem>> {
        let mut wells = wells.to_vec();
        wells.sort_unstable();
        wells.dedup();
        self.read(move |conn| {
            // One seek per well on the partial index of scheduled items.
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM maintenance_items \
                     WHERE tenant_id = ?1 AND well_id = ?2 AND status = '{scheduled}' ORDER BY due_on, id LIMIT 1",
                    scheduled = MaintenanceStatus::Scheduled.as_str(),
                ))
                .map_err(unavailable)?;
            let mut out = HashMap::new();
            for well in wells {
                if let Some(found) = stmt.query_row(params![tenant.0, well.0], item).optional().map_err(unavailable)? {
                    out.insert(well, found);
                }
            }
            Ok(out)
        })
        .await
    }
}
