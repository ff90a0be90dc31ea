//! The message strip: the latest few messages (errors, warnings, notices), each with an icon, its age and a
//! dismiss button.
//!
//! Owns: how a message is shown. Must not touch: the model (read only) or I/O.

use super::Clock;
use crate::format::format_age;
use crate::model::{Level, Message};
use crate::protocol::Command;
use crate::theme::{self, tokens::icon, tokens::size};
use egui::RichText;

pub fn show(ui: &mut egui::Ui, messages: &[Message], clock: &Clock, commands: &mut Vec<Command>) {
    let p = theme::palette(ui);
    let first_shown = messages.len().saturating_sub(size::VISIBLE_MESSAGES);
    for message in messages[first_shown..].iter().rev() {
        let (glyph, color) = match message.level {
            Level::Info => (icon::INFO, p.text),
            Level::Warning => (icon::WARNING, p.warning),
            Level::Error => (icon::ERROR, p.alarm),
        };
        ui.horizontal(|ui| {
            let dismiss = ui.small_button(icon::DISMISS).on_hover_text("Dismiss");
            dismiss.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, "Dismiss message"));
            if dismiss.clicked() {
                commands.push(Command::DismissMessage(message.id));
            }
            let age = format_age(clock.now.signed_duration_since(message.at));
            let when = format!("{} ({age})", clock.zone.clock(message.at, clock.now));
            ui.label(RichText::new(when).small().color(p.text_weak));
            // A long message is cut to one line; the whole text shows on hover.
            ui.add(egui::Label::new(RichText::new(format!("{glyph} {}", message.text)).color(color)).truncate());
        });
    }
    if first_shown > 0 {
        ui.label(RichText::new(format!("{first_shown} older messages hidden")).small().color(p.text_weak));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::format::{DisplayZone, utc};
    use chrono::{Offset, Utc};
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    #[test]
    fn messages_show_and_dismiss() {
        let at = utc(2025, 3, 14, 12, 0, 0).unwrap();
        let clock = Clock { now: at + chrono::TimeDelta::minutes(3), zone: DisplayZone::Fixed(Utc.fix()) };
        let messages = vec![Message { id: 7, level: Level::Warning, text: "Connection lost: refused".into(), at }];
        let mut harness =
            Harness::new_ui_state(|ui, commands: &mut Vec<Command>| show(ui, &messages, &clock, commands), Vec::new());
        harness.run();
        assert!(harness.query_by_label(&format!("{} Connection lost: refused", icon::WARNING)).is_some());
        assert!(harness.query_by_label("12:00 (3 min ago)").is_some());
        harness.get_by_label("Dismiss message").click();
        harness.run();
        assert_eq!(harness.state(), &vec![Command::DismissMessage(7)]);
    }
}
