//! Server configuration, layered: built-in defaults, then an optional TOML file, then `FLOWLINE_*` environment
//! variables (each layer overrides the one before). Every setting is listed in README.md's configuration table.

use anyhow::{Context, bail};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// `sqlite:PATH` (default, in the user's data directory) or `postgres://…`.
    pub database_url: String,
    pub bind: SocketAddr,
    /// HS256 key for access tokens. Required outside demo mode.
    pub jwt_secret: Option<String>,
    pub token_ttl_hours: i64,
    /// Demo mode: a random JWT secret is generated when none is set. Never for production.
    pub demo: bool,
    /// Largest accepted request body (JSON batches and CSV uploads), bytes.
    pub max_body_bytes: usize,
    /// `tracing` filter, e.g. `info` or `flowline_backend=debug`.
    pub log: String,
    /// `redis://…`: fan events out through Redis pub/sub so that several instances serve the same tenants. Without
    /// it, events reach the WebSocket clients of this instance only.
    pub redis_url: Option<String>,
    /// The company name printed on the dashboard export (`FLOWLINE_COMPANY_NAME`).
    pub company_name: String,
    /// A PNG file printed as the logo of the dashboard export (`FLOWLINE_COMPANY_LOGO`); `serve` reads it once at
    /// start-up and refuses to start when it cannot be read or decoded.
    pub company_logo: Option<PathBuf>,
}

/// The TOML file's shape: every key optional, unknown keys rejected.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLayer {
    database_url: Option<String>,
    bind: Option<String>,
    jwt_secret: Option<String>,
    token_ttl_hours: Option<i64>,
    demo: Option<bool>,
    max_body_bytes: Option<usize>,
    log: Option<String>,
    redis_url: Option<String>,
    company_name: Option<String>,
    company_logo: Option<PathBuf>,
}

/// The folder for the default SQLite database (`~/.local/share/flowline` on Linux).
pub fn default_data_dir() -> PathBuf {
    directories::ProjectDirs::from("com", "Flowline", "Flowline")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("."))
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: format!("sqlite:{}", default_data_dir().join("flowline.sqlite3").display()),
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            jwt_secret: None,
            token_ttl_hours: 12,
            demo: false,
            max_body_bytes: 32 * 1024 * 1024,
            log: "info".into(),
            redis_url: None,
            company_name: crate::services::export::DEFAULT_COMPANY.into(),
            company_logo: None,
        }
    }
}

