//! Downtime of a well-day: the share of the local day a well was off production.
//!
//! # Rules
//! - `downtime = 1 - hours_on / day_hours` (design.md's `1 - hours on / 24`), where `day_hours` is the length of the
//!   local day in the tenant's zone: 24, but 23 or 25 on a daylight-saving change day, so a well on all day has no
//!   downtime on those days either. The result is clamped to 0..=1 (25 hours on a 24-hour day is no downtime, not a
//!   negative one).
//! - A day "on all day" (a full day) has `hours_on >= day_hours` (within 1e-9).

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

/// The first instant of a local day (its midnight, or the first hour that exists if midnight is skipped).
fn local_start(zone: Tz, day: NaiveDate) -> Option<DateTime<Utc>> {
    (0..=3).find_map(|h| zone.from_local_datetime(&day.and_hms_opt(h, 0, 0)?).earliest()).map(|t| t.to_utc())
}

/// The length of a local day in hours: 24, or 23 / 25 on daylight-saving change days.
pub fn local_day_hours(zone: Tz, day: NaiveDate) -> f64 {
    let next = day.checked_add_days(Days::new(1));
    match (local_start(zone, day), next.and_then(|n| local_start(zone, n))) {
        (Some(a), Some(b)) => (b - a).num_seconds() as f64 / 3600.0,
        _ => 24.0,
    }
}

/// The off-production share of a day, 0..=1.
pub fn downtime_fraction(hours_on: f64, day_hours: f64) -> f64 {
    (1.0 - hours_on / day_hours).clamp(0.0, 1.0)
}

/// On production all day.
pub fn is_full_day(hours_on: f64, day_hours: f64) -> bool {
    hours_on >= day_hours - 1e-9
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHICAGO: Tz = chrono_tz::America::Chicago;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn day_lengths_across_daylight_saving() {
        assert_eq!(local_day_hours(CHICAGO, d(2024, 6, 9)), 24.0);
        assert_eq!(local_day_hours(CHICAGO, d(2024, 3, 10)), 23.0, "spring forward");
        assert_eq!(local_day_hours(CHICAGO, d(2024, 11, 3)), 25.0, "fall back");
        // Havana skips midnight on its spring change day (00:00 -> 01:00): the day still has 23 hours.
        assert_eq!(local_day_hours(chrono_tz::America::Havana, d(2024, 3, 10)), 23.0);
    }

    #[test]
    fn downtime_by_hand() {
        assert_eq!(downtime_fraction(18.0, 24.0), 0.25);
        assert_eq!(downtime_fraction(0.0, 24.0), 1.0);
        assert_eq!(downtime_fraction(24.0, 24.0), 0.0);
        assert_eq!(downtime_fraction(23.0, 23.0), 0.0, "a full 23-hour day");
        assert!((downtime_fraction(24.0, 25.0) - 0.04).abs() < 1e-12, "1 h off on a 25-hour day");
        assert_eq!(downtime_fraction(25.0, 24.0), 0.0, "clamped");
        assert!(is_full_day(23.0, 23.0) && !is_full_day(22.5, 23.0) && is_full_day(25.0, 24.0));
    }
}
