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
    pub const PRODUCING: &str = "●";
}
