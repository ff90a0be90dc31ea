//! Wire types of the analytics query API (`/api/v1/aggregates`, `/trends`, `/wells/{id}/forecast`, `/anomalies`)
//! and of the admin job endpoints (`/api/v1/admin/backfill`, `/admin/jobs`).
//!
//! Conventions: snake_case; instants are RFC 3339 UTC, local dates (the tenant's time zone) `YYYY-MM-DD`; every
//! number carries its unit in its name (`slope_per_day`, `percent_change`, `level_percent`, `horizon_days`) or in a
//! `unit` field beside it (`"bbl/d"`, `"Mcf/d"`, `"psig"`, `"1/64 in"`, `"h"`: the field's unit, see
//! [`Field::unit`]). Values that cannot be computed are `null`, never NaN.
//!
//! The constructors here are pure conversions from the analytics types of [`crate::analytics`].

use crate::analytics::aggregation::{Completeness, Field, Period, TimeSeriesAggregate};
use crate::analytics::anomalies::{Anomaly, AnomalyDirection, Severity};
use crate::analytics::arps::{ArpsFit, ArpsForecastPoint, ArpsModel, EurEnd};
use crate::analytics::forecast::{BacktestScore, Forecast};
use crate::analytics::trend::{DailyPoint, MIN_TREND_POINTS, ProductionTrend, TrendDirection, TrendLinePoint};
use crate::domain::{WellId, WellStatus, WellType};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The unit of a field's period total (the sum of its daily values): `bbl`, `Mcf` or `h` (producing hours). For
/// pressures and the choke a sum means nothing and the daily unit is returned.
pub fn total_unit(field: Field) -> &'static str {
    match field {
        Field::OilBbl | Field::WaterBbl => "bbl",
        Field::GasMcf => "Mcf",
        Field::HoursOn => "h",
        other => other.unit(),
    }
}

/// One stored aggregate of one well, period and field (`GET /api/v1/aggregates`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AggregateView {
    pub well_id: WellId,
    pub period: Period,
    pub field: Field,
    /// Unit of `avg`, `min`, `max` and `stddev` (the field's daily unit, e.g. `bbl/d`).
    pub unit: String,
    /// The first local date of the period (a Monday for weeks, the 1st for months).
    pub period_start: NaiveDate,
    /// The period's window `[start, end)` as instants (local midnights).
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Daily: readings with the field that day. Weekly and monthly: days with data.
    pub count: u32,
    /// Raw entries behind the aggregate.
    pub entries: u32,
    /// Daily: the sum of the day's readings (in `unit`, not a volume). Weekly and monthly: the sum of the daily
    /// values, the period's volume, in `sum_unit`.
    pub sum: f64,
    pub sum_unit: String,
    /// Daily: the day's value (mean of its readings). Weekly and monthly: the mean daily value over days with data.
    pub avg: f64,
    pub min: f64,
    pub max: f64,
    /// Sample standard deviation; `null` for fewer than two values.
    pub stddev: Option<f64>,
    /// Whether the aggregate is complete under the default rule: at least one entry, and data on every calendar
    /// day of the period.
    pub complete: bool,
}

impl AggregateView {
    pub fn new(a: &TimeSeriesAggregate) -> Self {
        let sum_unit = match a.period.period() {
            Period::Daily => a.field.unit(),
            Period::Weekly | Period::Monthly => total_unit(a.field),
        };
        Self {
            well_id: a.well_id,
            period: a.period.period(),
            field: a.field,
            unit: a.field.unit().to_owned(),
            period_start: a.period.local_start(),
            start: a.period.start(),
            end: a.period.end(),
            count: a.stats.count,
            entries: a.entries,
            sum: a.stats.sum,
            sum_unit: sum_unit.to_owned(),
            avg: a.stats.mean,
            min: a.stats.min,
            max: a.stats.max,
            stddev: a.stddev(),
            complete: a.is_complete(&Completeness::default()),
        }
    }
}

