//! Text for numbers, units, instants and ages: "1,234.5 BOPD", "12:03 (2 min ago)", "stale".
//!
//! Owns: every rule about how a value is written on screen, and the staleness threshold. Pure functions of their
//! inputs (the current instant and the display time zone are parameters). Must not touch: egui, clocks, I/O.

use chrono::{DateTime, Datelike, FixedOffset, Local, Offset, TimeDelta, TimeZone, Utc};

/// A reading older than this is stale: shown in the stale colour with the word "stale".
pub const STALE_AFTER: TimeDelta = TimeDelta::hours(2);

/// Unit labels of the rate columns (per calendar day of the reading).
pub const OIL_RATE_UNIT: &str = "BOPD";
pub const GAS_RATE_UNIT: &str = "MCFD";
pub const WATER_RATE_UNIT: &str = "BWPD";
/// Unit label of the hours on production of the reading's day.
pub const HOURS_UNIT: &str = "h";

/// Shown where a value is missing (an API number outside the API system, a well without readings).
pub const MISSING: &str = "—";

/// True when a reading taken at `at` is older than [`STALE_AFTER`] at `now`.
pub fn is_stale(at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now.signed_duration_since(at) > STALE_AFTER
}

/// "just now", "45 s ago", "2 min ago", "3 h ago", "5 d ago"; "in the future" for clock skew beyond a minute.
pub fn format_age(age: TimeDelta) -> String {
    let secs = age.num_seconds();
    if secs < -60 {
        return "in the future".to_owned();
    }
    match secs {
        ..5 => "just now".to_owned(),
        5..60 => format!("{secs} s ago"),
        60..3_600 => format!("{} min ago", secs / 60),
        3_600..172_800 => format!("{} h ago", secs / 3_600),
        _ => format!("{} d ago", secs / 86_400),
    }
}

/// The wall-clock time of `at` in `tz`: "12:03" on the same day as `now`, "Mar 14 12:03" in the same year,
/// "2024-03-14 12:03" otherwise.
pub fn format_clock<Tz: TimeZone>(at: DateTime<Utc>, now: DateTime<Utc>, tz: &Tz) -> String
where
    Tz::Offset: std::fmt::Display,
{
    let local = at.with_timezone(tz);
    let local_now = now.with_timezone(tz);
    if local.date_naive() == local_now.date_naive() {
        local.format("%H:%M").to_string()
    } else if local.year() == local_now.year() {
        local.format("%b %-d %H:%M").to_string()
    } else {
        local.format("%Y-%m-%d %H:%M").to_string()
    }
}

/// "12:03 (2 min ago)".
pub fn format_reading_time<Tz: TimeZone>(at: DateTime<Utc>, now: DateTime<Utc>, tz: &Tz) -> String
where
    Tz::Offset: std::fmt::Display,
{
    format!("{} ({})", format_clock(at, now, tz), format_age(now.signed_duration_since(at)))
}

/// The time zone instants are shown in: the computer's own, or a fixed offset (tests, and a later setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisplayZone {
    Local,
    Fixed(FixedOffset),
}

impl DisplayZone {
    /// [`format_reading_time`] in this zone.
    pub fn reading_time(self, at: DateTime<Utc>, now: DateTime<Utc>) -> String {
        match self {
            Self::Local => format_reading_time(at, now, &Local),
            Self::Fixed(offset) => format_reading_time(at, now, &offset),
        }
    }

    /// [`format_clock`] in this zone.
    pub fn clock(self, at: DateTime<Utc>, now: DateTime<Utc>) -> String {
        match self {
            Self::Local => format_clock(at, now, &Local),
            Self::Fixed(offset) => format_clock(at, now, &offset),
        }
    }

    /// "UTC-06:00": the offset in force at `now`, for the footer.
    pub fn describe(self, now: DateTime<Utc>) -> String {
        let offset = match self {
            Self::Local => now.with_timezone(&Local).offset().fix(),
            Self::Fixed(offset) => offset,
        };
        format!("UTC{offset}")
    }
}

/// "Last updated: 2 min ago", or "Not updated yet".
pub fn format_last_updated(last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match last {
        Some(at) => format!("Last updated: {}", format_age(now.signed_duration_since(at))),
        None => "Not updated yet".to_owned(),
    }
}

