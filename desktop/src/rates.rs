//! The rate per producing day, a secondary figure beside the rates the table shows.
//!
//! Every entry (daily history, several gauges a day, live readings) carries rates per calendar day (BOPD, MCFD,
//! BWPD) at the time of the reading and the hours on production of that day; on a downtime day the rates already
//! carry the on-fraction (issue 2, issue 3; the backend simulator's "Meaning of an entry"). The table shows those
//! rates as they are. The rate per producing day, rate × 24 ÷ hours on, says how the well flows while it is on; it
//! is shown as well (a tooltip), never instead (ARCHITECTURE.md: "computed where shown, never stored").
//!
//! Owns: that arithmetic. Must not touch: egui, I/O, formatting.

/// Fewer hours on than this (six minutes) cannot carry a meaningful rate per producing day: the scaling would
/// multiply the gauge noise by more than 240.
pub const MIN_HOURS_ON: f64 = 0.1;

/// Hours in the day a rate per producing day is counted over.
const HOURS_PER_DAY: f64 = 24.0;

/// The rate per producing day of a rate per calendar day, `rate` × 24 ÷ `hours_on`; `None` when the well was (all
/// but) not on production that day, or when a value is not a number.
pub fn producing_day_rate(rate: f64, hours_on: f64) -> Option<f64> {
    if !rate.is_finite() || !hours_on.is_finite() || hours_on < MIN_HOURS_ON {
        return None;
    }
    Some(rate * HOURS_PER_DAY / hours_on)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn a_full_day_is_its_own_producing_day() {
        assert_eq!(producing_day_rate(120.0, 24.0), Some(120.0));
    }

    #[test]
    fn a_downtime_day_scales_up_to_the_rate_while_on() {
        // 18 h on: 120 BOPD per calendar day is 160 BOPD while producing.
        assert_eq!(producing_day_rate(120.0, 18.0), Some(160.0));
        let half_day = producing_day_rate(35.6, 12.0).unwrap();
        assert!((half_day - 71.2).abs() < 1e-9, "{half_day}");
        // The 25-hour day on which daylight saving time ends.
        assert_eq!(producing_day_rate(250.0, 25.0), Some(240.0));
    }

    #[test]
    fn no_hours_on_means_no_producing_day_rate() {
        assert_eq!(producing_day_rate(0.0, 0.0), None);
        assert_eq!(producing_day_rate(5.0, 0.05), None, "three minutes on is too little to scale");
        assert_eq!(producing_day_rate(1.0, f64::NAN), None);
        assert_eq!(producing_day_rate(f64::INFINITY, 24.0), None);
    }
}
