//! Per-well analytics results on PostgreSQL (see migration 0004). Batches go in as arrays, one statement per table.

use super::PostgresStorage;
use super::rows::{self, truncate_ms, unavailable};
use crate::adapters::analytics_codec::{self, field_rank_sql, primary_field_sql};
use crate::ports::{
    AnalyticsDue, AnalyticsRepository, AnomalyQuery, PageRequest, StorageError, StorageResult, StoredAnomaly,
    StoredForecast, StoredTrend, TrendFilter, TrendSort, WellAnalytics,
};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use flowline_shared::analytics::aggregation::Field;
use flowline_shared::analytics::anomalies::Anomaly;
use flowline_shared::analytics::forecast::Forecast;
use flowline_shared::analytics::trend::ProductionTrend;
use flowline_shared::{TenantId, WellId};
use tokio_postgres::Row;
use tokio_postgres::types::{Json, ToSql};
use uuid::Uuid;

type Param = Box<dyn ToSql + Sync + Send>;

fn refs(params: &[Param]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect()
}

fn count(row: &Row) -> StorageResult<u64> {
    let n: i64 = rows::get(row, 0)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

fn page_params(params: &mut Vec<Param>, page: PageRequest) -> (usize, usize) {
    params.push(Box::new(i64::from(page.limit)));
    params.push(Box::new(i64::try_from(page.offset).unwrap_or(i64::MAX)));
    (params.len() - 1, params.len())
}

/// `WHERE` clause over `well_trends t` (whose copies of the well's columns the trigger of migration 0004 keeps in
/// step with `wells`) and its bound values.
fn trend_filter(tenant: TenantId, f: &TrendFilter) -> (String, Vec<Param>) {
    let mut params: Vec<Param> = vec![Box::new(tenant.0)];
    let mut sql = String::from("t.tenant_id = $1");
    match f.field {
        Some(field) => {
            params.push(Box::new(field.as_str()));
            sql.push_str(&format!(" AND t.field = ${}", params.len()));
        }
        None => sql.push_str(" AND t.is_primary"),
    }
    let mut eq = |col: &str, v: Option<String>, params: &mut Vec<Param>| {
        if let Some(v) = v {
            params.push(Box::new(v));
            sql.push_str(&format!(" AND {col} = ${}", params.len()));
        }
    };
    eq("t.well_status", f.status.map(|s| s.as_str().to_owned()), &mut params);
    eq("t.well_type", f.well_type.map(|t| t.as_str().to_owned()), &mut params);
    eq("t.well_lease", f.lease.clone(), &mut params);
    eq("t.direction", f.direction.map(|d| analytics_codec::direction_name(d).to_owned()), &mut params);
    (sql, params)
}

/// The order of the trend list over the (percent change, well name, well id) columns of `table`. Names compare
/// bytewise, as on SQLite.
fn trend_order(sort: TrendSort, table: &str, (pc, name, id): (&str, &str, &str)) -> String {
    match sort {
        TrendSort::ChangeAscending => {
            format!("{table}.{pc} ASC NULLS LAST, {table}.{name} COLLATE \"C\", {table}.{id}")
        }
        TrendSort::ChangeDescending => {
            format!("{table}.{pc} DESC NULLS LAST, {table}.{name} COLLATE \"C\", {table}.{id}")
        }
        TrendSort::Name => format!("{table}.{name} COLLATE \"C\", {table}.{id}"),
    }
}

/// `WHERE` clause over `well_anomalies a` and its bound values.
fn anomaly_filter(tenant: TenantId, q: &AnomalyQuery) -> (String, Vec<Param>) {
    let mut params: Vec<Param> = vec![Box::new(tenant.0)];
    let mut sql = String::from("a.tenant_id = $1");
    if let Some(since) = q.since {
        params.push(Box::new(since));
        sql.push_str(&format!(" AND a.day >= ${}", params.len()));
    }
    if let Some(well) = q.well_id {
        params.push(Box::new(well.0));
        sql.push_str(&format!(" AND a.well_id = ${}", params.len()));
    }
    if let Some(field) = q.field {
        params.push(Box::new(field.as_str()));
        sql.push_str(&format!(" AND a.field = ${}", params.len()));
    }
    (sql, params)
}

/// Until autovacuum first analyses the freshly filled analytics tables (up to a minute after the first pass), the
/// planner takes a tenant's trends for a handful of rows and sorts all of them for every page instead of reading the
/// list's index in order: three to five times slower. The first pass therefore analyses them itself; later passes
/// leave it to autovacuum. A failure only costs speed, so it is logged, not returned.
async fn analyse_if_never_analysed(client: &deadpool_postgres::Object) {
    let never =
        match client.query_one("SELECT reltuples <= 0 FROM pg_class WHERE oid = 'well_trends'::regclass", &[]).await {
            Ok(row) => row.try_get::<_, bool>(0).unwrap_or(false),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the analytics tables' statistics");
                false
            }
        };
    if never
        && let Err(e) =
            client.batch_execute("ANALYZE well_trends, well_trend_details, well_anomalies, well_analytics").await
    {
        tracing::warn!(error = %e, "cannot analyse the analytics tables");
    }
}

