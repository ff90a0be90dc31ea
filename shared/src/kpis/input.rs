//! What the fleet KPIs are computed from: per well its status, type and recent daily volumes, plus the counts of
//! unacknowledged alarms. The backend gathers it; nothing here reads a database or a clock.
//!
//! # Rules
//! - **Days** are local calendar days in `zone` (the tenant's zone). A [`WellDay`] holds the day's volumes per
//!   calendar day (the sum of the day's entries, design.md) and its hours on. A day without a `WellDay` has no data:
//!   it is never read as zero.
//! - **How many days.** The KPIs look at the 7 days ending on the last day (8 with the day before the sparkline, for
//!   the previous value); the deferred-production stable rate looks back up to 30 days. Days older than that are
//!   allowed and ignored.
//! - **Validation** ([`FleetInput::validate`]): well ids are unique; per well a day appears once; volumes are finite
//!   and >= 0; `hours_on` is finite and within 0..=[`MAX_HOURS_ON`] (25: a day can last 25 hours). One bad value
//!   rejects the whole input with an error naming the well and the day.

use crate::{MAX_HOURS_ON, WellId, WellType};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// One well's production on one local day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WellDay {
    pub day: NaiveDate,
    /// Oil produced that calendar day, bbl.
    pub oil_bbl: f64,
    /// Gas produced that calendar day, Mcf.
    pub gas_mcf: f64,
    /// Hours on production (0 to 25).
    pub hours_on: f64,
    /// When the newest reading behind this day was taken.
    pub last_reading_at: DateTime<Utc>,
}

/// One well of the fleet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WellInput {
    pub well_id: WellId,
    /// Status active now ([`crate::WellStatus::Active`]); shut-in, inactive and plugged wells are not.
    pub active: bool,
    pub well_type: WellType,
    /// Recent days, in any order; missing days have no data.
    pub days: Vec<WellDay>,
}

/// Unacknowledged alarms (active-unacknowledged and returned-to-normal-unacknowledged) by priority, now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnacknowledgedAlarms {
    pub critical: u32,
    /// High (warning).
    pub high: u32,
    /// Low (info).
    pub low: u32,
    /// When the counts were taken.
    pub counted_at: DateTime<Utc>,
}

/// Everything the fleet KPIs need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetInput {
    /// The tenant's time zone: the days are its local days.
    pub zone: Tz,
    /// Every well of the fleet (any status): the denominator of the active-wells percentage.
    pub wells: Vec<WellInput>,
    /// When the wells' statuses were read.
    pub status_as_of: DateTime<Utc>,
    pub alarms: UnacknowledgedAlarms,
}

/// A fleet input that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FleetInputError {
    #[error("well {0} is listed twice")]
    DuplicateWell(WellId),
    #[error("well {well_id}: {day} is given twice")]
    DuplicateDay { well_id: WellId, day: NaiveDate },
    #[error("well {well_id} on {day}: {field} must be a finite volume >= 0, got {value}")]
    Volume { well_id: WellId, day: NaiveDate, field: &'static str, value: f64 },
    #[error("well {well_id} on {day}: hours_on must be between 0 and 25, got {value}")]
    HoursOn { well_id: WellId, day: NaiveDate, value: f64 },
}

impl FleetInput {
    /// Checks the rules in the module documentation.
    pub fn validate(&self) -> Result<(), FleetInputError> {
        let mut ids = HashSet::new();
        for w in &self.wells {
            if !ids.insert(w.well_id) {
                return Err(FleetInputError::DuplicateWell(w.well_id));
            }
            let mut days = HashSet::new();
            for d in &w.days {
                let (well_id, day) = (w.well_id, d.day);
                if !days.insert(day) {
                    return Err(FleetInputError::DuplicateDay { well_id, day });
                }
                for (field, value) in [("oil_bbl", d.oil_bbl), ("gas_mcf", d.gas_mcf)] {
                    if !(value.is_finite() && value >= 0.0) {
                        return Err(FleetInputError::Volume { well_id, day, field, value });
                    }
                }
                if !(d.hours_on.is_finite() && (0.0..=MAX_HOURS_ON).contains(&d.hours_on)) {
                    return Err(FleetInputError::HoursOn { well_id, day, value: d.hours_on });
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn well(n: u128, days: Vec<WellDay>) -> WellInput {
        WellInput { well_id: WellId(Uuid::from_u128(n)), active: true, well_type: WellType::Oil, days }
    }

    fn day(d: u32, oil: f64, gas: f64, hours: f64) -> WellDay {
        WellDay {
            day: NaiveDate::from_ymd_opt(2024, 6, d).unwrap(),
            oil_bbl: oil,
            gas_mcf: gas,
            hours_on: hours,
            last_reading_at: DateTime::UNIX_EPOCH,
        }
    }

    fn input(wells: Vec<WellInput>) -> FleetInput {
        FleetInput {
            zone: chrono_tz::America::Chicago,
            wells,
            status_as_of: DateTime::UNIX_EPOCH,
            alarms: UnacknowledgedAlarms { critical: 0, high: 0, low: 0, counted_at: DateTime::UNIX_EPOCH },
        }
    }

    #[test]
    fn valid_input_passes() {
        let i = input(vec![well(1, vec![day(1, 10.0, 0.0, 24.0), day(2, 0.0, 5.0, 25.0)]), well(2, vec![])]);
        assert_eq!(i.validate(), Ok(()));
    }

    #[test]
    fn each_rule_is_enforced_and_names_the_well_and_day() {
        let id = WellId(Uuid::from_u128(1));
        let d1 = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
        assert_eq!(input(vec![well(1, vec![]), well(1, vec![])]).validate(), Err(FleetInputError::DuplicateWell(id)));
        assert_eq!(
            input(vec![well(1, vec![day(1, 1.0, 1.0, 1.0), day(1, 2.0, 2.0, 2.0)])]).validate(),
            Err(FleetInputError::DuplicateDay { well_id: id, day: d1 })
        );
        assert_eq!(
            input(vec![well(1, vec![day(1, -1.0, 1.0, 1.0)])]).validate(),
            Err(FleetInputError::Volume { well_id: id, day: d1, field: "oil_bbl", value: -1.0 })
        );
        assert!(matches!(
            input(vec![well(1, vec![day(1, 1.0, f64::INFINITY, 1.0)])]).validate(),
            Err(FleetInputError::Volume { field: "gas_mcf", .. })
        ));
        assert_eq!(
            input(vec![well(1, vec![day(1, 1.0, 1.0, 25.5)])]).validate(),
            Err(FleetInputError::HoursOn { well_id: id, day: d1, value: 25.5 })
        );
        assert!(input(vec![well(1, vec![day(1, 1.0, 1.0, f64::NAN)])]).validate().is_err());
    }

    #[test]
    fn input_round_trips_through_json() {
        let i = input(vec![well(1, vec![day(1, 10.0, 0.0, 24.0)])]);
        let v = serde_json::to_value(&i).unwrap();
        assert_eq!(v["zone"], "America/Chicago");
        assert_eq!(v["wells"][0]["well_type"], "oil");
        assert_eq!(serde_json::from_value::<FleetInput>(v).unwrap(), i);
    }
}
