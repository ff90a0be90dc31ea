//! The alarm life cycle after ISA-18.2: states, acknowledgement, shelving, and the journal of transitions.
//!
//! # States
//! [`AlarmState`]: `active_unacknowledged`, `active_acknowledged`, `returned_unacknowledged` (the condition returned
//! to normal before anyone acknowledged it) and `normal` (closed). An alarm is **open** in every state but `normal`;
//! there is at most one open alarm per (well, rule): a condition that comes back while its alarm is still open
//! re-raises that alarm and counts an occurrence ([`Alarm::occurrences`]) instead of opening a second one. Once
//! closed, an alarm never reopens; the next active condition raises a new alarm ([`Alarm::raise`], with an id the
//! caller gives, e.g. a UUID v7). [`apply`] does that choice for the caller.
//!
//! # Transitions (state x event → state)
//! | State | condition active | condition normal | unknown | acknowledge |
//! |---|---|---|---|---|
//! | (none) / `normal` | raise a new alarm: `active_unacknowledged`, occurrence 1 | - | - | error `closed` |
//! | `active_unacknowledged` | stays; value, limit, message updated | `returned_unacknowledged` | stays | `active_acknowledged` |
//! | `active_acknowledged` | stays; value, limit, message updated | `normal` (closed) | stays | error `already_acknowledged` |
//! | `returned_unacknowledged` | `active_unacknowledged`, occurrence + 1 | stays | stays | `normal` (closed) |
//!
//! Each state change is one [`AlarmTransition`] in the journal (raised, returned, acknowledged); a value update
//! within a state is not journaled. `Unknown` (stale or missing data, an out-of-service well) changes nothing.
//!
//! # Shelving and out of service
//! - **Shelve** ([`Alarm::shelve`]): an operator hides an open alarm until `until`, with a reason (required, at most
//!   [`MAX_TEXT_CHARS`] characters). `until` must be after `now` and at most [`MAX_SHELVE_HOURS`] (7 days) ahead; an
//!   alarm already shelved must be unshelved first. The state machine runs on underneath (shelving changes no
//!   state); a shelved alarm is not annunciated and does not count as unacknowledged. Shelving ends at `until`
//!   exactly: [`Alarm::is_shelved`] is false from `until` on, and [`Alarm::unshelve_if_expired`] removes the shelf and
//!   journals `shelf_expired` at `until`; [`Alarm::unshelve`] ends it early. A closing alarm drops its shelf.
//! - **Out of service** is per well and lives outside the alarm: evaluation gives `Unknown` for every rule of such a
//!   well (no new alarm; open ones freeze), and [`Alarm::is_annunciated`] takes the well's flag, so its open alarms
//!   are not annunciated and not counted.
//!
//! # Acknowledgement
//! Records who, when and an optional comment (trimmed; empty means none; at most [`MAX_TEXT_CHARS`] characters).

use super::evaluate::Condition;
use super::priority::AlarmPriority;
use super::rules::AlarmRuleKind;
use crate::domain::{TenantId, UserId, WellId};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Identifies an alarm; chosen by the caller (a UUID v7 keeps them in raise order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlarmId(pub Uuid);

impl std::fmt::Display for AlarmId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The ISA-18.2 alarm states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AlarmState {
    ActiveUnacknowledged,
    ActiveAcknowledged,
    /// The condition returned to normal before the alarm was acknowledged.
    ReturnedUnacknowledged,
    /// Closed.
    Normal,
}

impl AlarmState {
    pub const ALL: [AlarmState; 4] = [
        AlarmState::ActiveUnacknowledged,
        AlarmState::ActiveAcknowledged,
        AlarmState::ReturnedUnacknowledged,
        AlarmState::Normal,
    ];

    /// Every state but `normal`: the alarm holds its (well, rule) and blocks a second alarm.
    pub fn is_open(self) -> bool {
        self != AlarmState::Normal
    }

    /// The condition is in alarm (acknowledged or not).
    pub fn is_active(self) -> bool {
        matches!(self, AlarmState::ActiveUnacknowledged | AlarmState::ActiveAcknowledged)
    }

    /// Waiting for an acknowledgement.
    pub fn is_unacknowledged(self) -> bool {
        matches!(self, AlarmState::ActiveUnacknowledged | AlarmState::ReturnedUnacknowledged)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AlarmState::ActiveUnacknowledged => "active_unacknowledged",
            AlarmState::ActiveAcknowledged => "active_acknowledged",
            AlarmState::ReturnedUnacknowledged => "returned_unacknowledged",
            AlarmState::Normal => "normal",
        }
    }
}

impl std::fmt::Display for AlarmState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for AlarmState {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AlarmState::ALL.into_iter().find(|state| state.as_str() == s).ok_or_else(|| {
            format!("unknown alarm state {s:?}; expected one of {}", AlarmState::ALL.map(AlarmState::as_str).join(", "))
        })
    }
}

