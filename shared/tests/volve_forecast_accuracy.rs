//! How good the ETS forecasts of `flowline_shared::analytics::forecast` are on real data: daily oil of the Volve
//! producing wells (`assets/volve/volve_daily.csv`, `BORE_OIL_VOL` in Sm3/day, kept in Sm3/d throughout).
//!
//! Protocol, per well (rows with `WELL_TYPE` = `OP`, wells with at least 200 producing days, which must include
//! F-12 H, F-14 H, F-11 H, F-15 D and F-1 C):
//! - the well's history runs from its first to its last producing day (`ON_STREAM_HRS > 0`); every day is a
//!   [`DailyPoint`] `(DATEPRD, BORE_OIL_VOL, ON_STREAM_HRS)`, downtime days included (the model drops them);
//! - a 90-calendar-day training window slides forward 30 days at a time (origins every 30 days) while the 7 days after
//!   it are still inside the history; a window with fewer than 30 usable (producing) points is skipped;
//! - on each window `ForecastModel::fit_with_config` (AutoETS "ZZN", 95% interval, backtest off) forecasts the next
//!   7 calendar days; each actual producing day among them (`ON_STREAM_HRS > 0`) is compared with the forecast point
//!   of the same calendar day (value and 95% bounds, clamped at zero as the API returns them);
//! - all (origin, step) pairs are pooled per well and overall: MAE and RMSE (Sm3/d), relative MAE (MAE / mean
//!   actual), coverage (share of actuals inside [lower, upper]) and, for comparison, the MAE of the naive last-value
//!   forecast (the window's last producing value) over the same pairs.
//!
//! The table is printed (`cargo test -p flowline-shared --release --test volve_forecast_accuracy -- --nocapture`)
//! and the measured figures are recorded in `shared/tests/fixtures/README.md` ("Forecast accuracy on Volve").
//! Assertions: overall coverage within [0.80, 1.0], every forecast figure finite and >= 0, every window fitted, at
//! least 100 pairs, and the ETS MAE at most 1.5 times the naive MAE.
//!
//! Volve data: Equinor and the Volve licence partners, Equinor Open Data Licence (see `assets/volve/ATTRIBUTION.md`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{Days, NaiveDate};
use flowline_shared::analytics::forecast::{DEFAULT_LEVEL, ForecastConfig, ForecastModel};
use flowline_shared::analytics::trend::DailyPoint;

const VOLVE_DAILY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/volve/volve_daily.csv");

/// Calendar days in a training window.
const TRAIN_DAYS: u64 = 90;
/// Days between two consecutive origins.
const ORIGIN_STEP_DAYS: u64 = 30;
/// Calendar days forecast and scored after each window.
const HORIZON_DAYS: u64 = 7;
/// Windows with fewer usable points are skipped.
const MIN_TRAIN_POINTS: usize = 30;
/// Wells with fewer producing days are left out.
const MIN_PRODUCING_DAYS: usize = 200;
/// Wells that must take part.
const REQUIRED_WELLS: [&str; 5] =
    ["NO 15/9-F-12 H", "NO 15/9-F-14 H", "NO 15/9-F-11 H", "NO 15/9-F-15 D", "NO 15/9-F-1 C"];

/// Assertion bounds (see the module documentation).
const MIN_COVERAGE: f64 = 0.80;
const MIN_PAIRS: usize = 100;
const MAX_MAE_RATIO: f64 = 1.5;

fn is_producing(p: &DailyPoint) -> bool {
    p.hours_on > 0.0 && p.value.is_finite()
}

