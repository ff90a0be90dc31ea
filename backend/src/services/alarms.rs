//! Alarms (ISA-18.2): evaluating the tenant's rules against what its wells report, the operator's side
//! (acknowledge, shelve), and the queries of the alarm API. The rules, conditions and life cycle are the pure
//! `flowline_shared::alarms`; this service feeds them and records what they decide.
//!
//! - **Evaluation on ingest** ([`AlarmService::evaluate_readings`]): each well's newest reading in a batch is its
//!   current state, if it is also the newest stored (a late reading or a historical import is history) (readings carry per-day rates, so the newest one is the current rate); the trailing 7-day average
//!   of the primary product comes from the stored daily aggregates of the 7 local days before that reading's day;
//!   recent anomalies from the analytics. One open alarm per (well, rule): a returning condition re-raises it.
//! - **Recording**: alarm changes, their journal records and the stream events announcing them (`alert_created` for
//!   a new alarm, `alert_cleared` when one closes, `alert_updated` for every other transition) are stored in one
//!   transaction, then published. A change that raced another (the revision moved) is re-read and re-applied.
//! - **Operators**: acknowledge (with an optional comment), acknowledge every unacknowledged alarm matching a filter,
//!   shelve (reason and expiry required), unshelve. The first three take the client's idempotency key, so a retried
//!   request is applied once ([`requests`]).
//! - **Periodic** ([`AlarmService::run_periodic`], stepped by the scheduler at most once a minute): expired shelves
//!   end, and the data-gap rule is evaluated for every well (a well raises it by not reporting).

mod requests;

pub use requests::{Answered, MAX_REQUEST_KEY_CHARS, RequestKey};

use super::Deps;
use super::analytics::primary_field;
use super::events::EventService;
use super::wells::all_wells;
use crate::ports::{
    AggregateQuery, AlarmChange, AlarmFilter, AnomalyQuery, NewEvent, OutOfService, PageRequest, StorageError,
    StoredAlarm, WellFilter, WellWithLatest,
};
use chrono::{DateTime, Days, NaiveDate, Utc};
use flowline_shared::alarms::{
    Alarm, AlarmAction, AlarmError, AlarmHealth, AlarmId, AlarmRuleKind, AlarmRuleSet, AlarmState, AlarmTransition,
    AlarmUpdate, LatestDay, MAX_TEXT_CHARS, NewAlarm, PressureReading, RecentAnomaly, WellSnapshot, alarm_health,
    apply, evaluate, evaluate_rule,
};
use flowline_shared::analytics::aggregation::{Field, Period};
use flowline_shared::dto::events::EventKind;
use flowline_shared::{FieldEntry, Tenant, TenantId, UserId, Well, WellId};
use std::collections::{HashMap, HashSet};

/// Attempts at recording a change that keeps racing another before giving up with `Conflict`.
const ATTEMPTS: usize = 3;
/// Days of daily aggregates the trailing average is taken over.
const TRAILING_DAYS: u64 = 7;
/// Batches of at most this many wells read their wells' recent anomalies one well at a time.
const PER_WELL_ANOMALY_QUERIES: usize = 20;
/// Wells whose data-gap changes the periodic evaluation records in one transaction.
const WELLS_PER_TRANSACTION: usize = 1_000;
/// The longest window of the alarm-health KPIs.
pub const MAX_HEALTH_WINDOW: chrono::Duration = chrono::Duration::days(31);
/// The most alarms one acknowledge-all touches.
pub const MAX_ACKNOWLEDGE_ALL: u32 = 1_000;

#[derive(Debug, thiserror::Error)]
pub enum AlarmServiceError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("no alarm {0} in this tenant")]
    UnknownAlarm(AlarmId),
    /// The health window is empty, reversed or too long.
    #[error("{0}")]
    Window(String),
    /// The operation does not fit the alarm (already acknowledged, closed, …) or an input is bad (`field` names it).
    #[error(transparent)]
    Rejected(#[from] AlarmError),
    /// The request's idempotency key already belongs to another request.
    #[error("{0}")]
    KeyReused(String),
}

/// What an evaluation changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EvaluationReport {
    pub wells: usize,
    pub raised: usize,
    pub changed: usize,
}

