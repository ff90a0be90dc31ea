//! The oil-change drill-down's fetch against the real backend: a server on port 0 over a real SQLite file, wells
//! and 60 days of readings ingested over HTTP, the backend's own aggregation backfill and analytics pass, then the
//! client's paged, conditional fetch and the I/O thread as the app runs it, both compared with the server's order.
//!
//! Owns: nothing but the tests. Must not touch: anything outside the test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::client::ApiClient;
use super::live_api::Conditional;
use super::trends_api::TrendPages;
use super::{BackendChoice, IoConfig, IoHandle};
use crate::model::{Mode, Model};
use crate::protocol::{Command, Event, Secret};
use flowline_backend::adapters::{DatabaseUrl, SqliteLocation, open_storage};
use flowline_backend::app::{RunningServer, build_state, spawn_server};
use flowline_backend::ports::SystemClock;
use flowline_backend::services::Deps;
use flowline_backend::services::accounts::AccountService;
use flowline_backend::services::aggregation::AggregationService;
use flowline_backend::services::analytics::AnalyticsService;
use flowline_shared::dto::LoginRequest;
use flowline_shared::{Role, WellId};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PASSWORD: &str = "correct-horse-1";

/// Name, first rate and daily growth of each simulated well; "Sparse 5" reports on two days only (insufficient
/// data, no previous window) and "Silent 6" never.
const WELLS: [(&str, f64, f64); 4] =
    [("Steep 1", 300.0, -0.02), ("Gentle 2", 200.0, -0.003), ("Level 3", 150.0, 0.0), ("Riser 4", 100.0, 0.01)];

/// A seeded server: tenant alpha, user ops, the wells above with 60 days of readings and their stored trends.
fn seeded_backend(dir: &std::path::Path) -> (tokio::runtime::Runtime, RunningServer) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let server = runtime.block_on(async {
        let url = DatabaseUrl::Sqlite(SqliteLocation::File(dir.join("server.sqlite3")));
        let storage = open_storage(&url).await.unwrap();
        let deps = Deps { storage: Arc::clone(&storage), clock: Arc::new(SystemClock) };
        let accounts = AccountService::new(deps.clone());
        let tenant = accounts.create_tenant("alpha", "Alpha", "America/Chicago").await.unwrap();
        accounts.create_user("alpha", "ops", PASSWORD, Role::Operator).await.unwrap();
        let secret = b"trends-test-secret-0123456789abcdef";
        let state = build_state(storage, Arc::new(SystemClock), secret, chrono::Duration::hours(1)).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = spawn_server(listener, state, 4 << 20).unwrap();
        let ids = ingest_history(&server.base_url()).await;
        AggregationService::new(deps.clone()).backfill(&tenant, None, None, &|_| {}).await.unwrap();
        AnalyticsService::new(deps).recompute(&tenant, &ids, &|_| {}).await.unwrap();
        server
    });
    (runtime, server)
}

