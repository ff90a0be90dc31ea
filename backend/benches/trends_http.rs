//! Latency benchmark: `GET /api/v1/trends?limit=50` over loopback HTTP (keep-alive, one client, sequential) on a
//! tenant of 10,000 wells with stored trends, on SQLite and PostgreSQL. Target (issue 3): p95 at most 20 ms.
//!
//! The trends are synthetic but realistic: per well a 60-day series of oil, gas and water (a decline or incline
//! of its own, noise, the odd downtime day, some wells with too little data), turned into trends by
//! `compute_trend` and stored with `store_analytics`, as an analytics pass would.
//!
//! `cargo bench -p flowline-backend --bench trends_http [-- sqlite|postgres]`
//! Environment: `FLOWLINE_BENCH_WELLS` (default 10000), `FLOWLINE_BENCH_REQUESTS` (default 1000).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use chrono::{Days, NaiveDate};
use flowline_backend::app::{build_state, spawn_server};
use flowline_backend::ports::{Clock, SystemClock, WellAnalytics};
use flowline_backend::services::Deps;
use flowline_backend::services::accounts::AccountService;
use flowline_backend::services::analytics::{ANALYSED_FIELDS, local_today};
use flowline_shared::analytics::aggregation::Field;
use flowline_shared::analytics::trend::{DailyPoint, TrendConfig, compute_trend};
use flowline_shared::{NewWell, WellStatus, WellType};
use rand::{Rng, SeedableRng};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The target of issue 3.
const P95_TARGET: Duration = Duration::from_millis(20);
const MIXES: [(&str, &str); 5] = [
    ("no filter", "/api/v1/trends?limit=50"),
    ("status=active", "/api/v1/trends?limit=50&status=active"),
    ("direction=down", "/api/v1/trends?limit=50&direction=down"),
    ("sort=name", "/api/v1/trends?limit=50&sort=name"),
    ("offset=5000", "/api/v1/trends?limit=50&offset=5000"),
];
const WARM_UP: usize = 50;
/// Direct `list_trends` calls per mix, to tell the storage's share from the HTTP layer's.
const STORAGE_CALLS: usize = 40;
const HISTORY_DAYS: u64 = 60;

fn main() {
    support::main_over_targets("trends_http", run);
}

fn summary(label: &str, samples: &mut [Duration]) -> Duration {
    samples.sort_unstable();
    let p95 = support::quantile(samples, 0.95);
    println!(
        "  {label:<30} n={:<5} p50 {:>6.2} ms  p95 {:>6.2} ms  p99 {:>6.2} ms  max {:>6.2} ms",
        samples.len(),
        support::ms(support::quantile(samples, 0.50)),
        support::ms(p95),
        support::ms(support::quantile(samples, 0.99)),
        support::ms(samples[samples.len() - 1]),
    );
    p95
}

/// The synthetic series of one well's field: `level x (1 + rate)^t` with noise, a downtime day now and then.
fn series(rng: &mut impl Rng, as_of: NaiveDate, level: f64, rate: f64, days: u64) -> Vec<DailyPoint> {
    (0..days)
        .rev()
        .filter_map(|back| {
            let day = as_of.checked_sub_days(Days::new(back))?;
            let t = (days - back) as f64;
            if rng.gen_bool(0.03) {
                return Some(DailyPoint::new(day, 0.0, 0.0));
            }
            let value = level * (1.0 + rate).powf(t) * (1.0 + rng.gen_range(-0.04..0.04));
            Some(DailyPoint::new(day, value.max(0.0), 24.0))
        })
        .collect()
}

/// Seeds `wells` wells with stored trends; returns the seconds it took.
async fn seed(
    storage: &Arc<dyn flowline_backend::ports::Storage>,
    tenant: flowline_shared::TenantId,
    wells: usize,
) -> f64 {
    let started = Instant::now();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
    let now = SystemClock.now();
    let as_of = local_today(now, chrono_tz::America::Chicago);
    let statuses =
        [WellStatus::Active, WellStatus::Active, WellStatus::Active, WellStatus::ShutIn, WellStatus::Inactive];
    let types = [WellType::Oil, WellType::Oil, WellType::Oil, WellType::Gas, WellType::Injection];
    let new_wells: Vec<NewWell> = (0..wells)
        .map(|i| NewWell {
            api_number: None,
            name: format!("Bench {:05}", (i * 7919) % wells),
            well_type: types[i % types.len()],
            status: statuses[(i / 3) % statuses.len()],
            location: None,
            lease: Some(format!("Lease {}", i % 50)),
            field: Some("Permian".into()),
            county: None,
            state: Some("TX".into()),
            first_production_date: None,
        })
        .collect();
    let mut created = Vec::with_capacity(wells);
    for chunk in new_wells.chunks(1_000) {
        created.extend(storage.create_wells(tenant, chunk, now).await.unwrap());
    }
    let config = TrendConfig::default();
    let results: Vec<WellAnalytics> = created
        .iter()
        .map(|well| {
            // One in 20 wells came on line recently: too little data for a trend.
            let days = if rng.gen_bool(0.05) { 2 } else { HISTORY_DAYS };
            let rate = rng.gen_range(-0.012..0.004);
            let trends = ANALYSED_FIELDS
                .iter()
                .map(|&field| {
                    let level = match field {
                        Field::OilBbl => rng.gen_range(20.0..800.0),
                        Field::GasMcf => rng.gen_range(100.0..5_000.0),
                        _ => rng.gen_range(10.0..400.0),
                    };
                    let points = series(&mut rng, as_of, level, rate, days);
                    (field, compute_trend(&points, as_of, &config))
                })
                .collect();
            let window_start = as_of.checked_sub_days(Days::new(89)).unwrap();
            WellAnalytics {
                well_id: well.id,
                as_of,
                trends,
                anomalies: Vec::new(),
                anomaly_window: (window_start, as_of),
                forecast: Err("not computed by the benchmark".into()),
            }
        })
        .collect();
    for chunk in results.chunks(500) {
        storage.store_analytics(tenant, chunk, now).await.unwrap();
    }
    started.elapsed().as_secs_f64()
}

