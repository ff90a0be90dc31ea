//! The well table: name, API number, status, last reading with its age, the oil / gas / water rates of that reading
//! per calendar day with units, and the hours on production of its day; a click on a header sorts by that column.
//! The rates are shown as the entry carries them; hovering one gives its rate per producing day, never instead.
//!
//! Owns: how one well is written in a row and marked (out-of-production wells in grey words, stale readings in the
//! stale colour with the word "stale"). Must not touch: the model (read only) or I/O.

use super::Clock;
use super::column_fit::{self, ColumnWidth};
use crate::format::{self, GAS_RATE_UNIT, HOURS_UNIT, MISSING, OIL_RATE_UNIT, WATER_RATE_UNIT};
use crate::model::WellSort;
use crate::protocol::{Command, WellColumn};
use crate::rates::producing_day_rate;
use crate::theme::{self, tokens::Palette, tokens::icon, tokens::size};
use egui::{Align, Color32, Layout, RichText};
use egui_extras::{Column, TableBuilder};
use flowline_shared::WellStatus;
use flowline_shared::dto::WellView;

struct ColumnSpec {
    column: WellColumn,
    title: &'static str,
    hint: &'static str,
    numeric: bool,
    width: ColumnWidth,
}

const COLUMNS: [ColumnSpec; 8] = [
    ColumnSpec {
        column: WellColumn::Name,
        title: "Well",
        hint: "Well name",
        numeric: false,
        width: ColumnWidth { preferred: size::NAME_COLUMN, floor: size::NAME_COLUMN_MIN },
    },
    ColumnSpec {
        column: WellColumn::ApiNumber,
        title: "API number",
        hint: "API-14 well number; — for wells outside the API system",
        numeric: false,
        width: ColumnWidth { preferred: size::API_COLUMN, floor: size::API_COLUMN_MIN },
    },
    ColumnSpec {
        column: WellColumn::Status,
        title: "Status",
        hint: "Well status",
        numeric: false,
        width: ColumnWidth { preferred: size::STATUS_COLUMN, floor: size::STATUS_COLUMN_MIN },
    },
    ColumnSpec {
        column: WellColumn::LastReading,
        title: "Last reading",
        hint: "Time of the latest reading and its age; older than 2 h is stale",
        numeric: false,
        width: ColumnWidth { preferred: size::READING_COLUMN, floor: size::READING_COLUMN_MIN },
    },
    ColumnSpec {
        column: WellColumn::Oil,
        title: "Oil rate",
        hint: "Oil of the latest reading, barrels per calendar day (BOPD); hover for the rate per producing day",
        numeric: true,
        width: ColumnWidth { preferred: size::RATE_COLUMN, floor: size::RATE_COLUMN_MIN },
    },
    ColumnSpec {
        column: WellColumn::Gas,
        title: "Gas rate",
        hint: "Gas of the latest reading, Mcf per calendar day (MCFD); hover for the rate per producing day",
        numeric: true,
        width: ColumnWidth { preferred: size::RATE_COLUMN, floor: size::RATE_COLUMN_MIN },
    },
    ColumnSpec {
        column: WellColumn::Water,
        title: "Water rate",
        hint: "Water of the latest reading, barrels per calendar day (BWPD); hover for the rate per producing day",
        numeric: true,
        width: ColumnWidth { preferred: size::RATE_COLUMN, floor: size::RATE_COLUMN_MIN },
    },
    ColumnSpec {
        column: WellColumn::HoursOn,
        title: "Hours on",
        hint: "Hours on production in the day of the latest reading (0 to 25)",
        numeric: true,
        width: ColumnWidth { preferred: size::HOURS_COLUMN, floor: size::HOURS_COLUMN_MIN },
    },
];

/// What one cell says: its text, its colour and, for a rate, the rate per producing day on hover.
struct Cell {
    text: String,
    color: Color32,
    tooltip: Option<String>,
}

impl Cell {
    fn new(text: String, color: Color32) -> Self {
        Self { text, color, tooltip: None }
    }
}

