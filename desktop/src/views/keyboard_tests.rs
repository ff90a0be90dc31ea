//! Interaction tests of the whole window for the keyboard (shortcuts, Tab, Enter, Escape, the help overlay), the
//! sidebar, the kiosk mode and the two extreme window sizes. The harness applies the local commands as the app
//! does, so that a key press's effect is seen on the next frame.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::format::utc;
use crate::model::alarms::fixtures::alarm;
use crate::model::fixtures::well;
use crate::model::kiosk::{Kiosk, KioskOptions};
use crate::protocol::{AlarmChange, Event};
use crate::theme::tokens::icon;
use chrono::{FixedOffset, TimeDelta};
use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use flowline_shared::alarms::{AlarmPriority, AlarmState};
use flowline_shared::{Role, WellStatus};
use std::time::Duration;

struct State {
    model: Model,
    /// Every command pushed, in order (local ones applied too).
    sent: Vec<Command>,
}

fn clock() -> Clock {
    Clock { now: utc(2025, 3, 14, 12, 2, 0).unwrap(), zone: DisplayZone::Fixed(FixedOffset::east_opt(0).unwrap()) }
}

/// The local commands, applied as `app.rs` applies them.
fn apply_local(model: &mut Model, command: &Command) {
    model.apply_local(command);
}

fn harness_sized(model: Model, size: [f32; 2]) -> Harness<'static, State> {
    Harness::builder().with_size(size).build_ui_state(
        |ui, state: &mut State| {
            let mut commands = Vec::new();
            root(ui, &mut state.model, &clock(), &mut commands);
            for command in commands {
                apply_local(&mut state.model, &command);
                state.sent.push(command);
            }
        },
        State { model, sent: Vec::new() },
    )
}

fn harness(model: Model) -> Harness<'static, State> {
    harness_sized(model, [1400.0, 800.0])
}

/// Signed in, one well, one unacknowledged critical alarm on it (raised two minutes ago: no pulse).
fn online_with_alarm() -> Model {
    let mut model = Model::new(Mode::Remote, Some("http://ops.example:8080".into()), Duration::from_secs(5));
    let at = utc(2025, 3, 14, 12, 0, 0).unwrap();
    model.apply(Event::LoggedIn {
        tenant: "demo".into(),
        username: "operator".into(),
        role: Role::Operator,
        expires_at: at + TimeDelta::hours(24),
        at,
    });
    let w = well("Midland 12-1H", Some("42-317-12345"), WellStatus::Active, Some((at, 100.0)));
    let mut raised = alarm(1, AlarmPriority::Critical, AlarmState::ActiveUnacknowledged, at);
    raised.well_id = w.well.id;
    model.apply(Event::WellsLoaded { wells: vec![w], total: 1, at });
    let kpis = crate::model::kpis::fixtures::fleet(at, at - TimeDelta::minutes(2));
    model.apply(Event::KpisLoaded { kpis: Box::new(kpis), at });
    model.apply(Event::OpenAlarmsLoaded { alarms: vec![], requested_at: at, at });
    model.apply(Event::AlarmChanged {
        change: AlarmChange::Created,
        seq: 1,
        alarm: Box::new(raised),
        out_of_service: None,
        at,
    });
    model.screen = Screen::Wells;
    model
}

fn focused_label(harness: &Harness<'_, State>) -> Option<String> {
    harness.query_by(|node| node.is_focused()).and_then(|node| node.accesskit_node().label())
}

#[test]
fn question_mark_opens_the_help_overlay_and_escape_closes_it() {
    let mut harness = harness(online_with_alarm());
    harness.run();
    assert!(harness.query_by_label(&format!("{} Keyboard shortcuts", icon::KEYBOARD)).is_none());
    harness.key_press(Key::Questionmark);
    harness.run();
    assert!(harness.state().model.help_open);
    assert!(harness.query_by_label(&format!("{} Keyboard shortcuts", icon::KEYBOARD)).is_some());
    for shortcut in shortcuts::available(false) {
        assert!(harness.query_by_label(shortcut.action).is_some(), "{} is listed", shortcut.keys);
    }
    harness.key_press(Key::Escape);
    harness.run();
    assert!(!harness.state().model.help_open);
    assert!(harness.query_by_label(&format!("{} Keyboard shortcuts", icon::KEYBOARD)).is_none());
    // F1 too, and the help button.
    harness.key_press(Key::F1);
    harness.run();
    assert!(harness.state().model.help_open);
    harness.get_by_label(&format!("{} Close", icon::CLOSE)).click();
    harness.run();
    assert!(!harness.state().model.help_open);
    harness.get_by_label(&format!("{} Help", icon::HELP)).click();
    harness.run();
    assert!(harness.state().model.help_open);
}

