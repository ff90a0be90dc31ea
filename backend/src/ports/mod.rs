//! Ports: the traits the services need from the outside world, with their error contracts.
//!
//! Owns: the storage traits (one per aggregate root: tenants, users, wells, entries, stored aggregates with their
//! dirty marks, per-well analytics results, job runs and leases, the event stream, alarms), the event bus, the clock. Adapters in `crate::adapters` implement them; services
//! in `crate::services` are written against them only.
//! Must not touch: any concrete database, HTTP or runtime type.

mod aggregates;
mod alarms;
mod analytics;
mod clock;
mod events;
mod maintenance;
mod prices;
mod storage;

pub use aggregates::*;
pub use alarms::*;
pub use analytics::*;
pub use clock::{Clock, SystemClock};
pub use events::*;
pub use maintenance::*;
pub use prices::*;
pub use storage::*;
