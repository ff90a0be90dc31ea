//! One file per resource.

pub mod admin;
pub mod alarms;
pub mod analytics;
pub mod auth;
pub mod entries;
pub mod health;
pub mod maintenance;
pub mod wells;
