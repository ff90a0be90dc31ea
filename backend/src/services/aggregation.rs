//! Aggregation jobs: recompute the stored aggregates of some wells over some local months, from the stored
//! readings. The backfill, the scheduled jobs and the dirty-period worker are all this one operation over
//! different wells and months, so a rerun of any of them replaces what it wrote and never duplicates it.
//!
//! Work is done in chunks of wells, pipelined: the next chunk's readings are read while the current one is
//! aggregated and the previous one written, so reading (the database), aggregating (a blocking thread) and writing
//! overlap on a two-core machine.

use super::Deps;
use super::job_runs::{JobOutcome, recorded};
use crate::ports::{JobKind, StorageError};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use flowline_shared::analytics::aggregation::{
    AggregationError, EntryValues, MonthAggregates, Period, daily_aggregates, first_of_month, local_midnight,
    month_input_window, months_around_day, patch_day, roll_up, split_by_month,
};
use flowline_shared::{Tenant, TenantId, WellId};
use futures_util::StreamExt;
use std::collections::HashMap;
use tokio::sync::mpsc;

/// How a job splits its wells: wells per chunk, and chunks read at once.
#[derive(Clone, Copy)]
struct Chunking {
    wells: usize,
    reads_in_flight: usize,
}

/// About 250 x 730 readings (~25 MB) per chunk for two years. For one month on PostgreSQL, 125 and 2,000 wells per
/// chunk were slower (1.2 s and 1.5 s against 1.0 s), and two reads in flight did not help.
const RECOMPUTE_CHUNKS: Chunking = Chunking { wells: 250, reads_in_flight: 1 };
/// The daily job reads one day of readings and a month or two of stored groups per well: mostly index seeks, whose
/// latency two reads in flight hide.
const DAILY_CHUNKS: Chunking = Chunking { wells: 500, reads_in_flight: 2 };
/// Dirty wells taken per pass of the worker.
const DIRTY_PER_PASS: u32 = 5_000;

#[derive(Debug, thiserror::Error)]
pub enum AggregationJobError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("aggregation failed: {0}")]
    Aggregation(#[from] AggregationError),
    #[error("aggregation task failed: {0}")]
    Task(String),
    #[error("empty range: {first} is after {last}")]
    EmptyRange { first: NaiveDate, last: NaiveDate },
}

/// What a recompute did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecomputeReport {
    pub wells: u64,
    pub readings: u64,
    /// (well, month) groups written.
    pub months: u64,
    pub aggregates: u64,
}

impl JobOutcome for RecomputeReport {
    fn rows(&self) -> u64 {
        self.months
    }
    fn summary(&self) -> String {
        if self.readings == 0 {
            return "no readings to aggregate".to_owned();
        }
        format!("{} wells, {} readings, {} aggregates", self.wells, self.readings, self.aggregates)
    }
}

impl RecomputeReport {
    fn add(&mut self, other: RecomputeReport) {
        self.wells += other.wells;
        self.readings += other.readings;
        self.months += other.months;
        self.aggregates += other.aggregates;
    }
}

