//! Shared state of the HTTP handlers: the services, built once at start-up, and the per-tenant bookkeeping of the
//! background jobs the API starts.

use crate::ports::{Clock, Storage};
use crate::services::aggregation::AggregationService;
use crate::services::alarms::AlarmService;
use crate::services::analytics::AnalyticsService;
use crate::services::auth::AuthService;
use crate::services::events::EventService;
use crate::services::import::ImportService;
use crate::services::ingest::IngestService;
use crate::services::wells::WellService;
use flowline_shared::TenantId;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Clone)]
pub struct AppState {
    pub storage: Arc<dyn Storage>,
    pub clock: Arc<dyn Clock>,
    pub auth: AuthService,
    pub wells: WellService,
    pub ingest: IngestService,
    pub import: ImportService,
    pub analytics: AnalyticsService,
    pub aggregation: AggregationService,
    pub events: EventService,
    pub alarms: AlarmService,
    pub maintenance: crate::services::maintenance::MaintenanceService,
    /// The dashboard KPIs with their per-tenant cache.
    pub kpis: crate::services::kpis::KpiService,
    /// The price table (EIA baseline and the tenant's prices).
    pub prices: crate::services::prices::PriceService,
    /// The dashboard's map and well detail (composes analytics, alarms and maintenance).
    pub dashboard: crate::services::dashboard::DashboardService,
    /// The dashboard export (PDF, CSV) with the configured company name and logo.
    pub export: crate::services::export::ExportService,
    /// Timings of the event stream's WebSocket connections.
    pub stream_settings: crate::ws::StreamSettings,
    /// Tenants with a backfill started by `POST /api/v1/admin/backfill` still running (in this process).
    pub backfills: InFlight,
}

/// A set of tenants each running one job; [`InFlight::try_start`] hands out the slot, dropping the guard frees it.
#[derive(Clone, Default)]
pub struct InFlight(Arc<Mutex<HashSet<TenantId>>>);

impl InFlight {
    /// The tenant's slot, or `None` while one is held.
    pub fn try_start(&self, tenant: TenantId) -> Option<InFlightGuard> {
        let inserted = self.0.lock().unwrap_or_else(PoisonError::into_inner).insert(tenant);
        inserted.then(|| InFlightGuard { set: self.clone(), tenant })
    }

    pub fn is_running(&self, tenant: TenantId) -> bool {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).contains(&tenant)
    }
}

/// Holds a tenant's slot in an [`InFlight`] set until dropped (also when the job panics).
pub struct InFlightGuard {
    set: InFlight,
    tenant: TenantId,
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        self.set.0.lock().unwrap_or_else(PoisonError::into_inner).remove(&self.tenant);
    }
}
