//! The alarm badge: the unacknowledged count with the highest priority's icon and word, filled in that priority's
//! colour (grey with no unacknowledged alarm), pulsing for a few seconds after a new alarm. In the top bar a click
//! opens or closes the alarm drawer; the sidebar and the kiosk bar show a compact, non-interactive one; the alarm
//! tile pulses with the same [`pulse`].
//!
//! Owns: the priority's colour, icon and word (also used by the drawer, the banner and the alarm tile), and the
//! pulse's shape over time. Must not touch: the model (read only) or I/O.

use super::Clock;
use crate::model::Model;
use crate::protocol::Command;
use crate::theme::{self, tokens::Palette, tokens::icon, tokens::motion, tokens::size};
use egui::{Button, Color32, Frame, Margin, RichText, Stroke};
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

/// The pulse's outline at `clock.now`, while a new alarm is less than `PULSE_FOR` old (it asks for the next
/// frame); `None` otherwise. A throbbing outline: motion draws the eye, the count and the word say what it is.
pub fn pulse(ui: &egui::Ui, model: &Model, clock: &Clock) -> Option<Stroke> {
    if !model.alarms.is_pulsing(clock.now) {
        return None;
    }
    let phase = (clock.now.timestamp_subsec_millis() as f32 / 1000.0) / motion::PULSE_PERIOD;
    let strength = 0.5 + 0.5 * (phase * std::f32::consts::TAU).sin();
    ui.ctx().request_repaint_after(std::time::Duration::from_secs_f32(motion::ANIMATION_FRAME));
    Some(Stroke::new(size::PULSE_STROKE * strength, theme::palette(ui).text_strong))
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
    if let Some(stroke) = pulse(ui, model, clock) {
        button = button.stroke(stroke);
    }
    let hint = if model.drawer.open { "Close the alarm drawer (A)" } else { "Open the alarm drawer (A)" };
    if ui.add(button).on_hover_text(hint).clicked() {
        commands.push(Command::SetAlarmDrawer(!model.drawer.open));
    }
}

/// The compact badge of the sidebar and the kiosk bar: "3" (or "⛔ 3 Critical" when `words`), filled like the
/// badge, pulsing like it, and not clickable. Its accessible name says it in words ("Unacknowledged alarms: 3,
/// highest Critical").
pub fn compact(ui: &mut egui::Ui, model: &Model, clock: &Clock, words: bool) -> egui::Response {
    let p = theme::palette(ui);
    let count = model.alarms.unacknowledged(clock.now);
    let highest = model.alarms.highest_unacknowledged(clock.now).filter(|_| count > 0);
    let (fill, text_color) = match highest {
        Some(priority) => (color(priority, p), p.on_state),
        None => (p.button_bg, p.text),
    };
    let short = match (highest, words) {
        (Some(priority), true) => {
            let (glyph, word) = priority_mark(priority);
            format!("{} {count} · {glyph} {word}", icon::ALARM_BELL)
        }
        (Some(priority), false) => format!("{} {count}", priority_mark(priority).0),
        (None, true) => format!("{} 0", icon::ALARM_BELL),
        (None, false) => "0".to_owned(),
    };
    let stroke = pulse(ui, model, clock).unwrap_or(Stroke::NONE);
    let full = match highest {
        Some(priority) => format!("Unacknowledged alarms: {count}, highest {}", priority.label()),
        None => "Unacknowledged alarms: none".to_owned(),
    };
    let response = Frame::new()
        .fill(fill)
        .stroke(stroke)
        .corner_radius(size::CORNER_RADIUS)
        .inner_margin(Margin::symmetric(size::PANEL_MARGIN / 2, 1))
        .show(ui, |ui| {
            ui.add(
                egui::Label::new(RichText::new(short).strong().color(text_color)).wrap_mode(egui::TextWrapMode::Extend),
            )
        })
        .inner;
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, full.clone()));
    response.on_hover_text(text(model, clock))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::format::{DisplayZone, utc};
    use crate::model::Mode;
    use crate::model::alarms::PULSE_FOR;
    use crate::model::alarms::fixtures::alarm;
    use crate::protocol::{AlarmChange, Event};
    use chrono::{DateTime, TimeDelta, Utc};
    use egui_kittest::Harness;
    use flowline_shared::alarms::AlarmState;

    fn arrived() -> DateTime<Utc> {
        utc(2025, 3, 14, 12, 0, 0).unwrap()
    }

    /// The pulse's width drawn at `arrived() + offset`.
    fn pulse_at(model: &Model, offset: TimeDelta) -> Option<f32> {
        let clock = Clock { now: arrived() + offset, zone: DisplayZone::Local };
        let model = model.clone();
        let mut harness = Harness::new_ui_state(
            move |ui, width: &mut Option<f32>| *width = pulse(ui, &model, &clock).map(|s| s.width),
            None,
        );
        harness.step();
        *harness.state()
    }

    #[test]
    fn the_pulse_throbs_for_a_few_seconds_after_a_new_alarm() {
        let mut model = Model::new(Mode::Remote, None, std::time::Duration::from_secs(30));
        let raised = alarm(1, AlarmPriority::High, AlarmState::ActiveUnacknowledged, arrived());
        model.apply(Event::AlarmChanged {
            change: AlarmChange::Created,
            seq: 1,
            alarm: Box::new(raised),
            out_of_service: None,
            at: arrived(),
        });
        assert_eq!(pulse_at(&model, TimeDelta::seconds(-1)), None, "not before it arrived");
        let quarter = pulse_at(&model, TimeDelta::milliseconds(200)).unwrap();
        let three_quarters = pulse_at(&model, TimeDelta::milliseconds(600)).unwrap();
        assert!(quarter > three_quarters, "it throbs: {quarter} then {three_quarters}");
        assert!(quarter <= size::PULSE_STROKE);
        assert!(pulse_at(&model, PULSE_FOR - TimeDelta::milliseconds(1)).is_some());
        assert_eq!(pulse_at(&model, PULSE_FOR), None, "over after PULSE_FOR");
    }
}
