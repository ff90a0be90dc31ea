//! Simulation orchestration: creates a simulated fleet's wells for a tenant, writes its history in bulk, and sends
//! live readings through the ingest service (the same path as the API).
//!
//! Idempotent: wells are matched by API number and reused, entry ids are deterministic, so re-running a backfill
//! with the same seed on the same tenant creates nothing and counts every entry as a duplicate. A backfill is
//! written in chunks (each atomic), so an interrupted one leaves whole chunks behind; running it again completes it.

use super::Deps;
use super::ingest::{IngestError, IngestService, MAX_BATCH};
use super::wells::all_wells;
use crate::ports::{InsertOutcome, StorageError, WellFilter};
use crate::simulator::SimulatedFleet;
use flowline_shared::dto::IngestResponse;
use flowline_shared::{ApiNumber, EntryId, FieldEntry, FieldErrors, NewWell, TenantId, WellId};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use tokio::task::JoinHandle;

/// Fewest entries per `insert_entries` call (transaction) of a backfill.
pub const INSERT_CHUNK: usize = 20_000;
/// Most entries per `insert_entries` call.
pub const MAX_INSERT_CHUNK: usize = 600_000;
/// Days of history per transaction when the fleet is large. The history is written day by day, so every
/// transaction appends to the (tenant, well, time) index page of every well; writing two months per transaction
/// rewrites each of those pages every 60 days instead of every 2 days (30x less WAL traffic at 10,000 wells).
const DAYS_PER_CHUNK: usize = 60;

/// Chunks written at the same time (each in its own transaction).
const WRITES_IN_FLIGHT: usize = 2;

/// Entries per transaction for a fleet of `wells`.
pub fn chunk_size(wells: usize) -> usize {
    wells.saturating_mul(DAYS_PER_CHUNK).clamp(INSERT_CHUNK, MAX_INSERT_CHUNK)
}

/// What a backfill did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BackfillReport {
    /// Wells of the fleet that did not exist and were created.
    pub wells_created: u64,
    /// Wells of the fleet found by API number and reused.
    pub wells_reused: u64,
    /// Entries stored by this run.
    pub entries_inserted: u64,
    /// Entries whose id was already stored (an earlier run with the same seed).
    pub duplicates: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum SimulationError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// A bug of the simulator: it generated a value that does not validate.
    #[error("the simulator generated an invalid entry {}: {errors}", .id.0)]
    InvalidEntry { id: EntryId, errors: FieldErrors },
    /// A bug of the simulator: it planned a well without an API number, which is how wells are matched.
    #[error("the simulator planned well {0:?} without an API number")]
    MissingApiNumber(String),
    #[error("storage did not return the created well {0:?}")]
    WellNotCreated(String),
    #[error("a background write stopped unexpectedly: {0}")]
    Task(String),
}

/// Creates the fleet's wells for the tenant (reusing those that already exist with the same API numbers), then
/// writes the history in day-major order (so ids are ascending): every draft is validated with `FieldEntry::new`
/// and inserted in chunks of [`chunk_size`] entries, `progress(done, total)` being called after each chunk
/// (`total` = [`SimulatedFleet::expected_entries`]). While one chunk is written, the next one is generated.
/// Returns the stored id of each well, in well-index order, and what was done.
pub async fn backfill(
    deps: &Deps,
    tenant: TenantId,
    fleet: &SimulatedFleet,
    progress: &(dyn Fn(u64, u64) + Send + Sync),
) -> Result<(Vec<WellId>, BackfillReport), SimulationError> {
    let (well_ids, wells_created) = ensure_wells(deps, tenant, fleet).await?;
    let mut writer = Writer {
        deps,
        tenant,
        pending: VecDeque::new(),
        spare: Vec::new(),
        done: 0,
        total: fleet.expected_entries(),
        progress,
        report: BackfillReport {
            wells_created,
            wells_reused: well_ids.len() as u64 - wells_created,
            ..BackfillReport::default()
        },
    };
    progress(0, writer.total);
    let result = write_history(&mut writer, fleet, &well_ids).await;
    // On an error, let the writes under way finish before returning (their outcome no longer matters).
    let finished = writer.finish_all().await;
    result?;
    finished?;
    deps.storage.settle_bulk_load().await?;
    Ok((well_ids, writer.report))
}

