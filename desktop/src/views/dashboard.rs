//! The dashboard: six KPI tiles in a 2x3 grid (one column below 768 px), each with value and unit, trend arrow,
//! change vs the previous day, a 7-day sparkline and the age of its data; the oil tile drills down to the wells
//! by 30-day change in oil.
//!
//! Owns: how a tile is laid out and marked (grey when normal; the stale colour with the word "stale"; the alarm
//! tile in its priority's colour with the priority's icon and word, the compact alarm badge, the badge's pulse on
//! its outline and a button to the alarms). Must not touch: the model (read only) or I/O.

use super::{Clock, alarm_badge, sparkline};
use crate::format::{self, MISSING, format_age};
use crate::model::Model;
use crate::model::kpis::{LiveAlarms, Tile, TileId, tiles};
use crate::protocol::{Command, WellColumn};
use crate::theme::{self, tokens::Palette, tokens::icon, tokens::motion, tokens::size};
use egui::{Frame, Margin, RichText, Stroke};
use flowline_shared::kpis::Direction;

pub fn show(ui: &mut egui::Ui, model: &Model, clock: &Clock, commands: &mut Vec<Command>) {
    let p = theme::palette(ui);
    let Some(kpis) = &model.kpis.kpis else {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(RichText::new("Loading the fleet KPIs…").color(p.text_weak));
        });
        return;
    };
    let live = model.alarms.loaded_at.map(|loaded| LiveAlarms {
        unacknowledged: model.alarms.unacknowledged(clock.now),
        highest: model.alarms.highest_unacknowledged(clock.now),
        as_of: model.alarms.stream_seen_at.map_or(loaded, |seen| seen.max(loaded)),
    });
    let mut tiles = tiles(kpis, live);
    if model.offline.cached_at.is_some()
        && let Some(alarms) = tiles.iter_mut().find(|t| t.id == TileId::Alarms)
    {
        // Replayed from the offline cache: the count of the saved alarm list, not of the stream.
        alarms.detail = Some("from the saved alarm list".to_owned());
    }
    let columns = if ui.available_width() < size::ONE_COLUMN_BELOW { 1 } else { 3 };
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        for row in tiles.chunks(columns) {
            ui.columns(columns, |cells| {
                for (cell, tile) in cells.iter_mut().zip(row) {
                    show_tile(cell, tile, model, clock, p, commands);
                }
            });
            ui.add_space(size::SPACING * 0.5);
        }
        ui.label(
            RichText::new(format!(
                "Last day with data: {} · checked {}",
                kpis.last_day.map_or_else(|| MISSING.to_owned(), |d| d.format("%b %-d").to_string()),
                model.kpis.checked_at.map_or_else(|| MISSING.to_owned(), |at| format_age(clock.now - at)),
            ))
            .small()
            .color(p.text_weak),
        );
    });
}

/// A figure that changed moves from the value shown to the new one over [`motion::VALUE_TWEEN`] (eased), so a
/// refresh never makes a tile jump or blink; the first value and the last frame are exact (f64 throughout).
fn tweened(ui: &egui::Ui, id: egui::Id, target: f64) -> f64 {
    #[derive(Clone, Copy)]
    struct Tween {
        from: f64,
        to: f64,
        started: f64,
    }
    let now = ui.input(|i| i.time);
    let shown = |t: &Tween| {
        let progress = ((now - t.started) / motion::VALUE_TWEEN).clamp(0.0, 1.0);
        let eased = progress * progress * (3.0 - 2.0 * progress);
        (t.from + (t.to - t.from) * eased, progress < 1.0)
    };
    let tween = match ui.data(|d| d.get_temp::<Tween>(id)) {
        Some(t) if t.to == target => t,
        Some(t) => Tween { from: shown(&t).0, to: target, started: now },
        None => Tween { from: target, to: target, started: now },
    };
    ui.data_mut(|d| d.insert_temp(id, tween));
    let (value, moving) = shown(&tween);
    if moving {
        ui.ctx().request_repaint_after(std::time::Duration::from_secs_f32(motion::ANIMATION_FRAME));
        value
    } else {
        target
    }
}

