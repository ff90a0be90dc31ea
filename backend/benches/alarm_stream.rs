//! Load benchmark of the alarm path and the event stream, on a real server over loopback:
//! 1. **Latency**: with `FLOWLINE_BENCH_CLIENTS` (default 100) WebSocket clients connected, ingest requests that each
//!    raise a "well down" alarm; for every alarm and client, the time from sending the ingest request to the client
//!    receiving `alert_created`. Target (issue 4): p99 at most 100 ms with 100 clients.
//! 2. **Memory**: `FLOWLINE_BENCH_IDLE_CLIENTS` (default 1,000) connections held open; the resident memory of this
//!    process (server and clients together, so an upper bound for the server) before and after, and after one event
//!    went to all of them. Target: at most 100 MB more for 1,000 clients.
//!
//! `cargo bench -p flowline-backend --bench alarm_stream [-- sqlite|postgres]`
//! Environment: `FLOWLINE_BENCH_CLIENTS`, `FLOWLINE_BENCH_ALARMS` (default 200), `FLOWLINE_BENCH_IDLE_CLIENTS`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use flowline_backend::adapters::StorageProfile;
use flowline_backend::app::{build_state, spawn_server};
use flowline_backend::ports::{Clock, SystemClock};
use flowline_backend::services::Deps;
use flowline_backend::services::accounts::AccountService;
use flowline_shared::dto::events::StreamMessage;
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

const P99_TARGET: Duration = Duration::from_millis(100);
const MEMORY_TARGET_MIB: f64 = 100.0;

