//! The storage port of the tenant's price table: the dated WTI and Henry Hub prices an admin set (overriding the
//! EIA baseline of that day, or adding a day) and the tenant's gas heat content. The EIA baseline itself is not
//! stored: it is embedded in the binary (`services/prices.rs`).
//!
//! Error contract (all adapters, checked by `tests/storage_contract/prices.rs`), on top of `storage.rs`'s:
//! - Every method takes the caller's tenant and never reads or writes another tenant's prices or settings.
//! - `put_prices`: one transaction (points and heat content together, all or nothing); a stored (commodity, day) is
//!   replaced (with the new `updated_at` and `updated_by`). `NotFound` if the tenant does not exist; nothing is
//!   written then. The caller passes valid points (the `kpis::prices` rules) with at most one per (commodity, day);
//!   the schema's checks back the range up (`Unavailable` if broken).
//! - Lookups return what is stored, possibly nothing; instants at millisecond precision (what a later read returns).
//! - `Unavailable` for everything the caller cannot fix.

use super::StorageResult;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use flowline_shared::TenantId;
use flowline_shared::kpis::prices::{Commodity, PricePoint};
use flowline_shared::kpis::revenue::HeatContent;

/// A price an admin of the tenant set.
#[derive(Debug, Clone, PartialEq)]
pub struct TenantPrice {
    pub commodity: Commodity,
    pub day: NaiveDate,
    /// USD per the commodity's unit.
    pub price: f64,
    pub updated_at: DateTime<Utc>,
    /// The username of the admin.
    pub updated_by: String,
}

/// The tenant's price settings (absent until an admin sets one).
#[derive(Debug, Clone, PartialEq)]
pub struct PriceSettings {
    pub heat_content: HeatContent,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

/// Which of the tenant's prices to read: one commodity or both, days `from..=to` (either bound optional).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TenantPriceQuery {
    pub commodity: Option<Commodity>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

#[async_trait]
pub trait PriceRepository: Send + Sync {
    /// The tenant's prices matching `query`, ordered by commodity (WTI first), then day.
    async fn tenant_prices(&self, tenant: TenantId, query: &TenantPriceQuery) -> StorageResult<Vec<TenantPrice>>;
    /// Stores `points` (replacing stored days) and, when given, the heat content, as set by `by` at `at`; one
    /// transaction. `NotFound` if the tenant does not exist.
    async fn put_prices(
        &self,
        tenant: TenantId,
        points: &[PricePoint],
        heat_content: Option<HeatContent>,
        by: &str,
        at: DateTime<Utc>,
    ) -> StorageResult<()>;
    /// The tenant's settings, `None` until an admin set the heat content.
    async fn price_settings(&self, tenant: TenantId) -> StorageResult<Option<PriceSettings>>;
}
