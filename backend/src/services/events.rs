//! The tenant's event stream: appending events (durable first, then published on the bus) and following the stream
//! for one client without losing or repeating an event ([`StreamCursor`]).
//!
//! Exactly once, in order: a cursor remembers the last `seq` it handed out. A live event at that `seq` or below is a
//! repeat and is dropped; the next `seq` is handed out; a higher one means publications were lost or overtaken (two
//! instances publishing, a Redis hiccup), so the missing events are read back from storage first. Resuming after a
//! disconnect is the same catch-up from the client's last `seq`.

use super::Deps;
use crate::ports::{EventBus, NewEvent, StorageResult, StoredEvent};
use flowline_shared::TenantId;
use std::sync::Arc;
use tokio::sync::broadcast;

/// How long events are kept for clients to resume from; a client away longer reloads its state (`resync`).
pub const EVENT_RETENTION: chrono::Duration = chrono::Duration::days(7);
/// Events read from storage per round trip while catching up.
pub const CATCH_UP_PAGE: u32 = 500;

#[derive(Clone)]
pub struct EventService {
    deps: Deps,
    bus: Arc<dyn EventBus>,
}

impl EventService {
    pub fn new(deps: Deps, bus: Arc<dyn EventBus>) -> Self {
        Self { deps, bus }
    }

    /// Appends `events` to the tenant's stream and publishes them; returns them with their `seq`.
    pub async fn emit(&self, tenant: TenantId, events: &[NewEvent]) -> StorageResult<Vec<StoredEvent>> {
        let stored = self.deps.storage.append_events(tenant, events).await?;
        self.publish_stored(&stored).await;
        Ok(stored)
    }

    /// Publishes events another repository appended (alarm changes are stored with their events in one
    /// transaction).
    pub async fn publish_stored(&self, events: &[StoredEvent]) {
        for event in events {
            self.bus.publish(event).await;
        }
    }

    /// Live events from now on (every tenant's; a [`StreamCursor`] filters).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<StoredEvent>> {
        self.bus.subscribe()
    }

    /// Deletes the tenant's events older than [`EVENT_RETENTION`]; returns how many.
    pub async fn prune(&self, tenant: TenantId) -> StorageResult<u64> {
        self.deps.storage.prune_events(tenant, self.deps.clock.now() - EVENT_RETENTION).await
    }

    /// Whether the events after `since` are still all stored (none was pruned): the first stored one after it is
    /// `since + 1`, or there is none.
    pub async fn complete_after(&self, tenant: TenantId, since: i64) -> StorageResult<bool> {
        let next = self.deps.storage.events_after(tenant, since, 1).await?;
        Ok(next.first().is_none_or(|e| e.seq == since + 1))
    }

    /// The tenant's newest `seq` (0 before the first event).
    pub async fn last_seq(&self, tenant: TenantId) -> StorageResult<i64> {
        self.deps.storage.last_event_seq(tenant).await
    }
}

/// One client's position in its tenant's stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamCursor {
    tenant: TenantId,
    last_sent: i64,
}

impl StreamCursor {
    /// A cursor that has handed out everything up to `last_sent`.
    pub fn new(tenant: TenantId, last_sent: i64) -> Self {
        Self { tenant, last_sent }
    }

    pub fn last_sent(&self) -> i64 {
        self.last_sent
    }

    /// The next page (at most [`CATCH_UP_PAGE`]) of stored events after the cursor; advances the cursor. Empty when
    /// the cursor is at the end. A replay sends page by page, so its memory does not grow with the history.
    pub async fn next_page(&mut self, events: &EventService) -> StorageResult<Vec<StoredEvent>> {
        let page = events.deps.storage.events_after(self.tenant, self.last_sent, CATCH_UP_PAGE).await?;
        if let Some(last) = page.last() {
            self.last_sent = last.seq;
        }
        Ok(page)
    }

    /// The stored events after the cursor through `until` (inclusive), in pages; advances the cursor. The gap a
    /// live event reveals is bounded by what the bus can hold in flight.
    async fn catch_up(&mut self, events: &EventService, until: i64) -> StorageResult<Vec<StoredEvent>> {
        let mut out = Vec::new();
        loop {
            let page = events.deps.storage.events_after(self.tenant, self.last_sent, CATCH_UP_PAGE).await?;
            let full = page.len() == CATCH_UP_PAGE as usize;
            for event in page {
                if event.seq > until {
                    return Ok(out);
                }
                self.last_sent = event.seq;
                out.push(event);
            }
            if !full || self.last_sent >= until {
                return Ok(out);
            }
        }
    }

    /// What to hand out for a live event: nothing for another tenant's or an event already handed out; the event
    /// itself when it is the next; else the missing events from storage, through this one.
    pub async fn on_live(&mut self, events: &EventService, event: &StoredEvent) -> StorageResult<Vec<StoredEvent>> {
        if event.tenant_id != self.tenant || event.seq <= self.last_sent {
            return Ok(Vec::new());
        }
        if event.seq == self.last_sent + 1 {
            self.last_sent = event.seq;
            return Ok(vec![event.clone()]);
        }
        self.catch_up(events, event.seq).await
    }
}
