//! Load benchmark: the simulator's bulk backfill, 10,000 wells x 24 months (about 8.7 million entries), into
//! SQLite and PostgreSQL. Target (issue 2): at most 60 s into each.
//!
//! `cargo bench -p flowline-backend --bench backfill [-- sqlite|postgres]`
//! Environment: `FLOWLINE_BENCH_WELLS` (default 10000), `FLOWLINE_BENCH_MONTHS` (default 24).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use flowline_backend::ports::SystemClock;
use flowline_backend::services::Deps;
use flowline_backend::services::accounts::AccountService;
use flowline_backend::services::simulation;
use flowline_backend::simulator::{FleetSpec, SimulatedFleet};
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let wells = std::env::var("FLOWLINE_BENCH_WELLS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let months = std::env::var("FLOWLINE_BENCH_MONTHS").ok().and_then(|v| v.parse().ok()).unwrap_or(24);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        for kind in support::targets() {
            let (storage, target) = support::open(kind, flowline_backend::adapters::StorageProfile::Bulk).await;
            let deps = Deps { storage: Arc::clone(&storage), clock: Arc::new(SystemClock) };
            let tenant = AccountService::new(deps.clone()).create_tenant("bench", "", "America/Chicago").await.unwrap();
            let planned = Instant::now();
            let fleet = SimulatedFleet::plan(&FleetSpec { wells, months, seed: 42 }, chrono::Utc::now().date_naive());
            let plan_s = planned.elapsed().as_secs_f64();
            let started = Instant::now();
            let (_, report) = simulation::backfill(&deps, tenant.id, &fleet, &|_, _| {}).await.unwrap();
            let elapsed = started.elapsed().as_secs_f64();
            let (rss, peak) = support::memory_mib();
            println!(
                "backfill/{kind}: {wells} wells x {months} months: {} entries in {elapsed:.1} s = {:.0} entries/s \
                 (planning {plan_s:.2} s; process RSS {rss:.0} MiB, peak {peak:.0} MiB)",
                report.entries_inserted,
                report.entries_inserted as f64 / elapsed
            );
            support::cleanup(target, storage).await;
        }
    });
}
