//! CSV answers of the list endpoints (`format=csv`): RFC 4180 quoting by the `csv` crate, UTF-8, a header row, and
//! the download headers (`Content-Disposition: attachment; filename="<resource>_<YYYY-MM-DD>.csv"`, the local date
//! of the tenant). Also the `format` parameter those endpoints share.

use super::error::ApiError;
use super::extract::QueryParams;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};

/// The most rows a CSV export holds.
pub const MAX_CSV_ROWS: u32 = 10_000;

/// `format=json` (the default) or `format=csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

impl Format {
    pub fn from_query(q: &QueryParams) -> Result<Self, ApiError> {
        match q.text("format").as_deref() {
            None | Some("json") => Ok(Format::Json),
            Some("csv") => Ok(Format::Csv),
            Some(other) => {
                Err(ApiError::bad_parameter("format", format!("{other:?} is not valid: expected json or csv")))
            }
        }
    }
}

/// Builds a CSV document row by row.
pub struct CsvTable {
    writer: csv::Writer<Vec<u8>>,
}

impl CsvTable {
    pub fn new<S: AsRef<str>>(header: &[S]) -> Result<Self, ApiError> {
        let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
        writer.write_record(header.iter().map(|h| h.as_ref())).map_err(csv_failed)?;
        Ok(Self { writer })
    }

    pub fn row<S: AsRef<[u8]>>(&mut self, cells: impl IntoIterator<Item = S>) -> Result<(), ApiError> {
        self.writer.write_record(cells).map_err(csv_failed)
    }

    /// The download: `text/csv; charset=utf-8`, named `<resource>_<day>.csv`, with `X-Total-Count` when given (the
    /// matching rows, which may exceed the rows written).
    pub fn into_response(self, resource: &str, day: NaiveDate, total: Option<u64>) -> Result<Response, ApiError> {
        let body = self.writer.into_inner().map_err(|e| csv_failed(e.into_error()))?;
        let mut response = body.into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
        let disposition = format!("attachment; filename=\"{resource}_{}.csv\"", day.format("%Y-%m-%d"));
        if let Ok(v) = HeaderValue::from_str(&disposition) {
            headers.insert(header::CONTENT_DISPOSITION, v);
        }
        if let Some(total) = total {
            headers.insert("x-total-count", HeaderValue::from(total));
        }
        Ok(response)
    }
}

fn csv_failed(e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("could not write CSV: {e}"))
}

/// A number as a cell: the shortest text that reads back as the same `f64`; empty for `None`.
pub fn num(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// An instant as a cell (RFC 3339, UTC, `Z`).
pub fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}
