//! Keyboard shortcuts: one table (shown by the help overlay) and the per-frame check that turns key presses into
//! `Command`s. Letters act only when no text field has the focus; Escape closes the help overlay first, then the
//! "Server…" dialog (the drawer and other dialogs close themselves on the Escape left over).
//!
//! Owns: which key does what. Must not touch: the model (read only) or I/O.

use crate::model::Model;
use crate::protocol::{Command, Screen};
use egui::{Key, Modifiers};

/// Where a shortcut works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Where {
    Everywhere,
    /// Only on an operator's desk (it opens something the wall display does not have, or changes a setting).
    Desk,
    /// Only on the read-only wall display.
    Kiosk,
}

/// One line of the help overlay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortcut {
    pub keys: &'static str,
    pub action: &'static str,
    pub works: Where,
}

/// Every shortcut, in the help overlay's order.
pub const SHORTCUTS: [Shortcut; 14] = [
    Shortcut { keys: "A", action: "Open or close the alarm drawer", works: Where::Desk },
    Shortcut { keys: "D", action: "Show the dashboard", works: Where::Everywhere },
    Shortcut { keys: "W", action: "Show the well table", works: Where::Everywhere },
    Shortcut { keys: "L", action: "Show the alarm list", works: Where::Everywhere },
    Shortcut { keys: "O", action: "Show the wells by oil change (30-day trend)", works: Where::Desk },
    Shortcut { keys: "R", action: "Refresh now", works: Where::Everywhere },
    Shortcut { keys: "M", action: "Mute or unmute the audible alarms", works: Where::Everywhere },
    Shortcut { keys: "T", action: "Next theme (dark, light, high contrast)", works: Where::Desk },
    Shortcut { keys: "F1 or ?", action: "Show this help", works: Where::Everywhere },
    Shortcut {
        keys: "Escape",
        action: "Close the help, a dialog, a menu, the shelving form or the alarm drawer",
        works: Where::Desk,
    },
    Shortcut { keys: "Escape", action: "Close the help", works: Where::Kiosk },
    Shortcut { keys: "Tab, Shift+Tab", action: "Move to the next or previous button or field", works: Where::Desk },
    Shortcut { keys: "Enter or Space", action: "Press the focused button", works: Where::Desk },
    Shortcut { keys: "Arrow keys", action: "Choose in an open menu", works: Where::Desk },
];

/// The shortcuts that apply in this mode.
pub fn available(kiosk: bool) -> impl Iterator<Item = &'static Shortcut> {
    SHORTCUTS.iter().filter(move |s| match s.works {
        Where::Everywhere => true,
        Where::Desk => !kiosk,
        Where::Kiosk => kiosk,
    })
}

/// Reads this frame's key presses and pushes their commands (before the views draw, so that the Escape used here
/// does not also close the drawer).
pub fn handle(ui: &egui::Ui, model: &Model, commands: &mut Vec<Command>) {
    let ctx = ui.ctx();
    if model.help_open {
        let close = ctx.input_mut(|i| {
            i.consume_key(Modifiers::NONE, Key::Escape)
                | i.consume_key(Modifiers::NONE, Key::F1)
                | i.consume_key(Modifiers::NONE, Key::Questionmark)
        });
        if close {
            commands.push(Command::ShowHelp(false));
        }
        return;
    }
    // The "Server…" dialog is modal: Escape closes it, no other shortcut acts behind it.
    if model.server_dialog.open {
        if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape)) {
            commands.push(Command::ShowServerDialog(false));
        }
        return;
    }
    if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::F1)) {
        commands.push(Command::ShowHelp(true));
        return;
    }
    if ctx.text_edit_focused() {
        return;
    }
    let pressed = |key: Key| ctx.input_mut(|i| i.consume_key(Modifiers::NONE, key));
    if pressed(Key::Questionmark) {
        commands.push(Command::ShowHelp(true));
        return;
    }
    let signed_in = model.session.is_some();
    for (key, screen) in [(Key::D, Screen::Dashboard), (Key::W, Screen::Wells), (Key::L, Screen::Alarms)] {
        if pressed(key) && signed_in && model.screen != screen {
            commands.push(Command::ShowScreen(screen));
        }
    }
    if pressed(Key::R) && signed_in {
        commands.push(Command::RefreshNow);
    }
    if pressed(Key::M) {
        commands.push(Command::SetMuted(!model.sound.muted));
    }
    if model.is_read_only() {
        return;
    }
    if pressed(Key::A) && signed_in {
        commands.push(Command::SetAlarmDrawer(!model.drawer.open));
    }
    if pressed(Key::T) {
        commands.push(Command::SetTheme(model.theme.toggled()));
    }
    if pressed(Key::O) && signed_in && model.screen != Screen::OilChange {
        commands.push(Command::DrillDownOilChange);
    }
}
