//! The analytics query API: stored aggregates, the trend list and a well's trend mini-chart, forecasts and the
//! anomaly list, as JSON or (lists) CSV. Every handler works in the caller's tenant, whose time zone fixes the
//! local dates.

use crate::http::error::ApiError;
use crate::http::export::{CsvTable, Format, MAX_CSV_ROWS, instant, num};
use crate::http::extract::{Caller, QueryParams};
use crate::http::routes::wells::parse_well_id;
use crate::http::state::AppState;
use crate::ports::{AnomalyQuery, PageRequest, StoredAnomaly, StoredTrend, TrendFilter, TrendSort};
use crate::services::analytics::{ANALYSED_FIELDS, ForecastKind, ForecastRequest, WellForecast, local_today};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use flowline_shared::analytics::aggregation::{Field, Period, PeriodWindow, TimeSeriesAggregate};
use flowline_shared::analytics::forecast::DEFAULT_HORIZON_DAYS;
use flowline_shared::analytics::trend::TrendDirection;
use flowline_shared::dto::{
    AggregateView, AnomalyView, ForecastModelKind, ForecastView, Page, TrendDetail, TrendListItem,
    parse_trend_direction, trend_direction_str,
};
use flowline_shared::{Tenant, WellId, WellStatus, WellType};
use std::collections::BTreeMap;

pub const MAX_TREND_PAGE: u32 = 500;
pub const MAX_ANOMALY_PAGE: u32 = 1_000;
/// `period` of the trend detail when none is given.
pub const DEFAULT_TREND_DAYS: u32 = 30;
pub const DEFAULT_LEVEL_PERCENT: f64 = 95.0;

/// The caller's tenant (for its time zone). 401 when it no longer exists.
pub async fn caller_tenant(state: &AppState, caller: &Caller) -> Result<Tenant, ApiError> {
    state
        .storage
        .tenant_by_id(caller.0.tenant_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("the tenant of this token no longer exists"))
}

/// The tenant's local date now (names the CSV downloads).
fn today(state: &AppState, tenant: &Tenant) -> NaiveDate {
    local_today(state.clock.now(), tenant.time_zone)
}

fn well_param(q: &QueryParams, name: &str) -> Result<Option<WellId>, ApiError> {
    Ok(q.uuid(name)?.map(WellId))
}

/// `field=` of the lists of stored results: only the analysed fields have trends and anomalies.
fn analysed_field(q: &QueryParams) -> Result<Option<Field>, ApiError> {
    let field = q.parsed::<Field>("field")?;
    match field {
        Some(f) if !ANALYSED_FIELDS.contains(&f) => {
            let names: Vec<&str> = ANALYSED_FIELDS.iter().map(|f| f.as_str()).collect();
            Err(ApiError::bad_parameter(
                "field",
                format!("trends and anomalies are computed for {} only, not {f}", names.join(", ")),
            ))
        }
        other => Ok(other),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// GET /aggregates

/// Stored aggregates of one well
///
/// Daily, weekly or monthly statistics of each field over local periods of the tenant's time zone, as JSON (not
/// paginated) or, with `format=csv`, as a CSV download (one row per period, the fields side by side).
#[utoipa::path(
    get,
    path = "/aggregates",
    operation_id = "list_aggregates",
    tag = "analytics",
    params(
        ("well_id" = uuid::Uuid, Query, description = "The well (required)"),
        ("period" = inline(Period), Query, description = "Aggregation period (required)"),
        ("from" = chrono::NaiveDate, Query, description = "First period start, a local date (required)"),
        ("to" = chrono::NaiveDate, Query, description = "Last period start, a local date, at most 3,660 days after \
                                                         `from` (required)"),
        ("field" = inline(Option<Field>), Query, description = "Only this field (default all seven)"),
        ("format" = Option<String>, Query, description = "`json` (default) or `csv`", pattern = "^(json|csv)$"),
    ),
    responses(
        (status = 200, description = "The aggregates", content(
            (Vec<AggregateView> = "application/json"),
            (String = "text/csv"),
        ), headers(
            ("Content-Disposition" = String,
             description = "CSV only: `attachment; filename=\"aggregates_<YYYY-MM-DD>.csv\"`"),
        )),
        (status = 400, description = "`invalid_parameter`: a required parameter is missing, a value is not valid, \
                                      the range is too long, or an unknown parameter"),
        (status = 404, description = "`not_found`: no such well in this tenant"),
        (status = 500, description = "`internal`: the computation failed"),
    )
)]
pub async fn aggregates(State(state): State<AppState>, caller: Caller, q: QueryParams) -> Result<Response, ApiError> {
    q.allow_only(&["well_id", "period", "field", "from", "to", "format"])?;
    let format = Format::from_query(&q)?;
    let well_id = WellId(q.uuid("well_id")?.ok_or_else(|| ApiError::bad_parameter("well_id", "is required"))?);
    let period = q.parsed::<Period>("period")?.ok_or_else(|| ApiError::bad_parameter("period", "is required"))?;
    let field = q.parsed::<Field>("field")?;
    let from = q.date("from")?.ok_or_else(|| ApiError::bad_parameter("from", "is required"))?;
    let to = q.date("to")?.ok_or_else(|| ApiError::bad_parameter("to", "is required"))?;
    let tenant = caller_tenant(&state, &caller).await?;
    let found = state.analytics.aggregates(&tenant, well_id, period, field, from, to).await?;
    match format {
        Format::Json => Ok(Json(found.iter().map(AggregateView::new).collect::<Vec<_>>()).into_response()),
        Format::Csv => aggregates_csv(&found, field)?.into_response("aggregates", today(&state, &tenant), None),
    }
}

