//! The open alarms as the desktop knows them: keyed by id, fed by the REST list and by the event stream, with the
//! last stream position, the stream's connection state and the instant of the last new alarm (the badge's pulse).
//!
//! Owns: how a list or a stream event changes the open alarms (pure functions of their inputs, `now` passed in),
//! the counts the badge and the banner show, and the drawer's filter rule.
//! Must not touch: egui, clocks, the network or the backend crate.

use crate::protocol::AlarmChange;
use chrono::{DateTime, TimeDelta, Utc};
use flowline_shared::WellId;
use flowline_shared::alarms::{Alarm, AlarmId, AlarmPriority, AlarmState};
use flowline_shared::dto::alarms::{AlarmSelection, AlarmView};
use std::collections::BTreeMap;

/// How long the badge pulses after a new alarm.
pub const PULSE_FOR: TimeDelta = TimeDelta::seconds(4);

/// One open alarm with what the drawer shows beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenAlarm {
    pub alarm: Alarm,
    /// From the REST list, or from the well table for an alarm first seen on the stream; `None` when unknown.
    pub well_name: Option<String>,
    /// The well's alarms are out of service (not annunciated, not counted).
    pub out_of_service: bool,
}

impl OpenAlarm {
    /// Waiting for an acknowledgement and shown to operators at `now`.
    pub fn counts_as_unacknowledged(&self, now: DateTime<Utc>) -> bool {
        self.alarm.counts_as_unacknowledged(self.out_of_service, now)
    }
}

/// The event stream's connection.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum StreamState {
    /// Not started (not signed in yet).
    #[default]
    Idle,
    Connecting {
        attempt: u32,
    },
    Live {
        since: DateTime<Utc>,
    },
    /// Dropped; reconnecting at `retry_at`.
    Down {
        reason: String,
        retry_at: DateTime<Utc>,
    },
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct AlarmBoard {
    pub open: BTreeMap<AlarmId, OpenAlarm>,
    /// The last stream event applied (its `seq`); events at or below it are repeats and ignored.
    pub last_seq: Option<i64>,
    /// When the newest alarm was raised (an event's own instant), for the badge's pulse.
    pub last_new_alarm_at: Option<DateTime<Utc>>,
    pub stream: StreamState,
    /// When the open alarms were last fetched over REST.
    pub loaded_at: Option<DateTime<Utc>>,
    /// When the stream last said something (event, snapshot or heartbeat).
    pub stream_seen_at: Option<DateTime<Utc>>,
}

/// The drawer's filter: every condition must hold; `None` is "all". Each condition is one the server's
/// acknowledge-all also takes (`AlarmSelection`), with the same meaning, so "acknowledge all shown" can send it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AlarmFilter {
    pub priority: Option<AlarmPriority>,
    pub state: Option<AlarmState>,
    pub well: Option<WellId>,
    /// The current occurrence raised at or after this instant...
    pub raised_from: Option<DateTime<Utc>>,
    /// ...and before this one.
    pub raised_to: Option<DateTime<Utc>>,
}

impl AlarmFilter {
    pub fn matches(&self, alarm: &Alarm) -> bool {
        self.priority.is_none_or(|p| alarm.priority == p)
            && self.state.is_none_or(|s| alarm.state == s)
            && self.well.is_none_or(|w| alarm.well_id == w)
            && self.raised_from.is_none_or(|from| alarm.raised_at >= from)
            && self.raised_to.is_none_or(|to| alarm.raised_at < to)
    }

    /// The same filter for `POST /api/v1/alarms/acknowledge`.
    pub fn selection(&self) -> AlarmSelection {
        AlarmSelection {
            priority: self.priority,
            state: self.state,
            well_id: self.well.map(|w| w.0),
            from: self.raised_from,
            to: self.raised_to,
        }
    }

    /// The selection for "acknowledge all shown": the filter, with its time window narrowed to the raise times of
    /// `shown` (the unacknowledged alarms listed), so that an alarm raised on the server after the list was drawn
    /// (or before, and not yet known here) is not acknowledged unseen. `None` when nothing is shown.
    pub fn selection_for_shown<'a>(&self, shown: impl IntoIterator<Item = &'a Alarm>) -> Option<AlarmSelection> {
        let mut window: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
        for alarm in shown {
            let at = alarm.raised_at;
            window = Some(window.map_or((at, at), |(lo, hi)| (lo.min(at), hi.max(at))));
        }
        let (oldest, newest) = window?;
        let mut selection = self.selection();
        selection.from = Some(selection.from.map_or(oldest, |from| from.max(oldest)));
        // `to` is exclusive and instants travel at millisecond precision.
        let after_newest = newest + TimeDelta::milliseconds(1);
        selection.to = Some(selection.to.map_or(after_newest, |to| to.min(after_newest)));
        Some(selection)
    }
}

