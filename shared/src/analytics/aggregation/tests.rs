use super::*;
use crate::domain::{EntryId, EntrySource, FieldEntry, FieldEntryDraft, Tenant};
use chrono::{NaiveDateTime, TimeDelta, TimeZone};
use uuid::Uuid;

const CHICAGO: Tz = Tenant::DEFAULT_TIME_ZONE;
const HAVANA: Tz = chrono_tz::America::Havana;
const EPS: f64 = 1e-9;

fn well(n: u128) -> WellId {
    WellId(Uuid::from_u128(n))
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// An unambiguous local time ("YYYY-MM-DD HH:MM") in `tz`.
fn local_in(tz: Tz, s: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    tz.from_local_datetime(&naive).single().unwrap().with_timezone(&Utc)
}

fn chicago(s: &str) -> DateTime<Utc> {
    local_in(CHICAGO, s)
}

fn entry(well_n: u128, at: DateTime<Utc>, oil: f64) -> FieldEntryDraft {
    FieldEntryDraft {
        id: EntryId(Uuid::from_u128((well_n << 64) | u128::from(at.timestamp_millis().unsigned_abs()))),
        well_id: well(well_n),
        recorded_at: at,
        oil_bbl: oil,
        gas_mcf: oil * 2.5,
        water_bbl: oil / 4.0,
        tubing_psig: Some(350.0),
        casing_psig: None,
        choke_64ths: Some(32.0),
        hours_on: 24.0,
        downtime_reason: None,
        source: EntrySource::Simulator,
        is_correction: false,
    }
}

fn of_field(aggs: &[TimeSeriesAggregate], field: Field) -> Vec<&TimeSeriesAggregate> {
    aggs.iter().filter(|a| a.field == field).collect()
}

fn starts(aggs: &[&TimeSeriesAggregate]) -> Vec<NaiveDate> {
    aggs.iter().map(|a| a.period.local_start()).collect()
}

fn assert_close(a: f64, b: f64) {
    assert!((a - b).abs() <= EPS * (1.0 + a.abs().max(b.abs())), "{a} != {b}");
}

fn assert_stats_close(a: &Stats, b: &Stats) {
    assert_eq!(a.count, b.count, "{a:?} vs {b:?}");
    for (x, y) in [(a.sum, b.sum), (a.mean, b.mean), (a.min, b.min), (a.max, b.max), (a.m2, b.m2)] {
        assert_close(x, y);
    }
}

fn assert_aggregate_close(a: &TimeSeriesAggregate, b: &TimeSeriesAggregate) {
    assert!(a.can_merge(b), "{a:?} vs {b:?}");
    assert_eq!(a.entries, b.entries);
    assert_stats_close(&a.stats, &b.stats);
}

/// A small deterministic generator for the property-style tests.
struct Lcg(u64);

impl Lcg {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        ((self.unit() * n as f64) as usize).min(n - 1)
    }
}

#[test]
fn spring_forward_day_in_chicago_lasts_23_hours() {
    let day = PeriodWindow::for_date(Period::Daily, date("2024-03-10"), CHICAGO);
    assert_eq!(day.start(), utc("2024-03-10T06:00:00Z"));
    assert_eq!(day.end(), utc("2024-03-11T05:00:00Z"));
    assert_eq!(day.duration(), TimeDelta::hours(23));
    assert_eq!(day.previous().duration(), TimeDelta::hours(24));
    assert_eq!(day.next().start(), day.end());
    assert_eq!(day.next().duration(), TimeDelta::hours(24));

    let cases = [
        ("2024-03-09 23:30", "2024-03-09"),
        ("2024-03-10 00:30", "2024-03-10"),
        ("2024-03-10 03:30", "2024-03-10"), // 02:00-02:59 does not exist that night
        ("2024-03-10 23:30", "2024-03-10"),
        ("2024-03-11 00:30", "2024-03-11"),
    ];
    for (at, day) in cases {
        assert_eq!(PeriodWindow::containing(Period::Daily, chicago(at), CHICAGO).local_start(), date(day), "{at}");
    }
    let entries: Vec<_> = cases.iter().enumerate().map(|(i, (at, _))| entry(1, chicago(at), i as f64)).collect();
    let aggs = daily_aggregates(&entries, CHICAGO);
    let oil = of_field(&aggs, Field::OilBbl);
    assert_eq!(starts(&oil), [date("2024-03-09"), date("2024-03-10"), date("2024-03-11")]);
    assert_eq!(oil.iter().map(|a| a.entries).collect::<Vec<_>>(), [1, 3, 1]);
    assert_close(oil[1].value(), 2.0); // mean of 1, 2, 3
}

