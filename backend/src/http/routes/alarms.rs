//! The alarm API: list with filters, one alarm and its journal, acknowledge (one, or every unacknowledged one
//! matching a filter), shelve and unshelve; the tenant's alarm rules. Reads are open to every role; operators and
//! admins act on alarms; only admins change the rules.
//!
//! Acknowledge, acknowledge-all and shelve take an optional `Idempotency-Key` header: a request repeated with the
//! same key (a retry after a lost answer) is answered without being applied again, with `Idempotent-Replayed: true`
//! (see `services::alarms::requests`).

use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, Caller, QueryParams, parse_uuid};
use crate::http::routes::wells::parse_well_id;
use crate::http::state::AppState;
use crate::ports::{AlarmFilter, OutOfService, PageRequest, StoredAlarm};
use crate::services::alarms::{AlarmServiceError, Answered, RequestKey};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use flowline_shared::alarms::{Alarm, AlarmHealth, AlarmId, AlarmPriority, AlarmRuleSet, AlarmState, AlarmTransition};
use flowline_shared::dto::Page;
use flowline_shared::dto::alarms::{
    AcknowledgeAllRequest, AcknowledgeAllResponse, AcknowledgeRequest, AlarmView, OutOfServiceRequest,
    OutOfServiceView, ShelveRequest,
};
use flowline_shared::{TenantId, WellId};
use std::collections::HashMap;

pub const MAX_ALARM_PAGE: u32 = 500;

impl From<AlarmServiceError> for ApiError {
    fn from(e: AlarmServiceError) -> Self {
        match e {
            AlarmServiceError::Storage(s) => s.into(),
            AlarmServiceError::UnknownAlarm(id) => ApiError::not_found(format!("no alarm {} in this tenant", id.0)),
            AlarmServiceError::Window(message) => ApiError::bad_parameter("from", message),
            AlarmServiceError::Rejected(rejected) => match rejected.field() {
                Some(field) => ApiError::bad_parameter(field, rejected.to_string()),
                None => ApiError::conflict(rejected.to_string()),
            },
            AlarmServiceError::KeyReused(message) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, crate::http::error::ErrorCode::ValidationFailed, message)
                    .with_details(serde_json::json!({ "fields": [{ "field": IDEMPOTENCY_KEY, "message": "already used for another request" }] }))
            }
        }
    }
}

/// The request header of a client's idempotency key.
const IDEMPOTENCY_KEY: &str = "Idempotency-Key";
/// The answer header that says a request repeated an earlier one and nothing was applied.
const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// The `Idempotency-Key` header, if sent.
fn request_key(headers: &HeaderMap) -> Result<Option<RequestKey>, ApiError> {
    let Some(raw) = headers.get(IDEMPOTENCY_KEY) else { return Ok(None) };
    let text =
        raw.to_str().map_err(|_| ApiError::bad_parameter(IDEMPOTENCY_KEY, "must be visible ASCII characters"))?;
    RequestKey::parse(text).map(Some).map_err(|e| ApiError::bad_parameter(IDEMPOTENCY_KEY, e))
}

/// The optional header of the operator requests, for the OpenAPI document (the handlers read it with
/// [`request_key`]).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
struct IdempotencyKey {
    /// A key the client chooses per request (1 to 200 visible ASCII characters; a UUID, for example): a request
    /// repeated with the same key is answered as the first one was, without being applied again.
    #[param(rename = "Idempotency-Key")]
    idempotency_key: Option<String>,
}

/// The answer, marked `Idempotent-Replayed: true` when it repeats an earlier request.
fn answer<T: serde::Serialize>(value: T, replayed: bool) -> Response {
    let mut response = Json(value).into_response();
    if replayed {
        response.headers_mut().insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    }
    response
}

fn parse_alarm_id(raw: &str) -> Result<AlarmId, ApiError> {
    parse_uuid("id", raw).map(AlarmId)
}

