//! The navigation sidebar on the left: Dashboard, Wells and Alarms, the current one selected, the compact alarm
//! badge beside Alarms. Below `SIDEBAR_COLLAPSE_BELOW` points of window width it collapses to its icons (each
//! keeps its name for screen readers and on hover). Not shown in kiosk mode.
//!
//! Owns: the sidebar's entries. Must not touch: the model (read only) or I/O.

use super::{Clock, alarm_badge};
use crate::model::Model;
use crate::protocol::{Command, Screen};
use crate::theme::{self, tokens::icon, tokens::size};
use egui::{Frame, Margin, RichText};

fn glyph(screen: Screen) -> &'static str {
    match screen {
        Screen::Dashboard | Screen::OilChange => icon::DASHBOARD,
        Screen::Wells => icon::WELLS,
        Screen::Alarms => icon::ALARM_BELL,
    }
}

fn shortcut(screen: Screen) -> &'static str {
    match screen {
        Screen::Dashboard => "D",
        Screen::Wells => "W",
        Screen::Alarms => "L",
        Screen::OilChange => "O",
    }
}

/// Adds the panel; `window_width` decides whether it is collapsed.
pub fn show(ui: &mut egui::Ui, model: &Model, clock: &Clock, window_width: f32, commands: &mut Vec<Command>) {
    let collapsed = window_width < size::SIDEBAR_COLLAPSE_BELOW;
    let width = if collapsed { size::SIDEBAR_COLLAPSED_WIDTH } else { size::SIDEBAR_WIDTH };
    egui::Panel::left("sidebar")
        .resizable(false)
        .exact_size(width)
        .frame(Frame::side_top_panel(ui.style()).inner_margin(Margin::same(size::PANEL_MARGIN / 2)))
        .show(ui, |ui| entries(ui, model, clock, collapsed, commands));
}

fn entries(ui: &mut egui::Ui, model: &Model, clock: &Clock, collapsed: bool, commands: &mut Vec<Command>) {
    let p = theme::palette(ui);
    ui.add_space(size::SPACING);
    for screen in Screen::ALL {
        // The oil-change drill-down is part of the dashboard.
        let selected = model.screen.section() == screen;
        let title = screen.title();
        let text = if collapsed { glyph(screen).to_owned() } else { format!("{} {title}", glyph(screen)) };
        let color = if selected { p.text_strong } else { p.text };
        let response = ui.vertical(|ui| {
            let entry = ui.add_sized(
                [ui.available_width(), size::ROW_HEIGHT],
                egui::Button::selectable(selected, RichText::new(text).color(color)),
            );
            if screen == Screen::Alarms && model.session.is_some() {
                alarm_badge::compact(ui, model, clock, !collapsed);
            }
            entry
        });
        let entry = response.inner;
        entry.widget_info(|| egui::WidgetInfo::selected(egui::Role::Button, true, selected, title));
        if entry.on_hover_text(format!("{title} ({})", shortcut(screen))).clicked() && model.screen != screen {
            commands.push(Command::ShowScreen(screen));
        }
        ui.add_space(size::SPACING * 0.5);
    }
}