#[derive(Clone)]
pub struct AlarmService {
    deps: Deps,
    events: EventService,
}

/// The event that announces an alarm change, if any (a value update within a state announces nothing).
fn event_of(change: &AlarmChange) -> Option<NewEvent> {
    let last = change.transitions.last()?;
    let kind = if change.read_revision.is_none() {
        EventKind::AlertCreated
    } else if change.alarm.state == AlarmState::Normal {
        EventKind::AlertCleared
    } else {
        EventKind::AlertUpdated
    };
    let alert = serde_json::to_value(&change.alarm).ok()?;
    let mut data = serde_json::Map::new();
    data.insert("alert".into(), alert);
    Some(NewEvent { kind, at: last.at, data })
}

impl AlarmService {
    pub fn new(deps: Deps, events: EventService) -> Self {
        Self { deps, events }
    }

    /// The tenant's rule set (the defaults until an admin saves one).
    pub async fn rules(&self, tenant: TenantId) -> Result<AlarmRuleSet, AlarmServiceError> {
        Ok(self.deps.storage.alarm_rule_set(tenant).await?.unwrap_or_default())
    }

    pub async fn put_rules(&self, tenant: TenantId, rules: &AlarmRuleSet, by: UserId) -> Result<(), AlarmServiceError> {
        Ok(self.deps.storage.put_alarm_rule_set(tenant, rules, by, self.deps.clock.now()).await?)
    }

    /// Records `changes` with their events and publishes the events.
    async fn record(&self, tenant: TenantId, changes: &[AlarmChange]) -> Result<(), StorageError> {
        if changes.is_empty() {
            return Ok(());
        }
        let events: Vec<NewEvent> = changes.iter().filter_map(event_of).collect();
        let stored = self.deps.storage.record_alarm_changes(tenant, changes, &events).await?;
        self.events.publish_stored(&stored).await;
        Ok(())
    }

    /// Evaluates the rules for the wells of `entries` (a stored ingest batch) and records what changed.
    pub async fn evaluate_readings(
        &self,
        tenant: &Tenant,
        entries: &[FieldEntry],
    ) -> Result<EvaluationReport, AlarmServiceError> {
        let mut newest: HashMap<WellId, &FieldEntry> = HashMap::new();
        for entry in entries {
            let slot = newest.entry(entry.well_id).or_insert(entry);
            if entry.recorded_at > slot.recorded_at {
                *slot = entry;
            }
        }
        // Only a batch that brought a well's newest reading says anything about its present: a late reading or a
        // historical import is history (it neither raises nor clears anything).
        let mut batch_wells: Vec<WellId> = newest.keys().copied().collect();
        batch_wells.sort_unstable();
        let stored = self.deps.storage.latest_reading_times(tenant.id, &batch_wells).await?;
        newest.retain(|well, entry| stored.get(well).is_none_or(|latest| entry.recorded_at >= *latest));
        let mut ids: Vec<WellId> = newest.keys().copied().collect();
        ids.sort_unstable();
        let wells = self.deps.storage.wells_by_ids(tenant.id, &ids).await?;
        let trailing = self.trailing_averages(tenant, &wells, &newest).await?;
        let anomalies = self.recent_anomalies(tenant, &newest).await?;
        let out_of_service = self.out_of_service_wells(tenant.id).await?;
        let snapshots: Vec<(WellId, WellSnapshot)> = wells
            .iter()
            .filter_map(|well| {
                let entry = newest.get(&well.id)?;
                let day = entry.recorded_at.with_timezone(&tenant.time_zone).date_naive();
                let snapshot = WellSnapshot {
                    well_type: well.well_type,
                    status: well.status,
                    out_of_service: out_of_service.contains(&well.id),
                    latest_reading_at: Some(entry.recorded_at),
                    latest_day: Some(LatestDay {
                        day,
                        oil_bbl: entry.oil_bbl,
                        gas_mcf: entry.gas_mcf,
                        water_bbl: entry.water_bbl,
                        hours_on: entry.hours_on,
                    }),
                    tubing: entry.tubing_psig.map(|psig| PressureReading { psig, at: entry.recorded_at }),
                    trailing_avg_rate: trailing.get(&well.id).copied(),
                    recent_anomalies: anomalies.get(&well.id).cloned().unwrap_or_default(),
                };
                Some((well.id, snapshot))
            })
            .collect();
        self.evaluate_snapshots(tenant.id, &snapshots).await
    }

