//! Production forecasts with exponential smoothing (ETS): augurs-ets `AutoETS` over the daily values of one well and
//! one field, with prediction intervals, fit statistics, a naive baseline and a rolling-origin backtest so users can
//! see how far to trust the line.
//!
//! # Input
//! A series of [`DailyPoint`]s (see [`crate::analytics::trend`]): one per calendar day, in any order.
//! - **Downtime and bad values are dropped first.** Downtime days (`hours_on == 0`, or a negative or non-finite
//!   `hours_on`) and points whose value is not finite are left out; the model sees the values of producing days only,
//!   in day order, as consecutive steps (a gap or a shut-in is not bridged with zeros, it is simply skipped). The
//!   counts of dropped points are in [`ForecastMetadata`]. If a day occurs more than once, the last usable point of
//!   that day in input order is used.
//! - **At least [`MIN_FORECAST_POINTS`] (8) usable points**, else [`ForecastError::InsufficientData`]: never a panic.
//! - **"As of".** The last day of the series (the latest day among all the points, downtime included) is the "as
//!   of" day; forecast day `i` (1-based) is `as_of + i`. Nothing here reads a clock.
//!
//! # Model
//! `AutoETS::new(1, "ZZN")` ([`ETS_SPEC`]): non-seasonal, error additive or multiplicative, trend none, additive or
//! additive damped, chosen by the smallest AICc, exactly as statsforecast's `AutoETS(season_length=1, model="ZZN")`
//! (multiplicative error only when every value is positive; multiplicative trend excluded). The "ANN" spec is not
//! used: augurs-ets 0.10.3 returns "no model found" for any spec whose trend letter is N. The chosen model is named
//! in the usual notation: error, trend (`Ad` for damped), season, e.g. `"AAdN"`, `"MNN"`.
//!
//! # Forecast
//! [`ForecastModel::generate_forecast`] takes 1 to 90 days ([`MAX_HORIZON_DAYS`]; default 7,
//! [`DEFAULT_HORIZON_DAYS`]) and gives, for each day, the point forecast and the prediction interval at the model's
//! level (default 95%, configurable from 80% to 99% with [`ForecastConfig`]). Rates cannot be negative, so **the
//! point and both bounds are clamped at zero** (`max(0, x)` each); [`ForecastModel::raw_forecast`] gives the
//! unclamped figures.
//!
//! # Fit statistics and trust
//! - `aicc`: of the chosen model, in the convention of statsforecast and R's `forecast::ets` (sigma counted as a
//!   parameter; augurs-ets 0.10.3 reports 2 less, which ranks models the same way).
//! - `in_sample_mae` / `in_sample_rmse`: one-step-ahead fitted values vs the actual values, over every used point.
//! - **Backtest** (rolling origin, [`BacktestScore`]): with `h` = the config's `backtest_horizon_days` (default 7) and
//!   `n` usable points, every origin `t` (the number of points trained on) with `t >= 8` and `t + h <= n` is
//!   available; the last `k = min(backtest_origins, available)` of them are used (default at most 10), i.e.
//!   `t = n - h - k + 1 ..= n - h`, one day apart. At each origin the model is refitted on the first `t` points
//!   (by default the whole AutoETS search, [`BacktestRefit::Search`]; [`BacktestRefit::SelectedForm`] refits only the
//!   form chosen on the full series, re-estimating its parameters: 4 to 8 times cheaper, slightly optimistic) and
//!   forecasts steps 1..=h; the clamped forecasts are compared with the actual points `t..t + h`. The score pools all
//!   `k x h` (origin, step) pairs: `mae = mean |actual - forecast|`, `rmse = sqrt(mean (actual - forecast)^2)`,
//!   `coverage` = share of actuals inside the clamped interval at the model's level. An origin whose fit fails is
//!   skipped and counted in `failed_origins`. No available origin (fewer than `8 + h` points) or `backtest_origins =
//!   0` gives no backtest (`None`).
//! - **Naive baseline** ([`NaiveBaseline`]): the last-value forecast (every future day = the last usable value),
//!   scored over exactly the same (origin, step) pairs as the backtest (the forecast from origin `t` is the value of
//!   point `t - 1`). When the naive MAE is lower than the model's, the model does not beat "no change";
//!   `mae_ratio = mae / naive_mae` says by how much (below 1: ETS is better).
//!
//! Every figure in the output is finite; a fit that would give anything else is an error.
//!
//! # Reference and cost
//! `shared/tests/ets_vectors.rs` checks the chosen model, AICc, fitted values, point forecasts and 80%/95% bounds
//! against statsforecast's AutoETS (vectors in `shared/tests/fixtures/`, with the generating script): they agree to
//! about 1e-14 relative. Release build on this 2-core machine, 90 points: one AutoETS search 1.2 to 2 ms; with the
//! default 10-origin backtest 12 to 19 ms ([`BacktestRefit::Search`]) or 3 to 5 ms ([`BacktestRefit::SelectedForm`]).

