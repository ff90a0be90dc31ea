//! Wire types of the dashboard's well endpoints: the well status map (`GET /api/v1/wells/map`, US-1103) and the
//! well detail modal (`GET /api/v1/wells/{id}/dashboard-detail`, US-1105).
//!
//! Conventions as in [`super::analytics`]: snake_case; instants RFC 3339 UTC; every number carries its unit in its
//! name (`age_seconds`, `staleness_hours`) or in a `unit`/`units` field beside it. Rates are the reading's rates per
//! calendar day (bbl/d = BOPD/BWPD, Mcf/d = MCFD), as every field entry holds them; a downtime day carries the
//! on-fraction (the rate per producing day would be rate x 24 / hours on, not shown here).
//!
//! # Display status (the map marker and the modal's header)
//! ISA-101: grey for normal, colour only for abnormal states, a separate colour for stale data, and the word beside
//! the colour. One value per well, the first rule that holds:
//! 1. `down`: the well is `active` and its latest reading shows it not producing (oil and gas wells: no oil and no
//!    gas; injection and disposal wells: no water injected; any well: 0 hours on), the well-down alarm rule's own
//!    test; or the well has an annunciated well-down alarm whose condition is still active (whatever its status).
//! 2. `critical`: the highest priority among the well's annunciated open alarms (open = every state but normal,
//!    returned-unacknowledged included; shelved alarms and out-of-service wells excluded) is critical.
//! 3. `warning`: that highest priority is high ("Warning"). A low ("Info") alarm does not change the display
//!    status: it needs a response only when convenient, ISA-18.2 expects about 80 % of alarms to be low, and
//!    colouring them would turn most of the map yellow; `alarm_priority` still says `low`.
//! 4. `inactive`: the well is shut in, inactive or plugged (it is not expected to produce or report, so its data
//!    is never "stale").
//! 5. `stale`: the well is active and its latest reading is older than the tenant's staleness limit (the alarm
//!    rules' `staleness_hours`, by default the data-gap trip, 6 h), or it never reported.
//! 6. `normal`.

use super::alarms::AlarmView;
use super::analytics::{ForecastModelKind, ForecastPointView, ForecastView, TrendDetail};
use super::maintenance::MaintenanceItem;
use crate::alarms::AlarmPriority;
use crate::analytics::aggregation::Field;
use crate::domain::{ApiNumber, Well, WellId, WellStatus};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// What a well's marker shows; the rule is in the [module documentation](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DisplayStatus {
    Down,
    Critical,
    Warning,
    Inactive,
    Stale,
    Normal,
}

impl DisplayStatus {
    pub const ALL: [DisplayStatus; 6] = [
        DisplayStatus::Down,
        DisplayStatus::Critical,
        DisplayStatus::Warning,
        DisplayStatus::Inactive,
        DisplayStatus::Stale,
        DisplayStatus::Normal,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            DisplayStatus::Down => "down",
            DisplayStatus::Critical => "critical",
            DisplayStatus::Warning => "warning",
            DisplayStatus::Inactive => "inactive",
            DisplayStatus::Stale => "stale",
            DisplayStatus::Normal => "normal",
        }
    }
}

impl std::fmt::Display for DisplayStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `bbox=minLon,minLat,maxLon,maxLat` of the map: decimal degrees (WGS 84), edges included. A box across the
/// antimeridian is not supported (ask for two boxes).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BoundingBox {
    pub min_lon: f64,
    pub min_lat: f64,
    pub max_lon: f64,
    pub max_lat: f64,
}

impl BoundingBox {
    /// Four comma-separated finite numbers, min < max on both axes, longitudes in -180..=180, latitudes in
    /// -90..=90; the error says which rule failed.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let parts: Vec<&str> = raw.split(',').map(str::trim).collect();
        if parts.len() != 4 {
            return Err(format!("{raw:?} is not valid: expected 4 numbers minLon,minLat,maxLon,maxLat"));
        }
        let mut v = [0.0_f64; 4];
        for (slot, part) in v.iter_mut().zip(&parts) {
            *slot = part
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| format!("{part:?} is not a number (expected minLon,minLat,maxLon,maxLat)"))?;
        }
        let [min_lon, min_lat, max_lon, max_lat] = v;
        for (name, lon) in [("minLon", min_lon), ("maxLon", max_lon)] {
            if !(-180.0..=180.0).contains(&lon) {
                return Err(format!("{name} {lon} is outside -180..180 degrees"));
            }
        }
        for (name, lat) in [("minLat", min_lat), ("maxLat", max_lat)] {
            if !(-90.0..=90.0).contains(&lat) {
                return Err(format!("{name} {lat} is outside -90..90 degrees"));
            }
        }
        if min_lon >= max_lon {
            return Err(format!("minLon {min_lon} must be less than maxLon {max_lon}"));
        }
        if min_lat >= max_lat {
            return Err(format!("minLat {min_lat} must be less than maxLat {max_lat}"));
        }
        Ok(Self { min_lon, min_lat, max_lon, max_lat })
    }

    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        (self.min_lat..=self.max_lat).contains(&lat) && (self.min_lon..=self.max_lon).contains(&lon)
    }
}

