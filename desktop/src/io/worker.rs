//! The I/O thread's main task: connect (starting the embedded backend first in demo mode), sign in, follow the
//! event stream, refresh the wells, the KPIs (conditional GET), the open alarms and, while the oil-change
//! drill-down is shown, the oil trends (conditional GET per page) every `refresh_interval`, and
//! carry out the operator's alarm commands, until told to stop. Every answer the views use is kept in the offline
//! cache; the alarm commands go through the outbox (queued, then sent at once when connected, else when the link
//! returns). A remote server that cannot be reached at the start shows the cached data of its last user
//! (read-only) and is probed until it answers.
//!
//! Owns: the session token, the KPIs' and the oil trends' ETags, the refresh schedule, the stream task's lifetime, the embedded
//! server's lifetime, the "log once per outage" rule and when the outbox is flushed. Must not touch: egui or the
//! model; it reports only through the [`EventSink`].

use super::cache::{CacheKey, SharedStore};
use super::client::{ApiClient, ClientError, MAX_PAGE_SIZE};
use super::live_api::Conditional;
use super::sink::EventSink;
use super::stream::{StreamHandle, StreamSignal};
use super::trends_api::TrendPages;
use super::{BackendChoice, IoConfig, backoff, embedded, offline, outbox};
use crate::protocol::{Command, Event, QueuedAction, StartupStep};
use chrono::Utc;
use flowline_backend::embedded::{DemoCredentials, EmbeddedServer};
use flowline_shared::Role;
use flowline_shared::alarms::AlarmId;
use flowline_shared::dto::LoginRequest;
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::time::Instant;

/// The shortest refresh interval accepted, whatever the setting says.
const MIN_REFRESH: Duration = Duration::from_secs(1);

struct Worker {
    sink: EventSink,
    client: Result<ApiClient, String>,
    token: Option<String>,
    /// The demo login of the embedded backend, to sign in again by itself when the token expires.
    demo: Option<DemoCredentials>,
    server: Option<EmbeddedServer>,
    refresh: Duration,
    page_size: u32,
    next_poll: Option<Instant>,
    /// `next_poll` is the timer's (not a refresh asked for now): the pause holds it back.
    timed_poll: bool,
    /// The operator is working: timed refreshes wait (US-1104; `Command::PauseAutoRefresh`).
    paused: bool,
    /// Whether the last request failed, so that an outage is logged once, not at every poll.
    offline: bool,
    /// The event stream, once signed in.
    stream: Option<StreamHandle>,
    signals: UnboundedSender<StreamSignal>,
    /// The ETag of the KPIs on screen, for `If-None-Match`.
    kpi_etag: Option<String>,
    /// The offline cache and outbox.
    store: SharedStore,
    /// The server part of the cache keys: the base URL, or `embedded`.
    server_key: String,
    /// Whose data and actions these are, once signed in (kept through an expired session, for the outbox).
    identity: Option<CacheKey>,
    /// The cache was replayed for this user in this run (or its cached data was shown before a sign-in).
    replayed_for: Option<CacheKey>,
    /// Well and rule of each open alarm known, for the outbox's messages.
    labels: HashMap<AlarmId, String>,
    /// When to ask a remote server that was not there at the start whether it is back (cached data shown).
    next_probe: Option<Instant>,
    probes: u32,
    /// The oil-change drill-down is on screen: its trends are fetched with every refresh.
    oil_trends_shown: bool,
    /// The oil trends' pages with their ETags, for `If-None-Match`.
    oil_trend_pages: TrendPages,
}

