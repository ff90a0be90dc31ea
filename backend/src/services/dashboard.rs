//! The dashboard's well views, composed from the other services and the existing ports (no storage of its own):
//!
//! - **The map** ([`DashboardService::map`], US-1103): every well of the tenant matching the filters, each with its
//!   latest reading (from the [`WellRowsCache`]: a miss reads pages of 1,000 wells), with the tenant's open alarms
//!   read once and every display status judged at the request's instant; wells without coordinates are counted, not
//!   listed. Cost of a cached answer: one alarm read, the rules and the out-of-service list.
//! - **The well detail** ([`DashboardService::detail`], US-1105): the well, its latest reading, its last
//!   [`RECENT_ALARMS`] alarms, the 30-day trend of its primary product, the default forecast in brief and the next
//!   scheduled maintenance item, read concurrently.
//!
//! Both judge a well's [`DisplayStatus`] with [`display_status`]; the rule is documented on
//! `flowline_shared::dto::dashboard`.

use super::Deps;
use super::alarms::{AlarmService, AlarmServiceError};
use super::analytics::{AnalyticsError, AnalyticsService, ForecastKind, ForecastRequest, WellForecast};
use super::maintenance::{MaintenanceError, MaintenanceService};
use super::wells::WellRowsCache;
use crate::ports::{AlarmFilter, EntryQuery, PageRequest, StorageError, WellFilter};
use chrono::{DateTime, Duration, Utc};
use flowline_shared::alarms::{Alarm, AlarmPriority, AlarmRuleKind};
use flowline_shared::analytics::forecast::DEFAULT_HORIZON_DAYS;
use flowline_shared::dto::LatestReading;
use flowline_shared::dto::alarms::AlarmView;
use flowline_shared::dto::analytics::{ForecastModelKind, ForecastView, TrendDetail};
use flowline_shared::dto::dashboard::{
    BoundingBox, CurrentProduction, CurrentProductionUnits, DashboardTrend, DisplayStatus, ForecastSummary, MapUnits,
    MapWell, WellDashboardDetail, WellMap,
};
use flowline_shared::{FieldEntry, Tenant, TenantId, Well, WellId, WellStatus, WellType};
use std::collections::HashMap;

/// Alarms the well detail lists.
pub const RECENT_ALARMS: u32 = 5;
/// Days of the well detail's trend.
pub const TREND_DAYS: u32 = 30;
/// The interval level of the default forecast, in percent.
const FORECAST_LEVEL_PERCENT: f64 = 95.0;

#[derive(Debug, thiserror::Error)]
pub enum DashboardError {
    #[error("no well {0} in this tenant")]
    UnknownWell(WellId),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Analytics(#[from] AnalyticsError),
    #[error(transparent)]
    Alarms(#[from] AlarmServiceError),
    #[error(transparent)]
    Maintenance(#[from] MaintenanceError),
}

/// The map's filters: those of the well list plus a bounding box.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MapQuery {
    pub status: Option<WellStatus>,
    pub well_type: Option<WellType>,
    pub lease: Option<String>,
    pub bbox: Option<BoundingBox>,
}

/// What a well's open alarms say for its display status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WellAlarms {
    /// Highest priority among the annunciated open alarms.
    pub highest: Option<AlarmPriority>,
    /// An annunciated well-down alarm whose condition is still active.
    pub well_down: bool,
}

impl WellAlarms {
    /// Summarises `alarms` (of one well) at `now`: closed, shelved and out-of-service alarms count for nothing.
    pub fn of<'a>(alarms: impl IntoIterator<Item = &'a Alarm>, out_of_service: bool, now: DateTime<Utc>) -> Self {
        let mut out = Self::default();
        for a in alarms.into_iter().filter(|a| a.is_annunciated(out_of_service, now)) {
            out.highest = out.highest.max(Some(a.priority));
            out.well_down |= a.rule == AlarmRuleKind::WellDown && a.state.is_active();
        }
        out
    }
}

/// The reading shows the well not producing, by the well-down rule's test: no oil and no gas (oil and gas wells),
/// no water injected (injection and disposal wells), or 0 hours on.
pub fn reading_shows_down(well_type: WellType, r: &LatestReading) -> bool {
    flowline_shared::alarms::evaluate::shows_down(well_type, r.oil_bbl, r.gas_mcf, r.water_bbl, r.hours_on)
}

