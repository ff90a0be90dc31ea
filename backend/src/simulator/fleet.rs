//! Planning a fleet (once, with `ChaCha8Rng`) and generating its field entries (per day or live instant, from
//! counter-based hashes, without per-entry allocation).

use super::FleetSpec;
use super::basins::{self, BASINS, Basin, LeaseStyle, MAX_FIELDS};
use super::decline::{Trend, WellModel};
use super::downtime;
use super::noise::{Stream, field_factor, tag};
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use flowline_shared::{
    ApiNumber, Coordinates, DowntimeReason, EntryId, EntrySource, FieldEntryDraft, NewWell, WellId, WellStatus,
    WellType,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;

const MS_PER_DAY: i64 = 86_400_000;
const MS_PER_HOUR: i64 = 3_600_000;
/// `NaiveDate::num_days_from_ce` of 1970-01-01.
const UNIX_EPOCH_DAYS_FROM_CE: i64 = 719_163;

/// Share of wells gauged two or three times a day.
const MULTI_GAUGE_SHARE: f64 = 0.15;
/// Shares of wells that are shut in (stopped recently) and inactive (stopped long ago).
const SHUT_IN_SHARE: f64 = 0.03;
const INACTIVE_SHARE: f64 = 0.02;
/// Share of pads (leases) that come on production within the history; the others produced before it started.
const NEW_PAD_SHARE: f64 = 0.4;
/// How far before the history start the oldest wells came on production, days.
const OLDEST_WELL_DAYS: i64 = 5 * 365;

/// Days since 1970-01-01.
pub(crate) fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) - UNIX_EPOCH_DAYS_FROM_CE
}

/// The date of a day number (saturating at chrono's limits).
pub(crate) fn date_of(day: i64) -> NaiveDate {
    i32::try_from(day + UNIX_EPOCH_DAYS_FROM_CE)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .unwrap_or(if day < 0 { NaiveDate::MIN } else { NaiveDate::MAX })
}

/// One planned well: what is stored, where it is and how it produces.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedWell {
    /// The well as it is created in storage (API number, unique name, basin county and field, lease, location,
    /// status, first production date).
    pub well: NewWell,
    /// The basin, e.g. "Permian - Delaware Basin".
    pub basin: &'static str,
    /// Entries per producing day: 1, or 2-3 for the wells gauged several times a day.
    pub gauges_per_day: u8,
    /// Index of the field over all basins (wells of one field share a daily production factor).
    pub(crate) field_id: usize,
    /// Day number of first production.
    pub(crate) first_day: i64,
    /// Day number after the last day of production (`i64::MAX` while producing).
    pub(crate) stop_day: i64,
    pub(crate) model: WellModel,
}

impl PlannedWell {
    /// Whether the well has an entry on day `day` of the history.
    fn produces_on(&self, day: i64) -> bool {
        day >= self.first_day && day < self.stop_day
    }

    /// The last day with production, for shut-in and inactive wells.
    pub fn last_production_date(&self) -> Option<NaiveDate> {
        (self.stop_day != i64::MAX).then(|| date_of(self.stop_day - 1))
    }
}

/// The planned wells of a fleet with their production models, and the history window.
#[derive(Debug, Clone)]
pub struct SimulatedFleet {
    seed: u64,
    history_start: NaiveDate,
    history_end: NaiveDate,
    start_day: i64,
    end_day: i64,
    wells: Vec<PlannedWell>,
    /// Whether each field's basin has cold winters (winter storms cause field-wide downtime).
    field_cold: [bool; MAX_FIELDS],
    expected_entries: u64,
}

/// Everything a day shares across wells.
struct DayContext {
    day: i64,
    day_start_ms: i64,
    factor: [f64; MAX_FIELDS],
    event: [Option<DowntimeReason>; MAX_FIELDS],
}

/// A well's state on one day: everything its entries need, in one compact value (the second pass of
/// `entries_for_day` visits wells in time order, i.e. at random, and should touch one cache line or two per well).
struct DayState {
    /// Hours on production over the whole day (24 unless down).
    hours: f64,
    reason: Option<DowntimeReason>,
    gauges: u8,
    /// Producing-day oil rate with the field factor and the well's own noise, bbl/d.
    rate: f64,
    /// Tubing pressure before measurement noise, psig: flowing at `rate`, or built up if the well is down all day.
    tubing: f64,
    line_psig: f64,
    casing_ratio: f64,
    casing_offset: f64,
    trend: Trend,
}

