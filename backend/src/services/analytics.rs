//! Per-well analytics: trends, anomalies and forecasts computed from the stored daily aggregates.
//!
//! Two halves:
//! - **The pass** ([`AnalyticsService::run_due_once`], [`AnalyticsService::recompute`]): for the wells whose
//!   aggregates changed (at most once per [`DEBOUNCE`] per well) or whose results are older than [`RESULT_TTL`],
//!   compute the 30-day trend of oil, gas and water, the anomalies of the last [`ANOMALY_DAYS`] days and the
//!   default forecast (ETS, 7 days, 95%) of the well's primary product, and store them. Those stored results are
//!   the analytics cache: the trend list reads them, and the stored forecast answers the default forecast request.
//! - **The queries** (`trend_detail`, `forecast`, `aggregates`, …): what the API serves. A non-default forecast is
//!   computed on request from the stored daily aggregates.
//!
//! The CPU work of a pass runs on blocking threads, one per core.

use super::Deps;
use super::job_runs::{JobOutcome, recorded};
use crate::ports::{
    AggregateQuery, AnalyticsDue, AnomalyQuery, JobKind, PageRequest, StorageError, StoredAnomaly, StoredForecast,
    StoredTrend, TrendFilter, TrendSort, WellAnalytics,
};
use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use flowline_shared::analytics::aggregation::{Field, Period, TimeSeriesAggregate};
use flowline_shared::analytics::anomalies::{AnomalyConfig, detect_anomalies};
use flowline_shared::analytics::arps::{self, ArpsConfig, ArpsFit, ArpsForecastPoint};
use flowline_shared::analytics::forecast::{BacktestRefit, Forecast, ForecastConfig, ForecastModel};
use flowline_shared::analytics::trend::{DailyPoint, ProductionTrend, TrendConfig, compute_trend};
use flowline_shared::{Tenant, Well, WellId, WellType};
use std::collections::BTreeMap;

/// The fields whose trends and anomalies are computed in a pass.
pub const ANALYSED_FIELDS: [Field; 3] = [Field::OilBbl, Field::GasMcf, Field::WaterBbl];
/// Days of daily values a pass reads per well: the ETS training window plus the anomaly windows' history.
pub const HISTORY_DAYS: u64 = 120;
/// Days (ending today) whose anomalies a pass stores.
pub const ANOMALY_DAYS: u64 = 90;
/// Days of producing history the ETS model is fitted to.
pub const FORECAST_TRAINING_DAYS: u64 = 90;
/// A well's results are recomputed at most this often however often its data changes.
pub const DEBOUNCE: chrono::Duration = chrono::Duration::minutes(2);
/// Results older than this are recomputed even without new data (the trend TTL; the forecast's is 24 h, so it is
/// always met).
pub const RESULT_TTL: chrono::Duration = chrono::Duration::hours(6);
/// Wells per storage round trip in a pass.
const WELLS_PER_CHUNK: usize = 500;
/// The most days a trend detail or a forecast request may read.
pub const MAX_HISTORY_DAYS: u32 = 3660;

/// Backtest origins of the stored (fleet-wide) forecast: enough for a trust score, cheap enough for 10,000 wells.
pub const FLEET_BACKTEST_ORIGINS: usize = 3;

#[derive(Debug, thiserror::Error)]
pub enum AnalyticsError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("no well {0} in this tenant")]
    UnknownWell(WellId),
    #[error("{parameter}: {message}")]
    InvalidParameter { parameter: &'static str, message: String },
    #[error("analytics task failed: {0}")]
    Task(String),
}

/// The product a well is judged by: oil for oil wells, gas for gas wells, water for injection and disposal wells.
pub fn primary_field(well_type: WellType) -> Field {
    match well_type {
        WellType::Oil => Field::OilBbl,
        WellType::Gas => Field::GasMcf,
        WellType::Injection | WellType::Disposal => Field::WaterBbl,
    }
}

/// The tenant's local date at `now`.
pub fn local_today(now: DateTime<Utc>, tz: Tz) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

fn days_before(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_sub_days(Days::new(days)).unwrap_or(NaiveDate::MIN)
}

