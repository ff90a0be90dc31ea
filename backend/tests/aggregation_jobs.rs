//! The aggregation jobs (backfill and the dirty-period worker) against real storage, fed through the real ingest
//! path: each test below runs against SQLite and against PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use flowline_backend::ports::{AggregateQuery, JobKind, JobRun, JobStatus, Storage};
use flowline_backend::services::Deps;
use flowline_backend::services::aggregation::{
    AggregationJobError, AggregationService, aggregate_months, months_touched,
};
use flowline_backend::services::ingest::{IngestError, IngestService};
use flowline_shared::analytics::aggregation::{
    Field, MonthAggregates, Period, PeriodWindow, TimeSeriesAggregate, month_input_window,
};
use flowline_shared::{EntryId, EntrySource, FieldEntryDraft, NewWell, Tenant, WellId, WellStatus, WellType};
use std::sync::Arc;
use uuid::Uuid;

type S = Arc<dyn Storage>;

/// The services under test, over one storage, with a test clock at the real time.
struct Jobs {
    ingest: IngestService,
    aggregation: AggregationService,
}

fn jobs(s: &S) -> Jobs {
    let deps = Deps { storage: Arc::clone(s), clock: Arc::new(common::TestClock::starting_now()) };
    Jobs { ingest: IngestService::new(deps.clone()), aggregation: AggregationService::new(deps) }
}

fn no_progress(_: u64) {}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The instant of a local time of `tz`; for a time that happens twice, the first one.
fn local(tz: Tz, day: NaiveDate, h: u32, min: u32) -> DateTime<Utc> {
    tz.from_local_datetime(&day.and_hms_opt(h, min, 0).unwrap()).earliest().unwrap().with_timezone(&Utc)
}

/// Every local date of `first..=last`.
fn days(first: NaiveDate, last: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    first.iter_days().take_while(move |d| *d <= last)
}

fn draft(well: WellId, at: DateTime<Utc>, oil: f64, gauges: bool) -> FieldEntryDraft {
    FieldEntryDraft {
        id: EntryId(Uuid::now_v7()),
        well_id: well,
        recorded_at: at,
        oil_bbl: oil,
        gas_mcf: oil * 2.5,
        water_bbl: 50.0,
        tubing_psig: gauges.then_some(300.0 + oil / 10.0),
        casing_psig: None,
        choke_64ths: gauges.then_some(24.0),
        hours_on: 24.0,
        downtime_reason: None,
        source: EntrySource::Scada,
        is_correction: false,
    }
}

/// `n` new wells of the tenant, ascending by id.
async fn wells(s: &S, tenant: &Tenant, n: usize) -> Vec<WellId> {
    let mut ids = Vec::new();
    for i in 0..n {
        let well = NewWell {
            api_number: None,
            name: format!("Well {i}"),
            well_type: WellType::Oil,
            status: WellStatus::Active,
            location: None,
            lease: None,
            field: None,
            county: None,
            state: None,
            first_production_date: None,
        };
        ids.push(s.create_well(tenant.id, &well, Utc::now()).await.unwrap().id);
    }
    ids.sort_unstable();
    ids
}

/// The stored aggregates of one period of `wells` whose periods start in `from..=to`.
async fn stored(
    s: &S,
    tenant: &Tenant,
    wells: &[WellId],
    period: Period,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<TimeSeriesAggregate> {
    let query = AggregateQuery { wells: wells.to_vec(), period, from, to };
    s.aggregates(tenant.id, tenant.time_zone, &query).await.unwrap()
}

/// Every stored aggregate of `wells` in 2023-12 .. 2024-12, per period in `Period::ALL` order.
async fn everything(s: &S, tenant: &Tenant, wells: &[WellId]) -> Vec<Vec<TimeSeriesAggregate>> {
    let mut out = Vec::new();
    for period in Period::ALL {
        out.push(stored(s, tenant, wells, period, date(2023, 12, 1), date(2024, 12, 31)).await);
    }
    out
}

/// What the pure aggregation gives for the months `first..=last` from every stored reading of `wells`.
async fn expected(s: &S, tenant: &Tenant, wells: &[WellId], first: NaiveDate, last: NaiveDate) -> Vec<MonthAggregates> {
    let (from, to) = month_input_window(first, last, tenant.time_zone);
    let readings = s.readings(tenant.id, wells, from, to).await.unwrap();
    aggregate_months(&readings, tenant.time_zone, first, last).unwrap()
}

fn of_period(months: &[MonthAggregates], period: Period) -> Vec<TimeSeriesAggregate> {
    months.iter().flat_map(|m| m.of(period).iter().cloned()).collect()
}

/// The aggregate of `field` of `well` whose period starts on `start`.
fn find(aggs: &[TimeSeriesAggregate], well: WellId, start: NaiveDate, field: Field) -> TimeSeriesAggregate {
    aggs.iter()
        .find(|a| a.well_id == well && a.period.local_start() == start && a.field == field)
        .unwrap_or_else(|| panic!("no {field} aggregate of {well} starting {start}"))
        .clone()
}

fn assert_close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0), "{a} != {b}");
}

