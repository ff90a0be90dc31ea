//! Storage ports. Every method that touches tenant data takes the caller's `TenantId` and must never read or
//! write another tenant's rows: tenancy is enforced here, not trusted to callers' filters.
//!
//! Error contract (all adapters, checked by the contract suite in `tests/storage_contract.rs`):
//! - `StorageError::Conflict` when a unique rule is broken (tenant slug, username within a tenant, API number
//!   within a tenant). Nothing is written.
//! - `StorageError::NotFound` only where a method says so; lookups return `Ok(None)` instead.
//! - `StorageError::Unavailable` when the database cannot be reached or a query failed for a reason the caller
//!   cannot fix (I/O, pool exhausted, corrupted file). Writes are atomic: on any error nothing was written.

use super::{AggregateRepository, AlarmRepository, AnalyticsRepository, EventRepository, JobRunRepository};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use flowline_shared::analytics::aggregation::EntryValues;
use flowline_shared::dto::LatestReading;
use flowline_shared::{
    FieldEntry, NewWell, Role, Tenant, TenantId, TenantSlug, User, Username, Well, WellId, WellStatus, WellType,
};
use std::collections::{HashMap, HashSet};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("storage unavailable: {0}")]
    Unavailable(String),
}

pub type StorageResult<T> = Result<T, StorageError>;

/// A tenant to create.
#[derive(Debug, Clone)]
pub struct NewTenant {
    pub slug: TenantSlug,
    pub name: String,
    pub time_zone: chrono_tz::Tz,
}

/// A user to create; the password is already hashed (PHC string).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub tenant_id: TenantId,
    pub username: Username,
    pub password_hash: String,
    pub role: Role,
}

/// A stored user with the hash to verify a login against.
#[derive(Debug, Clone)]
pub struct UserCredentials {
    pub user: User,
    pub password_hash: String,
}

/// Filters of the well list. Text values are matched as data (bound parameters), never spliced into SQL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct WellFilter {
    pub status: Option<WellStatus>,
    pub well_type: Option<WellType>,
    pub lease: Option<String>,
    pub field: Option<String>,
    /// Case-insensitive substring of the name, API number digits, lease or field.
    pub search: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u32,
    pub offset: u64,
}

/// A well with its newest entry, as the list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct WellWithLatest {
    pub well: Well,
    pub latest: Option<LatestReading>,
}

/// Time window and page of an entry query; `from` inclusive, `to` exclusive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EntryQuery {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub page: PageRequest,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InsertOutcome {
    pub inserted: u64,
    /// Entries whose id was already stored (by any tenant): left as they were.
    pub duplicates: u64,
}

#[async_trait]
pub trait TenantRepository: Send + Sync {
    /// `Conflict` if the slug is taken.
    async fn create_tenant(&self, tenant: &NewTenant) -> StorageResult<Tenant>;
    async fn tenant_by_slug(&self, slug: &TenantSlug) -> StorageResult<Option<Tenant>>;
    async fn tenant_by_id(&self, id: TenantId) -> StorageResult<Option<Tenant>>;
    /// Every tenant, ordered by slug.
    async fn list_tenants(&self) -> StorageResult<Vec<Tenant>>;
}

#[async_trait]
pub trait UserRepository: Send + Sync {
    /// `Conflict` if the username exists in that tenant; `NotFound` if the tenant does not exist.
    async fn create_user(&self, user: &NewUser) -> StorageResult<User>;
    async fn user_credentials(&self, tenant: TenantId, username: &Username) -> StorageResult<Option<UserCredentials>>;
}