/// The daily points of `field` from one well's daily aggregates (any order): the day's value and its hours on
/// (24 when the day has no hours-on value, which validated entries always carry).
pub fn daily_points(daily: &[TimeSeriesAggregate], field: Field) -> Vec<DailyPoint> {
    let hours: BTreeMap<NaiveDate, f64> =
        daily.iter().filter(|a| a.field == Field::HoursOn).map(|a| (a.period.local_start(), a.value())).collect();
    let mut points: Vec<DailyPoint> = daily
        .iter()
        .filter(|a| a.field == field)
        .map(|a| {
            let day = a.period.local_start();
            DailyPoint::new(day, a.value(), hours.get(&day).copied().unwrap_or(24.0))
        })
        .collect();
    points.sort_by_key(|p| p.day);
    points
}

/// The forecast configuration of the stored, fleet-wide forecasts at `level`.
pub fn fleet_forecast_config(level: f64) -> Result<ForecastConfig, String> {
    ForecastConfig::new(level, flowline_shared::analytics::forecast::DEFAULT_HORIZON_DAYS, FLEET_BACKTEST_ORIGINS)
        .map(|c| c.with_backtest_refit(BacktestRefit::SelectedForm))
        .map_err(|e| e.to_string())
}

/// An ETS forecast of the last [`FORECAST_TRAINING_DAYS`] days of `points`.
pub fn ets_forecast(points: &[DailyPoint], as_of: NaiveDate, days: u32, level: f64) -> Result<Forecast, String> {
    let start = days_before(as_of, FORECAST_TRAINING_DAYS - 1);
    let recent: Vec<DailyPoint> = points.iter().copied().filter(|p| p.day >= start && p.day <= as_of).collect();
    let config = fleet_forecast_config(level)?;
    ForecastModel::fit_with_config(&recent, config).and_then(|m| m.generate_forecast(days)).map_err(|e| e.to_string())
}

/// Everything a pass computes for one well from its daily aggregates (ordered or not) as of `as_of`.
pub fn analyse_well(well: &Well, daily: &[TimeSeriesAggregate], as_of: NaiveDate) -> WellAnalytics {
    let anomaly_from = days_before(as_of, ANOMALY_DAYS - 1);
    let mut trends = Vec::with_capacity(ANALYSED_FIELDS.len());
    let mut anomalies = Vec::new();
    let primary = primary_field(well.well_type);
    let mut forecast = Err("no data".to_owned());
    for field in ANALYSED_FIELDS {
        let points = daily_points(daily, field);
        trends.push((field, compute_trend(&points, as_of, &TrendConfig::default())));
        anomalies.extend(
            detect_anomalies(&points, &AnomalyConfig::default())
                .into_iter()
                .filter(|a| a.day >= anomaly_from && a.day <= as_of)
                .map(|a| (field, a)),
        );
        if field == primary {
            forecast = ets_forecast(&points, as_of, flowline_shared::analytics::forecast::DEFAULT_HORIZON_DAYS, 0.95)
                .map(|f| (field, f));
        }
    }
    WellAnalytics { well_id: well.id, as_of, trends, anomalies, anomaly_window: (anomaly_from, as_of), forecast }
}

/// Which model a forecast request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForecastKind {
    Ets,
    Arps,
}

/// A forecast request, checked by [`ForecastRequest::new`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ForecastRequest {
    pub days: u32,
    pub kind: ForecastKind,
    /// Fraction (0.95).
    pub level: f64,
    /// `None`: the well's primary product.
    pub field: Option<Field>,
}

impl ForecastRequest {
    /// `days` 1 to 90, `level_percent` 80 to 99.
    pub fn new(
        days: u32,
        kind: ForecastKind,
        level_percent: f64,
        field: Option<Field>,
    ) -> Result<Self, AnalyticsError> {
        use flowline_shared::analytics::forecast::{MAX_HORIZON_DAYS, MAX_LEVEL, MIN_HORIZON_DAYS, MIN_LEVEL};
        if !(MIN_HORIZON_DAYS..=MAX_HORIZON_DAYS).contains(&days) {
            return Err(AnalyticsError::InvalidParameter {
                parameter: "days",
                message: format!("must be between {MIN_HORIZON_DAYS} and {MAX_HORIZON_DAYS}, got {days}"),
            });
        }
        let level = level_percent / 100.0;
        if !(level.is_finite() && (MIN_LEVEL..=MAX_LEVEL).contains(&level)) {
            return Err(AnalyticsError::InvalidParameter {
                parameter: "level",
                message: format!(
                    "must be a percentage between {} and {}, got {level_percent}",
                    MIN_LEVEL * 100.0,
                    MAX_LEVEL * 100.0
                ),
            });
        }
        Ok(Self { days, kind, level, field })
    }

