//! Well registry use cases: create, update, get and list, always inside the caller's tenant.

use super::Deps;
use crate::ports::{PageRequest, Storage, StorageError, WellFilter, WellWithLatest};
use flowline_shared::{FieldErrors, NewWell, TenantId, Well, WellId, WellPatch};
use std::collections::HashSet;

/// Wells per `list_wells` page when a use case needs all of them.
const ALL_WELLS_PAGE: u32 = 1_000;

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
}

impl WellService {
    pub fn new(deps: Deps) -> Self {
        Self { deps }
    }

    pub async fn create(&self, tenant: TenantId, input: &WellPatch) -> Result<Well, WellError> {
        let well = NewWell::parse(input).map_err(WellError::Invalid)?;
        Ok(self.deps.storage.create_well(tenant, &well, self.deps.clock.now()).await?)
    }

    /// Applies the present fields of `patch`; the result is validated as a whole before anything is written.
    pub async fn update(&self, tenant: TenantId, id: WellId, patch: &WellPatch) -> Result<Well, WellError> {
        let current = self.get(tenant, id).await?;
        let updated = current.patched(patch).map_err(WellError::Invalid)?;
        match self.deps.storage.update_well(tenant, &updated).await {
            Err(StorageError::NotFound(_)) => Err(WellError::NotFound(id)),
            other => Ok(other?),
        }
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
