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

/// `POST /api/v1/admin/backfill` with `{ "from"?, "to"? }` (an empty body means every month with readings): 202
/// and the backfill runs in the background; 409 while one of this tenant's is still running.
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

/// `GET /api/v1/admin/jobs?job=&limit=20`: the tenant's newest job runs first.
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
