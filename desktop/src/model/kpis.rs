//! The dashboard's six KPI tiles as data: the last `GET /api/v1/dashboard/kpis` answer, when it was fetched and
//! last revalidated, and each tile's figures (value, unit, previous day, change, direction, 7-day sparkline, as-of)
//! with its staleness and whether it is abnormal.
//!
//! Owns: which KPI goes on which tile and what makes a tile abnormal or stale. Pure (`now` is passed in).
//! Must not touch: egui, clocks, the network or the backend crate.

use crate::format::{self, GAS_RATE_UNIT, OIL_RATE_UNIT};
use chrono::{DateTime, Utc};
use flowline_shared::alarms::AlarmPriority;
use flowline_shared::kpis::{Direction, FleetKpis, Kpi};

/// The last KPI answer and its timing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KpiBoard {
    pub kpis: Option<FleetKpis>,
    /// When the figures on screen were downloaded.
    pub fetched_at: Option<DateTime<Utc>>,
    /// When the server last confirmed them (a 200 or a 304).
    pub checked_at: Option<DateTime<Utc>>,
}

impl KpiBoard {
    pub fn loaded(&mut self, kpis: FleetKpis, at: DateTime<Utc>) {
        self.kpis = Some(kpis);
        self.fetched_at = Some(at);
        self.checked_at = Some(at);
    }

    /// A 304: the figures stay, only "last checked" moves.
    pub fn unchanged(&mut self, at: DateTime<Utc>) {
        self.checked_at = Some(at);
    }
}

/// The six tiles, in reading order (2 rows of 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TileId {
    Oil,
    Gas,
    ActiveWells,
    Revenue,
    Alarms,
    Downtime,
}

/// What one tile shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Tile {
    pub id: TileId,
    pub title: &'static str,
    pub value: Option<f64>,
    pub decimals: usize,
    pub unit: String,
    pub previous: Option<f64>,
    pub change_percent: Option<f64>,
    pub direction: Option<Direction>,
    pub higher_is_better: bool,
    /// 7 daily values, oldest first; `None` for a day without data.
    pub sparkline: Vec<Option<f64>>,
    pub as_of: Option<DateTime<Utc>>,
    /// A second line ("42 of 50 wells", "2 critical · 1 warning").
    pub detail: Option<String>,
    /// The alarm tile's highest unacknowledged priority: the one abnormal state a tile can be in besides stale.
    pub alarm: Option<AlarmPriority>,
}

impl Tile {
    fn from_kpi(id: TileId, title: &'static str, kpi: &Kpi, decimals: usize, unit: &str) -> Self {
        Self {
            id,
            title,
            value: kpi.value,
            decimals,
            unit: unit.to_owned(),
            previous: kpi.previous,
            change_percent: kpi.change.and_then(|c| c.change_percent),
            direction: kpi.change.map(|c| c.direction),
            higher_is_better: kpi.higher_is_better,
            sparkline: kpi.sparkline.clone(),
            as_of: kpi.as_of,
            detail: None,
            alarm: None,
        }
    }

    /// No data behind the figure, or data older than [`format::STALE_AFTER`] at `now`.
    pub fn is_stale(&self, now: DateTime<Utc>) -> bool {
        self.as_of.is_none_or(|at| format::is_stale(at, now))
    }

    /// The direction is the worse one for this KPI (down for oil, up for downtime).
    pub fn is_worse(&self) -> bool {
        match self.direction {
            Some(Direction::Up) => !self.higher_is_better,
            Some(Direction::Down) => self.higher_is_better,
            Some(Direction::Flat) | None => false,
        }
    }
}

/// The live alarm count, which the alarm tile shows instead of the (up to a minute older) cached KPI, so that the
/// tile and the badge always agree.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LiveAlarms {
    pub unacknowledged: usize,
    pub highest: Option<AlarmPriority>,
    pub as_of: DateTime<Utc>,
}