#[test]
fn fall_back_day_in_chicago_lasts_25_hours() {
    let day = PeriodWindow::for_date(Period::Daily, date("2024-11-03"), CHICAGO);
    assert_eq!(day.start(), utc("2024-11-03T05:00:00Z"));
    assert_eq!(day.end(), utc("2024-11-04T06:00:00Z"));
    assert_eq!(day.duration(), TimeDelta::hours(25));

    let cases = [
        (chicago("2024-11-02 23:30"), "2024-11-02"),
        (chicago("2024-11-03 00:30"), "2024-11-03"),
        (utc("2024-11-03T06:30:00Z"), "2024-11-03"), // 01:30 CDT
        (utc("2024-11-03T07:30:00Z"), "2024-11-03"), // 01:30 CST, the repeated hour
        (chicago("2024-11-03 23:30"), "2024-11-03"),
        (chicago("2024-11-04 00:30"), "2024-11-04"),
    ];
    for (at, day) in cases {
        assert_eq!(PeriodWindow::containing(Period::Daily, at, CHICAGO).local_start(), date(day), "{at}");
    }
    let entries: Vec<_> = cases.iter().map(|(at, _)| entry(1, *at, 10.0)).collect();
    let oil_days: Vec<u32> =
        of_field(&daily_aggregates(&entries, CHICAGO), Field::OilBbl).iter().map(|a| a.entries).collect();
    assert_eq!(oil_days, [1, 4, 1]);

    // The week (Monday 2024-10-28 to Monday 2024-11-04) and the month carry the extra hour; March lacks one.
    let week = PeriodWindow::containing(Period::Weekly, utc("2024-11-03T07:30:00Z"), CHICAGO);
    assert_eq!((week.local_start(), week.local_end()), (date("2024-10-28"), date("2024-11-04")));
    assert_eq!(week.duration(), TimeDelta::hours(7 * 24 + 1));
    assert_eq!(PeriodWindow::for_date(Period::Monthly, date("2024-11-15"), CHICAGO).duration(), TimeDelta::hours(721));
    assert_eq!(PeriodWindow::for_date(Period::Monthly, date("2024-03-15"), CHICAGO).duration(), TimeDelta::hours(743));
}

#[test]
fn midnight_that_does_not_exist_or_happens_twice() {
    // Havana springs forward at 00:00 -> 01:00: the day starts at the end of the gap, at local 01:00.
    let spring = PeriodWindow::for_date(Period::Daily, date("2024-03-10"), HAVANA);
    assert_eq!(spring.start(), utc("2024-03-10T05:00:00Z"));
    assert_eq!(spring.start().with_timezone(&HAVANA).naive_local().to_string(), "2024-03-10 01:00:00");
    assert_eq!(spring.duration(), TimeDelta::hours(23));
    assert_eq!(spring.previous().end(), spring.start());
    assert_eq!(
        PeriodWindow::containing(Period::Daily, utc("2024-03-10T04:59:59Z"), HAVANA).local_start(),
        date("2024-03-09")
    );
    assert_eq!(local_midnight(date("2024-03-10"), HAVANA), spring.start());
    // Havana falls back at 01:00 -> 00:00: midnight happens twice, the day starts at the first one.
    let fall = PeriodWindow::for_date(Period::Daily, date("2024-11-03"), HAVANA);
    assert_eq!(fall.start(), utc("2024-11-03T04:00:00Z"));
    assert_eq!(fall.duration(), TimeDelta::hours(25));
    assert_eq!(fall.previous().duration(), TimeDelta::hours(24));
    assert_eq!(PeriodWindow::containing(Period::Daily, utc("2024-11-03T05:30:00Z"), HAVANA), fall);
}

