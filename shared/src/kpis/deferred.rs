//! Deferred production: what a well would have made during its downtime, in BOE (6:1).
//!
//! # Rules
//! - **BOE** = oil bbl + gas Mcf / 6 (design.md, labelled "6:1").
//! - **Stable rate** of a well on day `d`: the median daily BOE of its last [`STABLE_RATE_DAYS`] (7) full days (on
//!   production all day, see [`super::downtime`]) among the [`STABLE_RATE_LOOKBACK_DAYS`] (30) local days ending on
//!   `d`. A full day's volume is its calendar-day rate, so the rate is in BOE per day. The median ignores a single
//!   odd day (a test, a flush after a shut-in); with an even count it is the mean of the two middle values. Fewer
//!   than 7 full days are used as they are; none gives no stable rate. Partial days never enter (their volume is
//!   already reduced by the downtime being measured).
//! - **Deferral** of a well on day `d` = stable rate x downtime fraction of `d` (design.md: "last stable rate x
//!   downtime"). A day without downtime defers 0 even without a stable rate; a day with downtime but no stable
//!   rate has an unknown deferral (`None`), left out of the fleet sum and reported.
//! - **Which wells.** Active oil and gas wells with data on the day; injection and disposal wells produce nothing to
//!   defer. A well without data on the day has no deferral (its downtime is unknown, not 100%).

use super::downtime::{downtime_fraction, is_full_day, local_day_hours};
use super::input::WellDay;
use crate::WellId;
use chrono::{Days, NaiveDate};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Full days whose median is the stable rate.
pub const STABLE_RATE_DAYS: usize = 7;
/// Local days, ending on the day itself, searched for full days.
pub const STABLE_RATE_LOOKBACK_DAYS: u64 = 30;
/// Mcf of gas per barrel of oil equivalent.
pub const MCF_PER_BOE: f64 = 6.0;
/// The BOE conversion label.
pub const BOE_BASIS: &str = "6:1";

/// Barrels of oil equivalent, 6:1.
pub fn boe(oil_bbl: f64, gas_mcf: f64) -> f64 {
    oil_bbl + gas_mcf / MCF_PER_BOE
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 })
}

/// The stable rate of a well on `day`, BOE per day (see the module documentation). `days` is the well's series.
pub fn stable_rate_boe(days: &BTreeMap<NaiveDate, WellDay>, day: NaiveDate, zone: Tz) -> Option<f64> {
    let from = day.checked_sub_days(Days::new(STABLE_RATE_LOOKBACK_DAYS - 1)).unwrap_or(NaiveDate::MIN);
    let rates: Vec<f64> = days
        .range(from..=day)
        .rev()
        .filter(|(d, wd)| is_full_day(wd.hours_on, local_day_hours(zone, **d)))
        .take(STABLE_RATE_DAYS)
        .map(|(_, wd)| boe(wd.oil_bbl, wd.gas_mcf))
        .collect();
    median(rates)
}

/// One well's deferral on one day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WellDeferral {
    pub well_id: WellId,
    pub day: NaiveDate,
    /// 0..=1.
    pub downtime_fraction: f64,
    /// BOE per day; `None` without a full day in the lookback.
    pub stable_rate_boe_per_day: Option<f64>,
    /// `stable rate x downtime fraction`; 0 without downtime; `None` when there was downtime but no stable rate.
    pub deferred_boe: Option<f64>,
}

