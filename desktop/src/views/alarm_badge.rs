//! The alarm badge of the top bar: the unacknowledged count with the highest priority's icon and word, filled in
//! that priority's colour (grey with no unacknowledged alarm), pulsing for a few seconds after a new alarm; a click
//! opens or closes the alarm drawer.
//!
//! Owns: the priority's colour, icon and word (also used by the drawer, the banner and the alarm tile).
//! Must not touch: the model (read only) or I/O.

use super::Clock;
use crate::model::Model;
use crate::protocol::Command;
use crate::theme::{self, tokens::Palette, tokens::icon, tokens::motion, tokens::size};
use egui::{Button, Color32, RichText, Stroke};
use flowline_shared::alarms::AlarmPriority;

/// The icon and word of a priority.
pub fn priority_mark(priority: AlarmPriority) -> (&'static str, &'static str) {
    let glyph = match priority {
        AlarmPriority::Critical => icon::CRITICAL,
        AlarmPriority::High => icon::HIGH,
        AlarmPriority::Low => icon::LOW,
    };
    (glyph, priority.label())
}

pub fn color(priority: AlarmPriority, p: &Palette) -> Color32 {
    match priority {
        AlarmPriority::Critical => p.alarm,
        AlarmPriority::High => p.warning,
        AlarmPriority::Low => p.info_alarm,
    }
}

/// The badge's text: "🔔 3 unacknowledged · ⛔ Critical", or "🔔 No unacknowledged alarms".
pub fn text(model: &Model, clock: &Clock) -> String {
    let count = model.alarms.unacknowledged(clock.now);
    match model.alarms.highest_unacknowledged(clock.now) {
        Some(priority) if count > 0 => {
            let (glyph, word) = priority_mark(priority);
            format!("{} {count} unacknowledged · {glyph} {word}", icon::ALARM_BELL)
        }
        _ => format!("{} No unacknowledged alarms", icon::ALARM_BELL),
    }
}

pub fn show(ui: &mut egui::Ui, model: &Model, clock: &Clock, commands: &mut Vec<Command>) {
    let p = theme::palette(ui);
    let highest = model.alarms.highest_unacknowledged(clock.now);
    let mut button = match highest {
        Some(priority) => {
            Button::new(RichText::new(text(model, clock)).strong().color(p.on_state)).fill(color(priority, p))
        }
        None => Button::new(RichText::new(text(model, clock)).color(p.text)),
    };
    if model.alarms.is_pulsing(clock.now) {
        // A throbbing outline for a few seconds: motion draws the eye, the count and the word say what it is.
        let phase = (clock.now.timestamp_subsec_millis() as f32 / 1000.0) / motion::PULSE_PERIOD;
        let strength = 0.5 + 0.5 * (phase * std::f32::consts::TAU).sin();
        button = button.stroke(Stroke::new(size::PULSE_STROKE * strength, p.text_strong));
        ui.ctx().request_repaint_after(std::time::Duration::from_secs_f32(motion::ANIMATION_FRAME));
    }
    let hint = if model.drawer.open { "Close the alarm drawer" } else { "Open the alarm drawer" };
    if ui.add(button).on_hover_text(hint).clicked() {
        commands.push(Command::SetAlarmDrawer(!model.drawer.open));
    }
}
