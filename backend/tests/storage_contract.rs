//! One contract for every storage adapter: each test below runs against SQLite and against PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
/// The maintenance port's contract, in its own file.
#[path = "storage_contract/maintenance.rs"]
mod maintenance;
/// The price port's contract.
#[path = "storage_contract/prices.rs"]
mod prices;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use flowline_backend::ports::{
    AggregateQuery, DirtyWell, EntryQuery, JobKind, JobRun, JobStatus, NewUser, PageRequest, Storage, StorageError,
    WellFilter,
};
use flowline_backend::services::aggregation::aggregate_months;
use flowline_shared::analytics::aggregation::{
    EntryValues, Field, MonthAggregates, Period, PeriodWindow, TimeSeriesAggregate, month_input_window,
};
use flowline_shared::{
    ApiNumber, Coordinates, EntryId, EntrySource, FieldEntry, FieldEntryDraft, NewWell, Role, Tenant, TenantId,
    Username, Well, WellId, WellStatus, WellType,
};
use std::collections::BTreeSet;
use std::sync::Arc;
use uuid::Uuid;

type S = Arc<dyn Storage>;

fn new_well(name: &str, api: Option<&str>) -> NewWell {
    NewWell {
        api_number: api.map(|a| ApiNumber::parse(a).unwrap()),
        name: name.into(),
        well_type: WellType::Oil,
        status: WellStatus::Active,
        location: Some(Coordinates::new(31.9, -102.1).unwrap()),
        lease: Some("University 7".into()),
        field: Some("Spraberry".into()),
        county: Some("Midland".into()),
        state: Some("TX".into()),
        first_production_date: chrono::NaiveDate::from_ymd_opt(2023, 5, 1),
    }
}

fn entry(well: WellId, day: i64, oil: f64) -> FieldEntry {
    FieldEntry::new(FieldEntryDraft {
        id: EntryId(Uuid::now_v7()),
        well_id: well,
        recorded_at: Utc.with_ymd_and_hms(2024, 1, 1, 12, 0, 0).unwrap() + Duration::days(day),
        oil_bbl: oil,
        gas_mcf: oil * 2.5,
        water_bbl: 10.0,
        tubing_psig: Some(300.0),
        casing_psig: None,
        choke_64ths: Some(24.0),
        hours_on: 24.0,
        downtime_reason: None,
        source: EntrySource::Scada,
        is_correction: false,
    })
    .unwrap()
}

async fn well(storage: &S, tenant: TenantId, name: &str, api: Option<&str>) -> Well {
    storage.create_well(tenant, &new_well(name, api), Utc::now()).await.unwrap()
}

async fn migrations_are_idempotent(s: S) {
    assert_eq!(s.migrate().await.unwrap(), 0, "a second migrate applies nothing");
    s.ping().await.unwrap();
}

async fn tenants_are_unique_by_slug(s: S) {
    let t = common::tenant(&s).await;
    assert_eq!(s.tenant_by_slug(&t.slug).await.unwrap(), Some(t.clone()));
    assert_eq!(s.tenant_by_id(t.id).await.unwrap(), Some(t.clone()));
    let again = flowline_backend::ports::NewTenant { slug: t.slug.clone(), name: "x".into(), time_zone: t.time_zone };
    assert!(matches!(s.create_tenant(&again).await, Err(StorageError::Conflict(_))));
    assert_eq!(s.tenant_by_id(TenantId(Uuid::new_v4())).await.unwrap(), None);
}

async fn users_are_unique_per_tenant(s: S) {
    let t1 = common::tenant(&s).await;
    let t2 = common::tenant(&s).await;
    let user = |tenant| NewUser {
        tenant_id: tenant,
        username: Username::parse("ops").unwrap(),
        password_hash: "h1".into(),
        role: Role::Operator,
    };
    let created = s.create_user(&user(t1.id)).await.unwrap();
    assert_eq!(created.role, Role::Operator);
    assert!(matches!(s.create_user(&user(t1.id)).await, Err(StorageError::Conflict(_))));
    s.create_user(&user(t2.id)).await.unwrap();
    assert!(matches!(s.create_user(&user(TenantId(Uuid::new_v4()))).await, Err(StorageError::NotFound(_))));
    let creds = s.user_credentials(t1.id, &Username::parse("ops").unwrap()).await.unwrap().unwrap();
    assert_eq!(creds.password_hash, "h1");
    assert_eq!(creds.user.id, created.id);
    assert!(s.user_credentials(t1.id, &Username::parse("nobody").unwrap()).await.unwrap().is_none());
}

async fn wells_round_trip_and_stay_in_their_tenant(s: S) {
    let t1 = common::tenant(&s).await;
    let t2 = common::tenant(&s).await;
    let w = well(&s, t1.id, "Midland 1H", Some("42-329-00001")).await;
    assert_eq!(s.get_well(t1.id, w.id).await.unwrap(), Some(w.clone()));
    assert_eq!(s.get_well(t2.id, w.id).await.unwrap(), None, "another tenant cannot read it");
    // The same API number is a conflict in one tenant and fine in another.
    let dup = s.create_well(t1.id, &new_well("Other", Some("4232900001")), Utc::now()).await;
    assert!(matches!(dup, Err(StorageError::Conflict(_))));
    well(&s, t2.id, "Midland 1H", Some("42-329-00001")).await;
    // Wells without API numbers do not collide.
    well(&s, t1.id, "15/9-F-1 C", None).await;
    well(&s, t1.id, "15/9-F-11", None).await;
    let ids = s.existing_well_ids(t1.id, &[w.id, WellId(Uuid::new_v4())]).await.unwrap();
    assert_eq!(ids.len(), 1);
    assert!(s.existing_well_ids(t2.id, &[w.id]).await.unwrap().is_empty());
}

async fn create_wells_is_all_or_nothing(s: S) {
    let t = common::tenant(&s).await;
    let batch = [new_well("A", Some("42-329-00010")), new_well("B", Some("42-329-00010"))];
    assert!(matches!(s.create_wells(t.id, &batch, Utc::now()).await, Err(StorageError::Conflict(_))));
    let (rows, total) = s.list_wells(t.id, &WellFilter::default(), PageRequest { limit: 10, offset: 0 }).await.unwrap();
    assert_eq!((rows.len(), total), (0, 0), "the first well of a failed batch is not kept");
}

async fn updates_replace_fields_within_the_tenant(s: S) {
    let t1 = common::tenant(&s).await;
    let t2 = common::tenant(&s).await;
    let mut w = well(&s, t1.id, "Before", Some("42-329-00020")).await;
    well(&s, t1.id, "Taken", Some("42-329-00021")).await;
    w.name = "After".into();
    w.status = WellStatus::ShutIn;
    let updated = s.update_well(t1.id, &w).await.unwrap();
    assert_eq!(updated.name, "After");
    assert!(updated.updated_at >= w.created_at);
    assert_eq!(s.get_well(t1.id, w.id).await.unwrap(), Some(updated.clone()));
    assert!(matches!(s.update_well(t2.id, &w).await, Err(StorageError::NotFound(_))));
    let mut clash = updated.clone();
    clash.api_number = Some(ApiNumber::parse("42-329-00021").unwrap());
    assert!(matches!(s.update_well(t1.id, &clash).await, Err(StorageError::Conflict(_))));
}

async fn list_filters_paginates_and_treats_text_as_data(s: S) {
    let t = common::tenant(&s).await;
    for i in 0..7 {
        let mut nw = new_well(&format!("Well {i:02}"), Some(&format!("42-329-1000{i}")));
        if i % 2 == 1 {
            nw.status = WellStatus::ShutIn;
            nw.well_type = WellType::Gas;
            nw.lease = Some("Lease_50%".into());
        }
        s.create_well(t.id, &nw, Utc::now()).await.unwrap();
    }
    let page = |limit, offset| PageRequest { limit, offset };
    let all = WellFilter::default();
    let (first, total) = s.list_wells(t.id, &all, page(3, 0)).await.unwrap();
    assert_eq!(total, 7);
    let names: Vec<_> = first.iter().map(|w| w.well.name.as_str()).collect();
    assert_eq!(names, ["Well 00", "Well 01", "Well 02"]);
    let (last, _) = s.list_wells(t.id, &all, page(3, 6)).await.unwrap();
    assert_eq!(last.len(), 1);

    let shut_in = WellFilter { status: Some(WellStatus::ShutIn), ..Default::default() };
    assert_eq!(s.list_wells(t.id, &shut_in, page(50, 0)).await.unwrap().1, 3);
    let gas = WellFilter { well_type: Some(WellType::Gas), ..Default::default() };
    assert_eq!(s.list_wells(t.id, &gas, page(50, 0)).await.unwrap().1, 3);
    let lease = WellFilter { lease: Some("Lease_50%".into()), ..Default::default() };
    assert_eq!(s.list_wells(t.id, &lease, page(50, 0)).await.unwrap().1, 3);
    let field = WellFilter { field: Some("Spraberry".into()), ..Default::default() };
    assert_eq!(s.list_wells(t.id, &field, page(50, 0)).await.unwrap().1, 7);

    let search = |q: &str| WellFilter { search: Some(q.into()), ..Default::default() };
    assert_eq!(s.list_wells(t.id, &search("well 03"), page(50, 0)).await.unwrap().1, 1, "case-insensitive name");
    assert_eq!(s.list_wells(t.id, &search("329-10004"), page(50, 0)).await.unwrap().1, 1, "API number with dashes");
    assert_eq!(s.list_wells(t.id, &search("_50%"), page(50, 0)).await.unwrap().1, 3, "wildcards match literally");
    assert_eq!(s.list_wells(t.id, &search("%"), page(50, 0)).await.unwrap().1, 3, "a lone % is not match-all");
    for hostile in ["'; DROP TABLE wells; --", "\" OR 1=1 --", "\\", "Robert'); DELETE FROM field_entries;--"] {
        assert_eq!(s.list_wells(t.id, &search(hostile), page(50, 0)).await.unwrap().1, 0, "{hostile}");
        let by_lease = WellFilter { lease: Some(hostile.into()), ..Default::default() };
        assert_eq!(s.list_wells(t.id, &by_lease, page(50, 0)).await.unwrap().1, 0);
    }
    assert_eq!(s.list_wells(t.id, &all, page(50, 0)).await.unwrap().1, 7, "nothing was dropped");
}

async fn list_shows_the_latest_reading(s: S) {
    let t = common::tenant(&s).await;
    let w = well(&s, t.id, "With data", None).await;
    well(&s, t.id, "Without data", None).await;
    s.insert_entries(t.id, &[entry(w.id, 0, 100.0), entry(w.id, 2, 90.0), entry(w.id, 1, 95.0)]).await.unwrap();
    let (rows, _) = s.list_wells(t.id, &WellFilter::default(), PageRequest { limit: 10, offset: 0 }).await.unwrap();
    let latest = rows[0].latest.as_ref().expect("latest reading");
    assert_eq!(latest.oil_bbl, 90.0);
    assert_eq!(latest.recorded_at, Utc.with_ymd_and_hms(2024, 1, 3, 12, 0, 0).unwrap());
    assert!(rows[1].latest.is_none());
}

