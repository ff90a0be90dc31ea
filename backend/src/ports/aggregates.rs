//! Storage ports of the analytics half: stored aggregates, the dirty marks that tell the jobs what to recompute,
//! and the record of job runs. The error contract of `storage.rs` applies (Unavailable for database trouble;
//! writes atomic).

use super::StorageResult;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use flowline_shared::analytics::aggregation::{MonthAggregates, Period};
use flowline_shared::{TenantId, WellId};
use serde::{Deserialize, Serialize};

/// Which stored aggregates to read: one period of some wells over the local dates `from..=to` (of the periods'
/// start dates).
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateQuery {
    pub wells: Vec<WellId>,
    pub period: Period,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Readings of a well arrived (or were corrected) at instants `from..=to` since the well's aggregates were last
/// computed: the union of the marks `marks` (one per inserting transaction). Marks are only ever appended, so
/// concurrent writers never wait on each other, and clearing removes exactly the marks that were read: a mark
/// committed meanwhile stays for the next pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirtyWell {
    pub well_id: WellId,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Opaque ids of the marks behind this span.
    pub marks: Vec<i64>,
}

#[async_trait]
pub trait AggregateRepository: Send + Sync {
    /// Stores each month group whole, replacing what was stored for its (tenant, well, month): that is the upsert
    /// that keeps (tenant, well, period, period start, field) unique however often a month is recomputed. An empty
    /// group deletes the month. One transaction; `NotFound` (nothing written) if a well is not this tenant's.
    async fn replace_months(&self, tenant: TenantId, months: &[MonthAggregates]) -> StorageResult<()>;

    /// The stored aggregates matching `query`, ordered by well (in `query.wells` order), period start and field.
    /// Wells that are not this tenant's simply have none. `tz` is the tenant's zone (to rebuild the windows).
    async fn aggregates(
        &self,
        tenant: TenantId,
        tz: chrono_tz::Tz,
        query: &AggregateQuery,
    ) -> StorageResult<Vec<flowline_shared::analytics::aggregation::TimeSeriesAggregate>>;

    /// The stored groups of `wells` for the local months `first..=last`, whole (every period), ordered by well (in
    /// `wells` order), then month; a month without aggregates has no group. Wells that are not this tenant's have
    /// none. `tz` is the tenant's zone.
    async fn month_groups(
        &self,
        tenant: TenantId,
        tz: chrono_tz::Tz,
        wells: &[WellId],
        first: NaiveDate,
        last: NaiveDate,
    ) -> StorageResult<Vec<MonthAggregates>>;

    /// Up to `limit` dirty wells of the tenant, the wells with the oldest marks first. Entries stored through
    /// `EntryRepository::insert_entries` mark their wells dirty in the same transaction.
    async fn dirty_wells(&self, tenant: TenantId, limit: u32) -> StorageResult<Vec<DirtyWell>>;

    /// Removes exactly the marks listed in `done` (of this tenant); returns how many were removed.
    async fn clear_dirty(&self, tenant: TenantId, done: &[DirtyWell]) -> StorageResult<u64>;
}

/// The jobs whose runs are recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// Scheduled at 23:59 local: the day's aggregates for every well.
    Daily,
    /// Scheduled Monday 00:00 local: the week that just ended.
    Weekly,
    /// Scheduled on the 1st 00:00 local: the month that just ended.
    Monthly,
    /// The dirty-period worker: late and corrected readings.
    Dirty,
    /// `flowline-server backfill` or `POST /api/v1/admin/backfill`.
    Backfill,
    /// The per-well analytics pass (trends, anomalies, forecasts).
    Analytics,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Daily => "daily",
            JobKind::Weekly => "weekly",
            JobKind::Monthly => "monthly",
            JobKind::Dirty => "dirty",
            JobKind::Backfill => "backfill",
            JobKind::Analytics => "analytics",
        }
    }
}

impl std::str::FromStr for JobKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        [JobKind::Daily, JobKind::Weekly, JobKind::Monthly, JobKind::Dirty, JobKind::Backfill, JobKind::Analytics]
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown job {s:?}"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Running,
    Succeeded,
    Failed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Running => "running",
            JobStatus::Succeeded => "succeeded",
            JobStatus::Failed => "failed",
        }
    }
}

impl std::str::FromStr for JobStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "running" => Ok(JobStatus::Running),
            "succeeded" => Ok(JobStatus::Succeeded),
            "failed" => Ok(JobStatus::Failed),
            _ => Err(format!("unknown job status {s:?}")),
        }
    }
}

/// One run of a job, for monitoring.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRun {
    pub id: uuid::Uuid,
    pub job: JobKind,
    /// `None` for a run over every tenant.
    pub tenant_id: Option<TenantId>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub status: JobStatus,
    /// Rows written (month groups for the aggregation jobs).
    pub rows: u64,
    /// What failed, or a short summary.
    pub message: Option<String>,
}

#[async_trait]
pub trait JobRunRepository: Send + Sync {
    /// Stores a new run (normally `Running`).
    async fn start_job_run(&self, run: &JobRun) -> StorageResult<()>;
    /// Records the end of a run. `NotFound` if no run has that id.
    async fn finish_job_run(
        &self,
        id: uuid::Uuid,
        finished_at: DateTime<Utc>,
        status: JobStatus,
        rows: u64,
        message: Option<&str>,
    ) -> StorageResult<()>;
    /// The newest runs first, optionally of one tenant (`None`: every run, including those over all tenants)
    /// and of one job.
    async fn recent_job_runs(
        &self,
        tenant: Option<TenantId>,
        job: Option<JobKind>,
        limit: u32,
    ) -> StorageResult<Vec<JobRun>>;
    /// Takes or renews the lease `name` for `holder` until `until` when it is free, expired (its end is at or
    /// before `now`) or already `holder`'s; returns whether `holder` holds it afterwards. Atomic: of several
    /// instances asking at once exactly one gets it, so each scheduled job runs once across instances.
    async fn acquire_lease(
        &self,
        name: &str,
        holder: uuid::Uuid,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StorageResult<bool>;
}
