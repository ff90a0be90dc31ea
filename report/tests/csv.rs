//! The CSV of the sample report parses as RFC 4180 and holds the input's values.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{WELL_COUNT, sample_report};
use flowline_report::{CSV_HEADER, render_csv};

fn parse(text: &str) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(text.as_bytes());
    let header = reader.headers().expect("header").clone();
    let rows = reader.records().collect::<Result<Vec<_>, _>>().expect("every record parses, same width");
    (header, rows)
}

fn number(field: &str) -> Option<f64> {
    (!field.is_empty()).then(|| field.parse().expect("a number"))
}

#[test]
fn csv_has_one_row_per_kpi_and_per_well_with_the_input_values() {
    let report = sample_report();
    let text = render_csv(&report);
    assert!(text.ends_with("\r\n") && !text.replace("\r\n", "").contains('\r'), "CRLF records");
    let (header, rows) = parse(&text);
    assert_eq!(header.iter().collect::<Vec<_>>(), CSV_HEADER.to_vec());
    let col = |name: &str| CSV_HEADER.iter().position(|h| *h == name).expect("column");

    let kpis: Vec<_> = rows.iter().filter(|r| &r[0] == "kpi").collect();
    let wells: Vec<_> = rows.iter().filter(|r| &r[0] == "well").collect();
    assert_eq!(kpis.len(), report.kpis.len());
    assert_eq!(wells.len(), WELL_COUNT);
    assert_eq!(rows.len(), kpis.len() + wells.len(), "no other sections");
    assert!(rows.iter().position(|r| &r[0] == "well") > rows.iter().rposition(|r| &r[0] == "kpi"), "KPIs first");

    for (row, kpi) in kpis.iter().zip(&report.kpis) {
        assert_eq!(&row[col("kpi")], kpi.label);
        assert_eq!(number(&row[col("value")]), kpi.value);
        assert_eq!(&row[col("unit")], kpi.unit);
        assert_eq!(number(&row[col("previous")]), kpi.previous);
        assert_eq!(number(&row[col("change_percent")]), kpi.change_percent);
        assert_eq!(&row[col("direction")], kpi.direction.as_str());
        assert_eq!(&row[col("as_of")], "2025-03-14T14:25:00Z");
        assert_eq!(&row[col("well")], "");
    }
    for (row, well) in wells.iter().zip(&report.wells) {
        assert_eq!(&row[col("well")], well.name);
        assert_eq!(&row[col("api_number")], well.api_number.as_deref().unwrap_or(""));
        assert_eq!(&row[col("status")], well.status);
        assert_eq!(number(&row[col("oil_bopd")]), well.oil_bopd);
        assert_eq!(number(&row[col("gas_mcfd")]), well.gas_mcfd);
        assert_eq!(number(&row[col("water_bwpd")]), well.water_bwpd);
        assert_eq!(number(&row[col("downtime_percent")]), well.downtime_percent);
        let reading = well.last_reading_at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        assert_eq!(&row[col("last_reading_at")], reading.as_deref().unwrap_or(""));
        assert!(row[col("last_reading_at")].is_empty() || row[col("last_reading_at")].ends_with('Z'));
        assert_eq!(&row[col("alarm_priority")], well.alarm.map_or("", |p| p.as_str()));
        assert_eq!(&row[col("kpi")], "");
    }
    assert!(text.contains("Bønnå 7") && text.contains("Ólafur-2"));
}

#[test]
fn csv_quotes_commas_and_defuses_formulas() {
    let mut report = sample_report();
    report.wells[0].name = "Smith, \"Big\" 1".to_owned();
    report.wells[1].name = "=cmd|' /C calc'!A0".to_owned();
    let (_, rows) = parse(&render_csv(&report));
    let wells: Vec<_> = rows.iter().filter(|r| &r[0] == "well").collect();
    assert_eq!(&wells[0][8], "Smith, \"Big\" 1");
    assert_eq!(&wells[1][8], "'=cmd|' /C calc'!A0");
}
