//! A small in-memory `Storage` for the services' unit tests (import, simulation): tenants, wells and entries, with
//! call counters and a record of every insert. Methods no service test uses answer `Unavailable`. It serves at
//! most 500 wells per page whatever was asked, so that callers' paging loops are exercised. The real adapters are
//! tested by the storage contract suite.

use crate::ports::{
    AggregateQuery, AggregateRepository, AnalyticsDue, AnalyticsRepository, AnomalyQuery, DirtyWell, EntryQuery,
    EntryRepository, EventRepository, InsertOutcome, JobKind, JobRun, JobRunRepository, JobStatus, NewEvent, NewTenant,
    NewUser, PageRequest, Storage, StorageError, StorageResult, StoredAnomaly, StoredEvent, StoredForecast,
    StoredTrend, TenantRepository, TrendFilter, TrendSort, UserCredentials, UserRepository, WellAnalytics, WellFilter,
    WellRepository, WellWithLatest,
};
use crate::ports::{AlarmChange, AlarmFilter, AlarmRepository, OutOfService, StoredAlarm};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use flowline_shared::UserId;
use flowline_shared::alarms::{AlarmId, AlarmRuleSet, AlarmTransition};
use flowline_shared::analytics::aggregation::{EntryValues, MonthAggregates, TimeSeriesAggregate};
use flowline_shared::{
    ApiNumber, EntryId, FieldEntry, NewWell, Tenant, TenantId, TenantSlug, User, Username, Well, WellId,
};
use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;
use uuid::Uuid;

#[derive(Default)]
pub(crate) struct State {
    pub tenants: Vec<Tenant>,
    pub wells: Vec<Well>,
    pub entries: BTreeMap<EntryId, (TenantId, FieldEntry)>,
    pub insert_calls: usize,
    /// Ids of every successful insert call, in call order.
    pub inserts: Vec<Vec<EntryId>>,
    pub create_wells_calls: usize,
    /// Fail the n-th call of `insert_entries` (1-based) with `Unavailable`.
    pub fail_insert_call: Option<usize>,
}

#[derive(Default)]
pub(crate) struct FakeStorage {
    pub state: Mutex<State>,
}

fn unsupported<T>() -> StorageResult<T> {
    Err(StorageError::Unavailable("not supported by the import test fake".into()))
}

impl FakeStorage {
    pub(crate) fn with_tenant(time_zone: chrono_tz::Tz) -> (Self, TenantId) {
        let id = TenantId(Uuid::from_u128(0x7e));
        let fake = Self::default();
        fake.lock().tenants.push(Tenant {
            id,
            slug: TenantSlug::parse("acme").unwrap(),
            name: "Acme".into(),
            time_zone,
            created_at: Utc::now(),
        });
        (fake, id)
    }

    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    pub(crate) fn add_well(&self, tenant: TenantId, well: &NewWell) -> Well {
        let now = Utc::now();
        let mut state = self.lock();
        let w = Well::from_new(WellId(Uuid::new_v4()), tenant, well, now);
        state.wells.push(w.clone());
        w
    }
}

#[async_trait]
impl TenantRepository for FakeStorage {
    async fn create_tenant(&self, _tenant: &NewTenant) -> StorageResult<Tenant> {
        unsupported()
    }
    async fn tenant_by_slug(&self, _slug: &TenantSlug) -> StorageResult<Option<Tenant>> {
        unsupported()
    }
    async fn tenant_by_id(&self, id: TenantId) -> StorageResult<Option<Tenant>> {
        Ok(self.lock().tenants.iter().find(|t| t.id == id).cloned())
    }
    async fn list_tenants(&self) -> StorageResult<Vec<Tenant>> {
        Ok(self.lock().tenants.clone())
    }
}

#[async_trait]
impl UserRepository for FakeStorage {
    async fn create_user(&self, _user: &NewUser) -> StorageResult<User> {
        unsupported()
    }
    async fn user_credentials(&self, _t: TenantId, _u: &Username) -> StorageResult<Option<UserCredentials>> {
        unsupported()
    }
}

