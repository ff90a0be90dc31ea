//! Anomalies: daily values far from their recent history, by a z-score against a trailing window.
//!
//! # Input
//! The same daily series as the trends ([`DailyPoint`]: one well, one field, the day's value per the aggregation
//! rules, `hours_on == 0` for a downtime day), in any order.
//!
//! # Rules
//! - **Trailing window.** For a day `d`, the window holds the producing days in the `window_days` (default 30)
//!   calendar days before it, `d - window_days ..= d - 1`. The point itself is never in its own window, nor is any
//!   other point of the same day. Gaps shrink the window; they are not filled.
//! - **Downtime.** Downtime days (`hours_on == 0`, or a negative or non-finite `hours_on`) are never flagged and never
//!   enter a window, so a shut-in neither looks like a drop nor drags later windows down. Values that are not finite
//!   are treated the same way.
//! - **Score.** `z = (value - mean) / stddev` with the window's mean and sample standard deviation (n - 1, as in the
//!   aggregates). A day is scored only when its window holds at least `min_points` (default 7) producing days.
//!   Earlier anomalies stay in later windows (the window is the raw history), so a cluster of outliers can widen the
//!   window enough to hide the ones after the first.
//! - **Zero variance.** A window whose standard deviation is 0 (or below 1e-9 of its mean's magnitude, i.e. constant
//!   up to rounding) does not flag anything: every departure from a constant history would have an infinite z.
//! - **Flag.** `|z| > threshold` (default 2, strictly greater). Direction: [`AnomalyDirection::Spike`] for z > 0,
//!   [`AnomalyDirection::Drop`] for z < 0. Severity by |z|: [`Severity::Low`] up to 3, [`Severity::Medium`] above 3
//!   up to 4, [`Severity::High`] above 4 (a threshold above 3 therefore never yields `Low`).
//!
//! # Known limits of a trailing z-score
//! The window's mean lags a moving series. On a straight line z settles at `sqrt(3 (w + 1) / w)` with the slope's
//! sign, for `w` equally spaced points (about 1.76 for w = 30) whatever the slope, so on a declining well ordinary
//! noise pushes a share of days past -2: with +-2% uniform noise, 1.2% of days are flagged at a flat level but 15% at a 0.1%/day decline and
//! 21% at 0.2%/day (29 seeds x 365 days). And after a flat stretch (e.g. the top of a noiseless swing) the spread is
//! tiny, so small changes get a large |z|. Both are the method as specified; a baseline fitted to the window (a line
//! rather than the mean) would remove the decline bias.

use super::trend::DailyPoint;
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// How far from its window's mean a flagged day was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// |z| up to 3.
    Low,
    /// |z| above 3, up to 4.
    Medium,
    /// |z| above 4.
    High,
}

impl Severity {
    /// The severity of a flagged day with this z (its sign does not matter).
    pub fn from_z(z: f64) -> Self {
        let a = z.abs();
        if a > 4.0 {
            Severity::High
        } else if a > 3.0 {
            Severity::Medium
        } else {
            Severity::Low
        }
    }
}

/// Above or below the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnomalyDirection {
    Spike,
    Drop,
}

/// One flagged day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Anomaly {
    pub day: NaiveDate,
    pub value: f64,
    /// `(value - mean) / stddev`; positive for a spike, negative for a drop.
    pub z: f64,
    /// Mean of the trailing window (the point itself excluded).
    pub mean: f64,
    /// Sample standard deviation of the trailing window (> 0).
    pub stddev: f64,
    /// Producing days in the trailing window.
    pub window_points: usize,
    pub severity: Severity,
    pub direction: AnomalyDirection,
}

/// An anomaly configuration that could not be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnomalyConfigError {
    #[error("window_days must be between 2 and 3660, got {0}")]
    WindowDays(u32),
    #[error("min_points must be at least 2 and at most window_days ({window_days}), got {min_points}")]
    MinPoints { min_points: usize, window_days: u32 },
    #[error("threshold must be a finite number > 0, got {0}")]
    Threshold(f64),
}

