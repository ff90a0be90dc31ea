//! The storage port of maintenance items (the planned and finished maintenance actions of a well).
//!
//! Error contract (all adapters, checked by `tests/storage_contract/maintenance.rs`), on top of `storage.rs`'s:
//! - Every method takes the caller's tenant and never reads or writes another tenant's items.
//! - An item whose well is not a well of `tenant` (another tenant's, or none) is refused with `NotFound` and
//!   nothing is written, even if the service forgot to check.
//! - `create_maintenance`: `Conflict` if the id is already stored. `update_maintenance` and `delete_maintenance`:
//!   `NotFound` if the id is not an item of `tenant`. Lookups return `Ok(None)` or leave the item out instead.
//! - Instants are stored at millisecond precision (what is returned is what a later read returns); writes are
//!   atomic; `Unavailable` for everything the caller cannot fix.

use super::{InsertOutcome, PageRequest, StorageResult};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use flowline_shared::dto::maintenance::{MaintenanceId, MaintenanceItem, MaintenancePatch, MaintenanceStatus};
use flowline_shared::{TenantId, WellId};
use std::collections::HashMap;

/// Filters of the maintenance list; the due-date bounds are inclusive local dates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MaintenanceFilter {
    pub well_id: Option<WellId>,
    pub status: Option<MaintenanceStatus>,
    pub due_from: Option<NaiveDate>,
    pub due_to: Option<NaiveDate>,
}

#[async_trait]
pub trait MaintenanceRepository: Send + Sync {
    /// Stores a new item as given (its instants truncated to milliseconds) and returns it as stored. `NotFound` if
    /// its well is not the tenant's; `Conflict` if its id is taken.
    async fn create_maintenance(&self, tenant: TenantId, item: &MaintenanceItem) -> StorageResult<MaintenanceItem>;
    /// Stores many items in one transaction (all or none), leaving those whose id is already stored (by any tenant)
    /// as they are and counting them as duplicates: the simulator's idempotent seed. `NotFound` if any item's well is
    /// not the tenant's.
    async fn insert_maintenance(&self, tenant: TenantId, items: &[MaintenanceItem]) -> StorageResult<InsertOutcome>;
    async fn get_maintenance(&self, tenant: TenantId, id: MaintenanceId) -> StorageResult<Option<MaintenanceItem>>;
    /// Ordered by `due_on`, then id. Returns the page and the total count of matching items.
    async fn list_maintenance(
        &self,
        tenant: TenantId,
        filter: &MaintenanceFilter,
        page: PageRequest,
    ) -> StorageResult<(Vec<MaintenanceItem>, u64)>;
    /// Applies `patch` to the stored item atomically (read, [`MaintenanceItem::patched`] at `now`, write: two
    /// concurrent patches never lose each other's fields) and returns the result. `NotFound` if it is not an item of
    /// `tenant`.
    async fn update_maintenance(
        &self,
        tenant: TenantId,
        id: MaintenanceId,
        patch: &MaintenancePatch,
        now: DateTime<Utc>,
    ) -> StorageResult<MaintenanceItem>;
    /// `NotFound` if it is not an item of `tenant`.
    async fn delete_maintenance(&self, tenant: TenantId, id: MaintenanceId) -> StorageResult<()>;
    /// The earliest `scheduled` item (by `due_on`, then id) of each of `wells` that has one; wells of other tenants,
    /// unknown wells and wells with nothing scheduled are absent from the map.
    async fn next_scheduled_maintenance(
        &self,
        tenant: TenantId,
        wells: &[WellId],
    ) -> StorageResult<HashMap<WellId, MaintenanceItem>>;
}
