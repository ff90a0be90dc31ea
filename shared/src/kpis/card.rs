//! One KPI card's figures: value, unit, previous day, change, sparkline and age.
//!
//! # Rules
//! - **Value and previous.** `value` is the last day's figure and `previous` the calendar day before it; either is
//!   `None` when that day has no data. `change` ([`Change`]) needs both.
//! - **Sparkline.** The 7 days ending on the last day, oldest first, `None` for a day without data; always 7 entries.
//! - **Age.** `as_of` is the newest reading time behind the figures; `staleness_seconds = now - as_of` in whole
//!   seconds, 0 when `as_of` is after `now` (clock skew), `None` without an `as_of`.
//! - `higher_is_better` tells a screen which way is good (false for downtime, deferred production and alarms), so
//!   it can colour the arrow; the direction itself is only which way the number moved.

use super::change::Change;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Days in a sparkline.
pub const SPARKLINE_DAYS: usize = 7;

/// The unit a KPI is shown in; serialized as the label (`"BOPD"`, `"USD/d"`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum KpiUnit {
    /// Barrels of oil per calendar day.
    #[serde(rename = "BOPD")]
    Bopd,
    /// Thousand cubic feet of gas per calendar day.
    #[serde(rename = "MCFD")]
    Mcfd,
    #[serde(rename = "wells")]
    Wells,
    /// US dollars per calendar day.
    #[serde(rename = "USD/d")]
    UsdPerDay,
    #[serde(rename = "alarms")]
    Alarms,
    #[serde(rename = "%")]
    Percent,
    /// Barrels of oil equivalent, gas at 6 Mcf per bbl ("6:1").
    #[serde(rename = "BOE")]
    Boe,
}

impl KpiUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            KpiUnit::Bopd => "BOPD",
            KpiUnit::Mcfd => "MCFD",
            KpiUnit::Wells => "wells",
            KpiUnit::UsdPerDay => "USD/d",
            KpiUnit::Alarms => "alarms",
            KpiUnit::Percent => "%",
            KpiUnit::Boe => "BOE",
        }
    }
}

impl std::fmt::Display for KpiUnit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One KPI's figures (see the module documentation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Kpi {
    pub value: Option<f64>,
    pub unit: KpiUnit,
    pub previous: Option<f64>,
    pub change: Option<Change>,
    pub higher_is_better: bool,
    /// 7 (`SPARKLINE_DAYS`) daily values ending on the last day, oldest first.
    pub sparkline: Vec<Option<f64>>,
    pub as_of: Option<DateTime<Utc>>,
    pub staleness_seconds: Option<i64>,
}

/// Seconds from `as_of` to `now`, never negative.
pub fn staleness_seconds(as_of: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (now - as_of).num_seconds().max(0)
}

/// The days of a sparkline ending on `last`, oldest first.
pub fn sparkline_days(last: NaiveDate) -> Vec<NaiveDate> {
    (0..SPARKLINE_DAYS as u64).rev().filter_map(|back| last.checked_sub_days(chrono::Days::new(back))).collect()
}

impl Kpi {
    /// A KPI from a daily series: `value` on `last_day`, `previous` on the day before, the sparkline over `days`.
    /// Without a last day every figure is `None`.
    pub fn from_daily(
        unit: KpiUnit,
        higher_is_better: bool,
        last_day: Option<NaiveDate>,
        days: &[NaiveDate],
        series: impl Fn(NaiveDate) -> Option<f64>,
        as_of: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Self {
        let value = last_day.and_then(&series);
        let previous = last_day.and_then(|d| d.pred_opt()).and_then(&series);
        let sparkline =
            if last_day.is_some() { days.iter().map(|&d| series(d)).collect() } else { vec![None; days.len()] };
        Self {
            value,
            unit,
            previous,
            change: value.zip(previous).map(|(v, p)| Change::between(v, p)),
            higher_is_better,
            sparkline,
            as_of,
            staleness_seconds: as_of.map(|t| staleness_seconds(t, now)),
        }
    }

    /// A KPI known only now: no previous value, no history.
    pub fn current(
        unit: KpiUnit,
        higher_is_better: bool,
        value: f64,
        as_of: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            value: Some(value),
            unit,
            previous: None,
            change: None,
            higher_is_better,
            sparkline: vec![None; SPARKLINE_DAYS],
            as_of: Some(as_of),
            staleness_seconds: Some(staleness_seconds(as_of, now)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpis::change::Direction;
    use chrono::TimeZone;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 6, day).unwrap()
    }

    #[test]
    fn staleness_in_seconds_and_never_negative() {
        let now = Utc.with_ymd_and_hms(2024, 6, 10, 14, 0, 0).unwrap();
        // 14:00 - 04:30 = 9.5 h = 34,200 s.
        assert_eq!(staleness_seconds(Utc.with_ymd_and_hms(2024, 6, 10, 4, 30, 0).unwrap(), now), 34_200);
        assert_eq!(staleness_seconds(now, now), 0);
        assert_eq!(staleness_seconds(Utc.with_ymd_and_hms(2024, 6, 10, 14, 0, 5).unwrap(), now), 0, "future as_of");
    }

    #[test]
    fn sparkline_days_are_the_seven_ending_on_the_last_day() {
        assert_eq!(sparkline_days(d(9)), (3..=9).map(d).collect::<Vec<_>>());
        // Across a month boundary.
        assert_eq!(sparkline_days(d(2))[0], NaiveDate::from_ymd_opt(2024, 5, 27).unwrap());
    }

    #[test]
    fn kpi_from_a_daily_series_with_a_gap() {
        let now = Utc.with_ymd_and_hms(2024, 6, 10, 0, 0, 0).unwrap();
        let as_of = Utc.with_ymd_and_hms(2024, 6, 9, 23, 0, 0).unwrap();
        // Values 100 + day, none on the 5th.
        let series = |day: NaiveDate| (day != d(5)).then(|| 100.0 + f64::from(chrono::Datelike::day(&day)));
        let k = Kpi::from_daily(KpiUnit::Bopd, true, Some(d(9)), &sparkline_days(d(9)), series, Some(as_of), now);
        assert_eq!(k.value, Some(109.0));
        assert_eq!(k.previous, Some(108.0));
        // (109 - 108) / 108 = 0.926%: flat.
        assert_eq!(k.change.unwrap().direction, Direction::Flat);
        assert_eq!(
            k.sparkline,
            vec![Some(103.0), Some(104.0), None, Some(106.0), Some(107.0), Some(108.0), Some(109.0)]
        );
        assert_eq!(k.staleness_seconds, Some(3600));
        let empty = Kpi::from_daily(KpiUnit::Bopd, true, None, &sparkline_days(d(10)), series, None, now);
        assert_eq!((empty.value, empty.previous, empty.change, empty.staleness_seconds), (None, None, None, None));
        assert_eq!(empty.sparkline, vec![None; 7]);
    }

    #[test]
    fn units_serialize_as_labels() {
        let labels: Vec<String> = [
            KpiUnit::Bopd,
            KpiUnit::Mcfd,
            KpiUnit::Wells,
            KpiUnit::UsdPerDay,
            KpiUnit::Alarms,
            KpiUnit::Percent,
            KpiUnit::Boe,
        ]
        .iter()
        .map(|u| {
            let s = serde_json::to_string(u).unwrap();
            assert_eq!(s, format!("\"{u}\""));
            s
        })
        .collect();
        assert_eq!(labels.join(" "), r#""BOPD" "MCFD" "wells" "USD/d" "alarms" "%" "BOE""#);
    }
}
