//! The event stream `/api/v1/ws/alerts` end to end: real servers on port 0, a real WebSocket client, real SQLite
//! files, PostgreSQL and Redis. Authentication before the upgrade, exactly-once delivery in order (live, on resume,
//! after a restart, across a lost publication and across two instances), heartbeats and the two closing rules.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::Utc;
use common::{PASSWORD, SECRET};
use flowline_backend::adapters::local_bus::{BUS_CAPACITY, LocalEventBus};
use flowline_backend::adapters::redis_bus::RedisEventBus;
use flowline_backend::adapters::{DatabaseUrl, SqliteLocation, open_storage};
use flowline_backend::app::{RunningServer, build_state_with_bus, spawn_server};
use flowline_backend::http::AppState;
use flowline_backend::ports::{EventBus, NewEvent, Storage, SystemClock};
use flowline_backend::services::Deps;
use flowline_backend::services::accounts::AccountService;
use flowline_backend::ws::StreamSettings;
use flowline_shared::dto::events::{EventKind, StreamMessage, close_code};
use flowline_shared::{Role, Tenant};
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

struct Server {
    state: AppState,
    running: RunningServer,
}

async fn serve(storage: Arc<dyn Storage>, bus: Arc<dyn EventBus>, settings: StreamSettings) -> Server {
    let mut state =
        build_state_with_bus(storage, Arc::new(SystemClock), SECRET, chrono::Duration::hours(1), bus).unwrap();
    state.stream_settings = settings;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let running = spawn_server(listener, state.clone(), 1 << 20).unwrap();
    Server { state, running }
}

async fn serve_local(storage: Arc<dyn Storage>) -> Server {
    serve(storage, Arc::new(LocalEventBus::default()), StreamSettings::default()).await
}

impl Server {
    fn ws_url(&self, query: &str) -> String {
        format!("ws://{}/api/v1/ws/alerts{query}", self.running.addr)
    }

    /// A tenant with an operator, and the operator's token.
    async fn tenant_and_token(&self) -> (Tenant, String) {
        let tenant = common::tenant(&self.state.storage).await;
        let deps = Deps { storage: self.state.storage.clone(), clock: Arc::new(SystemClock) };
        AccountService::new(deps).create_user(tenant.slug.as_str(), "ops", PASSWORD, Role::Operator).await.unwrap();
        (tenant.clone(), self.token(&tenant).await)
    }

    async fn token(&self, tenant: &Tenant) -> String {
        let res = reqwest::Client::new()
            .post(format!("http://{}/api/v1/auth/login", self.running.addr))
            .json(&json!({ "tenant": tenant.slug.as_str(), "username": "ops", "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        res.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
    }

    async fn emit(&self, tenant: &Tenant, kinds: &[(EventKind, i64)]) {
        let events: Vec<NewEvent> = kinds.iter().map(|&(kind, n)| event(kind, n, 0)).collect();
        self.state.events.emit(tenant.id, &events).await.unwrap();
    }
}

fn event(kind: EventKind, n: i64, padding: usize) -> NewEvent {
    let data = json!({ "alert": { "n": n, "padding": "x".repeat(padding) } });
    NewEvent { kind, at: Utc::now(), data: data.as_object().cloned().unwrap() }
}

async fn connect(url: &str) -> Socket {
    tokio_tungstenite::connect_async(url).await.unwrap().0
}

/// The next JSON message (pings, pongs skipped), within 5 s.
async fn next(socket: &mut Socket) -> StreamMessage {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), socket.next()).await.expect("a message within 5 s");
        match frame.expect("the stream is open").unwrap() {
            Message::Text(text) => return serde_json::from_str(&text).unwrap(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected frame {other:?}"),
        }
    }
}

/// The next event message's (kind, seq, the `alert.n` it carries).
async fn next_event(socket: &mut Socket) -> (EventKind, i64, i64) {
    loop {
        let message = next(socket).await;
        if let Some((kind, body)) = message.as_event() {
            return (kind, body.seq, body.data["alert"]["n"].as_i64().unwrap());
        }
        assert!(matches!(message, StreamMessage::Heartbeat { .. }), "{message:?}");
    }
}

async fn snapshot(socket: &mut Socket) -> (i64, Option<i64>, i64) {
    match next(socket).await {
        StreamMessage::Snapshot { seq, resumed_from, replaying, .. } => (seq, resumed_from, replaying),
        other => panic!("expected the snapshot first, got {other:?}"),
    }
}

/// The close code the server ends with, reading (and dropping) whatever comes before it.
async fn close_code_of(socket: &mut Socket) -> Option<u16> {
    loop {
        match tokio::time::timeout(Duration::from_secs(20), socket.next()).await.expect("closed within 20 s") {
            Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return None,
        }
    }
}

/// The status and error code of a refused upgrade.
async fn refused(request: impl IntoClientRequest + Unpin) -> (u16, String) {
    match tokio_tungstenite::connect_async(request).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            let body: Value = serde_json::from_slice(response.body().as_deref().unwrap_or_default()).unwrap();
            (response.status().as_u16(), body["code"].as_str().unwrap_or_default().to_owned())
        }
        other => panic!("expected an HTTP refusal, got {:?}", other.map(|r| r.1.status())),
    }
}