    fn is_stored_default(&self, primary: Field) -> bool {
        self.kind == ForecastKind::Ets
            && self.days == flowline_shared::analytics::forecast::DEFAULT_HORIZON_DAYS
            && (self.level - 0.95).abs() < 1e-9
            && self.field.is_none_or(|f| f == primary)
    }
}

/// A forecast as the API returns it.
#[derive(Debug, Clone, PartialEq)]
pub enum WellForecast {
    Ets {
        field: Field,
        forecast: Box<Forecast>,
        computed_at: DateTime<Utc>,
    },
    Arps {
        field: Field,
        fit: Box<ArpsFit>,
        points: Vec<ArpsForecastPoint>,
        computed_at: DateTime<Utc>,
    },
    /// Not enough (or no usable) data: the reason.
    Unavailable {
        field: Field,
        reason: String,
        computed_at: DateTime<Utc>,
    },
}

/// The mini-chart of one well's field over the last days.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendDetail {
    pub well: Well,
    pub field: Field,
    pub days: u32,
    pub points: Vec<DailyPoint>,
    pub trend: ProductionTrend,
}

/// What a pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnalyticsReport {
    pub wells: u64,
    pub anomalies: u64,
    pub forecasts: u64,
}

impl JobOutcome for AnalyticsReport {
    fn rows(&self) -> u64 {
        self.wells
    }
    fn summary(&self) -> String {
        format!("{} wells, {} anomalies, {} forecasts", self.wells, self.anomalies, self.forecasts)
    }
}

#[derive(Clone)]
pub struct AnalyticsService {
    deps: Deps,
}

impl AnalyticsService {
    pub fn new(deps: Deps) -> Self {
        Self { deps }
    }

    /// Records that the aggregates of `wells` changed now (called by the aggregation jobs).
    pub async fn mark_changed(&self, tenant: &Tenant, wells: &[WellId]) -> Result<(), AnalyticsError> {
        Ok(self.deps.storage.mark_analytics_changed(tenant.id, wells, self.deps.clock.now()).await?)
    }

    /// One pass over the wells that are due (changed and not recomputed within [`DEBOUNCE`], or older than
    /// [`RESULT_TTL`]); `None` when none was.
    pub async fn run_due_once(&self, tenant: &Tenant) -> Result<Option<AnalyticsReport>, AnalyticsError> {
        let now = self.deps.clock.now();
        let due = AnalyticsDue { changed_and_computed_before: now - DEBOUNCE, computed_before: now - RESULT_TTL };
        let wells = self.deps.storage.wells_due_for_analytics(tenant.id, due, u32::MAX).await?;
        if wells.is_empty() {
            return Ok(None);
        }
        recorded(&self.deps, JobKind::Analytics, Some(tenant), || self.recompute(tenant, &wells, &|_| {}))
            .await
            .map(Some)
    }

