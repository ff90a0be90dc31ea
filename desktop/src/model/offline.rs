//! The offline side of the model: whose cached data is shown without a sign-in (read-only), when the data on
//! screen was fetched, the alarm actions waiting in the outbox and their optimistic effect on the open alarms, and
//! what the offline banner says.
//!
//! Owns: the "Offline - data as of" rule (the oldest fetch time of the answers on screen, so that everything shown
//! is at least that fresh) and how a pending action changes an alarm before the server confirms it. Pure: instants
//! come with the events. Must not touch: egui, clocks, the network, the cache or the backend crate.

use super::alarms::AlarmBoard;
use super::{ConnectionState, Model};
use crate::protocol::{PendingAction, QueuedAction};
use chrono::{DateTime, Utc};
use flowline_shared::alarms::{Acknowledgement, Alarm, AlarmState, Shelving};
use flowline_shared::dto::alarms::AlarmSelection;
use flowline_shared::{Role, UserId};
use uuid::Uuid;

/// The "user" of an acknowledgement or a shelving applied here before the server confirmed it (the server never
/// hands out the nil id): how a view tells a pending action from a confirmed one.
pub const PENDING_BY: UserId = UserId(Uuid::nil());

/// The alarm carries an acknowledgement or a shelving still waiting in the outbox.
pub fn is_pending(alarm: &Alarm) -> bool {
    alarm.acknowledged.as_ref().is_some_and(|a| a.by == PENDING_BY)
        || alarm.shelved.as_ref().is_some_and(|s| s.by == PENDING_BY)
}

/// The user whose cached data is shown, read-only, because the server was not there at the start.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedViewer {
    pub tenant: String,
    pub username: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct OfflineState {
    /// Set until a sign-in succeeds.
    pub viewer: Option<CachedViewer>,
    /// The newest fetch time of the answers applied from the cache since the server last answered; `None` once a
    /// live answer arrived.
    pub cached_at: Option<DateTime<Utc>>,
    /// The outbox, oldest first.
    pub pending: Vec<PendingAction>,
    /// An event from the cache is being applied: it does not mean the server answered.
    pub(super) applying_cache: bool,
}

/// What the offline banner shows.
#[derive(Debug, Clone, PartialEq)]
pub struct OfflineBanner {
    /// The oldest fetch time of the answers on screen; `None` when nothing was ever fetched.
    pub data_as_of: Option<DateTime<Utc>>,
    /// "ops @ alpha" when the cached data is shown without a sign-in.
    pub read_only_as: Option<String>,
    /// Actions waiting in the outbox.
    pub pending: usize,
}

impl OfflineState {
    pub(super) fn cached_answer(&mut self, fetched_at: DateTime<Utc>) {
        self.cached_at = Some(self.cached_at.map_or(fetched_at, |at| at.max(fetched_at)));
    }

    /// A sign-in as `tenant`/`username` succeeded; true when the data on screen belonged to someone else and must go.
    pub(super) fn signed_in(&mut self, tenant: &str, username: &str) -> bool {
        self.viewer.take().is_some_and(|v| v.tenant != tenant || v.username != username)
    }

    /// Applies the pending actions to the open alarms as the server will have them: acknowledged (a returned
    /// alarm closes), shelved. Idempotent; the server's answer (or the next list) replaces the guess.
    pub fn overlay(&self, board: &mut AlarmBoard) {
        for pending in &self.pending {
            match &pending.action {
                QueuedAction::Acknowledge { id, comment } => {
                    if let Some(open) = board.open.get_mut(id) {
                        acknowledge(&mut open.alarm, comment, pending.queued_at);
                    }
                }
                QueuedAction::AcknowledgeAll { filter, comment } => {
                    for open in board.open.values_mut().filter(|o| selects(filter, &o.alarm)) {
                        acknowledge(&mut open.alarm, comment, pending.queued_at);
                    }
                }
                QueuedAction::Shelve { id, until, reason } => {
                    if let Some(open) = board.open.get_mut(id)
                        && open.alarm.shelved.as_ref().is_none_or(|s| s.until != *until)
                    {
                        let (by, at) = (PENDING_BY, pending.queued_at);
                        open.alarm.shelved = Some(Shelving { by, at, until: *until, reason: reason.clone() });
                    }
                }
            }
        }
    }

