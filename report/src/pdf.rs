//! The PDF: A4 landscape pages laid out top to bottom (KPI cards, charts, alarm list, well table), then the page
//! header and footer added to every page once the page count is known.

use printpdf::{CurTransMat, Mm, Op, PdfDocument, PdfPage, PdfSaveOptions, Pt, RawImage, XObjectId, XObjectTransform};

use crate::ReportError;
use crate::canvas::{Canvas, MM_PER_PT, Paint, fit, width_mm};
use crate::chart::{sparkline, trend_chart};
use crate::fonts::{Face, Fonts};
use crate::format::{NO_DATA, finite, local_time, number, quantity, signed_percent, utc_time};
use crate::model::{AlarmPriority, DashboardReport, Direction, KpiCard};

// Page geometry, millimetres.
pub(crate) const PAGE_W: f32 = 297.0;
pub(crate) const PAGE_H: f32 = 210.0;
const MARGIN_X: f32 = 12.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;
/// Top of the content area (below the page header).
const CONTENT_TOP: f32 = 181.0;
/// Bottom of the content area (above the footer).
const CONTENT_BOTTOM: f32 = 20.0;
const LOGO_MAX_W: f32 = 45.0;
const LOGO_MAX_H: f32 = 13.0;

// KPI cards.
const CARDS_PER_ROW: usize = 3;
const CARD_GAP: f32 = 5.0;
const CARD_H: f32 = 32.0;

// Charts.
const CHART_H: f32 = 70.0;

// Tables.
const SECTION_H: f32 = 7.5;
const HEADER_ROW_H: f32 = 6.5;
const ROW_H: f32 = 5.6;
const TABLE_PT: f32 = 7.5;
const SECTION_GAP: f32 = 5.0;

pub fn render(report: &DashboardReport) -> Result<Vec<u8>, ReportError> {
    let mut doc = PdfDocument::new(&format!("{} - {}", report.header.company, report.header.title));
    let fonts = Fonts::load(&mut doc)?;
    let logo = match &report.header.logo {
        Some(bytes) => {
            let mut warnings = Vec::new();
            let image = RawImage::decode_from_bytes(bytes, &mut warnings).map_err(ReportError::InvalidLogo)?;
            if image.width == 0 || image.height == 0 {
                return Err(ReportError::InvalidLogo("the image is empty".to_owned()));
            }
            Some(Logo { w_px: image.width as f32, h_px: image.height as f32, id: doc.add_image(&image) })
        }
        None => None,
    };

    let mut layout = Layout { fonts: &fonts, pages: vec![Canvas::default()], y: CONTENT_TOP };
    layout.filters(&report.header.filters);
    layout.kpi_cards(&report.kpis);
    for chart in &report.charts {
        layout.y -= SECTION_GAP;
        layout.ensure(CHART_H);
        let y = layout.y - CHART_H;
        trend_chart(layout.page(), &fonts, chart, MARGIN_X, y, CONTENT_W, CHART_H);
        layout.y = y;
    }
    layout.alarms(report);
    layout.wells(report);

    let total = layout.pages.len();
    let pages = layout
        .pages
        .into_iter()
        .enumerate()
        .map(|(i, mut canvas)| {
            page_header(&mut canvas, &fonts, report, logo.as_ref());
            page_footer(&mut canvas, &fonts, report, i + 1, total);
            PdfPage::new(Mm(PAGE_W), Mm(PAGE_H), canvas.ops)
        })
        .collect();
    doc.with_pages(pages);
    let mut warnings = Vec::new();
    Ok(doc.save(&PdfSaveOptions::default(), &mut warnings))
}

struct Logo {
    id: XObjectId,
    w_px: f32,
    h_px: f32,
}

