//! The event stream client and the live API against the real backend: a server on port 0 over a real SQLite file,
//! readings ingested over HTTP raise real alarms, and a TCP relay between client and server lets the test cut the
//! connection the way a network would.
//!
//! Owns: nothing but the tests. Must not touch: anything outside the test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::client::ApiClient;
use super::live_api::Conditional;
use super::sink::EventSink;
use super::stream::{StreamHandle, StreamSignal};
use crate::protocol::{AlarmChange, Event};
use flowline_backend::adapters::{DatabaseUrl, SqliteLocation, open_storage};
use flowline_backend::app::{build_state, spawn_server};
use flowline_backend::ports::SystemClock;
use flowline_backend::services::Deps;
use flowline_backend::services::accounts::AccountService;
use flowline_shared::Role;
use flowline_shared::alarms::{AlarmPriority, AlarmRuleKind};
use flowline_shared::dto::LoginRequest;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

const PASSWORD: &str = "correct-horse-1";

/// Forwards every connection to `target`; `cut` drops the live ones (the listener stays, so the client can
/// reconnect through it).
struct Relay {
    addr: std::net::SocketAddr,
    live: Arc<Mutex<Vec<AbortHandle>>>,
}

impl Relay {
    async fn start(target: std::net::SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let live = Arc::new(Mutex::new(Vec::new()));
        let handles = Arc::clone(&live);
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let task = tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(target).await else { return };
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                });
                handles.lock().unwrap().push(task.abort_handle());
            }
        });
        Self { addr, live }
    }

    fn cut(&self) {
        for handle in self.live.lock().unwrap().drain(..) {
            handle.abort();
        }
    }
}

/// The events the stream task sends, collected.
fn collecting_sink() -> (EventSink, std::sync::mpsc::Receiver<Event>) {
    let (tx, rx) = std::sync::mpsc::channel();
    (EventSink::new(tx, Arc::new(|| {})), rx)
}

