//! The binary encoding of a month's aggregates of one period (one blob column of `aggregate_months`), shared by
//! both dialects.
//!
//! Why a blob: a full backfill of 10,000 wells x 24 months yields about 60 million (well, period, start, field)
//! aggregates. A row each would be 60 million rows to write; one row per (well, month) with three blobs is 240,000
//! rows, and the write cost is then the bytes. The encoding keeps every figure exact (f64) and is small where the
//! data is simple: a day with a single reading stores one float per field.
//!
//! Layout (little-endian): a version byte (1), then per period start, in ascending order:
//! - `u8` day of the month of the start's local date (1 to 31),
//! - `u8` mask of the fields present (bit `i` = `Field::ALL[i]`),
//! - per present field, in `Field::ALL` order, a tag byte and its payload:
//!   - tag 0: one value, `f64` (count 1, entries 1, sum = mean = min = max = the value, m2 = 0);
//!   - tag 2: one value that is a whole number of hundredths (field devices report 0.01 bbl, 0.1 psi, whole
//!     hours), as a zig-zag LEB128 varint of the hundredths: 2 to 4 bytes instead of 8, and decoded to the
//!     identical `f64` (checked bit for bit when encoding);
//!   - tag 1: count and entries as LEB128 varints, then `f64` sum, min, max, m2 (the mean is `sum / count`,
//!     an invariant of `Stats`).

use crate::ports::StorageError;
use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;
use flowline_shared::WellId;
use flowline_shared::analytics::aggregation::{
    Field, MonthAggregates, Period, PeriodWindow, Stats, TimeSeriesAggregate,
};
use std::collections::HashMap;

const VERSION: u8 = 1;
const SINGLE: u8 = 0;
const FULL: u8 = 1;
const HUNDREDTHS: u8 = 2;

/// `v` as a whole number of hundredths, if dividing that by 100 gives back exactly `v`.
fn as_hundredths(v: f64) -> Option<i64> {
    if !v.is_finite() || v.abs() >= 1e15 {
        return None;
    }
    let n = (v * 100.0).round() as i64;
    ((n as f64 / 100.0).to_bits() == v.to_bits()).then_some(n)
}

/// Encodes aggregates of one well, one period and one month, ordered by start then field (as the aggregation
/// functions emit them).
pub(crate) fn encode(aggregates: &[TimeSeriesAggregate]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + aggregates.len() * 10);
    out.push(VERSION);
    let mut rest = aggregates;
    while let Some(first) = rest.first() {
        let start = first.period.start();
        let n = rest.iter().take_while(|a| a.period.start() == start).count();
        let (group, tail) = rest.split_at(n);
        rest = tail;
        out.push(first.period.local_start().day() as u8);
        out.push(group.iter().fold(0u8, |mask, a| mask | (1 << a.field.index())));
        for a in group {
            let s = &a.stats;
            let single = s.count == 1 && a.entries == 1 && s.m2 == 0.0 && s.min == s.sum && s.max == s.sum;
            if single {
                if let Some(n) = as_hundredths(s.sum) {
                    out.push(HUNDREDTHS);
                    push_varint(&mut out, ((n << 1) ^ (n >> 63)) as u64);
                } else {
                    out.push(SINGLE);
                    out.extend_from_slice(&s.sum.to_le_bytes());
                }
            } else {
                out.push(FULL);
                push_varint(&mut out, u64::from(s.count));
                push_varint(&mut out, u64::from(a.entries));
                for x in [s.sum, s.min, s.max, s.m2] {
                    out.extend_from_slice(&x.to_le_bytes());
                }
            }
        }
    }
    out
}

fn push_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn corrupt(what: &str) -> StorageError {
    StorageError::Unavailable(format!("stored aggregate blob is corrupt: {what}"))
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], StorageError> {
        let (head, tail) = self.bytes.split_first_chunk::<N>().ok_or_else(|| corrupt("truncated"))?;
        self.bytes = tail;
        Ok(*head)
    }
    fn u8(&mut self) -> Result<u8, StorageError> {
        Ok(self.take::<1>()?[0])
    }
    fn varint(&mut self) -> Result<u64, StorageError> {
        let mut v = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.u8()?;
            v |= u64::from(b & 0x7f).checked_shl(shift).ok_or_else(|| corrupt("varint too long"))?;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(corrupt("varint too long"))
    }
    fn count(&mut self) -> Result<u32, StorageError> {
        u32::try_from(self.varint()?).map_err(|_| corrupt("count out of range"))
    }
    fn f64(&mut self) -> Result<f64, StorageError> {
        Ok(f64::from_le_bytes(self.take()?))
    }
}

/// Where a blob belongs: its well, period and month (the 1st).
#[derive(Debug, Clone, Copy)]
pub(crate) struct BlobKey {
    pub well_id: WellId,
    pub period: Period,
    pub month: NaiveDate,
}

