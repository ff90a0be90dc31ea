//! Vector charts: the trend chart (axes, ticks, gridlines, actual line, forecast line and band, legend) and the
//! KPI sparkline.

use chrono::NaiveDate;

use crate::canvas::{Canvas, MM_PER_PT, Paint, width_mm};
use crate::fonts::Fonts;
use crate::format::{NO_DATA, finite, short_date, thousands};
use crate::model::TrendChart;

const TITLE_PT: f32 = 9.5;
const TICK_PT: f32 = 7.0;
const LEGEND_PT: f32 = 7.5;
/// Forecast line dash (on, off) in points.
const FORECAST_DASH: [f32; 2] = [4.0, 2.5];

/// Tick values covering `[min, max]` with a 1-2-5 step, about `target` of them; the first is <= min and the last
/// >= max.
#[must_use]
pub fn nice_ticks(min: f64, max: f64, target: usize) -> Vec<f64> {
    let (min, max) = if (max - min).abs() < f64::EPSILON {
        let pad = if min == 0.0 { 1.0 } else { min.abs() * 0.1 };
        (min - pad, max + pad)
    } else {
        (min, max)
    };
    let raw = (max - min) / target.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * magnitude).find(|s| *s >= raw).unwrap_or(raw);
    let first = (min / step).floor() * step;
    let mut ticks = Vec::new();
    let mut i = 0.0;
    loop {
        let tick = first + i * step;
        ticks.push(if tick.abs() < step * 1e-9 { 0.0 } else { tick });
        if tick >= max - step * 1e-9 || ticks.len() > 50 {
            break;
        }
        i += 1.0;
    }
    ticks
}

/// Decimals needed to tell ticks `step` apart.
fn tick_decimals(ticks: &[f64]) -> usize {
    let step = match ticks {
        [a, b, ..] => (b - a).abs(),
        _ => 1.0,
    };
    if step >= 1.0 { 0 } else { (-step.log10()).ceil().clamp(0.0, 6.0) as usize }
}

