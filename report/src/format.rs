//! Number and time formatting of the PDF (the CSV writes raw numbers and RFC 3339 instants).

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use chrono_tz::Tz;

/// What a missing or non-finite value prints as.
pub const NO_DATA: &str = "no data";

/// Decimals chosen from the magnitude: percentages 1; 100 and over 0; 1 to 100 1; under 1 2.
#[must_use]
pub fn auto_decimals(value: f64, unit: &str) -> usize {
    let magnitude = value.abs();
    if unit.trim() == "%" {
        1
    } else if magnitude >= 100.0 {
        0
    } else if magnitude >= 1.0 || magnitude == 0.0 {
        1
    } else {
        2
    }
}

/// `12345.678` with 1 decimal is `12,345.7`; halves round away from zero (`87.25` is `87.3`); negative numbers
/// keep their sign; a value that rounds to zero prints without one.
#[must_use]
pub fn thousands(value: f64, decimals: usize) -> String {
    let scale = 10f64.powi(i32::try_from(decimals).unwrap_or(i32::MAX));
    let rounded = (value.abs() * scale).round() / scale;
    let text = format!("{:.*}", decimals, if rounded.is_finite() { rounded } else { value.abs() });
    let (int_part, frac_part) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let mut grouped = String::with_capacity(text.len() + text.len() / 3 + 1);
    let digits = int_part.len();
    for (i, c) in int_part.chars().enumerate() {
        if i > 0 && (digits - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if let Some(f) = frac_part {
        grouped.push('.');
        grouped.push_str(f);
    }
    let is_zero = grouped.chars().all(|c| matches!(c, '0' | ',' | '.'));
    if value.is_sign_negative() && !is_zero { format!("-{grouped}") } else { grouped }
}

/// A finite value, else `None` (NaN and infinities are treated as missing).
#[must_use]
pub fn finite(value: Option<f64>) -> Option<f64> {
    value.filter(|v| v.is_finite())
}

/// The number alone, with thousands separators and the given or automatic decimals; "no data" if missing.
#[must_use]
pub fn number(value: Option<f64>, unit: &str, decimals: Option<u8>) -> String {
    match finite(value) {
        Some(v) => thousands(v, decimals.map_or_else(|| auto_decimals(v, unit), usize::from)),
        None => NO_DATA.to_owned(),
    }
}

/// The number with its unit: `12,345 BOPD`, `87.3%`; "no data" if missing.
#[must_use]
pub fn quantity(value: Option<f64>, unit: &str, decimals: Option<u8>) -> String {
    match finite(value) {
        Some(_) => with_unit(&number(value, unit, decimals), unit),
        None => NO_DATA.to_owned(),
    }
}

/// Appends the unit: `%` directly, any other unit after a space, nothing if empty.
#[must_use]
pub fn with_unit(number: &str, unit: &str) -> String {
    let unit = unit.trim();
    if unit.is_empty() {
        number.to_owned()
    } else if unit == "%" {
        format!("{number}%")
    } else {
        format!("{number} {unit}")
    }
}

/// A signed change: `+3.2%`, `-0.4%`, `0.0%`.
#[must_use]
pub fn signed_percent(value: f64) -> String {
    let text = thousands(value, 1);
    if value > 0.0 && text != "0.0" { format!("+{text}%") } else { format!("{text}%") }
}

/// `2025-03-14 09:30 CDT`: the instant in the tenant's zone with the zone's abbreviation.
#[must_use]
pub fn local_time(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone).format("%Y-%m-%d %H:%M %Z").to_string()
}

/// `2025-03-14 14:30 UTC`.
#[must_use]
pub fn utc_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `2025-03-14T14:30:00Z`: the CSV's instants.
#[must_use]
pub fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `Mar 14`: the chart's date ticks.
#[must_use]
pub fn short_date(date: NaiveDate) -> String {
    date.format("%b %-d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn thousands_groups_and_rounds() {
        assert_eq!(thousands(0.0, 0), "0");
        assert_eq!(thousands(999.0, 0), "999");
        assert_eq!(thousands(1000.0, 0), "1,000");
        assert_eq!(thousands(1_234_567.891, 2), "1,234,567.89");
        assert_eq!(thousands(-12_345.66, 1), "-12,345.7");
        assert_eq!(thousands(0.125, 2), "0.13");
        assert_eq!(thousands(-0.01, 1), "0.0");
        assert_eq!(thousands(999_999.6, 0), "1,000,000");
    }

    #[test]
    fn quantities_carry_their_unit() {
        assert_eq!(quantity(Some(12_345.4), "BOPD", None), "12,345 BOPD");
        assert_eq!(quantity(Some(87.25), "%", None), "87.3%");
        assert_eq!(quantity(Some(0.456), "USD/bbl", None), "0.46 USD/bbl");
        assert_eq!(quantity(Some(42.0), "MCFD", Some(0)), "42 MCFD");
        assert_eq!(quantity(None, "BOPD", None), NO_DATA);
        assert_eq!(quantity(Some(f64::NAN), "BOPD", None), NO_DATA);
        assert_eq!(signed_percent(3.21), "+3.2%");
        assert_eq!(signed_percent(-0.44), "-0.4%");
        assert_eq!(signed_percent(0.01), "0.0%");
    }

    #[test]
    fn times_in_the_tenant_zone() {
        let at = Utc.with_ymd_and_hms(2025, 3, 14, 14, 30, 0).single().unwrap();
        assert_eq!(local_time(at, chrono_tz::America::Chicago), "2025-03-14 09:30 CDT");
        assert_eq!(local_time(at, chrono_tz::Europe::Oslo), "2025-03-14 15:30 CET");
        assert_eq!(utc_time(at), "2025-03-14 14:30 UTC");
        assert_eq!(rfc3339(at), "2025-03-14T14:30:00Z");
        assert_eq!(short_date(at.date_naive()), "Mar 14");
    }
}