/// Company and title at the left, the logo at the right (scaled into its box, aspect kept), a rule below.
fn page_header(canvas: &mut Canvas, fonts: &Fonts, report: &DashboardReport, logo: Option<&Logo>) {
    let header = &report.header;
    let mut text_w = CONTENT_W;
    if let Some(logo) = logo {
        let scale = (LOGO_MAX_W / logo.w_px).min(LOGO_MAX_H / logo.h_px);
        let (w, h) = (logo.w_px * scale, logo.h_px * scale);
        let (x, y) = (PAGE_W - MARGIN_X - w, PAGE_H - 9.0 - h);
        let mm = |v: f32| Pt::from(Mm(v)).0;
        canvas.ops.extend([
            Op::SaveGraphicsState,
            Op::SetTransformationMatrix { matrix: CurTransMat::Raw([mm(w), 0.0, 0.0, mm(h), mm(x), mm(y)]) },
            Op::UseXobject {
                id: logo.id.clone(),
                transform: XObjectTransform { no_auto_scale: true, ..XObjectTransform::default() },
            },
            Op::RestoreGraphicsState,
        ]);
        text_w -= w + 5.0;
    }
    canvas.text_fit(&fonts.bold, 13.0, (MARGIN_X, PAGE_H - 15.0), text_w, &header.company, Paint::INK);
    canvas.text_fit(&fonts.regular, 10.0, (MARGIN_X, PAGE_H - 21.5), text_w, &header.title, Paint::MUTED);
    canvas.hline(MARGIN_X, PAGE_W - MARGIN_X, PAGE_H - 25.0, 0.8, Paint::RULE);
}

/// Generated-at and data-as-of in the tenant's zone (and in UTC, small), "page n of m" at the right.
fn page_footer(canvas: &mut Canvas, fonts: &Fonts, report: &DashboardReport, page: usize, total: usize) {
    let header = &report.header;
    canvas.hline(MARGIN_X, PAGE_W - MARGIN_X, 17.0, 0.5, Paint::RULE);
    let local = format!(
        "Generated {}   ·   Data as of {}",
        local_time(header.generated_at, header.time_zone),
        local_time(header.data_as_of, header.time_zone)
    );
    canvas.text(&fonts.regular, 8.0, MARGIN_X, 12.5, &local, Paint::MUTED);
    let utc = format!(
        "Generated {}, data as of {} ({})",
        utc_time(header.generated_at),
        utc_time(header.data_as_of),
        header.time_zone.name()
    );
    canvas.text(&fonts.regular, 6.5, MARGIN_X, 9.0, &utc, Paint::FAINT);
    canvas.text_right(&fonts.regular, 8.0, PAGE_W - MARGIN_X, 12.5, &format!("page {page} of {total}"), Paint::MUTED);
}

/// The flowing layout: a list of pages and the top of the free space on the last one.
struct Layout<'a> {
    fonts: &'a Fonts,
    pages: Vec<Canvas>,
    y: f32,
}

enum Align {
    Left,
    Right,
}

struct Column {
    title: &'static str,
    width: f32,
    align: Align,
}

enum Cell {
    Text(String),
    /// Printed grey ("no data", "none").
    Muted(String),
    Priority(AlarmPriority),
}

impl Cell {
    fn number(value: Option<f64>, unit: &str) -> Cell {
        match finite(value) {
            Some(_) => Cell::Text(number(value, unit, None)),
            None => Cell::Muted(NO_DATA.to_owned()),
        }
    }

    fn optional(text: Option<String>, missing: &str) -> Cell {
        match text {
            Some(t) if !t.trim().is_empty() => Cell::Text(t),
            _ => Cell::Muted(missing.to_owned()),
        }
    }
}

