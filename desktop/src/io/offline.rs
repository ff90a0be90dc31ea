//! Between the worker and the cache: keeps every answer the views use (wells, KPIs with their ETag, open alarms,
//! the oil trends of the drill-down once it was opened) as JSON under the signed-in [`CacheKey`], and replays them as the same `Event`s the live fetch sends, wrapped in
//! `Event::FromCache` with their fetch time.
//!
//! Owns: which answers are kept and how they are replayed. Must not touch: egui, the model, the network.

use super::cache::{CacheError, CacheKey, ResponseKind, SharedStore};
use super::sink::EventSink;
use crate::protocol::Event;
use chrono::{DateTime, Utc};
use flowline_shared::alarms::AlarmId;
use flowline_shared::dto::WellView;
use flowline_shared::dto::alarms::AlarmView;
use flowline_shared::dto::analytics::TrendListItem;
use flowline_shared::kpis::FleetKpis;
use std::collections::HashMap;

/// The server part of a [`CacheKey`] for the embedded demo backend (its port changes at every start).
pub const EMBEDDED_SERVER: &str = "embedded";

/// The wells answer as kept.
#[derive(serde::Serialize, serde::Deserialize)]
struct WellsBody {
    wells: Vec<WellView>,
    total: u64,
}

/// The oil trends answer as kept: every page together (the per-page ETags are not kept, so the first fetch after
/// a replay downloads them again).
#[derive(serde::Serialize, serde::Deserialize)]
struct OilTrendsBody {
    trends: Vec<TrendListItem>,
    total: u64,
}

/// What a replay found.
#[derive(Debug, Default)]
pub struct Replayed {
    /// The ETag of the replayed KPIs, to revalidate them.
    pub kpi_etag: Option<String>,
    /// Well and rule of each replayed open alarm ("Midland 2 · Well down").
    pub labels: HashMap<AlarmId, String>,
    /// How many answers were replayed.
    pub answers: usize,
}

/// Stores one answer; a failure is logged, never shown (the live data is on screen anyway).
async fn put(
    store: &SharedStore,
    key: &CacheKey,
    kind: ResponseKind,
    etag: Option<String>,
    body: String,
    at: DateTime<Utc>,
) {
    let key = key.clone();
    if let Err(error) = store.run(move |s| s.put_response(&key, kind, etag.as_deref(), &body, at)).await {
        tracing::warn!(%error, ?kind, "an answer could not be kept in the offline cache");
    }
}

fn json(value: &impl serde::Serialize) -> Option<String> {
    serde_json::to_string(value).map_err(|error| tracing::warn!(%error, "an answer could not be encoded")).ok()
}

pub async fn save_wells(store: &SharedStore, key: &CacheKey, wells: &[WellView], total: u64, at: DateTime<Utc>) {
    #[derive(serde::Serialize)]
    struct Borrowed<'a> {
        wells: &'a [WellView],
        total: u64,
    }
    if let Some(body) = json(&Borrowed { wells, total }) {
        put(store, key, ResponseKind::Wells, None, body, at).await;
    }
}

pub async fn save_kpis(store: &SharedStore, key: &CacheKey, kpis: &FleetKpis, etag: Option<String>, at: DateTime<Utc>) {
    if let Some(body) = json(kpis) {
        put(store, key, ResponseKind::Kpis, etag, body, at).await;
    }
}

/// A 304: the kept KPIs were confirmed at `at`.
pub async fn confirm_kpis(store: &SharedStore, key: &CacheKey, at: DateTime<Utc>) {
    let key = key.clone();
    if let Err(error) = store.run(move |s| s.confirm_response(&key, ResponseKind::Kpis, at)).await {
        tracing::warn!(%error, "the offline cache could not record a revalidation");
    }
}

pub async fn save_alarms(store: &SharedStore, key: &CacheKey, alarms: &[AlarmView], at: DateTime<Utc>) {
    if let Some(body) = json(&alarms) {
        put(store, key, ResponseKind::OpenAlarms, None, body, at).await;
    }
}

