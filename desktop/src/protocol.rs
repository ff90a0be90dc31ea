//! The messages between the UI thread and the I/O thread: [`Command`]s go to I/O (or, for the few marked local,
//! straight to the model), [`Event`]s come back.
//!
//! Owns: the vocabulary both sides share. Must not touch: egui, tokio, the network or the backend crate; the
//! backend's own types are translated into these by `io` so that the model and the views never name them.

use chrono::{DateTime, Utc};
use flowline_shared::Role;
use flowline_shared::dto::WellView;
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

/// Dark or light look; both come from the same design tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum ThemeChoice {
    #[default]
    Dark,
    Light,
}

impl ThemeChoice {
    pub fn toggled(self) -> Self {
        match self {
            Self::Dark => Self::Light,
            Self::Light => Self::Dark,
        }
    }
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
}

impl Command {
    /// True for commands the app applies to the model itself instead of sending them to the I/O thread.
    pub fn is_local(&self) -> bool {
        matches!(self, Self::SortWells(_) | Self::DismissMessage(_) | Self::SetTheme(_))
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
}
