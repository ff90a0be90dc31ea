//! The event stream client (`/api/v1/ws/alerts`, protocol in docs/websocket.md): one tokio task that keeps a
//! WebSocket open, turns its messages into [`Event`]s, remembers the last `seq` it handled and reconnects with
//! exponential backoff and jitter, always resuming with `?since=<last seq>`.
//!
//! Owns: the connection, the last `seq`, the reconnection schedule and the close-code rules (4001: the token
//! expired, wait for a new one). It tells the worker what needs a REST call ([`StreamSignal`]) instead of making
//! one. Must not touch: egui, the model, the HTTP client.

use super::backoff;
use super::sink::EventSink;
use crate::protocol::{AlarmChange, Event};
use chrono::Utc;
use flowline_shared::alarms::Alarm;
use flowline_shared::dto::events::{EventBody, StreamMessage, close_code};
use futures_util::StreamExt;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::{self, Message};

/// The server sends a heartbeat every 15 s: nothing for this long means the connection is dead.
const SILENCE_LIMIT: Duration = Duration::from_secs(45);
/// How long an upgrade may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What the stream needs the worker to do over REST.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamSignal {
    /// `kpis_changed`: refetch the KPIs (revalidating the ETag).
    KpisChanged,
    /// A fresh connection (no resume) or a resync: reload the open alarms and the KPIs.
    Reload,
    /// The server refused the token (401 on the upgrade, close 4001): sign in again and hand a new token over.
    TokenRejected,
}

/// The worker's end of the stream task. Dropping it stops the task.
pub struct StreamHandle {
    token: watch::Sender<Option<String>>,
    task: tokio::task::JoinHandle<()>,
}

impl StreamHandle {
    /// Starts following the stream of `base_url` (`http://` or `https://`, turned into `ws://` / `wss://`),
    /// resuming after `since` when given.
    pub fn spawn(
        base_url: &str,
        token: String,
        since: Option<i64>,
        sink: EventSink,
        signals: mpsc::UnboundedSender<StreamSignal>,
    ) -> Self {
        let (token_tx, token_rx) = watch::channel(Some(token));
        let follower = Follower { url: ws_base(base_url), token: token_rx, last_seq: since, sink, signals };
        Self { token: token_tx, task: tokio::spawn(follower.run()) }
    }

    /// A new token after a sign-in; a connection waiting for one resumes at once.
    pub fn set_token(&self, token: String) {
        self.token.send_replace(Some(token));
    }
}

impl Drop for StreamHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// `ws://host:port/api/v1/ws/alerts` for `http://host:port`.
fn ws_base(base_url: &str) -> String {
    let base = base_url.trim_end_matches('/');
    let base = match base.split_once("://") {
        Some(("https", rest)) => format!("wss://{rest}"),
        Some((_, rest)) => format!("ws://{rest}"),
        None => format!("ws://{base}"),
    };
    format!("{base}/api/v1/ws/alerts")
}

/// How a connection ended.
struct Ended {
    reason: String,
    /// It got as far as the snapshot: the backoff starts again from 1 s.
    was_live: bool,
    token_rejected: bool,
}

struct Follower {
    url: String,
    token: watch::Receiver<Option<String>>,
    last_seq: Option<i64>,
    sink: EventSink,
    signals: mpsc::UnboundedSender<StreamSignal>,
}

impl Follower {
    async fn run(mut self) {
        let mut failures = 0_u32;
        loop {
            let Some(token) = self.token.borrow_and_update().clone() else {
                if self.token.changed().await.is_err() {
                    return;
                }
                continue;
            };
            self.sink.send(Event::StreamConnecting { attempt: failures });
            let ended = self.connect_and_follow(&token).await;
            if ended.was_live {
                failures = 0;
            }
            failures = failures.saturating_add(1);
            if ended.token_rejected {
                let _ = self.signals.send(StreamSignal::TokenRejected);
            }
            let wait = backoff::jittered(failures);
            tracing::info!(reason = %ended.reason, retry_in = ?wait, "event stream dropped");
            if !self.sink.send(Event::StreamDown { reason: ended.reason, retry_in: wait, at: Utc::now() }) {
                return;
            }
            if ended.token_rejected {
                // Wait for the worker's new token (or the backoff, whichever is later).
                let _ = tokio::time::timeout(Duration::from_secs(300), self.token.changed()).await;
            }
            tokio::time::sleep(wait).await;
        }
    }