#[test]
fn month_and_year_ends_are_local() {
    // 03:00 UTC on New Year's Day is still 31 December in Chicago.
    let dec = PeriodWindow::containing(Period::Monthly, utc("2025-01-01T03:00:00Z"), CHICAGO);
    assert_eq!((dec.local_start(), dec.local_end(), dec.days()), (date("2024-12-01"), date("2025-01-01"), 31));
    assert_eq!(dec.end(), utc("2025-01-01T06:00:00Z"));
    let jan = dec.next();
    assert_eq!((jan.local_start(), jan.days(), jan.start()), (date("2025-01-01"), 31, dec.end()));
    assert_eq!(jan.previous(), dec);
    let apr = PeriodWindow::for_date(Period::Monthly, date("2024-04-30"), CHICAGO);
    assert_eq!((apr.local_start(), apr.local_end(), apr.days()), (date("2024-04-01"), date("2024-05-01"), 30));

    let entries = [
        entry(1, chicago("2024-11-30 23:30"), 5.0),
        entry(1, chicago("2024-12-31 23:30"), 10.0),
        entry(1, utc("2025-01-01T03:00:00Z"), 20.0),
        entry(1, chicago("2025-01-01 00:30"), 40.0),
    ];
    let daily = daily_aggregates(&entries, CHICAGO);
    let oil = of_field(&daily, Field::OilBbl);
    assert_eq!(starts(&oil), [date("2024-11-30"), date("2024-12-31"), date("2025-01-01")]);
    assert_close(oil[1].value(), 15.0);
    let monthly = roll_up(&daily, Period::Monthly).unwrap();
    let oil = of_field(&monthly, Field::OilBbl);
    assert_eq!(starts(&oil), [date("2024-11-01"), date("2024-12-01"), date("2025-01-01")]);
    assert_eq!(oil.iter().map(|a| (a.stats.count, a.entries)).collect::<Vec<_>>(), [(1, 1), (1, 2), (1, 1)]);
    assert_close(oil[1].volume(), 15.0);
}

#[test]
fn monday_week_across_new_year() {
    let week = PeriodWindow::for_date(Period::Weekly, date("2025-01-01"), CHICAGO);
    assert_eq!((week.local_start(), week.local_end(), week.days()), (date("2024-12-30"), date("2025-01-06"), 7));
    assert_eq!(week.start(), chicago("2024-12-30 00:00"));
    assert_eq!(week.duration(), TimeDelta::hours(168));
    assert!(week.contains(chicago("2025-01-05 23:59")));
    assert!(!week.contains(chicago("2024-12-29 23:59")));
    assert!(!week.contains(chicago("2025-01-06 00:00")));
    let of = |at| PeriodWindow::containing(Period::Weekly, chicago(at), CHICAGO).local_start();
    assert_eq!(of("2024-12-29 23:59"), date("2024-12-23")); // Sunday ends the previous week
    assert_eq!(of("2025-01-06 00:00"), date("2025-01-06"));

    // One entry a day from Saturday 2024-12-28 to Tuesday 2025-01-07, oil = 1, 2, ..., 11.
    let entries: Vec<_> =
        (0..11).map(|i| entry(1, chicago("2024-12-28 12:00") + TimeDelta::days(i), (i + 1) as f64)).collect();
    let weekly = roll_up(&daily_aggregates(&entries, CHICAGO), Period::Weekly).unwrap();
    let oil = of_field(&weekly, Field::OilBbl);
    assert_eq!(starts(&oil), [date("2024-12-23"), date("2024-12-30"), date("2025-01-06")]);
    assert_eq!(oil.iter().map(|a| a.stats.count).collect::<Vec<_>>(), [2, 7, 2]);
    assert_close(oil[1].stats.sum, (3..=9).sum::<i32>() as f64);
    assert_close(oil[1].value(), 6.0);
    let direct = TimeSeriesAggregate::create_weekly(well(1), Field::OilBbl, date("2025-01-02"), CHICAGO, &entries);
    assert_aggregate_close(oil[1], &direct.unwrap());
}

