//! Rendering time of the dashboard export at fleet size: the sample report of the tests with its well table grown
//! to `FLOWLINE_BENCH_WELLS` rows (default 10,000), rendered as PDF and as CSV, five times each; prints the
//! median and the slowest run with the output size. US-1106 asks for an export under 5 s.
//!
//! `cargo bench -p flowline-report --bench render`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

const RUNS: usize = 5;

fn main() {
    let wells: usize = std::env::var("FLOWLINE_BENCH_WELLS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let mut report = common::sample_report();
    let template = report.wells.clone();
    report.wells = (0..wells)
        .map(|i| {
            let mut row = template[i % template.len()].clone();
            row.name = format!("{} #{i}", row.name);
            row
        })
        .collect();

    let (pdf_times, pdf_len) = time(|| flowline_report::render_pdf(&report).expect("pdf").len());
    let (csv_times, csv_len) = time(|| flowline_report::render_csv(&report).len());
    print_line("pdf", wells, &pdf_times, pdf_len);
    print_line("csv", wells, &csv_times, csv_len);
}

fn time(mut run: impl FnMut() -> usize) -> (Vec<Duration>, usize) {
    let mut len = 0;
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            len = run();
            start.elapsed()
        })
        .collect();
    times.sort();
    (times, len)
}

fn print_line(kind: &str, wells: usize, times: &[Duration], len: usize) {
    println!(
        "{kind}: {wells} wells, median {:.3} s, slowest {:.3} s over {RUNS} runs, {:.2} MB",
        times[times.len() / 2].as_secs_f64(),
        times[times.len() - 1].as_secs_f64(),
        len as f64 / 1e6
    );
}