/// Runs until `Command::Shutdown` or until the UI drops its end of the command channel.
pub async fn run(config: IoConfig, mut commands: UnboundedReceiver<Command>, sink: EventSink) {
    let (signals_tx, mut signals) = tokio::sync::mpsc::unbounded_channel();
    let mut worker = Worker {
        sink,
        client: Err("not connected yet".to_owned()),
        token: None,
        demo: None,
        server: None,
        refresh: config.refresh_interval.max(MIN_REFRESH),
        page_size: config.page_size,
        next_poll: None,
        timed_poll: false,
        paused: false,
        offline: false,
        stream: None,
        signals: signals_tx,
        kpi_etag: None,
        store: SharedStore::open_or_memory(config.cache_path.as_deref()),
        server_key: match &config.backend {
            BackendChoice::Embedded { .. } => offline::EMBEDDED_SERVER.to_owned(),
            BackendChoice::Remote { base_url } => base_url.trim().trim_end_matches('/').to_owned(),
        },
        identity: None,
        replayed_for: None,
        labels: HashMap::new(),
        next_probe: None,
        probes: 0,
        oil_trends_shown: false,
        oil_trend_pages: TrendPages::default(),
    };
    let connected = match config.backend {
        BackendChoice::Embedded { data_dir } => worker.start_embedded(data_dir, &mut commands).await,
        BackendChoice::Remote { base_url } => {
            worker.connect_remote(&base_url).await;
            true
        }
    };
    if connected {
        loop {
            tokio::select! {
                command = commands.recv() => match command {
                    None | Some(Command::Shutdown) => break,
                    Some(command) => worker.handle(command).await,
                },
                () = wait_until(worker.poll_at()) => worker.poll().await,
                () = wait_until(worker.next_probe) => worker.probe().await,
                Some(signal) = signals.recv() => worker.on_signal(signal).await,
            }
        }
    } else {
        // Keep the thread answering until the UI closes, so that `IoHandle::shutdown` returns promptly.
        while let Some(command) = commands.recv().await {
            if command == Command::Shutdown {
                break;
            }
        }
    }
    worker.stream = None;
    if let Some(server) = &worker.server {
        server.shutdown();
    }
    tracing::debug!("I/O thread stopped");
}

async fn wait_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

impl Worker {
    /// Starts the embedded backend and signs in with its demo user; false when it could not start or the UI
    /// closed meanwhile.
    async fn start_embedded(
        &mut self,
        data_dir: std::path::PathBuf,
        commands: &mut UnboundedReceiver<Command>,
    ) -> bool {
        self.sink.send(Event::Startup { step: StartupStep::Launching });
        tracing::info!(data_dir = %data_dir.display(), "starting the embedded backend");
        // The last session's cached data paints the dashboard while the backend starts.
        self.show_last_session().await;
        let start = embedded::start(data_dir, self.sink.clone());
        tokio::pin!(start);
        let started = loop {
            tokio::select! {
                result = &mut start => break result,
                command = commands.recv() => match command {
                    None | Some(Command::Shutdown) => return false,
                    Some(Command::SetRefreshInterval(interval)) => self.refresh = interval.max(MIN_REFRESH),
                    // Fetched after the sign-in's first poll.
                    Some(Command::WatchOilTrends(shown)) => self.oil_trends_shown = shown,
                    Some(_) => {}
                },
            }
        };
        let server = match started {
            Ok(server) => server,
            Err(error) => {
                let error = format!("{error:#}");
                tracing::error!(%error, "the embedded backend could not start");
                self.sink.send(Event::StartupFailed { error, at: Utc::now() });
                return false;
            }
        };
        tracing::info!(base_url = %server.base_url, "embedded backend listening");
        self.client = ApiClient::new(&server.base_url).map_err(|e| e.to_string());
        self.demo = Some(server.credentials.clone());
        let base_url = server.base_url.clone();
        self.server = Some(server);
        self.sink.send(Event::Connecting { base_url });
        if let Some(demo) = self.demo.clone() {
            self.login(LoginRequest { tenant: demo.tenant, username: demo.username, password: demo.password }).await;
        }
        true
    }

    /// Checks that the server is there, then asks for credentials.
    async fn connect_remote(&mut self, base_url: &str) {
        self.client = ApiClient::new(base_url).map_err(|e| e.to_string());
        self.sink.send(Event::Connecting { base_url: base_url.to_owned() });
        let health = match &self.client {
            Ok(client) => client.health().await.map(|_| ()).map_err(|e| e.user_message()),
            Err(error) => Err(error.clone()),
        };
        if let Err(error) = health {
            self.went_offline(error);
            if self.show_last_session().await {
                self.probes = 1;
                self.next_probe = Some(Instant::now() + backoff::jittered(self.probes));
                return;
            }
        }
        self.sink.send(Event::NeedsLogin { base_url: base_url.to_owned(), tenant: None, username: None });
    }

