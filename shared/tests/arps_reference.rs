//! Arps decline fit: formulas against petbox-dca, fits of synthetic, petbox (Eagle Ford) and Volve F-12 series.
//! Fixtures and their licences: tests/fixtures/arps/README.md.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Days, NaiveDate};
use flowline_shared::analytics::arps::{
    ArpsConfig, ArpsCurve, ArpsError, ArpsModel, ArpsObjective, EurEnd, RateSample, fit_daily, fit_rates,
};
use flowline_shared::analytics::trend::DailyPoint;
use serde_json::Value;

const REFERENCE: &str = include_str!("fixtures/arps/petbox_arps_reference.json");
const EAGLE_FORD: &str = include_str!("fixtures/arps/petbox_eagleford_demo_well.csv");
const VOLVE_F12: &str = include_str!("fixtures/arps/volve_F12_monthly_oil_rate_from_peak.csv");

fn rel(a: f64, b: f64) -> f64 {
    if b == 0.0 { a.abs() } else { (a / b - 1.0).abs() }
}

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

fn csv_samples(text: &str, t_col: usize, rate_col: usize) -> Vec<RateSample> {
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split(',').collect();
            RateSample::new(cols[t_col].parse().unwrap(), cols[rate_col].parse().unwrap())
        })
        .collect()
}

fn day0() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
}

/// Daily points `value(i)` on days `start + i` for `i` in `range`.
fn daily(range: std::ops::Range<u64>, value: impl Fn(u64) -> f64) -> Vec<DailyPoint> {
    range.map(|i| DailyPoint::new(day0().checked_add_days(Days::new(i)).unwrap(), value(i), 24.0)).collect()
}

/// A deterministic multiplicative noise in [-amp, amp].
fn noise(i: u64, amp: f64) -> f64 {
    1.0 + amp * (((i * 7919 + 13) % 101) as f64 / 50.0 - 1.0)
}

#[test]
fn rate_and_cumulative_match_petbox() {
    let reference: Value = serde_json::from_str(REFERENCE).unwrap();
    let curves = reference["curves"].as_array().unwrap();
    assert!(curves.len() >= 9);
    for c in curves {
        let (qi, di, b) =
            (c["qi"].as_f64().unwrap(), c["di_secant_effective_annual"].as_f64().unwrap(), c["b"].as_f64().unwrap());
        let curve = ArpsCurve::from_secant_effective(qi, di, b).unwrap();
        assert!(rel(curve.d_nominal_daily, c["d_nominal_daily"].as_f64().unwrap()) < 1e-12, "D for {c}");
        assert!((curve.di_secant_effective_annual() - di).abs() < 1e-12);
        let (ts, rates, cums) = (f64s(&c["t_days"]), f64s(&c["rate"]), f64s(&c["cum"]));
        for ((t, q), n) in ts.iter().zip(&rates).zip(&cums) {
            assert!(rel(curve.rate(*t), *q) < 1e-6, "rate qi={qi} Di={di} b={b} t={t}: {} vs {q}", curve.rate(*t));
            assert!(
                rel(curve.cumulative(*t), *n) < 1e-6,
                "cum qi={qi} Di={di} b={b} t={t}: {} vs {n}",
                curve.cumulative(*t)
            );
            // and petbox's Di is 1 - q(1 year) / qi
        }
        assert!(rel(1.0 - curve.rate(365.25) / qi, di) < 1e-12);
    }
}