/// The tenant's runs of `kind` (the PostgreSQL database is shared: other tests' runs are there too).
async fn runs_of(s: &S, tenant: &Tenant, kind: JobKind) -> Vec<JobRun> {
    s.recent_job_runs(Some(tenant.id), Some(kind), 100).await.unwrap()
}

async fn backfill_matches_the_pure_aggregation_and_a_rerun_changes_nothing(s: S) {
    let j = jobs(&s);
    let t = common::tenant(&s).await;
    let tz = t.time_zone;
    let wells = wells(&s, &t, 3).await;
    // 1 February (a Thursday: its week began on Monday 29 January) to 30 April 2024. A reading at 06:00 on most days
    // (a gap day now and then), a second at 18:00 every fifth day, gauges every other day; 10 March lasts 23 hours.
    let mut drafts = Vec::new();
    for (k, w) in wells.iter().enumerate() {
        for (i, day) in days(date(2024, 2, 1), date(2024, 4, 30)).enumerate() {
            if (i + k) % 13 == 6 {
                continue;
            }
            drafts.push(draft(*w, local(tz, day, 6, 0), 100.0 + ((i * (k + 2)) % 37) as f64, i % 2 == 0));
            if i % 5 == 0 {
                drafts.push(draft(*w, local(tz, day, 18, 0), 80.0 + i as f64 * 0.25, false));
            }
        }
    }
    let readings = drafts.len() as u64;
    assert_eq!(j.ingest.ingest(t.id, drafts).await.unwrap().accepted, readings);
    assert_eq!(s.dirty_wells(t.id, 100).await.unwrap().len(), 3, "ingest marked every well");

    let report = j.aggregation.backfill(&t, None, None, &no_progress).await.unwrap().expect("the tenant has readings");
    assert_eq!((report.wells, report.readings), (3, readings));
    // By default the backfill covers every aggregate the readings determine: from January (the week of 29 January,
    // which holds 1 to 4 February) to April.
    let want = expected(&s, &t, &wells, date(2024, 1, 1), date(2024, 4, 1)).await;
    assert_eq!(want.len(), 3 * 4);
    assert_eq!(report.months, want.len() as u64);
    assert_eq!(report.aggregates, want.iter().map(|m| m.len() as u64).sum::<u64>());
    let first = everything(&s, &t, &wells).await;
    for (period, got) in Period::ALL.into_iter().zip(&first) {
        assert_eq!(got, &of_period(&want, period), "{period} aggregates are the pure ones");
    }
    assert!(first[1].iter().any(|a| a.period.local_start() == date(2024, 1, 29)), "the first week is stored");
    assert!(s.dirty_wells(t.id, 100).await.unwrap().is_empty(), "the backfill settled the marks it covered");

    // A second backfill writes the same rows again: nothing is duplicated or changed.
    let again = j.aggregation.backfill(&t, None, None, &no_progress).await.unwrap().unwrap();
    assert_eq!(again, report);
    let second = everything(&s, &t, &wells).await;
    for ((period, before), after) in Period::ALL.into_iter().zip(&first).zip(&second) {
        assert_eq!(after.len(), before.len(), "{period}: as many rows as before");
        assert_eq!(after, before, "{period}");
    }

    let runs = runs_of(&s, &t, JobKind::Backfill).await;
    assert_eq!(runs.len(), 2);
    for run in &runs {
        assert_eq!((run.status, run.rows), (JobStatus::Succeeded, report.months));
        assert!(run.finished_at.is_some_and(|f| f >= run.started_at));
    }
}