use augurs_core::{Fit, Predict};
use augurs_ets::model::{ErrorComponent, TrendComponent, Unfit};
use augurs_ets::{AutoETS, FittedAutoETS};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::trend::DailyPoint;

/// The fewest usable (producing, finite) points a model is fitted to.
pub const MIN_FORECAST_POINTS: usize = 8;
/// Forecast horizon limits and default, in days.
pub const MIN_HORIZON_DAYS: u32 = 1;
pub const MAX_HORIZON_DAYS: u32 = 90;
pub const DEFAULT_HORIZON_DAYS: u32 = 7;
/// Prediction interval level limits and default (fractions: 0.95 = 95%).
pub const MIN_LEVEL: f64 = 0.80;
pub const MAX_LEVEL: f64 = 0.99;
pub const DEFAULT_LEVEL: f64 = 0.95;
/// The AutoETS search specification (see the module documentation for why not "ANN").
pub const ETS_SPEC: &str = "ZZN";
/// Default and largest number of rolling origins of the backtest.
pub const DEFAULT_BACKTEST_ORIGINS: usize = 10;
pub const MAX_BACKTEST_ORIGINS: usize = 30;

/// Why a forecast could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ForecastError {
    #[error("insufficient data: {usable} usable daily values (producing, finite), at least {required} needed")]
    InsufficientData { usable: usize, required: usize },
    #[error("forecast days must be between 1 and 90, got {0}")]
    Horizon(u32),
    #[error("level must be between 0.80 and 0.99 (80% to 99%), got {0}")]
    Level(f64),
    #[error("backtest origins must be between 0 and 30, got {0}")]
    BacktestOrigins(usize),
    #[error("forecast days run past the last representable date")]
    DateOutOfRange,
    #[error("ETS model could not be fitted: {0}")]
    Model(String),
}

/// How a [`ForecastModel`] is fitted and scored. Valid by construction; the default is a 95% interval, a 7-day
/// backtest horizon and at most 10 backtest origins.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ForecastConfig {
    level: f64,
    backtest_horizon_days: u32,
    backtest_origins: usize,
    backtest_refit: BacktestRefit,
}

/// What the backtest refits at each origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BacktestRefit {
    /// The whole AutoETS search (model form and parameters): an honest out-of-sample score. About 1.5 ms per origin
    /// for 90 points (release build).
    #[default]
    Search,
    /// Only the model form chosen on the full series, parameters re-estimated: 0.1 to 0.4 ms per origin, slightly
    /// optimistic (the form was chosen with the held-out days in view).
    SelectedForm,
}

impl Default for ForecastConfig {
    fn default() -> Self {
        Self {
            level: DEFAULT_LEVEL,
            backtest_horizon_days: DEFAULT_HORIZON_DAYS,
            backtest_origins: DEFAULT_BACKTEST_ORIGINS,
            backtest_refit: BacktestRefit::Search,
        }
    }
}

impl ForecastConfig {
    /// `level`: of the prediction intervals, a fraction from 0.80 to 0.99; `backtest_horizon_days`: 1 to 90;
    /// `backtest_origins`: at most this many rolling origins (0 to 30; 0 turns the backtest off, which saves the
    /// refits: each origin costs one AutoETS search).
    pub fn new(level: f64, backtest_horizon_days: u32, backtest_origins: usize) -> Result<Self, ForecastError> {
        check_level(level)?;
        check_horizon(backtest_horizon_days)?;
        if backtest_origins > MAX_BACKTEST_ORIGINS {
            return Err(ForecastError::BacktestOrigins(backtest_origins));
        }
        Ok(Self { level, backtest_horizon_days, backtest_origins, backtest_refit: BacktestRefit::Search })
    }

    /// The default configuration with another interval level (0.80 to 0.99).
    pub fn with_level(level: f64) -> Result<Self, ForecastError> {
        let default = Self::default();
        Self::new(level, default.backtest_horizon_days, default.backtest_origins)
    }

    pub fn level(&self) -> f64 {
        self.level
    }

    pub fn backtest_horizon_days(&self) -> u32 {
        self.backtest_horizon_days
    }

    pub fn backtest_origins(&self) -> usize {
        self.backtest_origins
    }

    /// The same configuration with another backtest refit mode.
    pub fn with_backtest_refit(self, backtest_refit: BacktestRefit) -> Self {
        Self { backtest_refit, ..self }
    }

    pub fn backtest_refit(&self) -> BacktestRefit {
        self.backtest_refit
    }
}

fn check_level(level: f64) -> Result<(), ForecastError> {
    if (MIN_LEVEL..=MAX_LEVEL).contains(&level) { Ok(()) } else { Err(ForecastError::Level(level)) }
}

fn check_horizon(days: u32) -> Result<(), ForecastError> {
    if (MIN_HORIZON_DAYS..=MAX_HORIZON_DAYS).contains(&days) { Ok(()) } else { Err(ForecastError::Horizon(days)) }
}