#[test]
fn eagle_ford_demo_well_fit() {
    let reference: Value = serde_json::from_str(REFERENCE).unwrap();
    let samples = csv_samples(EAGLE_FORD, 0, 1);
    assert_eq!(samples.len(), 41);
    for (objective, key) in [(ArpsObjective::LogRate, "log_rate"), (ArpsObjective::Rate, "rate")] {
        let config = ArpsConfig { objective, model_snap_tolerance: 0.0, ..ArpsConfig::default() };
        let fit = fit_rates(&samples, &config).unwrap();
        println!(
            "Eagle Ford ({key}): model {:?} qi {:.3} D {:.6}/d Di {:.4} b {:.4} | rmse {:.2} r2 {:.3} log_rmse {:.3} \
             log_r2 {:.3} | cum {:.0} remaining {:.0} eur {:.0} days to limit {:.0}",
            fit.model,
            fit.qi,
            fit.d_nominal_daily,
            fit.di_secant_effective_annual,
            fit.b,
            fit.quality.rmse,
            fit.quality.r_squared,
            fit.quality.log_rmse,
            fit.quality.log_r_squared,
            fit.cumulative_to_date,
            fit.remaining,
            fit.eur,
            fit.days_to_economic_limit
        );
        // From the peak (367.6 bbl/d at t = 107 d): 38 points.
        assert_eq!(fit.fit_start_t_days, 107.0);
        assert_eq!(fit.n_points, 38);
        assert!((0.0..=2.0).contains(&fit.b));
        assert!(fit.di_secant_effective_annual > 0.0 && fit.di_secant_effective_annual < 1.0);
        assert!(fit.quality.converged);
        // The same least-squares problem solved independently by scipy's bounded least_squares (trust region
        // reflective, tolerances 1e-15): both solvers stop at the same minimum, so the parameters agree far
        // inside the data's own uncertainty; 1e-4 relative leaves room for the solvers' stopping rules.
        let r = &reference["eagle_ford_fit"][key];
        assert!(rel(fit.qi, r["qi"].as_f64().unwrap()) < 1e-4, "qi {} vs {}", fit.qi, r["qi"]);
        assert!(rel(fit.d_nominal_daily, r["d_nominal_daily"].as_f64().unwrap()) < 1e-4);
        assert!((fit.b - r["b"].as_f64().unwrap()).abs() < 1e-4, "b {} vs {}", fit.b, r["b"]);
        assert!(rel(fit.di_secant_effective_annual, r["di_secant_effective_annual"].as_f64().unwrap()) < 1e-4);
        // A noisy well (one month at 2.4 bbl/d among 20-60): still a good fit.
        assert!(fit.quality.r_squared > 0.8, "r2 {}", fit.quality.r_squared);
        assert!(fit.eur > fit.cumulative_to_date && fit.eur.is_finite());
    }
    // With the default snap tolerance, the free b of the log fit (0.83) stays hyperbolic.
    let fit = fit_rates(&samples, &ArpsConfig::default()).unwrap();
    assert_eq!(fit.model, ArpsModel::Hyperbolic);
}

#[test]
fn volve_f12_monthly_from_peak() {
    let samples = csv_samples(VOLVE_F12, 2, 1);
    let fit = fit_rates(&samples, &ArpsConfig::default()).unwrap();
    println!(
        "Volve F-12: model {:?} qi {:.1} D {:.6}/d Di {:.4} b {:.4} (free {:.4}) | rmse {:.1} r2 {:.3} log_rmse {:.3} \
         log_r2 {:.3} | cum {:.0} remaining {:.0} eur {:.0} days to limit {:.0} {:?}",
        fit.model,
        fit.qi,
        fit.d_nominal_daily,
        fit.di_secant_effective_annual,
        fit.b,
        fit.b_free,
        fit.quality.rmse,
        fit.quality.r_squared,
        fit.quality.log_rmse,
        fit.quality.log_r_squared,
        fit.cumulative_to_date,
        fit.remaining,
        fit.eur,
        fit.days_to_economic_limit,
        fit.eur_end
    );
    assert!((0.0..=2.0).contains(&fit.b));
    assert!(fit.di_secant_effective_annual > 0.0 && fit.di_secant_effective_annual < 1.0);
    assert!(fit.eur.is_finite() && fit.eur > fit.cumulative_to_date);
    assert!(fit.cumulative_to_date > 0.0);
}

fn check_recovered(fit: &flowline_shared::analytics::arps::ArpsFit, curve: &ArpsCurve, tol: f64, b_tol: f64) {
    assert!(rel(fit.qi, curve.qi) < tol, "qi {} vs {}", fit.qi, curve.qi);
    assert!(
        rel(fit.d_nominal_daily, curve.d_nominal_daily) < tol * 5.0,
        "D {} vs {}",
        fit.d_nominal_daily,
        curve.d_nominal_daily
    );
    assert!((fit.b - curve.b).abs() < b_tol, "b {} vs {}", fit.b, curve.b);
}

