//! The messages between the UI thread and the I/O thread: [`Command`]s go to I/O (or, for the few marked local,
//! straight to the model), [`Event`]s come back.
//!
//! Owns: the vocabulary both sides share. Must not touch: egui, tokio, the network or the backend crate; the
//! backend's own types are translated into these by `io` so that the model and the views never name them.

use chrono::{DateTime, Utc};
use flowline_shared::Role;
use flowline_shared::alarms::{Alarm, AlarmId, AlarmPriority};
use flowline_shared::dto::WellView;
use flowline_shared::dto::alarms::{AlarmSelection, AlarmView};
use flowline_shared::dto::analytics::TrendListItem;
use flowline_shared::kpis::FleetKpis;
use std::time::Duration;

/// A string that must not reach a log: `Debug` prints `"***"`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("\"***\"")
    }
}

/// A column of the well table, for sorting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WellColumn {
    Name,
    ApiNumber,
    Status,
    LastReading,
    Oil,
    Gas,
    Water,
    HoursOn,
}

/// The order of the oil-change drill-down (`views::oil_change`); wells with insufficient data stay last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OilChangeSort {
    /// Steepest decline first (the server's `sort=change`).
    #[default]
    ChangeAscending,
    /// Largest rise first.
    ChangeDescending,
    Name,
}

/// Dark, light or high-contrast (dark, for wall displays) look; all come from the same design tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum ThemeChoice {
    #[default]
    Dark,
    Light,
    HighContrast,
}

impl ThemeChoice {
    /// The next theme of the theme button's cycle: dark, light, high contrast, dark again.
    pub fn toggled(self) -> Self {
        match self {
            Self::Dark => Self::Light,
            Self::Light => Self::HighContrast,
            Self::HighContrast => Self::Dark,
        }
    }
}

/// What the central panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Screen {
    /// The six KPI tiles.
    #[default]
    Dashboard,
    /// The well table.
    Wells,
    /// The open alarms, full width (read only; the kiosk's third view).
    Alarms,
    /// The oil tile's drill-down: the wells by 30-day change in oil. Not in [`Screen::ALL`] (no sidebar entry of
    /// its own, not in the kiosk's rotation): it belongs to the dashboard.
    OilChange,
}

impl Screen {
    /// Every screen, in the order of the sidebar and of the kiosk's rotation.
    pub const ALL: [Self; 3] = [Self::Dashboard, Self::Wells, Self::Alarms];

    pub fn title(self) -> &'static str {
        match self {
            Self::Dashboard => "Dashboard",
            Self::Wells => "Wells",
            Self::Alarms => "Alarms",
            Self::OilChange => "Wells by oil change",
        }
    }

    /// The sidebar entry this screen belongs to (the drill-down belongs to the dashboard).
    pub fn section(self) -> Self {
        match self {
            Self::OilChange => Self::Dashboard,
            other => other,
        }
    }
}

/// How an alarm changed, as the event stream says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlarmChange {
    Created,
    Updated,
    /// Closed (state normal): it leaves the open alarms.
    Cleared,
}

/// What the user (through a view) asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Sign in to the server with these credentials.
    Login { tenant: String, username: String, password: Secret },
    /// Forget the session token and show the login dialog.
    Logout,
    /// Fetch the wells now instead of waiting for the next refresh.
    RefreshNow,
    /// Change how often the wells are fetched while connected.
    SetRefreshInterval(Duration),
    /// Stop the I/O thread (and the embedded backend).
    Shutdown,
    /// Local: sort the well table by this column (again: reverse the order).
    SortWells(WellColumn),
    /// Local: remove a message from the message strip.
    DismissMessage(u64),
    /// Local: switch between the dark and the light theme.
    SetTheme(ThemeChoice),
    /// Local: show the dashboard or the well table.
    ShowScreen(Screen),
    /// The operator is working (true) or has been idle for five minutes (false): the timed refresh stops and
    /// resumes (US-1104); "Refresh" and the event stream keep working.
    PauseAutoRefresh(bool),
    /// Local: a tile's drill-down to the well table in the order that explains its figure.
    DrillDownWells(WellColumn, bool),
    /// Local: the oil tile's drill-down by change: `Screen::OilChange` (the app then asks I/O for the trends).
    DrillDownOilChange,
    /// Local: order the oil-change drill-down.
    SortOilChange(OilChangeSort),
    /// Fetch the oil trends now and at every refresh while true (the oil-change screen is shown); the app sends it
    /// when that screen is entered or left.
    WatchOilTrends(bool),
    /// Local: open or close the alarm drawer.
    SetAlarmDrawer(bool),
    /// Acknowledge one alarm, with an optional comment.
    Acknowledge { id: AlarmId, comment: Option<String> },
    /// Acknowledge every unacknowledged alarm matching the filter (the drawer's current one).
    AcknowledgeAll { filter: AlarmSelection, comment: Option<String> },
    /// Shelve one alarm for `duration` from now, with a reason.
    Shelve { id: AlarmId, duration: Duration, reason: String },
    /// Local: silence (true) or re-enable the audible alarms.
    SetMuted(bool),
    /// Local: open or close the keyboard help overlay.
    ShowHelp(bool),
    /// Play the audible alarm tone of this priority once (the app decides when; see `model::sound`).
    SoundAlarm(AlarmPriority),
    /// Local: open or close the "Server…" dialog.
    ShowServerDialog(bool),
    /// Local: use this backend from now on (the app checks it, restarts the I/O thread and saves the choice).
    ConnectServer(ServerTarget),
}

