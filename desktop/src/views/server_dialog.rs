//! The "Server…" dialog (top bar, not in kiosk mode): "Embedded demo" or "Remote server" with its address,
//! Connect or Cancel; Escape (handled in `shortcuts`), Cancel or a click outside closes it. The choice is saved
//! and used at the next start too.
//!
//! Owns: the dialog's layout and the `Command::ConnectServer` it emits; the app checks the address (an invalid one
//! comes back as the dialog's inline error). Must not touch: I/O; it edits only its own [`ServerDialog`].

use crate::model::server_dialog::ServerDialog;
use crate::protocol::Command;
use crate::theme::{self, tokens::icon, tokens::size};
use egui::{Button, Id, Key, RichText, TextEdit};

pub fn show(ui: &mut egui::Ui, dialog: &mut ServerDialog, commands: &mut Vec<Command>) {
    if !dialog.open {
        return;
    }
    let modal = egui::Modal::new(Id::unique("server_dialog")).show(ui.ctx(), |ui| {
        ui.set_width(size::DIALOG_WIDTH);
        form(ui, dialog, commands)
    });
    if modal.inner || modal.should_close() {
        commands.push(Command::ShowServerDialog(false));
    }
}

/// The dialog's content; true when it asks to be closed (Cancel).
fn form(ui: &mut egui::Ui, dialog: &mut ServerDialog, commands: &mut Vec<Command>) -> bool {
    let p = theme::palette(ui);
    ui.label(RichText::new("Server").heading().color(p.text_strong));
    ui.add_space(size::SPACING);
    let before = dialog.remote;
    ui.radio_value(&mut dialog.remote, false, "Embedded demo")
        .on_hover_text("The demo backend inside this app, on the demo database in the data folder");
    ui.radio_value(&mut dialog.remote, true, "Remote server")
        .on_hover_text("A Flowline server elsewhere; you sign in to it");
    if dialog.remote != before {
        dialog.error = None;
    }
    let mut submitted = false;
    ui.add_enabled_ui(dialog.remote, |ui| {
        ui.horizontal(|ui| {
            let label = ui.label("Server address");
            let field = ui
                .add(
                    TextEdit::singleline(&mut dialog.url)
                        .hint_text("https://flowline.example.com")
                        .desired_width(size::DIALOG_WIDTH - size::FORM_LABEL_WIDTH),
                )
                .labelled_by(label.id);
            if field.changed() {
                dialog.error = None;
            }
            submitted |= field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
        });
    });
    if let Some(error) = &dialog.error {
        ui.label(RichText::new(format!("{} {error}", icon::ERROR)).color(p.alarm));
    }
    ui.add_space(size::SPACING * 0.5);
    ui.label(
        RichText::new("The choice is saved for the next start (the --server option overrides it).").color(p.text_weak),
    );
    ui.add_space(size::SPACING);
    let mut cancel = false;
    ui.horizontal(|ui| {
        let connect = ui
            .add_enabled(dialog.can_connect(), Button::new("Connect"))
            .on_hover_text("Use this backend now")
            .on_disabled_hover_text("Enter the server address first");
        submitted |= connect.clicked();
        cancel = ui.button("Cancel").on_hover_text("Keep the current server (Escape)").clicked();
    });
    if submitted && dialog.can_connect() {
        dialog.error = None;
        commands.push(Command::ConnectServer(dialog.target()));
    }
    cancel
}
