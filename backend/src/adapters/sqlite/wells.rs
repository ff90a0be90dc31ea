//! Wells on SQLite.

use super::SqliteStorage;
use super::rows::{self, WELL_COLUMNS, classify, ms, unavailable};
use crate::adapters::{api_conflict, escape_like};
use crate::ports::{PageRequest, StorageError, StorageResult, WellFilter, WellRepository, WellWithLatest};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use flowline_shared::dto::LatestReading;
use flowline_shared::{NewWell, TenantId, Well, WellId};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Transaction, params, params_from_iter};
use std::collections::HashSet;
use uuid::Uuid;

fn insert_well(tx: &Transaction<'_>, tenant: TenantId, w: &NewWell, now: DateTime<Utc>) -> StorageResult<Well> {
    let well = Well::from_new(WellId(Uuid::new_v4()), tenant, w, rows::truncate_ms(now));
    tx.execute(
        &format!("INSERT INTO wells ({WELL_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"),
        params![
            well.id.0,
            tenant.0,
            well.api_number.as_ref().map(|a| a.digits()),
            well.name,
            well.well_type.as_str(),
            well.status.as_str(),
            well.location.map(|l| l.latitude),
            well.location.map(|l| l.longitude),
            well.lease,
            well.field,
            well.county,
            well.state,
            well.first_production_date.map(|d| d.to_string()),
            ms(well.created_at),
            ms(well.updated_at),
        ],
    )
    .map_err(|e| classify(e, &api_conflict(&well)))?;
    Ok(well)
}

/// `WHERE` clause and its values for a filter; user text is always bound, never spliced.
fn filter_sql(tenant: TenantId, f: &WellFilter) -> (String, Vec<Value>) {
    let mut sql = String::from("w.tenant_id = ?");
    let mut values: Vec<Value> = vec![Value::Blob(tenant.0.as_bytes().to_vec())];
    let mut eq = |col: &str, v: Option<String>| {
        if let Some(v) = v {
            sql.push_str(&format!(" AND {col} = ?"));
            values.push(Value::Text(v));
        }
    };
    eq("w.status", f.status.map(|s| s.as_str().to_owned()));
    eq("w.well_type", f.well_type.map(|t| t.as_str().to_owned()));
    eq("w.lease", f.lease.clone());
    eq("w.field", f.field.clone());
    if let Some(q) = f.search.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", escape_like(q));
        let digits: String = q.chars().filter(char::is_ascii_digit).collect();
        sql.push_str(
            " AND (w.name LIKE ? ESCAPE '\\' OR w.lease LIKE ? ESCAPE '\\' OR w.field LIKE ? ESCAPE '\\' OR w.api_number LIKE ? ESCAPE '\\')",
        );
        for _ in 0..3 {
            values.push(Value::Text(pattern.clone()));
        }
        // API numbers are stored as digits: match what the user typed with its dashes removed.
        let api_pattern = if digits.is_empty() { "\u{0}".to_owned() } else { format!("%{digits}%") };
        values.push(Value::Text(api_pattern));
    }
    (sql, values)
}

#[async_trait]
impl WellRepository for SqliteStorage {
    async fn create_well(&self, tenant: TenantId, well: &NewWell, now: DateTime<Utc>) -> StorageResult<Well> {
        let mut created = self.create_wells(tenant, std::slice::from_ref(well), now).await?;
        created.pop().ok_or_else(|| StorageError::Unavailable("insert returned no well".into()))
    }

    async fn create_wells(&self, tenant: TenantId, wells: &[NewWell], now: DateTime<Utc>) -> StorageResult<Vec<Well>> {
        let wells = wells.to_vec();
        self.write(move |conn| {
            let tx = conn.transaction().map_err(unavailable)?;
            let mut out = Vec::with_capacity(wells.len());
            for w in &wells {
                out.push(insert_well(&tx, tenant, w, now)?);
            }
            tx.commit().map_err(unavailable)?;
            Ok(out)
        })
        .await
    }

    async fn update_well(&self, tenant: TenantId, well: &Well) -> StorageResult<Well> {
        let mut w = well.clone();
        w.updated_at = rows::now_ms();
        self.write(move |conn| {
            let changed = conn
                .execute(
                    "UPDATE wells SET api_number = ?3, name = ?4, well_type = ?5, status = ?6, latitude = ?7, longitude = ?8, \
                     lease = ?9, field = ?10, county = ?11, state = ?12, first_production_date = ?13, updated_at = ?14 \
                     WHERE tenant_id = ?1 AND id = ?2",
                    params![
                        tenant.0,
                        w.id.0,
                        w.api_number.as_ref().map(|a| a.digits()),
                        w.name,
                        w.well_type.as_str(),
                        w.status.as_str(),
                        w.location.map(|l| l.latitude),
                        w.location.map(|l| l.longitude),
                        w.lease,
                        w.field,
                        w.county,
                        w.state,
                        w.first_production_date.map(|d| d.to_string()),
                        ms(w.updated_at),
                    ],
                )
                .map_err(|e| classify(e, &api_conflict(&w)))?;
            if changed == 0 {
                return Err(StorageError::NotFound(format!("well {}", w.id)));
            }
            Ok(w)
        })
        .await
    }