async fn late_readings_are_recomputed_by_the_dirty_worker(s: S) {
    let j = jobs(&s);
    let t = common::tenant(&s).await;
    let tz = t.time_zone;
    let wells = wells(&s, &t, 2).await;
    let (late_well, quiet_well) = (wells[0], wells[1]);
    let mut drafts = Vec::new();
    for w in &wells {
        for day in days(date(2024, 2, 1), date(2024, 4, 15)) {
            drafts.push(draft(*w, local(tz, day, 12, 0), 100.0 + f64::from(day.ordinal0() % 17), true));
        }
    }
    j.ingest.ingest(t.id, drafts).await.unwrap();
    j.aggregation.backfill(&t, None, None, &no_progress).await.unwrap().unwrap();
    assert_eq!(j.aggregation.run_dirty_once(&t).await.unwrap(), None, "the backfill left nothing dirty");
    let before = everything(&s, &t, &wells).await;

    // Late readings: one for 14 March (the month before the newest data) and one for Sunday 3 March, whose week
    // began on Monday 26 February and is stored with February's aggregates.
    let (mar3, mar14) = (date(2024, 3, 3), date(2024, 3, 14));
    let late =
        [draft(late_well, local(tz, mar14, 20, 0), 50.0, false), draft(late_well, local(tz, mar3, 7, 30), 10.0, true)];
    let (from, to) = (late[1].recorded_at, late[0].recorded_at);
    assert_eq!(months_touched(from, to, tz), (date(2024, 2, 1), date(2024, 3, 1)));
    j.ingest.ingest(t.id, late.to_vec()).await.unwrap();
    let marks = s.dirty_wells(t.id, 100).await.unwrap();
    assert_eq!(marks.iter().map(|m| (m.well_id, m.from, m.to)).collect::<Vec<_>>(), [(late_well, from, to)]);

    let report = j.aggregation.run_dirty_once(&t).await.unwrap().expect("one dirty well");
    assert_eq!((report.wells, report.months), (1, 2), "February and March of the late well");
    assert!(s.dirty_wells(t.id, 100).await.unwrap().is_empty(), "the mark is cleared");
    assert_eq!(j.aggregation.run_dirty_once(&t).await.unwrap(), None, "nothing left to do");

    let after = everything(&s, &t, &wells).await;
    let want = expected(&s, &t, &wells, date(2024, 1, 1), date(2024, 4, 1)).await;
    for (period, got) in Period::ALL.into_iter().zip(&after) {
        assert_eq!(got, &of_period(&want, period), "{period}: as if computed from scratch");
    }
    // Each late day's value is the mean of its entries; its week and month are rolled up from the new values.
    let (daily_before, daily_after) = (&before[0], &after[0]);
    let mut month_delta = 0.0;
    for (day, week, late_oil) in [(mar3, date(2024, 2, 26), 10.0), (mar14, date(2024, 3, 11), 50.0)] {
        let old = find(daily_before, late_well, day, Field::OilBbl);
        let new = find(daily_after, late_well, day, Field::OilBbl);
        assert_eq!((old.entries, new.entries, new.stats.count), (1, 2, 2));
        assert_close(new.stats.mean, (old.stats.mean + late_oil) / 2.0);
        assert_eq!((new.stats.min, new.stats.max), (late_oil.min(old.stats.mean), late_oil.max(old.stats.mean)));
        let (old_week, new_week) =
            (find(&before[1], late_well, week, Field::OilBbl), find(&after[1], late_well, week, Field::OilBbl));
        assert_eq!((new_week.stats.count, new_week.entries), (7, old_week.entries + 1));
        assert_close(new_week.stats.sum, old_week.stats.sum - old.stats.mean + new.stats.mean);
        month_delta += new.stats.mean - old.stats.mean;
    }
    let (old_month, new_month) = (
        find(&before[2], late_well, date(2024, 3, 1), Field::OilBbl),
        find(&after[2], late_well, date(2024, 3, 1), Field::OilBbl),
    );
    assert_eq!((new_month.stats.count, new_month.entries), (31, old_month.entries + 2));
    assert_close(new_month.stats.sum, old_month.stats.sum + month_delta);
    assert_eq!(
        find(&after[2], late_well, date(2024, 2, 1), Field::OilBbl),
        find(&before[2], late_well, date(2024, 2, 1), Field::OilBbl),
        "February's own aggregate has no late day"
    );
    for (b, a) in before.iter().zip(&after) {
        let quiet =
            |aggs: &[TimeSeriesAggregate]| aggs.iter().filter(|x| x.well_id == quiet_well).cloned().collect::<Vec<_>>();
        assert_eq!(quiet(a), quiet(b), "the other well is untouched");
    }

    let runs = runs_of(&s, &t, JobKind::Dirty).await;
    assert_eq!(runs.len(), 1, "one run recorded, none for the passes with nothing to do");
    assert_eq!((runs[0].status, runs[0].rows), (JobStatus::Succeeded, report.months));
    assert!(runs[0].finished_at.is_some() && runs[0].message.is_some());
}

