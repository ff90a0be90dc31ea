//! The "Server…" dialog's fields (embedded demo or a remote address, the inline error) and what a change of
//! backend does to the model: the connection, the session and the data go, the settings and the messages stay.
//!
//! Owns: those two. Must not touch: egui, files, the network, clocks (the instant comes from the caller); the
//! address is checked by `io::server_choice`, through the app.

use super::{Level, Mode, Model};
use crate::protocol::ServerTarget;

/// The dialog's state. The dialog edits `remote` and `url` in place, as the login dialog edits its form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerDialog {
    pub open: bool,
    /// "Remote server" is chosen (else "Embedded demo").
    pub remote: bool,
    /// The remote server's address as typed.
    pub url: String,
    /// Why the last "Connect" was refused, shown in the dialog.
    pub error: Option<String>,
}

impl ServerDialog {
    /// The choice the "Connect" button sends.
    pub fn target(&self) -> ServerTarget {
        if self.remote { ServerTarget::Remote { url: self.url.trim().to_owned() } } else { ServerTarget::Embedded }
    }

    /// "Connect" is possible: the demo, or an address typed.
    pub fn can_connect(&self) -> bool {
        !self.remote || !self.url.trim().is_empty()
    }
}

impl Model {
    /// Local command: opens the dialog on the backend in use (a remote one's address filled in), or closes it.
    pub fn show_server_dialog(&mut self, open: bool) {
        if !open {
            self.server_dialog = ServerDialog::default();
            return;
        }
        let remote = self.mode == Mode::Remote;
        let url = if remote { self.server_url.clone().unwrap_or_default() } else { String::new() };
        self.server_dialog = ServerDialog { open: !self.is_read_only(), remote, url, error: None };
    }

    /// The app refused the dialog's choice (an invalid address): the dialog stays open with the reason.
    pub fn server_refused(&mut self, reason: String) {
        self.server_dialog.error = Some(reason);
    }

    /// The app switched to another backend: a fresh connection, no session, no data; the theme, the refresh
    /// interval, the kiosk, the sound settings and the messages stay. `described` names the new backend in the
    /// message strip.
    pub fn switch_backend(
        &mut self,
        mode: Mode,
        server_url: Option<String>,
        described: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) {
        let mut fresh = Model::new(mode, server_url, self.refresh_interval);
        fresh.theme = self.theme;
        fresh.kiosk = self.kiosk.take();
        fresh.sound.muted = self.sound.muted;
        fresh.sound.unavailable = self.sound.unavailable.take();
        fresh.messages = std::mem::take(&mut self.messages);
        fresh.next_message_id = self.next_message_id;
        *self = fresh;
        self.push_message(Level::Info, format!("Switched to {described}"), at);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::format::utc;
    use crate::model::{ConnectionState, kiosk::Kiosk, kiosk::KioskOptions};
    use crate::protocol::{Event, Screen, ThemeChoice};
    use flowline_shared::Role;
    use std::time::Duration;

    fn signed_in_demo() -> Model {
        let mut model = Model::new(Mode::Embedded { data_dir: "/data".into() }, None, Duration::from_secs(60));
        let at = utc(2025, 3, 14, 12, 0, 0).unwrap();
        model.apply(Event::Startup {
            step: crate::protocol::StartupStep::Listening { base_url: "http://127.0.0.1:4000".into() },
        });
        model.apply(Event::LoggedIn {
            tenant: "demo".into(),
            username: "operator".into(),
            role: Role::Operator,
            expires_at: at,
            at,
        });
        model
    }

    #[test]
    fn the_dialog_opens_on_the_backend_in_use() {
        let mut model = signed_in_demo();
        model.show_server_dialog(true);
        assert_eq!(model.server_dialog, ServerDialog { open: true, remote: false, url: String::new(), error: None });
        assert_eq!(model.server_dialog.target(), ServerTarget::Embedded);

        let mut model = Model::new(Mode::Remote, Some("http://ops.example:8080".into()), Duration::from_secs(30));
        model.show_server_dialog(true);
        assert!(model.server_dialog.remote);
        assert_eq!(model.server_dialog.target(), ServerTarget::Remote { url: "http://ops.example:8080".into() });
        model.server_refused("bad".into());
        assert_eq!(model.server_dialog.error.as_deref(), Some("bad"));
        model.show_server_dialog(false);
        assert_eq!(model.server_dialog, ServerDialog::default());
    }

    #[test]
    fn connect_needs_an_address_for_a_remote_server() {
        let mut dialog = ServerDialog { open: true, remote: true, url: "  ".into(), error: None };
        assert!(!dialog.can_connect());
        dialog.url = " http://x ".into();
        assert!(dialog.can_connect());
        assert_eq!(dialog.target(), ServerTarget::Remote { url: "http://x".into() });
        dialog.remote = false;
        assert!(dialog.can_connect());
    }

    #[test]
    fn the_kiosk_has_no_server_dialog() {
        let mut model = signed_in_demo();
        model.kiosk = Some(Kiosk::new(KioskOptions::new(1.5, 30)));
        model.show_server_dialog(true);
        assert!(!model.server_dialog.open);
    }

    #[test]
    fn switching_resets_the_connection_and_keeps_the_settings() {
        let mut model = signed_in_demo();
        model.theme = ThemeChoice::Light;
        model.sound.muted = true;
        model.screen = Screen::Wells;
        model.login.tenant = "demo".into();
        let at = utc(2025, 3, 14, 12, 5, 0).unwrap();
        model.push_message(Level::Warning, "earlier".into(), at);
        model.show_server_dialog(true);

        model.switch_backend(Mode::Remote, Some("http://ops.example:8080".into()), "http://ops.example:8080", at);
        assert_eq!(model.mode, Mode::Remote);
        assert_eq!(model.server_url.as_deref(), Some("http://ops.example:8080"));
        assert_eq!(model.connection, ConnectionState::Connecting);
        assert!(model.session.is_none());
        assert!(model.shows_login(), "a remote server asks for a sign-in");
        assert_eq!(model.login, Default::default());
        assert_eq!(model.screen, Screen::Dashboard);
        assert!(!model.server_dialog.open);
        assert_eq!(
            (model.theme, model.sound.muted, model.refresh_interval),
            (ThemeChoice::Light, true, Duration::from_secs(60))
        );
        let texts: Vec<&str> = model.messages.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(texts, ["earlier", "Switched to http://ops.example:8080"]);
        assert!(model.messages[0].id < model.messages[1].id, "message ids stay unique");
    }
}
