//! Dashboard KPIs of the fleet and the dated commodity price table they use. Pure: no clock, no I/O.
//!
//! - [`prices`]: WTI (USD/bbl) and Henry Hub (USD/MMBtu) daily prices, the EIA CSV parser, lookups and updates.
//! - [`revenue`]: oil and gas revenue at dated prices, with the gas heat content.
//! - [`change`]: day-over-day change and the trend arrow's direction.
//! - [`input`]: what the fleet KPIs are computed from (per well status, type and daily volumes; alarm counts).
//! - [`card`]: one KPI card's figures (value, unit, previous day, change, sparkline, age).
//! - [`downtime`], [`deferred`]: well-day downtime and deferred production (BOE 6:1).
//! - [`fleet`]: the six US-1101 KPIs plus deferred production, the JSON of `GET /api/v1/dashboard/kpis`.

pub mod card;
pub mod change;
pub mod deferred;
pub mod downtime;
pub mod fleet;
pub mod input;
pub mod prices;
pub mod revenue;

pub use card::{Kpi, KpiUnit};
pub use change::{Change, Direction};
pub use fleet::{FleetKpis, fleet_kpis};
pub use input::{FleetInput, FleetInputError, UnacknowledgedAlarms, WellDay, WellInput};
pub use prices::{Commodity, PriceParseError, PricePoint, PriceQuote, PriceTable, parse_eia_csv};
pub use revenue::{HeatContent, RevenueBreakdown, revenue};