#[async_trait]
impl WellRepository for FakeStorage {
    async fn create_well(&self, tenant: TenantId, well: &NewWell, _now: DateTime<Utc>) -> StorageResult<Well> {
        Ok(self.add_well(tenant, well))
    }
    async fn create_wells(&self, tenant: TenantId, wells: &[NewWell], _now: DateTime<Utc>) -> StorageResult<Vec<Well>> {
        let mut taken: HashSet<ApiNumber> = {
            let mut state = self.lock();
            state.create_wells_calls += 1;
            state.wells.iter().filter(|w| w.tenant_id == tenant).filter_map(|w| w.api_number.clone()).collect()
        };
        for api in wells.iter().filter_map(|w| w.api_number.as_ref()) {
            if !taken.insert(api.clone()) {
                return Err(StorageError::Conflict(format!("API number {api}")));
            }
        }
        Ok(wells.iter().map(|w| self.add_well(tenant, w)).collect())
    }
    async fn update_well(&self, _tenant: TenantId, _well: &Well) -> StorageResult<Well> {
        unsupported()
    }
    async fn get_well(&self, tenant: TenantId, id: WellId) -> StorageResult<Option<Well>> {
        Ok(self.lock().wells.iter().find(|w| w.tenant_id == tenant && w.id == id).cloned())
    }
    async fn list_wells(
        &self,
        tenant: TenantId,
        _filter: &WellFilter,
        page: PageRequest,
    ) -> StorageResult<(Vec<WellWithLatest>, u64)> {
        let mut wells: Vec<Well> = self.lock().wells.iter().filter(|w| w.tenant_id == tenant).cloned().collect();
        wells.sort_by(|a, b| (&a.name, a.id).cmp(&(&b.name, b.id)));
        let total = wells.len() as u64;
        let items = wells
            .into_iter()
            .skip(page.offset as usize)
            .take(page.limit.min(500) as usize)
            .map(|well| WellWithLatest { well, latest: None })
            .collect();
        Ok((items, total))
    }
    async fn existing_well_ids(&self, tenant: TenantId, ids: &[WellId]) -> StorageResult<HashSet<WellId>> {
        let state = self.lock();
        Ok(ids.iter().copied().filter(|id| state.wells.iter().any(|w| w.tenant_id == tenant && w.id == *id)).collect())
    }
    async fn wells_by_ids(&self, tenant: TenantId, ids: &[WellId]) -> StorageResult<Vec<Well>> {
        let mut found: Vec<Well> =
            self.lock().wells.iter().filter(|w| w.tenant_id == tenant && ids.contains(&w.id)).cloned().collect();
        found.sort_by_key(|w| w.id);
        Ok(found)
    }
    async fn well_ids(&self, tenant: TenantId) -> StorageResult<Vec<WellId>> {
        let mut ids: Vec<WellId> = self.lock().wells.iter().filter(|w| w.tenant_id == tenant).map(|w| w.id).collect();
        ids.sort_unstable();
        Ok(ids)
    }
}

#[async_trait]
impl EntryRepository for FakeStorage {
    async fn insert_entries(&self, tenant: TenantId, entries: &[FieldEntry]) -> StorageResult<InsertOutcome> {
        let mut state = self.lock();
        state.insert_calls += 1;
        if state.fail_insert_call == Some(state.insert_calls) {
            return Err(StorageError::Unavailable("disk full".into()));
        }
        let mut outcome = InsertOutcome::default();
        for e in entries {
            match state.entries.entry(e.id) {
                std::collections::btree_map::Entry::Occupied(_) => outcome.duplicates += 1,
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert((tenant, e.clone()));
                    outcome.inserted += 1;
                }
            }
        }
        state.inserts.push(entries.iter().map(|e| e.id).collect());
        Ok(outcome)
    }
    async fn entries_for_well(
        &self,
        _tenant: TenantId,
        _well: WellId,
        _query: EntryQuery,
    ) -> StorageResult<(Vec<FieldEntry>, u64)> {
        unsupported()
    }
    async fn readings(
        &self,
        _tenant: TenantId,
        _wells: &[WellId],
        _from: DateTime<Utc>,
        _to: DateTime<Utc>,
    ) -> StorageResult<Vec<EntryValues>> {
        unsupported()
    }
    async fn entry_span(&self, tenant: TenantId) -> StorageResult<Option<(DateTime<Utc>, DateTime<Utc>)>> {
        let state = self.lock();
        let mut times = state.entries.values().filter(|(t, _)| *t == tenant).map(|(_, e)| e.recorded_at);
        let first = times.next();
        Ok(first.map(|f| times.fold((f, f), |(a, b), t| (a.min(t), b.max(t)))))
    }
    async fn count_entries(&self, tenant: TenantId) -> StorageResult<u64> {
        Ok(self.lock().entries.values().filter(|(t, _)| *t == tenant).count() as u64)
    }
    async fn settle_bulk_load(&self) -> StorageResult<()> {
        Ok(())
    }
    async fn latest_reading_times(
        &self,
        tenant: TenantId,
        wells: &[WellId],
    ) -> StorageResult<std::collections::HashMap<WellId, DateTime<Utc>>> {
        let mut latest = std::collections::HashMap::new();
        for (t, e) in self.lock().entries.values() {
            if *t == tenant && wells.contains(&e.well_id) {
                let slot = latest.entry(e.well_id).or_insert(e.recorded_at);
                *slot = (*slot).max(e.recorded_at);
            }
        }
        Ok(latest)
    }
}

