//! The tenant's price table on SQLite (migration 0008): `tenant_prices` keyed by (tenant, commodity, day) and one
//! `tenant_price_settings` row per tenant.

use super::SqliteStorage;
use super::rows::{self, ms, unavailable};
use crate::ports::{PriceRepository, PriceSettings, StorageError, StorageResult, TenantPrice, TenantPriceQuery};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use flowline_shared::TenantId;
use flowline_shared::kpis::prices::{Commodity, PricePoint};
use flowline_shared::kpis::revenue::HeatContent;
use rusqlite::types::{FromSqlError, Type, Value};
use rusqlite::{OptionalExtension, Row, params, params_from_iter};

fn commodity(row: &Row<'_>, col: usize) -> rusqlite::Result<Commodity> {
    let v: String = row.get(col)?;
    Commodity::ALL.into_iter().find(|c| c.as_str() == v).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            col,
            Type::Text,
            Box::new(FromSqlError::Other(format!("unknown commodity {v:?}").into())),
        )
    })
}

fn tenant_price(row: &Row<'_>) -> rusqlite::Result<TenantPrice> {
    Ok(TenantPrice {
        commodity: commodity(row, 0)?,
        day: rows::date(row, 1)?,
        price: row.get(2)?,
        updated_at: rows::instant(row, 3)?,
        updated_by: row.get(4)?,
    })
}

#[async_trait]
impl PriceRepository for SqliteStorage {
    async fn tenant_prices(&self, tenant: TenantId, query: &TenantPriceQuery) -> StorageResult<Vec<TenantPrice>> {
        let query = *query;
        self.read(move |conn| {
            let mut sql = String::from(
                "SELECT commodity, day, price, updated_at, updated_by FROM tenant_prices WHERE tenant_id = ?",
            );
            let mut values: Vec<Value> = vec![Value::Blob(tenant.0.as_bytes().to_vec())];
            if let Some(c) = query.commodity {
                sql.push_str(" AND commodity = ?");
                values.push(Value::Text(c.as_str().to_owned()));
            }
            if let Some(from) = query.from {
                sql.push_str(" AND day >= ?");
                values.push(Value::Text(from.to_string()));
            }
            if let Some(to) = query.to {
                sql.push_str(" AND day <= ?");
                values.push(Value::Text(to.to_string()));
            }
            // 'henry_hub' < 'wti' as text: order WTI first explicitly.
            sql.push_str(" ORDER BY commodity = 'henry_hub', day");
            let mut stmt = conn.prepare_cached(&sql).map_err(unavailable)?;
            let found = stmt
                .query_map(params_from_iter(values), tenant_price)
                .map_err(unavailable)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(unavailable)?;
            Ok(found)
        })
        .await
    }

    async fn put_prices(
        &self,
        tenant: TenantId,
        points: &[PricePoint],
        heat_content: Option<HeatContent>,
        by: &str,
        at: DateTime<Utc>,
    ) -> StorageResult<()> {
        let points = points.to_vec();
        let by = by.to_owned();
        self.write(move |conn| {
            let tx = conn.transaction().map_err(unavailable)?;
            let known = tx
                .prepare_cached("SELECT 1 FROM tenants WHERE id = ?1")
                .map_err(unavailable)?
                .exists(params![tenant.0])
                .map_err(unavailable)?;
            if !known {
                return Err(StorageError::NotFound(format!("tenant {}", tenant.0)));
            }
            {
                let mut stmt = tx
                    .prepare_cached(
                        "INSERT INTO tenant_prices (tenant_id, commodity, day, price, updated_at, updated_by) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (tenant_id, commodity, day) DO UPDATE SET \
                         price = excluded.price, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                    )
                    .map_err(unavailable)?;
                for p in &points {
                    stmt.execute(params![tenant.0, p.commodity.as_str(), p.day.to_string(), p.price, ms(at), by])
                        .map_err(unavailable)?;
                }
            }
            if let Some(h) = heat_content {
                tx.execute(
                    "INSERT INTO tenant_price_settings (tenant_id, heat_content_mmbtu_per_mcf, updated_at, updated_by) \
                     VALUES (?1, ?2, ?3, ?4) ON CONFLICT (tenant_id) DO UPDATE SET \
                     heat_content_mmbtu_per_mcf = excluded.heat_content_mmbtu_per_mcf, \
                     updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                    params![tenant.0, h.mmbtu_per_mcf(), ms(at), by],
                )
                .map_err(unavailable)?;
            }
            tx.commit().map_err(unavailable)
        })
        .await
    }

    async fn price_settings(&self, tenant: TenantId) -> StorageResult<Option<PriceSettings>> {
        self.read(move |conn| {
            let row = conn
                .prepare_cached(
                    "SELECT heat_content_mmbtu_per_mcf, updated_at, updated_by FROM tenant_price_settings \
                     WHERE tenant_id = ?1",
                )
                .map_err(unavailable)?
                .query_row(params![tenant.0], |r| {
                    Ok((r.get::<_, f64>(0)?, rows::instant(r, 1)?, r.get::<_, String>(2)?))
                })
                .optional()
                .map_err(unavailable)?;
            row.map(|(h, updated_at, updated_by)| {
                let heat_content = HeatContent::new(h)
                    .map_err(|e| StorageError::Unavailable(format!("stored heat content is invalid: {e}")))?;
                Ok(PriceSettings { heat_content, updated_at, updated_by })
            })
            .transpose()
        })
        .await
    }
}