/// One forecast day: point forecast and prediction interval, all clamped at zero.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ForecastPoint {
    pub day: NaiveDate,
    pub value: f64,
    pub lower: f64,
    pub upper: f64,
}

/// The prediction interval of a forecast as two series (for a chart band).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfidenceBounds {
    /// The interval level, a fraction (0.95 = 95%).
    pub level: f64,
    pub days: Vec<NaiveDate>,
    /// Clamped at zero.
    pub lower: Vec<f64>,
    /// Clamped at zero.
    pub upper: Vec<f64>,
}

/// Unclamped model output over `1..=h` steps: what augurs-ets (and statsforecast) compute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawForecast {
    pub level: f64,
    pub mean: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

/// The rolling-origin backtest (see the module documentation for the exact procedure).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BacktestScore {
    /// What was refitted at each origin.
    pub refit: BacktestRefit,
    /// `h`: steps forecast from each origin.
    pub horizon_days: u32,
    /// `k`: origins scored (failed ones excluded).
    pub origins: usize,
    /// Origins whose AutoETS fit failed (skipped).
    pub failed_origins: usize,
    /// The last day trained on at the first and at the last origin used.
    pub first_origin_day: NaiveDate,
    pub last_origin_day: NaiveDate,
    /// Mean absolute error over all `origins x horizon_days` (origin, step) pairs.
    pub mae: f64,
    pub rmse: f64,
    /// Share (0 to 1) of the actual values inside the prediction interval at the model's level.
    pub coverage: f64,
    /// The naive last-value forecast over the same pairs.
    pub naive_mae: f64,
    pub naive_rmse: f64,
    /// `mae / naive_mae`: below 1 the model beats "no change". `None` when the naive MAE is 0.
    pub mae_ratio: Option<f64>,
}

/// The naive last-value forecast: every future day equals the last usable value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NaiveBaseline {
    pub value: f64,
    /// Its MAE over the backtest's (origin, step) pairs; `None` without a backtest.
    pub backtest_mae: Option<f64>,
}

/// What was fitted and how well: shown beside every forecast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastMetadata {
    /// The chosen model, e.g. `"AAdN"` (error, trend with `d` if damped, season).
    pub model: String,
    /// The AutoETS search specification (`"ZZN"`).
    pub spec: String,
    pub aicc: f64,
    /// Usable points the model was fitted to.
    pub n_observations: usize,
    /// Points dropped as downtime (`hours_on == 0`).
    pub dropped_downtime: usize,
    /// Producing points dropped because the value was not finite.
    pub dropped_non_finite: usize,
    pub first_observation_day: NaiveDate,
    pub last_observation_day: NaiveDate,
    /// The last day of the series (downtime included); forecasts start the day after.
    pub as_of: NaiveDate,
    /// Interval level of the model's forecasts (fraction).
    pub level: f64,
    pub in_sample_mae: f64,
    pub in_sample_rmse: f64,
    pub naive_baseline: NaiveBaseline,
    /// `None` when the series is too short for one origin or the backtest is turned off.
    pub backtest: Option<BacktestScore>,
}

/// A forecast from a [`ForecastModel`]. Serialised in snake_case; never holds NaN or infinity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    pub as_of: NaiveDate,
    pub horizon_days: u32,
    /// Interval level (fraction).
    pub level: f64,
    pub points: Vec<ForecastPoint>,
    pub metadata: ForecastMetadata,
}

impl Forecast {
    /// The lower and upper series of this forecast (the spec's `getConfidenceBounds` on a generated forecast).
    pub fn confidence_bounds(&self) -> ConfidenceBounds {
        ConfidenceBounds {
            level: self.level,
            days: self.points.iter().map(|p| p.day).collect(),
            lower: self.points.iter().map(|p| p.lower).collect(),
            upper: self.points.iter().map(|p| p.upper).collect(),
        }
    }
}

/// An AutoETS model fitted to one well's daily series, with its metadata. Immutable: forecasts are computed on
/// demand (cheap), so one model can serve any horizon and be shared between threads.
#[derive(Debug, Clone)]
pub struct ForecastModel {
    config: ForecastConfig,
    fitted: FittedAutoETS,
    fitted_values: Vec<f64>,
    metadata: ForecastMetadata,
}

/// The usable series: producing days with a finite value, one per day, in day order.
struct CleanSeries {
    days: Vec<NaiveDate>,
    values: Vec<f64>,
    dropped_downtime: usize,
    dropped_non_finite: usize,
    as_of: NaiveDate,
}

