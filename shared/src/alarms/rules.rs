//! Alarm rules: what raises an alarm on a well, at which priority, and the deadband it needs to clear.
//!
//! A tenant has one [`AlarmRule`] per [`AlarmRuleKind`], together an [`AlarmRuleSet`]. A rule is valid by
//! construction ([`AlarmRule::new`], and deserialisation goes through the same checks); a failed check is an
//! [`AlarmRuleError`] that names the field, e.g. `production_drop.trip_ratio` (see [`AlarmRuleError::field`]), so the
//! HTTP layer can answer 400 naming the parameter.
//!
//! # Rules and their defaults
//! Every rule trips at one limit and, once active, clears only past a second limit (a deadband): a value between the
//! two keeps an active alarm active and does not raise a new one. Precise edges ("above" = strictly greater):
//!
//! | Rule | Default priority | Trips when | Clears when (deadband) | Defaults |
//! |---|---|---|---|---|
//! | `well_down` | critical | the latest day had 0 hours on, or no production (oil and gas both ≤ 0; water ≤ 0 for injection and disposal wells) | hours on ≥ `clear_min_hours_on` **and** production > 0 | `clear_min_hours_on` 1 h |
//! | `production_drop` | high | primary-product rate < `trip_ratio` x trailing 7-day average | rate > `clear_ratio` x average | 0.70 (a 30 % drop), 0.80 |
//! | `pressure_high` | high | tubing pressure > `trip_psig` of the well type | pressure < `trip_psig - deadband_psig` | see below |
//! | `pressure_low` | high | tubing pressure < `trip_psig` of the well type | pressure > `trip_psig + deadband_psig` | see below |
//! | `anomaly` | low | an analytics anomaly of at least `min_severity` on a day at most `raise_within_days` before the latest day | no such anomaly in the last `clear_after_days` days | medium, 1 day, 3 days |
//! | `data_gap` | high | the latest reading is more than `trip_hours` old | the latest reading is at most `clear_hours` old | 6 h, 3 h |
//!
//! Tubing pressure limits (psig) by [`WellType`], `trip / deadband`. They are generic field values for a control
//! room to start from; a tenant should set its permits' figures (maximum allowable injection pressure and so on):
//!
//! | Well type | `pressure_high` | `pressure_low` | Why |
//! |---|---|---|---|
//! | oil | 1,500 / 50 | 25 / 15 | rod-pumped and flowing oil wells run at about 50-500 psig of flowline back-pressure; above 1,500 a closed valve or a plugged choke or flowline; under 25 a flowline leak or a pumped-off well |
//! | gas | 3,000 / 100 | 100 / 25 | flowing gas wells run at about 200-2,000 psig; 3,000 is close to shut-in pressure (a blocked or frozen line); under 100 the well cannot push into a typical sales line (loading up, a leak) |
//! | injection | 2,500 / 50 | 100 / 25 | waterflood permits commonly allow 1,500-3,000 psig at surface; under 100 the injection pump is off or a line leaks |
//! | disposal | 1,500 / 50 | none | salt-water disposal permits commonly cap surface pressure near 0.5 psi/ft to the top of the interval; many disposal wells take water on vacuum, so there is no low limit |
//!
//! A well type without a limit (`null`) is not checked by that rule.
//!
//! # Staleness
//! [`AlarmRuleSet::staleness_hours`]: data older than this is stale (default: the data-gap rule's `trip_hours`, 6 h).
//! Stale data neither raises nor clears any alarm except the data-gap alarm, which is what staleness raises (see
//! [`mod@super::evaluate`]).
//!
//! # Validation
//! - Ratios: `0 < trip_ratio < 1`, `trip_ratio ≤ clear_ratio ≤ 1`.
//! - Pressures: `trip_psig` within the entry validation range (-14.7 to 30,000 psig); `deadband_psig ≥ 0`, and the
//!   clear limit (`trip ∓ deadband`) within the same range.
//! - `clear_min_hours_on` in (0, 24].
//! - Days: `raise_within_days ≤ clear_after_days ≤ 90`.
//! - Hours: `0 < clear_hours ≤ trip_hours ≤ 720`; `staleness_hours`, when given, in (0, 720].
//! - A set holds each kind at most once; a kind it does not mention gets its default rule (so a stored set stays
//!   readable when a kind is added).

use super::priority::AlarmPriority;
use crate::analytics::anomalies::Severity;
use crate::domain::{FieldError, WellType};
use chrono::Duration;
use serde::{Deserialize, Serialize};

/// What a rule watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AlarmRuleKind {
    WellDown,
    ProductionDrop,
    PressureHigh,
    PressureLow,
    Anomaly,
    DataGap,
}

impl AlarmRuleKind {
    /// Every kind, in the order of the rule table.
    pub const ALL: [AlarmRuleKind; 6] = [
        AlarmRuleKind::WellDown,
        AlarmRuleKind::ProductionDrop,
        AlarmRuleKind::PressureHigh,
        AlarmRuleKind::PressureLow,
        AlarmRuleKind::Anomaly,
        AlarmRuleKind::DataGap,
    ];

