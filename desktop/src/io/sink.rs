//! The I/O thread's end of the event channel: queue an event, then wake the UI.
//!
//! Owns: the rule "every event is followed by a wake-up". Must not touch: anything but the channel and the waker.

use crate::protocol::Event;
use std::sync::Arc;
use std::sync::mpsc::Sender;

/// Called after each event; the app passes a closure that calls `egui::Context::request_repaint`.
pub type Waker = Arc<dyn Fn() + Send + Sync>;

#[derive(Clone)]
pub struct EventSink {
    events: Sender<Event>,
    waker: Waker,
}

impl EventSink {
    pub fn new(events: Sender<Event>, waker: Waker) -> Self {
        Self { events, waker }
    }

    /// Queues the event and wakes the UI; false when the UI has gone (the app is closing).
    pub fn send(&self, event: Event) -> bool {
        let delivered = self.events.send(event).is_ok();
        (self.waker)();
        delivered
    }
}
