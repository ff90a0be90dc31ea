//! The embedded backend's start-up: a progress card that never blocks the window, and the card shown when the
//! start failed.
//!
//! Owns: how start-up progress is shown. Must not touch: the model (read only) or I/O.

use crate::protocol::StartupStep;
use crate::theme::{self, tokens::icon, tokens::size};
use egui::{Frame, Margin, ProgressBar, RichText};
use std::path::Path;

pub fn show(ui: &mut egui::Ui, step: &StartupStep) {
    card(ui, |ui| {
        let p = theme::palette(ui);
        ui.label(RichText::new(format!("{} Preparing the demo", icon::STARTING)).heading().color(p.text_strong));
        ui.label(
            RichText::new(
                "First start: creating a demo tenant and 50 simulated wells with 24 months of history. \
             Later starts reuse the database.",
            )
            .color(p.text_weak),
        );
        ui.add_space(size::SPACING);
        ui.label(step.describe());
        match step.fraction() {
            Some(fraction) => {
                ui.add(ProgressBar::new(fraction).show_percentage().desired_width(size::DIALOG_WIDTH));
            }
            None => {
                ui.add(ProgressBar::new(0.0).animate(true).desired_width(size::DIALOG_WIDTH));
            }
        }
    });
}

pub fn failed(ui: &mut egui::Ui, error: &str, data_dir: &Path) {
    card(ui, |ui| {
        let p = theme::palette(ui);
        ui.label(
            RichText::new(format!("{} The embedded backend could not start", icon::ERROR)).heading().color(p.alarm),
        );
        ui.label(error);
        ui.add_space(size::SPACING);
        ui.label(RichText::new(format!("Data folder: {}", data_dir.display())).color(p.text_weak));
        ui.label(RichText::new(
            "Check that the folder is writable, or start with --data-dir PATH, or connect to a server with --server URL.",
        ).color(p.text_weak));
    });
}

fn card(ui: &mut egui::Ui, add_contents: impl FnOnce(&mut egui::Ui)) {
    ui.vertical_centered(|ui| {
        ui.add_space(ui.available_height() * 0.15);
        Frame::window(ui.style()).inner_margin(Margin::same(size::PANEL_MARGIN * 2)).show(ui, |ui| {
            ui.set_width(size::DIALOG_WIDTH);
            ui.with_layout(egui::Layout::top_down(egui::Align::Min), add_contents);
        });
    });
}
