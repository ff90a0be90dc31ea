//! The eframe app: once per frame it drains the I/O events into the model (`logic`), draws the views (`ui`) and
//! then sends the commands the views collected, all at once (rerun's pattern).
//!
//! Owns: the wiring between the model, the views, the theme and the I/O handle, and the persisted UI settings
//! (theme, refresh, zoom, kiosk options, mute; the server choice is `io::settings_file`'s, applied by
//! `server_switch`). Once per frame it moves the kiosk's rotation and asks the I/O
//! thread for the alarm tone `model::sound` says is due.
//! Must not touch: the network, tokio or the backend (only through [`IoHandle`]); it never waits.

mod server_switch;

use crate::io::{BackendChoice, IoConfig, IoHandle};
use crate::model::kiosk::{DEFAULT_ROTATE_SECS, Kiosk, KioskOptions};
use crate::model::{Mode, Model};
use crate::protocol::{Command, Screen, ThemeChoice};
use crate::theme::{self, tokens::size};
use crate::views::{self, Clock};
use std::sync::{Arc, Once, OnceLock};
use std::time::{Duration, Instant};

pub use server_switch::ServerSettings;

/// Key of the theme choice in eframe's storage.
const THEME_KEY: &str = "flowline.theme";
/// Key of the auto-refresh interval (seconds) in eframe's storage.
const REFRESH_KEY: &str = "flowline.refresh_secs";
/// Keys of the zoom factor (desk and kiosk), the kiosk's rotation and the mute in eframe's storage.
const ZOOM_KEY: &str = "flowline.zoom";
const KIOSK_ZOOM_KEY: &str = "flowline.kiosk_zoom";
const KIOSK_ROTATE_KEY: &str = "flowline.kiosk_rotate_secs";
const MUTED_KEY: &str = "flowline.muted";
/// The ages on screen ("45 s ago") move even when no data arrives.
const AGE_TICK: Duration = Duration::from_secs(1);
/// How long closing the window waits for the I/O thread (and the embedded backend) to stop.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(3);

/// The window options of the command line; `None` takes the saved setting, then the default.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct UiOptions {
    /// Wall display: full screen, read only, high contrast, rotating.
    pub kiosk: bool,
    pub zoom: Option<f32>,
    pub rotate_secs: Option<u64>,
}

pub struct FlowlineApp {
    model: Model,
    io: IoHandle,
    /// Commands pushed by the views during this frame.
    commands: Vec<Command>,
    /// The zoom factor in use (saved for the mode it was used in).
    zoom: f32,
    /// Kiosk mode: the window was sized to its monitor (for X servers without a window manager, where the
    /// full-screen request alone does nothing)...
    kiosk_sized: bool,
    /// ...after its zoom was set at this frame.
    kiosk_zoomed_at: Option<u64>,
    /// Kiosk mode without `--zoom` or a saved zoom: the zoom follows the monitor's width (and is not saved).
    kiosk_auto_zoom: bool,
    /// The I/O thread was told that the oil-change drill-down is shown (`Command::WatchOilTrends`).
    oil_trends_watched: bool,
    /// The I/O thread's configuration, for a restart on another backend ("Server…" dialog, `server_switch`).
    config: IoConfig,
    /// Where the server choice is saved and the demo's data folder.
    server: ServerSettings,
    /// Old I/O threads being stopped after a switch.
    stopping: server_switch::Stopping,
}

impl FlowlineApp {
    /// `refresh_from_command_line`: the interval was given with `--refresh-secs` and wins over the saved one.
    pub fn new(
        cc: &eframe::CreationContext<'_>,
        config: IoConfig,
        refresh_from_command_line: bool,
    ) -> std::io::Result<Self> {
        Self::with_options(cc, config, refresh_from_command_line, UiOptions::default())
    }