#[test]
fn escape_closes_the_help_first_then_the_drawer() {
    let mut model = online_with_alarm();
    model.drawer.open = true;
    model.help_open = true;
    let mut harness = harness(model);
    harness.run();
    harness.key_press(Key::Escape);
    harness.run();
    assert!(!harness.state().model.help_open);
    assert!(harness.state().model.drawer.open, "one Escape closes one thing");
    harness.key_press(Key::Escape);
    harness.run();
    assert!(!harness.state().model.drawer.open);
}

#[test]
fn letter_shortcuts_switch_screens_open_the_drawer_refresh_and_mute() {
    let mut harness = harness(online_with_alarm());
    harness.run();
    harness.key_press(Key::D);
    harness.run();
    assert_eq!(harness.state().model.screen, Screen::Dashboard);
    harness.key_press(Key::L);
    harness.run();
    assert_eq!(harness.state().model.screen, Screen::Alarms);
    assert!(harness.query_by_label_contains("Open alarms · 1").is_some());
    harness.key_press(Key::W);
    harness.run();
    assert_eq!(harness.state().model.screen, Screen::Wells);
    harness.key_press(Key::A);
    harness.run();
    assert!(harness.state().model.drawer.open);
    harness.key_press(Key::M);
    harness.run();
    assert!(harness.state().model.sound.muted);
    assert!(harness.query_by_label(&format!("{} Unmute", icon::MUTED)).is_some());
    harness.key_press(Key::R);
    harness.run();
    assert!(harness.state().sent.contains(&Command::RefreshNow));

    // Typing in a text field is not a shortcut.
    let before = harness.state().sent.len();
    harness.get_by_label("Comment").click();
    harness.run();
    harness.key_press(Key::D);
    harness.get_by_label("Comment").type_text("d");
    harness.run();
    assert_eq!(harness.state().model.screen, Screen::Wells);
    assert_eq!(harness.state().sent.len(), before);
}

#[test]
fn tab_reaches_the_buttons_and_enter_presses_the_focused_one() {
    let mut harness = harness(online_with_alarm());
    harness.run();
    let mut reached = Vec::new();
    for _ in 0..40 {
        harness.key_press(Key::Tab);
        harness.run();
        if let Some(label) = focused_label(&harness) {
            reached.push(label);
        }
    }
    for expected in [
        format!("{} Refresh", icon::REFRESH),
        format!("{} Help", icon::HELP),
        format!("{} Mute", icon::SOUND_ON),
        "Wells".to_owned(),
        "Dashboard".to_owned(),
    ] {
        assert!(reached.contains(&expected), "Tab never reached {expected}: {reached:?}");
    }
    // Back to the help button, then Enter presses it.
    let help = format!("{} Help", icon::HELP);
    for _ in 0..40 {
        if focused_label(&harness).as_deref() == Some(help.as_str()) {
            break;
        }
        harness.key_press(Key::Tab);
        harness.run();
    }
    assert_eq!(focused_label(&harness).as_deref(), Some(help.as_str()));
    harness.key_press(Key::Enter);
    harness.run();
    assert!(harness.state().model.help_open, "Enter on the focused Help button opens the help");
}

