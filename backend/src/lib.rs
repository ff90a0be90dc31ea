//! Flowline's backend: the HTTP/WebSocket service, its use cases, storage adapters, jobs and the fleet simulator.
//!
//! Layers (hexagonal): `ports` declares what the use cases need; `services` implements the use cases against the
//! ports only; `adapters` implements the ports on SQLite and PostgreSQL; `http` is the only module that names
//! axum. `simulator` generates synthetic fleets (pure, deterministic for a seed). `embedded` runs the whole service
//! in-process for the desktop's demo mode.

pub mod adapters;
pub mod app;
pub mod cli;
pub mod config;
pub mod embedded;
pub mod etag;
pub mod http;
pub mod ports;
pub mod services;
pub mod simulator;
pub mod ws;