    /// [`FlowlineApp::new`] with the command line's window options (they win over the saved ones).
    pub fn with_options(
        cc: &eframe::CreationContext<'_>,
        mut config: IoConfig,
        refresh_from_command_line: bool,
        options: UiOptions,
    ) -> std::io::Result<Self> {
        let theme_choice: ThemeChoice = cc.storage.and_then(|s| eframe::get_value(s, THEME_KEY)).unwrap_or_default();
        let saved_refresh: Option<u64> = cc.storage.and_then(|s| eframe::get_value(s, REFRESH_KEY));
        if let (Some(secs), false) = (saved_refresh, refresh_from_command_line)
            && views::footer::REFRESH_CHOICES.contains(&secs)
        {
            config.refresh_interval = Duration::from_secs(secs);
        }
        theme::install(&cc.egui_ctx, theme_choice);
        let (mode, server_url) = match &config.backend {
            BackendChoice::Embedded { data_dir } => (Mode::Embedded { data_dir: data_dir.clone() }, None),
            BackendChoice::Remote { base_url } => (Mode::Remote, Some(base_url.clone())),
        };
        let mut model = Model::new(mode, server_url, config.refresh_interval);
        model.theme = theme_choice;
        let saved = |key: &str| -> Option<f32> { cc.storage.and_then(|s| eframe::get_value(s, key)) };
        model.sound.muted = cc.storage.and_then(|s| eframe::get_value(s, MUTED_KEY)).unwrap_or(false);
        let mut kiosk_auto_zoom = false;
        let zoom = if options.kiosk {
            let rotate_secs = options
                .rotate_secs
                .or_else(|| cc.storage.and_then(|s| eframe::get_value(s, KIOSK_ROTATE_KEY)))
                .unwrap_or(DEFAULT_ROTATE_SECS);
            let chosen = options.zoom.or_else(|| saved(KIOSK_ZOOM_KEY));
            kiosk_auto_zoom = chosen.is_none();
            let zoom = chosen.unwrap_or(size::KIOSK_ZOOM);
            model.kiosk = Some(Kiosk::new(KioskOptions::new(zoom, rotate_secs)));
            // The wall display's own theme; the desk's saved choice is left alone.
            model.theme = ThemeChoice::HighContrast;
            theme::select(&cc.egui_ctx, ThemeChoice::HighContrast);
            zoom
        } else {
            options.zoom.or_else(|| saved(ZOOM_KEY)).unwrap_or(1.0)
        };
        let zoom = if zoom.is_finite() { zoom.clamp(size::MIN_ZOOM, size::MAX_ZOOM) } else { 1.0 };
        cc.egui_ctx.set_zoom_factor(zoom);
        let ctx = cc.egui_ctx.clone();
        APP_CREATED.get_or_init(Instant::now);
        let server = ServerSettings::from_config(&config);
        let io = IoHandle::spawn(config.clone(), Arc::new(move || ctx.request_repaint()))?;
        Ok(Self {
            model,
            io,
            commands: Vec::new(),
            zoom,
            kiosk_sized: false,
            kiosk_zoomed_at: None,
            kiosk_auto_zoom,
            oil_trends_watched: false,
            config,
            server,
            stopping: server_switch::Stopping::default(),
        })
    }

    /// Applies local commands to the model and the theme, sends the rest to the I/O thread.
    fn flush_commands(&mut self, ctx: &egui::Context) {
        let mut switch = None;
        for command in self.commands.drain(..) {
            if self.model.apply_local(&command) {
                if let Command::SetTheme(choice) = command {
                    theme::select(ctx, choice);
                }
                continue;
            }
            match command {
                Command::ConnectServer(target) => switch = Some(target),
                Command::Acknowledge { .. } | Command::AcknowledgeAll { .. } | Command::Shelve { .. }
                    if self.model.is_read_only() =>
                {
                    tracing::warn!("kiosk mode is read only; alarm command dropped");
                }
                Command::SetRefreshInterval(interval) => {
                    self.model.refresh_interval = interval;
                    self.io.send(Command::SetRefreshInterval(interval));
                }
                other => {
                    if !self.io.send(other) {
                        tracing::error!("the I/O thread has stopped; command dropped");
                    }
                }
            }
        }
        if let Some(target) = switch {
            self.switch_server(ctx, target);
        }
        self.watch_oil_trends();
    }

    /// Tells the I/O thread when the oil-change drill-down is entered or left (by a button, the sidebar or a key):
    /// its trends are fetched only while it is shown.
    fn watch_oil_trends(&mut self) {
        let shown = self.model.screen == Screen::OilChange;
        if shown != self.oil_trends_watched {
            self.oil_trends_watched = shown;
            if shown {
                self.model.oil_change.requested();
            }
            self.io.send(Command::WatchOilTrends(shown));
        }
    }
}