    /// The wire name (snake_case).
    pub fn as_str(self) -> &'static str {
        match self {
            AlarmRuleKind::WellDown => "well_down",
            AlarmRuleKind::ProductionDrop => "production_drop",
            AlarmRuleKind::PressureHigh => "pressure_high",
            AlarmRuleKind::PressureLow => "pressure_low",
            AlarmRuleKind::Anomaly => "anomaly",
            AlarmRuleKind::DataGap => "data_gap",
        }
    }

    /// What a screen shows.
    pub fn label(self) -> &'static str {
        match self {
            AlarmRuleKind::WellDown => "Well down",
            AlarmRuleKind::ProductionDrop => "Production drop",
            AlarmRuleKind::PressureHigh => "Tubing pressure high",
            AlarmRuleKind::PressureLow => "Tubing pressure low",
            AlarmRuleKind::Anomaly => "Production anomaly",
            AlarmRuleKind::DataGap => "Data gap",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for AlarmRuleKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for AlarmRuleKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        AlarmRuleKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| format!("unknown alarm rule {s:?}"))
    }
}

/// One tubing-pressure limit: trips past `trip_psig`, clears `deadband_psig` back inside it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PressureLimit {
    pub trip_psig: f64,
    pub deadband_psig: f64,
}

impl PressureLimit {
    pub const fn new(trip_psig: f64, deadband_psig: f64) -> Self {
        Self { trip_psig, deadband_psig }
    }
}

/// Tubing-pressure limits per well type; `None` leaves that type unchecked.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PressureLimits {
    pub oil: Option<PressureLimit>,
    pub gas: Option<PressureLimit>,
    pub injection: Option<PressureLimit>,
    pub disposal: Option<PressureLimit>,
}

impl PressureLimits {
    /// The limit for a well type.
    pub fn for_type(&self, well_type: WellType) -> Option<PressureLimit> {
        match well_type {
            WellType::Oil => self.oil,
            WellType::Gas => self.gas,
            WellType::Injection => self.injection,
            WellType::Disposal => self.disposal,
        }
    }

    /// The default high limits (see the module documentation).
    pub const DEFAULT_HIGH: PressureLimits = PressureLimits {
        oil: Some(PressureLimit::new(1500.0, 50.0)),
        gas: Some(PressureLimit::new(3000.0, 100.0)),
        injection: Some(PressureLimit::new(2500.0, 50.0)),
        disposal: Some(PressureLimit::new(1500.0, 50.0)),
    };

    /// The default low limits (see the module documentation).
    pub const DEFAULT_LOW: PressureLimits = PressureLimits {
        oil: Some(PressureLimit::new(25.0, 15.0)),
        gas: Some(PressureLimit::new(100.0, 25.0)),
        injection: Some(PressureLimit::new(100.0, 25.0)),
        disposal: None,
    };
}

/// The thresholds of one rule; the variant fixes the rule's kind. Checked by [`AlarmRule::new`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleThresholds {
    /// Clears once the day had at least `clear_min_hours_on` hours on and some production.
    WellDown { clear_min_hours_on: f64 },
    /// Trips below `trip_ratio` x the trailing average, clears above `clear_ratio` x the average.
    ProductionDrop { trip_ratio: f64, clear_ratio: f64 },
    /// Trips above a well type's `trip_psig`, clears below `trip_psig - deadband_psig`.
    PressureHigh { limits: PressureLimits },
    /// Trips below a well type's `trip_psig`, clears above `trip_psig + deadband_psig`.
    PressureLow { limits: PressureLimits },
    /// Trips on an anomaly of at least `min_severity` at most `raise_within_days` before the latest day; clears when
    /// the newest such anomaly is more than `clear_after_days` before it.
    Anomaly { min_severity: Severity, raise_within_days: u32, clear_after_days: u32 },
    /// Trips when the latest reading is more than `trip_hours` old, clears when it is at most `clear_hours` old.
    DataGap { trip_hours: f64, clear_hours: f64 },
}

impl RuleThresholds {
    pub fn kind(&self) -> AlarmRuleKind {
        match self {
            RuleThresholds::WellDown { .. } => AlarmRuleKind::WellDown,
            RuleThresholds::ProductionDrop { .. } => AlarmRuleKind::ProductionDrop,
            RuleThresholds::PressureHigh { .. } => AlarmRuleKind::PressureHigh,
            RuleThresholds::PressureLow { .. } => AlarmRuleKind::PressureLow,
            RuleThresholds::Anomaly { .. } => AlarmRuleKind::Anomaly,
            RuleThresholds::DataGap { .. } => AlarmRuleKind::DataGap,
        }
    }