/// A well's deferral on `day`, or `None` when it has no data that day.
pub fn well_deferral(
    well_id: WellId,
    days: &BTreeMap<NaiveDate, WellDay>,
    day: NaiveDate,
    zone: Tz,
) -> Option<WellDeferral> {
    let wd = days.get(&day)?;
    let downtime = downtime_fraction(wd.hours_on, local_day_hours(zone, day));
    let rate = stable_rate_boe(days, day, zone);
    let deferred = if downtime == 0.0 { Some(0.0) } else { rate.map(|r| r * downtime) };
    Some(WellDeferral {
        well_id,
        day,
        downtime_fraction: downtime,
        stable_rate_boe_per_day: rate,
        deferred_boe: deferred,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use uuid::Uuid;

    const CHICAGO: Tz = chrono_tz::America::Chicago;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, m, day).unwrap()
    }

    fn series(rows: &[(NaiveDate, f64, f64, f64)]) -> BTreeMap<NaiveDate, WellDay> {
        rows.iter()
            .map(|&(day, oil_bbl, gas_mcf, hours_on)| {
                (day, WellDay { day, oil_bbl, gas_mcf, hours_on, last_reading_at: DateTime::UNIX_EPOCH })
            })
            .collect()
    }

    #[test]
    fn boe_is_six_to_one() {
        assert_eq!(boe(100.0, 600.0), 200.0);
        assert_eq!(BOE_BASIS, "6:1");
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(vec![]), None);
    }

    #[test]
    fn deferred_production_by_hand() {
        // Nine full days, 06-01 .. 06-09, then 06-10 at 6 h on.
        // BOE per day = oil + gas / 6: gas is 600 Mcf = 100 BOE every day, oil varies:
        //   06-01: 500 (outside the last 7 full days), 06-02: 100, 06-03: 110, 06-04: 90, 06-05: 105,
        //   06-06: 95, 06-07: 100, 06-08: 300 (a flush), 06-09: 102.
        // The last 7 full days before 06-10 are 06-03 .. 06-09: BOE 210, 190, 205, 195, 200, 400, 202.
        // Sorted: 190, 195, 200, 202, 205, 210, 400; median 202.
        // 06-10: 6 h on of 24: downtime 0.75; deferred = 202 x 0.75 = 151.5 BOE.
        let oil = [500.0, 100.0, 110.0, 90.0, 105.0, 95.0, 100.0, 300.0, 102.0];
        let mut rows: Vec<_> = oil.iter().enumerate().map(|(i, &o)| (d(6, 1 + i as u32), o, 600.0, 24.0)).collect();
        rows.push((d(6, 10), 30.0, 150.0, 6.0));
        let s = series(&rows);
        let id = WellId(Uuid::from_u128(7));
        let w = well_deferral(id, &s, d(6, 10), CHICAGO).unwrap();
        assert_eq!(w.stable_rate_boe_per_day, Some(202.0));
        assert_eq!(w.downtime_fraction, 0.75);
        assert_eq!(w.deferred_boe, Some(151.5));
        // On a full day nothing is deferred.
        assert_eq!(well_deferral(id, &s, d(6, 9), CHICAGO).unwrap().deferred_boe, Some(0.0));
        // No data: no deferral.
        assert_eq!(well_deferral(id, &s, d(6, 11), CHICAGO), None);
    }

    #[test]
    fn stable_rate_uses_only_full_days_within_the_lookback() {
        // The 30 days ending on 07-10 are 06-11 ..= 07-10: a full day on 06-11 is in, one on 06-10 is not.
        let s = series(&[(d(6, 10), 999.0, 0.0, 24.0), (d(6, 11), 50.0, 0.0, 24.0), (d(7, 10), 1.0, 0.0, 12.0)]);
        assert_eq!(stable_rate_boe(&s, d(7, 10), CHICAGO), Some(50.0));
        // Only partial days: no stable rate, so downtime defers an unknown amount.
        let s = series(&[(d(6, 8), 40.0, 0.0, 12.0), (d(6, 9), 20.0, 0.0, 6.0)]);
        let w = well_deferral(WellId(Uuid::nil()), &s, d(6, 9), CHICAGO).unwrap();
        assert_eq!((w.stable_rate_boe_per_day, w.deferred_boe), (None, None));
    }

    #[test]
    fn a_full_23_hour_day_counts_as_stable() {
        // 2024-03-10 is 23 hours long in Chicago: 23 h on is a full day, 60 bbl + 240 Mcf = 100 BOE.
        let s = series(&[(d(3, 10), 60.0, 240.0, 23.0), (d(3, 11), 50.0, 200.0, 12.0)]);
        // 03-11: 12 of 24 h: downtime 0.5; deferred 100 x 0.5 = 50.
        let w = well_deferral(WellId(Uuid::nil()), &s, d(3, 11), CHICAGO).unwrap();
        assert_eq!(w.stable_rate_boe_per_day, Some(100.0));
        assert_eq!(w.deferred_boe, Some(50.0));
    }
}
