//! Stored aggregates, dirty marks and job runs on SQLite.

use super::SqliteStorage;
use super::rows::{self, ms, unavailable};
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
use rusqlite::{Row, params};

/// SQLITE_CONSTRAINT_FOREIGNKEY: the (tenant, well) is not a well of that tenant.
const FOREIGN_KEY_VIOLATION: std::os::raw::c_int = 787;

fn not_found(well: &WellId) -> StorageError {
    StorageError::NotFound(format!("well {well} in this tenant"))
}

/// A write that trips the (tenant, well) foreign key names a well that is not this tenant's.
fn well_error(err: rusqlite::Error, well: &WellId) -> StorageError {
    match &err {
        rusqlite::Error::SqliteFailure(f, _) if f.extended_code == FOREIGN_KEY_VIOLATION => not_found(well),
        _ => unavailable(err),
    }
}

#[async_trait]
impl AggregateRepository for SqliteStorage {
    async fn replace_months(&self, tenant: TenantId, months: &[MonthAggregates]) -> StorageResult<()> {
        // Encoding is CPU work: done here, before taking the writer.
        let rows: Vec<(WellId, String, Option<[Vec<u8>; 3]>)> = months
            .iter()
            .map(|m| {
                let blobs = (!m.is_empty()).then(|| Period::ALL.map(|p| aggregate_codec::encode(m.of(p))));
                (m.well_id, m.month.to_string(), blobs)
            })
            .collect();
        self.write(move |conn| {
            let now = ms(chrono::Utc::now());
            let tx = conn.transaction().map_err(unavailable)?;
            {
                let mut upsert = tx
                    .prepare_cached(
                        "INSERT INTO aggregate_months (tenant_id, well_id, month, daily, weekly, monthly, computed_at) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (tenant_id, well_id, month) DO UPDATE SET \
                         daily = excluded.daily, weekly = excluded.weekly, monthly = excluded.monthly, \
                         computed_at = excluded.computed_at",
                    )
                    .map_err(unavailable)?;
                let mut delete = tx
                    .prepare_cached("DELETE FROM aggregate_months WHERE tenant_id = ?1 AND well_id = ?2 AND month = ?3")
                    .map_err(unavailable)?;
                // A delete cannot trip the foreign key: an empty group's well is checked by hand, as PostgreSQL does.
                let mut owned =
                    tx.prepare_cached("SELECT 1 FROM wells WHERE tenant_id = ?1 AND id = ?2").map_err(unavailable)?;
                for (well, month, blobs) in &rows {
                    match blobs {
                        Some([d, w, m]) => {
                            upsert
                                .execute(params![tenant.0, well.0, month, d, w, m, now])
                                .map_err(|e| well_error(e, well))?;
                        }
                        None => {
                            if !owned.exists(params![tenant.0, well.0]).map_err(unavailable)? {
                                return Err(not_found(well));
                            }
                            delete.execute(params![tenant.0, well.0, month]).map_err(unavailable)?;
                        }
                    }
                }
            }
            tx.commit().map_err(unavailable)
        })
        .await
    }

    async fn aggregates(
        &self,
        tenant: TenantId,
        tz: chrono_tz::Tz,
        query: &AggregateQuery,
    ) -> StorageResult<Vec<TimeSeriesAggregate>> {
        let query = query.clone();
        self.read(move |conn| {
            let sql = format!(
                "SELECT month, {} FROM aggregate_months WHERE tenant_id = ?1 AND well_id = ?2 AND month >= ?3 \
                 AND month <= ?4 ORDER BY month",
                query.period.as_str()
            );
            let mut stmt = conn.prepare_cached(&sql).map_err(unavailable)?;
            let (first, last) = (first_of_month(query.from).to_string(), first_of_month(query.to).to_string());
            let dates = query.from..=query.to;
            let mut windows = Windows::new(tz);
            let mut out = Vec::new();
            for well in &query.wells {
                let mut found = stmt.query(params![tenant.0, well.0, first, last]).map_err(unavailable)?;
                while let Some(row) = found.next().map_err(unavailable)? {
                    let month: NaiveDate = rows::date(row, 0).map_err(unavailable)?;
                    let blob = row.get_ref(1).and_then(|v| v.as_blob().map_err(Into::into)).map_err(unavailable)?;
                    let key = BlobKey { well_id: *well, period: query.period, month };
                    aggregate_codec::decode(blob, key, &mut windows, &dates, &mut out)?;
                }
            }
            Ok(out)
        })
        .await
    }