/// Draws `chart` into the box (x, y) - (x + w, y + h), title included.
pub fn trend_chart(canvas: &mut Canvas, fonts: &Fonts, chart: &TrendChart, x: f32, y: f32, w: f32, h: f32) {
    let top = y + h;
    canvas.text(&fonts.bold, TITLE_PT, x, top - TITLE_PT * MM_PER_PT, &chart.title, Paint::INK);

    // Data extent.
    let actual: Vec<(NaiveDate, f64)> =
        chart.actual.iter().filter_map(|p| finite(p.value).map(|v| (p.date, v))).collect();
    let forecast: Vec<_> = chart.forecast.iter().filter(|p| p.value.is_finite()).collect();
    let mut values: Vec<f64> = actual.iter().map(|(_, v)| *v).collect();
    for p in &forecast {
        values.push(p.value);
        values.extend(finite(p.lower));
        values.extend(finite(p.upper));
    }
    let dates: Vec<NaiveDate> =
        chart.actual.iter().map(|p| p.date).chain(chart.forecast.iter().map(|p| p.date)).collect();

    // Plot area: room on the left for the value labels, below for the dates, above for the title and legend.
    let legend_h = 7.0;
    let plot_top = top - TITLE_PT * MM_PER_PT - 2.0 - legend_h;
    let plot_bottom = y + 7.0;
    let (Some(&first_date), Some(&last_date), false) =
        (dates.iter().min(), dates.iter().max(), values.is_empty() || plot_top - plot_bottom < 10.0)
    else {
        canvas.stroke_rect(x, plot_bottom, w, (plot_top - plot_bottom).max(5.0), 0.5, Paint::RULE);
        canvas.text(&fonts.regular, 8.0, x + 4.0, plot_bottom + 4.0, NO_DATA, Paint::FAINT);
        return;
    };
    // The axis starts at zero when the data reach down to half their maximum, else it fits the data (a flat
    // 12,000 BOPD line on a 0-12,500 axis hides the trend the chart is for).
    let data_min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let v_max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let v_min = if data_min >= 0.0 && data_min <= v_max * 0.5 { 0.0 } else { data_min };
    let ticks = nice_ticks(v_min, v_max, 5);
    let decimals = tick_decimals(&ticks);
    let (t_min, t_max) = (ticks.first().copied().unwrap_or(0.0), ticks.last().copied().unwrap_or(1.0));
    let labels: Vec<String> = ticks.iter().map(|t| thousands(*t, decimals)).collect();
    let label_w = labels.iter().map(|l| width_mm(&fonts.regular, TICK_PT, l)).fold(0.0, f32::max);
    let plot_left = x + label_w + 2.5;
    let plot_right = x + w - 2.0;

    let span_days = (last_date - first_date).num_days().max(1) as f32;
    let x_of = |d: NaiveDate| plot_left + (d - first_date).num_days() as f32 / span_days * (plot_right - plot_left);
    let y_of = |v: f64| plot_bottom + ((v - t_min) / (t_max - t_min)) as f32 * (plot_top - plot_bottom);

    // Gridlines and value ticks, with the unit above the axis.
    for (tick, label) in ticks.iter().zip(&labels) {
        let ty = y_of(*tick);
        canvas.hline(plot_left, plot_right, ty, 0.4, Paint::GRID);
        canvas.hline(plot_left - 1.0, plot_left, ty, 0.5, Paint::RULE);
        canvas.text_right(&fonts.regular, TICK_PT, plot_left - 1.5, ty - 0.9, label, Paint::MUTED);
    }
    canvas.text(&fonts.bold, TICK_PT, x, plot_top + 3.2, &chart.unit, Paint::MUTED);

    // Date ticks: about 8, on whole days.
    let step_days = ((span_days / 8.0).ceil() as i64).max(1);
    let mut day = first_date;
    while day <= last_date {
        let tx = x_of(day);
        canvas.vline(tx, plot_bottom, plot_top, 0.3, Paint::GRID);
        canvas.vline(tx, plot_bottom - 1.0, plot_bottom, 0.5, Paint::RULE);
        let label = short_date(day);
        let lw = width_mm(&fonts.regular, TICK_PT, &label);
        canvas.text(&fonts.regular, TICK_PT, tx - lw / 2.0, plot_bottom - 4.0, &label, Paint::MUTED);
        day += chrono::Duration::days(step_days);
    }

    // Band: upper bounds forward, lower bounds back, as one (non-convex) polygon per run of complete points.
    let mut run: Vec<(NaiveDate, f64, f64)> = Vec::new();
    let mut bands: Vec<Vec<(NaiveDate, f64, f64)>> = Vec::new();
    for p in &forecast {
        match (finite(p.lower), finite(p.upper)) {
            (Some(lo), Some(hi)) => run.push((p.date, lo, hi)),
            _ => bands.push(std::mem::take(&mut run)),
        }
    }
    bands.push(run);
    for band in bands.iter().filter(|b| b.len() >= 2) {
        let mut polygon: Vec<(f32, f32)> = band.iter().map(|(d, _, hi)| (x_of(*d), y_of(*hi))).collect();
        polygon.extend(band.iter().rev().map(|(d, lo, _)| (x_of(*d), y_of(*lo))));
        canvas.fill_polygon(&polygon, Paint::BAND, None);
    }

    // Axes over the gridlines and band.
    canvas.hline(plot_left, plot_right, plot_bottom, 0.7, Paint::RULE);
    canvas.vline(plot_left, plot_bottom, plot_top, 0.7, Paint::RULE);

    // Actual line, broken at missing days.
    let mut segment: Vec<(f32, f32)> = Vec::new();
    for p in &chart.actual {
        match finite(p.value) {
            Some(v) => segment.push((x_of(p.date), y_of(v))),
            None => {
                draw_segment(canvas, &segment, 1.3, Paint::INK, None);
                segment.clear();
            }
        }
    }
    draw_segment(canvas, &segment, 1.3, Paint::INK, None);

    // Forecast line, joined to the last actual point so the eye follows on.
    let mut forecast_line: Vec<(f32, f32)> = Vec::new();
    if let (Some((d, v)), Some(f)) = (actual.last(), forecast.first())
        && *d < f.date
    {
        forecast_line.push((x_of(*d), y_of(*v)));
    }
    forecast_line.extend(forecast.iter().map(|p| (x_of(p.date), y_of(p.value))));
    draw_segment(canvas, &forecast_line, 1.1, Paint::MUTED, Some(&FORECAST_DASH));

    // Legend, above the plot on the right.
    let ly = plot_top + 3.2;
    let mut entries: Vec<(&str, LegendMark)> = vec![("Actual", LegendMark::Solid)];
    if !forecast.is_empty() {
        entries.push(("Forecast", LegendMark::Dashed));
    }
    if bands.iter().any(|b| b.len() >= 2) {
        entries.push((chart.band_label.as_str(), LegendMark::Band));
    }
    let total: f32 =
        entries.iter().map(|(label, _)| 8.0 + 1.5 + width_mm(&fonts.regular, LEGEND_PT, label) + 5.0).sum::<f32>();
    let mut lx = plot_right - total + 5.0;
    for (label, mark) in entries {
        match mark {
            LegendMark::Solid => canvas.polyline(&[(lx, ly + 1.0), (lx + 8.0, ly + 1.0)], 1.3, Paint::INK, None),
            LegendMark::Dashed => {
                canvas.polyline(&[(lx, ly + 1.0), (lx + 8.0, ly + 1.0)], 1.1, Paint::MUTED, Some(&FORECAST_DASH));
            }
            LegendMark::Band => canvas.fill_rect(lx, ly - 0.5, 8.0, 3.0, Paint::BAND),
        }
        lx += 9.5;
        lx += canvas.text_fit(&fonts.regular, LEGEND_PT, (lx, ly), 60.0, label, Paint::MUTED) + 5.0;
    }
}