/// The aggregates of `readings` (sorted by well, then instant, covering [`month_input_window`] of the months)
/// for the months `first..=last`, grouped by (well, month). One well at a time, so that its aggregates stay in
/// the cache between the passes.
pub fn aggregate_months(
    readings: &[EntryValues],
    tz: Tz,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<MonthAggregates>, AggregationError> {
    let mut out = Vec::new();
    for well in readings.chunk_by(|a, b| a.well_id == b.well_id) {
        let Some(well_id) = well.first().map(|r| r.well_id) else { continue };
        let daily = daily_aggregates(well, tz);
        let weekly = roll_up(&daily, Period::Weekly)?;
        let monthly = roll_up(&daily, Period::Monthly)?;
        out.extend(split_by_month(well_id, daily.into_iter().chain(weekly).chain(monthly), first, last));
    }
    Ok(out)
}

/// The months whose aggregates a reading at `instant` changes: its day's and month's, and its week's, which may
/// have started in the previous month.
pub fn months_touched(from: DateTime<Utc>, to: DateTime<Utc>, tz: Tz) -> (NaiveDate, NaiveDate) {
    let first_day = from.with_timezone(&tz).date_naive();
    let last_day = to.with_timezone(&tz).date_naive();
    (first_of_month(Period::Weekly.first_day(first_day)), first_of_month(last_day))
}

/// What aggregating one chunk of wells did.
fn report_of(chunk: &[WellId], readings: usize, months: &[MonthAggregates]) -> RecomputeReport {
    RecomputeReport {
        wells: chunk.len() as u64,
        readings: readings as u64,
        months: months.len() as u64,
        aggregates: months.iter().map(|m| m.len() as u64).sum(),
    }
}

/// The runs of `items` (grouped by well) by well, found in one pass.
fn by_well<T>(items: &[T], well_of: impl Fn(&T) -> WellId) -> HashMap<WellId, &[T]> {
    items.chunk_by(|a, b| well_of(a) == well_of(b)).filter_map(|run| Some((well_of(run.first()?), run))).collect()
}

#[derive(Clone)]
pub struct AggregationService {
    deps: Deps,
}

impl AggregationService {
    pub fn new(deps: Deps) -> Self {
        Self { deps }
    }

    /// Recomputes and stores the aggregates of `wells` for the local months `first..=last` of `tenant`, calling
    /// `progress` with the number of wells done after each chunk is written.
    pub async fn recompute(
        &self,
        tenant: &Tenant,
        wells: &[WellId],
        first: NaiveDate,
        last: NaiveDate,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<RecomputeReport, AggregationJobError> {
        let (first, last) = (first_of_month(first), first_of_month(last));
        if first > last {
            return Err(AggregationJobError::EmptyRange { first, last });
        }
        let (tenant_id, tz) = (tenant.id, tenant.time_zone);
        let (from, to) = month_input_window(first, last, tz);
        let storage = self.deps.storage.clone();
        let read = move |chunk: Vec<WellId>| {
            let storage = storage.clone();
            async move { storage.readings(tenant_id, &chunk, from, to).await }
        };
        let compute = move |chunk: &[WellId], readings: Vec<EntryValues>| {
            let months = aggregate_months(&readings, tz, first, last)?;
            Ok((report_of(chunk, readings.len(), &months), months))
        };
        self.pipelined(tenant_id, wells, RECOMPUTE_CHUNKS, read, compute, progress).await
    }

    /// The daily job: aggregates the local `day` of every well of the tenant, recorded as a job run. Reads that
    /// day's readings and the stored groups of the months around it, replaces the day and rolls its week and month
    /// up again ([`patch_day`]), and writes only the groups that changed: about a thirtieth of the reading a
    /// recompute of the month would do, and no write at all for a day the dirty-period worker already aggregated.
    pub async fn run_daily(
        &self,
        tenant: &Tenant,
        day: NaiveDate,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<RecomputeReport, AggregationJobError> {
        let wells = self.deps.storage.well_ids(tenant.id).await?;
        recorded(&self.deps, JobKind::Daily, Some(tenant), || async {
            let tz = tenant.time_zone;
            let (from, to) = (local_midnight(day, tz), local_midnight(day.succ_opt().unwrap_or(day), tz));
            let (first, last) = months_around_day(day);
            let storage = self.deps.storage.clone();
            let tenant_id = tenant.id;
            let read = move |chunk: Vec<WellId>| {
                let storage = storage.clone();
                async move {
                    let (readings, stored) = tokio::try_join!(
                        storage.readings(tenant_id, &chunk, from, to),
                        storage.month_groups(tenant_id, tz, &chunk, first, last),
                    )?;
                    Ok((readings, stored))
                }
            };
            let compute = move |chunk: &[WellId], (readings, stored): (Vec<EntryValues>, Vec<MonthAggregates>)| {
                let fresh = daily_aggregates(&readings, tz);
                let (groups, days) = (by_well(&stored, |g| g.well_id), by_well(&fresh, |a| a.well_id));
                let mut changed = Vec::new();
                for well in chunk {
                    let well_groups = groups.get(well).copied().unwrap_or_default();
                    let well_days = days.get(well).copied().unwrap_or_default();
                    changed.extend(patch_day(*well, well_groups, day, well_days, tz)?);
                }
                Ok((report_of(chunk, readings.len(), &changed), changed))
            };
            self.pipelined(tenant_id, &wells, DAILY_CHUNKS, read, compute, progress).await
        })
        .await
    }

    /// Reads chunks of `wells` with `read` (at most two chunks ahead), turns each into month groups with `compute`
    /// on a blocking thread (one chunk ahead of the writer), and stores them here, calling `progress` with the
    /// number of wells done after each chunk is written.
    async fn pipelined<I, R, F>(
        &self,
        tenant_id: TenantId,
        wells: &[WellId],
        shape: Chunking,
        read: R,
        compute: impl Fn(&[WellId], I) -> Result<(RecomputeReport, Vec<MonthAggregates>), AggregationJobError>
        + Send
        + Sync
        + Clone
        + 'static,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<RecomputeReport, AggregationJobError>
    where
        I: Send + 'static,
        R: Fn(Vec<WellId>) -> F + Send + Sync + 'static,
        F: std::future::Future<Output = Result<I, StorageError>> + Send,
    {
        let chunks: Vec<Vec<WellId>> = wells.chunks(shape.wells).map(<[WellId]>::to_vec).collect();
        // Stage 1: read.
        let (read_tx, mut read_rx) = mpsc::channel::<Result<(Vec<WellId>, I), StorageError>>(2);
        let reader = tokio::spawn(async move {
            let reads = futures_util::stream::iter(chunks).map(|chunk| {
                let input = read(chunk.clone());
                async move { input.await.map(|input| (chunk, input)) }
            });
            let mut reads = std::pin::pin!(reads.buffered(shape.reads_in_flight));
            while let Some(input) = reads.next().await {
                let failed = input.is_err();
                if read_tx.send(input).await.is_err() || failed {
                    break;
                }
            }
        });
        // Stage 2: compute on a blocking thread.
        let (out_tx, mut out_rx) =
            mpsc::channel::<Result<(RecomputeReport, Vec<MonthAggregates>), AggregationJobError>>(1);
        let computer = tokio::spawn(async move {
            while let Some(input) = read_rx.recv().await {
                let result = match input {
                    Err(e) => Err(e.into()),
                    Ok((chunk, input)) => {
                        let compute = compute.clone();
                        tokio::task::spawn_blocking(move || compute(&chunk, input))
                            .await
                            .unwrap_or_else(|e| Err(AggregationJobError::Task(e.to_string())))
                    }
                };
                let failed = result.is_err();
                if out_tx.send(result).await.is_err() || failed {
                    break;
                }
            }
        });
        // Stage 3: write, here.
        let mut total = RecomputeReport::default();
        let mut outcome = Ok(());
        while let Some(result) = out_rx.recv().await {
            match result {
                Ok((report, months)) => {
                    if let Err(e) = self.store(tenant_id, &months).await {
                        outcome = Err(e.into());
                        break;
                    }
                    total.add(report);
                    progress(total.wells);
                }
                Err(e) => {
                    outcome = Err(e);
                    break;
                }
            }
        }
        drop(out_rx);
        reader.abort();
        computer.abort();
        outcome.map(|()| total)
    }

    /// Stores month groups and marks their wells' analytics out of date.
    async fn store(&self, tenant_id: TenantId, months: &[MonthAggregates]) -> Result<(), StorageError> {
        if months.is_empty() {
            return Ok(());
        }
        let mut wells: Vec<WellId> = months.iter().map(|m| m.well_id).collect();
        wells.dedup();
        self.deps.storage.replace_months(tenant_id, months).await?;
        // Their trends, anomalies and forecasts are now out of date.
        self.deps.storage.mark_analytics_changed(tenant_id, &wells, self.deps.clock.now()).await
    }

    /// Recomputes every well of the tenant over `first..=last`, recorded as a job run of `kind`.
    pub async fn run_for_all_wells(
        &self,
        kind: JobKind,
        tenant: &Tenant,
        first: NaiveDate,
        last: NaiveDate,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<RecomputeReport, AggregationJobError> {
        let wells = self.deps.storage.well_ids(tenant.id).await?;
        recorded(&self.deps, kind, Some(tenant), || self.recompute(tenant, &wells, first, last, progress)).await
    }

    /// Recomputes every well of the tenant over the local dates `from..=to` (whole months), by default over every
    /// month whose aggregates the stored readings determine: from the month in which the oldest reading's week
    /// starts (its Monday may lie in the previous month) to the newest reading's month. `None` when the tenant has
    /// no readings and no range was given; `EmptyRange` (nothing read, written or recorded) when `from` is after
    /// `to`.
    pub async fn backfill(
        &self,
        tenant: &Tenant,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<Option<RecomputeReport>, AggregationJobError> {
        let span = match (from, to) {
            (Some(f), Some(t)) => Some((f, t)),
            _ => self.deps.storage.entry_span(tenant.id).await?.map(|(a, b)| {
                let (first_month, _) = months_touched(a, a, tenant.time_zone);
                (from.unwrap_or(first_month), to.unwrap_or_else(|| b.with_timezone(&tenant.time_zone).date_naive()))
            }),
        };
        let Some((from, to)) = span else {
            // Nothing to aggregate, but the run the caller asked for is still on record.
            recorded(&self.deps, JobKind::Backfill, Some(tenant), || async {
                Ok::<_, AggregationJobError>(RecomputeReport::default())
            })
            .await?;
            return Ok(None);
        };
        // Checked on the dates, not only on their months: 20 March to 5 March is as empty as April to March.
        if from > to {
            return Err(AggregationJobError::EmptyRange { first: from, last: to });
        }
        // Marks left by the readings being backfilled are settled by it; later ones stay.
        let dirty = self.deps.storage.dirty_wells(tenant.id, u32::MAX).await?;
        let report = self.run_for_all_wells(JobKind::Backfill, tenant, from, to, progress).await?;
        let (first, last) = (first_of_month(from), first_of_month(to));
        let settled: Vec<_> = dirty
            .into_iter()
            .filter(|d| {
                let (a, b) = months_touched(d.from, d.to, tenant.time_zone);
                a >= first && b <= last
            })
            .collect();
        self.deps.storage.clear_dirty(tenant.id, &settled).await?;
        Ok(Some(report))
    }

    /// One pass of the dirty-period worker over one tenant: recomputes the months touched by readings stored since
    /// the last pass, then clears the marks it read (a mark added meanwhile stays for the next pass).
    /// Returns `None` when nothing was dirty (and records no run).
    pub async fn run_dirty_once(&self, tenant: &Tenant) -> Result<Option<RecomputeReport>, AggregationJobError> {
        let dirty = self.deps.storage.dirty_wells(tenant.id, DIRTY_PER_PASS).await?;
        if dirty.is_empty() {
            return Ok(None);
        }
        let report = recorded(&self.deps, JobKind::Dirty, Some(tenant), || async {
            // Wells touched over the same months are recomputed together (the live feed: all of them, today).
            let mut groups: std::collections::BTreeMap<(NaiveDate, NaiveDate), Vec<WellId>> = Default::default();
            for d in &dirty {
                groups.entry(months_touched(d.from, d.to, tenant.time_zone)).or_default().push(d.well_id);
            }
            let mut total = RecomputeReport::default();
            for ((first, last), wells) in groups {
                total.add(self.recompute(tenant, &wells, first, last, &|_| {}).await?);
            }
            self.deps.storage.clear_dirty(tenant.id, &dirty).await?;
            Ok::<_, AggregationJobError>(total)
        })
        .await?;
        Ok(Some(report))
    }
}