fn show_tile(ui: &mut egui::Ui, tile: &Tile, model: &Model, clock: &Clock, p: &Palette, commands: &mut Vec<Command>) {
    let stale = tile.is_stale(clock.now);
    let alarm_color = tile.alarm.filter(|_| tile.value.is_some_and(|v| v > 0.0)).map(|pr| alarm_badge::color(pr, p));
    let border = match (alarm_color, stale) {
        (Some(color), _) => color,
        (None, true) => p.stale,
        (None, false) => p.border,
    };
    let stroke_width = if border == p.border { 1.0 } else { 2.0 };
    let mut stroke = Stroke::new(stroke_width, border);
    if tile.id == TileId::Alarms
        && let Some(pulse) = alarm_badge::pulse(ui, model, clock)
    {
        // The new alarm's pulse, in the tile's own colour when it has one.
        stroke = Stroke::new(stroke_width + pulse.width, border);
    }
    Frame::window(ui.style())
        .fill(p.window_bg)
        .stroke(stroke)
        .shadow(egui::Shadow::NONE)
        .inner_margin(Margin::same(size::PANEL_MARGIN))
        .show(ui, |ui| {
            ui.set_min_height(size::TILE_HEIGHT - f32::from(size::PANEL_MARGIN) * 2.0);
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                ui.label(RichText::new(tile.title).strong().color(p.text_strong));
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if let (Some(priority), Some(color)) = (tile.alarm, alarm_color) {
                        let (glyph, word) = alarm_badge::priority_mark(priority);
                        ui.label(RichText::new(format!("{glyph} {word}")).strong().color(color));
                    } else if stale {
                        ui.label(RichText::new(format!("{} stale", icon::STALE)).strong().color(p.stale));
                    }
                });
            });
            let value = tile.value.map_or_else(
                || MISSING.to_owned(),
                |v| format::number(tweened(ui, egui::Id::unique(("kpi_value", tile.title)), v), tile.decimals),
            );
            let value_color = if stale { p.stale } else { p.text_strong };
            ui.horizontal(|ui| {
                ui.label(RichText::new(value).size(size::VALUE_FONT).strong().color(value_color));
                ui.label(RichText::new(&tile.unit).color(p.text));
                if tile.id == TileId::Alarms && model.alarms.loaded_at.is_some() {
                    ui.add_space(size::SPACING);
                    alarm_badge::compact(ui, model, clock, false);
                }
            });
            ui.label(RichText::new(change_line(tile)).color(p.text));
            let hover = sparkline_text(tile);
            sparkline::show(ui, &tile.sparkline, if stale { p.stale } else { p.text_weak }, &hover);
            // Wrapped, so that a narrow tile (1024 px with the sidebar) keeps its text inside its frame.
            ui.horizontal_wrapped(|ui| {
                let age = match tile.as_of {
                    Some(at) => format!("as of {}, {}", clock.zone.clock(at, clock.now), format_age(clock.now - at)),
                    None => "no data yet".to_owned(),
                };
                ui.label(RichText::new(age).small().color(if stale { p.stale } else { p.text_weak }));
                if let Some(detail) = &tile.detail {
                    ui.label(RichText::new(format!("· {detail}")).small().color(p.text_weak));
                }
            });
            if tile.id == TileId::Alarms && !model.is_read_only() {
                let open = ui.small_button("Open the alarm drawer ›").on_hover_text("Acknowledge or shelve (A)");
                if open.clicked() {
                    commands.push(Command::SetAlarmDrawer(true));
                }
            }
            if tile.id == TileId::Oil && !model.is_read_only() {
                let change = ui
                    .small_button("Wells by oil change ›")
                    .on_hover_text("The wells by 30-day change in oil, steepest decline first (O)");
                if change.clicked() {
                    commands.push(Command::DrillDownOilChange);
                }
            }
            if let Some((label, hover, column, ascending)) = well_drill_down(tile.id)
                && !model.is_read_only()
                && ui.small_button(label).on_hover_text(hover).clicked()
            {
                commands.push(Command::DrillDownWells(column, ascending));
            }
        });
}

