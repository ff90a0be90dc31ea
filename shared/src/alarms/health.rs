//! Alarm-system health KPIs after EEMUA 191 and ISA-18.2, over a window of the journal.
//!
//! # Input
//! The journal ([`AlarmTransition`]s, any order, any window: only those with `from ≤ at < to` count) and the open
//! alarms at `to` (for standing alarms). A **raised alarm** is a transition into `active_unacknowledged` from
//! another state ([`AlarmTransition::is_raise`]): a new alarm or a re-raise of a returned one.
//!
//! # Rules
//! - **Window.** Half-open `[from, to)`, so consecutive windows never count an event twice; `from < to` is required.
//! - **Buckets.** 10-minute buckets from `from` (`from`, `from + 10 min`, ...); the last may be partial. Pass a
//!   `from` on a 10-minute boundary for clock-aligned buckets.
//! - **Rate.** `average_per_10_min` = raised alarms x 10 min / window length (exact, partial buckets included);
//!   `max_per_10_min` = the most raised in one bucket, `busiest_bucket` its start (the earliest on a tie).
//! - **Floods.** A bucket with at least [`FLOOD_ALARMS`] (10) raised alarms. Reported: their starts in order, their
//!   count, and `time_in_flood` = flood buckets / buckets.
//! - **Standing alarms.** Open alarms that are active (acknowledged or not) and whose current occurrence was raised
//!   more than [`STANDING_HOURS`] (24 h) before `to`, oldest first. Shelved ones are included and marked.
//! - **Chattering.** Per (well, rule), not per alarm id (a chattering point that is acknowledged closes and reopens
//!   under new ids): the process transitions (raised, returned) in the window; chattering when at least
//!   [`CHATTER_TRANSITIONS`] (3) of them fall within [`CHATTER_SECONDS`] (60 s, inclusive) of each other. Reported
//!   with the most transitions in any such span and where the first such span starts; most first, then by well and
//!   rule.
//! - **Bad actors.** (well, rule) pairs by raised alarms, most first; ties by well id, then rule in
//!   [`AlarmRuleKind::ALL`] order; the first [`TOP_BAD_ACTORS`] (10), with their share of all raised alarms and the
//!   top ten's combined share.
//! - **Priority mix.** Raised alarms per priority and their share (0 when nothing was raised), by the priority the
//!   journal recorded.
//!
//! # Benchmarks (what the figures are compared with)
//! | KPI | EEMUA 191 / ISA-18.2 |
//! |---|---|
//! | average rate | < 1 per 10 min "very likely to be acceptable"; up to 2 per 10 min "manageable" (ISA-18.2's maximum manageable, about 300 a day); one per 2 minutes "likely to be over-demanding"; more than 1 per minute "very likely to be unacceptable" |
//! | peak rate | under 10 in the 10 minutes after an upset "should be manageable"; 20-100 "hard to cope with"; over 100 "definitely excessive" |
//! | floods | a flood starts at 10 alarms in 10 minutes; under 1 % of the time in flood |
//! | standing alarms | fewer than 5, with plans to remove them |
//! | chattering | none; they are to be fixed as found |
//! | top ten bad actors | about 1-5 % of the load at most, with an action plan |
//! | priority mix (3 priorities) | about 80 % low, 15 % high, 5 % critical |
//!
//! [`RateAssessment`] places the average rate in the EEMUA 191 bands: ≤ 1 per 10 min acceptable, ≤ 2 manageable,
//! ≤ 10 (one a minute) over-demanding, above that unacceptable.

use super::lifecycle::{Alarm, AlarmId, AlarmTransition};
use super::priority::AlarmPriority;
use super::rules::AlarmRuleKind;
use crate::domain::WellId;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Bucket length, minutes.
pub const BUCKET_MINUTES: i64 = 10;
/// Raised alarms in one bucket that make it a flood.
pub const FLOOD_ALARMS: usize = 10;
/// Active longer than this (hours) at the end of the window: a standing alarm.
pub const STANDING_HOURS: i64 = 24;
/// Process transitions of one (well, rule) within [`CHATTER_SECONDS`] that make it chattering.
pub const CHATTER_TRANSITIONS: usize = 3;
/// The chattering span, seconds (inclusive).
pub const CHATTER_SECONDS: i64 = 60;
/// How many bad actors are listed.
pub const TOP_BAD_ACTORS: usize = 10;

