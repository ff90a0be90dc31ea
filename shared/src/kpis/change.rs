//! Day-over-day change of a KPI and the direction of its trend arrow.
//!
//! # Rules
//! - **Percent change.** `100 x (current - previous) / |previous|`. Dividing by the magnitude keeps the sign of the
//!   change when the previous value is negative (a revenue at a negative oil price): a rise is always positive.
//!   `None` when `previous` is 0 (no finite percentage exists).
//! - **Direction.** [`Direction::Flat`] when `|change_percent| < ` [`FLAT_BAND_PERCENT`] (1%, strictly: a change of
//!   exactly 1% is up or down), otherwise [`Direction::Up`] or [`Direction::Down`] by its sign. With a previous value
//!   of 0 the direction is the sign of `current` (0 to 0 is flat). The direction says which way the number moved, not
//!   whether that is good: each KPI says that with `higher_is_better`.
//! - Inputs that are not finite give no percentage and a flat direction (computed KPIs are always finite).

use serde::{Deserialize, Serialize};

/// Relative changes smaller than this (in percent, either way) are flat.
pub const FLAT_BAND_PERCENT: f64 = 1.0;

/// Which way a KPI moved since the previous day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Direction {
    Up,
    Down,
    Flat,
}

/// A KPI's change since its previous value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub previous: f64,
    /// `100 x (current - previous) / |previous|`; `None` when `previous` is 0.
    pub change_percent: Option<f64>,
    pub direction: Direction,
}

impl Change {
    /// The change from `previous` to `current` (see the module documentation).
    pub fn between(current: f64, previous: f64) -> Self {
        if !(current.is_finite() && previous.is_finite()) {
            return Self { previous, change_percent: None, direction: Direction::Flat };
        }
        if previous == 0.0 {
            let direction = if current > 0.0 {
                Direction::Up
            } else if current < 0.0 {
                Direction::Down
            } else {
                Direction::Flat
            };
            return Self { previous, change_percent: None, direction };
        }
        let pct = 100.0 * (current - previous) / previous.abs();
        let direction = if pct.abs() < FLAT_BAND_PERCENT {
            Direction::Flat
        } else if pct > 0.0 {
            Direction::Up
        } else {
            Direction::Down
        };
        Self { previous, change_percent: Some(pct), direction }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_change_by_hand() {
        // (110 - 100) / 100 = +10%.
        let c = Change::between(110.0, 100.0);
        assert_eq!(c.previous, 100.0);
        assert!((c.change_percent.unwrap() - 10.0).abs() < 1e-12);
        assert_eq!(c.direction, Direction::Up);
        // (75 - 100) / 100 = -25%.
        let c = Change::between(75.0, 100.0);
        assert!((c.change_percent.unwrap() + 25.0).abs() < 1e-12);
        assert_eq!(c.direction, Direction::Down);
    }

    #[test]
    fn flat_band_edges() {
        // 1% exactly (100 x 1 / 100 = 1.0, exact in floating point) is outside the band (strict <).
        assert_eq!(Change::between(101.0, 100.0).direction, Direction::Up);
        assert_eq!(Change::between(99.0, 100.0).direction, Direction::Down);
        assert_eq!(Change::between(1010.0, 1000.0).change_percent, Some(1.0));
        // Just inside.
        assert_eq!(Change::between(100.99, 100.0).direction, Direction::Flat);
        assert_eq!(Change::between(99.01, 100.0).direction, Direction::Flat);
        assert_eq!(Change::between(100.0, 100.0).direction, Direction::Flat);
        assert_eq!(Change::between(100.0, 100.0).change_percent, Some(0.0));
        // Just outside.
        assert_eq!(Change::between(101.01, 100.0).direction, Direction::Up);
        assert_eq!(Change::between(98.99, 100.0).direction, Direction::Down);
    }

    #[test]
    fn zero_previous_has_no_percentage() {
        assert_eq!(Change::between(5.0, 0.0), Change { previous: 0.0, change_percent: None, direction: Direction::Up });
        assert_eq!(Change::between(0.0, 0.0).direction, Direction::Flat);
        assert_eq!(Change::between(-5.0, 0.0).direction, Direction::Down);
        assert_eq!(Change::between(0.0, 0.0).change_percent, None);
    }

    #[test]
    fn negative_previous_keeps_the_sign_of_the_change() {
        // From -200 to -100 is a rise of 100 = +50% of |-200|.
        let c = Change::between(-100.0, -200.0);
        assert_eq!(c.change_percent, Some(50.0));
        assert_eq!(c.direction, Direction::Up);
        // From -100 to 100: +200%.
        assert_eq!(Change::between(100.0, -100.0).change_percent, Some(200.0));
    }

    #[test]
    fn non_finite_input_is_flat_without_percentage() {
        let c = Change::between(f64::NAN, 100.0);
        assert_eq!((c.change_percent, c.direction), (None, Direction::Flat));
    }

    #[test]
    fn serde_uses_snake_case() {
        let v = serde_json::to_value(Change::between(0.0, 0.0)).unwrap();
        assert_eq!(v, serde_json::json!({ "previous": 0.0, "change_percent": null, "direction": "flat" }));
    }
}
