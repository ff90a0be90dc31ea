//! Wire types of the HTTP API (`/api/v1`). Inputs reject unknown fields so that a typo is an error, not a
//! silently ignored value. The analytics and admin-job shapes are in [`analytics`] (re-exported here); the event
//! stream's messages in [`events`].

pub mod alarms;
pub mod analytics;
pub mod dashboard;
pub mod events;
pub mod maintenance;
pub mod prices;

pub use analytics::*;

use crate::domain::{EntryId, FieldEntryDraft, FieldError, Role, Well};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The one error shape of the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// Stable machine-readable code, see the error-code table in README.md.
    pub code: String,
    /// What went wrong, for a person.
    pub message: String,
    /// Structured details (per-row validation errors and similar); `null` when there are none.
    #[serde(default)]
    pub details: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub tenant: String,
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginResponse {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub tenant: String,
    pub username: String,
    pub role: Role,
}

/// One page of a list, with the total count of matching rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

/// The newest entry of a well, shown beside it in lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LatestReading {
    pub recorded_at: DateTime<Utc>,
    pub oil_bbl: f64,
    pub gas_mcf: f64,
    pub water_bbl: f64,
    pub hours_on: f64,
}

/// A well as listed: its facts and its latest reading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WellView {
    #[serde(flatten)]
    pub well: Well,
    pub last_reading: Option<LatestReading>,
}

/// Body of `POST /api/v1/field-entries`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IngestRequest {
    pub entries: Vec<FieldEntryDraft>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IngestResponse {
    /// Entries stored by this request.
    pub accepted: u64,
    /// Entries whose id was already stored; not stored again.
    pub duplicates: u64,
}

/// What was wrong with one row of a batch or a CSV file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowError {
    /// Index in the batch (0-based) or line in the CSV file (1-based, the header is line 1).
    pub row: u64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub id: Option<EntryId>,
    pub errors: Vec<FieldError>,
}

/// The CSV dialects `POST /api/v1/field-entries/import` and `flowline-server import` read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ImportFormat {
    /// Flowline's own columns (see README.md).
    Flowline,
    /// The Volve daily production export (Equinor): Sm3 and bar, converted on import.
    Volve,
}

impl std::str::FromStr for ImportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "flowline" => Ok(Self::Flowline),
            "volve" => Ok(Self::Volve),
            other => Err(format!("unknown import format {other:?}: expected flowline or volve")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportResponse {
    /// Data rows read (the header excluded).
    pub rows: u64,
    pub accepted: u64,
    pub duplicates: u64,
    /// Rows of the file that carried no production record (for example Volve days with no data) and were skipped.
    pub skipped: u64,
    /// Wells created because the file named wells the tenant did not have yet (Volve imports).
    pub wells_created: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HealthResponse {
    pub status: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReadyResponse {
    pub status: String,
    pub database: String,
}