#[test]
fn every_button_of_the_window_has_a_name() {
    let mut model = online_with_alarm();
    model.drawer.open = true;
    model.screen = Screen::Dashboard;
    let mut harness = harness(model);
    harness.run();
    let unnamed: Vec<String> = harness
        .query_all_by_role(egui::accesskit::Role::Button)
        .filter(|b| b.accesskit_node().label().is_none_or(|l| l.trim().is_empty()))
        .map(|b| format!("{b:?}"))
        .collect();
    assert!(unnamed.is_empty(), "{unnamed:#?}");
    // Icon-only entries still have their word: the sidebar collapsed below 768 points.
    harness.set_size(egui::vec2(700.0, 800.0));
    harness.run();
    let wells = harness.get_by_label("Wells");
    assert!(wells.rect().width() < size::SIDEBAR_WIDTH * 0.5, "collapsed: {:?}", wells.rect());
    wells.click();
    harness.run();
    assert_eq!(harness.state().model.screen, Screen::Wells);
}

#[test]
fn the_sidebar_switches_screens_and_carries_the_alarm_badge() {
    let mut harness = harness(online_with_alarm());
    harness.run();
    assert!(harness.query_by_label("Unacknowledged alarms: 1, highest Critical").is_some());
    harness.get_by_label("Dashboard").click();
    harness.run();
    assert_eq!(harness.state().model.screen, Screen::Dashboard);
    harness.get_by_label("Alarms").click();
    harness.run();
    assert_eq!(harness.state().model.screen, Screen::Alarms);
}

fn kiosk(model: &mut Model) {
    model.kiosk = Some(Kiosk::new(KioskOptions::new(1.5, 30)));
}

#[test]
fn kiosk_mode_is_read_only_without_chrome() {
    let mut model = online_with_alarm();
    kiosk(&mut model);
    model.screen = Screen::Alarms;
    let mut harness = harness(model);
    harness.run();
    assert!(harness.query_by_label("Midland 12-1H · Well down").is_some(), "the alarm is listed");
    for absent in ["Acknowledge", "Shelve", "Sign out", "Refresh", "Auto-refresh", "Theme", "Help", "Show alarms"] {
        assert!(harness.query_by_label_contains(absent).is_none(), "{absent} is not shown in kiosk mode");
    }
    assert!(harness.query_by_label("Unacknowledged alarms: 1, highest Critical").is_some(), "the badge");
    // A = drawer does nothing on a wall display; the screens still switch by key.
    harness.key_press(Key::A);
    harness.run();
    assert!(!harness.state().model.drawer.open);
    assert!(harness.query_by_label_contains("Comment").is_none());
    harness.key_press(Key::D);
    harness.run();
    assert_eq!(harness.state().model.screen, Screen::Dashboard);
    // Its help lists only what works there.
    harness.key_press(Key::F1);
    harness.run();
    assert!(harness.query_by_label("Show the dashboard").is_some());
    assert!(harness.query_by_label("Open or close the alarm drawer").is_none());
    assert!(harness.query_by_label("Close the help").is_some());
    assert!(harness.query_by_label_contains("shelving form").is_none());
}

#[test]
fn the_kiosk_bar_says_the_screen_and_when_the_next_comes() {
    let mut model = online_with_alarm();
    kiosk(&mut model);
    model.tick(clock().now - TimeDelta::seconds(12));
    let mut harness = harness(model);
    harness.run();
    assert_eq!(harness.state().model.screen, Screen::Dashboard);
    assert!(harness.query_by_label("next view in 18 s").is_some());
}

#[test]
fn the_window_works_at_1024_by_768_and_at_3840_by_2160() {
    for (size, kiosk_mode) in [([1024.0, 768.0], false), ([3840.0, 2160.0], true), ([3840.0, 2160.0], false)] {
        let mut model = online_with_alarm();
        if kiosk_mode {
            kiosk(&mut model);
        }
        model.screen = Screen::Alarms;
        let mut harness = harness_sized(model, size);
        harness.run();
        let window = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(size[0], size[1]));
        let card = harness.get_by_label("Midland 12-1H · Well down").rect();
        assert!(window.contains_rect(card), "{size:?}: {card:?}");
        let badge = harness.get_by_label("Unacknowledged alarms: 1, highest Critical").rect();
        assert!(window.contains_rect(badge), "{size:?}: {badge:?}");
        if !kiosk_mode {
            let help = harness.get_by_label(&format!("{} Help", icon::HELP)).rect();
            assert!(window.contains_rect(help), "{size:?}: {help:?}");
        }
    }
}