/// Units of the map's numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MapUnits {
    /// `bbl/d` (BOPD, per calendar day).
    pub oil_rate: String,
    /// `Mcf/d` (MCFD, per calendar day).
    pub gas_rate: String,
    /// `lat` and `lon`: decimal degrees, WGS 84.
    pub coordinates: String,
}

impl Default for MapUnits {
    fn default() -> Self {
        Self {
            oil_rate: Field::OilBbl.unit().to_owned(),
            gas_rate: Field::GasMcf.unit().to_owned(),
            coordinates: "degrees (WGS 84)".to_owned(),
        }
    }
}

/// One marker of the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MapWell {
    pub id: WellId,
    pub name: String,
    /// The API number in its display form (`42-317-12345-00-00`); `null` for wells outside the API system.
    pub api: Option<ApiNumber>,
    /// Degrees (WGS 84).
    pub lat: f64,
    pub lon: f64,
    /// The well's registry status (`active`, `shut_in`, `inactive`, `plugged`).
    pub status: WellStatus,
    /// Highest priority among the well's annunciated open alarms; `null` when none.
    pub alarm_priority: Option<AlarmPriority>,
    /// The latest reading's oil rate, bbl/d; `null` when the well never reported.
    pub oil_rate: Option<f64>,
    /// The latest reading's gas rate, Mcf/d; `null` when the well never reported.
    pub gas_rate: Option<f64>,
    pub last_reading_at: Option<DateTime<Utc>>,
    pub display_status: DisplayStatus,
}

/// `GET /api/v1/wells/map`: every well of the tenant that matches the filters and has coordinates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WellMap {
    /// The instant the statuses were judged at (server clock).
    pub as_of: DateTime<Utc>,
    /// Readings older than this make an active well `stale`.
    pub staleness_hours: f64,
    pub units: MapUnits,
    /// Ordered by name, then id.
    pub wells: Vec<MapWell>,
    /// Wells matching the filters that have no coordinates (not listed).
    pub without_coordinates: u64,
    /// Wells matching the filters whose coordinates lie outside `bbox` (not listed; 0 without `bbox`).
    pub outside_bbox: u64,
}

/// Units of [`CurrentProduction`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(description = "The units of the current production."))]
pub struct CurrentProductionUnits {
    /// `bbl/d` (BOPD).
    pub oil_rate: String,
    /// `Mcf/d` (MCFD).
    pub gas_rate: String,
    /// `bbl/d` (BWPD; water injected for injection and disposal wells).
    pub water_rate: String,
    /// `h` (of the reading's day).
    pub hours_on: String,
    /// `psig` (tubing and casing).
    pub pressure: String,
    /// `1/64 in`.
    pub choke: String,
}

impl Default for CurrentProductionUnits {
    fn default() -> Self {
        Self {
            oil_rate: Field::OilBbl.unit().to_owned(),
            gas_rate: Field::GasMcf.unit().to_owned(),
            water_rate: Field::WaterBbl.unit().to_owned(),
            hours_on: Field::HoursOn.unit().to_owned(),
            pressure: Field::TubingPsig.unit().to_owned(),
            choke: Field::Choke64ths.unit().to_owned(),
        }
    }
}

/// The well's latest reading: its current production.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CurrentProduction {
    pub recorded_at: DateTime<Utc>,
    /// Seconds between `recorded_at` and the answer's `computed_at` (0 for a reading stamped ahead of the clock).
    pub age_seconds: i64,
    /// `calendar_day`: the rates are per calendar day at the time of the reading.
    pub rate_basis: String,
    pub oil_rate: f64,
    pub gas_rate: f64,
    pub water_rate: f64,
    pub hours_on: f64,
    pub tubing_psig: Option<f64>,
    pub casing_psig: Option<f64>,
    pub choke_64ths: Option<f64>,
    /// The reading corrects an earlier allocation (its volumes may be negative).
    pub is_correction: bool,
    pub units: CurrentProductionUnits,
}

