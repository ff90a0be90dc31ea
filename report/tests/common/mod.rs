//! The sample report of the tests: 6 KPIs, 12 alarms, 150 wells, one chart with a forecast band, a PNG logo.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use flowline_report::{
    AlarmPriority, AlarmRow, AlarmState, ChartPoint, DashboardReport, Direction, ForecastPoint, KpiCard, ReportHeader,
    TrendChart, WellRow,
};

pub const WELL_COUNT: usize = 150;
/// The last well of the table (so on the last page).
pub const LAST_WELL: &str = "Zeta Ridge 150H";
pub const NON_ASCII_WELLS: [&str; 3] = ["Bønnå 7", "Ólafur-2", "Łódź Δ-3"];

pub fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().expect("valid instant")
}

/// A 96 x 32 RGB PNG: a grey frame with a dark bar, written with the `png` crate.
pub fn logo_png() -> Vec<u8> {
    let (w, h) = (96u32, 32u32);
    let mut pixels = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            let frame = x < 2 || y < 2 || x >= w - 2 || y >= h - 2;
            let bar = (8..24).contains(&y) && (8..88).contains(&x) && (x / 8) % 2 == 0;
            let v = if frame || bar { 40 } else { 235 };
            pixels.extend([v, v, if bar { 120 } else { v }]);
        }
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("png header");
        writer.write_image_data(&pixels).expect("png data");
    }
    out
}

fn kpi(label: &str, value: f64, unit: &str, previous: f64, direction: Direction, note: &str) -> KpiCard {
    let change = (value - previous) / previous * 100.0;
    KpiCard {
        label: label.to_owned(),
        value: Some(value),
        unit: unit.to_owned(),
        previous: Some(previous),
        change_percent: Some(change),
        direction,
        note: note.to_owned(),
        as_of: Some(utc(2025, 3, 14, 14, 25)),
        decimals: None,
        alarm: None,
        sparkline: (0..7).map(|i| Some(previous * (0.95 + 0.01 * f64::from(i)))).collect(),
    }
}

pub fn sample_report() -> DashboardReport {
    let mut kpis = vec![
        kpi("Oil rate", 12_345.6, "BOPD", 11_950.0, Direction::Up, "Field total, calendar-day rate"),
        kpi("Gas rate", 45_678.9, "MCFD", 46_010.0, Direction::Down, "as of 09:25, 5 min old"),
        kpi("Water rate", 8_765.4, "BWPD", 8_770.0, Direction::Flat, "Water cut 41.5%"),
        kpi("Oil equivalent", 19_958.4, "BOE/d", 19_618.0, Direction::Up, "6:1 BOE"),
        kpi("Uptime", 96.44, "%", 97.9, Direction::Down, "Producing hours / calendar hours"),
        kpi("Revenue", 1_234_567.0, "USD/d", 1_201_000.0, Direction::Up, "WTI 71.20 USD/bbl, HH 2.45 USD/MMBtu"),
    ];
    kpis[4].alarm = Some(AlarmPriority::High);
    kpis[1].sparkline[3] = None;

    let priorities = [AlarmPriority::Critical, AlarmPriority::High, AlarmPriority::Low];
    let states = [AlarmState::Unacknowledged, AlarmState::Acknowledged, AlarmState::ClearedUnacknowledged];
    let alarms = (0..12)
        .map(|i| AlarmRow {
            priority: priorities[i % 3],
            state: states[(i / 3) % 3],
            well: well_name(i * 7),
            rule: ["Tubing pressure high", "Oil rate drop > 20%", "No reading for 2 h"][i % 3].to_owned(),
            message: format!("Reading {} outside the limit for 15 min; check the choke and the separator", 100 + i),
            raised_at: utc(2025, 3, 14, 13, 0) + Duration::minutes(i as i64 * 7),
            acknowledged_by: (i % 2 == 1).then(|| "j.ramírez".to_owned()),
        })
        .collect();

    let wells = (0..WELL_COUNT)
        .map(|i| WellRow {
            name: well_name(i),
            api_number: (i % 10 != 9).then(|| format!("42-301-{:05}-00-00", 30_000 + i)),
            status: if i % 17 == 0 { "Shut in".to_owned() } else { "Producing".to_owned() },
            oil_bopd: (i % 23 != 5).then_some(50.0 + i as f64 * 3.25),
            gas_mcfd: Some(120.0 + i as f64 * 11.5),
            water_bwpd: Some(20.0 + (i % 13) as f64 * 7.75),
            downtime_percent: Some(if i % 17 == 0 { 100.0 } else { (i % 5) as f64 * 2.5 }),
            last_reading_at: (i % 31 != 30).then(|| utc(2025, 3, 14, 14, 20) - Duration::minutes(i as i64)),
            alarm: match i % 11 {
                0 => Some(AlarmPriority::Critical),
                3 => Some(AlarmPriority::High),
                7 => Some(AlarmPriority::Low),
                _ => None,
            },
        })
        .collect();

    let start = NaiveDate::from_ymd_opt(2025, 1, 13).expect("date");
    let actual = (0..60)
        .map(|d| ChartPoint {
            date: start + Duration::days(d),
            value: (d != 40).then(|| 12_000.0 + 400.0 * ((d as f64) / 6.0).sin() - d as f64 * 8.0),
        })
        .collect();
    let forecast = (60..74)
        .map(|d| {
            let value = 11_600.0 - (d - 60) as f64 * 10.0;
            let half = 150.0 + (d - 60) as f64 * 40.0;
            ForecastPoint {
                date: start + Duration::days(d),
                value,
                lower: Some(value - half),
                upper: Some(value + half),
            }
        })
        .collect();

    DashboardReport {
        header: ReportHeader {
            company: "Flowline Demo Operating Co.".to_owned(),
            logo: Some(logo_png()),
            title: "Production dashboard".to_owned(),
            time_zone: chrono_tz::America::Chicago,
            generated_at: utc(2025, 3, 14, 14, 30),
            data_as_of: utc(2025, 3, 14, 14, 25),
            filters: vec!["Field: Permian North, Zeta Ridge".to_owned(), "Status: all · Well type: oil".to_owned()],
        },
        kpis,
        charts: vec![TrendChart {
            title: "Field oil rate, last 60 days and 14-day forecast".to_owned(),
            unit: "BOPD".to_owned(),
            actual,
            forecast,
            band_label: "95% interval".to_owned(),
        }],
        alarms,
        wells,
    }
}

pub fn well_name(i: usize) -> String {
    match i {
        7 => NON_ASCII_WELLS[0].to_owned(),
        8 => NON_ASCII_WELLS[1].to_owned(),
        9 => NON_ASCII_WELLS[2].to_owned(),
        _ if i == WELL_COUNT - 1 => LAST_WELL.to_owned(),
        _ => format!("Permian North {:03}", i + 1),
    }
}

/// The same header with nothing to show: no alarms, no wells, no charts, KPI values missing.
pub fn empty_report() -> DashboardReport {
    let mut report = sample_report();
    report.header.logo = None;
    report.header.filters.clear();
    report.alarms.clear();
    report.wells.clear();
    report.charts.clear();
    for kpi in &mut report.kpis {
        kpi.value = None;
        kpi.previous = None;
        kpi.change_percent = None;
        kpi.sparkline = vec![None; 7];
    }
    report
}