impl Layout<'_> {
    fn page(&mut self) -> &mut Canvas {
        if self.pages.is_empty() {
            self.pages.push(Canvas::default());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Canvas::default());
        self.y = CONTENT_TOP;
    }

    /// Starts a new page unless `height` mm fit above the footer.
    fn ensure(&mut self, height: f32) {
        if self.y - height < CONTENT_BOTTOM {
            self.new_page();
        }
    }

    fn filters(&mut self, filters: &[String]) {
        let fonts = self.fonts;
        let label = "Filters:";
        let indent = width_mm(&fonts.bold, 8.0, label) + 2.0;
        let mut y = self.y - 3.0;
        let x = MARGIN_X;
        let page = self.page();
        page.text(&fonts.bold, 8.0, x, y, label, Paint::MUTED);
        if filters.is_empty() {
            page.text(&fonts.regular, 8.0, x + indent, y, "none", Paint::MUTED);
            y -= 4.0;
        }
        for line in filters {
            page.text_fit(&fonts.regular, 8.0, (x + indent, y), CONTENT_W - indent, line, Paint::INK);
            y -= 4.0;
        }
        self.y = y - 1.0;
    }

    fn kpi_cards(&mut self, kpis: &[KpiCard]) {
        let card_w = (CONTENT_W - CARD_GAP * (CARDS_PER_ROW as f32 - 1.0)) / CARDS_PER_ROW as f32;
        for row in kpis.chunks(CARDS_PER_ROW) {
            self.ensure(CARD_H);
            let top = self.y;
            for (i, kpi) in row.iter().enumerate() {
                let x = MARGIN_X + i as f32 * (card_w + CARD_GAP);
                let fonts = self.fonts;
                kpi_card(self.page(), fonts, kpi, x, top, card_w);
            }
            self.y = top - CARD_H - CARD_GAP;
        }
        self.y += CARD_GAP;
    }

    fn section_title(&mut self, title: &str) {
        let fonts = self.fonts;
        let y = self.y - 5.0;
        self.page().text(&fonts.bold, 10.0, MARGIN_X, y, title, Paint::INK);
        self.y -= SECTION_H;
    }

    fn table(&mut self, title: &str, columns: &[Column], rows: &[Vec<Cell>], empty: &str) {
        self.y -= SECTION_GAP;
        self.ensure(SECTION_H + HEADER_ROW_H + 2.0 * ROW_H);
        self.section_title(title);
        if rows.is_empty() {
            let fonts = self.fonts;
            let y = self.y - 4.0;
            self.page().text(&fonts.regular, 8.0, MARGIN_X, y, empty, Paint::MUTED);
            self.y -= 6.0;
            return;
        }
        self.header_row(columns);
        for (i, row) in rows.iter().enumerate() {
            if self.y - ROW_H < CONTENT_BOTTOM {
                let y = self.y;
                self.page().hline(MARGIN_X, MARGIN_X + CONTENT_W, y, 0.5, Paint::RULE);
                self.new_page();
                self.section_title(&format!("{title}, continued"));
                self.header_row(columns);
            }
            self.row(columns, row, i % 2 == 1);
        }
        let y = self.y;
        self.page().hline(MARGIN_X, MARGIN_X + CONTENT_W, y, 0.5, Paint::RULE);
    }

    fn header_row(&mut self, columns: &[Column]) {
        let fonts = self.fonts;
        let top = self.y;
        let page = self.page();
        page.fill_rect(MARGIN_X, top - HEADER_ROW_H, CONTENT_W, HEADER_ROW_H, Paint::SHADE);
        page.hline(MARGIN_X, MARGIN_X + CONTENT_W, top - HEADER_ROW_H, 0.6, Paint::RULE);
        let baseline = top - HEADER_ROW_H + 2.1;
        let mut x = MARGIN_X;
        for column in columns {
            match column.align {
                Align::Left => {
                    page.text_fit(
                        &fonts.bold,
                        TABLE_PT,
                        (x + 1.5, baseline),
                        column.width - 3.0,
                        column.title,
                        Paint::MUTED,
                    );
                }
                Align::Right => {
                    let title = fit(&fonts.bold, TABLE_PT, column.title, column.width - 3.0);
                    page.text_right(&fonts.bold, TABLE_PT, x + column.width - 1.5, baseline, &title, Paint::MUTED);
                }
            }
            x += column.width;
        }
        self.y -= HEADER_ROW_H;
    }

    fn row(&mut self, columns: &[Column], cells: &[Cell], shaded: bool) {
        let fonts = self.fonts;
        let top = self.y;
        let page = self.page();
        if shaded {
            page.fill_rect(MARGIN_X, top - ROW_H, CONTENT_W, ROW_H, Paint::ZEBRA);
        }
        let baseline = top - ROW_H + 1.8;
        let mut x = MARGIN_X;
        for (column, cell) in columns.iter().zip(cells) {
            let (text, paint) = match cell {
                Cell::Text(t) => (t.as_str(), Paint::INK),
                Cell::Muted(t) => (t.as_str(), Paint::FAINT),
                Cell::Priority(p) => {
                    page.priority_badge(&fonts.bold, TABLE_PT, *p, x + 1.5, baseline);
                    x += column.width;
                    continue;
                }
            };
            let text = fit(&fonts.regular, TABLE_PT, text, column.width - 3.0);
            match column.align {
                Align::Left => page.text(&fonts.regular, TABLE_PT, x + 1.5, baseline, &text, paint),
                Align::Right => {
                    page.text_right(&fonts.regular, TABLE_PT, x + column.width - 1.5, baseline, &text, paint)
                }
            }
            x += column.width;
        }
        self.y -= ROW_H;
    }

    fn alarms(&mut self, report: &DashboardReport) {
        let zone = report.header.time_zone;
        let columns = [
            Column { title: "Priority", width: 27.0, align: Align::Left },
            Column { title: "State", width: 25.0, align: Align::Left },
            Column { title: "Well", width: 38.0, align: Align::Left },
            Column { title: "Rule", width: 40.0, align: Align::Left },
            Column { title: "Message", width: 75.0, align: Align::Left },
            Column { title: "Raised", width: 36.0, align: Align::Left },
            Column { title: "Acknowledged by", width: 32.0, align: Align::Left },
        ];
        let rows: Vec<Vec<Cell>> = report
            .alarms
            .iter()
            .map(|a| {
                vec![
                    Cell::Priority(a.priority),
                    Cell::Text(a.state.label().to_owned()),
                    Cell::Text(a.well.clone()),
                    Cell::Text(a.rule.clone()),
                    Cell::Text(a.message.clone()),
                    Cell::Text(local_time(a.raised_at, zone)),
                    Cell::optional(a.acknowledged_by.clone(), "not acknowledged"),
                ]
            })
            .collect();
        self.table(&format!("Alarms ({})", rows.len()), &columns, &rows, "No alarms.");
    }

    fn wells(&mut self, report: &DashboardReport) {
        let zone = report.header.time_zone;
        let columns = [
            Column { title: "Well", width: 50.0, align: Align::Left },
            Column { title: "API number", width: 32.0, align: Align::Left },
            Column { title: "Status", width: 26.0, align: Align::Left },
            Column { title: "Oil BOPD", width: 25.0, align: Align::Right },
            Column { title: "Gas MCFD", width: 25.0, align: Align::Right },
            Column { title: "Water BWPD", width: 25.0, align: Align::Right },
            Column { title: "Downtime %", width: 25.0, align: Align::Right },
            Column { title: "Last reading", width: 38.0, align: Align::Left },
            Column { title: "Alarm", width: 27.0, align: Align::Left },
        ];
        let rows: Vec<Vec<Cell>> = report
            .wells
            .iter()
            .map(|w| {
                vec![
                    Cell::Text(w.name.clone()),
                    Cell::optional(w.api_number.clone(), "none"),
                    Cell::Text(w.status.clone()),
                    Cell::number(w.oil_bopd, "BOPD"),
                    Cell::number(w.gas_mcfd, "MCFD"),
                    Cell::number(w.water_bwpd, "BWPD"),
                    match finite(w.downtime_percent) {
                        Some(_) => Cell::Text(quantity(w.downtime_percent, "%", None)),
                        None => Cell::Muted(NO_DATA.to_owned()),
                    },
                    Cell::optional(w.last_reading_at.map(|t| local_time(t, zone)), NO_DATA),
                    match w.alarm {
                        Some(p) => Cell::Priority(p),
                        None => Cell::Muted("none".to_owned()),
                    },
                ]
            })
            .collect();
        self.table(&format!("Wells ({})", rows.len()), &columns, &rows, "No wells match the filters.");
    }
}