#[async_trait]
impl AggregateRepository for FakeStorage {
    async fn replace_months(&self, _tenant: TenantId, _months: &[MonthAggregates]) -> StorageResult<()> {
        unsupported()
    }
    async fn aggregates(
        &self,
        _tenant: TenantId,
        _tz: chrono_tz::Tz,
        _query: &AggregateQuery,
    ) -> StorageResult<Vec<TimeSeriesAggregate>> {
        unsupported()
    }
    async fn month_groups(
        &self,
        _tenant: TenantId,
        _tz: chrono_tz::Tz,
        _wells: &[WellId],
        _first: NaiveDate,
        _last: NaiveDate,
    ) -> StorageResult<Vec<MonthAggregates>> {
        unsupported()
    }
    async fn dirty_wells(&self, _tenant: TenantId, _limit: u32) -> StorageResult<Vec<DirtyWell>> {
        unsupported()
    }
    async fn clear_dirty(&self, _tenant: TenantId, _done: &[DirtyWell]) -> StorageResult<u64> {
        unsupported()
    }
}

#[async_trait]
impl AlarmRepository for FakeStorage {
    async fn alarm_rule_set(&self, _tenant: TenantId) -> StorageResult<Option<AlarmRuleSet>> {
        unsupported()
    }
    async fn put_alarm_rule_set(
        &self,
        _tenant: TenantId,
        _rules: &AlarmRuleSet,
        _by: UserId,
        _at: DateTime<Utc>,
    ) -> StorageResult<()> {
        unsupported()
    }
    async fn open_alarms(&self, _tenant: TenantId, _wells: Option<&[WellId]>) -> StorageResult<Vec<StoredAlarm>> {
        unsupported()
    }
    async fn get_alarm(&self, _tenant: TenantId, _id: AlarmId) -> StorageResult<Option<StoredAlarm>> {
        unsupported()
    }
    async fn list_alarms(
        &self,
        _tenant: TenantId,
        _filter: &AlarmFilter,
        _page: PageRequest,
    ) -> StorageResult<(Vec<StoredAlarm>, u64)> {
        unsupported()
    }
    async fn record_alarm_changes(
        &self,
        _tenant: TenantId,
        _changes: &[AlarmChange],
        _events: &[NewEvent],
    ) -> StorageResult<Vec<StoredEvent>> {
        unsupported()
    }
    async fn alarm_journal(
        &self,
        _tenant: TenantId,
        _from: DateTime<Utc>,
        _to: DateTime<Utc>,
    ) -> StorageResult<Vec<AlarmTransition>> {
        unsupported()
    }
    async fn alarm_history(&self, _tenant: TenantId, _id: AlarmId) -> StorageResult<Vec<AlarmTransition>> {
        unsupported()
    }
    async fn alarm_request(&self, _tenant: TenantId, _request_key: &str) -> StorageResult<Vec<AlarmTransition>> {
        unsupported()
    }
    async fn alarms_out_of_service(&self, _tenant: TenantId) -> StorageResult<Vec<OutOfService>> {
        unsupported()
    }
    async fn set_alarms_out_of_service(
        &self,
        _tenant: TenantId,
        _well: WellId,
        _record: Option<&OutOfService>,
    ) -> StorageResult<()> {
        unsupported()
    }
}

#[async_trait]
impl EventRepository for FakeStorage {
    async fn append_events(&self, _tenant: TenantId, _events: &[NewEvent]) -> StorageResult<Vec<StoredEvent>> {
        unsupported()
    }
    async fn events_after(&self, _tenant: TenantId, _after: i64, _limit: u32) -> StorageResult<Vec<StoredEvent>> {
        unsupported()
    }
    async fn last_event_seq(&self, _tenant: TenantId) -> StorageResult<i64> {
        unsupported()
    }
    async fn prune_events(&self, _tenant: TenantId, _before: DateTime<Utc>) -> StorageResult<u64> {
        unsupported()
    }
}

#[async_trait]
impl JobRunRepository for FakeStorage {
    async fn start_job_run(&self, _run: &JobRun) -> StorageResult<()> {
        unsupported()
    }
    async fn finish_job_run(
        &self,
        _id: Uuid,
        _at: DateTime<Utc>,
        _status: JobStatus,
        _rows: u64,
        _message: Option<&str>,
    ) -> StorageResult<()> {
        unsupported()
    }
    async fn recent_job_runs(
        &self,
        _tenant: Option<TenantId>,
        _job: Option<JobKind>,
        _limit: u32,
    ) -> StorageResult<Vec<JobRun>> {
        unsupported()
    }
    async fn acquire_lease(
        &self,
        _name: &str,
        _holder: Uuid,
        _now: DateTime<Utc>,
        _until: DateTime<Utc>,
    ) -> StorageResult<bool> {
        unsupported()
    }
}

