//! Per-well analytics results on SQLite (see migration 0003).

use super::SqliteStorage;
use super::rows::{self, ms, unavailable};
use crate::adapters::analytics_codec::{self, field_rank_sql, from_json, primary_field_sql};
use crate::ports::{
    AnalyticsDue, AnalyticsRepository, AnomalyQuery, PageRequest, StorageError, StorageResult, StoredAnomaly,
    StoredForecast, StoredTrend, TrendFilter, TrendSort, WellAnalytics,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use flowline_shared::analytics::aggregation::Field;
use flowline_shared::{TenantId, WellId};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params, params_from_iter};

fn blob(id: uuid::Uuid) -> Value {
    Value::Blob(id.as_bytes().to_vec())
}

fn int(v: u64) -> Value {
    Value::Integer(i64::try_from(v).unwrap_or(i64::MAX))
}

/// `WHERE` clause over `well_trends t` (whose copies of the well's columns the trigger of migration 0003 keeps in
/// step with `wells`) and its values; text is always bound.
fn trend_filter(tenant: TenantId, f: &TrendFilter) -> (String, Vec<Value>) {
    let mut values = vec![blob(tenant.0)];
    let mut sql = String::from("t.tenant_id = ?");
    match f.field {
        Some(field) => {
            sql.push_str(" AND t.field = ?");
            values.push(Value::Text(field.as_str().to_owned()));
        }
        // The literal `1` selects the partial index of the primary fields.
        None => sql.push_str(" AND t.is_primary = 1"),
    }
    let mut eq = |col: &str, v: Option<String>| {
        if let Some(v) = v {
            sql.push_str(&format!(" AND {col} = ?"));
            values.push(Value::Text(v));
        }
    };
    eq("t.well_status", f.status.map(|s| s.as_str().to_owned()));
    eq("t.well_type", f.well_type.map(|t| t.as_str().to_owned()));
    eq("t.well_lease", f.lease.clone());
    eq("t.direction", f.direction.map(|d| analytics_codec::direction_name(d).to_owned()));
    (sql, values)
}

/// The order of the trend list over the (percent change, well name, well id) columns of `table`.
fn trend_order(sort: TrendSort, table: &str, (pc, name, id): (&str, &str, &str)) -> String {
    match sort {
        TrendSort::ChangeAscending => format!("{table}.{pc} ASC NULLS LAST, {table}.{name}, {table}.{id}"),
        TrendSort::ChangeDescending => format!("{table}.{pc} DESC NULLS LAST, {table}.{name}, {table}.{id}"),
        TrendSort::Name => format!("{table}.{name}, {table}.{id}"),
    }
}

/// `WHERE` clause over `well_anomalies a` and its values.
fn anomaly_filter(tenant: TenantId, q: &AnomalyQuery) -> (String, Vec<Value>) {
    let mut values = vec![blob(tenant.0)];
    let mut sql = String::from("a.tenant_id = ?");
    if let Some(since) = q.since {
        sql.push_str(" AND a.day >= ?");
        values.push(Value::Text(since.to_string()));
    }
    if let Some(well) = q.well_id {
        sql.push_str(" AND a.well_id = ?");
        values.push(blob(well.0));
    }
    if let Some(field) = q.field {
        sql.push_str(" AND a.field = ?");
        values.push(Value::Text(field.as_str().to_owned()));
    }
    (sql, values)
}

