//! Flowline's dashboard report: its layout and rendering, as a PDF and as a CSV (issue 4's dashboard export).
//!
//! Both callers use it: the backend's `POST /api/v1/dashboard/export` and the desktop's PDF snapshot export. They
//! fill a [`DashboardReport`] and get bytes back from [`render_pdf`] or [`render_csv`]; [`file_name`] names the
//! download.
//!
//! # What this crate owns, and what it must not touch
//!
//! It owns the report's content and look: what is printed, where, in which format and colour. It does no I/O (no
//! files, no network: the caller writes or sends the bytes, and passes the logo in as bytes), reads no clock
//! (every instant, including "generated at", comes in the input) and reads no configuration. The fonts (DejaVu
//! Sans, `assets/fonts/`, with its licence) are compiled in. It knows nothing of the backend, the desktop, storage
//! or HTTP.
//!
//! # The PDF
//!
//! A4 landscape, 12 mm side margins. Every page has a header (company name, report title, the logo scaled into a
//! 45 x 13 mm box at the top right) and a footer (generated-at and data-as-of in the tenant's zone with its
//! abbreviation, the same two in UTC in small print, and "page n of m"). The content flows top to bottom: the
//! filters applied, the KPI cards three per row (a 3 x 2 grid for the dashboard's six), the trend charts, the alarm
//! list, then the well table, which continues over as many pages as it needs with its header row repeated. A block
//! that does not fit the rest of a page starts the next one.
//!
//! Colours follow high-performance HMI practice: greys for everything normal; colour only for abnormal states
//! (critical red, high amber, low blue), always with the priority's word and a shape (critical a square, high a
//! triangle, low a diamond), so a greyscale print loses nothing. Numbers have thousands separators, decimals chosen
//! from the magnitude unless the KPI says, and their unit (table columns name it in the header); a missing or
//! non-finite value prints as "no data". Charts are vectors: axes, ticks, gridlines, the actual line (broken at
//! missing days), the forecast as a dashed line with its interval as a filled band, and a legend.
//!
//! # The CSV
//!
//! One RFC 4180 table: comma separated, CRLF line ends, fields quoted only when they hold a comma, quote or line
//! break, one header row, and the same 17 columns on every row. The first column, `section`, tells the two parts
//! apart, and each part fills only its own columns (the others are empty):
//!
//! ```text
//! section,kpi,value,unit,previous,change_percent,direction,as_of,well,api_number,status,oil_bopd,gas_mcfd,water_bwpd,downtime_percent,last_reading_at,alarm_priority
//! kpi,Oil rate,12345.6,BOPD,11950,3.3,up,2025-03-14T14:25:00Z,,,,,,,,,
//! well,,,,,,,,Bønnå 7,42-123-45678-00-00,Producing,310.5,820,95.25,0,2025-03-14T14:20:00Z,high
//! ```
//!
//! - `kpi` rows (one per KPI card, in order): `kpi` is the card's label; `value`, `previous` and `change_percent`
//!   are plain numbers (no separators, `.` decimal point, full precision); `direction` is `up`, `down` or `flat`;
//!   `as_of` is the KPI's instant, or the report's data-as-of when it has none.
//! - `well` rows (one per well, in order): rates per calendar day in the units their column names; `alarm_priority`
//!   is `critical`, `high`, `low` or empty.
//! - Instants are UTC, RFC 3339 (`2025-03-14T14:25:00Z`); a missing value is an empty field.
//! - Text starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `'` so spreadsheets do not run it as a formula.

mod canvas;
mod chart;
mod csv;
mod fonts;
mod format;
mod model;
mod pdf;

use chrono::NaiveDate;

pub use crate::chart::nice_ticks;
pub use crate::csv::HEADER as CSV_HEADER;
pub use crate::format::{NO_DATA, local_time, quantity, thousands};
pub use crate::model::{
    AlarmPriority, AlarmRow, AlarmState, ChartPoint, DashboardReport, Direction, ForecastPoint, KpiCard, ReportHeader,
    TrendChart, WellRow,
};

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The header's logo is not an image printpdf can decode (the message says why).
    #[error("the company logo could not be decoded: {0}")]
    InvalidLogo(String),
    /// An embedded font failed to parse (a build problem, not an input problem).
    #[error("the embedded font {0} could not be parsed")]
    Font(&'static str),
}

/// The two export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    Pdf,
    Csv,
}

impl ExportKind {
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            ExportKind::Pdf => "pdf",
            ExportKind::Csv => "csv",
        }
    }

    #[must_use]
    pub fn mime_type(self) -> &'static str {
        match self {
            ExportKind::Pdf => "application/pdf",
            ExportKind::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// Renders the report as an A4 landscape PDF.
///
/// # Errors
/// [`ReportError::InvalidLogo`] if the logo does not decode; [`ReportError::Font`] if an embedded font fails to
/// parse.
pub fn render_pdf(report: &DashboardReport) -> Result<Vec<u8>, ReportError> {
    pdf::render(report)
}

/// Renders the KPI values and the well breakdown as CSV (layout in the crate doc).
#[must_use]
pub fn render_csv(report: &DashboardReport) -> String {
    csv::render(report)
}

/// `dashboard_export_YYYY-MM-DD.pdf` or `.csv`, for the tenant's local date (see
/// [`ReportHeader::generated_local_date`]).
#[must_use]
pub fn file_name(kind: ExportKind, local_date: NaiveDate) -> String {
    format!("dashboard_export_{}.{}", local_date.format("%Y-%m-%d"), kind.extension())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_carry_the_local_date_and_the_extension() {
        let date = NaiveDate::from_ymd_opt(2025, 3, 4).unwrap();
        assert_eq!(file_name(ExportKind::Pdf, date), "dashboard_export_2025-03-04.pdf");
        assert_eq!(file_name(ExportKind::Csv, date), "dashboard_export_2025-03-04.csv");
    }

    #[test]
    fn the_local_date_is_the_tenant_s() {
        use chrono::TimeZone;
        let header = ReportHeader {
            company: String::new(),
            logo: None,
            title: String::new(),
            time_zone: chrono_tz::America::Chicago,
            // 03:30 UTC on the 15th is still the evening of the 14th in Chicago.
            generated_at: chrono::Utc.with_ymd_and_hms(2025, 3, 15, 3, 30, 0).unwrap(),
            data_as_of: chrono::Utc.with_ymd_and_hms(2025, 3, 15, 3, 25, 0).unwrap(),
            filters: Vec::new(),
        };
        let date = header.generated_local_date();
        assert_eq!(file_name(ExportKind::Csv, date), "dashboard_export_2025-03-14.csv");
    }
}
