//! Cost of one well's forecast model on a 90-day series: the AutoETS search and a 7-day forecast, with and without
//! the rolling-origin backtest. Issue 3 budgets trends, anomalies and forecasts of 10,000 wells together.
//!
//! `cargo bench -p flowline-shared --bench forecast`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use flowline_shared::analytics::forecast::{BacktestRefit, ForecastConfig, ForecastModel};
use flowline_shared::analytics::trend::DailyPoint;
use std::time::Instant;

fn series() -> Vec<DailyPoint> {
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    // A declining well with a deterministic wobble: 400 bbl/d falling about 0.4 % a day.
    (0..90u32)
        .map(|i| {
            let t = f64::from(i);
            let value = 400.0 * (-0.004 * t).exp() * (1.0 + 0.03 * (t * 1.7).sin());
            DailyPoint::new(start + chrono::Days::new(u64::from(i)), value, 24.0)
        })
        .collect()
}

fn time(label: &str, config: ForecastConfig, points: &[DailyPoint]) {
    let reps = 50u32;
    let start = Instant::now();
    for _ in 0..reps {
        let model = ForecastModel::fit_with_config(points, config).unwrap();
        std::hint::black_box(model.generate_forecast(7).unwrap());
    }
    let per_well = start.elapsed() / reps;
    println!(
        "forecast/{label}: {per_well:?} per well; 10,000 wells on one core: {:.1} s",
        per_well.as_secs_f64() * 10_000.0
    );
}

fn main() {
    let points = series();
    time("no_backtest", ForecastConfig::new(0.95, 7, 0).unwrap(), &points);
    time("backtest_10_origins_search", ForecastConfig::default(), &points);
    time(
        "backtest_10_origins_selected_form",
        ForecastConfig::default().with_backtest_refit(BacktestRefit::SelectedForm),
        &points,
    );
}