/// The tiles of `kpis`, in [`TileId`] order.
pub fn tiles(kpis: &FleetKpis, live: Option<LiveAlarms>) -> [Tile; 6] {
    let active = &kpis.active_wells;
    let mut wells = Tile::from_kpi(TileId::ActiveWells, "Wells on production", &active.on_production, 0, "wells");
    wells.detail = Some(format!("{} of {} wells active", active.active, active.total));

    let revenue_kpi = &kpis.fleet_revenue;
    let mut revenue = Tile::from_kpi(TileId::Revenue, "Fleet revenue", &revenue_kpi.kpi, 0, "USD/d");
    if !revenue_kpi.missing_prices.is_empty() {
        revenue.detail = Some("price missing for a commodity".to_owned());
    }

    let counts = &kpis.unacknowledged_alarms;
    let mut alarms = Tile::from_kpi(TileId::Alarms, "Unacknowledged alarms", &counts.kpi, 0, "alarms");
    alarms.alarm = counts.highest_priority;
    alarms.detail = Some(format!("{} critical · {} warning · {} info", counts.critical, counts.high, counts.low));
    if let Some(live) = live {
        alarms.value = Some(live.unacknowledged as f64);
        alarms.alarm = live.highest;
        alarms.as_of = Some(live.as_of);
        alarms.detail = Some("live from the alarm stream".to_owned());
    }

    let downtime_kpi = &kpis.downtime;
    let mut downtime = Tile::from_kpi(TileId::Downtime, "Fleet downtime", &downtime_kpi.kpi, 1, "%");
    downtime.detail = Some(format!("mean over {} active wells", downtime_kpi.wells_counted));

    [
        Tile::from_kpi(TileId::Oil, "Total oil", &kpis.total_oil, 0, OIL_RATE_UNIT),
        Tile::from_kpi(TileId::Gas, "Total gas", &kpis.total_gas, 0, GAS_RATE_UNIT),
        wells,
        revenue,
        alarms,
        downtime,
    ]
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(crate) mod fixtures {
    //! A KPI answer for model and view tests, built by the shared crate's own pure computation.
    use chrono::{DateTime, NaiveDate, Utc};
    use flowline_shared::kpis::{FleetInput, FleetKpis, UnacknowledgedAlarms, WellDay, WellInput, fleet_kpis};
    use flowline_shared::kpis::{HeatContent, PriceTable};
    use flowline_shared::{WellId, WellType};
    use uuid::Uuid;

    /// Two active oil wells over 7 days ending on `now`'s day; oil falls from 1,000 to 900 BOPD on the last day.
    pub fn fleet(now: DateTime<Utc>, reading_at: DateTime<Utc>) -> FleetKpis {
        let today = now.date_naive();
        let day = |back: u64| today.checked_sub_days(chrono::Days::new(back)).unwrap();
        let wells = (0..2u128)
            .map(|n| WellInput {
                well_id: WellId(Uuid::from_u128(n + 1)),
                active: true,
                well_type: WellType::Oil,
                days: (0..7u64)
                    .map(|back| WellDay {
                        day: day(back),
                        oil_bbl: if back == 0 { 450.0 } else { 500.0 },
                        gas_mcf: 800.0,
                        hours_on: if back == 0 && n == 0 { 20.0 } else { 24.0 },
                        last_reading_at: if back == 0 { reading_at } else { end_of(day(back)) },
                    })
                    .collect(),
            })
            .collect();
        let input = FleetInput {
            zone: chrono_tz::UTC,
            wells,
            status_as_of: now,
            alarms: UnacknowledgedAlarms { critical: 1, high: 0, low: 2, counted_at: now },
        };
        fleet_kpis(&input, &PriceTable::new(), HeatContent::default(), now).unwrap()
    }

    fn end_of(day: NaiveDate) -> DateTime<Utc> {
        day.and_hms_opt(23, 0, 0).unwrap().and_utc()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::fixtures::fleet;
    use super::*;
    use crate::format::utc;
    use chrono::TimeDelta;

    #[test]
    fn six_tiles_with_units_changes_and_sparklines() {
        let now = utc(2025, 3, 14, 12, 0, 0).unwrap();
        let kpis = fleet(now, now - TimeDelta::minutes(3));
        let [oil, gas, wells, revenue, alarms, downtime] = tiles(&kpis, None);
        assert_eq!((oil.title, oil.value, oil.unit.as_str()), ("Total oil", Some(900.0), "BOPD"));
        assert_eq!(oil.previous, Some(1000.0));
        assert_eq!(oil.change_percent, Some(-10.0));
        assert_eq!(oil.direction, Some(Direction::Down));
        assert!(oil.is_worse());
        assert_eq!(oil.sparkline.len(), 7);
        assert_eq!(oil.sparkline.last(), Some(&Some(900.0)));
        assert_eq!(gas.unit, "MCFD");
        assert_eq!(wells.detail.as_deref(), Some("2 of 2 wells active"));
        assert_eq!(revenue.unit, "USD/d");
        assert_eq!(revenue.detail.as_deref(), Some("price missing for a commodity"), "an empty price table");
        assert_eq!((alarms.value, alarms.alarm), (Some(3.0), Some(AlarmPriority::Critical)));
        assert_eq!(downtime.unit, "%");
        assert!(downtime.is_worse(), "downtime went up (20 h on for one well)");
        assert!(!oil.is_stale(now));
    }

    #[test]
    fn staleness_follows_the_age_of_the_data() {
        let now = utc(2025, 3, 14, 12, 0, 0).unwrap();
        let kpis = fleet(now, now - TimeDelta::hours(3));
        let [oil, ..] = tiles(&kpis, None);
        assert!(oil.is_stale(now), "a reading three hours old is stale");
        let kpis = fleet(now, now - TimeDelta::minutes(30));
        let [oil, ..] = tiles(&kpis, None);
        assert!(!oil.is_stale(now));
        assert!(oil.is_stale(now + TimeDelta::hours(2)), "the same data ages on screen");
    }

    #[test]
    fn the_live_alarm_count_replaces_the_cached_one() {
        let now = utc(2025, 3, 14, 12, 0, 0).unwrap();
        let kpis = fleet(now, now);
        let live = LiveAlarms { unacknowledged: 1, highest: Some(AlarmPriority::High), as_of: now };
        let [_, _, _, _, alarms, _] = tiles(&kpis, Some(live));
        assert_eq!((alarms.value, alarms.alarm, alarms.as_of), (Some(1.0), Some(AlarmPriority::High), Some(now)));
    }

    #[test]
    fn a_304_keeps_the_data_and_moves_only_the_check() {
        let now = utc(2025, 3, 14, 12, 0, 0).unwrap();
        let mut board = KpiBoard::default();
        board.loaded(fleet(now, now), now);
        let before = board.kpis.clone();
        board.unchanged(now + TimeDelta::seconds(30));
        assert_eq!(board.kpis, before);
        assert_eq!(board.fetched_at, Some(now));
        assert_eq!(board.checked_at, Some(now + TimeDelta::seconds(30)));
    }
}