    /// The default thresholds of a kind (see the module documentation).
    pub fn default_for(kind: AlarmRuleKind) -> Self {
        match kind {
            AlarmRuleKind::WellDown => RuleThresholds::WellDown { clear_min_hours_on: 1.0 },
            AlarmRuleKind::ProductionDrop => RuleThresholds::ProductionDrop { trip_ratio: 0.70, clear_ratio: 0.80 },
            AlarmRuleKind::PressureHigh => RuleThresholds::PressureHigh { limits: PressureLimits::DEFAULT_HIGH },
            AlarmRuleKind::PressureLow => RuleThresholds::PressureLow { limits: PressureLimits::DEFAULT_LOW },
            AlarmRuleKind::Anomaly => {
                RuleThresholds::Anomaly { min_severity: Severity::Medium, raise_within_days: 1, clear_after_days: 3 }
            }
            AlarmRuleKind::DataGap => RuleThresholds::DataGap { trip_hours: 6.0, clear_hours: 3.0 },
        }
    }

    fn validate(&self) -> Result<(), AlarmRuleError> {
        let kind = self.kind();
        let invalid = |field: &str, message: String| Err(AlarmRuleError::invalid(format!("{kind}.{field}"), message));
        match *self {
            RuleThresholds::WellDown { clear_min_hours_on: h } => {
                if !(h > 0.0 && h <= 24.0) {
                    return invalid("clear_min_hours_on", format!("must be more than 0 and at most 24 hours, got {h}"));
                }
            }
            RuleThresholds::ProductionDrop { trip_ratio, clear_ratio } => {
                if !(trip_ratio > 0.0 && trip_ratio < 1.0) {
                    return invalid(
                        "trip_ratio",
                        format!("must be a fraction strictly between 0 and 1, got {trip_ratio}"),
                    );
                }
                if !(clear_ratio >= trip_ratio && clear_ratio <= 1.0) {
                    return invalid(
                        "clear_ratio",
                        format!("must be from trip_ratio ({trip_ratio}) to 1, got {clear_ratio}"),
                    );
                }
            }
            RuleThresholds::PressureHigh { limits } => validate_limits(kind, &limits, -1.0)?,
            RuleThresholds::PressureLow { limits } => validate_limits(kind, &limits, 1.0)?,
            RuleThresholds::Anomaly { raise_within_days, clear_after_days, .. } => {
                if clear_after_days > MAX_ANOMALY_DAYS {
                    return invalid(
                        "clear_after_days",
                        format!("must be at most {MAX_ANOMALY_DAYS} days, got {clear_after_days}"),
                    );
                }
                if raise_within_days > clear_after_days {
                    return invalid(
                        "raise_within_days",
                        format!("must be at most clear_after_days ({clear_after_days}), got {raise_within_days}"),
                    );
                }
            }
            RuleThresholds::DataGap { trip_hours, clear_hours } => {
                if !(trip_hours > 0.0 && trip_hours <= MAX_HOURS) {
                    return invalid(
                        "trip_hours",
                        format!("must be more than 0 and at most {MAX_HOURS} hours, got {trip_hours}"),
                    );
                }
                if !(clear_hours > 0.0 && clear_hours <= trip_hours) {
                    return invalid(
                        "clear_hours",
                        format!("must be more than 0 and at most trip_hours ({trip_hours}), got {clear_hours}"),
                    );
                }
            }
        }
        Ok(())
    }
}

/// The lowest wellhead pressure an entry may carry (full vacuum), psig.
pub const MIN_LIMIT_PSIG: f64 = -14.7;
/// The highest wellhead pressure an entry may carry, psig.
pub const MAX_LIMIT_PSIG: f64 = 30_000.0;
/// The longest data-gap and staleness durations, hours (30 days).
pub const MAX_HOURS: f64 = 720.0;
/// The longest anomaly look-back, days.
pub const MAX_ANOMALY_DAYS: u32 = 90;

/// `clear_sign`: -1 when the clear limit lies below the trip limit (high), +1 when above (low).
fn validate_limits(kind: AlarmRuleKind, limits: &PressureLimits, clear_sign: f64) -> Result<(), AlarmRuleError> {
    let in_range = |v: f64| (MIN_LIMIT_PSIG..=MAX_LIMIT_PSIG).contains(&v);
    for (name, limit) in
        [("oil", limits.oil), ("gas", limits.gas), ("injection", limits.injection), ("disposal", limits.disposal)]
    {
        let Some(PressureLimit { trip_psig, deadband_psig }) = limit else { continue };
        if !in_range(trip_psig) {
            return Err(AlarmRuleError::invalid(
                format!("{kind}.{name}.trip_psig"),
                format!("must be from {MIN_LIMIT_PSIG} to {MAX_LIMIT_PSIG} psig, got {trip_psig}"),
            ));
        }
        let clear = trip_psig + clear_sign * deadband_psig;
        if !(deadband_psig >= 0.0 && in_range(clear)) {
            return Err(AlarmRuleError::invalid(
                format!("{kind}.{name}.deadband_psig"),
                format!(
                    "must be at least 0 and keep the clear limit within {MIN_LIMIT_PSIG} to {MAX_LIMIT_PSIG} psig, \
                     got {deadband_psig}"
                ),
            ));
        }
    }
    Ok(())
}