fn check_window(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Result<(), ApiError> {
    match (from, to) {
        (Some(f), Some(t)) if f > t => Err(ApiError::bad_parameter("from", format!("{f} is after to ({t})"))),
        _ => Ok(()),
    }
}

/// The alarms with their wells' names.
async fn views(state: &AppState, tenant: TenantId, alarms: Vec<Alarm>) -> Result<Vec<AlarmView>, ApiError> {
    let mut ids: Vec<WellId> = alarms.iter().map(|a| a.well_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let names: HashMap<WellId, String> =
        state.storage.wells_by_ids(tenant, &ids).await?.into_iter().map(|w| (w.id, w.name)).collect();
    let out_of_service = state.alarms.out_of_service_wells(tenant).await?;
    let now = state.clock.now();
    Ok(alarms
        .into_iter()
        .map(|a| {
            let name = names.get(&a.well_id).cloned().unwrap_or_default();
            let oos = out_of_service.contains(&a.well_id);
            AlarmView::new(a, name, oos, now)
        })
        .collect())
}

async fn view(state: &AppState, tenant: TenantId, alarm: Alarm) -> Result<Json<AlarmView>, ApiError> {
    let mut one = views(state, tenant, vec![alarm]).await?;
    one.pop().map(Json).ok_or_else(|| ApiError::internal("alarm view lost"))
}

/// List alarms
///
/// The tenant's alarms in any state, newest raise first, with the well's name and whether the alarm is annunciated.
#[utoipa::path(
    get,
    path = "/alarms",
    operation_id = "list_alarms",
    tag = "alarms",
    params(
        ("priority" = inline(Option<AlarmPriority>), Query, description = "Only this priority"),
        ("state" = inline(Option<AlarmState>), Query, description = "Only this state"),
        ("well_id" = Option<uuid::Uuid>, Query, description = "Only this well's alarms"),
        ("from" = Option<chrono::DateTime<chrono::Utc>>, Query, description = "Current occurrence raised at or \
                                                                               after (RFC 3339)"),
        ("to" = Option<chrono::DateTime<chrono::Utc>>, Query, description = "Current occurrence raised before (RFC \
                                                                             3339)"),
        ("limit" = Option<u32>, Query, description = "Page size (default 50)", minimum = 1, maximum = 500),
        ("offset" = Option<u64>, Query, description = "Rows to skip (default 0)"),
    ),
    responses(
        (status = 200, description = "One page of alarms", body = Page<AlarmView>),
        (status = 400, description = "`invalid_parameter`: a filter or paging value is not valid, `from` after \
                                      `to`, or an unknown parameter"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryParams,
) -> Result<Json<Page<AlarmView>>, ApiError> {
    q.allow_only(&["priority", "state", "well_id", "from", "to", "limit", "offset"])?;
    let page = PageRequest {
        limit: q.number("limit", 50, 1..=MAX_ALARM_PAGE)?,
        offset: q.number("offset", 0, 0..=u64::MAX / 2)?,
    };
    let filter = AlarmFilter {
        priority: q.parsed::<AlarmPriority>("priority")?,
        states: q.parsed::<AlarmState>("state")?.into_iter().collect(),
        well_id: q.uuid("well_id")?.map(WellId),
        raised_from: q.instant("from")?,
        raised_to: q.instant("to")?,
    };
    check_window(filter.raised_from, filter.raised_to)?;
    let tenant = caller.0.tenant_id;
    let (rows, total) = state.alarms.list(tenant, &filter, page).await?;
    let items = views(&state, tenant, rows.into_iter().map(|r: StoredAlarm| r.alarm).collect()).await?;
    Ok(Json(Page { items, total, limit: page.limit, offset: page.offset }))
}

/// One alarm
#[utoipa::path(
    get,
    path = "/alarms/{id}",
    operation_id = "get_alarm",
    tag = "alarms",
    params(("id" = uuid::Uuid, Path, description = "The alarm's id")),
    responses(
        (status = 200, description = "The alarm", body = AlarmView),
        (status = 400, description = "`invalid_parameter`: the id is not a UUID"),
        (status = 404, description = "`not_found`: no such alarm in this tenant"),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<AlarmView>, ApiError> {
    let tenant = caller.0.tenant_id;
    let stored = state.alarms.get(tenant, parse_alarm_id(&id)?).await?;
    view(&state, tenant, stored.alarm).await
}

/// An alarm's journal
///
/// Every transition of the alarm (raised, returned, acknowledged, shelved, unshelved, shelf expired), oldest first.
#[utoipa::path(
    get,
    path = "/alarms/{id}/journal",
    operation_id = "get_alarm_journal",
    tag = "alarms",
    params(("id" = uuid::Uuid, Path, description = "The alarm's id")),
    responses(
        (status = 200, description = "The transitions", body = Vec<AlarmTransition>),
        (status = 400, description = "`invalid_parameter`: the id is not a UUID"),
        (status = 404, description = "`not_found`: no such alarm in this tenant"),
    )
)]
pub async fn journal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<AlarmTransition>>, ApiError> {
    Ok(Json(state.alarms.history(caller.0.tenant_id, parse_alarm_id(&id)?).await?))
}

/// Acknowledge an alarm
///
/// Active becomes acknowledged, returned-to-normal closes; records who, when and the comment. Operators and admins.
#[utoipa::path(
    post,
    path = "/alarms/{id}/acknowledge",
    operation_id = "acknowledge_alarm",
    tag = "alarms",
    params(("id" = uuid::Uuid, Path, description = "The alarm's id"), IdempotencyKey),
    request_body = AcknowledgeRequest,
    responses(
        (status = 200, description = "The alarm after the acknowledgement (`Idempotent-Replayed: true` when the \
                                      request repeated an earlier one with the same key)", body = AlarmView),
        (status = 400, description = "`invalid_parameter`: the id is not a UUID, the comment is too long, or a \
                                      malformed `Idempotency-Key`"),
        (status = 403, description = "`forbidden`: viewers may not act on alarms"),
        (status = 404, description = "`not_found`: no such alarm in this tenant"),
        (status = 409, description = "`conflict`: already acknowledged or closed"),
        (status = 422, description = "`validation_failed`: the `Idempotency-Key` was used for another request"),
    )
)]
pub async fn acknowledge(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<AcknowledgeRequest>,
) -> Result<Response, ApiError> {
    caller.require_writer()?;
    let tenant = caller.0.tenant_id;
    let id = parse_alarm_id(&id)?;
    let key = request_key(&headers)?;
    let by = caller.0.user_id;
    let Answered { value, replayed } =
        state.alarms.acknowledge(tenant, id, by, request.comment.as_deref(), key.as_ref()).await?;
    Ok(answer(view(&state, tenant, value).await?.0, replayed))
}

