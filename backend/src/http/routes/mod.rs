//! One file per resource.

pub mod auth;
pub mod entries;
pub mod health;
pub mod wells;