/// Who acknowledged an alarm, when, and what they said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Acknowledgement {
    pub by: UserId,
    pub at: DateTime<Utc>,
    pub comment: Option<String>,
}

/// Who shelved an alarm, when, until when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Shelving {
    pub by: UserId,
    pub at: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub reason: String,
}

/// What the caller knows about an alarm it may have to raise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAlarm {
    /// Used only if a new alarm is raised.
    pub id: AlarmId,
    pub tenant_id: TenantId,
    pub well_id: WellId,
    pub rule: AlarmRuleKind,
    pub priority: AlarmPriority,
}

/// One alarm of one (well, rule), from its first raise until it closes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alarm {
    pub id: AlarmId,
    pub tenant_id: TenantId,
    pub well_id: WellId,
    pub rule: AlarmRuleKind,
    /// The rule's priority when the alarm was raised.
    pub priority: AlarmPriority,
    pub state: AlarmState,
    pub first_raised_at: DateTime<Utc>,
    /// When the current (latest) occurrence was raised: the start of a standing alarm.
    pub raised_at: DateTime<Utc>,
    /// The latest state change.
    pub last_changed_at: DateTime<Utc>,
    /// How many times the condition became active while this alarm was open (1 at the first raise).
    pub occurrences: u32,
    /// The latest active condition's value, limit and message.
    pub value: f64,
    pub limit: f64,
    pub message: String,
    pub acknowledged: Option<Acknowledgement>,
    pub shelved: Option<Shelving>,
}

/// What caused a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AlarmAction {
    /// The condition became active (a new alarm, or a re-raise of a returned one).
    Raised,
    /// The condition returned to normal.
    Returned,
    /// An operator acknowledged.
    Acknowledged,
    /// An operator shelved.
    Shelved,
    /// An operator unshelved.
    Unshelved,
    /// The shelf reached its `until`.
    ShelfExpired,
}

impl AlarmAction {
    /// Caused by the process (raised, returned) rather than by an operator or a timer.
    pub fn is_process(self) -> bool {
        matches!(self, AlarmAction::Raised | AlarmAction::Returned)
    }
}

/// One journal record: an alarm moved from one state to another (or, for shelving, stayed in it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlarmTransition {
    pub alarm_id: AlarmId,
    pub tenant_id: TenantId,
    pub well_id: WellId,
    pub rule: AlarmRuleKind,
    pub priority: AlarmPriority,
    pub action: AlarmAction,
    pub from: AlarmState,
    pub to: AlarmState,
    pub at: DateTime<Utc>,
    /// The operator, for acknowledge and shelving; `None` for the process and timers.
    pub by: Option<UserId>,
    /// The acknowledgement comment or the shelving reason.
    pub comment: Option<String>,
    /// For `shelved`: until when.
    pub shelved_until: Option<DateTime<Utc>>,
    /// The alarm's occurrence count after the transition.
    pub occurrence: u32,
}

impl AlarmTransition {
    /// A raise: into `active_unacknowledged` from another state (what the health KPIs count).
    pub fn is_raise(&self) -> bool {
        self.to == AlarmState::ActiveUnacknowledged && self.from != AlarmState::ActiveUnacknowledged
    }
}

/// An alarm after an operation, with the journal records it produced (none if nothing changed state).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmUpdate {
    pub alarm: Alarm,
    pub transitions: Vec<AlarmTransition>,
}

/// The longest acknowledgement comment or shelving reason, in characters.
pub const MAX_TEXT_CHARS: usize = 500;
/// The longest shelving, hours (7 days).
pub const MAX_SHELVE_HOURS: i64 = 7 * 24;

/// An operation the alarm's state does not allow, or a bad operator input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AlarmError {
    #[error("the condition is not active: there is nothing to raise")]
    NotActive,
    #[error("alarm {0} is closed")]
    Closed(AlarmId),
    #[error("alarm {0} is already acknowledged")]
    AlreadyAcknowledged(AlarmId),
    #[error("alarm {alarm} is for {found_rule} on well {found_well}, not {rule} on well {well}")]
    WrongAlarm { alarm: AlarmId, found_well: WellId, found_rule: AlarmRuleKind, well: WellId, rule: AlarmRuleKind },
    #[error("comment must be at most {max} characters, got {len}")]
    CommentTooLong { len: usize, max: usize },
    #[error("reason is required to shelve an alarm")]
    ReasonRequired,
    #[error("reason must be at most {max} characters, got {len}")]
    ReasonTooLong { len: usize, max: usize },
    #[error("until must be in the future, got {until} (now {now})")]
    UntilNotInFuture { until: DateTime<Utc>, now: DateTime<Utc> },
    #[error("until must be at most {max_hours} hours ahead, got {until}")]
    UntilTooFar { until: DateTime<Utc>, max_hours: i64 },
    #[error("alarm {alarm} is already shelved until {until}")]
    AlreadyShelved { alarm: AlarmId, until: DateTime<Utc> },
    #[error("alarm {0} is not shelved")]
    NotShelved(AlarmId),
}

