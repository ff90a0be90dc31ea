//! Wells on PostgreSQL.

use super::PostgresStorage;
use super::rows::{self, WELL_COLUMNS, classify, truncate_ms, unavailable};
use crate::adapters::{api_conflict, escape_like};
use crate::ports::{PageRequest, StorageError, StorageResult, WellFilter, WellRepository, WellWithLatest};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use flowline_shared::dto::LatestReading;
use flowline_shared::{NewWell, TenantId, Well, WellId};
use std::collections::HashSet;
use tokio_postgres::types::ToSql;
use uuid::Uuid;

type Param = Box<dyn ToSql + Sync + Send>;

/// `WHERE` clause and its bound values; user text never enters the SQL string.
fn filter_sql(tenant: TenantId, f: &WellFilter) -> (String, Vec<Param>) {
    let mut params: Vec<Param> = vec![Box::new(tenant.0)];
    let mut sql = String::from("w.tenant_id = $1");
    let mut eq = |col: &str, v: Option<String>, params: &mut Vec<Param>| {
        if let Some(v) = v {
            params.push(Box::new(v));
            sql.push_str(&format!(" AND {col} = ${}", params.len()));
        }
    };
    eq("w.status", f.status.map(|s| s.as_str().to_owned()), &mut params);
    eq("w.well_type", f.well_type.map(|t| t.as_str().to_owned()), &mut params);
    eq("w.lease", f.lease.clone(), &mut params);
    eq("w.field", f.field.clone(), &mut params);
    if let Some(q) = f.search.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let digits: String = q.chars().filter(char::is_ascii_digit).collect();
        params.push(Box::new(format!("%{}%", escape_like(q))));
        let p = params.len();
        params.push(Box::new(if digits.is_empty() { "\u{1}".to_owned() } else { format!("%{digits}%") }));
        let d = params.len();
        sql.push_str(&format!(
            " AND (w.name ILIKE ${p} OR w.lease ILIKE ${p} OR w.field ILIKE ${p} OR w.api_number LIKE ${d})"
        ));
    }
    (sql, params)
}

fn refs(params: &[Param]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect()
}

#[async_trait]
impl WellRepository for PostgresStorage {
    async fn create_well(&self, tenant: TenantId, well: &NewWell, now: DateTime<Utc>) -> StorageResult<Well> {
        let mut created = self.create_wells(tenant, std::slice::from_ref(well), now).await?;
        created.pop().ok_or_else(|| StorageError::Unavailable("insert returned no well".into()))
    }

    async fn create_wells(&self, tenant: TenantId, wells: &[NewWell], now: DateTime<Utc>) -> StorageResult<Vec<Well>> {
        let now = truncate_ms(now);
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(unavailable)?;
        let stmt = tx
            .prepare(&format!(
                "INSERT INTO wells ({WELL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
            ))
            .await
            .map_err(unavailable)?;
        let mut out = Vec::with_capacity(wells.len());
        for w in wells {
            let well = Well::from_new(WellId(Uuid::new_v4()), tenant, w, now);
            tx.execute(
                &stmt,
                &[
                    &well.id.0,
                    &tenant.0,
                    &well.api_number.as_ref().map(|a| a.digits()),
                    &well.name,
                    &well.well_type.as_str(),
                    &well.status.as_str(),
                    &well.location.map(|l| l.latitude),
                    &well.location.map(|l| l.longitude),
                    &well.lease,
                    &well.field,
                    &well.county,
                    &well.state,
                    &well.first_production_date,
                    &well.created_at,
                    &well.updated_at,
                ],
            )
            .await
            .map_err(|e| classify(e, &api_conflict(&well)))?;
            out.push(well);
        }
        tx.commit().await.map_err(unavailable)?;
        Ok(out)
    }

    async fn update_well(&self, tenant: TenantId, well: &Well) -> StorageResult<Well> {
        let mut w = well.clone();
        w.updated_at = truncate_ms(Utc::now());
        let client = self.client().await?;
        let changed = client
            .execute(
                "UPDATE wells SET api_number = $3, name = $4, well_type = $5, status = $6, latitude = $7, longitude = $8, \
                 lease = $9, field = $10, county = $11, state = $12, first_production_date = $13, updated_at = $14 \
                 WHERE tenant_id = $1 AND id = $2",
                &[
                    &tenant.0,
                    &w.id.0,
                    &w.api_number.as_ref().map(|a| a.digits()),
                    &w.name,
                    &w.well_type.as_str(),
                    &w.status.as_str(),
                    &w.location.map(|l| l.latitude),
                    &w.location.map(|l| l.longitude),
                    &w.lease,
                    &w.field,
                    &w.county,
                    &w.state,
                    &w.first_production_date,
                    &w.updated_at,
                ],
            )
            .await
            .map_err(|e| classify(e, &api_conflict(&w)))?;
        if changed == 0 {
            return Err(StorageError::NotFound(format!("well {}", w.id)));
        }
        Ok(w)
    }