async fn entries_are_idempotent_ordered_and_windowed(s: S) {
    let t = common::tenant(&s).await;
    let w = well(&s, t.id, "W", None).await;
    let batch: Vec<FieldEntry> = (0..10).rev().map(|d| entry(w.id, d, 100.0 - d as f64)).collect();
    let first = s.insert_entries(t.id, &batch).await.unwrap();
    assert_eq!((first.inserted, first.duplicates), (10, 0));
    let again = s.insert_entries(t.id, &batch[..4]).await.unwrap();
    assert_eq!((again.inserted, again.duplicates), (0, 4), "a retried batch stores nothing twice");
    assert_eq!(s.count_entries(t.id).await.unwrap(), 10);

    let q = |from: Option<i64>, to: Option<i64>, limit, offset| EntryQuery {
        from: from.map(|d| Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap() + Duration::days(d)),
        to: to.map(|d| Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap() + Duration::days(d)),
        page: PageRequest { limit, offset },
    };
    let (all, total) = s.entries_for_well(t.id, w.id, q(None, None, 100, 0)).await.unwrap();
    assert_eq!(total, 10);
    assert!(all.windows(2).all(|p| p[0].recorded_at < p[1].recorded_at), "ordered by time");
    assert_eq!(all[0].oil_bbl, 100.0);
    let stored = batch.iter().find(|e| e.id == all[0].id).unwrap();
    assert_eq!(&all[0], stored, "every field round-trips");
    let (window, wtotal) = s.entries_for_well(t.id, w.id, q(Some(2), Some(5), 2, 1)).await.unwrap();
    assert_eq!(wtotal, 3, "from inclusive, to exclusive");
    assert_eq!(window.len(), 2);
    assert_eq!(window[0].recorded_at, Utc.with_ymd_and_hms(2024, 1, 4, 12, 0, 0).unwrap());
}

async fn latest_reading_times_are_per_well_and_tenant(s: S) {
    let t = common::tenant(&s).await;
    let (w1, w2, w3) =
        (well(&s, t.id, "R-1", None).await, well(&s, t.id, "R-2", None).await, well(&s, t.id, "R-3", None).await);
    let batch: Vec<FieldEntry> = [(w1.id, 3), (w1.id, 7), (w2.id, 1)].iter().map(|&(w, d)| entry(w, d, 10.0)).collect();
    s.insert_entries(t.id, &batch).await.unwrap();
    let latest = s.latest_reading_times(t.id, &[w1.id, w2.id, w3.id]).await.unwrap();
    assert_eq!(latest.len(), 2, "a well without entries is left out");
    assert_eq!(latest[&w1.id], batch[1].recorded_at);
    assert_eq!(latest[&w2.id], batch[2].recorded_at);
    let other = common::tenant(&s).await;
    assert!(s.latest_reading_times(other.id, &[w1.id]).await.unwrap().is_empty(), "another tenant sees nothing");
}

async fn settling_a_bulk_load_changes_no_data(s: S) {
    let t = common::tenant(&s).await;
    let w = well(&s, t.id, "W", None).await;
    let batch: Vec<FieldEntry> = (0..5).map(|d| entry(w.id, d, 50.0 + d as f64)).collect();
    s.insert_entries(t.id, &batch).await.unwrap();
    let all = EntryQuery { from: None, to: None, page: PageRequest { limit: 100, offset: 0 } };
    let before = s.entries_for_well(t.id, w.id, all).await.unwrap();
    s.settle_bulk_load().await.unwrap();
    assert_eq!(s.entries_for_well(t.id, w.id, all).await.unwrap(), before);
    assert_eq!(s.count_entries(t.id).await.unwrap(), 5);
    // The marks written with the entries are still there for the dirty worker.
    assert_eq!(s.dirty_wells(t.id, 10).await.unwrap().len(), 1);
}

async fn entries_never_cross_tenants(s: S) {
    let t1 = common::tenant(&s).await;
    let t2 = common::tenant(&s).await;
    let w1 = well(&s, t1.id, "Mine", None).await;
    s.insert_entries(t1.id, &[entry(w1.id, 0, 1.0)]).await.unwrap();
    let none = EntryQuery { from: None, to: None, page: PageRequest { limit: 10, offset: 0 } };
    assert_eq!(s.entries_for_well(t2.id, w1.id, none).await.unwrap().1, 0);
    assert_eq!(s.count_entries(t2.id).await.unwrap(), 0);
    // Even if a caller skipped the service's check, the database refuses an entry filed under the wrong tenant,
    // and the whole batch is rolled back.
    let result = s.insert_entries(t2.id, &[entry(w1.id, 5, 2.0)]).await;
    assert!(
        matches!(result, Err(StorageError::NotFound(_))),
        "entry for another tenant's well must be refused: {result:?}"
    );
    assert_eq!(s.count_entries(t2.id).await.unwrap(), 0);
    let mixed = [entry(w1.id, 6, 3.0), entry(WellId(Uuid::new_v4()), 7, 3.0)];
    assert!(matches!(s.insert_entries(t1.id, &mixed).await, Err(StorageError::NotFound(_))));
    assert_eq!(s.count_entries(t1.id).await.unwrap(), 1, "a failed batch leaves nothing behind");
}

async fn corrections_and_optional_fields_round_trip(s: S) {
    let t = common::tenant(&s).await;
    let w = well(&s, t.id, "W", None).await;
    let mut d = entry(w.id, 0, 0.0).into_draft();
    d.water_bbl = -457.84;
    d.is_correction = true;
    d.tubing_psig = None;
    d.choke_64ths = None;
    d.hours_on = 25.0;
    d.downtime_reason = Some(flowline_shared::DowntimeReason::Weather);
    d.source = EntrySource::Import;
    let e = FieldEntry::new(d).unwrap();
    s.insert_entries(t.id, std::slice::from_ref(&e)).await.unwrap();
    let (back, _) = s
        .entries_for_well(t.id, w.id, EntryQuery { from: None, to: None, page: PageRequest { limit: 5, offset: 0 } })
        .await
        .unwrap();
    assert_eq!(back, vec![e]);
}

// ---- Analytics storage: readings, stored aggregates, dirty marks, job runs (issue 3) ----

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The instant of a local time of `tz`; for a time that happens twice, the first one.
fn local(tz: chrono_tz::Tz, day: NaiveDate, h: u32, min: u32) -> DateTime<Utc> {
    tz.from_local_datetime(&day.and_hms_opt(h, min, 0).unwrap()).earliest().unwrap().with_timezone(&Utc)
}

/// A reading with every mandatory field derived from `oil`; pressures and choke only when `gauges` is set.
fn reading(well: WellId, at: DateTime<Utc>, oil: f64, gauges: bool) -> FieldEntry {
    FieldEntry::new(FieldEntryDraft {
        id: EntryId(Uuid::now_v7()),
        well_id: well,
        recorded_at: at,
        oil_bbl: oil,
        gas_mcf: oil * 2.75,
        water_bbl: oil / 4.0,
        tubing_psig: gauges.then_some(250.0 + oil / 8.0),
        casing_psig: gauges.then_some(410.5),
        choke_64ths: gauges.then_some(28.0),
        hours_on: 24.0,
        downtime_reason: None,
        source: EntrySource::Scada,
        is_correction: false,
    })
    .unwrap()
}

/// What the aggregation jobs compute for `wells` over the local months `first..=last`, from stored readings.
async fn computed_months(
    s: &S,
    tenant: &Tenant,
    wells: &[WellId],
    first: NaiveDate,
    last: NaiveDate,
) -> Vec<MonthAggregates> {
    let (from, to) = month_input_window(first, last, tenant.time_zone);
    let readings = s.readings(tenant.id, wells, from, to).await.unwrap();
    aggregate_months(&readings, tenant.time_zone, first, last).unwrap()
}

/// Every aggregate of one period in the groups, in group order (the order `aggregates` returns them in).
fn of_period(months: &[MonthAggregates], period: Period) -> Vec<TimeSeriesAggregate> {
    months.iter().flat_map(|m| m.of(period).iter().cloned()).collect()
}

fn starts(aggregates: &[TimeSeriesAggregate]) -> BTreeSet<NaiveDate> {
    aggregates.iter().map(|a| a.period.local_start()).collect()
}

fn assert_close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0), "{a} != {b}");
}

