//! Views: functions that draw the [`Model`] and push [`Command`]s. They never block, never touch the network and
//! never change the model, except the login dialog, which edits its own form fields in place.
//!
//! Owns: the layout of the window (top bar, critical-alarm banner, message strip, footer, alarm drawer, central
//! content: the dashboard, the oil-change drill-down, the well table or the alarm list). Must not touch: I/O,
//! tokio, colour or size literals (those come from `theme::tokens`).

pub mod alarm_badge;
pub mod alarm_banner;
pub mod alarm_drawer;
pub mod alarm_list;
mod column_fit;
pub mod dashboard;
pub mod footer;
pub mod help_overlay;
#[cfg(test)]
mod keyboard_tests;
pub mod kiosk;
pub mod login;
pub mod messages;
pub mod offline_banner;
pub mod oil_change;
pub mod server_dialog;
#[cfg(test)]
mod server_dialog_tests;
pub mod shortcuts;
pub mod sidebar;
pub mod sparkline;
pub mod startup;
pub mod top_bar;
pub mod well_table;

use crate::format::DisplayZone;
use crate::model::{ConnectionState, Mode, Model};
use crate::protocol::{Command, Screen};
use crate::theme::tokens::size;
use chrono::{DateTime, Utc};
use egui::{Frame, Margin};

/// The instant a frame is drawn at and the zone instants are shown in: views never read a clock themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub now: DateTime<Utc>,
    pub zone: DisplayZone,
}

impl Clock {
    /// The wall clock, in the computer's time zone.
    pub fn system() -> Self {
        Self { now: Utc::now(), zone: DisplayZone::Local }
    }
}

/// The whole window. In kiosk mode: the kiosk strip instead of the top bar, no sidebar, no drawer, no footer
/// controls.
pub fn root(ui: &mut egui::Ui, model: &mut Model, clock: &Clock, commands: &mut Vec<Command>) {
    let margin = Margin::same(size::PANEL_MARGIN);
    let window_width = ui.available_width();
    // Before any view, so that the Escape closing the help does not also close the drawer.
    shortcuts::handle(ui, model, commands);
    egui::Panel::top("top_bar").frame(Frame::side_top_panel(ui.style()).inner_margin(margin)).show(ui, |ui| {
        if model.is_read_only() {
            kiosk::bar(ui, model, clock);
        } else {
            top_bar::show(ui, model, clock, commands);
        }
    });
    if model.session.is_some() && alarm_banner::is_shown(model, clock) {
        egui::Panel::top("critical_banner")
            .frame(Frame::new())
            .show(ui, |ui| alarm_banner::show(ui, model, clock, commands));
    }
    if offline_banner::is_shown(model) {
        egui::Panel::top("offline_banner").frame(Frame::new()).show(ui, |ui| offline_banner::show(ui, model, clock));
    }
    if !model.is_read_only() {
        egui::Panel::bottom("footer")
            .frame(Frame::side_top_panel(ui.style()).inner_margin(margin))
            .show(ui, |ui| footer::show(ui, model, clock, commands));
    }
    if !model.messages.is_empty() {
        egui::Panel::bottom("messages")
            .frame(Frame::side_top_panel(ui.style()).inner_margin(margin))
            .show(ui, |ui| messages::show(ui, &model.messages, clock, commands));
    }
    if model.session.is_some() && !model.is_read_only() {
        alarm_drawer::show(ui, &mut model.drawer, &model.alarms, clock, commands);
        sidebar::show(ui, model, clock, window_width, commands);
    }
    egui::CentralPanel::default()
        .frame(Frame::central_panel(ui.style()).inner_margin(margin))
        .show(ui, |ui| central(ui, model, clock, commands));
    help_overlay::show(ui, model, commands);
    if !model.is_read_only() {
        server_dialog::show(ui, &mut model.server_dialog, commands);
    }
}

