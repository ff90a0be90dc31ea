//! `POST /api/v1/auth/login`.

use crate::http::error::ApiError;
use crate::http::extract::ApiJson;
use crate::http::state::AppState;
use axum::Json;
use axum::extract::State;
use flowline_shared::dto::{LoginRequest, LoginResponse};

/// Sign in
///
/// Exchanges a tenant, username and password for a bearer token (HS256 JWT) to send as `Authorization: Bearer
/// <token>` on every other call. Public.
#[utoipa::path(
    post,
    path = "/auth/login",
    operation_id = "login",
    tag = "auth",
    security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "The token and who it is for", body = LoginResponse),
        (status = 401, description = "`invalid_credentials`: unknown tenant, user or password (one answer for all \
                                      three)"),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    Ok(Json(state.auth.login(request).await?))
}