/// Parses a trend direction as on the wire (`up`, `flat`, `down`, `insufficient_data`).
pub fn parse_trend_direction(s: &str) -> Result<TrendDirection, String> {
    match s {
        "up" => Ok(TrendDirection::Up),
        "flat" => Ok(TrendDirection::Flat),
        "down" => Ok(TrendDirection::Down),
        "insufficient_data" => Ok(TrendDirection::InsufficientData),
        other => Err(format!("unknown direction {other:?}: expected up, flat, down or insufficient_data")),
    }
}

/// The wire name of a trend direction.
pub fn trend_direction_str(d: TrendDirection) -> &'static str {
    match d {
        TrendDirection::Up => "up",
        TrendDirection::Flat => "flat",
        TrendDirection::Down => "down",
        TrendDirection::InsufficientData => "insufficient_data",
    }
}

/// One row of the trend list (`GET /api/v1/trends`): the stored trend of one well's field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrendListItem {
    pub well_id: WellId,
    pub well_name: String,
    pub well_type: WellType,
    pub well_status: WellStatus,
    pub lease: Option<String>,
    pub field: Field,
    /// Unit of the means (and, per day, of the slope), e.g. `bbl/d`.
    pub unit: String,
    pub direction: TrendDirection,
    /// Days in each of the two compared windows.
    pub window_days: u32,
    /// Change of the fitted line per day, in `unit` per day; `null` without a fit.
    pub slope_per_day: Option<f64>,
    pub r_squared: Option<f64>,
    /// Standard error of the slope, in `unit` per day.
    pub slope_std_error: Option<f64>,
    /// Recent window's mean against the previous window's, in percent.
    pub percent_change: Option<f64>,
    pub recent_mean: Option<f64>,
    pub previous_mean: Option<f64>,
    /// Producing days of the recent window in the fit.
    pub points_used: u32,
    /// Downtime days (hours on 0) in the recent window.
    pub downtime_days: u32,
    /// The local day the trend is computed as of.
    pub as_of: NaiveDate,
    pub computed_at: DateTime<Utc>,
}

impl TrendListItem {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        well_id: WellId,
        well_name: String,
        well_type: WellType,
        well_status: WellStatus,
        lease: Option<String>,
        field: Field,
        trend: &ProductionTrend,
        computed_at: DateTime<Utc>,
    ) -> Self {
        Self {
            well_id,
            well_name,
            well_type,
            well_status,
            lease,
            field,
            unit: field.unit().to_owned(),
            direction: trend.direction,
            window_days: trend.window_days,
            slope_per_day: trend.fit.map(|f| f.slope_per_day),
            r_squared: trend.fit.map(|f| f.r_squared),
            slope_std_error: trend.fit.map(|f| f.slope_std_error),
            percent_change: trend.percent_change,
            recent_mean: trend.recent_mean,
            previous_mean: trend.previous_mean,
            points_used: u32::try_from(trend.points_used).unwrap_or(u32::MAX),
            downtime_days: u32::try_from(trend.downtime_days.len()).unwrap_or(u32::MAX),
            as_of: trend.as_of,
            computed_at,
        }
    }
}

/// One day of a trend mini-chart.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrendDetailPoint {
    pub day: NaiveDate,
    /// The day's value, in the detail's `unit`.
    pub value: f64,
    pub hours_on: f64,
    /// Hours on 0: left out of the line, the means, `min` and `max`.
    pub downtime: bool,
}

/// The fitted line of a trend, to draw over the points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrendLine {
    /// The line on the first producing day of the fit.
    pub start: TrendLinePoint,
    /// The line on the last producing day of the fit.
    pub end: TrendLinePoint,
}

/// The mini-chart of one well's field over the last `period_days` days (`GET /api/v1/trends/{well_id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrendDetail {
    pub well_id: WellId,
    pub well_name: String,
    pub field: Field,
    /// Unit of every value, `min`, `max`, the means and the line (e.g. `bbl/d`); the slope is in `unit` per day.
    pub unit: String,
    pub period_days: u32,
    pub as_of: NaiveDate,
    /// First day of the window (`as_of` - `period_days` + 1).
    pub window_start: NaiveDate,
    /// The days of the window that have a value, ascending (gaps are simply absent).
    pub points: Vec<TrendDetailPoint>,
    /// Over the producing points; `null` when there are none.
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// `null` when no line could be fitted.
    pub trend_line: Option<TrendLine>,
    pub direction: TrendDirection,
    pub r_squared: Option<f64>,
    pub slope_per_day: Option<f64>,
    pub percent_change: Option<f64>,
    pub recent_mean: Option<f64>,
    pub previous_mean: Option<f64>,
    pub points_used: u32,
    pub downtime_days: u32,
    /// Fewer than 3 producing points in the window: no line, no direction.
    pub insufficient_data: bool,
    /// Why, when `insufficient_data`.
    pub message: Option<String>,
}

