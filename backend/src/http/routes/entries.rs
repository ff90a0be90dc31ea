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

/// Store a batch of field entries
///
/// Up to 10,000 entries, all or nothing: one invalid entry stores none and the answer lists every bad row. An entry
/// whose id is already stored counts as a duplicate and is not stored again (retries are safe). Operators and admins
/// only.
#[utoipa::path(
    post,
    path = "/field-entries",
    operation_id = "ingest_field_entries",
    tag = "field entries",
    request_body = IngestRequest,
    responses(
        (status = 200, description = "How many entries were stored and how many were duplicates",
         body = IngestResponse),
        (status = 403, description = "`forbidden`: viewers may not write"),
        (status = 413, description = "`batch_too_large`: more than 10,000 entries"),
        (status = 422, description = "`validation_failed`: the batch is empty or entries are invalid \
                                      (`details.rows`); nothing was stored"),
    )
)]
pub async fn ingest(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<IngestRequest>,
) -> Result<Json<IngestResponse>, ApiError> {
    caller.require_writer()?;
    Ok(Json(state.ingest.ingest(caller.0.tenant_id, request.entries).await?))
}

/// Import a CSV file of field entries
///
/// The file is the request body. Every row is checked before the first write; one bad row imports nothing and the
/// answer lists each bad row by its line (the header is line 1). Rows without an id get a deterministic one, so a
/// re-import stores nothing twice. Operators and admins only.
#[utoipa::path(
    post,
    path = "/field-entries/import",
    operation_id = "import_field_entries",
    tag = "field entries",
    params(("format" = inline(Option<ImportFormat>), Query, description = "The CSV dialect (default `flowline`)")),
    request_body(content = String, content_type = "text/csv", description = "The CSV file"),
    responses(
        (status = 200, description = "Rows read, stored, duplicates, skipped and wells created", body = ImportResponse),
        (status = 400, description = "`invalid_parameter`: unknown format or parameter"),
        (status = 403, description = "`forbidden`: viewers may not write"),
        (status = 413, description = "`payload_too_large`: the file exceeds the body limit; `batch_too_large`"),
        (status = 422, description = "`invalid_csv`: wrong header or encoding; `validation_failed`: invalid rows \
                                      (`details.rows`), nothing was imported"),
    )
)]
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

/// A well's field entries
///
/// Oldest first, in a time window, paginated.
#[utoipa::path(
    get,
    path = "/wells/{id}/field-entries",
    operation_id = "list_field_entries",
    tag = "field entries",
    params(
        ("id" = uuid::Uuid, Path, description = "The well's id"),
        ("from" = Option<chrono::DateTime<chrono::Utc>>, Query, description = "Recorded at or after (RFC 3339)"),
        ("to" = Option<chrono::DateTime<chrono::Utc>>, Query, description = "Recorded before (RFC 3339)"),
        ("limit" = Option<u32>, Query, description = "Page size (default 1000)", minimum = 1, maximum = 10000),
        ("offset" = Option<u64>, Query, description = "Rows to skip (default 0)"),
    ),
    responses(
        (status = 200, description = "One page of entries", body = Page<FieldEntry>),
        (status = 400, description = "`invalid_parameter`: the id, a bound or a paging value is not valid, `to` \
                                      before `from`, or an unknown parameter"),
        (status = 404, description = "`not_found`: no such well in this tenant"),
    )
)]
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