#[test]
fn several_entries_a_day_average_and_the_week_averages_days() {
    let entries = [
        entry(1, chicago("2024-06-04 06:00"), 100.0),
        entry(1, chicago("2024-06-04 12:00"), 110.0),
        entry(1, chicago("2024-06-04 18:00"), 120.0),
        entry(1, chicago("2024-06-05 09:00"), 200.0),
    ];
    let day = TimeSeriesAggregate::create_daily(well(1), Field::OilBbl, date("2024-06-04"), CHICAGO, &entries).unwrap();
    assert_eq!((day.stats.count, day.entries, day.days_with_data()), (3, 3, 1));
    assert_close(day.value(), 110.0);
    assert_close(day.volume(), 110.0);
    assert_close(day.stats.sum, 330.0);
    assert_eq!((day.stats.min, day.stats.max), (100.0, 120.0));
    assert_close(day.stddev().unwrap(), 10.0);

    let week =
        TimeSeriesAggregate::create_weekly(well(1), Field::OilBbl, date("2024-06-04"), CHICAGO, &entries).unwrap();
    assert_eq!((week.stats.count, week.entries, week.days_with_data()), (2, 4, 2));
    assert_close(week.volume(), 310.0); // 110 + 200, not 530
    assert_close(week.value(), 155.0);
    assert_close(week.stddev().unwrap(), 4050f64.sqrt());
}

#[test]
fn a_gap_day_is_not_a_zero() {
    // Monday 100; Tuesday 180 and 220 (mean 200); no Wednesday; Thursday 300.
    let entries = [
        entry(1, chicago("2024-06-03 08:00"), 100.0),
        entry(1, chicago("2024-06-04 08:00"), 180.0),
        entry(1, chicago("2024-06-04 20:00"), 220.0),
        entry(1, chicago("2024-06-06 08:00"), 300.0),
    ];
    let daily = daily_aggregates(&entries, CHICAGO);
    let days = of_field(&daily, Field::OilBbl);
    assert_eq!(starts(&days), [date("2024-06-03"), date("2024-06-04"), date("2024-06-06")]);
    let weekly = roll_up(&daily, Period::Weekly).unwrap();
    let week = of_field(&weekly, Field::OilBbl)[0];
    assert_eq!((week.period.local_start(), week.stats.count, week.entries), (date("2024-06-03"), 3, 4));
    assert_close(week.value(), 200.0); // over 3 days with data, not 150 over 4 days
    assert_close(week.volume(), days.iter().map(|d| d.value()).sum());
    assert_close(week.volume(), 600.0);
    assert_eq!((week.stats.min, week.stats.max), (100.0, 300.0));
    assert!(!week.is_complete(&Completeness::default()));
    assert!(week.is_complete(&Completeness { min_entries: 4, min_days: Some(3) }));
    assert!(!week.is_complete(&Completeness { min_entries: 1, min_days: Some(4) }));
    let month = TimeSeriesAggregate::create_monthly(well(1), Field::OilBbl, date("2024-06-30"), CHICAGO, &entries);
    assert_eq!(month.map(|m| (m.stats.count, m.stats.sum)), Some((3, 600.0)));
}

