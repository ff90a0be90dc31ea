//! A per-tenant, in-process cache of computed answers ([`TenantCache`]), shared by the KPIs and the well rows of the
//! map and the export.
//!
//! Each tenant has a slot of answers by key (a filter, or `()`), each served from the instant it was computed until
//! its `valid_until`. [`TenantCache::invalidate`] drops a tenant's answers; so do the events on the event bus that the
//! cache's [`FeedPolicy`] names (the bus carries every instance's events with Redis, so other instances' changes
//! reach this cache too). One computation per tenant runs at a time: concurrent misses wait for it and take its
//! answer, so a wall of screens refreshing together costs one computation. A computation that started before an
//! invalidation does not store its answer (the slot's generation moved).
//!
//! Owns: the bookkeeping only; what an answer is and when it goes stale is the caller's. Must not touch storage.

use crate::ports::StoredEvent;
use chrono::{DateTime, Utc};
use flowline_shared::TenantId;
use flowline_shared::dto::events::EventKind;
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::sync::broadcast;

/// What an event on the bus does to its tenant's answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedAction {
    /// Nothing.
    Keep,
    /// Drops the answers computed before the event's instant (another instance announced a change).
    DropComputedBefore,
    /// Drops every answer, including one being computed.
    DropAll,
}

/// Which events drop which answers.
pub type FeedPolicy = fn(EventKind) -> FeedAction;

struct Entry<V> {
    value: Arc<V>,
    computed_at: DateTime<Utc>,
    valid_until: DateTime<Utc>,
}

struct Slot<K, V> {
    /// Bumped by every invalidation: a computation that started before one does not store its answer.
    generation: u64,
    entries: HashMap<K, Entry<V>>,
}

impl<K, V> Default for Slot<K, V> {
    fn default() -> Self {
        Self { generation: 0, entries: HashMap::new() }
    }
}

impl<K, V> Slot<K, V> {
    fn drop_all(&mut self) {
        self.generation += 1;
        self.entries.clear();
    }
}

struct Inner<K, V> {
    slots: Mutex<HashMap<TenantId, Slot<K, V>>>,
    /// Events of every tenant from the bus, drained before each lookup.
    feed: Mutex<broadcast::Receiver<Arc<StoredEvent>>>,
    policy: FeedPolicy,
    /// One computation per tenant at a time.
    computing: Mutex<HashMap<TenantId, Arc<tokio::sync::Mutex<()>>>>,
    /// Answers kept per tenant; storing one more drops the oldest (the keys come from request filters).
    max_entries: usize,
}

/// See the module documentation. Cheap to clone.
pub struct TenantCache<K, V> {
    inner: Arc<Inner<K, V>>,
}

