//! Downtime events: a well's own (a failed rod pump, a workover, a trucking delay) and field-wide ones (a freeze,
//! a compressor station trip, high line pressure), each with a reason code.
//!
//! Events are random-access: time is cut into fixed blocks and each block holds at most one event per well (or per
//! field), drawn from a hash of the block. An event is shorter than a block, so a day is covered only by an event of
//! its own block or of the block before. About 3% of well-days are hit by a well event and about 1.5% by a field
//! event; multi-day events take the well down part of the first day, all of the middle days and part of the last.

use super::noise::{Stream, tag};
use flowline_shared::DowntimeReason;

/// Block length of well events, days; events last at most this long.
const WELL_BLOCK: i64 = 10;
/// Chance that a well has an event in a block.
const WELL_EVENT_CHANCE: f64 = 0.12;
/// Block length of field events, days.
const FIELD_BLOCK: i64 = 30;
const FIELD_EVENT_CHANCE: f64 = 0.22;

/// One downtime event.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Event {
    start: i64,
    len: i64,
    reason: DowntimeReason,
    /// Hours on of a one-day event (0 for a whole-day outage), or of the first day of a longer event.
    first_hours: f64,
    /// Hours on of the last day of a multi-day event.
    last_hours: f64,
}

impl Event {
    fn hours_on(&self, day: i64) -> Option<f64> {
        if day < self.start || day >= self.start + self.len {
            None
        } else if day == self.start {
            Some(self.first_hours)
        } else if day == self.start + self.len - 1 {
            Some(self.last_hours)
        } else {
            Some(0.0)
        }
    }
}

/// Hours in `[lo, hi)` rounded down to the half hour, the way a pumper reports them.
fn half_hours(s: &mut Stream, lo: f64, hi: f64) -> f64 {
    (s.range(lo, hi) * 2.0).floor() / 2.0
}

fn pick(s: &mut Stream, weighted: &[(DowntimeReason, u32)]) -> DowntimeReason {
    let total: u32 = weighted.iter().map(|(_, w)| w).sum();
    let mut x = s.below(u64::from(total)) as u32;
    for &(reason, w) in weighted {
        if x < w {
            return reason;
        }
        x -= w;
    }
    DowntimeReason::Other
}

fn well_event(seed: u64, well: usize, block: i64) -> Option<Event> {
    use DowntimeReason::*;
    let mut s = Stream::new(seed, tag::WELL_EVENT, well as u64, block as u64, 0);
    if s.uniform() >= WELL_EVENT_CHANCE {
        return None;
    }
    let start = block * WELL_BLOCK + s.below(WELL_BLOCK as u64) as i64;
    let kind = s.uniform();
    let (len, reason) = if kind < 0.55 {
        let reason = pick(
            &mut s,
            &[
                (Mechanical, 30),
                (Electrical, 20),
                (PlannedMaintenance, 15),
                (HighLinePressure, 10),
                (WaitingOnTransport, 10),
                (Facility, 8),
                (Regulatory, 2),
                (Other, 5),
            ],
        );
        (1, reason)
    } else if kind < 0.85 {
        let reason = pick(
            &mut s,
            &[
                (Mechanical, 35),
                (Electrical, 15),
                (WaitingOnTransport, 20),
                (Facility, 10),
                (PlannedMaintenance, 15),
                (Other, 5),
            ],
        );
        (2 + s.below(3) as i64, reason)
    } else {
        let reason = pick(&mut s, &[(Workover, 55), (Mechanical, 35), (Regulatory, 5), (Other, 5)]);
        (5 + s.below(5) as i64, reason)
    };
    let first_hours = if len == 1 && s.uniform() < 0.25 { 0.0 } else { half_hours(&mut s, 1.0, 22.5) };
    let last_hours = half_hours(&mut s, 1.0, 22.5);
    Some(Event { start, len, reason, first_hours, last_hours })
}

fn field_event(seed: u64, field: usize, block: i64, cold_winters: bool, winter: impl Fn(i64) -> bool) -> Option<Event> {
    use DowntimeReason::*;
    let mut s = Stream::new(seed, tag::FIELD_EVENT, field as u64, block as u64, 0);
    if s.uniform() >= FIELD_EVENT_CHANCE {
        return None;
    }
    let start = block * FIELD_BLOCK + s.below(FIELD_BLOCK as u64) as i64;
    let len = 1 + s.below(3) as i64;
    let reason = if cold_winters && winter(start) && s.uniform() < 0.7 {
        Weather
    } else {
        pick(&mut s, &[(Facility, 35), (HighLinePressure, 35), (Weather, 15), (WaitingOnTransport, 15)])
    };
    Some(Event { start, len, reason, first_hours: 0.0, last_hours: 0.0 })
}

/// The well's own downtime on `day`: hours on (< 24) and the reason, or `None` on a normal day.
pub fn well_downtime(seed: u64, well: usize, day: i64) -> Option<(f64, DowntimeReason)> {
    let block = day.div_euclid(WELL_BLOCK);
    [block, block - 1]
        .into_iter()
        .filter_map(|b| well_event(seed, well, b))
        .find_map(|e| e.hours_on(day).map(|h| (h, e.reason)))
}

/// The field-wide event on `day`, if any. `winter(day)` says whether a day is in the cold season.
pub fn field_downtime(
    seed: u64,
    field: usize,
    day: i64,
    cold_winters: bool,
    winter: impl Fn(i64) -> bool + Copy,
) -> Option<DowntimeReason> {
    let block = day.div_euclid(FIELD_BLOCK);
    [block, block - 1]
        .into_iter()
        .filter_map(|b| field_event(seed, field, b, cold_winters, winter))
        .find(|e| e.hours_on(day).is_some())
        .map(|e| e.reason)
}

/// Hours on of one well on a day of a field-wide event: a third of the wells are down all day, the others part of
/// it.
pub fn field_event_hours(seed: u64, well: usize, day: i64) -> f64 {
    let mut s = Stream::new(seed, tag::FIELD_EVENT_WELL, well as u64, day as u64, 0);
    if s.uniform() < 0.35 { 0.0 } else { half_hours(&mut s, 2.0, 22.5) }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn simulator_well_downtime_share_and_shapes() {
        let (wells, days) = (300, 1000);
        let mut down = 0;
        let mut zero = 0;
        let mut longest = 0;
        for w in 0..wells {
            let mut run = 0;
            for d in 0..days {
                match well_downtime(9, w, d) {
                    Some((h, _)) => {
                        assert!((0.0..24.0).contains(&h));
                        down += 1;
                        zero += usize::from(h == 0.0);
                        run += 1;
                        longest = longest.max(run);
                    }
                    None => run = 0,
                }
            }
        }
        let share = down as f64 / (wells * days as usize) as f64;
        assert!((0.02..0.045).contains(&share), "{share}");
        assert!(zero > 0 && longest >= 5, "{zero} {longest}");
    }

    #[test]
    fn simulator_field_downtime_share() {
        let days = 20_000;
        let down = (0..days).filter(|&d| field_downtime(1, 2, d, true, |_| false).is_some()).count();
        let share = down as f64 / days as f64;
        assert!((0.008..0.025).contains(&share), "{share}");
    }
}