pub fn show(ui: &mut egui::Ui, wells: &[WellView], sort: WellSort, clock: &Clock, commands: &mut Vec<Command>) {
    let p = theme::palette(ui);
    if wells.is_empty() {
        ui.label(RichText::new("No wells for this tenant yet.").color(p.text_weak));
        return;
    }
    let widths = fitted_widths(ui);
    let mut table = TableBuilder::new(ui)
        .id_salt("wells")
        .striped(true)
        .resizable(true)
        // Fill the panel, so that the scroll bar sits at its edge and not over the last value column.
        .auto_shrink([false, false])
        .cell_layout(Layout::left_to_right(Align::Center));
    if widths.changed {
        // The window's width changed: fit the columns again (this forgets widths the user dragged).
        table.reset();
    }
    for (spec, width) in COLUMNS.iter().zip(widths.widths) {
        table = table.column(Column::initial(width).at_least(spec.width.floor * 0.5).clip(true));
    }
    // An empty last column takes the spare width, so that the value columns stay next to each other.
    table = table.column(Column::remainder());
    table
        .header(size::HEADER_HEIGHT, |mut header| {
            for spec in &COLUMNS {
                header.col(|ui| header_cell(ui, spec, sort, commands));
            }
        })
        .body(|body| {
            body.rows(size::ROW_HEIGHT, wells.len(), |mut row| {
                let Some(well) = wells.get(row.index()) else { return };
                let cells = row_cells(well, clock, p);
                for (spec, content) in COLUMNS.iter().zip(cells) {
                    row.col(|ui| cell(ui, spec, content));
                }
            });
        });
}

/// The column widths for the width the table has now, and whether that width differs from the last frame's.
struct FittedWidths {
    widths: Vec<f32>,
    changed: bool,
}

fn fitted_widths(ui: &egui::Ui) -> FittedWidths {
    let available = ui.available_width();
    let spacing = ui.spacing();
    // Spacing after each column (the last one before the empty remainder column) and room for the scroll bar.
    let scroll_bar = spacing.scroll.bar_width + spacing.scroll.bar_inner_margin + spacing.scroll.bar_outer_margin;
    let budget = available - spacing.item_spacing.x * COLUMNS.len() as f32 - scroll_bar;
    let specs: Vec<ColumnWidth> = COLUMNS.iter().map(|spec| spec.width).collect();
    let memory_id = ui.scope_id().with("wells_fitted_for");
    let last = ui.data(|d| d.get_temp::<f32>(memory_id));
    ui.data_mut(|d| d.insert_temp(memory_id, available));
    // Half a point of slack, so that rounding does not undo the user's column widths.
    let changed = last.is_some_and(|last| (last - available).abs() > 0.5);
    FittedWidths { widths: column_fit::fit(&specs, budget), changed }
}

fn header_cell(ui: &mut egui::Ui, spec: &ColumnSpec, sort: WellSort, commands: &mut Vec<Command>) {
    let arrow = match (sort.column == spec.column, sort.ascending) {
        (true, true) => format!(" {}", icon::SORT_ASCENDING),
        (true, false) => format!(" {}", icon::SORT_DESCENDING),
        (false, _) => String::new(),
    };
    let text = RichText::new(format!("{}{arrow}", spec.title)).strong();
    let layout = if spec.numeric { Layout::right_to_left(Align::Center) } else { Layout::left_to_right(Align::Center) };
    ui.with_layout(layout, |ui| {
        let response =
            ui.add(egui::Button::new(text).frame(false)).on_hover_text(format!("{}. Click to sort.", spec.hint));
        if response.clicked() {
            commands.push(Command::SortWells(spec.column));
        }
    });
}

fn cell(ui: &mut egui::Ui, spec: &ColumnSpec, content: Cell) {
    let label = egui::Label::new(RichText::new(content.text).color(content.color)).truncate();
    let response = if spec.numeric {
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| ui.add(label)).inner
    } else {
        ui.add(label)
    };
    if let Some(tooltip) = content.tooltip {
        response.on_hover_text(tooltip);
    }
}

