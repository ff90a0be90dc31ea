//! One function per subcommand.

use super::args::{Command, TenantAction, UserAction};
use super::progress;
use crate::adapters::local_bus::LocalEventBus;
use crate::adapters::redis_bus::RedisEventBus;
use crate::adapters::{DatabaseUrl, StorageProfile, open_storage_with};
use crate::app::{build_state_with_bus, random_secret, spawn_job_loop, spawn_server};
use crate::config::Config;
use crate::ports::{EventBus, Storage, SystemClock};
use crate::services::Deps;
use crate::services::accounts::AccountService;
use crate::services::aggregation::AggregationService;
use crate::services::alarms::AlarmService;
use crate::services::analytics::AnalyticsService;
use crate::services::auth::weak_secret_reason;
use crate::services::events::EventService;
use crate::services::import::ImportService;
use crate::services::ingest::IngestService;
use crate::services::scheduler::TICK;
use crate::services::simulation;
use crate::simulator::{FleetSpec, SimulatedFleet};
use anyhow::{Context, bail};
use flowline_shared::TenantSlug;
use std::sync::Arc;

pub async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            let storage = open(&config, StorageProfile::Server).await?;
            tracing::info!(dialect = storage.dialect(), "database is up to date");
            Ok(())
        }
        Command::Tenant { action: TenantAction::Add { slug, name, time_zone } } => {
            let accounts = AccountService::new(deps(open(&config, StorageProfile::Server).await?));
            let tenant = accounts.create_tenant(&slug, &name, &time_zone).await.context("creating the tenant")?;
            println!("created tenant {} ({}, {})", tenant.slug, tenant.name, tenant.time_zone);
            Ok(())
        }
        Command::User { action: UserAction::Add { tenant, username, password, role } } => {
            let accounts = AccountService::new(deps(open(&config, StorageProfile::Server).await?));
            let user = accounts.create_user(&tenant, &username, &password, role).await.context("creating the user")?;
            println!("created user {} ({}) in tenant {tenant}", user.username, user.role.as_str());
            Ok(())
        }
        Command::Import { tenant, format, file } => {
            let deps = deps(open(&config, StorageProfile::Bulk).await?);
            let tenant = find_tenant(&deps, &tenant).await?;
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let import = ImportService::new(deps.clone(), IngestService::new(deps));
            let bar = progress::bar(0, "rows");
            let report = import
                .import(tenant, format, &bytes, &|done, total| {
                    bar.set_length(total);
                    bar.set_position(done);
                })
                .await;
            bar.finish_and_clear();
            let report = report.map_err(|e| import_error(e, &file))?;
            println!(
                "imported {}: {} rows, {} entries stored, {} duplicates, {} skipped, {} wells created",
                file.display(),
                report.rows,
                report.accepted,
                report.duplicates,
                report.skipped,
                report.wells_created
            );
            Ok(())
        }
        Command::Backfill { tenant, from, to } => backfill(&config, tenant.as_deref(), from, to).await,
        Command::Daily { tenant, date } => daily(&config, tenant.as_deref(), date).await,
        Command::Analyze { tenant } => analyze(&config, tenant.as_deref()).await,
        Command::Simulate { tenant, wells, months, seed, live, interval } => {
            let deps = deps(open(&config, StorageProfile::Bulk).await?);
            let tenant = find_tenant(&deps, &tenant).await?;
            let fleet = SimulatedFleet::plan(&FleetSpec { wells, months, seed }, chrono::Utc::now().date_naive());
            let bar = progress::bar(fleet.expected_entries(), "entries");
            let result = simulation::backfill(&deps, tenant, &fleet, &|done, total| {
                bar.set_length(total);
                bar.set_position(done);
            })
            .await;
            bar.finish_and_clear();
            let (well_ids, report) = result.context("writing the simulated history")?;
            println!(
                "simulated {} wells ({} created): {} entries stored, {} duplicates",
                well_ids.len(),
                report.wells_created,
                report.entries_inserted,
                report.duplicates
            );
            let seeded = simulation::seed_maintenance(&deps, tenant, &fleet, &well_ids)
                .await
                .context("seeding the simulated maintenance items")?;
            println!("maintenance items: {} stored, {} already there", seeded.inserted, seeded.duplicates);
            if live {
                // Live readings raise alarms like any other ingest; their events reach a server's clients through
                // Redis when configured, else at the clients' next heartbeat (read back from storage).
                let bus: Arc<dyn EventBus> = match &config.redis_url {
                    Some(url) => Arc::new(RedisEventBus::connect(url).await.context("connecting to Redis for events")?),
                    None => Arc::new(LocalEventBus::default()),
                };
                let alarms = AlarmService::new(deps.clone(), EventService::new(deps.clone(), bus));
                let ingest = IngestService::new(deps.clone()).with_alarms(alarms);
                println!("simulating live every {}s; Ctrl-C stops", interval.as_secs());
                let mut ticker = tokio::time::interval(interval);
                loop {
                    tokio::select! {
                        _ = ticker.tick() => {
                            match simulation::live_tick(&ingest, &deps, tenant, &fleet, &well_ids).await {
                                Ok(r) => tracing::info!(accepted = r.accepted, "live readings sent"),
                                Err(e) => tracing::warn!(error = %e, "live tick failed; retrying next interval"),
                            }
                        }
                        _ = tokio::signal::ctrl_c() => break,
                    }
                }
            }
            Ok(())
        }
    }
}

