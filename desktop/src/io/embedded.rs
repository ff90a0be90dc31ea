//! Starting the backend in-process (demo mode) and translating its start-up progress into events.
//!
//! Owns: the call to `flowline_backend::embedded::start_embedded` and the throttling of its progress reports (the
//! history simulation may report thousands of times a second; the UI needs a few updates a second).
//! Must not touch: the UI or the HTTP client.

use super::sink::EventSink;
use crate::protocol::{Event, StartupStep};
use flowline_backend::embedded::{EmbeddedOptions, EmbeddedServer, StartupProgress, start_embedded};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most this many progress events a second during the history simulation.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Opens (or creates and seeds) the demo database in `data_dir` and serves the API on a loopback port.
pub async fn start(data_dir: PathBuf, sink: EventSink) -> anyhow::Result<EmbeddedServer> {
    let throttle = Mutex::new(None::<Instant>);
    let progress_sink = sink.clone();
    let progress = move |step: StartupProgress| {
        let step = translate(step);
        if let StartupStep::SimulatingHistory { done, total } = step
            && done < total
        {
            let Ok(mut last) = throttle.lock() else { return };
            let now = Instant::now();
            if last.is_some_and(|at| now.duration_since(at) < PROGRESS_EVERY) {
                return;
            }
            *last = Some(now);
        }
        progress_sink.send(Event::Startup { step });
    };
    start_embedded(EmbeddedOptions::demo(data_dir), progress).await
}

fn translate(progress: StartupProgress) -> StartupStep {
    match progress {
        StartupProgress::OpeningDatabase => StartupStep::OpeningDatabase,
        StartupProgress::SeedingDemoTenant => StartupStep::SeedingDemoTenant,
        StartupProgress::SimulatingHistory { done, total } => StartupStep::SimulatingHistory { done, total },
        StartupProgress::Listening { base_url } => StartupStep::Listening { base_url },
    }
}
