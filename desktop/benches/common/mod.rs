//! A control room's model with fixed, deterministic data, shared by the desktop benchmarks and the dashboard's
//! snapshot tests (`tests/snapshots.rs` includes this file): `wells` wells with a latest reading each, the fleet
//! KPIs computed from 8 days of their production by the shared crate's own `fleet_kpis`, open alarms on about one
//! well in ten (one critical unacknowledged, so the banner shows), a live event stream, all at [`clock`]'s instant.
//!
//! Owns: nothing the app uses. Must not touch: clocks, I/O (every instant derives from [`NOW`]).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Days, FixedOffset, NaiveDate, TimeDelta, TimeZone, Utc};
use flowline_desktop::format::DisplayZone;
use flowline_desktop::model::{Mode, Model};
use flowline_desktop::protocol::{Event, StartupStep, ThemeChoice};
use flowline_desktop::views::Clock;
use flowline_shared::alarms::{Alarm, AlarmId, AlarmPriority, AlarmRuleKind, AlarmState};
use flowline_shared::dto::alarms::AlarmView;
use flowline_shared::dto::{LatestReading, WellView};
use flowline_shared::kpis::{
    Commodity, FleetInput, HeatContent, PricePoint, PriceTable, UnacknowledgedAlarms, WellDay, WellInput, fleet_kpis,
};
use flowline_shared::{ApiNumber, Role, TenantId, Well, WellId, WellStatus, WellType};
use std::time::Duration;
use uuid::Uuid;

/// The instant every fixture is drawn at: 2026-03-16 14:05 UTC (a Monday afternoon).
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 16, 14, 5, 0).single().expect("a valid instant")
}

/// The frame's clock: [`now`], times shown in UTC (the test machine's zone must not change the picture).
pub fn clock() -> Clock {
    Clock { now: now(), zone: DisplayZone::Fixed(FixedOffset::east_opt(0).expect("UTC")) }
}

const BASINS: [&str; 4] = ["Midland", "Delaware", "Eagle Ford", "Bakken"];

/// A number in 0..1 that depends only on `n` and `salt` (no random generator, so every run draws the same).
fn unit(n: usize, salt: u64) -> f64 {
    let mut x = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 31;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 29;
    (x % 1_000_000) as f64 / 1_000_000.0
}

fn well_id(n: usize) -> WellId {
    WellId(Uuid::from_u128(0x0f10_0000_0000 + n as u128))
}

fn status(n: usize) -> WellStatus {
    match n % 25 {
        7 => WellStatus::ShutIn,
        19 => WellStatus::Inactive,
        _ => WellStatus::Active,
    }
}

/// Oil rate (bbl/d) of well `n` on the day `back` days before [`now`]'s day: a slow decline plus noise; a few
/// wells are down today.
fn oil_rate(n: usize, back: u64) -> f64 {
    if back == 0 && n % 17 == 3 {
        return 0.0;
    }
    let base = 60.0 + 340.0 * unit(n, 1);
    let noise = 1.0 + 0.08 * (unit(n, 100 + back) - 0.5);
    (base * (1.0 + 0.002 * back as f64) * noise).round()
}

/// The wells of the fleet with their latest reading (a few minutes before [`now`]).
pub fn wells(count: usize) -> Vec<WellView> {
    let created = Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).single().expect("a valid instant");
    (0..count)
        .map(|n| {
            let basin = BASINS[n % BASINS.len()];
            let status = status(n);
            let well = Well {
                id: well_id(n),
                tenant_id: TenantId(Uuid::nil()),
                api_number: Some(ApiNumber::parse(&format!("42-317-{:05}", 10_000 + n)).expect("an API number")),
                name: format!("{basin} {}-{}H", 10 + n / 4, 1 + n % 4),
                well_type: if n % 9 == 4 { WellType::Gas } else { WellType::Oil },
                status,
                location: None,
                lease: Some(format!("{basin} Lease {}", n / 8)),
                field: Some(basin.to_owned()),
                county: None,
                state: Some("TX".into()),
                first_production_date: None,
                created_at: created,
                updated_at: created,
            };
            let oil = if status == WellStatus::Active { oil_rate(n, 0) } else { 0.0 };
            let reading = LatestReading {
                recorded_at: now() - TimeDelta::seconds(60 + (n % 240) as i64),
                oil_bbl: oil,
                gas_mcf: (oil * (1.2 + unit(n, 2))).round(),
                water_bbl: (oil * (0.5 + 2.0 * unit(n, 3))).round(),
                hours_on: if oil > 0.0 { 24.0 } else { 0.0 },
            };
            WellView { well, last_reading: Some(reading) }
        })
        .collect()
}

