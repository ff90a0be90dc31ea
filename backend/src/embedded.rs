//! The whole backend in-process, for the desktop's demo mode (`cargo run --release` with no arguments).
//!
//! Owns: choosing the demo database file, seeding a demo tenant, user and simulated fleet on first start, serving
//! the HTTP API on an ephemeral loopback port and keeping the fleet simulating live.
//! Must be called from inside a tokio runtime.

use std::path::PathBuf;
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
    SimulatingHistory { done: u64, total: u64 },
    Listening { base_url: String },
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

/// A running embedded backend. Dropping it without `shutdown` leaves the tasks to end with the runtime.
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

/// Opens (or creates and seeds) the demo database and serves the API on 127.0.0.1 on an ephemeral port.
pub async fn start_embedded(
    options: EmbeddedOptions,
    progress: impl Fn(StartupProgress) + Send + Sync + 'static,
) -> anyhow::Result<EmbeddedServer> {
    let _ = (options, progress);
    anyhow::bail!("embedded backend is being written")
}