    async fn get_well(&self, tenant: TenantId, id: WellId) -> StorageResult<Option<Well>> {
        self.read(move |conn| {
            conn.query_row(
                &format!("SELECT {WELL_COLUMNS} FROM wells WHERE tenant_id = ?1 AND id = ?2"),
                params![tenant.0, id.0],
                rows::well,
            )
            .optional()
            .map_err(unavailable)
        })
        .await
    }

    async fn list_wells(
        &self,
        tenant: TenantId,
        filter: &WellFilter,
        page: PageRequest,
    ) -> StorageResult<(Vec<WellWithLatest>, u64)> {
        let (clause, values) = filter_sql(tenant, filter);
        self.read(move |conn| {
            let total: i64 = conn
                .query_row(&format!("SELECT COUNT(*) FROM wells w WHERE {clause}"), params_from_iter(values.iter()), |r| {
                    r.get(0)
                })
                .map_err(unavailable)?;
            let columns: Vec<String> = WELL_COLUMNS.split(", ").map(|c| format!("p.{c}")).collect();
            let sql = format!(
                "WITH p AS (SELECT w.* FROM wells w WHERE {clause} ORDER BY w.name, w.id LIMIT {limit} OFFSET {offset}) \
                 SELECT {cols}, e.recorded_at, e.oil_bbl, e.gas_mcf, e.water_bbl, e.hours_on FROM p \
                 LEFT JOIN field_entries e ON e.id = (SELECT x.id FROM field_entries x \
                    WHERE x.tenant_id = p.tenant_id AND x.well_id = p.id ORDER BY x.recorded_at DESC, x.id DESC LIMIT 1) \
                 ORDER BY p.name, p.id",
                limit = page.limit,
                offset = page.offset,
                cols = columns.join(", "),
            );
            let mut stmt = conn.prepare(&sql).map_err(unavailable)?;
            let rows = stmt
                .query_map(params_from_iter(values.iter()), |row| {
                    let latest = match row.get::<_, Option<i64>>(15)? {
                        None => None,
                        Some(_) => Some(LatestReading {
                            recorded_at: rows::instant(row, 15)?,
                            oil_bbl: row.get(16)?,
                            gas_mcf: row.get(17)?,
                            water_bbl: row.get(18)?,
                            hours_on: row.get(19)?,
                        }),
                    };
                    Ok(WellWithLatest { well: rows::well(row)?, latest })
                })
                .map_err(unavailable)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(unavailable)?;
            Ok((rows, u64::try_from(total).unwrap_or(0)))
        })
        .await
    }

    async fn existing_well_ids(&self, tenant: TenantId, ids: &[WellId]) -> StorageResult<HashSet<WellId>> {
        let ids = ids.to_vec();
        self.read(move |conn| {
            let mut stmt =
                conn.prepare_cached("SELECT 1 FROM wells WHERE tenant_id = ?1 AND id = ?2").map_err(unavailable)?;
            let mut found = HashSet::with_capacity(ids.len());
            for id in ids {
                if stmt.exists(params![tenant.0, id.0]).map_err(unavailable)? {
                    found.insert(id);
                }
            }
            Ok(found)
        })
        .await
    }

    async fn wells_by_ids(&self, tenant: TenantId, ids: &[WellId]) -> StorageResult<Vec<Well>> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(&format!("SELECT {WELL_COLUMNS} FROM wells WHERE tenant_id = ?1 AND id = ?2"))
                .map_err(unavailable)?;
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some(w) = stmt.query_row(params![tenant.0, id.0], rows::well).optional().map_err(unavailable)? {
                    out.push(w);
                }
            }
            Ok(out)
        })
        .await
    }

    async fn well_ids(&self, tenant: TenantId) -> StorageResult<Vec<WellId>> {
        self.read(move |conn| {
            let mut stmt =
                conn.prepare_cached("SELECT id FROM wells WHERE tenant_id = ?1 ORDER BY id").map_err(unavailable)?;
            stmt.query_map(params![tenant.0], |r| Ok(WellId(r.get(0)?)))
                .map_err(unavailable)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(unavailable)
        })
        .await
    }
}
