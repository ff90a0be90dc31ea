//! Drawing primitives of one page in millimetres (origin bottom left, as in PDF), and the report's palette.
//!
//! Palette: high-performance HMI. Greys for everything normal; colour only for abnormal states (critical red,
//! high amber, low blue), and then always together with a word and a shape, so a greyscale print still reads.

use printpdf::{
    Color, Greyscale, Line, LineDashPattern, LinePoint, Mm, Op, PaintMode, Point, Polygon, PolygonRing, Pt,
};
use printpdf::{Rect, Rgb, TextItem, WindingOrder};

use crate::fonts::Face;
use crate::model::AlarmPriority;

/// Millimetres per point.
pub const MM_PER_PT: f32 = 25.4 / 72.0;

/// A fill or stroke colour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Paint {
    Grey(f32),
    Rgb(f32, f32, f32),
}

impl Paint {
    /// Main text and data lines.
    pub const INK: Paint = Paint::Grey(0.13);
    /// Labels, units, secondary text.
    pub const MUTED: Paint = Paint::Grey(0.40);
    /// "no data" marks, forecast line.
    pub const FAINT: Paint = Paint::Grey(0.55);
    /// Rules, axes, card borders.
    pub const RULE: Paint = Paint::Grey(0.72);
    /// Gridlines.
    pub const GRID: Paint = Paint::Grey(0.87);
    /// Forecast band.
    pub const BAND: Paint = Paint::Grey(0.85);
    /// Table header background, zebra rows.
    pub const SHADE: Paint = Paint::Grey(0.94);
    pub const ZEBRA: Paint = Paint::Grey(0.97);

    /// The colour of an abnormal state.
    pub fn priority(priority: AlarmPriority) -> Paint {
        match priority {
            AlarmPriority::Critical => Paint::Rgb(0.78, 0.09, 0.09),
            AlarmPriority::High => Paint::Rgb(0.85, 0.55, 0.0),
            AlarmPriority::Low => Paint::Rgb(0.12, 0.38, 0.78),
        }
    }

    fn color(self) -> Color {
        match self {
            Paint::Grey(v) => Color::Greyscale(Greyscale::new(v, None)),
            Paint::Rgb(r, g, b) => Color::Rgb(Rgb::new(r, g, b, None)),
        }
    }
}

fn pt(mm: f32) -> Pt {
    Mm(mm).into()
}

fn point(x: f32, y: f32) -> Point {
    Point::new(Mm(x), Mm(y))
}

fn line_points(points: &[(f32, f32)]) -> Vec<LinePoint> {
    points.iter().map(|&(x, y)| LinePoint { p: point(x, y), bezier: false }).collect()
}

/// The operations of one page.
#[derive(Default)]
pub struct Canvas {
    pub ops: Vec<Op>,
}