/// The cells of one well's row, in [`COLUMNS`] order.
fn row_cells(well: &WellView, clock: &Clock, p: &Palette) -> [Cell; 8] {
    let name = Cell::new(well.well.name.clone(), p.text_strong);
    let api = Cell::new(well.well.api_number.as_ref().map_or_else(|| MISSING.to_owned(), ToString::to_string), p.text);
    let (status_text, status_color) = status_cell(well.well.status, p);
    let status = Cell::new(status_text, status_color);
    let Some(reading) = &well.last_reading else {
        let none = || Cell::new(MISSING.to_owned(), p.stale);
        let time = Cell::new(format!("{} no reading", icon::STALE), p.stale);
        return [name, api, status, time, none(), none(), none(), none()];
    };
    let stale = format::is_stale(reading.recorded_at, clock.now);
    let value_color = if stale { p.stale } else { p.text };
    let time = clock.zone.reading_time(reading.recorded_at, clock.now);
    let time = if stale { format!("{} {time} stale", icon::STALE) } else { time };
    // The entry's rates are per calendar day already (on a downtime day they carry the on-fraction): shown as is.
    let rate = |value: f64, unit: &str| Cell {
        text: format::with_unit(value, 1, unit),
        color: value_color,
        tooltip: Some(producing_day_tooltip(value, reading.hours_on, unit)),
    };
    [
        name,
        api,
        status,
        Cell::new(time, value_color),
        rate(reading.oil_bbl, OIL_RATE_UNIT),
        rate(reading.gas_mcf, GAS_RATE_UNIT),
        rate(reading.water_bbl, WATER_RATE_UNIT),
        Cell::new(format::with_unit(reading.hours_on, 1, HOURS_UNIT), value_color),
    ]
}

/// "per producing day: 160.0 BOPD (18.0 h on)" for a rate per calendar day of `rate` over `hours_on` hours on.
fn producing_day_tooltip(rate: f64, hours_on: f64, unit: &str) -> String {
    let hours = format::with_unit(hours_on, 1, HOURS_UNIT);
    match producing_day_rate(rate, hours_on) {
        Some(per_producing_day) => {
            format!("per producing day: {} ({hours} on)", format::with_unit(per_producing_day, 1, unit))
        }
        None => format!("per producing day: {MISSING} ({hours} on, too little to scale to a day)"),
    }
}