/// The prefix of a field's rate columns: the unit in the name (`oil_bbl_per_day`, `tubing_psig`, `hours_on`).
fn rate_columns(field: Field) -> String {
    match field {
        Field::OilBbl | Field::GasMcf | Field::WaterBbl => format!("{}_per_day", field.as_str()),
        other => other.as_str().to_owned(),
    }
}

/// One row per period, the fields side by side (only `field` when given), units in the column names.
fn aggregates_csv(found: &[TimeSeriesAggregate], field: Option<Field>) -> Result<CsvTable, ApiError> {
    let fields: Vec<Field> = field.map_or_else(|| Field::ALL.to_vec(), |f| vec![f]);
    let mut header: Vec<String> =
        ["well_id", "period", "period_start", "start", "end"].iter().map(|s| (*s).to_owned()).collect();
    for f in &fields {
        let rate = rate_columns(*f);
        header.extend(["avg", "min", "max", "stddev"].iter().map(|s| format!("{rate}_{s}")));
        if f.sums_to_volume() {
            header.push(format!("{}_total", f.as_str()));
        }
        header.extend(["days", "entries", "complete"].iter().map(|s| format!("{}_{s}", f.as_str())));
    }
    let mut table = CsvTable::new(&header)?;
    let mut by_period: BTreeMap<(WellId, NaiveDate), (PeriodWindow, Vec<&TimeSeriesAggregate>)> = BTreeMap::new();
    for a in found {
        by_period.entry((a.well_id, a.period.local_start())).or_insert_with(|| (a.period, Vec::new())).1.push(a);
    }
    for ((well_id, _), (window, aggs)) in by_period {
        let mut row = vec![
            well_id.to_string(),
            window.period().as_str().to_owned(),
            window.local_start().to_string(),
            instant(window.start()),
            instant(window.end()),
        ];
        for f in &fields {
            let a = aggs.iter().find(|a| a.field == *f);
            row.push(num(a.map(|a| a.stats.mean)));
            row.push(num(a.map(|a| a.stats.min)));
            row.push(num(a.map(|a| a.stats.max)));
            row.push(num(a.and_then(|a| a.stddev())));
            if f.sums_to_volume() {
                row.push(num(a.map(|a| a.volume())));
            }
            row.push(a.map(|a| a.days_with_data().to_string()).unwrap_or_default());
            row.push(a.map(|a| a.entries.to_string()).unwrap_or_default());
            let complete = a.is_some_and(|a| a.is_complete(&Default::default()));
            row.push(if a.is_some() { complete.to_string() } else { String::new() });
        }
        table.row(row)?;
    }
    Ok(table)
}

// ---------------------------------------------------------------------------------------------------------------
// GET /trends

fn trend_item(t: StoredTrend) -> TrendListItem {
    TrendListItem::new(t.well_id, t.well_name, t.well_type, t.well_status, t.lease, t.field, &t.trend, t.computed_at)
}

