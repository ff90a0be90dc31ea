//! Interaction tests of the "Server…" dialog in the whole window: opened by its top-bar button, an invalid address
//! refused inline, the demo chosen, a remote server chosen (the login follows), Escape, and no button in kiosk
//! mode. The harness applies the dialog's commands as `app.rs` does (the address checked by
//! `io::server_choice`, the model reset by `Model::switch_backend`); the I/O thread's restart is the app's.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::format::utc;
use crate::io::{BackendChoice, server_choice};
use crate::model::fixtures::well;
use crate::model::kiosk::{Kiosk, KioskOptions};
use crate::protocol::{Event, ServerTarget};
use crate::theme::tokens::icon;
use chrono::{FixedOffset, TimeDelta};
use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use flowline_shared::{Role, WellStatus};
use std::path::Path;
use std::time::Duration;

struct State {
    model: Model,
    sent: Vec<Command>,
}

fn clock() -> Clock {
    Clock { now: utc(2025, 3, 14, 12, 2, 0).unwrap(), zone: DisplayZone::Fixed(FixedOffset::east_opt(0).unwrap()) }
}

/// The dialog's commands (and the drawer's), applied as `app.rs` applies them.
fn apply_local(model: &mut Model, command: &Command) {
    match command {
        Command::ShowServerDialog(open) => model.show_server_dialog(*open),
        Command::SetAlarmDrawer(open) => model.drawer.open = *open,
        Command::ConnectServer(target) => match server_choice::backend_for(target, Path::new("/data")) {
            Err(reason) => model.server_refused(reason),
            Ok(BackendChoice::Embedded { data_dir }) => {
                model.switch_backend(Mode::Embedded { data_dir }, None, "the embedded demo", clock().now);
            }
            Ok(BackendChoice::Remote { base_url }) => {
                model.switch_backend(Mode::Remote, Some(base_url.clone()), &base_url, clock().now);
            }
        },
        _ => {}
    }
}