    /// No server (yet) at the start: shows the cached data of the last user who signed in to it (read-only until
    /// a sign-in succeeds); false when there is none.
    async fn show_last_session(&mut self) -> bool {
        let server = self.server_key.clone();
        let last = match self.store.run(move |s| s.last_session(&server)).await {
            Ok(Some(last)) => last,
            Ok(None) => return false,
            Err(error) => {
                tracing::warn!(%error, "the offline cache could not be read");
                return false;
            }
        };
        let Ok(role) = serde_json::from_str::<Role>(&last.role) else { return false };
        let key = CacheKey { server: self.server_key.clone(), tenant: last.tenant, username: last.username };
        let replayed = offline::replay(&self.store, &key, &self.sink).await;
        if replayed.answers == 0 {
            return false;
        }
        tracing::info!(tenant = %key.tenant, username = %key.username, "showing the cached data");
        self.labels = replayed.labels;
        self.kpi_etag = replayed.kpi_etag;
        self.sink.send(Event::CachedSession { tenant: key.tenant.clone(), username: key.username.clone(), role });
        self.sink.send(Event::OutboxChanged { pending: outbox::pending(&self.store, &key).await });
        self.replayed_for = Some(key);
        true
    }

    /// Is the server back? Then ask for a sign-in (the cached user pre-filled); else ask again later.
    async fn probe(&mut self) {
        let Ok(client) = self.client.clone() else {
            self.next_probe = None;
            return;
        };
        match client.health().await {
            Ok(_) => {
                self.next_probe = None;
                self.back_online();
                let (tenant, username) = match &self.replayed_for {
                    Some(key) => (Some(key.tenant.clone()), Some(key.username.clone())),
                    None => (None, None),
                };
                self.sink.send(Event::NeedsLogin { base_url: client.base_url().to_owned(), tenant, username });
            }
            Err(error) => {
                self.probes = self.probes.saturating_add(1);
                self.went_offline(error.user_message());
                self.next_probe = Some(Instant::now() + backoff::jittered(self.probes));
            }
        }
    }

    async fn handle(&mut self, command: Command) {
        match command {
            Command::Login { tenant, username, password } => {
                let request = LoginRequest { tenant, username, password: password.expose().to_owned() };
                self.login(request).await;
            }
            Command::Logout => {
                self.token = None;
                self.next_poll = None;
                self.stream = None;
                self.kpi_etag = None;
                self.oil_trend_pages = TrendPages::default();
                self.identity = None;
                self.replayed_for = None;
                self.sink.send(Event::LoggedOut);
            }
            Command::Acknowledge { id, comment } => self.queue(QueuedAction::Acknowledge { id, comment }).await,
            Command::AcknowledgeAll { filter, comment } => {
                self.queue(QueuedAction::AcknowledgeAll { filter, comment }).await;
            }
            Command::Shelve { id, duration, reason } => {
                let until = Utc::now() + chrono::TimeDelta::from_std(duration).unwrap_or(chrono::TimeDelta::hours(1));
                self.queue(QueuedAction::Shelve { id, until, reason }).await;
            }
            Command::RefreshNow => {
                if self.token.is_some() {
                    self.poll_now();
                }
                // Showing cached data without a server: look for it now.
                if self.next_probe.is_some() {
                    self.next_probe = Some(Instant::now());
                }
            }
            Command::PauseAutoRefresh(paused) => self.paused = paused,
            Command::SetRefreshInterval(interval) => {
                self.refresh = interval.max(MIN_REFRESH);
                if self.next_poll.is_some() {
                    self.next_poll = Some(Instant::now() + self.refresh);
                }
            }
            Command::WatchOilTrends(shown) => {
                self.oil_trends_shown = shown;
                if shown {
                    self.refresh_oil_trends().await;
                }
            }
            // Local commands are applied by the app and never reach this thread; Shutdown is handled by `run`.
            Command::Shutdown
            | Command::SortWells(_)
            | Command::DismissMessage(_)
            | Command::SetTheme(_)
            | Command::ShowScreen(_)
            | Command::DrillDownOilChange
            | Command::DrillDownWells(..)
            | Command::SortOilChange(_)
            | Command::SetAlarmDrawer(_)
            | Command::SetMuted(_)
            | Command::ShowHelp(_)
            | Command::ShowServerDialog(_)
            | Command::ConnectServer(_)
            | Command::SoundAlarm(_) => {}
        }
    }

