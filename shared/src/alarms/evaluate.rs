//! Evaluation: what each rule says about one well at `now`, from what is known about the well.
//!
//! # Input
//! A [`WellSnapshot`]: the well's type and status, whether its alarms are out of service, the time of its latest
//! reading, the latest day's volumes and hours on, the latest tubing pressure (with its own time), the trailing
//! 7-day average of the primary product and the recent analytics anomalies. Plus, per rule, whether its alarm is
//! currently active (`ActiveUnacknowledged` or `ActiveAcknowledged`; see [`super::AlarmState::is_active`]).
//!
//! # Output
//! Per rule a [`Condition`]: `Active { value, limit, message }`, `Normal`, or `Unknown { reason }` (neither raises
//! nor clears anything). [`evaluate()`] returns the enabled rules only; [`evaluate_rule`] evaluates one rule whether
//! it is enabled or not.
//!
//! # Rules, in order
//! 1. **Out of service.** A well whose alarms are out of service gives `Unknown { reason: out_of_service }` for every
//!    rule: no new alarm, and its open alarms freeze (ISA-18.2 out of service: the alarm is not processed).
//! 2. **Not active.** A well whose status is not `active` (shut in, inactive, plugged) is not expected to produce or
//!    report: every rule is `Normal`, so its open alarms return to normal.
//! 3. **Data gap** (the only rule that stale data raises). Age = `now - latest_reading_at` (0 if the reading is in
//!    the future). Not active: `Active` when age > `trip_hours`. Active: stays `Active` until age ≤ `clear_hours`
//!    (a late batch of old readings does not clear it; a fresh one does). A well without any reading is
//!    `Unknown { missing_data }` (a new well is not a gap). `value` = age in hours, `limit` = the limit in use.
//! 4. **Staleness** (every other rule). The latest reading (for the pressure rules: the latest tubing pressure) more
//!    than [`AlarmRuleSet::staleness_hours`] old gives `Unknown { stale }`; missing data gives
//!    `Unknown { missing_data }`. Stale data never clears an alarm and never raises one.
//! 5. **Limits in use.** A rule whose alarm is active is judged against its clear limit, otherwise against its trip
//!    limit (see [`super::rules`] for the table). A value between the two keeps an active alarm `Active` and leaves an
//!    inactive one `Normal`.
//! 6. **Well down** ([`super::rules`]): production is oil + gas / 6 (BOE, 6:1) for oil and gas wells and the water
//!    injected for injection and disposal wells. `value` = that production, `limit` = 0.
//! 7. **Production drop.** The rate is the latest day's primary product per calendar day: oil (bbl/d) for oil wells,
//!    gas (Mcf/d) for gas wells, water (bbl/d) for injection and disposal wells (an injection drop). A trailing
//!    average that is 0 or less is `Normal` (nothing to drop from). `value` = the rate, `limit` = ratio x average.
//! 8. **Consequential alarms.** While the well-down rule is enabled and its trip condition holds on the latest day,
//!    production drop and pressure low give `Unknown { well_down }`: a down well shows one critical alarm, not three
//!    (an existing drop or low-pressure alarm is held, not cleared). Pressure high is still evaluated: pressure
//!    building behind a shut-in is a hazard of its own.
//! 9. **Pressure.** The well type's limit from the rule; a type without a limit is `Normal`. `value` = tubing psig,
//!    `limit` = the limit in use.
//! 10. **Anomaly.** Among the anomalies of at least `min_severity`, the newest one's age in days before the latest
//!     day (0 if on or after it). `value` = its z, `limit` = the lower |z| of `min_severity` (2, 3 or 4, the
//!     analytics' bands). No qualifying anomaly is `Normal`.

use super::AlarmPriority;
use super::rules::{AlarmRuleKind, AlarmRuleSet, PressureLimit, RuleThresholds, hours};
use crate::analytics::anomalies::{Anomaly, Severity};
use crate::domain::{WellStatus, WellType};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The latest day of a well (the tenant's calendar day), with its values per the aggregation rules.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatestDay {
    pub day: NaiveDate,
    /// Oil, bbl/d.
    pub oil_bbl: f64,
    /// Gas, Mcf/d.
    pub gas_mcf: f64,
    /// Water, bbl/d (injected, for injection and disposal wells).
    pub water_bbl: f64,
    /// Hours on production (0 to 25).
    pub hours_on: f64,
}

/// A tubing-pressure reading.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PressureReading {
    pub psig: f64,
    pub at: DateTime<Utc>,
}

/// A recent anomaly of the well's primary product, as the analytics found it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RecentAnomaly {
    pub day: NaiveDate,
    pub severity: Severity,
    pub z: f64,
}

