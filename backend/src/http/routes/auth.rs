//! `POST /api/v1/auth/login`.

use crate::http::error::ApiError;
use crate::http::extract::ApiJson;
use crate::http::state::AppState;
use axum::Json;
use axum::extract::State;
use flowline_shared::dto::{LoginRequest, LoginResponse};

pub async fn login(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    Ok(Json(state.auth.login(request).await?))
}
