//! The messages of the event stream `GET /api/v1/ws/alerts` (a WebSocket; the protocol is in docs/websocket.md).
//!
//! Every message is one JSON object with a `type`. Events (`alert_created`, `alert_updated`, `alert_cleared`,
//! `kpis_changed`) carry the tenant's stream position `seq` (consecutive per tenant, starting at 1) and the data of
//! the event next to it (`alert`, `kpis`, …); `snapshot` opens every connection and says where the stream stood;
//! `heartbeat` keeps idle connections visibly alive.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What an event of the stream says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EventKind {
    AlertCreated,
    AlertUpdated,
    AlertCleared,
    KpisChanged,
}

impl EventKind {
    pub const ALL: [EventKind; 4] =
        [EventKind::AlertCreated, EventKind::AlertUpdated, EventKind::AlertCleared, EventKind::KpisChanged];

    /// The wire name (`alert_created`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::AlertCreated => "alert_created",
            EventKind::AlertUpdated => "alert_updated",
            EventKind::AlertCleared => "alert_cleared",
            EventKind::KpisChanged => "kpis_changed",
        }
    }
}

impl std::str::FromStr for EventKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| format!("unknown event kind {s:?}"))
    }
}

/// The position and data of one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventBody {
    /// The tenant's stream position: consecutive, so a gap means something was missed.
    pub seq: i64,
    /// When the event happened.
    pub at: DateTime<Utc>,
    /// The event's data (for alarm events an `alert` object), next to `type`, `seq` and `at`.
    #[serde(flatten)]
    pub data: Map<String, Value>,
}

/// One message from the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum StreamMessage {
    /// The first message of every connection.
    Snapshot {
        /// The newest event of the tenant when the connection opened (0 before the first). Events the client asked to
        /// resume (`?since=`) follow, then live ones, all with `seq` greater than `since`.
        seq: i64,
        at: DateTime<Utc>,
        /// The `since` the client resumed from, if it did.
        resumed_from: Option<i64>,
        /// Events that will be replayed from storage before the live ones (`seq - since` when resuming, else 0).
        replaying: i64,
        /// Some events after `since` are no longer stored (kept 7 days): the replay is incomplete, so reload the
        /// state over the REST API.
        #[serde(default)]
        resync: bool,
    },
    AlertCreated(EventBody),
    AlertUpdated(EventBody),
    AlertCleared(EventBody),
    KpisChanged(EventBody),
    /// Sent every 15 seconds; `seq` is the newest event sent on this connection.
    Heartbeat {
        seq: i64,
        at: DateTime<Utc>,
    },
}

impl StreamMessage {
    /// The message of an event.
    pub fn event(kind: EventKind, body: EventBody) -> Self {
        match kind {
            EventKind::AlertCreated => StreamMessage::AlertCreated(body),
            EventKind::AlertUpdated => StreamMessage::AlertUpdated(body),
            EventKind::AlertCleared => StreamMessage::AlertCleared(body),
            EventKind::KpisChanged => StreamMessage::KpisChanged(body),
        }
    }

    /// The kind and body of an event message; `None` for `snapshot` and `heartbeat`.
    pub fn as_event(&self) -> Option<(EventKind, &EventBody)> {
        match self {
            StreamMessage::AlertCreated(b) => Some((EventKind::AlertCreated, b)),
            StreamMessage::AlertUpdated(b) => Some((EventKind::AlertUpdated, b)),
            StreamMessage::AlertCleared(b) => Some((EventKind::AlertCleared, b)),
            StreamMessage::KpisChanged(b) => Some((EventKind::KpisChanged, b)),
            StreamMessage::Snapshot { .. } | StreamMessage::Heartbeat { .. } => None,
        }
    }
}

/// Close codes of the stream besides the standard ones.
pub mod close_code {
    /// The client did not answer pings for 45 seconds.
    pub const HEARTBEAT_TIMEOUT: u16 = 4000;
    /// The token the connection was opened with expired: reconnect with a new one (and `?since=`).
    pub const TOKEN_EXPIRED: u16 = 4001;
    /// The client read too slowly and fell more than the server's buffer behind: reconnect with `?since=`.
    pub const SLOW_CONSUMER: u16 = 4008;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_are_flat_objects_with_type_seq_at_and_their_data() {
        let at = DateTime::parse_from_rfc3339("2026-11-29T12:00:00Z").unwrap().with_timezone(&Utc);
        let data = json!({ "alert": { "id": "a1", "priority": "critical" } }).as_object().cloned().unwrap();
        let message = StreamMessage::event(EventKind::AlertCreated, EventBody { seq: 7, at, data });
        let wire = serde_json::to_value(&message).unwrap();
        assert_eq!(
            wire,
            json!({ "type": "alert_created", "seq": 7, "at": "2026-11-29T12:00:00Z",
                    "alert": { "id": "a1", "priority": "critical" } })
        );
        let back: StreamMessage = serde_json::from_value(wire).unwrap();
        assert_eq!(back, message);
        assert_eq!(back.as_event().map(|(k, b)| (k, b.seq)), Some((EventKind::AlertCreated, 7)));
    }

    #[test]
    fn control_messages_round_trip() {
        let at = DateTime::parse_from_rfc3339("2026-11-29T12:00:00Z").unwrap().with_timezone(&Utc);
        for message in [
            StreamMessage::Snapshot { seq: 12, at, resumed_from: Some(9), replaying: 3, resync: false },
            StreamMessage::Heartbeat { seq: 12, at },
        ] {
            let wire = serde_json::to_string(&message).unwrap();
            assert_eq!(serde_json::from_str::<StreamMessage>(&wire).unwrap(), message);
            assert!(message.as_event().is_none());
        }
        let heartbeat = serde_json::to_value(StreamMessage::Heartbeat { seq: 1, at }).unwrap();
        assert_eq!(heartbeat["type"], "heartbeat");
    }

    #[test]
    fn kinds_parse_from_their_wire_names() {
        for kind in EventKind::ALL {
            assert_eq!(kind.as_str().parse::<EventKind>(), Ok(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
        assert!("alert_deleted".parse::<EventKind>().is_err());
    }
}
