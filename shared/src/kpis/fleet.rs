//! The dashboard's fleet KPIs (US-1101): total oil, total gas, active wells, fleet revenue, unacknowledged alarms,
//! downtime, plus deferred production. The JSON of `GET /api/v1/dashboard/kpis`.
//!
//! # Rules
//! - **Today** is `now`'s date in the input's zone. Days after today are ignored (no look-ahead).
//! - **Last day** ("last 24 hours") is the latest local day, up to today, on which any well has data; the previous
//!   day is the calendar day before it. The input is per local day, so there is no rolling 24-hour window; when
//!   today already has entries, today is the last day. No data at all: no last day, every daily figure is `None`.
//! - **Volumes** (BOPD, MCFD: per calendar day). A day's total is the sum over the wells with data that day, whatever
//!   their status (what was produced was produced); `None` when no well has data that day. A missing well-day is not
//!   a zero: the active wells without data on the last day are listed in [`FleetKpis::wells_without_data`].
//! - **Active wells.** `active` = wells whose status is active now, `percent_of_total = 100 x active / all wells`
//!   (`None` for an empty fleet). Statuses have no history in the input, so the count has no previous day; the card's
//!   trend is [`ActiveWellsKpi::on_production`]: per day, the wells with data and `hours_on > 0` (any status).
//! - **Revenue** (USD/d). Each day's total volumes at that day's prices ([`PriceTable::price_on`]: the latest on or
//!   before it, so a Sunday uses Friday's) with the configured heat content (see [`super::revenue`]). `None` for a
//!   day without volumes or without a quote for either commodity (listed in [`RevenueKpi::missing_prices`]).
//! - **Alarms.** The current count of unacknowledged alarms, by priority; the highest priority present (`None` when
//!   there are none). Counts have no history in the input: no previous value, an empty (all `None`) sparkline.
//! - **Downtime** (%). Per well-day `1 - hours_on / day length` (see [`super::downtime`]). The fleet figure is the
//!   mean over the active wells with data that day, times 100 (each active well weighs the same). Inactive wells are
//!   left out (a shut-in well's 100% is its status, not downtime); active wells without data are left out, not
//!   counted as down, and listed. `None` when no active well has data that day.
//! - **Deferred production** (BOE, 6:1): the sum over active oil and gas wells of stable rate x downtime fraction
//!   (see [`super::deferred`]). Wells with downtime but no stable rate are left out and listed. `None` when no
//!   active producer has data that day.
//! - **Age.** Production KPIs are `as_of` the newest `last_reading_at` among the well-days up to today; active wells
//!   `as_of` [`FleetInput::status_as_of`], alarms `as_of` their `counted_at`. Staleness is `now - as_of`.

use super::card::{Kpi, KpiUnit, SPARKLINE_DAYS, sparkline_days, staleness_seconds};
use super::deferred::{BOE_BASIS, WellDeferral, well_deferral};
use super::downtime::{downtime_fraction, local_day_hours};
use super::input::{FleetInput, FleetInputError, WellDay, WellInput};
use super::prices::{Commodity, PriceTable};
use super::revenue::{HeatContent, RevenueBreakdown, revenue};
use crate::alarms::AlarmPriority;
use crate::{WellId, WellType};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Active wells: the count now and the wells on production per day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActiveWellsKpi {
    /// Wells with status active now.
    pub active: usize,
    /// All wells of the fleet.
    pub total: usize,
    /// `100 x active / total`; `None` for an empty fleet.
    pub percent_of_total: Option<f64>,
    pub unit: KpiUnit,
    pub as_of: DateTime<Utc>,
    pub staleness_seconds: i64,
    /// Wells with `hours_on > 0` per day: value, previous day, change and sparkline.
    pub on_production: Kpi,
}

/// Fleet revenue with the last day's breakdown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevenueKpi {
    #[serde(flatten)]
    pub kpi: Kpi,
    /// The last day's volumes, prices (with the day each price is from) and revenue split.
    pub breakdown: Option<RevenueBreakdown>,
    /// Commodities without a price on or before the last day.
    pub missing_prices: Vec<Commodity>,
}

/// Unacknowledged alarms now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlarmsKpi {
    #[serde(flatten)]
    pub kpi: Kpi,
    pub critical: u32,
    pub high: u32,
    pub low: u32,
    pub highest_priority: Option<AlarmPriority>,
}

/// Fleet downtime.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DowntimeKpi {
    #[serde(flatten)]
    pub kpi: Kpi,
    /// Active wells with data on the last day (the mean's denominator).
    pub wells_counted: usize,
}

