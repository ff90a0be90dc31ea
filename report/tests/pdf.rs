//! The PDF of the sample report: structure, page count, text, size; non-ASCII names; logo errors; empty report.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{LAST_WELL, NON_ASCII_WELLS, empty_report, sample_report};
use flowline_report::{ReportError, render_pdf};

/// Page count of the sample: page 1 holds the filters, the six cards and the chart; page 2 the 12 alarms and the
/// first 10 well rows; pages 3 to 7 take 26 rows each below the repeated header (130), page 8 the last 10.
const SAMPLE_PAGES: usize = 8;

/// Text of every page, in order, via lopdf (which decodes the fonts' ToUnicode maps).
fn page_texts(pdf: &[u8]) -> Vec<String> {
    let doc = lopdf::Document::load_mem(pdf).expect("lopdf parses the PDF");
    doc.get_pages().keys().map(|n| doc.extract_text(&[*n]).expect("text of a page")).collect()
}

/// Whitespace collapsed, so a test does not depend on how the extractor splits text sections.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn sample_report_renders_with_every_kpi_and_the_last_well() {
    let pdf = render_pdf(&sample_report()).expect("renders");
    assert!(pdf.starts_with(b"%PDF-"));
    let texts = page_texts(&pdf);
    assert_eq!(texts.len(), SAMPLE_PAGES, "page count");
    let all = squash(&texts.join("\n"));
    let first = squash(&texts[0]);

    // Every KPI value as formatted (thousands separators, decimals from the magnitude), with its unit.
    for value in ["12,346", "45,679", "8,765", "19,958", "96.4", "1,234,567"] {
        assert!(first.contains(value), "KPI value {value} missing from page 1: {first}");
    }
    for unit in ["BOPD", "MCFD", "BWPD", "BOE/d", "USD/d"] {
        assert!(first.contains(unit), "unit {unit} missing from page 1");
    }
    assert!(first.contains("+3.3%"), "change percent of the oil rate");
    assert!(first.contains("vs 11,950 BOPD"), "previous value with its unit");
    assert!(first.contains("HIGH"), "the abnormal KPI's priority word");
    assert!(first.contains("Field oil rate, last 60 days and 14-day forecast"), "chart title");
    assert!(first.contains("95% interval"), "chart legend");

    // Header, footer, times in the tenant's zone and in UTC.
    assert!(first.contains("Flowline Demo Operating Co."));
    assert!(first.contains("page 1 of 8"), "{first}");
    assert!(first.contains("Generated 2025-03-14 09:30 CDT"), "{first}");
    assert!(first.contains("Data as of 2025-03-14 09:25 CDT"), "{first}");
    assert!(first.contains("2025-03-14 14:30 UTC"), "{first}");
    for (i, text) in texts.iter().enumerate() {
        assert!(squash(text).contains(&format!("page {} of {SAMPLE_PAGES}", i + 1)), "footer of page {}", i + 1);
        assert!(text.contains("Production dashboard"), "header of page {}", i + 1);
    }

    // The alarm list and the well table, whose header row repeats on its continuation pages.
    assert!(all.contains("Alarms (12)"));
    assert!(all.contains("Tubing pressure high"));
    assert!(all.contains("CRITICAL"));
    let last = squash(texts.last().expect("a last page"));
    assert!(last.contains(LAST_WELL), "last well on the last page: {last}");
    assert!(last.contains("Wells (150), continued") && last.contains("Oil BOPD"), "repeated header: {last}");
    assert!(!squash(&texts[texts.len() - 2]).contains(LAST_WELL));
    assert!(all.contains("Permian North 001") && all.contains("42-301-30000-00-00"));

    // Subset fonts keep the file small (the two full TTFs alone are 1.4 MB).
    eprintln!("sample PDF: {} bytes, {} pages", pdf.len(), texts.len());
    assert!(pdf.len() < 250_000, "sample PDF is {} bytes", pdf.len());
}

#[test]
fn non_ascii_well_names_survive() {
    let pdf = render_pdf(&sample_report()).expect("renders");
    let all = page_texts(&pdf).join("\n");
    for name in NON_ASCII_WELLS {
        assert!(all.contains(name), "{name} missing");
    }
    assert!(all.contains("j.ramírez"));
    assert!(all.contains('▲') && all.contains('▼'), "direction arrows");
}

#[test]
fn an_undecodable_logo_is_the_logo_error() {
    let mut report = sample_report();
    report.header.logo = Some(b"\x89PNG\r\n\x1a\nnot really a png".to_vec());
    assert!(matches!(render_pdf(&report), Err(ReportError::InvalidLogo(_))));
    report.header.logo = Some(Vec::new());
    let error = render_pdf(&report).expect_err("empty logo");
    assert!(matches!(error, ReportError::InvalidLogo(_)));
    assert!(error.to_string().contains("logo"), "{error}");
}

#[test]
fn an_empty_report_renders_with_no_data_marks() {
    let pdf = render_pdf(&empty_report()).expect("renders");
    assert!(pdf.starts_with(b"%PDF-"));
    let texts = page_texts(&pdf);
    assert_eq!(texts.len(), 1);
    let text = squash(&texts[0]);
    assert_eq!(text.matches("no data").count(), 6, "one mark per KPI card: {text}");
    assert!(text.contains("No alarms."));
    assert!(text.contains("No wells match the filters."));
    assert!(text.contains("Filters: none"));
    assert_eq!(text.matches("no comparison").count(), 6, "no arrow without a comparison: {text}");
    assert!(text.contains("page 1 of 1"));
}

#[test]
fn a_chart_without_values_says_no_data() {
    let mut report = empty_report();
    let mut chart = sample_report().charts.remove(0);
    for point in &mut chart.actual {
        point.value = None;
    }
    chart.forecast.clear();
    report.charts.push(chart);
    let text = squash(&page_texts(&render_pdf(&report).expect("renders")).join("\n"));
    assert_eq!(text.matches("no data").count(), 7, "{text}");
}

/// Writes the sample to /tmp for a look with pdftoppm (run with `-- --ignored`).
#[test]
#[ignore = "writes /tmp/flowline_report_*.pdf for manual inspection"]
fn write_samples_for_inspection() {
    let pdf = render_pdf(&sample_report()).expect("renders");
    std::fs::write("/tmp/flowline_report_sample.pdf", &pdf).expect("write");
    let pdf = render_pdf(&empty_report()).expect("renders");
    std::fs::write("/tmp/flowline_report_empty.pdf", &pdf).expect("write");
}