/// A rule or rule set that could not be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AlarmRuleError {
    /// A field out of range; `field` is its path, e.g. `pressure_high.oil.deadband_psig`.
    #[error("{field} {message}")]
    Invalid { field: String, message: String },
    /// A rule set named the same kind twice.
    #[error("rules: {0} appears more than once")]
    DuplicateRule(AlarmRuleKind),
}

impl AlarmRuleError {
    fn invalid(field: String, message: String) -> Self {
        AlarmRuleError::Invalid { field, message }
    }

    /// The path of the offending field (`rules` for a duplicate rule).
    pub fn field(&self) -> String {
        match self {
            AlarmRuleError::Invalid { field, .. } => field.clone(),
            AlarmRuleError::DuplicateRule(_) => "rules".to_owned(),
        }
    }
}

impl From<AlarmRuleError> for FieldError {
    fn from(e: AlarmRuleError) -> Self {
        match &e {
            AlarmRuleError::Invalid { field, message } => FieldError::new(field.clone(), message.clone()),
            AlarmRuleError::DuplicateRule(kind) => FieldError::new("rules", format!("{kind} appears more than once")),
        }
    }
}

/// One validated rule of a tenant. Serialised flat:
/// `{"kind": "production_drop", "enabled": true, "priority": "high", "trip_ratio": 0.7, "clear_ratio": 0.8}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(into = "RawRule", try_from = "RawRule")]
pub struct AlarmRule {
    enabled: bool,
    priority: AlarmPriority,
    thresholds: RuleThresholds,
}

impl AlarmRule {
    /// A rule with checked thresholds; the kind is the thresholds' variant.
    pub fn new(enabled: bool, priority: AlarmPriority, thresholds: RuleThresholds) -> Result<Self, AlarmRuleError> {
        thresholds.validate()?;
        Ok(Self { enabled, priority, thresholds })
    }

    /// The default rule of a kind: enabled, with the default priority and thresholds of the module's table.
    pub fn default_for(kind: AlarmRuleKind) -> Self {
        let priority = match kind {
            AlarmRuleKind::WellDown => AlarmPriority::Critical,
            AlarmRuleKind::Anomaly => AlarmPriority::Low,
            AlarmRuleKind::ProductionDrop
            | AlarmRuleKind::PressureHigh
            | AlarmRuleKind::PressureLow
            | AlarmRuleKind::DataGap => AlarmPriority::High,
        };
        Self { enabled: true, priority, thresholds: RuleThresholds::default_for(kind) }
    }

    pub fn kind(&self) -> AlarmRuleKind {
        self.thresholds.kind()
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    pub fn priority(&self) -> AlarmPriority {
        self.priority
    }

    pub fn thresholds(&self) -> &RuleThresholds {
        &self.thresholds
    }

    /// The same rule switched on or off.
    pub fn with_enabled(self, enabled: bool) -> Self {
        Self { enabled, ..self }
    }

    /// The same rule at another priority.
    pub fn with_priority(self, priority: AlarmPriority) -> Self {
        Self { priority, ..self }
    }
}

/// The wire form of a rule: kind, switch, priority and the thresholds, flat.
#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum RawRule {
    WellDown {
        enabled: bool,
        priority: AlarmPriority,
        clear_min_hours_on: f64,
    },
    ProductionDrop {
        enabled: bool,
        priority: AlarmPriority,
        trip_ratio: f64,
        clear_ratio: f64,
    },
    PressureHigh {
        enabled: bool,
        priority: AlarmPriority,
        oil: Option<PressureLimit>,
        gas: Option<PressureLimit>,
        injection: Option<PressureLimit>,
        disposal: Option<PressureLimit>,
    },
    PressureLow {
        enabled: bool,
        priority: AlarmPriority,
        oil: Option<PressureLimit>,
        gas: Option<PressureLimit>,
        injection: Option<PressureLimit>,
        disposal: Option<PressureLimit>,
    },
    Anomaly {
        enabled: bool,
        priority: AlarmPriority,
        min_severity: Severity,
        raise_within_days: u32,
        clear_after_days: u32,
    },
    DataGap {
        enabled: bool,
        priority: AlarmPriority,
        trip_hours: f64,
        clear_hours: f64,
    },
}

impl From<AlarmRule> for RawRule {
    fn from(r: AlarmRule) -> Self {
        let (enabled, priority) = (r.enabled, r.priority);
        match r.thresholds {
            RuleThresholds::WellDown { clear_min_hours_on } => {
                RawRule::WellDown { enabled, priority, clear_min_hours_on }
            }
            RuleThresholds::ProductionDrop { trip_ratio, clear_ratio } => {
                RawRule::ProductionDrop { enabled, priority, trip_ratio, clear_ratio }
            }
            RuleThresholds::PressureHigh { limits: PressureLimits { oil, gas, injection, disposal } } => {
                RawRule::PressureHigh { enabled, priority, oil, gas, injection, disposal }
            }
            RuleThresholds::PressureLow { limits: PressureLimits { oil, gas, injection, disposal } } => {
                RawRule::PressureLow { enabled, priority, oil, gas, injection, disposal }
            }
            RuleThresholds::Anomaly { min_severity, raise_within_days, clear_after_days } => {
                RawRule::Anomaly { enabled, priority, min_severity, raise_within_days, clear_after_days }
            }
            RuleThresholds::DataGap { trip_hours, clear_hours } => {
                RawRule::DataGap { enabled, priority, trip_hours, clear_hours }
            }
        }
    }
}