#[tokio::test]
async fn upgrades_without_a_valid_token_are_refused_with_401_before_the_upgrade() {
    let (storage, _dir) = common::sqlite().await;
    let server = serve_local(storage).await;
    let (_tenant, token) = server.tenant_and_token().await;

    assert_eq!(refused(server.ws_url("")).await, (401, "unauthorized".to_owned()));
    assert_eq!(refused(server.ws_url("?token=not.a.jwt")).await, (401, "unauthorized".to_owned()));
    let forged = format!("{}x", &token[..token.len() - 1]);
    assert_eq!(refused(server.ws_url(&format!("?token={forged}"))).await.0, 401);
    assert_eq!(refused(server.ws_url(&format!("?token={token}&since=-1"))).await, (400, "invalid_parameter".into()));
    assert_eq!(refused(server.ws_url(&format!("?token={token}&since=abc"))).await, (400, "invalid_parameter".into()));
    assert_eq!(refused(server.ws_url(&format!("?token={token}&sinse=1"))).await, (400, "invalid_parameter".into()));

    // The Authorization header works as well as ?token=.
    let mut request = server.ws_url("").into_client_request().unwrap();
    request.headers_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
    let (mut socket, response) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(response.status(), 101);
    assert_eq!(snapshot(&mut socket).await, (0, None, 0));

    // A plain GET with a valid token is told to upgrade.
    let plain = reqwest::Client::new().get(format!("http://{}/api/v1/ws/alerts?token={token}", server.running.addr));
    let plain = plain.send().await.unwrap();
    assert!(plain.status().is_client_error());
    assert_eq!(plain.json::<Value>().await.unwrap()["code"], "upgrade_required");
}

#[tokio::test]
async fn events_arrive_once_in_order_and_a_reconnect_resumes_right_after_since() {
    let (storage, _dir) = common::sqlite().await;
    let server = serve_local(storage).await;
    let (tenant, token) = server.tenant_and_token().await;
    let (other, _) = server.tenant_and_token().await;

    let mut socket = connect(&server.ws_url(&format!("?token={token}"))).await;
    assert_eq!(snapshot(&mut socket).await, (0, None, 0));
    server.emit(&other, &[(EventKind::AlertCreated, 100)]).await;
    server.emit(&tenant, &[(EventKind::AlertCreated, 1), (EventKind::AlertUpdated, 2)]).await;
    server.emit(&tenant, &[(EventKind::AlertCleared, 3)]).await;
    assert_eq!(next_event(&mut socket).await, (EventKind::AlertCreated, 1, 1), "another tenant's event never shows");
    assert_eq!(next_event(&mut socket).await, (EventKind::AlertUpdated, 2, 2));
    assert_eq!(next_event(&mut socket).await, (EventKind::AlertCleared, 3, 3));
    socket.close(None).await.unwrap();

    // Missed while away: 4 and 5. Resuming after 3 replays exactly those, then goes live.
    server.emit(&tenant, &[(EventKind::AlertCreated, 4), (EventKind::KpisChanged, 5)]).await;
    let mut back = connect(&server.ws_url(&format!("?token={token}&since=3"))).await;
    assert_eq!(snapshot(&mut back).await, (5, Some(3), 2));
    assert_eq!(next_event(&mut back).await, (EventKind::AlertCreated, 4, 4));
    assert_eq!(next_event(&mut back).await, (EventKind::KpisChanged, 5, 5));
    server.emit(&tenant, &[(EventKind::AlertUpdated, 6)]).await;
    assert_eq!(next_event(&mut back).await, (EventKind::AlertUpdated, 6, 6));

    // A `since` beyond the newest event (another database) resumes from the newest.
    let mut ahead = connect(&server.ws_url(&format!("?token={token}&since=99"))).await;
    assert_eq!(snapshot(&mut ahead).await, (6, Some(99), 0));
    server.emit(&tenant, &[(EventKind::AlertCleared, 7)]).await;
    assert_eq!(next_event(&mut ahead).await, (EventKind::AlertCleared, 7, 7));
}

