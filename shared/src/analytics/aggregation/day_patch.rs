//! One day's aggregates replaced in a well's stored month groups, for the daily job: instead of re-reading a
//! month of raw readings per well, it reads that day's readings and the stored daily values around it, and
//! recomputes the day, its week and its month from them. The result equals a full recompute of those months as
//! long as the stored daily values of the other days are current (the dirty-period worker keeps them so).

use super::months::{MonthAggregates, first_of_month, split_by_month};
use super::{AggregationError, Period, PeriodWindow, TimeSeriesAggregate, roll_up};
use crate::domain::WellId;
use chrono::{Days, NaiveDate};
use chrono_tz::Tz;

/// The local months whose stored groups [`patch_day`] needs for `day`: from the month of its week's Monday to the
/// month of its week's Sunday (a week's aggregate needs the daily values of all seven days).
pub fn months_around_day(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let monday = Period::Weekly.first_day(day);
    let sunday = monday.checked_add_days(Days::new(6)).unwrap_or(monday);
    (first_of_month(monday), first_of_month(sunday))
}

/// The groups of `well_id` that change when the daily aggregates of the local `day` become `fresh` (those of
/// `fresh` for other wells or days are ignored; none means the day has no data): the day's daily aggregates are
/// replaced, and the week and the month that contain the day are rolled up again from the daily values.
///
/// `stored` holds the well's groups for the months of [`months_around_day`] (a month without a group has no
/// aggregates). Returns the groups, among the month of the week's Monday and the day's month, that differ from the
/// stored ones: each complete (storage replaces a group whole), possibly empty (storage then deletes it).
pub fn patch_day(
    well_id: WellId,
    stored: &[MonthAggregates],
    day: NaiveDate,
    fresh: &[TimeSeriesAggregate],
    tz: Tz,
) -> Result<Vec<MonthAggregates>, AggregationError> {
    let week = PeriodWindow::for_date(Period::Weekly, day, tz);
    let month = PeriodWindow::for_date(Period::Monthly, day, tz);
    let stored: Vec<&MonthAggregates> = stored.iter().filter(|m| m.well_id == well_id).collect();
    let fresh: Vec<&TimeSeriesAggregate> = fresh
        .iter()
        .filter(|a| a.well_id == well_id && a.period.period() == Period::Daily && a.period.local_start() == day)
        .collect();
    // Stored groups are consistent (every writer stores a day with its week and month): if the day is unchanged,
    // so are they. The daily job mostly finds days the dirty-period worker has already aggregated.
    let stored_day = stored.iter().flat_map(|m| &m.daily).filter(|a| a.period.local_start() == day);
    if stored_day.eq(fresh.iter().copied()) {
        return Ok(Vec::new());
    }
    let starts_in =
        |w: &PeriodWindow, a: &TimeSeriesAggregate| (w.local_start()..w.local_end()).contains(&a.period.local_start());

    let mut daily: Vec<TimeSeriesAggregate> = stored
        .iter()
        .flat_map(|m| &m.daily)
        .filter(|a| a.period.local_start() != day)
        .chain(fresh.iter().copied())
        .cloned()
        .collect();
    sort_by_start(&mut daily);
    let of = |w: &PeriodWindow| daily.iter().filter(|a| starts_in(w, a)).cloned().collect::<Vec<_>>();
    let new_week = roll_up(&of(&week), Period::Weekly)?;
    let new_month = roll_up(&of(&month), Period::Monthly)?;

    let replace = |period: Period, window: &PeriodWindow, new: Vec<TimeSeriesAggregate>| {
        let mut list: Vec<TimeSeriesAggregate> = stored
            .iter()
            .flat_map(|m| m.of(period))
            .filter(|a| a.period.local_start() != window.local_start())
            .cloned()
            .chain(new)
            .collect();
        sort_by_start(&mut list);
        list
    };
    let weekly = replace(Period::Weekly, &week, new_week);
    let monthly = replace(Period::Monthly, &month, new_month);

    let (first, last) = (first_of_month(week.local_start()), month.local_start());
    let patched = split_by_month(well_id, daily.into_iter().chain(weekly).chain(monthly), first, last);
    let mut changed = Vec::new();
    for m in [first, last].into_iter().take(if first == last { 1 } else { 2 }) {
        let new = patched.iter().find(|g| g.month == m).cloned().unwrap_or_else(|| MonthAggregates::new(well_id, m));
        let old = stored.iter().find(|g| g.month == m).copied();
        let unchanged = match old {
            Some(old) => *old == new,
            None => new.is_empty(),
        };
        if !unchanged {
            changed.push(new);
        }
    }
    Ok(changed)
}

