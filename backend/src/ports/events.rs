//! The tenant's event stream: the storage port that persists it with consecutive sequence numbers, and the bus
//! port that hands committed events to the WebSocket connections of this instance (or of every instance).
//!
//! Contract: an event is first appended (durable, with its `seq`), then published. Publishing is best effort: a
//! subscriber that sees a gap in `seq` (a lost or reordered publication) reads the missing events back from storage,
//! so clients receive every event exactly once, in order. The error contract of `storage.rs` applies.

use super::StorageResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use flowline_shared::TenantId;
use flowline_shared::dto::events::EventKind;
use serde_json::{Map, Value};
use std::sync::Arc;
use tokio::sync::broadcast;

/// An event to append.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub kind: EventKind,
    pub at: DateTime<Utc>,
    /// The event's data (a JSON object, e.g. `{ "alert": {…} }`).
    pub data: Map<String, Value>,
}

/// An appended event.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub tenant_id: TenantId,
    /// Consecutive per tenant from 1, in commit order.
    pub seq: i64,
    pub kind: EventKind,
    pub at: DateTime<Utc>,
    pub data: Map<String, Value>,
}

#[async_trait]
pub trait EventRepository: Send + Sync {
    /// Appends `events` in order, atomically (all or none), numbering them after the tenant's last event; returns
    /// them with their `seq`. Concurrent appends for one tenant are serialised, so the order of `seq` is the order of
    /// commit. `NotFound` for an unknown tenant.
    async fn append_events(&self, tenant: TenantId, events: &[NewEvent]) -> StorageResult<Vec<StoredEvent>>;
    /// The tenant's events with `seq > after`, ascending, at most `limit`.
    async fn events_after(&self, tenant: TenantId, after: i64, limit: u32) -> StorageResult<Vec<StoredEvent>>;
    /// The tenant's newest `seq`; 0 before the first event.
    async fn last_event_seq(&self, tenant: TenantId) -> StorageResult<i64>;
    /// Deletes the tenant's events that happened before `before` (their `seq` are never reused); returns how many.
    async fn prune_events(&self, tenant: TenantId, before: DateTime<Utc>) -> StorageResult<u64>;
}

/// Fan-out of appended events to the subscribers of this process: in process only, or through a shared broker so
/// that an event appended by one server instance reaches the clients of every instance.
#[async_trait]
pub trait EventBus: Send + Sync {
    /// Hands an appended event to the subscribers (of every instance, for a shared bus). Never fails: a lost
    /// publication is recovered by the subscribers from storage, so the adapter logs the error.
    async fn publish(&self, event: &StoredEvent);
    /// A receiver of the events published from now on (every tenant's: the subscriber filters). Its buffer is
    /// bounded; a receiver that falls behind gets `RecvError::Lagged`.
    fn subscribe(&self) -> broadcast::Receiver<Arc<StoredEvent>>;
}