/// The well table in the order that explains a tile's figure: its button, hover text, column and direction. The
/// oil tile has its own drill-down (by change) and the alarm tile opens the drawer.
fn well_drill_down(id: TileId) -> Option<(&'static str, &'static str, WellColumn, bool)> {
    match id {
        TileId::Gas => Some(("Wells by gas rate ›", "The well table, highest gas rate first", WellColumn::Gas, false)),
        TileId::ActiveWells => Some((
            "Wells by status ›",
            "The well table by status: producing, shut in, inactive",
            WellColumn::Status,
            true,
        )),
        TileId::Revenue => Some((
            "Wells by oil rate ›",
            "The well table, highest oil rate (most revenue) first",
            WellColumn::Oil,
            false,
        )),
        TileId::Downtime => Some((
            "Wells by hours on ›",
            "The well table, fewest hours on (most downtime) first",
            WellColumn::HoursOn,
            true,
        )),
        TileId::Oil | TileId::Alarms => None,
    }
}

/// "⬇ -10.0 % vs previous day (1,000 BOPD)"; the arrow says which way the number moved, the word "worse" whether
/// that is bad for this KPI (never the colour alone: the arrow stays grey).
pub fn change_line(tile: &Tile) -> String {
    let Some(direction) = tile.direction else {
        return match tile.previous {
            Some(previous) => format!("previous day {} {}", format::number(previous, tile.decimals), tile.unit),
            None => "no previous day to compare".to_owned(),
        };
    };
    let arrow = match direction {
        Direction::Up => icon::TREND_UP,
        Direction::Down => icon::TREND_DOWN,
        Direction::Flat => icon::TREND_FLAT,
    };
    let previous = tile.previous.map(|v| format::number(v, tile.decimals));
    let worse = if tile.is_worse() { " · worse" } else { "" };
    // The unit is beside the value already; the previous day's figure is in the same unit.
    match (tile.change_percent, previous) {
        (Some(pct), Some(previous)) => {
            let sign = if pct > 0.0 { "+" } else { "" };
            format!("{arrow} {sign}{} % vs previous day ({previous}){worse}", format::number(pct, 1))
        }
        (Some(pct), None) => format!("{arrow} {} % vs previous day{worse}", format::number(pct, 1)),
        (None, Some(previous)) => format!("{arrow} from {previous} the previous day{worse}"),
        (None, None) => format!("{arrow} vs previous day{worse}"),
    }
}

