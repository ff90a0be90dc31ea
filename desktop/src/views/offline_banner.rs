//! The offline banner under the top bar: "Offline - data as of HH:MM" (local time) filled in the warning colour
//! while the server cannot be reached, with whose cached data is shown read-only, and the alarm actions waiting in
//! the outbox ("pending, will be sent"), listed one per line. With the link up and actions still waiting (a sign-in
//! is needed to send them), only the pending line shows.
//!
//! Owns: the banner's wording. Must not touch: the model (read only) or I/O.

use super::Clock;
use crate::model::Model;
use crate::model::offline::banner;
use crate::theme::{self, tokens::icon, tokens::size};
use egui::{Frame, Margin, RichText};

/// The hourglass: an action waits.
const PENDING: &str = icon::STARTING;

/// Whether the banner shows: offline with data to show, or actions waiting.
pub fn is_shown(model: &Model) -> bool {
    banner(model).is_some() || !model.offline.pending.is_empty()
}

/// "Offline - data as of 11:42", in the clock's zone; `None` before any data was fetched.
pub fn headline(model: &Model, clock: &Clock) -> Option<String> {
    let state = banner(model)?;
    Some(match state.data_as_of {
        Some(at) => format!("{} Offline - data as of {}", icon::OFFLINE, clock.zone.clock(at, clock.now)),
        None => format!("{} Offline - no data saved on this computer yet", icon::OFFLINE),
    })
}

/// "2 actions pending, will be sent when the connection returns".
pub fn pending_line(count: usize) -> String {
    match count {
        1 => format!("{PENDING} 1 action pending, will be sent when the connection returns"),
        n => format!("{PENDING} {n} actions pending, will be sent when the connection returns"),
    }
}