/// How anomalies are found. Valid by construction; the default is a 30-day window, at least 7 points, |z| > 2.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AnomalyConfig {
    window_days: u32,
    min_points: usize,
    threshold: f64,
}

impl Default for AnomalyConfig {
    fn default() -> Self {
        Self { window_days: 30, min_points: 7, threshold: 2.0 }
    }
}

impl AnomalyConfig {
    /// `window_days`: calendar days before each day that form its window (2 to 3660); `min_points`: producing days the
    /// window needs before the day is scored (2 to `window_days`); `threshold`: |z| above which a day is flagged.
    pub fn new(window_days: u32, min_points: usize, threshold: f64) -> Result<Self, AnomalyConfigError> {
        if !(2..=3660).contains(&window_days) {
            return Err(AnomalyConfigError::WindowDays(window_days));
        }
        if min_points < 2 || min_points > window_days as usize {
            return Err(AnomalyConfigError::MinPoints { min_points, window_days });
        }
        if !(threshold.is_finite() && threshold > 0.0) {
            return Err(AnomalyConfigError::Threshold(threshold));
        }
        Ok(Self { window_days, min_points, threshold })
    }

    pub fn window_days(&self) -> u32 {
        self.window_days
    }

    pub fn min_points(&self) -> usize {
        self.min_points
    }

    pub fn threshold(&self) -> f64 {
        self.threshold
    }
}

/// Mean and sample standard deviation (two passes: exact for a constant window).
fn mean_and_stddev(values: &[DailyPoint]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().map(|p| p.value).sum::<f64>() / n;
    let ss: f64 = values.iter().map(|p| (p.value - mean).powi(2)).sum();
    (mean, (ss / (n - 1.0)).sqrt())
}