impl From<&Anomaly> for RecentAnomaly {
    fn from(a: &Anomaly) -> Self {
        Self { day: a.day, severity: a.severity, z: a.z }
    }
}

/// What is known about one well when its rules are evaluated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WellSnapshot {
    pub well_type: WellType,
    pub status: WellStatus,
    /// The well's alarms are out of service (suppressed by an operator).
    #[serde(default)]
    pub out_of_service: bool,
    /// When the newest reading of the well was taken; `None` if it never reported.
    pub latest_reading_at: Option<DateTime<Utc>>,
    /// The latest day with readings.
    pub latest_day: Option<LatestDay>,
    /// The newest tubing pressure.
    pub tubing: Option<PressureReading>,
    /// The mean primary-product rate per calendar day over the 7 days before the latest day.
    pub trailing_avg_rate: Option<f64>,
    /// Recent anomalies (any order, any severity).
    #[serde(default)]
    pub recent_anomalies: Vec<RecentAnomaly>,
}

/// Why a rule cannot say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnknownReason {
    /// The data is older than the staleness limit.
    Stale,
    /// The data the rule needs is missing.
    MissingData,
    /// The well's alarms are out of service.
    OutOfService,
    /// The well is down: this rule's condition is a consequence of it.
    WellDown,
}

/// What one rule says about one well.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Condition {
    /// In alarm: the measured value, the limit it was judged against (the clear limit while the alarm is active) and
    /// a sentence for the operator.
    Active { value: f64, limit: f64, message: String },
    /// Not in alarm.
    Normal,
    /// Cannot say: raises nothing, clears nothing.
    Unknown { reason: UnknownReason },
}

impl Condition {
    pub fn is_active(&self) -> bool {
        matches!(self, Condition::Active { .. })
    }

    fn unknown(reason: UnknownReason) -> Self {
        Condition::Unknown { reason }
    }
}

/// One rule's verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleEvaluation {
    pub kind: AlarmRuleKind,
    pub priority: AlarmPriority,
    pub condition: Condition,
}

/// Every enabled rule of `rules` on `well` at `now`, in [`AlarmRuleKind::ALL`] order. `active` lists the rules whose
/// alarm on this well is currently active (they are judged against their clear limits).
pub fn evaluate(
    rules: &AlarmRuleSet,
    well: &WellSnapshot,
    active: &[AlarmRuleKind],
    now: DateTime<Utc>,
) -> Vec<RuleEvaluation> {
    rules
        .rules()
        .iter()
        .filter(|r| r.enabled())
        .map(|r| RuleEvaluation {
            kind: r.kind(),
            priority: r.priority(),
            condition: evaluate_rule(rules, r.kind(), well, active.contains(&r.kind()), now),
        })
        .collect()
}

/// One rule of `rules` on `well` at `now` (enabled or not); `active`: its alarm is currently active.
pub fn evaluate_rule(
    rules: &AlarmRuleSet,
    kind: AlarmRuleKind,
    well: &WellSnapshot,
    active: bool,
    now: DateTime<Utc>,
) -> Condition {
    if well.out_of_service {
        return Condition::unknown(UnknownReason::OutOfService);
    }
    if well.status != WellStatus::Active {
        return Condition::Normal;
    }
    let thresholds = *rules.rule(kind).thresholds();
    if let RuleThresholds::DataGap { trip_hours, clear_hours } = thresholds {
        return data_gap(well, trip_hours, clear_hours, active, now);
    }
    let fresh = |at: DateTime<Utc>| now.signed_duration_since(at) <= rules.staleness();
    let Some(latest_at) = well.latest_reading_at else {
        return Condition::unknown(UnknownReason::MissingData);
    };
    if !fresh(latest_at) {
        return Condition::unknown(UnknownReason::Stale);
    }
    let well_down_holds = || {
        rules.rule(AlarmRuleKind::WellDown).enabled()
            && well.latest_day.and_then(|d| day_production(well.well_type, &d)).is_some_and(|(_, down)| down)
    };
    match thresholds {
        RuleThresholds::WellDown { clear_min_hours_on } => well_down(well, clear_min_hours_on, active),
        RuleThresholds::ProductionDrop { trip_ratio, clear_ratio } => {
            if well_down_holds() {
                return Condition::unknown(UnknownReason::WellDown);
            }
            production_drop(well, trip_ratio, clear_ratio, active)
        }
        RuleThresholds::PressureHigh { limits } | RuleThresholds::PressureLow { limits } => {
            let high = kind == AlarmRuleKind::PressureHigh;
            if !high && well_down_holds() {
                return Condition::unknown(UnknownReason::WellDown);
            }
            let Some(reading) = well.tubing.filter(|t| t.psig.is_finite()) else {
                return Condition::unknown(UnknownReason::MissingData);
            };
            if !fresh(reading.at) {
                return Condition::unknown(UnknownReason::Stale);
            }
            match limits.for_type(well.well_type) {
                None => Condition::Normal,
                Some(limit) => pressure(reading.psig, limit, high, active),
            }
        }
        RuleThresholds::Anomaly { min_severity, raise_within_days, clear_after_days } => {
            anomaly(well, min_severity, raise_within_days, clear_after_days, active)
        }
        RuleThresholds::DataGap { .. } => Condition::Normal,
    }
}

