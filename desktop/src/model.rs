//! The plain state the UI draws: connection, session, wells, KPIs, open alarms, login form, alarm drawer,
//! messages, table sort, the screen shown.
//!
//! Owns: how each [`Event`] changes that state ([`Model::apply`]) and the local commands (sort, dismiss, theme,
//! screen, drawer). The KPI tiles are in [`kpis`], the open alarms in [`alarms`], the drawer's fields in [`drawer`],
//! the offline cache's side (cached user, pending actions, banner) in [`offline`], the oil tile's drill-down by
//! change in [`oil_change`], the "Server…" dialog and the reset when the backend changes in [`server_dialog`].
//! Must not touch: egui, the network, tokio, clocks (instants come with the events) or the backend crate.

pub mod alarms;
pub mod drawer;
pub mod kiosk;
pub mod kpis;
pub mod offline;
pub mod oil_change;
pub mod refresh_pause;
pub mod server_dialog;
pub mod sound;

use crate::protocol::{Command, Event, OilChangeSort, Screen, StartupStep, ThemeChoice, WellColumn};
use alarms::{AlarmBoard, StreamState};
use chrono::{DateTime, Utc};
use drawer::AlarmDrawer;
use flowline_shared::Role;
use flowline_shared::dto::{LatestReading, WellView};
use kiosk::Kiosk;
use kpis::KpiBoard;
use offline::{CachedViewer, OfflineState};
use oil_change::OilChangeBoard;
use server_dialog::ServerDialog;
use sound::AlarmSound;
use std::cmp::Ordering;
use std::path::PathBuf;
use std::time::Duration;

/// How many messages the message strip keeps; older ones fall off.
pub const MAX_MESSAGES: usize = 20;

/// Where the data comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// The backend runs inside this process on a demo database in this folder.
    Embedded { data_dir: PathBuf },
    /// A backend elsewhere, reached with credentials.
    Remote,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ConnectionState {
    /// The embedded backend is starting.
    Starting { progress: StartupStep },
    /// Reaching the server or signing in.
    Connecting,
    /// The last request succeeded.
    Online { since: DateTime<Utc> },
    /// The last request failed; `since` is when the connection was first lost.
    Offline { error: String, since: DateTime<Utc> },
    /// The server wants credentials.
    NeedsLogin,
}

/// Who is signed in.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub tenant: String,
    pub username: String,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
}

/// The login dialog's fields. The dialog edits them in place; the password never leaves this form except inside a
/// `Command::Login` and is cleared once signed in.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoginForm {
    pub tenant: String,
    pub username: String,
    pub password: String,
    /// A sign-in request is on its way: the button is disabled and a spinner shows.
    pub in_flight: bool,
    /// Why the last attempt failed, shown in the dialog.
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warning,
    Error,
}

/// A line in the message strip.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub id: u64,
    pub level: Level,
    pub text: String,
    pub at: DateTime<Utc>,
}

/// How the well table is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WellSort {
    pub column: WellColumn,
    pub ascending: bool,
}