/// The period windows of one time zone built so far. A read of many wells' months rebuilds the same few dozen
/// windows over and over, and each costs two time-zone conversions: remembered, they are built once per read.
pub(crate) struct Windows {
    tz: Tz,
    built: HashMap<(Period, NaiveDate), PeriodWindow>,
}

impl Windows {
    pub(crate) fn new(tz: Tz) -> Self {
        Self { tz, built: HashMap::new() }
    }

    fn get(&mut self, period: Period, date: NaiveDate) -> PeriodWindow {
        let tz = self.tz;
        *self.built.entry((period, date)).or_insert_with(|| PeriodWindow::for_date(period, date, tz))
    }
}

/// Decodes the three blobs (daily, weekly, monthly) of one stored (well, month) row into its group.
pub(crate) fn decode_group(
    well_id: WellId,
    month: NaiveDate,
    blobs: [&[u8]; 3],
    windows: &mut Windows,
) -> Result<MonthAggregates, StorageError> {
    let mut group = MonthAggregates::new(well_id, month);
    let every_day = NaiveDate::MIN..=NaiveDate::MAX;
    for (period, blob) in Period::ALL.into_iter().zip(blobs) {
        let out = match period {
            Period::Daily => &mut group.daily,
            Period::Weekly => &mut group.weekly,
            Period::Monthly => &mut group.monthly,
        };
        decode(blob, BlobKey { well_id, period, month }, windows, &every_day, out)?;
    }
    Ok(group)
}