/// An integer with thousands separators: 36500 -> "36,500".
pub fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A number with `decimals` decimals and thousands separators: 1234.56 -> "1,234.6" (1 decimal).
pub fn number(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return MISSING.to_owned();
    }
    let text = format!("{:.*}", decimals, value.abs());
    let (int_part, frac_part) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let int_value: u64 = int_part.parse().unwrap_or(0);
    let sign = if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') { "-" } else { "" };
    match frac_part {
        Some(f) => format!("{sign}{}.{f}", thousands(int_value)),
        None => format!("{sign}{}", thousands(int_value)),
    }
}

/// A value with its unit: "1,234.5 BOPD".
pub fn with_unit(value: f64, decimals: usize, unit: &str) -> String {
    format!("{} {unit}", number(value, decimals))
}

/// A UTC instant from its parts, for tests.
#[cfg(test)]
pub(crate) fn utc(year: i32, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> Option<DateTime<Utc>> {
    Utc.with_ymd_and_hms(year, month, day, hour, minute, second).single()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        utc(2025, 3, 14, h, m, s).unwrap()
    }

    #[test]
    fn ages_read_naturally() {
        assert_eq!(format_age(TimeDelta::seconds(2)), "just now");
        assert_eq!(format_age(TimeDelta::seconds(45)), "45 s ago");
        assert_eq!(format_age(TimeDelta::seconds(150)), "2 min ago");
        assert_eq!(format_age(TimeDelta::hours(3)), "3 h ago");
        assert_eq!(format_age(TimeDelta::days(5)), "5 d ago");
        assert_eq!(format_age(TimeDelta::seconds(-30)), "just now");
        assert_eq!(format_age(TimeDelta::minutes(-5)), "in the future");
    }

    #[test]
    fn reading_time_shows_clock_and_age() {
        let utc_zone = Utc;
        assert_eq!(format_reading_time(t(12, 3, 0), t(12, 5, 10), &utc_zone), "12:03 (2 min ago)");
        let chicago_winter = FixedOffset::west_opt(6 * 3600).unwrap();
        assert_eq!(format_reading_time(t(18, 3, 0), t(18, 5, 0), &chicago_winter), "12:03 (2 min ago)");
        let yesterday = utc(2025, 3, 13, 9, 15, 0).unwrap();
        assert_eq!(format_reading_time(yesterday, t(12, 0, 0), &utc_zone), "Mar 13 09:15 (26 h ago)");
        let last_year = utc(2024, 12, 31, 23, 0, 0).unwrap();
        assert_eq!(format_clock(last_year, t(12, 0, 0), &utc_zone), "2024-12-31 23:00");
    }

    #[test]
    fn display_zone_formats_in_its_offset() {
        let zone = DisplayZone::Fixed(FixedOffset::west_opt(5 * 3600).unwrap());
        assert_eq!(zone.reading_time(t(17, 3, 0), t(17, 5, 0)), "12:03 (2 min ago)");
        assert_eq!(zone.describe(t(17, 5, 0)), "UTC-05:00");
    }

    #[test]
    fn staleness_starts_after_two_hours() {
        let now = t(12, 0, 0);
        assert!(!is_stale(t(10, 0, 0), now), "exactly 2 h is not yet stale");
        assert!(is_stale(t(9, 59, 59), now));
        assert!(!is_stale(t(11, 59, 0), now));
    }

    #[test]
    fn last_updated_line() {
        assert_eq!(format_last_updated(None, t(12, 0, 0)), "Not updated yet");
        assert_eq!(format_last_updated(Some(t(11, 58, 0)), t(12, 0, 0)), "Last updated: 2 min ago");
    }

    #[test]
    fn numbers_carry_separators_and_units() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(36_500), "36,500");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(number(1234.56, 1), "1,234.6");
        assert_eq!(number(-1234.56, 0), "-1,235");
        assert_eq!(number(-0.01, 1), "0.0");
        assert_eq!(number(f64::NAN, 1), MISSING);
        assert_eq!(with_unit(412.26, 1, OIL_RATE_UNIT), "412.3 BOPD");
    }
}
