//! The wall display's only chrome: one strip with the app name, the screen shown and when the next comes, the
//! connection state, the data's age, the clock, the compact alarm badge and the sound state. No menu, no
//! setting, no button.
//!
//! Owns: the strip's wording. Must not touch: the model (read only) or I/O.

use super::{Clock, alarm_badge, top_bar};
use crate::format;
use crate::model::Model;
use crate::theme::{self, tokens::icon};
use egui::RichText;

pub fn bar(ui: &mut egui::Ui, model: &Model, clock: &Clock) {
    let p = theme::palette(ui);
    egui::Sides::new().shrink_left().truncate().show(
        ui,
        |ui| {
            ui.label(RichText::new("Flowline").heading().strong().color(p.text_strong));
            ui.separator();
            ui.label(RichText::new(model.screen.title()).heading().color(p.text_strong));
            if let Some(next) = model.kiosk.as_ref().and_then(|k| k.next_change(clock.now)) {
                let secs = (next - clock.now).num_seconds().max(0);
                ui.label(RichText::new(format!("next view in {secs} s")).color(p.text_weak));
            }
            ui.separator();
            let (glyph, text, color) = top_bar::connection_line(&model.connection, clock, p);
            ui.label(RichText::new(format!("{glyph} {text}")).color(color).strong());
            ui.separator();
            let stale = model.last_updated.is_some_and(|at| format::is_stale(at, clock.now));
            let updated = format::format_last_updated(model.last_updated, clock.now);
            let (updated, color) =
                if stale { (format!("{} {updated} · stale", icon::STALE), p.stale) } else { (updated, p.text) };
            ui.label(RichText::new(updated).color(color));
        },
        |ui| {
            ui.label(RichText::new(clock.zone.clock(clock.now, clock.now)).heading().color(p.text_strong));
            ui.separator();
            if model.session.is_some() {
                alarm_badge::compact(ui, model, clock, true);
            }
            if let Some(reason) = &model.sound.unavailable {
                ui.label(RichText::new(format!("{} Sound off", icon::MUTED)).color(p.warning))
                    .on_hover_text(format!("{reason}: audible alarms are off"));
            } else if model.sound.muted {
                ui.label(RichText::new(format!("{} Muted", icon::MUTED)).color(p.warning));
            }
        },
    );
}