    /// Signs in; on success the wells are fetched at once. Returns whether it succeeded.
    async fn login(&mut self, request: LoginRequest) -> bool {
        let client = match &self.client {
            Ok(client) => client.clone(),
            Err(error) => {
                self.sink.send(Event::LoginFailed { message: error.clone() });
                return false;
            }
        };
        self.sink.send(Event::Connecting { base_url: client.base_url().to_owned() });
        match client.login(&request).await {
            Ok(response) => {
                tracing::info!(tenant = %response.tenant, username = %response.username, "signed in");
                match &self.stream {
                    Some(stream) => stream.set_token(response.token.clone()),
                    None => {
                        let stream = StreamHandle::spawn(
                            client.base_url(),
                            response.token.clone(),
                            None,
                            self.sink.clone(),
                            self.signals.clone(),
                        );
                        self.stream = Some(stream);
                    }
                }
                self.token = Some(response.token);
                self.next_probe = None;
                self.back_online();
                let key = CacheKey {
                    server: self.server_key.clone(),
                    tenant: response.tenant.clone(),
                    username: response.username.clone(),
                };
                self.sink.send(Event::LoggedIn {
                    tenant: response.tenant,
                    username: response.username,
                    role: response.role,
                    expires_at: response.expires_at,
                    at: Utc::now(),
                });
                self.signed_in_as(key, response.role).await;
                self.poll_now();
                true
            }
            Err(error) => {
                if error.is_transient() {
                    self.went_offline(error.user_message());
                } else {
                    tracing::info!(%error, "sign-in refused");
                    self.sink.send(Event::NeedsLogin {
                        base_url: client.base_url().to_owned(),
                        tenant: Some(request.tenant),
                        username: Some(request.username),
                    });
                }
                self.sink.send(Event::LoginFailed { message: login_message(&error) });
                false
            }
        }
    }

    /// After a sign-in: remembers the user for an offline start, shows their cached data at once (the first time
    /// in this run), then sends what their outbox holds.
    async fn signed_in_as(&mut self, key: CacheKey, role: Role) {
        let (owned, at) = (key.clone(), Utc::now());
        let role = serde_json::to_string(&role).unwrap_or_default();
        if let Err(error) = self.store.run(move |s| s.remember_session(&owned, &role, at)).await {
            tracing::warn!(%error, "the offline cache could not remember the sign-in");
        }
        if self.replayed_for.as_ref() != Some(&key) {
            let replayed = offline::replay(&self.store, &key, &self.sink).await;
            self.kpi_etag = replayed.kpi_etag;
            self.labels = replayed.labels;
            self.replayed_for = Some(key.clone());
        }
        self.identity = Some(key.clone());
        self.sink.send(Event::OutboxChanged { pending: outbox::pending(&self.store, &key).await });
        self.flush().await;
    }

    /// Queues an alarm action (persisted at once); sends it now when connected, else reports it pending.
    async fn queue(&mut self, action: QueuedAction) {
        let Some(owner) = self.identity.clone() else {
            self.action_failed(format!("{} failed: not signed in", action.noun()));
            return;
        };
        let label = match action.alarm_id() {
            Some(id) => self.labels.get(&id).cloned().unwrap_or_else(|| "(unknown well)".to_owned()),
            None => "the alarms shown".to_owned(),
        };
        let deferred = self.offline || self.token.is_none();
        let (key, at) = (uuid::Uuid::new_v4(), Utc::now());
        let (o, a, l) = (owner.clone(), action.clone(), label.clone());
        if let Err(error) = self.store.run(move |s| s.enqueue(&o, key, &a, &l, at, deferred)).await {
            tracing::error!(%error, "an alarm action could not be queued");
            self.action_failed(format!("{} of {label} could not be kept: {error}", action.noun()));
            return;
        }
        self.sink.send(Event::OutboxChanged { pending: outbox::pending(&self.store, &owner).await });
        if deferred {
            let message = format!("{} of {label}: {}", action.noun(), outbox::queued_text());
            self.sink.send(Event::ActionQueued { message, at });
        } else {
            self.flush().await;
        }
    }

