//! Aggregation of field entries into daily, weekly and monthly statistics per well and field, in the tenant's
//! time zone.
//!
//! # Rules
//!
//! 1. **Periods.** A *daily* period is a local calendar day, a *weekly* one runs from Monday 00:00 to the next
//!    Monday 00:00 (ISO weeks, so a week can span a new year: 2024-12-30 to 2025-01-06), a *monthly* one from the
//!    1st 00:00 to the next month's 1st 00:00. "Local" is the tenant's time zone (`Tenant::time_zone`, default
//!    America/Chicago), never UTC: an entry at 2025-01-01T03:00Z belongs to 31 December 2024 in Chicago.
//! 2. **Boundaries.** A boundary is a local midnight converted to a UTC instant; windows are half-open
//!    `[start, end)` and tile time without gaps or overlaps. So a day lasts 23, 24 or 25 hours (Chicago:
//!    2024-03-10 lasts 23 h, 2024-11-03 lasts 25 h), a week 167 to 169 hours. Where midnight happens twice (clocks
//!    fall back across it) the boundary is the earlier instant; where it does not happen (clocks spring forward at
//!    midnight, as in America/Havana) it is the first instant after the gap: always the earliest instant whose
//!    local time is at or after midnight. An entry belongs to the window that contains its `recorded_at` instant.
//! 3. **Fields.** Every numeric field of an entry is aggregated separately: `oil_bbl`, `gas_mcf`, `water_bbl`,
//!    `hours_on` (always present) and `tubing_psig`, `casing_psig`, `choke_64ths` (optional: aggregated over the
//!    entries that have them; an entry without the field does not count for it). Non-finite values are treated as
//!    missing (a validated `FieldEntry` has none).
//! 4. **Statistics.** Each aggregate holds count, sum, mean (avg), min, max, and `m2`, the sum of squared
//!    deviations, from which the sample standard deviation (divisor n - 1) is derived. The standard deviation of
//!    fewer than two values is undefined: `None` (JSON `null`), never 0.
//! 5. **Daily aggregates** are taken over the raw entries of the day: `count` = entries with the field, `mean` =
//!    **the day's value** (entries hold rates per calendar day, so the mean of several readings is the day's rate,
//!    numerically its volume), `min`/`max`/stddev over the readings. Their `sum` adds readings and is not a volume.
//! 6. **Weekly and monthly aggregates** are taken over the daily values (the daily means) of the days in the
//!    period that have one: `count` = days with data, `sum` = the period's volume (bbl, Mcf; producing hours for
//!    `hours_on`; meaningless for pressures and choke), `mean` = the mean daily rate over days with data,
//!    `min`/`max` = the lowest and highest daily value, stddev = the day-to-day spread. `entries` counts the raw
//!    entries behind them.
//! 7. **Gaps.** A day without entries (for a field) has no daily aggregate and does not count in its week or month:
//!    it is a gap, not a zero. A downtime day is data (hours on 0, rates carrying the on-fraction), not a gap.
//! 8. **Completeness.** [`TimeSeriesAggregate::is_complete`] checks a configurable [`Completeness`]: at least
//!    `min_entries` raw entries (default 1) and at least `min_days` days with data (default: every calendar day of
//!    the window, so 7 for a week and 28 to 31 for a month).
//! 9. **Merging.** Two partial aggregates of the same well, field and window merge with Chan et al.'s parallel
//!    formulas (counts and sums add, means combine by weight, `m2 = m2_a + m2_b + delta^2 n_a n_b / n`, extremes of
//!    extremes); the result equals the aggregate over the union. The partials must cover disjoint entries (daily)
//!    or disjoint days (weekly, monthly): a day that gets a late or corrected entry is recomputed from all its
//!    entries, and its week and month are rolled up again from the daily values.
//! 10. **Order.** [`daily_aggregates`] accepts the entries of any number of wells in any order, sorts once by (well,
//!     instant) (no sort when already in that order), and emits aggregates ordered by well, day and field
//!     ([`Field::ALL`] order); [`roll_up`] does the same from daily aggregates. Neither allocates per entry.

mod day_patch;
mod months;
mod period;
mod values;

pub use day_patch::{months_around_day, patch_day};
pub use months::{MonthAggregates, first_of_month, month_input_window, next_month, split_by_month};
pub use period::{Period, PeriodWindow, local_midnight};
pub use values::{EntryValues, FIELD_COUNT, Field, Reading, Stats};

use crate::domain::WellId;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The statistics of one field of one well over one period window (see the module's rules for what the
/// statistics are taken over).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeSeriesAggregate {
    pub well_id: WellId,
    pub period: PeriodWindow,
    pub field: Field,
    /// Daily: over the day's entries. Weekly and monthly: over the daily values.
    pub stats: Stats,
    /// Raw entries that contributed a value of this field.
    pub entries: u32,
}

