//! Stored aggregates, dirty marks and job runs on PostgreSQL.

use super::PostgresStorage;
use super::rows::{self, truncate_ms, unavailable};
use crate::adapters::aggregate_codec::{self, BlobKey, Windows};
use crate::adapters::fold_marks;
use crate::ports::{
    AggregateQuery, AggregateRepository, DirtyWell, JobKind, JobRun, JobRunRepository, JobStatus, StorageError,
    StorageResult,
};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use flowline_shared::analytics::aggregation::{MonthAggregates, Period, TimeSeriesAggregate, first_of_month};
use flowline_shared::{TenantId, WellId};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;
use uuid::Uuid;

/// Month groups per `INSERT … SELECT FROM UNNEST(…)` statement.
const CHUNK: usize = 2_000;

#[async_trait]
impl AggregateRepository for PostgresStorage {
    async fn replace_months(&self, tenant: TenantId, months: &[MonthAggregates]) -> StorageResult<()> {
        let now = truncate_ms(Utc::now());
        let (filled, empty): (Vec<&MonthAggregates>, Vec<&MonthAggregates>) =
            months.iter().partition(|m| !m.is_empty());
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(unavailable)?;
        rows::ensure_wells_of_tenant(&tx, tenant, months.iter().map(|m| m.well_id)).await?;
        if !empty.is_empty() {
            let ids: Vec<Uuid> = empty.iter().map(|m| m.well_id.0).collect();
            let dates: Vec<NaiveDate> = empty.iter().map(|m| m.month).collect();
            tx.execute(
                "DELETE FROM aggregate_months a USING UNNEST($2::uuid[], $3::date[]) AS u(w, m) \
                 WHERE a.tenant_id = $1 AND a.well_id = u.w AND a.month = u.m",
                &[&tenant.0, &ids, &dates],
            )
            .await
            .map_err(unavailable)?;
        }
        let stmt = tx
            .prepare(
                "INSERT INTO aggregate_months (tenant_id, well_id, month, daily, weekly, monthly, computed_at) \
                 SELECT $1, u.w, u.m, u.d, u.wk, u.mo, $2 \
                 FROM UNNEST($3::uuid[], $4::date[], $5::bytea[], $6::bytea[], $7::bytea[]) AS u(w, m, d, wk, mo) \
                 ON CONFLICT (tenant_id, well_id, month) DO UPDATE SET daily = EXCLUDED.daily, \
                 weekly = EXCLUDED.weekly, monthly = EXCLUDED.monthly, computed_at = EXCLUDED.computed_at",
            )
            .await
            .map_err(unavailable)?;
        for chunk in filled.chunks(CHUNK) {
            let ids: Vec<Uuid> = chunk.iter().map(|m| m.well_id.0).collect();
            let dates: Vec<NaiveDate> = chunk.iter().map(|m| m.month).collect();
            let [daily, weekly, monthly] =
                Period::ALL.map(|p| chunk.iter().map(|m| aggregate_codec::encode(m.of(p))).collect::<Vec<_>>());
            let params: [&(dyn ToSql + Sync); 7] = [&tenant.0, &now, &ids, &dates, &daily, &weekly, &monthly];
            tx.execute(&stmt, &params).await.map_err(unavailable)?;
        }
        tx.commit().await.map_err(unavailable)
    }