fn corrupt_forecast(well: WellId) -> StorageError {
    StorageError::Unavailable(format!("stored forecast of well {well} has no field or no result"))
}

#[async_trait]
impl AnalyticsRepository for PostgresStorage {
    async fn mark_analytics_changed(&self, tenant: TenantId, wells: &[WellId], at: DateTime<Utc>) -> StorageResult<()> {
        let mut ids: Vec<Uuid> = wells.iter().map(|w| w.0).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(());
        }
        let client = self.client().await?;
        // Other tenants' (or no) wells are skipped by the join with `wells`; rows are locked in id order (no
        // deadlock with a concurrent pass); a mark never moves back.
        client
            .execute(
                "INSERT INTO well_analytics (tenant_id, well_id, data_changed_at) \
                 SELECT w.tenant_id, w.id, $3 FROM wells w WHERE w.tenant_id = $1 AND w.id = ANY($2) ORDER BY w.id \
                 ON CONFLICT (tenant_id, well_id) DO UPDATE SET \
                 data_changed_at = GREATEST(well_analytics.data_changed_at, EXCLUDED.data_changed_at)",
                &[&tenant.0, &ids, &truncate_ms(at)],
            )
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn wells_due_for_analytics(
        &self,
        tenant: TenantId,
        due: AnalyticsDue,
        limit: u32,
    ) -> StorageResult<Vec<WellId>> {
        let client = self.client().await?;
        let found = client
            .query(
                "SELECT w.id FROM wells w \
                 LEFT JOIN well_analytics a ON a.tenant_id = w.tenant_id AND a.well_id = w.id \
                 WHERE w.tenant_id = $1 AND (a.computed_at IS NULL \
                    OR (a.data_changed_at > a.computed_at AND a.computed_at < $2) OR a.computed_at < $3) \
                 ORDER BY a.computed_at ASC NULLS FIRST, w.id LIMIT $4",
                &[
                    &tenant.0,
                    &truncate_ms(due.changed_and_computed_before),
                    &truncate_ms(due.computed_before),
                    &i64::from(limit),
                ],
            )
            .await
            .map_err(unavailable)?;
        found.iter().map(|r| rows::get(r, 0).map(WellId)).collect()
    }

