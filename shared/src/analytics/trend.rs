//! Production trends: an ordinary least squares line through the last `window_days` (default 30) daily values of
//! one well and one field, compared with the `window_days` before them.
//!
//! # Input
//! A series of [`DailyPoint`]s, one per calendar day of the tenant's zone, whose `value` is the day's value per the
//! aggregation rules (the mean of that day's entries: a rate per calendar day, so a part-day of production carries
//! its on-fraction) and whose `hours_on` is the day's hours on production. Days without a point are gaps, not
//! zeros. `hours_on == 0` marks a downtime day. Points may come in any order; points after `as_of` are ignored (no
//! look-ahead), and a point whose value is not finite is ignored as if the day were missing.
//!
//! # Rules
//! - **Windows.** The recent window is the `window_days` calendar days ending on `as_of` (inclusive); the previous
//!   window is the `window_days` days before it. The "as of" day is a parameter: nothing here reads a clock.
//! - **Fit.** OLS of value on `x`, the day index from the recent window's start (`x = 0` on `window_start`). Gaps are
//!   not interpolated: a missing day simply has no point, and the other days keep their own `x`. The intercept is
//!   the fitted value on `window_start`.
//! - **Downtime.** Downtime days (`hours_on == 0`; also a negative or non-finite `hours_on`, which validated entries
//!   never have) are left out of the fit and of both window means, and listed in [`ProductionTrend::downtime_days`]
//!   (recent window). They are never treated as a drop in production.
//! - **Insufficient data.** Fewer than [`MIN_TREND_POINTS`] (3) producing points in the recent window (or points all on
//!   one day) give [`TrendDirection::InsufficientData`] and no fit: never a panic and never NaN.
//! - **Statistics.** `r_squared = 1 - SSE / SST`, clamped to [0, 1]; for a constant series (SST = 0) the line fits
//!   perfectly and `r_squared` is 1. `slope_std_error = sqrt(SSE / (n - 2) / Sxx)`.
//! - **Direction.** `Flat` when the fitted change over the window, `|slope| x window_days`, is within `flat_band`
//!   (default 5%) of the recent mean level, or when the slope is not significant at `confidence` (default 95%,
//!   two-sided Student t test, `df = n - 2`: significant when `|slope / se| > t(1 - (1 - confidence) / 2, n - 2)`; a
//!   perfect line, `se = 0`, is significant when its slope is not 0). Otherwise `Up` when the slope is positive and
//!   `Down` when it is negative.
//! - **Percent change.** `100 x (recent mean - previous mean) / previous mean`, over the producing days of each
//!   window; `None` when either window has no producing day or the previous mean is 0. It is reported beside the
//!   direction, which comes from the fit alone.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// The fewest producing days in the recent window for a fit (two for a line, one more for its standard error).
pub const MIN_TREND_POINTS: usize = 3;

/// One day of one well's series for one field (oil, gas, water, a pressure...).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DailyPoint {
    /// The calendar day in the tenant's time zone.
    pub day: NaiveDate,
    /// The day's value per the aggregation rules: the mean of the day's entries (rates per calendar day).
    pub value: f64,
    /// Hours on production that day (0 to 25; a day can last 25 hours). `0` marks a downtime day.
    pub hours_on: f64,
}

impl DailyPoint {
    pub fn new(day: NaiveDate, value: f64, hours_on: f64) -> Self {
        Self { day, value, hours_on }
    }

    /// A day without production: hours on 0 (or a negative or non-finite figure, which validation never lets in).
    pub fn is_downtime(&self) -> bool {
        self.hours_on.is_nan() || self.hours_on <= 0.0
    }

    /// A producing day with a usable value: what the fit and the anomaly windows take in.
    pub(crate) fn is_usable(&self) -> bool {
        !self.is_downtime() && self.value.is_finite()
    }
}

/// Where a series is heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TrendDirection {
    Up,
    Flat,
    Down,
    /// Fewer than [`MIN_TREND_POINTS`] producing days in the recent window: no line was fitted.
    InsufficientData,
}

/// A trend configuration that could not be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TrendConfigError {
    #[error("window_days must be between 3 and 3660, got {0}")]
    WindowDays(u32),
    #[error("flat_band must be a finite fraction >= 0, got {0}")]
    FlatBand(f64),
    #[error("confidence must be strictly between 0 and 1, got {0}")]
    Confidence(f64),
}