async fn a_correction_is_averaged_into_its_day(s: S) {
    let j = jobs(&s);
    let t = common::tenant(&s).await;
    let tz = t.time_zone;
    let w = wells(&s, &t, 1).await[0];
    let drafts: Vec<_> =
        days(date(2024, 3, 1), date(2024, 3, 31)).map(|d| draft(w, local(tz, d, 8, 0), 100.0, true)).collect();
    j.ingest.ingest(t.id, drafts).await.unwrap();
    j.aggregation.backfill(&t, None, None, &no_progress).await.unwrap().unwrap();

    // Negative volumes are refused unless the entry is a correction.
    let day = date(2024, 3, 20);
    let mut correction = FieldEntryDraft {
        oil_bbl: 0.0,
        gas_mcf: 0.0,
        water_bbl: -30.0,
        hours_on: 0.0,
        tubing_psig: None,
        choke_64ths: None,
        ..draft(w, local(tz, day, 15, 0), 0.0, false)
    };
    assert!(matches!(j.ingest.ingest(t.id, vec![correction.clone()]).await, Err(IngestError::Invalid(_))));
    correction.is_correction = true;
    assert_eq!(j.ingest.ingest(t.id, vec![correction]).await.unwrap().accepted, 1);
    j.aggregation.run_dirty_once(&t).await.unwrap().expect("the corrected well is dirty");

    // A correction is one more reading of its day: the day's value is the mean of its entries (rule 5).
    let daily = stored(&s, &t, &[w], Period::Daily, day, day).await;
    let water = find(&daily, w, day, Field::WaterBbl);
    assert_eq!((water.entries, water.stats.min, water.stats.max), (2, -30.0, 50.0));
    assert_close(water.stats.mean, 10.0);
    assert_close(find(&daily, w, day, Field::OilBbl).stats.mean, 50.0);
    assert_close(find(&daily, w, day, Field::HoursOn).stats.mean, 12.0);
    let tubing = find(&daily, w, day, Field::TubingPsig);
    assert_eq!(tubing.entries, 1, "the correction has no pressure: it does not count for it");
    // Weeks and months add the day's value.
    let week = find(
        &stored(&s, &t, &[w], Period::Weekly, date(2024, 3, 18), date(2024, 3, 18)).await,
        w,
        date(2024, 3, 18),
        Field::WaterBbl,
    );
    assert_eq!((week.stats.count, week.entries), (7, 8));
    assert_close(week.stats.sum, 6.0 * 50.0 + 10.0);
    let month = find(
        &stored(&s, &t, &[w], Period::Monthly, date(2024, 3, 1), date(2024, 3, 1)).await,
        w,
        date(2024, 3, 1),
        Field::WaterBbl,
    );
    assert_eq!((month.stats.count, month.entries), (31, 32));
    assert_close(month.stats.sum, 30.0 * 50.0 + 10.0);
    assert_close(month.stats.min, 10.0);
}

