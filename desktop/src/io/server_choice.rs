//! Which backend the app talks to: the start-up precedence (`--server` / `FLOWLINE_SERVER`, then the saved choice,
//! then the embedded demo), the check of a typed server address, and the mapping between a [`BackendChoice`], the
//! "Server…" dialog's [`ServerTarget`] and the saved [`Settings`].
//!
//! Owns: those rules, as pure functions (the address check builds an [`ApiClient`], which reads nothing and
//! sends nothing). Must not touch: files (that is `settings_file`), egui, the model.

use super::BackendChoice;
use super::client::ApiClient;
use super::settings_file::Settings;
use crate::protocol::ServerTarget;
use std::path::Path;

/// The server address as the client will use it (trimmed, no trailing slash), or why it cannot be used: the same
/// rule as `--server` (an http or https URL with a host).
pub fn check_url(url: &str) -> Result<String, String> {
    if url.trim().is_empty() {
        return Err("Enter the server address, e.g. https://flowline.example.com".to_owned());
    }
    if !url.contains("://") {
        return Err(format!("{:?} is not a valid server address: start it with http:// or https://", url.trim()));
    }
    ApiClient::new(url).map(|client| client.base_url().to_owned()).map_err(|e| e.to_string())
}

/// The backend of this start: the command line (or `FLOWLINE_SERVER`) wins, then the saved choice, then the
/// embedded demo on `data_dir`. The command line's address was checked by the caller; the saved one by
/// `settings_file::load`.
pub fn startup_backend(command_line: Option<&str>, saved: &Settings, data_dir: &Path) -> BackendChoice {
    match command_line.or(saved.server.as_deref()) {
        Some(url) => BackendChoice::Remote { base_url: url.to_owned() },
        None => BackendChoice::Embedded { data_dir: data_dir.to_owned() },
    }
}

/// The backend the dialog's choice means, or the message to show in the dialog.
pub fn backend_for(target: &ServerTarget, data_dir: &Path) -> Result<BackendChoice, String> {
    match target {
        ServerTarget::Embedded => Ok(BackendChoice::Embedded { data_dir: data_dir.to_owned() }),
        ServerTarget::Remote { url } => check_url(url).map(|base_url| BackendChoice::Remote { base_url }),
    }
}

/// What is saved for a backend (the demo's folder is not: it is the data folder the settings file lives in).
pub fn settings_for(backend: &BackendChoice) -> Settings {
    match backend {
        BackendChoice::Embedded { .. } => Settings { server: None },
        BackendChoice::Remote { base_url } => Settings { server: Some(base_url.clone()) },
    }
}

/// Whether two choices name the same backend (a remote address compared as the client uses it).
pub fn same_backend(a: &BackendChoice, b: &BackendChoice) -> bool {
    let normalised = |url: &str| url.trim().trim_end_matches('/').to_owned();
    match (a, b) {
        (BackendChoice::Embedded { .. }, BackendChoice::Embedded { .. }) => true,
        (BackendChoice::Remote { base_url: x }, BackendChoice::Remote { base_url: y }) => {
            normalised(x) == normalised(y)
        }
        _ => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn saved(url: Option<&str>) -> Settings {
        Settings { server: url.map(str::to_owned) }
    }

    fn remote(url: &str) -> BackendChoice {
        BackendChoice::Remote { base_url: url.to_owned() }
    }

    #[test]
    fn the_command_line_wins_then_the_saved_choice_then_the_demo() {
        let dir = PathBuf::from("/data");
        let demo = BackendChoice::Embedded { data_dir: dir.clone() };
        assert_eq!(
            startup_backend(Some("http://cli:8080"), &saved(Some("https://saved")), &dir),
            remote("http://cli:8080")
        );
        assert_eq!(startup_backend(Some("http://cli:8080"), &saved(None), &dir), remote("http://cli:8080"));
        assert_eq!(startup_backend(None, &saved(Some("https://saved")), &dir), remote("https://saved"));
        assert_eq!(startup_backend(None, &saved(None), &dir), demo, "a fresh user gets the embedded demo");
    }

    #[test]
    fn a_typed_address_is_checked_as_the_command_line_is() {
        assert_eq!(check_url(" https://flowline.example.com/ "), Ok("https://flowline.example.com".to_owned()));
        assert!(check_url("").unwrap_err().starts_with("Enter the server address"));
        assert!(check_url("ftp://x.example").unwrap_err().contains("the scheme must be http or https"));
        assert!(check_url("not a url").unwrap_err().contains("is not a valid server address"));
        assert_eq!(
            check_url("ops.example:8080"),
            Err("\"ops.example:8080\" is not a valid server address: start it with http:// or https://".to_owned())
        );
        assert!(check_url("http://").unwrap_err().contains("is not a valid server address"));
    }

    #[test]
    fn the_dialog_choice_maps_to_a_backend_and_to_what_is_saved() {
        let dir = PathBuf::from("/data");
        let demo = backend_for(&ServerTarget::Embedded, &dir).unwrap();
        assert_eq!(demo, BackendChoice::Embedded { data_dir: dir.clone() });
        assert_eq!(settings_for(&demo), saved(None));
        let target = ServerTarget::Remote { url: "http://ops.example:8080/".into() };
        let ops = backend_for(&target, &dir).unwrap();
        assert_eq!(ops, remote("http://ops.example:8080"));
        assert_eq!(settings_for(&ops), saved(Some("http://ops.example:8080")));
        assert!(backend_for(&ServerTarget::Remote { url: "ops".into() }, &dir).is_err());
    }

    #[test]
    fn the_same_backend_ignores_the_demo_folder_and_a_trailing_slash() {
        let a = BackendChoice::Embedded { data_dir: "/a".into() };
        let b = BackendChoice::Embedded { data_dir: "/b".into() };
        assert!(same_backend(&a, &b));
        assert!(same_backend(&remote("http://x:1/"), &remote("http://x:1")));
        assert!(!same_backend(&remote("http://x:1"), &remote("http://y:1")));
        assert!(!same_backend(&a, &remote("http://x:1")));
    }
}