    /// Sends the signed-in user's outbox, in order, if there is anything in it.
    async fn flush(&mut self) {
        let (Ok(client), Some(token), Some(owner)) = (&self.client, &self.token, &self.identity) else { return };
        let (client, token, owner) = (client.clone(), token.clone(), owner.clone());
        let report = outbox::flush(&self.store, &client, &token, &owner, &self.sink).await;
        if let Some(error) = report.unreachable {
            self.went_offline(error);
        } else if report.sent + report.refused > 0 {
            self.back_online();
        }
        if report.unauthorized {
            // The next poll meets the 401 too and signs in again (demo) or reports the expired session.
            self.poll_now();
        }
        if report.acknowledged_all || report.refused > 0 {
            self.refresh_alarms().await;
        }
    }

    /// Fetches every well and schedules the next refresh.
    async fn poll(&mut self) {
        let (Ok(client), Some(token)) = (&self.client, &self.token) else {
            self.next_poll = None;
            return;
        };
        let client = client.clone();
        match client.list_all_wells(token, self.page_size).await {
            Ok((wells, total)) => {
                self.back_online();
                let at = Utc::now();
                if let Some(key) = &self.identity {
                    offline::save_wells(&self.store, key, &wells, total, at).await;
                }
                self.sink.send(Event::WellsLoaded { wells, total, at });
            }
            Err(error) if error.is_unauthorized() => {
                self.token = None;
                self.next_poll = None;
                let signed_in_again = match self.demo.clone() {
                    Some(demo) => {
                        let request =
                            LoginRequest { tenant: demo.tenant, username: demo.username, password: demo.password };
                        self.login(request).await
                    }
                    None => false,
                };
                if !signed_in_again {
                    tracing::info!("session expired");
                    self.sink.send(Event::SessionExpired { at: Utc::now() });
                }
                return;
            }
            Err(error) => self.went_offline(error.user_message()),
        }
        self.refresh_kpis().await;
        self.refresh_alarms().await;
        if self.oil_trends_shown {
            self.refresh_oil_trends().await;
        }
        self.next_poll = Some(Instant::now() + self.refresh);
        self.timed_poll = true;
        if !self.offline {
            self.flush().await;
        }
    }

    /// A refresh now (a sign-in, "Refresh", a resync): not held back by the pause.
    fn poll_now(&mut self) {
        self.next_poll = Some(Instant::now());
        self.timed_poll = false;
    }

    /// When the next refresh runs: the timer's waits while the operator works; one that fell due meanwhile runs when
    /// the pause ends.
    fn poll_at(&self) -> Option<Instant> {
        if self.paused && self.timed_poll { None } else { self.next_poll }
    }

    /// What the event stream asks for.
    async fn on_signal(&mut self, signal: StreamSignal) {
        match signal {
            StreamSignal::KpisChanged => self.refresh_kpis().await,
            StreamSignal::Reload => {
                self.refresh_alarms().await;
                self.refresh_kpis().await;
                if !self.offline {
                    self.flush().await;
                }
            }
            // The next poll meets the 401 and signs in again (demo) or reports the expired session.
            StreamSignal::TokenRejected => self.poll_now(),
        }
    }

