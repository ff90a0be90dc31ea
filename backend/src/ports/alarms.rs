//! Storage port of the alarms (ISA-18.2): the tenant's rule set, the alarms with a revision each, and the journal of
//! their transitions. Alarm changes are recorded together with the stream events that announce them, in one
//! transaction, so a client never sees an event for a change that was not stored, nor misses one that was. The error
//! contract of `storage.rs` applies.

use super::{NewEvent, PageRequest, StorageResult, StoredEvent};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use flowline_shared::alarms::{Alarm, AlarmId, AlarmPriority, AlarmRuleSet, AlarmState, AlarmTransition};
use flowline_shared::{TenantId, UserId, WellId};

/// An alarm as stored, with the revision an update must name.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAlarm {
    pub alarm: Alarm,
    pub revision: i64,
}

/// One alarm change to record.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmChange {
    /// The alarm after the change.
    pub alarm: Alarm,
    /// The revision it was read at; `None` for a new alarm.
    pub read_revision: Option<i64>,
    /// The journal records the change produced (none for a value update within a state).
    pub transitions: Vec<AlarmTransition>,
    /// The client's idempotency key of the operator request behind the change, stored with its journal records
    /// (see [`AlarmRepository::alarm_request`]); `None` for the process, timers and requests without a key.
    pub request_key: Option<String>,
}

/// A well whose alarms are out of service.
#[derive(Debug, Clone, PartialEq)]
pub struct OutOfService {
    pub well_id: WellId,
    pub since: DateTime<Utc>,
    pub by: UserId,
    pub reason: String,
}

/// Which alarms to list (all conditions must hold); newest raise first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlarmFilter {
    pub priority: Option<AlarmPriority>,
    /// Any of these states; empty = any state.
    pub states: Vec<AlarmState>,
    pub well_id: Option<WellId>,
    /// `raised_at` (of the current occurrence) in `[from, to)`.
    pub raised_from: Option<DateTime<Utc>>,
    pub raised_to: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait AlarmRepository: Send + Sync {
    /// The tenant's rule set; `None` when it never saved one (the defaults apply).
    async fn alarm_rule_set(&self, tenant: TenantId) -> StorageResult<Option<AlarmRuleSet>>;
    /// Replaces the tenant's rule set.
    async fn put_alarm_rule_set(
        &self,
        tenant: TenantId,
        rules: &AlarmRuleSet,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StorageResult<()>;
    /// The open alarms (every state but normal) of the tenant, or of `wells` only.
    async fn open_alarms(&self, tenant: TenantId, wells: Option<&[WellId]>) -> StorageResult<Vec<StoredAlarm>>;
    async fn get_alarm(&self, tenant: TenantId, id: AlarmId) -> StorageResult<Option<StoredAlarm>>;
    /// The alarms matching `filter`, newest raise first (then id), with the total count.
    async fn list_alarms(
        &self,
        tenant: TenantId,
        filter: &AlarmFilter,
        page: PageRequest,
    ) -> StorageResult<(Vec<StoredAlarm>, u64)>;
    /// Stores the changes (new alarms inserted, changed ones replaced with their revision + 1), appends their
    /// journal records, and appends `events` to the tenant's stream (see `EventRepository::append_events`), all in
    /// one transaction; returns the appended events. `Conflict` when an alarm's revision moved since it was read or a
    /// second open alarm of one (well, rule) would result: nothing is written, and the caller re-reads and retries.
    /// `NotFound` for a well of another tenant.
    async fn record_alarm_changes(
        &self,
        tenant: TenantId,
        changes: &[AlarmChange],
        events: &[NewEvent],
    ) -> StorageResult<Vec<StoredEvent>>;
    /// The tenant's journal records with `at` in `[from, to)`, in recording order.
    async fn alarm_journal(
        &self,
        tenant: TenantId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StorageResult<Vec<AlarmTransition>>;
    /// One alarm's journal records, in recording order.
    async fn alarm_history(&self, tenant: TenantId, id: AlarmId) -> StorageResult<Vec<AlarmTransition>>;
    /// The tenant's journal records stored with `request_key` (see [`AlarmChange::request_key`]), in recording
    /// order; empty when no change of the tenant carried it (another tenant's key is not seen).
    async fn alarm_request(&self, tenant: TenantId, request_key: &str) -> StorageResult<Vec<AlarmTransition>>;
    /// The tenant's wells whose alarms are out of service.
    async fn alarms_out_of_service(&self, tenant: TenantId) -> StorageResult<Vec<OutOfService>>;
    /// Takes a well's alarms out of service (replacing an earlier record), or with `None` returns them to service.
    /// `NotFound` for a well of another tenant.
    async fn set_alarms_out_of_service(
        &self,
        tenant: TenantId,
        well: WellId,
        record: Option<&OutOfService>,
    ) -> StorageResult<()>;
}