/// The flagged days of `points` (one well, one field), in day order; see the module documentation for the rules.
pub fn detect_anomalies(points: &[DailyPoint], config: &AnomalyConfig) -> Vec<Anomaly> {
    let mut usable: Vec<DailyPoint> = points.iter().copied().filter(DailyPoint::is_usable).collect();
    usable.sort_by_key(|p| p.day);

    let mut found = Vec::new();
    // The window of usable[i] is usable[lo..hi]: days in [day - window_days, day - 1]. Both ends only move forward.
    let (mut lo, mut hi) = (0usize, 0usize);
    for &p in &usable {
        let Some(first) = p.day.checked_sub_days(Days::new(u64::from(config.window_days))) else {
            continue;
        };
        while hi < usable.len() && usable[hi].day < p.day {
            hi += 1;
        }
        while lo < hi && usable[lo].day < first {
            lo += 1;
        }
        let window = &usable[lo..hi];
        if window.len() < config.min_points {
            continue;
        }
        let (mean, stddev) = mean_and_stddev(window);
        if !(stddev.is_finite() && stddev > 1e-9 * mean.abs()) {
            continue;
        }
        let z = (p.value - mean) / stddev;
        if z.is_finite() && z.abs() > config.threshold {
            found.push(Anomaly {
                day: p.day,
                value: p.value,
                z,
                mean,
                stddev,
                window_points: window.len(),
                severity: Severity::from_z(z),
                direction: if z > 0.0 { AnomalyDirection::Spike } else { AnomalyDirection::Drop },
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::test_support::noise;

    fn start() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
    }

    fn day(i: i64) -> NaiveDate {
        start() + chrono::Duration::days(i)
    }

    /// 120 days at a level of 500 with a weekly swing of +-10 and +-2 of noise: |z| stays under about 1.7.
    fn rippled(seed: u64) -> Vec<DailyPoint> {
        let e = noise(120, seed);
        (0..120)
            .map(|i| {
                let swing = 10.0 * (2.0 * std::f64::consts::PI * i as f64 / 7.0).sin();
                DailyPoint::new(day(i), 500.0 + swing + 2.0 * e[i as usize], 24.0)
            })
            .collect()
    }

    #[test]
    fn planted_spike_and_drop_are_found_with_the_right_sign() {
        let mut pts = rippled(7);
        pts[45].value *= 1.5;
        pts[80].value *= 0.5;
        let found = detect_anomalies(&pts, &AnomalyConfig::default());
        let days: Vec<NaiveDate> = found.iter().map(|a| a.day).collect();
        assert_eq!(days, vec![day(45), day(80)], "{found:#?}");
        let (spike, drop) = (found[0], found[1]);
        assert!(spike.z > 4.0, "{}", spike.z);
        assert_eq!(spike.direction, AnomalyDirection::Spike);
        assert_eq!(spike.severity, Severity::High);
        assert_eq!(spike.value, pts[45].value);
        assert!(drop.z < -4.0, "{}", drop.z);
        assert_eq!(drop.direction, AnomalyDirection::Drop);
        assert_eq!(drop.severity, Severity::High);
        assert_eq!(spike.window_points, 30);
        assert!((spike.z - (spike.value - spike.mean) / spike.stddev).abs() < 1e-12);
    }

    #[test]
    fn no_false_positives_on_smooth_series() {
        let cfg = AnomalyConfig::default();
        for seed in 1..30 {
            let found = detect_anomalies(&rippled(seed), &cfg);
            assert!(found.is_empty(), "seed {seed}: {found:#?}");
        }
        // A straight decline: z against a trailing window of a line is -sqrt(3 (w + 1) / w), about -1.76 for w = 30.
        let line: Vec<DailyPoint> = (0..100).map(|i| DailyPoint::new(day(i), 1000.0 - 5.0 * i as f64, 24.0)).collect();
        assert!(detect_anomalies(&line, &cfg).is_empty());
        // An exponential decline and a hyperbolic one (Arps, b = 0.8), without noise.
        let exponential: Vec<DailyPoint> =
            (0..365).map(|i| DailyPoint::new(day(i), 800.0 * (-0.004 * i as f64).exp(), 24.0)).collect();
        assert!(detect_anomalies(&exponential, &cfg).is_empty());
        let hyperbolic: Vec<DailyPoint> = (0..365)
            .map(|i| DailyPoint::new(day(i), 800.0 * (1.0 + 0.8 * 0.01 * i as f64).powf(-1.0 / 0.8), 24.0))
            .collect();
        assert!(detect_anomalies(&hyperbolic, &cfg).is_empty());
    }

    #[test]
    fn a_straight_line_scores_minus_sqrt_three_w_plus_one_over_w() {
        // Window x = -30..=-1 (relative to the scored day), y = a + b x. Mean = a + b x̄ with x̄ = -15.5, so
        // value - mean = 15.5 b; sample variance of 1..=30 is w (w + 1) / 12 = 77.5, stddev = b sqrt(77.5);
        // z = 15.5 / sqrt(77.5) = sqrt(3.1) = 1.7607 (negative for a decline).
        let line: Vec<DailyPoint> = (0..40).map(|i| DailyPoint::new(day(i), 1000.0 - 5.0 * i as f64, 24.0)).collect();
        let cfg = AnomalyConfig::new(30, 30, 1.5).unwrap();
        let found = detect_anomalies(&line, &cfg);
        assert_eq!(found.len(), 10, "days 30..=39 have a full window");
        for a in found {
            assert!((a.z + 3.1f64.sqrt()).abs() < 1e-9, "{}", a.z);
            assert_eq!(a.direction, AnomalyDirection::Drop);
        }
    }

    #[test]
    fn downtime_is_never_flagged_and_stays_out_of_windows() {
        let mut pts = rippled(3);
        for i in [40, 41, 42, 70] {
            pts[i] = DailyPoint::new(day(i as i64), 0.0, 0.0);
        }
        assert!(detect_anomalies(&pts, &AnomalyConfig::default()).is_empty());
        // The day after the shut-in: its window holds 27 producing days, no zeros.
        pts[43].value *= 1.5;
        let found = detect_anomalies(&pts, &AnomalyConfig::default());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].day, day(43));
        assert_eq!(found[0].window_points, 27);
        let expected: Vec<f64> = (13..43).filter(|i| !(40..=42).contains(i)).map(|i| pts[i].value).collect();
        let mean = expected.iter().sum::<f64>() / expected.len() as f64;
        assert!((found[0].mean - mean).abs() < 1e-9);
        // A downtime day with a large leftover value is still not flagged, and a NaN value is skipped.
        pts[90] = DailyPoint::new(day(90), 5000.0, 0.0);
        pts[95] = DailyPoint::new(day(95), f64::NAN, 24.0);
        assert!(detect_anomalies(&pts, &AnomalyConfig::default()).iter().all(|a| a.day == day(43)));
    }

    #[test]
    fn the_point_is_not_in_its_own_window() {
        // Window: 10, 12, 10, 12, 10, 12, 10, 12: mean 11, deviations all +-1, so
        // sample stddev = sqrt(8 x 1 / 7) = 1.0690450. The point 20: z = (20 - 11) / 1.0690450 = 8.4187.
        // Had the point been in its window, the mean would be 12 and z = 2.67.
        let mut pts: Vec<DailyPoint> =
            (0..8).map(|i| DailyPoint::new(day(i), if i % 2 == 0 { 10.0 } else { 12.0 }, 24.0)).collect();
        pts.push(DailyPoint::new(day(8), 20.0, 24.0));
        let found = detect_anomalies(&pts, &AnomalyConfig::default());
        assert_eq!(found.len(), 1);
        let a = found[0];
        assert_eq!(a.window_points, 8);
        assert!((a.mean - 11.0).abs() < 1e-12, "{}", a.mean);
        assert!((a.stddev - (8.0f64 / 7.0).sqrt()).abs() < 1e-12);
        assert!((a.z - 9.0 / (8.0f64 / 7.0).sqrt()).abs() < 1e-9, "{}", a.z);
        assert_eq!(a.severity, Severity::High);
    }

    #[test]
    fn zero_variance_window_does_not_flag() {
        let mut pts: Vec<DailyPoint> = (0..20).map(|i| DailyPoint::new(day(i), 100.0, 24.0)).collect();
        pts.push(DailyPoint::new(day(20), 150.0, 24.0));
        assert!(detect_anomalies(&pts, &AnomalyConfig::default()).is_empty());
        // Constant up to rounding (0.1 is not exact in binary) does not flag either.
        let mut tenth: Vec<DailyPoint> = (0..30).map(|i| DailyPoint::new(day(i), 0.1, 24.0)).collect();
        tenth.push(DailyPoint::new(day(30), 0.2, 24.0));
        assert!(detect_anomalies(&tenth, &AnomalyConfig::default()).is_empty());
    }

    #[test]
    fn too_few_points_in_the_window_do_not_score() {
        // Six producing days, then a spike: the default needs seven.
        let mut pts: Vec<DailyPoint> =
            (0..6).map(|i| DailyPoint::new(day(i), if i % 2 == 0 { 10.0 } else { 12.0 }, 24.0)).collect();
        pts.push(DailyPoint::new(day(6), 50.0, 24.0));
        assert!(detect_anomalies(&pts, &AnomalyConfig::default()).is_empty());
        let five = AnomalyConfig::new(30, 5, 2.0).unwrap();
        assert_eq!(detect_anomalies(&pts, &five).len(), 1);
    }

    #[test]
    fn the_window_is_counted_in_calendar_days() {
        // Twenty days of history, a 40-day gap, then a restart at a different level: its 30-day window is empty.
        let mut pts: Vec<DailyPoint> =
            (0..20).map(|i| DailyPoint::new(day(i), if i % 2 == 0 { 10.0 } else { 12.0 }, 24.0)).collect();
        pts.push(DailyPoint::new(day(60), 30.0, 24.0));
        assert!(detect_anomalies(&pts, &AnomalyConfig::default()).is_empty());
        // Sixteen days after the last point, the window of day 35 (days 5..=34) holds days 5..=19 of the history.
        let mut near = pts.clone();
        near.pop();
        near.push(DailyPoint::new(day(35), 30.0, 24.0));
        let found = detect_anomalies(&near, &AnomalyConfig::default());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].window_points, 15, "days 5..=19 are within 30 days of day 35");
    }

    #[test]
    fn threshold_is_configurable_and_strict() {
        let mut pts: Vec<DailyPoint> =
            (0..8).map(|i| DailyPoint::new(day(i), if i % 2 == 0 { 10.0 } else { 12.0 }, 24.0)).collect();
        // z = 2.5 exactly: value = 11 + 2.5 x sqrt(8/7).
        let sd = (8.0f64 / 7.0).sqrt();
        pts.push(DailyPoint::new(day(8), 11.0 - 2.5 * sd, 24.0));
        let found = detect_anomalies(&pts, &AnomalyConfig::default());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].direction, AnomalyDirection::Drop);
        assert_eq!(found[0].severity, Severity::Low);
        assert!((found[0].z + 2.5).abs() < 1e-9);
        assert!(detect_anomalies(&pts, &AnomalyConfig::new(30, 7, 3.0).unwrap()).is_empty());
    }

    #[test]
    fn severity_bands() {
        assert_eq!(Severity::from_z(2.1), Severity::Low);
        assert_eq!(Severity::from_z(-3.0), Severity::Low);
        assert_eq!(Severity::from_z(3.01), Severity::Medium);
        assert_eq!(Severity::from_z(-4.0), Severity::Medium);
        assert_eq!(Severity::from_z(-4.5), Severity::High);
        assert!(Severity::Low < Severity::High);
    }

    #[test]
    fn input_order_does_not_matter_and_output_is_in_day_order() {
        let mut pts = rippled(11);
        pts[50].value *= 0.4;
        pts[100].value *= 1.6;
        let forward = detect_anomalies(&pts, &AnomalyConfig::default());
        pts.reverse();
        assert_eq!(detect_anomalies(&pts, &AnomalyConfig::default()), forward);
        assert_eq!(forward.iter().map(|a| a.day).collect::<Vec<_>>(), vec![day(50), day(100)]);
    }

    #[test]
    fn config_is_validated() {
        assert_eq!(AnomalyConfig::default(), AnomalyConfig::new(30, 7, 2.0).unwrap());
        assert_eq!(AnomalyConfig::new(1, 7, 2.0), Err(AnomalyConfigError::WindowDays(1)));
        assert!(AnomalyConfig::new(30, 1, 2.0).is_err());
        assert!(AnomalyConfig::new(5, 7, 2.0).is_err());
        assert!(AnomalyConfig::new(30, 7, 0.0).is_err());
        assert!(AnomalyConfig::new(30, 7, f64::INFINITY).is_err());
    }

    #[test]
    fn serialises_in_snake_case() {
        let a = Anomaly {
            day: day(3),
            value: 5.0,
            z: -3.5,
            mean: 12.0,
            stddev: 2.0,
            window_points: 20,
            severity: Severity::Medium,
            direction: AnomalyDirection::Drop,
        };
        let json = serde_json::to_value(a).unwrap();
        assert_eq!(json["severity"], "medium");
        assert_eq!(json["direction"], "drop");
        assert_eq!(json["day"], "2024-01-04");
        assert_eq!(serde_json::from_value::<Anomaly>(json).unwrap(), a);
    }
}