#[test]
fn leap_day_belongs_to_february() {
    let feb = PeriodWindow::for_date(Period::Monthly, date("2024-02-29"), CHICAGO);
    assert_eq!((feb.local_start(), feb.local_end(), feb.days()), (date("2024-02-01"), date("2024-03-01"), 29));
    assert!(feb.contains(chicago("2024-02-29 23:59")));
    assert!(!feb.contains(chicago("2024-03-01 00:00")));
    assert_eq!(feb.duration(), TimeDelta::hours(29 * 24));
    assert_eq!(PeriodWindow::for_date(Period::Monthly, date("2023-02-10"), CHICAGO).days(), 28);
    let leap = PeriodWindow::containing(Period::Daily, chicago("2024-02-29 12:00"), CHICAGO);
    assert_eq!((leap.local_start(), leap.duration()), (date("2024-02-29"), TimeDelta::hours(24)));

    let entries = [
        entry(1, chicago("2024-02-28 12:00"), 10.0),
        entry(1, chicago("2024-02-29 12:00"), 20.0),
        entry(1, chicago("2024-03-01 12:00"), 40.0),
    ];
    let monthly = roll_up(&daily_aggregates(&entries, CHICAGO), Period::Monthly).unwrap();
    let oil = of_field(&monthly, Field::OilBbl);
    assert_eq!(starts(&oil), [date("2024-02-01"), date("2024-03-01")]);
    assert_eq!((oil[0].stats.count, oil[0].stats.sum), (2, 30.0));
    let full = Completeness { min_entries: 1, min_days: None };
    assert!(!oil[0].is_complete(&full));
}

#[test]
fn merge_equals_the_aggregate_over_the_union() {
    let mut rng = Lcg(7);
    // Monday to Friday, four readings a day, oil and an intermittent tubing pressure.
    let entries: Vec<FieldEntryDraft> = (0..20)
        .map(|i| {
            let at = chicago("2024-06-03 01:00") + TimeDelta::days(i / 4) + TimeDelta::hours(5 * (i % 4));
            let mut e = entry(1, at, 50.0 + 100.0 * rng.unit());
            e.tubing_psig = (rng.unit() < 0.6).then(|| 300.0 + 20.0 * rng.unit());
            e
        })
        .collect();

    let fields = [Field::OilBbl, Field::TubingPsig];
    let merged = |parts: &[Vec<FieldEntryDraft>], field: Field, period: Period| {
        let window = PeriodWindow::for_date(period, date("2024-06-04"), CHICAGO);
        parts
            .iter()
            .filter_map(|p| TimeSeriesAggregate::from_entries(well(1), field, window, p))
            .reduce(|a, b| a.merge(&b).unwrap())
    };

    // Daily: the four entries of Tuesday split several ways (any split of entries is disjoint).
    let tuesday: Vec<_> = entries[4..8].to_vec();
    let daily_splits: [&[&[usize]]; 4] =
        [&[&[0, 1], &[2, 3]], &[&[0], &[1, 2, 3]], &[&[0, 2], &[1, 3]], &[&[0], &[1], &[2], &[3]]];
    for field in fields {
        let whole = TimeSeriesAggregate::create_daily(well(1), field, date("2024-06-04"), CHICAGO, &tuesday);
        for split in daily_splits {
            let parts: Vec<Vec<_>> = split.iter().map(|p| p.iter().map(|&i| tuesday[i].clone()).collect()).collect();
            let got = merged(&parts, field, Period::Daily);
            match (&whole, &got) {
                (Some(w), Some(g)) => assert_aggregate_close(w, g),
                (w, g) => assert_eq!(w.is_none(), g.is_none(), "{split:?}"),
            }
        }
    }

    // Weekly: the days split into disjoint groups.
    let weekly_splits: [&[&[i64]]; 4] =
        [&[&[0, 1], &[2, 3, 4]], &[&[0, 2, 4], &[1, 3]], &[&[0], &[1], &[2], &[3], &[4]], &[&[3], &[0, 1, 2, 4]]];
    let day_of = |e: &FieldEntryDraft| (e.recorded_at - chicago("2024-06-03 00:00")).num_days();
    for field in fields {
        let whole = TimeSeriesAggregate::create_weekly(well(1), field, date("2024-06-04"), CHICAGO, &entries).unwrap();
        for split in weekly_splits {
            let parts: Vec<Vec<_>> = split
                .iter()
                .map(|days| entries.iter().filter(|e| days.contains(&day_of(e))).cloned().collect())
                .collect();
            assert_aggregate_close(&whole, &merged(&parts, field, Period::Weekly).unwrap());
        }
    }

    // Stats: random values cut at random points into two to five pieces.
    for _ in 0..50 {
        let values: Vec<f64> = (0..1 + rng.below(40)).map(|_| 1e3 * rng.unit() - 200.0).collect();
        let whole = Stats::from_values(values.iter().copied()).unwrap();
        let mut cuts: Vec<usize> = (0..1 + rng.below(4)).map(|_| rng.below(values.len() + 1)).collect();
        cuts.extend([0, values.len()]);
        cuts.sort_unstable();
        let got = cuts
            .windows(2)
            .filter_map(|w| Stats::from_values(values[w[0]..w[1]].iter().copied()))
            .reduce(|a, b| a.merge(&b))
            .unwrap();
        assert_stats_close(&whole, &got);
    }

    // Only partials of the same well, field and window merge.
    let a = TimeSeriesAggregate::create_daily(well(1), Field::OilBbl, date("2024-06-04"), CHICAGO, &entries).unwrap();
    let other_field = TimeSeriesAggregate { field: Field::GasMcf, ..a.clone() };
    let other_well = TimeSeriesAggregate { well_id: well(2), ..a.clone() };
    let other_day = TimeSeriesAggregate { period: a.period.next(), ..a.clone() };
    for b in [other_field, other_well, other_day] {
        assert!(!a.can_merge(&b));
        assert_eq!(a.merge(&b), Err(AggregationError::NotMergeable));
    }
}

