//! Composition root: builds the services on a storage and clock, and spawns the HTTP server. Used by the
//! `flowline-server` binary, the desktop's embedded demo and the tests (each test spawns its own app on port 0).

use crate::adapters::local_bus::LocalEventBus;
use crate::http::{self, AppState};
use crate::ports::{Clock, EventBus, Storage};
use crate::services::Deps;
use crate::services::aggregation::AggregationService;
use crate::services::alarms::AlarmService;
use crate::services::analytics::AnalyticsService;
use crate::services::auth::{AuthError, AuthService};
use crate::services::events::EventService;
use crate::services::import::ImportService;
use crate::services::ingest::IngestService;
use crate::services::scheduler::Scheduler;
use crate::services::wells::WellService;
use std::net::SocketAddr;
use std::sync::Arc;

/// Builds every service over the given ports, with the in-process event bus.
pub fn build_state(
    storage: Arc<dyn Storage>,
    clock: Arc<dyn Clock>,
    jwt_secret: &[u8],
    token_ttl: chrono::Duration,
) -> Result<AppState, AuthError> {
    build_state_with_bus(storage, clock, jwt_secret, token_ttl, Arc::new(LocalEventBus::default()))
}

/// Builds every service over the given ports and event bus (Redis for several instances).
pub fn build_state_with_bus(
    storage: Arc<dyn Storage>,
    clock: Arc<dyn Clock>,
    jwt_secret: &[u8],
    token_ttl: chrono::Duration,
    bus: Arc<dyn EventBus>,
) -> Result<AppState, AuthError> {
    let deps = Deps { storage: Arc::clone(&storage), clock: Arc::clone(&clock) };
    let events = EventService::new(deps.clone(), bus);
    let alarms = AlarmService::new(deps.clone(), events.clone());
    let well_rows = crate::services::wells::WellRowsCache::new(deps.clone(), &events);
    let kpi_cache = crate::services::kpis::KpiCache::new(deps.clone(), events.clone(), well_rows.clone());
    let prices = crate::services::prices::PriceService::new(deps.clone()).with_kpis(kpi_cache.clone());
    let ingest = IngestService::new(deps.clone())
        .with_alarms(alarms.clone())
        .with_kpis(kpi_cache.clone())
        .with_well_rows(well_rows.clone());
    Ok(AppState {
        storage,
        clock,
        auth: AuthService::new(deps.clone(), jwt_secret, token_ttl)?,
        wells: WellService::new(deps.clone()).with_rows(well_rows.clone()),
        analytics: AnalyticsService::new(deps.clone()),
        aggregation: AggregationService::new(deps.clone()),
        dashboard: crate::services::dashboard::DashboardService::new(
            deps.clone(),
            AnalyticsService::new(deps.clone()),
            alarms.clone(),
            crate::services::maintenance::MaintenanceService::new(deps.clone()),
            well_rows.clone(),
        ),
        export: crate::services::export::ExportService::new(
            deps.clone(),
            crate::services::kpis::KpiService::new(deps.clone(), prices.clone(), kpi_cache.clone()),
            alarms.clone(),
            well_rows,
        ),
        events,
        alarms,
        maintenance: crate::services::maintenance::MaintenanceService::new(deps.clone()),
        kpis: crate::services::kpis::KpiService::new(deps.clone(), prices.clone(), kpi_cache),
        prices,
        stream_settings: Default::default(),
        import: ImportService::new(deps, ingest.clone()),
        ingest,
        backfills: Default::default(),
    })
}

/// A server running on a background task.
pub struct RunningServer {
    pub addr: SocketAddr,
    shutdown: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Asks the server to stop and waits for in-flight requests.
    pub async fn stop(self) -> std::io::Result<()> {
        let _ = self.shutdown.send(true);
        self.task.await.unwrap_or_else(|e| Err(std::io::Error::other(e)))
    }
}

/// Serves `state` on `listener` in a background task.
pub fn spawn_server(
    listener: tokio::net::TcpListener,
    state: AppState,
    max_body_bytes: usize,
) -> std::io::Result<RunningServer> {
    let addr = listener.local_addr()?;
    let (shutdown, mut rx) = tokio::sync::watch::channel(false);
    let router = http::router(state, max_body_bytes);
    let task = tokio::spawn(http::serve(listener, router, async move {
        let _ = rx.wait_for(|stop| *stop).await;
    }));
    Ok(RunningServer { addr, shutdown, task })
}

/// The background job loop (scheduled aggregation jobs, dirty-period worker, analytics pass).
pub struct JobLoop {
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl JobLoop {
    /// Stops the loop after its current step.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(e) = self.task.await {
            tracing::warn!(error = %e, "job loop ended abnormally");
        }
    }
}

/// Steps the scheduler every `tick` (the first step at once) until stopped. Failures are logged by the scheduler
/// and retried at the next step.
pub fn spawn_job_loop(deps: Deps, alarms: AlarmService, events: EventService, tick: std::time::Duration) -> JobLoop {
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let scheduler = Scheduler::new(deps.clone()).with_alarms(alarms, events);
    let task = tokio::spawn(async move {
        let mut ticker = tokio::time::interval(tick);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticker.tick() => {
                    match scheduler.run_once(deps.clock.now()).await {
                        Ok(step) if !step.ran.is_empty() || step.analysed_wells > 0 || step.alarm_changes > 0 => {
                            tracing::info!(
                                jobs = ?step.ran,
                                analysed_wells = step.analysed_wells,
                                alarm_changes = step.alarm_changes,
                                "jobs ran"
                            );
                        }
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "scheduler step failed; retrying at the next tick"),
                    }
                }
                _ = stopped.changed() => break,
            }
        }
    });
    JobLoop { stop, task }
}

/// 32 random bytes, for demo mode and tests where no secret is configured.
pub fn random_secret() -> Vec<u8> {
    use rand::RngCore;
    let mut key = vec![0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    key
}