/// The backend chosen in the "Server…" dialog, as typed (the app checks the address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerTarget {
    /// The backend in this process on the demo database.
    Embedded,
    /// A server elsewhere, at this address.
    Remote { url: String },
}

impl Command {
    /// True for commands the app applies to the model itself instead of sending them to the I/O thread.
    pub fn is_local(&self) -> bool {
        matches!(
            self,
            Self::SortWells(_)
                | Self::DismissMessage(_)
                | Self::SetTheme(_)
                | Self::ShowScreen(_)
                | Self::DrillDownOilChange
                | Self::DrillDownWells(..)
                | Self::SortOilChange(_)
                | Self::SetAlarmDrawer(_)
                | Self::SetMuted(_)
                | Self::ShowHelp(_)
                | Self::ShowServerDialog(_)
                | Self::ConnectServer(_)
        )
    }
}

/// Where the embedded backend is in its start-up (a copy of the backend's progress type, so that the model does
/// not depend on the backend crate).
#[derive(Debug, Clone, PartialEq)]
pub enum StartupStep {
    /// The I/O thread is up and about to open the database.
    Launching,
    OpeningDatabase,
    SeedingDemoTenant,
    /// Writing simulated history: entries written so far of the total.
    SimulatingHistory {
        done: u64,
        total: u64,
    },
    Listening {
        base_url: String,
    },
}

impl StartupStep {
    /// Share of the start-up done, when it is known.
    pub fn fraction(&self) -> Option<f32> {
        match self {
            Self::SimulatingHistory { done, total } if *total > 0 => {
                Some((*done as f64 / *total as f64).clamp(0.0, 1.0) as f32)
            }
            Self::Listening { .. } => Some(1.0),
            _ => None,
        }
    }

    /// One line for the progress indicator.
    pub fn describe(&self) -> String {
        match self {
            Self::Launching => "Starting the embedded backend".to_owned(),
            Self::OpeningDatabase => "Opening the demo database".to_owned(),
            Self::SeedingDemoTenant => "Creating the demo tenant and user".to_owned(),
            Self::SimulatingHistory { done, total } => format!(
                "Simulating 24 months of history: {} of {} entries",
                crate::format::thousands(*done),
                crate::format::thousands(*total)
            ),
            Self::Listening { base_url } => format!("Serving on {base_url}"),
        }
    }
}