impl TrendDetail {
    /// The detail of `trend` over `points` (those of the trend's recent window).
    pub fn new(
        well_id: WellId,
        well_name: String,
        field: Field,
        points: &[DailyPoint],
        trend: &ProductionTrend,
    ) -> Self {
        let points: Vec<TrendDetailPoint> = points
            .iter()
            .map(|p| TrendDetailPoint { day: p.day, value: p.value, hours_on: p.hours_on, downtime: p.is_downtime() })
            .collect();
        let producing = || points.iter().filter(|p| !p.downtime && p.value.is_finite()).map(|p| p.value);
        let min = producing().reduce(f64::min);
        let max = producing().reduce(f64::max);
        let insufficient_data = trend.direction == TrendDirection::InsufficientData;
        let message = insufficient_data.then(|| {
            format!(
                "{} producing day(s) in the last {} days: at least {MIN_TREND_POINTS} are needed for a trend",
                trend.points_used, trend.window_days
            )
        });
        Self {
            well_id,
            well_name,
            field,
            unit: field.unit().to_owned(),
            period_days: trend.window_days,
            as_of: trend.as_of,
            window_start: trend.window_start,
            points,
            min,
            max,
            trend_line: trend.fit.map(|f| TrendLine { start: f.line_start, end: f.line_end }),
            direction: trend.direction,
            r_squared: trend.r_squared(),
            slope_per_day: trend.slope_per_day(),
            percent_change: trend.percent_change,
            recent_mean: trend.recent_mean,
            previous_mean: trend.previous_mean,
            points_used: u32::try_from(trend.points_used).unwrap_or(u32::MAX),
            downtime_days: u32::try_from(trend.downtime_days.len()).unwrap_or(u32::MAX),
            insufficient_data,
            message,
        }
    }
}

/// Which forecast model (`model=` of `GET /api/v1/wells/{id}/forecast`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ForecastModelKind {
    /// AutoETS (exponential smoothing) over the last 90 days, with a prediction interval.
    Ets,
    /// Arps decline curve fitted from the peak, without an interval.
    Arps,
}

impl ForecastModelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ets => "ets",
            Self::Arps => "arps",
        }
    }
}

impl std::str::FromStr for ForecastModelKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "ets" => Ok(Self::Ets),
            "arps" => Ok(Self::Arps),
            other => Err(format!("unknown model {other:?}: expected ets or arps")),
        }
    }
}

/// One forecast day, in the forecast's `unit`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ForecastPointView {
    pub day: NaiveDate,
    pub value: f64,
    /// The prediction interval at `level_percent` (ETS); `null` for Arps, which has none.
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// The rolling-origin backtest of an ETS forecast; errors in the forecast's `unit`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BacktestView {
    pub horizon_days: u32,
    pub origins: u32,
    pub failed_origins: u32,
    pub mae: f64,
    pub rmse: f64,
    /// Share of actual values inside the interval, in percent.
    pub coverage_percent: f64,
    pub naive_mae: f64,
    pub naive_rmse: f64,
    /// `mae / naive_mae` (below 1 the model beats "no change"); `null` when the naive MAE is 0.
    pub mae_ratio: Option<f64>,
}

impl BacktestView {
    pub fn new(b: &BacktestScore) -> Self {
        Self {
            horizon_days: b.horizon_days,
            origins: u32::try_from(b.origins).unwrap_or(u32::MAX),
            failed_origins: u32::try_from(b.failed_origins).unwrap_or(u32::MAX),
            mae: b.mae,
            rmse: b.rmse,
            coverage_percent: b.coverage * 100.0,
            naive_mae: b.naive_mae,
            naive_rmse: b.naive_rmse,
            mae_ratio: b.mae_ratio,
        }
    }
}