fn data_gap(well: &WellSnapshot, trip_hours: f64, clear_hours: f64, active: bool, now: DateTime<Utc>) -> Condition {
    let Some(at) = well.latest_reading_at else {
        return Condition::unknown(UnknownReason::MissingData);
    };
    let age = now.signed_duration_since(at).max(chrono::Duration::zero());
    let age_hours = age.num_milliseconds() as f64 / 3_600_000.0;
    let in_alarm = if active { age > hours(clear_hours) } else { age > hours(trip_hours) };
    if !in_alarm {
        return Condition::Normal;
    }
    let (limit, note) = if active {
        (clear_hours, format!("clears with a reading at most {clear_hours} h old"))
    } else {
        (trip_hours, format!("limit {trip_hours} h"))
    };
    Condition::Active { value: age_hours, limit, message: format!("no reading for {age_hours:.1} h ({note})") }
}

/// The day's production (BOE 6:1 for producers, water injected otherwise) and whether the well-down trip condition
/// holds; `None` if a figure is not finite.
fn day_production(well_type: WellType, d: &LatestDay) -> Option<(f64, bool)> {
    if ![d.oil_bbl, d.gas_mcf, d.water_bbl, d.hours_on].iter().all(|v| v.is_finite()) {
        return None;
    }
    let production = match well_type {
        WellType::Oil | WellType::Gas => d.oil_bbl + d.gas_mcf / 6.0,
        WellType::Injection | WellType::Disposal => d.water_bbl,
    };
    Some((production, shows_down(well_type, d.oil_bbl, d.gas_mcf, d.water_bbl, d.hours_on)))
}

/// The well-down trip test on one day's (or one reading's) figures: no oil and no gas (oil and gas wells), no water
/// injected (injection and disposal wells), or 0 hours on. The map's "down" status uses it too.
pub fn shows_down(well_type: WellType, oil_bbl: f64, gas_mcf: f64, water_bbl: f64, hours_on: f64) -> bool {
    let none = match well_type {
        WellType::Oil | WellType::Gas => oil_bbl <= 0.0 && gas_mcf <= 0.0,
        WellType::Injection | WellType::Disposal => water_bbl <= 0.0,
    };
    none || hours_on <= 0.0
}

fn production_unit(well_type: WellType) -> &'static str {
    match well_type {
        WellType::Oil | WellType::Gas => "BOE (6:1)",
        WellType::Injection | WellType::Disposal => "bbl water injected",
    }
}

fn well_down(well: &WellSnapshot, clear_min_hours_on: f64, active: bool) -> Condition {
    let Some(d) = well.latest_day else {
        return Condition::unknown(UnknownReason::MissingData);
    };
    let Some((production, down)) = day_production(well.well_type, &d) else {
        return Condition::unknown(UnknownReason::MissingData);
    };
    let cleared = d.hours_on >= clear_min_hours_on && production > 0.0;
    let in_alarm = if active { !cleared } else { down };
    if !in_alarm {
        return Condition::Normal;
    }
    let unit = production_unit(well.well_type);
    let mut message = format!("well down on {}: {:.1} h on, {production:.1} {unit}", d.day, d.hours_on);
    if active && !down {
        message.push_str(&format!(" (clears at {clear_min_hours_on} h on with production)"));
    }
    Condition::Active { value: production, limit: 0.0, message }
}

fn primary(well_type: WellType, d: &LatestDay) -> (f64, &'static str, &'static str) {
    match well_type {
        WellType::Oil => (d.oil_bbl, "oil", "bbl/d"),
        WellType::Gas => (d.gas_mcf, "gas", "Mcf/d"),
        WellType::Injection | WellType::Disposal => (d.water_bbl, "water injection", "bbl/d"),
    }
}

