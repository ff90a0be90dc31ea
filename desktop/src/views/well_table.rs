//! The well table: name, API number, status, last reading with its age, oil / gas / water rates with units and
//! hours on; a click on a header sorts by that column.
//!
//! Owns: how one well is written in a row and marked (out-of-production wells in grey words, stale readings in the
//! stale colour with the word "stale"). Must not touch: the model (read only) or I/O.

use super::Clock;
use crate::format::{self, GAS_RATE_UNIT, MISSING, OIL_RATE_UNIT, WATER_RATE_UNIT};
use crate::model::WellSort;
use crate::protocol::{Command, WellColumn};
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
    min_width: f32,
}

const COLUMNS: [ColumnSpec; 8] = [
    ColumnSpec { column: WellColumn::Name, title: "Well", hint: "Well name", numeric: false, min_width: 150.0 },
    ColumnSpec {
        column: WellColumn::ApiNumber,
        title: "API number",
        hint: "API-14 well number; — for wells outside the API system",
        numeric: false,
        min_width: 160.0,
    },
    ColumnSpec { column: WellColumn::Status, title: "Status", hint: "Well status", numeric: false, min_width: 100.0 },
    ColumnSpec {
        column: WellColumn::LastReading,
        title: "Last reading",
        hint: "Time of the latest reading and its age; older than 2 h is stale",
        numeric: false,
        min_width: 200.0,
    },
    ColumnSpec {
        column: WellColumn::Oil,
        title: "Oil rate",
        hint: "Oil, barrels per calendar day of the latest reading (BOPD)",
        numeric: true,
        min_width: 110.0,
    },
    ColumnSpec {
        column: WellColumn::Gas,
        title: "Gas rate",
        hint: "Gas, thousand cubic feet per calendar day of the latest reading (MCFD)",
        numeric: true,
        min_width: 110.0,
    },
    ColumnSpec {
        column: WellColumn::Water,
        title: "Water rate",
        hint: "Water, barrels per calendar day of the latest reading (BWPD)",
        numeric: true,
        min_width: 110.0,
    },
    ColumnSpec {
        column: WellColumn::HoursOn,
        title: "Hours on",
        hint: "Hours on production in the day of the latest reading",
        numeric: true,
        min_width: 80.0,
    },
];

pub fn show(ui: &mut egui::Ui, wells: &[WellView], sort: WellSort, clock: &Clock, commands: &mut Vec<Command>) {
    let p = theme::palette(ui);
    if wells.is_empty() {
        ui.label(RichText::new("No wells for this tenant yet.").color(p.text_weak));
        return;
    }
    let mut table = TableBuilder::new(ui)
        .id_salt("wells")
        .striped(true)
        .resizable(true)
        .cell_layout(Layout::left_to_right(Align::Center));
    for (i, spec) in COLUMNS.iter().enumerate() {
        let column = if i + 1 == COLUMNS.len() { Column::remainder() } else { Column::auto() };
        table = table.column(column.at_least(spec.min_width).clip(true));
    }
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
                for (spec, (text, color)) in COLUMNS.iter().zip(cells) {
                    row.col(|ui| cell(ui, spec, text, color));
                }
            });
        });
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
        let response = ui
            .add(egui::Button::new(text).frame(false))
            .on_hover_text(format!("{}. Click to sort.", spec.hint));
        if response.clicked() {
            commands.push(Command::SortWells(spec.column));
        }
    });
}

fn cell(ui: &mut egui::Ui, spec: &ColumnSpec, text: String, color: Color32) {
    let label = egui::Label::new(RichText::new(text).color(color)).truncate();
    if spec.numeric {
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| ui.add(label));
    } else {
        ui.add(label);
    }
}

/// The text and colour of each cell of one well's row, in [`COLUMNS`] order.
fn row_cells(well: &WellView, clock: &Clock, p: &Palette) -> [(String, Color32); 8] {
    let name = (well.well.name.clone(), p.text_strong);
    let api = (well.well.api_number.as_ref().map_or_else(|| MISSING.to_owned(), ToString::to_string), p.text);
    let status = status_cell(well.well.status, p);
    let Some(reading) = &well.last_reading else {
        let none = (MISSING.to_owned(), p.stale);
        return [name, api, status, (format!("{} no reading", icon::STALE), p.stale), none.clone(), none.clone(), none.clone(), none];
    };
    let stale = format::is_stale(reading.recorded_at, clock.now);
    let value_color = if stale { p.stale } else { p.text };
    let time = clock.zone.reading_time(reading.recorded_at, clock.now);
    let time = if stale { format!("{} {time} stale", icon::STALE) } else { time };
    [
        name,
        api,
        status,
        (time, value_color),
        (format::with_unit(reading.oil_bbl, 1, OIL_RATE_UNIT), value_color),
        (format::with_unit(reading.gas_mcf, 1, GAS_RATE_UNIT), value_color),
        (format::with_unit(reading.water_bbl, 1, WATER_RATE_UNIT), value_color),
        (format::with_unit(reading.hours_on, 1, "h"), value_color),
    ]
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
mod tests {
    use super::*;
    use crate::format::{DisplayZone, utc};
    use crate::model::fixtures::well;
    use chrono::FixedOffset;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    struct State {
        wells: Vec<WellView>,
        sort: WellSort,
        commands: Vec<Command>,
    }

    fn clock() -> Clock {
        Clock { now: utc(2025, 3, 14, 18, 5, 0).unwrap(), zone: DisplayZone::Fixed(FixedOffset::west_opt(6 * 3600).unwrap()) }
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
        let mut harness = harness(vec![well("Midland 12-1H", Some("4231712345"), WellStatus::Active, Some((fresh, 412.26)))]);
        harness.run();
        assert!(harness.query_by_label("Midland 12-1H").is_some());
        assert!(harness.query_by_label("42-317-12345-00-00").is_some());
        assert!(harness.query_by_label("12:03 (2 min ago)").is_some());
        assert!(harness.query_by_label("412.3 BOPD").is_some());
        assert!(harness.query_by_label("618.4 MCFD").is_some());
        assert!(harness.query_by_label("824.5 BWPD").is_some());
        assert!(harness.query_by_label("24.0 h").is_some());
        assert!(harness.query_by_label_contains("BOPD").is_some());
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
        assert_eq!(harness.query_all_by_label(MISSING).count(), 2 + 4, "two API numbers and four values missing");
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
