//! Alarm management after ISA-18.2: alarm rules, their evaluation, the alarm life cycle and alarm-system health.
//! Pure: no clock, no I/O; every function that needs the time takes `now`.
//!
//! # Flow
//! 1. A tenant configures an [`AlarmRuleSet`] ([`rules`]): one [`AlarmRule`] per [`AlarmRuleKind`] (well down,
//!    production drop, tubing pressure high and low, anomaly, data gap), each with an [`AlarmPriority`]
//!    ([`priority`]: critical, high shown as "Warning", low shown as "Info"), a trip limit and a deadband to clear.
//! 2. For each well, [`evaluate()`] ([`mod@evaluate`]) turns a [`WellSnapshot`] into one [`Condition`] per enabled rule:
//!    active (value, limit, message), normal, or unknown (stale or missing data, out of service), judging a rule
//!    whose alarm is active against its clear limit.
//! 3. [`apply`] ([`lifecycle`]) feeds each condition to the open alarm of that (well, rule), or raises a new
//!    [`Alarm`]; [`Alarm::acknowledge`], [`Alarm::shelve`], [`Alarm::unshelve`] and [`Alarm::unshelve_if_expired`] are
//!    the operator's and the timer's side. Every state change comes back as an [`AlarmTransition`] for the journal.
//! 4. [`alarm_health`] ([`health`]) computes the EEMUA 191 / ISA-18.2 KPIs over a window of the journal.
//!
//! # Invariants
//! - One open alarm per (well, rule): a returning condition re-raises the open alarm and counts an occurrence.
//! - Stale data neither raises nor clears an alarm, except the data-gap alarm, which staleness raises.
//! - A value between the trip and clear limits keeps an active alarm active and raises nothing new.
//! - Shelved alarms and the alarms of out-of-service wells are not annunciated and not counted as unacknowledged.
//! - Every public type serialises in snake_case and deserialises back; rule sets are validated on the way in.

pub mod evaluate;
pub mod health;
pub mod lifecycle;
pub mod priority;
pub mod rules;

pub use evaluate::{
    Condition, LatestDay, PressureReading, RecentAnomaly, RuleEvaluation, UnknownReason, WellSnapshot, evaluate,
    evaluate_rule,
};
pub use health::{
    AlarmHealth, BadActor, ChatteringAlarm, HealthError, PriorityMix, RateAssessment, StandingAlarm, alarm_health,
};
pub use lifecycle::{
    Acknowledgement, Alarm, AlarmAction, AlarmCounts, AlarmError, AlarmId, AlarmState, AlarmTransition, AlarmUpdate,
    MAX_SHELVE_HOURS, MAX_TEXT_CHARS, NewAlarm, Shelving, apply, count_alarms,
};
pub use priority::AlarmPriority;
pub use rules::{
    AlarmRule, AlarmRuleError, AlarmRuleKind, AlarmRuleSet, PressureLimit, PressureLimits, RuleThresholds,
};

#[cfg(test)]
mod tests {
    //! The pieces together: evaluation feeding the life cycle feeding the health KPIs.
    use super::*;
    use crate::domain::{TenantId, UserId, WellId, WellStatus, WellType};
    use chrono::{Duration, NaiveDate, TimeZone, Utc};
    use uuid::Uuid;

    #[test]
    fn a_production_drop_from_evaluation_to_journal() {
        let t0 = Utc.with_ymd_and_hms(2024, 3, 10, 12, 0, 0).unwrap();
        let rules = AlarmRuleSet::default();
        let well_id = WellId(Uuid::from_u128(1));
        let snapshot = |oil: f64, now| WellSnapshot {
            well_type: WellType::Oil,
            status: WellStatus::Active,
            out_of_service: false,
            latest_reading_at: Some(now),
            latest_day: Some(LatestDay {
                day: NaiveDate::from_ymd_opt(2024, 3, 10).unwrap(),
                oil_bbl: oil,
                gas_mcf: 300.0,
                water_bbl: 100.0,
                hours_on: 24.0,
            }),
            tubing: Some(PressureReading { psig: 200.0, at: now }),
            trailing_avg_rate: Some(500.0),
            recent_anomalies: vec![],
        };
        let mut open: Option<Alarm> = None;
        let mut journal = Vec::new();
        // 300 (drop), 380 (deadband: stays), 420 (clears), 380 (deadband: nothing new), 300 (re-raise).
        for (i, oil) in [300.0, 380.0, 420.0, 380.0, 300.0].into_iter().enumerate() {
            let now = t0 + Duration::minutes(15 * i as i64);
            let active: Vec<AlarmRuleKind> = open.iter().filter(|a| a.state.is_active()).map(|a| a.rule).collect();
            let eval = evaluate(&rules, &snapshot(oil, now), &active, now);
            let drop = eval.iter().find(|e| e.kind == AlarmRuleKind::ProductionDrop).unwrap();
            let new = NewAlarm {
                id: AlarmId(Uuid::from_u128(100 + i as u128)),
                tenant_id: TenantId(Uuid::from_u128(9)),
                well_id,
                rule: drop.kind,
                priority: drop.priority,
            };
            if let Some(u) = apply(open.as_ref(), new, &drop.condition, now).unwrap() {
                journal.extend(u.transitions);
                open = Some(u.alarm);
            }
            if i == 0 {
                // The operator acknowledges the first raise with a comment.
                let u = open.as_ref().unwrap().acknowledge(UserId(Uuid::from_u128(5)), Some("checking"), now).unwrap();
                journal.extend(u.transitions);
                open = Some(u.alarm);
            }
        }
        let states: Vec<(AlarmAction, AlarmState)> = journal.iter().map(|t| (t.action, t.to)).collect();
        assert_eq!(
            states,
            [
                (AlarmAction::Raised, AlarmState::ActiveUnacknowledged),
                (AlarmAction::Acknowledged, AlarmState::ActiveAcknowledged),
                (AlarmAction::Returned, AlarmState::Normal),
                (AlarmAction::Raised, AlarmState::ActiveUnacknowledged),
            ]
        );
        // The acknowledged alarm closed; the second raise is a new alarm.
        assert_eq!(journal[0].alarm_id, AlarmId(Uuid::from_u128(100)));
        assert_eq!(journal[3].alarm_id, AlarmId(Uuid::from_u128(104)));
        let health = alarm_health(&journal, open.as_slice(), t0, t0 + Duration::hours(2)).unwrap();
        assert_eq!(health.raised, 2);
        assert_eq!(health.priority_mix.high, 2);
        assert_eq!(health.bad_actors.len(), 1);
        assert_eq!(health.bad_actors[0].raised, 2);
    }
}
