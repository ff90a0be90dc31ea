//! The alarm drawer, sliding in from the right: filters (priority, state, well, raise date from / to), an optional
//! comment, "Acknowledge all shown", and the open alarms (priority, well, rule, state, time, occurrences) each with
//! "Acknowledge" and "Shelve…" (duration and reason). Returned-to-normal-unacknowledged alarms stay listed until
//! acknowledged. Escape or the close button closes it. The alarm cards are also drawn, without buttons, by the
//! alarm list screen.
//!
//! Owns: the drawer's layout, and turning the typed days into instants of the display zone; it edits only its own
//! [`AlarmDrawer`] fields and pushes `Command`s for the rest. Must not touch: I/O, the alarms themselves.

use super::Clock;
use super::alarm_badge::{color, priority_mark};
use crate::format::{DisplayZone, format_age};
use crate::model::alarms::{AlarmBoard, OpenAlarm};
use crate::model::drawer::{AlarmDrawer, SHELVE_HOURS};
use crate::protocol::Command;
use crate::theme::{self, tokens::Palette, tokens::icon, tokens::size};
use chrono::{DateTime, Local, NaiveDate, TimeZone, Utc};
use egui::{Frame, Key, Margin, RichText, TextEdit};
use flowline_shared::WellId;
use flowline_shared::alarms::{AlarmPriority, AlarmState};

pub fn show(
    ui: &mut egui::Ui,
    drawer: &mut AlarmDrawer,
    alarms: &AlarmBoard,
    clock: &Clock,
    commands: &mut Vec<Command>,
) {
    // Escape closes what is innermost: an open menu (egui does that), else the shelving form, else the drawer.
    if drawer.open && !egui::Popup::is_any_open(ui.ctx()) && ui.input(|i| i.key_pressed(Key::Escape)) {
        if drawer.shelving.is_some() {
            drawer.shelving = None;
        } else {
            drawer.open = false;
        }
    }
    let p = theme::palette(ui);
    let mut open = drawer.open;
    let closed = egui::Panel::right("alarm_drawer")
        .resizable(false)
        .exact_size(size::DRAWER_WIDTH)
        .frame(Frame::side_top_panel(ui.style()).fill(p.window_bg).inner_margin(Margin::same(size::PANEL_MARGIN)))
        .show_collapsible(ui, &mut open, |ui| contents(ui, drawer, alarms, clock, commands))
        .is_some_and(|r| r.inner);
    drawer.open = open && !closed;
}

/// The drawer's inside; true when its close button was clicked.
fn contents(
    ui: &mut egui::Ui,
    drawer: &mut AlarmDrawer,
    alarms: &AlarmBoard,
    clock: &Clock,
    commands: &mut Vec<Command>,
) -> bool {
    let p = theme::palette(ui);
    let mut close = false;
    let dates_ok = apply_dates(drawer, clock.zone);
    let listed = alarms.listed(&drawer.filter, clock.now);
    ui.horizontal(|ui| {
        let title = format!("{} Alarms · {} open", icon::ALARM_BELL, alarms.open.len());
        ui.label(RichText::new(title).heading().color(p.text_strong));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            close = ui.button(format!("{} Close", icon::CLOSE)).on_hover_text("Close the drawer (Escape)").clicked();
        });
    });
    filters(ui, drawer, alarms);
    if let Err(problem) = drawer.date_range() {
        ui.label(RichText::new(format!("{} {problem}", icon::WARNING)).color(p.warning));
    }
    ui.horizontal(|ui| {
        let label = ui.label("Comment");
        ui.add(TextEdit::singleline(&mut drawer.comment).hint_text("optional").desired_width(size::DRAWER_FIELD_WIDTH))
            .labelled_by(label.id);
    });
    let waiting: Vec<_> = listed.iter().filter(|a| a.alarm.state.is_unacknowledged()).map(|a| &a.alarm).collect();
    let ack_all = ui
        .add_enabled(
            dates_ok && !waiting.is_empty(),
            egui::Button::new(format!("{} Acknowledge all shown ({})", icon::ACKNOWLEDGED, waiting.len())),
        )
        .on_hover_text("Acknowledge every unacknowledged alarm shown (the filters, within the shown raise times)");
    if ack_all.clicked()
        && let Some(filter) = drawer.filter.selection_for_shown(waiting.iter().copied())
    {
        commands.push(Command::AcknowledgeAll { filter, comment: drawer.comment() });
    }
    if let Some((notice, is_error)) = &drawer.notice {
        let (glyph, color) = if *is_error { (icon::ERROR, p.alarm) } else { (icon::INFO, p.text) };
        ui.label(RichText::new(format!("{glyph} {notice}")).color(color));
    }
    ui.separator();
    if listed.is_empty() {
        let text = if alarms.open.is_empty() { "No open alarms." } else { "No open alarm matches the filters." };
        ui.label(RichText::new(text).color(p.text_weak));
        return close;
    }
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        for alarm in listed {
            alarm_card(ui, alarm, Some(&mut *drawer), clock, p, commands);
        }
    });
    close
}

