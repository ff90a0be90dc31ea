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
    /// Abnormal, needs action now (errors, failed start-up, critical alarms).
    pub alarm: Color32,
    /// Low-priority ("Info") alarms: abnormal but not urgent.
    pub info_alarm: Color32,
    /// Text on a background filled with `alarm`, `warning` or `info_alarm` (the badge, the banner).
    pub on_state: Color32,
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
    text_weak: Color32::from_rgb(0xa0, 0xa4, 0xaa),
    stale: Color32::from_rgb(0xc3, 0x9b, 0xe8),
    warning: Color32::from_rgb(0xf0, 0xb4, 0x29),
    alarm: Color32::from_rgb(0xff, 0x82, 0x76),
    info_alarm: Color32::from_rgb(0x5f, 0xc4, 0xc4),
    on_state: Color32::from_rgb(0x14, 0x15, 0x17),
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
    text_weak: Color32::from_rgb(0x55, 0x59, 0x5f),
    stale: Color32::from_rgb(0x6a, 0x32, 0x9c),
    warning: Color32::from_rgb(0x75, 0x44, 0x00),
    alarm: Color32::from_rgb(0x9c, 0x1d, 0x13),
    info_alarm: Color32::from_rgb(0x18, 0x58, 0x58),
    on_state: Color32::from_rgb(0xff, 0xff, 0xff),
    accent: Color32::from_rgb(0x2f, 0x5f, 0x9e),
    button_bg: Color32::from_rgb(0xc8, 0xca, 0xce),
    button_hover_bg: Color32::from_rgb(0xbd, 0xc0, 0xc5),
    button_active_bg: Color32::from_rgb(0xb0, 0xb4, 0xba),
};

/// The wall display's theme (kiosk mode, and a choice of the theme button): near-black backgrounds, near-white
/// text and bright state colours, every text pair at 7:1 or more (WCAG AAA) so that it reads across a room.
pub const HIGH_CONTRAST: Palette = Palette {
    panel_bg: Color32::from_rgb(0x00, 0x00, 0x00),
    window_bg: Color32::from_rgb(0x0c, 0x0c, 0x0d),
    field_bg: Color32::from_rgb(0x00, 0x00, 0x00),
    stripe_bg: Color32::from_rgb(0x16, 0x16, 0x18),
    border: Color32::from_rgb(0x9a, 0x9a, 0x9a),
    text: Color32::from_rgb(0xf0, 0xf0, 0xf0),
    text_strong: Color32::from_rgb(0xff, 0xff, 0xff),
    text_weak: Color32::from_rgb(0xcc, 0xcc, 0xcc),
    stale: Color32::from_rgb(0xd9, 0xbb, 0xff),
    warning: Color32::from_rgb(0xff, 0xd2, 0x3f),
    alarm: Color32::from_rgb(0xff, 0x8a, 0x80),
    info_alarm: Color32::from_rgb(0x7f, 0xe3, 0xe3),
    on_state: Color32::from_rgb(0x00, 0x00, 0x00),
    accent: Color32::from_rgb(0x9c, 0xc8, 0xff),
    button_bg: Color32::from_rgb(0x22, 0x22, 0x24),
    button_hover_bg: Color32::from_rgb(0x30, 0x30, 0x33),
    button_active_bg: Color32::from_rgb(0x40, 0x40, 0x44),
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
    /// Below this window width the KPI tiles stack in one column (tablet portrait).
    pub const ONE_COLUMN_BELOW: f32 = 768.0;
    /// Height of a KPI tile.
    pub const TILE_HEIGHT: f32 = 190.0;
    /// The KPI value's font size: read from across a control room.
    pub const VALUE_FONT: f32 = 30.0;
    /// Height of a tile's 7-day sparkline and the width of its line.
    pub const SPARKLINE_HEIGHT: f32 = 34.0;
    pub const SPARKLINE_STROKE: f32 = 1.5;
    /// Radius of the dot on the sparkline's last day.
    pub const SPARKLINE_DOT: f32 = 2.5;
    /// Width of the alarm drawer.
    pub const DRAWER_WIDTH: f32 = 440.0;
    /// Outline width of the alarm badge at the peak of its pulse.
    pub const PULSE_STROKE: f32 = 3.0;
    /// Width of the text fields in the alarm drawer.
    pub const DRAWER_FIELD_WIDTH: f32 = 260.0;
    /// Width of the drawer's date fields (YYYY-MM-DD).
    pub const DATE_FIELD_WIDTH: f32 = 120.0;
    /// The navigation sidebar: full width with words, and collapsed to its icons below `SIDEBAR_COLLAPSE_BELOW`.
    pub const SIDEBAR_WIDTH: f32 = 150.0;
    pub const SIDEBAR_COLLAPSED_WIDTH: f32 = 46.0;
    pub const SIDEBAR_COLLAPSE_BELOW: f32 = 768.0;
    /// Width of the keyboard help overlay.
    pub const HELP_WIDTH: f32 = 460.0;
    /// Width of a shortcut's key column in the help overlay.
    pub const HELP_KEY_WIDTH: f32 = 140.0;
    /// Default zoom factor of the wall display (kiosk mode), read from across a control room...
    pub const KIOSK_ZOOM: f32 = 1.5;
    /// ...raised on wider monitors so that the layout fills this many points across (1.5 on 1920 px, 3 on 3840).
    pub const KIOSK_DESIGN_WIDTH: f32 = 1280.0;
    /// The zoom factors accepted (`--zoom`).
    pub const MIN_ZOOM: f32 = 0.5;
    pub const MAX_ZOOM: f32 = 4.0;
}

