//! `flowline-server`: serve the API, migrate, administer tenants and users, import CSV, simulate a fleet.

use anyhow::Context;
use clap::Parser;
use flowline_backend::cli::args::Cli;
use flowline_backend::cli::commands;
use flowline_backend::config::Config;

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::load(cli.config.as_deref()).context("loading configuration")?;
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_new(&config.log).unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the async runtime")?;
    runtime.block_on(commands::run(cli.command, config))
}