enum LegendMark {
    Solid,
    Dashed,
    Band,
}

fn draw_segment(canvas: &mut Canvas, points: &[(f32, f32)], width_pt: f32, paint: Paint, dash: Option<&[f32]>) {
    match points {
        [] => {}
        [(px, py)] => canvas.fill_rect(px - 0.5, py - 0.5, 1.0, 1.0, paint),
        _ => canvas.polyline(points, width_pt, paint, dash),
    }
}

/// A sparkline of daily values in the box (x, y, w, h): a polyline broken at missing days and a dot on the last
/// value. Nothing is drawn without values.
pub fn sparkline(canvas: &mut Canvas, values: &[Option<f64>], x: f32, y: f32, w: f32, h: f32) {
    let present: Vec<f64> = values.iter().filter_map(|v| finite(*v)).collect();
    if present.is_empty() || values.len() < 2 {
        return;
    }
    let min = present.iter().copied().fold(f64::INFINITY, f64::min);
    let max = present.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let step = w / (values.len() - 1) as f32;
    let y_of = |v: f64| {
        if (max - min).abs() < f64::EPSILON { y + h / 2.0 } else { y + ((v - min) / (max - min)) as f32 * h }
    };
    canvas.hline(x, x + w, y - 0.8, 0.3, Paint::GRID);
    let mut segment: Vec<(f32, f32)> = Vec::new();
    for (i, value) in values.iter().enumerate() {
        match finite(*value) {
            Some(v) => segment.push((x + i as f32 * step, y_of(v))),
            None => {
                draw_segment(canvas, &segment, 0.9, Paint::MUTED, None);
                segment.clear();
            }
        }
    }
    draw_segment(canvas, &segment, 0.9, Paint::MUTED, None);
    if let Some((i, v)) = values.iter().enumerate().rev().find_map(|(i, v)| finite(*v).map(|v| (i, v))) {
        canvas.fill_rect(x + i as f32 * step - 0.7, y_of(v) - 0.7, 1.4, 1.4, Paint::INK);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_cover_the_range_with_round_steps() {
        assert_eq!(nice_ticks(0.0, 12_345.0, 5), vec![0.0, 2_500.0, 5_000.0, 7_500.0, 10_000.0, 12_500.0]);
        assert_eq!(nice_ticks(0.0, 1.0, 5), vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]);
        let flat = nice_ticks(50.0, 50.0, 5);
        assert!(flat.first().is_some_and(|t| *t <= 50.0) && flat.last().is_some_and(|t| *t >= 50.0));
        let negative = nice_ticks(-30.0, 70.0, 5);
        assert_eq!(negative, vec![-40.0, -20.0, 0.0, 20.0, 40.0, 60.0, 80.0]);
        assert_eq!(tick_decimals(&[0.0, 0.2]), 1);
        assert_eq!(tick_decimals(&[0.0, 2_500.0]), 0);
    }
}
