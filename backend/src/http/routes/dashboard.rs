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

/// The status map
///
/// Every well of the tenant with coordinates, ordered by name, with its display status (first match wins: `down`,
/// `critical`, `warning`, `inactive`, `stale`, `normal`), the highest annunciated alarm priority and the latest
/// rates.
#[utoipa::path(
    get,
    path = "/wells/map",
    operation_id = "get_well_map",
    tag = "dashboard",
    params(
        ("status" = inline(Option<WellStatus>), Query, description = "Only wells in this status"),
        ("type" = inline(Option<WellType>), Query, description = "Only wells of this type"),
        ("lease" = Option<String>, Query, description = "Only wells on this lease"),
        ("bbox" = Option<String>, Query, description = "`minLon,minLat,maxLon,maxLat` in degrees (edges included, \
                                                        min < max)", example = "-103.5,31.0,-101.0,33.0"),
    ),
    responses(
        (status = 200, description = "The map", body = WellMap),
        (status = 400, description = "`invalid_parameter`: a filter or the bounding box is not valid, or an unknown \
                                      parameter"),
    )
)]
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

/// The well detail
///
/// The well detail modal in one answer: facts, current production, the last five alarms, the 30-day trend, the
/// forecast in brief and the next scheduled maintenance.
#[utoipa::path(
    get,
    path = "/wells/{id}/dashboard-detail",
    operation_id = "get_well_dashboard_detail",
    tag = "dashboard",
    params(("id" = uuid::Uuid, Path, description = "The well's id")),
    responses(
        (status = 200, description = "The detail", body = WellDashboardDetail),
        (status = 400, description = "`invalid_parameter`: the id is not a UUID"),
        (status = 404, description = "`not_found`: no such well in this tenant"),
        (status = 500, description = "`internal`: the analytics computation failed"),
    )
)]
pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<WellDashboardDetail>, ApiError> {
    let id = parse_well_id(&id)?;
    let tenant = caller_tenant(&state, &caller).await?;
    Ok(Json(state.dashboard.detail(&tenant, id).await?))
}