    /// One line per pending action: "Acknowledgement of Midland 2 · Well down · "crew called"".
    pub fn pending_lines(&self) -> Vec<String> {
        self.pending
            .iter()
            .map(|p| {
                let text = match &p.action {
                    QueuedAction::Acknowledge { comment, .. } | QueuedAction::AcknowledgeAll { comment, .. } => {
                        comment.as_deref()
                    }
                    QueuedAction::Shelve { reason, .. } => Some(reason.as_str()),
                };
                match text {
                    Some(text) => format!("{} of {} · \u{201c}{text}\u{201d}", p.action.noun(), p.label),
                    None => format!("{} of {}", p.action.noun(), p.label),
                }
            })
            .collect()
    }
}

fn acknowledge(alarm: &mut Alarm, comment: &Option<String>, at: DateTime<Utc>) {
    let next = match alarm.state {
        AlarmState::ActiveUnacknowledged => AlarmState::ActiveAcknowledged,
        AlarmState::ReturnedUnacknowledged => AlarmState::Normal,
        AlarmState::ActiveAcknowledged | AlarmState::Normal => return,
    };
    alarm.state = next;
    alarm.acknowledged = Some(Acknowledgement { by: PENDING_BY, at, comment: comment.clone() });
}

/// Whether acknowledge-all with `filter` covers `alarm` (as the server selects: every condition must hold).
fn selects(filter: &AlarmSelection, alarm: &Alarm) -> bool {
    alarm.state.is_unacknowledged()
        && filter.priority.is_none_or(|p| alarm.priority == p)
        && filter.state.is_none_or(|s| alarm.state == s)
        && filter.well_id.is_none_or(|w| alarm.well_id.0 == w)
        && filter.from.is_none_or(|from| alarm.raised_at >= from)
        && filter.to.is_none_or(|to| alarm.raised_at < to)
}

