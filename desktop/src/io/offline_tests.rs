//! The offline cache and the outbox end to end: the real backend in-process on a real SQLite file, the I/O thread
//! as the app runs it, the server stopped (its runtime dropped, so the port has nothing listening) and started again
//! on the same port with the same database.
//!
//! Owns: nothing but the tests. Must not touch: anything outside the test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::cache::{CacheKey, FILE_NAME, LocalStore, SharedStore};
use super::client::ApiClient;
use super::sink::EventSink;
use super::{BackendChoice, IoConfig, IoHandle, outbox};
use crate::model::{Mode, Model, offline};
use crate::protocol::{Command, Event, QueuedAction, Secret};
use flowline_backend::adapters::{DatabaseUrl, SqliteLocation, open_storage};
use flowline_backend::app::{RunningServer, build_state, spawn_server};
use flowline_backend::ports::SystemClock;
use flowline_backend::services::Deps;
use flowline_backend::services::accounts::AccountService;
use flowline_shared::Role;
use flowline_shared::alarms::{AlarmAction, AlarmTransition};
use flowline_shared::dto::LoginRequest;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;

const PASSWORD: &str = "correct-horse-1";
const COMMENT: &str = "crew on the way";

/// A backend on `port` over the SQLite file `db`, in its own runtime: dropping the runtime kills the server and its
/// connections at once, as a crash or a cut cable would.
fn start_backend(db: &Path, port: u16, seed: bool) -> (Runtime, RunningServer) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let server = runtime.block_on(async {
        let url = DatabaseUrl::Sqlite(SqliteLocation::File(db.to_owned()));
        let storage = open_storage(&url).await.unwrap();
        if seed {
            let accounts = AccountService::new(Deps { storage: Arc::clone(&storage), clock: Arc::new(SystemClock) });
            accounts.create_tenant("alpha", "Alpha", "America/Chicago").await.unwrap();
            accounts.create_user("alpha", "ops", PASSWORD, Role::Operator).await.unwrap();
        }
        let secret = b"offline-test-secret-0123456789abcdef";
        let state = build_state(storage, Arc::new(SystemClock), secret, chrono::Duration::hours(1)).unwrap();
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_reuseaddr(true).unwrap();
        socket.bind(([127, 0, 0, 1], port).into()).unwrap();
        spawn_server(socket.listen(64).unwrap(), state, 1 << 20).unwrap()
    });
    (runtime, server)
}

