//! `/health` (the process is up) and `/ready` (it can reach its database).

use crate::http::error::{ApiError, ErrorCode};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use flowline_shared::dto::{HealthResponse, ReadyResponse};

/// Liveness
///
/// The process is up. Public.
#[utoipa::path(
    get,
    path = "/health",
    operation_id = "health",
    tag = "service",
    security(()),
    responses((status = 200, description = "Up", body = HealthResponse))
)]
pub async fn health() -> Json<HealthResponse> {
    Json(HealthResponse { status: "ok".into(), version: env!("CARGO_PKG_VERSION").into() })
}

/// Readiness
///
/// The process can reach its database. Public.
#[utoipa::path(
    get,
    path = "/ready",
    operation_id = "ready",
    tag = "service",
    security(()),
    responses(
        (status = 200, description = "Ready", body = ReadyResponse),
        (status = 503, description = "`not_ready`: the database cannot be reached"),
    )
)]
pub async fn ready(State(state): State<AppState>) -> Result<Json<ReadyResponse>, ApiError> {
    state.storage.ping().await.map_err(|e| {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::NotReady, format!("database not reachable: {e}"))
    })?;
    Ok(Json(ReadyResponse { status: "ready".into(), database: state.storage.dialect().into() }))
}
