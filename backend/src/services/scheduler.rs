//! The job loop's one step: the scheduled aggregation jobs (daily at 23:59, weekly on Monday 00:00, monthly on the
//! 1st 00:00, each in the tenant's time zone), the dirty-period worker, the analytics pass and, at most once a
//! minute, the time-driven alarm rules (data gap, shelf expiry).
//!
//! [`Scheduler::run_once`] takes the instant to act at, so tests step it without sleeping; the server calls it
//! every [`TICK`]. A job fires when its scheduled instant lies in `(previous step, this step]`; the first step
//! after start-up fires nothing (readings that arrived meanwhile are still caught by their dirty marks). Only the
//! instance holding the `scheduler` lease acts, so several server instances on one database run each job once.

use super::Deps;
use super::aggregation::AggregationService;
use super::alarms::AlarmService;
use super::analytics::AnalyticsService;
use super::events::EventService;
use crate::ports::{JobKind, StorageError};
use chrono::{DateTime, Datelike, Days, LocalResult, Months, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use flowline_shared::Tenant;
use flowline_shared::analytics::aggregation::{first_of_month, local_midnight};
use std::collections::HashMap;
use std::sync::Mutex;

/// How often the server steps the scheduler.
pub const TICK: std::time::Duration = std::time::Duration::from_secs(15);
/// The periodic alarm evaluation (data gap, shelf expiry) runs at most this often per tenant: the data-gap limits
/// are hours, and it reads every well.
pub const ALARM_PERIOD: chrono::Duration = chrono::Duration::seconds(60);
/// The lease is held this long past each step, so a crashed instance's lease frees itself quickly.
const LEASE: chrono::Duration = chrono::Duration::seconds(90);
const LEASE_NAME: &str = "scheduler";

#[derive(Debug, thiserror::Error)]
pub enum SchedulerError {
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The instant local time `time` happens on `date` in `tz` (the earlier one when it happens twice, the first
/// instant after a gap when it does not happen).
fn local_instant(date: NaiveDate, time: NaiveTime, tz: Tz) -> DateTime<Utc> {
    match tz.from_local_datetime(&date.and_time(time)) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        // In a gap: the same wall time an hour later is past it.
        LocalResult::None => match tz.from_local_datetime(&(date.and_time(time) + chrono::Duration::hours(1))) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
            LocalResult::None => local_midnight(date, tz),
        },
    }
}

/// The latest scheduled instant of a calendar job at or before `now` in `tz`.
pub fn last_fire(job: JobKind, tz: Tz, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let today = now.with_timezone(&tz).date_naive();
    let at = |d: NaiveDate| match job {
        JobKind::Daily => Some(local_instant(d, NaiveTime::from_hms_opt(23, 59, 0)?, tz)),
        JobKind::Weekly | JobKind::Monthly => Some(local_midnight(d, tz)),
        JobKind::Dirty | JobKind::Backfill | JobKind::Analytics => None,
    };
    let (this, previous) = match job {
        JobKind::Daily => (today, today.checked_sub_days(Days::new(1))?),
        JobKind::Weekly => {
            let monday = today.checked_sub_days(Days::new(u64::from(today.weekday().num_days_from_monday())))?;
            (monday, monday.checked_sub_days(Days::new(7))?)
        }
        JobKind::Monthly => {
            let first = first_of_month(today);
            (first, first.checked_sub_months(Months::new(1))?)
        }
        JobKind::Dirty | JobKind::Backfill | JobKind::Analytics => return None,
    };
    let fire = at(this)?;
    if fire <= now { Some(fire) } else { at(previous) }
}

/// The local months the weekly or monthly job fired at `fire` recomputes: the week that just ended, or the month
/// that just ended. The daily job patches its day instead (`AggregationService::run_daily`): `None`.
pub fn months_of_job(job: JobKind, tz: Tz, fire: DateTime<Utc>) -> Option<(NaiveDate, NaiveDate)> {
    match job {
        JobKind::Weekly => {
            let monday = fire.with_timezone(&tz).date_naive();
            let last_week = monday.checked_sub_days(Days::new(7))?;
            Some((first_of_month(last_week), first_of_month(monday.pred_opt()?)))
        }
        JobKind::Monthly => {
            let first = first_of_month(fire.with_timezone(&tz).date_naive());
            let previous = first.checked_sub_months(Months::new(1))?;
            Some((previous, previous))
        }
        JobKind::Daily | JobKind::Dirty | JobKind::Backfill | JobKind::Analytics => None,
    }
}

/// What one step did, per tenant (for logs and tests).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StepReport {
    /// Whether this instance held the lease (nothing runs otherwise).
    pub leader: bool,
    /// (tenant slug, job) of every job that ran, in order.
    pub ran: Vec<(String, JobKind)>,
    /// Wells whose analytics were recomputed.
    pub analysed_wells: u64,
    /// Alarms raised or changed by the periodic evaluation.
    pub alarm_changes: usize,
    /// Failures, already logged.
    pub failures: Vec<String>,
}