    async fn connect_and_follow(&mut self, token: &str) -> Ended {
        let since = self.last_seq.map(|s| format!("&since={s}")).unwrap_or_default();
        let url = format!("{}?token={token}{since}", self.url);
        let mut socket = match tokio::time::timeout(CONNECT_TIMEOUT, tokio_tungstenite::connect_async(url)).await {
            Err(_) => return ended(format!("no answer within {} s", CONNECT_TIMEOUT.as_secs())),
            Ok(Err(tungstenite::Error::Http(response))) if response.status() == 401 => {
                return Ended { token_rejected: true, ..ended("the server refused the session token".to_owned()) };
            }
            Ok(Err(error)) => return ended(describe(&error)),
            Ok(Ok((socket, _))) => socket,
        };
        let mut was_live = false;
        loop {
            let frame = match tokio::time::timeout(SILENCE_LIMIT, socket.next()).await {
                Err(_) => return Ended { was_live, ..ended("no heartbeat for 45 s".to_owned()) },
                Ok(None) => return Ended { was_live, ..ended("the connection closed".to_owned()) },
                Ok(Some(Err(error))) => return Ended { was_live, ..ended(describe(&error)) },
                Ok(Some(Ok(frame))) => frame,
            };
            match frame {
                Message::Text(text) => match serde_json::from_str::<StreamMessage>(text.as_str()) {
                    Ok(message) => {
                        if let Some(reason) = self.handle(message, &mut was_live) {
                            return Ended { was_live, ..ended(reason) };
                        }
                    }
                    Err(error) => tracing::warn!(%error, "unreadable stream message skipped"),
                },
                Message::Close(frame) => {
                    let code = frame.as_ref().map(|f| u16::from(f.code));
                    let reason = match code {
                        Some(code) => format!("closed by the server (code {code})"),
                        None => "closed by the server".to_owned(),
                    };
                    return Ended { was_live, token_rejected: code == Some(close_code::TOKEN_EXPIRED), reason };
                }
                // Pings are answered by the library; binary frames are not part of the protocol.
                Message::Ping(_) | Message::Pong(_) | Message::Binary(_) | Message::Frame(_) => {}
            }
        }
    }

    /// Applies one message; `Some(reason)` when the connection must be dropped and resumed.
    fn handle(&mut self, message: StreamMessage, was_live: &mut bool) -> Option<String> {
        match message {
            StreamMessage::Snapshot { seq, at, resumed_from, replaying, resync } => {
                *was_live = true;
                if resumed_from.is_none() {
                    self.last_seq = Some(self.last_seq.map_or(seq, |s| s.max(seq)));
                }
                if resumed_from.is_none() || resync {
                    let _ = self.signals.send(StreamSignal::Reload);
                }
                self.sink.send(Event::StreamLive { seq, resumed_from, replaying, resync, at });
                None
            }
            StreamMessage::AlertCreated(body) => self.alarm(AlarmChange::Created, body),
            StreamMessage::AlertUpdated(body) => self.alarm(AlarmChange::Updated, body),
            StreamMessage::AlertCleared(body) => self.alarm(AlarmChange::Cleared, body),
            StreamMessage::KpisChanged(body) => {
                if self.is_repeat(body.seq) {
                    return None;
                }
                self.last_seq = Some(body.seq);
                let _ = self.signals.send(StreamSignal::KpisChanged);
                self.sink.send(Event::KpisChanged { seq: body.seq, at: body.at });
                None
            }
            StreamMessage::Heartbeat { seq, at } => {
                self.sink.send(Event::StreamHeartbeat { seq, at });
                // The server sent events this connection did not hand on: resume from storage.
                (seq > self.last_seq.unwrap_or(0)).then(|| "the heartbeat is ahead of the last event".to_owned())
            }
        }
    }

    fn alarm(&mut self, change: AlarmChange, body: EventBody) -> Option<String> {
        if self.is_repeat(body.seq) {
            return None;
        }
        self.last_seq = Some(body.seq);
        let out_of_service = body.data.get("out_of_service").and_then(serde_json::Value::as_bool);
        match body.data.get("alert").cloned().map(serde_json::from_value::<Alarm>) {
            Some(Ok(alarm)) => {
                let alarm = Box::new(alarm);
                self.sink.send(Event::AlarmChanged { change, seq: body.seq, alarm, out_of_service, at: body.at });
            }
            // Skipped, but the list is reloaded so that nothing stays wrong on screen.
            Some(Err(error)) => {
                tracing::warn!(%error, seq = body.seq, "an alarm event could not be read");
                let _ = self.signals.send(StreamSignal::Reload);
            }
            None => {
                tracing::warn!(seq = body.seq, "an alarm event without an alert");
                let _ = self.signals.send(StreamSignal::Reload);
            }
        }
        None
    }

    fn is_repeat(&self, seq: i64) -> bool {
        self.last_seq.is_some_and(|last| seq <= last)
    }
}

fn ended(reason: String) -> Ended {
    Ended { reason, was_live: false, token_rejected: false }
}

/// The innermost cause, without OS error numbers.
fn describe(error: &tungstenite::Error) -> String {
    let mut innermost: &(dyn std::error::Error + 'static) = error;
    while let Some(cause) = innermost.source() {
        innermost = cause;
    }
    let text = innermost.to_string();
    match text.find(" (os error ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_address_follows_the_server_address() {
        assert_eq!(ws_base("http://127.0.0.1:4000/"), "ws://127.0.0.1:4000/api/v1/ws/alerts");
        assert_eq!(ws_base("https://ops.example"), "wss://ops.example/api/v1/ws/alerts");
    }

    /// A server behind HTTPS is followed over `wss://`: the client speaks TLS (rustls, the web PKI roots), so against
    /// a plain-text listener the handshake fails as TLS instead of "TLS support not compiled in".
    #[tokio::test]
    async fn wss_addresses_are_connected_with_tls() {
        use tokio::io::AsyncWriteExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            if let Ok((mut plain, _)) = listener.accept().await {
                let _ = plain.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n").await;
            }
        });
        let url = ws_base(&format!("https://127.0.0.1:{port}"));
        let error = tokio_tungstenite::connect_async(url).await.expect_err("not a TLS server");
        assert!(!matches!(error, tungstenite::Error::Url(_)), "{error:?}");
        assert!(matches!(error, tungstenite::Error::Tls(_) | tungstenite::Error::Io(_)), "{error:?}");
    }
}