impl Default for WellSort {
    fn default() -> Self {
        Self { column: WellColumn::Name, ascending: true }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub mode: Mode,
    /// The backend's base URL, once known.
    pub server_url: Option<String>,
    pub connection: ConnectionState,
    pub session: Option<Session>,
    /// Every well of the tenant, in the order of [`Model::sort`].
    pub wells: Vec<WellView>,
    /// The total the server reported (equal to `wells.len()` unless the list was capped).
    pub wells_total: u64,
    /// When the wells were last fetched successfully.
    pub last_updated: Option<DateTime<Utc>>,
    pub login: LoginForm,
    pub messages: Vec<Message>,
    pub sort: WellSort,
    pub theme: ThemeChoice,
    /// How often the I/O thread refreshes the wells, the KPIs and the open alarms (a setting; shown in the UI).
    pub refresh_interval: Duration,
    /// The auto-refresh pause while the operator works (see [`refresh_pause`]).
    pub refresh_pause: refresh_pause::RefreshPause,
    pub kpis: KpiBoard,
    pub alarms: AlarmBoard,
    pub drawer: AlarmDrawer,
    pub screen: Screen,
    /// Kiosk (wall display) mode: read only, no chrome, rotating screens; `None` on an operator's desk.
    pub kiosk: Option<Kiosk>,
    /// The audible alarm: mute, availability, last tone (see [`sound`]).
    pub sound: AlarmSound,
    /// The keyboard help overlay is open.
    pub help_open: bool,
    /// The oil tile's drill-down: the wells by 30-day change in oil (fetched only while it is shown).
    pub oil_change: OilChangeBoard,
    /// The offline cache's side: a cached user shown read-only, where the data came from, the outbox.
    pub offline: OfflineState,
    /// The "Server…" dialog (embedded demo or a remote server; see [`server_dialog`]).
    pub server_dialog: ServerDialog,
    next_message_id: u64,
}

impl Model {
    pub fn new(mode: Mode, server_url: Option<String>, refresh_interval: Duration) -> Self {
        let connection = match mode {
            Mode::Embedded { .. } => ConnectionState::Starting { progress: StartupStep::Launching },
            Mode::Remote => ConnectionState::Connecting,
        };
        Self {
            mode,
            server_url,
            connection,
            session: None,
            wells: Vec::new(),
            wells_total: 0,
            last_updated: None,
            login: LoginForm::default(),
            messages: Vec::new(),
            sort: WellSort::default(),
            theme: ThemeChoice::default(),
            refresh_interval,
            refresh_pause: refresh_pause::RefreshPause::default(),
            kpis: KpiBoard::default(),
            alarms: AlarmBoard::default(),
            drawer: AlarmDrawer::default(),
            screen: Screen::default(),
            kiosk: None,
            sound: AlarmSound::default(),
            help_open: false,
            oil_change: OilChangeBoard::default(),
            offline: OfflineState::default(),
            server_dialog: ServerDialog::default(),
            next_message_id: 0,
        }
    }

    /// Whether the login dialog takes the central panel.
    pub fn shows_login(&self) -> bool {
        if self.session.is_some() {
            return false;
        }
        match self.connection {
            ConnectionState::NeedsLogin => true,
            // Without a server, the cached data of the last user is shown (read-only) instead of the login.
            ConnectionState::Offline { .. } | ConnectionState::Connecting => {
                self.mode == Mode::Remote && self.offline.viewer.is_none()
            }
            ConnectionState::Starting { .. } | ConnectionState::Online { .. } => false,
        }
    }

    /// Kiosk mode: nothing on screen changes an alarm.
    pub fn is_read_only(&self) -> bool {
        self.kiosk.is_some()
    }

    /// Once per frame: moves the kiosk's rotation to the screen due at `now`.
    pub fn tick(&mut self, now: DateTime<Utc>) {
        if let Some(screen) = self.kiosk.as_mut().and_then(|k| k.tick(now)) {
            self.screen = screen;
        }
    }

    pub fn is_starting(&self) -> bool {
        matches!(self.connection, ConnectionState::Starting { .. })
    }