impl AlarmBoard {
    /// The REST list replaces the open alarms, except that an alarm the stream changed after the request left is
    /// kept as the stream said (the list may predate it).
    pub fn load(&mut self, views: Vec<AlarmView>, requested_at: DateTime<Utc>, at: DateTime<Utc>) {
        let mut fresh: BTreeMap<AlarmId, OpenAlarm> = views
            .into_iter()
            .filter(|v| v.alarm.state.is_open())
            .map(|v| {
                (
                    v.alarm.id,
                    OpenAlarm { alarm: v.alarm, well_name: Some(v.well_name), out_of_service: v.out_of_service },
                )
            })
            .collect();
        for (id, known) in &self.open {
            if known.alarm.last_changed_at > requested_at {
                fresh.insert(*id, known.clone());
            }
        }
        self.open = fresh;
        self.loaded_at = Some(at);
    }

    /// The stream's snapshot: live from here. A fresh connection (no resume) starts counting at its `seq`.
    pub fn stream_live(&mut self, seq: i64, resumed_from: Option<i64>, at: DateTime<Utc>) {
        self.stream = StreamState::Live { since: at };
        self.stream_seen_at = Some(at);
        if resumed_from.is_none() {
            self.last_seq = Some(self.last_seq.map_or(seq, |s| s.max(seq)));
        }
    }

    /// Applies one alarm event; false for a repeat (`seq` already applied). `well_name` looks up a name for an
    /// alarm first seen on the stream.
    pub fn apply_change(
        &mut self,
        change: AlarmChange,
        seq: i64,
        alarm: Alarm,
        out_of_service: Option<bool>,
        at: DateTime<Utc>,
        well_name: impl Fn(WellId) -> Option<String>,
    ) -> bool {
        if self.last_seq.is_some_and(|last| seq <= last) {
            return false;
        }
        self.last_seq = Some(seq);
        self.stream_seen_at = Some(at);
        let known = self.open.remove(&alarm.id);
        let newly_raised = match change {
            AlarmChange::Created => true,
            // A re-raise of an open alarm: active and unacknowledged again with one more occurrence.
            AlarmChange::Updated => {
                alarm.state == AlarmState::ActiveUnacknowledged
                    && known.as_ref().is_none_or(|k| k.alarm.occurrences < alarm.occurrences)
            }
            AlarmChange::Cleared => false,
        };
        if newly_raised {
            self.last_new_alarm_at = Some(self.last_new_alarm_at.map_or(at, |t| t.max(at)));
        }
        if change == AlarmChange::Cleared || !alarm.state.is_open() {
            return true;
        }
        let well_name = known.as_ref().and_then(|k| k.well_name.clone()).or_else(|| well_name(alarm.well_id));
        let out_of_service = out_of_service.or(known.as_ref().map(|k| k.out_of_service)).unwrap_or(false);
        self.open.insert(alarm.id, OpenAlarm { alarm, well_name, out_of_service });
        true
    }

    /// An answer to the operator's own command (acknowledge, shelve): the alarm as the server has it now.
    pub fn apply_view(&mut self, view: AlarmView) {
        if view.alarm.state.is_open() {
            let id = view.alarm.id;
            self.open.insert(
                id,
                OpenAlarm { alarm: view.alarm, well_name: Some(view.well_name), out_of_service: view.out_of_service },
            );
        } else {
            self.open.remove(&view.alarm.id);
        }
    }

    pub fn heartbeat(&mut self, at: DateTime<Utc>) {
        self.stream_seen_at = Some(at);
    }

    /// Annunciated alarms waiting for an acknowledgement (shelved and out-of-service ones are not counted).
    pub fn unacknowledged(&self, now: DateTime<Utc>) -> usize {
        self.open.values().filter(|a| a.counts_as_unacknowledged(now)).count()
    }

    /// The highest priority among those.
    pub fn highest_unacknowledged(&self, now: DateTime<Utc>) -> Option<AlarmPriority> {
        self.open.values().filter(|a| a.counts_as_unacknowledged(now)).map(|a| a.alarm.priority).max()
    }

    /// Unacknowledged critical alarms, most recent raise first: what the banner names.
    pub fn critical_unacknowledged(&self, now: DateTime<Utc>) -> Vec<&OpenAlarm> {
        let mut found: Vec<&OpenAlarm> = self
            .open
            .values()
            .filter(|a| a.alarm.priority == AlarmPriority::Critical && a.counts_as_unacknowledged(now))
            .collect();
        found.sort_by_key(|a| std::cmp::Reverse(a.alarm.raised_at));
        found
    }