/// A well whose reading has no oil and no gas: a critical "well down" alarm.
async fn raise_alarm(base: &str) -> String {
    let client = ApiClient::new(base).unwrap();
    let login = LoginRequest { tenant: "alpha".into(), username: "ops".into(), password: PASSWORD.into() };
    let token = client.login(&login).await.unwrap().token;
    let http = reqwest::Client::new();
    let res = http
        .post(format!("{base}/api/v1/wells"))
        .bearer_auth(&token)
        .json(&json!({ "name": "Down 1", "type": "oil", "latitude": 31.9, "longitude": -102.1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let well = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let body = json!({ "entries": [{ "id": uuid::Uuid::now_v7(), "well_id": well, "recorded_at": at, "oil_bbl": 0.0,
                                     "gas_mcf": 0.0, "water_bbl": 0.0, "hours_on": 24 }] });
    let res = http.post(format!("{base}/api/v1/field-entries")).bearer_auth(&token).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 200);
    token
}

/// Every transition of the alarm, as the server's journal has it.
async fn journal(base: &str, token: &str, id: &str) -> Vec<AlarmTransition> {
    let res = reqwest::Client::new()
        .get(format!("{base}/api/v1/alarms/{id}/journal"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// The I/O thread's events, each kept in `log`; waits up to `within` for one that `pick` accepts.
fn wait_for<T>(io: &IoHandle, log: &mut Vec<Event>, within: Duration, mut pick: impl FnMut(&Event) -> Option<T>) -> T {
    let deadline = Instant::now() + within;
    loop {
        while let Some(event) = io.try_recv() {
            let found = pick(&event);
            log.push(event);
            if let Some(found) = found {
                return found;
            }
        }
        assert!(Instant::now() < deadline, "no matching event within {within:?}; seen: {log:#?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn spawn_io(base_url: &str, cache: &Path) -> IoHandle {
    let mut config = IoConfig::new(BackendChoice::Remote { base_url: base_url.to_owned() });
    config.cache_path = Some(cache.to_owned());
    config.refresh_interval = Duration::from_secs(1);
    IoHandle::spawn(config, Arc::new(|| {})).unwrap()
}

fn login() -> Command {
    Command::Login { tenant: "alpha".into(), username: "ops".into(), password: Secret::new(PASSWORD) }
}

#[test]
fn offline_start_shows_the_cache_and_the_outbox_is_sent_exactly_once_when_the_server_returns() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.sqlite3");
    let cache = dir.path().join(FILE_NAME);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    const WAIT: Duration = Duration::from_secs(20);

    // A first run: signed in, the answers land in the cache.
    let (first_server, server) = start_backend(&db, port, true);
    first_server.block_on(raise_alarm(&base));
    let mut io = spawn_io(&base, &cache);
    let mut log = Vec::new();
    wait_for(&io, &mut log, WAIT, |e| matches!(e, Event::NeedsLogin { .. }).then_some(()));
    assert!(io.send(login()));
    wait_for(&io, &mut log, WAIT, |e| matches!(e, Event::LoggedIn { .. }).then_some(()));
    let alarm = wait_for(&io, &mut log, WAIT, |e| match e {
        Event::OpenAlarmsLoaded { alarms, .. } if !alarms.is_empty() => Some(alarms[0].clone()),
        _ => None,
    });
    // Each answer is written to the cache before its event is sent; the stream's reload may come before the poll.
    for kind in ["wells", "kpis"] {
        if !log.iter().any(|e| match e {
            Event::WellsLoaded { total: 1, .. } => kind == "wells",
            Event::KpisLoaded { .. } => kind == "kpis",
            _ => false,
        }) {
            wait_for(&io, &mut log, WAIT, |e| match e {
                Event::WellsLoaded { total: 1, .. } if kind == "wells" => Some(()),
                Event::KpisLoaded { .. } if kind == "kpis" => Some(()),
                _ => None,
            });
        }
    }

    // The link drops (the server dies); the operator acknowledges with a comment anyway, then closes the app.
    drop(server);
    first_server.shutdown_background();
    wait_for(&io, &mut log, WAIT, |e| matches!(e, Event::WentOffline { .. }).then_some(()));
    assert!(io.send(Command::Acknowledge { id: alarm.alarm.id, comment: Some(COMMENT.into()) }));
    let message = wait_for(&io, &mut log, WAIT, |e| match e {
        Event::ActionQueued { message, .. } => Some(message.clone()),
        _ => None,
    });
    assert_eq!(message, "Acknowledgement of Down 1 · Well down: pending, will be sent when the connection returns");
    // The outbox is reported before the message.
    let queued = log
        .iter()
        .rev()
        .find_map(|e| match e {
            Event::OutboxChanged { pending } => Some(pending.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].action, QueuedAction::Acknowledge { id: alarm.alarm.id, comment: Some(COMMENT.into()) });
    assert!(io.shutdown(Duration::from_secs(5)));

    // The app starts again with nothing listening on the port: the cached data of the last user, read-only, and the
    // queued acknowledgement, still there with its key.
    let mut io = spawn_io(&base, &cache);
    let mut log = Vec::new();
    let mut model = Model::new(Mode::Remote, Some(base.clone()), Duration::from_secs(1));
    let pending = wait_for(&io, &mut log, WAIT, |e| match e {
        Event::OutboxChanged { pending } => Some(pending.clone()),
        _ => None,
    });
    assert_eq!(pending.iter().map(|p| p.key).collect::<Vec<_>>(), [queued[0].key], "the same idempotency key");
    for event in log.clone() {
        model.apply(event);
    }
    let cached: Vec<&Event> =
        log.iter().filter_map(|e| if let Event::FromCache { event, .. } = e { Some(&**event) } else { None }).collect();
    assert!(cached.iter().any(|e| matches!(e, Event::WellsLoaded { total: 1, .. })), "{log:#?}");
    assert!(cached.iter().any(|e| matches!(e, Event::KpisLoaded { .. })));
    assert!(cached.iter().any(|e| matches!(e, Event::OpenAlarmsLoaded { alarms, .. } if alarms.len() == 1)));
    assert!(log.iter().any(|e| matches!(e, Event::CachedSession { username, .. } if username == "ops")));
    assert!(!log.iter().any(|e| matches!(e, Event::NeedsLogin { .. })), "no login while the server is away");
    let banner = offline::banner(&model).expect("the offline banner");
    assert_eq!(banner.read_only_as.as_deref(), Some("ops @ alpha"));
    assert_eq!(banner.pending, 1);
    assert!(banner.data_as_of.is_some_and(|at| at < chrono::Utc::now()));
    assert!(!model.shows_login());
    assert_eq!(model.alarms.unacknowledged(chrono::Utc::now()), 0, "the pending acknowledgement, optimistically");

    // The server comes back on the same address: the probe finds it, the user signs in, the outbox goes once.
    let (second_server, _server) = start_backend(&db, port, false);
    wait_for(&io, &mut log, Duration::from_secs(40), |e| match e {
        Event::NeedsLogin { tenant, username, .. } => {
            assert_eq!((tenant.as_deref(), username.as_deref()), (Some("alpha"), Some("ops")), "pre-filled");
            Some(())
        }
        _ => None,
    });
    assert!(io.send(login()));
    let acted = wait_for(&io, &mut log, WAIT, |e| match e {
        Event::AlarmActed { message, .. } => Some(message.clone()),
        Event::ActionFailed { message, .. } => panic!("refused: {message}"),
        _ => None,
    });
    assert_eq!(acted, "Acknowledged: Down 1 · Well down");
    wait_for(&io, &mut log, WAIT, |e| {
        matches!(e, Event::OutboxChanged { pending } if pending.is_empty()).then_some(())
    });

    // A second flush (the next refresh) sends nothing.
    let before = log.len();
    assert!(io.send(Command::RefreshNow));
    wait_for(&io, &mut log, WAIT, |e| matches!(e, Event::OpenAlarmsLoaded { .. }).then_some(()));
    wait_for(&io, &mut log, WAIT, |e| matches!(e, Event::WellsLoaded { .. }).then_some(()));
    assert!(
        !log[before..].iter().any(|e| matches!(e, Event::AlarmActed { .. } | Event::ActionFailed { .. })),
        "{:#?}",
        &log[before..]
    );
    assert!(io.shutdown(Duration::from_secs(5)));

    let owner = CacheKey { server: base.clone(), tenant: "alpha".into(), username: "ops".into() };
    assert!(LocalStore::open(&cache).unwrap().queued(&owner).unwrap().is_empty(), "removed after the answer");
    second_server.block_on(async {
        let client = ApiClient::new(&base).unwrap();
        let login = LoginRequest { tenant: "alpha".into(), username: "ops".into(), password: PASSWORD.into() };
        let token = client.login(&login).await.unwrap().token;
        let (tx, _rx) = std::sync::mpsc::channel();
        let sink = EventSink::new(tx, Arc::new(|| {}));
        let store = SharedStore::open_or_memory(Some(&cache));
        let report = outbox::flush(&store, &client, &token, &owner, &sink).await;
        assert_eq!(report, outbox::FlushReport::default(), "nothing left to send");

        let transitions = journal(&base, &token, &alarm.alarm.id.to_string()).await;
        let acks: Vec<&AlarmTransition> =
            transitions.iter().filter(|t| t.action == AlarmAction::Acknowledged).collect();
        assert_eq!(acks.len(), 1, "exactly one acknowledgement: {transitions:#?}");
        assert_eq!(acks[0].comment.as_deref(), Some(COMMENT));
    });
}

/// A store in memory with one acknowledgement of `alarm` queued for ops@alpha on `base`.
fn queue_ack(
    base: &str,
    alarm: flowline_shared::alarms::AlarmId,
    key: uuid::Uuid,
    deferred: bool,
) -> (SharedStore, CacheKey) {
    let owner = CacheKey { server: base.to_owned(), tenant: "alpha".into(), username: "ops".into() };
    let store = LocalStore::in_memory().unwrap();
    let action = QueuedAction::Acknowledge { id: alarm, comment: Some(COMMENT.into()) };
    store.enqueue(&owner, key, &action, "Down 1 · Well down", chrono::Utc::now(), deferred).unwrap();
    (SharedStore::new(store), owner)
}

fn collecting_sink() -> (EventSink, std::sync::mpsc::Receiver<Event>) {
    let (tx, rx) = std::sync::mpsc::channel();
    (EventSink::new(tx, Arc::new(|| {})), rx)
}

#[test]
fn an_alarm_acknowledged_by_someone_else_meanwhile_is_dropped_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let (runtime, server) = start_backend(&dir.path().join("server.sqlite3"), 0, true);
    let base = server.base_url();
    runtime.block_on(async {
        let token = raise_alarm(&base).await;
        let client = ApiClient::new(&base).unwrap();
        let id = client.open_alarms(&token).await.unwrap()[0].alarm.id;
        let (store, owner) = queue_ack(&base, id, uuid::Uuid::new_v4(), true);
        let (sink, events) = collecting_sink();

        // No server on this address: the item stays, with one attempt more.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let nowhere = ApiClient::new(&format!("http://127.0.0.1:{port}")).unwrap();
        let report = outbox::flush(&store, &nowhere, &token, &owner, &sink).await;
        assert!(report.unreachable.is_some() && report.sent == 0);
        let kept = store
            .run({
                let o = owner.clone();
                move |s| s.queued(&o)
            })
            .await
            .unwrap();
        assert_eq!((kept.len(), kept[0].attempts), (1, 1));

        // A token the server no longer accepts: the item stays until the user signs in again.
        let report = outbox::flush(&store, &client, "not-a-token", &owner, &sink).await;
        assert!(report.unauthorized && report.sent == 0 && report.unreachable.is_none());
        let kept = store
            .run({
                let o = owner.clone();
                move |s| s.queued(&o)
            })
            .await
            .unwrap();
        assert_eq!((kept.len(), kept[0].attempts), (1, 2));

        // Meanwhile another operator acknowledged it: the server answers 409, the item goes, with the reason.
        client.acknowledge(&token, id, Some("someone else".into())).await.unwrap();
        let report = outbox::flush(&store, &client, &token, &owner, &sink).await;
        assert_eq!((report.sent, report.refused), (0, 1));
        let messages: Vec<String> = events
            .try_iter()
            .filter_map(|e| if let Event::ActionFailed { message, .. } = e { Some(message) } else { None })
            .collect();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(
            messages[0].starts_with("Alarm Down 1 · Well down changed while you were offline: "),
            "{}",
            messages[0]
        );
        assert!(store.run(move |s| s.queued(&owner)).await.unwrap().is_empty());
        let acks = journal(&base, &token, &id.to_string()).await;
        assert_eq!(acks.iter().filter(|t| t.action == AlarmAction::Acknowledged).count(), 1);
    });
}

/// The answer to a sent action is lost (the app closed before removing it): the retry carries the same key and
/// the server answers it without acknowledging twice.
#[test]
fn a_retry_with_the_same_idempotency_key_is_not_applied_twice() {
    let dir = tempfile::tempdir().unwrap();
    let (runtime, server) = start_backend(&dir.path().join("server.sqlite3"), 0, true);
    let base = server.base_url();
    runtime.block_on(async {
        let token = raise_alarm(&base).await;
        let client = ApiClient::new(&base).unwrap();
        let id = client.open_alarms(&token).await.unwrap()[0].alarm.id;
        let key = uuid::Uuid::new_v4();
        let (sink, _events) = collecting_sink();
        for _ in 0..2 {
            let (store, owner) = queue_ack(&base, id, key, false);
            let report = outbox::flush(&store, &client, &token, &owner, &sink).await;
            assert_eq!((report.sent, report.refused), (1, 0), "{report:?}");
        }
        let transitions = journal(&base, &token, &id.to_string()).await;
        let acks: Vec<&AlarmTransition> =
            transitions.iter().filter(|t| t.action == AlarmAction::Acknowledged).collect();
        assert_eq!(acks.len(), 1, "{transitions:#?}");
        assert_eq!(acks[0].comment.as_deref(), Some(COMMENT));
    });
}
