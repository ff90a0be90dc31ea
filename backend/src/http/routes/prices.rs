//! The price table: `GET /api/v1/prices` (every role) lists one commodity's merged prices (EIA baseline, then the
//! tenant's own) with the heat content; `PUT /api/v1/prices` (admins only) stores dated prices and the heat content,
//! all or nothing. Also the mapping of the price service's errors onto the API's error shape.

use crate::http::error::{ApiError, ErrorCode};
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
                ErrorCode::ValidationFailed,
                format!("invalid price update: {errors}; nothing was stored"),
            )
            .with_details(json!({ "fields": errors })),
            PriceServiceError::InvalidParameter { parameter, message } => ApiError::bad_parameter(parameter, message),
            PriceServiceError::Storage(s) => s.into(),
        }
    }
}

/// The price table
///
/// One commodity's daily prices: the EIA history shipped with Flowline, with the tenant's own prices replacing or
/// adding days, and the gas heat content. Days without a row (weekends, holidays) take the latest earlier price in
/// the KPIs.
#[utoipa::path(
    get,
    path = "/prices",
    operation_id = "list_prices",
    tag = "prices",
    params(
        ("commodity" = inline(Commodity), Query, description = "`wti` or `henry_hub` (required)"),
        ("from" = Option<chrono::NaiveDate>, Query, description = "First local date, inclusive (default: 364 days \
                                                                   before `to`); at most 400 days"),
        ("to" = Option<chrono::NaiveDate>, Query, description = "Last local date, inclusive (default: today)"),
    ),
    responses(
        (status = 200, description = "The prices", body = PriceList),
        (status = 400, description = "`invalid_parameter`: missing or unknown commodity, a bad date or range, or \
                                      an unknown parameter"),
    )
)]
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

/// Store prices
///
/// Dated prices and the heat content, all or nothing; a repeated day keeps its last price. Admins only.
#[utoipa::path(
    put,
    path = "/prices",
    operation_id = "update_prices",
    tag = "prices",
    request_body = PriceUpdateInput,
    responses(
        (status = 200, description = "What was stored", body = PriceUpdateResult),
        (status = 403, description = "`forbidden`: admins only"),
        (status = 422, description = "`validation_failed`: each bad field is named (`details.fields`, e.g. \
                                      `points[3].price`); nothing was stored"),
    )
)]
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