    /// A new alarm arrived less than [`PULSE_FOR`] before `now`.
    pub fn is_pulsing(&self, now: DateTime<Utc>) -> bool {
        self.last_new_alarm_at.is_some_and(|at| now >= at && now - at < PULSE_FOR)
    }

    /// The open alarms matching `filter`, in the drawer's order: annunciated before shelved or out of service,
    /// unacknowledged first, then by priority (most urgent first), then newest raise first.
    pub fn listed(&self, filter: &AlarmFilter, now: DateTime<Utc>) -> Vec<&OpenAlarm> {
        let mut found: Vec<&OpenAlarm> = self.open.values().filter(|a| filter.matches(&a.alarm)).collect();
        found.sort_by(|a, b| {
            let key = |x: &OpenAlarm| {
                (!x.alarm.is_annunciated(x.out_of_service, now), !x.alarm.state.is_unacknowledged(), x.alarm.priority)
            };
            let (ka, kb) = (key(a), key(b));
            (ka.0, ka.1)
                .cmp(&(kb.0, kb.1))
                .then(kb.2.cmp(&ka.2))
                .then(b.alarm.raised_at.cmp(&a.alarm.raised_at))
                .then(a.alarm.id.cmp(&b.alarm.id))
        });
        found
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(crate) mod fixtures {
    //! Alarms for model and view tests.
    use super::*;
    use flowline_shared::TenantId;
    use flowline_shared::alarms::AlarmRuleKind;
    use uuid::Uuid;

    pub fn alarm(n: u128, priority: AlarmPriority, state: AlarmState, raised_at: DateTime<Utc>) -> Alarm {
        Alarm {
            id: AlarmId(Uuid::from_u128(n)),
            tenant_id: TenantId(Uuid::nil()),
            well_id: WellId(Uuid::from_u128(1000 + n)),
            rule: AlarmRuleKind::WellDown,
            priority,
            state,
            first_raised_at: raised_at,
            raised_at,
            last_changed_at: raised_at,
            occurrences: 1,
            value: 0.0,
            limit: 0.0,
            message: "No oil and no gas".to_owned(),
            acknowledged: None,
            shelved: None,
        }
    }

    pub fn view(alarm: Alarm, well_name: &str) -> AlarmView {
        let now = alarm.last_changed_at;
        AlarmView::new(alarm, well_name.to_owned(), false, now)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::fixtures::{alarm, view};
    use super::*;
    use crate::format::utc;
    use flowline_shared::UserId;
    use flowline_shared::alarms::Shelving;
    use uuid::Uuid;

    fn t(m: u32, s: u32) -> DateTime<Utc> {
        utc(2025, 3, 14, 12, m, s).unwrap()
    }

    fn no_name(_: WellId) -> Option<String> {
        None
    }

    #[test]
    fn the_list_loads_open_alarms_and_counts_unacknowledged_ones() {
        let mut board = AlarmBoard::default();
        board.load(
            vec![
                view(alarm(1, AlarmPriority::High, AlarmState::ActiveUnacknowledged, t(0, 0)), "A"),
                view(alarm(2, AlarmPriority::Critical, AlarmState::ActiveAcknowledged, t(1, 0)), "B"),
                view(alarm(3, AlarmPriority::Low, AlarmState::ReturnedUnacknowledged, t(2, 0)), "C"),
                view(alarm(4, AlarmPriority::Critical, AlarmState::Normal, t(3, 0)), "D"),
            ],
            t(5, 0),
            t(5, 1),
        );
        assert_eq!(board.open.len(), 3, "a closed alarm is not open");
        assert_eq!(board.unacknowledged(t(6, 0)), 2, "returned-to-normal-unacknowledged still counts");
        assert_eq!(board.highest_unacknowledged(t(6, 0)), Some(AlarmPriority::High));
        assert!(board.critical_unacknowledged(t(6, 0)).is_empty(), "the critical one is acknowledged");
        assert_eq!(board.loaded_at, Some(t(5, 1)));
        assert!(!board.is_pulsing(t(6, 0)), "alarms from a list are not new");
    }

    #[test]
    fn created_updated_cleared_change_the_open_alarms_and_repeats_are_ignored() {
        let mut board = AlarmBoard::default();
        board.stream_live(10, None, t(0, 0));
        assert_eq!(board.last_seq, Some(10));
        let raised = alarm(1, AlarmPriority::Critical, AlarmState::ActiveUnacknowledged, t(1, 0));
        let name = |_: WellId| Some("Down 1".to_owned());
        assert!(board.apply_change(AlarmChange::Created, 11, raised.clone(), None, t(1, 0), name));
        assert_eq!(board.open[&raised.id].well_name.as_deref(), Some("Down 1"));
        assert_eq!(board.critical_unacknowledged(t(1, 1)).len(), 1);
        assert!(board.is_pulsing(t(1, 2)));
        assert!(!board.is_pulsing(t(1, 0) + PULSE_FOR), "the pulse lasts a few seconds");

        // The same event again (a replay overlap) changes nothing.
        assert!(!board.apply_change(AlarmChange::Created, 11, raised.clone(), None, t(1, 0), no_name));
        // Acknowledged: still open, no longer counted.
        let mut acked = raised.clone();
        acked.state = AlarmState::ActiveAcknowledged;
        acked.last_changed_at = t(2, 0);
        assert!(board.apply_change(AlarmChange::Updated, 12, acked, None, t(2, 0), no_name));
        assert_eq!(board.unacknowledged(t(2, 1)), 0);
        assert_eq!(board.open[&raised.id].well_name.as_deref(), Some("Down 1"), "the name is kept");
        // Cleared: gone.
        let mut closed = raised.clone();
        closed.state = AlarmState::Normal;
        assert!(board.apply_change(AlarmChange::Cleared, 13, closed, None, t(3, 0), no_name));
        assert!(board.open.is_empty());
        assert_eq!(board.last_seq, Some(13));
    }

    #[test]
    fn a_returned_unacknowledged_alarm_stays_and_a_reraise_pulses_again() {
        let mut board = AlarmBoard::default();
        let raised = alarm(1, AlarmPriority::High, AlarmState::ActiveUnacknowledged, t(0, 0));
        board.apply_change(AlarmChange::Created, 1, raised.clone(), None, t(0, 0), no_name);
        let mut returned = raised.clone();
        returned.state = AlarmState::ReturnedUnacknowledged;
        board.apply_change(AlarmChange::Updated, 2, returned, None, t(1, 0), no_name);
        assert_eq!(board.unacknowledged(t(1, 1)), 1);
        assert_eq!(board.open[&raised.id].alarm.state, AlarmState::ReturnedUnacknowledged);
        assert_eq!(board.last_new_alarm_at, Some(t(0, 0)), "returning to normal is not a new alarm");
        let mut again = raised.clone();
        again.occurrences = 2;
        board.apply_change(AlarmChange::Updated, 3, again, None, t(5, 0), no_name);
        assert_eq!(board.last_new_alarm_at, Some(t(5, 0)), "a re-raise is a new occurrence");
    }

    #[test]
    fn resuming_keeps_the_last_seq_and_replayed_events_apply_in_order() {
        let mut board = AlarmBoard::default();
        board.stream_live(5, None, t(0, 0));
        board.apply_change(
            AlarmChange::Created,
            6,
            alarm(1, AlarmPriority::Low, AlarmState::ActiveUnacknowledged, t(0, 1)),
            None,
            t(0, 1),
            no_name,
        );
        board.stream = StreamState::Down { reason: "closed".into(), retry_at: t(0, 3) };
        // Resumed from 6: the snapshot says 8, events 7 and 8 are replayed.
        board.stream_live(8, Some(6), t(0, 4));
        assert_eq!(board.last_seq, Some(6), "a resumed snapshot does not skip the replay");
        for (seq, n) in [(7, 2), (8, 3)] {
            let a = alarm(n, AlarmPriority::High, AlarmState::ActiveUnacknowledged, t(0, 2));
            assert!(board.apply_change(AlarmChange::Created, seq, a, None, t(0, 2), no_name));
        }
        assert_eq!(board.last_seq, Some(8));
        assert_eq!(board.open.len(), 3);
        assert!(matches!(board.stream, StreamState::Live { .. }));
    }

    #[test]
    fn a_list_older_than_a_stream_change_does_not_undo_it() {
        let mut board = AlarmBoard::default();
        let mut acked = alarm(1, AlarmPriority::High, AlarmState::ActiveAcknowledged, t(0, 0));
        acked.last_changed_at = t(2, 0);
        board.apply_change(AlarmChange::Updated, 1, acked, None, t(2, 0), no_name);
        // The list left at 1:00, before the acknowledgement, and still says unacknowledged.
        let stale = view(alarm(1, AlarmPriority::High, AlarmState::ActiveUnacknowledged, t(0, 0)), "A");
        board.load(vec![stale], t(1, 0), t(3, 0));
        assert_eq!(board.unacknowledged(t(3, 0)), 0);
    }

    #[test]
    fn shelved_and_out_of_service_alarms_are_listed_last_and_not_counted() {
        let mut board = AlarmBoard::default();
        let mut shelved = alarm(1, AlarmPriority::Critical, AlarmState::ActiveUnacknowledged, t(0, 0));
        shelved.shelved =
            Some(Shelving { by: UserId(Uuid::nil()), at: t(0, 0), until: t(30, 0), reason: "crew on site".into() });
        let info = alarm(2, AlarmPriority::Low, AlarmState::ActiveUnacknowledged, t(1, 0));
        let warning = alarm(3, AlarmPriority::High, AlarmState::ActiveUnacknowledged, t(0, 30));
        let acked = alarm(4, AlarmPriority::Critical, AlarmState::ActiveAcknowledged, t(2, 0));
        let mut oos = view(alarm(5, AlarmPriority::High, AlarmState::ActiveUnacknowledged, t(3, 0)), "E");
        oos.out_of_service = true;
        let mut views: Vec<AlarmView> = [shelved, info, warning, acked].into_iter().map(|a| view(a, "W")).collect();
        views.push(oos);
        board.load(views, t(4, 0), t(4, 0));
        let now = t(5, 0);
        assert_eq!(board.unacknowledged(now), 2);
        assert_eq!(board.highest_unacknowledged(now), Some(AlarmPriority::High));
        let order: Vec<u128> =
            board.listed(&AlarmFilter::default(), now).iter().map(|a| a.alarm.id.0.as_u128()).collect();
        assert_eq!(order, [3, 2, 4, 1, 5]);
        let critical = AlarmFilter { priority: Some(AlarmPriority::Critical), ..Default::default() };
        assert_eq!(board.listed(&critical, now).len(), 2);
        let selection = AlarmFilter {
            priority: Some(AlarmPriority::High),
            state: Some(AlarmState::ActiveUnacknowledged),
            ..Default::default()
        }
        .selection();
        assert_eq!(selection.priority, Some(AlarmPriority::High));
        assert_eq!(selection.state, Some(AlarmState::ActiveUnacknowledged));
        assert!(selection.well_id.is_none());
        // When the shelf ends, the alarm counts again.
        assert_eq!(board.unacknowledged(t(31, 0)), 3);
    }

    #[test]
    fn well_and_date_filters_narrow_the_list_and_the_selection_to_what_is_shown() {
        let mut board = AlarmBoard::default();
        let early = alarm(1, AlarmPriority::High, AlarmState::ActiveUnacknowledged, t(0, 0));
        let late = alarm(2, AlarmPriority::High, AlarmState::ActiveUnacknowledged, t(10, 0));
        let mut other_well = alarm(3, AlarmPriority::High, AlarmState::ActiveUnacknowledged, t(5, 0));
        other_well.well_id = early.well_id;
        let well = early.well_id;
        board.load([early, late, other_well].into_iter().map(|a| view(a, "W")).collect(), t(11, 0), t(11, 0));
        let now = t(12, 0);
        let ids = |f: &AlarmFilter| board.listed(f, now).iter().map(|a| a.alarm.id.0.as_u128()).collect::<Vec<_>>();
        let by_well = AlarmFilter { well: Some(well), ..Default::default() };
        assert_eq!(ids(&by_well), [3, 1]);
        let window = AlarmFilter { raised_from: Some(t(1, 0)), raised_to: Some(t(10, 0)), ..Default::default() };
        assert_eq!(ids(&window), [3], "from inclusive, to exclusive");

        let selection = by_well.selection();
        assert_eq!(selection.well_id, Some(well.0));
        // Acknowledge-all is narrowed to the raise times of the alarms shown.
        let shown: Vec<&Alarm> = board.listed(&by_well, now).iter().map(|a| &a.alarm).collect();
        let narrowed = by_well.selection_for_shown(shown).unwrap();
        assert_eq!(narrowed.from, Some(t(0, 0)));
        assert_eq!(narrowed.to, Some(t(5, 0) + TimeDelta::milliseconds(1)));
        assert_eq!(narrowed.well_id, Some(well.0));
        let narrowed = window.selection_for_shown(board.listed(&window, now).iter().map(|a| &a.alarm)).unwrap();
        assert_eq!((narrowed.from, narrowed.to), (Some(t(5, 0)), Some(t(5, 0) + TimeDelta::milliseconds(1))));
        assert!(window.selection_for_shown(std::iter::empty()).is_none());
    }
}
