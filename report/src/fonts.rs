//! The embedded fonts (DejaVu Sans regular and bold, `assets/fonts/`) and text measurement.
//!
//! The builtin PDF fonts cover WinAnsi only; DejaVu Sans has the arrows, shapes and Latin, Greek and Cyrillic
//! letters well names use. printpdf subsets the fonts on save, so a report carries only the glyphs it prints.

use printpdf::{FontId, ParsedFont, PdfDocument, PdfFontHandle};

use crate::ReportError;

const REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// Advance of a character the font lacks (printed as the font's missing-glyph box), in em.
const MISSING_ADVANCE_EM: f32 = 0.6;

/// One face registered in a document.
pub struct Face {
    handle: PdfFontHandle,
    parsed: ParsedFont,
    units_per_em: f32,
}

impl Face {
    fn load(doc: &mut PdfDocument, bytes: &[u8], name: &'static str) -> Result<Self, ReportError> {
        let mut warnings = Vec::new();
        let parsed = ParsedFont::from_bytes(bytes, 0, &mut warnings).ok_or(ReportError::Font(name))?;
        let units_per_em = f32::from(parsed.pdf_font_metrics.units_per_em.max(1));
        let id: FontId = doc.add_font(&parsed);
        Ok(Self { handle: PdfFontHandle::External(id), parsed, units_per_em })
    }

    pub fn handle(&self) -> PdfFontHandle {
        self.handle.clone()
    }

    /// Width of `text` at `size_pt`, in points (advances only; the layout needs no kerning precision).
    pub fn width_pt(&self, text: &str, size_pt: f32) -> f32 {
        let em: f32 = text
            .chars()
            .map(|c| match self.parsed.lookup_glyph_index(u32::from(c)) {
                Some(gid) => f32::from(self.parsed.get_horizontal_advance(gid)) / self.units_per_em,
                None => MISSING_ADVANCE_EM,
            })
            .sum();
        em * size_pt
    }
}

/// The regular and bold faces of one document.
pub struct Fonts {
    pub regular: Face,
    pub bold: Face,
}

impl Fonts {
    /// Parses both faces and adds them to `doc`.
    pub fn load(doc: &mut PdfDocument) -> Result<Self, ReportError> {
        Ok(Self { regular: Face::load(doc, REGULAR, "DejaVuSans")?, bold: Face::load(doc, BOLD, "DejaVuSans-Bold")? })
    }
}
