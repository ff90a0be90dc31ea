//! The I/O thread's main task: connect (starting the embedded backend first in demo mode), sign in, follow the
//! event stream, refresh the wells, the KPIs (conditional GET) and the open alarms every `refresh_interval`, and
//! carry out the operator's alarm commands, until told to stop.
//!
//! Owns: the session token, the KPIs' ETag, the refresh schedule, the stream task's lifetime, the embedded
//! server's lifetime and the "log once per outage" rule. Must not touch: egui or the model; it reports only
//! through the [`EventSink`].

use super::client::{ApiClient, ClientError};
use super::live_api::Conditional;
use super::sink::EventSink;
use super::stream::{StreamHandle, StreamSignal};
use super::{BackendChoice, IoConfig, embedded};
use crate::protocol::{Command, Event, StartupStep};
use chrono::Utc;
use flowline_backend::embedded::{DemoCredentials, EmbeddedServer};
use flowline_shared::dto::LoginRequest;
use flowline_shared::dto::alarms::{AlarmView, ShelveRequest};
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
    /// Whether the last request failed, so that an outage is logged once, not at every poll.
    offline: bool,
    /// The event stream, once signed in.
    stream: Option<StreamHandle>,
    signals: UnboundedSender<StreamSignal>,
    /// The ETag of the KPIs on screen, for `If-None-Match`.
    kpi_etag: Option<String>,
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
        offline: false,
        stream: None,
        signals: signals_tx,
        kpi_etag: None,
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
                () = wait_until(worker.next_poll) => worker.poll().await,
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
        let start = embedded::start(data_dir, self.sink.clone());
        tokio::pin!(start);
        let started = loop {
            tokio::select! {
                result = &mut start => break result,
                command = commands.recv() => match command {
                    None | Some(Command::Shutdown) => return false,
                    Some(Command::SetRefreshInterval(interval)) => self.refresh = interval.max(MIN_REFRESH),
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
        }
        self.sink.send(Event::NeedsLogin { base_url: base_url.to_owned(), tenant: None, username: None });
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
                self.sink.send(Event::LoggedOut);
            }
            Command::Acknowledge { id, comment } => {
                let outcome =
                    self.with_session(|client, token| async move { client.acknowledge(&token, id, comment).await });
                self.acted(outcome.await, "Acknowledged", "Acknowledging the alarm failed");
            }
            Command::AcknowledgeAll { filter, comment } => {
                let outcome = self
                    .with_session(|client, token| async move { client.acknowledge_all(&token, filter, comment).await });
                match outcome.await {
                    Ok(count) => {
                        self.sink.send(Event::AlarmsAcknowledged { count, at: Utc::now() });
                        self.refresh_alarms().await;
                    }
                    Err(message) => self.action_failed(format!("Acknowledging the alarms failed: {message}")),
                }
            }
            Command::Shelve { id, duration, reason } => {
                let until = Utc::now() + chrono::TimeDelta::from_std(duration).unwrap_or(chrono::TimeDelta::hours(1));
                let hours = duration.as_secs() / 3600;
                let outcome = self.with_session(|client, token| async move {
                    client.shelve(&token, id, &ShelveRequest { reason, until }).await
                });
                self.acted(outcome.await, &format!("Shelved for {hours} h"), "Shelving the alarm failed");
            }
            Command::RefreshNow => {
                if self.token.is_some() {
                    self.next_poll = Some(Instant::now());
                }
            }
            Command::SetRefreshInterval(interval) => {
                self.refresh = interval.max(MIN_REFRESH);
                if self.next_poll.is_some() {
                    self.next_poll = Some(Instant::now() + self.refresh);
                }
            }
            // Local commands are applied by the app and never reach this thread; Shutdown is handled by `run`.
            Command::Shutdown
            | Command::SortWells(_)
            | Command::DismissMessage(_)
            | Command::SetTheme(_)
            | Command::ShowScreen(_)
            | Command::DrillDownOil
            | Command::SetAlarmDrawer(_) => {}
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
                self.back_online();
                self.sink.send(Event::LoggedIn {
                    tenant: response.tenant,
                    username: response.username,
                    role: response.role,
                    expires_at: response.expires_at,
                    at: Utc::now(),
                });
                self.next_poll = Some(Instant::now());
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
                self.sink.send(Event::WellsLoaded { wells, total, at: Utc::now() });
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
        self.next_poll = Some(Instant::now() + self.refresh);
    }

    /// What the event stream asks for.
    async fn on_signal(&mut self, signal: StreamSignal) {
        match signal {
            StreamSignal::KpisChanged => self.refresh_kpis().await,
            StreamSignal::Reload => {
                self.refresh_alarms().await;
                self.refresh_kpis().await;
            }
            // The next poll meets the 401 and signs in again (demo) or reports the expired session.
            StreamSignal::TokenRejected => self.next_poll = Some(Instant::now()),
        }
    }

    /// `GET /api/v1/dashboard/kpis` with the ETag of the figures on screen: a 304 only moves "last checked".
    async fn refresh_kpis(&mut self) {
        let (Ok(client), Some(token)) = (&self.client, &self.token) else { return };
        match client.dashboard_kpis(token, self.kpi_etag.as_deref()).await {
            Ok(Conditional::Modified { value, etag }) => {
                self.kpi_etag = etag;
                self.back_online();
                self.sink.send(Event::KpisLoaded { kpis: value, at: Utc::now() });
            }
            Ok(Conditional::NotModified) => {
                self.back_online();
                self.sink.send(Event::KpisUnchanged { at: Utc::now() });
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
                self.sink.send(Event::OpenAlarmsLoaded { alarms, requested_at, at: Utc::now() });
            }
            Err(error) if error.is_transient() => self.went_offline(error.user_message()),
            Err(error) => tracing::warn!(%error, "the open alarms could not be fetched"),
        }
    }

    /// Runs a request that needs the session; the error is the text for the user.
    fn with_session<T, F, Fut>(
        &self,
        request: F,
    ) -> impl std::future::Future<Output = Result<T, String>> + use<T, F, Fut>
    where
        F: FnOnce(ApiClient, String) -> Fut,
        Fut: std::future::Future<Output = Result<T, ClientError>>,
    {
        let session = match (&self.client, &self.token) {
            (Ok(client), Some(token)) => Ok((client.clone(), token.clone())),
            (Err(error), _) => Err(error.clone()),
            (_, None) => Err("not signed in".to_owned()),
        };
        async move {
            let (client, token) = session?;
            request(client, token).await.map_err(|e| e.user_message())
        }
    }

    /// Reports the answer to an acknowledgement or a shelving.
    fn acted(&mut self, outcome: Result<AlarmView, String>, done: &str, failed: &str) {
        match outcome {
            Ok(view) => {
                let message = format!("{done}: {} · {}", view.well_name, view.alarm.rule.label());
                self.sink.send(Event::AlarmActed { alarm: Box::new(view), message, at: Utc::now() });
            }
            Err(message) => self.action_failed(format!("{failed}: {message}")),
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