#[async_trait]
impl AnalyticsRepository for FakeStorage {
    async fn mark_analytics_changed(&self, _t: TenantId, _wells: &[WellId], _at: DateTime<Utc>) -> StorageResult<()> {
        unsupported()
    }
    async fn wells_due_for_analytics(
        &self,
        _t: TenantId,
        _due: AnalyticsDue,
        _limit: u32,
    ) -> StorageResult<Vec<WellId>> {
        unsupported()
    }
    async fn store_analytics(&self, _t: TenantId, _r: &[WellAnalytics], _at: DateTime<Utc>) -> StorageResult<()> {
        unsupported()
    }
    async fn list_trends(
        &self,
        _t: TenantId,
        _f: &TrendFilter,
        _s: TrendSort,
        _p: PageRequest,
    ) -> StorageResult<(Vec<StoredTrend>, u64)> {
        unsupported()
    }
    async fn list_anomalies(&self, _t: TenantId, _q: &AnomalyQuery) -> StorageResult<(Vec<StoredAnomaly>, u64)> {
        unsupported()
    }
    async fn stored_forecast(&self, _t: TenantId, _w: WellId) -> StorageResult<Option<StoredForecast>> {
        unsupported()
    }
    async fn analytics_state(
        &self,
        _t: TenantId,
        _w: WellId,
    ) -> StorageResult<(Option<DateTime<Utc>>, Option<DateTime<Utc>>)> {
        unsupported()
    }
}

#[async_trait]
impl Storage for FakeStorage {
    async fn migrate(&self) -> StorageResult<usize> {
        Ok(0)
    }
    async fn ping(&self) -> StorageResult<()> {
        Ok(())
    }
    fn dialect(&self) -> &'static str {
        "fake"
    }
}

#[async_trait]
impl crate::ports::MaintenanceRepository for FakeStorage {
    async fn create_maintenance(
        &self,
        _t: TenantId,
        _item: &flowline_shared::dto::maintenance::MaintenanceItem,
    ) -> StorageResult<flowline_shared::dto::maintenance::MaintenanceItem> {
        unsupported()
    }
    async fn insert_maintenance(
        &self,
        _t: TenantId,
        _items: &[flowline_shared::dto::maintenance::MaintenanceItem],
    ) -> StorageResult<InsertOutcome> {
        unsupported()
    }
    async fn get_maintenance(
        &self,
        _t: TenantId,
        _id: flowline_shared::dto::maintenance::MaintenanceId,
    ) -> StorageResult<Option<flowline_shared::dto::maintenance::MaintenanceItem>> {
        unsupported()
    }
    async fn list_maintenance(
        &self,
        _t: TenantId,
        _filter: &crate::ports::MaintenanceFilter,
        _page: PageRequest,
    ) -> StorageResult<(Vec<flowline_shared::dto::maintenance::MaintenanceItem>, u64)> {
        unsupported()
    }
    async fn update_maintenance(
        &self,
        _t: TenantId,
        _id: flowline_shared::dto::maintenance::MaintenanceId,
        _patch: &flowline_shared::dto::maintenance::MaintenancePatch,
        _now: DateTime<Utc>,
    ) -> StorageResult<flowline_shared::dto::maintenance::MaintenanceItem> {
        unsupported()
    }
    async fn delete_maintenance(
        &self,
        _t: TenantId,
        _id: flowline_shared::dto::maintenance::MaintenanceId,
    ) -> StorageResult<()> {
        unsupported()
    }
    async fn next_scheduled_maintenance(
        &self,
        _t: TenantId,
        _wells: &[WellId],
    ) -> StorageResult<std::collections::HashMap<WellId, flowline_shared::dto::maintenance::MaintenanceItem>> {
        unsupported()
    }
}

#[async_trait]
impl crate::ports::PriceRepository for FakeStorage {
    async fn tenant_prices(
        &self,
        _t: TenantId,
        _query: &crate::ports::TenantPriceQuery,
    ) -> StorageResult<Vec<crate::ports::TenantPrice>> {
        unsupported()
    }
    async fn put_prices(
        &self,
        _t: TenantId,
        _points: &[flowline_shared::kpis::prices::PricePoint],
        _heat_content: Option<flowline_shared::kpis::revenue::HeatContent>,
        _by: &str,
        _at: DateTime<Utc>,
    ) -> StorageResult<()> {
        unsupported()
    }
    async fn price_settings(&self, _t: TenantId) -> StorageResult<Option<crate::ports::PriceSettings>> {
        unsupported()
    }
}