async fn write_history(
    writer: &mut Writer<'_>,
    fleet: &SimulatedFleet,
    well_ids: &[WellId],
) -> Result<(), SimulationError> {
    let mut drafts = Vec::new();
    let chunk_len = chunk_size(fleet.len());
    let mut chunk: Vec<FieldEntry> = Vec::with_capacity(chunk_len);
    for day in fleet.history_days() {
        drafts.clear();
        fleet.entries_for_day(well_ids, day, &mut drafts);
        for draft in drafts.drain(..) {
            let id = draft.id;
            chunk.push(FieldEntry::new(draft).map_err(|errors| SimulationError::InvalidEntry { id, errors })?);
            if chunk.len() >= chunk_len {
                writer.write(&mut chunk).await?;
            }
        }
    }
    if !chunk.is_empty() {
        writer.write(&mut chunk).await?;
    }
    Ok(())
}

type PendingWrite = JoinHandle<Result<(InsertOutcome, Vec<FieldEntry>), StorageError>>;

/// Writes chunks in the background, so that the caller generates the next chunk meanwhile.
struct Writer<'a> {
    deps: &'a Deps,
    tenant: TenantId,
    /// Writes under way, oldest first; at most [`WRITES_IN_FLIGHT`].
    pending: VecDeque<PendingWrite>,
    /// A cleared buffer to swap in for the chunk being written.
    spare: Vec<FieldEntry>,
    done: u64,
    total: u64,
    progress: &'a (dyn Fn(u64, u64) + Send + Sync),
    report: BackfillReport,
}

impl Writer<'_> {
    /// Starts writing `chunk` (which is left empty, ready to refill), first waiting for the oldest write if
    /// [`WRITES_IN_FLIGHT`] are under way. Each chunk is its own transaction; PostgreSQL writes two on two
    /// connections at once, SQLite's single writer takes them in turn.
    async fn write(&mut self, chunk: &mut Vec<FieldEntry>) -> Result<(), SimulationError> {
        if self.pending.len() >= WRITES_IN_FLIGHT {
            self.finish_oldest().await?;
        }
        let batch = std::mem::replace(chunk, std::mem::take(&mut self.spare));
        let storage = Arc::clone(&self.deps.storage);
        let tenant = self.tenant;
        self.pending.push_back(tokio::spawn(async move {
            let outcome = storage.insert_entries(tenant, &batch).await?;
            Ok((outcome, batch))
        }));
        Ok(())
    }

    /// Waits for every write under way, even after one failed (the first error is returned).
    async fn finish_all(&mut self) -> Result<(), SimulationError> {
        let mut first_error = Ok(());
        while !self.pending.is_empty() {
            if let Err(e) = self.finish_oldest().await
                && first_error.is_ok()
            {
                first_error = Err(e);
            }
        }
        first_error
    }

    async fn finish_oldest(&mut self) -> Result<(), SimulationError> {
        let Some(handle) = self.pending.pop_front() else { return Ok(()) };
        let (outcome, mut batch) = handle.await.map_err(|e| SimulationError::Task(e.to_string()))??;
        self.report.entries_inserted += outcome.inserted;
        self.report.duplicates += outcome.duplicates;
        self.done += batch.len() as u64;
        (self.progress)(self.done, self.total.max(self.done));
        batch.clear();
        self.spare = batch;
        Ok(())
    }
}

/// The stored id of every planned well, creating the missing ones in one call; also how many were created.
async fn ensure_wells(
    deps: &Deps,
    tenant: TenantId,
    fleet: &SimulatedFleet,
) -> Result<(Vec<WellId>, u64), SimulationError> {
    let planned = fleet.wells();
    let mut apis = Vec::with_capacity(planned.len());
    for w in planned {
        apis.push(w.well.api_number.clone().ok_or_else(|| SimulationError::MissingApiNumber(w.well.name.clone()))?);
    }
    let existing = wells_by_api(deps, tenant).await?;
    let mut ids: Vec<Option<WellId>> = apis.iter().map(|api| existing.get(api).copied()).collect();
    let missing: Vec<usize> = (0..planned.len()).filter(|&i| ids[i].is_none()).collect();
    if !missing.is_empty() {
        let new_wells: Vec<NewWell> = missing.iter().map(|&i| planned[i].well.clone()).collect();
        let created = deps.storage.create_wells(tenant, &new_wells, deps.clock.now()).await?;
        let by_api: HashMap<&ApiNumber, WellId> =
            created.iter().filter_map(|w| w.api_number.as_ref().map(|api| (api, w.id))).collect();
        for &i in &missing {
            ids[i] = by_api.get(&apis[i]).copied();
        }
    }
    let ids = ids
        .into_iter()
        .zip(planned)
        .map(|(id, w)| id.ok_or_else(|| SimulationError::WellNotCreated(w.well.name.clone())))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((ids, missing.len() as u64))
}

