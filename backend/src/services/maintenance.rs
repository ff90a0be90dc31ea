//! Maintenance item use cases: create, get, list, patch, delete, and each well's next scheduled action, always
//! inside the caller's tenant. Single values are checked by the shared parsers; this layer adds what needs more
//! than one value or the store: the item's well must be a well of the tenant, and a list's `from` must not be after
//! its `to`.

use super::Deps;
use crate::ports::{MaintenanceFilter, PageRequest, StorageError};
use flowline_shared::dto::maintenance::{
    MaintenanceId, MaintenanceItem, MaintenancePatch, MaintenancePatchInput, NewMaintenance, NewMaintenanceInput,
};
use flowline_shared::{FieldErrors, TenantId, WellId};
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum MaintenanceError {
    /// The body broke a rule; every offending field is named.
    #[error("invalid maintenance item: {0}")]
    Invalid(FieldErrors),
    /// A query parameter is wrong in combination with another.
    #[error("parameter `{parameter}`: {message}")]
    InvalidParameter { parameter: &'static str, message: String },
    #[error("maintenance item {0} not found")]
    NotFound(MaintenanceId),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

fn unknown_well(well: WellId) -> MaintenanceError {
    let mut errors = FieldErrors::default();
    errors.push("well_id", format!("no well {well} in this tenant"));
    MaintenanceError::Invalid(errors)
}

#[derive(Clone)]
pub struct MaintenanceService {
    deps: Deps,
}

impl MaintenanceService {
    pub fn new(deps: Deps) -> Self {
        Self { deps }
    }

    /// Creates an item on one of the tenant's wells, recorded as created by `created_by` (a username) now.
    pub async fn create(
        &self,
        tenant: TenantId,
        created_by: &str,
        input: &NewMaintenanceInput,
    ) -> Result<MaintenanceItem, MaintenanceError> {
        let new = NewMaintenance::parse(input).map_err(MaintenanceError::Invalid)?;
        if self.deps.storage.get_well(tenant, new.well_id).await?.is_none() {
            return Err(unknown_well(new.well_id));
        }
        let now = self.deps.clock.now();
        let id = MaintenanceId(uuid_v7_at(now));
        let item = MaintenanceItem::from_new(id, &new, created_by, now);
        match self.deps.storage.create_maintenance(tenant, &item).await {
            Err(StorageError::NotFound(_)) => Err(unknown_well(new.well_id)),
            other => Ok(other?),
        }
    }

    pub async fn get(&self, tenant: TenantId, id: MaintenanceId) -> Result<MaintenanceItem, MaintenanceError> {
        self.deps.storage.get_maintenance(tenant, id).await?.ok_or(MaintenanceError::NotFound(id))
    }

    /// Ordered by due date, then id; with the total count of matching items.
    pub async fn list(
        &self,
        tenant: TenantId,
        filter: &MaintenanceFilter,
        page: PageRequest,
    ) -> Result<(Vec<MaintenanceItem>, u64), MaintenanceError> {
        if let (Some(from), Some(to)) = (filter.due_from, filter.due_to)
            && from > to
        {
            return Err(MaintenanceError::InvalidParameter {
                parameter: "from",
                message: format!("{from} is after to ({to})"),
            });
        }
        Ok(self.deps.storage.list_maintenance(tenant, filter, page).await?)
    }

    /// Applies the present fields of `input` (validated as a whole before anything is written).
    pub async fn update(
        &self,
        tenant: TenantId,
        id: MaintenanceId,
        input: &MaintenancePatchInput,
    ) -> Result<MaintenanceItem, MaintenanceError> {
        let patch = MaintenancePatch::parse(input).map_err(MaintenanceError::Invalid)?;
        match self.deps.storage.update_maintenance(tenant, id, &patch, self.deps.clock.now()).await {
            Err(StorageError::NotFound(_)) => Err(MaintenanceError::NotFound(id)),
            other => Ok(other?),
        }
    }

    pub async fn delete(&self, tenant: TenantId, id: MaintenanceId) -> Result<(), MaintenanceError> {
        match self.deps.storage.delete_maintenance(tenant, id).await {
            Err(StorageError::NotFound(_)) => Err(MaintenanceError::NotFound(id)),
            other => Ok(other?),
        }
    }

    /// The next scheduled action of each of `wells` that has one (the well detail and the map).
    pub async fn next_scheduled(
        &self,
        tenant: TenantId,
        wells: &[WellId],
    ) -> Result<HashMap<WellId, MaintenanceItem>, MaintenanceError> {
        Ok(self.deps.storage.next_scheduled_maintenance(tenant, wells).await?)
    }
}

/// A random UUIDv7 whose timestamp is `at` (the injected clock's now, so ids follow the clock in tests too).
pub(crate) fn uuid_v7_at(at: chrono::DateTime<chrono::Utc>) -> uuid::Uuid {
    let secs = u64::try_from(at.timestamp()).unwrap_or(0);
    uuid::Uuid::new_v7(uuid::Timestamp::from_unix(uuid::NoContext, secs, at.timestamp_subsec_nanos()))
}
