//! Aggregates grouped by the local calendar month their period starts in: the unit in which storage keeps and
//! replaces them.
//!
//! A month's group holds the daily aggregates of its days, the weekly aggregates of the weeks whose Monday falls in
//! it (such a week may end in the next month) and the monthly aggregate. Recomputing a month therefore needs the
//! readings from its first midnight to the end of the week that starts on its last Monday
//! ([`month_input_window`]), and every (well, period, start, field) belongs to exactly one (well, month).

use super::{Period, TimeSeriesAggregate, local_midnight};
use crate::domain::WellId;
use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use chrono_tz::Tz;

/// Every aggregate of one well whose period starts in one local month, each list ordered by start, then field.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthAggregates {
    pub well_id: WellId,
    /// The 1st of the month (local date).
    pub month: NaiveDate,
    pub daily: Vec<TimeSeriesAggregate>,
    pub weekly: Vec<TimeSeriesAggregate>,
    pub monthly: Vec<TimeSeriesAggregate>,
}

impl MonthAggregates {
    pub fn new(well_id: WellId, month: NaiveDate) -> Self {
        Self { well_id, month: first_of_month(month), daily: Vec::new(), weekly: Vec::new(), monthly: Vec::new() }
    }

    /// The aggregates of one period.
    pub fn of(&self, period: Period) -> &[TimeSeriesAggregate] {
        match period {
            Period::Daily => &self.daily,
            Period::Weekly => &self.weekly,
            Period::Monthly => &self.monthly,
        }
    }

