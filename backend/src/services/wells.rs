//! Well registry use cases: create, update, get and list, always inside the caller's tenant; and every well of a
//! tenant with its newest reading ([`all_wells`]), cached for the fleet views ([`WellRowsCache`]).

use super::Deps;
use super::events::EventService;
use super::tenant_cache::{FeedAction, TenantCache};
use crate::ports::{PageRequest, Storage, StorageError, WellFilter, WellWithLatest};
use chrono::TimeDelta;
use flowline_shared::dto::events::EventKind;
use flowline_shared::{FieldErrors, NewWell, TenantId, Well, WellId, WellPatch};
use std::collections::HashSet;
use std::sync::Arc;

/// Wells per `list_wells` page when a use case needs all of them.
const ALL_WELLS_PAGE: u32 = 1_000;
/// How long cached well rows are served without an invalidation.
pub const WELL_ROWS_TTL: TimeDelta = TimeDelta::seconds(60);
/// Filters whose rows are kept per tenant.
const WELL_ROWS_FILTERS: usize = 16;

/// Every well of the tenant matching `filter`, each with its latest reading, in the list's order (name, id). Offset
/// paging: a well created meanwhile can shift a row into the next page, so repeats are dropped.
pub async fn all_wells(
    storage: &dyn Storage,
    tenant: TenantId,
    filter: &WellFilter,
) -> Result<Vec<WellWithLatest>, StorageError> {
    let mut all = Vec::new();
    let mut seen: HashSet<WellId> = HashSet::new();
    let mut offset = 0_u64;
    loop {
        let (rows, total) = storage.list_wells(tenant, filter, PageRequest { limit: ALL_WELLS_PAGE, offset }).await?;
        let fetched = rows.len() as u64;
        all.extend(rows.into_iter().filter(|r| seen.insert(r.well.id)));
        offset += fetched;
        if fetched == 0 || offset >= total {
            return Ok(all);
        }
    }
}

/// Every well of a tenant matching a filter with its newest reading, as [`all_wells`] reads it, kept per tenant and
/// filter for [`WELL_ROWS_TTL`]: the map, the export and the KPIs read these rows on every request, and reading
/// each well's newest reading costs an index seek per well (about 0.3 s for 10,000 wells).
///
/// Dropped when this instance stores readings (ingest, import) or changes a well, and when another instance
/// announces changed data (`kpis_changed`, sent after its ingests); alarm events do not touch these rows. A
/// well's newest reading can so be up to [`WELL_ROWS_TTL`] old when another instance ingested it and its
/// announcement was lost.
#[derive(Clone)]
pub struct WellRowsCache {
    deps: Deps,
    rows: TenantCache<WellFilter, Vec<WellWithLatest>>,
}

fn rows_feed_policy(kind: EventKind) -> FeedAction {
    match kind {
        EventKind::KpisChanged => FeedAction::DropComputedBefore,
        EventKind::AlertCreated | EventKind::AlertUpdated | EventKind::AlertCleared => FeedAction::Keep,
    }
}

impl WellRowsCache {
    pub fn new(deps: Deps, events: &EventService) -> Self {
        Self { deps, rows: TenantCache::new(events.subscribe(), rows_feed_policy, WELL_ROWS_FILTERS) }
    }

    /// The rows of [`all_wells`], from the cache while valid.
    pub async fn rows(&self, tenant: TenantId, filter: &WellFilter) -> Result<Arc<Vec<WellWithLatest>>, StorageError> {
        let clock = &self.deps.clock;
        let storage = self.deps.storage.as_ref();
        self.rows
            .get_or_compute(
                tenant,
                filter.clone(),
                || clock.now(),
                |now| async move { Ok((all_wells(storage, tenant, filter).await?, now + WELL_ROWS_TTL)) },
            )
            .await
    }

    /// The tenant's wells or readings changed.
    pub fn invalidate(&self, tenant: TenantId) {
        self.rows.invalidate(tenant);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WellError {
    #[error("invalid well: {0}")]
    Invalid(FieldErrors),
    #[error("well {0} not found")]
    NotFound(WellId),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Storage(StorageError),
}

impl From<StorageError> for WellError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::Conflict(m) => WellError::Conflict(m),
            other => WellError::Storage(other),
        }
    }
}

#[derive(Clone)]
pub struct WellService {
    deps: Deps,
    rows: Option<WellRowsCache>,
}

impl WellService {
    pub fn new(deps: Deps) -> Self {
        Self { deps, rows: None }
    }

    /// The same service, dropping the tenant's cached well rows after every change.
    pub fn with_rows(self, rows: WellRowsCache) -> Self {
        Self { rows: Some(rows), ..self }
    }

    fn changed(&self, tenant: TenantId) {
        if let Some(rows) = &self.rows {
            rows.invalidate(tenant);
        }
    }

    pub async fn create(&self, tenant: TenantId, input: &WellPatch) -> Result<Well, WellError> {
        let well = NewWell::parse(input).map_err(WellError::Invalid)?;
        let created = self.deps.storage.create_well(tenant, &well, self.deps.clock.now()).await?;
        self.changed(tenant);
        Ok(created)
    }

    /// Applies the present fields of `patch`; the result is validated as a whole before anything is written.
    pub async fn update(&self, tenant: TenantId, id: WellId, patch: &WellPatch) -> Result<Well, WellError> {
        let current = self.get(tenant, id).await?;
        let updated = current.patched(patch).map_err(WellError::Invalid)?;
        let stored = match self.deps.storage.update_well(tenant, &updated).await {
            Err(StorageError::NotFound(_)) => return Err(WellError::NotFound(id)),
            other => other?,
        };
        self.changed(tenant);
        Ok(stored)
    }

    pub async fn get(&self, tenant: TenantId, id: WellId) -> Result<Well, WellError> {
        self.deps.storage.get_well(tenant, id).await?.ok_or(WellError::NotFound(id))
    }

    pub async fn list(
        &self,
        tenant: TenantId,
        filter: &WellFilter,
        page: PageRequest,
    ) -> Result<(Vec<WellWithLatest>, u64), WellError> {
        Ok(self.deps.storage.list_wells(tenant, filter, page).await?)
    }
}