/// Timings of animations, in seconds.
pub mod motion {
    /// One cycle of the alarm badge's pulse.
    pub const PULSE_PERIOD: f32 = 0.8;
    /// Repaint interval while something animates.
    pub const ANIMATION_FRAME: f32 = 1.0 / 30.0;
    /// A KPI figure moves from its old value to its new one in this time (US-1104: no jump, no flicker).
    pub const VALUE_TWEEN: f64 = 0.4;
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
    /// The auto-refresh waits while the operator works.
    pub const PAUSED: &str = "⏸";
    pub const SORT_ASCENDING: &str = "⏶";
    pub const SORT_DESCENDING: &str = "⏷";
    pub const DARK_THEME: &str = "🌙";
    pub const LIGHT_THEME: &str = "☀";
    /// A well out of production (shut in, inactive, plugged).
    pub const OUT_OF_PRODUCTION: &str = "○";
    pub const PRODUCING: &str = "⏺";
    pub const ALARM_BELL: &str = "🔔";
    /// Alarm priorities: critical, high ("Warning"), low ("Info").
    pub const CRITICAL: &str = "⛔";
    pub const HIGH: &str = "⚠";
    pub const LOW: &str = "ℹ";
    pub const ACKNOWLEDGED: &str = "✔";
    pub const RETURNED: &str = "↩";
    pub const SHELVED: &str = "⏸";
    pub const TREND_UP: &str = "⬆";
    pub const TREND_DOWN: &str = "⬇";
    pub const TREND_FLAT: &str = "➡";
    pub const CLOSE: &str = "✖";
    /// Navigation (sidebar) and the help, mute and high-contrast buttons.
    pub const DASHBOARD: &str = "📊";
    pub const WELLS: &str = "☰";
    pub const HELP: &str = "❓";
    pub const SOUND_ON: &str = "🔊";
    pub const MUTED: &str = "🔇";
    pub const HIGH_CONTRAST: &str = "◑";
    pub const KEYBOARD: &str = "⌨";

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
        ALARM_BELL,
        CRITICAL,
        HIGH,
        LOW,
        ACKNOWLEDGED,
        RETURNED,
        SHELVED,
        TREND_UP,
        TREND_DOWN,
        TREND_FLAT,
        CLOSE,
        DASHBOARD,
        WELLS,
        HELP,
        SOUND_ON,
        MUTED,
        HIGH_CONTRAST,
        KEYBOARD,
    ];
}

/// WCAG 2.1 relative luminance of an sRGB colour.
pub fn relative_luminance(c: Color32) -> f64 {
    let channel = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.039_28 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * channel(c.r()) + 0.7152 * channel(c.g()) + 0.0722 * channel(c.b())
}

