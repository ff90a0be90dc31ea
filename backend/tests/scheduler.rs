//! The job loop's step (`Scheduler::run_once`) against real storage, stepped with a test clock: the dirty-period
//! worker and the analytics pass after ingest, the debounce, the calendar jobs at their local times, and the lease
//! that keeps a second instance idle. Each test runs against SQLite and against PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use common::TestClock;
use flowline_backend::ports::{AggregateQuery, JobKind, PageRequest, Storage, TrendFilter, TrendSort};
use flowline_backend::services::Deps;
use flowline_backend::services::ingest::IngestService;
use flowline_backend::services::scheduler::Scheduler;
use flowline_shared::analytics::aggregation::{Field, Period};
use flowline_shared::{EntryId, EntrySource, FieldEntryDraft, NewWell, Tenant, WellId, WellStatus, WellType};
use std::sync::Arc;
use uuid::Uuid;

type S = Arc<dyn Storage>;

fn chicago() -> Tz {
    "America/Chicago".parse().unwrap()
}

fn local(day: NaiveDate, h: u32, m: u32, s: u32) -> DateTime<Utc> {
    chicago().from_local_datetime(&day.and_hms_opt(h, m, s).unwrap()).earliest().unwrap().with_timezone(&Utc)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn reading(well: WellId, at: DateTime<Utc>, oil: f64) -> FieldEntryDraft {
    FieldEntryDraft {
        id: EntryId(Uuid::now_v7()),
        well_id: well,
        recorded_at: at,
        oil_bbl: oil,
        gas_mcf: oil * 2.0,
        water_bbl: 40.0,
        tubing_psig: Some(350.0),
        casing_psig: None,
        choke_64ths: None,
        hours_on: 24.0,
        downtime_reason: None,
        source: EntrySource::Scada,
        is_correction: false,
    }
}

struct Setup {
    storage: S,
    clock: Arc<TestClock>,
    deps: Deps,
    tenant: Tenant,
    well: WellId,
}

async fn setup(storage: S, now: DateTime<Utc>) -> Setup {
    let clock = Arc::new(TestClock::at(now));
    let deps = Deps { storage: Arc::clone(&storage), clock: clock.clone() };
    let tenant = common::tenant(&storage).await;
    let new = NewWell {
        api_number: None,
        name: "Scheduled 1".into(),
        well_type: WellType::Oil,
        status: WellStatus::Active,
        location: None,
        lease: None,
        field: None,
        county: None,
        state: None,
        first_production_date: None,
    };
    let well = storage.create_well(tenant.id, &new, now).await.unwrap().id;
    Setup { storage, clock, deps, tenant, well }
}

fn scheduler(s: &Setup) -> Scheduler {
    Scheduler::new(s.deps.clone()).for_tenants(&format!("test-{}", s.tenant.slug), vec![s.tenant.id])
}

async fn daily_oil(s: &Setup, day: NaiveDate) -> Option<f64> {
    let q = AggregateQuery { wells: vec![s.well], period: Period::Daily, from: day, to: day };
    let found = s.storage.aggregates(s.tenant.id, s.tenant.time_zone, &q).await.unwrap();
    found.iter().find(|a| a.field == Field::OilBbl).map(|a| a.value())
}

async fn late_readings_are_aggregated_and_analysed_with_a_debounce(storage: S) {
    let now = local(date(2024, 3, 20), 12, 0, 0);
    let s = setup(storage, now).await;
    let ingest = IngestService::new(s.deps.clone());
    // 40 days of a slowly declining well, one reading at 07:00 local each day.
    let drafts: Vec<_> = (0..40)
        .map(|i| reading(s.well, local(date(2024, 2, 5) + Duration::days(i), 7, 0, 0), 500.0 - i as f64))
        .collect();
    ingest.ingest(s.tenant.id, drafts).await.unwrap();

    let jobs = scheduler(&s);
    let step = jobs.run_once(now).await.unwrap();
    assert!(step.leader);
    assert_eq!(step.ran, vec![(s.tenant.slug.to_string(), JobKind::Dirty)], "the first step fires no calendar job");
    assert_eq!(step.analysed_wells, 1);
    assert_eq!(daily_oil(&s, date(2024, 2, 20)).await, Some(485.0));
    let (trends, total) = s
        .storage
        .list_trends(s.tenant.id, &TrendFilter::default(), TrendSort::Name, PageRequest { limit: 10, offset: 0 })
        .await
        .unwrap();
    assert_eq!(total, 1);
    assert_eq!(trends[0].well_id, s.well);

    // Nothing new: the next step does nothing.
    s.clock.advance(Duration::seconds(15));
    let quiet = jobs.run_once(s.clock_now()).await.unwrap();
    assert!(quiet.ran.is_empty() && quiet.analysed_wells == 0, "{quiet:?}");

    // A late second reading for 20 February: its day is re-aggregated at the next step (the mean of the two),
    // but the analytics wait for the debounce.
    ingest.ingest(s.tenant.id, vec![reading(s.well, local(date(2024, 2, 20), 18, 0, 0), 585.0)]).await.unwrap();
    s.clock.advance(Duration::seconds(15));
    let step = jobs.run_once(s.clock_now()).await.unwrap();
    assert_eq!(step.ran, vec![(s.tenant.slug.to_string(), JobKind::Dirty)]);
    assert_eq!(daily_oil(&s, date(2024, 2, 20)).await, Some(535.0));
    assert_eq!(step.analysed_wells, 0, "analysed 30 s ago: debounced");
    s.clock.advance(Duration::minutes(3));
    let later = jobs.run_once(s.clock_now()).await.unwrap();
    assert_eq!(later.analysed_wells, 1, "changed and older than the debounce");

    // A second instance on the same lease stays idle while the first holds it.
    let other = scheduler(&s);
    let idle = other.run_once(s.clock_now()).await.unwrap();
    assert!(!idle.leader && idle.ran.is_empty());
}

async fn calendar_jobs_fire_at_their_local_times(storage: S) {
    // 3 November 2024 in Chicago lasts 25 hours.
    let start = local(date(2024, 11, 3), 23, 58, 0);
    let s = setup(storage, start).await;
    let ingest = IngestService::new(s.deps.clone());
    let drafts: Vec<_> =
        (0..10).map(|i| reading(s.well, local(date(2024, 10, 25) + Duration::days(i), 9, 0, 0), 100.0)).collect();
    ingest.ingest(s.tenant.id, drafts).await.unwrap();
    let jobs = scheduler(&s);
    let fired = |step: &flowline_backend::services::scheduler::StepReport| -> Vec<JobKind> {
        step.ran.iter().map(|(_, j)| *j).filter(|j| *j != JobKind::Dirty).collect()
    };

    assert!(fired(&jobs.run_once(start).await.unwrap()).is_empty());
    let step = jobs.run_once(local(date(2024, 11, 3), 23, 59, 30)).await.unwrap();
    assert_eq!(fired(&step), [JobKind::Daily], "23:59 local on the 25-hour day");
    let step = jobs.run_once(local(date(2024, 11, 4), 0, 0, 10)).await.unwrap();
    assert_eq!(fired(&step), [JobKind::Weekly], "Monday 00:00 local");
    let step = jobs.run_once(local(date(2024, 11, 4), 0, 5, 0)).await.unwrap();
    assert!(fired(&step).is_empty(), "nothing fires twice");
    // Across 1 December: the daily of 30 November (and of 1 December? not yet: 00:00:05) and the monthly.
    let step = jobs.run_once(local(date(2024, 12, 1), 0, 0, 5)).await.unwrap();
    assert_eq!(fired(&step), [JobKind::Daily, JobKind::Weekly, JobKind::Monthly]);
    let mine = s.storage.recent_job_runs(Some(s.tenant.id), Some(JobKind::Monthly), 50).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].status, flowline_backend::ports::JobStatus::Succeeded);
    // The monthly job wrote November's aggregates: 4 days of data in November (1 to 3 November).
    let q =
        AggregateQuery { wells: vec![s.well], period: Period::Monthly, from: date(2024, 11, 1), to: date(2024, 11, 1) };
    let nov = s.storage.aggregates(s.tenant.id, s.tenant.time_zone, &q).await.unwrap();
    let oil = nov.iter().find(|a| a.field == Field::OilBbl).unwrap();
    assert_eq!(oil.stats.count, 3);
}

impl Setup {
    fn clock_now(&self) -> DateTime<Utc> {
        use flowline_backend::ports::Clock;
        self.clock.now()
    }
}

macro_rules! both_dialects {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $name() { let (s, _dir) = crate::common::sqlite().await; super::$name(s).await; })*
        }
        mod postgres {
            $(#[tokio::test] async fn $name() { if let Some(s) = crate::common::postgres().await { super::$name(s).await; } })*
        }
    };
}

both_dialects!(late_readings_are_aggregated_and_analysed_with_a_debounce, calendar_jobs_fire_at_their_local_times);