fn production_drop(well: &WellSnapshot, trip_ratio: f64, clear_ratio: f64, active: bool) -> Condition {
    let (Some(d), Some(avg)) = (well.latest_day, well.trailing_avg_rate) else {
        return Condition::unknown(UnknownReason::MissingData);
    };
    let (rate, product, unit) = primary(well.well_type, &d);
    if !rate.is_finite() || !avg.is_finite() {
        return Condition::unknown(UnknownReason::MissingData);
    }
    if avg <= 0.0 {
        return Condition::Normal;
    }
    let (in_alarm, ratio, edge) = if active {
        (rate <= clear_ratio * avg, clear_ratio, "clears above")
    } else {
        (rate < trip_ratio * avg, trip_ratio, "trips below")
    };
    if !in_alarm {
        return Condition::Normal;
    }
    let limit = ratio * avg;
    Condition::Active {
        value: rate,
        limit,
        message: format!(
            "{product} {rate:.1} {unit} is {:.0} % of the 7-day average {avg:.1} {unit} ({edge} {:.0} %)",
            100.0 * rate / avg,
            100.0 * ratio
        ),
    }
}

fn pressure(psig: f64, limit: PressureLimit, high: bool, active: bool) -> Condition {
    let PressureLimit { trip_psig, deadband_psig } = limit;
    let (in_alarm, limit, text) = match (high, active) {
        (true, false) => (psig > trip_psig, trip_psig, format!("above the {trip_psig:.0} psig limit")),
        (true, true) => {
            let clear = trip_psig - deadband_psig;
            (psig >= clear, clear, format!("high (limit {trip_psig:.0} psig, clears below {clear:.0} psig)"))
        }
        (false, false) => (psig < trip_psig, trip_psig, format!("below the {trip_psig:.0} psig limit")),
        (false, true) => {
            let clear = trip_psig + deadband_psig;
            (psig <= clear, clear, format!("low (limit {trip_psig:.0} psig, clears above {clear:.0} psig)"))
        }
    };
    if !in_alarm {
        return Condition::Normal;
    }
    Condition::Active { value: psig, limit, message: format!("tubing pressure {psig:.0} psig {text}") }
}

/// The lowest |z| of a severity band (the analytics flag |z| > 2; medium above 3, high above 4).
fn severity_floor(s: Severity) -> f64 {
    match s {
        Severity::Low => 2.0,
        Severity::Medium => 3.0,
        Severity::High => 4.0,
    }
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Low => "low",
        Severity::Medium => "medium",
        Severity::High => "high",
    }
}

