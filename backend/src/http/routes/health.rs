//! `/health` (the process is up) and `/ready` (it can reach its database).

use crate::http::error::ApiError;
use crate::http::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use flowline_shared::dto::{HealthResponse, ReadyResponse};

pub async fn health() -> Json<HealthResponse> {
    Json(HealthResponse { status: "ok".into(), version: env!("CARGO_PKG_VERSION").into() })
}

pub async fn ready(State(state): State<AppState>) -> Result<Json<ReadyResponse>, ApiError> {
    state.storage.ping().await.map_err(|e| {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "not_ready", format!("database not reachable: {e}"))
    })?;
    Ok(Json(ReadyResponse { status: "ready".into(), database: state.storage.dialect().into() }))
}
