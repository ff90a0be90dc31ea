//! `flowline`: the desktop control room.
//!
//! With no arguments it runs the backend in-process on a demo database in the user's data folder, or connects to
//! the server last chosen in the window's "Server…" dialog (`settings.toml` in the data folder); with
//! `--server URL` it connects to that remote backend through a login dialog. `--kiosk` makes it a wall display: full
//! screen without decorations, read only, high contrast, rotating between the screens.
//! Owns: the command line, logging, the data folder and the window. Must not touch: anything the app owns.

use anyhow::Context as _;
use clap::Parser;
use flowline_desktop::app::{FlowlineApp, ServerSettings, UiOptions};
use flowline_desktop::io::{IoConfig, server_choice, settings_file};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(name = "flowline", version, about = "Flowline production operations center (desktop)")]
struct Args {
    /// Connect to this backend (e.g. https://flowline.example.com) instead of the saved choice of the "Server…" dialog
    /// (default: the demo backend in-process). Not saved.
    #[arg(long, value_name = "URL", env = "FLOWLINE_SERVER")]
    server: Option<String>,

    /// Folder for the demo database and the window settings (default: the user's data folder).
    #[arg(long, value_name = "PATH", env = "FLOWLINE_DATA_DIR")]
    data_dir: Option<PathBuf>,

    /// Seconds between refreshes of the wells, the KPIs and the open alarms while connected (default: the interval
    /// chosen in the window's footer, else 30; alarms and new data also arrive over the event stream in between).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    refresh_secs: Option<u64>,

    /// Wall display: full screen with no window decorations and no menus, read only (no acknowledge or shelve),
    /// high-contrast theme, rotating between the dashboard, the wells and the alarm list.
    #[arg(long)]
    kiosk: bool,

    /// Zoom factor of the whole interface (default: the saved one, else 1.5 in kiosk mode and 1.0 otherwise).
    #[arg(long, value_name = "FACTOR", value_parser = parse_zoom)]
    zoom: Option<f32>,

    /// Kiosk mode: seconds on each screen before the next (0: no rotation; default: the saved one, else 30).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(0..=86_400))]
    rotate_secs: Option<u64>,
}

fn parse_zoom(text: &str) -> Result<f32, String> {
    let zoom: f32 = text.parse().map_err(|_| format!("{text} is not a number"))?;
    let (min, max) = (flowline_desktop::theme::tokens::size::MIN_ZOOM, flowline_desktop::theme::tokens::size::MAX_ZOOM);
    if (min..=max).contains(&zoom) { Ok(zoom) } else { Err(format!("the zoom must be between {min} and {max}")) }
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

    if let Some(url) = &args.server {
        // Reject a malformed address here, with the usage message, rather than in the window.
        flowline_desktop::ApiClient::new(url).with_context(|| format!("--server {url}"))?;
    }
    // `--server` / FLOWLINE_SERVER, else the server saved by the "Server…" dialog, else the embedded demo. The
    // command line does not change the saved choice; only the dialog writes it.
    let settings_path = settings_file::path(&data_dir);
    let (saved, load_error) = settings_file::load_or_default(&settings_path);
    let backend = server_choice::startup_backend(args.server.as_deref(), &saved, &data_dir);
    let server_settings = ServerSettings { data_dir: Some(data_dir.clone()), file: Some(settings_path), load_error };
    let mut config = IoConfig::new(backend);
    config.cache_path = Some(data_dir.join(flowline_desktop::io::cache::FILE_NAME));
    if let Some(secs) = args.refresh_secs {
        config.refresh_interval = Duration::from_secs(secs);
    }
    let refresh_from_command_line = args.refresh_secs.is_some();
    tracing::info!(?config, "starting");

    let ui_options = UiOptions { kiosk: args.kiosk, zoom: args.zoom, rotate_secs: args.rotate_secs };
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("Flowline")
        .with_app_id("flowline")
        .with_inner_size([1360.0, 820.0])
        .with_min_inner_size([800.0, 480.0]);
    if args.kiosk {
        viewport = viewport.with_fullscreen(true).with_decorations(false);
    }
    let options = eframe::NativeOptions {
        renderer: eframe::Renderer::Glow,
        viewport,
        persistence_path: Some(data_dir.join("desktop-ui.ron")),
        // The wall display's full-screen geometry must not become the desk window's (nor its egui state: see
        // `FlowlineApp::persist_egui_memory`).
        persist_window: !args.kiosk,
        ..Default::default()
    };
    eframe::run_native(
        "Flowline",
        options,
        Box::new(move |cc| {
            let app = FlowlineApp::with_options(cc, config, refresh_from_command_line, ui_options)?;
            Ok(Box::new(app.with_server_settings(server_settings)))
        }),
    )
    .map_err(|e| anyhow::anyhow!("the window could not be opened: {e}"))
}