fn central(ui: &mut egui::Ui, model: &mut Model, clock: &Clock, commands: &mut Vec<Command>) {
    // With cached data (offline cache), the dashboard shows it while the embedded backend starts.
    if let ConnectionState::Starting { progress } = &model.connection
        && model.kpis.kpis.is_none()
    {
        startup::show(ui, progress);
        return;
    }
    if model.shows_login() {
        let server_url = model.server_url.clone();
        login::show(ui, &mut model.login, server_url.as_deref(), commands);
        return;
    }
    if let (Mode::Embedded { data_dir }, ConnectionState::Offline { error, .. }, None) =
        (&model.mode, &model.connection, &model.session)
    {
        startup::failed(ui, error, data_dir);
        return;
    }
    match model.screen {
        Screen::Dashboard => dashboard::show(ui, model, clock, commands),
        Screen::Wells if model.last_updated.is_none() => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Loading wells…");
            });
        }
        Screen::Wells => well_table::show(ui, &model.wells, model.sort, clock, commands),
        Screen::Alarms => alarm_list::show(ui, model, clock, commands),
        Screen::OilChange => oil_change::show(ui, model, clock, commands),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::format::utc;
    use crate::model::fixtures::well;
    use crate::protocol::{Event, StartupStep, ThemeChoice};
    use crate::theme::tokens::icon;
    use chrono::{FixedOffset, TimeDelta};
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;
    use flowline_shared::{Role, WellStatus};
    use std::time::Duration;

    struct State {
        model: Model,
        commands: Vec<Command>,
    }

    fn clock() -> Clock {
        Clock { now: utc(2025, 3, 14, 12, 2, 0).unwrap(), zone: DisplayZone::Fixed(FixedOffset::east_opt(0).unwrap()) }
    }

    fn harness(model: Model) -> Harness<'static, State> {
        Harness::builder().with_size([1400.0, 700.0]).build_ui_state(
            |ui, state: &mut State| root(ui, &mut state.model, &clock(), &mut state.commands),
            State { model, commands: Vec::new() },
        )
    }

    fn online_remote() -> Model {
        let mut model = Model::new(Mode::Remote, Some("http://ops.example:8080".into()), Duration::from_secs(5));
        let at = utc(2025, 3, 14, 12, 0, 0).unwrap();
        model.apply(Event::LoggedIn {
            tenant: "demo".into(),
            username: "operator".into(),
            role: Role::Operator,
            expires_at: at + TimeDelta::hours(24),
            at,
        });
        let reading = (at - TimeDelta::minutes(1), 100.0);
        model.apply(Event::WellsLoaded {
            wells: vec![well("Midland 12-1H", Some("42-317-12345"), WellStatus::Active, Some(reading))],
            total: 1,
            at,
        });
        // These tests are about the well table; the dashboard has its own.
        model.screen = Screen::Wells;
        model
    }

    #[test]
    fn the_top_bar_says_state_server_user_and_data_age() {
        let mut harness = harness(online_remote());
        harness.run();
        assert!(harness.query_by_label(&format!("{} Online since 12:00", icon::ONLINE)).is_some());
        assert!(harness.query_by_label("Server: http://ops.example:8080").is_some());
        assert!(harness.query_by_label("operator @ demo (operator)").is_some());
        assert!(harness.query_by_label("Last updated: 2 min ago").is_some());
        assert!(harness.query_by_label("100.0 BOPD").is_some());
        assert!(harness.query_by_label_contains("1 wells · rates per calendar day").is_some());
        assert!(harness.query_by_label("Auto-refresh").is_some(), "the auto-refresh choice");
        assert!(harness.query_by_label("24.0 h").is_some(), "the hours on of the reading's day");
    }

    #[test]
    fn a_new_critical_alarm_shows_the_banner_and_a_pulsing_badge_that_opens_the_drawer() {
        use crate::model::alarms::fixtures::alarm;
        use crate::protocol::AlarmChange;
        use flowline_shared::alarms::{AlarmPriority, AlarmState};
        let mut model = online_remote();
        let at = clock().now - TimeDelta::seconds(1);
        let mut raised = alarm(1, AlarmPriority::Critical, AlarmState::ActiveUnacknowledged, at);
        raised.well_id = model.wells[0].well.id;
        model.apply(Event::AlarmChanged {
            change: AlarmChange::Created,
            seq: 1,
            alarm: Box::new(raised),
            out_of_service: None,
            at,
        });
        assert!(model.alarms.is_pulsing(clock().now));
        let mut harness = harness(model);
        // The pulse animates: step frames instead of waiting to settle.
        harness.run_steps(3);
        let banner = format!("{} 1 critical alarm unacknowledged: Midland 12-1H · Well down", icon::CRITICAL);
        assert!(harness.query_by_label(&banner).is_some());
        let badge = format!("{} 1 unacknowledged · {} Critical", icon::ALARM_BELL, icon::CRITICAL);
        harness.get_by_label(&badge).click();
        harness.run_steps(3);
        assert_eq!(harness.state().commands, vec![Command::SetAlarmDrawer(true)]);
        harness.get_by_label("Show alarms").click();
        harness.run_steps(3);
        assert_eq!(harness.state().commands.len(), 2);
    }

    #[test]
    fn without_alarms_the_badge_is_grey_words_and_there_is_no_banner() {
        let mut harness = harness(online_remote());
        harness.run();
        assert!(harness.query_by_label(&format!("{} No unacknowledged alarms", icon::ALARM_BELL)).is_some());
        assert!(harness.query_by_label_contains("critical alarm").is_none());
    }

    #[test]
    fn top_bar_buttons_emit_commands() {
        let mut harness = harness(online_remote());
        harness.get_by_label(&format!("{} Refresh", icon::REFRESH)).click();
        harness.run();
        harness.get_by_label(&format!("{} Light theme", icon::LIGHT_THEME)).click();
        harness.run();
        harness.get_by_label("Sign out").click();
        harness.run();
        assert_eq!(
            harness.state().commands,
            vec![Command::RefreshNow, Command::SetTheme(ThemeChoice::Light), Command::Logout]
        );
    }

    #[test]
    fn going_offline_is_shown_with_an_icon_and_words_and_keeps_the_table() {
        let mut model = online_remote();
        model.apply(Event::WentOffline { error: "connection refused".into(), at: utc(2025, 3, 14, 12, 1, 0).unwrap() });
        let mut harness = harness(model);
        harness.run();
        assert!(harness.query_by_label(&format!("{} Offline since 12:01", icon::OFFLINE)).is_some());
        assert!(harness.query_by_label("Midland 12-1H").is_some(), "the last data stays visible, with its age");
        assert!(harness.query_by_label(&format!("{} Connection lost: connection refused", icon::WARNING)).is_some());
    }

    #[test]
    fn embedded_start_shows_progress_without_blocking() {
        let mut model = Model::new(Mode::Embedded { data_dir: "/tmp/demo".into() }, None, Duration::from_secs(5));
        model.apply(Event::Startup { step: StartupStep::SimulatingHistory { done: 9_125, total: 36_500 } });
        let mut harness = harness(model);
        // The spinner and the progress bar animate: step a few frames instead of waiting to settle.
        harness.run_steps(3);
        assert!(harness.query_by_label_contains("9,125 of 36,500 entries").is_some());
        assert!(harness.query_by_label(&format!("{} Starting 25 %", icon::STARTING)).is_some());
        assert!(harness.query_by_label("Server: (starting) (embedded demo)").is_some());
    }

    #[test]
    fn remote_mode_without_a_session_shows_the_login_dialog() {
        let mut model = Model::new(Mode::Remote, Some("http://ops.example:8080".into()), Duration::from_secs(5));
        model.apply(Event::NeedsLogin { base_url: "http://ops.example:8080".into(), tenant: None, username: None });
        let mut harness = harness(model);
        harness.run();
        assert!(harness.query_by_label(&format!("{} Sign-in required", icon::NEEDS_LOGIN)).is_some());
        assert!(harness.query_by_label("Sign in").is_some());
        assert!(harness.query_by_label("Password").is_some());
    }

    #[test]
    fn a_failed_embedded_start_explains_what_to_do() {
        let mut model = Model::new(Mode::Embedded { data_dir: "/tmp/demo".into() }, None, Duration::from_secs(5));
        model.apply(Event::StartupFailed { error: "disk full".into(), at: utc(2025, 3, 14, 12, 0, 0).unwrap() });
        let mut harness = harness(model);
        harness.run();
        assert!(harness.query_by_label(&format!("{} The embedded backend could not start", icon::ERROR)).is_some());
        assert!(harness.query_by_label("Data folder: /tmp/demo").is_some());
    }
}