impl FlowlineApp {
    /// Kiosk mode: picks the zoom for the monitor (when automatic), then covers the whole monitor, whether or not
    /// a window manager honours the full-screen request. The viewport's monitor size is in points of the frame
    /// it was measured in, so each step waits two frames for a fresh measure.
    fn fill_monitor(&mut self, ctx: &egui::Context) {
        let frame = ctx.cumulative_frame_nr();
        let Some(monitor) = ctx.input(|i| i.viewport().monitor_size) else { return };
        match self.kiosk_zoomed_at {
            None if frame >= 2 => {
                if self.kiosk_auto_zoom {
                    // The monitor's width in physical pixels over the layout's design width: 1.5 on 1920, 3 on 3840.
                    let native = ctx.input(|i| i.viewport().native_pixels_per_point).unwrap_or(1.0);
                    let width = monitor.x * ctx.pixels_per_point() / native;
                    let zoom = (width / size::KIOSK_DESIGN_WIDTH).clamp(size::KIOSK_ZOOM, size::MAX_ZOOM);
                    ctx.set_zoom_factor(zoom);
                    self.zoom = zoom;
                }
                self.kiosk_zoomed_at = Some(frame);
            }
            Some(zoomed) if frame >= zoomed + 2 => {
                ctx.send_viewport_cmd(egui::ViewportCommand::OuterPosition(egui::pos2(0.0, 0.0)));
                ctx.send_viewport_cmd(egui::ViewportCommand::InnerSize(monitor));
                ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(true));
                self.kiosk_sized = true;
            }
            _ => ctx.request_repaint(),
        }
    }
}

/// When the app (its window) was created: the start of the "first dashboard painted" measure.
static APP_CREATED: OnceLock<Instant> = OnceLock::new();

/// Logs once, the first time the dashboard is drawn with KPI figures (from the server or the offline cache; a
/// fleet without aggregated days yet shows no figure and does not count): the end of a cold start. The end-to-end
/// script and the cold-start benchmark wait for this line (and time it from the process start themselves).
fn log_first_dashboard(model: &Model) {
    static LOGGED: Once = Once::new();
    let figures = model.kpis.kpis.as_ref().is_some_and(|k| k.total_oil.value.is_some());
    if model.screen == Screen::Dashboard && figures {
        LOGGED.call_once(|| {
            let since_app_created_ms = APP_CREATED.get().map(|at| at.elapsed().as_millis());
            tracing::info!(since_app_created_ms, wells = model.wells.len(), "first dashboard painted");
        });
    }
}

impl FlowlineApp {
    /// US-1104: the operator's clicks, keys and scrolls pause the timed refresh; five idle minutes resume it. A wall
    /// display never pauses.
    fn track_input(&mut self, ctx: &egui::Context, now: chrono::DateTime<chrono::Utc>) {
        if self.model.kiosk.is_some() {
            return;
        }
        let worked = ctx.input(|i| {
            i.events.iter().any(|e| {
                matches!(
                    e,
                    egui::Event::PointerButton { pressed: true, .. }
                        | egui::Event::Key { pressed: true, .. }
                        | egui::Event::Text(_)
                        | egui::Event::MouseWheel { .. }
                )
            })
        });
        if worked && self.model.refresh_pause.input(now) {
            self.io.send(Command::PauseAutoRefresh(true));
        }
        if self.model.refresh_pause.tick(now) {
            self.io.send(Command::PauseAutoRefresh(false));
        }
    }
}

impl eframe::App for FlowlineApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        while let Some(event) = self.io.try_recv() {
            self.model.apply(event);
        }
        let now = chrono::Utc::now();
        self.model.tick(now);
        self.track_input(ctx, now);
        if let Some(priority) = self.model.sound.due(&self.model.alarms, now) {
            self.model.sound.played(priority, now);
            self.io.send(Command::SoundAlarm(priority));
        }
        if self.model.is_read_only() && !self.kiosk_sized {
            self.fill_monitor(ctx);
        }
        ctx.request_repaint_after(AGE_TICK);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        views::root(ui, &mut self.model, &Clock::system(), &mut self.commands);
        self.zoom = ui.ctx().zoom_factor();
        log_first_dashboard(&self.model);
        let ctx = ui.ctx().clone();
        self.flush_commands(&ctx);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, REFRESH_KEY, &self.model.refresh_interval.as_secs());
        eframe::set_value(storage, MUTED_KEY, &self.model.sound.muted);
        match &self.model.kiosk {
            Some(kiosk) => {
                if !self.kiosk_auto_zoom {
                    eframe::set_value(storage, KIOSK_ZOOM_KEY, &self.zoom);
                }
                eframe::set_value(storage, KIOSK_ROTATE_KEY, &kiosk.options.rotate_secs());
            }
            None => {
                eframe::set_value(storage, THEME_KEY, &self.model.theme);
                eframe::set_value(storage, ZOOM_KEY, &self.zoom);
            }
        }
    }

    /// The kiosk's egui state (zoom, scroll positions) must not become the desk's.
    fn persist_egui_memory(&self) -> bool {
        self.model.kiosk.is_none()
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.io.shutdown(SHUTDOWN_WAIT);
        self.stopping.wait();
    }
}