fn clean(points: &[DailyPoint]) -> Option<CleanSeries> {
    let as_of = points.iter().map(|p| p.day).max()?;
    let dropped_downtime = points.iter().filter(|p| p.is_downtime()).count();
    let dropped_non_finite = points.iter().filter(|p| !p.is_downtime() && !p.value.is_finite()).count();
    // Stable sort by day, then keep the last point of each day (input order).
    let mut usable: Vec<(NaiveDate, f64)> = points.iter().filter(|p| p.is_usable()).map(|p| (p.day, p.value)).collect();
    usable.sort_by_key(|u| u.0);
    let mut days: Vec<NaiveDate> = Vec::with_capacity(usable.len());
    let mut values: Vec<f64> = Vec::with_capacity(usable.len());
    for (day, value) in usable {
        if days.last() == Some(&day) {
            if let Some(last) = values.last_mut() {
                *last = value;
            }
        } else {
            days.push(day);
            values.push(value);
        }
    }
    Some(CleanSeries { days, values, dropped_downtime, dropped_non_finite, as_of })
}

fn model_error(e: augurs_ets::Error) -> ForecastError {
    ForecastError::Model(e.to_string())
}

fn search() -> Result<AutoETS, ForecastError> {
    AutoETS::new(1, ETS_SPEC).map_err(model_error)
}

fn model_name(fitted: &FittedAutoETS) -> String {
    let model = fitted.model();
    let ty = model.model_type();
    let error = match ty.error {
        ErrorComponent::Additive => "A",
        ErrorComponent::Multiplicative => "M",
    };
    let trend = match (ty.trend, model.damped()) {
        (TrendComponent::None, _) => "N",
        (TrendComponent::Additive, false) => "A",
        (TrendComponent::Additive, true) => "Ad",
        (TrendComponent::Multiplicative, false) => "M",
        (TrendComponent::Multiplicative, true) => "Md",
    };
    format!("{error}{trend}{}", ty.season)
}

fn all_finite(values: &[f64]) -> bool {
    values.iter().all(|v| v.is_finite())
}

/// Unclamped `h`-step forecast with intervals at `level` from a fitted model.
fn predict_raw(
    fitted: &impl Predict<Error = augurs_ets::Error>,
    h: usize,
    level: f64,
) -> Result<RawForecast, ForecastError> {
    let fc = fitted.predict(h, level).map_err(model_error)?;
    let intervals = fc.intervals.ok_or_else(|| ForecastError::Model("no prediction intervals".into()))?;
    let raw = RawForecast { level, mean: fc.point, lower: intervals.lower, upper: intervals.upper };
    let complete = raw.mean.len() == h && raw.lower.len() == h && raw.upper.len() == h;
    if !complete || !all_finite(&raw.mean) || !all_finite(&raw.lower) || !all_finite(&raw.upper) {
        return Err(ForecastError::Model("forecast is not finite".into()));
    }
    Ok(raw)
}

/// Squared and absolute error sums of (actual, forecast) pairs.
#[derive(Default)]
struct ErrorSums {
    n: usize,
    abs: f64,
    sq: f64,
}

impl ErrorSums {
    fn add(&mut self, actual: f64, forecast: f64) {
        let e = actual - forecast;
        self.n += 1;
        self.abs += e.abs();
        self.sq += e * e;
    }

    fn mae(&self) -> f64 {
        if self.n == 0 { 0.0 } else { self.abs / self.n as f64 }
    }

    fn rmse(&self) -> f64 {
        if self.n == 0 { 0.0 } else { (self.sq / self.n as f64).sqrt() }
    }
}

/// One origin's unclamped forecast: refit on `train` per `refit`, forecast `h` steps.
fn origin_forecast(
    train: &[f64],
    h: usize,
    config: &ForecastConfig,
    search: &AutoETS,
    selected: &FittedAutoETS,
) -> Result<RawForecast, ForecastError> {
    match config.backtest_refit {
        BacktestRefit::Search => predict_raw(&search.fit(train).map_err(model_error)?, h, config.level),
        BacktestRefit::SelectedForm => {
            let chosen = selected.model();
            let model = Unfit::new(chosen.model_type()).damped(chosen.damped()).fit(train).map_err(model_error)?;
            predict_raw(&model, h, config.level)
        }
    }
}