/// The first event within 10 s that `pick` accepts (others are skipped).
async fn wait_for<T>(events: &std::sync::mpsc::Receiver<Event>, mut pick: impl FnMut(Event) -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        while let Ok(event) = events.try_recv() {
            if let Some(found) = pick(event) {
                return found;
            }
        }
        assert!(tokio::time::Instant::now() < deadline, "no matching event within 10 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn create_well(http: &reqwest::Client, base: &str, token: &str, name: &str) -> String {
    let res = http
        .post(format!("{base}/api/v1/wells"))
        .bearer_auth(token)
        .json(&json!({ "name": name, "type": "oil", "latitude": 31.9, "longitude": -102.1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

/// A reading with no oil and no gas: the well-down rule raises a critical alarm.
async fn well_down_reading(http: &reqwest::Client, base: &str, token: &str, well: &str) {
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let body = json!({ "entries": [{ "id": uuid::Uuid::now_v7(), "well_id": well, "recorded_at": at, "oil_bbl": 0.0,
                                     "gas_mcf": 0.0, "water_bbl": 0.0, "hours_on": 24 }] });
    let res = http.post(format!("{base}/api/v1/field-entries")).bearer_auth(token).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alarms_arrive_live_and_the_stream_resumes_from_the_last_seq_after_a_cut() {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::Sqlite(SqliteLocation::File(dir.path().join("stream.sqlite3")));
    let storage = open_storage(&url).await.unwrap();
    let deps = Deps { storage: Arc::clone(&storage), clock: Arc::new(SystemClock) };
    let accounts = AccountService::new(deps);
    accounts.create_tenant("alpha", "Alpha", "America/Chicago").await.unwrap();
    accounts.create_user("alpha", "ops", PASSWORD, Role::Operator).await.unwrap();
    let state =
        build_state(storage, Arc::new(SystemClock), b"stream-test-secret-0123456789abcdef", chrono::Duration::hours(1))
            .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = spawn_server(listener, state, 1 << 20).unwrap();
    let base = server.base_url();

    let client = ApiClient::new(&base).unwrap();
    let login = LoginRequest { tenant: "alpha".into(), username: "ops".into(), password: PASSWORD.into() };
    let token = client.login(&login).await.unwrap().token;
    let http = reqwest::Client::new();
    let first_well = create_well(&http, &base, &token, "Down 1").await;
    let second_well = create_well(&http, &base, &token, "Down 2").await;

    // The client goes through the relay; the test writes to the server directly.
    let relay = Relay::start(server.addr).await;
    let (sink, events) = collecting_sink();
    let (signals_tx, mut signals) = tokio::sync::mpsc::unbounded_channel();
    let _stream = StreamHandle::spawn(&format!("http://{}", relay.addr), token.clone(), None, sink, signals_tx);
    let (seq, resumed_from) = wait_for(&events, |e| match e {
        Event::StreamLive { seq, resumed_from, .. } => Some((seq, resumed_from)),
        _ => None,
    })
    .await;
    assert_eq!((seq, resumed_from), (0, None), "a fresh tenant's stream, not resumed");
    assert_eq!(signals.recv().await, Some(StreamSignal::Reload), "a fresh connection reloads the open alarms");

    // Live: a well-down reading raises a critical alarm that arrives on the stream.
    well_down_reading(&http, &base, &token, &first_well).await;
    let (first_seq, alarm) = wait_for(&events, |e| match e {
        Event::AlarmChanged { change: AlarmChange::Created, seq, alarm, .. } => Some((seq, alarm)),
        _ => None,
    })
    .await;
    assert_eq!((alarm.rule, alarm.priority), (AlarmRuleKind::WellDown, AlarmPriority::Critical));

    // The network drops; meanwhile another well goes down.
    relay.cut();
    // The ingest also announced `kpis_changed`: the last event handled may be that one.
    let mut last_handled = first_seq;
    let reason = wait_for(&events, |e| match e {
        Event::StreamDown { reason, retry_in, .. } => Some((reason, retry_in)),
        Event::KpisChanged { seq, .. } | Event::AlarmChanged { seq, .. } => {
            last_handled = last_handled.max(seq);
            None
        }
        _ => None,
    })
    .await;
    assert!(reason.1 <= Duration::from_secs(1), "the first retry comes within a second: {reason:?}");
    well_down_reading(&http, &base, &token, &second_well).await;

    // It reconnects by itself, resuming after the last event it handled, and the missed alarm is replayed.
    let (resumed, replaying) = wait_for(&events, |e| match e {
        Event::StreamLive { resumed_from, replaying, .. } => Some((resumed_from, replaying)),
        _ => None,
    })
    .await;
    assert_eq!(resumed, Some(last_handled), "resumed with since=<last seq handled>");
    assert!(replaying >= 1, "the alarm raised while disconnected is replayed");
    let replayed = wait_for(&events, |e| match e {
        Event::AlarmChanged { change: AlarmChange::Created, seq, alarm, .. } => Some((seq, alarm)),
        _ => None,
    })
    .await;
    assert!(replayed.0 > first_seq);
    assert_eq!(replayed.1.well_id.0.to_string(), second_well);

    // The REST side of the same slice: both open alarms listed; the KPIs revalidate to a 304 with their ETag.
    let open = client.open_alarms(&token).await.unwrap();
    assert_eq!(open.len(), 2);
    let Conditional::Modified { etag, .. } = client.dashboard_kpis(&token, None).await.unwrap() else {
        panic!("the first fetch has no tag to revalidate")
    };
    let etag = etag.expect("the KPIs carry an ETag");
    assert_eq!(client.dashboard_kpis(&token, Some(&etag)).await.unwrap(), Conditional::NotModified);

    // A refused acknowledgement reaches the caller as the server's message.
    let id = open[0].alarm.id;
    client.acknowledge(&token, id, Some("crew on the way".into())).await.unwrap();
    let refused = client.acknowledge(&token, id, None).await.unwrap_err();
    assert_eq!(refused.status(), Some(409));
    assert!(!refused.user_message().is_empty());
}
