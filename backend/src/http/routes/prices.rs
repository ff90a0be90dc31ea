//! The price table: `GET /api/v1/prices` (every role) lists one commodity's merged prices (EIA baseline, then the
//! tenant's own) with the heat content; `PUT /api/v1/prices` (admins only) stores dated prices and the heat content,
//! all or nothing. Also the mapping of the price service's errors onto the API's error shape.

use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, Caller, QueryParams};
use crate::http::routes::analytics::caller_tenant;
use crate::http::state::AppState;
use crate::services::prices::{PriceQuery, PriceServiceError};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use flowline_shared::dto::prices::{PriceList, PriceUpdateInput, PriceUpdateResult};
use flowline_shared::kpis::prices::Commodity;
use serde_json::json;

impl From<PriceServiceError> for ApiError {
    fn from(e: PriceServiceError) -> Self {
        match e {
            PriceServiceError::Invalid(errors) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                format!("invalid price update: {errors}; nothing was stored"),
            )
            .with_details(json!({ "fields": errors })),
            PriceServiceError::InvalidParameter { parameter, message } => ApiError::bad_parameter(parameter, message),
            PriceServiceError::Storage(s) => s.into(),
        }
    }
}

pub async fn list(State(state): State<AppState>, caller: Caller, q: QueryParams) -> Result<Json<PriceList>, ApiError> {
    q.allow_only(&["commodity", "from", "to"])?;
    let raw = q.text("commodity").ok_or_else(|| ApiError::bad_parameter("commodity", "required: wti or henry_hub"))?;
    let commodity = Commodity::ALL
        .into_iter()
        .find(|c| c.as_str() == raw)
        .ok_or_else(|| ApiError::bad_parameter("commodity", format!("{raw:?} is not wti or henry_hub")))?;
    let query = PriceQuery { commodity, from: q.date("from")?, to: q.date("to")? };
    let tenant = caller_tenant(&state, &caller).await?;
    Ok(Json(state.prices.list(&tenant, query).await?))
}

pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<PriceUpdateInput>,
) -> Result<Json<PriceUpdateResult>, ApiError> {
    if !caller.0.role.is_admin() {
        return Err(ApiError::forbidden(format!("role {} may not change prices: admins only", caller.0.role.as_str())));
    }
    Ok(Json(state.prices.update(caller.0.tenant_id, &caller.0.username, &input).await?))
}
