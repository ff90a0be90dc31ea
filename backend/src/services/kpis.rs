//! The dashboard KPIs (`GET /api/v1/dashboard/kpis`): gathers the pure [`fleet_kpis`]' input from storage for the
//! caller's tenant at the injected clock's `now`, and keeps the answer in a per-tenant cache.
//!
//! # Input
//! - **Wells**: every well of the tenant (paged through `list_wells`), its status (active or not) and type.
//! - **Days**: the daily aggregates (`Period::Daily`) of oil, gas and hours on of the [`LOOKBACK_DAYS`] local days
//!   ending today, read in chunks of [`WELLS_PER_QUERY`] wells, two queries in flight. A day's value is the mean of its entries (each entry
//!   holds per-calendar-day rates, ARCHITECTURE.md), i.e. the day's volume. 37 days rather than the 8 the cards show:
//!   deferred production's stable rate looks back 30 days from each of the sparkline's 7 days; the stored aggregates
//!   are one row per well-month, so the longer window reads at most one more month row per well.
//! - **A day's `last_reading_at`**: the well's newest reading (from the well list) when it falls in that day or
//!   earlier, else the day's last millisecond. Exact for the newest day of each well (which is what the KPIs' `as_of`
//!   is taken from); an upper bound for older days (reading each day's newest entry would cost a scan of the
//!   entries).
//! - **Alarms**: the open alarms counted with `count_alarms` semantics per priority: unacknowledged and annunciated
//!   (shelved alarms and alarms of wells out of service do not count).
//! - **Prices**: the tenant's merged price table and heat content (`services/prices.rs`).
//!
//! # Cache ([`KpiCache`])
//! The computed answer (its JSON and ETag included) is kept per tenant, in process, for [`KPI_TTL`] (1 minute), and
//! never past the next local midnight (`today` changes) or the earliest end of a shelving among the open alarms (the
//! count changes). It is dropped when a stored ingest batch or a price update of the tenant invalidates it, and
//! when an alarm event (`alert_*`) or a `kpis_changed` event newer than the answer arrives on the event bus (the
//! bus carries every instance's events with Redis, so other instances' changes reach this cache too). One
//! computation per tenant runs at a time; concurrent misses wait for it. An invalidation announces itself with a
//! `kpis_changed` event (`{ "kpis": { "invalidated_at": … } }`) at most once per [`KPI_EVENT_INTERVAL`] per tenant;
//! an invalidation inside that interval is announced when it ends (one trailing event), so the last change is never
//! left unannounced.
//!
//! Limits: the cache is per instance (an ingest on another instance reaches it through that instance's
//! `kpis_changed` event, i.e. within 10 s). The KPIs read the stored daily aggregates, which the dirty worker
//! updates up to 15 s after an ingest: a refetch right after an invalidation may still show the previous day
//! figures; the next invalidation or the TTL brings them.

use super::Deps;
use super::events::EventService;
use super::prices::PriceService;
use super::tenant_cache::{FeedAction, TenantCache};
use super::wells::WellRowsCache;
use crate::etag::strong_tag;
use crate::ports::{AggregateQuery, NewEvent, StorageError, WellFilter};
use chrono::{DateTime, Days, NaiveDate, TimeDelta, Utc};
use flowline_shared::alarms::{AlarmPriority, count_alarms};
use flowline_shared::analytics::aggregation::{Field, Period, PeriodWindow, TimeSeriesAggregate};
use flowline_shared::dto::events::EventKind;
use flowline_shared::kpis::{
    FleetInput, FleetInputError, FleetKpis, UnacknowledgedAlarms, WellDay, WellInput, fleet_kpis,
};
use flowline_shared::{TenantId, WellId, WellStatus};
use futures_util::StreamExt;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

