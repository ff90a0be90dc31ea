//! The CSV: one RFC 4180 table (CRLF line ends, one header, the same columns on every row) holding two sections,
//! told apart by the first column. The layout is documented in the crate doc.

use crate::format::{finite, rfc3339};
use crate::model::DashboardReport;

/// The header of the file.
pub const HEADER: [&str; 17] = [
    "section",
    "kpi",
    "value",
    "unit",
    "previous",
    "change_percent",
    "direction",
    "as_of",
    "well",
    "api_number",
    "status",
    "oil_bopd",
    "gas_mcfd",
    "water_bwpd",
    "downtime_percent",
    "last_reading_at",
    "alarm_priority",
];

pub fn render(report: &DashboardReport) -> String {
    let mut out = String::new();
    record(&mut out, HEADER.iter().map(|h| (*h).to_owned()));
    for kpi in &report.kpis {
        let as_of = kpi.as_of.unwrap_or(report.header.data_as_of);
        let mut row = vec![
            "kpi".to_owned(),
            text(&kpi.label),
            num(kpi.value),
            text(&kpi.unit),
            num(kpi.previous),
            num(kpi.change_percent),
            kpi.direction.as_str().to_owned(),
            rfc3339(as_of),
        ];
        row.resize(HEADER.len(), String::new());
        record(&mut out, row);
    }
    for well in &report.wells {
        let mut row = vec![String::new(); 8];
        row[0] = "well".to_owned();
        row.extend([
            text(&well.name),
            well.api_number.as_deref().map(text).unwrap_or_default(),
            text(&well.status),
            num(well.oil_bopd),
            num(well.gas_mcfd),
            num(well.water_bwpd),
            num(well.downtime_percent),
            well.last_reading_at.map(rfc3339).unwrap_or_default(),
            well.alarm.map(|p| p.as_str().to_owned()).unwrap_or_default(),
        ]);
        record(&mut out, row);
    }
    out
}

/// A number as Rust prints it (shortest text that reads back to the same f64; no separators); empty if missing
/// or not finite.
fn num(value: Option<f64>) -> String {
    finite(value).map(|v| v.to_string()).unwrap_or_default()
}

/// Free text, defused for spreadsheets: a value starting with `=`, `+`, `-`, `@`, tab or carriage return would be
/// run as a formula by Excel or LibreOffice, so it gets a leading apostrophe (OWASP "CSV injection").
fn text(value: &str) -> String {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_owned(),
    }
}

/// Appends one record: fields quoted when they hold a comma, quote, CR or LF (quotes doubled), CRLF at the end.
fn record(out: &mut String, fields: impl IntoIterator<Item = String>) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if field.contains([',', '"', '\r', '\n']) {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&field);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        let mut out = String::new();
        record(&mut out, ["a".to_owned(), "b,c".to_owned(), "say \"hi\"".to_owned(), "x\ny".to_owned()]);
        assert_eq!(out, "a,\"b,c\",\"say \"\"hi\"\"\",\"x\ny\"\r\n");
    }

    #[test]
    fn formulas_are_defused() {
        assert_eq!(text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(text("-2"), "'-2");
        assert_eq!(text("Bønnå 7"), "Bønnå 7");
        assert_eq!(num(Some(-2.5)), "-2.5");
        assert_eq!(num(Some(f64::NAN)), "");
    }
}