    /// Applies the rules to each well's snapshot against its open alarms, recording the changes; re-reads and
    /// re-applies when another change raced this one.
    pub async fn evaluate_snapshots(
        &self,
        tenant: TenantId,
        snapshots: &[(WellId, WellSnapshot)],
    ) -> Result<EvaluationReport, AlarmServiceError> {
        let rules = self.rules(tenant).await?;
        let wells: Vec<WellId> = snapshots.iter().map(|(w, _)| *w).collect();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let now = self.deps.clock.now();
            let open = self.deps.storage.open_alarms(tenant, Some(&wells)).await?;
            let mut by_key: HashMap<(WellId, AlarmRuleKind), &StoredAlarm> =
                open.iter().map(|a| ((a.alarm.well_id, a.alarm.rule), a)).collect();
            let mut changes = Vec::new();
            let mut report = EvaluationReport { wells: snapshots.len(), ..Default::default() };
            for (well, snapshot) in snapshots {
                let active: Vec<AlarmRuleKind> = open
                    .iter()
                    .filter(|a| a.alarm.well_id == *well && a.alarm.state.is_active())
                    .map(|a| a.alarm.rule)
                    .collect();
                for evaluation in evaluate(&rules, snapshot, &active, now) {
                    let current = by_key.remove(&(*well, evaluation.kind));
                    let new = NewAlarm {
                        id: AlarmId(uuid::Uuid::now_v7()),
                        tenant_id: tenant,
                        well_id: *well,
                        rule: evaluation.kind,
                        priority: evaluation.priority,
                    };
                    let Some(update) = apply(current.map(|c| &c.alarm), new, &evaluation.condition, now)? else {
                        continue;
                    };
                    // A value update within a state is recorded only when the value moved.
                    if update.transitions.is_empty() && current.is_some_and(|c| c.alarm.value == update.alarm.value) {
                        continue;
                    }
                    let read_revision = current.map(|c| c.revision);
                    if read_revision.is_none() {
                        report.raised += 1;
                    } else if !update.transitions.is_empty() {
                        report.changed += 1;
                    }
                    changes.push(AlarmChange {
                        alarm: update.alarm,
                        read_revision,
                        transitions: update.transitions,
                        request_key: None,
                    });
                }
            }
            match self.record(tenant, &changes).await {
                Ok(()) => return Ok(report),
                Err(StorageError::Conflict(_)) if attempt < ATTEMPTS => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The time-driven part of the rules, for every well of the tenant: shelves that reached their `until` end
    /// (journaled as `shelf_expired`), and the data-gap rule, which a well raises by *not* reporting, is evaluated
    /// against each well's newest reading. Only transitions are recorded (the growing age of an open gap is not).
    pub async fn run_periodic(&self, tenant: &Tenant) -> Result<EvaluationReport, AlarmServiceError> {
        let mut report = self.expire_shelves(tenant.id).await?;
        let gaps = self.evaluate_data_gaps(tenant).await?;
        report.wells = gaps.wells;
        report.raised += gaps.raised;
        report.changed += gaps.changed;
        Ok(report)
    }

    async fn expire_shelves(&self, tenant: TenantId) -> Result<EvaluationReport, AlarmServiceError> {
        let now = self.deps.clock.now();
        let open = self.deps.storage.open_alarms(tenant, None).await?;
        let mut report = EvaluationReport::default();
        for stored in open.iter().filter(|a| a.alarm.shelved.as_ref().is_some_and(|s| s.until <= now)) {
            let update = stored.alarm.unshelve_if_expired(now);
            let change = AlarmChange {
                alarm: update.alarm,
                read_revision: Some(stored.revision),
                transitions: update.transitions,
                request_key: None,
            };
            match self.record(tenant, std::slice::from_ref(&change)).await {
                Ok(()) => report.changed += 1,
                // Someone unshelved or changed it meanwhile: the next pass sees the new state.
                Err(StorageError::Conflict(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(report)
    }

    async fn evaluate_data_gaps(&self, tenant: &Tenant) -> Result<EvaluationReport, AlarmServiceError> {
        let rules = self.rules(tenant.id).await?;
        let out_of_service = self.out_of_service_wells(tenant.id).await?;
        let wells = all_wells(self.deps.storage.as_ref(), tenant.id, &WellFilter::default()).await?;
        let mut report = EvaluationReport { wells: wells.len(), ..Default::default() };
        // One transaction per chunk, retried on its own: a change racing one well does not redo the fleet.
        for chunk in wells.chunks(WELLS_PER_TRANSACTION) {
            let mut attempt = 0;
            loop {
                attempt += 1;
                match self.data_gaps_of(tenant.id, &rules, &out_of_service, chunk).await {
                    Ok((raised, changed)) => {
                        report.raised += raised;
                        report.changed += changed;
                        break;
                    }
                    Err(AlarmServiceError::Storage(StorageError::Conflict(_))) if attempt < ATTEMPTS => continue,
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(report)
    }

    /// The data-gap rule for one page of wells against their open gap alarms; records the transitions. Returns how
    /// many alarms were raised and changed.
    async fn data_gaps_of(
        &self,
        tenant: TenantId,
        rules: &AlarmRuleSet,
        out_of_service: &HashSet<WellId>,
        wells: &[WellWithLatest],
    ) -> Result<(usize, usize), AlarmServiceError> {
        let rule = rules.rule(AlarmRuleKind::DataGap);
        let now = self.deps.clock.now();
        let ids: Vec<WellId> = wells.iter().map(|w| w.well.id).collect();
        let open: HashMap<WellId, StoredAlarm> = self
            .deps
            .storage
            .open_alarms(tenant, Some(&ids))
            .await?
            .into_iter()
            .filter(|a| a.alarm.rule == AlarmRuleKind::DataGap)
            .map(|a| (a.alarm.well_id, a))
            .collect();
        let mut changes = Vec::new();
        for row in wells {
            let current = open.get(&row.well.id);
            // A disabled rule raises nothing; its open alarms stay until they return to normal.
            if !rule.enabled() && current.is_none() {
                continue;
            }
            let snapshot = WellSnapshot {
                well_type: row.well.well_type,
                status: row.well.status,
                out_of_service: out_of_service.contains(&row.well.id),
                latest_reading_at: row.latest.as_ref().map(|l| l.recorded_at),
                latest_day: None,
                tubing: None,
                trailing_avg_rate: None,
                recent_anomalies: Vec::new(),
            };
            let active = current.is_some_and(|c| c.alarm.state.is_active());
            let condition = evaluate_rule(rules, AlarmRuleKind::DataGap, &snapshot, active, now);
            let new = NewAlarm {
                id: AlarmId(uuid::Uuid::now_v7()),
                tenant_id: tenant,
                well_id: row.well.id,
                rule: AlarmRuleKind::DataGap,
                priority: rule.priority(),
            };
            let Some(update) = apply(current.map(|c| &c.alarm), new, &condition, now)? else { continue };
            if update.transitions.is_empty() {
                continue;
            }
            changes.push(AlarmChange {
                alarm: update.alarm,
                read_revision: current.map(|c| c.revision),
                transitions: update.transitions,
                request_key: None,
            });
        }
        let raised = changes.iter().filter(|c| c.read_revision.is_none()).count();
        self.record(tenant, &changes).await?;
        Ok((raised, changes.len() - raised))
    }

    /// Mean daily primary-product rate of each well over the 7 local days before its newest reading's day.
    async fn trailing_averages(
        &self,
        tenant: &Tenant,
        wells: &[Well],
        newest: &HashMap<WellId, &FieldEntry>,
    ) -> Result<HashMap<WellId, f64>, StorageError> {
        let days: HashMap<WellId, NaiveDate> =
            newest.iter().map(|(w, e)| (*w, e.recorded_at.with_timezone(&tenant.time_zone).date_naive())).collect();
        let (Some(first), Some(last)) = (days.values().min(), days.values().max()) else {
            return Ok(HashMap::new());
        };
        let from = first.checked_sub_days(Days::new(TRAILING_DAYS)).unwrap_or(NaiveDate::MIN);
        let to = last.pred_opt().unwrap_or(*last);
        let query = AggregateQuery { wells: wells.iter().map(|w| w.id).collect(), period: Period::Daily, from, to };
        let daily = self.deps.storage.aggregates(tenant.id, tenant.time_zone, &query).await?;
        let primary: HashMap<WellId, Field> = wells.iter().map(|w| (w.id, primary_field(w.well_type))).collect();
        let mut sums: HashMap<WellId, (f64, u32)> = HashMap::new();
        for a in daily {
            let (Some(field), Some(day)) = (primary.get(&a.well_id), days.get(&a.well_id)) else { continue };
            let start = a.period.local_start();
            let window = day.checked_sub_days(Days::new(TRAILING_DAYS)).unwrap_or(NaiveDate::MIN);
            if a.field == *field && start >= window && start < *day {
                let slot = sums.entry(a.well_id).or_default();
                slot.0 += a.value();
                slot.1 += 1;
            }
        }
        Ok(sums.into_iter().map(|(w, (sum, n))| (w, sum / f64::from(n))).collect())
    }

    /// The primary-product anomalies of the last few days, per well (one query for the tenant).
    async fn recent_anomalies(
        &self,
        tenant: &Tenant,
        newest: &HashMap<WellId, &FieldEntry>,
    ) -> Result<HashMap<WellId, Vec<RecentAnomaly>>, StorageError> {
        let today = self.deps.clock.now().with_timezone(&tenant.time_zone).date_naive();
        let query = |well_id| AnomalyQuery {
            since: today.checked_sub_days(Days::new(3)),
            well_id,
            field: None,
            page: PageRequest { limit: 10_000, offset: 0 },
        };
        // A small batch (a field device, an operator's entry) asks for its wells' anomalies only; a fleet-wide
        // batch (the live feed) reads the tenant's once.
        let found = if newest.len() <= PER_WELL_ANOMALY_QUERIES {
            let mut found = Vec::new();
            for well in newest.keys() {
                found.extend(self.deps.storage.list_anomalies(tenant.id, &query(Some(*well))).await?.0);
            }
            found
        } else {
            self.deps.storage.list_anomalies(tenant.id, &query(None)).await?.0
        };
        let mut out: HashMap<WellId, Vec<RecentAnomaly>> = HashMap::new();
        for a in found.into_iter().filter(|a| newest.contains_key(&a.well_id)) {
            out.entry(a.well_id).or_default().push(RecentAnomaly::from(&a.anomaly));
        }
        Ok(out)
    }

    /// Applies an operator's operation to one alarm, re-reading it when another change raced this one; the journal
    /// records carry `key`.
    async fn operate(
        &self,
        tenant: TenantId,
        id: AlarmId,
        key: Option<&RequestKey>,
        operation: impl Fn(&Alarm, DateTime<Utc>) -> Result<AlarmUpdate, AlarmError>,
    ) -> Result<Alarm, AlarmServiceError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let stored = self.deps.storage.get_alarm(tenant, id).await?.ok_or(AlarmServiceError::UnknownAlarm(id))?;
            let update = operation(&stored.alarm, self.deps.clock.now())?;
            let change = AlarmChange {
                alarm: update.alarm,
                read_revision: Some(stored.revision),
                transitions: update.transitions,
                request_key: key.map(|k| k.as_str().to_owned()),
            };
            match self.record(tenant, std::slice::from_ref(&change)).await {
                Ok(()) => return Ok(change.alarm),
                Err(StorageError::Conflict(_)) if attempt < ATTEMPTS => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Acknowledges one alarm, once per `key` (see [`requests`]).
    pub async fn acknowledge(
        &self,
        tenant: TenantId,
        id: AlarmId,
        by: UserId,
        comment: Option<&str>,
        key: Option<&RequestKey>,
    ) -> Result<Answered<Alarm>, AlarmServiceError> {
        let expected = requests::Expected { action: AlarmAction::Acknowledged, by, alarm: Some(id) };
        self.operate_once(tenant, id, key, &expected, |alarm, now| alarm.acknowledge(by, comment, now)).await
    }

    /// [`Self::operate`] unless an earlier request with `key` did it; a duplicate racing the first is refused by the
    /// alarm's state and then answered as the repeat it is.
    async fn operate_once(
        &self,
        tenant: TenantId,
        id: AlarmId,
        key: Option<&RequestKey>,
        expected: &requests::Expected,
        operation: impl Fn(&Alarm, DateTime<Utc>) -> Result<AlarmUpdate, AlarmError>,
    ) -> Result<Answered<Alarm>, AlarmServiceError> {
        if self.earlier_request(tenant, key, expected).await?.is_none() {
            match self.operate(tenant, id, key, operation).await {
                Ok(alarm) => return Ok(Answered::fresh(alarm)),
                Err(e @ AlarmServiceError::Rejected(_)) => {
                    if self.earlier_request(tenant, key, expected).await?.is_none() {
                        return Err(e);
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(Answered { value: self.get(tenant, id).await?.alarm, replayed: true })
    }

    /// Acknowledges every unacknowledged alarm matching `filter` (at most [`MAX_ACKNOWLEDGE_ALL`]); returns how many.
    /// An alarm that changed meanwhile (already acknowledged by someone else) is skipped. A repeat of a request with
    /// `key` acknowledges nothing and answers the first request's count (see [`requests`]).
    pub async fn acknowledge_matching(
        &self,
        tenant: TenantId,
        filter: &AlarmFilter,
        by: UserId,
        comment: Option<&str>,
        key: Option<&RequestKey>,
    ) -> Result<Answered<u64>, AlarmServiceError> {
        let expected = requests::Expected { action: AlarmAction::Acknowledged, by, alarm: None };
        if let Some(done) = self.earlier_request(tenant, key, &expected).await? {
            return Ok(Answered { value: done.len() as u64, replayed: true });
        }
        let mut filter = filter.clone();
        let unacknowledged = [AlarmState::ActiveUnacknowledged, AlarmState::ReturnedUnacknowledged];
        if filter.states.is_empty() {
            filter.states = unacknowledged.to_vec();
        } else {
            // Only the unacknowledged states the caller asked for; asking for acknowledged ones selects nothing.
            filter.states.retain(|s| unacknowledged.contains(s));
            if filter.states.is_empty() {
                return Ok(Answered::fresh(0));
            }
        }
        let page = PageRequest { limit: MAX_ACKNOWLEDGE_ALL, offset: 0 };
        let (found, _) = self.deps.storage.list_alarms(tenant, &filter, page).await?;
        let now = self.deps.clock.now();
        let mut changes = Vec::with_capacity(found.len());
        for stored in &found {
            // Validates the comment too: a bad one fails the whole request before anything is written.
            let update = stored.alarm.acknowledge(by, comment, now)?;
            changes.push(AlarmChange {
                alarm: update.alarm,
                read_revision: Some(stored.revision),
                transitions: update.transitions,
                request_key: key.map(|k| k.as_str().to_owned()),
            });
        }
        let mut done = 0;
        // One transaction per alarm: one racing change must not undo the others.
        for change in changes {
            match self.record(tenant, std::slice::from_ref(&change)).await {
                Ok(()) => done += 1,
                Err(StorageError::Conflict(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(Answered::fresh(done))
    }

    /// Shelves one alarm until `until`, once per `key` (see [`requests`]).
    pub async fn shelve(
        &self,
        tenant: TenantId,
        id: AlarmId,
        by: UserId,
        (reason, until): (&str, DateTime<Utc>),
        key: Option<&RequestKey>,
    ) -> Result<Answered<Alarm>, AlarmServiceError> {
        let expected = requests::Expected { action: AlarmAction::Shelved, by, alarm: Some(id) };
        self.operate_once(tenant, id, key, &expected, |alarm, now| alarm.shelve(by, reason, until, now)).await
    }

    pub async fn unshelve(&self, tenant: TenantId, id: AlarmId, by: UserId) -> Result<Alarm, AlarmServiceError> {
        self.operate(tenant, id, None, |alarm, now| alarm.unshelve(by, now)).await
    }

    pub async fn get(&self, tenant: TenantId, id: AlarmId) -> Result<StoredAlarm, AlarmServiceError> {
        self.deps.storage.get_alarm(tenant, id).await?.ok_or(AlarmServiceError::UnknownAlarm(id))
    }

    pub async fn list(
        &self,
        tenant: TenantId,
        filter: &AlarmFilter,
        page: PageRequest,
    ) -> Result<(Vec<StoredAlarm>, u64), AlarmServiceError> {
        Ok(self.deps.storage.list_alarms(tenant, filter, page).await?)
    }

    /// The alarm-system health (EEMUA 191 / ISA-18.2 KPIs) over `[from, to)`: at most [`MAX_HEALTH_WINDOW`].
    pub async fn health(
        &self,
        tenant: TenantId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<AlarmHealth, AlarmServiceError> {
        if to - from > MAX_HEALTH_WINDOW {
            return Err(AlarmServiceError::Window(format!(
                "the window may span at most {} days",
                MAX_HEALTH_WINDOW.num_days()
            )));
        }
        let journal = self.deps.storage.alarm_journal(tenant, from, to).await?;
        let open: Vec<Alarm> =
            self.deps.storage.open_alarms(tenant, None).await?.into_iter().map(|a| a.alarm).collect();
        alarm_health(&journal, &open, from, to).map_err(|e| AlarmServiceError::Window(e.to_string()))
    }

    /// The wells whose alarms are out of service.
    pub async fn out_of_service_wells(&self, tenant: TenantId) -> Result<HashSet<WellId>, StorageError> {
        Ok(self.deps.storage.alarms_out_of_service(tenant).await?.into_iter().map(|o| o.well_id).collect())
    }

    pub async fn out_of_service(&self, tenant: TenantId) -> Result<Vec<OutOfService>, AlarmServiceError> {
        Ok(self.deps.storage.alarms_out_of_service(tenant).await?)
    }

    /// Takes a well's alarms out of service (ISA-18.2): its rules are no longer evaluated and its open alarms are
    /// neither annunciated nor counted until it returns to service. A reason is required (up to 500 characters).
    pub async fn take_out_of_service(
        &self,
        tenant: TenantId,
        well: WellId,
        by: UserId,
        reason: &str,
    ) -> Result<OutOfService, AlarmServiceError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AlarmError::ReasonRequired.into());
        }
        let len = reason.chars().count();
        if len > MAX_TEXT_CHARS {
            return Err(AlarmError::ReasonTooLong { len, max: MAX_TEXT_CHARS }.into());
        }
        let record = OutOfService { well_id: well, since: self.deps.clock.now(), by, reason: reason.to_owned() };
        self.deps.storage.set_alarms_out_of_service(tenant, well, Some(&record)).await?;
        self.announce_service_change(tenant, well, true).await?;
        Ok(record)
    }

    /// Returns a well's alarms to service; its rules are evaluated again at the next reading or periodic step.
    pub async fn return_to_service(&self, tenant: TenantId, well: WellId) -> Result<(), AlarmServiceError> {
        self.deps.storage.set_alarms_out_of_service(tenant, well, None).await?;
        self.announce_service_change(tenant, well, false).await
    }

    /// The well's open alarms are annunciated (or no longer): an `alert_updated` each, with `out_of_service`
    /// beside the alarm, so badges and counts everywhere follow.
    async fn announce_service_change(
        &self,
        tenant: TenantId,
        well: WellId,
        out_of_service: bool,
    ) -> Result<(), AlarmServiceError> {
        let now = self.deps.clock.now();
        let events: Vec<NewEvent> = self
            .deps
            .storage
            .open_alarms(tenant, Some(&[well]))
            .await?
            .into_iter()
            .filter_map(|stored| {
                let mut data = serde_json::Map::new();
                data.insert("alert".into(), serde_json::to_value(&stored.alarm).ok()?);
                data.insert("out_of_service".into(), serde_json::Value::Bool(out_of_service));
                Some(NewEvent { kind: EventKind::AlertUpdated, at: now, data })
            })
            .collect();
        if !events.is_empty() {
            self.events.emit(tenant, &events).await?;
        }
        Ok(())
    }

    /// One alarm's journal: every transition, oldest first.
    pub async fn history(&self, tenant: TenantId, id: AlarmId) -> Result<Vec<AlarmTransition>, AlarmServiceError> {
        self.get(tenant, id).await?;
        Ok(self.deps.storage.alarm_history(tenant, id).await?)
    }
}