    pub fn apply(&mut self, event: Event) {
        match event {
            Event::Startup { step } => {
                if let StartupStep::Listening { base_url } = &step {
                    self.server_url = Some(base_url.clone());
                }
                self.connection = ConnectionState::Starting { progress: step };
            }
            Event::StartupFailed { error, at } => {
                self.push_message(Level::Error, format!("The embedded backend could not start: {error}"), at);
                self.connection = ConnectionState::Offline { error, since: at };
            }
            Event::Connecting { base_url } => {
                self.server_url = Some(base_url);
                if !matches!(self.connection, ConnectionState::Offline { .. }) {
                    self.connection = ConnectionState::Connecting;
                }
            }
            Event::NeedsLogin { base_url, tenant, username } => {
                self.server_url = Some(base_url);
                self.session = None;
                self.connection = ConnectionState::NeedsLogin;
                self.login.in_flight = false;
                if self.login.tenant.is_empty()
                    && let Some(t) = tenant
                {
                    self.login.tenant = t;
                }
                if self.login.username.is_empty()
                    && let Some(u) = username
                {
                    self.login.username = u;
                }
            }
            Event::LoggedIn { tenant, username, role, expires_at, at } => {
                if self.offline.signed_in(&tenant, &username) {
                    // The cached data shown belonged to another user.
                    self.wells.clear();
                    self.wells_total = 0;
                    self.last_updated = None;
                    self.kpis = KpiBoard::default();
                    self.alarms = AlarmBoard::default();
                    self.oil_change = OilChangeBoard::default();
                }
                self.session = Some(Session { tenant, username, role, expires_at });
                self.login.in_flight = false;
                self.login.error = None;
                self.login.password.clear();
                self.connection = ConnectionState::Online { since: at };
            }
            Event::LoginFailed { message } => {
                self.login.in_flight = false;
                self.login.error = Some(message);
            }
            Event::WellsLoaded { wells, total, at } => {
                self.wells = wells;
                self.wells_total = total;
                self.last_updated = Some(at);
                sort_wells(&mut self.wells, self.sort);
                self.answered(at);
            }
            Event::WentOffline { error, at } => match &mut self.connection {
                ConnectionState::Offline { error: current, .. } => *current = error,
                _ => {
                    self.push_message(Level::Warning, format!("Connection lost: {error}"), at);
                    self.connection = ConnectionState::Offline { error, since: at };
                }
            },
            Event::SessionExpired { at } => {
                self.session = None;
                self.login.in_flight = false;
                self.connection = ConnectionState::NeedsLogin;
                self.push_message(Level::Warning, "The session expired: sign in again".to_owned(), at);
            }
            Event::LoggedOut => {
                self.session = None;
                self.login.in_flight = false;
                self.connection = ConnectionState::NeedsLogin;
                self.alarms = AlarmBoard::default();
                self.kpis = KpiBoard::default();
                self.offline = OfflineState::default();
                self.oil_change = OilChangeBoard::default();
            }
            Event::KpisLoaded { kpis, at } => {
                self.kpis.loaded(*kpis, at);
                self.last_updated = Some(at);
                self.answered(at);
            }
            Event::KpisUnchanged { at } => {
                self.kpis.unchanged(at);
                self.last_updated = Some(at);
                self.answered(at);
            }
            Event::OpenAlarmsLoaded { alarms, requested_at, at } => {
                self.alarms.load(alarms, requested_at, at);
                self.answered(at);
            }
            Event::StreamConnecting { attempt } => self.alarms.stream = StreamState::Connecting { attempt },
            Event::StreamLive { seq, resumed_from, at, .. } => self.alarms.stream_live(seq, resumed_from, at),
            Event::AlarmChanged { change, seq, alarm, out_of_service, at } => {
                let wells = &self.wells;
                let name = |id| wells.iter().find(|w| w.well.id == id).map(|w| w.well.name.clone());
                self.alarms.apply_change(change, seq, *alarm, out_of_service, at, name);
            }
            Event::KpisChanged { at, .. } | Event::StreamHeartbeat { at, .. } => self.alarms.heartbeat(at),
            Event::StreamDown { reason, retry_in, at } => {
                let retry_at = at + chrono::TimeDelta::from_std(retry_in).unwrap_or(chrono::TimeDelta::zero());
                self.alarms.stream = StreamState::Down { reason, retry_at };
            }
            Event::AlarmActed { alarm, message, at } => {
                self.alarms.apply_view(*alarm);
                self.drawer.notice = Some((message.clone(), false));
                self.drawer.comment.clear();
                self.drawer.shelving = None;
                self.drawer.shelve_reason.clear();
                self.push_message(Level::Info, message, at);
            }
            Event::AlarmsAcknowledged { count, at } => {
                let message = match count {
                    0 => "No alarm matched: nothing to acknowledge".to_owned(),
                    1 => "Acknowledged 1 alarm".to_owned(),
                    n => format!("Acknowledged {n} alarms"),
                };
                self.drawer.notice = Some((message.clone(), false));
                self.drawer.comment.clear();
                self.push_message(Level::Info, message, at);
            }
            Event::ActionFailed { message, at } => {
                self.drawer.notice = Some((message.clone(), true));
                self.push_message(Level::Error, message, at);
            }
            Event::AudioUnavailable { reason, at } => {
                if self.sound.unavailable.is_none() {
                    self.push_message(Level::Warning, format!("{reason}: audible alarms are off"), at);
                }
                self.sound.unavailable = Some(reason);
            }
            Event::FromCache { event, fetched_at } => {
                self.offline.applying_cache = true;
                self.apply(*event);
                self.offline.applying_cache = false;
                self.offline.cached_answer(fetched_at);
            }
            Event::CachedSession { tenant, username, role } => {
                self.offline.viewer = Some(CachedViewer { tenant, username, role });
            }
            Event::OutboxChanged { pending } => self.offline.pending = pending,
            Event::ActionQueued { message, at } => {
                self.drawer.notice = Some((message.clone(), false));
                self.drawer.comment.clear();
                self.drawer.shelving = None;
                self.drawer.shelve_reason.clear();
                self.push_message(Level::Info, message, at);
            }
            Event::OilTrendsLoaded { trends, total, at } => {
                self.oil_change.loaded(trends, total, at);
                self.answered(at);
            }
            Event::OilTrendsUnchanged { at } => {
                self.oil_change.unchanged(at);
                self.answered(at);
            }
            Event::OilTrendsFailed { error, .. } => self.oil_change.failed(error),
        }
        // Actions waiting in the outbox show as done (marked pending) whatever list arrived meanwhile.
        if !self.offline.pending.is_empty() {
            self.offline.overlay(&mut self.alarms);
        }
    }