/// How long a computed answer is served.
pub const KPI_TTL: TimeDelta = TimeDelta::seconds(60);
/// The shortest interval between two `kpis_changed` events of a tenant.
pub const KPI_EVENT_INTERVAL: TimeDelta = TimeDelta::seconds(10);
/// Local days of daily aggregates read, ending today (see the module documentation).
pub const LOOKBACK_DAYS: u64 = 37;
/// Wells per aggregate query.
pub const WELLS_PER_QUERY: usize = 500;
/// Aggregate queries in flight at once: one decodes while the database reads the next.
const QUERIES_IN_FLIGHT: usize = 2;

/// Calls `each` with every daily aggregate of `wells` over the local days `from..=to`, read [`WELLS_PER_QUERY`]
/// wells at a time with [`QUERIES_IN_FLIGHT`] queries in flight (the KPIs' and the export chart's fleet reads).
pub async fn for_each_daily_aggregate(
    deps: &Deps,
    tenant: TenantId,
    zone: chrono_tz::Tz,
    wells: &[WellId],
    (from, to): (NaiveDate, NaiveDate),
    mut each: impl FnMut(TimeSeriesAggregate),
) -> Result<(), StorageError> {
    // Owned chunks and storage handles: the stream lives in `Send` futures the router spawns.
    let chunks: Vec<Vec<WellId>> = wells.chunks(WELLS_PER_QUERY).map(<[WellId]>::to_vec).collect();
    let reads = futures_util::stream::iter(chunks).map(|wells| {
        let storage = Arc::clone(&deps.storage);
        let query = AggregateQuery { wells, period: Period::Daily, from, to };
        async move { storage.aggregates(tenant, zone, &query).await }
    });
    let mut reads = std::pin::pin!(reads.buffered(QUERIES_IN_FLIGHT));
    while let Some(chunk) = reads.next().await {
        chunk?.into_iter().for_each(&mut each);
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum KpiError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("tenant {} does not exist", .0.0)]
    UnknownTenant(TenantId),
    /// Stored data the KPIs cannot use (a bug or a corrupted database, not the caller's fault).
    #[error("the stored data gives an invalid KPI input: {0}")]
    Input(#[from] FleetInputError),
    #[error("the KPIs could not be encoded: {0}")]
    Encode(String),
}

/// One computed answer.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiSnapshot {
    pub kpis: FleetKpis,
    /// The answer's JSON body.
    pub json: Arc<[u8]>,
    /// The strong entity tag of `json`, as `http::conditional` computes it (`"` + 32 hex digits + `"`).
    pub etag: String,
    /// The clock's instant when it was computed (`kpis.now`).
    pub computed_at: DateTime<Utc>,
    /// Served until then at the latest.
    pub valid_until: DateTime<Utc>,
}

/// When the tenant's last `kpis_changed` event went out, and whether a trailing one is scheduled.
#[derive(Default)]
struct Announcements {
    last_event_at: Option<DateTime<Utc>>,
    trailing: bool,
}

/// Alarm events change the unacknowledged counts: the answer goes, even one being computed. A `kpis_changed`
/// event (this or another instance's invalidation) drops an answer computed before it.
fn feed_policy(kind: EventKind) -> FeedAction {
    match kind {
        EventKind::KpisChanged => FeedAction::DropComputedBefore,
        EventKind::AlertCreated | EventKind::AlertUpdated | EventKind::AlertCleared => FeedAction::DropAll,
    }
}

/// The per-tenant, in-process cache of computed KPIs (see the module documentation). Cheap to clone.
#[derive(Clone)]
pub struct KpiCache {
    deps: Deps,
    events: EventService,
    answers: TenantCache<(), KpiSnapshot>,
    /// The wells with their newest readings, shared with the map and the export.
    rows: WellRowsCache,
    announcements: Arc<Mutex<HashMap<TenantId, Announcements>>>,
}

impl KpiCache {
    pub fn new(deps: Deps, events: EventService, rows: WellRowsCache) -> Self {
        let answers = TenantCache::new(events.subscribe(), feed_policy, 1);
        Self { deps, events, answers, rows, announcements: Arc::default() }
    }

