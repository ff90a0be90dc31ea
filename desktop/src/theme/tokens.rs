//! Design tokens: the ONLY source of colours, sizes and icon glyphs in the app.
//!
//! High-performance HMI style (ISA-101): greys for everything normal, colour only for abnormal states, one
//! distinct colour for stale or missing data, and never colour alone (every coloured state also has an icon or
//! a word). Views ask for a [`Palette`] through `theme::palette(ui)`; they never write a colour literal.
//! Must not touch: anything but constants.

use egui::Color32;

/// The colours of one theme.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Palette {
    /// Panels, the main background: a calm mid grey.
    pub panel_bg: Color32,
    /// Dialogs and popups.
    pub window_bg: Color32,
    /// Text fields and scroll bar troughs.
    pub field_bg: Color32,
    /// Alternate table rows.
    pub stripe_bg: Color32,
    /// Lines between areas.
    pub border: Color32,
    /// Normal values and labels.
    pub text: Color32,
    /// Headings and the values an operator reads first.
    pub text_strong: Color32,
    /// Secondary text and wells out of production (shut in, inactive, plugged): normal, so grey.
    pub text_weak: Color32,
    /// Stale or missing data (a reading older than the stale threshold, no reading at all).
    pub stale: Color32,
    /// Abnormal, needs attention soon (connection lost, warnings).
    pub warning: Color32,
    /// Abnormal, needs action now (errors, failed start-up).
    pub alarm: Color32,
    /// Interactive elements (buttons, focus, selection); muted, never used for a state.
    pub accent: Color32,
    /// Button backgrounds at rest, hovered and pressed.
    pub button_bg: Color32,
    pub button_hover_bg: Color32,
    pub button_active_bg: Color32,
}

pub const DARK: Palette = Palette {
    panel_bg: Color32::from_rgb(0x2a, 0x2c, 0x2f),
    window_bg: Color32::from_rgb(0x33, 0x35, 0x39),
    field_bg: Color32::from_rgb(0x1e, 0x1f, 0x22),
    stripe_bg: Color32::from_rgb(0x30, 0x32, 0x36),
    border: Color32::from_rgb(0x48, 0x4b, 0x50),
    text: Color32::from_rgb(0xc8, 0xcb, 0xcf),
    text_strong: Color32::from_rgb(0xee, 0xef, 0xf1),
    text_weak: Color32::from_rgb(0x8c, 0x90, 0x96),
    stale: Color32::from_rgb(0xc3, 0x9b, 0xe8),
    warning: Color32::from_rgb(0xf0, 0xb4, 0x29),
    alarm: Color32::from_rgb(0xff, 0x6b, 0x5e),
    accent: Color32::from_rgb(0x6f, 0x9f, 0xd8),
    button_bg: Color32::from_rgb(0x3c, 0x3f, 0x44),
    button_hover_bg: Color32::from_rgb(0x47, 0x4b, 0x51),
    button_active_bg: Color32::from_rgb(0x52, 0x57, 0x5e),
};

pub const LIGHT: Palette = Palette {
    panel_bg: Color32::from_rgb(0xdc, 0xdd, 0xdf),
    window_bg: Color32::from_rgb(0xe8, 0xe9, 0xeb),
    field_bg: Color32::from_rgb(0xf7, 0xf7, 0xf8),
    stripe_bg: Color32::from_rgb(0xd3, 0xd4, 0xd7),
    border: Color32::from_rgb(0xb0, 0xb3, 0xb8),
    text: Color32::from_rgb(0x2e, 0x31, 0x35),
    text_strong: Color32::from_rgb(0x10, 0x12, 0x14),
    text_weak: Color32::from_rgb(0x68, 0x6c, 0x72),
    stale: Color32::from_rgb(0x7a, 0x3f, 0xb0),
    warning: Color32::from_rgb(0x9a, 0x5b, 0x00),
    alarm: Color32::from_rgb(0xb4, 0x23, 0x18),
    accent: Color32::from_rgb(0x2f, 0x5f, 0x9e),
    button_bg: Color32::from_rgb(0xc8, 0xca, 0xce),
    button_hover_bg: Color32::from_rgb(0xbd, 0xc0, 0xc5),
    button_active_bg: Color32::from_rgb(0xb0, 0xb4, 0xba),
};