fn sparkline_text(tile: &Tile) -> String {
    let values: Vec<String> = tile
        .sparkline
        .iter()
        .map(|v| v.map_or_else(|| MISSING.to_owned(), |v| format::number(v, tile.decimals)))
        .collect();
    format!("{}, last 7 days ({}): {}", tile.title, tile.unit, values.join(", "))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::format::{DisplayZone, utc};
    use crate::model::kpis::fixtures::fleet;
    use crate::model::{Mode, Model};
    use crate::protocol::Event;
    use chrono::{FixedOffset, TimeDelta};
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;
    use std::time::Duration;

    struct State {
        model: Model,
        commands: Vec<Command>,
    }

    fn clock() -> Clock {
        Clock { now: utc(2025, 3, 14, 12, 0, 0).unwrap(), zone: DisplayZone::Fixed(FixedOffset::east_opt(0).unwrap()) }
    }

    fn model(reading_age: TimeDelta) -> Model {
        let now = clock().now;
        let mut model = Model::new(Mode::Remote, None, Duration::from_secs(30));
        model.apply(Event::KpisLoaded { kpis: Box::new(fleet(now, now - reading_age)), at: now });
        model
    }

    fn harness(model: Model, width: f32) -> Harness<'static, State> {
        Harness::builder().with_size([width, 1000.0]).build_ui_state(
            |ui, state: &mut State| show(ui, &state.model, &clock(), &mut state.commands),
            State { model, commands: Vec::new() },
        )
    }

    #[test]
    fn a_tile_shows_value_unit_change_sparkline_and_age() {
        let mut harness = harness(model(TimeDelta::minutes(3)), 1400.0);
        harness.run();
        assert!(harness.query_by_label("Total oil").is_some());
        assert!(harness.query_by_label("900").is_some());
        assert!(harness.query_by_label("BOPD").is_some());
        let change = format!("{} -10.0 % vs previous day (1,000) · worse", icon::TREND_DOWN);
        assert!(harness.query_by_label(&change).is_some(), "the arrow, the change and the word, not colour alone");
        assert!(harness.query_all_by_label("as of 11:57, 3 min ago").count() >= 2, "oil and gas at least");
        assert!(harness.query_by_label_contains("Total oil, last 7 days (BOPD): 1,000, 1,000").is_some());
        for title in ["Total gas", "Wells on production", "Fleet revenue", "Unacknowledged alarms", "Fleet downtime"] {
            assert!(harness.query_by_label(title).is_some(), "{title}");
        }
        assert!(harness.query_by_label("USD/d").is_some() && harness.query_by_label("%").is_some());
        // The alarm tile is abnormal: its priority in words beside the colour.
        assert!(harness.query_by_label(&format!("{} Critical", icon::CRITICAL)).is_some());
        assert!(harness.query_by_label_contains("stale").is_none(), "three-minute-old data is not stale");
    }

    #[test]
    fn a_changed_figure_moves_to_its_new_value_without_a_jump() {
        let mut harness = harness(model(TimeDelta::minutes(3)), 1400.0);
        harness.run();
        assert!(harness.query_by_label("900").is_some());
        let now = clock().now;
        let mut kpis = fleet(now, now - TimeDelta::minutes(3));
        kpis.total_oil.value = Some(1_900.0);
        harness.state_mut().model.apply(Event::KpisLoaded { kpis: Box::new(kpis), at: now });
        // The first frame after the change starts the move from the old figure; the next is a quarter second on.
        harness.step();
        harness.step();
        assert!(
            harness.query_by_label("900").is_none() && harness.query_by_label("1,900").is_none(),
            "a frame into the change the figure is on its way"
        );
        harness.run();
        assert!(harness.query_by_label("1,900").is_some(), "and lands exactly on the new value");
    }

    #[test]
    fn every_production_tile_drills_down_to_the_wells() {
        let mut harness = harness(model(TimeDelta::minutes(3)), 1400.0);
        harness.get_by_label("Wells by oil change ›").click();
        harness.run();
        for label in ["Wells by gas rate ›", "Wells by status ›", "Wells by oil rate ›", "Wells by hours on ›"]
        {
            harness.get_by_label(label).click();
            harness.run();
        }
        assert_eq!(
            harness.state().commands,
            vec![
                Command::DrillDownOilChange,
                Command::DrillDownWells(WellColumn::Gas, false),
                Command::DrillDownWells(WellColumn::Status, true),
                Command::DrillDownWells(WellColumn::Oil, false),
                Command::DrillDownWells(WellColumn::HoursOn, true),
            ]
        );
    }

    #[test]
    fn three_columns_when_wide_one_column_below_768_points() {
        let mut harness = harness(model(TimeDelta::minutes(3)), 1400.0);
        harness.run();
        let oil = harness.get_by_label("Total oil").rect();
        let gas = harness.get_by_label("Total gas").rect();
        assert!((oil.top() - gas.top()).abs() < 3.0 && gas.left() > oil.right(), "side by side: {oil:?} {gas:?}");
        harness.set_size(egui::vec2(700.0, 1600.0));
        harness.run();
        let oil = harness.get_by_label("Total oil").rect();
        let gas = harness.get_by_label("Total gas").rect();
        assert!(gas.top() > oil.bottom() && (oil.left() - gas.left()).abs() < 3.0, "stacked");
    }

    #[test]
    fn old_data_is_marked_stale_in_words() {
        let mut harness = harness(model(TimeDelta::hours(3)), 1400.0);
        harness.run();
        assert!(harness.query_all_by_label(&format!("{} stale", icon::STALE)).count() >= 2, "oil and gas at least");
        assert!(harness.query_all_by_label("as of 09:00, 3 h ago").count() >= 2);
    }
}