/// Deferred production on the last day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeferredKpi {
    #[serde(flatten)]
    pub kpi: Kpi,
    /// `"6:1"`.
    pub boe_basis: String,
    /// The wells that deferred production on the last day (downtime > 0), largest deferral first (unknown ones
    /// last), at most 20 (`TOP_DEFERRING_WELLS`): the drill-down of the card, kept small for a 10,000-well fleet.
    pub wells: Vec<WellDeferral>,
    /// Active producers with data on the last day.
    pub producers_counted: usize,
    /// Of those, the ones with downtime on the last day (all of them, `wells` lists the largest).
    pub wells_deferring: usize,
    /// Wells down on the last day without a stable rate (their deferral is unknown and not in the sum).
    pub wells_without_stable_rate: Vec<WellId>,
}

/// The most wells the deferred-production card lists.
pub const TOP_DEFERRING_WELLS: usize = 20;

/// The dashboard's KPIs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FleetKpis {
    pub now: DateTime<Utc>,
    /// `now`'s local date.
    pub today: NaiveDate,
    /// The latest local day with data, up to today.
    pub last_day: Option<NaiveDate>,
    pub previous_day: Option<NaiveDate>,
    /// The sparklines' days, oldest first (ending on the last day, or today without data).
    pub sparkline_days: Vec<NaiveDate>,
    /// Wells (any status) with data on the last day.
    pub wells_reporting: usize,
    /// Active wells without data on the last day.
    pub wells_without_data: Vec<WellId>,
    pub total_oil: Kpi,
    pub total_gas: Kpi,
    pub active_wells: ActiveWellsKpi,
    pub fleet_revenue: RevenueKpi,
    pub unacknowledged_alarms: AlarmsKpi,
    pub downtime: DowntimeKpi,
    pub deferred_production: DeferredKpi,
}

/// A well and its days up to today, by day.
struct Series<'a> {
    well: &'a WellInput,
    days: BTreeMap<NaiveDate, WellDay>,
}

impl Series<'_> {
    fn on(&self, day: NaiveDate) -> Option<&WellDay> {
        self.days.get(&day)
    }

    fn is_producer(&self) -> bool {
        self.well.active && matches!(self.well.well_type, WellType::Oil | WellType::Gas)
    }
}