/// The measured values of one entry.
struct Reading {
    oil: f64,
    gas: f64,
    water: f64,
    tubing: f64,
    casing: f64,
    choke: f64,
}

impl SimulatedFleet {
    /// Plans the fleet; history covers `months` months ending at `history_end` (exclusive; a UTC day boundary).
    pub fn plan(spec: &FleetSpec, history_end: NaiveDate) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
        let history_start = history_end.checked_sub_months(Months::new(spec.months)).unwrap_or(history_end);
        let (start_day, end_day) = (day_number(history_start), day_number(history_end));
        let mut wells: Vec<PlannedWell> = Vec::with_capacity(spec.wells);
        let mut leases = HashSet::new();
        // Next API well sequence number per county: handed out in planning order, so that the first N wells of a
        // larger fleet with the same seed are the N wells of the smaller one, API numbers included.
        let mut api_sequence: Vec<u64> =
            BASINS.iter().flat_map(|b| b.counties.iter().map(|c| u64::from(c.api_sequence_start))).collect();
        while wells.len() < spec.wells {
            let basin_index = pick_basin(&mut rng);
            let basin = &BASINS[basin_index];
            let field_local = rng.gen_range(0..basin.fields.len());
            let field = &basin.fields[field_local];
            let county_local = field.counties[rng.gen_range(0..field.counties.len())];
            let county = &basin.counties[county_local];
            let lease = lease_name(&mut rng, basin, &mut leases);
            let pad_size = rng.gen_range(1..=6).min(spec.wells - wells.len());
            const MARGIN: f64 = 0.01;
            let pad_lat = rng.gen_range(county.lat.0 + MARGIN..county.lat.1 - MARGIN);
            let pad_lon = rng.gen_range(county.lon.0 + MARGIN..county.lon.1 - MARGIN);
            // Only fractions are drawn, never ranges that depend on the window: the same seed then gives the same
            // wells whatever the history end (dates slide with the window).
            let new_pad = rng.gen_bool(NEW_PAD_SHARE);
            let when: f64 = rng.r#gen();
            let window = end_day - start_day;
            let pad_first = if new_pad && window > 30 {
                start_day + (when * (window - 14) as f64) as i64
            } else {
                start_day - 1 - (when * OLDEST_WELL_DAYS as f64) as i64
            };
            for k in 1..=pad_size {
                let gas_well = rng.gen_bool(field.gas_well_share);
                let model = WellModel::draw(&mut rng, &basin.model, gas_well);
                let mut first_day = (pad_first + rng.gen_range(0..15)).min(end_day - 1);
                let roll: f64 = rng.r#gen();
                let (status, stop_day) = if roll < SHUT_IN_SHARE {
                    (WellStatus::ShutIn, end_day - rng.gen_range(20..120))
                } else if roll < SHUT_IN_SHARE + INACTIVE_SHARE {
                    (WellStatus::Inactive, end_day - rng.gen_range(150..540))
                } else {
                    (WellStatus::Active, i64::MAX)
                };
                if stop_day != i64::MAX {
                    first_day = first_day.min(stop_day - rng.gen_range(90..900));
                }
                let gauges_per_day = if rng.gen_bool(MULTI_GAUGE_SHARE) { rng.gen_range(2..=3) } else { 1 };
                let lat = (pad_lat + rng.gen_range(-0.006..0.006)).clamp(county.lat.0, county.lat.1);
                let lon = (pad_lon + rng.gen_range(-0.006..0.006)).clamp(county.lon.0, county.lon.1);
                let county_id = basins::county_id(basin_index, county_local);
                api_sequence[county_id] += rng.gen_range(1..=4);
                wells.push(PlannedWell {
                    well: NewWell {
                        api_number: api_number(basin.api_state, county.api_code, api_sequence[county_id]),
                        name: format!("{lease} {k}H"),
                        well_type: if gas_well { WellType::Gas } else { WellType::Oil },
                        status,
                        location: Coordinates::new(lat, lon).ok(),
                        lease: Some(lease.clone()),
                        field: Some(field.name.to_owned()),
                        county: Some(county.name.to_owned()),
                        state: Some(basin.state.to_owned()),
                        first_production_date: Some(date_of(first_day)),
                    },
                    basin: basin.name,
                    gauges_per_day,
                    field_id: basins::field_id(basin_index, field_local),
                    first_day,
                    stop_day,
                    model,
                });
            }
        }
        let mut field_cold = [false; MAX_FIELDS];
        let per_field = BASINS.iter().flat_map(|b| b.fields.iter().map(|_| b.cold_winters));
        for (cold, basin_cold) in field_cold.iter_mut().zip(per_field) {
            *cold = basin_cold;
        }
        let expected_entries = wells
            .iter()
            .map(|w| {
                let days = (w.stop_day.min(end_day) - w.first_day.max(start_day)).max(0);
                days as u64 * u64::from(w.gauges_per_day)
            })
            .sum();
        Self { seed: spec.seed, history_start, history_end, start_day, end_day, wells, field_cold, expected_entries }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// First day of the history (inclusive).
    pub fn history_start(&self) -> NaiveDate {
        self.history_start
    }

