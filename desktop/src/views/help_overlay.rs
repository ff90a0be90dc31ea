//! The keyboard help overlay: a modal window listing the shortcuts (those of the wall display in kiosk mode);
//! Escape, F1, ?, its Close button or a click outside closes it.
//!
//! Owns: the overlay's layout. Must not touch: the model (read only) or I/O.

use super::shortcuts;
use crate::model::Model;
use crate::protocol::Command;
use crate::theme::{self, tokens::icon, tokens::size};
use egui::{Id, RichText};

pub fn show(ui: &mut egui::Ui, model: &Model, commands: &mut Vec<Command>) {
    if !model.help_open {
        return;
    }
    let p = theme::palette(ui);
    let modal = egui::Modal::new(Id::unique("help_overlay")).show(ui.ctx(), |ui| {
        ui.set_width(size::HELP_WIDTH);
        let title = format!("{} Keyboard shortcuts", icon::KEYBOARD);
        ui.label(RichText::new(title).heading().color(p.text_strong));
        ui.add_space(size::SPACING);
        egui::Grid::new("help_shortcuts").num_columns(2).striped(true).show(ui, |ui| {
            for shortcut in shortcuts::available(model.is_read_only()) {
                ui.add_sized(
                    [size::HELP_KEY_WIDTH, size::ROW_HEIGHT],
                    egui::Label::new(RichText::new(shortcut.keys).strong().monospace().color(p.text_strong)),
                );
                ui.label(RichText::new(shortcut.action).color(p.text));
                ui.end_row();
            }
        });
        ui.add_space(size::SPACING);
        if model.is_read_only() {
            ui.label(RichText::new("Wall display: read only; screens rotate by themselves.").color(p.text_weak));
        }
        ui.horizontal(|ui| {
            let close = ui.button(format!("{} Close", icon::CLOSE)).on_hover_text("Close the help (Escape)");
            // Focus the button when the overlay opens, so that Enter or Space closes it too.
            if ui.memory(|m| m.focused().is_none()) {
                close.request_focus();
            }
            close.clicked()
        })
        .inner
    });
    if modal.inner || modal.should_close() {
        commands.push(Command::ShowHelp(false));
    }
}