/// The fleet KPIs of `count` wells over the 8 days ending today, with WTI and Henry Hub prices for the revenue.
pub fn kpis(count: usize, alarms: UnacknowledgedAlarms) -> flowline_shared::kpis::FleetKpis {
    let today = now().date_naive();
    let day = |back: u64| today.checked_sub_days(Days::new(back)).expect("a valid day");
    let end_of = |d: NaiveDate| d.and_hms_opt(23, 59, 0).expect("a valid time").and_utc();
    let wells = (0..count)
        .map(|n| WellInput {
            well_id: well_id(n),
            active: status(n) == WellStatus::Active,
            well_type: if n % 9 == 4 { WellType::Gas } else { WellType::Oil },
            days: (0..8u64)
                .filter(|_| status(n) == WellStatus::Active)
                .map(|back| {
                    let oil = oil_rate(n, back);
                    WellDay {
                        day: day(back),
                        oil_bbl: oil,
                        gas_mcf: (oil * (1.2 + unit(n, 2))).round(),
                        hours_on: if oil > 0.0 { 24.0 - if n % 11 == 5 { 6.0 } else { 0.0 } } else { 0.0 },
                        last_reading_at: if back == 0 {
                            now() - TimeDelta::seconds(60 + (n % 240) as i64)
                        } else {
                            end_of(day(back))
                        },
                    }
                })
                .collect(),
        })
        .collect();
    let prices: Vec<PricePoint> = (0..40u64)
        .flat_map(|back| {
            let wti = 71.0 + 2.0 * unit(back as usize, 7);
            let gas = 3.0 + 0.4 * unit(back as usize, 8);
            [PricePoint::new(Commodity::Wti, day(back), wti), PricePoint::new(Commodity::HenryHub, day(back), gas)]
        })
        .collect();
    let prices = PriceTable::from_points(&prices).expect("valid prices");
    let input = FleetInput { zone: chrono_tz::UTC, wells, status_as_of: now(), alarms };
    fleet_kpis(&input, &prices, HeatContent::default(), now()).expect("valid KPI input")
}

/// Open alarms on about one well in ten: the first a critical well-down, then a mix of priorities and states.
pub fn alarms(wells: &[WellView]) -> Vec<AlarmView> {
    wells
        .iter()
        .enumerate()
        .filter(|(n, _)| n % 10 == 3)
        .enumerate()
        .map(|(k, (n, view))| {
            let (rule, priority, message) = match k % 4 {
                0 => (AlarmRuleKind::WellDown, AlarmPriority::Critical, "No oil and no gas"),
                1 => (AlarmRuleKind::ProductionDrop, AlarmPriority::High, "Oil 38 % below the 7-day average"),
                2 => (AlarmRuleKind::DataGap, AlarmPriority::Low, "No reading for 3 h"),
                _ => (AlarmRuleKind::PressureHigh, AlarmPriority::High, "Tubing pressure 1,850 psig over 1,800"),
            };
            let state = match k % 3 {
                0 => AlarmState::ActiveUnacknowledged,
                1 => AlarmState::ActiveAcknowledged,
                _ => AlarmState::ReturnedUnacknowledged,
            };
            let raised_at = now() - TimeDelta::minutes(7 + 13 * k as i64);
            let alarm = Alarm {
                id: AlarmId(Uuid::from_u128(0xa1a0_0000_0000 + n as u128)),
                tenant_id: TenantId(Uuid::nil()),
                well_id: view.well.id,
                rule,
                priority,
                state,
                first_raised_at: raised_at,
                raised_at,
                last_changed_at: raised_at,
                occurrences: 1 + (k % 3) as u32,
                value: 0.0,
                limit: 0.0,
                message: message.to_owned(),
                acknowledged: None,
                shelved: None,
            };
            AlarmView::new(alarm, view.well.name.clone(), false, now())
        })
        .collect()
}

/// The control room of the embedded demo, signed in, with `count` wells, their KPIs, their open alarms and a live
/// stream, in `theme`, at [`clock`]'s instant: what the dashboard shows a minute after a refresh.
pub fn dashboard_model(count: usize, theme: ThemeChoice) -> Model {
    let at = now() - TimeDelta::minutes(1);
    let mut model = Model::new(Mode::Embedded { data_dir: "/demo".into() }, None, Duration::from_secs(30));
    model.theme = theme;
    model.apply(Event::Startup { step: StartupStep::Listening { base_url: "http://127.0.0.1:40123".into() } });
    model.apply(Event::LoggedIn {
        tenant: "demo".into(),
        username: "operator".into(),
        role: Role::Operator,
        expires_at: at + TimeDelta::hours(12),
        at: at - TimeDelta::minutes(30),
    });
    let wells = wells(count);
    let open = alarms(&wells);
    let unacknowledged = |p: AlarmPriority| {
        open.iter().filter(|a| a.alarm.priority == p && a.alarm.state.is_unacknowledged()).count() as u32
    };
    let counts = UnacknowledgedAlarms {
        critical: unacknowledged(AlarmPriority::Critical),
        high: unacknowledged(AlarmPriority::High),
        low: unacknowledged(AlarmPriority::Low),
        counted_at: at,
    };
    model.apply(Event::WellsLoaded { wells, total: count as u64, at });
    model.apply(Event::KpisLoaded { kpis: Box::new(kpis(count, counts)), at });
    model.apply(Event::StreamLive { seq: 40, resumed_from: None, replaying: 0, resync: false, at });
    model.apply(Event::OpenAlarmsLoaded { alarms: open, requested_at: at, at });
    model
}