impl AlarmError {
    /// The request field at fault, for a 400 naming it; `None` for a state conflict.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            AlarmError::CommentTooLong { .. } => Some("comment"),
            AlarmError::ReasonRequired | AlarmError::ReasonTooLong { .. } => Some("reason"),
            AlarmError::UntilNotInFuture { .. } | AlarmError::UntilTooFar { .. } => Some("until"),
            _ => None,
        }
    }
}

/// The trimmed text, `None` if empty, or its length in characters if too long.
fn clean_text(text: Option<&str>) -> Result<Option<String>, usize> {
    let Some(t) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let len = t.chars().count();
    if len > MAX_TEXT_CHARS { Err(len) } else { Ok(Some(t.to_owned())) }
}

impl Alarm {
    /// A new alarm for an active condition: `active_unacknowledged`, occurrence 1, raised at `now`.
    pub fn raise(new: NewAlarm, condition: &Condition, now: DateTime<Utc>) -> Result<AlarmUpdate, AlarmError> {
        let Condition::Active { value, limit, message } = condition else {
            return Err(AlarmError::NotActive);
        };
        let alarm = Alarm {
            id: new.id,
            tenant_id: new.tenant_id,
            well_id: new.well_id,
            rule: new.rule,
            priority: new.priority,
            state: AlarmState::ActiveUnacknowledged,
            first_raised_at: now,
            raised_at: now,
            last_changed_at: now,
            occurrences: 1,
            value: *value,
            limit: *limit,
            message: message.clone(),
            acknowledged: None,
            shelved: None,
        };
        let t = alarm.transition(AlarmAction::Raised, AlarmState::Normal, now, None, None);
        Ok(AlarmUpdate { alarm, transitions: vec![t] })
    }

    /// The alarm after the rule's latest condition (see the module's table). An active condition on a closed alarm
    /// is [`AlarmError::Closed`]: raise a new alarm ([`apply`] does).
    pub fn observe(&self, condition: &Condition, now: DateTime<Utc>) -> Result<AlarmUpdate, AlarmError> {
        let mut alarm = self.clone();
        let mut transitions = Vec::new();
        match (self.state, condition) {
            (_, Condition::Unknown { .. })
            | (AlarmState::Normal | AlarmState::ReturnedUnacknowledged, Condition::Normal) => {}
            (AlarmState::Normal, Condition::Active { .. }) => return Err(AlarmError::Closed(self.id)),
            (state, Condition::Active { value, limit, message }) => {
                alarm.value = *value;
                alarm.limit = *limit;
                alarm.message = message.clone();
                if state == AlarmState::ReturnedUnacknowledged {
                    alarm.state = AlarmState::ActiveUnacknowledged;
                    alarm.occurrences = self.occurrences.saturating_add(1);
                    alarm.raised_at = now;
                    alarm.last_changed_at = now;
                    alarm.acknowledged = None;
                    transitions.push(alarm.transition(AlarmAction::Raised, state, now, None, None));
                }
            }
            (state, Condition::Normal) => {
                alarm.state = if state == AlarmState::ActiveAcknowledged {
                    alarm.shelved = None;
                    AlarmState::Normal
                } else {
                    AlarmState::ReturnedUnacknowledged
                };
                alarm.last_changed_at = now;
                transitions.push(alarm.transition(AlarmAction::Returned, state, now, None, None));
            }
        }
        Ok(AlarmUpdate { alarm, transitions })
    }