/// The average alarm rate against EEMUA 191's bands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RateAssessment {
    /// At most 1 per 10 minutes.
    Acceptable,
    /// More than 1, at most 2 per 10 minutes.
    Manageable,
    /// More than 2, at most 10 per 10 minutes.
    OverDemanding,
    /// More than 10 per 10 minutes (over one a minute).
    Unacceptable,
}

impl RateAssessment {
    pub fn from_average(per_10_min: f64) -> Self {
        if per_10_min <= 1.0 {
            RateAssessment::Acceptable
        } else if per_10_min <= 2.0 {
            RateAssessment::Manageable
        } else if per_10_min <= 10.0 {
            RateAssessment::OverDemanding
        } else {
            RateAssessment::Unacceptable
        }
    }
}

/// An alarm active for more than [`STANDING_HOURS`] at the end of the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(description = "An alarm active for more than 24 hours at the end of the window.")
)]
pub struct StandingAlarm {
    pub alarm_id: AlarmId,
    pub well_id: WellId,
    pub rule: AlarmRuleKind,
    pub priority: AlarmPriority,
    pub raised_at: DateTime<Utc>,
    /// Hours active at the end of the window.
    pub hours_active: f64,
    pub shelved: bool,
}

/// A (well, rule) that chattered in the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatteringAlarm {
    pub well_id: WellId,
    pub rule: AlarmRuleKind,
    /// The most process transitions within any 60 seconds (`CHATTER_SECONDS`).
    pub max_transitions_per_minute: usize,
    /// Process transitions in the whole window.
    pub transitions: usize,
    /// The start of the first span that chattered.
    pub first_chatter_at: DateTime<Utc>,
}

/// A (well, rule) among the most frequent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BadActor {
    pub well_id: WellId,
    pub rule: AlarmRuleKind,
    pub raised: usize,
    /// Of all alarms raised in the window (0 to 1).
    pub share: f64,
}

/// Raised alarms per priority.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriorityMix {
    pub critical: usize,
    pub high: usize,
    pub low: usize,
    /// Shares of all raised alarms (0 to 1; all 0 when nothing was raised).
    pub critical_share: f64,
    pub high_share: f64,
    pub low_share: f64,
}

/// The alarm system's health over `[from, to)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlarmHealth {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Alarms raised in the window.
    pub raised: usize,
    /// 10-minute buckets in the window (the last may be partial).
    pub buckets: usize,
    pub average_per_10_min: f64,
    pub rate_assessment: RateAssessment,
    pub max_per_10_min: usize,
    /// Start of the bucket with the most raised alarms (the earliest on a tie); `None` when nothing was raised.
    pub busiest_bucket: Option<DateTime<Utc>>,
    /// Starts of the flood buckets, in order.
    pub flood_buckets: Vec<DateTime<Utc>>,
    pub flood_count: usize,
    /// Flood buckets / buckets (0 to 1).
    pub time_in_flood: f64,
    pub standing: Vec<StandingAlarm>,
    pub chattering: Vec<ChatteringAlarm>,
    pub bad_actors: Vec<BadActor>,
    /// The listed bad actors' combined share of all raised alarms (0 to 1).
    pub top_bad_actors_share: f64,
    pub priority_mix: PriorityMix,
}

/// A window the KPIs cannot be computed over.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HealthError {
    #[error("from ({from}) must be before to ({to})")]
    EmptyWindow { from: DateTime<Utc>, to: DateTime<Utc> },
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 / whole as f64 }
}