    async fn get_well(&self, tenant: TenantId, id: WellId) -> StorageResult<Option<Well>> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                &format!("SELECT {WELL_COLUMNS} FROM wells WHERE tenant_id = $1 AND id = $2"),
                &[&tenant.0, &id.0],
            )
            .await
            .map_err(unavailable)?;
        row.as_ref().map(rows::well).transpose()
    }

    async fn list_wells(
        &self,
        tenant: TenantId,
        filter: &WellFilter,
        page: PageRequest,
    ) -> StorageResult<(Vec<WellWithLatest>, u64)> {
        let (clause, params) = filter_sql(tenant, filter);
        let client = self.client().await?;
        let total: i64 = client
            .query_one(&format!("SELECT COUNT(*) FROM wells w WHERE {clause}"), &refs(&params))
            .await
            .map_err(unavailable)?
            .try_get(0)
            .map_err(unavailable)?;
        let cols: Vec<String> = WELL_COLUMNS.split(", ").map(|c| format!("p.{c}")).collect();
        let sql = format!(
            "SELECT {cols}, e.recorded_at, e.oil_bbl, e.gas_mcf, e.water_bbl, e.hours_on \
             FROM (SELECT w.* FROM wells w WHERE {clause} ORDER BY w.name COLLATE \"C\", w.id LIMIT {limit} OFFSET {offset}) p \
             LEFT JOIN LATERAL (SELECT x.recorded_at, x.oil_bbl, x.gas_mcf, x.water_bbl, x.hours_on FROM field_entries x \
                WHERE x.tenant_id = p.tenant_id AND x.well_id = p.id ORDER BY x.recorded_at DESC, x.id DESC LIMIT 1) e ON TRUE \
             ORDER BY p.name COLLATE \"C\", p.id",
            cols = cols.join(", "),
            limit = page.limit,
            offset = page.offset,
        );
        let found = client.query(&sql, &refs(&params)).await.map_err(unavailable)?;
        let mut out = Vec::with_capacity(found.len());
        for row in &found {
            let recorded_at: Option<DateTime<Utc>> = rows::get(row, 15)?;
            let latest = match recorded_at {
                None => None,
                Some(recorded_at) => Some(LatestReading {
                    recorded_at,
                    oil_bbl: rows::get(row, 16)?,
                    gas_mcf: rows::get(row, 17)?,
                    water_bbl: rows::get(row, 18)?,
                    hours_on: rows::get(row, 19)?,
                }),
            };
            out.push(WellWithLatest { well: rows::well(row)?, latest });
        }
        Ok((out, u64::try_from(total).unwrap_or(0)))
    }

    async fn existing_well_ids(&self, tenant: TenantId, ids: &[WellId]) -> StorageResult<HashSet<WellId>> {
        let raw: Vec<Uuid> = ids.iter().map(|i| i.0).collect();
        let client = self.client().await?;
        let found = client
            .query("SELECT id FROM wells WHERE tenant_id = $1 AND id = ANY($2)", &[&tenant.0, &raw])
            .await
            .map_err(unavailable)?;
        found.iter().map(|r| rows::get(r, 0).map(WellId)).collect()
    }

    async fn wells_by_ids(&self, tenant: TenantId, ids: &[WellId]) -> StorageResult<Vec<Well>> {
        let raw: Vec<Uuid> = ids.iter().map(|i| i.0).collect();
        let client = self.client().await?;
        let found = client
            .query(
                &format!("SELECT {WELL_COLUMNS} FROM wells WHERE tenant_id = $1 AND id = ANY($2) ORDER BY id"),
                &[&tenant.0, &raw],
            )
            .await
            .map_err(unavailable)?;
        found.iter().map(rows::well).collect()
    }

    async fn well_ids(&self, tenant: TenantId) -> StorageResult<Vec<WellId>> {
        let client = self.client().await?;
        let found = client
            .query("SELECT id FROM wells WHERE tenant_id = $1 ORDER BY id", &[&tenant.0])
            .await
            .map_err(unavailable)?;
        found.iter().map(|r| rows::get(r, 0).map(WellId)).collect()
    }
}