/// Ordered as stored: by window start, then field.
fn sort_by_start(list: &mut [TimeSeriesAggregate]) {
    list.sort_by_key(|a| (a.period.local_start(), a.field.index()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::aggregation::{EntryValues, Field, daily_aggregates, local_midnight};
    use chrono::Datelike;
    use uuid::Uuid;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn chicago() -> Tz {
        "America/Chicago".parse().unwrap()
    }

    fn reading(well: WellId, day: NaiveDate, hour: i64, oil: f64) -> EntryValues {
        let mut values = [None; crate::analytics::aggregation::FIELD_COUNT];
        values[Field::OilBbl.index()] = Some(oil);
        values[Field::HoursOn.index()] = Some(24.0);
        EntryValues {
            well_id: well,
            recorded_at: local_midnight(day, chicago()) + chrono::Duration::hours(hour),
            values,
        }
    }

    /// Every group of `readings` for `first..=last`, as a full recompute stores them.
    fn full(well: WellId, readings: &[EntryValues], first: NaiveDate, last: NaiveDate) -> Vec<MonthAggregates> {
        let daily = daily_aggregates(readings, chicago());
        let weekly = roll_up(&daily, Period::Weekly).unwrap();
        let monthly = roll_up(&daily, Period::Monthly).unwrap();
        split_by_month(well, daily.into_iter().chain(weekly).chain(monthly), first, last)
    }

    /// A daily series from `from` to `to` with a value that varies by day.
    fn series(well: WellId, from: NaiveDate, to: NaiveDate) -> Vec<EntryValues> {
        from.iter_days()
            .take_while(|d| *d <= to)
            .map(|d| reading(well, d, 12, 100.0 + f64::from(d.ordinal() % 7)))
            .collect()
    }

    #[test]
    fn patching_a_day_equals_recomputing_its_months_across_a_month_boundary() {
        let well = WellId(Uuid::from_u128(7));
        // Thursday 2 January 2025: its week started Monday 30 December 2024 and ends Sunday 5 January.
        let day = date(2025, 1, 2);
        assert_eq!(months_around_day(day), (date(2024, 12, 1), date(2025, 1, 1)));
        let before = series(well, date(2024, 11, 25), date(2025, 1, 10));
        let stored = full(well, &before, date(2024, 12, 1), date(2025, 1, 1));
        // The day gets a second reading (a correction): its mean, the week and January change; December's weekly
        // list changes too (the week of 30 December is December's).
        let mut after = before.clone();
        after.push(reading(well, day, 18, 500.0));
        let fresh = daily_aggregates(
            &after
                .iter()
                .filter(|r| {
                    r.recorded_at >= local_midnight(day, chicago())
                        && r.recorded_at < local_midnight(date(2025, 1, 3), chicago())
                })
                .cloned()
                .collect::<Vec<_>>(),
            chicago(),
        );
        let changed = patch_day(well, &stored, day, &fresh, chicago()).unwrap();
        let expected = full(well, &after, date(2024, 12, 1), date(2025, 1, 1));
        assert_eq!(changed, expected, "both months come back, equal to a full recompute");
    }

    #[test]
    fn an_unchanged_day_changes_nothing_and_a_new_well_gets_its_first_group() {
        let well = WellId(Uuid::from_u128(8));
        let day = date(2024, 3, 13);
        let readings = series(well, date(2024, 3, 1), date(2024, 3, 13));
        let stored = full(well, &readings, date(2024, 3, 1), date(2024, 3, 1));
        let fresh = daily_aggregates(&readings[12..], chicago());
        assert_eq!(fresh[0].period.local_start(), day);
        assert!(patch_day(well, &stored, day, &fresh, chicago()).unwrap().is_empty());
        // Nothing stored yet: the day's group is created with its day, week and month.
        let created = patch_day(well, &[], day, &fresh, chicago()).unwrap();
        assert_eq!(created, full(well, &readings[12..], date(2024, 3, 1), date(2024, 3, 1)));
        // No data for the day and none stored: nothing to write.
        assert!(patch_day(well, &[], day, &[], chicago()).unwrap().is_empty());
    }

    #[test]
    fn a_week_running_into_the_next_month_keeps_that_months_days() {
        let well = WellId(Uuid::from_u128(9));
        // Monday 28 October 2024: its week ends Sunday 3 November (a 25-hour day in Chicago).
        let day = date(2024, 10, 28);
        assert_eq!(months_around_day(day), (date(2024, 10, 1), date(2024, 11, 1)));
        let readings = series(well, date(2024, 10, 1), date(2024, 11, 10));
        let stored = full(well, &readings, date(2024, 10, 1), date(2024, 11, 1));
        let fresh: Vec<_> = daily_aggregates(&[reading(well, day, 6, 42.0)], chicago());
        let changed = patch_day(well, &stored, day, &fresh, chicago()).unwrap();
        let mut after: Vec<_> =
            readings.iter().filter(|r| r.recorded_at.with_timezone(&chicago()).date_naive() != day).cloned().collect();
        after.push(reading(well, day, 6, 42.0));
        let expected = full(well, &after, date(2024, 10, 1), date(2024, 10, 1));
        assert_eq!(changed, expected, "only October is written, its last week still counts 3 November");
        let week =
            changed[0].weekly.iter().find(|a| a.period.local_start() == day && a.field == Field::OilBbl).unwrap();
        assert_eq!(week.stats.count, 7);
    }

    #[test]
    fn a_day_whose_data_disappeared_is_removed_and_an_emptied_month_comes_back_empty() {
        let well = WellId(Uuid::from_u128(10));
        let day = date(2024, 2, 29);
        let readings = vec![reading(well, day, 12, 5.0)];
        let stored = full(well, &readings, date(2024, 2, 1), date(2024, 2, 1));
        let changed = patch_day(well, &stored, day, &[], chicago()).unwrap();
        assert_eq!(changed, vec![MonthAggregates::new(well, date(2024, 2, 1))]);
        // Another well's groups and aggregates are ignored.
        let other = WellId(Uuid::from_u128(11));
        assert!(patch_day(other, &stored, day, &daily_aggregates(&readings, chicago()), chicago()).unwrap().is_empty());
    }
}