#[async_trait]
pub trait WellRepository: Send + Sync {
    /// `Conflict` if the API number is already used by a well of this tenant.
    async fn create_well(&self, tenant: TenantId, well: &NewWell, now: DateTime<Utc>) -> StorageResult<Well>;
    /// Creates many wells in one transaction (all or none); `Conflict` as for `create_well`.
    async fn create_wells(&self, tenant: TenantId, wells: &[NewWell], now: DateTime<Utc>) -> StorageResult<Vec<Well>>;
    /// Replaces the stored fields of `well` (matched by id and tenant). `NotFound` if it is not this tenant's;
    /// `Conflict` for a taken API number.
    async fn update_well(&self, tenant: TenantId, well: &Well) -> StorageResult<Well>;
    async fn get_well(&self, tenant: TenantId, id: WellId) -> StorageResult<Option<Well>>;
    /// Ordered by name, then id. Returns the page and the total count of matching wells.
    async fn list_wells(
        &self,
        tenant: TenantId,
        filter: &WellFilter,
        page: PageRequest,
    ) -> StorageResult<(Vec<WellWithLatest>, u64)>;
    /// Which of `ids` are wells of this tenant.
    async fn existing_well_ids(&self, tenant: TenantId, ids: &[WellId]) -> StorageResult<HashSet<WellId>>;
    /// The wells of this tenant among `ids`, ordered by id (unknown ids and other tenants' wells are left out).
    async fn wells_by_ids(&self, tenant: TenantId, ids: &[WellId]) -> StorageResult<Vec<Well>>;
    /// Every well id of the tenant, ascending.
    async fn well_ids(&self, tenant: TenantId) -> StorageResult<Vec<WellId>>;
}

#[async_trait]
pub trait EntryRepository: Send + Sync {
    /// Stores the entries in one transaction. Entries whose id is already stored are counted as duplicates and
    /// left untouched. The caller has checked that every well belongs to `tenant` and that ids are unique within
    /// the slice; the adapter still refuses an entry of another tenant's (or no) well with `NotFound`, writing
    /// nothing. In the same transaction the wells of the inserted entries are marked dirty over the span of their
    /// new readings (see `AggregateRepository::dirty_wells`).
    async fn insert_entries(&self, tenant: TenantId, entries: &[FieldEntry]) -> StorageResult<InsertOutcome>;
    /// A well's entries ordered by `recorded_at`, then id, with the total count in the window.
    async fn entries_for_well(
        &self,
        tenant: TenantId,
        well: WellId,
        query: EntryQuery,
    ) -> StorageResult<(Vec<FieldEntry>, u64)>;
    /// The numeric values of the entries of `wells` recorded in `[from, to)`, ordered by well id, then
    /// `recorded_at`, then entry id. The aggregation jobs' read path: no strings, no ids.
    async fn readings(
        &self,
        tenant: TenantId,
        wells: &[WellId],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StorageResult<Vec<EntryValues>>;
    /// The instants of the tenant's oldest and newest entries; `None` when it has none.
    async fn entry_span(&self, tenant: TenantId) -> StorageResult<Option<(DateTime<Utc>, DateTime<Utc>)>>;
    /// Total entries of a tenant (monitoring and tests).
    async fn count_entries(&self, tenant: TenantId) -> StorageResult<u64>;
    /// The newest `recorded_at` of each of `wells` (of this tenant) that has entries; one index seek per well.
    async fn latest_reading_times(
        &self,
        tenant: TenantId,
        wells: &[WellId],
    ) -> StorageResult<HashMap<WellId, DateTime<Utc>>>;
    /// After a bulk load of entries (the simulator's history): brings the engine's bookkeeping of the entry table up
    /// to date now rather than whenever background maintenance gets to it, so that the next reads (a backfill) can
    /// be index-only. Costs about one pass over the new rows; changes no data. `Unavailable` on failure.
    async fn settle_bulk_load(&self) -> StorageResult<()>;
}

/// Everything the backend stores, behind one handle.
#[async_trait]
pub trait Storage:
    TenantRepository
    + UserRepository
    + WellRepository
    + EntryRepository
    + AggregateRepository
    + AnalyticsRepository
    + JobRunRepository
    + EventRepository
    + AlarmRepository
    + super::MaintenanceRepository
    + super::PriceRepository
{
    /// Applies the pending migrations of this dialect; returns how many were applied.
    async fn migrate(&self) -> StorageResult<usize>;
    /// Cheap round trip for `/ready`.
    async fn ping(&self) -> StorageResult<()>;
    /// `sqlite` or `postgres`.
    fn dialect(&self) -> &'static str;
}