fn main() {
    support::main_over_targets("alarm_stream", run);
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn run(kind: &str) -> bool {
    let clients = support::env_usize("FLOWLINE_BENCH_CLIENTS", 100);
    let alarms = support::env_usize("FLOWLINE_BENCH_ALARMS", 200);
    let idle = support::env_usize("FLOWLINE_BENCH_IDLE_CLIENTS", 1000);
    let (storage, target) = support::open(kind, StorageProfile::Server).await;
    let deps = Deps { storage: storage.clone(), clock: Arc::new(SystemClock) };
    let accounts = AccountService::new(deps.clone());
    accounts.create_tenant("bench", "", "America/Chicago").await.unwrap();
    accounts.create_user("bench", "ops", "bench-password-1", flowline_shared::Role::Operator).await.unwrap();
    let state = build_state(
        storage.clone(),
        deps.clock.clone(),
        b"bench-secret-0123456789abcdef0123",
        chrono::Duration::hours(1),
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = spawn_server(listener, state, 1 << 20).unwrap();
    let base = server.base_url();
    let http = reqwest::Client::new();
    let token = support::login(&http, &base, "bench", "ops", "bench-password-1").await;
    let ws_url = format!("{}/api/v1/ws/alerts?token={token}", base.replacen("http", "ws", 1));

    // One well per alarm, so that every ingest raises a new one.
    let mut wells = Vec::with_capacity(alarms);
    for i in 0..alarms {
        let res: Value = http
            .post(format!("{base}/api/v1/wells"))
            .bearer_auth(&token)
            .json(&json!({ "name": format!("Bench {i}"), "type": "oil" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        wells.push(res["id"].as_str().unwrap().to_owned());
    }

    // 1. Latency with `clients` listeners.
    let mut sockets = Vec::with_capacity(clients);
    for _ in 0..clients {
        let (mut socket, _) = tokio_tungstenite::connect_async(&ws_url).await.unwrap();
        next_message(&mut socket).await; // the snapshot
        sockets.push(socket);
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(String, Instant)>();
    for mut socket in sockets {
        let tx = tx.clone();
        tokio::spawn(async move {
            while let Some(Ok(Message::Text(text))) = socket.next().await {
                let received = Instant::now();
                // Matched by well, not by seq: other events (kpis_changed) share the stream.
                if let Ok(StreamMessage::AlertCreated(body)) = serde_json::from_str::<StreamMessage>(&text)
                    && let Some(well) = body.data["alert"]["well_id"].as_str()
                {
                    let _ = tx.send((well.to_owned(), received));
                }
            }
        });
    }
    drop(tx);
    let mut sent_at = std::collections::HashMap::with_capacity(alarms);
    for well in &wells {
        let body = json!({ "entries": [{ "id": uuid::Uuid::now_v7(), "well_id": well,
            "recorded_at": SystemClock.now().to_rfc3339(), "oil_bbl": 0.0, "gas_mcf": 0.0, "water_bbl": 0.0,
            "hours_on": 24 }] });
        let start = Instant::now();
        let res =
            http.post(format!("{base}/api/v1/field-entries")).bearer_auth(&token).json(&body).send().await.unwrap();
        assert_eq!(res.status(), 200);
        sent_at.insert(well.clone(), start);
        // A control room's pace, not a flood: alarms a few milliseconds apart.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut latencies = Vec::with_capacity(alarms * clients);
    let deadline = Instant::now() + Duration::from_secs(30);
    while latencies.len() < alarms * clients && Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
            Ok(Some((well, received))) => {
                if let Some(start) = sent_at.get(&well) {
                    latencies.push(received - *start);
                }
            }
            _ => break,
        }
    }
    latencies.sort_unstable();
    let p99 = support::quantile(&latencies, 0.99);
    println!(
        "alarm_stream/{kind}: {alarms} alarms x {clients} clients: {} deliveries, ingest request to alert_created: \
         p50 {:.2} ms  p95 {:.2} ms  p99 {:.2} ms  max {:.2} ms (target p99 <= {} ms)",
        latencies.len(),
        support::ms(support::quantile(&latencies, 0.50)),
        support::ms(support::quantile(&latencies, 0.95)),
        support::ms(p99),
        support::ms(latencies[latencies.len() - 1]),
        P99_TARGET.as_millis()
    );
    let complete = latencies.len() == alarms * clients;

    // 2. Memory of `idle` connections, measured on a separate `flowline-server serve` process (the clients' own
    //    buffers stay in this one).
    server.stop().await.unwrap();
    support::cleanup(target, storage).await;
    let extra = idle_connections_memory(idle).await;
    complete && p99 <= P99_TARGET && extra <= MEMORY_TARGET_MIB
}

/// Starts the release server on a fresh SQLite file, holds `idle` connections to it, sends one event to all, and
/// returns the growth of its resident memory, MiB.
async fn idle_connections_memory(idle: usize) -> f64 {
    let binary = env!("CARGO_BIN_EXE_flowline-server");
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let env = [
        ("FLOWLINE_DATABASE_URL", format!("sqlite:{}", dir.path().join("ws.sqlite3").display())),
        ("FLOWLINE_BIND", format!("127.0.0.1:{port}")),
        ("FLOWLINE_JWT_SECRET", "bench-secret-0123456789abcdef0123456789".to_owned()),
        ("FLOWLINE_USER_PASSWORD", "bench-password-1".to_owned()),
        ("FLOWLINE_LOG", "warn".to_owned()),
    ];
    let run = |args: &[&str]| {
        let status = std::process::Command::new(binary).args(args).envs(env.iter().cloned()).status().unwrap();
        assert!(status.success(), "{args:?}");
    };
    run(&["tenant", "add", "bench"]);
    run(&["user", "add", "--tenant", "bench", "--username", "ops", "--role", "operator"]);
    let mut child = std::process::Command::new(binary).arg("serve").envs(env.iter().cloned()).spawn().unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut ready = false;
    for _ in 0..100 {
        if http.get(format!("{base}/health")).send().await.is_ok() {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "the server did not start");
    let token = support::login(&http, &base, "bench", "ops", "bench-password-1").await;
    let well: Value = http
        .post(format!("{base}/api/v1/wells"))
        .bearer_auth(&token)
        .json(&json!({ "name": "Idle 1", "type": "oil" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ws_url = format!("ws://127.0.0.1:{port}/api/v1/ws/alerts?token={token}");
    // Warm: one connection and one event, so that lazily built state is in place before the baseline.
    let (mut first, _) = tokio_tungstenite::connect_async(&ws_url).await.unwrap();
    next_message(&mut first).await;
    drop(first);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = support::process_memory_mib(&child.id().to_string()).0;
    let mut held: Vec<Socket> = Vec::with_capacity(idle);
    for _ in 0..idle {
        let (mut socket, _) = tokio_tungstenite::connect_async(&ws_url).await.unwrap();
        next_message(&mut socket).await;
        held.push(socket);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let connected = support::process_memory_mib(&child.id().to_string()).0;
    let body = json!({ "entries": [{ "id": uuid::Uuid::now_v7(), "well_id": well["id"],
        "recorded_at": SystemClock.now().to_rfc3339(), "oil_bbl": 0.0, "gas_mcf": 0.0, "water_bbl": 0.0,
        "hours_on": 24 }] });
    http.post(format!("{base}/api/v1/field-entries")).bearer_auth(&token).json(&body).send().await.unwrap();
    for socket in held.iter_mut() {
        next_message(socket).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = support::process_memory_mib(&child.id().to_string()).0;
    let extra = after - before;
    println!(
        "alarm_stream: server process with {idle} WebSocket connections: resident {before:.1} MiB before, \
         {connected:.1} MiB connected, {after:.1} MiB after one event to all: +{extra:.1} MiB \
         (target +{MEMORY_TARGET_MIB} MB)"
    );
    drop(held);
    let _ = child.kill();
    let _ = child.wait();
    extra
}
async fn next_message(socket: &mut Socket) -> StreamMessage {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), socket.next()).await.unwrap().unwrap().unwrap() {
            Message::Text(text) => return serde_json::from_str(&text).unwrap(),
            _ => continue,
        }
    }
}
