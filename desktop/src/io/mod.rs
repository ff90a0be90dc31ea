//! The I/O thread: one dedicated OS thread that owns a tokio runtime, the HTTP client, the event stream's
//! WebSocket client, the embedded backend and the offline cache (`cache/`, `offline.rs`, `outbox.rs`). Also the
//! desktop's settings file (`settings_file.rs`, read at start and written by the app when the server is changed)
//! and the rules of the server choice (`server_choice.rs`).
//!
//! Owns: everything that waits. The UI thread talks to it only through [`IoHandle`]: [`Command`]s in over a tokio
//! channel, [`Event`]s out over a `std::sync::mpsc` channel, with a wake-up call (the app passes
//! `egui::Context::request_repaint`) after each event.
//! Must not touch: egui widgets or the model. This is the only module that names tokio, reqwest or the backend.

pub mod audio;
pub mod backoff;
pub mod cache;
pub mod client;
mod embedded;
mod error;
pub mod live_api;
mod offline;
#[cfg(test)]
mod offline_tests;
pub mod outbox;
pub mod server_choice;
pub mod settings_file;
mod sink;
pub mod stream;
#[cfg(test)]
mod stream_tests;
pub mod trends_api;
#[cfg(test)]
mod trends_tests;
mod worker;

use crate::protocol::{Command, Event};
pub use sink::{EventSink, Waker};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

/// Default interval of the refresh of the wells, the KPIs and the open alarms while connected (US-1104 offers
/// 30, 60 and 120 s; the event stream brings alarms and "new data" in between).
pub const DEFAULT_REFRESH: Duration = Duration::from_secs(30);

/// Which backend to talk to.
#[derive(Debug, Clone, PartialEq)]
pub enum BackendChoice {
    /// Start the backend in this process on a demo database in `data_dir`, and sign in automatically.
    Embedded { data_dir: PathBuf },
    /// A server elsewhere; the user signs in through the login dialog.
    Remote { base_url: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct IoConfig {
    pub backend: BackendChoice,
    /// How often the wells, the KPIs and the open alarms are refreshed while connected.
    pub refresh_interval: Duration,
    /// Page size of the well list requests.
    pub page_size: u32,
    /// The offline cache and outbox file (`None`: kept in memory only, nothing survives a restart).
    pub cache_path: Option<PathBuf>,
}

impl IoConfig {
    pub fn new(backend: BackendChoice) -> Self {
        Self { backend, refresh_interval: DEFAULT_REFRESH, page_size: 200, cache_path: None }
    }
}

/// The UI thread's end of the I/O thread. Dropping it asks the thread to stop.
pub struct IoHandle {
    commands: UnboundedSender<Command>,
    events: mpsc::Receiver<Event>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// The audible alarm: `Command::SoundAlarm` is played from here (on a thread of its own), not queued behind
    /// the network work of the worker.
    audio: audio::AlarmAudio,
    audio_sink: EventSink,
}

impl IoHandle {
    /// Starts the I/O thread. `waker` is called after each event is queued (pass `ctx.request_repaint()`).
    pub fn spawn(config: IoConfig, waker: Waker) -> std::io::Result<Self> {
        let (command_tx, command_rx) = tokio::sync::mpsc::unbounded_channel();
        let (event_tx, event_rx) = mpsc::channel();
        let sink = EventSink::new(event_tx, waker);
        let audio_sink = sink.clone();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("flowline-io")
            .enable_all()
            .build()?;
        let thread = std::thread::Builder::new().name("flowline-io-main".to_owned()).spawn(move || {
            runtime.block_on(worker::run(config, command_rx, sink));
            // Do not wait for tasks stuck in I/O when the app closes.
            runtime.shutdown_timeout(Duration::from_secs(2));
        })?;
        Ok(Self {
            commands: command_tx,
            events: event_rx,
            thread: Some(thread),
            audio: audio::AlarmAudio::default(),
            audio_sink,
        })
    }

    /// Queues a command; false when the I/O thread has stopped.
    pub fn send(&self, command: Command) -> bool {
        if let Command::SoundAlarm(priority) = command {
            self.audio.play(priority, &self.audio_sink);
            return true;
        }
        self.commands.send(command).is_ok()
    }

    /// The next pending event, without waiting.
    pub fn try_recv(&self) -> Option<Event> {
        self.events.try_recv().ok()
    }

    /// Asks the thread to stop and waits for it up to `timeout`; returns whether it stopped in time.
    pub fn shutdown(&mut self, timeout: Duration) -> bool {
        let _ = self.commands.send(Command::Shutdown);
        let Some(thread) = self.thread.take() else { return true };
        let deadline = std::time::Instant::now() + timeout;
        while !thread.is_finished() {
            if std::time::Instant::now() >= deadline {
                tracing::warn!("the I/O thread did not stop within {timeout:?}; leaving it to the process exit");
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        if thread.join().is_err() {
            tracing::error!("the I/O thread panicked");
        }
        true
    }
}

impl Drop for IoHandle {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Shutdown);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::protocol::Secret;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn next_event(io: &IoHandle) -> Event {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(event) = io.try_recv() {
                return event;
            }
            assert!(std::time::Instant::now() < deadline, "no event within 10 s");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The I/O thread against a server that is not there: it says so, still offers the login, and a sign-in attempt
    /// fails with a message instead of hanging; every event wakes the UI.
    #[test]
    fn an_unreachable_server_is_reported_and_the_thread_stops_on_request() {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let base_url = format!("http://127.0.0.1:{port}");
        let wakes = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&wakes);
        let config = IoConfig::new(BackendChoice::Remote { base_url: base_url.clone() });
        let mut io = IoHandle::spawn(config, Arc::new(move || _ = counter.fetch_add(1, Ordering::SeqCst))).unwrap();

        assert_eq!(next_event(&io), Event::Connecting { base_url: base_url.clone() });
        let Event::WentOffline { error, .. } = next_event(&io) else { panic!("expected WentOffline") };
        assert_eq!(error, format!("cannot reach {base_url}: connection refused"));
        assert_eq!(next_event(&io), Event::NeedsLogin { base_url: base_url.clone(), tenant: None, username: None });

        assert!(io.send(Command::Login { tenant: "demo".into(), username: "op".into(), password: Secret::new("pw") }));
        assert_eq!(next_event(&io), Event::Connecting { base_url: base_url.clone() });
        assert!(matches!(next_event(&io), Event::WentOffline { .. }));
        let Event::LoginFailed { message } = next_event(&io) else { panic!("expected LoginFailed") };
        assert!(message.starts_with("Cannot reach the server: cannot reach"), "{message}");

        assert!(wakes.load(Ordering::SeqCst) >= 6, "one wake-up per event");
        assert!(io.shutdown(Duration::from_secs(5)), "the thread stops when asked");
    }
}