/// Sets the filter's instants from the typed days (start of From, start of the day after To, in the display
/// zone); false while a typed day is not valid (the last valid range stays, and acknowledge-all is disabled).
fn apply_dates(drawer: &mut AlarmDrawer, zone: DisplayZone) -> bool {
    let Ok((from, to)) = drawer.date_range() else { return false };
    drawer.filter.raised_from = from.and_then(|d| day_start(zone, d));
    drawer.filter.raised_to = to.and_then(|d| d.succ_opt()).and_then(|d| day_start(zone, d));
    true
}

/// Local midnight of `day` in `zone`, as UTC (the earlier one when a clock change repeats it).
pub fn day_start(zone: DisplayZone, day: NaiveDate) -> Option<DateTime<Utc>> {
    let midnight = day.and_hms_opt(0, 0, 0)?;
    match zone {
        DisplayZone::Local => Local.from_local_datetime(&midnight).earliest().map(|t| t.with_timezone(&Utc)),
        DisplayZone::Fixed(offset) => offset.from_local_datetime(&midnight).earliest().map(|t| t.with_timezone(&Utc)),
    }
}

/// The wells that have open alarms, by name, for the well filter.
fn wells_with_alarms(alarms: &AlarmBoard) -> Vec<(WellId, String)> {
    let mut wells: Vec<(WellId, String)> = alarms
        .open
        .values()
        .map(|a| (a.alarm.well_id, a.well_name.clone().unwrap_or_else(|| "(unknown well)".to_owned())))
        .collect();
    wells.sort_by(|a, b| a.1.to_lowercase().cmp(&b.1.to_lowercase()).then(a.0.0.cmp(&b.0.0)));
    wells.dedup_by_key(|w| w.0);
    wells
}

fn filters(ui: &mut egui::Ui, drawer: &mut AlarmDrawer, alarms: &AlarmBoard) {
    ui.horizontal(|ui| {
        let label = ui.label("Priority");
        let priority_text = drawer.filter.priority.map_or("All", AlarmPriority::label);
        egui::ComboBox::from_id_salt("alarm_priority_filter")
            .selected_text(priority_text)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut drawer.filter.priority, None, "All");
                for priority in AlarmPriority::ALL {
                    ui.selectable_value(&mut drawer.filter.priority, Some(priority), priority.label());
                }
            })
            .response
            .labelled_by(label.id);
        let label = ui.label("State");
        egui::ComboBox::from_id_salt("alarm_state_filter")
            .selected_text(drawer.filter.state.map_or("All", state_word))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut drawer.filter.state, None, "All");
                for state in [
                    AlarmState::ActiveUnacknowledged,
                    AlarmState::ActiveAcknowledged,
                    AlarmState::ReturnedUnacknowledged,
                ] {
                    ui.selectable_value(&mut drawer.filter.state, Some(state), state_word(state));
                }
            })
            .response
            .labelled_by(label.id);
    });
    ui.horizontal(|ui| {
        let label = ui.label("Well");
        let wells = wells_with_alarms(alarms);
        let selected = match drawer.filter.well {
            None => "All wells".to_owned(),
            Some(id) => wells.iter().find(|w| w.0 == id).map_or_else(|| "(no open alarm)".to_owned(), |w| w.1.clone()),
        };
        egui::ComboBox::from_id_salt("alarm_well_filter")
            .selected_text(selected)
            .width(size::DRAWER_FIELD_WIDTH)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut drawer.filter.well, None, "All wells");
                for (id, name) in wells {
                    ui.selectable_value(&mut drawer.filter.well, Some(id), name);
                }
            })
            .response
            .labelled_by(label.id);
    });
    ui.horizontal(|ui| {
        ui.label("Raised");
        for (word, text) in [("From", &mut drawer.from_text), ("To", &mut drawer.to_text)] {
            let label = ui.label(word);
            ui.add(TextEdit::singleline(text).hint_text("YYYY-MM-DD").desired_width(size::DATE_FIELD_WIDTH))
                .on_hover_text("A day (YYYY-MM-DD), inclusive; blank for no limit")
                .labelled_by(label.id);
        }
    });
}

