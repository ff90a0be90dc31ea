//! The eframe app: once per frame it drains the I/O events into the model (`logic`), draws the views (`ui`) and
//! then sends the commands the views collected, all at once (rerun's pattern).
//!
//! Owns: the wiring between the model, the views, the theme and the I/O handle, and the persisted UI settings.
//! Must not touch: the network, tokio or the backend (only through [`IoHandle`]); it never waits.

use crate::io::{BackendChoice, IoConfig, IoHandle};
use crate::model::{Mode, Model};
use crate::protocol::{Command, ThemeChoice};
use crate::theme;
use crate::views::{self, Clock};
use std::sync::Arc;
use std::time::Duration;

/// Key of the theme choice in eframe's storage.
const THEME_KEY: &str = "flowline.theme";
/// Key of the auto-refresh interval (seconds) in eframe's storage.
const REFRESH_KEY: &str = "flowline.refresh_secs";
/// The ages on screen ("45 s ago") move even when no data arrives.
const AGE_TICK: Duration = Duration::from_secs(1);
/// How long closing the window waits for the I/O thread (and the embedded backend) to stop.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(3);

pub struct FlowlineApp {
    model: Model,
    io: IoHandle,
    /// Commands pushed by the views during this frame.
    commands: Vec<Command>,
}

impl FlowlineApp {
    /// `refresh_from_command_line`: the interval was given with `--refresh-secs` and wins over the saved one.
    pub fn new(
        cc: &eframe::CreationContext<'_>,
        mut config: IoConfig,
        refresh_from_command_line: bool,
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
        let ctx = cc.egui_ctx.clone();
        let io = IoHandle::spawn(config, Arc::new(move || ctx.request_repaint()))?;
        Ok(Self { model, io, commands: Vec::new() })
    }

    /// Applies local commands to the model and the theme, sends the rest to the I/O thread.
    fn flush_commands(&mut self, ctx: &egui::Context) {
        for command in self.commands.drain(..) {
            match command {
                Command::SortWells(column) => self.model.sort_by(column),
                Command::DismissMessage(id) => self.model.dismiss_message(id),
                Command::SetTheme(choice) => {
                    self.model.theme = choice;
                    theme::select(ctx, choice);
                }
                Command::ShowScreen(screen) => self.model.screen = screen,
                Command::DrillDownOil => self.model.drill_down_oil(),
                Command::SetAlarmDrawer(open) => self.model.drawer.open = open,
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
    }
}

impl eframe::App for FlowlineApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        while let Some(event) = self.io.try_recv() {
            self.model.apply(event);
        }
        ctx.request_repaint_after(AGE_TICK);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        views::root(ui, &mut self.model, &Clock::system(), &mut self.commands);
        let ctx = ui.ctx().clone();
        self.flush_commands(&ctx);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, THEME_KEY, &self.model.theme);
        eframe::set_value(storage, REFRESH_KEY, &self.model.refresh_interval.as_secs());
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.io.shutdown(SHUTDOWN_WAIT);
    }
}