/// The trend list
///
/// Each well's stored 30-day trend of its primary product (or of `field`), steepest decline first by default; as
/// JSON pages or, with `format=csv`, every matching row (up to 10,000) as a CSV download.
#[utoipa::path(
    get,
    path = "/trends",
    operation_id = "list_trends",
    tag = "analytics",
    params(
        ("limit" = Option<u32>, Query, description = "Page size (default 50; JSON only)", minimum = 1, maximum = 500),
        ("offset" = Option<u64>, Query, description = "Rows to skip (default 0; JSON only)"),
        ("status" = inline(Option<WellStatus>), Query, description = "Only wells in this status"),
        ("type" = inline(Option<WellType>), Query, description = "Only wells of this type"),
        ("lease" = Option<String>, Query, description = "Only wells on this lease"),
        ("direction" = inline(Option<TrendDirection>), Query, description = "Only trends in this direction"),
        ("field" = inline(Option<Field>), Query,
         description = "`oil_bbl`, `gas_mcf` or `water_bbl` (default: each well's primary product)"),
        ("sort" = Option<String>, Query, description = "`change` (steepest decline first, the default), `-change` \
                                                        or `name`", pattern = "^(change|-change|name)$"),
        ("format" = Option<String>, Query, description = "`json` (default) or `csv`", pattern = "^(json|csv)$"),
    ),
    responses(
        (status = 200, description = "One page of trends, or the CSV of every matching row", content(
            (Page<TrendListItem> = "application/json"),
            (String = "text/csv"),
        ), headers(
            ("Content-Disposition" = String,
             description = "CSV only: `attachment; filename=\"trends_<YYYY-MM-DD>.csv\"`"),
            ("X-Total-Count" = u64, description = "CSV only: all matching rows (may exceed the rows written)"),
        )),
        (status = 400, description = "`invalid_parameter`: a filter, sort or paging value is not valid, or an \
                                      unknown parameter"),
    )
)]
pub async fn trends(State(state): State<AppState>, caller: Caller, q: QueryParams) -> Result<Response, ApiError> {
    q.allow_only(&["limit", "offset", "status", "type", "lease", "direction", "field", "sort", "format"])?;
    let format = Format::from_query(&q)?;
    let page = PageRequest {
        limit: q.number("limit", 50, 1..=MAX_TREND_PAGE)?,
        offset: q.number("offset", 0, 0..=u64::MAX / 2)?,
    };
    let direction = q
        .text("direction")
        .map(|v| parse_trend_direction(&v).map_err(|e| ApiError::bad_parameter("direction", e)))
        .transpose()?;
    let filter = TrendFilter {
        field: analysed_field(&q)?,
        status: q.parsed("status")?,
        well_type: q.parsed("type")?,
        lease: q.text("lease"),
        direction,
    };
    let sort = match q.text("sort").as_deref() {
        None | Some("change") => TrendSort::ChangeAscending,
        Some("-change") => TrendSort::ChangeDescending,
        Some("name") => TrendSort::Name,
        Some(other) => {
            return Err(ApiError::bad_parameter(
                "sort",
                format!("{other:?} is not valid: expected change, -change or name"),
            ));
        }
    };
    let tenant = caller_tenant(&state, &caller).await?;
    match format {
        Format::Json => {
            let (rows, total) = state.analytics.trends(&tenant, &filter, sort, page).await?;
            let items = rows.into_iter().map(trend_item).collect();
            Ok(Json(Page { items, total, limit: page.limit, offset: page.offset }).into_response())
        }
        Format::Csv => {
            let all = PageRequest { limit: MAX_CSV_ROWS, offset: 0 };
            let (rows, total) = state.analytics.trends(&tenant, &filter, sort, all).await?;
            let mut table = CsvTable::new(&[
                "well_id",
                "well_name",
                "well_type",
                "well_status",
                "lease",
                "field",
                "unit",
                "direction",
                "window_days",
                "slope_per_day",
                "r_squared",
                "slope_std_error",
                "percent_change",
                "recent_mean",
                "previous_mean",
                "points_used",
                "downtime_days",
                "as_of",
                "computed_at",
            ])?;
            for t in rows.into_iter().map(trend_item) {
                table.row([
                    t.well_id.to_string(),
                    t.well_name,
                    t.well_type.as_str().to_owned(),
                    t.well_status.as_str().to_owned(),
                    t.lease.unwrap_or_default(),
                    t.field.as_str().to_owned(),
                    t.unit,
                    trend_direction_str(t.direction).to_owned(),
                    t.window_days.to_string(),
                    num(t.slope_per_day),
                    num(t.r_squared),
                    num(t.slope_std_error),
                    num(t.percent_change),
                    num(t.recent_mean),
                    num(t.previous_mean),
                    t.points_used.to_string(),
                    t.downtime_days.to_string(),
                    t.as_of.to_string(),
                    instant(t.computed_at),
                ])?;
            }
            table.into_response("trends", today(&state, &tenant), Some(total))
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// GET /trends/{well_id}

/// `7d`, `30d`, `90d`…: a number of days (the range is the service's).
fn parse_period_days(q: &QueryParams) -> Result<u32, ApiError> {
    let Some(raw) = q.text("period") else { return Ok(DEFAULT_TREND_DAYS) };
    raw.strip_suffix('d')
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse::<u32>().ok())
        .ok_or_else(|| {
            ApiError::bad_parameter("period", format!("{raw:?} is not valid: expected days such as 7d, 30d or 90d"))
        })
}

/// A well's trend mini-chart
///
/// The window's daily points, the least-squares line and the trend figures; `insufficient_data` with a `message`
/// below 3 producing days.
#[utoipa::path(
    get,
    path = "/trends/{well_id}",
    operation_id = "get_trend",
    tag = "analytics",
    params(
        ("well_id" = uuid::Uuid, Path, description = "The well's id"),
        ("period" = Option<String>, Query, description = "Window in days, `Nd` from `3d` to `3660d` (default \
                                                          `30d`)", pattern = "^[0-9]+d$"),
        ("field" = inline(Option<Field>), Query, description = "The field (default the well's primary product)"),
    ),
    responses(
        (status = 200, description = "The mini-chart", body = TrendDetail),
        (status = 400, description = "`invalid_parameter`: the id, period or field is not valid, or an unknown \
                                      parameter"),
        (status = 404, description = "`not_found`: no such well in this tenant"),
        (status = 500, description = "`internal`: the computation failed"),
    )
)]
pub async fn trend_detail(
    State(state): State<AppState>,
    caller: Caller,
    Path(well_id): Path<String>,
    q: QueryParams,
) -> Result<Json<TrendDetail>, ApiError> {
    q.allow_only(&["period", "field"])?;
    let well_id = crate::http::extract::parse_uuid("well_id", &well_id).map(WellId)?;
    let days = parse_period_days(&q)?;
    let field = q.parsed::<Field>("field")?;
    let tenant = caller_tenant(&state, &caller).await?;
    let detail = state.analytics.trend_detail(&tenant, well_id, field, days).await?;
    Ok(Json(TrendDetail::new(detail.well.id, detail.well.name, detail.field, &detail.points, &detail.trend)))
}