/// One KPI card with its top-left corner at (x, top).
fn kpi_card(page: &mut Canvas, fonts: &Fonts, kpi: &KpiCard, x: f32, top: f32, w: f32) {
    let inner_x = x + 3.0;
    let spark_w = 28.0;
    match kpi.alarm {
        Some(priority) => {
            page.stroke_rect(x, top - CARD_H, w, CARD_H, 1.6, Paint::priority(priority));
            let badge_w = badge_width(&fonts.bold, 7.5, priority);
            page.priority_badge(&fonts.bold, 7.5, priority, x + w - 3.0 - badge_w, top - 5.5);
        }
        None => page.stroke_rect(x, top - CARD_H, w, CARD_H, 0.6, Paint::RULE),
    }
    let label_w = w - 6.0 - kpi.alarm.map_or(0.0, |p| badge_width(&fonts.bold, 7.5, p) + 3.0);
    page.text_fit(&fonts.bold, 8.5, (inner_x, top - 5.5), label_w, &kpi.label, Paint::MUTED);

    // Value and unit.
    let value_y = top - 15.0;
    match finite(kpi.value) {
        Some(_) => {
            let value = number(kpi.value, &kpi.unit, kpi.decimals);
            let drawn = page.text_fit(&fonts.bold, 18.0, (inner_x, value_y), w - 9.0 - spark_w, &value, Paint::INK);
            page.text(&fonts.regular, 9.5, inner_x + drawn + 1.2, value_y, kpi.unit.trim(), Paint::MUTED);
        }
        None => page.text(&fonts.regular, 14.0, inner_x, value_y, NO_DATA, Paint::FAINT),
    }

    // Change against the previous value: arrow and word, signed percent, previous value with its unit.
    let arrow = match kpi.direction {
        Direction::Up => "▲",
        Direction::Down => "▼",
        Direction::Flat => "►",
    };
    // Without a change or a previous value there is nothing to compare: no arrow.
    let (change, paint) = match (finite(kpi.change_percent), finite(kpi.previous)) {
        (None, None) => ("no comparison".to_owned(), Paint::FAINT),
        (pct, previous) => {
            let mut change = format!("{arrow} {}", kpi.direction.as_str());
            if let Some(pct) = pct {
                change.push(' ');
                change.push_str(&signed_percent(pct));
            }
            if previous.is_some() {
                change.push_str(" vs ");
                change.push_str(&quantity(previous, &kpi.unit, kpi.decimals));
            }
            (change, Paint::MUTED)
        }
    };
    page.text_fit(&fonts.regular, 8.0, (inner_x, top - 22.0), w - 6.0, &change, paint);
    page.text_fit(&fonts.regular, 7.5, (inner_x, top - 28.0), w - 6.0, &kpi.note, Paint::MUTED);

    // Sparkline of the last seven days, top right under the label.
    let spark_x = x + w - 3.0 - spark_w;
    if kpi.sparkline.iter().any(|v| finite(*v).is_some()) {
        sparkline(page, &kpi.sparkline, spark_x, top - 15.0, spark_w, 7.0);
        page.text_right(&fonts.regular, 5.5, x + w - 3.0, top - 17.6, "last 7 days", Paint::FAINT);
    }
}

fn badge_width(face: &Face, size_pt: f32, priority: AlarmPriority) -> f32 {
    size_pt * MM_PER_PT * 0.8 + 1.2 + width_mm(face, size_pt, &priority.as_str().to_uppercase())
}