/// The thresholds of [`TimeSeriesAggregate::is_complete`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completeness {
    /// Minimum raw entries with the field in the window. Default 1.
    pub min_entries: u32,
    /// Minimum days with data in the window; `None` (the default) means every calendar day of the window.
    /// A daily aggregate counts as its one day.
    pub min_days: Option<u32>,
}

impl Default for Completeness {
    fn default() -> Self {
        Self { min_entries: 1, min_days: None }
    }
}

/// Why aggregates could not be rolled up or merged. All are caller mistakes, not data problems.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AggregationError {
    #[error("only daily aggregates can be rolled up, got a {0} one")]
    NotDaily(Period),
    #[error("daily aggregates roll up into weekly or monthly periods, not daily ones")]
    RollUpToDaily,
    #[error("two daily aggregates of {field} for well {well_id} on {day}")]
    DuplicateDay { well_id: WellId, field: Field, day: NaiveDate },
    #[error("daily aggregates in different time zones ({0} and {1})")]
    MixedTimeZones(Tz, Tz),
    #[error("aggregates of different wells, fields or windows cannot be merged")]
    NotMergeable,
}

/// The most days in any window (a 31-day month).
const MAX_DAYS: usize = 31;

impl TimeSeriesAggregate {
    /// The aggregate of `field` for `well_id` over `window`, from raw entries. Entries of other wells, outside the
    /// window or without the field are ignored, in any order; `None` when no entry is left.
    pub fn from_entries<R: Reading>(
        well_id: WellId,
        field: Field,
        window: PeriodWindow,
        entries: &[R],
    ) -> Option<Self> {
        let days = (window.days() as usize).clamp(1, MAX_DAYS);
        // day_starts[i] is the first instant of day i + 1 of the window.
        let mut day_starts = [window.end(); MAX_DAYS];
        let mut date = window.local_start();
        for start in day_starts.iter_mut().take(days - 1) {
            date = date.succ_opt().unwrap_or(date);
            *start = local_midnight(date, window.time_zone());
        }
        let mut daily: [Option<Stats>; MAX_DAYS] = [None; MAX_DAYS];
        for e in entries {
            let t = e.recorded_at();
            if e.well_id() != well_id || !window.contains(t) {
                continue;
            }
            if let Some(v) = e.value(field).filter(|v| v.is_finite()) {
                let day = day_starts[..days - 1].partition_point(|s| *s <= t);
                values::push(&mut daily[day], v);
            }
        }
        let (stats, entries) = if window.period() == Period::Daily {
            let stats = daily[0]?;
            (stats, stats.count)
        } else {
            let mut means = [0.0; MAX_DAYS];
            let (mut len, mut entries) = (0, 0u32);
            for day in daily.iter().flatten() {
                means[len] = day.mean;
                len += 1;
                entries = entries.saturating_add(day.count);
            }
            (Stats::from_slice(&means[..len])?, entries)
        };
        Some(Self { well_id, period: window, field, stats, entries })
    }

    /// The daily aggregate of `field` for `well_id` on the local date `day` of `tz` (see [`Self::from_entries`]).
    pub fn create_daily<R: Reading>(
        well_id: WellId,
        field: Field,
        day: NaiveDate,
        tz: Tz,
        entries: &[R],
    ) -> Option<Self> {
        Self::from_entries(well_id, field, PeriodWindow::for_date(Period::Daily, day, tz), entries)
    }

    /// The weekly aggregate (Monday-start week containing the local date `day`) over the daily values.
    pub fn create_weekly<R: Reading>(
        well_id: WellId,
        field: Field,
        day: NaiveDate,
        tz: Tz,
        entries: &[R],
    ) -> Option<Self> {
        Self::from_entries(well_id, field, PeriodWindow::for_date(Period::Weekly, day, tz), entries)
    }

    /// The monthly aggregate (calendar month containing the local date `day`) over the daily values.
    pub fn create_monthly<R: Reading>(
        well_id: WellId,
        field: Field,
        day: NaiveDate,
        tz: Tz,
        entries: &[R],
    ) -> Option<Self> {
        Self::from_entries(well_id, field, PeriodWindow::for_date(Period::Monthly, day, tz), entries)
    }

    /// Days with data behind the aggregate: 1 for a daily aggregate, `stats.count` otherwise.
    pub fn days_with_data(&self) -> u32 {
        match self.period.period() {
            Period::Daily => 1,
            Period::Weekly | Period::Monthly => self.stats.count,
        }
    }