/// The state in words.
pub fn state_word(state: AlarmState) -> &'static str {
    match state {
        AlarmState::ActiveUnacknowledged => "Active, unacknowledged",
        AlarmState::ActiveAcknowledged => "Active, acknowledged",
        AlarmState::ReturnedUnacknowledged => "Returned to normal, unacknowledged",
        AlarmState::Normal => "Normal",
    }
}

/// One alarm; with `drawer` its Acknowledge and Shelve buttons (and the shelving form), without it read only.
pub fn alarm_card(
    ui: &mut egui::Ui,
    open: &OpenAlarm,
    drawer: Option<&mut AlarmDrawer>,
    clock: &Clock,
    p: &Palette,
    commands: &mut Vec<Command>,
) {
    let alarm = &open.alarm;
    let annunciated = alarm.is_annunciated(open.out_of_service, clock.now);
    let (glyph, word) = priority_mark(alarm.priority);
    let priority_color = if annunciated { color(alarm.priority, p) } else { p.text_weak };
    let well = open.well_name.as_deref().unwrap_or("(unknown well)");
    let rule = alarm.rule.label();
    Frame::group(ui.style()).inner_margin(Margin::same(size::PANEL_MARGIN / 2)).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(format!("{glyph} {word}")).strong().color(priority_color));
            ui.label(RichText::new(format!("{well} · {rule}")).strong().color(p.text_strong));
        });
        let state_glyph = match alarm.state {
            AlarmState::ActiveAcknowledged => icon::ACKNOWLEDGED,
            AlarmState::ReturnedUnacknowledged => icon::RETURNED,
            _ => "",
        };
        let mut state = format!("{state_glyph} {}", state_word(alarm.state)).trim().to_owned();
        if let Some(shelf) = alarm.shelved.as_ref().filter(|_| alarm.is_shelved(clock.now)) {
            state.push_str(&format!(" · {} shelved until {}", icon::SHELVED, clock.zone.clock(shelf.until, clock.now)));
        }
        if open.out_of_service {
            state.push_str(" · out of service");
        }
        if crate::model::offline::is_pending(alarm) {
            state.push_str(&format!(" · {} pending, will be sent", icon::STARTING));
        }
        ui.label(RichText::new(state).color(p.text));
        let occurrences = match alarm.occurrences {
            1 => "1 occurrence".to_owned(),
            n => format!("{n} occurrences"),
        };
        let raised = format!(
            "raised {} ({}) · {occurrences}",
            clock.zone.clock(alarm.raised_at, clock.now),
            format_age(clock.now - alarm.raised_at)
        );
        ui.label(RichText::new(raised).small().color(p.text_weak));
        if !alarm.message.is_empty() {
            ui.add(egui::Label::new(RichText::new(&alarm.message).small().color(p.text)).wrap());
        }
        let Some(drawer) = drawer else { return };
        ui.horizontal(|ui| {
            if alarm.state.is_unacknowledged() {
                let ack = ui.button(format!("{} Acknowledge", icon::ACKNOWLEDGED));
                ack.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::Button, true, format!("Acknowledge {well} {rule}"))
                });
                if ack.clicked() {
                    commands.push(Command::Acknowledge { id: alarm.id, comment: drawer.comment() });
                }
            }
            if !alarm.is_shelved(clock.now) {
                let shelve = ui.button(format!("{} Shelve…", icon::SHELVED));
                shelve.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::Button, true, format!("Shelve {well} {rule}"))
                });
                if shelve.clicked() {
                    drawer.shelving = if drawer.shelving == Some(alarm.id) { None } else { Some(alarm.id) };
                }
            }
        });
        if drawer.shelving == Some(alarm.id) {
            shelve_form(ui, drawer, open, p, commands);
        }
    });
}