    async fn month_groups(
        &self,
        tenant: TenantId,
        tz: chrono_tz::Tz,
        wells: &[WellId],
        first: NaiveDate,
        last: NaiveDate,
    ) -> StorageResult<Vec<MonthAggregates>> {
        let wells = wells.to_vec();
        let (first, last) = (first_of_month(first).to_string(), first_of_month(last).to_string());
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT month, daily, weekly, monthly FROM aggregate_months WHERE tenant_id = ?1 AND well_id = ?2 \
                     AND month >= ?3 AND month <= ?4 ORDER BY month",
                )
                .map_err(unavailable)?;
            let (mut out, mut windows) = (Vec::new(), Windows::new(tz));
            for well in &wells {
                let mut found = stmt.query(params![tenant.0, well.0, first, last]).map_err(unavailable)?;
                while let Some(row) = found.next().map_err(unavailable)? {
                    let month: NaiveDate = rows::date(row, 0).map_err(unavailable)?;
                    let blob = |i| row.get_ref(i).and_then(|v| v.as_blob().map_err(Into::into)).map_err(unavailable);
                    out.push(aggregate_codec::decode_group(
                        *well,
                        month,
                        [blob(1)?, blob(2)?, blob(3)?],
                        &mut windows,
                    )?);
                }
            }
            Ok(out)
        })
        .await
    }

    async fn dirty_wells(&self, tenant: TenantId, limit: u32) -> StorageResult<Vec<DirtyWell>> {
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT m.well_id, m.seq, m.from_at, m.to_at FROM dirty_marks m \
                     JOIN (SELECT well_id, min(seq) AS first FROM dirty_marks WHERE tenant_id = ?1 \
                           GROUP BY well_id ORDER BY first LIMIT ?2) w ON m.well_id = w.well_id \
                     WHERE m.tenant_id = ?1 ORDER BY w.first, m.seq",
                )
                .map_err(unavailable)?;
            let marks = stmt
                .query_map(params![tenant.0, limit], |r| {
                    Ok((WellId(r.get(0)?), r.get::<_, i64>(1)?, rows::instant(r, 2)?, rows::instant(r, 3)?))
                })
                .map_err(unavailable)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(unavailable)?;
            Ok(fold_marks(marks))
        })
        .await
    }

    async fn clear_dirty(&self, tenant: TenantId, done: &[DirtyWell]) -> StorageResult<u64> {
        let marks: Vec<i64> = done.iter().flat_map(|d| d.marks.iter().copied()).collect();
        self.write(move |conn| {
            let tx = conn.transaction().map_err(unavailable)?;
            let mut cleared = 0u64;
            {
                let mut stmt = tx
                    .prepare_cached("DELETE FROM dirty_marks WHERE tenant_id = ?1 AND seq = ?2")
                    .map_err(unavailable)?;
                for seq in &marks {
                    cleared += stmt.execute(params![tenant.0, seq]).map_err(unavailable)? as u64;
                }
            }
            tx.commit().map_err(unavailable)?;
            Ok(cleared)
        })
        .await
    }
}

const JOB_COLUMNS: &str = "id, job, tenant_id, started_at, finished_at, status, rows, message";

fn job_run(row: &Row<'_>) -> rusqlite::Result<JobRun> {
    let finished: Option<i64> = row.get(4)?;
    let rows_written: i64 = row.get(6)?;
    Ok(JobRun {
        id: row.get(0)?,
        job: rows::parsed(row, 1)?,
        tenant_id: row.get::<_, Option<uuid::Uuid>>(2)?.map(TenantId),
        started_at: rows::instant(row, 3)?,
        finished_at: finished.and_then(DateTime::<Utc>::from_timestamp_millis),
        status: rows::parsed(row, 5)?,
        rows: u64::try_from(rows_written).unwrap_or(0),
        message: row.get(7)?,
    })
}

#[async_trait]
impl JobRunRepository for SqliteStorage {
    async fn start_job_run(&self, run: &JobRun) -> StorageResult<()> {
        let run = run.clone();
        self.write(move |conn| {
            conn.execute(
                &format!("INSERT INTO job_runs ({JOB_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
                params![
                    run.id,
                    run.job.as_str(),
                    run.tenant_id.map(|t| t.0),
                    ms(run.started_at),
                    run.finished_at.map(ms),
                    run.status.as_str(),
                    i64::try_from(run.rows).unwrap_or(i64::MAX),
                    run.message,
                ],
            )
            .map_err(|e| rows::classify(e, "job run exists"))?;
            Ok(())
        })
        .await
    }

    async fn finish_job_run(
        &self,
        id: uuid::Uuid,
        finished_at: DateTime<Utc>,
        status: JobStatus,
        rows_written: u64,
        message: Option<&str>,
    ) -> StorageResult<()> {
        let message = message.map(str::to_owned);
        self.write(move |conn| {
            let n = conn
                .execute(
                    "UPDATE job_runs SET finished_at = ?2, status = ?3, rows = ?4, message = ?5 WHERE id = ?1",
                    params![
                        id,
                        ms(finished_at),
                        status.as_str(),
                        i64::try_from(rows_written).unwrap_or(i64::MAX),
                        message
                    ],
                )
                .map_err(unavailable)?;
            if n == 0 {
                return Err(StorageError::NotFound(format!("job run {id}")));
            }
            Ok(())
        })
        .await
    }

    async fn recent_job_runs(
        &self,
        tenant: Option<TenantId>,
        job: Option<JobKind>,
        limit: u32,
    ) -> StorageResult<Vec<JobRun>> {
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {JOB_COLUMNS} FROM job_runs WHERE (?1 IS NULL OR job = ?1) AND (?3 IS NULL OR tenant_id = ?3) \
                     ORDER BY started_at DESC, id LIMIT ?2"
                ))
                .map_err(unavailable)?;
            stmt.query_map(params![job.map(JobKind::as_str), limit, tenant.map(|t| t.0)], job_run)
                .map_err(unavailable)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(unavailable)
        })
        .await
    }

    async fn acquire_lease(
        &self,
        name: &str,
        holder: uuid::Uuid,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StorageResult<bool> {
        let name = name.to_owned();
        // One statement (the single writer serialises callers anyway): a row is written only when the lease is
        // free, expired or already the holder's.
        self.write(move |conn| {
            let changed = conn
                .prepare_cached(
                    "INSERT INTO job_leases (name, holder, expires_at) VALUES (?1, ?2, ?4) \
                     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
                     WHERE job_leases.expires_at <= ?3 OR job_leases.holder = excluded.holder",
                )
                .and_then(|mut stmt| stmt.execute(params![name, holder, ms(now), ms(until)]))
                .map_err(unavailable)?;
            Ok(changed == 1)
        })
        .await
    }
}