    fn announcements(&self) -> std::sync::MutexGuard<'_, HashMap<TenantId, Announcements>> {
        self.announcements.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Drops the tenant's answer (its data changed) and announces it with a `kpis_changed` event, at most once per
    /// [`KPI_EVENT_INTERVAL`] (a suppressed announcement is sent when the interval ends). Never fails: a lost event
    /// is logged (clients also refresh on their timer).
    pub async fn invalidate(&self, tenant: TenantId) {
        self.answers.invalidate(tenant);
        let now = self.deps.clock.now();
        let wait = {
            let mut announcements = self.announcements();
            let slot = announcements.entry(tenant).or_default();
            match slot.last_event_at {
                Some(last) if now >= last && now - last < KPI_EVENT_INTERVAL => {
                    if slot.trailing {
                        return;
                    }
                    slot.trailing = true;
                    Some(KPI_EVENT_INTERVAL - (now - last))
                }
                _ => {
                    slot.last_event_at = Some(now);
                    None
                }
            }
        };
        match wait {
            None => self.announce(tenant, now).await,
            Some(wait) => {
                let cache = self.clone();
                let wait = wait.to_std().unwrap_or_default();
                tokio::spawn(async move {
                    tokio::time::sleep(wait).await;
                    let now = cache.deps.clock.now();
                    {
                        let mut announcements = cache.announcements();
                        let slot = announcements.entry(tenant).or_default();
                        slot.trailing = false;
                        slot.last_event_at = Some(now);
                    }
                    cache.announce(tenant, now).await;
                });
            }
        }
    }

    async fn announce(&self, tenant: TenantId, at: DateTime<Utc>) {
        let mut data = Map::new();
        data.insert("kpis".into(), json!({ "invalidated_at": at }));
        let event = NewEvent { kind: EventKind::KpisChanged, at, data };
        if let Err(e) = self.events.emit(tenant, &[event]).await {
            tracing::warn!(error = %e, "could not announce changed KPIs");
        }
    }
}

#[derive(Clone)]
pub struct KpiService {
    deps: Deps,
    prices: PriceService,
    cache: KpiCache,
}

/// A day's aggregates of one well as they are read.
#[derive(Default)]
struct DayParts {
    oil: Option<f64>,
    gas: Option<f64>,
    hours_on: Option<f64>,
    end: Option<DateTime<Utc>>,
}

impl KpiService {
    pub fn new(deps: Deps, prices: PriceService, cache: KpiCache) -> Self {
        Self { deps, prices, cache }
    }

    pub fn cache(&self) -> &KpiCache {
        &self.cache
    }

    /// The tenant's KPIs now: the cached answer while valid, else a new one.
    pub async fn dashboard(&self, tenant: TenantId) -> Result<Arc<KpiSnapshot>, KpiError> {
        let clock = &self.deps.clock;
        self.cache
            .answers
            .get_or_compute(
                tenant,
                (),
                || clock.now(),
                |now| async move {
                    let snapshot = self.compute(tenant, now).await?;
                    let valid_until = snapshot.valid_until;
                    Ok((snapshot, valid_until))
                },
            )
            .await
    }