    /// The representative rate: the day's value for a daily aggregate, the mean daily value over days with data for
    /// a weekly or monthly one.
    pub fn value(&self) -> f64 {
        self.stats.mean
    }

    /// The period's total: the day's value for a daily aggregate (a rate per calendar day times one day), the sum of
    /// daily values for a weekly or monthly one. bbl or Mcf for the volume fields, hours for `hours_on`; see
    /// [`Field::sums_to_volume`].
    pub fn volume(&self) -> f64 {
        match self.period.period() {
            Period::Daily => self.stats.mean,
            Period::Weekly | Period::Monthly => self.stats.sum,
        }
    }

    /// Sample standard deviation; `None` for fewer than two values.
    pub fn stddev(&self) -> Option<f64> {
        self.stats.stddev()
    }

    /// Whether enough data stands behind the aggregate (see [`Completeness`]).
    pub fn is_complete(&self, rule: &Completeness) -> bool {
        self.entries >= rule.min_entries && self.days_with_data() >= rule.min_days.unwrap_or(self.period.days())
    }

    /// Whether `other` is a partial aggregate of the same well, field and window.
    pub fn can_merge(&self, other: &Self) -> bool {
        self.well_id == other.well_id && self.field == other.field && self.period == other.period
    }

    /// The aggregate over the union of two partials that cover disjoint entries (daily) or disjoint days (weekly,
    /// monthly), by Chan et al.'s parallel formulas.
    pub fn merge(&self, other: &Self) -> Result<Self, AggregationError> {
        if !self.can_merge(other) {
            return Err(AggregationError::NotMergeable);
        }
        Ok(Self {
            stats: self.stats.merge(&other.stats),
            entries: self.entries.saturating_add(other.entries),
            ..self.clone()
        })
    }
}

/// Daily aggregates of every field for the entries of one or more wells, in any order (see the module's rules).
/// Output: ordered by well, day and field; one aggregate per (well, day, field) that has at least one value.
pub fn daily_aggregates<R: Reading>(entries: &[R], tz: Tz) -> Vec<TimeSeriesAggregate> {
    // Entries usually arrive sorted: stream them, and sort (once) only if one turns out to be out of order.
    let mut days = DayBuilder::new(tz);
    if entries.iter().all(|e| days.push(e)) {
        return days.finish();
    }
    let mut order: Vec<(WellId, DateTime<Utc>, usize)> =
        entries.iter().enumerate().map(|(i, e)| (e.well_id(), e.recorded_at(), i)).collect();
    order.sort_unstable();
    let mut days = DayBuilder::new(tz);
    for (_, _, i) in order {
        if let Some(e) = entries.get(i) {
            days.push(e);
        }
    }
    days.finish()
}

/// Streams entries sorted by (well, instant) into daily aggregates, one day of one well at a time.
struct DayBuilder {
    tz: Tz,
    out: Vec<TimeSeriesAggregate>,
    /// The well and day being accumulated, and the last instant added.
    current: Option<(WellId, PeriodWindow, DateTime<Utc>)>,
    fields: [Option<Stats>; FIELD_COUNT],
}

impl DayBuilder {
    fn new(tz: Tz) -> Self {
        Self { tz, out: Vec::new(), current: None, fields: [None; FIELD_COUNT] }
    }

    /// Adds an entry; `false` (and nothing added) if it comes before the previous one in (well, instant) order.
    fn push<R: Reading>(&mut self, e: &R) -> bool {
        let (well, t) = (e.well_id(), e.recorded_at());
        match self.current {
            Some((w, _, last)) if w == well && t < last => return false,
            Some((w, _, _)) if well < w => return false,
            Some((w, day, _)) if w == well && day.contains(t) => self.current = Some((well, day, t)),
            current => {
                self.flush();
                // Sorted entries mostly move on to the next day: one time-zone lookup instead of three.
                let next = match current {
                    Some((w, day, _)) if w == well => Some(day.next()).filter(|n| n.contains(t)),
                    _ => None,
                };
                let day = next.unwrap_or_else(|| PeriodWindow::containing(Period::Daily, t, self.tz));
                self.current = Some((well, day, t));
            }
        }
        for field in Field::ALL {
            if let Some(v) = e.value(field).filter(|v| v.is_finite()) {
                values::push(&mut self.fields[field.index()], v);
            }
        }
        true
    }

    fn flush(&mut self) {
        let Some((well_id, period, _)) = self.current else { return };
        for field in Field::ALL {
            if let Some(stats) = self.fields[field.index()].take() {
                self.out.push(TimeSeriesAggregate { well_id, period, field, stats, entries: stats.count });
            }
        }
    }

