//! `GET /api/v1/dashboard/kpis`: the fleet KPIs of the caller's tenant (`flowline_shared::kpis::FleetKpis`), served
//! from the per-tenant cache of `services/kpis.rs`. The answer's ETag is computed once per cached answer, so this
//! handler answers `If-None-Match` itself (with exactly the headers and tag the conditional-GET layer would give;
//! the layer leaves answers that already carry an `ETag` alone) instead of hashing the body on every request.

use crate::http::conditional::{CACHE_CONTROL_VALUE, matches_any};
use crate::http::error::ApiError;
use crate::http::extract::Caller;
use crate::http::state::AppState;
use crate::services::kpis::KpiError;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use flowline_shared::kpis::FleetKpis;

impl From<KpiError> for ApiError {
    fn from(e: KpiError) -> Self {
        match e {
            KpiError::Storage(s) => s.into(),
            KpiError::UnknownTenant(_) => ApiError::unauthorized("the tenant of this token no longer exists"),
            KpiError::Input(_) | KpiError::Encode(_) => ApiError::internal(e.to_string()),
        }
    }
}

/// The fleet KPIs
///
/// The six dashboard cards of the caller's tenant now (oil, gas, active wells, revenue, unacknowledged alarms,
/// downtime) and deferred production, each with value, unit, previous day, change, a 7-day sparkline, as-of and
/// staleness. Cached per tenant for up to 60 s; `kpis_changed` on the event stream says when to refetch.
#[utoipa::path(
    get,
    path = "/dashboard/kpis",
    operation_id = "get_dashboard_kpis",
    tag = "dashboard",
    responses(
        (status = 200, description = "The KPIs", body = FleetKpis),
        (status = 500, description = "`internal`: the computation failed"),
    )
)]
pub async fn kpis(State(state): State<AppState>, caller: Caller, headers: HeaderMap) -> Result<Response, ApiError> {
    let snapshot = state.kpis.dashboard(caller.0.tenant_id).await?;
    let tag = HeaderValue::from_str(&snapshot.etag).map_err(|e| ApiError::internal(e.to_string()))?;
    let not_modified = headers.get(IF_NONE_MATCH).is_some_and(|h| matches_any(h, &snapshot.etag));
    let mut response = if not_modified {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let mut r = Response::new(Body::from(Bytes::from_owner(snapshot.json.clone())));
        r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        r
    };
    let h = response.headers_mut();
    h.insert(ETAG, tag);
    h.insert(CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL_VALUE));
    h.append(VARY, HeaderValue::from_static("authorization"));
    h.insert(CONTENT_LENGTH, HeaderValue::from(snapshot.json.len()));
    Ok(response)
}