/// The display status of a well (the rule, in order, is documented on `flowline_shared::dto::dashboard`).
pub fn display_status(
    well: &Well,
    latest: Option<&LatestReading>,
    alarms: WellAlarms,
    staleness: Duration,
    now: DateTime<Utc>,
) -> DisplayStatus {
    let active = well.status == WellStatus::Active;
    if alarms.well_down || (active && latest.is_some_and(|r| reading_shows_down(well.well_type, r))) {
        return DisplayStatus::Down;
    }
    match alarms.highest {
        Some(AlarmPriority::Critical) => return DisplayStatus::Critical,
        Some(AlarmPriority::High) => return DisplayStatus::Warning,
        Some(AlarmPriority::Low) | None => {}
    }
    if !active {
        return DisplayStatus::Inactive;
    }
    match latest {
        Some(r) if now.signed_duration_since(r.recorded_at) <= staleness => DisplayStatus::Normal,
        _ => DisplayStatus::Stale,
    }
}

fn latest_of(entry: &FieldEntry) -> LatestReading {
    LatestReading {
        recorded_at: entry.recorded_at,
        oil_bbl: entry.oil_bbl,
        gas_mcf: entry.gas_mcf,
        water_bbl: entry.water_bbl,
        hours_on: entry.hours_on,
    }
}

fn hours(d: Duration) -> f64 {
    d.num_milliseconds() as f64 / 3_600_000.0
}

#[derive(Clone)]
pub struct DashboardService {
    deps: Deps,
    analytics: AnalyticsService,
    alarms: AlarmService,
    maintenance: MaintenanceService,
    rows: WellRowsCache,
}

impl DashboardService {
    pub fn new(
        deps: Deps,
        analytics: AnalyticsService,
        alarms: AlarmService,
        maintenance: MaintenanceService,
        rows: WellRowsCache,
    ) -> Self {
        Self { deps, analytics, alarms, maintenance, rows }
    }

    /// The map of the tenant's wells matching `query`, judged now.
    pub async fn map(&self, tenant: TenantId, query: &MapQuery) -> Result<WellMap, DashboardError> {
        let staleness = self.alarms.rules(tenant).await?.staleness();
        let out_of_service = self.alarms.out_of_service_wells(tenant).await?;
        let now = self.deps.clock.now();
        let mut open: HashMap<WellId, Vec<Alarm>> = HashMap::new();
        for stored in self.deps.storage.open_alarms(tenant, None).await? {
            open.entry(stored.alarm.well_id).or_default().push(stored.alarm);
        }
        let filter = WellFilter {
            status: query.status,
            well_type: query.well_type,
            lease: query.lease.clone(),
            field: None,
            search: None,
        };
        let mut map = WellMap {
            as_of: now,
            staleness_hours: hours(staleness),
            units: MapUnits::default(),
            wells: Vec::new(),
            without_coordinates: 0,
            outside_bbox: 0,
        };
        for row in self.rows.rows(tenant, &filter).await?.iter() {
            let well = &row.well;
            let Some(at) = well.location else {
                map.without_coordinates += 1;
                continue;
            };
            if query.bbox.is_some_and(|b| !b.contains(at.latitude, at.longitude)) {
                map.outside_bbox += 1;
                continue;
            }
            let oos = out_of_service.contains(&well.id);
            let alarms = WellAlarms::of(open.get(&well.id).into_iter().flatten(), oos, now);
            let display_status = display_status(well, row.latest.as_ref(), alarms, staleness, now);
            map.wells.push(MapWell {
                id: well.id,
                name: well.name.clone(),
                api: well.api_number.clone(),
                lat: at.latitude,
                lon: at.longitude,
                status: well.status,
                alarm_priority: alarms.highest,
                oil_rate: row.latest.as_ref().map(|r| r.oil_bbl),
                gas_rate: row.latest.as_ref().map(|r| r.gas_mcf),
                last_reading_at: row.latest.as_ref().map(|r| r.recorded_at),
                display_status,
            });
        }
        Ok(map)
    }

