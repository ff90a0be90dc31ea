//! `GET /api/v1/ws/alerts`: the tenant's event stream over a WebSocket (protocol: docs/websocket.md).
//!
//! - **Authentication before the upgrade**: a JWT in `?token=` or `Authorization: Bearer`; missing, malformed,
//!   forged or expired gives the API's 401 error and no upgrade. `?since=<seq>` (an integer >= 0) resumes; anything
//!   else is a 400 naming `since`.
//! - **The connection**: a `snapshot` first; then, when resuming, every stored event after `since` (across a server
//!   restart too: they are read from storage); then live events, each exactly once and in `seq` order
//!   (`services::events::StreamCursor`). A `since` beyond the newest event (the client saw another database) resumes
//!   from the newest.
//! - **Liveness**: every `heartbeat` interval a `heartbeat` message and a ping; a client silent for
//!   `client_timeout` is closed with 4000; once the token the connection was opened with expires, with 4001.
//! - **Bounded memory**: a 4 KiB read buffer; live events come from one shared, bounded ring (`adapters::local_bus::BUS_CAPACITY`); a
//!   connection that falls behind it is closed with 4008 (reconnect with `?since=`), and a send that cannot complete
//!   within `send_timeout` drops the connection. Nothing queues per connection beyond the socket's own buffer.

use super::StreamSettings;
use crate::http::AppState;
use crate::http::error::{ApiError, ErrorCode};
use crate::http::extract::QueryParams;
use crate::ports::{StorageError, StoredEvent};
use crate::services::events::{EventService, StreamCursor};
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use flowline_shared::TenantId;
use flowline_shared::dto::events::{EventBody, StreamMessage, close_code};
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;

/// Largest message a client may send (it has nothing to say beyond pongs).
const MAX_CLIENT_MESSAGE: usize = 16 * 1024;
/// The socket's read buffer: clients send pongs and little else, and the library's default (128 KiB) would cost
/// 128 MB for 1,000 idle connections.
const READ_BUFFER: usize = 4 * 1024;
/// The socket's write buffer; a larger backlog than `MAX_WRITE_BUFFER` is an error (the connection is dropped).
const WRITE_BUFFER: usize = 16 * 1024;
const MAX_WRITE_BUFFER: usize = 1024 * 1024;

