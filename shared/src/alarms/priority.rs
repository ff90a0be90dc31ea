//! Alarm priorities: how urgently an operator must respond.
//!
//! # Rules
//! - Three priorities, as design.md names them: critical, high (shown as "Warning") and low (shown as "Info").
//!   Wire names are `critical`, `high`, `low`; display labels "Critical", "Warning", "Info".
//! - Ordered by urgency: `Critical > High > Low`, so sorting an alarm list in descending order puts the most urgent
//!   first. [`AlarmPriority::ALL`] lists them in that order.
//! - ISA-18.2 / EEMUA 191 aim at a mix of about 5 % critical, 15 % high and 80 % low among the alarms raised (see
//!   [`super::health`]).

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// How urgently an operator must respond to an alarm. Ordered: `Critical > High > Low`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AlarmPriority {
    /// Immediate response (label "Critical").
    Critical,
    /// Prompt response (label "Warning").
    High,
    /// Response when convenient (label "Info").
    Low,
}

impl AlarmPriority {
    /// Most urgent first.
    pub const ALL: [AlarmPriority; 3] = [AlarmPriority::Critical, AlarmPriority::High, AlarmPriority::Low];

    /// The wire name: `critical`, `high` or `low`.
    pub fn as_str(self) -> &'static str {
        match self {
            AlarmPriority::Critical => "critical",
            AlarmPriority::High => "high",
            AlarmPriority::Low => "low",
        }
    }

    /// What a screen shows: "Critical", "Warning" or "Info".
    pub fn label(self) -> &'static str {
        match self {
            AlarmPriority::Critical => "Critical",
            AlarmPriority::High => "Warning",
            AlarmPriority::Low => "Info",
        }
    }

    /// 2 for critical, 1 for high, 0 for low: the order of urgency.
    pub fn rank(self) -> u8 {
        match self {
            AlarmPriority::Critical => 2,
            AlarmPriority::High => 1,
            AlarmPriority::Low => 0,
        }
    }
}

impl PartialOrd for AlarmPriority {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for AlarmPriority {
    fn cmp(&self, other: &Self) -> Ordering {
        self.rank().cmp(&other.rank())
    }
}

impl std::fmt::Display for AlarmPriority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for AlarmPriority {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "critical" => Ok(AlarmPriority::Critical),
            "high" => Ok(AlarmPriority::High),
            "low" => Ok(AlarmPriority::Low),
            other => Err(format!("unknown alarm priority {other:?}: expected critical, high or low")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_by_urgency() {
        assert!(AlarmPriority::Critical > AlarmPriority::High);
        assert!(AlarmPriority::High > AlarmPriority::Low);
        assert!(AlarmPriority::Critical > AlarmPriority::Low);
        let mut v = vec![AlarmPriority::Low, AlarmPriority::Critical, AlarmPriority::High];
        v.sort_by(|a, b| b.cmp(a));
        assert_eq!(v, AlarmPriority::ALL);
        assert_eq!(AlarmPriority::ALL.iter().max(), Some(&AlarmPriority::Critical));
    }

    #[test]
    fn labels_follow_the_design() {
        let labels: Vec<&str> = AlarmPriority::ALL.iter().map(|p| p.label()).collect();
        assert_eq!(labels, ["Critical", "Warning", "Info"]);
    }

    #[test]
    fn wire_names_round_trip() {
        for p in AlarmPriority::ALL {
            let json = serde_json::to_value(p).unwrap();
            assert_eq!(json, p.as_str());
            assert_eq!(serde_json::from_value::<AlarmPriority>(json).unwrap(), p);
            assert_eq!(p.as_str().parse::<AlarmPriority>(), Ok(p));
            assert_eq!(p.to_string(), p.as_str());
        }
        assert_eq!(serde_json::to_value(AlarmPriority::High).unwrap(), "high");
        assert!("warning".parse::<AlarmPriority>().is_err());
        assert!(serde_json::from_value::<AlarmPriority>(serde_json::json!("Critical")).is_err());
    }
}
