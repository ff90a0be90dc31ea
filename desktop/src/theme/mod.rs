//! The look: egui visuals and text styles built from the design [`tokens`], and the palette views draw with.
//!
//! Owns: turning tokens into `egui::Style` for the dark, the light and the high-contrast theme (egui knows only
//! dark and light: the high-contrast style is installed in egui's dark slot and recognised by its panel colour).
//! Must not touch: the model or I/O.

pub mod tokens;

use crate::protocol::ThemeChoice;
use egui::{CornerRadius, FontFamily, FontId, Stroke, TextStyle, Theme};
use tokens::{Palette, size};

/// The palette of the theme `ui` is drawn in.
pub fn palette(ui: &egui::Ui) -> &'static Palette {
    palette_for(ui.visuals())
}

/// The palette of a style: light, or one of the two dark ones (the high-contrast one by its panel colour).
pub fn palette_for(visuals: &egui::Visuals) -> &'static Palette {
    if !visuals.dark_mode {
        &tokens::LIGHT
    } else if visuals.panel_fill == tokens::HIGH_CONTRAST.panel_bg {
        &tokens::HIGH_CONTRAST
    } else {
        &tokens::DARK
    }
}

/// Installs the themes' styles on the context and selects `choice`.
pub fn install(ctx: &egui::Context, choice: ThemeChoice) {
    ctx.set_style_of(Theme::Light, style(&tokens::LIGHT, egui::Visuals::light()));
    select(ctx, choice);
}

/// Switches themes: the high-contrast style replaces the dark one in egui's dark slot, and back.
pub fn select(ctx: &egui::Context, choice: ThemeChoice) {
    let dark = if choice == ThemeChoice::HighContrast { &tokens::HIGH_CONTRAST } else { &tokens::DARK };
    ctx.set_style_of(Theme::Dark, style(dark, egui::Visuals::dark()));
    ctx.set_theme(match choice {
        ThemeChoice::Dark | ThemeChoice::HighContrast => Theme::Dark,
        ThemeChoice::Light => Theme::Light,
    });
}

fn style(p: &Palette, base: egui::Visuals) -> egui::Style {
    let mut visuals = base;
    let radius = CornerRadius::same(size::CORNER_RADIUS);
    visuals.panel_fill = p.panel_bg;
    visuals.window_fill = p.window_bg;
    visuals.window_stroke = Stroke::new(1.0, p.border);
    visuals.extreme_bg_color = p.field_bg;
    visuals.faint_bg_color = p.stripe_bg;
    visuals.warn_fg_color = p.warning;
    visuals.error_fg_color = p.alarm;
    visuals.hyperlink_color = p.accent;
    visuals.weak_text_color = Some(p.text_weak);
    visuals.selection.bg_fill = p.accent.gamma_multiply(0.45);
    visuals.selection.stroke = Stroke::new(1.0, p.text_strong);
    visuals.window_corner_radius = radius;
    visuals.striped = true;

    let widgets = &mut visuals.widgets;
    widgets.noninteractive.fg_stroke = Stroke::new(1.0, p.text);
    widgets.noninteractive.bg_stroke = Stroke::new(1.0, p.border);
    widgets.noninteractive.bg_fill = p.panel_bg;
    for (state, bg) in [
        (&mut widgets.inactive, p.button_bg),
        (&mut widgets.hovered, p.button_hover_bg),
        (&mut widgets.active, p.button_active_bg),
        (&mut widgets.open, p.button_active_bg),
    ] {
        state.bg_fill = bg;
        state.weak_bg_fill = bg;
        state.corner_radius = radius;
        state.fg_stroke = Stroke::new(1.0, p.text_strong);
    }
    widgets.hovered.bg_stroke = Stroke::new(1.0, p.accent);
    widgets.active.bg_stroke = Stroke::new(1.0, p.accent);

    let mut style = egui::Style { visuals, ..Default::default() };
    style.spacing.item_spacing = egui::vec2(size::SPACING, size::SPACING * 0.6);
    style.spacing.button_padding = egui::vec2(size::SPACING, size::SPACING * 0.5);
    style.text_styles = [
        (TextStyle::Heading, FontId::new(size::HEADING_FONT, FontFamily::Proportional)),
        (TextStyle::Body, FontId::new(size::BODY_FONT, FontFamily::Proportional)),
        (TextStyle::Button, FontId::new(size::BUTTON_FONT, FontFamily::Proportional)),
        (TextStyle::Small, FontId::new(size::SMALL_FONT, FontFamily::Proportional)),
        (TextStyle::Monospace, FontId::new(size::BODY_FONT, FontFamily::Monospace)),
    ]
    .into();
    style
}