// ---------------------------------------------------------------------------------------------------------------
// GET /wells/{id}/forecast

/// A well's production forecast
///
/// ETS (with a prediction interval) or Arps decline (with EUR); the default request (ETS, 7 days, 95 %) is answered
/// from the last analytics pass, others are computed on request. `available: false` with a `reason` when the data
/// do not allow a forecast.
#[utoipa::path(
    get,
    path = "/wells/{id}/forecast",
    operation_id = "get_forecast",
    tag = "analytics",
    params(
        ("id" = uuid::Uuid, Path, description = "The well's id"),
        ("days" = Option<u32>, Query, description = "Horizon in days (default 7)", minimum = 1, maximum = 90),
        ("model" = inline(Option<ForecastModelKind>), Query, description = "`ets` (default) or `arps`"),
        ("level" = Option<f64>, Query, description = "Prediction interval level in percent (default 95; ETS \
                                                      only)", minimum = 80, maximum = 99),
        ("field" = inline(Option<Field>), Query, description = "The field (default the well's primary product)"),
    ),
    responses(
        (status = 200, description = "The forecast", body = ForecastView),
        (status = 400, description = "`invalid_parameter`: the id, days, model, level or field is not valid, or \
                                      an unknown parameter"),
        (status = 404, description = "`not_found`: no such well in this tenant"),
        (status = 500, description = "`internal`: the computation failed"),
    )
)]
pub async fn forecast(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    q: QueryParams,
) -> Result<Json<ForecastView>, ApiError> {
    q.allow_only(&["days", "model", "level", "field"])?;
    let id = parse_well_id(&id)?;
    let days = q.parsed::<u32>("days")?.unwrap_or(DEFAULT_HORIZON_DAYS);
    let model = q.parsed::<ForecastModelKind>("model")?.unwrap_or(ForecastModelKind::Ets);
    let level_percent = q.parsed::<f64>("level")?.unwrap_or(DEFAULT_LEVEL_PERCENT);
    let field = q.parsed::<Field>("field")?;
    let kind = match model {
        ForecastModelKind::Ets => ForecastKind::Ets,
        ForecastModelKind::Arps => ForecastKind::Arps,
    };
    let request = ForecastRequest::new(days, kind, level_percent, field)?;
    let tenant = caller_tenant(&state, &caller).await?;
    let view = match state.analytics.forecast(&tenant, id, request).await? {
        WellForecast::Ets { field, forecast, computed_at } => ForecastView::ets(id, field, &forecast, computed_at),
        WellForecast::Arps { field, fit, points, computed_at } => {
            ForecastView::arps(id, field, &fit, &points, computed_at)
        }
        WellForecast::Unavailable { field, reason, computed_at } => {
            let level = (model == ForecastModelKind::Ets).then_some(level_percent);
            ForecastView::unavailable(id, field, model, request.days, level, reason, computed_at)
        }
    };
    Ok(Json(view))
}