/// The sum of `f` over the wells with data on `day`; `None` when none has.
fn sum_on(fleet: &[Series<'_>], day: NaiveDate, f: impl Fn(&WellDay) -> f64) -> Option<f64> {
    let values: Vec<f64> = fleet.iter().filter_map(|s| s.on(day)).map(f).collect();
    (!values.is_empty()).then(|| values.iter().sum())
}

fn downtime_percent(fleet: &[Series<'_>], day: NaiveDate, zone: Tz) -> Option<f64> {
    let hours = local_day_hours(zone, day);
    let d: Vec<f64> = fleet
        .iter()
        .filter(|s| s.well.active)
        .filter_map(|s| s.on(day))
        .map(|wd| downtime_fraction(wd.hours_on, hours))
        .collect();
    (!d.is_empty()).then(|| 100.0 * d.iter().sum::<f64>() / d.len() as f64)
}

fn deferrals(fleet: &[Series<'_>], day: NaiveDate, zone: Tz) -> Vec<WellDeferral> {
    fleet.iter().filter(|s| s.is_producer()).filter_map(|s| well_deferral(s.well.well_id, &s.days, day, zone)).collect()
}

fn deferred_boe(fleet: &[Series<'_>], day: NaiveDate, zone: Tz) -> Option<f64> {
    let d = deferrals(fleet, day, zone);
    (!d.is_empty()).then(|| d.iter().filter_map(|w| w.deferred_boe).sum())
}

fn revenue_on(
    fleet: &[Series<'_>],
    day: NaiveDate,
    prices: &PriceTable,
    heat: HeatContent,
) -> Option<RevenueBreakdown> {
    let oil = sum_on(fleet, day, |wd| wd.oil_bbl)?;
    let gas = sum_on(fleet, day, |wd| wd.gas_mcf)?;
    let oil_price = prices.price_on(Commodity::Wti, day)?;
    let gas_price = prices.price_on(Commodity::HenryHub, day)?;
    // Validated volumes and quotes of the right commodities: this cannot fail.
    revenue(oil, gas, oil_price, gas_price, heat).ok()
}

/// The fleet KPIs at `now` (see the module documentation).
pub fn fleet_kpis(
    input: &FleetInput,
    prices: &PriceTable,
    heat_content: HeatContent,
    now: DateTime<Utc>,
) -> Result<FleetKpis, FleetInputError> {
    input.validate()?;
    let zone = input.zone;
    let today = now.with_timezone(&zone).date_naive();
    let fleet: Vec<Series<'_>> = input
        .wells
        .iter()
        .map(|well| Series {
            well,
            days: well.days.iter().filter(|wd| wd.day <= today).map(|wd| (wd.day, *wd)).collect(),
        })
        .collect();
    let last_day = fleet.iter().filter_map(|s| s.days.keys().next_back().copied()).max();
    let previous_day = last_day.and_then(|d| d.pred_opt());
    let days = sparkline_days(last_day.unwrap_or(today));
    debug_assert_eq!(days.len(), SPARKLINE_DAYS);
    let as_of = fleet.iter().flat_map(|s| s.days.values().map(|wd| wd.last_reading_at)).max();

    let daily = |unit, higher_is_better, series: &dyn Fn(NaiveDate) -> Option<f64>| {
        Kpi::from_daily(unit, higher_is_better, last_day, &days, series, as_of, now)
    };

    let total_oil = daily(KpiUnit::Bopd, true, &|d| sum_on(&fleet, d, |wd| wd.oil_bbl));
    let total_gas = daily(KpiUnit::Mcfd, true, &|d| sum_on(&fleet, d, |wd| wd.gas_mcf));

    let total = fleet.len();
    let active = fleet.iter().filter(|s| s.well.active).count();
    let active_wells = ActiveWellsKpi {
        active,
        total,
        percent_of_total: (total > 0).then(|| 100.0 * active as f64 / total as f64),
        unit: KpiUnit::Wells,
        as_of: input.status_as_of,
        staleness_seconds: staleness_seconds(input.status_as_of, now),
        on_production: daily(KpiUnit::Wells, true, &|d| {
            sum_on(&fleet, d, |wd| if wd.hours_on > 0.0 { 1.0 } else { 0.0 })
        }),
    };

    let breakdown = last_day.and_then(|d| revenue_on(&fleet, d, prices, heat_content));
    let missing_prices = match last_day {
        Some(d) => Commodity::ALL.into_iter().filter(|&c| prices.price_on(c, d).is_none()).collect(),
        None => Vec::new(),
    };
    let fleet_revenue = RevenueKpi {
        kpi: daily(KpiUnit::UsdPerDay, true, &|d| revenue_on(&fleet, d, prices, heat_content).map(|r| r.total_usd)),
        breakdown,
        missing_prices,
    };

    let a = input.alarms;
    let highest_priority = if a.critical > 0 {
        Some(AlarmPriority::Critical)
    } else if a.high > 0 {
        Some(AlarmPriority::High)
    } else if a.low > 0 {
        Some(AlarmPriority::Low)
    } else {
        None
    };
    let alarm_total = f64::from(a.critical) + f64::from(a.high) + f64::from(a.low);
    let unacknowledged_alarms = AlarmsKpi {
        kpi: Kpi::current(KpiUnit::Alarms, false, alarm_total, a.counted_at, now),
        critical: a.critical,
        high: a.high,
        low: a.low,
        highest_priority,
    };

    let wells_reporting = last_day.map_or(0, |d| fleet.iter().filter(|s| s.on(d).is_some()).count());
    let wells_without_data: Vec<WellId> = fleet
        .iter()
        .filter(|s| s.well.active && last_day.is_none_or(|d| s.on(d).is_none()))
        .map(|s| s.well.well_id)
        .collect();

    let downtime = DowntimeKpi {
        kpi: daily(KpiUnit::Percent, false, &|d| downtime_percent(&fleet, d, zone)),
        wells_counted: last_day.map_or(0, |d| fleet.iter().filter(|s| s.well.active && s.on(d).is_some()).count()),
    };

    let last_deferrals = last_day.map(|d| deferrals(&fleet, d, zone)).unwrap_or_default();
    let producers_counted = last_deferrals.len();
    let mut deferring: Vec<WellDeferral> =
        last_deferrals.iter().filter(|w| w.downtime_fraction > 0.0).copied().collect();
    let wells_deferring = deferring.len();
    // Largest first; unknown deferrals (no stable rate) after the known ones; ties by well id.
    deferring.sort_by(|a, b| {
        let key = |w: &WellDeferral| w.deferred_boe.unwrap_or(f64::NEG_INFINITY);
        key(b).total_cmp(&key(a)).then(a.well_id.cmp(&b.well_id))
    });
    deferring.truncate(TOP_DEFERRING_WELLS);
    let deferred_production = DeferredKpi {
        kpi: daily(KpiUnit::Boe, false, &|d| deferred_boe(&fleet, d, zone)),
        boe_basis: BOE_BASIS.to_string(),
        wells_without_stable_rate: last_deferrals
            .iter()
            .filter(|w| w.deferred_boe.is_none())
            .map(|w| w.well_id)
            .collect(),
        wells: deferring,
        producers_counted,
        wells_deferring,
    };

    Ok(FleetKpis {
        now,
        today,
        last_day,
        previous_day,
        sparkline_days: days.clone(),
        wells_reporting,
        wells_without_data,
        total_oil,
        total_gas,
        active_wells,
        fleet_revenue,
        unacknowledged_alarms,
        downtime,
        deferred_production,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpis::change::Direction;
    use crate::kpis::input::UnacknowledgedAlarms;
    use crate::kpis::prices::PricePoint;
    use chrono::TimeZone;
    use uuid::Uuid;

    const CHICAGO: Tz = chrono_tz::America::Chicago;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 6, day).unwrap()
    }

    fn utc(day: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 6, day, h, m, 0).unwrap()
    }

    fn id(n: u128) -> WellId {
        WellId(Uuid::from_u128(n))
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    fn close_all(a: &[Option<f64>], b: &[Option<f64>]) -> bool {
        a.len() == b.len()
            && a.iter().zip(b).all(|(x, y)| match (x, y) {
                (Some(x), Some(y)) => close(*x, *y),
                (None, None) => true,
                _ => false,
            })
    }

    /// A day read at 18:00 UTC the same day, unless given.
    fn wd(day: u32, oil_bbl: f64, gas_mcf: f64, hours_on: f64) -> WellDay {
        WellDay { day: d(day), oil_bbl, gas_mcf, hours_on, last_reading_at: utc(day, 18, 0) }
    }

    /// Now: 2024-06-10 14:00 UTC = 09:00 CDT, so today is 06-10 in Chicago.
    fn now() -> DateTime<Utc> {
        utc(10, 14, 0)
    }

    /// WTI 80 and Henry Hub 2.5 from Friday 05-31, WTI 76 and Henry Hub 2.0 from Friday 06-07.
    fn prices() -> PriceTable {
        PriceTable::from_points(&[
            PricePoint::new(Commodity::Wti, NaiveDate::from_ymd_opt(2024, 5, 31).unwrap(), 80.0),
            PricePoint::new(Commodity::HenryHub, NaiveDate::from_ymd_opt(2024, 5, 31).unwrap(), 2.5),
            PricePoint::new(Commodity::Wti, d(7), 76.0),
            PricePoint::new(Commodity::HenryHub, d(7), 2.0),
        ])
        .unwrap()
    }

    /// Three wells, days 06-02 .. 06-09 (Chicago):
    /// - A (id 1), active oil well. 24 h on every day but 06-09 (18 h). Gas = 3 x oil, so BOE = 1.5 x oil.
    ///   oil: 02: 100, 03: 102, 04: 98, 05: 101, 06: 99, 07: 100, 08: 103, 09: 75. Also a day in the future (06-11)
    ///   that must be ignored.
    /// - B (id 2), active gas well. 10 bbl + 1000 Mcf at 24 h every day, except 06-06 (12 h: 5 bbl + 500 Mcf) and
    ///   06-08, which is missing.
    /// - C (id 3), inactive (shut in): 0 bbl, 0 Mcf, 0 h on 06-08 and 06-09.
    fn fleet() -> FleetInput {
        let a_oil = [100.0, 102.0, 98.0, 101.0, 99.0, 100.0, 103.0];
        let mut a: Vec<WellDay> = a_oil.iter().enumerate().map(|(i, &o)| wd(2 + i as u32, o, 3.0 * o, 24.0)).collect();
        a.push(WellDay { last_reading_at: utc(10, 4, 30), ..wd(9, 75.0, 225.0, 18.0) });
        a.push(wd(11, 9999.0, 9999.0, 24.0));
        let mut b: Vec<WellDay> = [2, 3, 4, 5, 7].iter().map(|&day| wd(day, 10.0, 1000.0, 24.0)).collect();
        b.push(wd(6, 5.0, 500.0, 12.0));
        b.push(WellDay { last_reading_at: utc(10, 2, 0), ..wd(9, 10.0, 1000.0, 24.0) });
        let c = vec![wd(8, 0.0, 0.0, 0.0), WellDay { last_reading_at: utc(10, 1, 0), ..wd(9, 0.0, 0.0, 0.0) }];
        FleetInput {
            zone: CHICAGO,
            wells: vec![
                WellInput { well_id: id(1), active: true, well_type: WellType::Oil, days: a },
                WellInput { well_id: id(2), active: true, well_type: WellType::Gas, days: b },
                WellInput { well_id: id(3), active: false, well_type: WellType::Oil, days: c },
            ],
            status_as_of: now(),
            alarms: UnacknowledgedAlarms {
                critical: 0,
                high: 2,
                low: 3,
                counted_at: utc(10, 13, 59) + chrono::Duration::seconds(30),
            },
        }
    }

    fn kpis(input: &FleetInput) -> FleetKpis {
        fleet_kpis(input, &prices(), HeatContent::default(), now()).unwrap()
    }

    #[test]
    fn days_and_coverage() {
        let k = kpis(&fleet());
        assert_eq!(k.today, d(10));
        // No entries on 06-10 yet; 06-11 is in the future and ignored.
        assert_eq!(k.last_day, Some(d(9)));
        assert_eq!(k.previous_day, Some(d(8)));
        assert_eq!(k.sparkline_days, (3..=9).map(d).collect::<Vec<_>>());
        assert_eq!(k.wells_reporting, 3);
        assert_eq!(k.wells_without_data, vec![]);
    }

    #[test]
    fn total_oil_and_gas_by_hand() {
        let k = kpis(&fleet());
        // Oil per day (A + B + C where present):
        // 03: 102 + 10 = 112; 04: 98 + 10 = 108; 05: 101 + 10 = 111; 06: 99 + 5 = 104; 07: 100 + 10 = 110;
        // 08: 103 + 0 (B missing, C 0) = 103; 09: 75 + 10 + 0 = 85.
        let oil = &k.total_oil;
        assert_eq!(oil.unit, KpiUnit::Bopd);
        assert_eq!((oil.value, oil.previous), (Some(85.0), Some(103.0)));
        // (85 - 103) / 103 = -17.4757%.
        let c = oil.change.unwrap();
        assert!(close(c.change_percent.unwrap(), -1800.0 / 103.0));
        assert_eq!(c.direction, Direction::Down);
        let expected: Vec<Option<f64>> = [112.0, 108.0, 111.0, 104.0, 110.0, 103.0, 85.0].map(Some).to_vec();
        assert_eq!(oil.sparkline, expected);
        // Gas: A is 3 x oil. 03: 306 + 1000 = 1306; 04: 294 + 1000 = 1294; 05: 303 + 1000 = 1303;
        // 06: 297 + 500 = 797; 07: 300 + 1000 = 1300; 08: 309; 09: 225 + 1000 = 1225.
        let gas = &k.total_gas;
        assert_eq!(gas.unit, KpiUnit::Mcfd);
        assert_eq!((gas.value, gas.previous), (Some(1225.0), Some(309.0)));
        // (1225 - 309) / 309 = +296.44%.
        assert!(close(gas.change.unwrap().change_percent.unwrap(), 91600.0 / 309.0));
        assert_eq!(gas.change.unwrap().direction, Direction::Up);
        let expected: Vec<Option<f64>> = [1306.0, 1294.0, 1303.0, 797.0, 1300.0, 309.0, 1225.0].map(Some).to_vec();
        assert_eq!(gas.sparkline, expected);
    }

    #[test]
    fn active_wells_by_hand() {
        let k = kpis(&fleet());
        let a = &k.active_wells;
        // A and B of 3 wells: 66.67%.
        assert_eq!((a.active, a.total), (2, 3));
        assert!(close(a.percent_of_total.unwrap(), 200.0 / 3.0));
        assert_eq!(a.unit, KpiUnit::Wells);
        assert_eq!(a.staleness_seconds, 0);
        // On production (data and hours_on > 0): 03-07: A and B = 2; 08: A only (C at 0 h, B missing) = 1;
        // 09: A and B = 2. Previous 1, +100%.
        let p = &a.on_production;
        assert_eq!((p.value, p.previous), (Some(2.0), Some(1.0)));
        assert_eq!(p.change.unwrap().change_percent, Some(100.0));
        assert_eq!(p.sparkline, [2.0, 2.0, 2.0, 2.0, 2.0, 1.0, 2.0].map(Some).to_vec());
    }

    #[test]
    fn fleet_revenue_by_hand() {
        let k = kpis(&fleet());
        let r = &k.fleet_revenue;
        assert_eq!(r.kpi.unit, KpiUnit::UsdPerDay);
        // 06-09 is a Sunday: Friday 06-07's prices, WTI 76, Henry Hub 2.0.
        // Oil 85 x 76 = 6460; gas 1225 Mcf x 1.037 = 1270.325 MMBtu x 2.0 = 2540.65; total 9000.65.
        let b = r.breakdown.unwrap();
        assert!(close(b.oil_usd, 6460.0) && close(b.gas_usd, 2540.65) && close(b.total_usd, 9000.65), "{b:?}");
        assert_eq!((b.oil_price.effective_day, b.oil_price.age_days, b.oil_price.price), (d(7), 2, 76.0));
        assert_eq!((b.gas_price.effective_day, b.gas_price.price), (d(7), 2.0));
        assert!(close(r.kpi.value.unwrap(), 9000.65));
        // 06-08 (Saturday, also Friday's prices): 103 x 76 = 7828; 309 x 1.037 x 2.0 = 640.866; total 8468.866.
        assert!(close(r.kpi.previous.unwrap(), 8468.866));
        // (9000.65 - 8468.866) / 8468.866 = +6.2793%.
        let c = r.kpi.change.unwrap();
        assert!(close(c.change_percent.unwrap(), 100.0 * 531.784 / 8468.866));
        assert_eq!(c.direction, Direction::Up);
        // 06-03 .. 06-06 use 05-31's prices (80, 2.5):
        //   03: 112 x 80 = 8960 + 1306 x 1.037 x 2.5 = 3385.805 -> 12345.805
        //   04: 108 x 80 = 8640 + 1294 x 1.037 x 2.5 = 3354.695 -> 11994.695
        //   05: 111 x 80 = 8880 + 1303 x 1.037 x 2.5 = 3378.0275 -> 12258.0275
        //   06: 104 x 80 = 8320 + 797 x 1.037 x 2.5 = 2066.2225 -> 10386.2225
        // 07 uses its own (76, 2.0): 110 x 76 = 8360 + 1300 x 1.037 x 2 = 2696.2 -> 11056.2.
        let expected = [12345.805, 11994.695, 12258.0275, 10386.2225, 11056.2, 8468.866, 9000.65].map(Some);
        assert!(close_all(&r.kpi.sparkline, &expected), "{:?}", r.kpi.sparkline);
        assert_eq!(r.missing_prices, vec![]);
    }

    #[test]
    fn unacknowledged_alarms() {
        let k = kpis(&fleet());
        let a = &k.unacknowledged_alarms;
        assert_eq!((a.critical, a.high, a.low), (0, 2, 3));
        assert_eq!(a.kpi.value, Some(5.0));
        assert_eq!(a.kpi.unit, KpiUnit::Alarms);
        assert_eq!(a.highest_priority, Some(AlarmPriority::High));
        // Counted at 13:59:30, now 14:00:00.
        assert_eq!(a.kpi.staleness_seconds, Some(30));
        assert_eq!((a.kpi.previous, a.kpi.change), (None, None));
        assert_eq!(a.kpi.sparkline, vec![None; 7]);
        assert!(!a.kpi.higher_is_better);
    }

    #[test]
    fn highest_priority_and_no_alarms() {
        let mut input = fleet();
        input.alarms.critical = 1;
        assert_eq!(kpis(&input).unacknowledged_alarms.highest_priority, Some(AlarmPriority::Critical));
        input.alarms = UnacknowledgedAlarms { critical: 0, high: 0, low: 1, ..input.alarms };
        assert_eq!(kpis(&input).unacknowledged_alarms.highest_priority, Some(AlarmPriority::Low));
        input.alarms.low = 0;
        let k = kpis(&input);
        assert_eq!(k.unacknowledged_alarms.highest_priority, None);
        assert_eq!(k.unacknowledged_alarms.kpi.value, Some(0.0));
    }

    #[test]
    fn fleet_downtime_by_hand() {
        let k = kpis(&fleet());
        let t = &k.downtime;
        assert_eq!(t.kpi.unit, KpiUnit::Percent);
        assert!(!t.kpi.higher_is_better);
        // Active wells with data: 06-09: A 1 - 18/24 = 0.25, B 0 -> mean 0.125 = 12.5%. C (inactive, 0 h on) is
        // not counted: with it the mean would be (0.25 + 0 + 1) / 3.
        assert_eq!(t.kpi.value, Some(12.5));
        assert_eq!(t.wells_counted, 2);
        // 06-08: A only (B missing, C inactive): 0%. From 0 the change has no percentage and goes up.
        assert_eq!(t.kpi.previous, Some(0.0));
        let c = t.kpi.change.unwrap();
        assert_eq!((c.change_percent, c.direction), (None, Direction::Up));
        // 06-06: A 0, B 1 - 12/24 = 0.5 -> 25%.
        assert_eq!(t.kpi.sparkline, [0.0, 0.0, 0.0, 25.0, 0.0, 0.0, 12.5].map(Some).to_vec());
    }

    #[test]
    fn deferred_production_by_hand() {
        let k = kpis(&fleet());
        let p = &k.deferred_production;
        assert_eq!(p.kpi.unit, KpiUnit::Boe);
        assert_eq!(p.boe_basis, "6:1");
        // A on 06-09: last 7 full days 06-02 .. 06-08, BOE = 1.5 x oil:
        //   150, 153, 147, 151.5, 148.5, 150, 154.5; sorted 147, 148.5, 150, 150, 151.5, 153, 154.5: median 150.
        //   Downtime 0.25: deferred 37.5 BOE.
        // B on 06-09: no downtime, deferred 0 (stable rate 10 + 1000/6 = 176.67 from 6 full days).
        // C is inactive: not a candidate.
        assert_eq!(p.kpi.value, Some(37.5));
        // Two producers counted; only A deferred anything, so only A is listed.
        assert_eq!((p.producers_counted, p.wells_deferring, p.wells.len()), (2, 1, 1));
        let a = &p.wells[0];
        assert_eq!(a.well_id, id(1));
        assert_eq!((a.stable_rate_boe_per_day, a.downtime_fraction, a.deferred_boe), (Some(150.0), 0.25, Some(37.5)));
        assert_eq!(p.wells_without_stable_rate, vec![]);
        // 06-08: A full, B missing: 0.
        assert_eq!(p.kpi.previous, Some(0.0));
        // 06-06: B at 12 h: downtime 0.5 x stable rate from its full days 06-02 .. 06-05 (176.67) = 88.33.
        let expected = [0.0, 0.0, 0.0, 0.5 * (10.0 + 1000.0 / 6.0), 0.0, 0.0, 37.5].map(Some);
        assert!(close_all(&p.kpi.sparkline, &expected), "{:?}", p.kpi.sparkline);
    }

    #[test]
    fn staleness_of_production_kpis() {
        let k = kpis(&fleet());
        // Newest reading: A's 06-09 at 2024-06-10 04:30 UTC (the future 06-11 day is ignored).
        // 14:00 - 04:30 = 9.5 h = 34,200 s.
        for kpi in [&k.total_oil, &k.total_gas, &k.fleet_revenue.kpi, &k.downtime.kpi, &k.deferred_production.kpi] {
            assert_eq!(kpi.as_of, Some(utc(10, 4, 30)));
            assert_eq!(kpi.staleness_seconds, Some(34_200));
        }
        // An hour later the same figures are an hour older.
        let later = fleet_kpis(&fleet(), &prices(), HeatContent::default(), utc(10, 15, 0)).unwrap();
        assert_eq!(later.total_oil.staleness_seconds, Some(34_200 + 3600));
    }

    #[test]
    fn a_well_missing_the_last_day_is_reported_not_zero() {
        let mut input = fleet();
        input.wells[1].days.retain(|wd| wd.day != d(9));
        let k = kpis(&input);
        assert_eq!(k.wells_without_data, vec![id(2)]);
        assert_eq!(k.wells_reporting, 2);
        // Oil 06-09: A 75 + C 0 = 75. Downtime: A alone, 25%.
        assert_eq!(k.total_oil.value, Some(75.0));
        assert_eq!(k.downtime.kpi.value, Some(25.0));
        assert_eq!(k.downtime.wells_counted, 1);
        assert_eq!(k.deferred_production.wells.len(), 1);
    }

    #[test]
    fn the_deferral_list_is_capped_and_counts_every_deferring_well() {
        // A fleet of 30 producers all half down lists 20 of them and counts 30.
        let mut input = fleet();
        let template = input.wells[0].clone();
        input.wells = (0..30u128)
            .map(|n| {
                let mut w = template.clone();
                w.well_id = id(100 + n);
                w
            })
            .collect();
        let k = kpis(&input);
        assert_eq!(k.deferred_production.wells_deferring, 30);
        assert_eq!(k.deferred_production.wells.len(), TOP_DEFERRING_WELLS);
    }

    #[test]
    fn a_down_well_without_a_stable_rate_is_listed_and_left_out() {
        let mut input = fleet();
        // B only has a partial day on 06-09: down a half day with no full day to rate it by.
        input.wells[1].days = vec![wd(9, 5.0, 500.0, 12.0)];
        let k = kpis(&input);
        let p = &k.deferred_production;
        assert_eq!(p.wells_without_stable_rate, vec![id(2)]);
        assert_eq!(p.kpi.value, Some(37.5), "A's deferral alone");
    }

    #[test]
    fn todays_entries_make_today_the_last_day() {
        let mut input = fleet();
        input.wells[0].days.push(wd(10, 50.0, 150.0, 12.0));
        let k = kpis(&input);
        assert_eq!((k.last_day, k.previous_day), (Some(d(10)), Some(d(9))));
        assert_eq!(k.total_oil.value, Some(50.0));
        assert_eq!(k.total_oil.previous, Some(85.0));
        // Only A has data today: B is active and listed, C is inactive and not.
        assert_eq!(k.wells_without_data, vec![id(2)]);
    }

    #[test]
    fn no_data_gives_no_figures_but_the_current_ones() {
        let mut input = fleet();
        for w in &mut input.wells {
            w.days.clear();
        }
        let k = kpis(&input);
        assert_eq!((k.last_day, k.previous_day), (None, None));
        assert_eq!(k.sparkline_days, (4..=10).map(d).collect::<Vec<_>>());
        for kpi in [&k.total_oil, &k.total_gas, &k.fleet_revenue.kpi, &k.downtime.kpi, &k.deferred_production.kpi] {
            assert_eq!((kpi.value, kpi.previous, kpi.as_of, kpi.staleness_seconds), (None, None, None, None));
            assert_eq!(kpi.sparkline, vec![None; 7]);
        }
        assert_eq!(k.fleet_revenue.breakdown, None);
        assert_eq!(k.active_wells.active, 2);
        assert_eq!(k.unacknowledged_alarms.kpi.value, Some(5.0));
        assert_eq!(k.wells_without_data, vec![id(1), id(2)]);
        let empty = FleetInput { wells: vec![], ..fleet() };
        assert_eq!(kpis(&empty).active_wells.percent_of_total, None);
    }

    #[test]
    fn revenue_without_prices_is_none_and_says_which() {
        let only_wti = PriceTable::from_points(&[PricePoint::new(Commodity::Wti, d(1), 80.0)]).unwrap();
        let k = fleet_kpis(&fleet(), &only_wti, HeatContent::default(), now()).unwrap();
        assert_eq!(k.fleet_revenue.kpi.value, None);
        assert_eq!(k.fleet_revenue.missing_prices, vec![Commodity::HenryHub]);
        assert_eq!(k.total_oil.value, Some(85.0), "volumes do not need prices");
    }

    #[test]
    fn heat_content_is_applied() {
        // Gas revenue on 06-09 at 1.2 MMBtu/Mcf: 1225 x 1.2 x 2.0 = 2940; plus oil 6460 = 9400.
        let k = fleet_kpis(&fleet(), &prices(), HeatContent::new(1.2).unwrap(), now()).unwrap();
        assert!(close(k.fleet_revenue.kpi.value.unwrap(), 9400.0));
    }

    #[test]
    fn invalid_input_is_an_error() {
        let mut input = fleet();
        input.wells[0].days.push(wd(9, 1.0, 1.0, 1.0));
        assert_eq!(
            fleet_kpis(&input, &prices(), HeatContent::default(), now()),
            Err(FleetInputError::DuplicateDay { well_id: id(1), day: d(9) })
        );
    }

    #[test]
    fn json_is_snake_case_with_unit_labels() {
        let v = serde_json::to_value(kpis(&fleet())).unwrap();
        assert_eq!(v["total_oil"]["unit"], "BOPD");
        assert_eq!(v["total_gas"]["unit"], "MCFD");
        assert_eq!(v["active_wells"]["unit"], "wells");
        assert_eq!(v["active_wells"]["on_production"]["unit"], "wells");
        assert_eq!(v["fleet_revenue"]["unit"], "USD/d");
        assert_eq!(v["fleet_revenue"]["breakdown"]["oil_price"]["commodity"], "wti");
        assert_eq!(v["unacknowledged_alarms"]["unit"], "alarms");
        assert_eq!(v["unacknowledged_alarms"]["highest_priority"], "high");
        assert_eq!(v["downtime"]["unit"], "%");
        assert_eq!(v["deferred_production"]["unit"], "BOE");
        assert_eq!(v["deferred_production"]["boe_basis"], "6:1");
        assert_eq!(v["total_oil"]["change"]["direction"], "down");
        assert_eq!(v["last_day"], "2024-06-09");
        assert_eq!(v["total_oil"]["staleness_seconds"], 34_200);
        // And back: the desktop reads the same JSON.
        let back: FleetKpis = serde_json::from_value(v).unwrap();
        assert_eq!(back, kpis(&fleet()));
    }
}
