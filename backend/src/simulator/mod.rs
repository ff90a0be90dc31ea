//! Fleet simulator: synthetic but plausible wells and production history, deterministic for a seed.
//!
//! Owns: placing wells in real basins (Permian Midland and Delaware, Eagle Ford, Bakken) with valid API numbers,
//! county, lease and field names and locations; per-well production models (Arps hyperbolic decline, rising GOR and
//! water cut, pressures and choke that follow the rate); correlated noise, downtime with reason codes, several
//! gauges a day for some wells; and the field entries of any history day or live instant.
//! Must not touch: I/O, tokio, storage. [`crate::services::simulation`] writes what this module generates.
//!
//! Invariants:
//! - Same [`FleetSpec`] and history end: the same wells in the same order, the same entries with the same ids.
//!   Every random number of a well-day is a hash of `(seed, well index, day, gauge)` (see `noise.rs`), so days can
//!   be generated in any order and on their own.
//! - The wells (names, API numbers, locations, statuses, models) depend on the seed only: another history end or
//!   length slides their dates with the window, and a larger fleet with the same seed starts with the wells of the
//!   smaller one (same index, same API number). Re-running with the same seed therefore finds its wells again.
//! - Entry ids are UUIDv7: the timestamp is the entry's `recorded_at` in milliseconds, the other bytes come from a
//!   hash of `(seed, well index, day, gauge)`. [`SimulatedFleet::entries_for_day`] returns a day's entries sorted by
//!   id, and every entry of day D is recorded before every entry of day D+1, so a day-major sweep is ascending.
//! - Every generated draft passes [`flowline_shared::FieldEntry::new`], with `source` = `simulator`.
//!
//! Meaning of an entry (issue 2: rates in bbl/d, Mcf/d; issue 3: "a day's value is the mean of that day's
//! entries"): every entry is a rate per calendar day at the time of the reading, with the hours on production of
//! that day (on a downtime day the rates carry the on-fraction: producing-day rate x hours on / 24). A well gauged
//! two or three times a day has two or three entries of that day, each a full-day rate with its own gauge noise;
//! their mean is the day's value. Live readings are the same kind of rate, taken at the tick.
//!
//! Timing: day D's entries are recorded between D 11:00 UTC and D+1 04:00 UTC, which is inside the calendar day D
//! of America/Chicago (the default tenant zone) in both standard and daylight time. A single daily gauge is taken
//! around 12:00-15:00 UTC (the morning report).

mod basins;
mod decline;
mod downtime;
mod fleet;
mod maintenance;
mod noise;

#[cfg(test)]
mod tests;

pub use basins::{BASINS, Basin, County, FieldDef};
pub use fleet::{PlannedWell, SimulatedFleet};
pub use maintenance::{SIMULATOR_USER, maintenance_plan};

/// What to simulate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FleetSpec {
    /// Number of wells.
    pub wells: usize,
    /// Months of history before the history end.
    pub months: u32,
    /// Seed of every random choice: the same seed gives the same fleet and the same entries.
    pub seed: u64,
}
