//! CPU time of one frame of the control room: `views::root` drawing the dashboard (top bar, critical banner, six
//! KPI tiles, footer) in a bare `egui::Context` at 1920x1080, then egui's tessellation of the frame's shapes (the
//! CPU part of what eframe does per frame; the GPU upload and the swap are not counted). Every frame gets the same
//! input and a clock one second later (the app repaints once a second at rest, so every frame redraws the ages).
//! p50 / p95 / p99 over `FLOWLINE_BENCH_FRAMES` frames (default 2,000) after 100 warm-up frames, with 50 and with
//! 1,000 wells (KPIs, open alarms on one well in ten); also the open alarm drawer and the well table at 1,000 wells,
//! for comparison. Targets (issue 5): p95 at most 4 ms with 50 wells, 8 ms with 1,000 wells.
//!
//! `cargo bench -p flowline-desktop --bench frame_time` (exits non-zero when a target is missed).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::TimeDelta;
use flowline_desktop::model::Model;
use flowline_desktop::protocol::{Screen, ThemeChoice};
use flowline_desktop::{theme, views};
use std::time::{Duration, Instant};

const WARM_UP: usize = 100;

struct Case {
    name: &'static str,
    wells: usize,
    setup: fn(&mut Model),
    /// p95 target, when the issue sets one.
    target: Option<Duration>,
}

fn main() {
    let frames = std::env::var("FLOWLINE_BENCH_FRAMES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000usize);
    let cases = [
        Case { name: "dashboard, 50 wells", wells: 50, setup: |_| {}, target: Some(Duration::from_millis(4)) },
        Case { name: "dashboard, 1,000 wells", wells: 1000, setup: |_| {}, target: Some(Duration::from_millis(8)) },
        Case {
            name: "dashboard + alarm drawer, 1,000 wells",
            wells: 1000,
            setup: |m| m.drawer.open = true,
            target: None,
        },
        Case { name: "well table, 1,000 wells", wells: 1000, setup: |m| m.screen = Screen::Wells, target: None },
    ];
    println!(
        "frame_time: 1920x1080, {frames} frames per case after {WARM_UP} warm-up frames; ui = views::root, total = ui + tessellation"
    );
    let mut ok = true;
    for case in &cases {
        let (ui, total, shapes) = measure(case, frames);
        let p95 = quantile(&total, 0.95);
        let verdict = match case.target {
            Some(target) if p95 <= target => format!("target p95 <= {} ms: met", target.as_millis()),
            Some(target) => {
                ok = false;
                format!("target p95 <= {} ms: MISSED", target.as_millis())
            }
            None => "no target".to_owned(),
        };
        println!(
            "frame_time/{} ({shapes} shapes a frame): ui p50 {:.2} ms p95 {:.2} ms p99 {:.2} ms | total p50 {:.2} ms p95 {:.2} ms p99 {:.2} ms max {:.2} ms ({verdict})",
            case.name,
            ms(quantile(&ui, 0.50)),
            ms(quantile(&ui, 0.95)),
            ms(quantile(&ui, 0.99)),
            ms(quantile(&total, 0.50)),
            ms(p95),
            ms(quantile(&total, 0.99)),
            ms(total[total.len() - 1]),
        );
    }
    if !ok {
        std::process::exit(1);
    }
}

/// Sorted per-frame times of `views::root` alone and of `views::root` plus tessellation, and how many shapes the
/// last frame painted (a check that the frame drew what the case says).
fn measure(case: &Case, frames: usize) -> (Vec<Duration>, Vec<Duration>, usize) {
    let ctx = egui::Context::default();
    theme::install(&ctx, ThemeChoice::Dark);
    let mut model = common::dashboard_model(case.wells, ThemeChoice::Dark);
    (case.setup)(&mut model);
    let mut commands = Vec::new();
    let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1920.0, 1080.0));
    let mut ui_times = Vec::with_capacity(frames);
    let mut total_times = Vec::with_capacity(frames);
    let mut shapes = 0;
    for frame in 0..WARM_UP + frames {
        let mut clock = common::clock();
        clock.now += TimeDelta::seconds(frame as i64);
        let input = egui::RawInput {
            screen_rect: Some(screen),
            time: Some(frame as f64),
            predicted_dt: 1.0,
            ..Default::default()
        };
        let start = Instant::now();
        let output = ctx.run_ui(input, |ui| views::root(ui, &mut model, &clock, &mut commands));
        let drawn = Instant::now();
        shapes = output.shapes.len();
        let primitives = ctx.tessellate(output.shapes, output.pixels_per_point);
        let done = Instant::now();
        std::hint::black_box(primitives);
        commands.clear();
        if frame >= WARM_UP {
            ui_times.push(drawn - start);
            total_times.push(done - start);
        }
    }
    ui_times.sort_unstable();
    total_times.sort_unstable();
    (ui_times, total_times, shapes)
}

fn quantile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
