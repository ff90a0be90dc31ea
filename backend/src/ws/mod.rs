//! The WebSocket endpoints (axum). With `http/`, the only module besides the adapters that names axum.
//!
//! Owns: authenticating the upgrade, the connection loop of `/api/v1/ws/alerts` (snapshot, replay, live events,
//! heartbeats, slow-consumer and timeout closes). Must not touch: storage or the bus directly: it follows the
//! stream through `services::events`.

pub mod alerts;

use std::time::Duration;

/// Timings of the event stream's connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamSettings {
    /// How often a heartbeat (a JSON `heartbeat` and a ping) is sent, and stored events are checked for anything a
    /// lost publication left behind.
    pub heartbeat: Duration,
    /// A client that sent nothing (not even a pong) for this long is closed with `HEARTBEAT_TIMEOUT`.
    pub client_timeout: Duration,
    /// A send that takes longer (the client stopped reading and the socket is full) drops the connection.
    pub send_timeout: Duration,
}

impl Default for StreamSettings {
    fn default() -> Self {
        Self {
            heartbeat: Duration::from_secs(15),
            client_timeout: Duration::from_secs(45),
            send_timeout: Duration::from_secs(10),
        }
    }
}
