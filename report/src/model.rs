//! The input of a dashboard report: everything the layout prints, filled by the caller (backend export or
//! desktop snapshot). Plain data, serde-serialisable; no behaviour beyond small derived values.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// One dashboard snapshot, as printed by [`crate::render_pdf`] and [`crate::render_csv`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DashboardReport {
    pub header: ReportHeader,
    /// Printed as cards, three per row, in this order (the dashboard has six).
    pub kpis: Vec<KpiCard>,
    /// Printed after the KPI cards, in this order.
    pub charts: Vec<TrendChart>,
    /// Printed in this order (the caller sorts, e.g. by priority then time).
    pub alarms: Vec<AlarmRow>,
    /// Printed in this order, paginated with the header row repeated.
    pub wells: Vec<WellRow>,
}

/// What every page repeats, plus the filters shown on the first page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportHeader {
    pub company: String,
    /// PNG (or other format printpdf's `png` feature decodes) bytes of the company logo, printed at the top right
    /// of every page. An undecodable logo is [`crate::ReportError::InvalidLogo`].
    #[serde(default)]
    pub logo: Option<Vec<u8>>,
    /// e.g. "Production dashboard".
    pub title: String,
    /// The tenant's time zone: every instant is printed in it, with its abbreviation.
    pub time_zone: Tz,
    /// When the report was produced (the caller's clock; the crate has none).
    pub generated_at: DateTime<Utc>,
    /// The instant the newest data in the report describes.
    pub data_as_of: DateTime<Utc>,
    /// The filters applied, one free-text line each (e.g. "Field: Permian North").
    #[serde(default)]
    pub filters: Vec<String>,
}

impl ReportHeader {
    /// The tenant's calendar date of `generated_at`: the date in the export's file name.
    #[must_use]
    pub fn generated_local_date(&self) -> NaiveDate {
        self.generated_at.with_timezone(&self.time_zone).date_naive()
    }
}

/// Which way a KPI moved against its previous value. Not a judgement: "up" is not "good".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Up,
    Down,
    Flat,
}

impl Direction {
    /// The word used in the CSV and next to the arrow.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
            Direction::Flat => "flat",
        }
    }
}

/// One KPI card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KpiCard {
    /// e.g. "Oil rate".
    pub label: String,
    /// `None` (or a non-finite number) is printed as "no data".
    pub value: Option<f64>,
    /// e.g. "BOPD", "MCFD", "BOE/d", "%", "USD/d".
    pub unit: String,
    /// The value of the comparison period (same unit), if any.
    #[serde(default)]
    pub previous: Option<f64>,
    /// Change against `previous`, in percent (the caller computes it: it knows the comparison rule).
    #[serde(default)]
    pub change_percent: Option<f64>,
    pub direction: Direction,
    /// A short note under the value, e.g. "6:1 BOE" or "as of 14:05, 3 min old".
    #[serde(default)]
    pub note: String,
    /// When the value was true; `None` means the report's `data_as_of`.
    #[serde(default)]
    pub as_of: Option<DateTime<Utc>>,
    /// Decimals to print; `None` chooses from the magnitude (see `format::auto_decimals`).
    #[serde(default)]
    pub decimals: Option<u8>,
    /// Set when the KPI is abnormal: the card gets the priority's colour, shape and word. `None` is normal (grey).
    #[serde(default)]
    pub alarm: Option<AlarmPriority>,
    /// The last seven daily values, oldest first; `None` is a day without data (a gap in the line).
    #[serde(default)]
    pub sparkline: Vec<Option<f64>>,
}

/// Alarm priority. Printed as a word and a shape, coloured (critical red, high amber, low blue).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmPriority {
    Critical,
    High,
    Low,
}

impl AlarmPriority {
    /// The word printed beside the shape, and written to the CSV.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            AlarmPriority::Critical => "critical",
            AlarmPriority::High => "high",
            AlarmPriority::Low => "low",
        }
    }
}

/// Alarm state (ISA-18.2 style, reduced to what the dashboard shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmState {
    /// Active, not acknowledged.
    Unacknowledged,
    /// Active, acknowledged.
    Acknowledged,
    /// Returned to normal, not yet acknowledged.
    ClearedUnacknowledged,
    Shelved,
}

impl AlarmState {
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            AlarmState::Unacknowledged => "Active, unack.",
            AlarmState::Acknowledged => "Active, ack.",
            AlarmState::ClearedUnacknowledged => "Cleared, unack.",
            AlarmState::Shelved => "Shelved",
        }
    }
}

/// One row of the alarm list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlarmRow {
    pub priority: AlarmPriority,
    pub state: AlarmState,
    pub well: String,
    /// The rule that raised it, e.g. "Tubing pressure high".
    pub rule: String,
    pub message: String,
    pub raised_at: DateTime<Utc>,
    #[serde(default)]
    pub acknowledged_by: Option<String>,
}

/// One row of the well table. Rates are per calendar day at the last reading; `None` is "no data".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WellRow {
    pub name: String,
    /// 14-digit API number as the caller formats it (wells outside the US have none).
    #[serde(default)]
    pub api_number: Option<String>,
    /// e.g. "Producing", "Shut in".
    pub status: String,
    pub oil_bopd: Option<f64>,
    pub gas_mcfd: Option<f64>,
    pub water_bwpd: Option<f64>,
    /// Share of the period the well was down, 0-100.
    pub downtime_percent: Option<f64>,
    pub last_reading_at: Option<DateTime<Utc>>,
    /// The highest priority of the well's active alarms.
    #[serde(default)]
    pub alarm: Option<AlarmPriority>,
}

/// One trend chart: an actual series, optionally followed by a forecast with its interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrendChart {
    /// e.g. "Field oil rate, last 60 days and 14-day forecast".
    pub title: String,
    /// Unit of every value, e.g. "BOPD".
    pub unit: String,
    /// Daily values, in date order; `None` is a day without data (a gap, not a zero).
    pub actual: Vec<ChartPoint>,
    /// Forecast values, in date order, usually starting after the last actual day.
    #[serde(default)]
    pub forecast: Vec<ForecastPoint>,
    /// Legend text of the interval, e.g. "95% interval".
    #[serde(default = "default_band_label")]
    pub band_label: String,
}

fn default_band_label() -> String {
    "95% interval".to_owned()
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChartPoint {
    pub date: NaiveDate,
    pub value: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForecastPoint {
    pub date: NaiveDate,
    pub value: f64,
    /// Lower and upper bounds of the interval; the band is drawn where both are present.
    #[serde(default)]
    pub lower: Option<f64>,
    #[serde(default)]
    pub upper: Option<f64>,
}