/// Every well of the tenant that has an API number, by API number.
async fn wells_by_api(deps: &Deps, tenant: TenantId) -> Result<HashMap<ApiNumber, WellId>, SimulationError> {
    let wells = all_wells(deps.storage.as_ref(), tenant, &WellFilter::default()).await?;
    Ok(wells.into_iter().filter_map(|w| w.well.api_number.map(|api| (api, w.well.id))).collect())
}

/// One live tick: generates a live reading (a rate per day) per producing well at `deps.clock.now()` and sends them through [`IngestService::ingest`], in
/// batches of at most [`MAX_BATCH`]. Returns the summed outcome (nothing to send gives zeros).
pub async fn live_tick(
    ingest: &IngestService,
    deps: &Deps,
    tenant: TenantId,
    fleet: &SimulatedFleet,
    well_ids: &[WellId],
) -> Result<IngestResponse, SimulationError> {
    let mut rest = Vec::with_capacity(well_ids.len());
    fleet.live_entries(well_ids, deps.clock.now(), &mut rest);
    let mut total = IngestResponse::default();
    while !rest.is_empty() {
        let tail = rest.split_off(rest.len().min(MAX_BATCH));
        let response = ingest.ingest(tenant, rest).await?;
        total.accepted += response.accepted;
        total.duplicates += response.duplicates;
        rest = tail;
    }
    Ok(total)
}