pub fn show(ui: &mut egui::Ui, model: &Model, clock: &Clock) {
    let p = theme::palette(ui);
    let state = banner(model);
    let (fill, text_color) = if state.is_some() { (p.warning, p.on_state) } else { (p.panel_bg, p.text) };
    Frame::new().fill(fill).inner_margin(Margin::same(size::PANEL_MARGIN)).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_wrapped(|ui| {
            if let Some(headline) = headline(model, clock) {
                ui.label(RichText::new(headline).strong().color(text_color));
            }
            if let Some(user) = state.as_ref().and_then(|s| s.read_only_as.as_ref()) {
                let text = format!("· showing the saved data of {user}, read-only until you sign in");
                ui.label(RichText::new(text).color(text_color));
            }
        });
        let pending = &model.offline.pending;
        if !pending.is_empty() {
            ui.label(RichText::new(pending_line(pending.len())).strong().color(text_color));
            for line in model.offline.pending_lines() {
                ui.label(RichText::new(format!("  {line}")).small().color(text_color));
            }
        }
    });
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::format::{DisplayZone, utc};
    use crate::model::Mode;
    use crate::model::fixtures::well;
    use crate::protocol::{Command, Event, PendingAction, QueuedAction};
    use chrono::FixedOffset;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;
    use flowline_shared::alarms::AlarmId;
    use flowline_shared::{Role, WellStatus};
    use std::time::Duration;

    struct State {
        model: Model,
        commands: Vec<Command>,
    }

    /// Noon UTC, shown at UTC-6.
    fn clock() -> Clock {
        Clock {
            now: utc(2025, 3, 14, 18, 0, 0).unwrap(),
            zone: DisplayZone::Fixed(FixedOffset::west_opt(6 * 3600).unwrap()),
        }
    }

    fn offline_with_cache() -> Model {
        let mut model = Model::new(Mode::Remote, Some("http://ops.example:8080".into()), Duration::from_secs(30));
        model.apply(Event::WentOffline { error: "connection refused".into(), at: clock().now });
        let fetched = utc(2025, 3, 14, 15, 42, 0).unwrap();
        let wells = vec![well("Midland 2", None, WellStatus::Active, Some((fetched, 120.0)))];
        model.apply(Event::FromCache {
            event: Box::new(Event::WellsLoaded { wells, total: 1, at: fetched }),
            fetched_at: fetched,
        });
        model.apply(Event::CachedSession { tenant: "alpha".into(), username: "ops".into(), role: Role::Operator });
        model
    }

    #[test]
    fn the_offline_banner_says_how_old_the_data_is_in_local_time_and_whose_it_is() {
        let mut model = offline_with_cache();
        model.apply(Event::OutboxChanged {
            pending: vec![PendingAction {
                key: uuid::Uuid::nil(),
                action: QueuedAction::Acknowledge {
                    id: AlarmId(uuid::Uuid::nil()),
                    comment: Some("crew called".into()),
                },
                label: "Midland 2 · Well down".into(),
                queued_at: clock().now,
            }],
        });
        let mut harness = Harness::builder().with_size([1200.0, 700.0]).build_ui_state(
            |ui, state: &mut State| super::super::root(ui, &mut state.model, &clock(), &mut state.commands),
            State { model, commands: Vec::new() },
        );
        harness.run_steps(3);
        assert!(harness.query_by_label(&format!("{} Offline - data as of 09:42", icon::OFFLINE)).is_some());
        assert!(harness.query_by_label_contains("showing the saved data of ops @ alpha, read-only").is_some());
        assert!(harness.query_by_label(&pending_line(1)).is_some());
        assert!(harness.query_by_label_contains("Acknowledgement of Midland 2 · Well down").is_some());
        assert!(harness.query_by_label("Sign in").is_none(), "no login while the server is away");
    }

    #[test]
    fn the_cached_dashboard_shows_while_the_embedded_backend_starts() {
        use crate::protocol::StartupStep;
        let mut model = Model::new(Mode::Embedded { data_dir: "/tmp/demo".into() }, None, Duration::from_secs(30));
        model.apply(Event::Startup { step: StartupStep::OpeningDatabase });
        let fetched = utc(2025, 3, 14, 17, 30, 0).unwrap();
        let kpis = crate::model::kpis::fixtures::fleet(fetched, fetched);
        model.apply(Event::FromCache {
            event: Box::new(Event::KpisLoaded { kpis: Box::new(kpis), at: fetched }),
            fetched_at: fetched,
        });
        let alarms = Event::OpenAlarmsLoaded { alarms: vec![], requested_at: fetched, at: fetched };
        model.apply(Event::FromCache { event: Box::new(alarms), fetched_at: fetched });
        assert!(model.is_starting(), "cached answers do not end the start");
        let mut harness = Harness::builder().with_size([1200.0, 700.0]).build_ui_state(
            |ui, state: &mut State| super::super::root(ui, &mut state.model, &clock(), &mut state.commands),
            State { model, commands: Vec::new() },
        );
        harness.run_steps(3);
        assert!(harness.query_by_label("Total oil").is_some(), "the tiles, from the cache");
        assert!(harness.query_by_label_contains("from the saved alarm list").is_some(), "not \"live\"");
        assert!(harness.query_by_label_contains("Offline - data as of").is_none(), "starting, not offline");
    }

    #[test]
    fn an_acknowledgement_taken_offline_shows_as_pending_in_the_drawer() {
        use crate::model::alarms::fixtures::{alarm, view};
        use flowline_shared::alarms::{AlarmPriority, AlarmState};
        let mut model = Model::new(Mode::Remote, Some("http://ops.example:8080".into()), Duration::from_secs(30));
        let at = utc(2025, 3, 14, 17, 0, 0).unwrap();
        model.apply(Event::LoggedIn {
            tenant: "alpha".into(),
            username: "ops".into(),
            role: Role::Operator,
            expires_at: clock().now + chrono::TimeDelta::hours(8),
            at,
        });
        let raised = alarm(1, AlarmPriority::High, AlarmState::ActiveUnacknowledged, at);
        model.apply(Event::OpenAlarmsLoaded { alarms: vec![view(raised.clone(), "Midland 2")], requested_at: at, at });
        model.apply(Event::WentOffline { error: "connection refused".into(), at: clock().now });
        model.apply(Event::OutboxChanged {
            pending: vec![PendingAction {
                key: uuid::Uuid::new_v4(),
                action: QueuedAction::Acknowledge { id: raised.id, comment: None },
                label: "Midland 2 · Well down".into(),
                queued_at: clock().now,
            }],
        });
        model.drawer.open = true;
        let mut harness = Harness::builder().with_size([1400.0, 800.0]).build_ui_state(
            |ui, state: &mut State| super::super::root(ui, &mut state.model, &clock(), &mut state.commands),
            State { model, commands: Vec::new() },
        );
        harness.run_steps(5);
        assert!(harness.query_by_label(&format!("{} Offline - data as of 11:00", icon::OFFLINE)).is_some());
        assert!(harness.query_by_label_contains(&format!("· {PENDING} pending, will be sent")).is_some());
        assert!(harness.query_by_label("Acknowledge Midland 2 Well down").is_none(), "already acknowledged here");
    }

    #[test]
    fn online_without_pending_actions_there_is_no_banner() {
        let mut model = Model::new(Mode::Remote, Some("http://ops.example:8080".into()), Duration::from_secs(30));
        model.apply(Event::LoggedIn {
            tenant: "alpha".into(),
            username: "ops".into(),
            role: Role::Operator,
            expires_at: clock().now,
            at: clock().now,
        });
        model.apply(Event::WellsLoaded { wells: vec![], total: 0, at: clock().now });
        assert!(!is_shown(&model));
        assert_eq!(headline(&model, &clock()), None);
        assert_eq!(headline(&offline_with_cache(), &clock()).as_deref(), Some("⚠ Offline - data as of 09:42"));
    }
}