fn shelve_form(
    ui: &mut egui::Ui,
    drawer: &mut AlarmDrawer,
    open: &OpenAlarm,
    p: &Palette,
    commands: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        let label = ui.label("Shelve for");
        egui::ComboBox::from_id_salt(("shelve_for", open.alarm.id))
            .selected_text(hours_text(drawer.shelve_hours))
            .show_ui(ui, |ui| {
                for hours in SHELVE_HOURS {
                    ui.selectable_value(&mut drawer.shelve_hours, hours, hours_text(hours));
                }
            })
            .response
            .labelled_by(label.id);
    });
    ui.horizontal(|ui| {
        let label = ui.label("Reason");
        ui.add(
            TextEdit::singleline(&mut drawer.shelve_reason)
                .hint_text("required")
                .desired_width(size::DRAWER_FIELD_WIDTH),
        )
        .labelled_by(label.id);
    });
    let shelving = drawer.shelving();
    ui.horizontal(|ui| {
        if ui.add_enabled(shelving.is_ok(), egui::Button::new("Shelve")).clicked()
            && let Ok((duration, reason)) = shelving.clone()
        {
            commands.push(Command::Shelve { id: open.alarm.id, duration, reason });
        }
        if ui.button("Cancel").clicked() {
            drawer.shelving = None;
        }
        if let Err(missing) = &shelving {
            ui.label(RichText::new(missing).small().color(p.text_weak));
        }
    });
}

