//! Well registry use cases: create, update, get and list, always inside the caller's tenant.

use super::Deps;
use crate::ports::{PageRequest, StorageError, WellFilter, WellWithLatest};
use flowline_shared::{FieldErrors, NewWell, TenantId, Well, WellId, WellPatch};

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