impl Config {
    /// Defaults, then `file` (if given), then the process environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        Self::load_from(file, |k| std::env::var(k).ok())
    }

    /// As [`Config::load`], with the environment supplied (tests).
    pub fn load_from(file: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let mut config = Self::default();
        if let Some(path) = file {
            let text =
                std::fs::read_to_string(path).with_context(|| format!("reading config file {}", path.display()))?;
            let layer: FileLayer =
                toml::from_str(&text).with_context(|| format!("parsing config file {}", path.display()))?;
            config.apply(layer)?;
        }
        let parse_env = |key: &str| -> anyhow::Result<Option<String>> { Ok(env(key).filter(|v| !v.is_empty())) };
        let layer = FileLayer {
            database_url: parse_env("FLOWLINE_DATABASE_URL")?,
            bind: parse_env("FLOWLINE_BIND")?,
            jwt_secret: parse_env("FLOWLINE_JWT_SECRET")?,
            token_ttl_hours: parse_env("FLOWLINE_TOKEN_TTL_HOURS")?
                .map(|v| v.parse().context("FLOWLINE_TOKEN_TTL_HOURS must be a whole number of hours"))
                .transpose()?,
            demo: parse_env("FLOWLINE_DEMO")?.map(|v| matches!(v.as_str(), "1" | "true" | "yes")),
            max_body_bytes: parse_env("FLOWLINE_MAX_BODY_BYTES")?
                .map(|v| v.parse().context("FLOWLINE_MAX_BODY_BYTES must be a number of bytes"))
                .transpose()?,
            log: parse_env("FLOWLINE_LOG")?,
            redis_url: parse_env("FLOWLINE_REDIS_URL")?,
            company_name: parse_env("FLOWLINE_COMPANY_NAME")?,
            company_logo: parse_env("FLOWLINE_COMPANY_LOGO")?.map(PathBuf::from),
        };
        config.apply(layer)?;
        Ok(config)
    }

    fn apply(&mut self, layer: FileLayer) -> anyhow::Result<()> {
        if let Some(v) = layer.database_url {
            self.database_url = v;
        }
        if let Some(v) = layer.bind {
            self.bind = v.parse().with_context(|| format!("bind address {v:?} is not HOST:PORT"))?;
        }
        if let Some(v) = layer.jwt_secret {
            self.jwt_secret = Some(v);
        }
        if let Some(v) = layer.token_ttl_hours {
            if !(1..=24 * 30).contains(&v) {
                bail!("token_ttl_hours must be between 1 and 720");
            }
            self.token_ttl_hours = v;
        }
        if let Some(v) = layer.demo {
            self.demo = v;
        }
        if let Some(v) = layer.max_body_bytes {
            self.max_body_bytes = v;
        }
        if let Some(v) = layer.log {
            self.log = v;
        }
        if let Some(v) = layer.redis_url {
            if !(v.starts_with("redis://") || v.starts_with("rediss://")) {
                bail!("redis_url must start with redis:// or rediss://, got {v:?}");
            }
            self.redis_url = Some(v);
        }
        if let Some(v) = layer.company_name {
            let name = v.trim();
            if name.is_empty() || name.chars().count() > 200 {
                bail!("company_name must be 1 to 200 characters, got {v:?}");
            }
            self.company_name = name.to_owned();
        }
        if let Some(v) = layer.company_logo {
            self.company_logo = Some(v);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn layers_override_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("flowline.toml");
        std::fs::write(&file, "bind = \"0.0.0.0:9000\"\ntoken_ttl_hours = 2\nlog = \"debug\"\n").unwrap();
        let env: HashMap<&str, &str> =
            [("FLOWLINE_BIND", "127.0.0.1:7000"), ("FLOWLINE_DATABASE_URL", "postgres://x/y")].into();
        let c = Config::load_from(Some(&file), |k| env.get(k).map(|v| (*v).to_owned())).unwrap();
        assert_eq!(c.bind.to_string(), "127.0.0.1:7000");
        assert_eq!(c.token_ttl_hours, 2);
        assert_eq!(c.log, "debug");
        assert_eq!(c.database_url, "postgres://x/y");
        assert!(c.database_url.starts_with("postgres"));
    }

    #[test]
    fn bad_values_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, "unknown_key = 1\n").unwrap();
        assert!(Config::load_from(Some(&file), |_| None).is_err());
        assert!(Config::load_from(None, |k| (k == "FLOWLINE_BIND").then(|| "nonsense".into())).is_err());
        assert!(Config::load_from(None, |k| (k == "FLOWLINE_TOKEN_TTL_HOURS").then(|| "0".into())).is_err());
        assert!(Config::load_from(None, |k| (k == "FLOWLINE_REDIS_URL").then(|| "localhost:6379".into())).is_err());
        let redis = Config::load_from(None, |k| (k == "FLOWLINE_REDIS_URL").then(|| "redis://127.0.0.1/".into()));
        assert_eq!(redis.unwrap().redis_url.as_deref(), Some("redis://127.0.0.1/"));
        let c = Config::load_from(None, |_| None).unwrap();
        assert!(c.database_url.starts_with("sqlite:"));
        assert!(!c.demo);
        assert!(Config::load_from(None, |k| (k == "FLOWLINE_COMPANY_NAME").then(|| "   ".into())).is_err());
    }

    #[test]
    fn company_name_and_logo_are_layered_like_the_rest() {
        let c = Config::load_from(None, |_| None).unwrap();
        assert_eq!((c.company_name.as_str(), c.company_logo.as_deref()), ("Flowline", None));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("flowline.toml");
        std::fs::write(&file, "company_name = \"File Co\"\ncompany_logo = \"/srv/file-logo.png\"\n").unwrap();
        let from_file = Config::load_from(Some(&file), |_| None).unwrap();
        assert_eq!(from_file.company_name, "File Co");
        assert_eq!(from_file.company_logo.as_deref(), Some(Path::new("/srv/file-logo.png")));
        let env: HashMap<&str, &str> =
            [("FLOWLINE_COMPANY_NAME", " Permian Operating LLC "), ("FLOWLINE_COMPANY_LOGO", "/etc/flowline/logo.png")]
                .into();
        let c = Config::load_from(Some(&file), |k| env.get(k).map(|v| (*v).to_owned())).unwrap();
        assert_eq!(c.company_name, "Permian Operating LLC");
        assert_eq!(c.company_logo.as_deref(), Some(Path::new("/etc/flowline/logo.png")));
    }
}