#[test]
fn synthetic_series_are_recovered() {
    let cases = [
        (ArpsCurve::new(850.0, 0.003, 0.0).unwrap(), ArpsModel::Exponential),
        (ArpsCurve::new(1200.0, 0.01, 0.5).unwrap(), ArpsModel::Hyperbolic),
        (ArpsCurve::new(600.0, 0.02, 1.0).unwrap(), ArpsModel::Harmonic),
        (ArpsCurve::new(2000.0, 0.05, 1.6).unwrap(), ArpsModel::Hyperbolic),
    ];
    for objective in [ArpsObjective::LogRate, ArpsObjective::Rate] {
        let config = ArpsConfig { objective, ..ArpsConfig::default() };
        for (curve, model) in cases {
            // exact, daily over two years
            let points = daily(0..730, |i| curve.rate(i as f64));
            let fit = fit_daily(&points, &config).unwrap();
            assert_eq!(fit.model, model, "{curve:?} {objective:?}");
            check_recovered(&fit, &curve, 1e-7, 1e-7);
            assert!(fit.quality.r_squared > 0.999_999 && fit.quality.log_rmse < 1e-8);
            // exact, monthly
            let samples: Vec<RateSample> =
                (0..36).map(|i| RateSample::new(15.0 + 30.4375 * i as f64, curve.rate(30.4375 * i as f64))).collect();
            let fit = fit_rates(&samples, &config).unwrap();
            check_recovered(&fit, &curve, 1e-7, 1e-7);
            // +-3% deterministic noise, daily
            let points = daily(0..730, |i| curve.rate(i as f64) * noise(i, 0.03));
            let fit = fit_daily(&points, &config).unwrap();
            println!(
                "noisy {curve:?} {objective:?}: qi {:.2} D {:.6} b {:.4} (free {:.4}) log_rmse {:.4}",
                fit.qi, fit.d_nominal_daily, fit.b, fit.b_free, fit.quality.log_rmse
            );
            assert_eq!(fit.model, model, "noisy {curve:?} {objective:?}: b {}", fit.b_free);
            // The noisy peak need not be day 0: compare with the true curve restarted at the fit start.
            let t0 = fit.fit_start_t_days;
            let at_start = ArpsCurve::new(
                curve.rate(t0),
                curve.d_nominal_daily / (1.0 + curve.b * curve.d_nominal_daily * t0),
                curve.b,
            )
            .unwrap();
            check_recovered(&fit, &at_start, 0.01, 0.05);
            assert!(fit.quality.log_rmse < 0.02 && fit.quality.log_r_squared > 0.9);
        }
    }
}

#[test]
fn ramp_up_before_the_peak_is_not_fitted() {
    let curve = ArpsCurve::new(1000.0, 0.004, 0.8).unwrap();
    // 30 days of ramp-up from 100 to 970 bbl/d, then the decline from day 30.
    let points = daily(0..400, |i| if i < 30 { 100.0 + 30.0 * i as f64 } else { curve.rate((i - 30) as f64) });
    let fit = fit_daily(&points, &ArpsConfig::default()).unwrap();
    assert_eq!(fit.fit_start_t_days, 30.0);
    assert_eq!(fit.fit_start_day, Some(day0().checked_add_days(Days::new(30)).unwrap()));
    check_recovered(&fit, &curve, 1e-7, 1e-7);
    let ramp: f64 = (0..30).map(|i| 100.0 + 30.0 * i as f64).sum();
    assert!(rel(fit.cumulative_before_fit_start, ramp) < 1e-12);
    assert!(!fit.restarted_after_shut_in);
}

