//! Behaviour of the fleet simulator, checked on a whole generated history.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::fleet::day_number;
use super::*;
use chrono::{DateTime, NaiveDate, Timelike, Utc};
use flowline_shared::{ApiNumber, FieldEntry, FieldEntryDraft, WellId, WellStatus, WellType};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;
use uuid::Uuid;

const WELLS: usize = 400;
const MONTHS: u32 = 24;
const SEED: u64 = 20_240_601;

fn history_end() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()
}

fn ids(n: usize) -> Vec<WellId> {
    (0..n).map(|i| WellId(Uuid::from_u128(i as u128 + 1))).collect()
}

fn index_of(id: WellId) -> usize {
    id.0.as_u128() as usize - 1
}

/// A generated history: the fleet and every entry, day-major.
struct History {
    fleet: SimulatedFleet,
    entries: Vec<FieldEntryDraft>,
    /// Index of the first entry of each history day, plus the end.
    day_starts: Vec<usize>,
}

impl History {
    fn generate(spec: FleetSpec) -> Self {
        let fleet = SimulatedFleet::plan(&spec, history_end());
        let well_ids = ids(fleet.len());
        let mut entries = Vec::new();
        let mut day_starts = Vec::new();
        for day in fleet.history_days() {
            day_starts.push(entries.len());
            fleet.entries_for_day(&well_ids, day, &mut entries);
        }
        day_starts.push(entries.len());
        Self { fleet, entries, day_starts }
    }

    fn day(&self, d: usize) -> &[FieldEntryDraft] {
        &self.entries[self.day_starts[d]..self.day_starts[d + 1]]
    }

    fn days(&self) -> usize {
        self.day_starts.len() - 1
    }

