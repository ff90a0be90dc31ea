//! Shared set-up of the load benchmarks: a fresh database per run (a temporary SQLite file, or a new PostgreSQL
//! database created on the server of `FLOWLINE_BENCH_POSTGRES_URL` / `FLOWLINE_TEST_POSTGRES_URL` and dropped at the end).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use flowline_backend::adapters::{DatabaseUrl, SqliteLocation, StorageProfile, open_storage_with};
use flowline_backend::ports::Storage;
use std::sync::Arc;

pub enum Target {
    Sqlite(tempfile::TempDir),
    Postgres { admin_url: String, database: String },
}

impl Target {
    pub fn name(&self) -> &'static str {
        match self {
            Target::Sqlite(_) => "sqlite",
            Target::Postgres { .. } => "postgres",
        }
    }
}

pub fn postgres_url() -> Option<String> {
    std::env::var("FLOWLINE_BENCH_POSTGRES_URL").or_else(|_| std::env::var("FLOWLINE_TEST_POSTGRES_URL")).ok()
}

/// Which stores to run: the first command-line argument (`sqlite`, `postgres`, default both that are available).
pub fn targets() -> Vec<&'static str> {
    let arg = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    match arg.as_deref() {
        Some("sqlite") => vec!["sqlite"],
        Some("postgres") => vec!["postgres"],
        _ if postgres_url().is_some() => vec!["sqlite", "postgres"],
        _ => {
            eprintln!("NOTICE: no PostgreSQL URL set: benchmarking SQLite only");
            vec!["sqlite"]
        }
    }
}

pub async fn open(kind: &str, profile: StorageProfile) -> (Arc<dyn Storage>, Target) {
    match kind {
        "sqlite" => {
            let dir = tempfile::Builder::new().prefix("flowline-bench").tempdir_in(bench_dir()).unwrap();
            let url = DatabaseUrl::Sqlite(SqliteLocation::File(dir.path().join("bench.sqlite3")));
            (open_storage_with(&url, profile).await.unwrap(), Target::Sqlite(dir))
        }
        _ => {
            let admin_url = postgres_url().expect("a PostgreSQL URL");
            let database = format!("flowline_bench_{}", std::process::id());
            let (client, conn) = tokio_postgres::connect(&admin_url, tokio_postgres::NoTls).await.unwrap();
            tokio::spawn(conn);
            client.batch_execute(&format!("DROP DATABASE IF EXISTS {database}")).await.unwrap();
            client.batch_execute(&format!("CREATE DATABASE {database}")).await.unwrap();
            let url = replace_database(&admin_url, &database);
            (
                open_storage_with(&DatabaseUrl::parse(&url).unwrap(), profile).await.unwrap(),
                Target::Postgres { admin_url, database },
            )
        }
    }
}

/// Drops the benchmark's PostgreSQL database (the SQLite folder goes with its guard).
pub async fn cleanup(target: Target, storage: Arc<dyn Storage>) {
    drop(storage);
    if let Target::Postgres { admin_url, database } = target {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let (client, conn) = tokio_postgres::connect(&admin_url, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(conn);
        let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)")).await;
    }
}

fn replace_database(url: &str, database: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
    match query {
        Some(q) => format!("{prefix}/{database}?{q}"),
        None => format!("{prefix}/{database}"),
    }
}

/// Where SQLite benchmark files go (`FLOWLINE_BENCH_DIR`, default the system temp folder).
fn bench_dir() -> std::path::PathBuf {
    std::env::var("FLOWLINE_BENCH_DIR").map(Into::into).unwrap_or_else(|_| std::env::temp_dir())
}

/// Runs `run` over every store of [`targets`] on a multi-threaded runtime; exits with 1 when any run says its target
/// was missed.
pub fn main_over_targets<F, Fut>(name: &str, run: F)
where
    F: Fn(&'static str) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let met = runtime.block_on(async {
        let mut met = true;
        for kind in targets() {
            met &= run(kind).await;
        }
        met
    });
    if !met {
        eprintln!("{name}: a target was missed");
        std::process::exit(1);
    }
}

/// The `p` quantile (0..=1) of sorted durations, nearest rank.
pub fn quantile(sorted: &[std::time::Duration], p: f64) -> std::time::Duration {
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

pub fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Resident and peak resident memory of this process, MiB (Linux).
pub fn memory_mib() -> (f64, f64) {
    process_memory_mib("self")
}

/// Resident and peak resident memory of process `pid` (`"self"` or a number), MiB (Linux).
pub fn process_memory_mib(pid: &str) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// A `usize` from the environment, or `default`.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Logs in over HTTP and returns the bearer token.
pub async fn login(http: &reqwest::Client, base_url: &str, tenant: &str, username: &str, password: &str) -> String {
    let body: serde_json::Value = http
        .post(format!("{base_url}/api/v1/auth/login"))
        .json(&serde_json::json!({ "tenant": tenant, "username": username, "password": password }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["token"].as_str().unwrap().to_owned()
}