    /// Day after the history (exclusive).
    pub fn history_end(&self) -> NaiveDate {
        self.history_end
    }

    /// The planned wells, in well-index order.
    pub fn wells(&self) -> &[PlannedWell] {
        &self.wells
    }

    pub fn len(&self) -> usize {
        self.wells.len()
    }

    pub fn is_empty(&self) -> bool {
        self.wells.is_empty()
    }

    /// The wells to create, in well-index order.
    pub fn new_wells(&self) -> Vec<NewWell> {
        self.wells.iter().map(|w| w.well.clone()).collect()
    }

    /// The days of the history, oldest first.
    pub fn history_days(&self) -> impl Iterator<Item = NaiveDate> + use<> {
        let n = usize::try_from(self.end_day - self.start_day).unwrap_or(0);
        self.history_start.iter_days().take(n)
    }

    /// The exact number of entries of the whole history (for progress bars).
    pub fn expected_entries(&self) -> u64 {
        self.expected_entries
    }

    /// Appends all entries of one day for all wells to `out`, sorted by id (= by `recorded_at`). `well_ids[i]` is
    /// the stored id of well `i`; wells beyond the end of `well_ids` are skipped. Wells produce from their first
    /// production date and, if shut in or inactive, until they stopped.
    pub fn entries_for_day(&self, well_ids: &[WellId], day: NaiveDate, out: &mut Vec<FieldEntryDraft>) {
        let ctx = self.day_context(day_number(day));
        let n = self.wells.len().min(well_ids.len());
        // Pass 1: the state of every producing well and the id of each of its gauges (ids depend only on the
        // well, day and gauge). Sorting these small keys is much cheaper than sorting the drafts.
        let mut states: Vec<Option<DayState>> = Vec::with_capacity(n);
        let mut keys: Vec<(EntryId, u32, u32)> = Vec::with_capacity(n + n / 4);
        for (i, w) in self.wells[..n].iter().enumerate() {
            if !w.produces_on(ctx.day) {
                states.push(None);
                continue;
            }
            states.push(Some(self.day_state(i, w, &ctx)));
            let gauges = u64::from(w.gauges_per_day.max(1));
            for g in 0..gauges {
                let mut s = Stream::new(self.seed, tag::GAUGE, i as u64, ctx.day as u64, g);
                let ms = ctx.day_start_ms + gauge_offset_ms(gauges, g, &mut s);
                let id = entry_id(ms, Stream::new(self.seed, tag::ENTRY_ID, i as u64, ctx.day as u64, g));
                keys.push((id, i as u32, g as u32));
            }
        }
        keys.sort_unstable_by_key(|k| k.0);
        // Pass 2: the entries in id order.
        out.reserve(keys.len());
        for (id, i, g) in keys {
            let (i, g) = (i as usize, u64::from(g));
            let Some(state) = &states[i] else { continue };
            let gauges = u64::from(state.gauges);
            let mut s = Stream::new(self.seed, tag::GAUGE, i as u64, ctx.day as u64, g);
            let ms = ctx.day_start_ms + gauge_offset_ms(gauges, g, &mut s);
            let gauge_sd = if gauges > 1 { 0.04 } else { 0.0 };
            let reading = reading(state, &mut s, gauge_sd);
            out.push(draft(id, well_ids[i], ms, &reading, state.hours, state.reason));
        }
    }