/// Acknowledge every matching alarm
///
/// Acknowledges every unacknowledged alarm matching the filter (all when empty; at most 1,000 at once). Operators
/// and admins.
#[utoipa::path(
    post,
    path = "/alarms/acknowledge",
    operation_id = "acknowledge_alarms",
    tag = "alarms",
    params(IdempotencyKey),
    request_body = AcknowledgeAllRequest,
    responses(
        (status = 200, description = "How many were acknowledged (by the first request with the key, with \
                                      `Idempotent-Replayed: true`, when this one repeated it)",
         body = AcknowledgeAllResponse),
        (status = 400, description = "`invalid_parameter`: `from` after `to`, the comment is too long, or a \
                                      malformed `Idempotency-Key`"),
        (status = 403, description = "`forbidden`: viewers may not act on alarms"),
        (status = 422, description = "`validation_failed`: the `Idempotency-Key` was used for another request"),
    )
)]
pub async fn acknowledge_all(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(request): ApiJson<AcknowledgeAllRequest>,
) -> Result<Response, ApiError> {
    caller.require_writer()?;
    let key = request_key(&headers)?;
    let f = request.filter;
    check_window(f.from, f.to)?;
    let filter = AlarmFilter {
        priority: f.priority,
        states: f.state.into_iter().collect(),
        well_id: f.well_id.map(WellId),
        raised_from: f.from,
        raised_to: f.to,
    };
    let tenant = caller.0.tenant_id;
    let comment = request.comment.as_deref();
    let Answered { value: acknowledged, replayed } =
        state.alarms.acknowledge_matching(tenant, &filter, caller.0.user_id, comment, key.as_ref()).await?;
    Ok(answer(AcknowledgeAllResponse { acknowledged }, replayed))
}