    /// Per well and day: oil, gas, water and hours averaged over the day's entries (the day's value: every entry is
    /// a rate per calendar day), and the number of entries.
    fn well_days(&self) -> HashMap<(usize, usize), WellDay> {
        let mut out: HashMap<(usize, usize), WellDay> = HashMap::new();
        for d in 0..self.days() {
            for e in self.day(d) {
                let wd = out.entry((index_of(e.well_id), d)).or_default();
                wd.oil += e.oil_bbl;
                wd.gas += e.gas_mcf;
                wd.water += e.water_bbl;
                wd.hours += e.hours_on;
                wd.entries += 1;
                wd.down |= e.downtime_reason.is_some();
            }
        }
        for wd in out.values_mut() {
            let n = wd.entries as f64;
            (wd.oil, wd.gas, wd.water, wd.hours) = (wd.oil / n, wd.gas / n, wd.water / n, wd.hours / n);
        }
        out
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct WellDay {
    oil: f64,
    gas: f64,
    water: f64,
    hours: f64,
    entries: usize,
    down: bool,
}

fn history() -> &'static History {
    static H: OnceLock<History> = OnceLock::new();
    H.get_or_init(|| History::generate(FleetSpec { wells: WELLS, months: MONTHS, seed: SEED }))
}

#[test]
fn same_seed_gives_the_same_fleet_and_entries_and_another_seed_differs() {
    let spec = FleetSpec { wells: 60, months: 3, seed: 7 };
    let a = History::generate(spec);
    let b = History::generate(spec);
    assert_eq!(a.fleet.new_wells(), b.fleet.new_wells());
    assert_eq!(a.entries, b.entries);
    assert!(!a.entries.is_empty());

    let c = History::generate(FleetSpec { seed: 8, ..spec });
    assert_ne!(a.fleet.new_wells(), c.fleet.new_wells());
    let ids_a: HashSet<_> = a.entries.iter().map(|e| e.id).collect();
    assert!(c.entries.iter().all(|e| !ids_a.contains(&e.id)), "another seed gives other ids");
}

#[test]
fn wells_do_not_depend_on_the_history_end_and_a_larger_fleet_extends_a_smaller_one() {
    let spec = FleetSpec { wells: 50, months: 24, seed: 11 };
    let a = SimulatedFleet::plan(&spec, history_end());
    let b = SimulatedFleet::plan(&spec, history_end().succ_opt().unwrap());
    let strip = |f: &SimulatedFleet| -> Vec<_> {
        f.new_wells().into_iter().map(|w| (w.api_number, w.name, w.location, w.status, w.lease, w.field)).collect()
    };
    assert_eq!(strip(&a), strip(&b));
    let bigger = SimulatedFleet::plan(&FleetSpec { wells: 80, ..spec }, history_end());
    assert_eq!(strip(&a)[..], strip(&bigger)[..50]);
    // The same (well, day) has the same entry ids in both.
    let day = history_end().pred_opt().unwrap();
    let (mut ea, mut eb) = (Vec::new(), Vec::new());
    a.entries_for_day(&ids(50), day, &mut ea);
    bigger.entries_for_day(&ids(50), day, &mut eb);
    assert_eq!(ea, eb);
}

#[test]
fn every_generated_entry_validates_and_is_marked_as_simulated() {
    let h = history();
    assert_eq!(h.entries.len() as u64, h.fleet.expected_entries());
    assert!(h.entries.len() > WELLS * 300, "{}", h.entries.len());
    for e in &h.entries {
        assert!(FieldEntry::new(e.clone()).is_ok(), "{e:?}");
        assert_eq!(e.source, flowline_shared::EntrySource::Simulator);
        assert!(!e.is_correction);
        assert!(e.hours_on <= 24.0 && e.oil_bbl >= 0.0 && e.gas_mcf >= 0.0 && e.water_bbl >= 0.0);
        let choke = e.choke_64ths.unwrap();
        assert!(choke == choke.round() && (0.0..=64.0).contains(&choke));
    }
    for wd in h.well_days().values() {
        assert!(wd.hours <= 24.0 + 1e-9, "{wd:?}");
    }
}

#[test]
fn wells_have_valid_api_numbers_names_and_locations_in_their_basin() {
    let fleet = &history().fleet;
    let wells = fleet.new_wells();
    let mut apis = HashSet::new();
    let mut names = HashSet::new();
    let mut basins_seen = HashSet::new();
    for (w, planned) in wells.iter().zip(fleet.wells()) {
        let api = w.api_number.clone().expect("every well has an API number");
        let reparsed = ApiNumber::parse(&api.to_string()).unwrap();
        assert_eq!(reparsed, api);
        assert!(apis.insert(api.clone()), "duplicate API {api}");
        assert!(names.insert(w.name.clone()), "duplicate name {}", w.name);

        let basin = BASINS.iter().find(|b| b.name == planned.basin).unwrap();
        basins_seen.insert(basin.name);
        let state = w.state.as_deref().unwrap();
        assert_eq!(state, basin.state);
        assert_eq!(api.state_code(), if state == "TX" { 42 } else { 33 });
        let county = basin.counties.iter().find(|c| Some(c.name) == w.county.as_deref()).unwrap();
        assert_eq!(api.county_code(), county.api_code, "{}", w.name);
        let loc = w.location.unwrap();
        assert!(county.contains(loc.latitude, loc.longitude), "{} at {loc:?} outside {}", w.name, county.name);
        let ((lat0, lat1), (lon0, lon1)) = basin.bounding_box();
        assert!((lat0..=lat1).contains(&loc.latitude) && (lon0..=lon1).contains(&loc.longitude));

        let field = basin.fields.iter().find(|f| Some(f.name) == w.field.as_deref()).unwrap();
        assert!(field.counties.iter().any(|&c| basin.counties[c].name == county.name));
        let lease = w.lease.as_deref().unwrap();
        assert!(w.name.starts_with(lease) && w.name.ends_with('H'), "{}", w.name);
        assert!(basin.lease_names.iter().any(|n| lease.starts_with(n)), "{lease}");
        assert!(matches!(w.well_type, WellType::Oil | WellType::Gas));
        assert!(w.first_production_date.is_some());
    }
    assert_eq!(basins_seen.len(), BASINS.len(), "every basin is used by 400 wells");
}

#[test]
fn first_production_is_staggered_and_nothing_is_produced_before_it() {
    let h = history();
    let start = h.fleet.history_start();
    let fps: Vec<NaiveDate> = h.fleet.new_wells().iter().map(|w| w.first_production_date.unwrap()).collect();
    let before = fps.iter().filter(|d| **d < start).count();
    let within = fps.iter().filter(|d| **d >= start && **d < h.fleet.history_end()).count();
    assert_eq!(before + within, WELLS);
    assert!(before > WELLS / 3 && within > WELLS / 5, "{before} before, {within} within");
    let distinct: HashSet<_> = fps.iter().collect();
    assert!(distinct.len() > WELLS / 3);
    for e in &h.entries {
        assert!(e.recorded_at.date_naive() >= fps[index_of(e.well_id)]);
    }
}

#[test]
fn shut_in_and_inactive_wells_have_no_recent_production() {
    let h = history();
    let wells = h.fleet.new_wells();
    let stopped: Vec<usize> = (0..WELLS).filter(|&i| wells[i].status != WellStatus::Active).collect();
    assert!((4..=45).contains(&stopped.len()), "{} stopped wells", stopped.len());
    assert!(stopped.iter().any(|&i| wells[i].status == WellStatus::ShutIn));
    assert!(stopped.iter().any(|&i| wells[i].status == WellStatus::Inactive));
    let last_20_days: HashSet<usize> =
        (h.days() - 20..h.days()).flat_map(|d| h.day(d).iter().map(|e| index_of(e.well_id))).collect();
    for &i in &stopped {
        assert!(!last_20_days.contains(&i), "stopped well {i} produced recently");
        let last = h.fleet.wells()[i].last_production_date().unwrap();
        assert!(last < h.fleet.history_end());
    }
    // Every active well that has started produces in the last days.
    let active_started = (0..WELLS)
        .filter(|&i| wells[i].status == WellStatus::Active && wells[i].first_production_date.unwrap() < history_end())
        .count();
    assert_eq!(active_started, (0..WELLS).filter(|i| last_20_days.contains(i)).count());
}

/// Producing-day oil rate, GOR (Mcf/bbl) and water cut of each well over a window of days.
fn window_stats(h: &History, days: std::ops::Range<usize>) -> HashMap<usize, (f64, f64, f64)> {
    let mut sums: HashMap<usize, (f64, f64, f64, f64)> = HashMap::new();
    for d in days {
        for e in h.day(d) {
            let s = sums.entry(index_of(e.well_id)).or_default();
            s.0 += e.oil_bbl;
            s.1 += e.gas_mcf;
            s.2 += e.water_bbl;
            s.3 += e.hours_on;
        }
    }
    sums.into_iter()
        .filter(|(_, s)| s.3 > 24.0 * 30.0 && s.0 > 0.0)
        .map(|(i, (oil, gas, water, hours))| (i, (oil / hours * 24.0, gas / oil, water / (oil + water))))
        .collect()
}

#[test]
fn production_declines_while_gor_and_water_cut_rise() {
    let h = history();
    let first = window_stats(h, 0..91);
    let last = window_stats(h, h.days() - 91..h.days());
    let both: Vec<usize> = first.keys().filter(|i| last.contains_key(i)).copied().collect();
    assert!(both.len() > WELLS / 3, "{}", both.len());
    let declining = both.iter().filter(|i| last[i].0 < first[i].0).count();
    assert_eq!(declining, both.len(), "every producing well declines");
    let mean_ratio = |k: fn(&(f64, f64, f64)) -> f64| {
        both.iter().map(|i| k(&last[i]) / k(&first[i])).sum::<f64>() / both.len() as f64
    };
    assert!(mean_ratio(|s| s.0) < 0.8);
    assert!(mean_ratio(|s| s.1) > 1.05, "GOR rises: {}", mean_ratio(|s| s.1));
    assert!(mean_ratio(|s| s.2) > 1.02, "water cut rises: {}", mean_ratio(|s| s.2));
    let rising_gor = both.iter().filter(|i| last[i].1 > first[i].1).count();
    let rising_wc = both.iter().filter(|i| last[i].2 > first[i].2).count();
    assert!(rising_gor * 10 > both.len() * 9 && rising_wc * 10 > both.len() * 9, "{rising_gor} {rising_wc}");
    // Initial rates are basin-typical: hundreds to about 1500 bbl/d.
    for w in h.fleet.wells() {
        assert!((50.0..=1500.0).contains(&w.model.qi), "{}", w.model.qi);
        assert!((0.8..=1.4).contains(&w.model.b));
    }
}

#[test]
fn downtime_is_a_few_percent_of_well_days_with_reasons_and_some_multi_day_events() {
    let h = history();
    let well_days = h.well_days();
    let down = well_days.values().filter(|wd| wd.hours < 24.0 - 1e-9).count();
    let share = down as f64 / well_days.len() as f64;
    assert!((0.01..=0.08).contains(&share), "downtime share {share}");
    for wd in well_days.values() {
        assert_eq!(wd.down, wd.hours < 24.0 - 1e-9, "reason set exactly on downtime days: {wd:?}");
        if wd.hours == 0.0 {
            assert_eq!(wd.oil + wd.gas + wd.water, 0.0);
        }
    }
    assert!(well_days.values().any(|wd| wd.hours == 0.0));
    assert!(well_days.values().any(|wd| wd.hours > 0.0 && wd.hours < 24.0));
    let reasons: HashSet<_> = h.entries.iter().filter_map(|e| e.downtime_reason).collect();
    assert!(reasons.len() >= 6, "{reasons:?}");
    // Multi-day: some well is down on at least three consecutive days.
    let multi =
        (0..WELLS).any(|i| (2..h.days()).any(|d| (0..3).all(|k| well_days.get(&(i, d - k)).is_some_and(|wd| wd.down))));
    assert!(multi);
    // Volumes follow hours on: on partial days the producing-day rate is like the neighbours'.
    let mut ratios = Vec::new();
    for (&(i, d), wd) in &well_days {
        if wd.down
            && wd.hours >= 6.0
            && d > 0
            && let Some(prev) = well_days.get(&(i, d - 1)).filter(|p| !p.down && p.oil > 0.0)
        {
            ratios.push((wd.oil / wd.hours * 24.0) / prev.oil);
        }
    }
    let mean = ratios.iter().sum::<f64>() / ratios.len() as f64;
    assert!(ratios.len() > 50 && (0.85..1.15).contains(&mean), "{} {mean}", ratios.len());
}

#[test]
fn some_wells_are_gauged_two_or_three_times_a_day_at_different_hours() {
    let h = history();
    let mut per_well: HashMap<usize, usize> = HashMap::new();
    let d = h.days() - 1;
    let mut times: HashMap<usize, Vec<DateTime<Utc>>> = HashMap::new();
    for e in h.day(d) {
        *per_well.entry(index_of(e.well_id)).or_default() += 1;
        times.entry(index_of(e.well_id)).or_default().push(e.recorded_at);
    }
    let multi = per_well.values().filter(|&&n| n > 1).count();
    let share = multi as f64 / per_well.len() as f64;
    assert!((0.08..=0.25).contains(&share), "{share}");
    assert!(per_well.values().all(|&n| (1..=3).contains(&n)));
    assert!(per_well.values().any(|&n| n == 2) && per_well.values().any(|&n| n == 3));
    for ts in times.values().filter(|t| t.len() > 1) {
        let hours: HashSet<u32> = ts.iter().map(|t| t.hour()).collect();
        assert_eq!(hours.len(), ts.len(), "gauges at different hours");
    }
    // Every gauge of a full producing day reports the day's 24 hours on, so their mean is the day's.
    for (i, wd) in h.well_days() {
        if wd.entries > 1 && !wd.down {
            assert!((wd.hours - 24.0).abs() < 1e-9, "{i:?}: {wd:?}");
        }
    }
}

#[test]
fn entry_ids_are_unique_time_ordered_uuid_v7_and_ascending_day_major() {
    let h = history();
    let mut seen = HashSet::with_capacity(h.entries.len());
    for pair in h.entries.windows(2) {
        assert!(pair[0].id < pair[1].id, "ascending ids");
        assert!(pair[0].recorded_at <= pair[1].recorded_at, "ascending time");
    }
    for e in &h.entries {
        assert!(seen.insert(e.id));
        assert_eq!(e.id.0.get_version_num(), 7);
        let (secs, nanos) = e.id.0.get_timestamp().unwrap().to_unix();
        assert_eq!(secs as i64 * 1000 + i64::from(nanos / 1_000_000), e.recorded_at.timestamp_millis());
    }
    // Day D's entries lie in D 11:00Z .. D+1 04:00Z: inside the America/Chicago day D.
    for (d, day) in h.fleet.history_days().enumerate() {
        let lo = day.and_hms_opt(11, 0, 0).unwrap().and_utc();
        let hi = day.succ_opt().unwrap().and_hms_opt(4, 0, 0).unwrap().and_utc();
        assert!(h.day(d).iter().all(|e| e.recorded_at >= lo && e.recorded_at < hi));
        let local = |t: DateTime<Utc>| t.with_timezone(&chrono_tz::America::Chicago).date_naive();
        assert!(h.day(d).iter().all(|e| local(e.recorded_at) == day));
    }
}

#[test]
fn pressures_follow_the_rate_and_casing_is_above_tubing() {
    let h = history();
    let mut per_well: HashMap<usize, Vec<(f64, f64)>> = HashMap::new();
    for e in &h.entries {
        let (t, c) = (e.tubing_psig.unwrap(), e.casing_psig.unwrap());
        assert!(c >= t, "casing {c} below tubing {t}");
        assert!(t > 0.0 && c < 10_000.0);
        if e.hours_on > 0.0 {
            assert!(e.choke_64ths.unwrap() >= 8.0);
            per_well.entry(index_of(e.well_id)).or_default().push((e.oil_bbl / e.hours_on * 24.0, t));
        } else {
            assert_eq!(e.choke_64ths, Some(0.0));
        }
    }
    let correlations: Vec<f64> = per_well.values().filter(|v| v.len() > 60).map(|v| correlation(v)).collect();
    let mean = correlations.iter().sum::<f64>() / correlations.len() as f64;
    assert!(mean > 0.5, "mean within-well correlation of tubing pressure and rate {mean}");
    let positive = correlations.iter().filter(|&&r| r > 0.0).count();
    assert!(positive * 20 > correlations.len() * 19);
    // Across wells too: bigger wells flow at higher tubing pressure.
    let pooled: Vec<(f64, f64)> = per_well.values().flatten().copied().collect();
    assert!(correlation(&pooled) > 0.3);
}

fn correlation(xy: &[(f64, f64)]) -> f64 {
    let n = xy.len() as f64;
    let (mx, my) = (xy.iter().map(|p| p.0).sum::<f64>() / n, xy.iter().map(|p| p.1).sum::<f64>() / n);
    let cov: f64 = xy.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let vx: f64 = xy.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let vy: f64 = xy.iter().map(|p| (p.1 - my).powi(2)).sum();
    cov / (vx * vy).sqrt()
}

#[test]
fn wells_of_the_same_field_move_together() {
    let h = history();
    let wells = h.fleet.wells();
    // Residual of each producing well-day: the producing-day rate over the model's trend (noise only).
    let mut residuals: HashMap<usize, HashMap<usize, f64>> = HashMap::new();
    for (d, day) in h.fleet.history_days().enumerate() {
        for e in h.day(d).iter().filter(|e| e.downtime_reason.is_none()) {
            let i = index_of(e.well_id);
            let w = &wells[i];
            let t = (day_number(day) - w.first_day) as f64 + 0.5;
            let expected = w.model.qi * w.model.trend(t).fraction;
            *residuals.entry(i).or_default().entry(d).or_default() += e.oil_bbl / expected;
        }
    }
    let mut same = Vec::new();
    let mut other = Vec::new();
    let candidates: Vec<usize> =
        (0..WELLS).filter(|i| residuals.get(i).is_some_and(|r| r.len() > 300)).take(80).collect();
    for (k, &a) in candidates.iter().enumerate() {
        for &b in &candidates[k + 1..] {
            let pairs: Vec<(f64, f64)> =
                residuals[&a].iter().filter_map(|(d, ra)| residuals[&b].get(d).map(|rb| (*ra, *rb))).collect();
            if pairs.len() < 200 {
                continue;
            }
            let r = correlation(&pairs);
            if wells[a].field_id == wells[b].field_id { same.push(r) } else { other.push(r) }
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    assert!(same.len() > 20 && other.len() > 20);
    assert!(mean(&same) > 0.2 && mean(&same) > mean(&other) + 0.15, "same {} other {}", mean(&same), mean(&other));
}

#[test]
fn live_entries_are_deterministic_one_per_producing_well_and_daily_rates() {
    let fleet = SimulatedFleet::plan(&FleetSpec { wells: 200, months: 6, seed: 5 }, history_end());
    let well_ids = ids(fleet.len());
    let at: DateTime<Utc> = "2025-06-01T15:30:00.250Z".parse().unwrap();
    let (mut a, mut b, mut later) = (Vec::new(), Vec::new(), Vec::new());
    fleet.live_entries(&well_ids, at, &mut a);
    fleet.live_entries(&well_ids, at, &mut b);
    fleet.live_entries(&well_ids, at + chrono::Duration::seconds(60), &mut later);
    assert_eq!(a, b);
    let producing = fleet
        .wells()
        .iter()
        .filter(|w| w.well.status == WellStatus::Active && w.well.first_production_date.unwrap() <= at.date_naive())
        .count();
    assert_eq!(a.len(), producing);
    let ids_a: HashSet<_> = a.iter().map(|e| e.id).collect();
    assert_eq!(ids_a.len(), a.len());
    assert!(later.iter().all(|e| !ids_a.contains(&e.id)));
    assert!(a.windows(2).all(|p| p[0].id < p[1].id));
    for e in &a {
        assert!(FieldEntry::new(e.clone()).is_ok());
        assert_eq!(e.recorded_at, at);
        assert!(e.hours_on <= 24.0);
        let w = &fleet.wells()[index_of(e.well_id)];
        assert!(e.oil_bbl <= w.model.qi * 2.0, "a rate per day: {}", e.oil_bbl);
    }
    // Live readings are rates per day like the history: the fleet's live total is close to the previous day's.
    let day = at.date_naive().pred_opt().unwrap();
    let mut hist = Vec::new();
    fleet.entries_for_day(&well_ids, day, &mut hist);
    let total_hist: f64 = hist.iter().map(|e| e.oil_bbl).sum();
    let hist_entries_per_well = hist.len() as f64 / a.len().max(1) as f64;
    let total_live: f64 = a.iter().map(|e| e.oil_bbl).sum::<f64>() * hist_entries_per_well;
    assert!((total_live / total_hist - 1.0).abs() < 0.2, "{total_live} vs {total_hist}");
}

#[test]
fn tiny_and_empty_fleets_work() {
    let empty = SimulatedFleet::plan(&FleetSpec { wells: 0, months: 24, seed: 1 }, history_end());
    assert!(empty.is_empty() && empty.expected_entries() == 0);
    let mut out = Vec::new();
    empty.entries_for_day(&[], history_end(), &mut out);
    assert!(out.is_empty());
    let no_history = SimulatedFleet::plan(&FleetSpec { wells: 5, months: 0, seed: 1 }, history_end());
    assert_eq!(no_history.history_days().count(), 0);
    assert_eq!(no_history.expected_entries(), 0);
    assert_eq!(no_history.new_wells().len(), 5);
    let one = SimulatedFleet::plan(&FleetSpec { wells: 1, months: 1, seed: 1 }, history_end());
    assert_eq!(one.history_days().count(), 31);
    assert_eq!(one.history_start(), NaiveDate::from_ymd_opt(2025, 5, 1).unwrap());
    // Fewer ids than wells: the wells without an id are skipped.
    let fleet = SimulatedFleet::plan(&FleetSpec { wells: 10, months: 1, seed: 1 }, history_end());
    let mut out = Vec::new();
    fleet.entries_for_day(&ids(3), history_end().pred_opt().unwrap(), &mut out);
    assert!(out.iter().all(|e| index_of(e.well_id) < 3));
}
