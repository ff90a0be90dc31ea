//! The tenant's price table on PostgreSQL (migration 0010): `tenant_prices` keyed by (tenant, commodity, day) and
//! one `tenant_price_settings` row per tenant. An update is one `UNNEST` upsert.

use super::PostgresStorage;
use super::rows::{self, truncate_ms, unavailable};
use crate::ports::{PriceRepository, PriceSettings, StorageError, StorageResult, TenantPrice, TenantPriceQuery};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use flowline_shared::TenantId;
use flowline_shared::kpis::prices::{Commodity, PricePoint};
use flowline_shared::kpis::revenue::HeatContent;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

type Param = Box<dyn ToSql + Sync + Send>;

fn tenant_price(row: &Row) -> StorageResult<TenantPrice> {
    let raw: String = rows::get(row, 0)?;
    let commodity = Commodity::ALL
        .into_iter()
        .find(|c| c.as_str() == raw)
        .ok_or_else(|| StorageError::Unavailable(format!("stored commodity {raw:?} is invalid")))?;
    Ok(TenantPrice {
        commodity,
        day: rows::get(row, 1)?,
        price: rows::get(row, 2)?,
        updated_at: rows::get(row, 3)?,
        updated_by: rows::get(row, 4)?,
    })
}

#[async_trait]
impl PriceRepository for PostgresStorage {
    async fn tenant_prices(&self, tenant: TenantId, query: &TenantPriceQuery) -> StorageResult<Vec<TenantPrice>> {
        let mut params: Vec<Param> = vec![Box::new(tenant.0)];
        let mut sql = String::from(
            "SELECT commodity, day, price, updated_at, updated_by FROM tenant_prices WHERE tenant_id = $1",
        );
        if let Some(c) = query.commodity {
            params.push(Box::new(c.as_str().to_owned()));
            sql.push_str(&format!(" AND commodity = ${}", params.len()));
        }
        if let Some(from) = query.from {
            params.push(Box::new(from));
            sql.push_str(&format!(" AND day >= ${}", params.len()));
        }
        if let Some(to) = query.to {
            params.push(Box::new(to));
            sql.push_str(&format!(" AND day <= ${}", params.len()));
        }
        sql.push_str(" ORDER BY commodity = 'henry_hub', day");
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect();
        let client = self.client().await?;
        let stmt = client.prepare_cached(&sql).await.map_err(unavailable)?;
        let found = client.query(&stmt, &refs).await.map_err(unavailable)?;
        found.iter().map(tenant_price).collect()
    }

    async fn put_prices(
        &self,
        tenant: TenantId,
        points: &[PricePoint],
        heat_content: Option<HeatContent>,
        by: &str,
        at: DateTime<Utc>,
    ) -> StorageResult<()> {
        let at = truncate_ms(at);
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(unavailable)?;
        if tx.query_opt("SELECT 1 FROM tenants WHERE id = $1", &[&tenant.0]).await.map_err(unavailable)?.is_none() {
            return Err(StorageError::NotFound(format!("tenant {}", tenant.0)));
        }
        if !points.is_empty() {
            let commodities: Vec<&str> = points.iter().map(|p| p.commodity.as_str()).collect();
            let days: Vec<NaiveDate> = points.iter().map(|p| p.day).collect();
            let prices: Vec<f64> = points.iter().map(|p| p.price).collect();
            tx.execute(
                "INSERT INTO tenant_prices (tenant_id, commodity, day, price, updated_at, updated_by) \
                 SELECT $1, c, d, p, $5, $6 FROM UNNEST($2::text[], $3::date[], $4::float8[]) AS u(c, d, p) \
                 ON CONFLICT (tenant_id, commodity, day) DO UPDATE SET price = excluded.price, \
                 updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                &[&tenant.0, &commodities, &days, &prices, &at, &by],
            )
            .await
            .map_err(unavailable)?;
        }
        if let Some(h) = heat_content {
            tx.execute(
                "INSERT INTO tenant_price_settings (tenant_id, heat_content_mmbtu_per_mcf, updated_at, updated_by) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id) DO UPDATE SET \
                 heat_content_mmbtu_per_mcf = excluded.heat_content_mmbtu_per_mcf, \
                 updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                &[&tenant.0, &h.mmbtu_per_mcf(), &at, &by],
            )
            .await
            .map_err(unavailable)?;
        }
        tx.commit().await.map_err(unavailable)
    }

    async fn price_settings(&self, tenant: TenantId) -> StorageResult<Option<PriceSettings>> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT heat_content_mmbtu_per_mcf, updated_at, updated_by FROM tenant_price_settings \
                 WHERE tenant_id = $1",
                &[&tenant.0],
            )
            .await
            .map_err(unavailable)?;
        row.map(|r| {
            let h: f64 = rows::get(&r, 0)?;
            Ok(PriceSettings {
                heat_content: HeatContent::new(h)
                    .map_err(|e| StorageError::Unavailable(format!("stored heat content is invalid: {e}")))?,
                updated_at: rows::get(&r, 1)?,
                updated_by: rows::get(&r, 2)?,
            })
        })
        .transpose()
    }
}