/// How a trend is computed. Valid by construction; the default is 30 days, a 5% flat band and 95% confidence.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TrendConfig {
    window_days: u32,
    flat_band: f64,
    confidence: f64,
}

impl Default for TrendConfig {
    fn default() -> Self {
        Self { window_days: 30, flat_band: 0.05, confidence: 0.95 }
    }
}

impl TrendConfig {
    /// `window_days`: length of each of the two windows (3 to 3660); `flat_band`: the fitted change over the window,
    /// as a fraction of the mean level, under which the trend is flat (0.05 = 5%); `confidence`: of the slope's
    /// significance test (0.95 = 95%).
    pub fn new(window_days: u32, flat_band: f64, confidence: f64) -> Result<Self, TrendConfigError> {
        if !(3..=3660).contains(&window_days) {
            return Err(TrendConfigError::WindowDays(window_days));
        }
        if !(flat_band.is_finite() && flat_band >= 0.0) {
            return Err(TrendConfigError::FlatBand(flat_band));
        }
        if !(confidence > 0.0 && confidence < 1.0) {
            return Err(TrendConfigError::Confidence(confidence));
        }
        Ok(Self { window_days, flat_band, confidence })
    }

    pub fn window_days(&self) -> u32 {
        self.window_days
    }

    pub fn flat_band(&self) -> f64 {
        self.flat_band
    }

    pub fn confidence(&self) -> f64 {
        self.confidence
    }
}

/// An ordinary least squares line `y = intercept + slope x`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LinearFit {
    /// Points fitted.
    pub n: usize,
    pub slope: f64,
    pub intercept: f64,
    /// In [0, 1]; 1 for a constant series (the line fits it exactly).
    pub r_squared: f64,
    /// `sqrt(SSE / (n - 2) / Sxx)`; 0 for a perfect line.
    pub slope_std_error: f64,
}

impl LinearFit {
    pub fn value_at(&self, x: f64) -> f64 {
        self.intercept + self.slope * x
    }
}

/// OLS through `(x, y)` pairs. `None` with fewer than [`MIN_TREND_POINTS`] pairs, when every `x` is the same, or when
/// a figure is not finite (the result would not be).
pub fn ols(points: &[(f64, f64)]) -> Option<LinearFit> {
    let n = points.len();
    if n < MIN_TREND_POINTS || points.iter().any(|(x, y)| !x.is_finite() || !y.is_finite()) {
        return None;
    }
    let nf = n as f64;
    let x_mean = points.iter().map(|p| p.0).sum::<f64>() / nf;
    let y_mean = points.iter().map(|p| p.1).sum::<f64>() / nf;
    // Centred sums: stable when x is a day index and y a large rate.
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for &(x, y) in points {
        let (dx, dy) = (x - x_mean, y - y_mean);
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    if sxx <= 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    let intercept = y_mean - slope * x_mean;
    let sse: f64 = points.iter().map(|&(x, y)| (y - intercept - slope * x).powi(2)).sum();
    let r_squared = if syy > 0.0 { (1.0 - sse / syy).clamp(0.0, 1.0) } else { 1.0 };
    let slope_std_error = (sse / (nf - 2.0) / sxx).sqrt();
    let fit = LinearFit { n, slope, intercept, r_squared, slope_std_error };
    [slope, intercept, slope_std_error].iter().all(|v| v.is_finite()).then_some(fit)
}

/// The two-sided critical value of Student's t: the `1 - (1 - confidence) / 2` quantile with `df` degrees of
/// freedom. Infinite (nothing is significant) if `df` is not positive.
pub fn t_critical(confidence: f64, df: f64) -> f64 {
    match StudentsT::new(0.0, 1.0, df) {
        Ok(t) => t.inverse_cdf(1.0 - (1.0 - confidence) / 2.0),
        Err(_) => f64::INFINITY,
    }
}

/// One end of the fitted line, for drawing it over a chart.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrendLinePoint {
    pub day: NaiveDate,
    pub value: f64,
}

