//! The in-process event bus: a bounded broadcast channel. The default; a single server instance needs nothing else.

use crate::ports::{EventBus, StoredEvent};
use async_trait::async_trait;
use std::sync::Arc;
use tokio::sync::broadcast;

/// Events a subscriber may fall behind by before it is told it lagged (and the WebSocket closes it as a slow
/// consumer). Shared by every subscriber: memory does not grow with the number of connections.
pub const BUS_CAPACITY: usize = 4096;

#[derive(Clone)]
pub struct LocalEventBus {
    sender: broadcast::Sender<Arc<StoredEvent>>,
}

impl Default for LocalEventBus {
    fn default() -> Self {
        Self { sender: broadcast::channel(BUS_CAPACITY).0 }
    }
}

impl LocalEventBus {
    /// Hands an event to this process's subscribers (also used by the Redis bus for what it receives).
    pub fn deliver(&self, event: Arc<StoredEvent>) {
        // No subscriber is not an error: nobody is watching.
        let _ = self.sender.send(event);
    }
}

#[async_trait]
impl EventBus for LocalEventBus {
    async fn publish(&self, event: &StoredEvent) {
        self.deliver(Arc::new(event.clone()));
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<StoredEvent>> {
        self.sender.subscribe()
    }
}
