//! Maintenance items: list with filters and pagination, create, get, patch, delete. Viewers read; operators and
//! admins write. Also the mapping of the maintenance service's errors onto the API's error shape.

use crate::http::error::ApiError;
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
                "validation_failed",
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

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<NewMaintenanceInput>,
) -> Result<(StatusCode, Json<MaintenanceItem>), ApiError> {
    caller.require_writer()?;
    let item = state.maintenance.create(caller.0.tenant_id, &caller.0.username, &input).await?;
    Ok((StatusCode::CREATED, Json(item)))
}

pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<MaintenanceItem>, ApiError> {
    let id = parse_id(&id)?;
    Ok(Json(state.maintenance.get(caller.0.tenant_id, id).await?))
}

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