/// The daily oil series of every `OP` row, per well, in day order. The file has no quoted fields, so a plain split
/// on ',' is exact; a missing number becomes NaN (downtime for the hours, a dropped value for the oil).
fn load_wells() -> BTreeMap<String, Vec<DailyPoint>> {
    let text = std::fs::read_to_string(VOLVE_DAILY).expect("read assets/volve/volve_daily.csv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no column {name}"));
    let (date_col, well_col, hours_col, oil_col, type_col) =
        (col("DATEPRD"), col("WELL_BORE_CODE"), col("ON_STREAM_HRS"), col("BORE_OIL_VOL"), col("WELL_TYPE"));
    let number = |s: &str| s.trim().parse::<f64>().unwrap_or(f64::NAN);
    let mut wells: BTreeMap<String, Vec<DailyPoint>> = BTreeMap::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), header.len(), "unexpected field count (quoted comma?) in {line}");
        if fields[type_col].trim() != "OP" {
            continue;
        }
        let day = NaiveDate::parse_from_str(fields[date_col], "%Y-%m-%d").expect("DATEPRD");
        let point = DailyPoint::new(day, number(fields[oil_col]), number(fields[hours_col]));
        wells.entry(fields[well_col].to_string()).or_default().push(point);
    }
    for points in wells.values_mut() {
        points.sort_by_key(|p| p.day);
    }
    wells
}

/// Pooled errors over (origin, step) pairs.
#[derive(Default)]
struct Score {
    windows: usize,
    skipped_windows: usize,
    failed_fits: usize,
    pairs: usize,
    actual_sum: f64,
    abs: f64,
    sq: f64,
    naive_abs: f64,
    inside: usize,
    models: BTreeMap<String, usize>,
}

impl Score {
    fn add(&mut self, actual: f64, forecast: f64, lower: f64, upper: f64, naive: f64) {
        let e = actual - forecast;
        self.pairs += 1;
        self.actual_sum += actual;
        self.abs += e.abs();
        self.sq += e * e;
        self.naive_abs += (actual - naive).abs();
        if actual >= lower && actual <= upper {
            self.inside += 1;
        }
    }

    fn merge(&mut self, other: &Score) {
        self.windows += other.windows;
        self.skipped_windows += other.skipped_windows;
        self.failed_fits += other.failed_fits;
        self.pairs += other.pairs;
        self.actual_sum += other.actual_sum;
        self.abs += other.abs;
        self.sq += other.sq;
        self.naive_abs += other.naive_abs;
        self.inside += other.inside;
        for (model, count) in &other.models {
            *self.models.entry(model.clone()).or_default() += count;
        }
    }

    fn n(&self) -> f64 {
        self.pairs.max(1) as f64
    }

    fn mae(&self) -> f64 {
        self.abs / self.n()
    }

    fn rmse(&self) -> f64 {
        (self.sq / self.n()).sqrt()
    }

    fn mean_actual(&self) -> f64 {
        self.actual_sum / self.n()
    }

    fn naive_mae(&self) -> f64 {
        self.naive_abs / self.n()
    }

    fn coverage(&self) -> f64 {
        self.inside as f64 / self.n()
    }

    fn row(&self, name: &str) -> String {
        format!(
            "| {name} | {} | {} | {} | {:.1} | {:.1} | {:.1} | {:.3} | {:.3} | {:.1} | {:.3} |",
            self.windows,
            self.skipped_windows,
            self.pairs,
            self.mean_actual(),
            self.mae(),
            self.rmse(),
            self.mae() / self.mean_actual(),
            self.coverage(),
            self.naive_mae(),
            self.mae() / self.naive_mae(),
        )
    }
}

/// The points of `points` (sorted by day) with `from <= day <= to`.
fn days_between(points: &[DailyPoint], from: NaiveDate, to: NaiveDate) -> &[DailyPoint] {
    let start = points.partition_point(|p| p.day < from);
    let end = points.partition_point(|p| p.day <= to);
    &points[start..end]
}

fn add_days(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_add_days(Days::new(days)).expect("date in range")
}