/// What the ETS model is and how well it fits; errors and the naive value in the forecast's `unit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EtsMetadata {
    /// The chosen model, e.g. `AAdN` (error, trend with `d` if damped, season).
    pub model_name: String,
    pub aicc: f64,
    /// Producing days the model was fitted to.
    pub observations: u32,
    pub first_observation_day: NaiveDate,
    pub last_observation_day: NaiveDate,
    pub in_sample_mae: f64,
    pub in_sample_rmse: f64,
    /// The naive forecast: every future day equals the last producing value.
    pub naive_baseline: f64,
    /// The naive forecast's MAE over the backtest; `null` without a backtest.
    pub naive_backtest_mae: Option<f64>,
    /// `null` when the series is too short for a backtest.
    pub backtest: Option<BacktestView>,
}

/// The fitted Arps decline. Rates (`qi`, `economic_limit`) in the forecast's `unit`, volumes (`eur`,
/// `cumulative_to_date`, `remaining`) in `volume_unit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArpsMetadata {
    pub model: ArpsModel,
    /// The fitted rate at the fit start (the peak).
    pub qi: f64,
    /// Initial decline, secant effective, per year as a fraction (0.35 = 35 %/year).
    pub di_secant_effective_annual_fraction: f64,
    /// Nominal initial decline per day.
    pub d_nominal_per_day: f64,
    pub b: f64,
    pub volume_unit: String,
    pub eur: f64,
    pub cumulative_to_date: f64,
    pub remaining: f64,
    pub economic_limit: f64,
    /// Days from the last producing day until the curve reaches the economic limit.
    pub days_to_economic_limit: f64,
    /// Whether the remaining volume stops at the economic limit or at the maximum life.
    pub eur_end: EurEnd,
    pub fit_start_day: Option<NaiveDate>,
    pub last_day: Option<NaiveDate>,
    pub points_fitted: u32,
    /// Over the fitted points, on rates.
    pub r_squared: f64,
}

impl ArpsMetadata {
    pub fn new(fit: &ArpsFit, field: Field) -> Self {
        Self {
            model: fit.model,
            qi: fit.qi,
            di_secant_effective_annual_fraction: fit.di_secant_effective_annual,
            d_nominal_per_day: fit.d_nominal_daily,
            b: fit.b,
            volume_unit: total_unit(field).to_owned(),
            eur: fit.eur,
            cumulative_to_date: fit.cumulative_to_date,
            remaining: fit.remaining,
            economic_limit: fit.economic_limit,
            days_to_economic_limit: fit.days_to_economic_limit,
            eur_end: fit.eur_end,
            fit_start_day: fit.fit_start_day,
            last_day: fit.last_day,
            points_fitted: u32::try_from(fit.n_points).unwrap_or(u32::MAX),
            r_squared: fit.quality.r_squared,
        }
    }
}

/// A forecast of one well's field (`GET /api/v1/wells/{id}/forecast`). When `available` is false, `reason` says
/// why and `points` is empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ForecastView {
    pub well_id: WellId,
    pub field: Field,
    /// Unit of the points (e.g. `bbl/d`).
    pub unit: String,
    pub model: ForecastModelKind,
    pub computed_at: DateTime<Utc>,
    pub available: bool,
    pub reason: Option<String>,
    /// The last day of the data the forecast starts after.
    pub as_of: Option<NaiveDate>,
    pub horizon_days: u32,
    /// The prediction interval's level (ETS); `null` for Arps.
    pub level_percent: Option<f64>,
    pub points: Vec<ForecastPointView>,
    /// Set for an available ETS forecast.
    pub ets: Option<EtsMetadata>,
    /// Set for an available Arps forecast.
    pub arps: Option<ArpsMetadata>,
}

