//! Pure time-series analytics: aggregation into daily, weekly and monthly periods in a tenant's time zone, trends
//! (ordinary least squares) and anomalies (trailing z-scores). No I/O, no clock: callers pass every instant.

pub mod aggregation;
pub mod anomalies;
pub mod arps;
pub mod forecast;
pub mod trend;