impl TryFrom<RawRule> for AlarmRule {
    type Error = AlarmRuleError;
    fn try_from(raw: RawRule) -> Result<Self, AlarmRuleError> {
        let (enabled, priority, thresholds) = match raw {
            RawRule::WellDown { enabled, priority, clear_min_hours_on } => {
                (enabled, priority, RuleThresholds::WellDown { clear_min_hours_on })
            }
            RawRule::ProductionDrop { enabled, priority, trip_ratio, clear_ratio } => {
                (enabled, priority, RuleThresholds::ProductionDrop { trip_ratio, clear_ratio })
            }
            RawRule::PressureHigh { enabled, priority, oil, gas, injection, disposal } => (
                enabled,
                priority,
                RuleThresholds::PressureHigh { limits: PressureLimits { oil, gas, injection, disposal } },
            ),
            RawRule::PressureLow { enabled, priority, oil, gas, injection, disposal } => (
                enabled,
                priority,
                RuleThresholds::PressureLow { limits: PressureLimits { oil, gas, injection, disposal } },
            ),
            RawRule::Anomaly { enabled, priority, min_severity, raise_within_days, clear_after_days } => {
                (enabled, priority, RuleThresholds::Anomaly { min_severity, raise_within_days, clear_after_days })
            }
            RawRule::DataGap { enabled, priority, trip_hours, clear_hours } => {
                (enabled, priority, RuleThresholds::DataGap { trip_hours, clear_hours })
            }
        };
        AlarmRule::new(enabled, priority, thresholds)
    }
}

/// A tenant's full rule set: exactly one rule per kind, plus the staleness limit. Valid by construction; the
/// default is [`AlarmRule::default_for`] every kind and staleness = the data-gap trip hours. Serialised as
/// `{"rules": [...], "staleness_hours": null}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "RawRuleSet", try_from = "RawRuleSet")]
pub struct AlarmRuleSet {
    /// Indexed by [`AlarmRuleKind`]'s order.
    rules: [AlarmRule; 6],
    staleness_hours: Option<f64>,
}

impl Default for AlarmRuleSet {
    fn default() -> Self {
        Self { rules: AlarmRuleKind::ALL.map(AlarmRule::default_for), staleness_hours: None }
    }
}

impl AlarmRuleSet {
    /// A set from any rules (each kind at most once; missing kinds get their default) and a staleness limit in
    /// hours (`None`: the data-gap rule's `trip_hours`).
    pub fn new(
        rules: impl IntoIterator<Item = AlarmRule>,
        staleness_hours: Option<f64>,
    ) -> Result<Self, AlarmRuleError> {
        let mut set = Self::default();
        let mut seen = [false; 6];
        for rule in rules {
            let i = rule.kind().index();
            if seen[i] {
                return Err(AlarmRuleError::DuplicateRule(rule.kind()));
            }
            seen[i] = true;
            set.rules[i] = rule;
        }
        set.with_staleness_hours(staleness_hours)
    }

    /// The rule of a kind.
    pub fn rule(&self, kind: AlarmRuleKind) -> &AlarmRule {
        &self.rules[kind.index()]
    }

    /// All rules, in [`AlarmRuleKind::ALL`] order.
    pub fn rules(&self) -> &[AlarmRule] {
        &self.rules
    }

    /// The same set with one rule replaced (the rule of the same kind).
    pub fn with_rule(mut self, rule: AlarmRule) -> Self {
        self.rules[rule.kind().index()] = rule;
        self
    }

    /// The same set with another staleness limit (`None`: follow the data-gap rule's `trip_hours`).
    pub fn with_staleness_hours(self, staleness_hours: Option<f64>) -> Result<Self, AlarmRuleError> {
        if let Some(h) = staleness_hours
            && !(h > 0.0 && h <= MAX_HOURS)
        {
            return Err(AlarmRuleError::invalid(
                "staleness_hours".to_owned(),
                format!("must be more than 0 and at most {MAX_HOURS} hours, got {h}"),
            ));
        }
        Ok(Self { staleness_hours, ..self })
    }

    /// The staleness limit as configured (`None`: the data-gap trip hours).
    pub fn configured_staleness_hours(&self) -> Option<f64> {
        self.staleness_hours
    }

