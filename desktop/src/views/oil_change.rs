//! The oil tile's drill-down: the wells by 30-day change in oil (the server's stored trends), with the change in %
//! and as the fitted line's slope in BOPD per day, the direction as an arrow and a word, the latest oil rate, r²
//! and the age of the computation; sortable (steepest decline, largest rise, name), wells with insufficient data
//! last; a button back to the dashboard. Loading, failure and offline each say so in words (offline, the list
//! saved in the offline cache is shown if the drill-down was opened before).
//!
//! Owns: how a trend is written in a row. Must not touch: the model (read only), I/O, colour or size literals.

use super::Clock;
use crate::format::{self, MISSING, OIL_RATE_UNIT, format_age};
use crate::model::oil_change::is_insufficient;
use crate::model::{ConnectionState, Model};
use crate::protocol::{Command, OilChangeSort, Screen};
use crate::theme::{self, tokens::Palette, tokens::icon, tokens::size};
use egui::{Align, Color32, Layout, RichText};
use egui_extras::{Column, TableBuilder};
use flowline_shared::WellId;
use flowline_shared::analytics::trend::TrendDirection;
use flowline_shared::dto::LatestReading;
use flowline_shared::dto::analytics::TrendListItem;
use std::collections::HashMap;

/// Unit of the slope: barrels of oil per calendar day, per day.
pub const SLOPE_UNIT: &str = "BOPD/day";

/// The sort buttons, in order, with their accessible names.
const SORTS: [(OilChangeSort, &str); 3] = [
    (OilChangeSort::ChangeAscending, "Steepest decline first"),
    (OilChangeSort::ChangeDescending, "Largest rise first"),
    (OilChangeSort::Name, "Name A-Z"),
];

/// The columns: title, hover text, numeric (right-aligned), initial width.
const COLUMNS: [(&str, &str, bool, f32); 6] = [
    ("Well", "Well name", false, size::NAME_COLUMN),
    ("Change", "Mean oil rate of the last 30 days against the 30 days before, in %", true, size::RATE_COLUMN),
    ("Slope", "The fitted line's change per day, in barrels of oil per calendar day per day", true, size::RATE_COLUMN),
    (
        "Direction",
        "Rising, flat or declining (flat: within 5 % or not significant at 95 %)",
        false,
        size::READING_COLUMN_MIN,
    ),
    ("Oil rate", "Oil of the latest reading, barrels per calendar day (BOPD)", true, size::READING_COLUMN_MIN),
    ("r²", "How well the line fits the days (0 to 1)", true, size::HOURS_COLUMN),
];

pub fn show(ui: &mut egui::Ui, model: &Model, clock: &Clock, commands: &mut Vec<Command>) {
    let p = theme::palette(ui);
    let board = &model.oil_change;
    ui.horizontal(|ui| {
        if ui.button("‹ Back to the dashboard").on_hover_text("Back to the KPI tiles (D)").clicked() {
            commands.push(Command::ShowScreen(Screen::Dashboard));
        }
        ui.heading(RichText::new(Screen::OilChange.title()).color(p.text_strong));
    });
    let days = board.trends.first().map_or(30, |t| t.window_days);
    ui.label(
        RichText::new(format!(
            "{days}-day trend of oil, calendar-day rate: the change compares the mean of the last {days} days with \
             the {days} days before; the slope is the fitted line's change per day."
        ))
        .color(p.text),
    );
    if board.trends.is_empty() {
        empty(ui, model, p);
        return;
    }
    ui.horizontal_wrapped(|ui| {
        if let Some(at) = board.oldest_computed_at() {
            let age = format!("Trends as of {}, {}", clock.zone.clock(at, clock.now), format_age(clock.now - at));
            ui.label(RichText::new(age).color(p.text_weak));
        }
        let insufficient = board.insufficient();
        let mut counts = format!("· {} wells", format::thousands(board.total.max(board.trends.len() as u64)));
        if insufficient > 0 {
            counts.push_str(&format!(" · {insufficient} with insufficient data (listed last)"));
        }
        ui.label(RichText::new(counts).color(p.text_weak));
        if board.loading {
            ui.spinner();
            ui.label(RichText::new("Refreshing…").color(p.text_weak));
        }
    });
    if let Some(error) = &board.error {
        ui.label(RichText::new(format!("{} {error}; showing the last list", icon::WARNING)).color(p.warning));
    }
    ui.horizontal(|ui| {
        ui.label(RichText::new("Sort:").color(p.text));
        for (sort, label) in SORTS {
            let selected = board.sort == sort;
            let button = ui.add(egui::Button::selectable(selected, label));
            button.widget_info(|| egui::WidgetInfo::selected(egui::Role::Button, true, selected, label));
            if button.clicked() && !selected {
                commands.push(Command::SortOilChange(sort));
            }
        }
    });
    ui.add_space(size::SPACING * 0.5);
    table(ui, model, clock, p);
}