    async fn aggregates(
        &self,
        tenant: TenantId,
        tz: chrono_tz::Tz,
        query: &AggregateQuery,
    ) -> StorageResult<Vec<TimeSeriesAggregate>> {
        let ids: Vec<Uuid> = query.wells.iter().map(|w| w.0).collect();
        let (first, last) = (first_of_month(query.from), first_of_month(query.to));
        let client = self.client().await?;
        // Wells come back in the order of `query.wells` (their position in the array), then by month.
        let found = client
            .query(
                &format!(
                    "SELECT a.well_id, a.month, a.{} FROM aggregate_months a \
                     JOIN UNNEST($2::uuid[]) WITH ORDINALITY AS u(w, i) ON a.well_id = u.w \
                     WHERE a.tenant_id = $1 AND a.month >= $3 AND a.month <= $4 ORDER BY u.i, a.month",
                    query.period.as_str()
                ),
                &[&tenant.0, &ids, &first, &last],
            )
            .await
            .map_err(unavailable)?;
        let dates = query.from..=query.to;
        let mut windows = Windows::new(tz);
        let mut out = Vec::new();
        for row in &found {
            let key = BlobKey { well_id: WellId(rows::get(row, 0)?), period: query.period, month: rows::get(row, 1)? };
            let blob: &[u8] = rows::get(row, 2)?;
            aggregate_codec::decode(blob, key, &mut windows, &dates, &mut out)?;
        }
        Ok(out)
    }

    async fn month_groups(
        &self,
        tenant: TenantId,
        tz: chrono_tz::Tz,
        wells: &[WellId],
        first: NaiveDate,
        last: NaiveDate,
    ) -> StorageResult<Vec<MonthAggregates>> {
        let ids: Vec<Uuid> = wells.iter().map(|w| w.0).collect();
        let (first, last) = (first_of_month(first), first_of_month(last));
        let client = self.client().await?;
        let found = client
            .query(
                "SELECT a.well_id, a.month, a.daily, a.weekly, a.monthly FROM aggregate_months a \
                 JOIN UNNEST($2::uuid[]) WITH ORDINALITY AS u(w, i) ON a.well_id = u.w \
                 WHERE a.tenant_id = $1 AND a.month >= $3 AND a.month <= $4 ORDER BY u.i, a.month",
                &[&tenant.0, &ids, &first, &last],
            )
            .await
            .map_err(unavailable)?;
        let mut windows = Windows::new(tz);
        found
            .iter()
            .map(|row| {
                let blobs: [&[u8]; 3] = [rows::get(row, 2)?, rows::get(row, 3)?, rows::get(row, 4)?];
                aggregate_codec::decode_group(WellId(rows::get(row, 0)?), rows::get(row, 1)?, blobs, &mut windows)
            })
            .collect()
    }

    async fn dirty_wells(&self, tenant: TenantId, limit: u32) -> StorageResult<Vec<DirtyWell>> {
        let client = self.client().await?;
        let found = client
            .query(
                "SELECT m.well_id, m.seq, m.from_at, m.to_at FROM dirty_marks m \
                 JOIN (SELECT well_id, min(seq) AS first FROM dirty_marks WHERE tenant_id = $1 \
                       GROUP BY well_id ORDER BY first LIMIT $2) w ON m.well_id = w.well_id \
                 WHERE m.tenant_id = $1 ORDER BY w.first, m.seq",
                &[&tenant.0, &i64::from(limit)],
            )
            .await
            .map_err(unavailable)?;
        let marks = found
            .iter()
            .map(|r| Ok((WellId(rows::get(r, 0)?), rows::get(r, 1)?, rows::get(r, 2)?, rows::get(r, 3)?)))
            .collect::<StorageResult<Vec<_>>>()?;
        Ok(fold_marks(marks))
    }

    async fn clear_dirty(&self, tenant: TenantId, done: &[DirtyWell]) -> StorageResult<u64> {
        let marks: Vec<i64> = done.iter().flat_map(|d| d.marks.iter().copied()).collect();
        let client = self.client().await?;
        let cleared = client
            .execute("DELETE FROM dirty_marks WHERE tenant_id = $1 AND seq = ANY($2)", &[&tenant.0, &marks])
            .await
            .map_err(unavailable)?;
        if cleared >= VACUUM_AFTER_CLEARED_MARKS {
            // A backfill after a bulk load clears millions of marks at once; until autovacuum visits the table,
            // every dirty-worker pass scans their dead rows (1 s instead of a few ms after 5 M marks). The marks are
            // already gone, so a failure here only costs speed: logged, not returned.
            if let Err(e) = client.batch_execute("VACUUM dirty_marks").await {
                tracing::warn!(error = %e, "cannot vacuum the dirty marks");
            }
        }
        Ok(cleared)
    }
}

