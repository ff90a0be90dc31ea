//! Maintenance items: list with filters and pagination, create, get, patch, delete. Viewers read; operators and
//! admins write. Also the mapping of the maintenance service's errors onto the API's error shape.

use crate::http::error::{ApiError, ErrorCode};
use crate::http::extract::{ApiJson, Caller, QueryParams, parse_uuid};
use crate::http::state::AppState;
use crate::ports::{MaintenanceFilter, PageRequest};
use crate::services::maintenance::MaintenanceError;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use flowline_shared::WellId;
use flowline_shared::dto::Page;
use flowline_shared::dto::maintenance::{
    MaintenanceId, MaintenanceItem, MaintenancePatchInput, MaintenanceStatus, NewMaintenanceInput,
};
use serde_json::json;

pub const MAX_MAINTENANCE_PAGE: u32 = 1_000;

impl From<MaintenanceError> for ApiError {
    fn from(e: MaintenanceError) -> Self {
        match e {
            MaintenanceError::Invalid(errors) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::ValidationFailed,
                format!("invalid maintenance item: {errors}"),
            )
            .with_details(json!({ "fields": errors })),
            MaintenanceError::InvalidParameter { parameter, message } => ApiError::bad_parameter(parameter, message),
            MaintenanceError::NotFound(id) => ApiError::not_found(format!("no maintenance item {id} in this tenant")),
            MaintenanceError::Storage(s) => s.into(),
        }
    }
}

fn parse_id(raw: &str) -> Result<MaintenanceId, ApiError> {
    parse_uuid("id", raw).map(MaintenanceId)
}

/// List maintenance items
///
/// Ordered by due date, then id.
#[utoipa::path(
    get,
    path = "/maintenance",
    operation_id = "list_maintenance",
    tag = "maintenance",
    params(
        ("well_id" = Option<uuid::Uuid>, Query, description = "Only this well's items"),
        ("status" = inline(Option<MaintenanceStatus>), Query, description = "Only items in this status"),
        ("from" = Option<chrono::NaiveDate>, Query, description = "Due on or after this local date"),
        ("to" = Option<chrono::NaiveDate>, Query, description = "Due on or before this local date"),
        ("limit" = Option<u32>, Query, description = "Page size (default 50)", minimum = 1, maximum = 1000),
        ("offset" = Option<u64>, Query, description = "Rows to skip (default 0)"),
    ),
    responses(
        (status = 200, description = "One page of items", body = Page<MaintenanceItem>),
        (status = 400, description = "`invalid_parameter`: a filter or paging value is not valid, or an unknown \
                                      parameter"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryParams,
) -> Result<Json<Page<MaintenanceItem>>, ApiError> {
    q.allow_only(&["well_id", "status", "from", "to", "limit", "offset"])?;
    let page = PageRequest {
        limit: q.number("limit", 50, 1..=MAX_MAINTENANCE_PAGE)?,
        offset: q.number("offset", 0, 0..=u64::MAX / 2)?,
    };
    let filter = MaintenanceFilter {
        well_id: q.uuid("well_id")?.map(WellId),
        status: q.parsed::<MaintenanceStatus>("status")?,
        due_from: q.date("from")?,
        due_to: q.date("to")?,
    };
    let (items, total) = state.maintenance.list(caller.0.tenant_id, &filter, page).await?;
    Ok(Json(Page { items, total, limit: page.limit, offset: page.offset }))
}

/// Create a maintenance item
///
/// `well_id`, `kind`, `title` and `due_on` are required; `done` sets `completed_at`. Operators and admins only.
#[utoipa::path(
    post,
    path = "/maintenance",
    operation_id = "create_maintenance",
    tag = "maintenance",
    request_body = NewMaintenanceInput,
    responses(
        (status = 201, description = "The item as stored", body = MaintenanceItem),
        (status = 403, description = "`forbidden`: viewers may not write"),
        (status = 422, description = "`validation_failed`: a value breaks a rule or the well is not in this \
                                      tenant (`details.fields`)"),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<NewMaintenanceInput>,
) -> Result<(StatusCode, Json<MaintenanceItem>), ApiError> {
    caller.require_writer()?;
    let item = state.maintenance.create(caller.0.tenant_id, &caller.0.username, &input).await?;
    Ok((StatusCode::CREATED, Json(item)))
}

/// One maintenance item
#[utoipa::path(
    get,
    path = "/maintenance/{id}",
    operation_id = "get_maintenance",
    tag = "maintenance",
    params(("id" = uuid::Uuid, Path, description = "The maintenance item's id")),
    responses(
        (status = 200, description = "The item", body = MaintenanceItem),
        (status = 400, description = "`invalid_parameter`: the id is not a UUID"),
        (status = 404, description = "`not_found`: no such item in this tenant"),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<MaintenanceItem>, ApiError> {
    let id = parse_id(&id)?;
    Ok(Json(state.maintenance.get(caller.0.tenant_id, id).await?))
}

/// Change a maintenance item
///
/// Changes the fields given (`""` clears the notes); becoming done sets `completed_at`, leaving done clears it; the
/// well cannot be changed. Operators and admins only.
#[utoipa::path(
    patch,
    path = "/maintenance/{id}",
    operation_id = "update_maintenance",
    tag = "maintenance",
    params(("id" = uuid::Uuid, Path, description = "The maintenance item's id")),
    request_body = MaintenancePatchInput,
    responses(
        (status = 200, description = "The item as stored", body = MaintenanceItem),
        (status = 400, description = "`invalid_parameter`: the id is not a UUID"),
        (status = 403, description = "`forbidden`: viewers may not write"),
        (status = 404, description = "`not_found`: no such item in this tenant"),
        (status = 422, description = "`validation_failed`: a value breaks a rule (`details.fields`)"),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<MaintenancePatchInput>,
) -> Result<Json<MaintenanceItem>, ApiError> {
    caller.require_writer()?;
    let id = parse_id(&id)?;
    Ok(Json(state.maintenance.update(caller.0.tenant_id, id, &patch).await?))
}

/// Delete a maintenance item
///
/// Operators and admins only.
#[utoipa::path(
    delete,
    path = "/maintenance/{id}",
    operation_id = "delete_maintenance",
    tag = "maintenance",
    params(("id" = uuid::Uuid, Path, description = "The maintenance item's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "`invalid_parameter`: the id is not a UUID"),
        (status = 403, description = "`forbidden`: viewers may not write"),
        (status = 404, description = "`not_found`: no such item in this tenant"),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require_writer()?;
    let id = parse_id(&id)?;
    state.maintenance.delete(caller.0.tenant_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