/// What happened on the I/O side. Every event that changes what the user sees carries the instant it happened,
/// so that applying events is deterministic (and testable) without a clock.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The embedded backend reports progress.
    Startup {
        step: StartupStep,
    },
    /// The embedded backend could not start.
    StartupFailed {
        error: String,
        at: DateTime<Utc>,
    },
    /// Talking to a server at this address (health check or sign-in in progress).
    Connecting {
        base_url: String,
    },
    /// The server is there and needs credentials; the fields pre-fill the login form when known.
    NeedsLogin {
        base_url: String,
        tenant: Option<String>,
        username: Option<String>,
    },
    LoggedIn {
        tenant: String,
        username: String,
        role: Role,
        expires_at: DateTime<Utc>,
        at: DateTime<Utc>,
    },
    /// Sign-in refused or impossible; the message is for the user.
    LoginFailed {
        message: String,
    },
    /// A fresh list of every well of the tenant.
    WellsLoaded {
        wells: Vec<WellView>,
        total: u64,
        at: DateTime<Utc>,
    },
    /// A request failed for a reason that may pass (network, server error); polling continues.
    WentOffline {
        error: String,
        at: DateTime<Utc>,
    },
    /// The server no longer accepts the token.
    SessionExpired {
        at: DateTime<Utc>,
    },
    LoggedOut,
    /// A fresh answer of `GET /api/v1/dashboard/kpis`.
    KpisLoaded {
        kpis: Box<FleetKpis>,
        at: DateTime<Utc>,
    },
    /// The KPIs were revalidated (HTTP 304): the data on screen is still current.
    KpisUnchanged {
        at: DateTime<Utc>,
    },
    /// Every open alarm of the tenant (active or returned-unacknowledged, shelved ones included), fetched over REST;
    /// `requested_at` is when the request left, so that stream events newer than the list are kept.
    OpenAlarmsLoaded {
        alarms: Vec<AlarmView>,
        requested_at: DateTime<Utc>,
        at: DateTime<Utc>,
    },
    /// The event stream is (re)connecting; `attempt` counts the failures since it was last live.
    StreamConnecting {
        attempt: u32,
    },
    /// The event stream's snapshot: it is live; replayed events (when resuming) follow.
    StreamLive {
        seq: i64,
        resumed_from: Option<i64>,
        replaying: i64,
        resync: bool,
        at: DateTime<Utc>,
    },
    /// An alarm event of the stream; `at` is when it happened on the server.
    AlarmChanged {
        change: AlarmChange,
        seq: i64,
        alarm: Box<Alarm>,
        /// Present when the event says whether the well's alarms are out of service.
        out_of_service: Option<bool>,
        at: DateTime<Utc>,
    },
    /// New data arrived on the server (the I/O thread refetches the KPIs by itself).
    KpisChanged {
        seq: i64,
        at: DateTime<Utc>,
    },
    /// The stream is alive.
    StreamHeartbeat {
        seq: i64,
        at: DateTime<Utc>,
    },
    /// The stream dropped; it reconnects in `retry_in`.
    StreamDown {
        reason: String,
        retry_in: Duration,
        at: DateTime<Utc>,
    },
    /// The server accepted an acknowledgement or a shelving: the alarm as it is now.
    AlarmActed {
        alarm: Box<AlarmView>,
        message: String,
        at: DateTime<Utc>,
    },
    /// Acknowledge-all answered.
    AlarmsAcknowledged {
        count: u64,
        at: DateTime<Utc>,
    },
    /// The server refused a command (a 4xx with its message) or could not be reached for it.
    ActionFailed {
        message: String,
        at: DateTime<Utc>,
    },
    /// No program to play the audible alarm with was found (or it failed): audible alarms are off.
    AudioUnavailable {
        reason: String,
        at: DateTime<Utc>,
    },
    /// Offline cache: `event` (wells, KPIs or open alarms loaded, KPIs unchanged) replayed from the local cache, as
    /// the server answered it at `fetched_at` (the inner event's instants are the stored ones, not "now"). It does
    /// not mean the server is reachable.
    FromCache {
        event: Box<Event>,
        fetched_at: DateTime<Utc>,
    },
    /// Offline cache: no server at the start, so the cached data of the last user who signed in to it is shown,
    /// read-only until a sign-in succeeds.
    CachedSession {
        tenant: String,
        username: String,
        role: Role,
    },
    /// The outbox changed: the alarm actions not yet answered by the server, oldest first.
    OutboxChanged {
        pending: Vec<PendingAction>,
    },
    /// An alarm action was kept in the outbox instead of being sent (no connection); it is sent when the link
    /// returns.
    ActionQueued {
        message: String,
        at: DateTime<Utc>,
    },
    /// Every stored 30-day oil trend of the tenant (`GET /api/v1/trends?field=oil_bbl&sort=change`, all pages), in
    /// the server's order (steepest decline first).
    OilTrendsLoaded {
        trends: Vec<TrendListItem>,
        total: u64,
        at: DateTime<Utc>,
    },
    /// The oil trends were revalidated (every page answered 304): the list on screen is current.
    OilTrendsUnchanged {
        at: DateTime<Utc>,
    },
    /// The oil trends could not be fetched; the message is for the user (the list on screen, if any, stays).
    OilTrendsFailed {
        error: String,
        at: DateTime<Utc>,
    },
}

/// An alarm action as it waits in the outbox (and as it is sent).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QueuedAction {
    Acknowledge {
        id: AlarmId,
        comment: Option<String>,
    },
    AcknowledgeAll {
        filter: AlarmSelection,
        comment: Option<String>,
    },
    /// `until` is fixed when the operator shelves, not when the action is sent.
    Shelve {
        id: AlarmId,
        until: DateTime<Utc>,
        reason: String,
    },
}

impl QueuedAction {
    /// The alarm it is about (none for acknowledge-all).
    pub fn alarm_id(&self) -> Option<AlarmId> {
        match self {
            Self::Acknowledge { id, .. } | Self::Shelve { id, .. } => Some(*id),
            Self::AcknowledgeAll { .. } => None,
        }
    }

    /// "Acknowledgement", "Acknowledge-all", "Shelving": for messages.
    pub fn noun(&self) -> &'static str {
        match self {
            Self::Acknowledge { .. } => "Acknowledgement",
            Self::AcknowledgeAll { .. } => "Acknowledge-all",
            Self::Shelve { .. } => "Shelving",
        }
    }
}

/// One action of the outbox, for the model: applied optimistically and marked "pending, will be sent".
#[derive(Debug, Clone, PartialEq)]
pub struct PendingAction {
    /// The `Idempotency-Key` it is sent with.
    pub key: uuid::Uuid,
    pub action: QueuedAction,
    /// The alarm's well and rule ("Midland 2 · Well down"), or what acknowledge-all covers.
    pub label: String,
    pub queued_at: DateTime<Utc>,
}
