//! One file per resource.

pub mod admin;
pub mod alarms;
pub mod analytics;
pub mod auth;
pub mod dashboard;
pub mod entries;
pub mod export;
pub mod health;
pub mod kpis;
pub mod maintenance;
pub mod prices;
pub mod wells;