async fn aggregates_are_replaced_whole_and_read_back(s: S) {
    let t = common::tenant(&s).await;
    let other = common::tenant(&s).await;
    let tz = t.time_zone;
    let w = well(&s, t.id, "Aggregated", None).await;
    let foreign = well(&s, other.id, "Theirs", None).await;

    // February and March 2024: a reading at 06:00 on most days (one gap day a week), a second at 18:30 on every
    // third day, gauges (pressures, choke) on every other day only.
    let mut entries = Vec::new();
    let (mut day, mut i) = (date(2024, 2, 1), 0u32);
    while day <= date(2024, 3, 31) {
        if i % 7 != 5 {
            entries.push(reading(w.id, local(tz, day, 6, 0), 100.0 + f64::from(i), i % 2 == 0));
            if i % 3 == 0 {
                entries.push(reading(w.id, local(tz, day, 18, 30), 90.0 + f64::from(i) * 0.5, false));
            }
        }
        day = day.succ_opt().unwrap();
        i += 1;
    }
    // 10 March lasts 23 hours in Chicago (02:00 -> 03:00): readings on both sides of the jump and just before the
    // next midnight all belong to it.
    for (h, m) in [(0, 30), (1, 30), (3, 30), (23, 30)] {
        entries.push(reading(w.id, local(tz, date(2024, 3, 10), h, m), 120.0 + f64::from(h), h == 3));
    }
    s.insert_entries(t.id, &entries).await.unwrap();

    let (feb, mar) = (date(2024, 2, 1), date(2024, 3, 1));
    let months = computed_months(&s, &t, &[w.id], feb, mar).await;
    assert_eq!(months.iter().map(|m| (m.well_id, m.month)).collect::<Vec<_>>(), [(w.id, feb), (w.id, mar)]);
    s.replace_months(t.id, &months).await.unwrap();

    let query = |period, from, to| AggregateQuery { wells: vec![w.id], period, from, to };
    let everything = |period| query(period, date(2024, 1, 1), date(2024, 4, 30));
    // Whole groups read back as written, only for the months asked for and only for the tenant's wells.
    assert_eq!(s.month_groups(t.id, tz, &[w.id], date(2024, 1, 1), date(2024, 6, 1)).await.unwrap(), months);
    assert_eq!(s.month_groups(t.id, tz, &[foreign.id, w.id], mar, date(2024, 3, 31)).await.unwrap(), months[1..]);
    assert!(s.month_groups(other.id, tz, &[w.id], feb, mar).await.unwrap().is_empty());
    for period in Period::ALL {
        let back = s.aggregates(t.id, tz, &everything(period)).await.unwrap();
        assert!(!back.is_empty());
        assert_eq!(back, of_period(&months, period), "{period} aggregates read back exactly, in order");
    }

    // The 23-hour day holds its five readings.
    let spring = s.aggregates(t.id, tz, &query(Period::Daily, date(2024, 3, 10), date(2024, 3, 10))).await.unwrap();
    let window = PeriodWindow::for_date(Period::Daily, date(2024, 3, 10), tz);
    assert_eq!(window.duration(), Duration::hours(23));
    let that_day: Vec<&FieldEntry> = entries.iter().filter(|e| window.contains(e.recorded_at)).collect();
    assert_eq!(that_day.len(), 5);
    let oil = spring.iter().find(|a| a.field == Field::OilBbl).unwrap();
    assert_eq!((oil.period, oil.entries), (window, 5));
    assert_close(oil.stats.mean, that_day.iter().map(|e| e.oil_bbl).sum::<f64>() / 5.0);
    let tubing = spring.iter().find(|a| a.field == Field::TubingPsig).unwrap();
    assert_eq!(tubing.entries as usize, that_day.iter().filter(|e| e.tubing_psig.is_some()).count());

    // The date filter applies to the periods' first days, inclusive at both ends.
    let some = s.aggregates(t.id, tz, &query(Period::Daily, date(2024, 3, 9), date(2024, 3, 11))).await.unwrap();
    let expected: Vec<_> = of_period(&months, Period::Daily)
        .into_iter()
        .filter(|a| (date(2024, 3, 9)..=date(2024, 3, 11)).contains(&a.period.local_start()))
        .collect();
    assert_eq!(some, expected);
    assert_eq!(starts(&some), BTreeSet::from([date(2024, 3, 9), date(2024, 3, 10), date(2024, 3, 11)]));
    let weeks = s.aggregates(t.id, tz, &query(Period::Weekly, date(2024, 2, 26), date(2024, 3, 4))).await.unwrap();
    assert_eq!(starts(&weeks), BTreeSet::from([date(2024, 2, 26), date(2024, 3, 4)]), "across the month boundary");
    let march = s.aggregates(t.id, tz, &query(Period::Monthly, mar, mar)).await.unwrap();
    assert_eq!(march, months[1].monthly);
    let mid_march = query(Period::Monthly, date(2024, 3, 2), date(2024, 3, 31));
    assert!(s.aggregates(t.id, tz, &mid_march).await.unwrap().is_empty(), "March's aggregate starts on the 1st");

    // A rerun replaces the months: the same rows, none twice.
    s.replace_months(t.id, &months).await.unwrap();
    s.replace_months(t.id, &computed_months(&s, &t, &[w.id], feb, mar).await).await.unwrap();
    for period in Period::ALL {
        assert_eq!(s.aggregates(t.id, tz, &everything(period)).await.unwrap(), of_period(&months, period), "{period}");
    }

    // A late reading, recomputed, is what is read back.
    let late = reading(w.id, local(tz, date(2024, 3, 9), 12, 0), 500.0, true);
    s.insert_entries(t.id, std::slice::from_ref(&late)).await.unwrap();
    let recomputed = computed_months(&s, &t, &[w.id], feb, mar).await;
    assert_ne!(recomputed, months);
    s.replace_months(t.id, &recomputed).await.unwrap();
    for period in Period::ALL {
        let back = s.aggregates(t.id, tz, &everything(period)).await.unwrap();
        assert_eq!(back, of_period(&recomputed, period), "{period} after the recompute");
    }
    let day9 = PeriodWindow::for_date(Period::Daily, date(2024, 3, 9), tz);
    let oil9: Vec<f64> =
        entries.iter().chain([&late]).filter(|e| day9.contains(e.recorded_at)).map(|e| e.oil_bbl).collect();
    let stored9 = s.aggregates(t.id, tz, &query(Period::Daily, date(2024, 3, 9), date(2024, 3, 9))).await.unwrap();
    let stored9 = stored9.iter().find(|a| a.field == Field::OilBbl).unwrap();
    assert_eq!(stored9.entries as usize, oil9.len());
    assert_close(stored9.stats.mean, oil9.iter().sum::<f64>() / oil9.len() as f64);

    // An empty group deletes its month, and only it.
    s.replace_months(t.id, &[MonthAggregates::new(w.id, feb)]).await.unwrap();
    for period in Period::ALL {
        let back = s.aggregates(t.id, tz, &everything(period)).await.unwrap();
        assert_eq!(back, recomputed[1].of(period), "{period}: only March is left");
    }

    // Another tenant reading the same well id gets nothing.
    for period in Period::ALL {
        assert!(s.aggregates(other.id, tz, &everything(period)).await.unwrap().is_empty());
    }

    // A group of another tenant's well, or of no well, is refused, and nothing of the batch is written.
    let retarget = |group: &MonthAggregates, well: WellId| {
        let mut group = group.clone();
        group.well_id = well;
        for a in group.daily.iter_mut().chain(&mut group.weekly).chain(&mut group.monthly) {
            a.well_id = well;
        }
        group
    };
    for bad in [
        retarget(&recomputed[1], foreign.id),
        retarget(&recomputed[1], WellId(Uuid::new_v4())),
        MonthAggregates::new(foreign.id, mar),
    ] {
        let result = s.replace_months(t.id, &[recomputed[0].clone(), bad.clone()]).await;
        assert!(matches!(result, Err(StorageError::NotFound(_))), "group of well {}: {result:?}", bad.well_id);
        for period in Period::ALL {
            let back = s.aggregates(t.id, tz, &everything(period)).await.unwrap();
            assert_eq!(back, recomputed[1].of(period), "{period}: February was not written");
        }
    }
    let theirs = AggregateQuery { wells: vec![foreign.id], ..everything(Period::Daily) };
    assert!(s.aggregates(other.id, tz, &theirs).await.unwrap().is_empty());
}

async fn inserts_mark_wells_dirty_and_clearing_removes_what_was_read(s: S) {
    let t = common::tenant(&s).await;
    let other = common::tenant(&s).await;
    let w1 = well(&s, t.id, "One", None).await;
    let w2 = well(&s, t.id, "Two", None).await;
    let at = |d: u32, h: u32| Utc.with_ymd_and_hms(2024, 3, d, h, 0, 0).unwrap();
    let mark_of = |marks: &[DirtyWell], w: WellId| marks.iter().find(|d| d.well_id == w).cloned();
    assert!(s.dirty_wells(t.id, 10).await.unwrap().is_empty());

    let batch = [
        reading(w1.id, at(5, 12), 10.0, true),
        reading(w1.id, at(3, 8), 11.0, false),
        reading(w1.id, at(7, 20), 12.0, true),
    ];
    s.insert_entries(t.id, &batch).await.unwrap();
    let marks = s.dirty_wells(t.id, 10).await.unwrap();
    assert_eq!(marks.len(), 1);
    let first = marks[0].clone();
    assert_eq!(
        (first.well_id, first.from, first.to, first.marks.len()),
        (w1.id, at(3, 8), at(7, 20), 1),
        "one mark over the span of the inserted readings"
    );

    // An older reading arrives late: a second mark, and the well's span is the union.
    s.insert_entries(t.id, &[reading(w1.id, at(1, 6), 13.0, false)]).await.unwrap();
    let widened = mark_of(&s.dirty_wells(t.id, 10).await.unwrap(), w1.id).unwrap();
    assert_eq!((widened.from, widened.to, widened.marks.len()), (at(1, 6), at(7, 20), 2));

    // A retried batch stores nothing and marks nothing.
    let again = s.insert_entries(t.id, &batch).await.unwrap();
    assert_eq!((again.inserted, again.duplicates), (0, 3));
    assert_eq!(mark_of(&s.dirty_wells(t.id, 10).await.unwrap(), w1.id), Some(widened.clone()));

    // A second well, marked later: the well with the oldest mark comes first, and the limit counts wells.
    s.insert_entries(t.id, &[reading(w2.id, at(10, 12), 14.0, true)]).await.unwrap();
    let both = s.dirty_wells(t.id, 10).await.unwrap();
    assert_eq!(both.iter().map(|d| d.well_id).collect::<Vec<_>>(), [w1.id, w2.id], "oldest marks first");
    assert_eq!(s.dirty_wells(t.id, 1).await.unwrap(), std::slice::from_ref(&widened));

    // Marks are per tenant: another tenant neither sees nor clears them, and its refused insert marks nothing.
    assert!(s.dirty_wells(other.id, 10).await.unwrap().is_empty());
    assert_eq!(s.clear_dirty(other.id, &both).await.unwrap(), 0);
    let refused = s.insert_entries(other.id, &[reading(w1.id, at(2, 0), 15.0, false)]).await;
    assert!(matches!(refused, Err(StorageError::NotFound(_))));
    assert!(s.dirty_wells(other.id, 10).await.unwrap().is_empty());
    assert_eq!(s.dirty_wells(t.id, 10).await.unwrap(), both);

    // Clearing removes exactly the marks that were read: after clearing the first read, the late mark (added
    // after it) stays, over its own span only.
    assert_eq!(s.clear_dirty(t.id, &[first]).await.unwrap(), 1);
    let late = mark_of(&s.dirty_wells(t.id, 10).await.unwrap(), w1.id).unwrap();
    assert_eq!((late.from, late.to, late.marks.len()), (at(1, 6), at(1, 6), 1));
    assert_eq!(s.clear_dirty(t.id, &[widened]).await.unwrap(), 1, "the first mark is already gone");
    let left = s.dirty_wells(t.id, 10).await.unwrap();
    assert_eq!(left.iter().map(|d| d.well_id).collect::<Vec<_>>(), [w2.id]);

    // A reading after the clear starts a new mark over just its own instant.
    s.insert_entries(t.id, &[reading(w1.id, at(20, 0), 16.0, true)]).await.unwrap();
    let fresh = mark_of(&s.dirty_wells(t.id, 10).await.unwrap(), w1.id).unwrap();
    assert_eq!((fresh.from, fresh.to), (at(20, 0), at(20, 0)));
    assert_eq!(s.clear_dirty(t.id, &[fresh, left[0].clone()]).await.unwrap(), 2);
    assert!(s.dirty_wells(t.id, 10).await.unwrap().is_empty());
    assert_eq!(s.clear_dirty(t.id, &[]).await.unwrap(), 0);
}

async fn readings_are_ordered_windowed_and_tenant_scoped(s: S) {
    let t = common::tenant(&s).await;
    let other = common::tenant(&s).await;
    let a = well(&s, t.id, "A", None).await.id;
    let b = well(&s, t.id, "B", None).await.id;
    let at = |d: u32, h: u32| Utc.with_ymd_and_hms(2024, 5, d, h, 0, 0).unwrap();
    let (from, to) = (at(2, 0), at(6, 0));
    let mut entries = vec![
        reading(b, at(4, 9), 40.0, true),
        reading(a, at(5, 23), 53.0, false),
        reading(a, from, 20.0, true),
        reading(b, to, 60.0, true),
        reading(a, at(1, 23), 12.0, true),
        reading(b, at(2, 1), 21.0, false),
        reading(a, at(3, 12), 31.0, false),
    ];
    // Two readings of one well at the same instant come back in entry-id order, whatever their values.
    let (lo, hi) = {
        let (x, y) = (Uuid::new_v4(), Uuid::new_v4());
        (x.min(y), x.max(y))
    };
    for (id, oil) in [(hi, 10.0), (lo, 90.0)] {
        let mut d = reading(a, at(4, 6), oil, oil > 50.0).into_draft();
        d.id = EntryId(id);
        entries.push(FieldEntry::new(d).unwrap());
    }
    s.insert_entries(t.id, &entries).await.unwrap();

    let mut expected: Vec<&FieldEntry> =
        entries.iter().filter(|e| from <= e.recorded_at && e.recorded_at < to).collect();
    expected.sort_by_key(|e| (e.well_id, e.recorded_at, e.id));
    let expected: Vec<EntryValues> = expected.into_iter().map(|e| EntryValues::of(e)).collect();
    assert_eq!(expected.len(), 7, "`from` is in, `to` and before `from` are out");

    let got = s.readings(t.id, &[b, a], from, to).await.unwrap();
    assert_eq!(got, expected, "ordered by well id, then time, then entry id");
    let tie: Vec<f64> = got.iter().filter(|r| r.recorded_at == at(4, 6)).map(|r| r.values[0].unwrap()).collect();
    assert_eq!(tie, [90.0, 10.0]);
    let bare = got.iter().find(|r| r.recorded_at == at(3, 12)).unwrap();
    assert_eq!(bare.values[Field::TubingPsig.index()], None);
    assert_eq!(bare.values[Field::Choke64ths.index()], None);
    assert_eq!(bare.values[Field::HoursOn.index()], Some(24.0));
    let only_b: Vec<EntryValues> = expected.iter().filter(|r| r.well_id == b).copied().collect();
    assert_eq!(s.readings(t.id, &[b], from, to).await.unwrap(), only_b);
    assert!(s.readings(t.id, &[], from, to).await.unwrap().is_empty());
    assert!(s.readings(t.id, &[WellId(Uuid::new_v4())], from, to).await.unwrap().is_empty());
    assert!(s.readings(other.id, &[a, b], from, to).await.unwrap().is_empty(), "another tenant reads nothing");

    assert_eq!(s.entry_span(t.id).await.unwrap(), Some((at(1, 23), to)));
    assert_eq!(s.entry_span(other.id).await.unwrap(), None);
}