    /// The staleness limit in effect, hours: data older than this is stale.
    pub fn staleness_hours(&self) -> f64 {
        self.staleness_hours.unwrap_or_else(|| match self.rule(AlarmRuleKind::DataGap).thresholds {
            RuleThresholds::DataGap { trip_hours, .. } => trip_hours,
            // Unreachable: the data-gap slot always holds data-gap thresholds.
            _ => 6.0,
        })
    }

    /// [`Self::staleness_hours`] as a duration.
    pub fn staleness(&self) -> Duration {
        hours(self.staleness_hours())
    }
}

/// A number of hours as a duration (to the millisecond).
pub(crate) fn hours(h: f64) -> Duration {
    Duration::milliseconds((h * 3_600_000.0).round() as i64)
}

/// The wire form of a rule set.
#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
struct RawRuleSet {
    /// One rule per kind; a kind left out keeps its default.
    rules: Vec<AlarmRule>,
    /// Data older than this many hours is stale (never clears or raises an alarm); `null`: the data-gap rule's
    /// `trip_hours`.
    #[serde(default)]
    staleness_hours: Option<f64>,
}

impl From<AlarmRuleSet> for RawRuleSet {
    fn from(s: AlarmRuleSet) -> Self {
        RawRuleSet { rules: s.rules.to_vec(), staleness_hours: s.staleness_hours }
    }
}

impl TryFrom<RawRuleSet> for AlarmRuleSet {
    type Error = AlarmRuleError;
    fn try_from(raw: RawRuleSet) -> Result<Self, AlarmRuleError> {
        AlarmRuleSet::new(raw.rules, raw.staleness_hours)
    }
}

/// The OpenAPI schemas of the validated types are those of their wire forms.
#[cfg(feature = "openapi")]
mod openapi {
    use super::{AlarmRule, AlarmRuleSet, RawRule, RawRuleSet};
    use std::borrow::Cow;
    use utoipa::openapi::{RefOr, schema::Schema};
    use utoipa::{PartialSchema, ToSchema};

    impl PartialSchema for AlarmRule {
        fn schema() -> RefOr<Schema> {
            RawRule::schema()
        }
    }

    impl ToSchema for AlarmRule {
        fn name() -> Cow<'static, str> {
            Cow::Borrowed("AlarmRule")
        }

        fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
            RawRule::schemas(schemas);
        }
    }

    impl PartialSchema for AlarmRuleSet {
        fn schema() -> RefOr<Schema> {
            RawRuleSet::schema()
        }
    }

    impl ToSchema for AlarmRuleSet {
        fn name() -> Cow<'static, str> {
            Cow::Borrowed("AlarmRuleSet")
        }

        fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
            RawRuleSet::schemas(schemas);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field_of(e: AlarmRuleError) -> String {
        e.field()
    }

    #[test]
    fn defaults_match_the_documented_table() {
        let set = AlarmRuleSet::default();
        let priorities: Vec<(AlarmRuleKind, AlarmPriority)> =
            set.rules().iter().map(|r| (r.kind(), r.priority())).collect();
        assert_eq!(
            priorities,
            [
                (AlarmRuleKind::WellDown, AlarmPriority::Critical),
                (AlarmRuleKind::ProductionDrop, AlarmPriority::High),
                (AlarmRuleKind::PressureHigh, AlarmPriority::High),
                (AlarmRuleKind::PressureLow, AlarmPriority::High),
                (AlarmRuleKind::Anomaly, AlarmPriority::Low),
                (AlarmRuleKind::DataGap, AlarmPriority::High),
            ]
        );
        assert!(set.rules().iter().all(|r| r.enabled()));
        assert_eq!(
            *set.rule(AlarmRuleKind::ProductionDrop).thresholds(),
            RuleThresholds::ProductionDrop { trip_ratio: 0.7, clear_ratio: 0.8 }
        );
        assert_eq!(
            *set.rule(AlarmRuleKind::DataGap).thresholds(),
            RuleThresholds::DataGap { trip_hours: 6.0, clear_hours: 3.0 }
        );
        assert_eq!(
            *set.rule(AlarmRuleKind::Anomaly).thresholds(),
            RuleThresholds::Anomaly { min_severity: Severity::Medium, raise_within_days: 1, clear_after_days: 3 }
        );
        assert_eq!(PressureLimits::DEFAULT_HIGH.for_type(WellType::Gas), Some(PressureLimit::new(3000.0, 100.0)));
        assert_eq!(PressureLimits::DEFAULT_LOW.for_type(WellType::Disposal), None);
        // Every default passes its own validation.
        for kind in AlarmRuleKind::ALL {
            let d = AlarmRule::default_for(kind);
            assert_eq!(AlarmRule::new(d.enabled(), d.priority(), *d.thresholds()), Ok(d));
        }
    }

    #[test]
    fn staleness_defaults_to_the_data_gap_hours_and_follows_them() {
        let set = AlarmRuleSet::default();
        assert_eq!(set.staleness_hours(), 6.0);
        assert_eq!(set.staleness(), Duration::hours(6));
        let gap =
            AlarmRule::new(true, AlarmPriority::High, RuleThresholds::DataGap { trip_hours: 12.0, clear_hours: 2.0 })
                .unwrap();
        let set = set.with_rule(gap);
        assert_eq!(set.staleness_hours(), 12.0);
        let set = set.with_staleness_hours(Some(2.5)).unwrap();
        assert_eq!((set.staleness_hours(), set.configured_staleness_hours()), (2.5, Some(2.5)));
        assert_eq!(set.staleness(), Duration::minutes(150));
        let e = AlarmRuleSet::default().with_staleness_hours(Some(0.0)).unwrap_err();
        assert_eq!(e.field(), "staleness_hours");
        assert!(AlarmRuleSet::default().with_staleness_hours(Some(f64::NAN)).is_err());
        assert!(AlarmRuleSet::default().with_staleness_hours(Some(721.0)).is_err());
    }

    #[test]
    fn validation_names_the_field() {
        let high = AlarmPriority::High;
        let drop = |t, c| AlarmRule::new(true, high, RuleThresholds::ProductionDrop { trip_ratio: t, clear_ratio: c });
        assert_eq!(field_of(drop(0.0, 0.8).unwrap_err()), "production_drop.trip_ratio");
        assert_eq!(field_of(drop(1.0, 1.0).unwrap_err()), "production_drop.trip_ratio");
        assert_eq!(field_of(drop(f64::NAN, 0.8).unwrap_err()), "production_drop.trip_ratio");
        assert_eq!(field_of(drop(0.7, 0.6).unwrap_err()), "production_drop.clear_ratio");
        assert_eq!(field_of(drop(0.7, 1.01).unwrap_err()), "production_drop.clear_ratio");
        assert!(drop(0.7, 0.7).is_ok(), "no deadband is allowed");

        let mut limits = PressureLimits::DEFAULT_HIGH;
        limits.oil = Some(PressureLimit::new(1500.0, -1.0));
        let e = AlarmRule::new(true, high, RuleThresholds::PressureHigh { limits }).unwrap_err();
        assert_eq!(e.field(), "pressure_high.oil.deadband_psig");
        limits.oil = None;
        limits.disposal = Some(PressureLimit::new(40_000.0, 0.0));
        let e = AlarmRule::new(true, high, RuleThresholds::PressureHigh { limits }).unwrap_err();
        assert_eq!(e.field(), "pressure_high.disposal.trip_psig");
        // A low limit whose clear limit would leave the range.
        let mut low = PressureLimits::DEFAULT_LOW;
        low.gas = Some(PressureLimit::new(29_990.0, 20.0));
        let e = AlarmRule::new(true, high, RuleThresholds::PressureLow { limits: low }).unwrap_err();
        assert_eq!(e.field(), "pressure_low.gas.deadband_psig");
        // The same figures are fine as a high limit (clear limit 29,970).
        let mut hi = PressureLimits::DEFAULT_HIGH;
        hi.gas = Some(PressureLimit::new(29_990.0, 20.0));
        assert!(AlarmRule::new(true, high, RuleThresholds::PressureHigh { limits: hi }).is_ok());

        let e = AlarmRule::new(true, high, RuleThresholds::WellDown { clear_min_hours_on: 0.0 }).unwrap_err();
        assert_eq!(e.field(), "well_down.clear_min_hours_on");
        let anomaly = |r, c| {
            AlarmRule::new(
                true,
                high,
                RuleThresholds::Anomaly { min_severity: Severity::Low, raise_within_days: r, clear_after_days: c },
            )
        };
        assert_eq!(field_of(anomaly(4, 3).unwrap_err()), "anomaly.raise_within_days");
        assert_eq!(field_of(anomaly(1, 91).unwrap_err()), "anomaly.clear_after_days");
        assert!(anomaly(0, 0).is_ok());
        let gap = |t, c| AlarmRule::new(true, high, RuleThresholds::DataGap { trip_hours: t, clear_hours: c });
        assert_eq!(field_of(gap(0.0, 0.0).unwrap_err()), "data_gap.trip_hours");
        assert_eq!(field_of(gap(6.0, 7.0).unwrap_err()), "data_gap.clear_hours");
        assert_eq!(field_of(gap(6.0, 0.0).unwrap_err()), "data_gap.clear_hours");
        let e = gap(6.0, 7.0).unwrap_err();
        assert!(e.to_string().starts_with("data_gap.clear_hours must be"), "{e}");
        let fe: FieldError = e.into();
        assert_eq!(fe.field, "data_gap.clear_hours");
    }

    #[test]
    fn a_set_holds_each_kind_once_and_fills_in_defaults() {
        let drop = AlarmRule::default_for(AlarmRuleKind::ProductionDrop).with_priority(AlarmPriority::Low);
        let set = AlarmRuleSet::new([drop], None).unwrap();
        assert_eq!(set.rule(AlarmRuleKind::ProductionDrop).priority(), AlarmPriority::Low);
        assert_eq!(set.rule(AlarmRuleKind::WellDown), &AlarmRule::default_for(AlarmRuleKind::WellDown));
        let e = AlarmRuleSet::new([drop, drop.with_enabled(false)], None).unwrap_err();
        assert_eq!(e, AlarmRuleError::DuplicateRule(AlarmRuleKind::ProductionDrop));
        assert_eq!(e.field(), "rules");
        let replaced = AlarmRuleSet::default().with_rule(drop.with_enabled(false));
        assert!(!replaced.rule(AlarmRuleKind::ProductionDrop).enabled());
        assert!(replaced.rule(AlarmRuleKind::WellDown).enabled());
    }

    #[test]
    fn serde_round_trip_and_wire_shape() {
        let set = AlarmRuleSet::default()
            .with_rule(AlarmRule::default_for(AlarmRuleKind::Anomaly).with_enabled(false))
            .with_staleness_hours(Some(4.0))
            .unwrap();
        let json = serde_json::to_value(&set).unwrap();
        assert_eq!(json["staleness_hours"], 4.0);
        let rules = json["rules"].as_array().unwrap();
        assert_eq!(rules.len(), 6);
        assert_eq!(
            rules[1],
            json!({"kind": "production_drop", "enabled": true, "priority": "high", "trip_ratio": 0.7, "clear_ratio": 0.8})
        );
        assert_eq!(rules[0]["kind"], "well_down");
        assert_eq!(rules[0]["priority"], "critical");
        assert_eq!(rules[2]["oil"], json!({"trip_psig": 1500.0, "deadband_psig": 50.0}));
        assert_eq!(rules[3]["disposal"], serde_json::Value::Null);
        assert_eq!(rules[4]["min_severity"], "medium");
        assert_eq!(rules[4]["enabled"], false);
        assert_eq!(serde_json::from_value::<AlarmRuleSet>(json).unwrap(), set);
        // A partial set: the rest are defaults; staleness may be left out.
        let partial: AlarmRuleSet = serde_json::from_value(json!({"rules": [
            {"kind": "data_gap", "enabled": true, "priority": "low", "trip_hours": 24.0, "clear_hours": 1.0}
        ]}))
        .unwrap();
        assert_eq!(partial.rule(AlarmRuleKind::DataGap).priority(), AlarmPriority::Low);
        assert_eq!(partial.staleness_hours(), 24.0);
        // Thresholds alone serialise with their kind.
        let t = serde_json::to_value(RuleThresholds::default_for(AlarmRuleKind::WellDown)).unwrap();
        assert_eq!(t, json!({"kind": "well_down", "clear_min_hours_on": 1.0}));
        assert_eq!(
            serde_json::from_value::<RuleThresholds>(t).unwrap(),
            RuleThresholds::default_for(AlarmRuleKind::WellDown)
        );
        assert_eq!(serde_json::to_value(AlarmRuleKind::DataGap).unwrap(), "data_gap");
    }

    #[test]
    fn deserialisation_validates_and_rejects_unknown_fields() {
        let bad = json!({"rules": [
            {"kind": "production_drop", "enabled": true, "priority": "high", "trip_ratio": 0.9, "clear_ratio": 0.8}
        ]});
        let e = serde_json::from_value::<AlarmRuleSet>(bad).unwrap_err().to_string();
        assert!(e.contains("production_drop.clear_ratio"), "{e}");
        let unknown = json!({"rules": [
            {"kind": "production_drop", "enabled": true, "priority": "high", "trip_ratio": 0.7, "clear_ratio": 0.8,
             "trip_percent": 70}
        ]});
        assert!(serde_json::from_value::<AlarmRuleSet>(unknown).is_err());
        let unknown_top = json!({"rules": [], "stale_hours": 3});
        assert!(serde_json::from_value::<AlarmRuleSet>(unknown_top).is_err());
        let duplicate = json!({"rules": [
            {"kind": "well_down", "enabled": true, "priority": "critical", "clear_min_hours_on": 1.0},
            {"kind": "well_down", "enabled": false, "priority": "critical", "clear_min_hours_on": 1.0}
        ]});
        let e = serde_json::from_value::<AlarmRuleSet>(duplicate).unwrap_err().to_string();
        assert!(e.contains("well_down appears more than once"), "{e}");
        let unknown_kind = json!({"rules": [{"kind": "tank_high", "enabled": true, "priority": "low"}]});
        assert!(serde_json::from_value::<AlarmRuleSet>(unknown_kind).is_err());
        let bad_staleness = json!({"rules": [], "staleness_hours": -1.0});
        let e = serde_json::from_value::<AlarmRuleSet>(bad_staleness).unwrap_err().to_string();
        assert!(e.contains("staleness_hours"), "{e}");
    }

    #[test]
    fn kind_names_round_trip() {
        for kind in AlarmRuleKind::ALL {
            assert_eq!(kind.as_str().parse::<AlarmRuleKind>(), Ok(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
            assert!(!kind.label().is_empty());
        }
        assert!("pressure".parse::<AlarmRuleKind>().is_err());
    }
}