    /// A request succeeded at `at`: online (again). Not for answers replayed from the cache.
    fn answered(&mut self, at: DateTime<Utc>) {
        if self.offline.applying_cache {
            return;
        }
        self.offline.cached_at = None;
        match &self.connection {
            ConnectionState::Online { .. } => {}
            ConnectionState::Offline { .. } => {
                self.push_message(Level::Info, "Connection restored".to_owned(), at);
                self.connection = ConnectionState::Online { since: at };
            }
            _ => self.connection = ConnectionState::Online { since: at },
        }
    }

    /// Local command: the oil tile's drill-down by change (the app asks the I/O thread for the trends).
    pub fn drill_down_oil_change(&mut self) {
        self.screen = Screen::OilChange;
    }

    /// Local command: the order of the oil-change drill-down.
    pub fn sort_oil_change(&mut self, sort: OilChangeSort) {
        self.oil_change.sort_by(sort);
    }

    /// Local command: sort by `column`; the same column again reverses the order.
    pub fn sort_by(&mut self, column: WellColumn) {
        self.sort = if self.sort.column == column {
            WellSort { column, ascending: !self.sort.ascending }
        } else {
            WellSort { column, ascending: true }
        };
        sort_wells(&mut self.wells, self.sort);
    }

    /// Applies a command that only changes what is shown (sort, screen, drawer, help, theme choice, mute, …); true
    /// when `command` was one. The app calls it for every command and sends the others to the I/O thread; the
    /// whole-window tests call it to see a command's effect as the app would.
    pub fn apply_local(&mut self, command: &Command) -> bool {
        match command {
            Command::SortWells(column) => self.sort_by(*column),
            Command::DismissMessage(id) => self.dismiss_message(*id),
            Command::SetTheme(choice) => self.theme = *choice,
            Command::DrillDownWells(column, ascending) => self.drill_down_wells(*column, *ascending),
            Command::ShowScreen(screen) => self.screen = *screen,
            Command::DrillDownOilChange => self.drill_down_oil_change(),
            Command::SortOilChange(sort) => self.sort_oil_change(*sort),
            Command::SetAlarmDrawer(open) => self.drawer.open = *open && !self.is_read_only(),
            Command::SetMuted(muted) => self.sound.muted = *muted,
            Command::ShowHelp(open) => self.help_open = *open,
            Command::ShowServerDialog(open) => self.show_server_dialog(*open),
            _ => return false,
        }
        true
    }

    /// Local command: a tile's drill-down, the well table sorted by `column` (`ascending` or not).
    pub fn drill_down_wells(&mut self, column: WellColumn, ascending: bool) {
        self.screen = Screen::Wells;
        self.sort = WellSort { column, ascending };
        sort_wells(&mut self.wells, self.sort);
    }

    /// Local command: remove one message.
    pub fn dismiss_message(&mut self, id: u64) {
        self.messages.retain(|m| m.id != id);
    }

