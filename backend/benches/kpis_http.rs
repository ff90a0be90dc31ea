//! Load benchmark: `GET /api/v1/dashboard/kpis` over loopback HTTP with 100 concurrent keep-alive clients, on a
//! tenant of N simulated wells x 24 months with its aggregates (the simulator's backfill, then the aggregation
//! backfill). Targets (issue 4): p95 at most 20 ms with 100 concurrent clients; 10,000 `304 Not Modified` answers
//! per second (with `If-None-Match`) on 2 cores.
//!
//! Measured: the seeding; the computation of the KPIs from storage (a cache miss, `KpiService::compute` called
//! directly); the latency of full `200` answers (served from the per-tenant cache, which the first request fills);
//! the rate of `304` answers; and, for comparison, the latency of the map's rows (`GET /api/v1/wells/map`). The
//! load generator runs in the same process and shares the cores with the server. Then the dashboard export
//! (`ExportService::export`, US-1106: under 5 s) as PDF and CSV, each with cold caches (a new service state, as
//! after a restart or an ingest: the KPIs, the well rows and the chart read from storage) and warm.
//!
//! `cargo bench -p flowline-backend --bench kpis_http [-- sqlite|postgres]`
//! Environment: `FLOWLINE_BENCH_WELLS` (default 1000), `FLOWLINE_BENCH_MONTHS` (default 24),
//! `FLOWLINE_BENCH_CLIENTS` (default 100), `FLOWLINE_BENCH_REQUESTS` (per client, default 100),
//! `FLOWLINE_BENCH_SECONDS` (of the 304 run, default 5).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use flowline_backend::app::{build_state, spawn_server};
use flowline_backend::ports::SystemClock;
use flowline_backend::services::Deps;
use flowline_backend::services::accounts::AccountService;
use flowline_backend::services::aggregation::AggregationService;
use flowline_backend::services::export::ExportFilters;
use flowline_backend::services::simulation;
use flowline_backend::simulator::{FleetSpec, SimulatedFleet};
use flowline_report::ExportKind;
use std::sync::Arc;
use std::time::{Duration, Instant};

const P95_TARGET: Duration = Duration::from_millis(20);
const NOT_MODIFIED_TARGET: f64 = 10_000.0;
const COMPUTE_RUNS: usize = 5;
const EXPORT_TARGET: Duration = Duration::from_secs(5);
const EXPORT_RUNS: usize = 3;

fn main() {
    support::main_over_targets("kpis_http", run);
}