/// `list_trends` called directly with each mix's filter, sort and page (no HTTP, no JSON).
async fn time_storage(
    storage: &Arc<dyn flowline_backend::ports::Storage>,
    tenant: flowline_shared::TenantId,
) -> Vec<(&'static str, Vec<Duration>)> {
    use flowline_backend::ports::{PageRequest, TrendFilter, TrendSort};
    use flowline_shared::analytics::trend::TrendDirection;
    let page = PageRequest { limit: 50, offset: 0 };
    let mixes: [(&str, TrendFilter, TrendSort, PageRequest); 5] = [
        (MIXES[0].0, TrendFilter::default(), TrendSort::default(), page),
        (
            MIXES[1].0,
            TrendFilter { status: Some(WellStatus::Active), ..Default::default() },
            TrendSort::default(),
            page,
        ),
        (
            MIXES[2].0,
            TrendFilter { direction: Some(TrendDirection::Down), ..Default::default() },
            TrendSort::default(),
            page,
        ),
        (MIXES[3].0, TrendFilter::default(), TrendSort::Name, page),
        (MIXES[4].0, TrendFilter::default(), TrendSort::default(), PageRequest { limit: 50, offset: 5_000 }),
    ];
    let mut out = Vec::new();
    for (label, filter, sort, page) in mixes {
        storage.list_trends(tenant, &filter, sort, page).await.unwrap();
        let mut samples = Vec::with_capacity(STORAGE_CALLS);
        for _ in 0..STORAGE_CALLS {
            let started = Instant::now();
            storage.list_trends(tenant, &filter, sort, page).await.unwrap();
            samples.push(started.elapsed());
        }
        out.push((label, samples));
    }
    out
}

/// Runs the benchmark on one store; whether the target was met.
async fn run(kind: &str) -> bool {
    let wells = support::env_usize("FLOWLINE_BENCH_WELLS", 10_000);
    let requests = support::env_usize("FLOWLINE_BENCH_REQUESTS", 1_000);
    let (storage, target) = support::open(kind, flowline_backend::adapters::StorageProfile::Server).await;
    let deps = Deps { storage: Arc::clone(&storage), clock: Arc::new(SystemClock) };
    let accounts = AccountService::new(deps.clone());
    let tenant = accounts.create_tenant("bench", "", "America/Chicago").await.unwrap();
    accounts.create_user("bench", "viewer", "bench-password-1", flowline_shared::Role::Viewer).await.unwrap();
    let seed_s = seed(&storage, tenant.id, wells).await;
    let storage_only = time_storage(&storage, tenant.id).await;

    let state = build_state(
        Arc::clone(&storage),
        deps.clock.clone(),
        b"bench-secret-0123456789abcdef012345",
        chrono::Duration::hours(1),
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = spawn_server(listener, state, 1024 * 1024).unwrap();
    let http = reqwest::Client::builder().pool_max_idle_per_host(1).build().unwrap();
    let base = server.base_url();
    let token = support::login(&http, &base, "bench", "viewer", "bench-password-1").await;

    let get = |path: &'static str| {
        let (http, token, url) = (http.clone(), token.clone(), format!("{base}{path}"));
        async move {
            let started = Instant::now();
            let res = http.get(url).bearer_auth(token).send().await.unwrap();
            assert_eq!(res.status(), 200, "{path}");
            let body = res.bytes().await.unwrap();
            let elapsed = started.elapsed();
            let page: serde_json::Value = serde_json::from_slice(&body).unwrap();
            (elapsed, page)
        }
    };
    for i in 0..WARM_UP {
        get(MIXES[i % MIXES.len()].1).await;
    }
    let mut per_mix: Vec<Vec<Duration>> = vec![Vec::new(); MIXES.len()];
    let mut totals = vec![0u64; MIXES.len()];
    let started = Instant::now();
    for i in 0..requests {
        let m = i % MIXES.len();
        let (elapsed, page) = get(MIXES[m].1).await;
        assert!(page["items"].as_array().is_some_and(|items| items.len() <= 50));
        totals[m] = page["total"].as_u64().unwrap();
        per_mix[m].push(elapsed);
    }
    let wall = started.elapsed().as_secs_f64();

    println!(
        "trends_http/{kind}: {wells} wells seeded with stored trends in {seed_s:.1} s; {requests} sequential \
         requests in {wall:.2} s ({:.0} req/s)",
        requests as f64 / wall
    );
    for (m, (label, _)) in MIXES.iter().enumerate() {
        summary(&format!("{label} ({})", totals[m]), &mut per_mix[m]);
    }
    let mut all: Vec<Duration> = per_mix.into_iter().flatten().collect();
    let p95 = summary("overall", &mut all);
    for (label, mut samples) in storage_only {
        summary(&format!("storage {label}"), &mut samples);
    }
    let met = p95 <= P95_TARGET;
    println!("  target p95 <= {} ms: {}", P95_TARGET.as_millis(), if met { "met" } else { "MISSED" });
    server.stop().await.unwrap();
    support::cleanup(target, storage).await;
    met
}