#[test]
fn is_complete_thresholds() {
    let entries: Vec<_> = (0..3).map(|i| entry(1, chicago("2024-06-04 06:00") + TimeDelta::hours(i), 1.0)).collect();
    let day = TimeSeriesAggregate::create_daily(well(1), Field::OilBbl, date("2024-06-04"), CHICAGO, &entries).unwrap();
    assert!(day.is_complete(&Completeness::default()));
    assert!(day.is_complete(&Completeness { min_entries: 3, min_days: None }));
    assert!(!day.is_complete(&Completeness { min_entries: 4, min_days: None }));

    // Six of seven days of a week.
    let six: Vec<_> = (0..6).map(|i| entry(1, chicago("2024-06-03 12:00") + TimeDelta::days(i), 1.0)).collect();
    let week = TimeSeriesAggregate::create_weekly(well(1), Field::OilBbl, date("2024-06-03"), CHICAGO, &six).unwrap();
    assert!(!week.is_complete(&Completeness::default()));
    assert!(week.is_complete(&Completeness { min_entries: 6, min_days: Some(6) }));
    assert!(!week.is_complete(&Completeness { min_entries: 7, min_days: Some(6) }));
    let seven: Vec<_> = (0..7).map(|i| entry(1, chicago("2024-06-03 12:00") + TimeDelta::days(i), 1.0)).collect();
    let week = TimeSeriesAggregate::create_weekly(well(1), Field::OilBbl, date("2024-06-09"), CHICAGO, &seven).unwrap();
    assert!(week.is_complete(&Completeness::default()));
}

#[test]
fn stddev_matches_a_hand_computed_value() {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations 9+1+1+1+0+0+4+16 = 32, sample variance 32/7.
    let values = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
    let entries: Vec<_> = values
        .iter()
        .enumerate()
        .map(|(i, v)| entry(1, chicago("2024-06-04 01:00") + TimeDelta::hours(i as i64), *v))
        .collect();
    let day = TimeSeriesAggregate::create_daily(well(1), Field::OilBbl, date("2024-06-04"), CHICAGO, &entries).unwrap();
    assert_close(day.stats.mean, 5.0);
    assert_close(day.stats.m2, 32.0);
    assert_close(day.stats.variance().unwrap(), 32.0 / 7.0);
    assert_close(day.stddev().unwrap(), 2.138_089_935_299_395);
    let one = TimeSeriesAggregate::create_daily(well(1), Field::OilBbl, date("2024-06-04"), CHICAGO, &entries[..1]);
    assert_eq!(one.unwrap().stddev(), None); // undefined for one value, not 0
    assert_eq!(Stats::single(3.0).merge(&Stats::single(5.0)).stddev(), Some(2f64.sqrt()));
}