    /// Computes the KPIs at `now` from storage, bypassing the cache.
    pub async fn compute(&self, tenant: TenantId, now: DateTime<Utc>) -> Result<KpiSnapshot, KpiError> {
        let storage = &self.deps.storage;
        let t = storage.tenant_by_id(tenant).await?.ok_or(KpiError::UnknownTenant(tenant))?;
        let zone = t.time_zone;
        let today = now.with_timezone(&zone).date_naive();
        let from = today.checked_sub_days(Days::new(LOOKBACK_DAYS - 1)).unwrap_or(NaiveDate::MIN);

        // Every well, with its newest reading.
        let wells = self.cache.rows.rows(tenant, &WellFilter::default()).await?;
        let status_as_of = now;

        // Daily aggregates of the lookback, per well and day.
        let mut days: HashMap<WellId, BTreeMap<NaiveDate, DayParts>> = HashMap::with_capacity(wells.len());
        let ids: Vec<WellId> = wells.iter().map(|w| w.well.id).collect();
        for_each_daily_aggregate(&self.deps, tenant, zone, &ids, (from, today), |a| {
            let parts = days.entry(a.well_id).or_default().entry(a.period.local_start()).or_default();
            parts.end = Some(a.period.end());
            match a.field {
                Field::OilBbl => parts.oil = Some(a.stats.mean),
                Field::GasMcf => parts.gas = Some(a.stats.mean),
                Field::HoursOn => parts.hours_on = Some(a.stats.mean),
                _ => {}
            }
        })
        .await?;

        let mut input_wells = Vec::with_capacity(wells.len());
        for w in wells.iter() {
            let latest = w.latest.as_ref().map(|l| l.recorded_at);
            let well_days = days
                .remove(&w.well.id)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|(day, p)| {
                    let hours_on = p.hours_on?;
                    let end = p.end.unwrap_or_else(|| PeriodWindow::for_date(Period::Daily, day, zone).end());
                    let last_ms = end - TimeDelta::milliseconds(1);
                    Some(WellDay {
                        day,
                        oil_bbl: p.oil.unwrap_or(0.0),
                        gas_mcf: p.gas.unwrap_or(0.0),
                        hours_on,
                        last_reading_at: latest.map_or(last_ms, |t| t.min(last_ms)),
                    })
                })
                .collect();
            input_wells.push(WellInput {
                well_id: w.well.id,
                active: w.well.status == WellStatus::Active,
                well_type: w.well.well_type,
                days: well_days,
            });
        }

        // Unacknowledged alarms by priority, and the earliest end of a shelving (the counts change then).
        let open: Vec<_> = storage.open_alarms(tenant, None).await?.into_iter().map(|s| s.alarm).collect();
        let out_of_service: HashSet<WellId> =
            storage.alarms_out_of_service(tenant).await?.into_iter().map(|o| o.well_id).collect();
        let count = |p: AlarmPriority| -> u32 {
            let of: Vec<_> = open.iter().filter(|a| a.priority == p).cloned().collect();
            let n = count_alarms(&of, |w| out_of_service.contains(&w), now).unacknowledged;
            u32::try_from(n).unwrap_or(u32::MAX)
        };
        let alarms = UnacknowledgedAlarms {
            critical: count(AlarmPriority::Critical),
            high: count(AlarmPriority::High),
            low: count(AlarmPriority::Low),
            counted_at: now,
        };
        let shelf_ends = open.iter().filter_map(|a| a.shelved.as_ref().map(|s| s.until)).filter(|u| *u > now).min();

        let (table, heat) = self.prices.table(tenant).await?;
        let input = FleetInput { zone, wells: input_wells, status_as_of, alarms };
        let kpis = fleet_kpis(&input, &table, heat, now)?;

        let next_midnight = today
            .succ_opt()
            .map(|d| PeriodWindow::for_date(Period::Daily, d, zone).start())
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        let valid_until = [Some(now + KPI_TTL), Some(next_midnight), shelf_ends].into_iter().flatten().min();
        let json = serde_json::to_vec(&kpis).map_err(|e| KpiError::Encode(e.to_string()))?;
        Ok(KpiSnapshot {
            etag: strong_tag(&json),
            json: json.into(),
            computed_at: now,
            valid_until: valid_until.unwrap_or(now + KPI_TTL),
            kpis,
        })
    }
}

/// The data of a `kpis_changed` event (for tests and clients).
pub fn invalidated_at(data: &Map<String, Value>) -> Option<DateTime<Utc>> {
    data.get("kpis")?.get("invalidated_at")?.as_str()?.parse().ok()
}