#[test]
fn a_long_shut_in_then_a_new_peak_restarts_the_fit() {
    let first = ArpsCurve::new(1000.0, 0.01, 0.5).unwrap();
    let second = ArpsCurve::new(700.0, 0.004, 1.3).unwrap();
    // 200 days of the first decline, 45 days shut in (downtime points and missing days), a 5-day ramp back,
    // then the second decline for 300 days.
    let mut points = daily(0..200, |i| first.rate(i as f64));
    points.extend(daily(200..220, |_| 0.0).into_iter().map(|p| DailyPoint { hours_on: 0.0, ..p }));
    points.extend(daily(245..250, |i| 300.0 + 50.0 * (i - 245) as f64));
    points.extend(daily(250..550, |i| second.rate((i - 250) as f64)));
    let fit = fit_daily(&points, &ArpsConfig::default()).unwrap();
    assert!(fit.restarted_after_shut_in);
    assert_eq!(fit.segment_start_t_days, 245.0);
    assert_eq!(fit.fit_start_t_days, 250.0);
    check_recovered(&fit, &second, 1e-7, 1e-7);
    // Everything produced counts in the cumulative to date.
    let produced: f64 = (0..200).map(|i| first.rate(i as f64)).sum::<f64>()
        + (0..5).map(|i| 300.0 + 50.0 * i as f64).sum::<f64>()
        + (0..300).map(|i| second.rate(i as f64)).sum::<f64>();
    assert!(rel(fit.cumulative_to_date, produced) < 1e-12);

    // A shut-in shorter than the threshold does not restart: with 60 days, the 45-day gap is not a restart, and
    // the fit starts at the overall peak (day 0).
    let fit = fit_daily(&points, &ArpsConfig { shut_in_days: 60.0, ..ArpsConfig::default() }).unwrap();
    assert!(!fit.restarted_after_shut_in);
    assert_eq!(fit.fit_start_t_days, 0.0);

    // Too short a segment after the restart is an explicit error (the old decline is not reused).
    let short: Vec<DailyPoint> = points.iter().copied().filter(|p| p.day < day0() + Days::new(253)).collect();
    assert_eq!(fit_daily(&short, &ArpsConfig::default()), Err(ArpsError::TooFewPoints { found: 3, required: 6 }));
}

#[test]
fn too_few_points_after_the_peak_is_an_error() {
    let curve = ArpsCurve::new(500.0, 0.01, 0.5).unwrap();
    // ramp-up of 10 days, then the peak and 4 more days: 5 points from the peak
    let points = daily(0..15, |i| if i < 10 { 50.0 * i as f64 } else { curve.rate((i - 10) as f64) });
    assert_eq!(fit_daily(&points, &ArpsConfig::default()), Err(ArpsError::TooFewPoints { found: 5, required: 6 }));
    let points = daily(0..16, |i| if i < 10 { 50.0 * i as f64 } else { curve.rate((i - 10) as f64) });
    assert!(fit_daily(&points, &ArpsConfig::default()).is_ok());
    assert_eq!(fit_daily(&[], &ArpsConfig::default()), Err(ArpsError::TooFewPoints { found: 0, required: 6 }));
    // downtime days do not count
    let points = daily(0..10, |i| curve.rate(i as f64))
        .into_iter()
        .enumerate()
        .map(|(i, p)| if i % 2 == 1 { DailyPoint { hours_on: 0.0, ..p } } else { p })
        .collect::<Vec<_>>();
    assert_eq!(fit_daily(&points, &ArpsConfig::default()), Err(ArpsError::TooFewPoints { found: 5, required: 6 }));
}

#[test]
fn exponential_eur_matches_the_closed_form() {
    let (qi, d) = (1000.0, 0.002);
    let curve = ArpsCurve::new(qi, d, 0.0).unwrap();
    let points = daily(0..365, |i| curve.rate(i as f64));
    let fit = fit_daily(&points, &ArpsConfig::default()).unwrap();
    assert_eq!(fit.model, ArpsModel::Exponential);
    assert_eq!(fit.b, 0.0);
    let produced: f64 = (0..365).map(|i| qi * (-d * i as f64).exp()).sum();
    let q_last = qi * (-d * 364.0).exp();
    // remaining = integral of q from the last day to the limit = (q_last - q_el) / D
    let remaining = (q_last - 5.0) / d;
    assert!(rel(fit.cumulative_to_date, produced) < 1e-12);
    assert!(rel(fit.remaining, remaining) < 1e-8, "{} vs {remaining}", fit.remaining);
    assert!(rel(fit.eur, produced + remaining) < 1e-8);
    assert!(rel(fit.days_to_economic_limit, (q_last / 5.0).ln() / d) < 1e-8);
    assert_eq!(fit.eur_end, EurEnd::EconomicLimit);
    // Di of an exponential decline: 1 - exp(-365.25 D)
    assert!(rel(fit.di_secant_effective_annual, 1.0 - (-365.25 * d).exp()) < 1e-8);

    // A different economic limit.
    let fit = fit_daily(&points, &ArpsConfig { economic_limit: 50.0, ..ArpsConfig::default() }).unwrap();
    assert!(rel(fit.remaining, (q_last - 50.0) / d) < 1e-8);
    // Already below the limit: nothing remains.
    let fit = fit_daily(&points, &ArpsConfig { economic_limit: 600.0, ..ArpsConfig::default() }).unwrap();
    assert_eq!((fit.remaining, fit.days_to_economic_limit), (0.0, 0.0));
}