    /// The well's newest entry: its time is one index seek, then the entries at that instant (one page).
    async fn latest_entry(&self, tenant: TenantId, well: WellId) -> Result<Option<FieldEntry>, StorageError> {
        let Some(&at) = self.deps.storage.latest_reading_times(tenant, &[well]).await?.get(&well) else {
            return Ok(None);
        };
        let query = EntryQuery { from: Some(at), to: None, page: PageRequest { limit: 100, offset: 0 } };
        let (found, _) = self.deps.storage.entries_for_well(tenant, well, query).await?;
        // Ordered by time then id: the last of that instant is the newest.
        Ok(found.into_iter().rfind(|e| e.recorded_at == at))
    }

    /// Everything the well detail modal shows; `UnknownWell` for a well of another tenant.
    pub async fn detail(&self, tenant: &Tenant, id: WellId) -> Result<WellDashboardDetail, DashboardError> {
        let well = self.deps.storage.get_well(tenant.id, id).await?.ok_or(DashboardError::UnknownWell(id))?;
        let now = self.deps.clock.now();
        let request = ForecastRequest::new(DEFAULT_HORIZON_DAYS, ForecastKind::Ets, FORECAST_LEVEL_PERCENT, None)?;
        let recent_filter = AlarmFilter { well_id: Some(id), ..AlarmFilter::default() };
        let (rules, out_of_service, latest, open, (recent, _), trend, forecast, mut next) = tokio::try_join!(
            async { Ok::<_, DashboardError>(self.alarms.rules(tenant.id).await?) },
            async { Ok::<_, DashboardError>(self.alarms.out_of_service_wells(tenant.id).await?) },
            async { Ok::<_, DashboardError>(self.latest_entry(tenant.id, id).await?) },
            async {
                Ok::<_, DashboardError>(
                    self.deps.storage.open_alarms(tenant.id, Some(std::slice::from_ref(&id))).await?,
                )
            },
            async {
                let page = PageRequest { limit: RECENT_ALARMS, offset: 0 };
                Ok::<_, DashboardError>(self.alarms.list(tenant.id, &recent_filter, page).await?)
            },
            async { Ok::<_, DashboardError>(self.analytics.trend_detail(tenant, id, None, TREND_DAYS).await?) },
            async { Ok::<_, DashboardError>(self.analytics.forecast(tenant, id, request).await?) },
            async { Ok::<_, DashboardError>(self.maintenance.next_scheduled(tenant.id, &[id]).await?) },
        )?;
        let staleness = rules.staleness();
        let alarms = WellAlarms::of(open.iter().map(|s| &s.alarm), out_of_service.contains(&id), now);
        let reading = latest.as_ref().map(latest_of);
        let display_status = display_status(&well, reading.as_ref(), alarms, staleness, now);
        let current_production = latest.map(|e| CurrentProduction {
            recorded_at: e.recorded_at,
            age_seconds: now.signed_duration_since(e.recorded_at).num_seconds().max(0),
            rate_basis: "calendar_day".to_owned(),
            oil_rate: e.oil_bbl,
            gas_rate: e.gas_mcf,
            water_rate: e.water_bbl,
            hours_on: e.hours_on,
            tubing_psig: e.tubing_psig,
            casing_psig: e.casing_psig,
            choke_64ths: e.choke_64ths,
            is_correction: e.is_correction,
            units: CurrentProductionUnits::default(),
        });
        let oos = out_of_service.contains(&id);
        let recent_alarms = recent.into_iter().map(|s| AlarmView::new(s.alarm, well.name.clone(), oos, now)).collect();
        let trend = DashboardTrend {
            computed_at: now,
            detail: TrendDetail::new(trend.well.id, trend.well.name, trend.field, &trend.points, &trend.trend),
        };
        let forecast = ForecastSummary::from(match forecast {
            WellForecast::Ets { field, forecast, computed_at } => ForecastView::ets(id, field, &forecast, computed_at),
            WellForecast::Arps { field, fit, points, computed_at } => {
                ForecastView::arps(id, field, &fit, &points, computed_at)
            }
            WellForecast::Unavailable { field, reason, computed_at } => ForecastView::unavailable(
                id,
                field,
                ForecastModelKind::Ets,
                request.days,
                Some(FORECAST_LEVEL_PERCENT),
                reason,
                computed_at,
            ),
        });
        Ok(WellDashboardDetail {
            computed_at: now,
            display_status,
            alarm_priority: alarms.highest,
            staleness_hours: hours(staleness),
            current_production,
            recent_alarms,
            trend,
            forecast,
            next_maintenance: next.remove(&id),
            well,
        })
    }
}
