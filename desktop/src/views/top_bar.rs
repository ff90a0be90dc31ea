//! The top bar: app name, connection state (icon and words, not colour alone), server, user; the alarm badge,
//! refresh, sign-out, "Server…", theme, mute and help buttons (the screens are switched in the sidebar). Every
//! button says its shortcut on hover.
//!
//! Owns: how a connection state is worded and marked. Must not touch: the model (read only) or I/O.

use super::Clock;
use crate::model::{ConnectionState, Mode, Model};
use crate::protocol::{Command, ThemeChoice};
use crate::theme::{self, tokens::Palette, tokens::icon};
use egui::{Color32, RichText};

pub fn show(ui: &mut egui::Ui, model: &Model, clock: &Clock, commands: &mut Vec<Command>) {
    // The buttons on the right are laid out first; the state on the left is truncated if the window is narrow.
    egui::Sides::new().shrink_left().truncate().show(
        ui,
        |ui| state(ui, model, clock),
        |ui| buttons(ui, model, clock, commands),
    );
}

/// Most important first, so that a narrow window cuts the least important: connection, server, user (the data's
/// age is in the footer).
fn state(ui: &mut egui::Ui, model: &Model, clock: &Clock) {
    let p = theme::palette(ui);
    ui.label(RichText::new("Flowline").heading().strong().color(p.text_strong));
    ui.separator();
    let (glyph, text, color) = connection_line(&model.connection, clock, p);
    let connection = ui.label(RichText::new(format!("{glyph} {text}")).color(color).strong());
    if let ConnectionState::Offline { error, .. } = &model.connection {
        connection.on_hover_text(error.as_str());
    }
    if let ConnectionState::Starting { .. } | ConnectionState::Connecting = model.connection {
        ui.spinner();
    }
    // A separator does not truncate: with no room left for the server's address, stop here rather than draw it
    // over the buttons (a 1024-point window).
    if ui.available_width() < ui.spacing().interact_size.x * 2.0 {
        return;
    }
    ui.separator();
    ui.label(RichText::new(server_line(model)).color(p.text_weak));
    if let Some(session) = &model.session {
        ui.separator();
        let who = format!("{} @ {} ({})", session.username, session.tenant, role(session.role));
        ui.label(RichText::new(who).color(p.text_weak));
    }
}

/// Added right to left: help, mute, theme, server, sign out, refresh, alarm badge.
fn buttons(ui: &mut egui::Ui, model: &Model, clock: &Clock, commands: &mut Vec<Command>) {
    let help = ui.button(format!("{} Help", icon::HELP)).on_hover_text("Keyboard shortcuts (F1 or ?)");
    if help.clicked() {
        commands.push(Command::ShowHelp(true));
    }
    let (mute_glyph, mute_text, mute_hint) = if model.sound.muted {
        (icon::MUTED, "Unmute", "The audible alarms are muted: turn them on again (M)")
    } else {
        (icon::SOUND_ON, "Mute", "Silence the audible alarms (M)")
    };
    if ui.button(format!("{mute_glyph} {mute_text}")).on_hover_text(mute_hint).clicked() {
        commands.push(Command::SetMuted(!model.sound.muted));
    }
    if let Some(reason) = &model.sound.unavailable {
        let p = theme::palette(ui);
        ui.label(RichText::new(format!("{} Sound off", icon::MUTED)).color(p.warning))
            .on_hover_text(format!("{reason}: audible alarms are off"));
    }
    let next = model.theme.toggled();
    let (theme_glyph, theme_text) = match next {
        ThemeChoice::Light => (icon::LIGHT_THEME, "Light theme"),
        ThemeChoice::HighContrast => (icon::HIGH_CONTRAST, "High-contrast theme"),
        ThemeChoice::Dark => (icon::DARK_THEME, "Dark theme"),
    };
    if ui.button(format!("{theme_glyph} {theme_text}")).on_hover_text("Switch to this theme (T)").clicked() {
        commands.push(Command::SetTheme(next));
    }
    // Also without a session: a remote server that is not there can be swapped for the demo from the login.
    let server_hint = "Choose the embedded demo or a remote server (saved for the next start)";
    if ui.button("Server…").on_hover_text(server_hint).clicked() {
        commands.push(Command::ShowServerDialog(true));
    }
    let Some(session) = &model.session else { return };
    if model.mode == Mode::Remote
        && ui.button("Sign out").on_hover_text(format!("Sign {} out", session.username)).clicked()
    {
        commands.push(Command::Logout);
    }
    let hint = format!(
        "Fetch the wells, the KPIs and the alarms now (they refresh every {} s)",
        model.refresh_interval.as_secs()
    );
    if ui.button(format!("{} Refresh", icon::REFRESH)).on_hover_text(format!("{hint} (R)")).clicked() {
        commands.push(Command::RefreshNow);
    }
    super::alarm_badge::show(ui, model, clock, commands);
}

/// Glyph, words and colour of a connection state. Normal states are grey; only an outage is coloured.
pub fn connection_line(state: &ConnectionState, clock: &Clock, p: &Palette) -> (&'static str, String, Color32) {
    match state {
        ConnectionState::Starting { progress } => {
            let percent = progress.fraction().map(|f| format!(" {:.0} %", f * 100.0)).unwrap_or_default();
            (icon::STARTING, format!("Starting{percent}"), p.text)
        }
        ConnectionState::Connecting => (icon::CONNECTING, "Connecting…".to_owned(), p.text),
        ConnectionState::Online { since } => {
            (icon::ONLINE, format!("Online since {}", clock.zone.clock(*since, clock.now)), p.text)
        }
        // The error is in the message strip and in this label's tooltip: the bar stays one short line.
        ConnectionState::Offline { since, .. } => {
            (icon::OFFLINE, format!("Offline since {}", clock.zone.clock(*since, clock.now)), p.warning)
        }
        ConnectionState::NeedsLogin => (icon::NEEDS_LOGIN, "Sign-in required".to_owned(), p.text),
    }
}

fn server_line(model: &Model) -> String {
    let url = model.server_url.as_deref().unwrap_or("(starting)");
    match model.mode {
        Mode::Embedded { .. } => format!("Server: {url} (embedded demo)"),
        Mode::Remote => format!("Server: {url}"),
    }
}

fn role(role: flowline_shared::Role) -> &'static str {
    match role {
        flowline_shared::Role::Viewer => "viewer",
        flowline_shared::Role::Operator => "operator",
        flowline_shared::Role::Admin => "admin",
    }
}