/// The fitted line of the recent window and what the direction rule made of it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrendFit {
    /// Change of the value per day (the field's unit per day, e.g. BOPD per day).
    pub slope_per_day: f64,
    /// The fitted value on `window_start` (x = 0).
    pub intercept: f64,
    pub r_squared: f64,
    pub slope_std_error: f64,
    /// The two-sided critical t value used (`df = points_used - 2`).
    pub t_critical: f64,
    /// Whether the slope differs from 0 at the configured confidence.
    pub significant: bool,
    /// `100 x slope x window_days / recent mean`: the fitted change over one window as a percentage of the level
    /// (compared with the flat band). `None` when the recent mean is 0.
    pub window_change_percent: Option<f64>,
    /// The line on the first producing day used in the fit (no extrapolation before it; may be negative).
    pub line_start: TrendLinePoint,
    /// The line on the last producing day used in the fit.
    pub line_end: TrendLinePoint,
}

/// The trend of one well's field as of one day. Serialised in snake_case; never holds NaN or infinity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductionTrend {
    pub as_of: NaiveDate,
    pub window_days: u32,
    /// First day of the recent window (x = 0 of the fit).
    pub window_start: NaiveDate,
    /// Last day of the recent window (= `as_of`).
    pub window_end: NaiveDate,
    pub previous_window_start: NaiveDate,
    pub previous_window_end: NaiveDate,
    pub direction: TrendDirection,
    /// Producing days of the recent window that went into the fit.
    pub points_used: usize,
    /// Downtime days (hours on 0) in the recent window, ascending: left out of the fit and the means.
    pub downtime_days: Vec<NaiveDate>,
    /// Days of the recent window with no point at all (gaps).
    pub missing_days: u32,
    /// Mean of the recent window's producing days.
    pub recent_mean: Option<f64>,
    /// Mean of the previous window's producing days.
    pub previous_mean: Option<f64>,
    /// `100 x (recent mean - previous mean) / previous mean`; `None` when a mean is missing or the previous is 0.
    pub percent_change: Option<f64>,
    /// `None` exactly when the direction is `InsufficientData`.
    pub fit: Option<TrendFit>,
}

impl ProductionTrend {
    pub fn slope_per_day(&self) -> Option<f64> {
        self.fit.map(|f| f.slope_per_day)
    }

    pub fn r_squared(&self) -> Option<f64> {
        self.fit.map(|f| f.r_squared)
    }
}

fn sub_days(day: NaiveDate, n: u32) -> NaiveDate {
    day.checked_sub_days(Days::new(u64::from(n))).unwrap_or(NaiveDate::MIN)
}

fn mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let m = values.iter().sum::<f64>() / values.len() as f64;
    m.is_finite().then_some(m)
}