    async fn store_analytics(
        &self,
        tenant: TenantId,
        results: &[WellAnalytics],
        computed_at: DateTime<Utc>,
    ) -> StorageResult<()> {
        let encoded = analytics_codec::encode(results)?;
        if encoded.wells.is_empty() {
            return Ok(());
        }
        let at = truncate_ms(computed_at);
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(unavailable)?;
        // Every well must be this tenant's (no foreign key: see migration 0004). Locking them (in id order) keeps a
        // concurrent `update_well` from slipping between the copy of its columns into the trends and the trigger
        // that keeps them in step, and serialises two passes over one well.
        let wells: Vec<Uuid> = encoded.wells.iter().map(|w| w.well_id.0).collect();
        let locked = tx
            .query(
                "SELECT id FROM wells WHERE tenant_id = $1 AND id = ANY($2) ORDER BY id FOR NO KEY UPDATE",
                &[&tenant.0, &wells],
            )
            .await
            .map_err(unavailable)?;
        if locked.len() != wells.len() {
            let found = locked.iter().map(|r| rows::get::<Uuid>(r, 0)).collect::<StorageResult<Vec<_>>>()?;
            let missing = wells.iter().find(|w| !found.contains(w)).copied().unwrap_or_default();
            return Err(StorageError::NotFound(format!("well {missing} in this tenant")));
        }

        let as_of: Vec<NaiveDate> = encoded.wells.iter().map(|w| w.as_of).collect();
        let forecast_field: Vec<Option<&str>> = encoded.wells.iter().map(|w| w.forecast_field).collect();
        let forecast: Vec<Option<&str>> = encoded.wells.iter().map(|w| w.forecast.as_deref()).collect();
        let forecast_error: Vec<Option<&str>> = encoded.wells.iter().map(|w| w.forecast_error.as_deref()).collect();
        tx.execute(
            &format!(
                "INSERT INTO well_analytics \
                 (tenant_id, well_id, computed_at, as_of, forecast_field, forecast, forecast_error) \
                 SELECT w.tenant_id, w.id, $2, u.d, COALESCE(u.ff, {}), u.fc::jsonb, u.fe \
                 FROM UNNEST($3::uuid[], $4::date[], $5::text[], $6::text[], $7::text[]) AS u(w, d, ff, fc, fe) \
                 JOIN wells w ON w.tenant_id = $1 AND w.id = u.w ORDER BY w.id \
                 ON CONFLICT (tenant_id, well_id) DO UPDATE SET computed_at = EXCLUDED.computed_at, \
                 as_of = EXCLUDED.as_of, forecast_field = EXCLUDED.forecast_field, forecast = EXCLUDED.forecast, \
                 forecast_error = EXCLUDED.forecast_error",
                primary_field_sql("w.well_type")
            ),
            &[&tenant.0, &at, &wells, &as_of, &forecast_field, &forecast, &forecast_error],
        )
        .await
        .map_err(unavailable)?;

        for table in ["well_trends", "well_trend_details"] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE tenant_id = $1 AND well_id = ANY($2)"),
                &[&tenant.0, &wells],
            )
            .await
            .map_err(unavailable)?;
        }
        if !encoded.trends.is_empty() {
            let t = &encoded.trends;
            let ids: Vec<Uuid> = t.iter().map(|t| t.well_id.0).collect();
            let fields: Vec<&str> = t.iter().map(|t| t.field).collect();
            let directions: Vec<&str> = t.iter().map(|t| t.direction).collect();
            let changes: Vec<Option<f64>> = t.iter().map(|t| t.percent_change).collect();
            let slopes: Vec<Option<f64>> = t.iter().map(|t| t.slope_per_day).collect();
            let r2: Vec<Option<f64>> = t.iter().map(|t| t.r_squared).collect();
            let json: Vec<&str> = t.iter().map(|t| t.json.as_str()).collect();
            let params: [&(dyn ToSql + Sync); 8] = [&tenant.0, &at, &ids, &fields, &directions, &changes, &slopes, &r2];
            // The well's columns the list filters on are copied with the trend (see migration 0004).
            tx.execute(
                &format!(
                    "INSERT INTO well_trends (tenant_id, well_id, field, is_primary, well_name, well_type, \
                     well_status, well_lease, direction, percent_change, slope_per_day, r_squared, computed_at) \
                     SELECT w.tenant_id, w.id, u.f, u.f = {}, w.name, w.well_type, w.status, w.lease, u.d, u.pc, \
                     u.s, u.r, $2 \
                     FROM UNNEST($3::uuid[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::float8[]) \
                     AS u(w, f, d, pc, s, r) JOIN wells w ON w.tenant_id = $1 AND w.id = u.w",
                    primary_field_sql("w.well_type")
                ),
                &params,
            )
            .await
            .map_err(unavailable)?;
            tx.execute(
                "INSERT INTO well_trend_details (tenant_id, well_id, field, trend) \
                 SELECT $1, u.w, u.f, u.j::jsonb FROM UNNEST($2::uuid[], $3::text[], $4::text[]) AS u(w, f, j)",
                &[&tenant.0, &ids, &fields, &json],
            )
            .await
            .map_err(unavailable)?;
        }

        let lows: Vec<NaiveDate> = encoded.wells.iter().map(|w| w.window.0).collect();
        let highs: Vec<NaiveDate> = encoded.wells.iter().map(|w| w.window.1).collect();
        tx.execute(
            "DELETE FROM well_anomalies a USING UNNEST($2::uuid[], $3::date[], $4::date[]) AS u(w, lo, hi) \
             WHERE a.tenant_id = $1 AND a.well_id = u.w AND a.day >= u.lo AND a.day <= u.hi",
            &[&tenant.0, &wells, &lows, &highs],
        )
        .await
        .map_err(unavailable)?;
        if !encoded.anomalies.is_empty() {
            let a = &encoded.anomalies;
            let ids: Vec<Uuid> = a.iter().map(|a| a.well_id.0).collect();
            let fields: Vec<&str> = a.iter().map(|a| a.field).collect();
            let days: Vec<NaiveDate> = a.iter().map(|a| a.day).collect();
            let z: Vec<f64> = a.iter().map(|a| a.z).collect();
            let severities: Vec<&str> = a.iter().map(|a| a.severity).collect();
            let json: Vec<&str> = a.iter().map(|a| a.json.as_str()).collect();
            let params: [&(dyn ToSql + Sync); 8] = [&tenant.0, &at, &ids, &fields, &days, &z, &severities, &json];
            // An anomaly outside its result's window replaces the stored one of that day.
            tx.execute(
                "INSERT INTO well_anomalies \
                 (tenant_id, well_id, field, well_name, day, z, severity, detected_at, anomaly) \
                 SELECT w.tenant_id, w.id, u.f, w.name, u.d, u.z, u.s, $2, u.j::jsonb \
                 FROM UNNEST($3::uuid[], $4::text[], $5::date[], $6::float8[], $7::text[], $8::text[]) \
                 AS u(w, f, d, z, s, j) JOIN wells w ON w.tenant_id = $1 AND w.id = u.w \
                 ON CONFLICT (tenant_id, well_id, day, field) DO UPDATE SET z = EXCLUDED.z, \
                 severity = EXCLUDED.severity, detected_at = EXCLUDED.detected_at, anomaly = EXCLUDED.anomaly, \
                 well_name = EXCLUDED.well_name",
                &params,
            )
            .await
            .map_err(unavailable)?;
        }
        tx.commit().await.map_err(unavailable)?;
        analyse_if_never_analysed(&client).await;
        Ok(())
    }

    async fn list_trends(
        &self,
        tenant: TenantId,
        filter: &TrendFilter,
        sort: TrendSort,
        page: PageRequest,
    ) -> StorageResult<(Vec<StoredTrend>, u64)> {
        let (clause, mut params) = trend_filter(tenant, filter);
        let client = self.client().await?;
        let total = client
            .query_one(&format!("SELECT COUNT(*) FROM well_trends t WHERE {clause}"), &refs(&params))
            .await
            .map_err(unavailable)
            .and_then(|r| count(&r))?;
        let (limit, offset) = page_params(&mut params, page);
        // The page is chosen in one index of `well_trends` (in the list's order once the table is analysed; index
        // only once it is vacuumed), then its rows are read, one key lookup each (LIMIT keeps the planner from
        // hashing whole tables, which it does while it has no statistics).
        let sql = format!(
            "WITH page AS MATERIALIZED (SELECT t.well_id, t.field, t.percent_change, t.well_name FROM well_trends t \
             WHERE {clause} ORDER BY {inner} LIMIT ${limit} OFFSET ${offset}) \
             SELECT p.well_id, r.well_name, r.well_type, r.well_status, r.well_lease, p.field, r.computed_at, r.trend \
             FROM page p CROSS JOIN LATERAL (SELECT t.well_name, t.well_type, t.well_status, t.well_lease, \
             t.computed_at, d.trend FROM well_trends t JOIN well_trend_details d ON d.tenant_id = t.tenant_id \
             AND d.well_id = t.well_id AND d.field = t.field \
             WHERE t.tenant_id = $1 AND t.well_id = p.well_id AND t.field = p.field LIMIT 1) r ORDER BY {outer}",
            inner = trend_order(sort, "t", ("percent_change", "well_name", "well_id")),
            outer = trend_order(sort, "p", ("percent_change", "well_name", "well_id")),
        );
        let found = client.query(&sql, &refs(&params)).await.map_err(unavailable)?;
        let trends = found
            .iter()
            .map(|r| {
                Ok(StoredTrend {
                    well_id: WellId(rows::get(r, 0)?),
                    well_name: rows::get(r, 1)?,
                    well_type: rows::parse(r, 2)?,
                    well_status: rows::parse(r, 3)?,
                    lease: rows::get(r, 4)?,
                    field: rows::parse(r, 5)?,
                    computed_at: rows::get(r, 6)?,
                    trend: rows::get::<Json<ProductionTrend>>(r, 7)?.0,
                })
            })
            .collect::<StorageResult<Vec<_>>>()?;
        Ok((trends, total))
    }

    async fn list_anomalies(&self, tenant: TenantId, query: &AnomalyQuery) -> StorageResult<(Vec<StoredAnomaly>, u64)> {
        let (clause, mut params) = anomaly_filter(tenant, query);
        let client = self.client().await?;
        let total = client
            .query_one(&format!("SELECT COUNT(*) FROM well_anomalies a WHERE {clause}"), &refs(&params))
            .await
            .map_err(unavailable)
            .and_then(|r| count(&r))?;
        let (limit, offset) = page_params(&mut params, query.page);
        let sql = format!(
            "SELECT a.well_id, a.well_name, a.field, a.detected_at, a.anomaly FROM well_anomalies a WHERE {clause} \
             ORDER BY a.day DESC, a.well_name COLLATE \"C\", {}, a.well_id LIMIT ${limit} OFFSET ${offset}",
            field_rank_sql("a.field")
        );
        let found = client.query(&sql, &refs(&params)).await.map_err(unavailable)?;
        let anomalies = found
            .iter()
            .map(|r| {
                Ok(StoredAnomaly {
                    well_id: WellId(rows::get(r, 0)?),
                    well_name: rows::get(r, 1)?,
                    field: rows::parse(r, 2)?,
                    detected_at: rows::get(r, 3)?,
                    anomaly: rows::get::<Json<Anomaly>>(r, 4)?.0,
                })
            })
            .collect::<StorageResult<Vec<_>>>()?;
        Ok((anomalies, total))
    }

    async fn stored_forecast(&self, tenant: TenantId, well: WellId) -> StorageResult<Option<StoredForecast>> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT forecast_field, computed_at, forecast, forecast_error FROM well_analytics \
                 WHERE tenant_id = $1 AND well_id = $2 AND computed_at IS NOT NULL",
                &[&tenant.0, &well.0],
            )
            .await
            .map_err(unavailable)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let field: Option<String> = rows::get(&row, 0)?;
        let field: Field = field
            .ok_or_else(|| corrupt_forecast(well))?
            .parse()
            .map_err(|e: String| StorageError::Unavailable(format!("stored forecast field is invalid: {e}")))?;
        let forecast: Option<Json<Forecast>> = rows::get(&row, 2)?;
        let error: Option<String> = rows::get(&row, 3)?;
        let forecast = match (forecast, error) {
            (Some(Json(forecast)), _) => Ok(forecast),
            (None, Some(reason)) => Err(reason),
            (None, None) => return Err(corrupt_forecast(well)),
        };
        Ok(Some(StoredForecast { field, forecast, computed_at: rows::get(&row, 1)? }))
    }

    async fn analytics_state(
        &self,
        tenant: TenantId,
        well: WellId,
    ) -> StorageResult<(Option<DateTime<Utc>>, Option<DateTime<Utc>>)> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT computed_at, data_changed_at FROM well_analytics WHERE tenant_id = $1 AND well_id = $2",
                &[&tenant.0, &well.0],
            )
            .await
            .map_err(unavailable)?;
        match row {
            None => Ok((None, None)),
            Some(r) => Ok((rows::get(&r, 0)?, rows::get(&r, 1)?)),
        }
    }
}