fn backtest(
    series: &CleanSeries,
    config: &ForecastConfig,
    selected: &FittedAutoETS,
) -> Result<Option<BacktestScore>, ForecastError> {
    let n = series.values.len();
    let h = config.backtest_horizon_days as usize;
    if config.backtest_origins == 0 || n < MIN_FORECAST_POINTS + h {
        return Ok(None);
    }
    let available = n - h - MIN_FORECAST_POINTS + 1;
    let k = config.backtest_origins.min(available);
    let search = search()?;
    let (mut ets, mut naive) = (ErrorSums::default(), ErrorSums::default());
    let (mut inside, mut origins, mut failed) = (0usize, 0usize, 0usize);
    let (mut first_origin, mut last_origin) = (None, None);
    for t in (n - h - k + 1)..=(n - h) {
        let train = &series.values[..t];
        let actual = &series.values[t..t + h];
        let raw = match origin_forecast(train, h, config, &search, selected) {
            Ok(raw) => raw,
            Err(_) => {
                failed += 1;
                continue;
            }
        };
        let last_value = train[t - 1];
        for (i, &a) in actual.iter().enumerate() {
            let (point, lower, upper) = (raw.mean[i].max(0.0), raw.lower[i].max(0.0), raw.upper[i].max(0.0));
            ets.add(a, point);
            naive.add(a, last_value);
            if a >= lower && a <= upper {
                inside += 1;
            }
        }
        origins += 1;
        first_origin.get_or_insert(series.days[t - 1]);
        last_origin = Some(series.days[t - 1]);
    }
    let (Some(first_origin_day), Some(last_origin_day)) = (first_origin, last_origin) else {
        return Ok(None);
    };
    let (mae, naive_mae) = (ets.mae(), naive.mae());
    let mae_ratio = (naive_mae > 0.0).then(|| mae / naive_mae).filter(|r| r.is_finite());
    let score = BacktestScore {
        refit: config.backtest_refit,
        horizon_days: config.backtest_horizon_days,
        origins,
        failed_origins: failed,
        first_origin_day,
        last_origin_day,
        mae,
        rmse: ets.rmse(),
        coverage: inside as f64 / ets.n as f64,
        naive_mae,
        naive_rmse: naive.rmse(),
        mae_ratio,
    };
    let figures = [score.mae, score.rmse, score.coverage, score.naive_mae, score.naive_rmse];
    if all_finite(&figures) { Ok(Some(score)) } else { Err(ForecastError::Model("backtest is not finite".into())) }
}

impl ForecastModel {
    /// Fits AutoETS ("ZZN") to the usable points of `points` with the default configuration (95% intervals, backtest
    /// over at most 10 origins of 7 days).
    pub fn fit(points: &[DailyPoint]) -> Result<Self, ForecastError> {
        Self::fit_with_config(points, ForecastConfig::default())
    }

    /// Fits AutoETS ("ZZN") to the usable points of `points`; see the module documentation for the rules.
    pub fn fit_with_config(points: &[DailyPoint], config: ForecastConfig) -> Result<Self, ForecastError> {
        let series =
            clean(points).ok_or(ForecastError::InsufficientData { usable: 0, required: MIN_FORECAST_POINTS })?;
        let n = series.values.len();
        if n < MIN_FORECAST_POINTS {
            return Err(ForecastError::InsufficientData { usable: n, required: MIN_FORECAST_POINTS });
        }
        let fitted = search()?.fit(&series.values).map_err(model_error)?;
        let fitted_values = fitted.predict_in_sample(None).map_err(model_error)?.point;
        // statsforecast's and R's AICc count sigma among the parameters in both terms; augurs-ets 0.10.3 leaves it
        // out of AIC's `2k` term (but not of the correction), so its AICc is exactly 2 lower. Same ranking; the
        // reported figure follows the usual convention.
        let aicc = fitted.model().aicc() + 2.0;
        if fitted_values.len() != n || !all_finite(&fitted_values) || !aicc.is_finite() {
            return Err(ForecastError::Model("fit is not finite".into()));
        }
        let mut in_sample = ErrorSums::default();
        for (&a, &f) in series.values.iter().zip(&fitted_values) {
            in_sample.add(a, f);
        }
        let backtest = backtest(&series, &config, &fitted)?;
        let (Some(&first_observation_day), Some(&last_observation_day), Some(&last_value)) =
            (series.days.first(), series.days.last(), series.values.last())
        else {
            return Err(ForecastError::InsufficientData { usable: n, required: MIN_FORECAST_POINTS });
        };
        let metadata = ForecastMetadata {
            model: model_name(&fitted),
            spec: ETS_SPEC.to_string(),
            aicc,
            n_observations: n,
            dropped_downtime: series.dropped_downtime,
            dropped_non_finite: series.dropped_non_finite,
            first_observation_day,
            last_observation_day,
            as_of: series.as_of,
            level: config.level,
            in_sample_mae: in_sample.mae(),
            in_sample_rmse: in_sample.rmse(),
            naive_baseline: NaiveBaseline { value: last_value, backtest_mae: backtest.map(|b| b.naive_mae) },
            backtest,
        };
        Ok(Self { config, fitted, fitted_values, metadata })
    }

    pub fn config(&self) -> &ForecastConfig {
        &self.config
    }

    pub fn metadata(&self) -> &ForecastMetadata {
        &self.metadata
    }

    /// The chosen model's name, e.g. `"AAdN"`.
    pub fn model_name(&self) -> &str {
        &self.metadata.model
    }

    pub fn as_of(&self) -> NaiveDate {
        self.metadata.as_of
    }

    /// One-step-ahead fitted values, one per usable point (in day order).
    pub fn fitted_values(&self) -> &[f64] {
        &self.fitted_values
    }