#[test]
fn a_slow_b2_decline_is_cut_at_the_maximum_life() {
    let curve = ArpsCurve::new(300.0, 0.01, 2.0).unwrap();
    let points = daily(0..365, |i| curve.rate(i as f64));
    let fit = fit_daily(&points, &ArpsConfig::default()).unwrap();
    assert_eq!(fit.eur_end, EurEnd::MaxLife);
    assert!(fit.days_to_economic_limit > 50.0 * 365.25);
    let expected = curve.cumulative(364.0 + 50.0 * 365.25) - curve.cumulative(364.0);
    assert!(rel(fit.remaining, expected) < 1e-6);
}

#[test]
fn forecast_follows_the_curve_and_serialises_in_snake_case() {
    let curve = ArpsCurve::new(900.0, 0.006, 0.7).unwrap();
    let points = daily(0..200, |i| curve.rate(i as f64));
    let fit = fit_daily(&points, &ArpsConfig::default()).unwrap();
    let forecast = fit.generate_forecast(7);
    assert_eq!(forecast.len(), 7);
    for (k, p) in forecast.iter().enumerate() {
        assert_eq!(p.days_ahead, k as u32 + 1);
        assert_eq!(p.day, Some(day0() + Days::new(200 + k as u64)));
        assert!(rel(p.rate, curve.rate(200.0 + k as f64)) < 1e-8);
    }
    assert!(forecast.windows(2).all(|w| w[1].rate < w[0].rate));
    assert!(fit.generate_forecast(0).is_empty());

    let json = serde_json::to_value(&fit).unwrap();
    assert_eq!(json["model"], "hyperbolic");
    assert_eq!(json["objective"], "log_rate");
    assert_eq!(json["eur_end"], "economic_limit");
    for key in ["qi", "d_nominal_daily", "di_secant_effective_annual", "b", "eur", "days_to_economic_limit", "quality"]
    {
        assert!(json.get(key).is_some(), "{key}");
    }
    assert!(json["quality"].get("log_r_squared").is_some());
    let back: flowline_shared::analytics::arps::ArpsFit = serde_json::from_value(json).unwrap();
    assert_eq!(back, fit);
}

#[test]
fn bad_input_and_configuration_are_errors() {
    let curve = ArpsCurve::new(900.0, 0.006, 0.7).unwrap();
    let samples: Vec<RateSample> = (0..10).map(|i| RateSample::new(i as f64, curve.rate(i as f64))).collect();
    let bad = ArpsConfig { economic_limit: 0.0, ..ArpsConfig::default() };
    assert!(matches!(fit_rates(&samples, &bad), Err(ArpsError::InvalidConfig { name: "economic_limit", .. })));
    let bad = ArpsConfig { min_points: 3, ..ArpsConfig::default() };
    assert!(matches!(fit_rates(&samples, &bad), Err(ArpsError::InvalidConfig { name: "min_points", .. })));
    let mut dup = samples.clone();
    dup.push(RateSample::new(3.0, 10.0));
    assert_eq!(fit_rates(&dup, &ArpsConfig::default()), Err(ArpsError::DuplicateTime { t_days: 3.0 }));
    // a flat series does not decline
    let flat: Vec<RateSample> = (0..20).map(|i| RateSample::new(i as f64 * 30.0, 100.0)).collect();
    assert_eq!(fit_rates(&flat, &ArpsConfig::default()), Err(ArpsError::NoDecline));
    assert!(ArpsCurve::new(100.0, 0.01, 2.5).is_err());
    // A configuration deserialises with defaults for missing fields.
    let config: ArpsConfig = serde_json::from_str(r#"{"economic_limit": 10.0, "objective": "rate"}"#).unwrap();
    assert_eq!(config, ArpsConfig { economic_limit: 10.0, objective: ArpsObjective::Rate, ..ArpsConfig::default() });
    assert!(ArpsCurve::from_secant_effective(100.0, 1.0, 0.5).is_err());
}
