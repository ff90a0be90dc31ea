//! Use cases, written against the ports only.
//!
//! Owns: validation beyond a single value (batches, tenancy), authentication, ingest, import and simulation
//! orchestration, the aggregation jobs, the per-well analytics, the job scheduler and the tenant's event stream. Must not touch: axum, a
//! database crate, or any adapter type.

pub mod accounts;
pub mod aggregation;
pub mod alarms;
pub mod analytics;
pub mod auth;
pub mod dashboard;
pub mod events;
pub mod export;
pub mod import;
pub mod ingest;
pub mod job_runs;
pub mod kpis;
pub mod maintenance;
#[cfg(test)]
pub(crate) mod memory_storage;
pub mod prices;
pub mod scheduler;
pub mod simulation;
pub mod tenant_cache;
pub mod wells;

use crate::ports::{Clock, Storage};
use std::sync::Arc;

/// The dependencies every service needs, cheap to clone.
#[derive(Clone)]
pub struct Deps {
    pub storage: Arc<dyn Storage>,
    pub clock: Arc<dyn Clock>,
}