/// The 30-day trend of the well's primary product: the trend detail of `GET /api/v1/trends/{well_id}` (units in
/// its `unit`) and when it was computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DashboardTrend {
    pub computed_at: DateTime<Utc>,
    #[serde(flatten)]
    pub detail: TrendDetail,
}

/// The default forecast in brief (ETS, 7 days, 95 % interval, primary product): the points with their interval and
/// the backtest's trust figures, or why there is none. Every value in `unit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ForecastSummary {
    pub field: Field,
    /// Unit of the points and of `backtest_mae` (e.g. `bbl/d`).
    pub unit: String,
    pub model: ForecastModelKind,
    /// When it was computed (the stored forecast's time, or now when it was computed for this request).
    pub computed_at: DateTime<Utc>,
    pub available: bool,
    /// Why there is no forecast, when `available` is false.
    pub reason: Option<String>,
    /// The chosen ETS form, e.g. `AAdN`.
    pub model_name: Option<String>,
    /// The last day of the data the forecast starts after.
    pub as_of: Option<NaiveDate>,
    pub horizon_days: u32,
    /// Level of the `lower`..`upper` interval of each point, in percent.
    pub level_percent: Option<f64>,
    pub points: Vec<ForecastPointView>,
    /// Mean absolute error of the rolling-origin backtest, in `unit`; `null` without a backtest.
    pub backtest_mae: Option<f64>,
    /// Share of actual values inside the interval in the backtest, in percent.
    pub backtest_coverage_percent: Option<f64>,
}

impl From<ForecastView> for ForecastSummary {
    fn from(v: ForecastView) -> Self {
        let backtest = v.ets.as_ref().and_then(|e| e.backtest);
        Self {
            field: v.field,
            unit: v.unit,
            model: v.model,
            computed_at: v.computed_at,
            available: v.available,
            reason: v.reason,
            model_name: v.ets.as_ref().map(|e| e.model_name.clone()),
            as_of: v.as_of,
            horizon_days: v.horizon_days,
            level_percent: v.level_percent,
            points: v.points,
            backtest_mae: backtest.map(|b| b.mae),
            backtest_coverage_percent: backtest.map(|b| b.coverage_percent),
        }
    }
}

/// `GET /api/v1/wells/{id}/dashboard-detail`: what the well detail modal shows, in one answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WellDashboardDetail {
    /// The well's facts (as `GET /api/v1/wells/{id}`).
    pub well: Well,
    /// When this answer was assembled (server clock): the instant `display_status` and `age_seconds` are judged at.
    pub computed_at: DateTime<Utc>,
    /// As on the map.
    pub display_status: DisplayStatus,
    pub alarm_priority: Option<AlarmPriority>,
    pub staleness_hours: f64,
    /// The latest reading; `null` when the well never reported.
    pub current_production: Option<CurrentProduction>,
    /// The well's last alarms (any state), newest raise first, at most 5.
    pub recent_alarms: Vec<AlarmView>,
    pub trend: DashboardTrend,
    pub forecast: ForecastSummary,
    /// The earliest scheduled maintenance item of the well; `null` when none is scheduled.
    pub next_maintenance: Option<MaintenanceItem>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bbox_parses_four_ordered_numbers_in_range() {
        let b = BoundingBox::parse("-103.5, 31.0,-101,32.5").unwrap();
        assert_eq!(b, BoundingBox { min_lon: -103.5, min_lat: 31.0, max_lon: -101.0, max_lat: 32.5 });
        assert!(b.contains(31.0, -101.0), "edges are inside");
        assert!(!b.contains(30.99, -102.0));
        for bad in ["", "1,2,3", "1,2,3,4,5", "a,1,2,3", "NaN,1,2,3", "-181,0,1,1", "0,-91,1,1", "0,0,181,1", "1,0,0,1"]
        {
            assert!(BoundingBox::parse(bad).is_err(), "{bad}");
        }
        assert!(BoundingBox::parse("0,1,1,0").is_err(), "min lat above max lat");
        assert!(BoundingBox::parse("0,0,0,1").is_err(), "empty longitude range");
    }

    #[test]
    fn display_status_wire_names() {
        for s in DisplayStatus::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }
}