/// Sizes in points.
pub mod size {
    /// Space between items.
    pub const SPACING: f32 = 8.0;
    /// Inner margin of panels and dialogs.
    pub const PANEL_MARGIN: i8 = 10;
    pub const CORNER_RADIUS: u8 = 4;
    /// Table rows: tall enough to read across a control room.
    pub const ROW_HEIGHT: f32 = 24.0;
    pub const HEADER_HEIGHT: f32 = 26.0;
    pub const BODY_FONT: f32 = 15.0;
    pub const SMALL_FONT: f32 = 12.5;
    pub const HEADING_FONT: f32 = 20.0;
    pub const BUTTON_FONT: f32 = 15.0;
    /// Width of the login dialog and the start-up progress card.
    pub const DIALOG_WIDTH: f32 = 380.0;
    /// Room left for the labels beside a form's fields.
    pub const FORM_LABEL_WIDTH: f32 = 110.0;
    /// Initial widths of the well table's columns when the window has room (the user can resize them)...
    pub const NAME_COLUMN: f32 = 230.0;
    pub const API_COLUMN: f32 = 175.0;
    pub const STATUS_COLUMN: f32 = 115.0;
    pub const READING_COLUMN: f32 = 290.0;
    pub const RATE_COLUMN: f32 = 130.0;
    pub const HOURS_COLUMN: f32 = 90.0;
    /// ...and how narrow they get in a narrow window before their text is elided (a name, an API number, a rate
    /// and the hours still fit; a stale reading's long date is elided, with the full text on hover).
    pub const NAME_COLUMN_MIN: f32 = 175.0;
    pub const API_COLUMN_MIN: f32 = 145.0;
    pub const STATUS_COLUMN_MIN: f32 = 85.0;
    pub const READING_COLUMN_MIN: f32 = 160.0;
    pub const RATE_COLUMN_MIN: f32 = 95.0;
    pub const HOURS_COLUMN_MIN: f32 = 80.0;
    /// How many messages the message strip shows at once.
    pub const VISIBLE_MESSAGES: usize = 3;
}

/// Glyphs that go with a state, so that no state is told by colour alone. All are in egui's default fonts (the
/// view tests fail on a missing glyph).
pub mod icon {
    pub const ONLINE: &str = "✔";
    pub const OFFLINE: &str = "⚠";
    pub const CONNECTING: &str = "⟳";
    pub const NEEDS_LOGIN: &str = "🔒";
    pub const STARTING: &str = "⏳";
    pub const STALE: &str = "⌛";
    pub const INFO: &str = "ℹ";
    pub const WARNING: &str = "⚠";
    pub const ERROR: &str = "⛔";
    pub const DISMISS: &str = "✖";
    pub const REFRESH: &str = "⟳";
    pub const SORT_ASCENDING: &str = "⏶";
    pub const SORT_DESCENDING: &str = "⏷";
    pub const DARK_THEME: &str = "🌙";
    pub const LIGHT_THEME: &str = "☀";
    /// A well out of production (shut in, inactive, plugged).
    pub const OUT_OF_PRODUCTION: &str = "○";
    pub const PRODUCING: &str = "⏺";

    /// Every glyph above, for the test that they all render.
    pub const ALL: &[&str] = &[
        ONLINE,
        OFFLINE,
        CONNECTING,
        NEEDS_LOGIN,
        STARTING,
        STALE,
        INFO,
        WARNING,
        ERROR,
        DISMISS,
        REFRESH,
        SORT_ASCENDING,
        SORT_DESCENDING,
        DARK_THEME,
        LIGHT_THEME,
        OUT_OF_PRODUCTION,
        PRODUCING,
    ];
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::icon;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    /// egui_kittest panics on a glyph that no installed font has, so this fails on a tofu icon.
    #[test]
    fn every_icon_and_symbol_has_a_glyph() {
        let symbols = ["—", "…", "·", "°"];
        let mut harness = Harness::new_ui(|ui| {
            for glyph in icon::ALL.iter().chain(symbols.iter()) {
                ui.label(format!("{glyph} x"));
            }
        });
        harness.run();
        assert!(harness.query_by_label(&format!("{} x", icon::NEEDS_LOGIN)).is_some());
    }
}
