//! A 7-day sparkline drawn with the painter: a grey line through the days with data (a day without data breaks
//! the line; it is not drawn as zero) and a dot on the last day. Painter lines rather than egui_plot: a tile needs
//! no axes, zoom or hover, and a plot per tile would cost six plot layouts a frame.
//!
//! Owns: the scaling of the points into the rectangle. Must not touch: the model or I/O.

use crate::theme::tokens::size;
use egui::{Color32, Pos2, Rect, Sense, Stroke, pos2, vec2};

/// Draws `values` (oldest first) across the available width; the hover text lists the values.
pub fn show(ui: &mut egui::Ui, values: &[Option<f64>], color: Color32, hover: &str) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(vec2(ui.available_width(), size::SPARKLINE_HEIGHT), Sense::hover());
    let painter = ui.painter_at(rect);
    let stroke = Stroke::new(size::SPARKLINE_STROKE, color);
    for run in points(values, rect.shrink(size::SPARKLINE_DOT)) {
        if run.len() == 1 {
            painter.circle_filled(run[0], size::SPARKLINE_STROKE, color);
        } else {
            painter.line(run, stroke);
        }
    }
    if let Some(last) = points(values, rect.shrink(size::SPARKLINE_DOT)).last().and_then(|run| run.last().copied())
        && values.last().is_some_and(Option::is_some)
    {
        painter.circle_filled(last, size::SPARKLINE_DOT, color);
    }
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, hover));
    response.on_hover_text(hover)
}

/// The runs of consecutive days with data, scaled into `rect` (higher values higher up); a flat series sits in
/// the middle.
pub fn points(values: &[Option<f64>], rect: Rect) -> Vec<Vec<Pos2>> {
    let finite = values.iter().flatten().copied().filter(|v| v.is_finite());
    let (min, max) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if !min.is_finite() {
        return Vec::new();
    }
    let steps = values.len().saturating_sub(1).max(1) as f32;
    let y = |v: f64| {
        if max > min { rect.bottom() - ((v - min) / (max - min)) as f32 * rect.height() } else { rect.center().y }
    };
    let mut runs = Vec::new();
    let mut run = Vec::new();
    for (i, value) in values.iter().enumerate() {
        match value.filter(|v| v.is_finite()) {
            Some(v) => run.push(pos2(rect.left() + rect.width() * i as f32 / steps, y(v))),
            None if !run.is_empty() => runs.push(std::mem::take(&mut run)),
            None => {}
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn gaps_break_the_line_and_the_range_fills_the_height() {
        let rect = Rect::from_min_size(pos2(0.0, 0.0), vec2(60.0, 10.0));
        let runs = points(&[Some(1.0), Some(3.0), None, Some(2.0)], rect);
        assert_eq!(runs, vec![vec![pos2(0.0, 10.0), pos2(20.0, 0.0)], vec![pos2(60.0, 5.0)]]);
        assert!(points(&[None, None], rect).is_empty());
        let flat = points(&[Some(4.0), Some(4.0)], rect);
        assert_eq!(flat, vec![vec![pos2(0.0, 5.0), pos2(60.0, 5.0)]]);
    }
}
