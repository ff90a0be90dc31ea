//! Ports: the traits the services need from the outside world, with their error contracts.
//!
//! Owns: the storage traits (one per aggregate), the clock. Adapters in `crate::adapters` implement them; services
//! in `crate::services` are written against them only.
//! Must not touch: any concrete database, HTTP or runtime type.

mod clock;
mod storage;

pub use clock::{Clock, SystemClock};
pub use storage::*;