    /// The unclamped model output for `days` (1 to 90) steps at `level` (0.80 to 0.99): for diagnostics and for
    /// comparison with other ETS implementations. Step `i` is the day `as_of + i`.
    pub fn raw_forecast(&self, days: u32, level: f64) -> Result<RawForecast, ForecastError> {
        check_horizon(days)?;
        check_level(level)?;
        predict_raw(&self.fitted, days as usize, level)
    }

    /// The forecast for the `days` (1 to 90) days after the "as of" day, at the model's level (95% by default), with
    /// the point and both bounds clamped at zero, and the model's metadata.
    pub fn generate_forecast(&self, days: u32) -> Result<Forecast, ForecastError> {
        let raw = self.raw_forecast(days, self.config.level)?;
        let mut points = Vec::with_capacity(raw.mean.len());
        for (i, ((&value, &lower), &upper)) in raw.mean.iter().zip(&raw.lower).zip(&raw.upper).enumerate() {
            let day = self.as_of().checked_add_days(Days::new(i as u64 + 1)).ok_or(ForecastError::DateOutOfRange)?;
            points.push(ForecastPoint { day, value: value.max(0.0), lower: lower.max(0.0), upper: upper.max(0.0) });
        }
        Ok(Forecast {
            as_of: self.as_of(),
            horizon_days: days,
            level: self.config.level,
            points,
            metadata: self.metadata.clone(),
        })
    }