async fn the_25_hour_day_keeps_its_readings(s: S) {
    let j = jobs(&s);
    let t = common::tenant(&s).await;
    let tz = t.time_zone;
    let w = wells(&s, &t, 1).await[0];
    // Chicago, 3 November 2024: 01:00-02:00 happens twice (CDT, then CST). The day runs 05:00Z to 06:00Z next day.
    let (nov2, nov3, nov4) = (date(2024, 11, 2), date(2024, 11, 3), date(2024, 11, 4));
    let twice = tz.from_local_datetime(&nov3.and_hms_opt(1, 30, 0).unwrap());
    let at = [
        (local(tz, nov2, 23, 30), 1.0),
        (local(tz, nov3, 0, 30), 10.0),
        (twice.earliest().unwrap().with_timezone(&Utc), 20.0),
        (twice.latest().unwrap().with_timezone(&Utc), 30.0),
        (local(tz, nov3, 23, 30), 40.0),
        (local(tz, nov4, 0, 30), 2.0),
    ];
    assert_eq!(at[5].0 - at[1].0, Duration::hours(25), "00:30 to 00:30 the next day lasts 25 hours");
    let drafts = at.iter().map(|(when, oil)| draft(w, *when, *oil, false)).collect();
    j.ingest.ingest(t.id, drafts).await.unwrap();
    j.aggregation.backfill(&t, None, None, &no_progress).await.unwrap().unwrap();

    let daily = stored(&s, &t, &[w], Period::Daily, nov2, nov4).await;
    let day = find(&daily, w, nov3, Field::OilBbl);
    assert_eq!(day.period.start(), Utc.with_ymd_and_hms(2024, 11, 3, 5, 0, 0).unwrap());
    assert_eq!(day.period.duration(), Duration::hours(25));
    assert_eq!(day.entries, 4, "00:30, both 01:30s and 23:30");
    assert_close(day.stats.mean, 25.0);
    assert_eq!((day.stats.min, day.stats.max), (10.0, 40.0));
    assert_eq!(find(&daily, w, nov2, Field::OilBbl).stats.mean, 1.0);
    assert_eq!(find(&daily, w, nov4, Field::OilBbl).stats.mean, 2.0);
    assert_eq!(daily.iter().filter(|a| a.field == Field::OilBbl).count(), 3);

    // The week of Monday 28 October (169 hours) is stored with October's aggregates.
    let weeks = stored(&s, &t, &[w], Period::Weekly, date(2024, 10, 1), date(2024, 11, 30)).await;
    let week = find(&weeks, w, date(2024, 10, 28), Field::OilBbl);
    assert_eq!(week.period.duration(), Duration::hours(169));
    assert_eq!((week.stats.count, week.entries), (2, 5));
    assert_close(week.stats.sum, 26.0);
    let month = find(
        &stored(&s, &t, &[w], Period::Monthly, date(2024, 11, 1), nov4).await,
        w,
        date(2024, 11, 1),
        Field::OilBbl,
    );
    assert_eq!((month.stats.count, month.entries), (3, 6));
    assert_close(month.stats.sum, 28.0);
    assert_eq!(month.period, PeriodWindow::for_date(Period::Monthly, nov3, tz));
}

async fn backfill_refuses_an_empty_range_and_records_a_tenant_without_readings(s: S) {
    let j = jobs(&s);
    let t = common::tenant(&s).await;
    let w = wells(&s, &t, 1).await[0];
    assert_eq!(j.aggregation.backfill(&t, None, None, &no_progress).await.unwrap(), None, "no readings");
    assert_eq!(j.aggregation.backfill(&t, Some(date(2024, 3, 1)), None, &no_progress).await.unwrap(), None);
    // Nothing to do, but each run asked for is on record.
    let runs = runs_of(&s, &t, JobKind::Backfill).await;
    assert_eq!(runs.len(), 2);
    for run in runs {
        assert_eq!((run.status, run.rows), (JobStatus::Succeeded, 0));
        assert_eq!(run.message.as_deref(), Some("no readings to aggregate"));
    }

    j.ingest.ingest(t.id, vec![draft(w, local(t.time_zone, date(2024, 3, 10), 9, 0), 5.0, true)]).await.unwrap();
    // Across months and within one month.
    for (from, to) in [(date(2024, 4, 1), date(2024, 3, 31)), (date(2024, 3, 20), date(2024, 3, 5))] {
        let result = j.aggregation.backfill(&t, Some(from), Some(to), &no_progress).await;
        assert!(matches!(result, Err(AggregationJobError::EmptyRange { .. })), "{from} > {to}: {result:?}");
    }
    assert!(everything(&s, &t, &[w]).await.iter().all(Vec::is_empty), "nothing was written");
    assert_eq!(s.dirty_wells(t.id, 10).await.unwrap().len(), 1, "the mark is still there");
}

