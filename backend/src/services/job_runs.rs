//! Recording job runs: every job (scheduled, dirty worker, backfill, analytics pass) goes through [`recorded`],
//! which stores its start, then its end, status, rows written and a summary or the error.

use super::Deps;
use crate::ports::{JobKind, JobRun, JobStatus, StorageError};
use flowline_shared::Tenant;

/// What a finished job reports for its run record.
pub trait JobOutcome {
    /// Rows (groups, wells) written.
    fn rows(&self) -> u64;
    /// A one-line summary.
    fn summary(&self) -> String;
}

/// Runs `job` as a recorded run of `kind`. The run is stored before the job starts (status running); its end is
/// recorded whatever the outcome, and a failure to record the end is logged rather than hiding the job's result.
pub async fn recorded<T, E, F, Fut>(deps: &Deps, kind: JobKind, tenant: Option<&Tenant>, job: F) -> Result<T, E>
where
    T: JobOutcome,
    E: std::fmt::Display + From<StorageError>,
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let run = JobRun {
        id: uuid::Uuid::now_v7(),
        job: kind,
        tenant_id: tenant.map(|t| t.id),
        started_at: deps.clock.now(),
        finished_at: None,
        status: JobStatus::Running,
        rows: 0,
        message: None,
    };
    deps.storage.start_job_run(&run).await?;
    let result = job().await;
    let now = deps.clock.now();
    let finished = match &result {
        Ok(r) => deps.storage.finish_job_run(run.id, now, JobStatus::Succeeded, r.rows(), Some(&r.summary())).await,
        Err(e) => deps.storage.finish_job_run(run.id, now, JobStatus::Failed, 0, Some(&e.to_string())).await,
    };
    if let Err(e) = finished {
        tracing::warn!(error = %e, job = kind.as_str(), "could not record the end of a job run");
    }
    result
}