/// The trend of `points` (one well, one field) as of `as_of`; see the module documentation for the rules.
pub fn compute_trend(points: &[DailyPoint], as_of: NaiveDate, config: &TrendConfig) -> ProductionTrend {
    let w = config.window_days;
    let window_start = sub_days(as_of, w - 1);
    let previous_window_end = sub_days(window_start, 1);
    let previous_window_start = sub_days(window_start, w);

    let mut recent: Vec<(NaiveDate, f64)> = Vec::new();
    let mut previous: Vec<f64> = Vec::new();
    let mut downtime_days: Vec<NaiveDate> = Vec::new();
    let mut seen_days: Vec<NaiveDate> = Vec::new();
    for p in points {
        if p.day >= window_start && p.day <= as_of {
            if p.is_downtime() {
                downtime_days.push(p.day);
                seen_days.push(p.day);
            } else if p.value.is_finite() {
                recent.push((p.day, p.value));
                seen_days.push(p.day);
            }
        } else if p.day >= previous_window_start && p.day <= previous_window_end && p.is_usable() {
            previous.push(p.value);
        }
    }
    recent.sort_by_key(|r| r.0);
    downtime_days.sort_unstable();
    downtime_days.dedup();
    seen_days.sort_unstable();
    seen_days.dedup();
    let window_len = (as_of - window_start).num_days() + 1;
    let missing_days = u32::try_from((window_len - seen_days.len() as i64).max(0)).unwrap_or(0);

    let recent_values: Vec<f64> = recent.iter().map(|r| r.1).collect();
    let recent_mean = mean(&recent_values);
    let previous_mean = mean(&previous);
    let percent_change = match (recent_mean, previous_mean) {
        (Some(r), Some(p)) if p != 0.0 => Some(100.0 * (r - p) / p.abs()).filter(|v| v.is_finite()),
        _ => None,
    };

    let xy: Vec<(f64, f64)> = recent.iter().map(|&(d, v)| ((d - window_start).num_days() as f64, v)).collect();
    let fit = ols(&xy).and_then(|line| {
        let first = recent.first()?;
        let last = recent.last()?;
        let level = recent_mean?;
        let tc = t_critical(config.confidence, (line.n - 2) as f64);
        let significant =
            if line.slope_std_error > 0.0 { (line.slope / line.slope_std_error).abs() > tc } else { line.slope != 0.0 };
        let window_change = line.slope * f64::from(w);
        let window_change_percent = (level != 0.0).then(|| 100.0 * window_change / level.abs());
        let at = |day: NaiveDate| TrendLinePoint { day, value: line.value_at((day - window_start).num_days() as f64) };
        Some(TrendFit {
            slope_per_day: line.slope,
            intercept: line.intercept,
            r_squared: line.r_squared,
            slope_std_error: line.slope_std_error,
            t_critical: tc,
            significant,
            window_change_percent: window_change_percent.filter(|v| v.is_finite()),
            line_start: at(first.0),
            line_end: at(last.0),
        })
    });

    let direction = match &fit {
        None => TrendDirection::InsufficientData,
        Some(f) => {
            let level = recent_mean.unwrap_or(0.0).abs();
            let within_band = (f.slope_per_day * f64::from(w)).abs() <= config.flat_band * level;
            if within_band || !f.significant || f.slope_per_day == 0.0 {
                TrendDirection::Flat
            } else if f.slope_per_day > 0.0 {
                TrendDirection::Up
            } else {
                TrendDirection::Down
            }
        }
    };

    ProductionTrend {
        as_of,
        window_days: w,
        window_start,
        window_end: as_of,
        previous_window_start,
        previous_window_end,
        direction,
        points_used: recent.len(),
        downtime_days,
        missing_days,
        recent_mean,
        previous_mean,
        percent_change,
        fit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::test_support::noise;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Day `i` counted from `start`.
    fn day_at(start: NaiveDate, i: i64) -> NaiveDate {
        start + chrono::Duration::days(i)
    }

    fn producing(start: NaiveDate, values: &[(i64, f64)]) -> Vec<DailyPoint> {
        values.iter().map(|&(i, v)| DailyPoint::new(day_at(start, i), v, 24.0)).collect()
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    fn as_of() -> NaiveDate {
        d(2024, 3, 30)
    }

    /// 2024-03-01: the start of the 30-day window ending 2024-03-30.
    fn start() -> NaiveDate {
        d(2024, 3, 1)
    }

    #[test]
    fn windows_are_thirty_calendar_days_each() {
        let t = compute_trend(&[], as_of(), &TrendConfig::default());
        assert_eq!(t.window_start, d(2024, 3, 1));
        assert_eq!(t.window_end, d(2024, 3, 30));
        assert_eq!(t.previous_window_end, d(2024, 2, 29), "leap day");
        assert_eq!(t.previous_window_start, d(2024, 1, 31));
        assert_eq!(t.missing_days, 30);
    }

    #[test]
    fn ols_matches_hand_computation_on_five_points() {
        // x = 0..4, y = 2, 4, 5, 4, 5.
        // x̄ = 2, ȳ = 20/5 = 4.
        // Sxx = 4 + 1 + 0 + 1 + 4 = 10.
        // Sxy = (-2)(-2) + (-1)(0) + (0)(1) + (1)(0) + (2)(1) = 6.
        // Syy = 4 + 0 + 1 + 0 + 1 = 6.
        // slope = 6 / 10 = 0.6; intercept = 4 - 0.6 * 2 = 2.8.
        // fitted: 2.8, 3.4, 4.0, 4.6, 5.2; residuals: -0.8, 0.6, 1.0, -0.6, -0.2.
        // SSE = 0.64 + 0.36 + 1.00 + 0.36 + 0.04 = 2.4; r² = 1 - 2.4 / 6 = 0.6.
        // se(slope) = sqrt(SSE / (n - 2) / Sxx) = sqrt(2.4 / 3 / 10) = sqrt(0.08) = 0.28284271...
        // t = 0.6 / 0.28284 = 2.1213 < t(0.975, 3) = 3.182446: not significant, so flat.
        let pts = producing(start(), &[(0, 2.0), (1, 4.0), (2, 5.0), (3, 4.0), (4, 5.0)]);
        let t = compute_trend(&pts, as_of(), &TrendConfig::default());
        let f = t.fit.unwrap();
        assert!(close(f.slope_per_day, 0.6, 1e-12), "{}", f.slope_per_day);
        assert!(close(f.intercept, 2.8, 1e-12), "{}", f.intercept);
        assert!(close(f.r_squared, 0.6, 1e-12), "{}", f.r_squared);
        assert!(close(f.slope_std_error, 0.08f64.sqrt(), 1e-12), "{}", f.slope_std_error);
        assert!(close(f.t_critical, 3.182446, 1e-6), "{}", f.t_critical);
        assert!(!f.significant);
        assert_eq!(t.direction, TrendDirection::Flat);
        assert_eq!(t.points_used, 5);
        assert_eq!(f.line_start.day, d(2024, 3, 1));
        assert!(close(f.line_start.value, 2.8, 1e-12));
        assert_eq!(f.line_end.day, d(2024, 3, 5));
        assert!(close(f.line_end.value, 5.2, 1e-12));
        assert!(close(t.recent_mean.unwrap(), 4.0, 1e-12));
        assert_eq!(t.missing_days, 25);
    }

    #[test]
    fn ols_function_on_hand_values_and_degenerate_input() {
        let f = ols(&[(0.0, 2.0), (1.0, 4.0), (2.0, 5.0), (3.0, 4.0), (4.0, 5.0)]).unwrap();
        assert!(close(f.slope, 0.6, 1e-12) && close(f.intercept, 2.8, 1e-12));
        assert_eq!(ols(&[(0.0, 1.0), (1.0, 2.0)]), None, "two points have no standard error");
        assert_eq!(ols(&[(3.0, 1.0), (3.0, 2.0), (3.0, 5.0)]), None, "all x equal");
        assert_eq!(ols(&[(0.0, 1.0), (1.0, f64::NAN), (2.0, 5.0)]), None);
    }

    #[test]
    fn perfect_line_has_r_squared_one_and_zero_standard_error() {
        let pts: Vec<DailyPoint> =
            (0..30).map(|i| DailyPoint::new(day_at(start(), i), 500.0 - 4.0 * i as f64, 24.0)).collect();
        let t = compute_trend(&pts, as_of(), &TrendConfig::default());
        let f = t.fit.unwrap();
        assert!(close(f.r_squared, 1.0, 1e-12));
        assert!(close(f.slope_per_day, -4.0, 1e-12));
        assert!(close(f.intercept, 500.0, 1e-9));
        assert!(f.slope_std_error < 1e-9);
        assert!(f.significant);
        assert_eq!(t.direction, TrendDirection::Down);
    }

    #[test]
    fn slope_standard_error_of_a_three_point_series() {
        // x = 0, 1, 2; y = 10, 30, 20. x̄ = 1, ȳ = 20, Sxx = 2, Sxy = (-1)(-10) + 0 + (1)(0) = 10.
        // slope = 5, intercept = 15; fitted 15, 20, 25; residuals -5, 10, -5; SSE = 150.
        // se = sqrt(150 / 1 / 2) = sqrt(75) = 8.660254; t = 0.577 < t(0.975, 1) = 12.706: flat although the fitted
        // change over 30 days (150) is far beyond 5% of the level (20).
        let pts = producing(start(), &[(0, 10.0), (1, 30.0), (2, 20.0)]);
        let t = compute_trend(&pts, as_of(), &TrendConfig::default());
        let f = t.fit.unwrap();
        assert!(close(f.slope_per_day, 5.0, 1e-12));
        assert!(close(f.slope_std_error, 75f64.sqrt(), 1e-12));
        assert!(close(f.r_squared, 1.0 - 150.0 / 200.0, 1e-12));
        assert!(close(f.t_critical, 12.706205, 1e-6));
        assert!(close(f.window_change_percent.unwrap(), 750.0, 1e-9));
        assert!(!f.significant);
        assert_eq!(t.direction, TrendDirection::Flat);
    }

    #[test]
    fn rising_series_is_up() {
        let e = noise(30, 1);
        let pts: Vec<DailyPoint> = (0..30)
            .map(|i| DailyPoint::new(day_at(start(), i), 200.0 + 2.0 * i as f64 + 3.0 * e[i as usize], 24.0))
            .collect();
        let t = compute_trend(&pts, as_of(), &TrendConfig::default());
        assert_eq!(t.direction, TrendDirection::Up);
        let f = t.fit.unwrap();
        assert!(close(f.slope_per_day, 2.0, 0.3), "{}", f.slope_per_day);
        assert!(f.significant && f.r_squared > 0.9);
    }

    #[test]
    fn falling_series_is_down() {
        let e = noise(60, 2);
        let pts: Vec<DailyPoint> = (-30..30)
            .map(|i| DailyPoint::new(day_at(start(), i), 800.0 - 3.0 * i as f64 + 5.0 * e[(i + 30) as usize], 24.0))
            .collect();
        let t = compute_trend(&pts, as_of(), &TrendConfig::default());
        assert_eq!(t.direction, TrendDirection::Down);
        assert!(close(t.fit.unwrap().slope_per_day, -3.0, 0.4));
        assert!(t.percent_change.unwrap() < -10.0, "{:?}", t.percent_change);
    }

    #[test]
    fn noise_around_a_level_is_flat() {
        for seed in 1..20 {
            let e = noise(60, seed);
            let pts: Vec<DailyPoint> = (-30..30)
                .map(|i| DailyPoint::new(day_at(start(), i), 350.0 + 10.0 * e[(i + 30) as usize], 24.0))
                .collect();
            let t = compute_trend(&pts, as_of(), &TrendConfig::default());
            assert_eq!(t.direction, TrendDirection::Flat, "seed {seed}: {t:?}");
            assert!(t.percent_change.unwrap().abs() < 5.0);
        }
    }

    #[test]
    fn significant_but_small_slope_is_flat_within_the_band() {
        // A perfect line (significant: se = 0) rising 0.1 a day on a level of about 100: 3 over 30 days, under 5%.
        let pts: Vec<DailyPoint> =
            (0..30).map(|i| DailyPoint::new(day_at(start(), i), 100.0 + 0.1 * i as f64, 24.0)).collect();
        let t = compute_trend(&pts, as_of(), &TrendConfig::default());
        let f = t.fit.unwrap();
        assert!(f.significant);
        assert!(f.window_change_percent.unwrap() < 5.0);
        assert_eq!(t.direction, TrendDirection::Flat);
        // With a 1% band the same line is up.
        let tight = TrendConfig::new(30, 0.01, 0.95).unwrap();
        assert_eq!(compute_trend(&pts, as_of(), &tight).direction, TrendDirection::Up);
    }

    #[test]
    fn constant_series_is_flat_with_r_squared_one() {
        let pts: Vec<DailyPoint> = (0..30).map(|i| DailyPoint::new(day_at(start(), i), 0.1, 24.0)).collect();
        let t = compute_trend(&pts, as_of(), &TrendConfig::default());
        assert_eq!(t.direction, TrendDirection::Flat);
        assert!(t.fit.unwrap().r_squared <= 1.0);
        let zeros: Vec<DailyPoint> = (0..30).map(|i| DailyPoint::new(day_at(start(), i), 0.0, 24.0)).collect();
        let t = compute_trend(&zeros, as_of(), &TrendConfig::default());
        assert_eq!(t.direction, TrendDirection::Flat);
        assert_eq!(t.fit.unwrap().r_squared, 1.0);
        assert_eq!(t.fit.unwrap().window_change_percent, None);
        assert!(!serde_json::to_string(&t).unwrap().contains("NaN"));
    }

    #[test]
    fn gaps_keep_each_day_at_its_own_x() {
        // y = 1 + 2x on days 0, 2, 5, 9 only. Were the points indexed 0..3 the slope would be 6, not 2.
        let pts = producing(start(), &[(0, 1.0), (2, 5.0), (5, 11.0), (9, 19.0)]);
        let t = compute_trend(&pts, as_of(), &TrendConfig::default());
        let f = t.fit.unwrap();
        assert!(close(f.slope_per_day, 2.0, 1e-12), "{}", f.slope_per_day);
        assert!(close(f.intercept, 1.0, 1e-12));
        assert!(close(f.r_squared, 1.0, 1e-12));
        assert_eq!(t.points_used, 4);
        assert_eq!(t.missing_days, 26);
        assert_eq!(f.line_end.day, d(2024, 3, 10));
        assert!(close(f.line_end.value, 19.0, 1e-12));
        // x counts from the window start, not from the first point: shift the points by 3 days, intercept moves.
        let shifted = producing(start(), &[(3, 1.0), (5, 5.0), (8, 11.0), (12, 19.0)]);
        let f = compute_trend(&shifted, as_of(), &TrendConfig::default()).fit.unwrap();
        assert!(close(f.slope_per_day, 2.0, 1e-12));
        assert!(close(f.intercept, -5.0, 1e-12));
    }

    #[test]
    fn downtime_days_are_excluded_from_the_fit_and_listed() {
        let mut pts: Vec<DailyPoint> =
            (0..30).map(|i| DailyPoint::new(day_at(start(), i), 100.0 + 3.0 * i as f64, 24.0)).collect();
        for i in [10, 11, 12, 25] {
            pts[i] = DailyPoint::new(day_at(start(), i as i64), 0.0, 0.0);
        }
        // A part-day of production is a producing day: kept in the fit with its calendar-day value.
        pts[5].hours_on = 6.0;
        let t = compute_trend(&pts, as_of(), &TrendConfig::default());
        assert_eq!(t.points_used, 26);
        assert_eq!(t.downtime_days, vec![d(2024, 3, 11), d(2024, 3, 12), d(2024, 3, 13), d(2024, 3, 26)]);
        assert_eq!(t.missing_days, 0);
        let f = t.fit.unwrap();
        assert!(close(f.slope_per_day, 3.0, 1e-12), "zeros would have bent the line: {}", f.slope_per_day);
        assert!(close(f.r_squared, 1.0, 1e-12));
        assert_eq!(t.direction, TrendDirection::Up);
        // The recent mean also leaves them out.
        let expected: f64 = pts.iter().filter(|p| !p.is_downtime()).map(|p| p.value).sum::<f64>() / 26.0;
        assert!(close(t.recent_mean.unwrap(), expected, 1e-9));
    }

    #[test]
    fn fewer_than_three_points_is_insufficient_data() {
        let cfg = TrendConfig::default();
        for n in 0..3 {
            let pts: Vec<DailyPoint> = (0..n).map(|i| DailyPoint::new(day_at(start(), i), 50.0, 24.0)).collect();
            let t = compute_trend(&pts, as_of(), &cfg);
            assert_eq!(t.direction, TrendDirection::InsufficientData, "{n} points");
            assert_eq!(t.fit, None);
            assert_eq!(t.points_used, n as usize);
            let json = serde_json::to_string(&t).unwrap();
            assert!(json.contains("\"direction\":\"insufficient_data\""), "{json}");
            assert!(!json.contains("NaN"));
        }
        // Five points, but three are downtime: two producing days are not enough.
        let mut pts = producing(start(), &[(0, 50.0), (1, 50.0), (2, 0.0), (3, 0.0), (4, 0.0)]);
        for p in &mut pts[2..] {
            p.hours_on = 0.0;
        }
        let t = compute_trend(&pts, as_of(), &cfg);
        assert_eq!(t.direction, TrendDirection::InsufficientData);
        assert_eq!(t.downtime_days.len(), 3);
        // Points outside the window (before it, or after as_of) do not count.
        let outside = producing(start(), &[(-1, 1.0), (-2, 2.0), (30, 3.0), (31, 4.0), (0, 5.0)]);
        let t = compute_trend(&outside, as_of(), &cfg);
        assert_eq!(t.direction, TrendDirection::InsufficientData);
        assert_eq!(t.points_used, 1);
    }

    #[test]
    fn percent_change_compares_the_two_window_means() {
        // Previous window at 100 (with a downtime zero that must not count), recent window at 110: +10%.
        let mut pts: Vec<DailyPoint> = (-30..0).map(|i| DailyPoint::new(day_at(start(), i), 100.0, 24.0)).collect();
        pts.push(DailyPoint::new(day_at(start(), -15), 0.0, 0.0));
        pts.extend((0..30).map(|i| DailyPoint::new(day_at(start(), i), 110.0, 24.0)));
        // Older than the previous window: ignored.
        pts.push(DailyPoint::new(day_at(start(), -31), 10_000.0, 24.0));
        let t = compute_trend(&pts, as_of(), &TrendConfig::default());
        assert!(close(t.previous_mean.unwrap(), 100.0, 1e-12));
        assert!(close(t.recent_mean.unwrap(), 110.0, 1e-12));
        assert!(close(t.percent_change.unwrap(), 10.0, 1e-9));
        assert_eq!(t.direction, TrendDirection::Flat, "a step between windows is not a slope within the window");
        // No previous data: no percent change.
        let recent_only: Vec<DailyPoint> = pts.iter().copied().filter(|p| p.day >= start()).collect();
        assert_eq!(compute_trend(&recent_only, as_of(), &TrendConfig::default()).percent_change, None);
        // A falling recent window: -25%.
        let mut pts2: Vec<DailyPoint> = (-30..0).map(|i| DailyPoint::new(day_at(start(), i), 80.0, 24.0)).collect();
        pts2.extend((0..30).map(|i| DailyPoint::new(day_at(start(), i), 60.0, 24.0)));
        assert!(close(compute_trend(&pts2, as_of(), &TrendConfig::default()).percent_change.unwrap(), -25.0, 1e-9));
    }

    #[test]
    fn input_order_does_not_matter() {
        let mut pts: Vec<DailyPoint> =
            (0..30).map(|i| DailyPoint::new(day_at(start(), i), 10.0 + (i * i) as f64 * 0.1, 24.0)).collect();
        let sorted = compute_trend(&pts, as_of(), &TrendConfig::default());
        pts.reverse();
        let reversed = compute_trend(&pts, as_of(), &TrendConfig::default());
        assert_eq!(sorted.direction, reversed.direction);
        assert_eq!(sorted.fit.unwrap().line_start, reversed.fit.unwrap().line_start);
        assert!(close(sorted.fit.unwrap().slope_per_day, reversed.fit.unwrap().slope_per_day, 1e-9));
    }

    #[test]
    fn t_quantile_matches_table_values() {
        for (df, expected) in [
            (1.0, 12.706205),
            (2.0, 4.302653),
            (3.0, 3.182446),
            (5.0, 2.570582),
            (10.0, 2.228139),
            (28.0, 2.048407),
            (58.0, 2.001717),
            (1000.0, 1.962339),
        ] {
            let t = t_critical(0.95, df);
            assert!(close(t, expected, 1e-6), "df {df}: {t}");
        }
        assert_eq!(t_critical(0.95, 0.0), f64::INFINITY);
    }

    #[test]
    fn config_is_validated() {
        assert!(TrendConfig::new(30, 0.05, 0.95).is_ok());
        assert_eq!(TrendConfig::new(2, 0.05, 0.95), Err(TrendConfigError::WindowDays(2)));
        assert!(TrendConfig::new(30, -0.1, 0.95).is_err());
        assert!(TrendConfig::new(30, f64::NAN, 0.95).is_err());
        assert!(TrendConfig::new(30, 0.05, 1.0).is_err());
        assert!(TrendConfig::new(30, 0.05, 0.0).is_err());
        // A 7-day window.
        let cfg = TrendConfig::new(7, 0.05, 0.95).unwrap();
        let t = compute_trend(&[], as_of(), &cfg);
        assert_eq!(t.window_start, d(2024, 3, 24));
        assert_eq!(t.previous_window_start, d(2024, 3, 17));
    }

    #[test]
    fn serialises_in_snake_case() {
        let pts: Vec<DailyPoint> =
            (0..30).map(|i| DailyPoint::new(day_at(start(), i), 10.0 + i as f64, 24.0)).collect();
        let t = compute_trend(&pts, as_of(), &TrendConfig::default());
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(json["direction"], "up");
        assert_eq!(json["window_start"], "2024-03-01");
        assert!(json["fit"]["slope_std_error"].is_number());
        assert_eq!(json["fit"]["line_end"]["day"], "2024-03-30");
        let back: ProductionTrend = serde_json::from_value(json).unwrap();
        assert_eq!(back, t);
    }
}