/// The tenants a command applies to: one by slug, or all.
async fn tenants(deps: &Deps, slug: Option<&str>) -> anyhow::Result<Vec<flowline_shared::Tenant>> {
    match slug {
        Some(slug) => {
            let id = find_tenant(deps, slug).await?;
            Ok(deps.storage.tenant_by_id(id).await?.into_iter().collect())
        }
        None => deps.storage.list_tenants().await.context("listing tenants"),
    }
}

async fn analyze(config: &Config, tenant: Option<&str>) -> anyhow::Result<()> {
    let deps = deps(open(config, StorageProfile::Server).await?);
    let service = AnalyticsService::new(deps.clone());
    for tenant in tenants(&deps, tenant).await? {
        let wells = deps.storage.well_ids(tenant.id).await.context("listing wells")?;
        let bar = progress::bar(wells.len() as u64, "wells");
        let started = std::time::Instant::now();
        let result = service.recompute(&tenant, &wells, &|done| bar.set_position(done)).await;
        bar.finish_and_clear();
        let r = result.with_context(|| format!("analysing tenant {}", tenant.slug))?;
        println!(
            "tenant {}: {} wells analysed ({} forecasts, {} anomalies) in {:.1} s",
            tenant.slug,
            r.wells,
            r.forecasts,
            r.anomalies,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

async fn backfill(
    config: &Config,
    tenant: Option<&str>,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> anyhow::Result<()> {
    let deps = deps(open(config, StorageProfile::Bulk).await?);
    let service = AggregationService::new(deps.clone());
    for tenant in tenants(&deps, tenant).await? {
        let wells = deps.storage.well_ids(tenant.id).await.context("listing wells")?.len() as u64;
        let bar = progress::bar(wells, "wells");
        bar.set_message(tenant.slug.to_string());
        let started = std::time::Instant::now();
        let result = service.backfill(&tenant, from, to, &|done| bar.set_position(done)).await;
        bar.finish_and_clear();
        match result.with_context(|| format!("backfilling tenant {}", tenant.slug))? {
            Some(r) => println!(
                "tenant {}: {} wells, {} readings -> {} aggregates in {} well-months, {:.1} s",
                tenant.slug,
                r.wells,
                r.readings,
                r.aggregates,
                r.months,
                started.elapsed().as_secs_f64()
            ),
            None => println!("tenant {}: no readings, nothing to aggregate", tenant.slug),
        }
    }
    Ok(())
}

async fn daily(config: &Config, tenant: Option<&str>, date: Option<chrono::NaiveDate>) -> anyhow::Result<()> {
    let deps = deps(open(config, StorageProfile::Server).await?);
    let service = AggregationService::new(deps.clone());
    for tenant in tenants(&deps, tenant).await? {
        let day = date.unwrap_or_else(|| deps.clock.now().with_timezone(&tenant.time_zone).date_naive());
        let wells = deps.storage.well_ids(tenant.id).await.context("listing wells")?.len() as u64;
        let bar = progress::bar(wells, "wells");
        bar.set_message(format!("{} {day}", tenant.slug));
        let started = std::time::Instant::now();
        let result = service.run_daily(&tenant, day, &|done| bar.set_position(done)).await;
        bar.finish_and_clear();
        let r = result.with_context(|| format!("daily job of tenant {} for {day}", tenant.slug))?;
        println!(
            "tenant {} {day}: {} wells, {} readings -> {} aggregates in {} changed well-months, {:.2} s",
            tenant.slug,
            r.wells,
            r.readings,
            r.aggregates,
            r.months,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

fn import_error(e: crate::services::import::ImportError, file: &std::path::Path) -> anyhow::Error {
    use crate::services::import::ImportError;
    match e {
        ImportError::Invalid(rows) => {
            let mut msg = format!("{} rows of {} are invalid; nothing was imported:", rows.len(), file.display());
            for row in rows.iter().take(20) {
                let why: Vec<String> = row.errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
                msg.push_str(&format!("\n  line {}: {}", row.row, why.join("; ")));
            }
            if rows.len() > 20 {
                msg.push_str(&format!("\n  … and {} more", rows.len() - 20));
            }
            anyhow::anyhow!(msg)
        }
        other => anyhow::Error::new(other).context(format!("importing {}", file.display())),
    }
}

fn deps(storage: Arc<dyn Storage>) -> Deps {
    Deps { storage, clock: Arc::new(SystemClock) }
}

async fn open(config: &Config, profile: StorageProfile) -> anyhow::Result<Arc<dyn Storage>> {
    let url = DatabaseUrl::parse(&config.database_url).map_err(anyhow::Error::msg).context("FLOWLINE_DATABASE_URL")?;
    open_storage_with(&url, profile).await.context("opening the database")
}

async fn find_tenant(deps: &Deps, slug: &str) -> anyhow::Result<flowline_shared::TenantId> {
    let slug = TenantSlug::parse(slug).map_err(anyhow::Error::msg)?;
    match deps.storage.tenant_by_slug(&slug).await? {
        Some(t) => Ok(t.id),
        None => bail!("tenant {slug} does not exist: create it with `flowline-server tenant add {slug}`"),
    }
}

/// The JWT key to use, or why the server must not start.
pub fn jwt_secret(config: &Config) -> anyhow::Result<Vec<u8>> {
    match (&config.jwt_secret, config.demo) {
        (Some(secret), false) => match weak_secret_reason(secret) {
            Some(reason) => {
                bail!("{reason}; refusing to start (set a long random secret, e.g. `openssl rand -hex 32`)")
            }
            None => Ok(secret.as_bytes().to_vec()),
        },
        (Some(secret), true) => Ok(secret.as_bytes().to_vec()),
        (None, true) => {
            tracing::warn!("demo mode: using a random JWT secret; tokens end with this process");
            Ok(random_secret())
        }
        (None, false) => bail!("FLOWLINE_JWT_SECRET is not set; refusing to start outside demo mode (FLOWLINE_DEMO=1)"),
    }
}

/// The dashboard export's company name and logo: the logo file (if configured) is read here, once, and must decode
/// (an unreadable or undecodable file stops the start, naming the path).
pub fn branding(config: &Config) -> anyhow::Result<crate::services::export::Branding> {
    let logo = match &config.company_logo {
        Some(path) => {
            Some(std::fs::read(path).with_context(|| format!("reading the company logo {}", path.display()))?)
        }
        None => None,
    };
    let shown = config.company_logo.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
    crate::services::export::Branding::new(config.company_name.clone(), logo)
        .with_context(|| format!("the company logo {shown} is not a PNG image the export can print"))
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let secret = jwt_secret(&config)?;
    let branding = branding(&config)?;
    let storage = open(&config, StorageProfile::Server).await?;
    let bus: Arc<dyn EventBus> = match &config.redis_url {
        Some(url) => Arc::new(RedisEventBus::connect(url).await.context("connecting to Redis for events")?),
        None => Arc::new(LocalEventBus::default()),
    };
    let ttl = chrono::Duration::hours(config.token_ttl_hours);
    let mut state = build_state_with_bus(Arc::clone(&storage), Arc::new(SystemClock), &secret, ttl, bus)
        .context("building the services")?;
    state.export = state.export.with_branding(branding);
    let jobs = spawn_job_loop(deps(storage), state.alarms.clone(), state.events.clone(), TICK);
    let listener =
        tokio::net::TcpListener::bind(config.bind).await.with_context(|| format!("binding {}", config.bind))?;
    let server = spawn_server(listener, state, config.max_body_bytes).context("starting the HTTP server")?;
    tracing::info!(url = %server.base_url(), "serving the Flowline API");
    tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
    tracing::info!("shutting down");
    jobs.stop().await;
    server.stop().await.context("stopping the server")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_refuses_missing_or_weak_secret_outside_demo() {
        let base = Config::default();
        assert!(jwt_secret(&base).is_err());
        assert!(jwt_secret(&Config { jwt_secret: Some("secret".into()), ..base.clone() }).is_err());
        assert!(jwt_secret(&Config { jwt_secret: Some("changeme".into()), ..base.clone() }).is_err());
        let strong = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a6978";
        assert_eq!(jwt_secret(&Config { jwt_secret: Some(strong.into()), ..base.clone() }).unwrap(), strong.as_bytes());
        assert_eq!(jwt_secret(&Config { demo: true, ..base }).unwrap().len(), 32);
    }

    /// A 4 x 2 grey PNG.
    fn tiny_png() -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, 4, 2);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.write_header().unwrap().write_image_data(&[128; 8]).unwrap();
        out
    }

    #[test]
    fn branding_from_config_reads_the_logo_and_refuses_bad_files_naming_them() {
        let base = Config::default();
        let plain = branding(&base).unwrap();
        assert_eq!((plain.company(), plain.has_logo()), ("Flowline", false));

        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("logo.png");
        std::fs::write(&good, tiny_png()).unwrap();
        let config = Config { company_name: "Permian Operating LLC".into(), company_logo: Some(good), ..base.clone() };
        let b = branding(&config).unwrap();
        assert_eq!((b.company(), b.has_logo()), ("Permian Operating LLC", true));

        let missing = dir.path().join("missing.png");
        let e = branding(&Config { company_logo: Some(missing.clone()), ..base.clone() }).unwrap_err();
        assert!(format!("{e:#}").contains(&missing.display().to_string()), "{e:#}");

        let garbage = dir.path().join("garbage.png");
        std::fs::write(&garbage, b"not a png at all").unwrap();
        let e = branding(&Config { company_logo: Some(garbage.clone()), ..base }).unwrap_err();
        assert!(format!("{e:#}").contains(&garbage.display().to_string()), "{e:#}");
    }
}
