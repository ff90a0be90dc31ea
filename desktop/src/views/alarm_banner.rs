//! The banner under the top bar while critical alarms wait for an acknowledgement: filled in the alarm colour,
//! with the critical icon, the count, the newest one's well and rule, and a button that opens the drawer.
//!
//! Owns: the banner's wording. Must not touch: the model (read only) or I/O.

use super::Clock;
use crate::model::Model;
use crate::protocol::Command;
use crate::theme::{self, tokens::icon, tokens::size};
use egui::{Frame, Margin, RichText};

/// Whether the banner shows (at least one critical alarm unacknowledged).
pub fn is_shown(model: &Model, clock: &Clock) -> bool {
    !model.alarms.critical_unacknowledged(clock.now).is_empty()
}

pub fn show(ui: &mut egui::Ui, model: &Model, clock: &Clock, commands: &mut Vec<Command>) {
    let p = theme::palette(ui);
    let critical = model.alarms.critical_unacknowledged(clock.now);
    let Some(newest) = critical.first() else { return };
    let well = newest.well_name.as_deref().unwrap_or("a well");
    let text = match critical.len() {
        1 => format!("{} 1 critical alarm unacknowledged: {well} · {}", icon::CRITICAL, newest.alarm.rule.label()),
        n => format!(
            "{} {n} critical alarms unacknowledged · newest: {well} · {}",
            icon::CRITICAL,
            newest.alarm.rule.label()
        ),
    };
    Frame::new().fill(p.alarm).inner_margin(Margin::same(size::PANEL_MARGIN)).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal(|ui| {
            ui.label(RichText::new(text).strong().color(p.on_state));
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if !model.drawer.open && !model.is_read_only() && ui.button("Show alarms").clicked() {
                    commands.push(Command::SetAlarmDrawer(true));
                }
            });
        });
    });
}