impl Canvas {
    /// Text with its baseline's left end at (x, y). Each string is its own text section.
    pub fn text(&mut self, face: &Face, size_pt: f32, x: f32, y: f32, text: &str, paint: Paint) {
        if text.is_empty() {
            return;
        }
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFillColor { col: paint.color() },
            Op::SetFont { font: face.handle(), size: Pt(size_pt) },
            Op::SetTextCursor { pos: point(x, y) },
            Op::ShowText { items: vec![TextItem::Text(text.to_owned())] },
            Op::EndTextSection,
        ]);
    }

    /// Text whose baseline ends at (x_right, y).
    pub fn text_right(&mut self, face: &Face, size_pt: f32, x_right: f32, y: f32, text: &str, paint: Paint) {
        let width = width_mm(face, size_pt, text);
        self.text(face, size_pt, x_right - width, y, text, paint);
    }

    /// Text cut to `max_width` mm (with an ellipsis), baseline starting at `at`; returns the width drawn.
    pub fn text_fit(
        &mut self,
        face: &Face,
        size_pt: f32,
        at: (f32, f32),
        max_width: f32,
        text: &str,
        paint: Paint,
    ) -> f32 {
        let fitted = fit(face, size_pt, text, max_width);
        self.text(face, size_pt, at.0, at.1, &fitted, paint);
        width_mm(face, size_pt, &fitted)
    }

    /// An open polyline.
    pub fn polyline(&mut self, points: &[(f32, f32)], width_pt: f32, paint: Paint, dash: Option<&[f32]>) {
        if points.len() < 2 {
            return;
        }
        self.stroke_style(width_pt, paint, dash);
        self.ops.push(Op::DrawLine { line: Line { points: line_points(points), is_closed: false } });
        if dash.is_some() {
            self.ops.push(Op::SetLineDashPattern { dash: LineDashPattern::solid() });
        }
    }

    pub fn hline(&mut self, x0: f32, x1: f32, y: f32, width_pt: f32, paint: Paint) {
        self.polyline(&[(x0, y), (x1, y)], width_pt, paint, None);
    }

    pub fn vline(&mut self, x: f32, y0: f32, y1: f32, width_pt: f32, paint: Paint) {
        self.polyline(&[(x, y0), (x, y1)], width_pt, paint, None);
    }

    pub fn fill_rect(&mut self, x: f32, y: f32, w: f32, h: f32, paint: Paint) {
        self.ops.push(Op::SetFillColor { col: paint.color() });
        self.ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: pt(x),
                y: pt(y),
                width: pt(w),
                height: pt(h),
                mode: Some(PaintMode::Fill),
                winding_order: Some(WindingOrder::NonZero),
            },
        });
    }

    pub fn stroke_rect(&mut self, x: f32, y: f32, w: f32, h: f32, width_pt: f32, paint: Paint) {
        self.stroke_style(width_pt, paint, None);
        self.ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: pt(x),
                y: pt(y),
                width: pt(w),
                height: pt(h),
                mode: Some(PaintMode::Stroke),
                winding_order: Some(WindingOrder::NonZero),
            },
        });
    }

    /// A filled polygon (need not be convex), optionally outlined.
    pub fn fill_polygon(&mut self, points: &[(f32, f32)], paint: Paint, outline: Option<(f32, Paint)>) {
        if points.len() < 3 {
            return;
        }
        self.ops.push(Op::SetFillColor { col: paint.color() });
        let mode = match outline {
            Some((width_pt, stroke)) => {
                self.stroke_style(width_pt, stroke, None);
                PaintMode::FillStroke
            }
            None => PaintMode::Fill,
        };
        self.ops.push(Op::DrawPolygon {
            polygon: Polygon {
                rings: vec![PolygonRing { points: line_points(points) }],
                mode,
                winding_order: WindingOrder::NonZero,
            },
        });
    }

    /// The priority's shape centred on (cx, cy), `size` mm across: critical a square, high an upward triangle,
    /// low a diamond; filled with the priority's colour and outlined dark, so the shape reads without colour.
    pub fn priority_shape(&mut self, priority: AlarmPriority, cx: f32, cy: f32, size: f32) {
        let h = size / 2.0;
        let points: Vec<(f32, f32)> = match priority {
            AlarmPriority::Critical => vec![(cx - h, cy - h), (cx + h, cy - h), (cx + h, cy + h), (cx - h, cy + h)],
            AlarmPriority::High => vec![(cx - h, cy - h * 0.9), (cx + h, cy - h * 0.9), (cx, cy + h * 1.05)],
            AlarmPriority::Low => vec![(cx, cy - h * 1.1), (cx + h * 1.1, cy), (cx, cy + h * 1.1), (cx - h * 1.1, cy)],
        };
        self.fill_polygon(&points, Paint::priority(priority), Some((0.6, Paint::INK)));
    }

    /// Shape and upper-case word of a priority, baseline at y; returns the width drawn.
    pub fn priority_badge(&mut self, face: &Face, size_pt: f32, priority: AlarmPriority, x: f32, y: f32) -> f32 {
        let shape = size_pt * MM_PER_PT * 0.8;
        self.priority_shape(priority, x + shape / 2.0, y + shape * 0.45, shape);
        let word = priority.as_str().to_uppercase();
        self.text(face, size_pt, x + shape + 1.2, y, &word, Paint::priority(priority));
        shape + 1.2 + width_mm(face, size_pt, &word)
    }

    fn stroke_style(&mut self, width_pt: f32, paint: Paint, dash: Option<&[f32]>) {
        self.ops.push(Op::SetOutlineColor { col: paint.color() });
        self.ops.push(Op::SetOutlineThickness { pt: Pt(width_pt) });
        if let Some(pattern) = dash {
            self.ops.push(Op::SetLineDashPattern { dash: LineDashPattern::new(0.0, pattern) });
        }
    }
}

/// Width of `text` in millimetres.
pub fn width_mm(face: &Face, size_pt: f32, text: &str) -> f32 {
    face.width_pt(text, size_pt) * MM_PER_PT
}

/// `text`, or its longest prefix that fits `max_width` mm with an ellipsis appended.
pub fn fit(face: &Face, size_pt: f32, text: &str, max_width: f32) -> String {
    if width_mm(face, size_pt, text) <= max_width {
        return text.to_owned();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let candidate: String = chars.iter().collect::<String>().trim_end().to_owned() + "…";
        if width_mm(face, size_pt, &candidate) <= max_width {
            return candidate;
        }
    }
    String::new()
}