async fn job_runs_are_recorded_and_listed(s: S) {
    let t = common::tenant(&s).await;
    let now = DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap();
    let older = JobRun {
        id: Uuid::now_v7(),
        job: JobKind::Backfill,
        tenant_id: Some(t.id),
        started_at: now - Duration::seconds(5),
        finished_at: None,
        status: JobStatus::Running,
        rows: 0,
        message: None,
    };
    let run = JobRun { id: Uuid::now_v7(), started_at: now, ..older.clone() };
    let every_tenant = JobRun { id: Uuid::now_v7(), job: JobKind::Daily, tenant_id: None, ..run.clone() };
    for r in [&older, &run, &every_tenant] {
        s.start_job_run(r).await.unwrap();
    }
    let position = |runs: &[JobRun], id| runs.iter().position(|r| r.id == id);

    let backfills = s.recent_job_runs(None, Some(JobKind::Backfill), 1000).await.unwrap();
    assert!(backfills.iter().all(|r| r.job == JobKind::Backfill));
    assert!(backfills.windows(2).all(|p| p[0].started_at >= p[1].started_at), "newest first");
    let (new_at, old_at) = (position(&backfills, run.id).unwrap(), position(&backfills, older.id).unwrap());
    assert!(new_at < old_at);
    assert_eq!(backfills[new_at], run, "a running run as started");
    assert_eq!(position(&backfills, every_tenant.id), None, "another job's run is not listed");

    let finished_at = now + Duration::milliseconds(1500);
    s.finish_job_run(run.id, finished_at, JobStatus::Succeeded, 42, Some("3 wells, 270 readings")).await.unwrap();
    s.finish_job_run(older.id, finished_at, JobStatus::Failed, 0, Some("storage unavailable")).await.unwrap();
    let backfills = s.recent_job_runs(None, Some(JobKind::Backfill), 1000).await.unwrap();
    let done = &backfills[position(&backfills, run.id).unwrap()];
    let expected = JobRun {
        finished_at: Some(finished_at),
        status: JobStatus::Succeeded,
        rows: 42,
        message: Some("3 wells, 270 readings".into()),
        ..run.clone()
    };
    assert_eq!(done, &expected);
    let failed = &backfills[position(&backfills, older.id).unwrap()];
    assert_eq!((failed.status, failed.message.as_deref()), (JobStatus::Failed, Some("storage unavailable")));

    let all = s.recent_job_runs(None, None, 1000).await.unwrap();
    let global = &all[position(&all, every_tenant.id).expect("listed without a job filter")];
    assert_eq!(global, &every_tenant);
    assert!(position(&all, run.id).is_some());
    assert_eq!(s.recent_job_runs(None, None, 1).await.unwrap().len(), 1);
    let mine = s.recent_job_runs(Some(t.id), None, 1000).await.unwrap();
    assert_eq!(mine.iter().map(|r| r.id).collect::<Vec<_>>(), [run.id, older.id], "one tenant's runs, newest first");

    let unknown = s.finish_job_run(Uuid::new_v4(), finished_at, JobStatus::Succeeded, 1, None).await;
    assert!(matches!(unknown, Err(StorageError::NotFound(_))), "{unknown:?}");
    let twice = s.start_job_run(&run).await;
    assert!(matches!(twice, Err(StorageError::Conflict(_))), "{twice:?}");
    let backfills = s.recent_job_runs(None, Some(JobKind::Backfill), 1000).await.unwrap();
    assert_eq!(backfills[position(&backfills, run.id).unwrap()], expected, "the refused start changed nothing");
}

async fn well_ids_and_tenants_are_listed(s: S) {
    let t1 = common::tenant(&s).await;
    let t2 = common::tenant(&s).await;
    let t3 = common::tenant(&s).await;
    let mut mine = Vec::new();
    for name in ["C", "A", "B"] {
        mine.push(well(&s, t1.id, name, None).await.id);
    }
    mine.sort_unstable();
    let theirs = well(&s, t2.id, "A", None).await.id;
    assert_eq!(s.well_ids(t1.id).await.unwrap(), mine, "ascending, this tenant's only");
    assert_eq!(s.well_ids(t2.id).await.unwrap(), [theirs]);
    assert!(s.well_ids(t3.id).await.unwrap().is_empty());

    let listed = s.list_tenants().await.unwrap();
    let created = [t1, t2, t3];
    let mut by_position = created.clone();
    by_position.sort_by_key(|t| listed.iter().position(|l| l == t).expect("every created tenant is listed"));
    let mut by_slug = created.clone();
    by_slug.sort_by(|a, b| a.slug.as_str().cmp(b.slug.as_str()));
    assert_eq!(by_position, by_slug, "ordered by slug");
}

// ---- Analytics results: trends, anomalies, stored forecasts, due wells, leases (issue 4) ----

mod analytics_results {
    use super::*;
    use chrono::Days;
    use flowline_backend::ports::{
        AnalyticsDue, AnomalyQuery, StoredAnomaly, StoredForecast, StoredTrend, TrendFilter, TrendSort, WellAnalytics,
    };
    use flowline_shared::analytics::anomalies::{Anomaly, AnomalyConfig, detect_anomalies};
    use flowline_shared::analytics::forecast::{Forecast, ForecastModel};
    use flowline_shared::analytics::trend::{DailyPoint, ProductionTrend, TrendConfig, TrendDirection, compute_trend};

    const AS_OF: (i32, u32, u32) = (2024, 6, 30);

    fn as_of() -> NaiveDate {
        date(AS_OF.0, AS_OF.1, AS_OF.2)
    }

    fn days_before(day: NaiveDate, n: u64) -> NaiveDate {
        day.checked_sub_days(Days::new(n)).unwrap()
    }

    fn page(limit: u32, offset: u64) -> PageRequest {
        PageRequest { limit, offset }
    }

