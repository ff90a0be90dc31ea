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

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<WellPatch>,
) -> Result<(StatusCode, Json<Well>), ApiError> {
    caller.require_writer()?;
    Ok((StatusCode::CREATED, Json(state.wells.create(caller.0.tenant_id, &input).await?)))
}

pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Well>, ApiError> {
    let id = parse_well_id(&id)?;
    Ok(Json(state.wells.get(caller.0.tenant_id, id).await?))
}

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