    fn finish(mut self) -> Vec<TimeSeriesAggregate> {
        self.flush();
        self.out
    }
}

/// Weekly or monthly aggregates from daily ones (of any wells and fields, in any order, all in one time zone):
/// statistics over the daily values, as the module's rules say. At most one daily aggregate per (well, day, field).
/// Output: ordered by well, window and field.
pub fn roll_up(daily: &[TimeSeriesAggregate], period: Period) -> Result<Vec<TimeSeriesAggregate>, AggregationError> {
    if period == Period::Daily {
        return Err(AggregationError::RollUpToDaily);
    }
    let Some(first) = daily.first() else { return Ok(Vec::new()) };
    let tz = first.period.time_zone();
    // As in `daily_aggregates`: stream, and sort only if the input turns out not to be in (well, day) order.
    let mut roll = RollUp::new(period, tz);
    for d in daily {
        if !roll.push(d)? {
            let mut order: Vec<(WellId, DateTime<Utc>, usize)> =
                daily.iter().enumerate().map(|(i, d)| (d.well_id, d.period.start(), i)).collect();
            order.sort_unstable();
            let mut roll = RollUp::new(period, tz);
            for (_, _, i) in order {
                if let Some(d) = daily.get(i) {
                    roll.push(d)?;
                }
            }
            return Ok(roll.finish());
        }
    }
    Ok(roll.finish())
}

/// Per field of the current (well, window): the daily values so far, the raw entries behind them and the start of
/// the last day added (to catch duplicates).
#[derive(Clone, Copy)]
struct RollSlot {
    means: [f64; MAX_DAYS],
    days: usize,
    entries: u32,
    last: Option<DateTime<Utc>>,
}

const EMPTY_SLOT: RollSlot = RollSlot { means: [0.0; MAX_DAYS], days: 0, entries: 0, last: None };

/// Streams daily aggregates sorted by (well, day) into weekly or monthly ones.
struct RollUp {
    period: Period,
    tz: Tz,
    out: Vec<TimeSeriesAggregate>,
    /// The well and window being accumulated, and the start of the last day added.
    current: Option<(WellId, PeriodWindow, DateTime<Utc>)>,
    fields: [RollSlot; FIELD_COUNT],
}

impl RollUp {
    fn new(period: Period, tz: Tz) -> Self {
        Self { period, tz, out: Vec::new(), current: None, fields: [EMPTY_SLOT; FIELD_COUNT] }
    }

    /// Adds a daily aggregate; `Ok(false)` (and nothing added) if it comes before the previous one in (well, day)
    /// order.
    fn push(&mut self, d: &TimeSeriesAggregate) -> Result<bool, AggregationError> {
        let (well, day) = (d.well_id, d.period);
        if day.period() != Period::Daily {
            return Err(AggregationError::NotDaily(day.period()));
        }
        if day.time_zone() != self.tz {
            return Err(AggregationError::MixedTimeZones(self.tz, day.time_zone()));
        }
        match self.current {
            Some((w, _, last)) if w == well && day.start() < last => return Ok(false),
            Some((w, _, _)) if well < w => return Ok(false),
            Some((w, window, _)) if w == well && window.contains(day.start()) => {
                self.current = Some((well, window, day.start()));
            }
            current => {
                self.flush();
                let next = match current {
                    Some((w, window, _)) if w == well => Some(window.next()).filter(|n| n.contains(day.start())),
                    _ => None,
                };
                let window = next.unwrap_or_else(|| PeriodWindow::for_date(self.period, day.local_start(), self.tz));
                self.current = Some((well, window, day.start()));
            }
        }
        let slot = &mut self.fields[d.field.index()];
        if slot.last == Some(day.start()) || slot.days >= MAX_DAYS {
            return Err(AggregationError::DuplicateDay { well_id: well, field: d.field, day: day.local_start() });
        }
        slot.means[slot.days] = d.stats.mean;
        slot.days += 1;
        slot.entries = slot.entries.saturating_add(d.entries);
        slot.last = Some(day.start());
        Ok(true)
    }

    fn flush(&mut self) {
        let Some((well_id, period, _)) = self.current else { return };
        for field in Field::ALL {
            let slot = std::mem::replace(&mut self.fields[field.index()], EMPTY_SLOT);
            if let Some(stats) = Stats::from_slice(&slot.means[..slot.days]) {
                self.out.push(TimeSeriesAggregate { well_id, period, field, stats, entries: slot.entries });
            }
        }
    }

    fn finish(mut self) -> Vec<TimeSeriesAggregate> {
        self.flush();
        self.out
    }
}

#[cfg(test)]
mod tests;
