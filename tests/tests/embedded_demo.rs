//! End to end: the embedded demo backend (real SQLite file, real HTTP on a loopback port, the simulator) driven by
//! the desktop's own API client, as `cargo run --release` does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use flowline_backend::embedded::{EmbeddedOptions, StartupProgress, start_embedded};
use flowline_desktop::ApiClient;
use flowline_shared::dto::LoginRequest;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn options(dir: &std::path::Path) -> EmbeddedOptions {
    EmbeddedOptions {
        data_dir: dir.to_path_buf(),
        wells: 6,
        months: 2,
        seed: 7,
        live_interval: Duration::from_millis(300),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_backend_serves_a_simulated_fleet_to_the_desktop_client() {
    let dir = tempfile::tempdir().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let server = start_embedded(options(dir.path()), move |p| sink.lock().unwrap().push(p)).await.unwrap();
    {
        let seen = seen.lock().unwrap();
        assert!(matches!(seen.first(), Some(StartupProgress::OpeningDatabase)));
        assert!(
            seen.iter().any(
                |p| matches!(p, StartupProgress::SimulatingHistory { done, total } if done == total && *total > 0)
            )
        );
        assert!(matches!(seen.last(), Some(StartupProgress::Listening { .. })));
    }

    let client = ApiClient::new(&server.base_url).unwrap();
    assert_eq!(client.health().await.unwrap().status, "ok");
    let c = &server.credentials;
    let login = client
        .login(&LoginRequest { tenant: c.tenant.clone(), username: c.username.clone(), password: c.password.clone() })
        .await
        .unwrap();
    let (wells, total) = client.list_all_wells(&login.token, 100).await.unwrap();
    assert_eq!(total, 6);
    assert!(wells.iter().all(|w| w.well.api_number.is_some()), "simulated wells carry API numbers");
    let producing = wells.iter().filter(|w| w.last_reading.is_some()).count();
    assert!(producing >= 4, "most simulated wells have readings, got {producing}");
    let newest_before = wells.iter().filter_map(|w| w.last_reading.as_ref()).map(|r| r.recorded_at).max().unwrap();

    // Live simulation goes through the ingest service: a newer reading shows up within a few ticks.
    let mut newer = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let (wells, _) = client.list_all_wells(&login.token, 100).await.unwrap();
        if wells.iter().filter_map(|w| w.last_reading.as_ref()).any(|r| r.recorded_at > newest_before) {
            newer = true;
            break;
        }
    }
    assert!(newer, "a live reading arrived");
    server.shutdown();

    // A second start on the same folder reuses the tenant, the user and the wells.
    let again = start_embedded(options(dir.path()), |_| {}).await.unwrap();
    let client = ApiClient::new(&again.base_url).unwrap();
    let login = client
        .login(&LoginRequest { tenant: c.tenant.clone(), username: c.username.clone(), password: c.password.clone() })
        .await
        .unwrap();
    assert_eq!(client.list_all_wells(&login.token, 100).await.unwrap().1, 6);
    again.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_is_reported_as_the_api_error() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_embedded(EmbeddedOptions { wells: 1, months: 1, ..options(dir.path()) }, |_| {}).await.unwrap();
    let client = ApiClient::new(&server.base_url).unwrap();
    let err = client
        .login(&LoginRequest {
            tenant: "demo".into(),
            username: "operator".into(),
            password: "not-the-password".into(),
        })
        .await
        .unwrap_err();
    assert!(err.is_unauthorized());
    assert_eq!(err.code(), Some("invalid_credentials"));
    let err = client.list_wells("forged.token.value", 10, 0).await.unwrap_err();
    assert_eq!(err.code(), Some("unauthorized"));
    server.shutdown();
}
