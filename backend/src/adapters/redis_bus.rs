//! The shared event bus over Redis pub/sub (`FLOWLINE_REDIS_URL`): every instance publishes the events it appends
//! on one channel and forwards what it receives on that channel to its own subscribers, so a client connected to
//! any instance sees every instance's events. An instance's own events come back through Redis like the others'
//! (one path, one order). A lost message is recovered by the subscribers from storage (see `ports::events`).

use super::local_bus::LocalEventBus;
use crate::ports::{EventBus, StoredEvent};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use flowline_shared::TenantId;
use flowline_shared::dto::events::EventKind;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;

/// The pub/sub channel of Flowline's events.
pub const CHANNEL: &str = "flowline:events";

/// An event on the channel.
#[derive(Serialize, Deserialize)]
struct WireEvent {
    tenant_id: uuid::Uuid,
    seq: i64,
    kind: EventKind,
    at: DateTime<Utc>,
    data: Map<String, Value>,
}

#[derive(Debug, thiserror::Error)]
#[error("Redis event bus: {0}")]
pub struct RedisBusError(#[from] redis::RedisError);

pub struct RedisEventBus {
    publisher: redis::aio::MultiplexedConnection,
    local: LocalEventBus,
    listener: tokio::task::JoinHandle<()>,
}

impl Drop for RedisEventBus {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

impl RedisEventBus {
    /// Connects (publisher and subscriber) and starts forwarding the channel to this process's subscribers. Returns
    /// once the subscription is active, so nothing published afterwards is missed.
    pub async fn connect(url: &str) -> Result<Self, RedisBusError> {
        let client = redis::Client::open(url)?;
        let publisher = client.get_multiplexed_async_connection().await?;
        let mut pubsub = client.get_async_pubsub().await?;
        pubsub.subscribe(CHANNEL).await?;
        let local = LocalEventBus::default();
        let listener = tokio::spawn(listen(client, pubsub, local.clone()));
        Ok(Self { publisher, local, listener })
    }
}

/// Forwards the channel to `local` for as long as the process runs, resubscribing after a lost connection (events
/// published meanwhile are recovered from storage by the subscribers when they notice the gap).
async fn listen(client: redis::Client, mut pubsub: redis::aio::PubSub, local: LocalEventBus) {
    loop {
        {
            let mut messages = pubsub.on_message();
            while let Some(message) = messages.next().await {
                match message.get_payload::<String>().map(|p| serde_json::from_str::<WireEvent>(&p)) {
                    Ok(Ok(w)) => local.deliver(Arc::new(StoredEvent {
                        tenant_id: TenantId(w.tenant_id),
                        seq: w.seq,
                        kind: w.kind,
                        at: w.at,
                        data: w.data,
                    })),
                    Ok(Err(e)) => tracing::warn!(error = %e, "ignoring a malformed event on the Redis channel"),
                    Err(e) => tracing::warn!(error = %e, "ignoring an unreadable message on the Redis channel"),
                }
            }
        }
        tracing::warn!("Redis event subscription lost; reconnecting");
        pubsub = loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            match client.get_async_pubsub().await {
                Ok(mut p) => match p.subscribe(CHANNEL).await {
                    Ok(()) => break p,
                    Err(e) => tracing::warn!(error = %e, "cannot resubscribe to the Redis event channel"),
                },
                Err(e) => tracing::warn!(error = %e, "cannot reconnect to Redis for events"),
            }
        };
        tracing::info!("Redis event subscription restored");
    }
}

#[async_trait]
impl EventBus for RedisEventBus {
    async fn publish(&self, event: &StoredEvent) {
        let wire = WireEvent {
            tenant_id: event.tenant_id.0,
            seq: event.seq,
            kind: event.kind,
            at: event.at,
            data: event.data.clone(),
        };
        let payload = match serde_json::to_string(&wire) {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(error = %e, "cannot encode an event for Redis");
                return;
            }
        };
        let mut connection = self.publisher.clone();
        let published: Result<i64, redis::RedisError> =
            redis::cmd("PUBLISH").arg(CHANNEL).arg(payload).query_async(&mut connection).await;
        if let Err(e) = published {
            // The event is stored; subscribers recover it from storage at the next event or heartbeat.
            tracing::warn!(error = %e, seq = event.seq, "could not publish an event to Redis");
        }
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<StoredEvent>> {
        self.local.subscribe()
    }
}