#[tokio::test]
async fn a_restarted_server_replays_what_a_client_missed() {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::Sqlite(SqliteLocation::File(dir.path().join("events.sqlite3")));
    let first = serve_local(open_storage(&url).await.unwrap()).await;
    let (tenant, token) = first.tenant_and_token().await;
    let mut socket = connect(&first.ws_url(&format!("?token={token}"))).await;
    snapshot(&mut socket).await;
    first.emit(&tenant, &[(EventKind::AlertCreated, 1), (EventKind::AlertUpdated, 2)]).await;
    assert_eq!(next_event(&mut socket).await.1, 1);
    // The client saw 1, then the server went away after storing 2 and 3.
    first.emit(&tenant, &[(EventKind::AlertCleared, 3)]).await;
    drop(socket);
    first.running.stop().await.unwrap();
    drop(first.state);

    let second = serve_local(open_storage(&url).await.unwrap()).await;
    let token = second.token(&tenant).await;
    let mut socket = connect(&second.ws_url(&format!("?token={token}&since=1"))).await;
    assert_eq!(snapshot(&mut socket).await, (3, Some(1), 2));
    assert_eq!(next_event(&mut socket).await, (EventKind::AlertUpdated, 2, 2));
    assert_eq!(next_event(&mut socket).await, (EventKind::AlertCleared, 3, 3));
    second.emit(&tenant, &[(EventKind::AlertCreated, 4)]).await;
    assert_eq!(next_event(&mut socket).await, (EventKind::AlertCreated, 4, 4));
}

#[tokio::test]
async fn events_whose_publication_was_lost_are_read_back_from_storage() {
    let (storage, _dir) = common::sqlite().await;
    let server = serve_local(storage.clone()).await;
    let (tenant, token) = server.tenant_and_token().await;
    let mut socket = connect(&server.ws_url(&format!("?token={token}"))).await;
    snapshot(&mut socket).await;
    // Stored but never published (as after a broker hiccup): the next live event reveals the gap.
    storage
        .append_events(tenant.id, &[event(EventKind::AlertCreated, 1, 0), event(EventKind::AlertUpdated, 2, 0)])
        .await
        .unwrap();
    server.emit(&tenant, &[(EventKind::AlertCleared, 3)]).await;
    assert_eq!(next_event(&mut socket).await, (EventKind::AlertCreated, 1, 1));
    assert_eq!(next_event(&mut socket).await, (EventKind::AlertUpdated, 2, 2));
    assert_eq!(next_event(&mut socket).await, (EventKind::AlertCleared, 3, 3));
}

#[tokio::test]
async fn heartbeats_flow_and_a_silent_client_is_closed_with_4000() {
    let (storage, _dir) = common::sqlite().await;
    let settings = StreamSettings {
        heartbeat: Duration::from_millis(100),
        client_timeout: Duration::from_millis(400),
        send_timeout: Duration::from_secs(5),
    };
    let server = serve(storage.clone(), Arc::new(LocalEventBus::default()), settings).await;
    let (tenant, token) = server.tenant_and_token().await;

    // A client that reads answers the pings (the library pongs), so heartbeats keep coming.
    let mut alive = connect(&server.ws_url(&format!("?token={token}"))).await;
    snapshot(&mut alive).await;
    for _ in 0..6 {
        assert!(matches!(next(&mut alive).await, StreamMessage::Heartbeat { seq: 0, .. }));
    }
    // An event stored without publication goes out before the next heartbeat, which vouches for it.
    storage.append_events(tenant.id, &[event(EventKind::AlertCreated, 1, 0)]).await.unwrap();
    assert_eq!(next_event(&mut alive).await, (EventKind::AlertCreated, 1, 1));
    assert!(matches!(next(&mut alive).await, StreamMessage::Heartbeat { seq: 1, .. }));

    // A client that never reads never pongs.
    let mut silent = connect(&server.ws_url(&format!("?token={token}"))).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(close_code_of(&mut silent).await, Some(close_code::HEARTBEAT_TIMEOUT));
}

#[tokio::test]
async fn a_client_that_falls_behind_is_closed_with_4008() {
    let (storage, _dir) = common::sqlite().await;
    let settings = StreamSettings { send_timeout: Duration::from_secs(60), ..StreamSettings::default() };
    let server = serve(storage, Arc::new(LocalEventBus::default()), settings).await;
    let (tenant, token) = server.tenant_and_token().await;
    let mut slow = connect(&server.ws_url(&format!("?token={token}"))).await;
    snapshot(&mut slow).await;
    // Far more than the shared ring holds, and far more bytes than the socket buffers: the connection blocks on a
    // full socket while the ring moves on without it.
    let total = 500 * (BUS_CAPACITY as i64 * 2 / 500 + 1);
    for start in (1..=total).step_by(500) {
        let batch: Vec<NewEvent> = (start..start + 500).map(|n| event(EventKind::AlertUpdated, n, 4096)).collect();
        server.state.events.emit(tenant.id, &batch).await.unwrap();
    }
    assert_eq!(close_code_of(&mut slow).await, Some(close_code::SLOW_CONSUMER));
    // Reconnecting with ?since= picks up from storage.
    let mut again = connect(&server.ws_url(&format!("?token={token}&since={}", total - 1))).await;
    assert_eq!(snapshot(&mut again).await, (total, Some(total - 1), 1));
    assert_eq!(next_event(&mut again).await.1, total);
}