    /// An instant at millisecond precision (what both adapters store).
    fn at(minutes: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 7, 1, 12, 0, 0).unwrap() + Duration::minutes(minutes) + Duration::milliseconds(7)
    }

    /// 60 days of a slightly noisy series: the previous window at `previous` (none when `None`), the recent one a
    /// line from `start` with `slope` per day.
    fn points(previous: Option<f64>, start: f64, slope: f64) -> Vec<DailyPoint> {
        (0..60u32)
            .filter_map(|i| {
                let day = days_before(as_of(), u64::from(59 - i));
                let wiggle = (f64::from(i) * 1.7).sin() * 0.37;
                match i {
                    0..30 => previous.map(|p| DailyPoint::new(day, p + wiggle, 24.0)),
                    _ => Some(DailyPoint::new(day, start + slope * f64::from(i - 30) + wiggle, 24.0)),
                }
            })
            .collect()
    }

    fn trend(previous: Option<f64>, start: f64, slope: f64) -> ProductionTrend {
        compute_trend(&points(previous, start, slope), as_of(), &TrendConfig::default())
    }

    /// A real flagged day (a spike on a noisy level), moved to `day`.
    fn anomaly(day: NaiveDate, spike: f64) -> Anomaly {
        let mut series = points(Some(100.0), 100.0, 0.0);
        series[45].value = spike;
        let found = detect_anomalies(&series, &AnomalyConfig::default());
        let flagged = *found.iter().find(|a| a.day == series[45].day).expect("the spike is flagged");
        Anomaly { day, ..flagged }
    }

    fn forecast() -> Forecast {
        ForecastModel::fit(&points(Some(120.0), 110.0, -0.4)).unwrap().generate_forecast(7).unwrap()
    }

    fn result(well: WellId, trends: Vec<(Field, ProductionTrend)>) -> WellAnalytics {
        WellAnalytics {
            well_id: well,
            as_of: as_of(),
            trends,
            anomalies: Vec::new(),
            anomaly_window: (days_before(as_of(), 89), as_of()),
            forecast: Err("not enough data".into()),
        }
    }

    async fn typed_well(s: &S, t: TenantId, name: &str, well_type: WellType, status: WellStatus, lease: &str) -> Well {
        let mut nw = new_well(name, None);
        nw.well_type = well_type;
        nw.status = status;
        nw.lease = Some(lease.into());
        s.create_well(t, &nw, Utc::now()).await.unwrap()
    }

    /// The expected order of a trend list: by change (no change last) or by name, then name, then id.
    fn ordered(mut rows: Vec<(String, WellId, Option<f64>)>, sort: TrendSort) -> Vec<WellId> {
        rows.sort_by(|a, b| {
            let change = match sort {
                TrendSort::ChangeAscending => a.2.is_none().cmp(&b.2.is_none()).then(match (a.2, b.2) {
                    (Some(x), Some(y)) => x.total_cmp(&y),
                    _ => std::cmp::Ordering::Equal,
                }),
                TrendSort::ChangeDescending => a.2.is_none().cmp(&b.2.is_none()).then(match (a.2, b.2) {
                    (Some(x), Some(y)) => y.total_cmp(&x),
                    _ => std::cmp::Ordering::Equal,
                }),
                TrendSort::Name => std::cmp::Ordering::Equal,
            };
            change.then_with(|| a.0.cmp(&b.0)).then_with(|| a.1.cmp(&b.1))
        });
        rows.into_iter().map(|r| r.1).collect()
    }

    fn ids(rows: &[StoredTrend]) -> Vec<WellId> {
        rows.iter().map(|r| r.well_id).collect()
    }

    pub async fn trends_round_trip_filter_sort_and_paginate(s: S) {
        let t = common::tenant(&s).await;
        let other = common::tenant(&s).await;
        let (active, shut_in) = (WellStatus::Active, WellStatus::ShutIn);
        let oil_a = typed_well(&s, t.id, "Oil A", WellType::Oil, active, "L1").await;
        let oil_b = typed_well(&s, t.id, "Oil B", WellType::Oil, shut_in, "L2").await;
        let gas_c = typed_well(&s, t.id, "Gas C", WellType::Gas, active, "L1").await;
        let inj_d = typed_well(&s, t.id, "Inj D", WellType::Injection, active, "L2").await;
        let disp_e = typed_well(&s, t.id, "Disp E", WellType::Disposal, active, "L3").await;
        let oil_f = typed_well(&s, t.id, "Oil F", WellType::Oil, active, "L3").await;
        let twin1 = typed_well(&s, t.id, "Twin", WellType::Oil, active, "L4").await;
        let twin2 = typed_well(&s, t.id, "Twin", WellType::Oil, active, "L4").await;
        let never = typed_well(&s, t.id, "Never computed", WellType::Oil, active, "L1").await;

        let decline = trend(Some(100.0), 100.0, -2.0);
        let rise = trend(Some(50.0), 60.0, 1.5);
        let flat_down = trend(Some(100.0), 80.0, 0.0);
        let no_change = trend(None, 70.0, 0.0);
        let twin = trend(Some(90.0), 85.0, -0.05);
        assert_eq!(decline.direction, TrendDirection::Down);
        assert_eq!(rise.direction, TrendDirection::Up);
        assert_eq!(no_change.percent_change, None);
        assert!(decline.fit.is_some() && decline.percent_change.is_some());
        let insufficient = compute_trend(&points(Some(10.0), 10.0, 0.0)[..31], as_of(), &TrendConfig::default());
        assert_eq!(insufficient.direction, TrendDirection::InsufficientData);

        let computed_at = at(0);
        let results = vec![
            result(oil_a.id, vec![(Field::OilBbl, flat_down.clone()), (Field::GasMcf, rise.clone())]),
            result(oil_b.id, vec![(Field::OilBbl, no_change.clone()), (Field::WaterBbl, decline.clone())]),
            result(gas_c.id, vec![(Field::OilBbl, rise.clone()), (Field::GasMcf, trend(Some(40.0), 38.0, 0.0))]),
            result(inj_d.id, vec![(Field::WaterBbl, trend(Some(300.0), 330.0, 0.0))]),
            result(disp_e.id, vec![(Field::WaterBbl, rise.clone()), (Field::OilBbl, insufficient.clone())]),
            result(oil_f.id, vec![(Field::OilBbl, decline.clone())]),
            result(twin1.id, vec![(Field::OilBbl, twin.clone())]),
            result(twin2.id, vec![(Field::OilBbl, twin.clone())]),
        ];
        s.store_analytics(t.id, &results, computed_at).await.unwrap();

        // The primary field of each well: oil for oil wells, gas for gas wells, water for injection and disposal.
        let primary = [
            (&oil_a, &flat_down),
            (&oil_b, &no_change),
            (&gas_c, &results[2].trends[1].1),
            (&inj_d, &results[3].trends[0].1),
            (&disp_e, &rise),
            (&oil_f, &decline),
            (&twin1, &twin),
            (&twin2, &twin),
        ];
        let expected_rows: Vec<(String, WellId, Option<f64>)> =
            primary.iter().map(|(w, tr)| (w.name.clone(), w.id, tr.percent_change)).collect();
        let all = TrendFilter::default();
        for sort in [TrendSort::ChangeAscending, TrendSort::ChangeDescending, TrendSort::Name] {
            let (rows, total) = s.list_trends(t.id, &all, sort, page(50, 0)).await.unwrap();
            assert_eq!(total, 8, "{sort:?}: one row per computed well, the never computed one is not listed");
            assert_eq!(ids(&rows), ordered(expected_rows.clone(), sort), "{sort:?}");
        }
        let (rows, _) = s.list_trends(t.id, &all, TrendSort::ChangeAscending, page(50, 0)).await.unwrap();
        assert_eq!(rows.last().unwrap().well_id, oil_b.id, "no change sorts last");
        let (rows, _) = s.list_trends(t.id, &all, TrendSort::ChangeDescending, page(50, 0)).await.unwrap();
        assert_eq!(rows.last().unwrap().well_id, oil_b.id, "no change sorts last in both orders");
        let twins: Vec<WellId> = rows.iter().map(|r| r.well_id).filter(|w| [twin1.id, twin2.id].contains(w)).collect();
        assert_eq!(twins, [twin1.id.min(twin2.id), twin1.id.max(twin2.id)], "equal change and name: by id");

        // Every stored value round-trips.
        let row = rows.iter().find(|r| r.well_id == oil_f.id).unwrap();
        let expected = StoredTrend {
            well_id: oil_f.id,
            well_name: "Oil F".into(),
            well_type: WellType::Oil,
            well_status: WellStatus::Active,
            lease: Some("L3".into()),
            field: Field::OilBbl,
            trend: decline.clone(),
            computed_at,
        };
        assert_eq!(row, &expected);
        let gas_row = rows.iter().find(|r| r.well_id == gas_c.id).unwrap();
        assert_eq!((gas_row.field, &gas_row.trend), (Field::GasMcf, &results[2].trends[1].1));
        let water_row = rows.iter().find(|r| r.well_id == inj_d.id).unwrap();
        assert_eq!(water_row.field, Field::WaterBbl);

        // Pagination keeps the order and the total.
        let (full, _) = s.list_trends(t.id, &all, TrendSort::Name, page(50, 0)).await.unwrap();
        let (second, total) = s.list_trends(t.id, &all, TrendSort::Name, page(3, 3)).await.unwrap();
        assert_eq!((second.as_slice(), total), (&full[3..6], 8));
        let (past_end, total) = s.list_trends(t.id, &all, TrendSort::Name, page(3, 9)).await.unwrap();
        assert_eq!((past_end.len(), total), (0, 8));

        // Filters.
        let tid = t.id;
        let list = |filter: TrendFilter| {
            let s = Arc::clone(&s);
            async move {
                let (rows, total) = s.list_trends(tid, &filter, TrendSort::Name, page(50, 0)).await.unwrap();
                assert_eq!(total as usize, rows.len());
                rows
            }
        };
        let shut = list(TrendFilter { status: Some(WellStatus::ShutIn), ..Default::default() }).await;
        assert_eq!(ids(&shut), [oil_b.id]);
        let gas = list(TrendFilter { well_type: Some(WellType::Gas), ..Default::default() }).await;
        assert_eq!(ids(&gas), [gas_c.id]);
        let l1 = list(TrendFilter { lease: Some("L1".into()), ..Default::default() }).await;
        assert_eq!(ids(&l1), [gas_c.id, oil_a.id]);
        let none = list(TrendFilter { lease: Some("L1' OR '1'='1".into()), ..Default::default() }).await;
        assert!(none.is_empty());
        let down = list(TrendFilter { direction: Some(TrendDirection::Down), ..Default::default() }).await;
        assert_eq!(ids(&down), [oil_f.id], "Oil B's water decline is not its primary field");
        let up = list(TrendFilter { direction: Some(TrendDirection::Up), ..Default::default() }).await;
        assert_eq!(ids(&up), [disp_e.id]);
        // An explicit field lists that field of every well that has it, whatever the well's type.
        let oil = list(TrendFilter { field: Some(Field::OilBbl), ..Default::default() }).await;
        let mut oil_wells: Vec<(String, WellId)> =
            [&disp_e, &gas_c, &oil_a, &oil_b, &oil_f, &twin1, &twin2].iter().map(|w| (w.name.clone(), w.id)).collect();
        oil_wells.sort();
        assert_eq!(ids(&oil), oil_wells.iter().map(|w| w.1).collect::<Vec<_>>());
        assert!(oil.iter().all(|r| r.field == Field::OilBbl));
        assert_eq!(oil.iter().find(|r| r.well_id == disp_e.id).unwrap().trend, insufficient);
        let oil_up =
            list(TrendFilter { field: Some(Field::OilBbl), direction: Some(TrendDirection::Up), ..Default::default() })
                .await;
        assert_eq!(ids(&oil_up), [gas_c.id]);
        let water_down = list(TrendFilter {
            field: Some(Field::WaterBbl),
            direction: Some(TrendDirection::Down),
            status: Some(WellStatus::ShutIn),
            well_type: Some(WellType::Oil),
            lease: Some("L2".into()),
        })
        .await;
        assert_eq!(ids(&water_down), [oil_b.id]);
        assert!(list(TrendFilter { field: Some(Field::TubingPsig), ..Default::default() }).await.is_empty());

        // A new pass replaces a well's trends: a field it no longer has is gone.
        let later = at(30);
        s.store_analytics(t.id, &[result(oil_a.id, vec![(Field::OilBbl, decline.clone())])], later).await.unwrap();
        let gas_field = list(TrendFilter { field: Some(Field::GasMcf), ..Default::default() }).await;
        assert_eq!(ids(&gas_field), [gas_c.id]);
        let oil_a_row = list(TrendFilter { lease: Some("L1".into()), ..Default::default() }).await;
        let oil_a_row = oil_a_row.iter().find(|r| r.well_id == oil_a.id).unwrap();
        assert_eq!((&oil_a_row.trend, oil_a_row.computed_at), (&decline, later));

        // The list follows edits of the wells: name, status, lease, and the type that picks the primary field.
        let mut edited = oil_f.clone();
        edited.name = "Oil F renamed".into();
        edited.status = WellStatus::Inactive;
        edited.lease = Some("L9".into());
        edited.well_type = WellType::Gas;
        s.update_well(t.id, &edited).await.unwrap();
        let (rows, total) = s.list_trends(t.id, &all, TrendSort::Name, page(50, 0)).await.unwrap();
        assert_eq!(total, 7, "a gas well without a gas trend is not listed");
        assert!(!ids(&rows).contains(&oil_f.id));
        let l9 = list(TrendFilter { field: Some(Field::OilBbl), lease: Some("L9".into()), ..Default::default() }).await;
        assert_eq!(
            (l9.len(), &l9[0].well_name, l9[0].well_type, l9[0].well_status, l9[0].lease.as_deref()),
            (1, &edited.name, WellType::Gas, WellStatus::Inactive, Some("L9"))
        );
        assert!(
            list(TrendFilter { lease: Some("L3".into()), field: Some(Field::OilBbl), ..Default::default() })
                .await
                .iter()
                .all(|r| r.well_id != oil_f.id)
        );
        edited.well_type = WellType::Oil;
        s.update_well(t.id, &edited).await.unwrap();
        let down = list(TrendFilter { direction: Some(TrendDirection::Down), ..Default::default() }).await;
        let names: Vec<&str> = down.iter().map(|r| r.well_name.as_str()).collect();
        assert_eq!((ids(&down), names), (vec![oil_a.id, oil_f.id], vec!["Oil A", "Oil F renamed"]));
        let (rows, _) = s.list_trends(t.id, &all, TrendSort::Name, page(50, 0)).await.unwrap();
        let names: Vec<&str> = rows.iter().map(|r| r.well_name.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted, "sorted by the new name");

        // Another tenant sees none of it.
        let (theirs, total) = s.list_trends(other.id, &all, TrendSort::Name, page(50, 0)).await.unwrap();
        assert_eq!((theirs.len(), total), (0, 0));
        assert!(!ids(&full).contains(&never.id));
    }

    pub async fn anomalies_are_replaced_in_their_window_and_listed_newest_first(s: S) {
        let t = common::tenant(&s).await;
        let other = common::tenant(&s).await;
        let alpha = well(&s, t.id, "Alpha", None).await.id;
        let bravo = well(&s, t.id, "Bravo", None).await.id;
        let d = |m: u32, day: u32| date(2024, m, day);
        let spike = anomaly(d(3, 5), 160.0);
        let dip = anomaly(d(3, 5), 40.0);
        assert!(spike.z > 2.0 && dip.z < -2.0);
        let with = |well: WellId, window: (NaiveDate, NaiveDate), anomalies: Vec<(Field, Anomaly)>| WellAnalytics {
            anomalies,
            anomaly_window: window,
            ..result(well, Vec::new())
        };
        let march = (d(3, 1), d(3, 31));
        let first = at(0);
        s.store_analytics(
            t.id,
            &[
                with(
                    alpha,
                    march,
                    vec![
                        (Field::GasMcf, dip),
                        (Field::OilBbl, spike),
                        (Field::OilBbl, Anomaly { day: d(3, 20), ..dip }),
                    ],
                ),
                with(
                    bravo,
                    march,
                    vec![
                        (Field::WaterBbl, Anomaly { day: d(3, 20), ..spike }),
                        (Field::OilBbl, Anomaly { day: d(3, 10), ..dip }),
                        (Field::OilBbl, Anomaly { day: d(3, 5), ..spike }),
                    ],
                ),
            ],
            first,
        )
        .await
        .unwrap();

        // Alpha again over Mar 15 to Apr 15: its Mar 20 anomaly is gone, its Mar 5 ones (outside) stay.
        let second = at(60);
        let april = Anomaly { day: d(4, 1), ..spike };
        s.store_analytics(t.id, &[with(alpha, (d(3, 15), d(4, 15)), vec![(Field::OilBbl, april)])], second)
            .await
            .unwrap();

        let stored = |well_id: WellId, name: &str, field: Field, anomaly: Anomaly, detected_at| StoredAnomaly {
            well_id,
            well_name: name.into(),
            field,
            anomaly,
            detected_at,
        };
        let expected = vec![
            stored(alpha, "Alpha", Field::OilBbl, april, second),
            stored(bravo, "Bravo", Field::WaterBbl, Anomaly { day: d(3, 20), ..spike }, first),
            stored(bravo, "Bravo", Field::OilBbl, Anomaly { day: d(3, 10), ..dip }, first),
            stored(alpha, "Alpha", Field::OilBbl, spike, first),
            stored(alpha, "Alpha", Field::GasMcf, dip, first),
            stored(bravo, "Bravo", Field::OilBbl, Anomaly { day: d(3, 5), ..spike }, first),
        ];
        let query = |since, well_id, field, page| AnomalyQuery { since, well_id, field, page };
        let everything = query(None, None, None, page(50, 0));
        assert_eq!(
            s.list_anomalies(t.id, &everything).await.unwrap(),
            (expected.clone(), 6),
            "newest day first, then well name, then field"
        );
        let (middle, total) = s.list_anomalies(t.id, &query(None, None, None, page(2, 2))).await.unwrap();
        assert_eq!((middle.as_slice(), total), (&expected[2..4], 6));
        let since = s.list_anomalies(t.id, &query(Some(d(3, 10)), None, None, page(50, 0))).await.unwrap();
        assert_eq!(since, (expected[..3].to_vec(), 3), "since is inclusive");
        let of_bravo = s.list_anomalies(t.id, &query(None, Some(bravo), None, page(50, 0))).await.unwrap();
        let bravo_expected: Vec<StoredAnomaly> = expected.iter().filter(|a| a.well_id == bravo).cloned().collect();
        assert_eq!(of_bravo, (bravo_expected, 3));
        let gas = s.list_anomalies(t.id, &query(None, None, Some(Field::GasMcf), page(50, 0))).await.unwrap();
        assert_eq!(gas, (vec![expected[4].clone()], 1));
        let combined = query(Some(d(3, 5)), Some(alpha), Some(Field::OilBbl), page(1, 1));
        assert_eq!(s.list_anomalies(t.id, &combined).await.unwrap(), (vec![expected[3].clone()], 2));

        // A pass without anomalies clears its window only.
        s.store_analytics(t.id, &[with(bravo, (d(3, 6), d(3, 31)), Vec::new())], at(90)).await.unwrap();
        let (left, total) = s.list_anomalies(t.id, &query(None, Some(bravo), None, page(50, 0))).await.unwrap();
        assert_eq!((left, total), (vec![expected[5].clone()], 1));

        // The order follows a renamed well.
        let mut renamed = s.get_well(t.id, alpha).await.unwrap().unwrap();
        renamed.name = "Zulu".into();
        s.update_well(t.id, &renamed).await.unwrap();
        let (march5, _) = s.list_anomalies(t.id, &query(None, None, None, page(50, 0))).await.unwrap();
        let order: Vec<(&str, Field)> = march5[1..].iter().map(|a| (a.well_name.as_str(), a.field)).collect();
        assert_eq!(order, [("Bravo", Field::OilBbl), ("Zulu", Field::OilBbl), ("Zulu", Field::GasMcf)]);

        assert_eq!(s.list_anomalies(other.id, &everything).await.unwrap(), (Vec::new(), 0));
        let theirs = query(None, Some(alpha), None, page(50, 0));
        assert_eq!(s.list_anomalies(other.id, &theirs).await.unwrap(), (Vec::new(), 0));
    }

    pub async fn forecasts_and_state_are_stored_per_well(s: S) {
        let t = common::tenant(&s).await;
        let other = common::tenant(&s).await;
        let oil = well(&s, t.id, "Oil", None).await.id;
        let gas = typed_well(&s, t.id, "Gas", WellType::Gas, WellStatus::Active, "L").await.id;
        assert_eq!(s.analytics_state(t.id, oil).await.unwrap(), (None, None));
        assert_eq!(s.stored_forecast(t.id, oil).await.unwrap(), None);

        let changed = at(-5);
        s.mark_analytics_changed(t.id, &[oil, oil], changed).await.unwrap();
        assert_eq!(s.analytics_state(t.id, oil).await.unwrap(), (None, Some(changed)));
        assert_eq!(s.stored_forecast(t.id, oil).await.unwrap(), None, "marked, never computed");

        let fc = forecast();
        let computed = at(0);
        let ok = WellAnalytics { forecast: Ok((Field::OilBbl, fc.clone())), ..result(oil, Vec::new()) };
        s.store_analytics(t.id, &[ok, result(gas, Vec::new())], computed).await.unwrap();
        assert_eq!(
            s.stored_forecast(t.id, oil).await.unwrap(),
            Some(StoredForecast { field: Field::OilBbl, forecast: Ok(fc.clone()), computed_at: computed })
        );
        assert_eq!(
            s.stored_forecast(t.id, gas).await.unwrap(),
            Some(StoredForecast {
                field: Field::GasMcf,
                forecast: Err("not enough data".into()),
                computed_at: computed
            }),
            "without a forecast, the well's primary field"
        );
        assert_eq!(s.analytics_state(t.id, oil).await.unwrap(), (Some(computed), Some(changed)), "mark kept");
        assert_eq!(s.analytics_state(t.id, gas).await.unwrap(), (Some(computed), None));

        // A later mark, then a pass that found no forecast: replaced.
        let changed_again = at(3);
        s.mark_analytics_changed(t.id, &[oil, gas], changed_again).await.unwrap();
        assert_eq!(s.analytics_state(t.id, gas).await.unwrap(), (Some(computed), Some(changed_again)));
        let recomputed = at(10);
        let failed = WellAnalytics { forecast: Err("model did not converge".into()), ..result(oil, Vec::new()) };
        s.store_analytics(t.id, &[failed], recomputed).await.unwrap();
        assert_eq!(
            s.stored_forecast(t.id, oil).await.unwrap(),
            Some(StoredForecast {
                field: Field::OilBbl,
                forecast: Err("model did not converge".into()),
                computed_at: recomputed
            })
        );
        assert_eq!(s.analytics_state(t.id, oil).await.unwrap(), (Some(recomputed), Some(changed_again)));

        // Nothing crosses tenants: another tenant neither reads these nor marks them.
        assert_eq!(s.stored_forecast(other.id, oil).await.unwrap(), None);
        assert_eq!(s.analytics_state(other.id, oil).await.unwrap(), (None, None));
        s.mark_analytics_changed(other.id, &[oil, WellId(Uuid::new_v4())], at(20)).await.unwrap();
        assert_eq!(s.analytics_state(other.id, oil).await.unwrap(), (None, None));
        assert_eq!(s.analytics_state(t.id, oil).await.unwrap(), (Some(recomputed), Some(changed_again)));
        s.mark_analytics_changed(t.id, &[], at(20)).await.unwrap();
    }

    pub async fn due_wells_follow_debounce_ttl_and_order(s: S) {
        let t = common::tenant(&s).await;
        let other = common::tenant(&s).await;
        let now = at(0);
        let due = AnalyticsDue {
            changed_and_computed_before: now - Duration::minutes(2),
            computed_before: now - Duration::hours(6),
        };
        let mut never = vec![well(&s, t.id, "Never 1", None).await.id, well(&s, t.id, "Never 2", None).await.id];
        let marked_only = well(&s, t.id, "Marked only", None).await.id;
        let stale = well(&s, t.id, "Stale", None).await.id;
        let changed_long_ago = well(&s, t.id, "Changed, computed long ago", None).await.id;
        let changed_just_computed = well(&s, t.id, "Changed, just computed", None).await.id;
        let fresh = well(&s, t.id, "Fresh", None).await.id;
        let changed_before = well(&s, t.id, "Changed before computed", None).await.id;
        let at_ttl = well(&s, t.id, "Computed at the TTL instant", None).await.id;
        well(&s, other.id, "Theirs, never computed", None).await;

        let tid = t.id;
        let store = |well: WellId, computed: DateTime<Utc>| {
            let s = Arc::clone(&s);
            async move { s.store_analytics(tid, &[result(well, Vec::new())], computed).await.unwrap() }
        };
        let mark = |well: WellId, changed: DateTime<Utc>| {
            let s = Arc::clone(&s);
            async move { s.mark_analytics_changed(tid, &[well], changed).await.unwrap() }
        };
        mark(marked_only, now - Duration::minutes(1)).await;
        store(stale, now - Duration::hours(7)).await;
        store(changed_long_ago, now - Duration::minutes(30)).await;
        mark(changed_long_ago, now - Duration::minutes(20)).await;
        store(changed_just_computed, now - Duration::minutes(1)).await;
        mark(changed_just_computed, now - Duration::seconds(30)).await;
        store(fresh, now - Duration::minutes(29)).await;
        mark(changed_before, now - Duration::minutes(20)).await;
        store(changed_before, now - Duration::minutes(10)).await;
        store(at_ttl, due.computed_before).await;

        never.push(marked_only);
        never.sort_unstable();
        let mut expected = never.clone();
        expected.extend([stale, changed_long_ago]);
        assert_eq!(
            s.wells_due_for_analytics(t.id, due, 100).await.unwrap(),
            expected,
            "never computed (by id), then the oldest results first"
        );
        assert_eq!(s.wells_due_for_analytics(t.id, due, 2).await.unwrap(), expected[..2]);
        assert_eq!(s.wells_due_for_analytics(t.id, due, u32::MAX).await.unwrap(), expected);

        // Once the debounce interval has passed, the just computed well is due too; the TTL catches every well.
        let later = AnalyticsDue { changed_and_computed_before: now, computed_before: now - Duration::hours(6) };
        let mut with_debounced = never.clone();
        with_debounced.extend([stale, changed_long_ago, changed_just_computed]);
        assert_eq!(s.wells_due_for_analytics(t.id, later, 100).await.unwrap(), with_debounced);
        let ttl = AnalyticsDue { changed_and_computed_before: now, computed_before: now + Duration::seconds(1) };
        let all = s.wells_due_for_analytics(t.id, ttl, 100).await.unwrap();
        assert_eq!(all[..3], never);
        assert_eq!(
            all[3..],
            [stale, at_ttl, changed_long_ago, fresh, changed_before, changed_just_computed],
            "then by computed_at; another tenant's wells never"
        );
        assert!(s.wells_due_for_analytics(t.id, due, 0).await.unwrap().is_empty());
    }

    pub async fn storing_another_tenants_well_writes_nothing(s: S) {
        let t = common::tenant(&s).await;
        let other = common::tenant(&s).await;
        let mine = well(&s, t.id, "Mine", None).await.id;
        let theirs = well(&s, other.id, "Theirs", None).await.id;
        let fc = forecast();
        let full = |well: WellId| WellAnalytics {
            anomalies: vec![(Field::OilBbl, anomaly(as_of(), 150.0))],
            forecast: Ok((Field::OilBbl, fc.clone())),
            ..result(well, vec![(Field::OilBbl, trend(Some(100.0), 100.0, -2.0))])
        };
        for bad in [theirs, WellId(Uuid::new_v4())] {
            let outcome = s.store_analytics(t.id, &[full(mine), full(bad)], at(0)).await;
            assert!(matches!(outcome, Err(StorageError::NotFound(_))), "{outcome:?}");
            assert_eq!(s.analytics_state(t.id, mine).await.unwrap(), (None, None));
            assert_eq!(s.stored_forecast(t.id, mine).await.unwrap(), None);
            let trends = s.list_trends(t.id, &TrendFilter::default(), TrendSort::Name, page(10, 0)).await.unwrap();
            assert_eq!(trends.1, 0);
            let q = AnomalyQuery { since: None, well_id: None, field: None, page: page(10, 0) };
            assert_eq!(s.list_anomalies(t.id, &q).await.unwrap().1, 0);
        }
        assert_eq!(s.analytics_state(other.id, theirs).await.unwrap(), (None, None), "nor in the other tenant");
        s.store_analytics(t.id, &[], at(0)).await.unwrap();
    }

    pub async fn leases_are_exclusive_until_they_expire(s: S) {
        let name = format!("test-lease-{}", Uuid::new_v4());
        let (one, two) = (Uuid::new_v4(), Uuid::new_v4());
        let t0 = at(0);
        let secs = |n: i64| t0 + Duration::seconds(n);
        assert!(s.acquire_lease(&name, one, t0, secs(30)).await.unwrap(), "a free lease is taken");
        assert!(!s.acquire_lease(&name, two, secs(1), secs(31)).await.unwrap(), "refused while held");
        assert!(s.acquire_lease(&name, one, secs(10), secs(40)).await.unwrap(), "the holder renews");
        assert!(!s.acquire_lease(&name, two, secs(39), secs(69)).await.unwrap(), "the renewal holds");
        assert!(s.acquire_lease(&name, two, secs(40), secs(70)).await.unwrap(), "expired at its end");
        assert!(!s.acquire_lease(&name, one, secs(41), secs(71)).await.unwrap(), "now the other's");
        let other_name = format!("{name}-other");
        assert!(s.acquire_lease(&other_name, one, secs(41), secs(71)).await.unwrap(), "leases are per name");

        // Of several instances asking at once, exactly one gets it.
        let contested = format!("{name}-contested");
        let until = secs(60);
        let asks = (0..8).map(|_| {
            let s = Arc::clone(&s);
            let contested = contested.clone();
            tokio::spawn(async move { s.acquire_lease(&contested, Uuid::new_v4(), t0, until).await.unwrap() })
        });
        let mut won = 0;
        for ask in asks.collect::<Vec<_>>() {
            won += usize::from(ask.await.unwrap());
        }
        assert_eq!(won, 1);
    }
}