/// The banner's content: shown while the server cannot be reached and there is data (or a cached user) to show.
pub fn banner(model: &Model) -> Option<OfflineBanner> {
    if !matches!(model.connection, ConnectionState::Offline { .. }) {
        return None;
    }
    let fetched = [model.last_updated, model.kpis.checked_at, model.alarms.loaded_at];
    let data_as_of = fetched.into_iter().flatten().min();
    let read_only_as = model
        .offline
        .viewer
        .as_ref()
        .filter(|_| model.session.is_none())
        .map(|v| format!("{} @ {}", v.username, v.tenant));
    if data_as_of.is_none() && read_only_as.is_none() {
        return None;
    }
    Some(OfflineBanner { data_as_of, read_only_as, pending: model.offline.pending.len() })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::format::utc;
    use crate::model::alarms::fixtures::{alarm, view};
    use crate::model::fixtures::well;
    use crate::model::kpis::tiles;
    use crate::model::{Mode, Session};
    use crate::protocol::Event;
    use flowline_shared::WellStatus;
    use flowline_shared::alarms::{AlarmId, AlarmPriority};
    use std::time::Duration;

    fn t(h: u32, m: u32) -> DateTime<Utc> {
        utc(2025, 3, 14, h, m, 0).unwrap()
    }

    fn remote() -> Model {
        Model::new(Mode::Remote, Some("http://ops.example:8080".into()), Duration::from_secs(30))
    }

    fn cached(event: Event, fetched_at: DateTime<Utc>) -> Event {
        Event::FromCache { event: Box::new(event), fetched_at }
    }

    /// A start without a server: the cached answers of 09:40, replayed at 12:00.
    fn offline_start_with_cache() -> Model {
        let mut model = remote();
        model.apply(Event::Connecting { base_url: "http://ops.example:8080".into() });
        model.apply(Event::WentOffline { error: "connection refused".into(), at: t(12, 0) });
        let fetched = t(9, 40);
        let wells = vec![well("Midland 2", None, WellStatus::Active, Some((t(9, 30), 120.0)))];
        model.apply(cached(Event::WellsLoaded { wells, total: 1, at: fetched }, fetched));
        let kpis = crate::model::kpis::fixtures::fleet(fetched, t(9, 30));
        model.apply(cached(Event::KpisLoaded { kpis: Box::new(kpis), at: fetched }, fetched));
        let open = vec![view(alarm(1, AlarmPriority::High, AlarmState::ActiveUnacknowledged, t(9, 0)), "Midland 2")];
        model.apply(cached(Event::OpenAlarmsLoaded { alarms: open, requested_at: fetched, at: fetched }, fetched));
        model.apply(Event::CachedSession { tenant: "alpha".into(), username: "ops".into(), role: Role::Operator });
        model
    }

    #[test]
    fn cached_data_without_a_server_shows_the_banner_read_only_with_its_real_age() {
        let model = offline_start_with_cache();
        assert!(matches!(model.connection, ConnectionState::Offline { .. }), "cached answers are not the server");
        assert!(model.messages.iter().all(|m| m.text != "Connection restored"));
        assert!(!model.shows_login(), "the cached data is shown instead of the login");
        assert!(model.session.is_none(), "read-only: nobody is signed in");
        assert_eq!(model.offline.cached_at, Some(t(9, 40)));
        assert_eq!(
            banner(&model),
            Some(OfflineBanner { data_as_of: Some(t(9, 40)), read_only_as: Some("ops @ alpha".into()), pending: 0 })
        );
        // Staleness follows the data's own instants, not the replay's.
        assert_eq!(model.last_updated, Some(t(9, 40)));
        assert_eq!(model.kpis.fetched_at, Some(t(9, 40)));
        assert_eq!(model.alarms.loaded_at, Some(t(9, 40)));
        let [oil, ..] = tiles(model.kpis.kpis.as_ref().unwrap(), None);
        assert_eq!(oil.as_of, Some(t(9, 30)));
        assert!(oil.is_stale(t(12, 0)), "a reading from 9:30 is stale at noon");
        assert!(!oil.is_stale(t(9, 45)));
        assert_eq!(model.alarms.unacknowledged(t(12, 0)), 1);
    }

    #[test]
    fn the_server_coming_back_asks_for_a_sign_in_and_a_live_answer_ends_the_banner() {
        let mut model = offline_start_with_cache();
        model.apply(Event::NeedsLogin {
            base_url: "http://ops.example:8080".into(),
            tenant: Some("alpha".into()),
            username: Some("ops".into()),
        });
        assert!(model.shows_login());
        assert_eq!((model.login.tenant.as_str(), model.login.username.as_str()), ("alpha", "ops"));
        assert_eq!(banner(&model), None);
        model.apply(Event::LoggedIn {
            tenant: "alpha".into(),
            username: "ops".into(),
            role: Role::Operator,
            expires_at: t(20, 0),
            at: t(12, 5),
        });
        assert!(model.offline.viewer.is_none());
        assert_eq!(model.wells.len(), 1, "the same user keeps the cached data until the fresh one arrives");
        model.apply(Event::WellsLoaded { wells: vec![], total: 0, at: t(12, 6) });
        assert_eq!(model.offline.cached_at, None, "a live answer");
    }

    #[test]
    fn another_user_signing_in_does_not_see_the_cached_users_data() {
        let mut model = offline_start_with_cache();
        model.apply(Event::LoggedIn {
            tenant: "alpha".into(),
            username: "night-shift".into(),
            role: Role::Viewer,
            expires_at: t(20, 0),
            at: t(12, 5),
        });
        assert!(model.wells.is_empty() && model.kpis.kpis.is_none() && model.alarms.open.is_empty());
        assert_eq!(model.last_updated, None);
    }

    #[test]
    fn a_signed_in_user_losing_the_link_sees_the_banner_with_the_oldest_fetch_time() {
        let mut model = remote();
        model.apply(Event::LoggedIn {
            tenant: "alpha".into(),
            username: "ops".into(),
            role: Role::Operator,
            expires_at: t(20, 0),
            at: t(11, 0),
        });
        model.apply(Event::WellsLoaded { wells: vec![], total: 0, at: t(11, 1) });
        model.apply(Event::OpenAlarmsLoaded { alarms: vec![], requested_at: t(11, 0), at: t(11, 2) });
        assert_eq!(banner(&model), None, "online");
        model.apply(Event::WentOffline { error: "timed out".into(), at: t(11, 30) });
        assert_eq!(banner(&model).unwrap().data_as_of, Some(t(11, 1)));
        assert_eq!(banner(&model).unwrap().read_only_as, None);
        assert!(model.session.as_ref().is_some_and(|s: &Session| s.username == "ops"));
    }

    #[test]
    fn pending_acknowledgements_apply_optimistically_until_the_server_answers() {
        let mut model = remote();
        model.apply(Event::LoggedIn {
            tenant: "alpha".into(),
            username: "ops".into(),
            role: Role::Operator,
            expires_at: t(20, 0),
            at: t(11, 0),
        });
        let active = alarm(1, AlarmPriority::High, AlarmState::ActiveUnacknowledged, t(10, 0));
        let returned = alarm(2, AlarmPriority::Low, AlarmState::ReturnedUnacknowledged, t(10, 0));
        let shelvable = alarm(3, AlarmPriority::Critical, AlarmState::ActiveUnacknowledged, t(10, 0));
        let views = vec![view(active.clone(), "A"), view(returned.clone(), "B"), view(shelvable.clone(), "C")];
        model.apply(Event::OpenAlarmsLoaded { alarms: views.clone(), requested_at: t(11, 0), at: t(11, 0) });
        model.apply(Event::WentOffline { error: "connection refused".into(), at: t(11, 5) });
        assert_eq!(model.alarms.unacknowledged(t(11, 6)), 3);

        let pending = |n: u128, action: QueuedAction| PendingAction {
            key: Uuid::from_u128(n),
            action,
            label: format!("alarm {n}"),
            queued_at: t(11, 6),
        };
        let until = t(15, 6);
        model.apply(Event::ActionQueued { message: "Acknowledgement of alarm 1: pending".into(), at: t(11, 6) });
        model.apply(Event::OutboxChanged {
            pending: vec![
                pending(1, QueuedAction::Acknowledge { id: active.id, comment: Some("crew called".into()) }),
                pending(2, QueuedAction::Acknowledge { id: returned.id, comment: None }),
                pending(3, QueuedAction::Shelve { id: shelvable.id, until, reason: "pump change".into() }),
            ],
        });
        let now = t(11, 7);
        assert_eq!(model.alarms.unacknowledged(now), 0, "acknowledged and shelved, optimistically");
        assert_eq!(model.alarms.open[&active.id].alarm.state, AlarmState::ActiveAcknowledged);
        let ack = model.alarms.open[&active.id].alarm.acknowledged.clone().unwrap();
        assert_eq!(ack.comment.as_deref(), Some("crew called"));
        assert_eq!(model.alarms.open[&returned.id].alarm.state, AlarmState::Normal, "a returned alarm closes");
        assert!(model.alarms.open[&shelvable.id].alarm.is_shelved(now));
        assert!([active.id, returned.id, shelvable.id].iter().all(|id| is_pending(&model.alarms.open[id].alarm)));
        assert_eq!(banner(&model).unwrap().pending, 3);
        assert_eq!(model.offline.pending_lines()[0], "Acknowledgement of alarm 1 · \u{201c}crew called\u{201d}");
        assert_eq!(model.drawer.notice, Some(("Acknowledgement of alarm 1: pending".into(), false)));
        assert!(model.drawer.comment.is_empty());

        // A reload (from the cache, or the server before the outbox went) keeps the pending effect.
        model.apply(cached(Event::OpenAlarmsLoaded { alarms: views, requested_at: t(11, 0), at: t(11, 0) }, t(11, 0)));
        assert_eq!(model.alarms.unacknowledged(now), 0);

        // The server answered the first one; the others wait.
        let mut acked = active.clone();
        acked.state = AlarmState::ActiveAcknowledged;
        model.apply(Event::AlarmActed {
            alarm: Box::new(view(acked, "A")),
            message: "Acknowledged: A · Well down".into(),
            at: t(12, 0),
        });
        model.apply(Event::OutboxChanged { pending: model.offline.pending[1..].to_vec() });
        assert_eq!(model.offline.pending.len(), 2);
        assert_eq!(model.alarms.open[&active.id].alarm.state, AlarmState::ActiveAcknowledged);
        assert!(!is_pending(&model.alarms.open[&active.id].alarm), "the server's version, not the guess");
    }

    #[test]
    fn acknowledge_all_pending_covers_what_its_filter_selects() {
        let mut board = AlarmBoard::default();
        let high = alarm(1, AlarmPriority::High, AlarmState::ActiveUnacknowledged, t(10, 0));
        let low = alarm(2, AlarmPriority::Low, AlarmState::ActiveUnacknowledged, t(10, 0));
        board.load(vec![view(high.clone(), "A"), view(low.clone(), "B")], t(11, 0), t(11, 0));
        let state = OfflineState {
            pending: vec![PendingAction {
                key: Uuid::nil(),
                action: QueuedAction::AcknowledgeAll {
                    filter: AlarmSelection { priority: Some(AlarmPriority::High), ..AlarmSelection::default() },
                    comment: None,
                },
                label: "the alarms shown".into(),
                queued_at: t(11, 0),
            }],
            ..OfflineState::default()
        };
        state.overlay(&mut board);
        state.overlay(&mut board);
        assert_eq!(board.open[&high.id].alarm.state, AlarmState::ActiveAcknowledged);
        assert_eq!(board.open[&AlarmId(low.id.0)].alarm.state, AlarmState::ActiveUnacknowledged);
    }
}
