//! `flowline`: the desktop control room.
//!
//! With no arguments it runs the backend in-process on a demo database in the user's data folder; with
//! `--server URL` it connects to a remote backend through a login dialog.
//! Owns: the command line, logging, the data folder and the window. Must not touch: anything the app owns.

use anyhow::Context as _;
use clap::Parser;
use flowline_desktop::app::FlowlineApp;
use flowline_desktop::io::{BackendChoice, IoConfig};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(name = "flowline", version, about = "Flowline production operations center (desktop)")]
struct Args {
    /// Connect to this backend (e.g. https://flowline.example.com) instead of starting the demo backend in-process.
    #[arg(long, value_name = "URL", env = "FLOWLINE_SERVER")]
    server: Option<String>,

    /// Folder for the demo database and the window settings (default: the user's data folder).
    #[arg(long, value_name = "PATH", env = "FLOWLINE_DATA_DIR")]
    data_dir: Option<PathBuf>,

    /// Seconds between refreshes of the wells, the KPIs and the open alarms while connected (default: the interval
    /// chosen in the window's footer, else 30; alarms and new data also arrive over the event stream in between).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    refresh_secs: Option<u64>,
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,wgpu=warn,eframe=warn,egui_glow=warn")),
        )
        .init();
    let args = Args::parse();

    let data_dir = match args.data_dir {
        Some(dir) => dir,
        None => directories::ProjectDirs::from("com", "Flowline", "Flowline")
            .map(|dirs| dirs.data_dir().to_path_buf())
            .context("no home folder to keep the demo database in: start with --data-dir PATH")?,
    };
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("cannot create the data folder {}", data_dir.display()))?;

    let backend = match args.server {
        Some(url) => {
            // Reject a malformed address here, with the usage message, rather than in the window.
            flowline_desktop::ApiClient::new(&url).with_context(|| format!("--server {url}"))?;
            BackendChoice::Remote { base_url: url }
        }
        None => BackendChoice::Embedded { data_dir: data_dir.clone() },
    };
    let mut config = IoConfig::new(backend);
    if let Some(secs) = args.refresh_secs {
        config.refresh_interval = Duration::from_secs(secs);
    }
    let refresh_from_command_line = args.refresh_secs.is_some();
    tracing::info!(?config, "starting");

    let options = eframe::NativeOptions {
        renderer: eframe::Renderer::Glow,
        viewport: egui::ViewportBuilder::default()
            .with_title("Flowline")
            .with_app_id("flowline")
            .with_inner_size([1360.0, 820.0])
            .with_min_inner_size([800.0, 480.0]),
        persistence_path: Some(data_dir.join("desktop-ui.ron")),
        ..Default::default()
    };
    eframe::run_native(
        "Flowline",
        options,
        Box::new(move |cc| Ok(Box::new(FlowlineApp::new(cc, config, refresh_from_command_line)?))),
    )
    .map_err(|e| anyhow::anyhow!("the window could not be opened: {e}"))
}
