//! Throughput of the pure aggregation: 10,000 wells x 24 months (one reading a day) into daily, weekly and monthly
//! aggregates. Issue 3's target for the whole job is 10,000 wells in under 30 s.
//!
//! `cargo bench -p flowline-shared --bench aggregation`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use flowline_shared::analytics::aggregation::{Period, daily_aggregates, roll_up};
use flowline_shared::{EntryId, EntrySource, FieldEntryDraft, WellId};
use uuid::Uuid;

const WELLS: u128 = 10_000;
const DAYS: i64 = 730;

fn main() {
    let chicago = chrono_tz::America::Chicago;
    let start = Utc.with_ymd_and_hms(2023, 1, 1, 13, 0, 0).unwrap();
    let started = std::time::Instant::now();
    let mut rows = 0;
    for w in 0..WELLS {
        let entries: Vec<FieldEntryDraft> = (0..DAYS)
            .map(|d| FieldEntryDraft {
                id: EntryId(Uuid::from_u128((w << 64) | d as u128)),
                well_id: WellId(Uuid::from_u128(w + 1)),
                recorded_at: start + chrono::Duration::days(d),
                oil_bbl: 100.0 + (d % 13) as f64,
                gas_mcf: 250.0,
                water_bbl: 25.0,
                tubing_psig: Some(350.0),
                casing_psig: Some(600.0),
                choke_64ths: Some(24.0),
                hours_on: 24.0,
                downtime_reason: None,
                source: EntrySource::Scada,
                is_correction: false,
            })
            .collect();
        let daily = daily_aggregates(&entries, chicago);
        rows += daily.len();
        rows += roll_up(&daily, Period::Weekly).unwrap().len();
        rows += roll_up(&daily, Period::Monthly).unwrap().len();
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "aggregation: {WELLS} wells x {DAYS} days -> {rows} aggregates in {elapsed:.2} s (entries generated inside the loop)"
    );
}