    pub fn push_message(&mut self, level: Level, text: String, at: DateTime<Utc>) {
        self.next_message_id += 1;
        self.messages.push(Message { id: self.next_message_id, level, text, at });
        if self.messages.len() > MAX_MESSAGES {
            let excess = self.messages.len() - MAX_MESSAGES;
            self.messages.drain(..excess);
        }
    }
}

/// Sorts in place; missing values (no API number, no reading) always go last, whatever the direction.
pub fn sort_wells(wells: &mut [WellView], sort: WellSort) {
    wells.sort_by(|a, b| {
        let ordering = compare(a, b, sort.column);
        let ordering = match ordering {
            Some(o) if sort.ascending => o,
            Some(o) => o.reverse(),
            None => missing_last(a, b, sort.column),
        };
        ordering.then_with(|| a.well.name.to_lowercase().cmp(&b.well.name.to_lowercase()))
    });
}

/// `None` when at least one side lacks the value. Rates sort by the rate per calendar day the table shows.
fn compare(a: &WellView, b: &WellView, column: WellColumn) -> Option<Ordering> {
    let value = |w: &WellView, f: fn(&LatestReading) -> f64| w.last_reading.as_ref().map(f);
    let floats = |x: Option<f64>, y: Option<f64>| Some(x?.total_cmp(&y?));
    match column {
        WellColumn::Name => Some(a.well.name.to_lowercase().cmp(&b.well.name.to_lowercase())),
        WellColumn::ApiNumber => Some(a.well.api_number.as_ref()?.cmp(b.well.api_number.as_ref()?)),
        WellColumn::Status => Some(status_rank(a).cmp(&status_rank(b))),
        WellColumn::LastReading => {
            Some(a.last_reading.as_ref()?.recorded_at.cmp(&b.last_reading.as_ref()?.recorded_at))
        }
        WellColumn::Oil => floats(value(a, |r| r.oil_bbl), value(b, |r| r.oil_bbl)),
        WellColumn::Gas => floats(value(a, |r| r.gas_mcf), value(b, |r| r.gas_mcf)),
        WellColumn::Water => floats(value(a, |r| r.water_bbl), value(b, |r| r.water_bbl)),
        WellColumn::HoursOn => floats(value(a, |r| r.hours_on), value(b, |r| r.hours_on)),
    }
}

fn missing_last(a: &WellView, b: &WellView, column: WellColumn) -> Ordering {
    let has = |w: &WellView| match column {
        WellColumn::ApiNumber => w.well.api_number.is_some(),
        WellColumn::Name
        | WellColumn::Status
        | WellColumn::LastReading
        | WellColumn::Oil
        | WellColumn::Gas
        | WellColumn::Water
        | WellColumn::HoursOn => w.last_reading.is_some(),
    };
    has(b).cmp(&has(a))
}

fn status_rank(w: &WellView) -> u8 {
    use flowline_shared::WellStatus;
    match w.well.status {
        WellStatus::Active => 0,
        WellStatus::ShutIn => 1,
        WellStatus::Inactive => 2,
        WellStatus::Plugged => 3,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(crate) mod fixtures {
    //! Wells for model and view tests.
    use chrono::{DateTime, Utc};
    use flowline_shared::dto::{LatestReading, WellView};
    use flowline_shared::{ApiNumber, TenantId, Well, WellId, WellStatus, WellType};
    use uuid::Uuid;

    pub fn well(name: &str, api: Option<&str>, status: WellStatus, reading: Option<(DateTime<Utc>, f64)>) -> WellView {
        let created = DateTime::<Utc>::UNIX_EPOCH;
        WellView {
            well: Well {
                id: WellId(Uuid::new_v5(&Uuid::NAMESPACE_OID, name.as_bytes())),
                tenant_id: TenantId(Uuid::nil()),
                api_number: api.map(|a| ApiNumber::parse(a).unwrap()),
                name: name.to_owned(),
                well_type: WellType::Oil,
                status,
                location: None,
                lease: None,
                field: None,
                county: None,
                state: Some("TX".into()),
                first_production_date: None,
                created_at: created,
                updated_at: created,
            },
            last_reading: reading.map(|(at, oil)| LatestReading {
                recorded_at: at,
                oil_bbl: oil,
                gas_mcf: oil * 1.5,
                water_bbl: oil * 2.0,
                hours_on: 24.0,
            }),
        }
    }

    /// `view` with `hours_on` hours on production in the day of its reading; the rates stay as they are (rates per
    /// calendar day, which already carry the on-fraction).
    pub fn with_hours_on(mut view: WellView, hours_on: f64) -> WellView {
        if let Some(reading) = &mut view.last_reading {
            reading.hours_on = hours_on;
        }
        view
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::fixtures::{well, with_hours_on};
    use super::*;
    use crate::format::utc;
    use flowline_shared::WellStatus;

    fn t(h: u32, m: u32) -> DateTime<Utc> {
        utc(2025, 3, 14, h, m, 0).unwrap()
    }

    fn remote() -> Model {
        Model::new(Mode::Remote, Some("http://ops.example:8080".into()), Duration::from_secs(5))
    }

    fn logged_in(model: &mut Model) {
        model.apply(Event::LoggedIn {
            tenant: "demo".into(),
            username: "operator".into(),
            role: Role::Operator,
            expires_at: t(20, 0),
            at: t(12, 0),
        });
    }

    #[test]
    fn embedded_start_reports_progress_then_goes_online() {
        let mut model = Model::new(Mode::Embedded { data_dir: "/tmp/x".into() }, None, Duration::from_secs(5));
        assert!(model.is_starting());
        model.apply(Event::Startup { step: StartupStep::SimulatingHistory { done: 250, total: 1000 } });
        let ConnectionState::Starting { progress } = &model.connection else { panic!("{:?}", model.connection) };
        assert_eq!(progress.fraction(), Some(0.25));
        assert!(progress.describe().contains("250 of 1,000"));
        model.apply(Event::Startup { step: StartupStep::Listening { base_url: "http://127.0.0.1:4000".into() } });
        assert_eq!(model.server_url.as_deref(), Some("http://127.0.0.1:4000"));
        assert!(!model.shows_login());
        logged_in(&mut model);
        assert_eq!(model.connection, ConnectionState::Online { since: t(12, 0) });
    }

    #[test]
    fn wells_loaded_are_sorted_and_stamp_last_updated() {
        let mut model = remote();
        logged_in(&mut model);
        model.apply(Event::WellsLoaded {
            wells: vec![
                well("Midland 2", Some("42-317-12345"), WellStatus::Active, Some((t(11, 0), 120.0))),
                well("Andrews 7", None, WellStatus::ShutIn, None),
            ],
            total: 2,
            at: t(12, 1),
        });
        assert_eq!(model.wells.len(), 2);
        assert_eq!(model.wells[0].well.name, "Andrews 7");
        assert_eq!(model.last_updated, Some(t(12, 1)));
        assert_eq!(model.wells_total, 2);
        assert!(matches!(model.connection, ConnectionState::Online { .. }));
    }

    #[test]
    fn login_failure_is_shown_in_the_form() {
        let mut model = remote();
        model.apply(Event::NeedsLogin { base_url: "http://ops.example:8080".into(), tenant: None, username: None });
        assert!(model.shows_login());
        model.login.password = "wrong".into();
        model.login.in_flight = true;
        model.apply(Event::LoginFailed { message: "Invalid tenant, username or password".into() });
        assert!(!model.login.in_flight);
        assert_eq!(model.login.error.as_deref(), Some("Invalid tenant, username or password"));
        assert!(model.session.is_none());
        assert!(model.shows_login());
        logged_in(&mut model);
        assert!(model.login.error.is_none());
        assert!(model.login.password.is_empty(), "the password is forgotten once signed in");
        assert!(!model.shows_login());
    }

    #[test]
    fn going_offline_and_coming_back() {
        let mut model = remote();
        logged_in(&mut model);
        model.apply(Event::WentOffline { error: "connection refused".into(), at: t(12, 5) });
        assert_eq!(model.connection, ConnectionState::Offline { error: "connection refused".into(), since: t(12, 5) });
        // A second failure keeps the instant the connection was first lost.
        model.apply(Event::WentOffline { error: "timed out".into(), at: t(12, 6) });
        assert_eq!(model.connection, ConnectionState::Offline { error: "timed out".into(), since: t(12, 5) });
        assert_eq!(model.messages.len(), 1, "one message per outage, not one per failed poll");
        assert_eq!(model.messages[0].level, Level::Warning);
        assert!(!model.shows_login(), "a signed-in user keeps seeing the (ageing) data");
        model.apply(Event::WellsLoaded { wells: vec![], total: 0, at: t(12, 7) });
        assert_eq!(model.connection, ConnectionState::Online { since: t(12, 7) });
        assert_eq!(model.messages.last().map(|m| m.text.as_str()), Some("Connection restored"));
    }

    #[test]
    fn session_expiry_asks_for_login_again() {
        let mut model = remote();
        logged_in(&mut model);
        model.apply(Event::SessionExpired { at: t(13, 0) });
        assert!(model.session.is_none());
        assert!(model.shows_login());
    }

    #[test]
    fn needs_login_prefills_only_empty_fields() {
        let mut model = remote();
        model.login.username = "typed".into();
        model.apply(Event::NeedsLogin {
            base_url: "http://x".into(),
            tenant: Some("demo".into()),
            username: Some("demo".into()),
        });
        assert_eq!(model.login.tenant, "demo");
        assert_eq!(model.login.username, "typed");
    }

    #[test]
    fn startup_failure_is_an_error_message_and_offline() {
        let mut model = Model::new(Mode::Embedded { data_dir: "/tmp/x".into() }, None, Duration::from_secs(5));
        model.apply(Event::StartupFailed { error: "disk full".into(), at: t(9, 0) });
        assert!(matches!(model.connection, ConnectionState::Offline { .. }));
        assert_eq!(model.messages[0].level, Level::Error);
        assert!(!model.shows_login(), "nothing to sign in to when the embedded backend is down");
    }

    #[test]
    fn sorting_toggles_and_keeps_missing_values_last() {
        let mut model = remote();
        model.apply(Event::WellsLoaded {
            wells: vec![
                well("A", None, WellStatus::Active, Some((t(11, 0), 10.0))),
                well("B", None, WellStatus::Active, None),
                well("C", None, WellStatus::Active, Some((t(11, 0), 30.0))),
            ],
            total: 3,
            at: t(12, 0),
        });
        model.sort_by(WellColumn::Oil);
        let names = |m: &Model| m.wells.iter().map(|w| w.well.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&model), ["A", "C", "B"]);
        model.sort_by(WellColumn::Oil);
        assert!(!model.sort.ascending);
        assert_eq!(names(&model), ["C", "A", "B"]);
        model.sort_by(WellColumn::Name);
        assert_eq!(names(&model), ["A", "B", "C"]);
    }

    #[test]
    fn rates_sort_by_the_rate_per_calendar_day_and_a_day_off_is_zero_not_missing() {
        let mut model = remote();
        model.apply(Event::WellsLoaded {
            wells: vec![
                // 120 BOPD over the calendar day in 18 h on: 160 BOPD while producing, but 120 is what is shown.
                with_hours_on(well("Short Day", None, WellStatus::Active, Some((t(11, 0), 120.0))), 18.0),
                well("Full Day", None, WellStatus::Active, Some((t(11, 0), 150.0))),
                with_hours_on(well("Down All Day", None, WellStatus::Active, Some((t(11, 0), 0.0))), 0.0),
                well("No Reading", None, WellStatus::Active, None),
            ],
            total: 4,
            at: t(12, 0),
        });
        let names = |m: &Model| m.wells.iter().map(|w| w.well.name.clone()).collect::<Vec<_>>();
        model.sort_by(WellColumn::Oil);
        assert_eq!(names(&model), ["Down All Day", "Short Day", "Full Day", "No Reading"]);
        model.sort_by(WellColumn::Water);
        assert_eq!(names(&model), ["Down All Day", "Short Day", "Full Day", "No Reading"]);
        model.sort_by(WellColumn::HoursOn);
        assert_eq!(names(&model), ["Down All Day", "Short Day", "Full Day", "No Reading"]);
        model.sort_by(WellColumn::HoursOn);
        assert_eq!(names(&model), ["Full Day", "Short Day", "Down All Day", "No Reading"]);
    }

    #[test]
    fn kpis_load_then_a_304_keeps_them_and_stamps_last_updated() {
        let mut model = remote();
        logged_in(&mut model);
        let kpis = crate::model::kpis::fixtures::fleet(t(12, 0), t(11, 58));
        model.apply(Event::KpisLoaded { kpis: Box::new(kpis.clone()), at: t(12, 0) });
        model.apply(Event::KpisUnchanged { at: t(12, 1) });
        assert_eq!(model.kpis.kpis.as_ref(), Some(&kpis));
        assert_eq!(model.kpis.fetched_at, Some(t(12, 0)));
        assert_eq!(model.last_updated, Some(t(12, 1)), "a revalidation counts as an update");
    }

    #[test]
    fn alarm_events_reach_the_board_with_the_well_name_and_actions_report_back() {
        use crate::model::alarms::fixtures::{alarm, view};
        use crate::protocol::AlarmChange;
        use flowline_shared::alarms::{AlarmPriority, AlarmState};
        let mut model = remote();
        logged_in(&mut model);
        let w = well("Midland 2", None, WellStatus::Active, None);
        let mut raised = alarm(1, AlarmPriority::High, AlarmState::ActiveUnacknowledged, t(12, 0));
        raised.well_id = w.well.id;
        model.apply(Event::WellsLoaded { wells: vec![w], total: 1, at: t(12, 0) });
        model.apply(Event::StreamLive { seq: 4, resumed_from: None, replaying: 0, resync: false, at: t(12, 0) });
        model.apply(Event::AlarmChanged {
            change: AlarmChange::Created,
            seq: 5,
            alarm: Box::new(raised.clone()),
            out_of_service: None,
            at: t(12, 1),
        });
        assert_eq!(model.alarms.open[&raised.id].well_name.as_deref(), Some("Midland 2"));
        assert_eq!(model.alarms.last_seq, Some(5));
        let mut acked = raised.clone();
        acked.state = AlarmState::ActiveAcknowledged;
        model.drawer.comment = "crew called".into();
        model.apply(Event::AlarmActed {
            alarm: Box::new(view(acked, "Midland 2")),
            message: "Acknowledged: Midland 2 · Well down".into(),
            at: t(12, 2),
        });
        assert_eq!(model.alarms.unacknowledged(t(12, 2)), 0);
        assert!(model.drawer.comment.is_empty(), "the comment went with the acknowledgement");
        model.apply(Event::ActionFailed { message: "Shelving the alarm failed: already shelved".into(), at: t(12, 3) });
        assert_eq!(model.drawer.notice, Some(("Shelving the alarm failed: already shelved".into(), true)));
        assert_eq!(model.messages.last().map(|m| m.level), Some(Level::Error));
        model.apply(Event::StreamDown { reason: "closed".into(), retry_in: Duration::from_secs(2), at: t(12, 4) });
        assert_eq!(
            model.alarms.stream,
            StreamState::Down { reason: "closed".into(), retry_at: t(12, 4) + chrono::TimeDelta::seconds(2) }
        );
    }

    #[test]
    fn a_tile_drill_down_opens_the_well_table_in_its_order() {
        let mut model = remote();
        model.apply(Event::WellsLoaded {
            wells: vec![
                well("A", None, WellStatus::Active, Some((t(11, 0), 10.0))),
                well("B", None, WellStatus::Active, Some((t(11, 0), 30.0))),
            ],
            total: 2,
            at: t(12, 0),
        });
        model.drill_down_wells(WellColumn::Oil, false);
        assert_eq!(model.screen, Screen::Wells);
        assert_eq!(model.sort, WellSort { column: WellColumn::Oil, ascending: false });
        assert_eq!(model.wells[0].well.name, "B");
    }

    #[test]
    fn messages_are_capped_and_dismissable() {
        let mut model = remote();
        for i in 0..(MAX_MESSAGES + 5) {
            model.push_message(Level::Info, format!("m{i}"), t(12, 0));
        }
        assert_eq!(model.messages.len(), MAX_MESSAGES);
        assert_eq!(model.messages[0].text, "m5");
        let id = model.messages[0].id;
        model.dismiss_message(id);
        assert!(model.messages.iter().all(|m| m.id != id));
    }
}