impl<K, V> Clone for TenantCache<K, V> {
    fn clone(&self) -> Self {
        Self { inner: Arc::clone(&self.inner) }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<K: Eq + Hash + Clone, V> TenantCache<K, V> {
    /// A cache that follows the event bus through `feed` (`EventService::subscribe`) with `policy` and keeps at
    /// most `max_entries` answers per tenant.
    pub fn new(feed: broadcast::Receiver<Arc<StoredEvent>>, policy: FeedPolicy, max_entries: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                slots: Mutex::default(),
                feed: Mutex::new(feed),
                policy,
                computing: Mutex::default(),
                max_entries: max_entries.max(1),
            }),
        }
    }

    /// Applies the events that arrived on the bus since the last call.
    fn drain_feed(&self) {
        let mut feed = lock(&self.inner.feed);
        loop {
            match feed.try_recv() {
                Ok(event) => {
                    let mut slots = lock(&self.inner.slots);
                    // A tenant whose first answer is being computed has no slot yet, but its generation must move so
                    // that the computation in flight is not kept.
                    let slot = slots.entry(event.tenant_id).or_default();
                    match (self.inner.policy)(event.kind) {
                        FeedAction::Keep => {}
                        FeedAction::DropComputedBefore => slot.entries.retain(|_, e| e.computed_at >= event.at),
                        FeedAction::DropAll => slot.drop_all(),
                    }
                }
                // Events were lost: forget every answer.
                Err(broadcast::error::TryRecvError::Lagged(_)) => {
                    lock(&self.inner.slots).values_mut().for_each(Slot::drop_all);
                }
                Err(broadcast::error::TryRecvError::Empty | broadcast::error::TryRecvError::Closed) => break,
            }
        }
    }

    /// The tenant's answer for `key` if it is still valid at `now`.
    pub fn fresh(&self, tenant: TenantId, key: &K, now: DateTime<Utc>) -> Option<Arc<V>> {
        self.drain_feed();
        let slots = lock(&self.inner.slots);
        let e = slots.get(&tenant)?.entries.get(key)?;
        (e.computed_at <= now && now < e.valid_until).then(|| Arc::clone(&e.value))
    }

    /// The valid answer, else one computed by `compute(now)` (which also says until when it is valid) and kept
    /// unless the tenant was invalidated meanwhile. `now` is read again after waiting for another computation.
    pub async fn get_or_compute<E, Fut>(
        &self,
        tenant: TenantId,
        key: K,
        now: impl Fn() -> DateTime<Utc>,
        compute: impl FnOnce(DateTime<Utc>) -> Fut,
    ) -> Result<Arc<V>, E>
    where
        Fut: Future<Output = Result<(V, DateTime<Utc>), E>>,
    {
        if let Some(v) = self.fresh(tenant, &key, now()) {
            return Ok(v);
        }
        let computing = Arc::clone(lock(&self.inner.computing).entry(tenant).or_default());
        let _computing = computing.lock().await;
        let at = now();
        if let Some(v) = self.fresh(tenant, &key, at) {
            return Ok(v);
        }
        let generation = lock(&self.inner.slots).get(&tenant).map_or(0, |s| s.generation);
        let (value, valid_until) = compute(at).await?;
        let value = Arc::new(value);
        let mut slots = lock(&self.inner.slots);
        let slot = slots.entry(tenant).or_default();
        if slot.generation == generation {
            if slot.entries.len() >= self.inner.max_entries && !slot.entries.contains_key(&key) {
                let oldest = slot.entries.iter().min_by_key(|(_, e)| e.computed_at).map(|(k, _)| k.clone());
                if let Some(oldest) = oldest {
                    slot.entries.remove(&oldest);
                }
            }
            slot.entries.insert(key, Entry { value: Arc::clone(&value), computed_at: at, valid_until });
        }
        Ok(value)
    }

    /// Drops the tenant's answers, and the one being computed.
    pub fn invalidate(&self, tenant: TenantId) {
        lock(&self.inner.slots).entry(tenant).or_default().drop_all();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use uuid::Uuid;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).unwrap()
    }

    fn policy(kind: EventKind) -> FeedAction {
        match kind {
            EventKind::KpisChanged => FeedAction::DropComputedBefore,
            EventKind::AlertCreated => FeedAction::DropAll,
            EventKind::AlertUpdated | EventKind::AlertCleared => FeedAction::Keep,
        }
    }

    fn event(tenant: TenantId, kind: EventKind, at: DateTime<Utc>) -> Arc<StoredEvent> {
        Arc::new(StoredEvent { tenant_id: tenant, seq: 1, kind, at, data: Default::default() })
    }

    struct Fixture {
        cache: TenantCache<&'static str, u32>,
        bus: broadcast::Sender<Arc<StoredEvent>>,
        computed: AtomicUsize,
    }

    impl Fixture {
        fn new(max_entries: usize) -> Self {
            let (bus, feed) = broadcast::channel(4);
            Self { cache: TenantCache::new(feed, policy, max_entries), bus, computed: AtomicUsize::new(0) }
        }

        /// The answer for `key` at `now`: a new computation returns its number (1, 2, …), valid for a minute.
        async fn get(&self, tenant: TenantId, key: &'static str, now: DateTime<Utc>) -> u32 {
            let answer: Result<Arc<u32>, ()> = self
                .cache
                .get_or_compute(
                    tenant,
                    key,
                    || now,
                    |at| async move {
                        let n = self.computed.fetch_add(1, Ordering::SeqCst) + 1;
                        Ok((u32::try_from(n).unwrap(), at + Duration::minutes(1)))
                    },
                )
                .await;
            *answer.unwrap()
        }
    }

    #[tokio::test]
    async fn an_answer_is_served_until_it_expires_per_tenant_and_key() {
        let f = Fixture::new(4);
        let (a, b) = (TenantId(Uuid::from_u128(1)), TenantId(Uuid::from_u128(2)));
        assert_eq!(f.get(a, "all", t0()).await, 1);
        assert_eq!(f.get(a, "all", t0() + Duration::seconds(59)).await, 1, "cached");
        assert_eq!(f.get(a, "oil", t0()).await, 2, "another key");
        assert_eq!(f.get(b, "all", t0()).await, 3, "another tenant");
        assert_eq!(f.get(a, "all", t0() + Duration::minutes(1)).await, 4, "expired at valid_until");
        assert!(f.cache.fresh(a, &"all", t0()).is_none(), "an answer is not served before it was computed");
    }

    #[tokio::test]
    async fn invalidation_and_events_drop_answers_by_policy() {
        let f = Fixture::new(4);
        let (a, b) = (TenantId(Uuid::from_u128(1)), TenantId(Uuid::from_u128(2)));
        assert_eq!(f.get(a, "all", t0()).await, 1);
        assert_eq!(f.get(b, "all", t0()).await, 2);
        f.cache.invalidate(a);
        assert_eq!(f.get(a, "all", t0()).await, 3, "invalidated");
        assert_eq!(f.get(b, "all", t0()).await, 2, "another tenant's answer stays");

        // An event the policy keeps, and a change announced before the answer: kept.
        f.bus.send(event(a, EventKind::AlertUpdated, t0())).unwrap();
        f.bus.send(event(a, EventKind::KpisChanged, t0() - Duration::seconds(1))).unwrap();
        assert_eq!(f.get(a, "all", t0()).await, 3);
        // A change announced after it: dropped.
        f.bus.send(event(a, EventKind::KpisChanged, t0() + Duration::seconds(1))).unwrap();
        assert_eq!(f.get(a, "all", t0() + Duration::seconds(2)).await, 4);
        f.bus.send(event(b, EventKind::AlertCreated, t0())).unwrap();
        assert_eq!(f.get(b, "all", t0()).await, 5, "drop-all");
    }

    #[tokio::test]
    async fn lost_events_drop_every_answer() {
        let f = Fixture::new(4);
        let a = TenantId(Uuid::from_u128(1));
        assert_eq!(f.get(a, "all", t0()).await, 1);
        let other = TenantId(Uuid::from_u128(9));
        for _ in 0..10 {
            f.bus.send(event(other, EventKind::AlertUpdated, t0())).unwrap();
        }
        assert_eq!(f.get(a, "all", t0()).await, 2, "the feed lagged: nothing is trusted");
    }

    #[tokio::test]
    async fn a_computation_overtaken_by_an_invalidation_is_not_kept() {
        let f = Fixture::new(4);
        let a = TenantId(Uuid::from_u128(1));
        let cache = f.cache.clone();
        let answer: Result<Arc<u32>, ()> = f
            .cache
            .get_or_compute(a, "all", t0, |at| async move {
                cache.invalidate(a);
                Ok((7, at + Duration::minutes(1)))
            })
            .await;
        assert_eq!(*answer.unwrap(), 7, "the caller gets its answer");
        assert!(f.cache.fresh(a, &"all", t0()).is_none(), "but it is not served to the next one");
    }

    #[tokio::test]
    async fn errors_are_returned_and_not_kept() {
        let f = Fixture::new(4);
        let a = TenantId(Uuid::from_u128(1));
        let failed: Result<Arc<u32>, &str> =
            f.cache.get_or_compute(a, "all", t0, |_| async { Err("database down") }).await;
        assert_eq!(failed, Err("database down"));
        assert_eq!(f.get(a, "all", t0()).await, 1);
    }

    #[tokio::test]
    async fn the_oldest_answer_makes_room_for_a_new_key() {
        let f = Fixture::new(2);
        let a = TenantId(Uuid::from_u128(1));
        assert_eq!(f.get(a, "first", t0()).await, 1);
        assert_eq!(f.get(a, "second", t0() + Duration::seconds(1)).await, 2);
        assert_eq!(f.get(a, "third", t0() + Duration::seconds(2)).await, 3);
        assert!(f.cache.fresh(a, &"first", t0() + Duration::seconds(3)).is_none(), "the oldest went");
        assert_eq!(f.get(a, "second", t0() + Duration::seconds(3)).await, 2);
        assert_eq!(f.get(a, "third", t0() + Duration::seconds(3)).await, 3);
    }

    #[tokio::test]
    async fn concurrent_misses_share_one_computation() {
        let f = Fixture::new(4);
        let a = TenantId(Uuid::from_u128(1));
        let answers = futures_util::future::join_all((0..8).map(|_| f.get(a, "all", t0()))).await;
        assert_eq!(answers, vec![1; 8]);
        assert_eq!(f.computed.load(Ordering::SeqCst), 1);
    }
}