    fn list_mut(&mut self, period: Period) -> &mut Vec<TimeSeriesAggregate> {
        match period {
            Period::Daily => &mut self.daily,
            Period::Weekly => &mut self.weekly,
            Period::Monthly => &mut self.monthly,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.daily.is_empty() && self.weekly.is_empty() && self.monthly.is_empty()
    }

    /// How many aggregates the group holds.
    pub fn len(&self) -> usize {
        self.daily.len() + self.weekly.len() + self.monthly.len()
    }
}

/// The 1st of the month of `date`.
pub fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

/// The 1st of the month after `month`'s (saturating at chrono's last date).
pub fn next_month(month: NaiveDate) -> NaiveDate {
    first_of_month(month).checked_add_months(Months::new(1)).unwrap_or(NaiveDate::MAX)
}

/// The half-open range of instants whose readings determine every aggregate of the local months `first..=last`:
/// from the first month's first midnight to the end of the week that starts on the last month's last Monday.
pub fn month_input_window(first: NaiveDate, last: NaiveDate, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    let after = next_month(last);
    let last_monday = Period::Weekly.first_day(after.pred_opt().unwrap_or(after));
    let end = last_monday.checked_add_days(Days::new(7)).unwrap_or(after).max(after);
    (local_midnight(first_of_month(first), tz), local_midnight(end, tz))
}

/// Splits aggregates of one well (any periods, any order) into the months `first..=last` of their start, keeping
/// only those months. Aggregates of the days after `last` or of weeks that started before `first` (which a read of
/// [`month_input_window`] also produces, partially) are dropped; months without aggregates are left out. Output
/// ordered by month; within a month each list keeps the input order.
pub fn split_by_month(
    well_id: WellId,
    aggregates: impl IntoIterator<Item = TimeSeriesAggregate>,
    first: NaiveDate,
    last: NaiveDate,
) -> Vec<MonthAggregates> {
    let (first, last) = (first_of_month(first), first_of_month(last));
    let index = |d: NaiveDate| (d.year() * 12 + d.month0() as i32) - (first.year() * 12 + first.month0() as i32);
    let mut months: Vec<MonthAggregates> = Vec::new();
    let mut m = first;
    while m <= last && m != NaiveDate::MAX {
        months.push(MonthAggregates::new(well_id, m));
        m = next_month(m);
    }
    let end = next_month(last);
    for a in aggregates {
        let start = a.period.local_start();
        if a.well_id != well_id || start < first || start >= end {
            continue;
        }
        if let Some(month) = usize::try_from(index(start)).ok().and_then(|i| months.get_mut(i)) {
            month.list_mut(a.period.period()).push(a);
        }
    }
    months.retain(|m| !m.is_empty());
    months
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::aggregation::{Field, Period, daily_aggregates, roll_up};
    use crate::domain::{EntryId, EntrySource, FieldEntryDraft};
    use uuid::Uuid;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_input_window_runs_to_the_end_of_the_week_of_the_last_monday() {
        let tz: Tz = "America/Chicago".parse().unwrap();
        // March 2024: last Monday the 25th, its week ends Monday 1 April (= the next month's first day).
        let (from, to) = month_input_window(date(2024, 3, 1), date(2024, 3, 1), tz);
        assert_eq!(from, local_midnight(date(2024, 3, 1), tz));
        assert_eq!(to, local_midnight(date(2024, 4, 1), tz));
        // December 2024: last Monday the 30th, its week ends 6 January 2025.
        let (_, to) = month_input_window(date(2024, 11, 1), date(2024, 12, 1), tz);
        assert_eq!(to, local_midnight(date(2025, 1, 6), tz));
        // February 2024 (leap): last Monday the 26th, week ends 4 March.
        let (_, to) = month_input_window(date(2024, 2, 1), date(2024, 2, 29), tz);
        assert_eq!(to, local_midnight(date(2024, 3, 4), tz));
    }

    #[test]
    fn grouping_keeps_whole_periods_of_the_months_asked_for() {
        let tz: Tz = "America/Chicago".parse().unwrap();
        let well = WellId(Uuid::from_u128(3));
        // Readings every day from 2024-11-25 (a Monday) to 2025-01-10, noon local.
        let mut entries = Vec::new();
        let mut d = date(2024, 11, 25);
        while d <= date(2025, 1, 10) {
            entries.push(FieldEntryDraft {
                id: EntryId(Uuid::from_u128(u128::from(d.ordinal()) + 1000 * d.year() as u128)),
                well_id: well,
                recorded_at: local_midnight(d, tz) + chrono::Duration::hours(12),
                oil_bbl: 10.0,
                gas_mcf: 1.0,
                water_bbl: 0.0,
                tubing_psig: None,
                casing_psig: None,
                choke_64ths: None,
                hours_on: 24.0,
                downtime_reason: None,
                source: EntrySource::Manual,
                is_correction: false,
            });
            d = d.succ_opt().unwrap();
        }
        let daily = daily_aggregates(&entries, tz);
        let weekly = roll_up(&daily, Period::Weekly).unwrap();
        let monthly = roll_up(&daily, Period::Monthly).unwrap();
        let groups =
            split_by_month(well, daily.into_iter().chain(weekly).chain(monthly), date(2024, 12, 1), date(2024, 12, 1));
        assert_eq!(groups.len(), 1);
        let dec = &groups[0];
        assert_eq!(dec.month, date(2024, 12, 1));
        let fields = 4; // oil, gas, water, hours on
        assert_eq!(dec.daily.len(), 31 * fields);
        // Weeks starting 2, 9, 16, 23 and 30 December; the one starting 25 November is November's.
        let mondays: std::collections::BTreeSet<_> = dec.weekly.iter().map(|a| a.period.local_start()).collect();
        assert_eq!(mondays.len(), 5);
        assert_eq!(mondays.first(), Some(&date(2024, 12, 2)));
        let last_week = dec.weekly.iter().find(|a| a.period.local_start() == date(2024, 12, 30)).unwrap();
        assert_eq!(last_week.stats.count, 7, "the week across New Year is complete");
        let oil = dec.monthly.iter().find(|a| a.field == Field::OilBbl).unwrap();
        assert_eq!((oil.stats.count, oil.volume()), (31, 310.0));
        assert_eq!(dec.len(), dec.daily.len() + dec.weekly.len() + dec.monthly.len());
        assert!(!dec.is_empty() && MonthAggregates::new(well, date(2024, 12, 9)).is_empty());
        assert_eq!(next_month(date(2024, 12, 9)), date(2025, 1, 1));
    }
}