/// Rolls the training window over one well's history (see the module documentation).
fn evaluate_well(points: &[DailyPoint], config: ForecastConfig) -> Score {
    let mut score = Score::default();
    let producing: Vec<&DailyPoint> = points.iter().filter(|p| is_producing(p)).collect();
    let (Some(first), Some(last)) = (producing.first(), producing.last()) else {
        return score;
    };
    let mut start = first.day;
    loop {
        let end = add_days(start, TRAIN_DAYS - 1);
        let test_end = add_days(end, HORIZON_DAYS);
        if test_end > last.day {
            break;
        }
        let origin = start;
        start = add_days(start, ORIGIN_STEP_DAYS);
        let train = days_between(points, origin, end);
        if train.iter().filter(|p| is_producing(p)).count() < MIN_TRAIN_POINTS {
            score.skipped_windows += 1;
            continue;
        }
        let model = match ForecastModel::fit_with_config(train, config) {
            Ok(model) => model,
            Err(e) => {
                println!("fit failed on the window {origin}..={end}: {e}");
                score.failed_fits += 1;
                continue;
            }
        };
        score.windows += 1;
        *score.models.entry(model.model_name().to_string()).or_default() += 1;
        // The forecast starts the day after the window's last row: reach `test_end` even if that row is before `end`.
        let as_of = model.as_of();
        let horizon = u32::try_from((test_end - as_of).num_days()).expect("horizon");
        let forecast = model.generate_forecast(horizon).expect("forecast");
        for p in &forecast.points {
            let figures = [p.value, p.lower, p.upper];
            assert!(
                figures.iter().all(|v| v.is_finite() && *v >= 0.0),
                "forecast from the window {origin}..={end} is not finite and >= 0 on {}: {p:?}",
                p.day
            );
            assert!(p.lower <= p.value && p.value <= p.upper, "point outside its interval: {p:?}");
        }
        let naive = model.metadata().naive_baseline.value;
        let last_train_value = train.iter().rev().find(|p| is_producing(p)).map(|p| p.value);
        assert_eq!(Some(naive), last_train_value, "naive baseline is the window's last producing value");
        for actual in days_between(points, add_days(end, 1), test_end).iter().filter(|p| is_producing(p)) {
            let fc = forecast.points.iter().find(|f| f.day == actual.day).expect("forecast for every test day");
            score.add(actual.value, fc.value, fc.lower, fc.upper, naive);
        }
    }
    score
}

#[test]
fn ets_forecasts_on_volve_rolling_windows() {
    let started = Instant::now();
    let config = ForecastConfig::new(DEFAULT_LEVEL, HORIZON_DAYS as u32, 0).expect("config without backtest");
    let wells: BTreeMap<String, Vec<DailyPoint>> = load_wells()
        .into_iter()
        .filter(|(_, points)| points.iter().filter(|p| is_producing(p)).count() >= MIN_PRODUCING_DAYS)
        .collect();
    for required in REQUIRED_WELLS {
        assert!(wells.contains_key(required), "{required} has fewer than {MIN_PRODUCING_DAYS} producing days");
    }

    let mut total = Score::default();
    let mut rows = Vec::new();
    for (well, points) in &wells {
        let score = evaluate_well(points, config);
        rows.push(score.row(well));
        total.merge(&score);
    }
    rows.push(total.row("**all wells**"));

    println!();
    println!(
        "ETS (AutoETS \"ZZN\") 7-day forecasts from rolling 90-day windows (origins every 30 days), Volve daily oil, \
         Sm3/d; 95% prediction interval"
    );
    println!();
    println!(
        "| well | windows | skipped | pairs | mean actual | MAE | RMSE | MAE / mean | coverage 95% | naive MAE | MAE / naive |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in &rows {
        println!("{row}");
    }
    println!();
    let models: Vec<String> = total.models.iter().map(|(m, c)| format!("{m} {c}")).collect();
    println!("models chosen: {}; failed fits: {}", models.join(", "), total.failed_fits);
    println!("elapsed: {:.2} s", started.elapsed().as_secs_f64());

    assert_eq!(total.failed_fits, 0, "every window with enough points must be fitted");
    assert!(total.pairs >= MIN_PAIRS, "only {} (origin, step) pairs, at least {MIN_PAIRS} expected", total.pairs);
    let coverage = total.coverage();
    assert!(
        (MIN_COVERAGE..=1.0).contains(&coverage),
        "95% interval coverage {coverage:.3} outside [{MIN_COVERAGE}, 1.0]"
    );
    let ratio = total.mae() / total.naive_mae();
    assert!(
        ratio.is_finite() && ratio <= MAX_MAE_RATIO,
        "ETS MAE {:.1} is {ratio:.3} times the naive MAE {:.1} (at most {MAX_MAE_RATIO})",
        total.mae(),
        total.naive_mae()
    );
}
