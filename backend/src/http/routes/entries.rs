//! Field entries: batch ingest, CSV import and a well's entries by time window.

use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, Caller, QueryParams};
use crate::http::routes::wells::parse_well_id;
use crate::http::state::AppState;
use crate::ports::{EntryQuery, PageRequest};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use flowline_shared::FieldEntry;
use flowline_shared::dto::{ImportFormat, ImportResponse, IngestRequest, IngestResponse, Page};

pub const MAX_ENTRY_PAGE: u32 = 10_000;

pub async fn ingest(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<IngestRequest>,
) -> Result<Json<IngestResponse>, ApiError> {
    caller.require_writer()?;
    Ok(Json(state.ingest.ingest(caller.0.tenant_id, request.entries).await?))
}

/// `POST /api/v1/field-entries/import?format=flowline|volve` with the CSV file as the body.
pub async fn import_csv(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryParams,
    body: Bytes,
) -> Result<Json<ImportResponse>, ApiError> {
    caller.require_writer()?;
    q.allow_only(&["format"])?;
    let format = q.parsed::<ImportFormat>("format")?.unwrap_or(ImportFormat::Flowline);
    let report = state.import.import(caller.0.tenant_id, format, &body, &|_, _| {}).await?;
    Ok(Json(report))
}

pub async fn list_for_well(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    q: QueryParams,
) -> Result<Json<Page<FieldEntry>>, ApiError> {
    q.allow_only(&["from", "to", "limit", "offset"])?;
    let id = parse_well_id(&id)?;
    let query = EntryQuery {
        from: q.instant("from")?,
        to: q.instant("to")?,
        page: PageRequest {
            limit: q.number("limit", 1_000, 1..=MAX_ENTRY_PAGE)?,
            offset: q.number("offset", 0, 0..=u64::MAX / 2)?,
        },
    };
    if let (Some(from), Some(to)) = (query.from, query.to)
        && from > to
    {
        return Err(ApiError::bad_parameter("to", "is before `from`"));
    }
    // 404 for a well of another tenant, rather than an empty list that looks like "no data".
    state.wells.get(caller.0.tenant_id, id).await?;
    let (items, total) = state.storage.entries_for_well(caller.0.tenant_id, id, query).await?;
    Ok(Json(Page { items, total, limit: query.page.limit, offset: query.page.offset }))
}