fn hours_text(hours: u32) -> String {
    match hours {
        1 => "1 hour".to_owned(),
        h if h % 24 == 0 && h >= 48 => format!("{} days", h / 24),
        h => format!("{h} hours"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::format::{DisplayZone, utc};
    use crate::model::alarms::AlarmFilter;
    use crate::model::alarms::fixtures::{alarm, view};
    use chrono::{FixedOffset, TimeDelta};
    use egui_kittest::Harness;
    use egui_kittest::kittest::{NodeT, Queryable};
    use std::time::Duration;

    struct State {
        drawer: AlarmDrawer,
        alarms: AlarmBoard,
        commands: Vec<Command>,
    }

    fn clock() -> Clock {
        Clock { now: utc(2025, 3, 14, 12, 10, 0).unwrap(), zone: DisplayZone::Fixed(FixedOffset::east_opt(0).unwrap()) }
    }

    fn harness() -> Harness<'static, State> {
        let raised = clock().now - TimeDelta::minutes(5);
        let mut alarms = AlarmBoard::default();
        let mut returned = alarm(2, AlarmPriority::Low, AlarmState::ReturnedUnacknowledged, raised);
        returned.occurrences = 3;
        alarms.load(
            vec![
                view(alarm(1, AlarmPriority::Critical, AlarmState::ActiveUnacknowledged, raised), "Down 1"),
                view(returned, "Flowing 2"),
            ],
            raised,
            raised,
        );
        Harness::builder().with_size([1000.0, 900.0]).build_ui_state(
            |ui, state: &mut State| {
                show(ui, &mut state.drawer, &state.alarms, &clock(), &mut state.commands);
                egui::CentralPanel::default().show(ui, |ui| ui.label("central"));
            },
            State { drawer: AlarmDrawer { open: true, ..Default::default() }, alarms, commands: Vec::new() },
        )
    }

    #[test]
    fn the_drawer_lists_priority_well_rule_state_time_and_occurrences() {
        let mut harness = harness();
        harness.run();
        assert!(harness.query_by_label(&format!("{} Alarms · 2 open", icon::ALARM_BELL)).is_some());
        assert!(harness.query_by_label(&format!("{} Critical", icon::CRITICAL)).is_some());
        assert!(harness.query_by_label("Down 1 · Well down").is_some());
        assert!(harness.query_by_label("Active, unacknowledged").is_some());
        assert!(harness.query_by_label("raised 12:05 (5 min ago) · 1 occurrence").is_some());
        // Returned to normal but not acknowledged: still listed, with its own icon and words.
        assert!(harness.query_by_label(&format!("{} Returned to normal, unacknowledged", icon::RETURNED)).is_some());
        assert!(harness.query_by_label("raised 12:05 (5 min ago) · 3 occurrences").is_some());
    }

    #[test]
    fn acknowledge_with_a_comment_and_acknowledge_all_filtered() {
        let mut harness = harness();
        harness.run();
        harness.get_by_label("Comment").click();
        harness.run();
        harness.get_by_label("Comment").type_text("crew on the way");
        harness.run();
        harness.get_by_label("Acknowledge Down 1 Well down").click();
        harness.run();
        let id = harness.state().alarms.open.keys().next().copied().unwrap();
        assert_eq!(
            harness.state().commands,
            vec![Command::Acknowledge { id, comment: Some("crew on the way".into()) }]
        );

        harness.state_mut().commands.clear();
        harness.state_mut().drawer.filter = AlarmFilter { priority: Some(AlarmPriority::Low), ..Default::default() };
        harness.run();
        assert!(harness.query_by_label("Down 1 · Well down").is_none(), "filtered out");
        harness.get_by_label(&format!("{} Acknowledge all shown (1)", icon::ACKNOWLEDGED)).click();
        harness.run();
        let Command::AcknowledgeAll { filter, comment } = &harness.state().commands[0] else { panic!() };
        assert_eq!(filter.priority, Some(AlarmPriority::Low));
        assert_eq!(comment.as_deref(), Some("crew on the way"));
    }

    /// Three alarms: two on "Down 1" (raised on the 13th and the 14th), one on "Flowing 2" (the 14th).
    fn three_alarms() -> Harness<'static, State> {
        let now = clock().now;
        let mut yesterday = alarm(3, AlarmPriority::High, AlarmState::ActiveUnacknowledged, now - TimeDelta::days(1));
        let today = alarm(1, AlarmPriority::Critical, AlarmState::ActiveUnacknowledged, now - TimeDelta::minutes(5));
        yesterday.well_id = today.well_id;
        let other = alarm(2, AlarmPriority::Low, AlarmState::ActiveUnacknowledged, now - TimeDelta::minutes(7));
        let mut alarms = AlarmBoard::default();
        let views = vec![view(today, "Down 1"), view(yesterday, "Down 1"), view(other, "Flowing 2")];
        alarms.load(views, now, now);
        Harness::builder().with_size([1000.0, 1000.0]).build_ui_state(
            |ui, state: &mut State| {
                show(ui, &mut state.drawer, &state.alarms, &clock(), &mut state.commands);
                egui::CentralPanel::default().show(ui, |ui| ui.label("central"));
            },
            State { drawer: AlarmDrawer { open: true, ..Default::default() }, alarms, commands: Vec::new() },
        )
    }

    #[test]
    fn the_well_filter_narrows_the_list_and_acknowledge_all_sends_only_that_well() {
        let mut harness = three_alarms();
        harness.run();
        assert_eq!(harness.query_all_by_label_contains("· Well down").count(), 3);
        harness.get_by_label("Well").click();
        harness.run();
        harness.get_by_label("Flowing 2").click();
        harness.run();
        assert_eq!(harness.query_all_by_label("Down 1 · Well down").count(), 0, "the other well is filtered out");
        assert!(harness.query_by_label("Flowing 2 · Well down").is_some());
        harness.get_by_label(&format!("{} Acknowledge all shown (1)", icon::ACKNOWLEDGED)).click();
        harness.run();
        let Command::AcknowledgeAll { filter, .. } = &harness.state().commands[0] else { panic!() };
        let flowing = harness.state().alarms.open.values().find(|a| a.well_name.as_deref() == Some("Flowing 2"));
        let flowing = flowing.unwrap().alarm.clone();
        assert_eq!(filter.well_id, Some(flowing.well_id.0));
        // Never more than shown: the window is the shown alarm's raise time.
        assert_eq!(filter.from, Some(flowing.raised_at));
        assert_eq!(filter.to, Some(flowing.raised_at + TimeDelta::milliseconds(1)));
    }

    #[test]
    fn the_date_filter_narrows_the_list_and_acknowledge_all_sends_the_window() {
        let mut harness = three_alarms();
        harness.run();
        harness.get_by_label("From").click();
        harness.run();
        harness.get_by_label("From").type_text("2025-03-14");
        harness.run();
        // Yesterday's alarm on Down 1 is filtered out; today's two remain.
        assert_eq!(harness.query_all_by_label_contains("· Well down").count(), 2);
        harness.get_by_label("To").click();
        harness.run();
        harness.get_by_label("To").type_text("2025-03-13");
        harness.run();
        assert!(harness.query_by_label_contains("From is after To").is_some());
        assert!(
            harness
                .get_by_label(&format!("{} Acknowledge all shown (2)", icon::ACKNOWLEDGED))
                .accesskit_node()
                .is_disabled(),
            "no acknowledge-all while the range is wrong"
        );
        harness.state_mut().drawer.to_text = "2025-03-14".into();
        harness.run();
        harness.get_by_label(&format!("{} Acknowledge all shown (2)", icon::ACKNOWLEDGED)).click();
        harness.run();
        let Command::AcknowledgeAll { filter, .. } = &harness.state().commands[0] else { panic!() };
        let now = clock().now;
        assert_eq!(filter.well_id, None);
        assert_eq!(filter.from, Some(now - TimeDelta::minutes(7)), "the oldest shown, after the 14th's midnight");
        assert_eq!(filter.to, Some(now - TimeDelta::minutes(5) + TimeDelta::milliseconds(1)));
    }

    #[test]
    fn a_card_without_the_drawer_has_no_buttons() {
        let now = clock().now;
        let open = OpenAlarm {
            alarm: alarm(1, AlarmPriority::Critical, AlarmState::ActiveUnacknowledged, now),
            well_name: Some("Down 1".into()),
            out_of_service: false,
        };
        let mut harness = Harness::new_ui_state(
            |ui, commands: &mut Vec<Command>| alarm_card(ui, &open, None, &clock(), theme::palette(ui), commands),
            Vec::new(),
        );
        harness.run();
        assert!(harness.query_by_label("Down 1 · Well down").is_some());
        assert!(harness.query_by_label_contains("Acknowledge").is_none());
        assert!(harness.query_by_label_contains("Shelve").is_none());
    }

    #[test]
    fn day_start_is_local_midnight_in_the_display_zone() {
        let zone = DisplayZone::Fixed(FixedOffset::west_opt(6 * 3600).unwrap());
        let day = NaiveDate::from_ymd_opt(2025, 3, 14).unwrap();
        assert_eq!(day_start(zone, day), Some(utc(2025, 3, 14, 6, 0, 0).unwrap()));
    }

    #[test]
    fn shelving_needs_a_reason_then_sends_the_duration() {
        let mut harness = harness();
        harness.get_by_label("Shelve Down 1 Well down").click();
        harness.run();
        assert!(harness.query_by_label("Enter why the alarm is shelved").is_some());
        harness.get_by_label("Reason").click();
        harness.run();
        harness.get_by_label("Reason").type_text("pump change");
        harness.run();
        harness.get_by_label("Shelve").click();
        harness.run();
        let id = harness.state().alarms.open.keys().next().copied().unwrap();
        assert_eq!(
            harness.state().commands,
            vec![Command::Shelve { id, duration: Duration::from_secs(4 * 3600), reason: "pump change".into() }]
        );
    }

    #[test]
    fn escape_closes_the_shelving_form_before_the_drawer_and_not_while_a_menu_is_open() {
        let mut harness = harness();
        harness.get_by_label("Shelve Down 1 Well down").click();
        harness.run();
        assert!(harness.state().drawer.shelving.is_some());
        harness.key_press(egui::Key::Escape);
        harness.run();
        assert!(harness.state().drawer.shelving.is_none(), "the form closed");
        assert!(harness.state().drawer.open, "the drawer stayed");
        harness.get_by_label("Priority").click();
        harness.run();
        assert!(harness.query_by_label("Warning").is_some(), "the menu is open");
        harness.key_press(egui::Key::Escape);
        harness.run();
        assert!(harness.state().drawer.open, "Escape closed the menu only");
        harness.key_press(egui::Key::Escape);
        harness.run();
        assert!(!harness.state().drawer.open);
    }

    #[test]
    fn escape_and_the_close_button_close_the_drawer() {
        let mut harness = harness();
        harness.run();
        harness.key_press(egui::Key::Escape);
        harness.run();
        assert!(!harness.state().drawer.open);
        assert!(harness.query_by_label("Down 1 · Well down").is_none(), "slid out");
        harness.state_mut().drawer.open = true;
        harness.run();
        harness.get_by_label(&format!("{} Close", icon::CLOSE)).click();
        harness.run();
        assert!(!harness.state().drawer.open);
    }
}