fn anomaly(
    well: &WellSnapshot,
    min_severity: Severity,
    raise_within_days: u32,
    clear_after_days: u32,
    active: bool,
) -> Condition {
    let Some(latest) = well.latest_day else {
        return Condition::unknown(UnknownReason::MissingData);
    };
    let newest = well.recent_anomalies.iter().filter(|a| a.severity >= min_severity).max_by_key(|a| a.day);
    let Some(a) = newest else {
        return Condition::Normal;
    };
    let age = latest.day.signed_duration_since(a.day).num_days().max(0);
    let window = if active { clear_after_days } else { raise_within_days };
    if age > i64::from(window) {
        return Condition::Normal;
    }
    Condition::Active {
        value: a.z,
        limit: severity_floor(min_severity),
        message: format!("{} anomaly on {} (z = {:.1})", severity_name(a.severity), a.day, a.z),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alarms::rules::{AlarmRule, PressureLimits};
    use chrono::{Duration, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 3, 10, 12, 0, 0).unwrap()
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 3, d).unwrap()
    }

    /// An active oil well that reported an hour ago: 400 bbl/d against a 7-day average of 500, 24 h on, 300 psig.
    fn oil_well() -> WellSnapshot {
        WellSnapshot {
            well_type: WellType::Oil,
            status: WellStatus::Active,
            out_of_service: false,
            latest_reading_at: Some(now() - Duration::hours(1)),
            latest_day: Some(LatestDay {
                day: day(10),
                oil_bbl: 400.0,
                gas_mcf: 600.0,
                water_bbl: 900.0,
                hours_on: 24.0,
            }),
            tubing: Some(PressureReading { psig: 300.0, at: now() - Duration::hours(1) }),
            trailing_avg_rate: Some(500.0),
            recent_anomalies: vec![],
        }
    }

    fn eval(kind: AlarmRuleKind, well: &WellSnapshot, active: bool) -> Condition {
        evaluate_rule(&AlarmRuleSet::default(), kind, well, active, now())
    }

    fn with_day(f: impl FnOnce(&mut LatestDay)) -> WellSnapshot {
        let mut w = oil_well();
        if let Some(d) = w.latest_day.as_mut() {
            f(d);
        }
        w
    }

    fn with_psig(psig: f64) -> WellSnapshot {
        WellSnapshot { tubing: Some(PressureReading { psig, at: now() - Duration::hours(1) }), ..oil_well() }
    }

    fn stale(mut w: WellSnapshot) -> WellSnapshot {
        let old = now() - Duration::hours(6) - Duration::seconds(1);
        w.latest_reading_at = Some(old);
        if let Some(t) = w.tubing.as_mut() {
            t.at = old;
        }
        w
    }

    const STALE: Condition = Condition::Unknown { reason: UnknownReason::Stale };

    #[test]
    fn a_healthy_well_is_normal_on_every_rule() {
        let out = evaluate(&AlarmRuleSet::default(), &oil_well(), &[], now());
        assert_eq!(out.len(), 6);
        assert!(out.iter().all(|e| e.condition == Condition::Normal), "{out:#?}");
        assert_eq!(out[0].priority, AlarmPriority::Critical);
    }

    #[test]
    fn well_down_trips_on_zero_hours_or_zero_production_and_clears_past_its_deadband() {
        let zero_hours = with_day(|d| d.hours_on = 0.0);
        assert!(eval(AlarmRuleKind::WellDown, &zero_hours, false).is_active());
        let no_volume = with_day(|d| (d.oil_bbl, d.gas_mcf) = (0.0, 0.0));
        let Condition::Active { value, limit, message } = eval(AlarmRuleKind::WellDown, &no_volume, false) else {
            panic!("zero oil and gas is down")
        };
        assert_eq!((value, limit), (0.0, 0.0));
        assert!(message.contains("well down on 2024-03-10"), "{message}");
        // Gas alone keeps an oil well up.
        let gas_only = with_day(|d| d.oil_bbl = 0.0);
        assert_eq!(eval(AlarmRuleKind::WellDown, &gas_only, false), Condition::Normal);
        // Deadband: 0.5 h on with some production neither raises nor clears (clear needs 1 h on).
        let restarting = with_day(|d| (d.hours_on, d.oil_bbl) = (0.5, 10.0));
        assert_eq!(eval(AlarmRuleKind::WellDown, &restarting, false), Condition::Normal);
        assert!(eval(AlarmRuleKind::WellDown, &restarting, true).is_active());
        let restarted = with_day(|d| (d.hours_on, d.oil_bbl) = (1.0, 10.0));
        assert_eq!(eval(AlarmRuleKind::WellDown, &restarted, true), Condition::Normal);
        // Hours on without production does not clear.
        let no_flow = with_day(|d| (d.oil_bbl, d.gas_mcf) = (0.0, 0.0));
        assert!(eval(AlarmRuleKind::WellDown, &no_flow, true).is_active());
    }

    #[test]
    fn well_down_of_an_injection_well_looks_at_the_water_injected() {
        let mut w = with_day(|d| (d.oil_bbl, d.gas_mcf, d.water_bbl) = (0.0, 0.0, 2000.0));
        w.well_type = WellType::Injection;
        assert_eq!(eval(AlarmRuleKind::WellDown, &w, false), Condition::Normal);
        w.latest_day = w.latest_day.map(|d| LatestDay { water_bbl: 0.0, ..d });
        assert!(eval(AlarmRuleKind::WellDown, &w, false).is_active());
    }

    #[test]
    fn production_drop_trips_below_seventy_percent_and_clears_above_eighty() {
        let at = |oil: f64, active: bool| eval(AlarmRuleKind::ProductionDrop, &with_day(|d| d.oil_bbl = oil), active);
        // Trip edge: below 350 of 500.
        assert_eq!(at(351.0, false), Condition::Normal);
        let Condition::Active { value, limit, message } = at(349.0, false) else { panic!("349 < 350 trips") };
        assert_eq!(value, 349.0);
        assert!((limit - 350.0).abs() < 1e-9, "{limit}");
        assert!(message.contains("70 % of the 7-day average"), "{message}");
        // Deadband 350..=400: an active alarm stays active, an inactive one is not raised.
        for oil in [351.0, 375.0, 400.0] {
            assert_eq!(at(oil, false), Condition::Normal, "{oil}");
            let Condition::Active { limit, .. } = at(oil, true) else { panic!("{oil} keeps the alarm") };
            assert!((limit - 400.0).abs() < 1e-9, "judged against the clear limit: {limit}");
        }
        assert_eq!(at(401.0, true), Condition::Normal);
        // A gas well is judged on gas.
        let mut gas = with_day(|d| (d.oil_bbl, d.gas_mcf) = (0.0, 100.0));
        gas.well_type = WellType::Gas;
        gas.trailing_avg_rate = Some(1000.0);
        assert!(eval(AlarmRuleKind::ProductionDrop, &gas, false).is_active());
        // No baseline: nothing to drop from; no average at all: unknown.
        let none = WellSnapshot { trailing_avg_rate: Some(0.0), ..with_day(|d| d.oil_bbl = 1.0) };
        assert_eq!(eval(AlarmRuleKind::ProductionDrop, &none, false), Condition::Normal);
        let missing = WellSnapshot { trailing_avg_rate: None, ..oil_well() };
        assert_eq!(
            eval(AlarmRuleKind::ProductionDrop, &missing, true),
            Condition::Unknown { reason: UnknownReason::MissingData }
        );
    }

    #[test]
    fn pressure_high_uses_the_well_type_limit_and_its_deadband() {
        // Oil: trips above 1500, clears below 1450.
        assert_eq!(eval(AlarmRuleKind::PressureHigh, &with_psig(1500.0), false), Condition::Normal);
        let Condition::Active { value, limit, .. } = eval(AlarmRuleKind::PressureHigh, &with_psig(1500.5), false)
        else {
            panic!("above the limit")
        };
        assert_eq!((value, limit), (1500.5, 1500.0));
        for psig in [1450.0, 1480.0, 1500.0] {
            assert_eq!(eval(AlarmRuleKind::PressureHigh, &with_psig(psig), false), Condition::Normal);
            let Condition::Active { limit, .. } = eval(AlarmRuleKind::PressureHigh, &with_psig(psig), true) else {
                panic!("{psig} is inside the deadband")
            };
            assert_eq!(limit, 1450.0);
        }
        assert_eq!(eval(AlarmRuleKind::PressureHigh, &with_psig(1449.0), true), Condition::Normal);
        // The same pressure on a gas well (limit 3000) is normal.
        let gas = WellSnapshot { well_type: WellType::Gas, ..with_psig(2000.0) };
        assert_eq!(eval(AlarmRuleKind::PressureHigh, &gas, false), Condition::Normal);
        let gas = WellSnapshot { well_type: WellType::Gas, ..with_psig(3001.0) };
        assert!(eval(AlarmRuleKind::PressureHigh, &gas, false).is_active());
    }

    #[test]
    fn pressure_low_trips_below_and_clears_above_limit_plus_deadband() {
        // Oil: trips below 25, clears above 40.
        assert_eq!(eval(AlarmRuleKind::PressureLow, &with_psig(25.0), false), Condition::Normal);
        assert!(eval(AlarmRuleKind::PressureLow, &with_psig(24.9), false).is_active());
        assert!(eval(AlarmRuleKind::PressureLow, &with_psig(40.0), true).is_active());
        assert_eq!(eval(AlarmRuleKind::PressureLow, &with_psig(30.0), false), Condition::Normal);
        assert_eq!(eval(AlarmRuleKind::PressureLow, &with_psig(40.1), true), Condition::Normal);
        // Disposal wells have no low limit by default: vacuum is normal.
        let swd = WellSnapshot { well_type: WellType::Disposal, ..with_psig(-10.0) };
        assert_eq!(eval(AlarmRuleKind::PressureLow, &swd, false), Condition::Normal);
        // A configured limit is used.
        let mut limits = PressureLimits::DEFAULT_LOW;
        limits.disposal = Some(PressureLimit::new(0.0, 5.0));
        let rule = AlarmRule::new(true, AlarmPriority::Low, RuleThresholds::PressureLow { limits }).unwrap();
        let rules = AlarmRuleSet::default().with_rule(rule);
        assert!(evaluate_rule(&rules, AlarmRuleKind::PressureLow, &swd, false, now()).is_active());
    }

    #[test]
    fn anomaly_raises_on_recent_severe_ones_and_clears_after_quiet_days() {
        let with = |anomalies: Vec<RecentAnomaly>| WellSnapshot { recent_anomalies: anomalies, ..oil_well() };
        let a = |d: u32, severity: Severity| RecentAnomaly { day: day(d), severity, z: -3.5 };
        // A low-severity anomaly is below the default (medium).
        assert_eq!(eval(AlarmRuleKind::Anomaly, &with(vec![a(10, Severity::Low)]), false), Condition::Normal);
        // Medium on the latest day or the day before raises; two days before does not.
        let Condition::Active { value, limit, message } =
            eval(AlarmRuleKind::Anomaly, &with(vec![a(9, Severity::Medium)]), false)
        else {
            panic!("medium one day before")
        };
        assert_eq!((value, limit), (-3.5, 3.0));
        assert!(message.contains("medium anomaly on 2024-03-09"), "{message}");
        assert_eq!(eval(AlarmRuleKind::Anomaly, &with(vec![a(8, Severity::High)]), false), Condition::Normal);
        // Once active, it holds for three days and clears on the fourth.
        assert!(eval(AlarmRuleKind::Anomaly, &with(vec![a(7, Severity::High)]), true).is_active());
        assert_eq!(eval(AlarmRuleKind::Anomaly, &with(vec![a(6, Severity::High)]), true), Condition::Normal);
        // The newest qualifying anomaly counts, whatever the order; a newer low one is ignored.
        let mixed = with(vec![a(10, Severity::Low), a(9, Severity::High), a(2, Severity::High)]);
        assert!(eval(AlarmRuleKind::Anomaly, &mixed, false).is_active());
        assert_eq!(eval(AlarmRuleKind::Anomaly, &with(vec![]), true), Condition::Normal);
    }

    #[test]
    fn data_gap_trips_after_six_hours_and_clears_with_a_fresh_reading() {
        let aged = |h: i64, s: i64| WellSnapshot {
            latest_reading_at: Some(now() - Duration::hours(h) - Duration::seconds(s)),
            ..oil_well()
        };
        assert_eq!(eval(AlarmRuleKind::DataGap, &aged(6, 0), false), Condition::Normal);
        let Condition::Active { value, limit, .. } = eval(AlarmRuleKind::DataGap, &aged(6, 36), false) else {
            panic!("6.01 h without a reading")
        };
        assert!((value - 6.01).abs() < 1e-9, "{value}");
        assert_eq!(limit, 6.0);
        // A late batch 4 h old keeps the gap open (clears at 3 h), but raises nothing new.
        assert!(eval(AlarmRuleKind::DataGap, &aged(4, 0), true).is_active());
        assert_eq!(eval(AlarmRuleKind::DataGap, &aged(4, 0), false), Condition::Normal);
        assert_eq!(eval(AlarmRuleKind::DataGap, &aged(3, 0), true), Condition::Normal);
        // A well that never reported is not a gap.
        let never = WellSnapshot { latest_reading_at: None, latest_day: None, tubing: None, ..oil_well() };
        assert_eq!(
            eval(AlarmRuleKind::DataGap, &never, false),
            Condition::Unknown { reason: UnknownReason::MissingData }
        );
    }

    #[test]
    fn stale_data_neither_raises_nor_clears_except_the_data_gap() {
        // Data that would raise every rule, six hours and a second old.
        let mut alarming = with_day(|d| (d.oil_bbl, d.gas_mcf, d.hours_on) = (0.0, 0.0, 0.0));
        alarming.tubing = Some(PressureReading { psig: 5000.0, at: now() });
        alarming.recent_anomalies = vec![RecentAnomaly { day: day(10), severity: Severity::High, z: 6.0 }];
        let alarming = stale(alarming);
        let healthy = stale(oil_well());
        for kind in [
            AlarmRuleKind::WellDown,
            AlarmRuleKind::ProductionDrop,
            AlarmRuleKind::PressureHigh,
            AlarmRuleKind::Anomaly,
        ] {
            for active in [false, true] {
                assert_eq!(eval(kind, &alarming, active), STALE, "{kind} active={active}");
                assert_eq!(eval(kind, &healthy, active), STALE, "{kind} active={active}");
            }
        }
        assert_eq!(eval(AlarmRuleKind::PressureLow, &healthy, true), STALE);
        // Staleness is what raises the data gap.
        assert!(eval(AlarmRuleKind::DataGap, &healthy, false).is_active());
        // At exactly the staleness limit the data is still fresh.
        let edge = WellSnapshot { latest_reading_at: Some(now() - Duration::hours(6)), ..oil_well() };
        assert_eq!(eval(AlarmRuleKind::WellDown, &edge, true), Condition::Normal, "fresh data clears");
        // A configured staleness shorter than the gap.
        let rules = AlarmRuleSet::default().with_staleness_hours(Some(0.5)).unwrap();
        assert_eq!(evaluate_rule(&rules, AlarmRuleKind::WellDown, &oil_well(), false, now()), STALE);
    }

    #[test]
    fn a_stale_pressure_is_judged_on_its_own_time() {
        let mut w = with_psig(2000.0);
        w.tubing = w.tubing.map(|t| PressureReading { at: now() - Duration::hours(7), ..t });
        assert_eq!(eval(AlarmRuleKind::PressureHigh, &w, false), STALE);
        assert_eq!(eval(AlarmRuleKind::PressureHigh, &w, true), STALE);
        w.tubing = None;
        assert_eq!(
            eval(AlarmRuleKind::PressureHigh, &w, true),
            Condition::Unknown { reason: UnknownReason::MissingData }
        );
    }

    #[test]
    fn out_of_service_suppresses_and_inactive_wells_are_normal() {
        let mut w = with_day(|d| d.hours_on = 0.0);
        w.out_of_service = true;
        let out = evaluate(&AlarmRuleSet::default(), &w, &AlarmRuleKind::ALL, now());
        assert!(out.iter().all(|e| e.condition == Condition::Unknown { reason: UnknownReason::OutOfService }));
        let shut_in =
            WellSnapshot { status: WellStatus::ShutIn, latest_reading_at: None, ..with_day(|d| d.hours_on = 0.0) };
        let out = evaluate(&AlarmRuleSet::default(), &shut_in, &AlarmRuleKind::ALL, now());
        assert!(out.iter().all(|e| e.condition == Condition::Normal), "{out:#?}");
    }

    #[test]
    fn a_down_well_raises_one_alarm_not_three() {
        let mut w = with_day(|d| (d.oil_bbl, d.gas_mcf, d.hours_on) = (0.0, 0.0, 0.0));
        w.tubing = Some(PressureReading { psig: 5.0, at: now() });
        let by_kind = |rules: &AlarmRuleSet, w: &WellSnapshot| -> Vec<(AlarmRuleKind, Condition)> {
            evaluate(rules, w, &[], now()).into_iter().map(|e| (e.kind, e.condition)).collect()
        };
        let out = by_kind(&AlarmRuleSet::default(), &w);
        let held = Condition::Unknown { reason: UnknownReason::WellDown };
        assert!(out[0].1.is_active());
        assert_eq!(out[1], (AlarmRuleKind::ProductionDrop, held.clone()));
        assert_eq!(out[3], (AlarmRuleKind::PressureLow, held));
        // Pressure high is still judged: a shut-in building pressure is a hazard.
        w.tubing = Some(PressureReading { psig: 1600.0, at: now() });
        assert!(by_kind(&AlarmRuleSet::default(), &w)[2].1.is_active());
        // With the well-down rule disabled, the drop is reported itself.
        w.tubing = Some(PressureReading { psig: 5.0, at: now() });
        let rules =
            AlarmRuleSet::default().with_rule(AlarmRule::default_for(AlarmRuleKind::WellDown).with_enabled(false));
        let out = by_kind(&rules, &w);
        assert_eq!(out.len(), 5, "disabled rules are not evaluated");
        assert_eq!(out[0].0, AlarmRuleKind::ProductionDrop);
        assert!(out[0].1.is_active() && out[2].1.is_active(), "{out:#?}");
    }

    #[test]
    fn evaluate_passes_the_active_rules_on() {
        // 380 bbl/d of 500: in the deadband.
        let w = with_day(|d| d.oil_bbl = 380.0);
        let rules = AlarmRuleSet::default();
        let find = |active: &[AlarmRuleKind]| {
            evaluate(&rules, &w, active, now()).into_iter().find(|e| e.kind == AlarmRuleKind::ProductionDrop).unwrap()
        };
        assert_eq!(find(&[]).condition, Condition::Normal);
        assert!(find(&[AlarmRuleKind::ProductionDrop]).condition.is_active());
        assert_eq!(find(&[AlarmRuleKind::PressureHigh]).condition, Condition::Normal);
    }

    #[test]
    fn conditions_and_snapshots_serialise_in_snake_case() {
        let active = Condition::Active { value: 1.0, limit: 2.0, message: "m".into() };
        let json = serde_json::to_value(&active).unwrap();
        assert_eq!(json, serde_json::json!({"status": "active", "value": 1.0, "limit": 2.0, "message": "m"}));
        assert_eq!(serde_json::from_value::<Condition>(json).unwrap(), active);
        let unknown = Condition::Unknown { reason: UnknownReason::MissingData };
        let json = serde_json::to_value(&unknown).unwrap();
        assert_eq!(json, serde_json::json!({"status": "unknown", "reason": "missing_data"}));
        assert_eq!(serde_json::from_value::<Condition>(json).unwrap(), unknown);
        assert_eq!(serde_json::to_value(Condition::Normal).unwrap(), serde_json::json!({"status": "normal"}));
        let mut w = oil_well();
        w.recent_anomalies = vec![RecentAnomaly { day: day(9), severity: Severity::High, z: 4.2 }];
        let json = serde_json::to_value(&w).unwrap();
        assert_eq!(json["well_type"], "oil");
        assert_eq!(json["recent_anomalies"][0]["severity"], "high");
        assert_eq!(serde_json::from_value::<WellSnapshot>(json).unwrap(), w);
        let e = RuleEvaluation {
            kind: AlarmRuleKind::DataGap,
            priority: AlarmPriority::High,
            condition: Condition::Normal,
        };
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["kind"], "data_gap");
        assert_eq!(serde_json::from_value::<RuleEvaluation>(json).unwrap(), e);
    }
}
