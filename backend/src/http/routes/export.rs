//! `POST /api/v1/dashboard/export` (US-1106): the dashboard of the caller's tenant as a PDF or CSV download. Open to
//! every role. Body `{ "format": "pdf" | "csv", "filters"?: { "status"?, "type"?, "lease"? } }`, unknown fields
//! rejected: a bad shape or value is 422 `invalid_body` naming its path (`format`, `filters.status`), a blank or
//! over-long lease 422 `validation_failed` naming `filters.lease`. The content is `services/export.rs`'s.

use crate::http::error::{ApiError, ErrorCode};
use crate::http::extract::{ApiJson, Caller};
use crate::http::routes::analytics::caller_tenant;
use crate::http::state::AppState;
use crate::services::export::{ExportError, ExportFilters};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use flowline_report::ExportKind;
use flowline_shared::{WellStatus, WellType};
use serde::Deserialize;
use serde_json::json;

impl From<ExportError> for ApiError {
    fn from(e: ExportError) -> Self {
        match e {
            ExportError::InvalidFilter { field, message } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::ValidationFailed,
                format!("{field}: {message}"),
            )
            .with_details(json!({ "fields": [ { "field": field, "message": message } ] })),
            ExportError::Storage(s) => s.into(),
            ExportError::Kpis(k) => k.into(),
            ExportError::Alarms(a) => a.into(),
            ExportError::Render(_) | ExportError::Task(_) => ApiError::internal(e.to_string()),
        }
    }
}

/// The request body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = ExportRequest)]
#[serde(deny_unknown_fields)]
pub struct ExportBody {
    pub format: ExportKind,
    /// Narrow the well table (KPIs, chart and alarms cover the whole fleet).
    #[serde(default)]
    pub filters: Option<FilterBody>,
}

/// The well table's filters, as the map's.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ExportRequestFilters)]
#[serde(deny_unknown_fields)]
pub struct FilterBody {
    #[serde(default)]
    pub status: Option<WellStatus>,
    #[serde(default, rename = "type")]
    pub well_type: Option<WellType>,
    #[serde(default)]
    pub lease: Option<String>,
}

/// Export the dashboard
///
/// The dashboard as a PDF (KPI cards, 60-day oil chart with a 7-day forecast band, open alarms, the well table) or
/// a CSV (one `kpi` row per card, one `well` row per well), named `dashboard_export_YYYY-MM-DD.pdf|csv` (the
/// tenant's local date). The filters narrow the well table only. Every role.
#[utoipa::path(
    post,
    path = "/dashboard/export",
    operation_id = "export_dashboard",
    tag = "dashboard",
    request_body = ExportBody,
    responses(
        (status = 200, description = "The file", content(
            ("application/pdf"),
            (String = "text/csv"),
        ), headers(
            ("Content-Disposition" = String,
             description = "`attachment; filename=\"dashboard_export_<YYYY-MM-DD>.pdf\"` (or `.csv`)"),
        )),
        (status = 422, description = "`validation_failed`: a blank or over-long `filters.lease`"),
        (status = 500, description = "`internal`: rendering failed"),
    )
)]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<ExportBody>,
) -> Result<Response, ApiError> {
    let f = body.filters.unwrap_or_default();
    let filters = ExportFilters::new(f.status, f.well_type, f.lease.as_deref())?;
    let tenant = caller_tenant(&state, &caller).await?;
    let file = state.export.export(&tenant, body.format, &filters).await?;
    let mut response = file.bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(file.kind.mime_type()));
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", file.file_name))
        .map_err(|e| ApiError::internal(e.to_string()))?;
    headers.insert(header::CONTENT_DISPOSITION, disposition);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