/// Decodes a blob written by [`encode`] for `key`, appending the aggregates whose start date lies in `dates`.
pub(crate) fn decode(
    bytes: &[u8],
    key: BlobKey,
    windows: &mut Windows,
    dates: &std::ops::RangeInclusive<NaiveDate>,
    out: &mut Vec<TimeSeriesAggregate>,
) -> Result<(), StorageError> {
    let BlobKey { well_id, period, month } = key;
    let mut r = Reader { bytes };
    if r.u8()? != VERSION {
        return Err(corrupt("unknown version"));
    }
    while !r.bytes.is_empty() {
        let day = r.u8()?;
        let date = month.with_day(u32::from(day)).ok_or_else(|| corrupt("day outside the month"))?;
        let mask = r.u8()?;
        let keep = dates.contains(&date);
        let window = keep.then(|| windows.get(period, date));
        for field in Field::ALL {
            if mask & (1 << field.index()) == 0 {
                continue;
            }
            let (stats, entries) = match r.u8()? {
                SINGLE => (Stats::single(r.f64()?), 1),
                HUNDREDTHS => {
                    let z = r.varint()?;
                    let n = ((z >> 1) as i64) ^ -((z & 1) as i64);
                    (Stats::single(n as f64 / 100.0), 1)
                }
                FULL => {
                    let (count, entries) = (r.count()?, r.count()?);
                    let (sum, min, max, m2) = (r.f64()?, r.f64()?, r.f64()?, r.f64()?);
                    (Stats::from_parts(count, sum, min, max, m2).ok_or_else(|| corrupt("zero count"))?, entries)
                }
                _ => return Err(corrupt("unknown tag")),
            };
            if let Some(period) = window {
                out.push(TimeSeriesAggregate { well_id, period, field, stats, entries });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowline_shared::analytics::aggregation::{daily_aggregates, roll_up};
    use flowline_shared::{EntryId, EntrySource, FieldEntryDraft};
    use uuid::Uuid;

    fn entries() -> Vec<FieldEntryDraft> {
        let well = WellId(Uuid::from_u128(1));
        let mut out = Vec::new();
        for day in 0..40i64 {
            // Two readings on every third day, pressures only on even days.
            for k in 0..(1 + i64::from(day % 3 == 0)) {
                out.push(FieldEntryDraft {
                    id: EntryId(Uuid::from_u128((day * 10 + k) as u128)),
                    well_id: well,
                    recorded_at: chrono::DateTime::from_timestamp(1_709_294_400 + day * 86_400 + k * 3_600, 0).unwrap(),
                    oil_bbl: 100.0 + day as f64 * 0.37 + k as f64,
                    gas_mcf: 250.5 - day as f64,
                    water_bbl: 10.0,
                    tubing_psig: (day % 2 == 0).then_some(400.0 + k as f64),
                    casing_psig: None,
                    choke_64ths: Some(24.0),
                    hours_on: 24.0,
                    downtime_reason: None,
                    source: EntrySource::Manual,
                    is_correction: false,
                })
            }
        }
        out
    }

    #[test]
    fn every_period_round_trips_exactly_and_the_date_filter_applies() {
        let tz: Tz = "America/Chicago".parse().unwrap();
        let daily = daily_aggregates(&entries(), tz);
        let weekly = roll_up(&daily, Period::Weekly).unwrap();
        let monthly = roll_up(&daily, Period::Monthly).unwrap();
        let march = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let end = NaiveDate::from_ymd_opt(2024, 3, 31).unwrap();
        for (period, all) in [(Period::Daily, daily), (Period::Weekly, weekly), (Period::Monthly, monthly)] {
            let in_march: Vec<_> = all.into_iter().filter(|a| a.period.local_start().month() == 3).collect();
            assert!(!in_march.is_empty());
            let blob = encode(&in_march);
            let key = BlobKey { well_id: in_march[0].well_id, period, month: march };
            let mut back = Vec::new();
            decode(&blob, key, &mut Windows::new(tz), &(march..=end), &mut back).unwrap();
            assert_eq!(back, in_march, "{period}");
            let mut some = Vec::new();
            let (from, to) =
                (NaiveDate::from_ymd_opt(2024, 3, 10).unwrap(), NaiveDate::from_ymd_opt(2024, 3, 12).unwrap());
            decode(&blob, key, &mut Windows::new(tz), &(from..=to), &mut some).unwrap();
            assert!(some.iter().all(|a| (from..=to).contains(&a.period.local_start())));
            if period == Period::Daily {
                assert_eq!(
                    some.iter().map(|a| a.period.local_start()).collect::<std::collections::BTreeSet<_>>().len(),
                    3
                );
            }
        }
    }

    #[test]
    fn single_readings_are_stored_compactly_and_exactly() {
        let tz: Tz = "America/Chicago".parse().unwrap();
        let mut first = entries()[..1].to_vec();
        first[0].oil_bbl = 1.0 / 3.0;
        let daily = daily_aggregates(&first, tz);
        // Version, day, mask; oil is no whole number of hundredths (tag + 8 bytes); then tag + zig-zag varint of
        // the hundredths: gas 250.5 (50,100: 3 bytes), water 10 (2,000: 2), tubing 400 (80,000: 3), choke 24 and
        // hours 24 (4,800: 2 each).
        assert_eq!(encode(&daily).len(), 3 + 9 + 4 + 3 + 4 + 3 + 3);
        let mut back = Vec::new();
        let march = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let key = BlobKey { well_id: daily[0].well_id, period: Period::Daily, month: march };
        decode(&encode(&daily), key, &mut Windows::new(tz), &(march..=march), &mut back).unwrap();
        assert_eq!(back, daily);
    }

    #[test]
    fn varints_round_trip_at_their_edges() {
        for v in [0, 1, 127, 128, 300, 16_383, 16_384, u64::from(u32::MAX), u64::MAX] {
            let mut out = Vec::new();
            push_varint(&mut out, v);
            assert_eq!(Reader { bytes: &out }.varint().unwrap(), v);
        }
        assert!(Reader { bytes: &[0xff; 11] }.varint().is_err());
        let mut big = Vec::new();
        push_varint(&mut big, u64::from(u32::MAX) + 1);
        assert!(Reader { bytes: &big }.count().is_err());
    }

    #[test]
    fn hundredths_are_used_only_when_they_decode_to_the_same_bits() {
        for v in [0.0, 421.84, -457.84, 24.0, 1253.7, 0.01, 99_999_999.99] {
            let n = as_hundredths(v).unwrap();
            assert_eq!((n as f64 / 100.0).to_bits(), v.to_bits(), "{v}");
        }
        for v in [-0.0, 1.0 / 3.0, 6.28981 * 17.0, f64::NAN, f64::INFINITY, 1e300] {
            assert_eq!(as_hundredths(v), None, "{v}");
        }
    }

    #[test]
    fn damaged_blobs_are_errors_not_panics() {
        let tz: Tz = "America/Chicago".parse().unwrap();
        let daily = daily_aggregates(&entries(), tz);
        let march = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let in_march: Vec<_> = daily.into_iter().filter(|a| a.period.local_start().month() == 3).collect();
        let blob = encode(&in_march);
        let key = BlobKey { well_id: in_march[0].well_id, period: Period::Daily, month: march };
        let mut out = Vec::new();
        assert!(
            decode(&blob[..1], key, &mut Windows::new(tz), &(march..=march), &mut out).is_ok(),
            "a version byte alone is empty"
        );
        for cut in [0, 2, 5, blob.len() - 1] {
            assert!(
                decode(&blob[..cut], key, &mut Windows::new(tz), &(march..=march), &mut out).is_err(),
                "cut at {cut}"
            );
        }
        let mut wrong = blob.clone();
        wrong[0] = 9;
        assert!(decode(&wrong, key, &mut Windows::new(tz), &(march..=march), &mut out).is_err());
        let mut bad_day = blob;
        bad_day[1] = 32;
        assert!(decode(&bad_day, key, &mut Windows::new(tz), &(march..=march), &mut out).is_err());
    }
}