/// Nothing to list yet: loading, offline, an error, or no trend stored.
fn empty(ui: &mut egui::Ui, model: &Model, p: &Palette) {
    let board = &model.oil_change;
    let offline = model.session.is_none() || matches!(model.connection, ConnectionState::Offline { .. });
    if board.loading {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(RichText::new("Loading oil trends…").color(p.text_weak));
        });
    } else if offline {
        ui.label(RichText::new(format!("{} Oil trends are not available offline", icon::OFFLINE)).color(p.warning));
    } else if let Some(error) = &board.error {
        ui.label(RichText::new(format!("{} {error}", icon::WARNING)).color(p.warning));
    } else if board.fetched_at.is_some() {
        ui.label(RichText::new("No oil trends yet: the analysis runs within a minute of new data.").color(p.text_weak));
    } else {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(RichText::new("Loading oil trends…").color(p.text_weak));
        });
    }
}

fn table(ui: &mut egui::Ui, model: &Model, clock: &Clock, p: &Palette) {
    let readings: HashMap<WellId, &LatestReading> =
        model.wells.iter().filter_map(|w| Some((w.well.id, w.last_reading.as_ref()?))).collect();
    let mut table = TableBuilder::new(ui)
        .id_salt("oil_change")
        .striped(true)
        .auto_shrink([false, false])
        .cell_layout(Layout::left_to_right(Align::Center));
    for (_, _, _, width) in COLUMNS {
        table = table.column(Column::initial(width).at_least(width * 0.5).clip(true));
    }
    table = table.column(Column::remainder());
    let trends = &model.oil_change.trends;
    table
        .header(size::HEADER_HEIGHT, |mut header| {
            for (title, hint, numeric, _) in COLUMNS {
                header.col(|ui| {
                    aligned(ui, numeric, |ui| {
                        ui.label(RichText::new(title).strong()).on_hover_text(hint);
                    });
                });
            }
        })
        .body(|body| {
            body.rows(size::ROW_HEIGHT, trends.len(), |mut row| {
                let Some(trend) = trends.get(row.index()) else { return };
                let cells = row_cells(trend, readings.get(&trend.well_id).copied(), clock, p);
                for ((_, _, numeric, _), (text, color)) in COLUMNS.iter().zip(cells) {
                    row.col(|ui| {
                        aligned(ui, *numeric, |ui| {
                            ui.add(egui::Label::new(RichText::new(text).color(color)).truncate());
                        });
                    });
                }
            });
        });
}

fn aligned(ui: &mut egui::Ui, numeric: bool, add: impl FnOnce(&mut egui::Ui)) {
    if numeric {
        ui.with_layout(Layout::right_to_left(Align::Center), add);
    } else {
        add(ui);
    }
}

/// The cells of one trend's row, in [`COLUMNS`] order.
fn row_cells(
    trend: &TrendListItem,
    reading: Option<&LatestReading>,
    clock: &Clock,
    p: &Palette,
) -> [(String, Color32); 6] {
    let insufficient = is_insufficient(trend);
    let value_color = if insufficient { p.text_weak } else { p.text };
    let change = trend.percent_change.filter(|_| !insufficient).map_or_else(
        || MISSING.to_owned(),
        |pct| format!("{}{} %", if pct > 0.0 { "+" } else { "" }, format::number(pct, 1)),
    );
    let slope = trend.slope_per_day.map_or_else(
        || MISSING.to_owned(),
        |s| format!("{}{}", if s > 0.0 { "+" } else { "" }, format::with_unit(s, 2, SLOPE_UNIT)),
    );
    let (direction, direction_color) = direction_cell(trend.direction, p);
    let rate = match reading {
        Some(r) if format::is_stale(r.recorded_at, clock.now) => {
            (format!("{} {} stale", icon::STALE, format::with_unit(r.oil_bbl, 1, OIL_RATE_UNIT)), p.stale)
        }
        Some(r) => (format::with_unit(r.oil_bbl, 1, OIL_RATE_UNIT), p.text),
        None => (MISSING.to_owned(), p.text_weak),
    };
    let r_squared = trend.r_squared.map_or_else(|| MISSING.to_owned(), |r| format::number(r, 2));
    [
        (trend.well_name.clone(), p.text_strong),
        (change, value_color),
        (slope, value_color),
        (direction, direction_color),
        rate,
        (r_squared, value_color),
    ]
}

