//! Storage port of the per-well analytics results (trends, anomalies, the stored forecast) and of the bookkeeping
//! that says which wells need them recomputed. The stored results are the cache of the analytics: they carry the
//! instant they were computed, are recomputed when their well's aggregates change (debounced) and when older than
//! their time to live, and are what the query API reads. The error contract of `storage.rs` applies.

use super::{PageRequest, StorageResult};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use flowline_shared::analytics::aggregation::Field;
use flowline_shared::analytics::anomalies::Anomaly;
use flowline_shared::analytics::forecast::Forecast;
use flowline_shared::analytics::trend::{ProductionTrend, TrendDirection};
use flowline_shared::{TenantId, WellId, WellStatus, WellType};

/// Everything computed for one well in one analytics pass.
#[derive(Debug, Clone, PartialEq)]
pub struct WellAnalytics {
    pub well_id: WellId,
    /// The local day the results are "as of" (the tenant's today when computed).
    pub as_of: NaiveDate,
    /// One trend per analysed field (oil, gas, water).
    pub trends: Vec<(Field, ProductionTrend)>,
    /// The anomalies found in `anomaly_window` (inclusive local dates), per field. They replace the stored ones of
    /// this well in that window.
    pub anomalies: Vec<(Field, Anomaly)>,
    pub anomaly_window: (NaiveDate, NaiveDate),
    /// The default forecast of the well's primary field, or why there is none.
    pub forecast: Result<(Field, Forecast), String>,
}

/// Filters and order of the trend list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrendFilter {
    /// `None`: each well's primary field (oil for oil wells, gas for gas wells, water for injection and disposal).
    pub field: Option<Field>,
    pub status: Option<WellStatus>,
    pub well_type: Option<WellType>,
    pub lease: Option<String>,
    pub direction: Option<TrendDirection>,
}

/// How the trend list is ordered. Ties are broken by well name, then id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TrendSort {
    /// Steepest decline first (percent change ascending; wells without a change last).
    #[default]
    ChangeAscending,
    /// Biggest increase first.
    ChangeDescending,
    /// By well name.
    Name,
}

/// One row of the trend list.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredTrend {
    pub well_id: WellId,
    pub well_name: String,
    pub well_type: WellType,
    pub well_status: WellStatus,
    pub lease: Option<String>,
    pub field: Field,
    pub trend: ProductionTrend,
    pub computed_at: DateTime<Utc>,
}

/// One stored anomaly.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAnomaly {
    pub well_id: WellId,
    pub well_name: String,
    pub field: Field,
    pub anomaly: Anomaly,
    pub detected_at: DateTime<Utc>,
}

/// Which anomalies to list: newest day first.
#[derive(Debug, Clone, PartialEq)]
pub struct AnomalyQuery {
    /// Only days on or after this local date.
    pub since: Option<NaiveDate>,
    pub well_id: Option<WellId>,
    pub field: Option<Field>,
    pub page: PageRequest,
}

/// The stored default forecast of a well.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredForecast {
    pub field: Field,
    pub forecast: Result<Forecast, String>,
    pub computed_at: DateTime<Utc>,
}

/// When a well's analytics are due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnalyticsDue {
    /// Recompute wells whose aggregates changed after their last analytics, if those are older than this
    /// (the debounce: at most one recompute per well per interval however often its data changes).
    pub changed_and_computed_before: DateTime<Utc>,
    /// Recompute wells whose analytics are older than this whatever happened (the time to live).
    pub computed_before: DateTime<Utc>,
}

#[async_trait]
pub trait AnalyticsRepository: Send + Sync {
    /// Records that the aggregates of `wells` changed at `at` (their analytics are now out of date).
    async fn mark_analytics_changed(&self, tenant: TenantId, wells: &[WellId], at: DateTime<Utc>) -> StorageResult<()>;

    /// Up to `limit` wells of the tenant due for analytics: never computed, changed since and computed before
    /// `due.changed_and_computed_before`, or computed before `due.computed_before`. Oldest results first.
    async fn wells_due_for_analytics(
        &self,
        tenant: TenantId,
        due: AnalyticsDue,
        limit: u32,
    ) -> StorageResult<Vec<WellId>>;

    /// Stores the results of one pass (one transaction): replaces each well's trends and stored forecast, replaces
    /// its anomalies inside the result's anomaly window, and records `computed_at`. `NotFound` (nothing written) if
    /// a well is not this tenant's.
    async fn store_analytics(
        &self,
        tenant: TenantId,
        results: &[WellAnalytics],
        computed_at: DateTime<Utc>,
    ) -> StorageResult<()>;

    /// A page of stored trends with the total count of matching rows.
    async fn list_trends(
        &self,
        tenant: TenantId,
        filter: &TrendFilter,
        sort: TrendSort,
        page: PageRequest,
    ) -> StorageResult<(Vec<StoredTrend>, u64)>;

    /// The stored anomalies matching `query`, newest day first (then well name, field), with the total count.
    async fn list_anomalies(&self, tenant: TenantId, query: &AnomalyQuery) -> StorageResult<(Vec<StoredAnomaly>, u64)>;

    /// The stored default forecast of a well; `None` when never computed (or not this tenant's well).
    async fn stored_forecast(&self, tenant: TenantId, well: WellId) -> StorageResult<Option<StoredForecast>>;

    /// When the well's analytics were last computed and its aggregates last changed (`None`s when never).
    async fn analytics_state(
        &self,
        tenant: TenantId,
        well: WellId,
    ) -> StorageResult<(Option<DateTime<Utc>>, Option<DateTime<Utc>>)>;
}
