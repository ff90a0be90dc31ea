//! Test fixtures shared by the backend's integration tests: real SQLite files and the real PostgreSQL server.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use flowline_backend::adapters::{DatabaseUrl, SqliteLocation, open_storage};
use flowline_backend::ports::{NewTenant, Storage};
use flowline_shared::{Tenant, TenantSlug};
use std::sync::Arc;

/// A migrated SQLite database in a temporary folder (kept alive by the returned guard).
pub async fn sqlite() -> (Arc<dyn Storage>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::Sqlite(SqliteLocation::File(dir.path().join("test.sqlite3")));
    (open_storage(&url).await.unwrap(), dir)
}

/// The PostgreSQL test database from `FLOWLINE_TEST_POSTGRES_URL`, migrated. `None` (with a printed notice)
/// when it is not configured, unless `FLOWLINE_REQUIRE_SERVICES=1`, in which case a missing or unreachable
/// server fails the test.
pub async fn postgres() -> Option<Arc<dyn Storage>> {
    let required = std::env::var("FLOWLINE_REQUIRE_SERVICES").is_ok_and(|v| v == "1");
    let Ok(url) = std::env::var("FLOWLINE_TEST_POSTGRES_URL") else {
        assert!(!required, "FLOWLINE_REQUIRE_SERVICES=1 but FLOWLINE_TEST_POSTGRES_URL is not set");
        eprintln!("NOTICE: FLOWLINE_TEST_POSTGRES_URL is not set: skipping the PostgreSQL run of this test");
        return None;
    };
    let storage = open_storage(&DatabaseUrl::parse(&url).unwrap())
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at FLOWLINE_TEST_POSTGRES_URL is not usable: {e}"));
    Some(storage)
}

/// The Redis server of `FLOWLINE_TEST_REDIS_URL`; `None` (with a notice) when it is not configured, unless
/// `FLOWLINE_REQUIRE_SERVICES=1`, in which case a missing URL fails the test.
pub fn redis_url() -> Option<String> {
    let required = std::env::var("FLOWLINE_REQUIRE_SERVICES").is_ok_and(|v| v == "1");
    let url = std::env::var("FLOWLINE_TEST_REDIS_URL").ok();
    if url.is_none() {
        assert!(!required, "FLOWLINE_REQUIRE_SERVICES=1 but FLOWLINE_TEST_REDIS_URL is not set");
        eprintln!("NOTICE: FLOWLINE_TEST_REDIS_URL is not set: skipping the Redis part of this test");
    }
    url
}

/// A tenant with a unique slug, so that tests sharing one PostgreSQL database never see each other's rows.
pub async fn tenant(storage: &Arc<dyn Storage>) -> Tenant {
    let slug = format!("t-{}", &uuid::Uuid::new_v4().simple().to_string()[..16]);
    storage
        .create_tenant(&NewTenant {
            slug: TenantSlug::parse(&slug).unwrap(),
            name: format!("Tenant {slug}"),
            time_zone: chrono_tz::America::Chicago,
        })
        .await
        .unwrap()
}

use chrono::{DateTime, Utc};
use flowline_backend::app::{RunningServer, build_state, spawn_server};
use flowline_backend::http::AppState;
use flowline_backend::ports::Clock;
use flowline_backend::services::Deps;
use flowline_backend::services::accounts::AccountService;
use flowline_shared::Role;
use std::sync::Mutex;

/// A clock tests move by hand.
pub struct TestClock(Mutex<DateTime<Utc>>);

impl TestClock {
    pub fn starting_now() -> Self {
        Self(Mutex::new(Utc::now()))
    }

    pub fn at(now: DateTime<Utc>) -> Self {
        Self(Mutex::new(now))
    }

    pub fn set(&self, now: DateTime<Utc>) {
        *self.0.lock().unwrap() = now;
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut now = self.0.lock().unwrap();
        *now += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

pub const SECRET: &[u8] = b"test-secret-0123456789abcdef0123456789";
pub const PASSWORD: &str = "correct-horse-1";

/// The real server on an ephemeral port over a real database, with two tenants: `alpha` (users admin, ops,
/// viewer) and `beta` (user ops). Their slugs are `alpha` and `beta` on a fresh SQLite file ([`spawn_app`]) and
/// unique ones on a shared database ([`spawn_app_on`]): use [`TestApp::alpha`] and [`TestApp::beta`].
pub struct TestApp {
    pub base_url: String,
    pub storage: Arc<dyn Storage>,
    pub clock: Arc<TestClock>,
    pub http: reqwest::Client,
    pub server: RunningServer,
    /// The server's state (its services and job bookkeeping), shared with the running server.
    pub state: AppState,
    /// Slug of the tenant with users admin, ops and viewer.
    pub alpha: String,
    /// Slug of the tenant with user ops.
    pub beta: String,
    _dir: Option<tempfile::TempDir>,
}

/// [`TestApp`] over a fresh SQLite file, tenants `alpha` and `beta`.
pub async fn spawn_app() -> TestApp {
    let (storage, dir) = sqlite().await;
    spawn_with(storage, Some(dir), "alpha".into(), "beta".into()).await
}

/// [`TestApp`] over `storage` (which may be shared with other tests: the tenants get unique slugs); `dir` keeps a
/// temporary database folder alive as long as the app.
pub async fn spawn_app_on(storage: Arc<dyn Storage>, dir: Option<tempfile::TempDir>) -> TestApp {
    let suffix = &uuid::Uuid::new_v4().simple().to_string()[..12];
    spawn_with(storage, dir, format!("alpha-{suffix}"), format!("beta-{suffix}")).await
}

async fn spawn_with(storage: Arc<dyn Storage>, dir: Option<tempfile::TempDir>, alpha: String, beta: String) -> TestApp {
    let clock = Arc::new(TestClock::starting_now());
    let deps = Deps { storage: Arc::clone(&storage), clock: clock.clone() };
    let accounts = AccountService::new(deps);
    for (tenant, users) in [
        (alpha.as_str(), &[("admin", Role::Admin), ("ops", Role::Operator), ("viewer", Role::Viewer)][..]),
        (beta.as_str(), &[("ops", Role::Operator)][..]),
    ] {
        accounts.create_tenant(tenant, "", "America/Chicago").await.unwrap();
        for (name, role) in users {
            accounts.create_user(tenant, name, PASSWORD, *role).await.unwrap();
        }
    }
    let state = build_state(Arc::clone(&storage), clock.clone(), SECRET, chrono::Duration::hours(12)).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = spawn_server(listener, state.clone(), 8 * 1024 * 1024).unwrap();
    TestApp {
        base_url: server.base_url(),
        storage,
        clock,
        http: reqwest::Client::new(),
        server,
        state,
        alpha,
        beta,
        _dir: dir,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Signs in and returns the bearer token.
    pub async fn token(&self, tenant: &str, username: &str) -> String {
        let res = self
            .http
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({ "tenant": tenant, "username": username, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "login {tenant}/{username}");
        res.json::<serde_json::Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
    }

    pub async fn tenant_id(&self, slug: &str) -> flowline_shared::TenantId {
        self.storage.tenant_by_slug(&TenantSlug::parse(slug).unwrap()).await.unwrap().unwrap().id
    }
}

/// Asserts the API's error shape (`{ code, message, details }`), the status and the code; returns the body.
pub async fn expect_error(res: reqwest::Response, status: reqwest::StatusCode, code: &str) -> serde_json::Value {
    assert_eq!(res.status(), status);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert!(body.get("details").is_some(), "{body}");
    body
}