// ---------------------------------------------------------------------------------------------------------------
// GET /anomalies

fn anomaly_view(a: StoredAnomaly) -> AnomalyView {
    AnomalyView::new(a.well_id, a.well_name, a.field, &a.anomaly, a.detected_at)
}

/// The anomaly list
///
/// Stored anomalies (producing days departing from the trailing 30-day line), newest day first; as JSON pages or,
/// with `format=csv`, every matching row (up to 10,000) as a CSV download.
#[utoipa::path(
    get,
    path = "/anomalies",
    operation_id = "list_anomalies",
    tag = "analytics",
    params(
        ("since" = Option<chrono::NaiveDate>, Query, description = "Only days on or after this local date"),
        ("well_id" = Option<uuid::Uuid>, Query, description = "Only this well"),
        ("field" = inline(Option<Field>), Query, description = "`oil_bbl`, `gas_mcf` or `water_bbl`"),
        ("limit" = Option<u32>, Query, description = "Page size (default 100; JSON only)", minimum = 1, maximum = 1000),
        ("offset" = Option<u64>, Query, description = "Rows to skip (default 0; JSON only)"),
        ("format" = Option<String>, Query, description = "`json` (default) or `csv`", pattern = "^(json|csv)$"),
    ),
    responses(
        (status = 200, description = "One page of anomalies, or the CSV of every matching row", content(
            (Page<AnomalyView> = "application/json"),
            (String = "text/csv"),
        ), headers(
            ("Content-Disposition" = String,
             description = "CSV only: `attachment; filename=\"anomalies_<YYYY-MM-DD>.csv\"`"),
            ("X-Total-Count" = u64, description = "CSV only: all matching rows (may exceed the rows written)"),
        )),
        (status = 400, description = "`invalid_parameter`: a filter or paging value is not valid, or an unknown \
                                      parameter"),
        (status = 404, description = "`not_found`: `well_id` names no well of this tenant"),
    )
)]
pub async fn anomalies(State(state): State<AppState>, caller: Caller, q: QueryParams) -> Result<Response, ApiError> {
    q.allow_only(&["since", "well_id", "field", "limit", "offset", "format"])?;
    let format = Format::from_query(&q)?;
    let page = PageRequest {
        limit: q.number("limit", 100, 1..=MAX_ANOMALY_PAGE)?,
        offset: q.number("offset", 0, 0..=u64::MAX / 2)?,
    };
    let since = q.date("since")?;
    let well_id = well_param(&q, "well_id")?;
    let field = analysed_field(&q)?;
    let tenant = caller_tenant(&state, &caller).await?;
    if let Some(id) = well_id {
        // 404 for a well of another tenant, rather than an empty list that looks like "no anomalies".
        state.wells.get(tenant.id, id).await?;
    }
    let mut query = AnomalyQuery { since, well_id, field, page };
    match format {
        Format::Json => {
            let (rows, total) = state.analytics.anomalies(&tenant, &query).await?;
            let items = rows.into_iter().map(anomaly_view).collect();
            Ok(Json(Page { items, total, limit: page.limit, offset: page.offset }).into_response())
        }
        Format::Csv => {
            query.page = PageRequest { limit: MAX_CSV_ROWS, offset: 0 };
            let (rows, total) = state.analytics.anomalies(&tenant, &query).await?;
            let mut table = CsvTable::new(&[
                "well_id",
                "well_name",
                "field",
                "unit",
                "day",
                "value",
                "hours_on",
                "z",
                "expected",
                "stddev",
                "window_points",
                "severity",
                "direction",
                "detected_at",
            ])?;
            for a in rows.into_iter().map(anomaly_view) {
                table.row([
                    a.well_id.to_string(),
                    a.well_name,
                    a.field.as_str().to_owned(),
                    a.unit,
                    a.day.to_string(),
                    num(Some(a.value)),
                    num(Some(a.hours_on)),
                    num(Some(a.z)),
                    num(Some(a.expected)),
                    num(Some(a.stddev)),
                    a.window_points.to_string(),
                    wire_name(&a.severity),
                    wire_name(&a.direction),
                    instant(a.detected_at),
                ])?;
            }
            table.into_response("anomalies", today(&state, &tenant), Some(total))
        }
    }
}

/// The JSON name of a unit-like enum value (`"high"`, `"drop"`).
fn wire_name<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}