/// The arrow and the word; grey for every fitted direction (a declining well is normal in an oil field), the stale
/// colour with its icon for missing data.
pub fn direction_cell(direction: TrendDirection, p: &Palette) -> (String, Color32) {
    match direction {
        TrendDirection::Down => (format!("{} Declining", icon::TREND_DOWN), p.text),
        TrendDirection::Up => (format!("{} Rising", icon::TREND_UP), p.text),
        TrendDirection::Flat => (format!("{} Flat", icon::TREND_FLAT), p.text),
        TrendDirection::InsufficientData => (format!("{} Insufficient data", icon::STALE), p.stale),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::format::{DisplayZone, utc};
    use crate::model::Mode;
    use crate::model::fixtures::well;
    use crate::model::oil_change::fixtures::trend;
    use crate::protocol::Event;
    use chrono::{FixedOffset, TimeDelta};
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;
    use flowline_shared::{Role, WellStatus};
    use std::time::Duration;

    struct State {
        model: Model,
        sent: Vec<Command>,
    }

    fn clock() -> Clock {
        Clock { now: utc(2025, 3, 14, 12, 2, 0).unwrap(), zone: DisplayZone::Fixed(FixedOffset::east_opt(0).unwrap()) }
    }

    /// The whole window; the local commands are applied as `app.rs` applies them (including the fetch request
    /// it records when the drill-down is entered).
    fn harness(model: Model) -> Harness<'static, State> {
        Harness::builder().with_size([1400.0, 800.0]).build_ui_state(
            |ui, state: &mut State| {
                let mut commands = Vec::new();
                super::super::root(ui, &mut state.model, &clock(), &mut commands);
                for command in commands {
                    match &command {
                        Command::DrillDownOilChange => {
                            state.model.drill_down_oil_change();
                            state.model.oil_change.requested();
                        }
                        Command::SortOilChange(sort) => state.model.sort_oil_change(*sort),
                        Command::ShowScreen(screen) => state.model.screen = *screen,
                        _ => {}
                    }
                    state.sent.push(command);
                }
            },
            State { model, sent: Vec::new() },
        )
    }

    fn online_dashboard() -> Model {
        let mut model = Model::new(Mode::Remote, Some("http://ops.example:8080".into()), Duration::from_secs(30));
        let at = utc(2025, 3, 14, 12, 0, 0).unwrap();
        model.apply(Event::LoggedIn {
            tenant: "demo".into(),
            username: "operator".into(),
            role: Role::Operator,
            expires_at: at + TimeDelta::hours(24),
            at,
        });
        let wells = ["Steep 1", "Riser 2", "Sparse 3"]
            .iter()
            .zip([100.0, 250.0, 5.0])
            .map(|(name, oil)| well(name, None, WellStatus::Active, Some((at - TimeDelta::minutes(1), oil))))
            .collect();
        model.apply(Event::WellsLoaded { wells, total: 3, at });
        let kpis = crate::model::kpis::fixtures::fleet(at, at - TimeDelta::minutes(2));
        model.apply(Event::KpisLoaded { kpis: Box::new(kpis), at });
        model.apply(Event::OpenAlarmsLoaded { alarms: vec![], requested_at: at, at });
        model
    }

    fn top(harness: &Harness<'_, State>, label: &str) -> f32 {
        harness.get_by_label(label).rect().top()
    }

    #[test]
    fn the_oil_tile_opens_the_wells_by_change_in_order_and_back_returns() {
        let mut harness = harness(online_dashboard());
        harness.run();
        harness.get_by_label("Wells by oil change ›").click();
        // The spinner animates: step frames instead of waiting to settle.
        harness.run_steps(3);
        assert_eq!(harness.state().model.screen, Screen::OilChange);
        assert!(harness.query_by_label("Loading oil trends…").is_some());
        assert!(harness.query_by_label_contains("30-day trend of oil, calendar-day rate").is_some());

        let computed = utc(2025, 3, 14, 11, 55, 0).unwrap();
        harness.state_mut().model.apply(Event::OilTrendsLoaded {
            trends: vec![
                trend("Riser 2", TrendDirection::Up, Some(8.0), computed),
                trend("Sparse 3", TrendDirection::InsufficientData, None, computed),
                trend("Steep 1", TrendDirection::Down, Some(-30.0), computed),
            ],
            total: 3,
            at: clock().now,
        });
        harness.run();
        assert!(harness.query_by_label("Loading oil trends…").is_none());
        assert!(top(&harness, "Steep 1") < top(&harness, "Riser 2"), "steepest decline first");
        assert!(top(&harness, "Riser 2") < top(&harness, "Sparse 3"), "insufficient data last");
        for text in [
            "-30.0 %",
            "-3.00 BOPD/day",
            "+8.0 %",
            "+0.80 BOPD/day",
            "100.0 BOPD",
            "250.0 BOPD",
            "Trends as of 11:55, 7 min ago",
        ] {
            assert!(harness.query_by_label(text).is_some(), "{text}");
        }
        assert_eq!(harness.query_all_by_label("0.87").count(), 2, "r² of the two fitted trends");
        assert!(harness.query_by_label(&format!("{} Declining", icon::TREND_DOWN)).is_some(), "arrow and word");
        assert!(harness.query_by_label(&format!("{} Rising", icon::TREND_UP)).is_some());
        assert!(harness.query_by_label(&format!("{} Insufficient data", icon::STALE)).is_some());
        assert!(harness.query_by_label_contains("1 with insufficient data (listed last)").is_some());

        harness.get_by_label("Largest rise first").click();
        harness.run();
        assert!(top(&harness, "Riser 2") < top(&harness, "Steep 1"));
        assert!(top(&harness, "Steep 1") < top(&harness, "Sparse 3"), "insufficient data still last");
        harness.get_by_label("Name A-Z").click();
        harness.run();
        assert_eq!(harness.state().model.oil_change.sort, OilChangeSort::Name);

        harness.get_by_label("‹ Back to the dashboard").click();
        harness.run();
        assert_eq!(harness.state().model.screen, Screen::Dashboard);
        assert!(harness.query_by_label("Total oil").is_some());
        assert_eq!(
            harness.state().sent,
            vec![
                Command::DrillDownOilChange,
                Command::SortOilChange(OilChangeSort::ChangeDescending),
                Command::SortOilChange(OilChangeSort::Name),
                Command::ShowScreen(Screen::Dashboard),
            ]
        );
    }

    #[test]
    fn the_o_key_opens_the_drill_down() {
        let mut harness = harness(online_dashboard());
        harness.run();
        harness.key_press(egui::Key::O);
        harness.run_steps(3);
        assert_eq!(harness.state().model.screen, Screen::OilChange);
        assert_eq!(harness.state().sent, vec![Command::DrillDownOilChange]);
    }

    #[test]
    fn offline_without_trends_says_so_and_a_failed_refresh_keeps_the_list() {
        let mut model = online_dashboard();
        model.screen = Screen::OilChange;
        model.apply(Event::WentOffline { error: "connection refused".into(), at: clock().now });
        model.apply(Event::OilTrendsFailed { error: "Oil trends are not available offline".into(), at: clock().now });
        let mut harness = harness(model);
        harness.run();
        assert!(harness.query_by_label(&format!("{} Oil trends are not available offline", icon::OFFLINE)).is_some());

        let computed = utc(2025, 3, 14, 11, 0, 0).unwrap();
        let state = harness.state_mut();
        state.model.apply(Event::OilTrendsLoaded {
            trends: vec![trend("Steep 1", TrendDirection::Down, Some(-30.0), computed)],
            total: 1,
            at: computed,
        });
        state.model.oil_change.requested();
        state.model.apply(Event::OilTrendsFailed {
            error: "The oil trends could not be fetched: boom".into(),
            at: clock().now,
        });
        harness.run();
        assert!(harness.query_by_label("Steep 1").is_some(), "the previous list stays");
        let warning = format!("{} The oil trends could not be fetched: boom; showing the last list", icon::WARNING);
        assert!(harness.query_by_label(&warning).is_some());
    }
}
