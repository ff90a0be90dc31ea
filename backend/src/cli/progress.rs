//! Progress bars for long CLI work (indicatif), drawn on stderr.

use indicatif::{ProgressBar, ProgressStyle};

/// A bar for `total` items of `unit` (e.g. "entries", "rows").
pub fn bar(total: u64, unit: &str) -> ProgressBar {
    let bar = ProgressBar::new(total);
    let template =
        format!("{{spinner}} [{{elapsed_precise}}] {{bar:40}} {{pos}}/{{len}} {unit} ({{per_sec}}, ETA {{eta}})");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
}