mod events {
    use super::*;
    use flowline_backend::ports::NewEvent;
    use flowline_shared::dto::events::EventKind;
    use serde_json::json;

    fn new_event(kind: EventKind, n: i64) -> NewEvent {
        let at = Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap() + Duration::milliseconds(n);
        NewEvent {
            kind,
            at,
            data: json!({ "alert": { "n": n, "note": "ünïcode 'quoted'" } }).as_object().cloned().unwrap(),
        }
    }

    pub async fn events_are_numbered_consecutively_per_tenant_and_read_back(s: S) {
        let (t1, t2) = (common::tenant(&s).await, common::tenant(&s).await);
        assert_eq!(s.last_event_seq(t1.id).await.unwrap(), 0, "no event yet");
        let first = s
            .append_events(t1.id, &[new_event(EventKind::AlertCreated, 1), new_event(EventKind::AlertUpdated, 2)])
            .await
            .unwrap();
        assert_eq!(first.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 2]);
        let other = s.append_events(t2.id, &[new_event(EventKind::KpisChanged, 9)]).await.unwrap();
        assert_eq!(other[0].seq, 1, "each tenant has its own numbering");
        let more = s.append_events(t1.id, &[new_event(EventKind::AlertCleared, 3)]).await.unwrap();
        assert_eq!(more[0].seq, 3);
        assert_eq!(s.last_event_seq(t1.id).await.unwrap(), 3);
        assert!(s.append_events(t1.id, &[]).await.unwrap().is_empty());