    /// The spec's `getConfidenceBounds`: the lower and upper series (clamped at zero) of the `days`-day forecast at
    /// the model's level; the same figures as `generate_forecast(days)?.confidence_bounds()`. The model keeps no
    /// "last forecast" state, so the horizon is an argument; the level is the model's (set in [`ForecastConfig`]).
    pub fn confidence_bounds(&self, days: u32) -> Result<ConfidenceBounds, ForecastError> {
        Ok(self.generate_forecast(days)?.confidence_bounds())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::test_support::noise;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn series(start: NaiveDate, values: &[f64]) -> Vec<DailyPoint> {
        values.iter().enumerate().map(|(i, &v)| DailyPoint::new(start + Days::new(i as u64), v, 24.0)).collect()
    }

    fn decline(n: usize) -> Vec<f64> {
        noise(n, 7).iter().enumerate().map(|(t, e)| 900.0 * (-0.005 * t as f64).exp() + 15.0 * e).collect()
    }

    #[test]
    fn insufficient_data_is_an_error() {
        let start = d(2024, 1, 1);
        assert_eq!(
            ForecastModel::fit(&[]).unwrap_err(),
            ForecastError::InsufficientData { usable: 0, required: MIN_FORECAST_POINTS }
        );
        let seven = series(start, &[5.0, 6.0, 7.0, 6.0, 5.0, 6.0, 7.0]);
        assert_eq!(ForecastModel::fit(&seven).unwrap_err(), ForecastError::InsufficientData { usable: 7, required: 8 });
        // Ten points, three of them downtime or NaN: seven usable.
        let mut pts = series(start, &[5.0, 6.0, 7.0, 6.0, 5.0, 6.0, 7.0, 6.0, 5.0, 6.0]);
        pts[2].hours_on = 0.0;
        pts[4].value = f64::NAN;
        pts[6].value = f64::INFINITY;
        assert_eq!(ForecastModel::fit(&pts).unwrap_err(), ForecastError::InsufficientData { usable: 7, required: 8 });
    }

    #[test]
    fn horizon_and_level_are_checked() {
        let model = ForecastModel::fit(&series(d(2024, 1, 1), &decline(40))).unwrap();
        assert_eq!(model.generate_forecast(0).unwrap_err(), ForecastError::Horizon(0));
        assert_eq!(model.generate_forecast(91).unwrap_err(), ForecastError::Horizon(91));
        assert!(model.generate_forecast(0).unwrap_err().to_string().contains("between 1 and 90"));
        assert_eq!(model.generate_forecast(90).unwrap().points.len(), 90);
        assert_eq!(model.generate_forecast(1).unwrap().points.len(), 1);
        assert_eq!(ForecastConfig::with_level(0.5).unwrap_err(), ForecastError::Level(0.5));
        assert_eq!(ForecastConfig::with_level(95.0).unwrap_err(), ForecastError::Level(95.0));
        assert!(ForecastConfig::with_level(f64::NAN).is_err());
        assert!(ForecastConfig::with_level(0.80).is_ok() && ForecastConfig::with_level(0.99).is_ok());
        assert_eq!(ForecastConfig::new(0.95, 7, 31).unwrap_err(), ForecastError::BacktestOrigins(31));
        assert_eq!(ForecastConfig::new(0.95, 0, 10).unwrap_err(), ForecastError::Horizon(0));
        assert!(model.raw_forecast(7, 0.999).is_err());
    }

    #[test]
    fn days_continue_from_the_last_day_of_the_series_and_downtime_is_dropped() {
        let start = d(2024, 2, 20);
        let mut pts = series(start, &decline(30));
        // The last two days are downtime: dropped from the fit, but still the "as of" day.
        pts[28].hours_on = 0.0;
        pts[29].hours_on = 0.0;
        pts[10].value = f64::NAN;
        // Shuffled input order.
        pts.reverse();
        let model = ForecastModel::fit(&pts).unwrap();
        let m = model.metadata();
        assert_eq!(m.n_observations, 27);
        assert_eq!(m.dropped_downtime, 2);
        assert_eq!(m.dropped_non_finite, 1);
        assert_eq!(m.first_observation_day, start);
        assert_eq!(m.last_observation_day, d(2024, 3, 18));
        assert_eq!(m.as_of, d(2024, 3, 20));
        let fc = model.generate_forecast(7).unwrap();
        assert_eq!(fc.as_of, d(2024, 3, 20));
        let days: Vec<NaiveDate> = fc.points.iter().map(|p| p.day).collect();
        assert_eq!(days.first(), Some(&d(2024, 3, 21)));
        assert_eq!(days.last(), Some(&d(2024, 3, 27)));
        assert_eq!(model.fitted_values().len(), 27);
    }

    #[test]
    fn metadata_and_interval_shape() {
        let values = decline(90);
        let model = ForecastModel::fit(&series(d(2024, 1, 1), &values)).unwrap();
        let m = model.metadata();
        assert!(["ANN", "AAN", "AAdN", "MNN", "MAN", "MAdN"].contains(&m.model.as_str()), "{}", m.model);
        assert_eq!(m.spec, "ZZN");
        assert!(m.aicc.is_finite());
        assert!(m.in_sample_mae > 0.0 && m.in_sample_rmse >= m.in_sample_mae);
        assert_eq!(m.naive_baseline.value, values[89]);
        let bt = m.backtest.unwrap();
        assert_eq!((bt.origins, bt.failed_origins, bt.horizon_days), (10, 0, 7));
        // Origins t = 74..=83 points trained on: the last days trained on are days 73 and 82.
        assert_eq!(bt.first_origin_day, d(2024, 1, 1) + Days::new(73));
        assert_eq!(bt.last_origin_day, d(2024, 1, 1) + Days::new(82));
        assert!((0.0..=1.0).contains(&bt.coverage));
        assert_eq!(m.naive_baseline.backtest_mae, Some(bt.naive_mae));
        assert_eq!(bt.mae_ratio, Some(bt.mae / bt.naive_mae));
        // Noise of +-15 around a smooth decline: the in-sample error is of that order.
        assert!(m.in_sample_mae < 15.0, "{}", m.in_sample_mae);

        let fc = model.generate_forecast(DEFAULT_HORIZON_DAYS).unwrap();
        assert_eq!(fc.level, 0.95);
        for p in &fc.points {
            assert!(p.lower <= p.value && p.value <= p.upper, "{p:?}");
        }
        // Wider intervals further out, narrower at a lower level.
        let first = fc.points[0];
        let last = fc.points[6];
        assert!(last.upper - last.lower > first.upper - first.lower);
        let m80 =
            ForecastModel::fit_with_config(&series(d(2024, 1, 1), &values), ForecastConfig::with_level(0.8).unwrap())
                .unwrap();
        let fc80 = m80.generate_forecast(7).unwrap();
        assert_eq!(fc80.points[0].value, first.value);
        assert!(fc80.points[0].upper - fc80.points[0].lower < first.upper - first.lower);

        let bounds = model.confidence_bounds(7).unwrap();
        assert_eq!(bounds, fc.confidence_bounds());
        assert_eq!(bounds.level, 0.95);
        assert_eq!(bounds.lower, fc.points.iter().map(|p| p.lower).collect::<Vec<_>>());
        assert_eq!(bounds.days.len(), 7);
    }

    #[test]
    fn backtest_needs_enough_points_and_can_be_turned_off() {
        let values = decline(20);
        // 20 points, h = 7: origins t = 8..=13, 6 available.
        let model = ForecastModel::fit(&series(d(2024, 1, 1), &values)).unwrap();
        assert_eq!(model.metadata().backtest.map(|b| b.origins), Some(6));
        // 14 points: the first origin (t = 8) needs 8 + 7 = 15 points; no backtest.
        let short = ForecastModel::fit(&series(d(2024, 1, 1), &values[..14])).unwrap();
        assert_eq!(short.metadata().backtest, None);
        assert_eq!(short.metadata().naive_baseline.backtest_mae, None);
        let off =
            ForecastModel::fit_with_config(&series(d(2024, 1, 1), &values), ForecastConfig::new(0.95, 7, 0).unwrap())
                .unwrap();
        assert_eq!(off.metadata().backtest, None);
        let one_day =
            ForecastModel::fit_with_config(&series(d(2024, 1, 1), &values), ForecastConfig::new(0.95, 1, 3).unwrap())
                .unwrap();
        let bt = one_day.metadata().backtest.unwrap();
        assert_eq!((bt.origins, bt.horizon_days, bt.refit), (3, 1, BacktestRefit::Search));
        assert_eq!(bt.last_origin_day, d(2024, 1, 19));
    }

    #[test]
    fn selected_form_backtest_matches_a_search_that_picks_the_same_form() {
        let values = decline(60);
        let pts = series(d(2024, 1, 1), &values);
        let search = ForecastModel::fit(&pts).unwrap();
        let config = ForecastConfig::default().with_backtest_refit(BacktestRefit::SelectedForm);
        assert_eq!(config.backtest_refit(), BacktestRefit::SelectedForm);
        let form = ForecastModel::fit_with_config(&pts, config).unwrap();
        // Same full-series fit either way.
        assert_eq!(form.metadata().model, search.metadata().model);
        assert_eq!(form.generate_forecast(7).unwrap().points, search.generate_forecast(7).unwrap().points);
        let (a, b) = (form.metadata().backtest.unwrap(), search.metadata().backtest.unwrap());
        assert_eq!(a.refit, BacktestRefit::SelectedForm);
        assert_eq!(
            (a.origins, a.first_origin_day, a.last_origin_day),
            (b.origins, b.first_origin_day, b.last_origin_day)
        );
        assert_eq!(a.naive_mae, b.naive_mae);
        assert!(a.mae.is_finite() && (0.0..=1.0).contains(&a.coverage));
    }

    #[test]
    fn clamped_at_zero() {
        // A steep fall to near zero: the trend model's line and lower bound go below zero.
        let values: Vec<f64> =
            (0..30).map(|t| (300.0 - 10.0 * t as f64).max(0.0) + if t % 2 == 0 { 3.0 } else { 0.0 }).collect();
        let model = ForecastModel::fit(&series(d(2024, 1, 1), &values)).unwrap();
        let raw = model.raw_forecast(30, 0.95).unwrap();
        assert!(raw.lower.iter().any(|&l| l < 0.0), "{raw:?}");
        let fc = model.generate_forecast(30).unwrap();
        for (p, (&m, (&l, &u))) in fc.points.iter().zip(raw.mean.iter().zip(raw.lower.iter().zip(&raw.upper))) {
            assert!(p.value >= 0.0 && p.lower >= 0.0 && p.upper >= 0.0);
            assert_eq!((p.value, p.lower, p.upper), (m.max(0.0), l.max(0.0), u.max(0.0)));
        }
    }

    #[test]
    fn awkward_series_do_not_panic() {
        let start = d(2024, 1, 1);
        let cases: Vec<Vec<f64>> = vec![
            vec![100.0; 20],
            vec![0.0; 20],
            (0..20).map(|t| if t % 2 == 0 { 0.0 } else { 50.0 }).collect(),
            (0..20).map(|t| 1e-9 * (1.0 + t as f64)).collect(),
            (0..20).map(|t| 1e9 + 1e6 * t as f64).collect(),
            (0..8).map(|t| t as f64).collect(),
        ];
        for values in cases {
            match ForecastModel::fit(&series(start, &values)) {
                Ok(model) => {
                    let fc = model.generate_forecast(90).unwrap();
                    assert!(
                        fc.points.iter().all(|p| p.value.is_finite() && p.lower.is_finite() && p.upper.is_finite())
                    );
                    assert!(serde_json::to_string(&fc).is_ok());
                }
                Err(e) => assert!(matches!(e, ForecastError::Model(_)), "{values:?}: {e}"),
            }
        }
    }

    #[test]
    fn duplicate_days_keep_the_last_point() {
        let start = d(2024, 1, 1);
        let mut pts = series(start, &decline(12));
        pts.push(DailyPoint::new(start, 5000.0, 24.0));
        let model = ForecastModel::fit(&pts).unwrap();
        assert_eq!(model.metadata().n_observations, 12);
        let other = series(start, &decline(12));
        let mut replaced = other.clone();
        replaced[0].value = 5000.0;
        let expected = ForecastModel::fit(&replaced).unwrap();
        assert_eq!(model.fitted_values(), expected.fitted_values());
    }

    #[test]
    fn serialises_in_snake_case() {
        let model = ForecastModel::fit(&series(d(2024, 1, 1), &decline(40))).unwrap();
        let json = serde_json::to_value(model.generate_forecast(3).unwrap()).unwrap();
        assert_eq!(json["points"][0]["day"], "2024-02-10");
        for key in ["model", "aicc", "in_sample_mae", "in_sample_rmse", "naive_baseline", "backtest", "as_of"] {
            assert!(json["metadata"].get(key).is_some(), "{key}");
        }
        assert!(json["metadata"]["backtest"]["mae_ratio"].is_number());
        assert_eq!(json["metadata"]["backtest"]["refit"], "search");
        let back: Forecast = serde_json::from_value(json).unwrap();
        assert_eq!(back.points.len(), 3);
    }
}