/// Seeds the fleet's maintenance items after its history ([`crate::simulator::maintenance_plan`]: per well the
/// next scheduled action and a few finished ones). Ids are deterministic and stored ids are skipped, so a re-run
/// (or a later start) creates no duplicates and never overwrites an item a user changed. `well_ids` as returned by
/// [`backfill`]. Returns how many items were stored and how many already were.
pub async fn seed_maintenance(
    deps: &Deps,
    tenant: TenantId,
    fleet: &SimulatedFleet,
    well_ids: &[WellId],
) -> Result<InsertOutcome, SimulationError> {
    let items = crate::simulator::maintenance_plan(fleet, well_ids, deps.clock.now());
    Ok(deps.storage.insert_maintenance(tenant, &items).await?)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    //! The orchestration against the in-memory test storage (the real adapters are tested by the storage contract
    //! suite). Test names contain "simulator" so that `cargo test simulator` runs them.

    use super::*;
    use crate::ports::{Clock, EntryRepository};
    use crate::services::memory_storage::FakeStorage;
    use crate::simulator::FleetSpec;
    use chrono::{DateTime, NaiveDate, Utc};
    use std::collections::HashSet;
    use std::sync::Mutex;
    use uuid::Uuid;

    struct FixedClock(DateTime<Utc>);

    impl Clock for FixedClock {
        fn now(&self) -> DateTime<Utc> {
            self.0
        }
    }

    fn setup() -> (Arc<FakeStorage>, Deps) {
        let storage = Arc::new(FakeStorage::default());
        let now = "2025-06-01T16:00:00Z".parse().unwrap();
        let deps = Deps { storage: storage.clone(), clock: Arc::new(FixedClock(now)) };
        (storage, deps)
    }

    fn end() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()
    }

    #[test]
    fn simulator_chunks_grow_with_the_fleet_within_bounds() {
        assert_eq!(chunk_size(50), INSERT_CHUNK);
        assert_eq!(chunk_size(4_000), 240_000);
        assert_eq!(chunk_size(10_000), 600_000);
        assert_eq!(chunk_size(1_000_000), MAX_INSERT_CHUNK);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn simulator_backfill_writes_the_history_in_ascending_chunks_and_a_rerun_is_harmless() {
        let (storage, deps) = setup();
        let tenant = TenantId(Uuid::from_u128(9));
        let fleet = SimulatedFleet::plan(&FleetSpec { wells: 150, months: 5, seed: 3 }, end());
        let total = fleet.expected_entries();
        assert!(total > INSERT_CHUNK as u64, "the test needs several chunks: {total}");
        let calls = Mutex::new(Vec::new());
        let (ids, report) =
            backfill(&deps, tenant, &fleet, &|done, t| calls.lock().unwrap().push((done, t))).await.unwrap();

        assert_eq!(ids.len(), 150);
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 150);
        assert_eq!(
            report,
            BackfillReport { wells_created: 150, wells_reused: 0, entries_inserted: total, duplicates: 0 }
        );
        let calls = calls.into_inner().unwrap();
        assert_eq!(calls.first(), Some(&(0, total)));
        assert_eq!(calls.last(), Some(&(total, total)));
        assert!(calls.windows(2).all(|w| w[0].0 < w[1].0));
        let inserts = storage.lock().inserts.clone();
        assert!(inserts.len() >= 2 && inserts.iter().all(|c| c.len() <= chunk_size(150)));
        let all: Vec<EntryId> = inserts.into_iter().flatten().collect();
        assert!(all.windows(2).all(|w| w[0] < w[1]), "day-major order gives ascending ids");
        // Wells are stored in well-index order with the fleet's data.
        let stored = storage.lock().wells.clone();
        for (id, planned) in ids.iter().zip(fleet.wells()) {
            let w = stored.iter().find(|w| w.id == *id).unwrap();
            assert_eq!(w.api_number, planned.well.api_number);
            assert_eq!(w.name, planned.well.name);
        }

        storage.lock().inserts.clear();
        let (again, report) = backfill(&deps, tenant, &fleet, &|_, _| {}).await.unwrap();
        assert_eq!(again, ids, "wells found again by API number");
        assert_eq!(
            report,
            BackfillReport { wells_created: 0, wells_reused: 150, entries_inserted: 0, duplicates: total }
        );
        assert_eq!(storage.lock().create_wells_calls, 1, "nothing to create: no call");
        assert_eq!(storage.count_entries(tenant).await.unwrap(), total);
    }

    #[tokio::test]
    async fn simulator_backfill_of_a_larger_fleet_reuses_the_smaller_ones_wells() {
        let (storage, deps) = setup();
        let tenant = TenantId(Uuid::from_u128(9));
        let small = SimulatedFleet::plan(&FleetSpec { wells: 20, months: 1, seed: 4 }, end());
        let (small_ids, _) = backfill(&deps, tenant, &small, &|_, _| {}).await.unwrap();
        // Another tenant's wells with the same API numbers are not reused.
        let other = TenantId(Uuid::from_u128(10));
        let (other_ids, r) = backfill(&deps, other, &small, &|_, _| {}).await.unwrap();
        assert_eq!(r.wells_created, 20);
        assert!(other_ids.iter().all(|id| !small_ids.contains(id)));

        let big = SimulatedFleet::plan(&FleetSpec { wells: 35, months: 1, seed: 4 }, end());
        let (big_ids, report) = backfill(&deps, tenant, &big, &|_, _| {}).await.unwrap();
        assert_eq!(big_ids[..20], small_ids[..]);
        assert_eq!((report.wells_created, report.wells_reused), (15, 20));
        assert_eq!(storage.lock().wells.len(), 20 + 20 + 15);
        assert_eq!(report.entries_inserted + report.duplicates, big.expected_entries());
        assert!(report.duplicates > 0 && report.entries_inserted > 0);
    }

    #[tokio::test]
    async fn simulator_live_tick_ingests_one_reading_per_producing_well() {
        let (storage, deps) = setup();
        let tenant = TenantId(Uuid::from_u128(9));
        let fleet = SimulatedFleet::plan(&FleetSpec { wells: 40, months: 2, seed: 5 }, end());
        let (ids, _) = backfill(&deps, tenant, &fleet, &|_, _| {}).await.unwrap();
        let before = storage.count_entries(tenant).await.unwrap();
        let ingest = IngestService::new(deps.clone());

        let response = live_tick(&ingest, &deps, tenant, &fleet, &ids).await.unwrap();
        let producing = fleet.wells().iter().filter(|w| w.well.status == flowline_shared::WellStatus::Active).count();
        assert_eq!(response, IngestResponse { accepted: producing as u64, duplicates: 0 });
        assert_eq!(storage.count_entries(tenant).await.unwrap(), before + producing as u64);
        // Same instant again: the same ids, all duplicates.
        let again = live_tick(&ingest, &deps, tenant, &fleet, &ids).await.unwrap();
        assert_eq!(again, IngestResponse { accepted: 0, duplicates: producing as u64 });
        // No wells: nothing to send, no error.
        let none = live_tick(&ingest, &deps, tenant, &fleet, &[]).await.unwrap();
        assert_eq!(none, IngestResponse::default());
    }
}