#[tokio::test]
async fn two_instances_sharing_postgres_and_redis_deliver_each_others_events() {
    let (Some(a_storage), Some(b_storage), Some(redis)) =
        (common::postgres().await, common::postgres().await, common::redis_url())
    else {
        return;
    };
    let a = serve(a_storage, Arc::new(RedisEventBus::connect(&redis).await.unwrap()), StreamSettings::default()).await;
    let b = serve(b_storage, Arc::new(RedisEventBus::connect(&redis).await.unwrap()), StreamSettings::default()).await;
    let (tenant, _) = a.tenant_and_token().await;
    let token_b = b.token(&tenant).await;
    let mut on_b = connect(&b.ws_url(&format!("?token={token_b}"))).await;
    assert_eq!(snapshot(&mut on_b).await, (0, None, 0));

    a.emit(&tenant, &[(EventKind::AlertCreated, 1), (EventKind::AlertUpdated, 2)]).await;
    b.emit(&tenant, &[(EventKind::AlertCleared, 3)]).await;
    a.emit(&tenant, &[(EventKind::KpisChanged, 4)]).await;
    for expected in 1..=4 {
        assert_eq!(next_event(&mut on_b).await.1, expected, "every event once, in order, whichever instance stored it");
    }
    // Nothing more: no duplicates of the instance's own events coming back through Redis.
    let extra = tokio::time::timeout(Duration::from_millis(500), on_b.next()).await;
    assert!(extra.is_err(), "{extra:?}");
}

#[tokio::test]
async fn a_connection_does_not_outlive_its_token() {
    let (storage, _dir) = common::sqlite().await;
    let bus = Arc::new(LocalEventBus::default());
    let mut state =
        build_state_with_bus(storage, Arc::new(SystemClock), SECRET, chrono::Duration::seconds(2), bus).unwrap();
    state.stream_settings = StreamSettings {
        heartbeat: Duration::from_millis(100),
        client_timeout: Duration::from_secs(10),
        send_timeout: Duration::from_secs(5),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let running = spawn_server(listener, state.clone(), 1 << 20).unwrap();
    let server = Server { state, running };
    let (_tenant, token) = server.tenant_and_token().await;
    let mut socket = connect(&server.ws_url(&format!("?token={token}"))).await;
    snapshot(&mut socket).await;
    // Reading (so pongs go back) until the server closes: the token lives 2 s.
    assert_eq!(close_code_of(&mut socket).await, Some(close_code::TOKEN_EXPIRED));
    // The expired token cannot open a new connection either.
    assert_eq!(refused(server.ws_url(&format!("?token={token}"))).await, (401, "unauthorized".to_owned()));
}

#[tokio::test]
async fn resuming_after_pruned_events_asks_for_a_resync() {
    let (storage, _dir) = common::sqlite().await;
    let server = serve_local(storage.clone()).await;
    let (tenant, token) = server.tenant_and_token().await;
    server.emit(&tenant, &[(EventKind::AlertCreated, 1), (EventKind::AlertUpdated, 2)]).await;
    // Stored to the millisecond: the third event must happen later to be cut apart from them.
    tokio::time::sleep(Duration::from_millis(10)).await;
    server.emit(&tenant, &[(EventKind::AlertCleared, 3)]).await;
    // A complete history resumes without a resync.
    let mut socket = connect(&server.ws_url(&format!("?token={token}&since=1"))).await;
    assert!(matches!(next(&mut socket).await, StreamMessage::Snapshot { resync: false, replaying: 2, .. }));
    drop(socket);
    // Events 1 and 2 pruned: a client that last saw 1 cannot be replayed 2.
    let third_at = storage.events_after(tenant.id, 2, 1).await.unwrap()[0].at;
    storage.prune_events(tenant.id, third_at).await.unwrap();
    let mut socket = connect(&server.ws_url(&format!("?token={token}&since=1"))).await;
    assert!(matches!(next(&mut socket).await, StreamMessage::Snapshot { seq: 3, resync: true, .. }));
    assert_eq!(next_event(&mut socket).await, (EventKind::AlertCleared, 3, 3), "what is stored still comes");
    // A client that saw 2 misses nothing.
    let mut socket = connect(&server.ws_url(&format!("?token={token}&since=2"))).await;
    assert!(matches!(next(&mut socket).await, StreamMessage::Snapshot { resync: false, replaying: 1, .. }));
}