#[test]
fn optional_fields_aggregate_only_entries_that_have_them() {
    let mut a = entry(1, chicago("2024-06-04 06:00"), 100.0);
    let mut b = entry(1, chicago("2024-06-04 18:00"), 120.0);
    let mut c = entry(1, chicago("2024-06-05 06:00"), 130.0);
    (a.tubing_psig, b.tubing_psig, c.tubing_psig) = (Some(300.0), None, None);
    (a.choke_64ths, b.choke_64ths, c.choke_64ths) = (Some(32.0), None, Some(28.0));
    b.casing_psig = Some(f64::NAN); // not a number: skipped like a missing value
    let entries = [a, b, c];
    let daily = daily_aggregates(&entries, CHICAGO);
    let fields_on = |day: &str| -> Vec<Field> {
        daily.iter().filter(|d| d.period.local_start() == date(day)).map(|d| d.field).collect()
    };
    use Field::*;
    assert_eq!(fields_on("2024-06-04"), [OilBbl, GasMcf, WaterBbl, TubingPsig, Choke64ths, HoursOn]);
    assert_eq!(fields_on("2024-06-05"), [OilBbl, GasMcf, WaterBbl, Choke64ths, HoursOn]);
    let tubing = of_field(&daily, TubingPsig);
    assert_eq!((tubing.len(), tubing[0].entries), (1, 1));
    assert_close(tubing[0].value(), 300.0);
    assert_eq!(of_field(&daily, OilBbl)[0].entries, 2);

    let weekly = roll_up(&daily, Period::Weekly).unwrap();
    let stat = |f: Field| of_field(&weekly, f).first().map(|w| (w.stats.count, w.entries));
    assert_eq!(stat(OilBbl), Some((2, 3)));
    assert_eq!(stat(TubingPsig), Some((1, 1)));
    assert_eq!(stat(Choke64ths), Some((2, 2)));
    assert_eq!(stat(CasingPsig), None);
    assert!(TimeSeriesAggregate::create_weekly(well(1), CasingPsig, date("2024-06-04"), CHICAGO, &entries).is_none());
}

#[test]
fn input_order_and_several_wells() {
    let mut rng = Lcg(11);
    let mut entries: Vec<FieldEntryDraft> = Vec::new();
    for w in [2, 1] {
        for i in 0..40 {
            if rng.unit() < 0.2 {
                continue; // gaps
            }
            let at = chicago("2024-02-20 00:10") + TimeDelta::minutes(i * 7 * 60 + w as i64);
            entries.push(entry(w, at, 10.0 * rng.unit()));
        }
    }
    let mut sorted = entries.clone();
    sorted.sort_by_key(|e| (e.well_id, e.recorded_at));
    let expected = daily_aggregates(&sorted, CHICAGO);
    assert_eq!(daily_aggregates(&entries, CHICAGO), expected);
    let validated: Vec<FieldEntry> = entries.iter().cloned().map(|e| FieldEntry::new(e).unwrap()).collect();
    assert_eq!(daily_aggregates(&validated, CHICAGO), expected);
    let keys: Vec<_> = expected.iter().map(|a| (a.well_id, a.period.start(), a.field)).collect();
    assert!(keys.is_sorted() && keys.windows(2).all(|k| k[0] != k[1]));

    let mut shuffled = expected.clone();
    for i in (1..shuffled.len()).rev() {
        shuffled.swap(i, rng.below(i + 1));
    }
    for period in [Period::Weekly, Period::Monthly] {
        let rolled = roll_up(&expected, period).unwrap();
        assert_eq!(roll_up(&shuffled, period).unwrap(), rolled);
        // Each rolled-up aggregate equals the one computed straight from the entries of that well.
        for r in &rolled {
            let direct = TimeSeriesAggregate::from_entries(r.well_id, r.field, r.period, &entries).unwrap();
            assert_aggregate_close(r, &direct);
        }
        let wells: Vec<_> = rolled.iter().map(|r| r.well_id).collect();
        assert!(wells.is_sorted());
    }
}