/// Producing is normal text; out of production is grey with its word (normal states are not coloured).
fn status_cell(status: WellStatus, p: &Palette) -> (String, Color32) {
    match status {
        WellStatus::Active => (format!("{} Active", icon::PRODUCING), p.text),
        WellStatus::ShutIn => (format!("{} Shut in", icon::OUT_OF_PRODUCTION), p.text_weak),
        WellStatus::Inactive => (format!("{} Inactive", icon::OUT_OF_PRODUCTION), p.text_weak),
        WellStatus::Plugged => (format!("{} Plugged", icon::OUT_OF_PRODUCTION), p.text_weak),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::format::{DisplayZone, utc};
    use crate::model::fixtures::{well, with_hours_on};
    use chrono::FixedOffset;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    struct State {
        wells: Vec<WellView>,
        sort: WellSort,
        commands: Vec<Command>,
    }

    fn clock() -> Clock {
        Clock {
            now: utc(2025, 3, 14, 18, 5, 0).unwrap(),
            zone: DisplayZone::Fixed(FixedOffset::west_opt(6 * 3600).unwrap()),
        }
    }

    fn harness(wells: Vec<WellView>) -> Harness<'static, State> {
        Harness::builder().with_size([1400.0, 500.0]).build_ui_state(
            |ui, state: &mut State| show(ui, &state.wells, state.sort, &clock(), &mut state.commands),
            State { wells, sort: WellSort::default(), commands: Vec::new() },
        )
    }

    #[test]
    fn a_well_row_shows_name_api_age_and_units() {
        let fresh = utc(2025, 3, 14, 18, 3, 0).unwrap();
        let mut harness =
            harness(vec![well("Midland 12-1H", Some("4231712345"), WellStatus::Active, Some((fresh, 412.26)))]);
        harness.run();
        assert!(harness.query_by_label("Midland 12-1H").is_some());
        assert!(harness.query_by_label("42-317-12345-00-00").is_some());
        assert!(harness.query_by_label("12:03 (2 min ago)").is_some());
        assert!(harness.query_by_label("412.3 BOPD").is_some());
        assert!(harness.query_by_label("618.4 MCFD").is_some());
        assert!(harness.query_by_label("824.5 BWPD").is_some());
        assert!(harness.query_by_label("24.0 h").is_some());
    }

    #[test]
    fn rates_are_per_calendar_day_as_carried_and_hover_gives_the_producing_day_rate() {
        let fresh = utc(2025, 3, 14, 18, 3, 0).unwrap();
        // A downtime day: 18 h on, and the entry's 120 BOPD already carries the on-fraction.
        let short_day = with_hours_on(well("Driver 32-33 4H", None, WellStatus::Active, Some((fresh, 120.0))), 18.0);
        let mut harness = harness(vec![short_day]);
        harness.run();
        assert!(harness.query_by_label("120.0 BOPD").is_some(), "the rate per calendar day, not scaled");
        assert!(harness.query_by_label("180.0 MCFD").is_some());
        assert!(harness.query_by_label("240.0 BWPD").is_some());
        assert!(harness.query_by_label("18.0 h").is_some());
        assert!(harness.query_by_label_contains("160.0 BOPD").is_none(), "the producing-day rate is not in the row");
        harness.get_by_label("120.0 BOPD").hover();
        harness.run();
        assert!(harness.query_by_label("per producing day: 160.0 BOPD (18.0 h on)").is_some());
    }

    #[test]
    fn a_day_off_production_shows_zero_rates_and_zero_hours() {
        let fresh = utc(2025, 3, 14, 18, 3, 0).unwrap();
        let mut harness =
            harness(vec![with_hours_on(well("Down 1", None, WellStatus::Active, Some((fresh, 0.0))), 0.0)]);
        harness.run();
        assert!(harness.query_by_label("0.0 BOPD").is_some());
        assert!(harness.query_by_label("0.0 h").is_some());
        assert_eq!(harness.query_all_by_label(MISSING).count(), 1, "only the API number is missing");
    }

    #[test]
    fn every_column_fits_a_narrow_window_and_refits_when_it_changes() {
        let fresh = utc(2025, 3, 14, 18, 3, 0).unwrap();
        let mut harness =
            harness(vec![well("Bergstrom 5001 7-13 1H", None, WellStatus::Active, Some((fresh, 1826.2)))]);
        harness.run();
        let right_edge = |harness: &Harness<'_, State>| harness.get_by_label("24.0 h").rect().max.x;
        assert!(right_edge(&harness) < 1400.0);
        for width in [1004.0, 780.0] {
            harness.set_size(egui::vec2(width, 500.0));
            harness.run();
            assert!(right_edge(&harness) <= width, "hours on at {} in a {width} wide table", right_edge(&harness));
        }
        assert!(harness.query_by_label("3,652.4 BWPD").is_some());
    }

    #[test]
    fn producing_day_tooltips() {
        assert_eq!(producing_day_tooltip(120.0, 18.0, OIL_RATE_UNIT), "per producing day: 160.0 BOPD (18.0 h on)");
        assert_eq!(producing_day_tooltip(1_500.0, 24.0, GAS_RATE_UNIT), "per producing day: 1,500.0 MCFD (24.0 h on)");
        assert_eq!(
            producing_day_tooltip(0.0, 0.0, WATER_RATE_UNIT),
            format!("per producing day: {MISSING} (0.0 h on, too little to scale to a day)")
        );
    }

    #[test]
    fn stale_missing_and_out_of_production_are_words_not_only_colours() {
        let old = utc(2025, 3, 14, 9, 0, 0).unwrap();
        let mut harness = harness(vec![
            well("Old Timer 1", None, WellStatus::ShutIn, Some((old, 10.0))),
            well("Never Read 2", None, WellStatus::Plugged, None),
        ]);
        harness.run();
        assert!(harness.query_by_label(&format!("{} 03:00 (9 h ago) stale", icon::STALE)).is_some());
        assert!(harness.query_by_label(&format!("{} Shut in", icon::OUT_OF_PRODUCTION)).is_some());
        assert!(harness.query_by_label(&format!("{} Plugged", icon::OUT_OF_PRODUCTION)).is_some());
        assert!(harness.query_by_label(&format!("{} no reading", icon::STALE)).is_some());
        assert_eq!(
            harness.query_all_by_label(MISSING).count(),
            2 + 4,
            "two API numbers, three rates and hours missing"
        );
    }

    #[test]
    fn clicking_a_header_asks_to_sort() {
        let mut harness = harness(vec![well("A", None, WellStatus::Active, None)]);
        harness.get_by_label("Oil rate").click();
        harness.run();
        assert_eq!(harness.state().commands, vec![Command::SortWells(WellColumn::Oil)]);
        assert!(harness.query_by_label(&format!("Well {}", icon::SORT_ASCENDING)).is_some());
    }
}