        let all = s.events_after(t1.id, 0, 100).await.unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all[..2], first[..], "what was appended reads back equal");
        assert_eq!(all[2], more[0]);
        assert!(all.iter().all(|e| e.tenant_id == t1.id));
        let page = s.events_after(t1.id, 1, 1).await.unwrap();
        assert_eq!((page.len(), page[0].seq, page[0].kind), (1, 2, EventKind::AlertUpdated));
        assert!(s.events_after(t1.id, 3, 10).await.unwrap().is_empty());
        assert_eq!(s.events_after(t2.id, 0, 10).await.unwrap(), other);

        let unknown = TenantId(Uuid::new_v4());
        let refused = s.append_events(unknown, &[new_event(EventKind::AlertCreated, 1)]).await;
        assert!(matches!(refused, Err(StorageError::NotFound(_))), "{refused:?}");

        // Pruning removes what happened before the instant and never reuses a seq.
        let cut = all[1].at + Duration::milliseconds(1);
        assert_eq!(s.prune_events(t1.id, cut).await.unwrap(), 2);
        assert_eq!(s.events_after(t1.id, 0, 10).await.unwrap().iter().map(|e| e.seq).collect::<Vec<_>>(), vec![3]);
        assert_eq!(s.events_after(t2.id, 0, 10).await.unwrap(), other, "another tenant's events stay");
        let next = s.append_events(t1.id, &[new_event(EventKind::AlertCreated, 4)]).await.unwrap();
        assert_eq!(next[0].seq, 4);
    }

    pub async fn concurrent_appends_get_unique_gapless_numbers(s: S) {
        let t = common::tenant(&s).await;
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let s = s.clone();
                tokio::spawn(async move {
                    let batch: Vec<NewEvent> = (0..5).map(|j| new_event(EventKind::AlertUpdated, i * 10 + j)).collect();
                    s.append_events(t.id, &batch).await.unwrap()
                })
            })
            .collect();
        let mut seqs = Vec::new();
        for task in tasks {
            let batch = task.await.unwrap();
            // A batch is numbered as one run.
            assert!(batch.windows(2).all(|w| w[1].seq == w[0].seq + 1), "{batch:?}");
            seqs.extend(batch.iter().map(|e| e.seq));
        }
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=40).collect::<Vec<_>>());
        assert_eq!(s.last_event_seq(t.id).await.unwrap(), 40);
        assert_eq!(s.events_after(t.id, 0, 1000).await.unwrap().len(), 40);
    }
}

use events::{
    concurrent_appends_get_unique_gapless_numbers, events_are_numbered_consecutively_per_tenant_and_read_back,
};