impl ForecastView {
    pub fn ets(well_id: WellId, field: Field, forecast: &Forecast, computed_at: DateTime<Utc>) -> Self {
        let m = &forecast.metadata;
        Self {
            well_id,
            field,
            unit: field.unit().to_owned(),
            model: ForecastModelKind::Ets,
            computed_at,
            available: true,
            reason: None,
            as_of: Some(forecast.as_of),
            horizon_days: forecast.horizon_days,
            level_percent: Some(round_percent(forecast.level)),
            points: forecast
                .points
                .iter()
                .map(|p| ForecastPointView { day: p.day, value: p.value, lower: Some(p.lower), upper: Some(p.upper) })
                .collect(),
            ets: Some(EtsMetadata {
                model_name: m.model.clone(),
                aicc: m.aicc,
                observations: u32::try_from(m.n_observations).unwrap_or(u32::MAX),
                first_observation_day: m.first_observation_day,
                last_observation_day: m.last_observation_day,
                in_sample_mae: m.in_sample_mae,
                in_sample_rmse: m.in_sample_rmse,
                naive_baseline: m.naive_baseline.value,
                naive_backtest_mae: m.naive_baseline.backtest_mae,
                backtest: m.backtest.as_ref().map(BacktestView::new),
            }),
            arps: None,
        }
    }

    pub fn arps(
        well_id: WellId,
        field: Field,
        fit: &ArpsFit,
        points: &[ArpsForecastPoint],
        computed_at: DateTime<Utc>,
    ) -> Self {
        Self {
            well_id,
            field,
            unit: field.unit().to_owned(),
            model: ForecastModelKind::Arps,
            computed_at,
            available: true,
            reason: None,
            as_of: fit.last_day,
            horizon_days: u32::try_from(points.len()).unwrap_or(u32::MAX),
            level_percent: None,
            points: points
                .iter()
                .filter_map(|p| p.day.map(|day| ForecastPointView { day, value: p.rate, lower: None, upper: None }))
                .collect(),
            ets: None,
            arps: Some(ArpsMetadata::new(fit, field)),
        }
    }

    /// No forecast: `reason` says why.
    #[allow(clippy::too_many_arguments)]
    pub fn unavailable(
        well_id: WellId,
        field: Field,
        model: ForecastModelKind,
        horizon_days: u32,
        level_percent: Option<f64>,
        reason: String,
        computed_at: DateTime<Utc>,
    ) -> Self {
        Self {
            well_id,
            field,
            unit: field.unit().to_owned(),
            model,
            computed_at,
            available: false,
            reason: Some(reason),
            as_of: None,
            horizon_days,
            level_percent,
            points: Vec::new(),
            ets: None,
            arps: None,
        }
    }
}

/// A fraction as a percentage, without the binary noise of `x * 100` (0.95 gives 95, not 94.999...).
fn round_percent(fraction: f64) -> f64 {
    (fraction * 100.0 * 1e9).round() / 1e9
}

/// One stored anomaly (`GET /api/v1/anomalies`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnomalyView {
    pub well_id: WellId,
    pub well_name: String,
    pub field: Field,
    /// Unit of `value`, `expected` and `stddev` (e.g. `bbl/d`).
    pub unit: String,
    /// The flagged local day.
    pub day: NaiveDate,
    /// The day's producing-day rate (volume / hours on x 24; the day's value when it produced all day).
    pub value: f64,
    /// The day's hours on production, h.
    pub hours_on: f64,
    /// `(value - expected) / stddev`: positive for a spike, negative for a drop.
    pub z: f64,
    /// What the trailing window's least-squares line predicts for the day, and the standard error of that
    /// prediction.
    pub expected: f64,
    pub stddev: f64,
    /// Producing days in the trailing window.
    pub window_points: u32,
    pub severity: Severity,
    pub direction: AnomalyDirection,
    pub detected_at: DateTime<Utc>,
}

impl AnomalyView {
    pub fn new(
        well_id: WellId,
        well_name: String,
        field: Field,
        anomaly: &Anomaly,
        detected_at: DateTime<Utc>,
    ) -> Self {
        Self {
            well_id,
            well_name,
            field,
            unit: field.unit().to_owned(),
            day: anomaly.day,
            value: anomaly.value,
            hours_on: anomaly.hours_on,
            z: anomaly.z,
            expected: anomaly.expected,
            stddev: anomaly.stddev,
            window_points: u32::try_from(anomaly.window_points).unwrap_or(u32::MAX),
            severity: anomaly.severity,
            direction: anomaly.direction,
            detected_at,
        }
    }
}