fn total(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

#[async_trait]
impl AnalyticsRepository for SqliteStorage {
    async fn mark_analytics_changed(&self, tenant: TenantId, wells: &[WellId], at: DateTime<Utc>) -> StorageResult<()> {
        let mut wells = wells.to_vec();
        wells.sort_unstable();
        wells.dedup();
        if wells.is_empty() {
            return Ok(());
        }
        self.write(move |conn| {
            let tx = conn.transaction().map_err(unavailable)?;
            {
                // Other tenants' (or no) wells are skipped by the join with `wells`; a mark never moves back.
                let mut stmt = tx
                    .prepare_cached(
                        "INSERT INTO well_analytics (tenant_id, well_id, data_changed_at) \
                         SELECT tenant_id, id, ?3 FROM wells WHERE tenant_id = ?1 AND id = ?2 \
                         ON CONFLICT (tenant_id, well_id) DO UPDATE SET \
                         data_changed_at = max(coalesce(data_changed_at, excluded.data_changed_at), excluded.data_changed_at)",
                    )
                    .map_err(unavailable)?;
                for well in &wells {
                    stmt.execute(params![tenant.0, well.0, ms(at)]).map_err(unavailable)?;
                }
            }
            tx.commit().map_err(unavailable)
        })
        .await
    }

    async fn wells_due_for_analytics(
        &self,
        tenant: TenantId,
        due: AnalyticsDue,
        limit: u32,
    ) -> StorageResult<Vec<WellId>> {
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT w.id FROM wells w \
                     LEFT JOIN well_analytics a ON a.tenant_id = w.tenant_id AND a.well_id = w.id \
                     WHERE w.tenant_id = ?1 AND (a.computed_at IS NULL \
                        OR (a.data_changed_at > a.computed_at AND a.computed_at < ?2) OR a.computed_at < ?3) \
                     ORDER BY a.computed_at ASC NULLS FIRST, w.id LIMIT ?4",
                )
                .map_err(unavailable)?;
            stmt.query_map(
                params![tenant.0, ms(due.changed_and_computed_before), ms(due.computed_before), i64::from(limit)],
                |r| Ok(WellId(r.get(0)?)),
            )
            .map_err(unavailable)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(unavailable)
        })
        .await
    }

    async fn store_analytics(
        &self,
        tenant: TenantId,
        results: &[WellAnalytics],
        computed_at: DateTime<Utc>,
    ) -> StorageResult<()> {
        // Encoding is CPU work: done here, before taking the writer.
        let encoded = analytics_codec::encode(results)?;
        let at = ms(computed_at);
        self.write(move |conn| {
            let tx = conn.transaction().map_err(unavailable)?;
            {
                let mut owned =
                    tx.prepare_cached("SELECT 1 FROM wells WHERE tenant_id = ?1 AND id = ?2").map_err(unavailable)?;
                for w in &encoded.wells {
                    if !owned.exists(params![tenant.0, w.well_id.0]).map_err(unavailable)? {
                        return Err(StorageError::NotFound(format!("well {} in this tenant", w.well_id)));
                    }
                }
                let mut upsert = tx
                    .prepare_cached(&format!(
                        "INSERT INTO well_analytics \
                         (tenant_id, well_id, computed_at, as_of, forecast_field, forecast, forecast_error) \
                         SELECT w.tenant_id, w.id, ?3, ?4, coalesce(?5, {}), ?6, ?7 FROM wells w \
                         WHERE w.tenant_id = ?1 AND w.id = ?2 \
                         ON CONFLICT (tenant_id, well_id) DO UPDATE SET computed_at = excluded.computed_at, \
                         as_of = excluded.as_of, forecast_field = excluded.forecast_field, \
                         forecast = excluded.forecast, forecast_error = excluded.forecast_error",
                        primary_field_sql("w.well_type")
                    ))
                    .map_err(unavailable)?;
                let mut clear_trends = tx
                    .prepare_cached("DELETE FROM well_trends WHERE tenant_id = ?1 AND well_id = ?2")
                    .map_err(unavailable)?;
                let mut clear_details = tx
                    .prepare_cached("DELETE FROM well_trend_details WHERE tenant_id = ?1 AND well_id = ?2")
                    .map_err(unavailable)?;
                let mut clear_anomalies = tx
                    .prepare_cached(
                        "DELETE FROM well_anomalies WHERE tenant_id = ?1 AND well_id = ?2 AND day >= ?3 AND day <= ?4",
                    )
                    .map_err(unavailable)?;
                for w in &encoded.wells {
                    upsert
                        .execute(params![
                            tenant.0,
                            w.well_id.0,
                            at,
                            w.as_of.to_string(),
                            w.forecast_field,
                            w.forecast,
                            w.forecast_error
                        ])
                        .map_err(unavailable)?;
                    clear_trends.execute(params![tenant.0, w.well_id.0]).map_err(unavailable)?;
                    clear_details.execute(params![tenant.0, w.well_id.0]).map_err(unavailable)?;
                    let (from, to) = w.window;
                    clear_anomalies
                        .execute(params![tenant.0, w.well_id.0, from.to_string(), to.to_string()])
                        .map_err(unavailable)?;
                }
                // The well's columns the list filters on are copied with the trend (see migration 0003).
                let mut trend = tx
                    .prepare_cached(&format!(
                        "INSERT INTO well_trends (tenant_id, well_id, field, is_primary, well_name, well_type, \
                         well_status, well_lease, direction, percent_change, slope_per_day, r_squared, computed_at) \
                         SELECT w.tenant_id, w.id, ?3, ?3 = {}, w.name, w.well_type, w.status, w.lease, ?4, ?5, ?6, \
                         ?7, ?8 FROM wells w WHERE w.tenant_id = ?1 AND w.id = ?2",
                        primary_field_sql("w.well_type")
                    ))
                    .map_err(unavailable)?;
                let mut details = tx
                    .prepare_cached(
                        "INSERT INTO well_trend_details (tenant_id, well_id, field, trend) VALUES (?1, ?2, ?3, ?4)",
                    )
                    .map_err(unavailable)?;
                for t in &encoded.trends {
                    trend
                        .execute(params![
                            tenant.0,
                            t.well_id.0,
                            t.field,
                            t.direction,
                            t.percent_change,
                            t.slope_per_day,
                            t.r_squared,
                            at
                        ])
                        .map_err(unavailable)?;
                    details.execute(params![tenant.0, t.well_id.0, t.field, t.json]).map_err(unavailable)?;
                }
                // An anomaly outside its result's window replaces the stored one of that day.
                let mut anomaly = tx
                    .prepare_cached(
                        "INSERT INTO well_anomalies \
                         (tenant_id, well_id, field, well_name, day, z, severity, detected_at, anomaly) \
                         SELECT w.tenant_id, w.id, ?3, w.name, ?4, ?5, ?6, ?7, ?8 FROM wells w \
                         WHERE w.tenant_id = ?1 AND w.id = ?2 \
                         ON CONFLICT (tenant_id, well_id, day, field) DO UPDATE SET z = excluded.z, \
                         severity = excluded.severity, detected_at = excluded.detected_at, anomaly = excluded.anomaly, \
                         well_name = excluded.well_name",
                    )
                    .map_err(unavailable)?;
                for a in &encoded.anomalies {
                    anomaly
                        .execute(params![
                            tenant.0,
                            a.well_id.0,
                            a.field,
                            a.day.to_string(),
                            a.z,
                            a.severity,
                            at,
                            a.json
                        ])
                        .map_err(unavailable)?;
                }
            }
            tx.commit().map_err(unavailable)
        })
        .await
    }

    async fn list_trends(
        &self,
        tenant: TenantId,
        filter: &TrendFilter,
        sort: TrendSort,
        page: PageRequest,
    ) -> StorageResult<(Vec<StoredTrend>, u64)> {
        let (clause, mut values) = trend_filter(tenant, filter);
        let field = filter.field;
        self.read(move |conn| {
            let count: i64 = conn
                .prepare_cached(&format!("SELECT COUNT(*) FROM well_trends t WHERE {clause}"))
                .and_then(|mut s| s.query_row(params_from_iter(values.iter()), |r| r.get(0)))
                .map_err(unavailable)?;
            // The page is chosen on a covering index (no JSON, no join) whose order is the list's, or its first
            // term (the planner, without statistics, may pick one that needs a full sort), then its rows are read.
            let index = match (field, sort) {
                (Some(_), _) => "well_trends_field",
                (None, TrendSort::Name) => "well_trends_primary_name",
                (None, TrendSort::ChangeAscending | TrendSort::ChangeDescending) => "well_trends_primary",
            };
            let sql = format!(
                "WITH page AS MATERIALIZED (SELECT t.rowid AS trend_row, t.percent_change AS pc, t.well_name AS name, \
                 t.well_id AS id FROM well_trends t INDEXED BY {index} WHERE {clause} ORDER BY {inner} \
                 LIMIT ? OFFSET ?) \
                 SELECT t.well_id, t.well_name, t.well_type, t.well_status, t.well_lease, t.field, t.computed_at, \
                 d.trend FROM page p JOIN well_trends t ON t.rowid = p.trend_row \
                 JOIN well_trend_details d ON d.tenant_id = t.tenant_id AND d.well_id = t.well_id AND d.field = t.field \
                 ORDER BY {outer}",
                inner = trend_order(sort, "t", ("percent_change", "well_name", "well_id")),
                outer = trend_order(sort, "p", ("pc", "name", "id")),
            );
            values.push(Value::Integer(i64::from(page.limit)));
            values.push(int(page.offset));
            let mut stmt = conn.prepare_cached(&sql).map_err(unavailable)?;
            let raw = stmt
                .query_map(params_from_iter(values.iter()), |r| {
                    Ok((
                        WellId(r.get(0)?),
                        r.get::<_, String>(1)?,
                        rows::parsed(r, 2)?,
                        rows::parsed(r, 3)?,
                        r.get::<_, Option<String>>(4)?,
                        rows::parsed::<Field>(r, 5)?,
                        rows::instant(r, 6)?,
                        r.get::<_, String>(7)?,
                    ))
                })
                .map_err(unavailable)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(unavailable)?;
            let trends = raw
                .into_iter()
                .map(|(well_id, well_name, well_type, well_status, lease, field, computed_at, json)| {
                    Ok(StoredTrend {
                        well_id,
                        well_name,
                        well_type,
                        well_status,
                        lease,
                        field,
                        trend: from_json(&json, "trend")?,
                        computed_at,
                    })
                })
                .collect::<StorageResult<Vec<_>>>()?;
            Ok((trends, total(count)))
        })
        .await
    }

    async fn list_anomalies(&self, tenant: TenantId, query: &AnomalyQuery) -> StorageResult<(Vec<StoredAnomaly>, u64)> {
        let (clause, mut values) = anomaly_filter(tenant, query);
        let page = query.page;
        self.read(move |conn| {
            let count: i64 = conn
                .prepare_cached(&format!("SELECT COUNT(*) FROM well_anomalies a WHERE {clause}"))
                .and_then(|mut s| s.query_row(params_from_iter(values.iter()), |r| r.get(0)))
                .map_err(unavailable)?;
            let sql = format!(
                "SELECT a.well_id, a.well_name, a.field, a.detected_at, a.anomaly FROM well_anomalies a \
                 WHERE {clause} ORDER BY a.day DESC, a.well_name, {}, a.well_id LIMIT ? OFFSET ?",
                field_rank_sql("a.field")
            );
            values.push(Value::Integer(i64::from(page.limit)));
            values.push(int(page.offset));
            let mut stmt = conn.prepare_cached(&sql).map_err(unavailable)?;
            let raw = stmt
                .query_map(params_from_iter(values.iter()), |r| {
                    Ok((
                        WellId(r.get(0)?),
                        r.get::<_, String>(1)?,
                        rows::parsed::<Field>(r, 2)?,
                        rows::instant(r, 3)?,
                        r.get::<_, String>(4)?,
                    ))
                })
                .map_err(unavailable)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(unavailable)?;
            let anomalies = raw
                .into_iter()
                .map(|(well_id, well_name, field, detected_at, json)| {
                    Ok(StoredAnomaly { well_id, well_name, field, anomaly: from_json(&json, "anomaly")?, detected_at })
                })
                .collect::<StorageResult<Vec<_>>>()?;
            Ok((anomalies, total(count)))
        })
        .await
    }

    async fn stored_forecast(&self, tenant: TenantId, well: WellId) -> StorageResult<Option<StoredForecast>> {
        self.read(move |conn| {
            let row = conn
                .query_row(
                    "SELECT forecast_field, computed_at, forecast, forecast_error FROM well_analytics \
                     WHERE tenant_id = ?1 AND well_id = ?2 AND computed_at IS NOT NULL",
                    params![tenant.0, well.0],
                    |r| {
                        Ok((
                            rows::opt_parsed::<Field>(r, 0)?,
                            rows::instant(r, 1)?,
                            r.get::<_, Option<String>>(2)?,
                            r.get::<_, Option<String>>(3)?,
                        ))
                    },
                )
                .optional()
                .map_err(unavailable)?;
            let Some((field, computed_at, forecast, error)) = row else {
                return Ok(None);
            };
            let field = field.ok_or_else(|| corrupt_forecast(well))?;
            let forecast = match (forecast, error) {
                (Some(json), _) => Ok(from_json(&json, "forecast")?),
                (None, Some(reason)) => Err(reason),
                (None, None) => return Err(corrupt_forecast(well)),
            };
            Ok(Some(StoredForecast { field, forecast, computed_at }))
        })
        .await
    }

    async fn analytics_state(
        &self,
        tenant: TenantId,
        well: WellId,
    ) -> StorageResult<(Option<DateTime<Utc>>, Option<DateTime<Utc>>)> {
        self.read(move |conn| {
            let row = conn
                .query_row(
                    "SELECT computed_at, data_changed_at FROM well_analytics WHERE tenant_id = ?1 AND well_id = ?2",
                    params![tenant.0, well.0],
                    |r| Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, Option<i64>>(1)?)),
                )
                .optional()
                .map_err(unavailable)?;
            let instant = |v: Option<i64>| v.and_then(DateTime::<Utc>::from_timestamp_millis);
            Ok(row.map_or((None, None), |(computed, changed)| (instant(computed), instant(changed))))
        })
        .await
    }
}

fn corrupt_forecast(well: WellId) -> StorageError {
    StorageError::Unavailable(format!("stored forecast of well {well} has no field or no result"))
}
