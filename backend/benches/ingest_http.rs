//! Load benchmark: field-entry ingest over HTTP on loopback, batches of 1,000, into SQLite and PostgreSQL.
//! Target (issue 2): at least 50,000 entries/s into each.
//!
//! `cargo bench -p flowline-backend --bench ingest_http [-- sqlite|postgres]`
//! Environment: `FLOWLINE_BENCH_BATCHES` (default 200), `FLOWLINE_BENCH_CLIENTS` (default 4).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use flowline_backend::app::{build_state, spawn_server};
use flowline_backend::ports::SystemClock;
use flowline_backend::services::Deps;
use flowline_backend::services::accounts::AccountService;
use flowline_shared::{ApiNumber, NewWell, Role, WellStatus, WellType};
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;

const BATCH: usize = 1_000;
const WELLS: usize = 100;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        for kind in support::targets() {
            run(kind).await;
        }
    });
}

async fn run(kind: &str) {
    let batches = support::env_usize("FLOWLINE_BENCH_BATCHES", 200);
    let clients = support::env_usize("FLOWLINE_BENCH_CLIENTS", 4);
    let (storage, target) = support::open(kind, flowline_backend::adapters::StorageProfile::Server).await;
    let deps = Deps { storage: Arc::clone(&storage), clock: Arc::new(SystemClock) };
    let accounts = AccountService::new(deps.clone());
    let tenant = accounts.create_tenant("bench", "", "America/Chicago").await.unwrap();
    accounts.create_user("bench", "loader", "bench-password-1", Role::Operator).await.unwrap();
    let wells: Vec<NewWell> = (0..WELLS)
        .map(|i| NewWell {
            api_number: Some(ApiNumber::parse(&format!("42-329-{:05}", 10_000 + i)).unwrap()),
            name: format!("Bench {i}"),
            well_type: WellType::Oil,
            status: WellStatus::Active,
            location: None,
            lease: None,
            field: None,
            county: None,
            state: None,
            first_production_date: None,
        })
        .collect();
    let well_ids: Vec<_> =
        storage.create_wells(tenant.id, &wells, chrono::Utc::now()).await.unwrap().into_iter().map(|w| w.id).collect();

    let state = build_state(
        Arc::clone(&storage),
        deps.clock.clone(),
        b"bench-secret-0123456789abcdef012345",
        chrono::Duration::hours(1),
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = spawn_server(listener, state, 64 * 1024 * 1024).unwrap();
    let http = reqwest::Client::new();
    let token = support::login(&http, &server.base_url(), "bench", "loader", "bench-password-1").await;

    // Bodies are serialised before the clock starts: the benchmark measures the server, not the client.
    let start_day = chrono::Utc::now() - chrono::Duration::days(400);
    let bodies: Vec<Vec<u8>> = (0..batches)
        .map(|b| {
            let entries: Vec<serde_json::Value> = (0..BATCH)
                .map(|i| {
                    let n = b * BATCH + i;
                    json!({
                        "id": uuid::Uuid::now_v7(), "well_id": well_ids[n % WELLS],
                        "recorded_at": start_day + chrono::Duration::minutes(n as i64),
                        "oil_bbl": 100.0 + (n % 17) as f64, "gas_mcf": 250.0, "water_bbl": 30.0,
                        "tubing_psig": 320.0, "casing_psig": 610.0, "choke_64ths": 24, "hours_on": 24, "source": "scada"
                    })
                })
                .collect();
            serde_json::to_vec(&json!({ "entries": entries })).unwrap()
        })
        .collect();

    let url = format!("{}/api/v1/field-entries", server.base_url());
    let queue = Arc::new(std::sync::Mutex::new(bodies));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (http, url, token, queue) = (http.clone(), url.clone(), token.clone(), Arc::clone(&queue));
        tasks.push(tokio::spawn(async move {
            let mut accepted = 0u64;
            loop {
                let Some(body) = queue.lock().unwrap().pop() else { return accepted };
                let res = http
                    .post(&url)
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 200);
                accepted += res.json::<serde_json::Value>().await.unwrap()["accepted"].as_u64().unwrap();
            }
        }));
    }
    let mut accepted = 0;
    for t in tasks {
        accepted += t.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(accepted as usize, batches * BATCH);
    assert_eq!(storage.count_entries(tenant.id).await.unwrap() as usize, batches * BATCH);
    println!(
        "ingest_http/{kind}: {accepted} entries in {batches} batches of {BATCH} by {clients} clients: {elapsed:.2} s = {:.0} entries/s",
        accepted as f64 / elapsed
    );
    server.stop().await.unwrap();
    support::cleanup(target, storage).await;
}