    /// Appends one live reading per producing well (status active, past its first production) at `at`, sorted by
    /// id. A reading is a rate per calendar day (like every entry) at that moment, with the day's hours on (a
    /// downtime day's on-fraction applied). Deterministic for `(seed, at)`.
    pub fn live_entries(&self, well_ids: &[WellId], at: DateTime<Utc>, out: &mut Vec<FieldEntryDraft>) {
        let ms = at.timestamp_millis();
        let ctx = self.day_context(ms.div_euclid(MS_PER_DAY));
        let first = out.len();
        for (i, (w, &well_id)) in self.wells.iter().zip(well_ids).enumerate() {
            if w.well.status != WellStatus::Active || !w.produces_on(ctx.day) {
                continue;
            }
            let state = self.day_state(i, w, &ctx);
            let mut s = Stream::new(self.seed, tag::LIVE, i as u64, ms as u64, 0);
            let reading = reading(&state, &mut s, 0.04);
            let id = entry_id(ms, Stream::new(self.seed, tag::LIVE_ID, i as u64, ms as u64, 0));
            out.push(draft(id, well_id, ms, &reading, state.hours, state.reason));
        }
        out[first..].sort_unstable_by_key(|e| e.id);
    }

    fn day_context(&self, day: i64) -> DayContext {
        let month = date_of(day).month();
        let winter = |d: i64| matches!(if d == day { month } else { date_of(d).month() }, 12 | 1 | 2);
        let fields = basins::field_count();
        let factor = std::array::from_fn(|f| if f < fields { field_factor(self.seed, f, day) } else { 1.0 });
        let event = std::array::from_fn(|f| {
            if f < fields { downtime::field_downtime(self.seed, f, day, self.field_cold[f], winter) } else { None }
        });
        DayContext { day, day_start_ms: day * MS_PER_DAY, factor, event }
    }

    fn day_state(&self, i: usize, w: &PlannedWell, ctx: &DayContext) -> DayState {
        let trend = w.model.trend((ctx.day - w.first_day) as f64 + 0.5);
        let mut s = Stream::new(self.seed, tag::WELL_DAY, i as u64, ctx.day as u64, 0);
        let noise = 1.0 + w.model.noise_sd * s.normal();
        let rate = (w.model.qi * trend.fraction * ctx.factor[w.field_id] * noise).max(0.0);
        let (mut hours, mut reason) = (24.0, None);
        if let Some((h, r)) = downtime::well_downtime(self.seed, i, ctx.day) {
            (hours, reason) = (h, Some(r));
        }
        if let Some(r) = ctx.event[w.field_id] {
            let h = downtime::field_event_hours(self.seed, i, ctx.day);
            if h < hours {
                (hours, reason) = (h, Some(r));
            }
        }
        let m = &w.model;
        let tubing = if hours > 0.0 { m.flowing_tubing(rate) } else { m.shut_in_tubing(&trend) };
        DayState {
            hours,
            reason,
            gauges: w.gauges_per_day.max(1),
            rate,
            tubing,
            line_psig: m.line_psig,
            casing_ratio: m.casing_ratio,
            casing_offset: m.casing_offset,
            trend,
        }
    }
}

fn pick_basin(rng: &mut impl Rng) -> usize {
    let total: f64 = BASINS.iter().map(|b| b.weight).sum();
    let mut x = rng.gen_range(0.0..total);
    for (i, b) in BASINS.iter().enumerate() {
        if x < b.weight {
            return i;
        }
        x -= b.weight;
    }
    BASINS.len() - 1
}

/// A lease name in the basin's style, not yet taken.
fn lease_name(rng: &mut impl Rng, basin: &Basin, taken: &mut HashSet<String>) -> String {
    let mut attempt = 0;
    loop {
        let base = basin.lease_names[rng.gen_range(0..basin.lease_names.len())];
        let mut name = match basin.lease_style {
            LeaseStyle::Sections => {
                let s1: u32 = rng.gen_range(1..=47);
                let s2 = if rng.gen_bool(0.5) { s1 + 1 } else { (s1 + 12).min(48) };
                format!("{base} {s1}-{s2}")
            }
            LeaseStyle::Unit => format!("{base} Unit {}", rng.gen_range(1..=30)),
            LeaseStyle::TownshipRange => {
                let township: u32 = rng.gen_range(150..=158);
                let range: u32 = rng.gen_range(92..=104);
                let s1: u32 = rng.gen_range(1..=36);
                let s2 = if s1 <= 30 { s1 + 6 } else { s1 - 6 };
                format!("{base} {}{:02} {s1}-{s2}", township - 100, range % 100)
            }
        };
        if attempt >= 20 {
            // A large fleet has used up the plausible names: number the lease (still unique, since the count grows).
            name = format!("{name}-{}", taken.len());
        }
        if taken.insert(name.clone()) {
            return name;
        }
        attempt += 1;
    }
}

