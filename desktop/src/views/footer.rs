//! The footer: "Last updated: 2 min ago", the auto-refresh interval (30 / 60 / 120 s) and its pause while the
//! operator works, the event stream's state,
//! and what the numbers mean (rates per calendar day, the time zone, the staleness rule).
//!
//! Owns: the refresh choices and how the stream's state is worded. Must not touch: the model (read only) or I/O.

use super::Clock;
use crate::format::{self, format_age, format_last_updated};
use crate::model::Model;
use crate::model::alarms::StreamState;
use crate::protocol::Command;
use crate::theme::{self, tokens::icon};
use egui::RichText;
use std::time::Duration;

/// The auto-refresh intervals offered, in seconds (US-1104).
pub const REFRESH_CHOICES: [u64; 3] = [30, 60, 120];

pub fn show(ui: &mut egui::Ui, model: &Model, clock: &Clock, commands: &mut Vec<Command>) {
    let p = theme::palette(ui);
    ui.horizontal_wrapped(|ui| {
        let updated = format_last_updated(model.last_updated, clock.now);
        let stale = model.last_updated.is_some_and(|at| format::is_stale(at, clock.now));
        let updated = if stale { format!("{} {updated} · stale", icon::STALE) } else { updated };
        ui.label(RichText::new(updated).strong().color(if stale { p.stale } else { p.text }));
        ui.separator();
        let current = model.refresh_interval.as_secs();
        let label = ui.label("Auto-refresh");
        egui::ComboBox::from_id_salt("refresh_interval")
            .selected_text(format!("every {current} s"))
            .show_ui(ui, |ui| {
                for secs in REFRESH_CHOICES {
                    if ui.selectable_label(current == secs, format!("every {secs} s")).clicked() && current != secs {
                        commands.push(Command::SetRefreshInterval(Duration::from_secs(secs)));
                    }
                }
            })
            .response
            .labelled_by(label.id);
        if let Some(at) = model.refresh_pause.resumes_at() {
            ui.label(RichText::new(format!(
                "{} paused while you work · resumes at {} when idle",
                icon::PAUSED,
                clock.zone.clock(at, clock.now)
            )))
            .on_hover_text("Alarms still arrive live; Refresh (R) refreshes now");
        }
        ui.separator();
        let (text, color) = stream_line(&model.alarms.stream, clock, p);
        ui.label(RichText::new(text).color(color));
        ui.separator();
        let wells = if model.wells_total as usize > model.wells.len() {
            format!("{} of {} wells", model.wells.len(), model.wells_total)
        } else {
            format!("{} wells", model.wells.len())
        };
        ui.label(
            RichText::new(format!(
                "{wells} · rates per calendar day · times in {} · data older than 2 h is marked stale",
                clock.zone.describe(clock.now),
            ))
            .small()
            .color(p.text_weak),
        );
    });
}

/// The stream's state in words: grey while live or connecting, the warning colour (with its icon) when down.
fn stream_line(state: &StreamState, clock: &Clock, p: &theme::tokens::Palette) -> (String, egui::Color32) {
    match state {
        StreamState::Idle => ("Live alarms: not connected".to_owned(), p.text_weak),
        StreamState::Connecting { attempt: 0 } => (format!("{} Live alarms: connecting…", icon::CONNECTING), p.text),
        StreamState::Connecting { attempt } => {
            (format!("{} Live alarms: reconnecting (attempt {})…", icon::CONNECTING, attempt + 1), p.text)
        }
        StreamState::Live { since } => {
            (format!("{} Live alarms since {}", icon::ONLINE, clock.zone.clock(*since, clock.now)), p.text)
        }
        StreamState::Down { reason, retry_at } => {
            let wait = retry_at.signed_duration_since(clock.now);
            let when = if wait.num_seconds() > 0 {
                format!("retrying in {} s", wait.num_seconds())
            } else {
                format!("retrying ({})", format_age(-wait))
            };
            (format!("{} Live alarms lost: {reason}; {when}", icon::OFFLINE), p.warning)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::format::{DisplayZone, utc};
    use crate::model::Mode;
    use chrono::FixedOffset;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    fn clock() -> Clock {
        Clock { now: utc(2025, 3, 14, 12, 2, 0).unwrap(), zone: DisplayZone::Fixed(FixedOffset::east_opt(0).unwrap()) }
    }

    fn footer(model: Model) -> Harness<'static, Model> {
        let mut harness = Harness::builder()
            .with_size([1400.0, 60.0])
            .build_ui_state(|ui, model: &mut Model| show(ui, model, &clock(), &mut Vec::new()), model);
        harness.run();
        harness
    }

    #[test]
    fn the_footer_says_when_the_auto_refresh_waits_for_the_operator() {
        let mut model = Model::new(Mode::Remote, None, Duration::from_secs(30));
        assert!(footer(model.clone()).query_by_label_contains("paused while you work").is_none());
        assert!(model.refresh_pause.input(clock().now));
        let harness = footer(model);
        assert!(harness.query_by_label_contains("paused while you work · resumes at 12:07 when idle").is_some());
    }
}