pub struct Scheduler {
    deps: Deps,
    aggregation: AggregationService,
    analytics: AnalyticsService,
    holder: uuid::Uuid,
    lease: String,
    /// `None`: every tenant.
    tenants: Option<Vec<flowline_shared::TenantId>>,
    previous_step: Mutex<Option<DateTime<Utc>>>,
    /// The time-driven alarm rules (data gap, shelf expiry) and the pruning of old stream events; `None` where
    /// alarms are not evaluated.
    alarms: Option<(AlarmService, EventService)>,
    /// When each tenant's periodic alarm evaluation last ran.
    alarms_ran: Mutex<HashMap<flowline_shared::TenantId, DateTime<Utc>>>,
}

impl Scheduler {
    /// A scheduler for every tenant, under the shared `scheduler` lease.
    pub fn new(deps: Deps) -> Self {
        Self {
            aggregation: AggregationService::new(deps.clone()),
            analytics: AnalyticsService::new(deps.clone()),
            deps,
            holder: uuid::Uuid::new_v4(),
            lease: LEASE_NAME.to_owned(),
            tenants: None,
            previous_step: Mutex::new(None),
            alarms: None,
            alarms_ran: Mutex::new(HashMap::new()),
        }
    }

    /// The same scheduler, also evaluating the time-driven alarm rules and pruning stream events older than
    /// [`super::events::EVENT_RETENTION`] (at most every [`ALARM_PERIOD`]).
    pub fn with_alarms(mut self, alarms: AlarmService, events: EventService) -> Self {
        self.alarms = Some((alarms, events));
        self
    }

    /// Limits the scheduler to some tenants under its own lease name (a shard of the tenants; also what lets
    /// tests on a shared database step their own tenants only).
    pub fn for_tenants(mut self, lease: &str, tenants: Vec<flowline_shared::TenantId>) -> Self {
        self.lease = lease.to_owned();
        self.tenants = Some(tenants);
        self
    }

    /// One step at `now`: take the lease, run the calendar jobs that fell due since the previous step, then the
    /// dirty worker and the analytics pass, for every tenant. A failing tenant or job is logged and does not stop
    /// the others.
    pub async fn run_once(&self, now: DateTime<Utc>) -> Result<StepReport, SchedulerError> {
        let previous = self.previous_step.lock().map(|mut p| p.replace(now)).unwrap_or(None);
        let mut report = StepReport::default();
        if !self.deps.storage.acquire_lease(&self.lease, self.holder, now, now + LEASE).await? {
            return Ok(report);
        }
        report.leader = true;
        for tenant in self.deps.storage.list_tenants().await? {
            if self.tenants.as_ref().is_none_or(|only| only.contains(&tenant.id)) {
                self.step_tenant(&tenant, previous, now, &mut report).await;
            }
        }
        Ok(report)
    }