    /// Computes and stores the analytics of `wells` as of the tenant's today; `progress` gets the wells done.
    pub async fn recompute(
        &self,
        tenant: &Tenant,
        wells: &[WellId],
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<AnalyticsReport, AnalyticsError> {
        let computed_at = self.deps.clock.now();
        let (tenant_id, tz) = (tenant.id, tenant.time_zone);
        let as_of = local_today(computed_at, tz);
        let from = days_before(as_of, HISTORY_DAYS - 1);
        // Pipelined: chunk i+1 is read and chunk i-1 stored while chunk i is analysed.
        let read = |chunk: Vec<WellId>| {
            let storage = self.deps.storage.clone();
            tokio::spawn(async move {
                let found = storage.wells_by_ids(tenant_id, &chunk).await?;
                let ids: Vec<WellId> = found.iter().map(|w| w.id).collect();
                let query = AggregateQuery { wells: ids, period: Period::Daily, from, to: as_of };
                let daily = storage.aggregates(tenant_id, tz, &query).await?;
                Ok::<_, StorageError>((found, daily))
            })
        };
        let joined = |e: tokio::task::JoinError| AnalyticsError::Task(e.to_string());
        let mut chunks = wells.chunks(WELLS_PER_CHUNK).map(<[WellId]>::to_vec);
        let mut next = chunks.next().map(read);
        let mut storing: Option<tokio::task::JoinHandle<Result<(), StorageError>>> = None;
        let mut report = AnalyticsReport::default();
        while let Some(reading) = next.take() {
            let (found, daily) = reading.await.map_err(joined)??;
            next = chunks.next().map(read);
            let results = analyse_in_parallel(found, daily, as_of).await?;
            report.wells += results.len() as u64;
            report.anomalies += results.iter().map(|r| r.anomalies.len() as u64).sum::<u64>();
            report.forecasts += results.iter().filter(|r| r.forecast.is_ok()).count() as u64;
            if let Some(previous) = storing.take() {
                previous.await.map_err(joined)??;
            }
            let storage = self.deps.storage.clone();
            storing =
                Some(tokio::spawn(async move { storage.store_analytics(tenant_id, &results, computed_at).await }));
            progress(report.wells);
        }
        if let Some(last) = storing {
            last.await.map_err(joined)??;
        }
        Ok(report)
    }

    async fn well(&self, tenant: &Tenant, id: WellId) -> Result<Well, AnalyticsError> {
        self.deps.storage.get_well(tenant.id, id).await?.ok_or(AnalyticsError::UnknownWell(id))
    }

    /// Stored aggregates of one well, `from..=to` (local dates of the period starts), optionally one field.
    pub async fn aggregates(
        &self,
        tenant: &Tenant,
        well: WellId,
        period: Period,
        field: Option<Field>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<TimeSeriesAggregate>, AnalyticsError> {
        if from > to {
            return Err(AnalyticsError::InvalidParameter {
                parameter: "from",
                message: format!("{from} is after to ({to})"),
            });
        }
        if (to - from).num_days() > i64::from(MAX_HISTORY_DAYS) {
            return Err(AnalyticsError::InvalidParameter {
                parameter: "to",
                message: format!("the range may span at most {MAX_HISTORY_DAYS} days"),
            });
        }
        self.well(tenant, well).await?;
        let query = AggregateQuery { wells: vec![well], period, from, to };
        let mut found = self.deps.storage.aggregates(tenant.id, tenant.time_zone, &query).await?;
        if let Some(field) = field {
            found.retain(|a| a.field == field);
        }
        Ok(found)
    }

    /// The stored trends, filtered, sorted and paginated, with the total count.
    pub async fn trends(
        &self,
        tenant: &Tenant,
        filter: &TrendFilter,
        sort: TrendSort,
        page: PageRequest,
    ) -> Result<(Vec<StoredTrend>, u64), AnalyticsError> {
        Ok(self.deps.storage.list_trends(tenant.id, filter, sort, page).await?)
    }

    /// The stored anomalies matching `query`, newest first, with the total count.
    pub async fn anomalies(
        &self,
        tenant: &Tenant,
        query: &AnomalyQuery,
    ) -> Result<(Vec<StoredAnomaly>, u64), AnalyticsError> {
        Ok(self.deps.storage.list_anomalies(tenant.id, query).await?)
    }

    /// The last `days` days of one well's field with the trend over them (as of the tenant's today).
    pub async fn trend_detail(
        &self,
        tenant: &Tenant,
        well_id: WellId,
        field: Option<Field>,
        days: u32,
    ) -> Result<TrendDetail, AnalyticsError> {
        if !(3..=MAX_HISTORY_DAYS).contains(&days) {
            return Err(AnalyticsError::InvalidParameter {
                parameter: "period",
                message: format!("must be between 3d and {MAX_HISTORY_DAYS}d, got {days}d"),
            });
        }
        let well = self.well(tenant, well_id).await?;
        let field = field.unwrap_or_else(|| primary_field(well.well_type));
        let as_of = local_today(self.deps.clock.now(), tenant.time_zone);
        // Twice the window: the trend compares it with the one before.
        let from = days_before(as_of, u64::from(days) * 2 - 1);
        let query = AggregateQuery { wells: vec![well_id], period: Period::Daily, from, to: as_of };
        let daily = self.deps.storage.aggregates(tenant.id, tenant.time_zone, &query).await?;
        let all = daily_points(&daily, field);
        let config = TrendConfig::new(days, 0.05, 0.95)
            .map_err(|e| AnalyticsError::InvalidParameter { parameter: "period", message: e.to_string() })?;
        let trend = compute_trend(&all, as_of, &config);
        let window_start = trend.window_start;
        let points = all.into_iter().filter(|p| p.day >= window_start).collect();
        Ok(TrendDetail { well, field, days, points, trend })
    }

    /// A forecast of one well: the stored one for the default request, else computed now.
    pub async fn forecast(
        &self,
        tenant: &Tenant,
        well_id: WellId,
        request: ForecastRequest,
    ) -> Result<WellForecast, AnalyticsError> {
        let well = self.well(tenant, well_id).await?;
        let primary = primary_field(well.well_type);
        let field = request.field.unwrap_or(primary);
        if request.is_stored_default(primary)
            && let Some(StoredForecast { field, forecast, computed_at }) =
                self.deps.storage.stored_forecast(tenant.id, well_id).await?
        {
            let (_, changed) = self.deps.storage.analytics_state(tenant.id, well_id).await?;
            // Served while no newer data arrived (the pass replaces it within the debounce interval).
            if changed.is_none_or(|c| c <= computed_at) {
                return Ok(match forecast {
                    Ok(forecast) => WellForecast::Ets { field, forecast: Box::new(forecast), computed_at },
                    Err(reason) => WellForecast::Unavailable { field, reason, computed_at },
                });
            }
        }
        let computed_at = self.deps.clock.now();
        let as_of = local_today(computed_at, tenant.time_zone);
        let from = match request.kind {
            ForecastKind::Ets => days_before(as_of, FORECAST_TRAINING_DAYS - 1),
            // Arps fits from the peak: the whole history (bounded).
            ForecastKind::Arps => days_before(as_of, u64::from(MAX_HISTORY_DAYS)),
        };
        let query = AggregateQuery { wells: vec![well_id], period: Period::Daily, from, to: as_of };
        let daily = self.deps.storage.aggregates(tenant.id, tenant.time_zone, &query).await?;
        let points = daily_points(&daily, field);
        let (days, level) = (request.days, request.level);
        let kind = request.kind;
        let result = tokio::task::spawn_blocking(move || match kind {
            ForecastKind::Ets => match ets_forecast(&points, as_of, days, level) {
                Ok(forecast) => WellForecast::Ets { field, forecast: Box::new(forecast), computed_at },
                Err(reason) => WellForecast::Unavailable { field, reason, computed_at },
            },
            ForecastKind::Arps => match arps::fit_daily(&points, &ArpsConfig::default()) {
                Ok(fit) => {
                    let points = fit.generate_forecast(days);
                    WellForecast::Arps { field, fit: Box::new(fit), points, computed_at }
                }
                Err(e) => WellForecast::Unavailable { field, reason: e.to_string(), computed_at },
            },
        })
        .await
        .map_err(|e| AnalyticsError::Task(e.to_string()))?;
        Ok(result)
    }
}

/// Runs [`analyse_well`] over `wells` on one blocking thread per core.
async fn analyse_in_parallel(
    wells: Vec<Well>,
    daily: Vec<TimeSeriesAggregate>,
    as_of: NaiveDate,
) -> Result<Vec<WellAnalytics>, AnalyticsError> {
    // `daily` is ordered by well (in the order asked for, ascending ids): slice it per well.
    let mut by_well: Vec<(Well, Vec<TimeSeriesAggregate>)> = Vec::with_capacity(wells.len());
    let mut rest = daily.into_iter().peekable();
    for well in wells {
        let mut mine = Vec::new();
        while let Some(a) = rest.next_if(|a| a.well_id == well.id) {
            mine.push(a);
        }
        by_well.push((well, mine));
    }
    // Threads take the next well as they finish one: forecasts cost 0.1 to 5 ms a well, so fixed shares would leave
    // a core idle at the end of every chunk.
    let threads = std::thread::available_parallelism().map_or(1, usize::from).max(1);
    let work = std::sync::Arc::new(by_well);
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut handles = Vec::with_capacity(threads);
    for _ in 0..threads {
        let (work, next) = (work.clone(), next.clone());
        handles.push(tokio::task::spawn_blocking(move || {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((well, daily)) = work.get(i) else { break };
                done.push((i, analyse_well(well, daily, as_of)));
            }
            done
        }));
    }
    let mut out = Vec::with_capacity(work.len());
    for handle in handles {
        out.extend(handle.await.map_err(|e| AnalyticsError::Task(e.to_string()))?);
    }
    // In the order of the wells, as before the split.
    out.sort_unstable_by_key(|(i, _)| *i);
    Ok(out.into_iter().map(|(_, r)| r).collect())
}