    /// `GET /api/v1/dashboard/kpis` with the ETag of the figures on screen: a 304 only moves "last checked".
    async fn refresh_kpis(&mut self) {
        let (Ok(client), Some(token)) = (&self.client, &self.token) else { return };
        match client.dashboard_kpis(token, self.kpi_etag.as_deref()).await {
            Ok(Conditional::Modified { value, etag }) => {
                self.kpi_etag = etag.clone();
                self.back_online();
                let at = Utc::now();
                if let Some(key) = &self.identity {
                    offline::save_kpis(&self.store, key, &value, etag, at).await;
                }
                self.sink.send(Event::KpisLoaded { kpis: value, at });
            }
            Ok(Conditional::NotModified) => {
                self.back_online();
                let at = Utc::now();
                if let Some(key) = &self.identity {
                    offline::confirm_kpis(&self.store, key, at).await;
                }
                self.sink.send(Event::KpisUnchanged { at });
            }
            Err(error) if error.is_transient() => self.went_offline(error.user_message()),
            Err(error) => tracing::warn!(%error, "the KPIs could not be fetched"),
        }
    }

    /// Every open alarm, over REST (the stream keeps them current in between).
    async fn refresh_alarms(&mut self) {
        let (Ok(client), Some(token)) = (&self.client, &self.token) else { return };
        let requested_at = Utc::now();
        match client.open_alarms(token).await {
            Ok(alarms) => {
                self.back_online();
                let at = Utc::now();
                self.labels.extend(offline::labels(&alarms));
                if let Some(key) = &self.identity {
                    offline::save_alarms(&self.store, key, &alarms, at).await;
                }
                self.sink.send(Event::OpenAlarmsLoaded { alarms, requested_at, at });
            }
            Err(error) if error.is_transient() => self.went_offline(error.user_message()),
            Err(error) => tracing::warn!(%error, "the open alarms could not be fetched"),
        }
    }

    /// Every oil trend (`GET /api/v1/trends?field=oil_bbl&sort=change`, all pages, each revalidated with its
    /// ETag), for the oil-change drill-down; kept in the offline cache like the other answers.
    async fn refresh_oil_trends(&mut self) {
        let (Ok(client), Some(token)) = (&self.client, &self.token) else {
            let error = "Offline: the oil trends cannot be fetched".to_owned();
            self.sink.send(Event::OilTrendsFailed { error, at: Utc::now() });
            return;
        };
        let (client, token) = (client.clone(), token.clone());
        match client.all_oil_trends(&token, MAX_PAGE_SIZE, &mut self.oil_trend_pages).await {
            Ok(Conditional::Modified { value: (trends, total), .. }) => {
                self.back_online();
                let at = Utc::now();
                if let Some(key) = &self.identity {
                    offline::save_oil_trends(&self.store, key, &trends, total, at).await;
                }
                self.sink.send(Event::OilTrendsLoaded { trends, total, at });
            }
            Ok(Conditional::NotModified) => {
                self.back_online();
                let at = Utc::now();
                if let Some(key) = &self.identity {
                    offline::confirm_oil_trends(&self.store, key, at).await;
                }
                self.sink.send(Event::OilTrendsUnchanged { at });
            }
            Err(error) => {
                if error.is_transient() {
                    self.went_offline(error.user_message());
                } else if error.is_unauthorized() {
                    // The next poll meets the 401 too and signs in again (demo) or reports the expired session.
                    self.poll_now();
                } else {
                    tracing::warn!(%error, "the oil trends could not be fetched");
                }
                let error = format!("The oil trends could not be fetched: {}", error.user_message());
                self.sink.send(Event::OilTrendsFailed { error, at: Utc::now() });
            }
        }
    }

    fn action_failed(&mut self, message: String) {
        tracing::info!(%message, "alarm action refused");
        self.sink.send(Event::ActionFailed { message, at: Utc::now() });
    }

    fn went_offline(&mut self, error: String) {
        if !self.offline {
            tracing::warn!(%error, "connection lost");
            self.offline = true;
        }
        self.sink.send(Event::WentOffline { error, at: Utc::now() });
    }

    fn back_online(&mut self) {
        if self.offline {
            tracing::info!("connection restored");
            self.offline = false;
        }
    }
}

/// What the login dialog says when a sign-in fails.
fn login_message(error: &ClientError) -> String {
    if error.is_unauthorized() {
        return error
            .code()
            .map_or_else(|| "Invalid tenant, username or password".to_owned(), |_| error.user_message());
    }
    if error.is_transient() {
        return format!("Cannot reach the server: {}", error.user_message());
    }
    error.user_message()
}