/// The API-14 number of the `sequence`-th well of a county. Past 99999 a county continues with sidetrack codes
/// (never reached by fleets of a sane size).
fn api_number(state: u32, county: u32, sequence: u64) -> Option<ApiNumber> {
    let (sidetrack, number) = (sequence / 100_000 % 100, sequence % 100_000);
    ApiNumber::parse(&format!("{state:02}{county:03}{number:05}{sidetrack:02}00")).ok()
}

/// Milliseconds after the day's 00:00 UTC at which gauge `g` of `gauges` is taken: a morning gauge for one a day;
/// morning and evening for two; morning, afternoon and night for three. All within 11:00 .. 28:00 (04:00 next day).
fn gauge_offset_ms(gauges: u64, g: u64, s: &mut Stream) -> i64 {
    let (start_h, window_s): (i64, u64) = match (gauges, g) {
        (2, 0) => (12, 7_200),
        (2, _) => (23, 7_200),
        (3, 0) => (11, 5_400),
        (3, 1) => (18, 5_400),
        (3, _) => (26, 5_400),
        _ => (12, 10_800),
    };
    start_h * MS_PER_HOUR + s.below(window_s) as i64 * 1000 + s.below(1000) as i64
}

/// One entry's values: the day's producing rate (with per-entry noise `gauge_sd`) scaled by the day's on-fraction,
/// that is a rate per calendar day; rounded to 0.01.
fn reading(day: &DayState, s: &mut Stream, gauge_sd: f64) -> Reading {
    let round = |v: f64| round_positive(v, 100.0);
    let gauge_noise = gauge_sd * s.normal();
    let rate = (day.rate * (1.0 + gauge_noise)).max(0.0);
    let oil = round(rate * day.hours / 24.0);
    let gas = round(oil * day.trend.gor * (1.0 + 0.03 * s.normal()));
    let water = round(oil * day.trend.wor * (1.0 + 0.06 * s.normal()));
    let (tubing, choke) = if day.hours > 0.0 {
        // The drawdown goes with rate^0.7: linearised for the small gauge-to-gauge noise.
        let drawdown = (day.tubing - day.line_psig) * (1.0 + 0.7 * gauge_noise);
        ((day.line_psig + drawdown) * (1.0 + 0.015 * s.normal()), day.trend.choke)
    } else {
        (day.tubing * (1.0 + 0.01 * s.normal()), 0.0)
    };
    let tubing = round_positive(tubing, 10.0);
    // Casing = tubing * ratio + offset (WellModel::casing), from the copy in the day state.
    let casing = round_positive(tubing * day.casing_ratio + day.casing_offset, 10.0);
    Reading { oil, gas, water, tubing, casing, choke }
}

/// `v` (clamped at 0) rounded to the nearest 1/`scale`; a cast instead of `f64::round`, which is a libm call on
/// baseline x86-64.
#[inline]
fn round_positive(v: f64, scale: f64) -> f64 {
    ((v.max(0.0) * scale + 0.5) as u64) as f64 / scale
}

/// A UUIDv7 with `ms` as its timestamp and the other bytes from `s`.
fn entry_id(ms: i64, mut s: Stream) -> EntryId {
    let mut bytes = [0u8; 10];
    bytes[..8].copy_from_slice(&s.next_u64().to_le_bytes());
    bytes[8..].copy_from_slice(&s.next_u64().to_le_bytes()[..2]);
    EntryId(uuid::Builder::from_unix_timestamp_millis(u64::try_from(ms).unwrap_or(0), &bytes).into_uuid())
}

fn draft(
    id: EntryId,
    well_id: WellId,
    ms: i64,
    r: &Reading,
    hours_on: f64,
    reason: Option<DowntimeReason>,
) -> FieldEntryDraft {
    FieldEntryDraft {
        id,
        well_id,
        recorded_at: DateTime::from_timestamp_millis(ms).unwrap_or_default(),
        oil_bbl: r.oil,
        gas_mcf: r.gas,
        water_bbl: r.water,
        tubing_psig: Some(r.tubing),
        casing_psig: Some(r.casing),
        choke_64ths: Some(r.choke),
        hours_on,
        downtime_reason: reason,
        source: EntrySource::Simulator,
        is_correction: false,
    }
}
