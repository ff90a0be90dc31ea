//! Maintenance items on PostgreSQL. The writers check the well inside their transaction (`NotFound` for another
//! tenant's); the composite foreign key of migration 0008 backs that up.

use super::PostgresStorage;
use super::rows::{self, classify, ensure_wells_of_tenant, truncate_ms, unavailable};
use crate::ports::{InsertOutcome, MaintenanceFilter, MaintenanceRepository, PageRequest, StorageError, StorageResult};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use flowline_shared::dto::maintenance::{MaintenanceId, MaintenanceItem, MaintenancePatch};
use flowline_shared::{TenantId, WellId};
use std::collections::HashMap;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;
use uuid::Uuid;

const COLUMNS: &str =
    "id, well_id, kind, title, notes, due_on, status, created_at, updated_at, completed_at, created_by";

type Param = Box<dyn ToSql + Sync + Send>;

/// Items per `UNNEST` insert statement of `insert_maintenance`.
const INSERT_BATCH: usize = 5_000;

fn item(row: &Row) -> StorageResult<MaintenanceItem> {
    Ok(MaintenanceItem {
        id: MaintenanceId(rows::get(row, 0)?),
        well_id: WellId(rows::get(row, 1)?),
        kind: rows::parse(row, 2)?,
        title: rows::get(row, 3)?,
        notes: rows::get(row, 4)?,
        due_on: rows::get(row, 5)?,
        status: rows::parse(row, 6)?,
        created_at: rows::get(row, 7)?,
        updated_at: rows::get(row, 8)?,
        completed_at: rows::get(row, 9)?,
        created_by: rows::get(row, 10)?,
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

const INSERT_SQL: &str = "INSERT INTO maintenance_items (tenant_id, id, well_id, kind, title, notes, due_on, status, \
     created_at, updated_at, completed_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

async fn insert(
    tx: &deadpool_postgres::Transaction<'_>,
    tenant: TenantId,
    item: &MaintenanceItem,
) -> StorageResult<()> {
    tx.execute(
        INSERT_SQL,
        &[
            &tenant.0,
            &item.id.0,
            &item.well_id.0,
            &item.kind.as_str(),
            &item.title,
            &item.notes,
            &item.due_on,
            &item.status.as_str(),
            &item.created_at,
            &item.updated_at,
            &item.completed_at,
            &item.created_by,
        ],
    )
    .await
    .map_err(|e| classify(e, &format!("maintenance item {} exists", item.id)))?;
    Ok(())
}

/// `WHERE` clause and its bound values.
fn filter_sql(tenant: TenantId, f: &MaintenanceFilter) -> (String, Vec<Param>) {
    let mut params: Vec<Param> = vec![Box::new(tenant.0)];
    let mut sql = String::from("tenant_id = $1");
    if let Some(well) = f.well_id {
        params.push(Box::new(well.0));
        sql.push_str(&format!(" AND well_id = ${}", params.len()));
    }
    if let Some(status) = f.status {
        params.push(Box::new(status.as_str().to_owned()));
        sql.push_str(&format!(" AND status = ${}", params.len()));
    }
    if let Some(from) = f.due_from {
        params.push(Box::new(from));
        sql.push_str(&format!(" AND due_on >= ${}", params.len()));
    }
    if let Some(to) = f.due_to {
        params.push(Box::new(to));
        sql.push_str(&format!(" AND due_on <= ${}", params.len()));
    }
    (sql, params)
}

fn refs(params: &[Param]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect()
}

#[async_trait]
impl MaintenanceRepository for PostgresStorage {
    async fn create_maintenance(&self, tenant: TenantId, item: &MaintenanceItem) -> StorageResult<MaintenanceItem> {
        let item = stored_form(item);
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(unavailable)?;
        ensure_wells_of_tenant(&tx, tenant, std::iter::once(item.well_id)).await?;
        insert(&tx, tenant, &item).await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(item)
    }

    async fn insert_maintenance(&self, tenant: TenantId, items: &[MaintenanceItem]) -> StorageResult<InsertOutcome> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(unavailable)?;
        ensure_wells_of_tenant(&tx, tenant, items.iter().map(|i| i.well_id)).await?;
        let stmt = tx
            .prepare_cached(&format!(
                "INSERT INTO maintenance_items (tenant_id, {COLUMNS}) \
                 SELECT $1, * FROM UNNEST($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::date[], \
                    $8::text[], $9::timestamptz[], $10::timestamptz[], $11::timestamptz[], $12::text[]) \
                 ON CONFLICT (id) DO NOTHING"
            ))
            .await
            .map_err(unavailable)?;
        let mut outcome = InsertOutcome::default();
        for chunk in items.chunks(INSERT_BATCH) {
            let chunk: Vec<MaintenanceItem> = chunk.iter().map(stored_form).collect();
            let ids: Vec<Uuid> = chunk.iter().map(|i| i.id.0).collect();
            let wells: Vec<Uuid> = chunk.iter().map(|i| i.well_id.0).collect();
            let kinds: Vec<&str> = chunk.iter().map(|i| i.kind.as_str()).collect();
            let titles: Vec<&str> = chunk.iter().map(|i| i.title.as_str()).collect();
            let notes: Vec<Option<&str>> = chunk.iter().map(|i| i.notes.as_deref()).collect();
            let due: Vec<NaiveDate> = chunk.iter().map(|i| i.due_on).collect();
            let statuses: Vec<&str> = chunk.iter().map(|i| i.status.as_str()).collect();
            let created: Vec<DateTime<Utc>> = chunk.iter().map(|i| i.created_at).collect();
            let updated: Vec<DateTime<Utc>> = chunk.iter().map(|i| i.updated_at).collect();
            let completed: Vec<Option<DateTime<Utc>>> = chunk.iter().map(|i| i.completed_at).collect();
            let by: Vec<&str> = chunk.iter().map(|i| i.created_by.as_str()).collect();
            let inserted = tx
                .execute(
                    &stmt,
                    &[
                        &tenant.0, &ids, &wells, &kinds, &titles, &notes, &due, &statuses, &created, &updated,
                        &completed, &by,
                    ],
                )
                .await
                .map_err(unavailable)?;
            outcome.inserted += inserted;
            outcome.duplicates += chunk.len() as u64 - inserted;
        }
        tx.commit().await.map_err(unavailable)?;
        Ok(outcome)
    }

    async fn get_maintenance(&self, tenant: TenantId, id: MaintenanceId) -> StorageResult<Option<MaintenanceItem>> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                &format!("SELECT {COLUMNS} FROM maintenance_items WHERE tenant_id = $1 AND id = $2"),
                &[&tenant.0, &id.0],
            )
            .await
            .map_err(unavailable)?;
        row.as_ref().map(item).transpose()
    }

    async fn list_maintenance(
        &self,
        tenant: TenantId,
        filter: &MaintenanceFilter,
        page: PageRequest,
    ) -> StorageResult<(Vec<MaintenanceItem>, u64)> {
        let (clause, params) = filter_sql(tenant, filter);
        let client = self.client().await?;
        let total: i64 = client
            .query_one(&format!("SELECT COUNT(*) FROM maintenance_items WHERE {clause}"), &refs(&params))
            .await
            .map_err(unavailable)?
            .try_get(0)
            .map_err(unavailable)?;
        let sql = format!(
            "SELECT {COLUMNS} FROM maintenance_items WHERE {clause} ORDER BY due_on, id LIMIT {limit} OFFSET {offset}",
            limit = page.limit,
            offset = page.offset,
        );
        let found = client.query(&sql, &refs(&params)).await.map_err(unavailable)?;
        let items = found.iter().map(item).collect::<StorageResult<Vec<_>>>()?;
        Ok((items, u64::try_from(total).unwrap_or(0)))
    }

    async fn update_maintenance(
        &self,
        tenant: TenantId,
        id: MaintenanceId,
        patch: &MaintenancePatch,
        now: DateTime<Utc>,
    ) -> StorageResult<MaintenanceItem> {
        let now = truncate_ms(now);
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(unavailable)?;
        // The row lock makes a concurrent patch wait and then apply itself to this one's result.
        let row = tx
            .query_opt(
                &format!("SELECT {COLUMNS} FROM maintenance_items WHERE tenant_id = $1 AND id = $2 FOR UPDATE"),
                &[&tenant.0, &id.0],
            )
            .await
            .map_err(unavailable)?
            .ok_or_else(|| StorageError::NotFound(format!("maintenance item {id}")))?;
        let updated = item(&row)?.patched(patch, now);
        tx.execute(
            "UPDATE maintenance_items SET kind = $3, title = $4, notes = $5, due_on = $6, status = $7, \
             updated_at = $8, completed_at = $9 WHERE tenant_id = $1 AND id = $2",
            &[
                &tenant.0,
                &id.0,
                &updated.kind.as_str(),
                &updated.title,
                &updated.notes,
                &updated.due_on,
                &updated.status.as_str(),
                &updated.updated_at,
                &updated.completed_at,
            ],
        )
        .await
        .map_err(unavailable)?;
        tx.commit().await.map_err(unavailable)?;
        Ok(updated)
    }

    async fn delete_maintenance(&self, tenant: TenantId, id: MaintenanceId) -> StorageResult<()> {
        let client = self.client().await?;
        let deleted = client
            .execute("DELETE FROM maintenance_items WHERE tenant_id = $1 AND id = $2", &[&tenant.0, &id.0])
            .await
            .map_err(unavailable)?;
        if deleted == 0 {
            return Err(StorageError::NotFound(format!("maintenance item {id}")));
        }
        Ok(())
    }

    async fn next_scheduled_maintenance(
        &self,
        tenant: TenantId,
        wells: &[WellId],
    ) -> StorageResult<HashMap<WellId, MaintenanceItem>> {
        let raw: Vec<Uuid> = wells.iter().map(|w| w.0).collect();
        let client = self.client().await?;
        let found = client
            .query(
                &format!(
                    "SELECT DISTINCT ON (well_id) {COLUMNS} FROM maintenance_items \
                     WHERE tenant_id = $1 AND well_id = ANY($2) AND status = 'scheduled' ORDER BY well_id, due_on, id"
                ),
                &[&tenant.0, &raw],
            )
            .await
            .map_err(unavailable)?;
        found.iter().map(|r| item(r).map(|i| (i.well_id, i))).collect()
    }
}