/// The event stream (WebSocket)
///
/// Upgrades to a WebSocket carrying the tenant's event stream: a `snapshot` first, then (with `since`) every stored
/// event after that sequence number, then live `alert_created`, `alert_updated`, `alert_cleared` and `kpis_changed`
/// events, each with a consecutive `seq`, and a `heartbeat` (with a ping) every 15 s. Every message is a
/// `StreamMessage` (see the schema). Close codes: 4000 no answer to pings, 4001 the token expired, 4008 the client
/// fell behind (reconnect with `since`). The token goes in `token` (browsers cannot set headers on a WebSocket) or
/// in `Authorization: Bearer`; it is checked before the upgrade. Protocol with examples: docs/websocket.md.
#[utoipa::path(
    get,
    path = "/ws/alerts",
    operation_id = "event_stream",
    tag = "events",
    security(("bearer" = []), ("token_query" = [])),
    params(
        ("since" = Option<i64>, Query, description = "Resume after this sequence number (the last `seq` the client \
                                                      saw): every later event is replayed, also across a server \
                                                       restart", minimum = 0),
    ),
    responses(
        (status = 101, description = "Switching Protocols: the WebSocket is open; messages are `StreamMessage`s"),
        (status = 400, description = "`invalid_parameter`: `since` is not an integer >= 0, or an unknown \
                                      parameter; `upgrade_required`: not a WebSocket upgrade request"),
        (status = 401, description = "`unauthorized`: missing, malformed, forged or expired token"),
        (status = 426, description = "`upgrade_required`: the connection cannot be upgraded"),
    )
)]
pub async fn alerts(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: QueryParams,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    match accept(state, &headers, &query, upgrade) {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

fn accept(
    state: AppState,
    headers: &HeaderMap,
    query: &QueryParams,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    query.allow_only(&["token", "since"])?;
    let bearer = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
        .map(|t| t.trim().to_owned());
    let token =
        query.text("token").or(bearer).filter(|t| !t.is_empty()).ok_or_else(|| {
            ApiError::unauthorized("missing token: pass ?token=<JWT> or an Authorization: Bearer header")
        })?;
    let caller = state.auth.verify(&token)?;
    let since = query.parsed::<i64>("since")?;
    if since.is_some_and(|s| s < 0) {
        return Err(ApiError::bad_parameter("since", "must be a sequence number >= 0"));
    }
    let upgrade = upgrade.map_err(|rejection| {
        ApiError::new(
            rejection.status(),
            ErrorCode::UpgradeRequired,
            format!("a WebSocket upgrade is required: {rejection}"),
        )
    })?;
    let settings = state.stream_settings;
    let (events, clock) = (state.events.clone(), state.clock.clone());
    Ok(upgrade
        .max_message_size(MAX_CLIENT_MESSAGE)
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_write_buffer_size(MAX_WRITE_BUFFER)
        .on_upgrade(move |socket| async move {
            let mut connection = Connection { socket, events, clock, settings };
            if let Err(end) = connection.follow(caller.tenant_id, caller.expires_at, since).await {
                connection.finish(end).await;
            }
        }))
}

/// Why a connection ends.
enum End {
    /// The client closed or vanished: nothing to send.
    Gone,
    /// Close with this code and reason.
    Close(u16, &'static str),
}

impl From<StorageError> for End {
    fn from(e: StorageError) -> Self {
        tracing::warn!(error = %e, "event stream: storage failed");
        End::Close(1011, "storage unavailable; reconnect with ?since=")
    }
}

struct Connection {
    socket: WebSocket,
    events: EventService,
    clock: Arc<dyn crate::ports::Clock>,
    settings: StreamSettings,
}

impl Connection {
    async fn follow(&mut self, tenant: TenantId, expires_at: DateTime<Utc>, since: Option<i64>) -> Result<(), End> {
        // Subscribe before reading where the stream stands: nothing committed after this point can be missed.
        let mut live = self.events.subscribe();
        let newest = self.events.last_seq(tenant).await?;
        let start = since.map_or(newest, |s| s.min(newest));
        let mut cursor = StreamCursor::new(tenant, start);
        let resync = since.is_some() && !self.events.complete_after(tenant, start).await?;
        let at = self.clock.now();
        let snapshot =
            StreamMessage::Snapshot { seq: newest, at, resumed_from: since, replaying: newest - start, resync };
        self.send(&snapshot).await?;
        self.send_stored(&mut cursor).await?;

        let mut heartbeat = tokio::time::interval_at(Instant::now() + self.settings.heartbeat, self.settings.heartbeat);
        let mut last_heard = Instant::now();
        loop {
            tokio::select! {
                received = live.recv() => match received {
                    Ok(event) => {
                        let due = cursor.on_live(&self.events, &event).await?;
                        self.send_events(&due).await?;
                    }
                    Err(RecvError::Lagged(_)) => {
                        return Err(End::Close(close_code::SLOW_CONSUMER, "too slow: reconnect with ?since=<last seq>"));
                    }
                    Err(RecvError::Closed) => return Err(End::Close(1001, "server shutting down")),
                },
                incoming = self.socket.recv() => match incoming {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return Err(End::Gone),
                    // Pongs, pings (answered by the library) and anything else: the client is alive.
                    Some(Ok(_)) => last_heard = Instant::now(),
                },
                _ = heartbeat.tick() => {
                    if last_heard.elapsed() >= self.settings.client_timeout {
                        return Err(End::Close(close_code::HEARTBEAT_TIMEOUT, "no answer to pings"));
                    }
                    // The token was checked at the upgrade; a connection does not outlive it.
                    if self.clock.now() >= expires_at {
                        return Err(End::Close(close_code::TOKEN_EXPIRED, "token expired: reconnect with a new one"));
                    }
                    // Anything a lost publication left in storage goes out before the heartbeat that vouches for it.
                    self.send_stored(&mut cursor).await?;
                    let at = self.clock.now();
                    self.send(&StreamMessage::Heartbeat { seq: cursor.last_sent(), at }).await?;
                    self.send_message(Message::Ping(Default::default())).await?;
                }
            }
        }
    }

    /// Sends every stored event after the cursor, a page at a time.
    async fn send_stored(&mut self, cursor: &mut StreamCursor) -> Result<(), End> {
        loop {
            let page = cursor.next_page(&self.events).await?;
            if page.is_empty() {
                return Ok(());
            }
            self.send_events(&page).await?;
        }
    }

    async fn send_events(&mut self, events: &[StoredEvent]) -> Result<(), End> {
        for event in events {
            let body = EventBody { seq: event.seq, at: event.at, data: event.data.clone() };
            self.send(&StreamMessage::event(event.kind, body)).await?;
        }
        Ok(())
    }

    async fn send(&mut self, message: &StreamMessage) -> Result<(), End> {
        let text = serde_json::to_string(message).map_err(|e| {
            tracing::error!(error = %e, "event stream: cannot encode a message");
            End::Close(1011, "cannot encode a message")
        })?;
        self.send_message(Message::Text(text.into())).await
    }

    async fn send_message(&mut self, message: Message) -> Result<(), End> {
        match tokio::time::timeout(self.settings.send_timeout, self.socket.send(message)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(End::Gone),
            // The client stopped reading and the socket is full: drop it (a close frame could not get through).
            Err(_) => Err(End::Gone),
        }
    }

    /// Sends the close frame and waits (at most `send_timeout`) for the client's, as the closing handshake asks:
    /// dropping the connection at once could reset it before the client has read the frame and its code.
    async fn finish(&mut self, end: End) {
        let End::Close(code, reason) = end else { return };
        let frame = CloseFrame { code, reason: reason.into() };
        let handshake = async {
            if self.socket.send(Message::Close(Some(frame))).await.is_err() {
                return;
            }
            while let Some(Ok(message)) = self.socket.recv().await {
                if matches!(message, Message::Close(_)) {
                    return;
                }
            }
        };
        let _ = tokio::time::timeout(self.settings.send_timeout, handshake).await;
    }
}
