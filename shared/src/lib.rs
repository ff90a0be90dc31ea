//! Flowline's shared core: the domain types with their validating constructors, unit conversions and the
//! wire DTOs that the backend serves and the desktop reads.
//!
//! Owns: what a valid well, field entry, tenant or user is ("parse, don't validate": a value of a domain type is
//! valid by construction), and the JSON shapes of the HTTP API.
//! Must not touch: any I/O, tokio, a database, the network or egui. Everything here is pure and deterministic.

pub mod alarms;
pub mod analytics;
pub mod domain;
pub mod dto;
pub mod kpis;
pub mod units;

pub use domain::*;