/// WCAG 2.1 contrast ratio of two colours (1 to 21).
pub fn contrast_ratio(a: Color32, b: Color32) -> f64 {
    let (la, lb) = (relative_luminance(a), relative_luminance(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::{DARK, HIGH_CONTRAST, LIGHT, Palette, contrast_ratio, icon};
    use egui::Color32;

    #[test]
    fn contrast_ratio_matches_the_wcag_reference_values() {
        assert!((contrast_ratio(Color32::BLACK, Color32::WHITE) - 21.0).abs() < 1e-9);
        assert!((contrast_ratio(Color32::WHITE, Color32::WHITE) - 1.0).abs() < 1e-9);
        // #767676 on white is the classic 4.54:1.
        let grey = Color32::from_rgb(0x76, 0x76, 0x76);
        assert!((contrast_ratio(grey, Color32::WHITE) - 4.54).abs() < 0.01);
    }

    /// Every text colour on every background it is drawn on: at least 4.5:1 (WCAG 2.1 AA, normal text); the
    /// sparkline and outlines (UI parts) at least 3:1. The high-contrast theme must reach 7:1 (AAA) on text and
    /// 4.5:1 on UI parts.
    #[test]
    fn every_text_and_background_pair_in_use_meets_wcag_aa() {
        for (theme, p, text_min, part_min) in
            [("dark", &DARK, 4.5, 3.0), ("light", &LIGHT, 4.5, 3.0), ("high contrast", &HIGH_CONTRAST, 7.0, 4.5)]
        {
            // Every text colour is drawn on panels, dialogs (the tiles, the drawer), text fields and table stripes.
            let backgrounds =
                [("panel", p.panel_bg), ("window", p.window_bg), ("field", p.field_bg), ("stripe", p.stripe_bg)];
            let texts = |p: &Palette| {
                [
                    ("text", p.text),
                    ("text_strong", p.text_strong),
                    ("text_weak", p.text_weak),
                    ("stale", p.stale),
                    ("warning", p.warning),
                    ("alarm", p.alarm),
                    ("info_alarm", p.info_alarm),
                ]
            };
            let mut failures = Vec::new();
            for (bg_name, bg) in backgrounds {
                for (fg_name, fg) in texts(p) {
                    let ratio = contrast_ratio(fg, bg);
                    if ratio < text_min {
                        failures.push(format!("{theme}: {fg_name} on {bg_name} = {ratio:.2}"));
                    }
                }
            }
            // Buttons carry text and text_strong only (the badge at rest, the drawer's and the bar's buttons).
            for (bg_name, bg) in [("button", p.button_bg), ("button hover", p.button_hover_bg)] {
                for (fg_name, fg) in [("text", p.text), ("text_strong", p.text_strong)] {
                    let ratio = contrast_ratio(fg, bg);
                    if ratio < text_min {
                        failures.push(format!("{theme}: {fg_name} on {bg_name} = {ratio:.2}"));
                    }
                }
            }
            // The badge and the banner: text on a filled state colour.
            for (fill_name, fill) in [("alarm", p.alarm), ("warning", p.warning), ("info_alarm", p.info_alarm)] {
                let ratio = contrast_ratio(p.on_state, fill);
                if ratio < text_min {
                    failures.push(format!("{theme}: on_state on {fill_name} = {ratio:.2}"));
                }
            }
            // UI parts: the sparkline (text_weak) and the badge's grey outline at rest (border is decoration only).
            for (bg_name, bg) in [("panel", p.panel_bg), ("window", p.window_bg)] {
                let ratio = contrast_ratio(p.text_weak, bg);
                if ratio < part_min {
                    failures.push(format!("{theme}: sparkline on {bg_name} = {ratio:.2}"));
                }
            }
            // The wall display's tile outlines and focus/hover strokes must be seen from afar too.
            if p == &HIGH_CONTRAST {
                for (part_name, part) in [("border", p.border), ("accent", p.accent)] {
                    for (bg_name, bg) in [("panel", p.panel_bg), ("window", p.window_bg)] {
                        let ratio = contrast_ratio(part, bg);
                        if ratio < part_min {
                            failures.push(format!("{theme}: {part_name} on {bg_name} = {ratio:.2}"));
                        }
                    }
                }
            }
            assert!(failures.is_empty(), "{failures:#?}");
        }
    }
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