/// Marks cleared in one call above which the table is vacuumed at once.
const VACUUM_AFTER_CLEARED_MARKS: u64 = 100_000;

const JOB_COLUMNS: &str = "id, job, tenant_id, started_at, finished_at, status, rows, message";

fn job_run(row: &Row) -> StorageResult<JobRun> {
    let rows_written: i64 = rows::get(row, 6)?;
    Ok(JobRun {
        id: rows::get(row, 0)?,
        job: rows::parse(row, 1)?,
        tenant_id: rows::get::<Option<Uuid>>(row, 2)?.map(TenantId),
        started_at: rows::get(row, 3)?,
        finished_at: rows::get(row, 4)?,
        status: rows::parse(row, 5)?,
        rows: u64::try_from(rows_written).unwrap_or(0),
        message: rows::get(row, 7)?,
    })
}

#[async_trait]
impl JobRunRepository for PostgresStorage {
    async fn start_job_run(&self, run: &JobRun) -> StorageResult<()> {
        let client = self.client().await?;
        client
            .execute(
                &format!("INSERT INTO job_runs ({JOB_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"),
                &[
                    &run.id,
                    &run.job.as_str(),
                    &run.tenant_id.map(|t| t.0),
                    &truncate_ms(run.started_at),
                    &run.finished_at.map(truncate_ms),
                    &run.status.as_str(),
                    &i64::try_from(run.rows).unwrap_or(i64::MAX),
                    &run.message,
                ],
            )
            .await
            .map_err(|e| rows::classify(e, "job run exists"))?;
        Ok(())
    }

    async fn finish_job_run(
        &self,
        id: Uuid,
        finished_at: DateTime<Utc>,
        status: JobStatus,
        rows_written: u64,
        message: Option<&str>,
    ) -> StorageResult<()> {
        let client = self.client().await?;
        let n = client
            .execute(
                "UPDATE job_runs SET finished_at = $2, status = $3, rows = $4, message = $5 WHERE id = $1",
                &[
                    &id,
                    &truncate_ms(finished_at),
                    &status.as_str(),
                    &i64::try_from(rows_written).unwrap_or(i64::MAX),
                    &message,
                ],
            )
            .await
            .map_err(unavailable)?;
        if n == 0 {
            return Err(StorageError::NotFound(format!("job run {id}")));
        }
        Ok(())
    }

    async fn recent_job_runs(
        &self,
        tenant: Option<TenantId>,
        job: Option<JobKind>,
        limit: u32,
    ) -> StorageResult<Vec<JobRun>> {
        let client = self.client().await?;
        let found = client
            .query(
                &format!(
                    "SELECT {JOB_COLUMNS} FROM job_runs WHERE ($1::text IS NULL OR job = $1) \
                     AND ($3::uuid IS NULL OR tenant_id = $3) ORDER BY started_at DESC, id LIMIT $2"
                ),
                &[&job.map(JobKind::as_str), &i64::from(limit), &tenant.map(|t| t.0)],
            )
            .await
            .map_err(unavailable)?;
        found.iter().map(job_run).collect()
    }

    async fn acquire_lease(
        &self,
        name: &str,
        holder: Uuid,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StorageResult<bool> {
        let client = self.client().await?;
        // One statement: a concurrent caller waits for the row lock and re-checks the condition on the row the
        // winner wrote, so of several instances asking at once exactly one writes it.
        let changed = client
            .execute(
                "INSERT INTO job_leases (name, holder, expires_at) VALUES ($1, $2, $4) \
                 ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at \
                 WHERE job_leases.expires_at <= $3 OR job_leases.holder = EXCLUDED.holder",
                &[&name, &holder, &truncate_ms(now), &truncate_ms(until)],
            )
            .await
            .map_err(unavailable)?;
        Ok(changed == 1)
    }
}
