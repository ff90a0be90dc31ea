//! The desktop's own settings file in the data folder (`settings.toml`): today one key, `server`, the backend
//! chosen in the "Server…" dialog (`server = "https://…"`; absent: the embedded demo). The window's settings
//! (theme, zoom, refresh, kiosk options) stay in eframe's storage.
//!
//! Owns: reading (a missing file is the default; an unreadable, corrupt or invalid one is an error the caller
//! reports and ignores) and writing it atomically (a temporary file in the same folder, synced, then renamed over
//! the old one). Must not touch: egui, the model, the network.

use super::server_choice;
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The settings file's name inside the data folder.
pub const FILE_NAME: &str = "settings.toml";

/// What the file says. `Default` is a fresh user: the embedded demo.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// The remote backend's base URL; `None`: the embedded demo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{} is not a valid settings file: {reason}", path.display())]
    Corrupt { path: PathBuf, reason: String },
    #[error("{} names a server that is not valid: {reason}", path.display())]
    InvalidServer { path: PathBuf, reason: String },
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
    #[error("the settings could not be encoded: {0}")]
    Encode(String),
}

/// The settings file of this data folder.
pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE_NAME)
}

/// Reads the file; a missing one is [`Settings::default`]. A saved server address is checked as `--server` is.
pub fn load(path: &Path) -> Result<Settings, SettingsError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
        Err(source) => return Err(SettingsError::Read { path: path.to_owned(), source }),
    };
    let settings: Settings =
        toml::from_str(&text).map_err(|e| SettingsError::Corrupt { path: path.to_owned(), reason: e.to_string() })?;
    if let Some(url) = &settings.server {
        server_choice::check_url(url)
            .map_err(|reason| SettingsError::InvalidServer { path: path.to_owned(), reason })?;
    }
    Ok(settings)
}

/// [`load`], with an error turned into the message to show and the default (the embedded demo).
pub fn load_or_default(path: &Path) -> (Settings, Option<String>) {
    match load(path) {
        Ok(settings) => (settings, None),
        Err(error) => {
            tracing::warn!(%error, "the saved settings are ignored");
            (Settings::default(), Some(format!("The saved settings were ignored: {error}")))
        }
    }
}

/// Writes the file atomically: a reader (or a crash) sees the old file or the new one, never half of one.
pub fn save(path: &Path, settings: &Settings) -> Result<(), SettingsError> {
    let body = toml::to_string(settings).map_err(|e| SettingsError::Encode(e.to_string()))?;
    let text = format!("# Flowline desktop settings, written by the \"Server…\" dialog.\n{body}");
    let temp = temp_path(path);
    let write = |path: &Path| -> std::io::Result<()> {
        let mut file = std::fs::File::create(path)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()
    };
    let result = write(&temp).and_then(|()| std::fs::rename(&temp, path));
    result.map_err(|source| {
        // Best effort: the temporary file is useless once the rename failed.
        let _ = std::fs::remove_file(&temp);
        SettingsError::Write { path: path.to_owned(), source }
    })
}

/// A temporary name beside the file (same folder, so the rename stays on one file system), unique per process.
fn temp_path(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| FILE_NAME.to_owned());
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn remote(url: &str) -> Settings {
        Settings { server: Some(url.to_owned()) }
    }

    #[test]
    fn a_saved_server_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let file = path(dir.path());
        save(&file, &remote("https://flowline.example.com")).unwrap();
        assert_eq!(load(&file).unwrap(), remote("https://flowline.example.com"));
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains("server = \"https://flowline.example.com\""), "{text}");
        // Back to the demo: the key is absent.
        save(&file, &Settings::default()).unwrap();
        assert_eq!(load(&file).unwrap(), Settings::default());
        assert!(!std::fs::read_to_string(&file).unwrap().contains("server"));
    }

    #[test]
    fn a_missing_file_is_the_embedded_demo() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(&path(dir.path())).unwrap(), Settings::default());
        assert_eq!(load_or_default(&path(dir.path())), (Settings::default(), None));
    }

    #[test]
    fn a_corrupt_file_is_a_message_and_the_demo() {
        let dir = tempfile::tempdir().unwrap();
        let file = path(dir.path());
        std::fs::write(&file, "server = [not toml").unwrap();
        assert!(matches!(load(&file), Err(SettingsError::Corrupt { .. })));
        let (settings, message) = load_or_default(&file);
        assert_eq!(settings, Settings::default());
        let message = message.unwrap();
        assert!(message.starts_with("The saved settings were ignored: "), "{message}");
        assert!(message.contains("is not a valid settings file"), "{message}");

        // Well-formed TOML with an address `--server` would refuse.
        std::fs::write(&file, "server = \"ftp://flowline.example.com\"\n").unwrap();
        let error = load(&file).unwrap_err();
        assert!(matches!(error, SettingsError::InvalidServer { .. }), "{error}");
        assert!(error.to_string().contains("the scheme must be http or https"), "{error}");
        assert_eq!(load_or_default(&file).0, Settings::default());
    }

    #[test]
    fn unknown_keys_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let file = path(dir.path());
        std::fs::write(&file, "# by hand\nserver = \"http://10.0.0.5:8080\"\nlater = 1\n").unwrap();
        assert_eq!(load(&file).unwrap(), remote("http://10.0.0.5:8080"));
    }

    #[test]
    fn the_write_is_atomic_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = path(dir.path());
        save(&file, &remote("http://a.example")).unwrap();
        save(&file, &remote("http://b.example")).unwrap();
        let names: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
        assert_eq!(names, [FILE_NAME]);
        assert_eq!(load(&file).unwrap(), remote("http://b.example"));
    }

    #[test]
    fn a_failed_write_is_an_error_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        // The target is a folder: the rename fails after the temporary file was written.
        let file = path(dir.path());
        std::fs::create_dir(&file).unwrap();
        std::fs::write(file.join("keep"), "x").unwrap();
        let error = save(&file, &remote("http://a.example")).unwrap_err();
        assert!(matches!(error, SettingsError::Write { .. }), "{error}");
        let names: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
        assert_eq!(names, [FILE_NAME]);
    }
}