async fn run(kind: &str) -> bool {
    let wells = support::env_usize("FLOWLINE_BENCH_WELLS", 1_000);
    let months = support::env_usize("FLOWLINE_BENCH_MONTHS", 24);
    let clients = support::env_usize("FLOWLINE_BENCH_CLIENTS", 100);
    let per_client = support::env_usize("FLOWLINE_BENCH_REQUESTS", 100);
    let seconds = support::env_usize("FLOWLINE_BENCH_SECONDS", 5);
    let (storage, target) = support::open(kind, flowline_backend::adapters::StorageProfile::Server).await;
    let deps = Deps { storage: Arc::clone(&storage), clock: Arc::new(SystemClock) };
    let accounts = AccountService::new(deps.clone());
    let tenant = accounts.create_tenant("bench", "", "America/Chicago").await.unwrap();
    accounts.create_user("bench", "viewer", "bench-password-1", flowline_shared::Role::Viewer).await.unwrap();

    // Seed: the simulated history, then its aggregates.
    let started = Instant::now();
    let fleet =
        SimulatedFleet::plan(&FleetSpec { wells, months: months as u32, seed: 42 }, chrono::Utc::now().date_naive());
    let (_, report) = simulation::backfill(&deps, tenant.id, &fleet, &|_, _| {}).await.unwrap();
    let history_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    AggregationService::new(deps.clone()).backfill(&tenant, None, None, &|_| {}).await.unwrap();
    let aggregation_s = started.elapsed().as_secs_f64();

    let new_state = || {
        build_state(
            Arc::clone(&storage),
            deps.clock.clone(),
            b"bench-secret-0123456789abcdef012345",
            chrono::Duration::hours(1),
        )
        .unwrap()
    };
    let state = new_state();

    // A cache miss: the KPIs computed from storage.
    let mut compute: Vec<Duration> = Vec::new();
    let mut body_bytes = 0;
    for _ in 0..COMPUTE_RUNS {
        let started = Instant::now();
        let snapshot = state.kpis.compute(tenant.id, deps.clock.now()).await.unwrap();
        compute.push(started.elapsed());
        body_bytes = snapshot.json.len();
    }
    compute.sort_unstable();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = spawn_server(listener, state, 1024 * 1024).unwrap();
    let base = server.base_url();
    let http = reqwest::Client::builder().pool_max_idle_per_host(clients).build().unwrap();
    let token = support::login(&http, &base, "bench", "viewer", "bench-password-1").await;
    let url = format!("{base}/api/v1/dashboard/kpis");

    // Warm-up: fills the cache and opens the connections.
    let first = http.get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(first.status(), 200);
    let kpis: serde_json::Value = first.json().await.unwrap();
    assert_eq!(kpis["active_wells"]["total"].as_u64(), Some(wells as u64));
    let warm: Vec<_> = (0..clients)
        .map(|_| {
            let (http, url, token) = (http.clone(), url.clone(), token.clone());
            tokio::spawn(async move { http.get(url).bearer_auth(token).send().await.unwrap().bytes().await.unwrap() })
        })
        .collect();
    for w in warm {
        w.await.unwrap();
    }

    // Full answers, 100 clients at once.
    let (samples, full_wall) = full_answers(&http, &url, &token, clients, per_client).await;
    let p95 = support::quantile(&samples, 0.95);
    // The map's rows of every well, the same way (no target; the wall display's other read).
    let map_url = format!("{base}/api/v1/wells/map");
    let (map_samples, map_wall) = full_answers(&http, &map_url, &token, clients, per_client / 4).await;
    let map_bytes = http.get(&map_url).bearer_auth(&token).send().await.unwrap().bytes().await.unwrap().len();

    // 304s: every client revalidates with the current tag for a fixed time.
    let res = http.get(&url).bearer_auth(&token).send().await.unwrap();
    let tag = res.headers()["etag"].to_str().unwrap().to_owned();
    let deadline = Instant::now() + Duration::from_secs(seconds as u64);
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (http, url, token, tag) = (http.clone(), url.clone(), token.clone(), tag.clone());
            tokio::spawn(async move {
                let (mut not_modified, mut full) = (0u64, 0u64);
                while Instant::now() < deadline {
                    let res = http.get(&url).bearer_auth(&token).header("if-none-match", &tag).send().await.unwrap();
                    match res.status().as_u16() {
                        304 => not_modified += 1,
                        200 => full += 1,
                        s => panic!("status {s}"),
                    }
                    res.bytes().await.unwrap();
                }
                (not_modified, full)
            })
        })
        .collect();
    let (mut not_modified, mut full) = (0u64, 0u64);
    for t in tasks {
        let (n, f) = t.await.unwrap();
        not_modified += n;
        full += f;
    }
    let rate = not_modified as f64 / started.elapsed().as_secs_f64();

    // The export: each format cold (a new state) then warm (the same state again), EXPORT_RUNS times.
    let mut exports: Vec<(&str, Vec<Duration>, Vec<Duration>, usize)> = Vec::new();
    for kind in [ExportKind::Pdf, ExportKind::Csv] {
        let (mut cold, mut warm, mut bytes) = (Vec::new(), Vec::new(), 0);
        for _ in 0..EXPORT_RUNS {
            let fresh = new_state();
            for times in [&mut cold, &mut warm] {
                let started = Instant::now();
                let file = fresh.export.export(&tenant, kind, &ExportFilters::default()).await.unwrap();
                times.push(started.elapsed());
                bytes = file.bytes.len();
            }
        }
        cold.sort_unstable();
        warm.sort_unstable();
        exports.push((kind.extension(), cold, warm, bytes));
    }

    let (rss, peak) = support::memory_mib();
    println!(
        "kpis_http/{kind}: {wells} wells x {months} months = {} entries seeded in {history_s:.1} s, aggregated in \
         {aggregation_s:.1} s; answer {body_bytes} bytes",
        report.entries_inserted
    );
    println!(
        "  compute (cache miss, {COMPUTE_RUNS} runs)  p50 {:>7.2} ms  max {:>7.2} ms",
        support::ms(support::quantile(&compute, 0.5)),
        support::ms(compute[compute.len() - 1])
    );
    println!(
        "  200, {clients} clients x {per_client}   p50 {:>7.2} ms  p95 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms  \
         ({:.0} req/s)",
        support::ms(support::quantile(&samples, 0.5)),
        support::ms(p95),
        support::ms(support::quantile(&samples, 0.99)),
        support::ms(samples[samples.len() - 1]),
        samples.len() as f64 / full_wall
    );
    println!(
        "  304, {clients} clients, {seconds} s       {rate:.0} per s ({not_modified} x 304, {full} x 200 after the \
         cached answer expired); process RSS {rss:.0} MiB, peak {peak:.0} MiB"
    );
    println!(
        "  map 200, {clients} clients x {}  p50 {:>7.2} ms  p95 {:>7.2} ms  p99 {:>7.2} ms  ({:.0} req/s; {map_bytes} \
         bytes)",
        per_client / 4,
        support::ms(support::quantile(&map_samples, 0.5)),
        support::ms(support::quantile(&map_samples, 0.95)),
        support::ms(support::quantile(&map_samples, 0.99)),
        map_samples.len() as f64 / map_wall
    );
    let mut export_met = true;
    for (name, cold, warm, bytes) in &exports {
        let slowest = cold[cold.len() - 1].max(warm[warm.len() - 1]);
        export_met &= slowest <= EXPORT_TARGET;
        println!(
            "  export {name} ({EXPORT_RUNS} runs)   cold p50 {:>7.0} ms  max {:>7.0} ms;  warm p50 {:>7.0} ms  max \
             {:>7.0} ms  ({bytes} bytes)",
            support::ms(support::quantile(cold, 0.5)),
            support::ms(cold[cold.len() - 1]),
            support::ms(support::quantile(warm, 0.5)),
            support::ms(warm[warm.len() - 1]),
        );
    }
    println!("  target export <= {} s: {}", EXPORT_TARGET.as_secs(), if export_met { "met" } else { "MISSED" });
    let latency_met = p95 <= P95_TARGET;
    let rate_met = rate >= NOT_MODIFIED_TARGET;
    println!(
        "  target p95 <= {} ms: {}; target >= {NOT_MODIFIED_TARGET:.0} x 304 per s: {}",
        P95_TARGET.as_millis(),
        if latency_met { "met" } else { "MISSED" },
        if rate_met { "met" } else { "MISSED" }
    );
    server.stop().await.unwrap();
    support::cleanup(target, storage).await;
    latency_met && rate_met && export_met
}

/// `per_client` sequential `200` answers of `url` on each of `clients` concurrent clients: the sorted latencies and
/// the wall time of the whole run.
async fn full_answers(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    clients: usize,
    per_client: usize,
) -> (Vec<Duration>, f64) {
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (http, url, token) = (http.clone(), url.to_owned(), token.to_owned());
            tokio::spawn(async move {
                let mut samples = Vec::with_capacity(per_client);
                for _ in 0..per_client {
                    let t = Instant::now();
                    let res = http.get(&url).bearer_auth(&token).send().await.unwrap();
                    assert_eq!(res.status(), 200);
                    res.bytes().await.unwrap();
                    samples.push(t.elapsed());
                }
                samples
            })
        })
        .collect();
    let mut samples: Vec<Duration> = Vec::new();
    for t in tasks {
        samples.extend(t.await.unwrap());
    }
    let wall = started.elapsed().as_secs_f64();
    samples.sort_unstable();
    (samples, wall)
}
