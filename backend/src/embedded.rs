//! The whole backend in-process, for the desktop's demo mode (`cargo run --release` with no arguments).
//!
//! Owns: choosing the demo database file, seeding a demo tenant, user and simulated fleet on first start, serving
//! the HTTP API on an ephemeral loopback port and keeping the fleet simulating live.
//! Must be called from inside a tokio runtime.

use crate::adapters::{DatabaseUrl, SqliteLocation, open_storage};
use crate::app::{build_state, random_secret, spawn_job_loop, spawn_server};
use crate::ports::SystemClock;
use crate::services::Deps;
use crate::services::accounts::AccountService;
use crate::services::aggregation::AggregationService;
use crate::services::scheduler::TICK;
use crate::services::simulation;
use crate::simulator::{FleetSpec, SimulatedFleet};
use anyhow::Context;
use flowline_shared::{Role, TenantSlug};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Login of the demo tenant created on first start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoCredentials {
    pub tenant: String,
    pub username: String,
    pub password: String,
}

/// What the embedded backend is doing while it starts, for a progress indicator.
#[derive(Debug, Clone, PartialEq)]
pub enum StartupProgress {
    OpeningDatabase,
    SeedingDemoTenant,
    /// Writing simulated history: entries written so far of the total.
    SimulatingHistory {
        done: u64,
        total: u64,
    },
    Listening {
        base_url: String,
    },
}

#[derive(Debug, Clone)]
pub struct EmbeddedOptions {
    /// Folder for the SQLite file (`flowline-demo.sqlite3`).
    pub data_dir: PathBuf,
    pub wells: usize,
    pub months: u32,
    pub seed: u64,
    /// Interval of the live simulation ticks.
    pub live_interval: Duration,
}

impl EmbeddedOptions {
    /// 50 wells, 24 months, a new reading per well every 30 s.
    pub fn demo(data_dir: PathBuf) -> Self {
        Self { data_dir, wells: 50, months: 24, seed: 42, live_interval: Duration::from_secs(30) }
    }
}

/// A running embedded backend. `shutdown`, or dropping it, stops the server and the live simulation.
pub struct EmbeddedServer {
    pub base_url: String,
    pub credentials: DemoCredentials,
    shutdown: tokio::sync::watch::Sender<bool>,
}

impl EmbeddedServer {
    /// Stops serving and the live simulation.
    pub fn shutdown(&self) {
        let _ = self.shutdown.send(true);
    }
}

/// The demo tenant's login. The embedded server listens on 127.0.0.1 only; README.md documents these values.
pub const DEMO_TENANT: &str = "demo";
pub const DEMO_USERNAME: &str = "operator";
pub const DEMO_PASSWORD: &str = "flowline-demo";
/// File name of the demo database inside the data folder.
pub const DEMO_DATABASE_FILE: &str = "flowline-demo.sqlite3";

/// Opens (or creates and seeds) the demo database and serves the API on 127.0.0.1 on an ephemeral port.
///
/// Every start re-runs the simulator's backfill up to today: wells are matched by API number and entries by
/// their deterministic ids, so the days since the last start are filled in and the rest are duplicates.
pub async fn start_embedded(
    options: EmbeddedOptions,
    progress: impl Fn(StartupProgress) + Send + Sync + 'static,
) -> anyhow::Result<EmbeddedServer> {
    progress(StartupProgress::OpeningDatabase);
    let path = options.data_dir.join(DEMO_DATABASE_FILE);
    let storage = open_storage(&DatabaseUrl::Sqlite(SqliteLocation::File(path.clone())))
        .await
        .with_context(|| format!("opening the demo database {}", path.display()))?;
    let deps = Deps { storage: Arc::clone(&storage), clock: Arc::new(SystemClock) };

    let slug = TenantSlug::parse(DEMO_TENANT).map_err(anyhow::Error::msg)?;
    let (tenant, seeded) = match storage.tenant_by_slug(&slug).await? {
        Some(t) => (t, false),
        None => {
            progress(StartupProgress::SeedingDemoTenant);
            let accounts = AccountService::new(deps.clone());
            let tenant = accounts.create_tenant(DEMO_TENANT, "Demo Operating Co.", "America/Chicago").await?;
            accounts.create_user(DEMO_TENANT, DEMO_USERNAME, DEMO_PASSWORD, Role::Operator).await?;
            (tenant, true)
        }
    };

    let fleet = Arc::new(SimulatedFleet::plan(
        &FleetSpec { wells: options.wells, months: options.months, seed: options.seed },
        chrono::Utc::now().date_naive(),
    ));
    let (well_ids, report) = simulation::backfill(&deps, tenant.id, &fleet, &|done, total| {
        progress(StartupProgress::SimulatingHistory { done, total })
    })
    .await
    .context("writing the simulated history")?;
    tracing::info!(inserted = report.entries_inserted, wells = well_ids.len(), "demo history ready");
    simulation::seed_maintenance(&deps, tenant.id, &fleet, &well_ids)
        .await
        .context("seeding the demo maintenance items")?;
    if seeded {
        // A new demo has two years of readings and no aggregates yet: aggregate them now (well under a second for
        // the demo's 50 wells) so that the first dashboard shows figures, not "no data yet" until the dirty worker's
        // first passes. Later starts add a day or so, which the worker aggregates within its tick.
        AggregationService::new(deps.clone())
            .backfill(&tenant, None, None, &|_| {})
            .await
            .context("aggregating the demo history")?;
    }

    let state = build_state(storage, deps.clock.clone(), &random_secret(), chrono::Duration::hours(24))?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.context("binding a loopback port")?;
    let server = spawn_server(listener, state.clone(), 64 * 1024 * 1024)?;
    let base_url = server.base_url();
    progress(StartupProgress::Listening { base_url: base_url.clone() });

    let jobs = spawn_job_loop(deps.clone(), state.alarms.clone(), state.events.clone(), TICK);
    let (shutdown, mut stop) = tokio::sync::watch::channel(false);
    let ingest = state.ingest.clone();
    tokio::spawn(async move {
        // The first tick fires at once: the history ends yesterday, so the wells get a current reading right away.
        let mut ticker = tokio::time::interval(options.live_interval);
        loop {
            tokio::select! {
                _ = ticker.tick() => {
                    if let Err(e) = simulation::live_tick(&ingest, &deps, tenant.id, &fleet, &well_ids).await {
                        tracing::warn!(error = %e, "live simulation tick failed");
                    }
                }
                _ = stop.changed() => break,
            }
        }
        jobs.stop().await;
        if let Err(e) = server.stop().await {
            tracing::warn!(error = %e, "embedded server stopped with an error");
        }
    });

    Ok(EmbeddedServer {
        base_url,
        credentials: DemoCredentials {
            tenant: DEMO_TENANT.into(),
            username: DEMO_USERNAME.into(),
            password: DEMO_PASSWORD.into(),
        },
        shutdown,
    })
}
