//! Admin-only job endpoints: start a backfill of the caller's tenant in the background, and list the tenant's
//! recent job runs.

use crate::http::error::ApiError;
use crate::http::extract::{Caller, QueryParams, parse_json};
use crate::http::routes::analytics::caller_tenant;
use crate::http::state::AppState;
use crate::ports::{JobKind, JobRun};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use flowline_shared::dto::{BackfillAccepted, BackfillRequest, JobRunView};

pub const MAX_JOB_RUNS: u32 = 200;

/// Start a backfill
///
/// Recomputes the tenant's stored aggregates in the background (every month with readings when the body is empty
/// or `{}`). Failures are logged and recorded as a failed run (see the job list). Admins only.
#[utoipa::path(
    post,
    path = "/admin/backfill",
    operation_id = "start_backfill",
    tag = "admin",
    request_body(content = Option<BackfillRequest>, description = "Optional local date range; empty: everything"),
    responses(
        (status = 202, description = "The backfill started", body = BackfillAccepted),
        (status = 400, description = "`invalid_parameter`: `from` is after `to`"),
        (status = 403, description = "`forbidden`: admins only"),
        (status = 409, description = "`conflict`: a backfill of this tenant is still running"),
    )
)]
pub async fn backfill(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<(StatusCode, Json<BackfillAccepted>), ApiError> {
    caller.require_admin()?;
    let request: BackfillRequest =
        if body.iter().all(u8::is_ascii_whitespace) { BackfillRequest::default() } else { parse_json(&body)? };
    if let (Some(from), Some(to)) = (request.from, request.to)
        && from > to
    {
        return Err(ApiError::bad_parameter("from", format!("{from} is after to ({to})")));
    }
    let tenant = caller_tenant(&state, &caller).await?;
    let guard = state
        .backfills
        .try_start(tenant.id)
        .ok_or_else(|| ApiError::conflict("a backfill of this tenant is already running"))?;
    let wells = state.storage.well_ids(tenant.id).await?.len() as u64;
    let started_at = state.clock.now();
    let aggregation = state.aggregation.clone();
    tokio::spawn(async move {
        let _slot = guard;
        let slug = tenant.slug.as_str();
        match aggregation.backfill(&tenant, request.from, request.to, &|_| {}).await {
            Ok(Some(r)) => tracing::info!(
                tenant = slug,
                wells = r.wells,
                readings = r.readings,
                aggregates = r.aggregates,
                "backfill finished"
            ),
            Ok(None) => tracing::info!(tenant = slug, "backfill: no readings, nothing to do"),
            Err(e) => tracing::error!(tenant = slug, error = %e, "backfill failed"),
        }
    });
    Ok((StatusCode::ACCEPTED, Json(BackfillAccepted { job: JobKind::Backfill.as_str().to_owned(), started_at, wells })))
}

fn job_run_view(r: JobRun) -> JobRunView {
    JobRunView {
        id: r.id,
        job: r.job.as_str().to_owned(),
        started_at: r.started_at,
        finished_at: r.finished_at,
        duration_seconds: r.finished_at.map(|f| (f - r.started_at).num_milliseconds() as f64 / 1000.0),
        status: r.status.as_str().to_owned(),
        rows: r.rows,
        message: r.message,
    }
}

/// Recent job runs
///
/// The tenant's job runs, newest first. Admins only.
#[utoipa::path(
    get,
    path = "/admin/jobs",
    operation_id = "list_job_runs",
    tag = "admin",
    params(
        ("job" = Option<String>, Query, description = "Only runs of this job: `daily`, `weekly`, `monthly`, \
                                                       `dirty` or `backfill`"),
        ("limit" = Option<u32>, Query, description = "How many (default 20)", minimum = 1, maximum = 200),
    ),
    responses(
        (status = 200, description = "The runs", body = Vec<JobRunView>),
        (status = 400, description = "`invalid_parameter`: unknown job, a bad limit or an unknown parameter"),
        (status = 403, description = "`forbidden`: admins only"),
    )
)]
pub async fn jobs(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryParams,
) -> Result<Json<Vec<JobRunView>>, ApiError> {
    caller.require_admin()?;
    q.allow_only(&["job", "limit"])?;
    let job = q.parsed::<JobKind>("job")?;
    let limit = q.number("limit", 20, 1..=MAX_JOB_RUNS)?;
    let tenant = caller.0.tenant_id;
    let runs = state.storage.recent_job_runs(Some(tenant), job, limit).await?;
    Ok(Json(runs.into_iter().map(job_run_view).collect()))
}