/// Shelve an alarm
///
/// A shelved alarm is not annunciated until `until` (at most 7 days ahead), when it is unshelved automatically.
/// Operators and admins.
#[utoipa::path(
    post,
    path = "/alarms/{id}/shelve",
    operation_id = "shelve_alarm",
    tag = "alarms",
    params(("id" = uuid::Uuid, Path, description = "The alarm's id"), IdempotencyKey),
    request_body = ShelveRequest,
    responses(
        (status = 200, description = "The shelved alarm (`Idempotent-Replayed: true` when the request repeated an \
                                      earlier one with the same key)", body = AlarmView),
        (status = 400, description = "`invalid_parameter`: the id is not a UUID, a missing or too long `reason`, \
                                      `until` not in the next 7 days, or a malformed `Idempotency-Key`"),
        (status = 403, description = "`forbidden`: viewers may not act on alarms"),
        (status = 404, description = "`not_found`: no such alarm in this tenant"),
        (status = 409, description = "`conflict`: already shelved, or closed"),
        (status = 422, description = "`validation_failed`: the `Idempotency-Key` was used for another request"),
    )
)]
pub async fn shelve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<ShelveRequest>,
) -> Result<Response, ApiError> {
    caller.require_writer()?;
    let tenant = caller.0.tenant_id;
    let id = parse_alarm_id(&id)?;
    let key = request_key(&headers)?;
    let shelf = (request.reason.as_str(), request.until);
    let Answered { value, replayed } = state.alarms.shelve(tenant, id, caller.0.user_id, shelf, key.as_ref()).await?;
    Ok(answer(view(&state, tenant, value).await?.0, replayed))
}

/// Unshelve an alarm
///
/// Operators and admins.
#[utoipa::path(
    post,
    path = "/alarms/{id}/unshelve",
    operation_id = "unshelve_alarm",
    tag = "alarms",
    params(("id" = uuid::Uuid, Path, description = "The alarm's id")),
    responses(
        (status = 200, description = "The alarm, annunciated again if still open", body = AlarmView),
        (status = 400, description = "`invalid_parameter`: the id is not a UUID"),
        (status = 403, description = "`forbidden`: viewers may not act on alarms"),
        (status = 404, description = "`not_found`: no such alarm in this tenant"),
        (status = 409, description = "`conflict`: the alarm is not shelved"),
    )
)]
pub async fn unshelve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<AlarmView>, ApiError> {
    caller.require_writer()?;
    let tenant = caller.0.tenant_id;
    let alarm = state.alarms.unshelve(tenant, parse_alarm_id(&id)?, caller.0.user_id).await?;
    view(&state, tenant, alarm).await
}

/// Alarm-system health
///
/// The EEMUA 191 / ISA-18.2 KPIs over a window: alarms raised, average and busiest 10-minute rate with its
/// assessment, flood periods (10 or more in 10 minutes), standing alarms (active over 24 h), chattering alarms (3 or
/// more transitions in a minute), the top ten bad actors and the priority mix.
#[utoipa::path(
    get,
    path = "/alarms/health",
    operation_id = "get_alarm_health",
    tag = "alarms",
    params(
        ("from" = Option<chrono::DateTime<chrono::Utc>>, Query, description = "Window start (RFC 3339; default 24 \
                                                                               hours before `to`)"),
        ("to" = Option<chrono::DateTime<chrono::Utc>>, Query, description = "Window end (RFC 3339; default now); \
                                                                             at most 31 days after `from`"),
    ),
    responses(
        (status = 200, description = "The KPIs", body = AlarmHealth),
        (status = 400, description = "`invalid_parameter`: a bad instant, an empty, reversed or too long window, \
                                      or an unknown parameter"),
    )
)]
pub async fn health(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryParams,
) -> Result<Json<AlarmHealth>, ApiError> {
    q.allow_only(&["from", "to"])?;
    let to = q.instant("to")?.unwrap_or_else(|| state.clock.now());
    let from = q.instant("from")?.unwrap_or(to - chrono::Duration::hours(24));
    Ok(Json(state.alarms.health(caller.0.tenant_id, from, to).await?))
}