mod alarms {
    use super::*;
    use flowline_backend::ports::{AlarmChange, AlarmFilter, NewEvent};
    use flowline_shared::UserId;
    use flowline_shared::alarms::{
        Alarm, AlarmId, AlarmPriority, AlarmRuleKind, AlarmRuleSet, AlarmState, AlarmUpdate, Condition, NewAlarm,
    };
    use flowline_shared::dto::events::EventKind;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap()
    }

    fn raise(
        tenant: TenantId,
        well: WellId,
        rule: AlarmRuleKind,
        priority: AlarmPriority,
        at: DateTime<Utc>,
    ) -> AlarmUpdate {
        let new = NewAlarm { id: AlarmId(Uuid::now_v7()), tenant_id: tenant, well_id: well, rule, priority };
        let active = Condition::Active { value: 300.0, limit: 350.0, message: "oil 300 bbl/d below 70% of 500".into() };
        Alarm::raise(new, &active, at).unwrap()
    }

    fn created(alarm: &Alarm) -> NewEvent {
        let data = serde_json::json!({ "alert": { "id": alarm.id.0 } }).as_object().cloned().unwrap();
        NewEvent { kind: EventKind::AlertCreated, at: alarm.last_changed_at, data }
    }

    fn change(update: AlarmUpdate, read_revision: Option<i64>) -> AlarmChange {
        AlarmChange { alarm: update.alarm, read_revision, transitions: update.transitions, request_key: None }
    }

    pub async fn request_keys_are_stored_with_their_journal_records_per_tenant(s: S) {
        let t = common::tenant(&s).await;
        let w = well(&s, t.id, "K-1", None).await;
        let raised = raise(t.id, w.id, AlarmRuleKind::ProductionDrop, AlarmPriority::High, t0());
        s.record_alarm_changes(t.id, &[change(raised.clone(), None)], &[]).await.unwrap();
        assert!(s.alarm_request(t.id, "key-1").await.unwrap().is_empty(), "no record carries the key yet");

        let user = UserId(Uuid::new_v4());
        let ack = raised.alarm.acknowledge(user, Some("on my way"), t0() + Duration::minutes(3)).unwrap();
        let keyed = AlarmChange { request_key: Some("key-1".into()), ..change(ack.clone(), Some(1)) };
        s.record_alarm_changes(t.id, &[keyed], &[]).await.unwrap();
        assert_eq!(s.alarm_request(t.id, "key-1").await.unwrap(), ack.transitions);
        // Keys are matched exactly and per tenant; the process's records carry none.
        assert!(s.alarm_request(t.id, "KEY-1").await.unwrap().is_empty());
        assert!(s.alarm_request(t.id, "key-1' OR '1'='1").await.unwrap().is_empty());
        let other = common::tenant(&s).await;
        assert!(s.alarm_request(other.id, "key-1").await.unwrap().is_empty());
        assert_eq!(s.alarm_history(t.id, raised.alarm.id).await.unwrap().len(), 2);

        // A refused change stores no key either.
        let stale = raised.alarm.acknowledge(user, None, t0() + Duration::minutes(4)).unwrap();
        let refused = s
            .record_alarm_changes(
                t.id,
                &[AlarmChange { request_key: Some("key-2".into()), ..change(stale, Some(1)) }],
                &[],
            )
            .await;
        assert!(matches!(refused, Err(StorageError::Conflict(_))), "{refused:?}");
        assert!(s.alarm_request(t.id, "key-2").await.unwrap().is_empty());
    }

    pub async fn alarm_rules_default_to_none_and_are_replaced(s: S) {
        let t = common::tenant(&s).await;
        assert_eq!(s.alarm_rule_set(t.id).await.unwrap(), None);
        let user = UserId(Uuid::new_v4());
        let rules = AlarmRuleSet::default().with_staleness_hours(Some(12.0)).unwrap();
        s.put_alarm_rule_set(t.id, &rules, user, t0()).await.unwrap();
        assert_eq!(s.alarm_rule_set(t.id).await.unwrap(), Some(rules));
        s.put_alarm_rule_set(t.id, &AlarmRuleSet::default(), user, t0()).await.unwrap();
        assert_eq!(s.alarm_rule_set(t.id).await.unwrap(), Some(AlarmRuleSet::default()));
        let unknown = s.put_alarm_rule_set(TenantId(Uuid::new_v4()), &AlarmRuleSet::default(), user, t0()).await;
        assert!(matches!(unknown, Err(StorageError::NotFound(_))), "{unknown:?}");
    }

    pub async fn alarm_changes_journal_and_events_are_recorded_together(s: S) {
        let t = common::tenant(&s).await;
        let (w1, w2) = (well(&s, t.id, "A-1", None).await, well(&s, t.id, "A-2", None).await);
        let drop = raise(t.id, w1.id, AlarmRuleKind::ProductionDrop, AlarmPriority::High, t0());
        let down = raise(t.id, w2.id, AlarmRuleKind::WellDown, AlarmPriority::Critical, t0() + Duration::minutes(5));
        let events = [created(&drop.alarm), created(&down.alarm)];
        let stored = s
            .record_alarm_changes(t.id, &[change(drop.clone(), None), change(down.clone(), None)], &events)
            .await
            .unwrap();
        assert_eq!(stored.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(s.events_after(t.id, 0, 10).await.unwrap(), stored);

        let got = s.get_alarm(t.id, drop.alarm.id).await.unwrap().unwrap();
        assert_eq!((got.alarm.clone(), got.revision), (drop.alarm.clone(), 1));
        assert_eq!(s.open_alarms(t.id, None).await.unwrap().len(), 2);
        let only_w2 = s.open_alarms(t.id, Some(&[w2.id])).await.unwrap();
        assert_eq!(only_w2.iter().map(|a| a.alarm.id).collect::<Vec<_>>(), vec![down.alarm.id]);
        assert_eq!(s.alarm_history(t.id, drop.alarm.id).await.unwrap(), drop.transitions);

        // Acknowledge at revision 1: revision 2, one more journal record, its event.
        let user = UserId(Uuid::new_v4());
        let ack = got.alarm.acknowledge(user, Some("checking the pump"), t0() + Duration::minutes(10)).unwrap();
        s.record_alarm_changes(t.id, &[change(ack.clone(), Some(1))], &[created(&ack.alarm)]).await.unwrap();
        let after = s.get_alarm(t.id, drop.alarm.id).await.unwrap().unwrap();
        assert_eq!((after.alarm.state, after.revision), (AlarmState::ActiveAcknowledged, 2));
        let history = s.alarm_history(t.id, drop.alarm.id).await.unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(history[1].comment.as_deref(), Some("checking the pump"));

        // A change read at a revision that has moved on writes nothing at all.
        let stale = got.alarm.acknowledge(user, None, t0() + Duration::minutes(11)).unwrap();
        let refused = s.record_alarm_changes(t.id, &[change(stale, Some(1))], &[created(&got.alarm)]).await;
        assert!(matches!(refused, Err(StorageError::Conflict(_))), "{refused:?}");
        assert_eq!(s.alarm_history(t.id, drop.alarm.id).await.unwrap().len(), 2);
        assert_eq!(s.last_event_seq(t.id).await.unwrap(), 3, "no event for the refused change");

        // One open alarm per (well, rule): a second is refused, with nothing written.
        let twin = raise(t.id, w1.id, AlarmRuleKind::ProductionDrop, AlarmPriority::High, t0() + Duration::hours(1));
        let refused = s.record_alarm_changes(t.id, &[change(twin.clone(), None)], &[created(&twin.alarm)]).await;
        assert!(matches!(refused, Err(StorageError::Conflict(_))), "{refused:?}");
        assert!(s.get_alarm(t.id, twin.alarm.id).await.unwrap().is_none());
        // Once the first has closed, a new one may open.
        let normal = after.alarm.observe(&Condition::Normal, t0() + Duration::hours(2)).unwrap();
        assert_eq!(normal.alarm.state, AlarmState::Normal);
        s.record_alarm_changes(t.id, &[change(normal, Some(2))], &[]).await.unwrap();
        let again = raise(t.id, w1.id, AlarmRuleKind::ProductionDrop, AlarmPriority::High, t0() + Duration::hours(3));
        s.record_alarm_changes(t.id, &[change(again, None)], &[]).await.unwrap();

        // Another tenant's well: refused, nothing written.
        let other = common::tenant(&s).await;
        let theirs = well(&s, other.id, "B-1", None).await;
        let foreign = raise(t.id, theirs.id, AlarmRuleKind::WellDown, AlarmPriority::Critical, t0());
        let refused = s.record_alarm_changes(t.id, &[change(foreign.clone(), None)], &[]).await;
        assert!(matches!(refused, Err(StorageError::NotFound(_))), "{refused:?}");
        assert!(s.get_alarm(t.id, foreign.alarm.id).await.unwrap().is_none());
        assert!(s.get_alarm(other.id, drop.alarm.id).await.unwrap().is_none(), "alarms stay in their tenant");

        // The journal over a window, in recording order: 2 raises, the ack, the return, the new raise.
        let journal = s.alarm_journal(t.id, t0(), t0() + Duration::hours(4)).await.unwrap();
        let actions: Vec<_> = journal.iter().map(|j| (j.alarm_id, j.to)).collect();
        assert_eq!(actions.len(), 5, "{journal:#?}");
        assert_eq!(actions[2], (drop.alarm.id, AlarmState::ActiveAcknowledged));
        assert!(s.alarm_journal(t.id, t0() + Duration::hours(5), t0() + Duration::hours(6)).await.unwrap().is_empty());
    }

    pub async fn alarms_are_listed_by_filter_newest_first(s: S) {
        let t = common::tenant(&s).await;
        let w1 = well(&s, t.id, "L-1", None).await;
        let w2 = well(&s, t.id, "L-2", None).await;
        let kinds = [
            (w1.id, AlarmRuleKind::ProductionDrop, AlarmPriority::High, 0),
            (w1.id, AlarmRuleKind::WellDown, AlarmPriority::Critical, 10),
            (w2.id, AlarmRuleKind::DataGap, AlarmPriority::High, 20),
            (w2.id, AlarmRuleKind::Anomaly, AlarmPriority::Low, 30),
        ];
        let updates: Vec<AlarmUpdate> =
            kinds.iter().map(|&(w, k, p, m)| raise(t.id, w, k, p, t0() + Duration::minutes(m))).collect();
        let changes: Vec<AlarmChange> = updates.iter().cloned().map(|u| change(u, None)).collect();
        s.record_alarm_changes(t.id, &changes, &[]).await.unwrap();
        let page = PageRequest { limit: 10, offset: 0 };
        let (all, total) = s.list_alarms(t.id, &AlarmFilter::default(), page).await.unwrap();
        assert_eq!(total, 4);
        let newest_first: Vec<AlarmId> = updates.iter().rev().map(|u| u.alarm.id).collect();
        assert_eq!(all.iter().map(|a| a.alarm.id).collect::<Vec<_>>(), newest_first);
        let high = AlarmFilter { priority: Some(AlarmPriority::High), ..Default::default() };
        assert_eq!(s.list_alarms(t.id, &high, page).await.unwrap().1, 2);
        let on_w2 = AlarmFilter { well_id: Some(w2.id), ..Default::default() };
        assert_eq!(s.list_alarms(t.id, &on_w2, page).await.unwrap().1, 2);
        let window = AlarmFilter {
            raised_from: Some(t0() + Duration::minutes(10)),
            raised_to: Some(t0() + Duration::minutes(30)),
            ..Default::default()
        };
        let (found, n) = s.list_alarms(t.id, &window, page).await.unwrap();
        assert_eq!((n, found.len()), (2, 2), "from inclusive, to exclusive");
        let acked = AlarmFilter { states: vec![AlarmState::ActiveAcknowledged], ..Default::default() };
        assert_eq!(s.list_alarms(t.id, &acked, page).await.unwrap().1, 0);
        let unacked = AlarmFilter {
            states: vec![AlarmState::ActiveUnacknowledged, AlarmState::ReturnedUnacknowledged],
            ..Default::default()
        };
        assert_eq!(s.list_alarms(t.id, &unacked, page).await.unwrap().1, 4);
        let second_page = PageRequest { limit: 2, offset: 2 };
        let (second, _) = s.list_alarms(t.id, &AlarmFilter::default(), second_page).await.unwrap();
        assert_eq!(second.iter().map(|a| a.alarm.id).collect::<Vec<_>>(), newest_first[2..]);
    }

    pub async fn wells_are_taken_out_of_alarm_service_and_returned(s: S) {
        use flowline_backend::ports::OutOfService;
        let t = common::tenant(&s).await;
        let w = well(&s, t.id, "O-1", None).await;
        assert!(s.alarms_out_of_service(t.id).await.unwrap().is_empty());
        let record = OutOfService { well_id: w.id, since: t0(), by: UserId(Uuid::new_v4()), reason: "rig".into() };
        s.set_alarms_out_of_service(t.id, w.id, Some(&record)).await.unwrap();
        assert_eq!(s.alarms_out_of_service(t.id).await.unwrap(), vec![record.clone()]);
        let again = OutOfService { reason: "still rigged up".into(), since: t0() + Duration::hours(1), ..record };
        s.set_alarms_out_of_service(t.id, w.id, Some(&again)).await.unwrap();
        assert_eq!(s.alarms_out_of_service(t.id).await.unwrap(), vec![again.clone()], "replaced, not doubled");
        s.set_alarms_out_of_service(t.id, w.id, None).await.unwrap();
        assert!(s.alarms_out_of_service(t.id).await.unwrap().is_empty());
        let other = common::tenant(&s).await;
        let refused = s.set_alarms_out_of_service(other.id, w.id, Some(&again)).await;
        assert!(matches!(refused, Err(StorageError::NotFound(_))), "{refused:?}");
        assert!(s.alarms_out_of_service(other.id).await.unwrap().is_empty());
    }
}

use alarms::{
    alarm_changes_journal_and_events_are_recorded_together, alarm_rules_default_to_none_and_are_replaced,
    alarms_are_listed_by_filter_newest_first, request_keys_are_stored_with_their_journal_records_per_tenant,
    wells_are_taken_out_of_alarm_service_and_returned,
};

use analytics_results::{
    anomalies_are_replaced_in_their_window_and_listed_newest_first, due_wells_follow_debounce_ttl_and_order,
    forecasts_and_state_are_stored_per_well, leases_are_exclusive_until_they_expire,
    storing_another_tenants_well_writes_nothing, trends_round_trip_filter_sort_and_paginate,
};

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $name() { let (s, _dir) = crate::common::sqlite().await; super::$name(s).await; })*
        }
        mod postgres {
            $(#[tokio::test] async fn $name() { if let Some(s) = crate::common::postgres().await { super::$name(s).await; } })*
        }
    };
}

contract!(
    migrations_are_idempotent,
    tenants_are_unique_by_slug,
    users_are_unique_per_tenant,
    wells_round_trip_and_stay_in_their_tenant,
    create_wells_is_all_or_nothing,
    updates_replace_fields_within_the_tenant,
    list_filters_paginates_and_treats_text_as_data,
    list_shows_the_latest_reading,
    entries_are_idempotent_ordered_and_windowed,
    settling_a_bulk_load_changes_no_data,
    latest_reading_times_are_per_well_and_tenant,
    entries_never_cross_tenants,
    corrections_and_optional_fields_round_trip,
    aggregates_are_replaced_whole_and_read_back,
    inserts_mark_wells_dirty_and_clearing_removes_what_was_read,
    readings_are_ordered_windowed_and_tenant_scoped,
    job_runs_are_recorded_and_listed,
    well_ids_and_tenants_are_listed,
    trends_round_trip_filter_sort_and_paginate,
    anomalies_are_replaced_in_their_window_and_listed_newest_first,
    forecasts_and_state_are_stored_per_well,
    due_wells_follow_debounce_ttl_and_order,
    storing_another_tenants_well_writes_nothing,
    leases_are_exclusive_until_they_expire,
    events_are_numbered_consecutively_per_tenant_and_read_back,
    concurrent_appends_get_unique_gapless_numbers,
    alarm_rules_default_to_none_and_are_replaced,
    alarm_changes_journal_and_events_are_recorded_together,
    alarms_are_listed_by_filter_newest_first,
    wells_are_taken_out_of_alarm_service_and_returned,
    request_keys_are_stored_with_their_journal_records_per_tenant,
);
