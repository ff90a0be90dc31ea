//! The dashboard's well views: the status map (`GET /api/v1/wells/map`) and the well detail modal
//! (`GET /api/v1/wells/{id}/dashboard-detail`). Open to every role, always in the caller's tenant. The wire shapes
//! and the display-status rule are `flowline_shared::dto::dashboard`.

use crate::http::error::ApiError;
use crate::http::extract::{Caller, QueryParams};
use crate::http::routes::analytics::caller_tenant;
use crate::http::routes::wells::parse_well_id;
use crate::http::state::AppState;
use crate::services::dashboard::{DashboardError, MapQuery};
use axum::Json;
use axum::extract::{Path, State};
use flowline_shared::dto::dashboard::{BoundingBox, WellDashboardDetail, WellMap};
use flowline_shared::{WellStatus, WellType};

impl From<DashboardError> for ApiError {
    fn from(e: DashboardError) -> Self {
        match e {
            DashboardError::UnknownWell(id) => ApiError::not_found(format!("no well {id} in this tenant")),
            DashboardError::Storage(s) => s.into(),
            DashboardError::Analytics(a) => a.into(),
            DashboardError::Alarms(a) => a.into(),
            DashboardError::Maintenance(m) => m.into(),
        }
    }
}

/// `GET /api/v1/wells/map?status=&type=&lease=&bbox=minLon,minLat,maxLon,maxLat`.
pub async fn map(State(state): State<AppState>, caller: Caller, q: QueryParams) -> Result<Json<WellMap>, ApiError> {
    q.allow_only(&["status", "type", "lease", "bbox"])?;
    let query = MapQuery {
        status: q.parsed::<WellStatus>("status")?,
        well_type: q.parsed::<WellType>("type")?,
        lease: q.text("lease"),
        bbox: q
            .text("bbox")
            .map(|raw| BoundingBox::parse(&raw).map_err(|e| ApiError::bad_parameter("bbox", e)))
            .transpose()?,
    };
    Ok(Json(state.dashboard.map(caller.0.tenant_id, &query).await?))
}

/// `GET /api/v1/wells/{id}/dashboard-detail`.
pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<WellDashboardDetail>, ApiError> {
    let id = parse_well_id(&id)?;
    let tenant = caller_tenant(&state, &caller).await?;
    Ok(Json(state.dashboard.detail(&tenant, id).await?))
}
