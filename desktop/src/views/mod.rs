//! Views: functions that draw the [`Model`] and push [`Command`]s. They never block, never touch the network and
//! never change the model, except the login dialog, which edits its own form fields in place.
//!
//! Owns: the layout of the window (top bar, message strip, footer, central content). Must not touch: I/O, tokio,
//! colour or size literals (those come from `theme::tokens`).

pub mod login;
pub mod messages;
pub mod startup;
pub mod top_bar;
pub mod well_table;

use crate::format::DisplayZone;
use crate::model::{ConnectionState, Mode, Model};
use crate::protocol::Command;
use crate::theme::{self, tokens::size};
use chrono::{DateTime, Utc};
use egui::{Frame, Margin, RichText};

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

/// The whole window.
pub fn root(ui: &mut egui::Ui, model: &mut Model, clock: &Clock, commands: &mut Vec<Command>) {
    let margin = Margin::same(size::PANEL_MARGIN);
    egui::Panel::top("top_bar")
        .frame(Frame::side_top_panel(ui.style()).inner_margin(margin))
        .show(ui, |ui| top_bar::show(ui, model, clock, commands));
    egui::Panel::bottom("footer")
        .frame(Frame::side_top_panel(ui.style()).inner_margin(margin))
        .show(ui, |ui| footer(ui, model, clock));
    if !model.messages.is_empty() {
        egui::Panel::bottom("messages")
            .frame(Frame::side_top_panel(ui.style()).inner_margin(margin))
            .show(ui, |ui| messages::show(ui, &model.messages, clock, commands));
    }
    egui::CentralPanel::default()
        .frame(Frame::central_panel(ui.style()).inner_margin(margin))
        .show(ui, |ui| central(ui, model, clock, commands));
}

fn central(ui: &mut egui::Ui, model: &mut Model, clock: &Clock, commands: &mut Vec<Command>) {
    if let ConnectionState::Starting { progress } = &model.connection {
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
    if model.last_updated.is_none() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Loading wells…");
        });
        return;
    }
    well_table::show(ui, &model.wells, model.sort, clock, commands);
}

/// Counts, the refresh interval, what the rates mean and which zone the times are in.
fn footer(ui: &mut egui::Ui, model: &Model, clock: &Clock) {
    let p = theme::palette(ui);
    let wells = if model.wells_total as usize > model.wells.len() {
        format!("{} of {} wells", model.wells.len(), model.wells_total)
    } else {
        format!("{} wells", model.wells.len())
    };
    let text = format!(
        "{wells} · refreshed every {} s · rates per calendar day of the latest reading · times in {} · readings older than 2 h are marked stale",
        model.refresh_interval.as_secs(),
        clock.zone.describe(clock.now),
    );
    ui.label(RichText::new(text).small().color(p.text_weak));
}