    /// An operator's acknowledgement: `active_unacknowledged` → `active_acknowledged`, `returned_unacknowledged` →
    /// `normal` (closed).
    pub fn acknowledge(
        &self,
        by: UserId,
        comment: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<AlarmUpdate, AlarmError> {
        let comment = clean_text(comment).map_err(|len| AlarmError::CommentTooLong { len, max: MAX_TEXT_CHARS })?;
        let to = match self.state {
            AlarmState::ActiveUnacknowledged => AlarmState::ActiveAcknowledged,
            AlarmState::ReturnedUnacknowledged => AlarmState::Normal,
            AlarmState::ActiveAcknowledged => return Err(AlarmError::AlreadyAcknowledged(self.id)),
            AlarmState::Normal => return Err(AlarmError::Closed(self.id)),
        };
        let mut alarm = self.clone();
        alarm.state = to;
        alarm.last_changed_at = now;
        alarm.acknowledged = Some(Acknowledgement { by, at: now, comment: comment.clone() });
        if to == AlarmState::Normal {
            alarm.shelved = None;
        }
        let t = alarm.transition(AlarmAction::Acknowledged, self.state, now, Some(by), comment);
        Ok(AlarmUpdate { alarm, transitions: vec![t] })
    }

    /// Hides an open alarm until `until` (see the module documentation for the checks).
    pub fn shelve(
        &self,
        by: UserId,
        reason: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<AlarmUpdate, AlarmError> {
        if !self.state.is_open() {
            return Err(AlarmError::Closed(self.id));
        }
        if let Some(s) = &self.shelved
            && now < s.until
        {
            return Err(AlarmError::AlreadyShelved { alarm: self.id, until: s.until });
        }
        let reason = clean_text(Some(reason))
            .map_err(|len| AlarmError::ReasonTooLong { len, max: MAX_TEXT_CHARS })?
            .ok_or(AlarmError::ReasonRequired)?;
        if until <= now {
            return Err(AlarmError::UntilNotInFuture { until, now });
        }
        if until - now > Duration::hours(MAX_SHELVE_HOURS) {
            return Err(AlarmError::UntilTooFar { until, max_hours: MAX_SHELVE_HOURS });
        }
        let mut alarm = self.clone();
        alarm.shelved = Some(Shelving { by, at: now, until, reason: reason.clone() });
        let mut t = alarm.transition(AlarmAction::Shelved, self.state, now, Some(by), Some(reason));
        t.shelved_until = Some(until);
        Ok(AlarmUpdate { alarm, transitions: vec![t] })
    }

    /// Ends a shelf early (or removes an expired one).
    pub fn unshelve(&self, by: UserId, now: DateTime<Utc>) -> Result<AlarmUpdate, AlarmError> {
        if self.shelved.is_none() {
            return Err(AlarmError::NotShelved(self.id));
        }
        let mut alarm = self.clone();
        alarm.shelved = None;
        let t = alarm.transition(AlarmAction::Unshelved, self.state, now, Some(by), None);
        Ok(AlarmUpdate { alarm, transitions: vec![t] })
    }

    /// Removes a shelf whose `until` is at or before `now`, journaling `shelf_expired` at `until`; otherwise no change.
    pub fn unshelve_if_expired(&self, now: DateTime<Utc>) -> AlarmUpdate {
        match &self.shelved {
            Some(s) if s.until <= now => {
                let mut alarm = self.clone();
                alarm.shelved = None;
                let t = alarm.transition(AlarmAction::ShelfExpired, self.state, s.until, None, None);
                AlarmUpdate { alarm, transitions: vec![t] }
            }
            _ => AlarmUpdate { alarm: self.clone(), transitions: vec![] },
        }
    }

    /// Shelved at `now` (the shelf ends at `until` exactly, whether or not it was removed yet).
    pub fn is_shelved(&self, now: DateTime<Utc>) -> bool {
        self.shelved.as_ref().is_some_and(|s| now < s.until)
    }

    /// Shown and sounded: open, not shelved, and its well not out of service.
    pub fn is_annunciated(&self, well_out_of_service: bool, now: DateTime<Utc>) -> bool {
        self.state.is_open() && !self.is_shelved(now) && !well_out_of_service
    }

    /// Counted as waiting for an acknowledgement: annunciated and unacknowledged.
    pub fn counts_as_unacknowledged(&self, well_out_of_service: bool, now: DateTime<Utc>) -> bool {
        self.is_annunciated(well_out_of_service, now) && self.state.is_unacknowledged()
    }

    fn transition(
        &self,
        action: AlarmAction,
        from: AlarmState,
        at: DateTime<Utc>,
        by: Option<UserId>,
        comment: Option<String>,
    ) -> AlarmTransition {
        AlarmTransition {
            alarm_id: self.id,
            tenant_id: self.tenant_id,
            well_id: self.well_id,
            rule: self.rule,
            priority: self.priority,
            action,
            from,
            to: self.state,
            at,
            by,
            comment,
            shelved_until: None,
            occurrence: self.occurrences,
        }
    }
}

/// Applies a rule's condition to its (well, rule): observes the open alarm if there is one (`open` in any state but
/// `normal`), else raises a new alarm from `new` if the condition is active. `None` when there is no open alarm and
/// nothing to raise. An open alarm of another well, rule or tenant is [`AlarmError::WrongAlarm`].
pub fn apply(
    open: Option<&Alarm>,
    new: NewAlarm,
    condition: &Condition,
    now: DateTime<Utc>,
) -> Result<Option<AlarmUpdate>, AlarmError> {
    match open.filter(|a| a.state.is_open()) {
        Some(a) => {
            if (a.tenant_id, a.well_id, a.rule) != (new.tenant_id, new.well_id, new.rule) {
                return Err(AlarmError::WrongAlarm {
                    alarm: a.id,
                    found_well: a.well_id,
                    found_rule: a.rule,
                    well: new.well_id,
                    rule: new.rule,
                });
            }
            a.observe(condition, now).map(Some)
        }
        None if condition.is_active() => Alarm::raise(new, condition, now).map(Some),
        None => Ok(None),
    }
}

/// Counts over a set of alarms at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AlarmCounts {
    /// Open alarms (every state but normal), shown or not.
    pub open: usize,
    /// Open, not shelved, well in service.
    pub annunciated: usize,
    /// Annunciated and waiting for an acknowledgement.
    pub unacknowledged: usize,
    /// Open and shelved.
    pub shelved: usize,
    /// Open on an out-of-service well.
    pub out_of_service: usize,
}

/// Counts `alarms` at `now`; `out_of_service` says which wells' alarms are out of service.
pub fn count_alarms(alarms: &[Alarm], out_of_service: impl Fn(WellId) -> bool, now: DateTime<Utc>) -> AlarmCounts {
    let mut c = AlarmCounts::default();
    for a in alarms.iter().filter(|a| a.state.is_open()) {
        let oos = out_of_service(a.well_id);
        c.open += 1;
        c.annunciated += usize::from(a.is_annunciated(oos, now));
        c.unacknowledged += usize::from(a.counts_as_unacknowledged(oos, now));
        c.shelved += usize::from(a.is_shelved(now));
        c.out_of_service += usize::from(oos);
    }
    c
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::alarms::evaluate::UnknownReason;
    use chrono::TimeZone;

    pub(crate) fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 3, 10, 12, 0, 0).unwrap()
    }

    fn at(minutes: i64) -> DateTime<Utc> {
        t0() + Duration::minutes(minutes)
    }

    fn user(n: u128) -> UserId {
        UserId(Uuid::from_u128(n))
    }

    pub(crate) fn new_alarm(n: u128, well: u128, rule: AlarmRuleKind) -> NewAlarm {
        NewAlarm {
            id: AlarmId(Uuid::from_u128(n)),
            tenant_id: TenantId(Uuid::from_u128(7)),
            well_id: WellId(Uuid::from_u128(well)),
            rule,
            priority: AlarmPriority::High,
        }
    }

    fn active(value: f64) -> Condition {
        Condition::Active { value, limit: 350.0, message: format!("rate {value}") }
    }

    fn raised() -> Alarm {
        Alarm::raise(new_alarm(1, 10, AlarmRuleKind::ProductionDrop), &active(300.0), t0()).unwrap().alarm
    }

    fn in_state(state: AlarmState) -> Alarm {
        let a = raised();
        match state {
            AlarmState::ActiveUnacknowledged => a,
            AlarmState::ActiveAcknowledged => a.acknowledge(user(1), None, at(1)).unwrap().alarm,
            AlarmState::ReturnedUnacknowledged => a.observe(&Condition::Normal, at(1)).unwrap().alarm,
            AlarmState::Normal => {
                let r = a.observe(&Condition::Normal, at(1)).unwrap().alarm;
                r.acknowledge(user(1), None, at(2)).unwrap().alarm
            }
        }
    }

    const UNKNOWN: Condition = Condition::Unknown { reason: UnknownReason::Stale };

    #[test]
    fn raise_opens_an_unacknowledged_alarm_and_journals_it() {
        let u = Alarm::raise(new_alarm(1, 10, AlarmRuleKind::ProductionDrop), &active(300.0), t0()).unwrap();
        let a = &u.alarm;
        assert_eq!((a.state, a.occurrences, a.value, a.limit), (AlarmState::ActiveUnacknowledged, 1, 300.0, 350.0));
        assert_eq!((a.first_raised_at, a.raised_at, a.last_changed_at), (t0(), t0(), t0()));
        assert_eq!(u.transitions.len(), 1);
        let t = &u.transitions[0];
        assert_eq!(
            (t.action, t.from, t.to, t.occurrence, t.by),
            (AlarmAction::Raised, AlarmState::Normal, AlarmState::ActiveUnacknowledged, 1, None)
        );
        assert!(t.is_raise());
        assert_eq!(
            Alarm::raise(new_alarm(1, 10, AlarmRuleKind::ProductionDrop), &Condition::Normal, t0()),
            Err(AlarmError::NotActive)
        );
    }

    #[test]
    fn observe_follows_the_state_table() {
        use AlarmState::*;
        // (state, condition) → (new state, transitions, occurrences)
        let cases: Vec<(AlarmState, Condition, AlarmState, usize, u32)> = vec![
            (ActiveUnacknowledged, active(200.0), ActiveUnacknowledged, 0, 1),
            (ActiveUnacknowledged, Condition::Normal, ReturnedUnacknowledged, 1, 1),
            (ActiveUnacknowledged, UNKNOWN, ActiveUnacknowledged, 0, 1),
            (ActiveAcknowledged, active(200.0), ActiveAcknowledged, 0, 1),
            (ActiveAcknowledged, Condition::Normal, Normal, 1, 1),
            (ActiveAcknowledged, UNKNOWN, ActiveAcknowledged, 0, 1),
            (ReturnedUnacknowledged, active(200.0), ActiveUnacknowledged, 1, 2),
            (ReturnedUnacknowledged, Condition::Normal, ReturnedUnacknowledged, 0, 1),
            (ReturnedUnacknowledged, UNKNOWN, ReturnedUnacknowledged, 0, 1),
            (Normal, Condition::Normal, Normal, 0, 1),
            (Normal, UNKNOWN, Normal, 0, 1),
        ];
        for (state, condition, expected, n, occurrences) in cases {
            let before = in_state(state);
            let u = before.observe(&condition, at(5)).unwrap();
            assert_eq!(u.alarm.state, expected, "{state} + {condition:?}");
            assert_eq!(u.transitions.len(), n, "{state} + {condition:?}");
            assert_eq!(u.alarm.occurrences, occurrences, "{state} + {condition:?}");
            if n == 0 {
                assert_eq!(u.alarm.last_changed_at, before.last_changed_at, "no state change, no new change time");
            } else {
                assert_eq!((u.transitions[0].from, u.transitions[0].to, u.transitions[0].at), (state, expected, at(5)));
                assert_eq!(u.alarm.last_changed_at, at(5));
            }
            if condition.is_active() {
                assert_eq!(u.alarm.value, 200.0, "the value is updated");
            }
        }
        assert_eq!(in_state(Normal).observe(&active(1.0), at(5)), Err(AlarmError::Closed(AlarmId(Uuid::from_u128(1)))));
    }

    #[test]
    fn a_returning_condition_counts_an_occurrence_instead_of_a_second_alarm() {
        let mut open: Option<Alarm> = None;
        let mut journal = Vec::new();
        // Active, normal, active, normal, active: one alarm, three occurrences.
        for (i, condition) in
            [active(300.0), Condition::Normal, active(290.0), Condition::Normal, active(280.0)].iter().enumerate()
        {
            let new = new_alarm(100 + i as u128, 10, AlarmRuleKind::ProductionDrop);
            if let Some(u) = apply(open.as_ref(), new, condition, at(i as i64)).unwrap() {
                journal.extend(u.transitions);
                open = Some(u.alarm);
            }
        }
        let a = open.unwrap();
        assert_eq!(a.id, AlarmId(Uuid::from_u128(100)), "the first alarm is kept");
        assert_eq!((a.state, a.occurrences, a.value), (AlarmState::ActiveUnacknowledged, 3, 280.0));
        assert_eq!((a.first_raised_at, a.raised_at), (at(0), at(4)));
        assert_eq!(journal.iter().filter(|t| t.is_raise()).count(), 3);
        assert!(journal.iter().all(|t| t.alarm_id == a.id));
        assert_eq!(journal.iter().map(|t| t.occurrence).collect::<Vec<_>>(), [1, 1, 2, 2, 3]);
        // Nothing open and nothing to raise.
        let new = new_alarm(200, 11, AlarmRuleKind::ProductionDrop);
        assert_eq!(apply(None, new, &Condition::Normal, t0()), Ok(None));
        assert_eq!(apply(None, new, &UNKNOWN, t0()), Ok(None));
        // Another (well, rule)'s alarm is refused.
        assert!(matches!(apply(Some(&a), new, &Condition::Normal, t0()), Err(AlarmError::WrongAlarm { .. })));
        let other_rule = new_alarm(200, 10, AlarmRuleKind::WellDown);
        assert!(matches!(apply(Some(&a), other_rule, &Condition::Normal, t0()), Err(AlarmError::WrongAlarm { .. })));
    }

    #[test]
    fn a_closed_alarm_is_followed_by_a_new_one() {
        let closed = in_state(AlarmState::Normal);
        let new = new_alarm(2, 10, AlarmRuleKind::ProductionDrop);
        let u = apply(Some(&closed), new, &active(100.0), at(10)).unwrap().unwrap();
        assert_eq!((u.alarm.id, u.alarm.occurrences, u.alarm.first_raised_at), (new.id, 1, at(10)));
        // A closed alarm given with a normal condition: nothing to do.
        assert_eq!(apply(Some(&closed), new, &Condition::Normal, at(10)), Ok(None));
    }

    #[test]
    fn acknowledge_each_state() {
        let by = user(5);
        let u = in_state(AlarmState::ActiveUnacknowledged).acknowledge(by, Some("  on it  "), at(3)).unwrap();
        assert_eq!(u.alarm.state, AlarmState::ActiveAcknowledged);
        assert_eq!(u.alarm.acknowledged, Some(Acknowledgement { by, at: at(3), comment: Some("on it".into()) }));
        let t = &u.transitions[0];
        assert_eq!(
            (t.action, t.from, t.to, t.by, t.comment.as_deref()),
            (
                AlarmAction::Acknowledged,
                AlarmState::ActiveUnacknowledged,
                AlarmState::ActiveAcknowledged,
                Some(by),
                Some("on it")
            )
        );
        assert!(!t.is_raise());

        let u = in_state(AlarmState::ReturnedUnacknowledged).acknowledge(by, Some("   "), at(3)).unwrap();
        assert_eq!(u.alarm.state, AlarmState::Normal, "acknowledging a returned alarm closes it");
        assert_eq!(u.alarm.acknowledged.unwrap().comment, None, "a blank comment is none");

        let id = AlarmId(Uuid::from_u128(1));
        assert_eq!(
            in_state(AlarmState::ActiveAcknowledged).acknowledge(by, None, at(3)),
            Err(AlarmError::AlreadyAcknowledged(id))
        );
        assert_eq!(in_state(AlarmState::Normal).acknowledge(by, None, at(3)), Err(AlarmError::Closed(id)));

        // Comment length: 500 characters (not bytes) pass, 501 do not.
        let ok = "é".repeat(500);
        assert!(in_state(AlarmState::ActiveUnacknowledged).acknowledge(by, Some(&ok), at(3)).is_ok());
        let long = "x".repeat(501);
        let e = in_state(AlarmState::ActiveUnacknowledged).acknowledge(by, Some(&long), at(3)).unwrap_err();
        assert_eq!(e, AlarmError::CommentTooLong { len: 501, max: 500 });
        assert_eq!(e.field(), Some("comment"));
    }

    #[test]
    fn an_acknowledged_alarm_closes_when_its_condition_returns() {
        let acked = in_state(AlarmState::ActiveAcknowledged);
        let u = acked.observe(&Condition::Normal, at(9)).unwrap();
        assert_eq!(u.alarm.state, AlarmState::Normal);
        assert!(!u.alarm.state.is_open());
        assert_eq!(u.transitions[0].action, AlarmAction::Returned);
        assert!(u.alarm.acknowledged.is_some(), "the acknowledgement stays on record");
    }

    #[test]
    fn shelving_validates_its_input() {
        let a = in_state(AlarmState::ActiveUnacknowledged);
        let by = user(3);
        let now = at(10);
        assert_eq!(a.shelve(by, "  ", now + Duration::hours(1), now), Err(AlarmError::ReasonRequired));
        assert_eq!(a.shelve(by, "", now + Duration::hours(1), now).unwrap_err().field(), Some("reason"));
        let long = "r".repeat(501);
        assert_eq!(
            a.shelve(by, &long, now + Duration::hours(1), now),
            Err(AlarmError::ReasonTooLong { len: 501, max: 500 })
        );
        assert_eq!(a.shelve(by, "pump swap", now, now), Err(AlarmError::UntilNotInFuture { until: now, now }));
        assert!(a.shelve(by, "pump swap", now - Duration::hours(1), now).is_err());
        let week = now + Duration::days(7);
        assert!(a.shelve(by, "pump swap", week, now).is_ok(), "exactly seven days is allowed");
        let e = a.shelve(by, "pump swap", week + Duration::seconds(1), now).unwrap_err();
        assert_eq!(e, AlarmError::UntilTooFar { until: week + Duration::seconds(1), max_hours: 168 });
        assert_eq!(e.field(), Some("until"));
        assert_eq!(
            in_state(AlarmState::Normal).shelve(by, "x", now + Duration::hours(1), now),
            Err(AlarmError::Closed(a.id))
        );
        // Shelving a shelved alarm is refused until the shelf ends.
        let shelved = a.shelve(by, "pump swap", now + Duration::hours(2), now).unwrap().alarm;
        assert!(matches!(
            shelved.shelve(by, "again", now + Duration::hours(3), now + Duration::hours(1)),
            Err(AlarmError::AlreadyShelved { .. })
        ));
        assert!(shelved.shelve(by, "again", now + Duration::hours(5), now + Duration::hours(2)).is_ok());
    }

    #[test]
    fn shelving_hides_the_alarm_and_expires_exactly_at_until() {
        let a = in_state(AlarmState::ActiveUnacknowledged);
        let (by, now) = (user(3), at(10));
        let until = now + Duration::hours(4);
        let u = a.shelve(by, " pump swap ", until, now).unwrap();
        let s = u.alarm.clone();
        assert_eq!(s.state, AlarmState::ActiveUnacknowledged, "shelving changes no state");
        assert_eq!(s.shelved, Some(Shelving { by, at: now, until, reason: "pump swap".into() }));
        let t = &u.transitions[0];
        assert_eq!(
            (t.action, t.from, t.to, t.shelved_until, t.comment.as_deref()),
            (AlarmAction::Shelved, s.state, s.state, Some(until), Some("pump swap"))
        );
        assert!(!t.is_raise());

        let just_before = until - Duration::milliseconds(1);
        assert!(s.is_shelved(just_before));
        assert!(!s.is_annunciated(false, just_before));
        assert!(!s.counts_as_unacknowledged(false, just_before));
        assert_eq!(s.unshelve_if_expired(just_before).transitions, vec![], "not yet");
        assert!(s.unshelve_if_expired(just_before).alarm.shelved.is_some());

        assert!(!s.is_shelved(until));
        assert!(s.is_annunciated(false, until));
        assert!(s.counts_as_unacknowledged(false, until));
        let expired = s.unshelve_if_expired(until + Duration::minutes(30));
        assert_eq!(expired.alarm.shelved, None);
        assert_eq!(expired.transitions.len(), 1);
        assert_eq!(
            (expired.transitions[0].action, expired.transitions[0].at, expired.transitions[0].by),
            (AlarmAction::ShelfExpired, until, None)
        );

        // Manual unshelve.
        let u = s.unshelve(user(4), now + Duration::hours(1)).unwrap();
        assert_eq!(u.alarm.shelved, None);
        assert_eq!((u.transitions[0].action, u.transitions[0].by), (AlarmAction::Unshelved, Some(user(4))));
        assert_eq!(a.unshelve(user(4), now), Err(AlarmError::NotShelved(a.id)));
    }

    #[test]
    fn a_shelved_alarm_keeps_its_life_cycle_and_drops_the_shelf_on_closing() {
        let (by, now) = (user(3), at(10));
        let s = in_state(AlarmState::ActiveUnacknowledged)
            .shelve(by, "chattering", now + Duration::hours(8), now)
            .unwrap()
            .alarm;
        let returned = s.observe(&Condition::Normal, now + Duration::minutes(1)).unwrap().alarm;
        assert_eq!(returned.state, AlarmState::ReturnedUnacknowledged);
        assert!(returned.is_shelved(now + Duration::minutes(1)));
        let again = returned.observe(&active(100.0), now + Duration::minutes(2)).unwrap().alarm;
        assert_eq!((again.state, again.occurrences), (AlarmState::ActiveUnacknowledged, 2));
        assert!(again.is_shelved(now + Duration::minutes(2)), "still silenced");
        let acked = again.acknowledge(by, None, now + Duration::minutes(3)).unwrap().alarm;
        let closed = acked.observe(&Condition::Normal, now + Duration::minutes(4)).unwrap().alarm;
        assert_eq!((closed.state, closed.shelved.as_ref()), (AlarmState::Normal, None));
    }

    #[test]
    fn out_of_service_wells_are_not_annunciated_or_counted() {
        let now = at(10);
        let a = in_state(AlarmState::ActiveUnacknowledged);
        assert!(a.is_annunciated(false, now) && a.counts_as_unacknowledged(false, now));
        assert!(!a.is_annunciated(true, now));
        assert!(!a.counts_as_unacknowledged(true, now));
        // Evaluation gives Unknown for an out-of-service well: nothing is raised and nothing changes.
        let oos = Condition::Unknown { reason: UnknownReason::OutOfService };
        assert_eq!(apply(None, new_alarm(5, 10, AlarmRuleKind::WellDown), &oos, now), Ok(None));
        let u = apply(Some(&a), new_alarm(5, 10, AlarmRuleKind::ProductionDrop), &oos, now).unwrap().unwrap();
        assert_eq!((u.alarm, u.transitions), (a.clone(), vec![]));

        let mut acked = in_state(AlarmState::ActiveAcknowledged);
        acked.well_id = WellId(Uuid::from_u128(11));
        let shelved = a.shelve(user(1), "work", now + Duration::hours(1), now).unwrap().alarm;
        let mut on_oos = in_state(AlarmState::ReturnedUnacknowledged);
        on_oos.well_id = WellId(Uuid::from_u128(99));
        let alarms = [a, acked, shelved, on_oos, in_state(AlarmState::Normal)];
        let counts = count_alarms(&alarms, |w| w == WellId(Uuid::from_u128(99)), now);
        assert_eq!(counts, AlarmCounts { open: 4, annunciated: 2, unacknowledged: 1, shelved: 1, out_of_service: 1 });
    }

    #[test]
    fn states_and_records_serialise_in_snake_case() {
        let names: Vec<serde_json::Value> = AlarmState::ALL.iter().map(|s| serde_json::to_value(s).unwrap()).collect();
        assert_eq!(names, ["active_unacknowledged", "active_acknowledged", "returned_unacknowledged", "normal"]);
        for s in AlarmState::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
            assert_eq!(serde_json::from_value::<AlarmState>(serde_json::to_value(s).unwrap()).unwrap(), s);
        }
        let a = in_state(AlarmState::ActiveUnacknowledged);
        let u = a.shelve(user(1), "work", at(60), at(10)).unwrap();
        let json = serde_json::to_value(&u).unwrap();
        assert_eq!(json["alarm"]["state"], "active_unacknowledged");
        assert_eq!(json["alarm"]["rule"], "production_drop");
        assert_eq!(json["alarm"]["priority"], "high");
        assert_eq!(json["alarm"]["shelved"]["reason"], "work");
        assert_eq!(json["transitions"][0]["action"], "shelved");
        assert_eq!(serde_json::from_value::<AlarmUpdate>(json).unwrap(), u);
        let new = new_alarm(1, 2, AlarmRuleKind::DataGap);
        assert_eq!(serde_json::from_value::<NewAlarm>(serde_json::to_value(new).unwrap()).unwrap(), new);
        let c = AlarmCounts { open: 1, annunciated: 1, unacknowledged: 0, shelved: 0, out_of_service: 0 };
        assert_eq!(serde_json::from_value::<AlarmCounts>(serde_json::to_value(c).unwrap()).unwrap(), c);
        assert_eq!(serde_json::to_value(AlarmAction::ShelfExpired).unwrap(), "shelf_expired");
    }
}
