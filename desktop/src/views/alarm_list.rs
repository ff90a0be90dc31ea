//! The alarm list screen: every open alarm, full width, in the drawer's order and with its cards, read only
//! (acknowledging and shelving happen in the drawer). The kiosk's third view.
//!
//! Owns: the screen's layout. Must not touch: the model (read only) or I/O.

use super::{Clock, alarm_drawer};
use crate::model::Model;
use crate::model::alarms::AlarmFilter;
use crate::protocol::Command;
use crate::theme::{self, tokens::icon, tokens::size};
use egui::RichText;

pub fn show(ui: &mut egui::Ui, model: &Model, clock: &Clock, commands: &mut Vec<Command>) {
    let p = theme::palette(ui);
    let listed = model.alarms.listed(&AlarmFilter::default(), clock.now);
    ui.horizontal(|ui| {
        let title = format!(
            "{} Open alarms · {} · {} unacknowledged",
            icon::ALARM_BELL,
            listed.len(),
            model.alarms.unacknowledged(clock.now)
        );
        ui.label(RichText::new(title).heading().color(p.text_strong));
        if !model.is_read_only() {
            let open = ui.button("Open the alarm drawer").on_hover_text("Acknowledge, shelve and filter (A)");
            if open.clicked() {
                commands.push(Command::SetAlarmDrawer(true));
            }
        }
    });
    ui.add_space(size::SPACING * 0.5);
    if model.alarms.loaded_at.is_none() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(RichText::new("Loading the open alarms…").color(p.text_weak));
        });
        return;
    }
    if listed.is_empty() {
        ui.label(RichText::new(format!("{} No open alarms.", icon::ONLINE)).color(p.text));
        return;
    }
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        for alarm in listed {
            alarm_drawer::alarm_card(ui, alarm, None, clock, p, commands);
        }
    });
}