    async fn step_tenant(
        &self,
        tenant: &Tenant,
        previous: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
        report: &mut StepReport,
    ) {
        let tz = tenant.time_zone;
        let fail = |what: String, report: &mut StepReport| {
            tracing::warn!(tenant = %tenant.slug, "{what}");
            report.failures.push(what);
        };
        if let Some(previous) = previous {
            for job in [JobKind::Daily, JobKind::Weekly, JobKind::Monthly] {
                let Some(fire) = last_fire(job, tz, now).filter(|f| *f > previous) else { continue };
                let ran = match (job, months_of_job(job, tz, fire)) {
                    (JobKind::Daily, _) => {
                        let day = fire.with_timezone(&tz).date_naive();
                        self.aggregation.run_daily(tenant, day, &|_| {}).await
                    }
                    (_, Some((first, last))) => {
                        self.aggregation.run_for_all_wells(job, tenant, first, last, &|_| {}).await
                    }
                    (_, None) => continue,
                };
                match ran {
                    Ok(_) => report.ran.push((tenant.slug.to_string(), job)),
                    Err(e) => fail(format!("{} job failed: {e}", job.as_str()), report),
                }
            }
        }
        match self.aggregation.run_dirty_once(tenant).await {
            Ok(Some(_)) => report.ran.push((tenant.slug.to_string(), JobKind::Dirty)),
            Ok(None) => {}
            Err(e) => fail(format!("dirty-period worker failed: {e}"), report),
        }
        match self.analytics.run_due_once(tenant).await {
            Ok(Some(r)) => report.analysed_wells += r.wells,
            Ok(None) => {}
            Err(e) => fail(format!("analytics pass failed: {e}"), report),
        }
        if let Some((alarms, events)) = &self.alarms {
            let due = self
                .alarms_ran
                .lock()
                .map(|ran| ran.get(&tenant.id).is_none_or(|last| now - *last >= ALARM_PERIOD))
                .unwrap_or(true);
            if due {
                match alarms.run_periodic(tenant).await {
                    Ok(r) => {
                        report.alarm_changes += r.raised + r.changed;
                        if let Ok(mut ran) = self.alarms_ran.lock() {
                            ran.insert(tenant.id, now);
                        }
                    }
                    Err(e) => fail(format!("periodic alarm evaluation failed: {e}"), report),
                }
                if let Err(e) = events.prune(tenant.id).await {
                    fail(format!("pruning old stream events failed: {e}"), report);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chicago() -> Tz {
        "America/Chicago".parse().unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn daily_fires_at_2359_local_across_dst() {
        // 2024-03-10 (23 h day, CDT after 02:00): 23:59 CDT = 04:59Z next day.
        assert_eq!(
            last_fire(JobKind::Daily, chicago(), utc("2024-03-11T05:00:00Z")),
            Some(utc("2024-03-11T04:59:00Z"))
        );
        // One minute before: the previous day's, 23:59 CST = 05:59Z.
        assert_eq!(
            last_fire(JobKind::Daily, chicago(), utc("2024-03-11T04:58:00Z")),
            Some(utc("2024-03-10T05:59:00Z"))
        );
        // 2024-11-03 (25 h day, CST after 02:00): 23:59 CST = 05:59Z.
        assert_eq!(
            last_fire(JobKind::Daily, chicago(), utc("2024-11-04T06:00:00Z")),
            Some(utc("2024-11-04T05:59:00Z"))
        );
    }

    #[test]
    fn weekly_fires_monday_midnight_and_monthly_on_the_first() {
        // Monday 2024-12-30 00:00 CST = 06:00Z; the week across New Year.
        assert_eq!(
            last_fire(JobKind::Weekly, chicago(), utc("2025-01-02T12:00:00Z")),
            Some(utc("2024-12-30T06:00:00Z"))
        );
        assert_eq!(
            last_fire(JobKind::Monthly, chicago(), utc("2025-01-01T05:59:00Z")),
            Some(utc("2024-12-01T06:00:00Z")),
            "before local midnight of 1 January it is still December in Chicago"
        );
        assert_eq!(
            last_fire(JobKind::Monthly, chicago(), utc("2025-01-01T06:00:00Z")),
            Some(utc("2025-01-01T06:00:00Z"))
        );
        assert_eq!(last_fire(JobKind::Dirty, chicago(), utc("2025-01-01T06:00:00Z")), None);
    }

    #[test]
    fn each_job_recomputes_the_months_it_closes() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        // The daily job patches its day, not whole months.
        let fire = last_fire(JobKind::Daily, chicago(), utc("2024-12-02T06:00:00Z")).unwrap();
        assert_eq!(months_of_job(JobKind::Daily, chicago(), fire), None);
        // Weekly on Monday 2025-01-06: the week 30 Dec - 5 Jan spans two months.
        let fire = utc("2025-01-06T06:00:00Z");
        assert_eq!(months_of_job(JobKind::Weekly, chicago(), fire), Some((d(2024, 12, 1), d(2025, 1, 1))));
        // Monthly on 1 March 2024: February (leap).
        let fire = utc("2024-03-01T06:00:00Z");
        assert_eq!(months_of_job(JobKind::Monthly, chicago(), fire), Some((d(2024, 2, 1), d(2024, 2, 1))));
    }

    #[test]
    fn a_local_time_in_a_gap_moves_past_it() {
        // America/Havana springs forward at midnight (2024-03-10 00:00 -> 01:00).
        let havana: Tz = "America/Havana".parse().unwrap();
        let t = local_instant(NaiveDate::from_ymd_opt(2024, 3, 10).unwrap(), NaiveTime::MIN, havana);
        assert_eq!(t, utc("2024-03-10T05:00:00Z"));
    }
}