#[test]
fn from_entries_ignores_other_wells_and_other_periods() {
    let entries = [
        entry(1, chicago("2024-06-04 06:00"), 10.0),
        entry(2, chicago("2024-06-04 07:00"), 1000.0),
        entry(1, chicago("2024-06-05 00:00"), 1000.0),
        entry(1, chicago("2024-06-03 23:59"), 1000.0),
    ];
    let day = TimeSeriesAggregate::create_daily(well(1), Field::OilBbl, date("2024-06-04"), CHICAGO, &entries).unwrap();
    assert_eq!((day.entries, day.stats.sum), (1, 10.0));
    assert!(TimeSeriesAggregate::create_daily(well(3), Field::OilBbl, date("2024-06-04"), CHICAGO, &entries).is_none());
    assert!(daily_aggregates::<FieldEntryDraft>(&[], CHICAGO).is_empty());
    assert_eq!(roll_up(&[], Period::Weekly), Ok(Vec::new()));
}

#[test]
fn roll_up_rejects_misuse() {
    let entries = [entry(1, chicago("2024-06-04 06:00"), 10.0), entry(1, chicago("2024-06-05 06:00"), 20.0)];
    let daily = daily_aggregates(&entries, CHICAGO);
    assert_eq!(roll_up(&daily, Period::Daily), Err(AggregationError::RollUpToDaily));
    let weekly = roll_up(&daily, Period::Weekly).unwrap();
    assert_eq!(roll_up(&weekly, Period::Monthly), Err(AggregationError::NotDaily(Period::Weekly)));
    let mut twice = daily.clone();
    twice.push(daily[0].clone());
    assert_eq!(
        roll_up(&twice, Period::Weekly),
        Err(AggregationError::DuplicateDay { well_id: well(1), field: Field::OilBbl, day: date("2024-06-04") })
    );
    let havana = daily_aggregates(&entries, HAVANA);
    let mixed = [daily[0].clone(), havana[0].clone()];
    assert_eq!(roll_up(&mixed, Period::Weekly), Err(AggregationError::MixedTimeZones(CHICAGO, HAVANA)));
}

#[test]
fn names_parse_and_serialise() {
    for p in Period::ALL {
        assert_eq!(p.as_str().parse::<Period>(), Ok(p));
        assert_eq!(serde_json::to_string(&p).unwrap(), format!("\"{p}\""));
    }
    assert!("yearly".parse::<Period>().is_err());
    for f in Field::ALL {
        assert_eq!(f.as_str().parse::<Field>(), Ok(f));
        assert_eq!(serde_json::to_string(&f).unwrap(), format!("\"{f}\""));
        assert_eq!(serde_json::from_str::<Field>(&format!("\"{f}\"")).unwrap(), f);
        assert_eq!(f.index(), Field::ALL.iter().position(|g| *g == f).unwrap());
    }
    assert_eq!(Field::Choke64ths.as_str(), "choke_64ths");
    assert!("oil".parse::<Field>().unwrap_err().contains("oil_bbl"));

    let entries = [entry(1, chicago("2024-11-03 12:00"), 10.0)];
    let agg = &daily_aggregates(&entries, CHICAGO)[0];
    let json = serde_json::to_value(agg).unwrap();
    assert_eq!(json["period"]["time_zone"], "America/Chicago");
    assert_eq!(json["period"]["local_start"], "2024-11-03");
    assert_eq!(serde_json::from_value::<TimeSeriesAggregate>(json.clone()).unwrap(), *agg);
    let mut tampered = json.clone();
    tampered["period"]["end"] = serde_json::json!("2024-11-04T05:00:00Z");
    assert!(serde_json::from_value::<TimeSeriesAggregate>(tampered).is_err());
    let mut not_monday =
        serde_json::to_value(PeriodWindow::for_date(Period::Weekly, date("2024-06-05"), CHICAGO)).unwrap();
    not_monday["local_start"] = serde_json::json!("2024-06-05");
    assert!(serde_json::from_value::<PeriodWindow>(not_monday).is_err());
}
