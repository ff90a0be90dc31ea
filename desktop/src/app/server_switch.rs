//! The "Server…" dialog's effect on the app: the choice is checked (`io::server_choice`), saved
//! (`io::settings_file`), and applied at once: a new I/O thread with the new backend and the same cache file,
//! page size and refresh interval; the model's connection, session and data start afresh (settings and messages
//! stay). The old I/O thread is stopped on a thread of its own, so the window never waits for a server that does
//! not answer; a switch to the embedded demo first waits (bounded) for an earlier stop, so that two demo backends
//! never run on the same database.
//!
//! Owns: that sequence. Must not touch: files or the network directly (only through `io`).

use super::{FlowlineApp, SHUTDOWN_WAIT};
use crate::io::{BackendChoice, IoConfig, IoHandle, server_choice, settings_file};
use crate::model::{Level, Mode};
use crate::protocol::ServerTarget;
use chrono::Utc;
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;

/// Where the server choice is saved and where the demo lives (main.rs passes them through
/// [`FlowlineApp::with_server_settings`]; without it the dialog still switches but nothing is saved).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServerSettings {
    /// The data folder: the demo database's home. Default: the embedded backend's folder, else the cache's.
    pub data_dir: Option<PathBuf>,
    /// The settings file the choice is written to (`None`: not saved).
    pub file: Option<PathBuf>,
    /// Why the saved settings were ignored at the start, shown in the message strip.
    pub load_error: Option<String>,
}

impl ServerSettings {
    /// The data folder the configuration implies (nothing is saved).
    pub(super) fn from_config(config: &IoConfig) -> Self {
        let data_dir = match &config.backend {
            BackendChoice::Embedded { data_dir } => Some(data_dir.clone()),
            BackendChoice::Remote { .. } => config.cache_path.as_ref().and_then(|p| p.parent()).map(|p| p.to_owned()),
        };
        Self { data_dir, file: None, load_error: None }
    }
}

/// The old I/O threads being stopped.
#[derive(Default)]
pub(super) struct Stopping(Vec<JoinHandle<()>>);

impl Stopping {
    fn stop(&mut self, mut io: IoHandle) {
        self.0.retain(|thread| !thread.is_finished());
        let spawned = std::thread::Builder::new()
            .name("flowline-io-stop".to_owned())
            .spawn(move || _ = io.shutdown(SHUTDOWN_WAIT));
        match spawned {
            Ok(thread) => self.0.push(thread),
            // The handle was dropped with the closure: its thread was asked to stop and ends by itself.
            Err(error) => tracing::warn!(%error, "the old I/O thread is left to stop by itself"),
        }
    }

    /// Waits for every stop under way (each is bounded by `SHUTDOWN_WAIT`).
    pub(super) fn wait(&mut self) {
        for thread in self.0.drain(..) {
            if thread.join().is_err() {
                tracing::error!("stopping an old I/O thread panicked");
            }
        }
    }
}

impl FlowlineApp {
    /// Where the server choice is saved, and the saved file's problem to show (from main.rs).
    pub fn with_server_settings(mut self, settings: ServerSettings) -> Self {
        if let Some(message) = settings.load_error {
            self.model.push_message(Level::Warning, message, Utc::now());
        }
        if settings.data_dir.is_some() {
            self.server.data_dir = settings.data_dir;
        }
        self.server.file = settings.file;
        self
    }

    /// The dialog's "Connect": an invalid address stays in the dialog with its reason; a valid choice is saved,
    /// and applied unless it is the backend in use.
    pub(super) fn switch_server(&mut self, ctx: &egui::Context, target: ServerTarget) {
        let Some(data_dir) = self.server.data_dir.clone() else {
            self.model.server_refused("No data folder for the demo: start with --data-dir PATH".to_owned());
            return;
        };
        let backend = match server_choice::backend_for(&target, &data_dir) {
            Ok(backend) => backend,
            Err(reason) => return self.model.server_refused(reason),
        };
        self.save_choice(&backend);
        if server_choice::same_backend(&backend, &self.config.backend) {
            self.model.show_server_dialog(false);
            return;
        }
        let config =
            IoConfig { backend: backend.clone(), refresh_interval: self.model.refresh_interval, ..self.config.clone() };
        if matches!(backend, BackendChoice::Embedded { .. }) {
            self.stopping.wait();
        }
        let ctx = ctx.clone();
        let io = match IoHandle::spawn(config.clone(), Arc::new(move || ctx.request_repaint())) {
            Ok(io) => io,
            Err(error) => return self.model.server_refused(format!("The connection could not be started: {error}")),
        };
        tracing::info!(?config, "switching the backend");
        self.stopping.stop(std::mem::replace(&mut self.io, io));
        let (mode, server_url, described) = match backend {
            BackendChoice::Embedded { data_dir } => (Mode::Embedded { data_dir }, None, "the embedded demo".to_owned()),
            BackendChoice::Remote { base_url } => (Mode::Remote, Some(base_url.clone()), base_url),
        };
        self.model.switch_backend(mode, server_url, &described, Utc::now());
        self.oil_trends_watched = false;
        self.config = config;
    }

    fn save_choice(&mut self, backend: &BackendChoice) {
        let Some(file) = &self.server.file else { return };
        if let Err(error) = settings_file::save(file, &server_choice::settings_for(backend)) {
            tracing::warn!(%error, "the server choice was not saved");
            let message = format!("The server choice is used now but was not saved: {error}");
            self.model.push_message(Level::Warning, message, Utc::now());
        }
    }
}
