//! Snapshot tests of the dashboard (issue 5): the whole window (`views::root`: top bar, critical banner, KPI tiles,
//! footer) at 1024x768 and 1920x1080 in the light and the dark theme, over a model filled with fixed data at a fixed
//! instant (`benches/common`), rendered headless with wgpu and compared with the PNGs in `tests/snapshots/`
//! (thresholds in `desktop/kittest.toml`).
//!
//! Rendering needs a Mesa driver: `mesa-vulkan-drivers` (lavapipe), or `libegl1` + `libgl1-mesa-dri` with
//! `WGPU_BACKEND=gl`. Without one the pictures cannot be drawn, so the tests say so and skip, as the backend's
//! database tests do without their database; with `FLOWLINE_REQUIRE_SERVICES=1` (CI) a missing driver fails them.
//! After a deliberate change of the look, rewrite the PNGs and look at them:
//! `UPDATE_SNAPSHOTS=1 cargo test -p flowline-desktop --test snapshots`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../benches/common/mod.rs"]
mod common;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use flowline_desktop::model::Model;
use flowline_desktop::protocol::{Command, ThemeChoice};
use flowline_desktop::{theme, views};
use std::sync::OnceLock;

struct State {
    model: Model,
    commands: Vec<Command>,
}

fn harness(width: f32, height: f32, choice: ThemeChoice) -> Harness<'static, State> {
    let egui_theme = match choice {
        ThemeChoice::Light => egui::Theme::Light,
        _ => egui::Theme::Dark,
    };
    // egui_kittest's default glyph policy stays: a character no installed font has (a tofu box on screen) fails.
    Harness::builder()
        .with_size([width, height])
        .with_theme(egui_theme)
        .with_context_setup(move |ctx| theme::install(ctx, choice))
        .wgpu()
        .build_ui_state(
            |ui, state: &mut State| views::root(ui, &mut state.model, &common::clock(), &mut state.commands),
            State { model: common::dashboard_model(50, choice), commands: Vec::new() },
        )
}

/// Whether headless wgpu rendering works on this machine (probed once: kittest's renderer panics without an
/// adapter).
fn renderer_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        let works = std::panic::catch_unwind(|| drop(egui_kittest::wgpu::WgpuTestRenderer::new())).is_ok();
        if !works {
            let required = std::env::var("FLOWLINE_REQUIRE_SERVICES").is_ok_and(|v| v == "1");
            assert!(!required, "FLOWLINE_REQUIRE_SERVICES=1 but wgpu finds no adapter: install mesa-vulkan-drivers");
            eprintln!(
                "skipping the dashboard snapshots: wgpu finds no adapter (install mesa-vulkan-drivers, or libegl1 \
                 and libgl1-mesa-dri and set WGPU_BACKEND=gl)"
            );
        }
        works
    })
}

fn dashboard_snapshot(name: &str, width: f32, height: f32, choice: ThemeChoice) {
    if !renderer_available() {
        return;
    }
    let mut harness = harness(width, height, choice);
    // The badge's pulse and the spinners are off in this model, so the window settles.
    harness.run();
    // The picture is the dashboard with data, not a loading or sign-in screen.
    assert!(harness.query_by_label("Total oil").is_some(), "{name}: the KPI tiles are drawn");
    assert!(harness.query_by_label("Wells by oil change ›").is_some(), "{name}: the oil tile's drill-down");
    assert!(harness.state().commands.is_empty(), "{name}: drawing alone sends no command");
    harness.snapshot(name);
}

#[test]
fn dashboard_1024_light() {
    dashboard_snapshot("dashboard_1024_light", 1024.0, 768.0, ThemeChoice::Light);
}

#[test]
fn dashboard_1024_dark() {
    dashboard_snapshot("dashboard_1024_dark", 1024.0, 768.0, ThemeChoice::Dark);
}

#[test]
fn dashboard_1920_light() {
    dashboard_snapshot("dashboard_1920_light", 1920.0, 1080.0, ThemeChoice::Light);
}

#[test]
fn dashboard_1920_dark() {
    dashboard_snapshot("dashboard_1920_dark", 1920.0, 1080.0, ThemeChoice::Dark);
}
