//! The `flowline-server` command line: argument types and one function per subcommand.
//!
//! Owns: turning arguments and configuration into service calls, progress bars, and exit errors (anyhow with
//! context). Must not touch: SQL or HTTP internals.

pub mod args;
pub mod commands;
pub mod progress;