pub async fn save_oil_trends(
    store: &SharedStore,
    key: &CacheKey,
    trends: &[TrendListItem],
    total: u64,
    at: DateTime<Utc>,
) {
    #[derive(serde::Serialize)]
    struct Borrowed<'a> {
        trends: &'a [TrendListItem],
        total: u64,
    }
    if let Some(body) = json(&Borrowed { trends, total }) {
        put(store, key, ResponseKind::OilTrends, None, body, at).await;
    }
}

/// Every page answered 304: the kept oil trends were confirmed at `at`.
pub async fn confirm_oil_trends(store: &SharedStore, key: &CacheKey, at: DateTime<Utc>) {
    let key = key.clone();
    if let Err(error) = store.run(move |s| s.confirm_response(&key, ResponseKind::OilTrends, at)).await {
        tracing::warn!(%error, "the offline cache could not record a revalidation");
    }
}

/// Sends the kept answers of `key` as `Event::FromCache`, wells first (the alarms take their well names from the
/// list). An answer that cannot be read is skipped.
pub async fn replay(store: &SharedStore, key: &CacheKey, sink: &EventSink) -> Replayed {
    let owned = key.clone();
    let read = store
        .run(move |s| {
            Ok::<_, CacheError>((
                s.response(&owned, ResponseKind::Wells)?,
                s.response(&owned, ResponseKind::Kpis)?,
                s.response(&owned, ResponseKind::OpenAlarms)?,
                s.response(&owned, ResponseKind::OilTrends)?,
            ))
        })
        .await;
    let (wells, kpis, alarms, oil_trends) = match read {
        Ok(found) => found,
        Err(error) => {
            tracing::error!(%error, "the offline cache could not be read");
            return Replayed::default();
        }
    };
    let mut replayed = Replayed::default();
    let send = |event: Event, fetched_at: DateTime<Utc>| {
        sink.send(Event::FromCache { event: Box::new(event), fetched_at });
    };
    if let Some(cached) = wells
        && let Some(body) = decode::<WellsBody>(&cached.body)
    {
        send(Event::WellsLoaded { wells: body.wells, total: body.total, at: cached.fetched_at }, cached.fetched_at);
        replayed.answers += 1;
    }
    if let Some(cached) = kpis
        && let Some(value) = decode::<Box<FleetKpis>>(&cached.body)
    {
        send(Event::KpisLoaded { kpis: value, at: cached.fetched_at }, cached.fetched_at);
        if cached.checked_at > cached.fetched_at {
            send(Event::KpisUnchanged { at: cached.checked_at }, cached.fetched_at);
        }
        replayed.kpi_etag = cached.etag;
        replayed.answers += 1;
    }
    if let Some(cached) = alarms
        && let Some(list) = decode::<Vec<AlarmView>>(&cached.body)
    {
        replayed.labels = labels(&list);
        let at = cached.fetched_at;
        send(Event::OpenAlarmsLoaded { alarms: list, requested_at: at, at }, at);
        replayed.answers += 1;
    }
    if let Some(cached) = oil_trends
        && let Some(body) = decode::<OilTrendsBody>(&cached.body)
    {
        let at = cached.fetched_at;
        send(Event::OilTrendsLoaded { trends: body.trends, total: body.total, at }, at);
        if cached.checked_at > at {
            send(Event::OilTrendsUnchanged { at: cached.checked_at }, at);
        }
        replayed.answers += 1;
    }
    replayed
}

/// "Midland 2 · Well down" for each alarm.
pub fn labels(alarms: &[AlarmView]) -> HashMap<AlarmId, String> {
    alarms.iter().map(|v| (v.alarm.id, format!("{} · {}", v.well_name, v.alarm.rule.label()))).collect()
}

fn decode<T: serde::de::DeserializeOwned>(body: &str) -> Option<T> {
    serde_json::from_str(body).map_err(|error| tracing::warn!(%error, "a cached answer could not be read")).ok()
}