fn out_of_service_view(o: OutOfService) -> OutOfServiceView {
    OutOfServiceView { well_id: o.well_id.0, since: o.since, by: o.by.0, reason: o.reason }
}

/// Wells whose alarms are out of service
#[utoipa::path(
    get,
    path = "/alarms/out-of-service",
    operation_id = "list_out_of_service",
    tag = "alarms",
    responses(
        (status = 200, description = "The wells, with who took them out of service, when and why",
         body = Vec<OutOfServiceView>),
    )
)]
pub async fn out_of_service(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<OutOfServiceView>>, ApiError> {
    let found = state.alarms.out_of_service(caller.0.tenant_id).await?;
    Ok(Json(found.into_iter().map(out_of_service_view).collect()))
}

/// Take a well's alarms out of service
///
/// Its rules are no longer evaluated; its open alarms are kept but not annunciated (`annunciated: false`).
/// Operators and admins.
#[utoipa::path(
    put,
    path = "/wells/{id}/alarms-out-of-service",
    operation_id = "take_out_of_service",
    tag = "alarms",
    params(("id" = uuid::Uuid, Path, description = "The well's id")),
    request_body = OutOfServiceRequest,
    responses(
        (status = 200, description = "The out-of-service record", body = OutOfServiceView),
        (status = 400, description = "`invalid_parameter`: the id is not a UUID, or a missing or too long `reason`"),
        (status = 403, description = "`forbidden`: viewers may not act on alarms"),
        (status = 404, description = "`not_found`: no such well in this tenant"),
    )
)]
pub async fn take_out_of_service(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<OutOfServiceRequest>,
) -> Result<Json<OutOfServiceView>, ApiError> {
    caller.require_writer()?;
    let well = parse_well_id(&id)?;
    let record = state.alarms.take_out_of_service(caller.0.tenant_id, well, caller.0.user_id, &request.reason).await?;
    Ok(Json(out_of_service_view(record)))
}

/// Return a well's alarms to service
///
/// Operators and admins.
#[utoipa::path(
    delete,
    path = "/wells/{id}/alarms-out-of-service",
    operation_id = "return_to_service",
    tag = "alarms",
    params(("id" = uuid::Uuid, Path, description = "The well's id")),
    responses(
        (status = 204, description = "Back in service"),
        (status = 400, description = "`invalid_parameter`: the id is not a UUID"),
        (status = 403, description = "`forbidden`: viewers may not act on alarms"),
        (status = 404, description = "`not_found`: no such well in this tenant"),
    )
)]
pub async fn return_to_service(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require_writer()?;
    state.alarms.return_to_service(caller.0.tenant_id, parse_well_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The alarm rules
///
/// The tenant's rules (the defaults until an admin saves some): per kind `enabled`, `priority` and the trip and
/// clear limits; and the staleness limit.
#[utoipa::path(
    get,
    path = "/alarm-rules",
    operation_id = "get_alarm_rules",
    tag = "alarms",
    responses((status = 200, description = "The rule set", body = AlarmRuleSet))
)]
pub async fn rules(State(state): State<AppState>, caller: Caller) -> Result<Json<AlarmRuleSet>, ApiError> {
    Ok(Json(state.alarms.rules(caller.0.tenant_id).await?))
}

/// Replace the alarm rules
///
/// The whole set; every field is validated (a bad value is `invalid_body` naming its path). Admins only.
#[utoipa::path(
    put,
    path = "/alarm-rules",
    operation_id = "put_alarm_rules",
    tag = "alarms",
    request_body = AlarmRuleSet,
    responses(
        (status = 200, description = "The rule set as stored", body = AlarmRuleSet),
        (status = 403, description = "`forbidden`: admins only"),
    )
)]
pub async fn put_rules(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(rules): ApiJson<AlarmRuleSet>,
) -> Result<Json<AlarmRuleSet>, ApiError> {
    caller.require_admin()?;
    let tenant = caller.0.tenant_id;
    state.alarms.put_rules(tenant, &rules, caller.0.user_id).await?;
    Ok(Json(state.alarms.rules(tenant).await?))
}