/// Creates the wells and posts their readings (one a day at the current time of day); returns the well ids.
async fn ingest_history(base: &str) -> Vec<WellId> {
    let token = token(base).await;
    let http = reqwest::Client::new();
    let now = chrono::Utc::now();
    let mut ids = Vec::new();
    let mut entries = Vec::new();
    let names = WELLS.iter().map(|w| w.0).chain(["Sparse 5", "Silent 6"]);
    for (index, name) in names.enumerate() {
        let res = http
            .post(format!("{base}/api/v1/wells"))
            .bearer_auth(&token)
            .json(&json!({ "name": name, "type": "oil", "latitude": 31.9, "longitude": -102.1 }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let id: WellId = serde_json::from_value(res.json::<Value>().await.unwrap()["id"].clone()).unwrap();
        ids.push(id);
        let days: Vec<i64> = match WELLS.get(index) {
            Some(_) => (0..60).collect(),
            None if name.starts_with("Sparse") => vec![3, 4],
            None => vec![],
        };
        let (q0, growth) = WELLS.get(index).map_or((40.0, 0.0), |w| (w.1, w.2));
        for ago in days {
            let oil = q0 * (growth * (59 - ago) as f64).exp();
            let at = (now - chrono::TimeDelta::days(ago)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            entries.push(json!({ "id": uuid::Uuid::now_v7(), "well_id": id, "recorded_at": at, "oil_bbl": oil,
                                 "gas_mcf": oil * 2.0, "water_bbl": 30.0, "hours_on": 24 }));
        }
    }
    let res = http
        .post(format!("{base}/api/v1/field-entries"))
        .bearer_auth(&token)
        .json(&json!({ "entries": entries }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap_or_default());
    ids
}

async fn token(base: &str) -> String {
    let login = LoginRequest { tenant: "alpha".into(), username: "ops".into(), password: PASSWORD.into() };
    ApiClient::new(base).unwrap().login(&login).await.unwrap().token
}

/// The server's own order: one plain request for the whole list.
async fn server_order(base: &str, token: &str) -> Vec<String> {
    let res = reqwest::Client::new()
        .get(format!("{base}/api/v1/trends?field=oil_bbl&sort=change&limit=500"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    body["items"].as_array().unwrap().iter().map(|t| t["well_name"].as_str().unwrap().to_owned()).collect()
}

/// The I/O thread's events, each kept in `log`; waits up to 20 s for one that `pick` accepts.
fn wait_for<T>(io: &IoHandle, log: &mut Vec<Event>, mut pick: impl FnMut(&Event) -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        while let Some(event) = io.try_recv() {
            let found = pick(&event);
            log.push(event);
            if let Some(found) = found {
                return found;
            }
        }
        assert!(Instant::now() < deadline, "no matching event within 20 s; seen: {log:#?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_oil_trends_arrive_in_the_servers_order_page_by_page_and_are_revalidated() {
    let dir = tempfile::tempdir().unwrap();
    let (runtime, server) = seeded_backend(dir.path());
    let base = server.base_url();
    let token = runtime.block_on(token(&base));
    let expected = runtime.block_on(server_order(&base, &token));
    assert_eq!(expected, ["Steep 1", "Gentle 2", "Level 3", "Riser 4", "Silent 6", "Sparse 5"], "steepest first");

    // The client, two wells a page: the same order, then every page answers 304.
    runtime.block_on(async {
        let client = ApiClient::new(&base).unwrap();
        let mut pages = TrendPages::default();
        let Conditional::Modified { value: (trends, total), .. } =
            client.all_oil_trends(&token, 2, &mut pages).await.unwrap()
        else {
            panic!("the first fetch has data");
        };
        assert_eq!(total, 6);
        assert_eq!(trends.iter().map(|t| t.well_name.as_str()).collect::<Vec<_>>(), expected);
        let again = client.all_oil_trends(&token, 2, &mut pages).await.unwrap();
        assert_eq!(again, Conditional::NotModified, "If-None-Match on every page");
    });

    // The I/O thread as the app runs it: nothing is fetched until the drill-down is shown.
    let mut config = IoConfig::new(BackendChoice::Remote { base_url: base.clone() });
    config.refresh_interval = Duration::from_secs(600);
    let mut io = IoHandle::spawn(config, Arc::new(|| {})).unwrap();
    let mut log = Vec::new();
    wait_for(&io, &mut log, |e| matches!(e, Event::NeedsLogin { .. }).then_some(()));
    let login = Command::Login { tenant: "alpha".into(), username: "ops".into(), password: Secret::new(PASSWORD) };
    assert!(io.send(login));
    wait_for(&io, &mut log, |e| matches!(e, Event::OpenAlarmsLoaded { .. }).then_some(()));
    assert!(!log.iter().any(|e| matches!(e, Event::OilTrendsLoaded { .. })), "not fetched while not shown");
    assert!(io.send(Command::WatchOilTrends(true)));
    wait_for(&io, &mut log, |e| matches!(e, Event::OilTrendsLoaded { .. }).then_some(()));
    let mut model = Model::new(Mode::Remote, Some(base.clone()), Duration::from_secs(600));
    for event in log.clone() {
        model.apply(event);
    }
    let shown: Vec<&str> = model.oil_change.trends.iter().map(|t| t.well_name.as_str()).collect();
    assert_eq!(shown, expected, "the model lists them as the server sorted them");
    assert_eq!(model.oil_change.insufficient(), 2);

    // A refresh while shown revalidates; nothing changed on the server.
    assert!(io.send(Command::RefreshNow));
    wait_for(&io, &mut log, |e| matches!(e, Event::OilTrendsUnchanged { .. }).then_some(()));
    assert!(io.shutdown(Duration::from_secs(5)));
    drop(server);
}

/// The drill-down's last answer is kept in the offline cache and replayed with the others.
#[test]
fn the_oil_trends_are_kept_and_replayed_from_the_offline_cache() {
    use super::cache::{CacheKey, LocalStore, SharedStore};
    use super::offline;
    use super::sink::EventSink;
    use crate::model::oil_change::fixtures::trend;
    use flowline_shared::analytics::trend::TrendDirection;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let store = SharedStore::new(LocalStore::in_memory().unwrap());
    let key = CacheKey { server: "embedded".into(), tenant: "alpha".into(), username: "ops".into() };
    let fetched = chrono::Utc::now() - chrono::TimeDelta::minutes(10);
    let trends = vec![trend("Steep 1", TrendDirection::Down, Some(-30.0), fetched)];
    let (tx, rx) = std::sync::mpsc::channel();
    let sink = EventSink::new(tx, Arc::new(|| {}));
    let replayed = runtime.block_on(async {
        offline::save_oil_trends(&store, &key, &trends, 1, fetched).await;
        offline::confirm_oil_trends(&store, &key, fetched + chrono::TimeDelta::minutes(5)).await;
        offline::replay(&store, &key, &sink).await
    });
    assert_eq!(replayed.answers, 1);
    let events: Vec<Event> = rx.try_iter().collect();
    let inner: Vec<Event> = events
        .iter()
        .filter_map(|e| if let Event::FromCache { event, .. } = e { Some(*event.clone()) } else { None })
        .collect();
    let fetched = chrono::DateTime::from_timestamp_millis(fetched.timestamp_millis()).unwrap();
    assert_eq!(
        inner,
        [
            Event::OilTrendsLoaded { trends: trends.clone(), total: 1, at: fetched },
            Event::OilTrendsUnchanged { at: fetched + chrono::TimeDelta::minutes(5) },
        ]
    );
    let mut model = Model::new(Mode::Remote, None, Duration::from_secs(30));
    for event in events {
        model.apply(event);
    }
    assert_eq!(model.oil_change.trends.len(), 1);
    assert!(model.offline.cached_at.is_some(), "replayed, not live");
}
