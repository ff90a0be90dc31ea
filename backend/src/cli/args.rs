//! Command-line arguments (clap).

use clap::{Parser, Subcommand};
use flowline_shared::Role;
use flowline_shared::dto::ImportFormat;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(name = "flowline-server", version, about = "Flowline production operations backend")]
pub struct Cli {
    /// TOML configuration file (settings there are overridden by FLOWLINE_* environment variables).
    #[arg(long, global = true, env = "FLOWLINE_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API (migrations are applied first).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage tenants.
    Tenant {
        #[command(subcommand)]
        action: TenantAction,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Import a CSV file of field entries (all rows or none).
    Import {
        #[arg(long)]
        tenant: String,
        /// `flowline` (Flowline's columns) or `volve` (the Volve daily production export).
        #[arg(long, default_value = "flowline", value_parser = parse_format)]
        format: ImportFormat,
        file: PathBuf,
    },
    /// Recompute the stored daily, weekly and monthly aggregates from the stored readings (whole local months;
    /// rerunning replaces, never duplicates).
    Backfill {
        /// Only this tenant (default: every tenant).
        #[arg(long)]
        tenant: Option<String>,
        /// First local date (default: the oldest reading); its whole month is recomputed.
        #[arg(long)]
        from: Option<chrono::NaiveDate>,
        /// Last local date (default: the newest reading); its whole month is recomputed.
        #[arg(long)]
        to: Option<chrono::NaiveDate>,
    },
    /// Run the daily aggregation job now for one local date (the job loop runs it at 23:59 local by itself): that
    /// day's aggregates, with its week and month rolled up again, written only where they changed.
    Daily {
        /// Only this tenant (default: every tenant).
        #[arg(long)]
        tenant: Option<String>,
        /// The local date (default: today in each tenant's time zone).
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
    },
    /// Recompute every well's trends, anomalies and default forecast now, as of the tenant's today (the job loop
    /// does this for changed wells by itself).
    Analyze {
        /// Only this tenant (default: every tenant).
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Simulate a fleet: create wells, write their history, optionally keep producing live readings.
    Simulate {
        #[arg(long)]
        tenant: String,
        #[arg(long, default_value_t = 50)]
        wells: usize,
        #[arg(long, default_value_t = 24)]
        months: u32,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Keep sending live readings through the ingest service after the history.
        #[arg(long)]
        live: bool,
        /// Interval of live readings, e.g. `30s`, `5m`.
        #[arg(long, default_value = "30s", value_parser = parse_interval)]
        interval: Duration,
    },
}

#[derive(Debug, Subcommand)]
pub enum TenantAction {
    /// Create a tenant.
    Add {
        /// Short name used at login: lowercase letters, digits, dashes.
        slug: String,
        #[arg(long, default_value = "")]
        name: String,
        /// IANA time zone of the tenant's production days.
        #[arg(long, default_value = "America/Chicago")]
        time_zone: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Create a user.
    Add {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        username: String,
        /// The password (at least 8 characters); may come from FLOWLINE_USER_PASSWORD to keep it out of `ps`.
        #[arg(long, env = "FLOWLINE_USER_PASSWORD", hide_env_values = true)]
        password: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
}

fn parse_format(s: &str) -> Result<ImportFormat, String> {
    s.parse()
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
}

/// `30s`, `5m`, `1h` or a plain number of seconds; at least one second.
pub fn parse_interval(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (number, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = number.parse().map_err(|_| format!("{s:?} is not an interval like 30s, 5m or 1h"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => return Err(format!("unknown unit {unit:?} in {s:?}: use s, m or h")),
    };
    if secs == 0 {
        return Err("interval must be at least 1s".into());
    }
    Ok(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn intervals() {
        assert_eq!(parse_interval("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_interval("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_interval("2"), Ok(Duration::from_secs(2)));
        assert!(parse_interval("0s").is_err());
        assert!(parse_interval("5d").is_err());
        assert!(parse_interval("fast").is_err());
    }

    #[test]
    fn cli_definition_is_consistent_and_parses_the_documented_forms() {
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from([
            "flowline-server",
            "user",
            "add",
            "--tenant",
            "demo",
            "--username",
            "ops",
            "--password",
            "secret-123",
            "--role",
            "operator",
        ])
        .unwrap();
        assert!(matches!(cli.command, Command::User { action: UserAction::Add { role: Role::Operator, .. } }));
        let cli = Cli::try_parse_from([
            "flowline-server",
            "simulate",
            "--tenant",
            "demo",
            "--wells",
            "10",
            "--months",
            "2",
            "--live",
            "--interval",
            "30s",
        ])
        .unwrap();
        assert!(matches!(cli.command, Command::Simulate { wells: 10, months: 2, live: true, .. }));
        assert!(
            Cli::try_parse_from([
                "flowline-server",
                "user",
                "add",
                "--tenant",
                "d",
                "--username",
                "u",
                "--password",
                "p",
                "--role",
                "root"
            ])
            .is_err()
        );
    }
}
