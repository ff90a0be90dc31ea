//! The alarm API: list with filters, one alarm and its journal, acknowledge (one, or every unacknowledged one
//! matching a filter), shelve and unshelve; the tenant's alarm rules. Reads are open to every role; operators and
//! admins act on alarms; only admins change the rules.

use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, Caller, QueryParams, parse_uuid};
use crate::http::routes::wells::parse_well_id;
use crate::http::state::AppState;
use crate::ports::{AlarmFilter, OutOfService, PageRequest, StoredAlarm};
use crate::services::alarms::AlarmServiceError;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
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
        }
    }
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

/// `GET /api/v1/alarms?priority=&state=&well_id=&from=&to=&limit=&offset=`: newest raise first.
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

/// `GET /api/v1/alarms/{id}`.
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<AlarmView>, ApiError> {
    let tenant = caller.0.tenant_id;
    let stored = state.alarms.get(tenant, parse_alarm_id(&id)?).await?;
    view(&state, tenant, stored.alarm).await
}

/// `GET /api/v1/alarms/{id}/journal`: every transition, oldest first.
pub async fn journal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<AlarmTransition>>, ApiError> {
    Ok(Json(state.alarms.history(caller.0.tenant_id, parse_alarm_id(&id)?).await?))
}

/// `POST /api/v1/alarms/{id}/acknowledge` with `{ "comment"? }`.
pub async fn acknowledge(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<AcknowledgeRequest>,
) -> Result<Json<AlarmView>, ApiError> {
    caller.require_writer()?;
    let tenant = caller.0.tenant_id;
    let id = parse_alarm_id(&id)?;
    let alarm = state.alarms.acknowledge(tenant, id, caller.0.user_id, request.comment.as_deref()).await?;
    view(&state, tenant, alarm).await
}

/// `POST /api/v1/alarms/acknowledge` with `{ "filter"?: {…}, "comment"? }`: every unacknowledged alarm matching.
pub async fn acknowledge_all(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<AcknowledgeAllRequest>,
) -> Result<Json<AcknowledgeAllResponse>, ApiError> {
    caller.require_writer()?;
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
    let acknowledged =
        state.alarms.acknowledge_matching(tenant, &filter, caller.0.user_id, request.comment.as_deref()).await?;
    Ok(Json(AcknowledgeAllResponse { acknowledged }))
}

/// `POST /api/v1/alarms/{id}/shelve` with `{ "reason", "until" }`.
pub async fn shelve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ShelveRequest>,
) -> Result<Json<AlarmView>, ApiError> {
    caller.require_writer()?;
    let tenant = caller.0.tenant_id;
    let id = parse_alarm_id(&id)?;
    let alarm = state.alarms.shelve(tenant, id, caller.0.user_id, &request.reason, request.until).await?;
    view(&state, tenant, alarm).await
}

/// `POST /api/v1/alarms/{id}/unshelve`.
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

/// `GET /api/v1/alarms/health?from=&to=`: the alarm-system KPIs over a window (default: the last 24 hours).
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

/// `GET /api/v1/alarms/out-of-service`: the wells whose alarms are out of service.
pub async fn out_of_service(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<OutOfServiceView>>, ApiError> {
    let found = state.alarms.out_of_service(caller.0.tenant_id).await?;
    Ok(Json(found.into_iter().map(out_of_service_view).collect()))
}

/// `PUT /api/v1/wells/{id}/alarms-out-of-service` with `{ "reason" }`.
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

/// `DELETE /api/v1/wells/{id}/alarms-out-of-service`: back in service (204).
pub async fn return_to_service(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require_writer()?;
    state.alarms.return_to_service(caller.0.tenant_id, parse_well_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/alarm-rules`: the tenant's rules (the defaults until an admin saves some).
pub async fn rules(State(state): State<AppState>, caller: Caller) -> Result<Json<AlarmRuleSet>, ApiError> {
    Ok(Json(state.alarms.rules(caller.0.tenant_id).await?))
}

/// `PUT /api/v1/alarm-rules` with a whole rule set (admins only); validated field by field.
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