/// The health KPIs of `journal` over `[from, to)`, with `open` the open alarms at `to` (see the module documentation).
pub fn alarm_health(
    journal: &[AlarmTransition],
    open: &[Alarm],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<AlarmHealth, HealthError> {
    if from >= to {
        return Err(HealthError::EmptyWindow { from, to });
    }
    let in_window: Vec<&AlarmTransition> = journal.iter().filter(|t| from <= t.at && t.at < to).collect();
    let raised: Vec<&AlarmTransition> = in_window.iter().copied().filter(|t| t.is_raise()).collect();

    // Rate and floods.
    let bucket = Duration::minutes(BUCKET_MINUTES);
    let window_ms = (to - from).num_milliseconds();
    let bucket_ms = bucket.num_milliseconds();
    let buckets = usize::try_from((window_ms + bucket_ms - 1) / bucket_ms).unwrap_or(0);
    let mut counts: BTreeMap<i64, usize> = BTreeMap::new();
    for t in &raised {
        *counts.entry((t.at - from).num_milliseconds() / bucket_ms).or_default() += 1;
    }
    let bucket_start = |i: i64| from + Duration::milliseconds(i * bucket_ms);
    let max_per_10_min = counts.values().copied().max().unwrap_or(0);
    let busiest_bucket = counts.iter().find(|(_, n)| **n == max_per_10_min).map(|(i, _)| bucket_start(*i));
    let flood_buckets: Vec<DateTime<Utc>> =
        counts.iter().filter(|(_, n)| **n >= FLOOD_ALARMS).map(|(i, _)| bucket_start(*i)).collect();
    let average_per_10_min = raised.len() as f64 * bucket_ms as f64 / window_ms as f64;

    // Standing alarms.
    let mut standing: Vec<StandingAlarm> = open
        .iter()
        .filter(|a| a.state.is_active() && to - a.raised_at > Duration::hours(STANDING_HOURS))
        .map(|a| StandingAlarm {
            alarm_id: a.id,
            well_id: a.well_id,
            rule: a.rule,
            priority: a.priority,
            raised_at: a.raised_at,
            hours_active: (to - a.raised_at).num_milliseconds() as f64 / 3_600_000.0,
            shelved: a.is_shelved(to),
        })
        .collect();
    standing.sort_by_key(|s| (s.raised_at, s.alarm_id));

    // Chattering.
    let mut process: BTreeMap<(WellId, AlarmRuleKind), Vec<DateTime<Utc>>> = BTreeMap::new();
    for t in in_window.iter().filter(|t| t.action.is_process() && t.from != t.to) {
        process.entry((t.well_id, t.rule)).or_default().push(t.at);
    }
    let span = Duration::seconds(CHATTER_SECONDS);
    let mut chattering: Vec<ChatteringAlarm> = Vec::new();
    for ((well_id, rule), mut times) in process {
        times.sort();
        let (mut best, mut first) = (0usize, None);
        let mut hi = 0;
        for lo in 0..times.len() {
            hi = hi.max(lo);
            while hi + 1 < times.len() && times[hi + 1] - times[lo] <= span {
                hi += 1;
            }
            let n = hi - lo + 1;
            best = best.max(n);
            if n >= CHATTER_TRANSITIONS && first.is_none() {
                first = Some(times[lo]);
            }
        }
        if let Some(first_chatter_at) = first {
            chattering.push(ChatteringAlarm {
                well_id,
                rule,
                max_transitions_per_minute: best,
                transitions: times.len(),
                first_chatter_at,
            });
        }
    }
    chattering.sort_by(|a, b| {
        b.max_transitions_per_minute
            .cmp(&a.max_transitions_per_minute)
            .then((a.well_id, a.rule).cmp(&(b.well_id, b.rule)))
    });

    // Bad actors.
    let mut per_point: BTreeMap<(WellId, AlarmRuleKind), usize> = BTreeMap::new();
    for t in &raised {
        *per_point.entry((t.well_id, t.rule)).or_default() += 1;
    }
    let mut actors: Vec<((WellId, AlarmRuleKind), usize)> = per_point.into_iter().collect();
    // The map iterates in (well, rule) order; a stable sort by count keeps that order among ties.
    actors.sort_by_key(|a| std::cmp::Reverse(a.1));
    actors.truncate(TOP_BAD_ACTORS);
    let bad_actors: Vec<BadActor> = actors
        .into_iter()
        .map(|((well_id, rule), n)| BadActor { well_id, rule, raised: n, share: share(n, raised.len()) })
        .collect();
    let top_bad_actors_share = share(bad_actors.iter().map(|b| b.raised).sum(), raised.len());

    // Priority mix.
    let count = |p: AlarmPriority| raised.iter().filter(|t| t.priority == p).count();
    let (critical, high, low) = (count(AlarmPriority::Critical), count(AlarmPriority::High), count(AlarmPriority::Low));
    let priority_mix = PriorityMix {
        critical,
        high,
        low,
        critical_share: share(critical, raised.len()),
        high_share: share(high, raised.len()),
        low_share: share(low, raised.len()),
    };

    Ok(AlarmHealth {
        from,
        to,
        raised: raised.len(),
        buckets,
        average_per_10_min,
        rate_assessment: RateAssessment::from_average(average_per_10_min),
        max_per_10_min,
        busiest_bucket,
        flood_count: flood_buckets.len(),
        time_in_flood: share(flood_buckets.len(), buckets),
        flood_buckets,
        standing,
        chattering,
        bad_actors,
        top_bad_actors_share,
        priority_mix,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alarms::evaluate::Condition;
    use crate::alarms::lifecycle::tests::{new_alarm, t0};
    use crate::alarms::lifecycle::{AlarmAction, AlarmState, NewAlarm};
    use crate::domain::UserId;
    use uuid::Uuid;

    fn at(seconds: i64) -> DateTime<Utc> {
        t0() + Duration::seconds(seconds)
    }

    fn well(n: u128) -> WellId {
        WellId(Uuid::from_u128(n))
    }

    /// A raise of a new alarm `id` on (well, rule) at `seconds` after t0.
    fn raise(id: u128, w: u128, rule: AlarmRuleKind, priority: AlarmPriority, seconds: i64) -> AlarmTransition {
        let new = NewAlarm { priority, ..new_alarm(id, w, rule) };
        let active = Condition::Active { value: 1.0, limit: 2.0, message: String::new() };
        let mut u = Alarm::raise(new, &active, at(seconds)).unwrap();
        u.transitions.remove(0)
    }

    fn simple(id: u128, w: u128, seconds: i64) -> AlarmTransition {
        raise(id, w, AlarmRuleKind::ProductionDrop, AlarmPriority::Low, seconds)
    }

    fn hour_window() -> (DateTime<Utc>, DateTime<Utc>) {
        (t0(), t0() + Duration::hours(1))
    }

    #[test]
    fn rates_and_a_flood() {
        // A flood of 12 in the second bucket (10:00-19:59 min), 3 more spread over the hour.
        let mut journal: Vec<AlarmTransition> = (0..12).map(|i| simple(i, 100 + i, 600 + 30 * i as i64)).collect();
        journal.push(simple(50, 1, 0));
        journal.push(simple(51, 2, 1799));
        journal.push(simple(52, 3, 3599));
        // Outside the half-open window: ignored.
        journal.push(simple(53, 4, -1));
        journal.push(simple(54, 5, 3600));
        let (from, to) = hour_window();
        let h = alarm_health(&journal, &[], from, to).unwrap();
        assert_eq!((h.raised, h.buckets), (15, 6));
        assert!((h.average_per_10_min - 2.5).abs() < 1e-12, "{}", h.average_per_10_min);
        assert_eq!(h.rate_assessment, RateAssessment::OverDemanding);
        assert_eq!((h.max_per_10_min, h.busiest_bucket), (12, Some(at(600))));
        assert_eq!((h.flood_count, h.flood_buckets.clone()), (1, vec![at(600)]));
        assert!((h.time_in_flood - 1.0 / 6.0).abs() < 1e-12);
        // Nine in a bucket is not a flood; ten is.
        let nine: Vec<AlarmTransition> = (0..9).map(|i| simple(i, i, i as i64)).collect();
        assert_eq!(alarm_health(&nine, &[], from, to).unwrap().flood_count, 0);
        let ten: Vec<AlarmTransition> = (0..10).map(|i| simple(i, i, i as i64)).collect();
        assert_eq!(alarm_health(&ten, &[], from, to).unwrap().flood_buckets, vec![from]);
    }

    #[test]
    fn only_raises_count_and_the_window_must_be_positive() {
        let a = Alarm::raise(
            new_alarm(1, 1, AlarmRuleKind::WellDown),
            &Condition::Active { value: 0.0, limit: 0.0, message: String::new() },
            at(0),
        )
        .unwrap();
        let ack = a.alarm.acknowledge(UserId(Uuid::from_u128(1)), None, at(5)).unwrap();
        let ret = ack.alarm.observe(&Condition::Normal, at(10)).unwrap();
        let journal: Vec<AlarmTransition> = [a.transitions, ack.transitions, ret.transitions].concat();
        assert_eq!(journal.len(), 3);
        let (from, to) = hour_window();
        let h = alarm_health(&journal, &[], from, to).unwrap();
        assert_eq!(h.raised, 1);
        assert_eq!(h.rate_assessment, RateAssessment::Acceptable);
        assert!((h.average_per_10_min - 1.0 / 6.0).abs() < 1e-12);
        assert_eq!(alarm_health(&journal, &[], to, from), Err(HealthError::EmptyWindow { from: to, to: from }));
        assert!(alarm_health(&journal, &[], from, from).is_err());
        // Nothing raised: zeros, no NaN.
        let empty = alarm_health(&[], &[], from, to).unwrap();
        assert_eq!((empty.raised, empty.max_per_10_min, empty.busiest_bucket), (0, 0, None));
        assert_eq!((empty.priority_mix.low_share, empty.top_bad_actors_share, empty.time_in_flood), (0.0, 0.0, 0.0));
        // A partial last bucket counts as a bucket.
        let h = alarm_health(&[], &[], from, from + Duration::minutes(25)).unwrap();
        assert_eq!(h.buckets, 3);
    }

    #[test]
    fn a_chattering_point_is_found_across_alarm_ids() {
        // Well 1, pressure high: raise, return, (ack closes), raise again under a new id within 60 s.
        let active = Condition::Active { value: 1600.0, limit: 1500.0, message: String::new() };
        let by = UserId(Uuid::from_u128(1));
        let first = Alarm::raise(new_alarm(1, 1, AlarmRuleKind::PressureHigh), &active, at(100)).unwrap();
        let acked = first.alarm.acknowledge(by, None, at(110)).unwrap();
        let closed = acked.alarm.observe(&Condition::Normal, at(120)).unwrap();
        let second = Alarm::raise(new_alarm(2, 1, AlarmRuleKind::PressureHigh), &active, at(160)).unwrap();
        let returned = second.alarm.observe(&Condition::Normal, at(200)).unwrap();
        let mut journal: Vec<AlarmTransition> =
            [first.transitions, acked.transitions, closed.transitions, second.transitions, returned.transitions]
                .concat();
        // Well 2 transitions three times but over 61 s: not chattering.
        journal.push(simple(10, 2, 0));
        let mut back = simple(10, 2, 30);
        (back.action, back.from, back.to) =
            (AlarmAction::Returned, AlarmState::ActiveUnacknowledged, AlarmState::ReturnedUnacknowledged);
        journal.push(back);
        let mut again = simple(10, 2, 61);
        again.from = AlarmState::ReturnedUnacknowledged;
        journal.push(again);
        let (from, to) = hour_window();
        let h = alarm_health(&journal, &[], from, to).unwrap();
        assert_eq!(h.chattering.len(), 1, "{:#?}", h.chattering);
        let c = &h.chattering[0];
        assert_eq!((c.well_id, c.rule), (well(1), AlarmRuleKind::PressureHigh));
        // 100, 120, 160 are within 60 s; the acknowledgement at 110 is not a process transition.
        assert_eq!((c.max_transitions_per_minute, c.transitions, c.first_chatter_at), (3, 4, at(100)));
        // Exactly 60 s between the first and third is still chattering.
        journal.last_mut().unwrap().at = at(60);
        let h = alarm_health(&journal, &[], from, to).unwrap();
        assert_eq!(h.chattering.len(), 2);
        assert_eq!(h.chattering[1].well_id, well(2));
    }

    #[test]
    fn standing_alarms_are_active_for_more_than_a_day() {
        let active = Condition::Active { value: 0.0, limit: 0.0, message: String::new() };
        let to = t0() + Duration::hours(48);
        let from = to - Duration::hours(24);
        let old = Alarm::raise(new_alarm(1, 1, AlarmRuleKind::WellDown), &active, t0()).unwrap().alarm;
        let exactly_a_day =
            Alarm::raise(new_alarm(2, 2, AlarmRuleKind::WellDown), &active, to - Duration::hours(24)).unwrap().alarm;
        let older_acked = Alarm::raise(new_alarm(3, 3, AlarmRuleKind::DataGap), &active, t0() - Duration::hours(1))
            .unwrap()
            .alarm
            .acknowledge(UserId(Uuid::from_u128(1)), None, t0())
            .unwrap()
            .alarm;
        let mut returned = old.observe(&Condition::Normal, t0() + Duration::hours(1)).unwrap().alarm;
        returned.id = AlarmId(Uuid::from_u128(4));
        let shelved = Alarm::raise(new_alarm(5, 5, AlarmRuleKind::PressureLow), &active, t0() + Duration::hours(2))
            .unwrap()
            .alarm
            .shelve(UserId(Uuid::from_u128(1)), "known", to + Duration::hours(1), to - Duration::hours(1))
            .unwrap()
            .alarm;
        let open = [old.clone(), exactly_a_day, older_acked, returned, shelved];
        let h = alarm_health(&[], &open, from, to).unwrap();
        let ids: Vec<u128> = h.standing.iter().map(|s| s.alarm_id.0.as_u128()).collect();
        assert_eq!(ids, [3, 1, 5], "oldest first; returned and exactly-24-h alarms are not standing");
        assert_eq!(h.standing[1].hours_active, 48.0);
        assert_eq!(h.standing[0].hours_active, 49.0);
        assert!(h.standing[2].shelved && !h.standing[0].shelved);
    }

    #[test]
    fn bad_actors_are_ordered_by_count_then_well_then_rule() {
        let mut journal = Vec::new();
        let mut id = 0u128;
        let mut add = |w: u128, rule: AlarmRuleKind, n: usize, journal: &mut Vec<AlarmTransition>| {
            for _ in 0..n {
                id += 1;
                journal.push(raise(id, w, rule, AlarmPriority::Low, id as i64));
            }
        };
        add(9, AlarmRuleKind::DataGap, 5, &mut journal);
        add(3, AlarmRuleKind::DataGap, 2, &mut journal);
        add(3, AlarmRuleKind::WellDown, 2, &mut journal);
        add(1, AlarmRuleKind::Anomaly, 2, &mut journal);
        for w in 20..30 {
            add(w, AlarmRuleKind::PressureLow, 1, &mut journal);
        }
        journal.reverse();
        let (from, to) = hour_window();
        let h = alarm_health(&journal, &[], from, to).unwrap();
        let order: Vec<(u128, AlarmRuleKind, usize)> =
            h.bad_actors.iter().map(|b| (b.well_id.0.as_u128(), b.rule, b.raised)).collect();
        assert_eq!(
            order,
            [
                (9, AlarmRuleKind::DataGap, 5),
                (1, AlarmRuleKind::Anomaly, 2),
                (3, AlarmRuleKind::WellDown, 2),
                (3, AlarmRuleKind::DataGap, 2),
                (20, AlarmRuleKind::PressureLow, 1),
                (21, AlarmRuleKind::PressureLow, 1),
                (22, AlarmRuleKind::PressureLow, 1),
                (23, AlarmRuleKind::PressureLow, 1),
                (24, AlarmRuleKind::PressureLow, 1),
                (25, AlarmRuleKind::PressureLow, 1),
            ]
        );
        assert_eq!(h.raised, 21);
        assert!((h.bad_actors[0].share - 5.0 / 21.0).abs() < 1e-12);
        assert!((h.top_bad_actors_share - 17.0 / 21.0).abs() < 1e-12);
    }

    #[test]
    fn priority_mix_counts_raised_alarms_by_priority() {
        let mut journal = Vec::new();
        for i in 0..16 {
            journal.push(raise(i, i, AlarmRuleKind::Anomaly, AlarmPriority::Low, i as i64 * 60));
        }
        for i in 16..19 {
            journal.push(raise(i, i, AlarmRuleKind::DataGap, AlarmPriority::High, i as i64 * 60));
        }
        journal.push(raise(19, 19, AlarmRuleKind::WellDown, AlarmPriority::Critical, 19 * 60));
        let (from, to) = hour_window();
        let mix = alarm_health(&journal, &[], from, to).unwrap().priority_mix;
        assert_eq!((mix.critical, mix.high, mix.low), (1, 3, 16));
        assert_eq!((mix.critical_share, mix.high_share, mix.low_share), (0.05, 0.15, 0.8));
    }

    #[test]
    fn rate_bands() {
        assert_eq!(RateAssessment::from_average(1.0), RateAssessment::Acceptable);
        assert_eq!(RateAssessment::from_average(1.01), RateAssessment::Manageable);
        assert_eq!(RateAssessment::from_average(2.0), RateAssessment::Manageable);
        assert_eq!(RateAssessment::from_average(10.0), RateAssessment::OverDemanding);
        assert_eq!(RateAssessment::from_average(10.5), RateAssessment::Unacceptable);
    }

    #[test]
    fn the_report_serialises_and_deserialises() {
        let journal: Vec<AlarmTransition> = (0..12).map(|i| simple(i, i % 3, 5 * i as i64)).collect();
        let (from, to) = hour_window();
        let h = alarm_health(&journal, &[], from, to).unwrap();
        let json = serde_json::to_value(&h).unwrap();
        assert_eq!(json["rate_assessment"], "manageable", "12 in an hour: 2 per 10 minutes");
        assert_eq!(json["bad_actors"][0]["rule"], "production_drop");
        assert_eq!(json["priority_mix"]["low"], 12);
        assert_eq!(serde_json::from_value::<AlarmHealth>(json).unwrap(), h);
    }
}