fn harness(model: Model) -> Harness<'static, State> {
    Harness::builder().with_size([1400.0, 800.0]).build_ui_state(
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

/// Signed in on `mode`, one well, on the well table.
fn signed_in(mode: Mode, server_url: &str) -> Model {
    let mut model = Model::new(mode, Some(server_url.to_owned()), Duration::from_secs(60));
    let at = utc(2025, 3, 14, 12, 0, 0).unwrap();
    model.apply(Event::LoggedIn {
        tenant: "demo".into(),
        username: "operator".into(),
        role: Role::Operator,
        expires_at: at + TimeDelta::hours(24),
        at,
    });
    let w = well("Midland 12-1H", Some("42-317-12345"), WellStatus::Active, Some((at, 100.0)));
    model.apply(Event::WellsLoaded { wells: vec![w], total: 1, at });
    model.screen = Screen::Wells;
    model
}

fn demo() -> Model {
    signed_in(Mode::Embedded { data_dir: "/data".into() }, "http://127.0.0.1:4000")
}

fn remote() -> Model {
    signed_in(Mode::Remote, "http://ops.example:8080")
}

fn is_disabled(harness: &Harness<'_, State>, label: &str) -> bool {
    harness.get_by_label(label).accesskit_node().is_disabled()
}

#[test]
fn the_top_bar_button_opens_the_dialog_on_the_backend_in_use() {
    let mut harness = harness(remote());
    harness.run();
    assert!(harness.query_by_label("Embedded demo").is_none());
    harness.get_by_label("Server…").click();
    harness.run();
    assert!(harness.state().model.server_dialog.open);
    for label in ["Embedded demo", "Remote server", "Server address", "Connect", "Cancel"] {
        assert!(harness.query_by_label(label).is_some(), "{label} is labelled");
    }
    assert_eq!(harness.state().model.server_dialog.url, "http://ops.example:8080");
    harness.get_by_label("Cancel").click();
    harness.run();
    assert!(!harness.state().model.server_dialog.open);
    assert_eq!(harness.state().model.mode, Mode::Remote, "Cancel changes nothing");
}

#[test]
fn an_invalid_address_is_refused_inline_and_nothing_changes() {
    let mut harness = harness(demo());
    harness.get_by_label("Server…").click();
    harness.run();
    harness.get_by_label("Remote server").click();
    harness.run();
    assert!(is_disabled(&harness, "Connect"), "no address yet");
    harness.get_by_label("Server address").click();
    harness.run();
    harness.get_by_label("Server address").type_text("ops.example");
    harness.run();
    assert!(!is_disabled(&harness, "Connect"));
    harness.get_by_label("Connect").click();
    harness.run();
    let state = harness.state();
    assert_eq!(state.sent.last(), Some(&Command::ConnectServer(ServerTarget::Remote { url: "ops.example".into() })));
    assert!(state.model.server_dialog.open, "the dialog stays open");
    assert!(matches!(state.model.mode, Mode::Embedded { .. }), "still on the demo");
    assert!(state.model.session.is_some(), "still signed in");
    let error = "\"ops.example\" is not a valid server address: start it with http:// or https://";
    assert_eq!(state.model.server_dialog.error.as_deref(), Some(error));
    assert!(harness.query_by_label(&format!("{} {error}", icon::ERROR)).is_some(), "shown in the dialog");
    // Editing the address clears the error.
    harness.get_by_label("Server address").click();
    harness.run();
    harness.get_by_label("Server address").type_text(":8080");
    harness.run();
    assert!(harness.state().model.server_dialog.error.is_none());
}

#[test]
fn choosing_the_demo_switches_at_once() {
    let mut harness = harness(remote());
    harness.get_by_label("Server…").click();
    harness.run();
    harness.get_by_label("Embedded demo").click();
    harness.run();
    assert!(is_disabled(&harness, "Server address"), "no address for the demo");
    harness.get_by_label("Connect").click();
    // The demo's start-up progress animates: step instead of waiting to settle.
    harness.run_steps(3);
    let state = harness.state();
    assert_eq!(state.sent.last(), Some(&Command::ConnectServer(ServerTarget::Embedded)));
    assert_eq!(state.model.mode, Mode::Embedded { data_dir: "/data".into() });
    assert!(state.model.session.is_none() && state.model.wells.is_empty(), "the old server's data is gone");
    assert!(!state.model.server_dialog.open);
    assert!(harness.query_by_label("Embedded demo").is_none(), "the dialog closed");
    assert!(harness.query_by_label_contains("Switched to the embedded demo").is_some());
}

#[test]
fn choosing_a_remote_server_asks_for_a_sign_in() {
    let mut harness = harness(demo());
    harness.get_by_label("Server…").click();
    harness.run();
    harness.get_by_label("Remote server").click();
    harness.run();
    harness.get_by_label("Server address").click();
    harness.run();
    harness.get_by_label("Server address").type_text("http://other.example:9000/");
    harness.run();
    // Enter in the field connects, as the button does.
    harness.key_press(Key::Enter);
    harness.run_steps(3);
    let state = harness.state();
    assert_eq!(state.model.mode, Mode::Remote);
    assert_eq!(state.model.server_url.as_deref(), Some("http://other.example:9000"));
    assert!(harness.query_by_label("Sign in").is_some(), "the login dialog of the new server");
    let named = harness.query_all_by_label("Server: http://other.example:9000").count();
    assert_eq!(named, 2, "in the top bar and in the login dialog");
}

#[test]
fn escape_closes_the_dialog_and_nothing_behind_it() {
    let mut model = remote();
    model.drawer.open = true;
    let mut harness = harness(model);
    harness.get_by_label("Server…").click();
    harness.run();
    assert!(harness.state().model.server_dialog.open);
    // Letters do not act behind the dialog.
    harness.key_press(Key::T);
    harness.run();
    harness.key_press(Key::Escape);
    harness.run();
    let state = harness.state();
    assert!(!state.model.server_dialog.open);
    assert!(state.model.drawer.open, "one Escape closes one thing");
    assert!(!state.sent.iter().any(|c| matches!(c, Command::SetTheme(_))), "{:?}", state.sent);
    assert!(harness.query_by_label("Remote server").is_none());
}

#[test]
fn the_wall_display_has_no_server_button() {
    let mut model = remote();
    model.kiosk = Some(Kiosk::new(KioskOptions::new(1.5, 30)));
    let mut harness = harness(model);
    harness.run_steps(2);
    assert!(harness.query_by_label("Server…").is_none());
}