async fn the_daily_job_patches_its_day_as_a_recompute_would(s: S) {
    let j = jobs(&s);
    let t = common::tenant(&s).await;
    let tz = t.time_zone;
    let ws = wells(&s, &t, 3).await;
    let mut drafts = Vec::new();
    for w in &ws {
        for day in days(date(2024, 11, 20), date(2024, 12, 10)) {
            drafts.push(draft(*w, local(tz, day, 12, 0), 100.0 + f64::from(day.ordinal0() % 11), true));
        }
    }
    j.ingest.ingest(t.id, drafts).await.unwrap();
    j.aggregation.backfill(&t, None, None, &no_progress).await.unwrap().unwrap();
    let before = everything(&s, &t, &ws).await;

    // A day the aggregates already hold: read, compared, nothing written, the run recorded.
    let sunday = date(2024, 12, 1);
    let report = j.aggregation.run_daily(&t, sunday, &no_progress).await.unwrap();
    assert_eq!((report.wells, report.readings, report.months, report.aggregates), (3, 3, 0, 0));
    assert_eq!(everything(&s, &t, &ws).await, before);
    let runs = runs_of(&s, &t, JobKind::Daily).await;
    assert_eq!(runs.iter().map(|r| (r.status, r.rows)).collect::<Vec<_>>(), [(JobStatus::Succeeded, 0)]);

    // Sunday 1 December gets a second reading on two wells, and a new well its first: the day, its week (begun
    // Monday 25 November, stored with November) and December are rewritten for those wells only.
    let newcomer = wells(&s, &t, 1).await[0];
    let late = [
        draft(ws[0], local(tz, sunday, 20, 0), 40.0, false),
        draft(ws[2], local(tz, sunday, 6, 0), 400.0, true),
        draft(newcomer, local(tz, sunday, 9, 0), 77.0, true),
    ];
    j.ingest.ingest(t.id, late.to_vec()).await.unwrap();
    let report = j.aggregation.run_daily(&t, sunday, &no_progress).await.unwrap();
    assert_eq!(
        (report.wells, report.readings, report.months),
        (4, 6, 6),
        "November (the week) and December of three wells"
    );
    let mut all = [ws.clone(), vec![newcomer]].concat();
    all.sort_unstable();
    let after = everything(&s, &t, &all).await;
    let want = expected(&s, &t, &all, date(2024, 11, 1), date(2024, 12, 1)).await;
    for (period, got) in Period::ALL.into_iter().zip(&after) {
        assert_eq!(got, &of_period(&want, period), "{period}: as a recompute of both months gives");
    }
    let untouched =
        |aggs: &[TimeSeriesAggregate]| aggs.iter().filter(|a| a.well_id == ws[1]).cloned().collect::<Vec<_>>();
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(untouched(a), untouched(b), "the well without news is as it was");
    }
    // The dirty-period worker, catching up with the same readings, finds nothing to change.
    j.aggregation.run_dirty_once(&t).await.unwrap().expect("the late readings left marks");
    assert_eq!(everything(&s, &t, &all).await, after);
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

both_dialects!(
    backfill_matches_the_pure_aggregation_and_a_rerun_changes_nothing,
    late_readings_are_recomputed_by_the_dirty_worker,
    a_correction_is_averaged_into_its_day,
    the_25_hour_day_keeps_its_readings,
    backfill_refuses_an_empty_range_and_records_a_tenant_without_readings,
    the_daily_job_patches_its_day_as_a_recompute_would,
);