/// One recorded job run (`GET /api/v1/admin/jobs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobRunView {
    pub id: uuid::Uuid,
    /// `daily`, `weekly`, `monthly`, `dirty` or `backfill`.
    pub job: String,
    pub started_at: DateTime<Utc>,
    /// `null` while running.
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_seconds: Option<f64>,
    /// `running`, `succeeded` or `failed`.
    pub status: String,
    /// Rows written (month groups for the aggregation jobs).
    pub rows: u64,
    /// What failed, or a short summary.
    pub message: Option<String>,
}

/// Body of `POST /api/v1/admin/backfill`: the local dates to recompute (whole months); by default every month the
/// stored readings touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackfillRequest {
    #[serde(default)]
    pub from: Option<NaiveDate>,
    #[serde(default)]
    pub to: Option<NaiveDate>,
}

/// Answer of `POST /api/v1/admin/backfill` (202): the backfill runs in the background; its run is listed by
/// `GET /api/v1/admin/jobs?job=backfill`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackfillAccepted {
    /// Always `backfill`.
    pub job: String,
    pub started_at: DateTime<Utc>,
    /// Wells of the tenant it recomputes.
    pub wells: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::aggregation::{PeriodWindow, Stats};
    use crate::analytics::trend::{TrendConfig, compute_trend};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 3, d).unwrap()
    }

    #[test]
    fn aggregate_view_names_units_and_nulls_a_single_value_spread() {
        let tz = chrono_tz::America::Chicago;
        let single = TimeSeriesAggregate {
            well_id: WellId(uuid::Uuid::nil()),
            period: PeriodWindow::for_date(Period::Daily, day(10), tz),
            field: Field::OilBbl,
            stats: Stats::single(120.0),
            entries: 1,
        };
        let v = AggregateView::new(&single);
        assert_eq!((v.unit.as_str(), v.sum_unit.as_str()), ("bbl/d", "bbl/d"));
        assert_eq!(v.stddev, None);
        assert!(v.complete);
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["stddev"], serde_json::Value::Null);
        assert_eq!(json["period"], "daily");
        assert_eq!(json["period_start"], "2025-03-10");
        let weekly = TimeSeriesAggregate {
            period: PeriodWindow::for_date(Period::Weekly, day(10), tz),
            stats: Stats::from_values([100.0, 110.0]).unwrap(),
            entries: 2,
            ..single
        };
        let v = AggregateView::new(&weekly);
        assert_eq!(v.sum_unit, "bbl");
        assert!(!v.complete, "2 of 7 days");
        assert!(v.stddev.is_some());
    }

    #[test]
    fn trend_detail_flags_too_few_points_and_downtime() {
        let points = [DailyPoint::new(day(20), 100.0, 24.0), DailyPoint::new(day(21), 0.0, 0.0)];
        let trend = compute_trend(&points, day(25), &TrendConfig::default());
        let d = TrendDetail::new(WellId(uuid::Uuid::nil()), "W".into(), Field::OilBbl, &points, &trend);
        assert!(d.insufficient_data);
        assert!(d.message.is_some());
        assert_eq!(d.trend_line, None);
        assert_eq!((d.min, d.max), (Some(100.0), Some(100.0)), "the downtime day is not the minimum");
        assert!(d.points[1].downtime);
    }

    #[test]
    fn directions_and_models_round_trip_their_wire_names() {
        for d in [TrendDirection::Up, TrendDirection::Flat, TrendDirection::Down, TrendDirection::InsufficientData] {
            assert_eq!(parse_trend_direction(trend_direction_str(d)), Ok(d));
            assert_eq!(serde_json::to_value(d).unwrap(), trend_direction_str(d));
        }
        assert!(parse_trend_direction("sideways").is_err());
        assert_eq!("arps".parse::<ForecastModelKind>(), Ok(ForecastModelKind::Arps));
        assert!("prophet".parse::<ForecastModelKind>().is_err());
        assert_eq!(round_percent(0.95), 95.0);
    }
}
