//! Well registry: list with filters and pagination, create, get, update.

use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, Caller, QueryParams, parse_uuid};
use crate::http::state::AppState;
use crate::ports::{PageRequest, WellFilter};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use flowline_shared::dto::{Page, WellView};
use flowline_shared::{Well, WellId, WellPatch, WellStatus, WellType};

pub const MAX_WELL_PAGE: u32 = 1_000;

pub fn parse_well_id(raw: &str) -> Result<WellId, ApiError> {
    parse_uuid("id", raw).map(WellId)
}

/// List the wells
///
/// The tenant's wells with their latest reading, filtered and paginated.
#[utoipa::path(
    get,
    path = "/wells",
    operation_id = "list_wells",
    tag = "wells",
    params(
        ("limit" = Option<u32>, Query, description = "Page size (default 50)", minimum = 1, maximum = 1000),
        ("offset" = Option<u64>, Query, description = "Rows to skip (default 0)"),
        ("status" = inline(Option<WellStatus>), Query, description = "Only wells in this status"),
        ("type" = inline(Option<WellType>), Query, description = "Only wells of this type"),
        ("lease" = Option<String>, Query, description = "Only wells on this lease (exact)"),
        ("field" = Option<String>, Query, description = "Only wells in this field (exact)"),
        ("q" = Option<String>, Query, description = "Search in name, lease, field or API number"),
    ),
    responses(
        (status = 200, description = "One page of wells", body = Page<WellView>),
        (status = 400, description = "`invalid_parameter`: a filter or paging value is not valid, or an unknown \
                                      parameter"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryParams,
) -> Result<Json<Page<WellView>>, ApiError> {
    q.allow_only(&["limit", "offset", "status", "type", "lease", "field", "q"])?;
    let page = PageRequest {
        limit: q.number("limit", 50, 1..=MAX_WELL_PAGE)?,
        offset: q.number("offset", 0, 0..=u64::MAX / 2)?,
    };
    let filter = WellFilter {
        status: q.parsed::<WellStatus>("status")?,
        well_type: q.parsed::<WellType>("type")?,
        lease: q.text("lease"),
        field: q.text("field"),
        search: q.text("q"),
    };
    let (rows, total) = state.wells.list(caller.0.tenant_id, &filter, page).await?;
    let items = rows.into_iter().map(|r| WellView { well: r.well, last_reading: r.latest }).collect();
    Ok(Json(Page { items, total, limit: page.limit, offset: page.offset }))
}

/// Create a well
///
/// `name` and `type` are required; the API number is unique within the tenant. Operators and admins only.
#[utoipa::path(
    post,
    path = "/wells",
    operation_id = "create_well",
    tag = "wells",
    request_body = WellPatch,
    responses(
        (status = 201, description = "The well as stored", body = Well),
        (status = 403, description = "`forbidden`: viewers may not write"),
        (status = 409, description = "`conflict`: the API number is already used in this tenant"),
        (status = 422, description = "`validation_failed`: a value breaks a rule (`details.fields`)"),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<WellPatch>,
) -> Result<(StatusCode, Json<Well>), ApiError> {
    caller.require_writer()?;
    Ok((StatusCode::CREATED, Json(state.wells.create(caller.0.tenant_id, &input).await?)))
}

/// One well
#[utoipa::path(
    get,
    path = "/wells/{id}",
    operation_id = "get_well",
    tag = "wells",
    params(("id" = uuid::Uuid, Path, description = "The well's id")),
    responses(
        (status = 200, description = "The well", body = Well),
        (status = 400, description = "`invalid_parameter`: the id is not a UUID"),
        (status = 404, description = "`not_found`: no such well in this tenant"),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Well>, ApiError> {
    let id = parse_well_id(&id)?;
    Ok(Json(state.wells.get(caller.0.tenant_id, id).await?))
}

/// Change a well
///
/// Changes the fields given; the result is validated as a whole. Operators and admins only.
#[utoipa::path(
    patch,
    path = "/wells/{id}",
    operation_id = "update_well",
    tag = "wells",
    params(("id" = uuid::Uuid, Path, description = "The well's id")),
    request_body = WellPatch,
    responses(
        (status = 200, description = "The well as stored", body = Well),
        (status = 400, description = "`invalid_parameter`: the id is not a UUID"),
        (status = 403, description = "`forbidden`: viewers may not write"),
        (status = 404, description = "`not_found`: no such well in this tenant"),
        (status = 409, description = "`conflict`: the API number is already used in this tenant"),
        (status = 422, description = "`validation_failed`: a value breaks a rule (`details.fields`)"),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<WellPatch>,
) -> Result<Json<Well>, ApiError> {
    caller.require_writer()?;
    let id = parse_well_id(&id)?;
    Ok(Json(state.wells.update(caller.0.tenant_id, id, &patch).await?))
}
