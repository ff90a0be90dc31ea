//! One contract for every storage adapter: each test below runs against SQLite and against PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

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

async fn inserts_mark_wells_dirty_and_clearing_respects_versions(s: S) {
    let t = common::tenant(&s).await;
    let other = common::tenant(&s).await;
    let w1 = well(&s, t.id, "One", None).await;
    let w2 = well(&s, t.id, "Two", None).await;
    let at = |d: u32, h: u32| Utc.with_ymd_and_hms(2024, 3, d, h, 0, 0).unwrap();
    let mark_of = |marks: &[DirtyWell], w: WellId| marks.iter().find(|d| d.well_id == w).copied();
    assert!(s.dirty_wells(t.id, 10).await.unwrap().is_empty());

    let batch = [
        reading(w1.id, at(5, 12), 10.0, true),
        reading(w1.id, at(3, 8), 11.0, false),
        reading(w1.id, at(7, 20), 12.0, true),
    ];
    s.insert_entries(t.id, &batch).await.unwrap();
    let marks = s.dirty_wells(t.id, 10).await.unwrap();
    assert_eq!(marks.len(), 1);
    let first = marks[0];
    assert_eq!(
        (first.well_id, first.from, first.to),
        (w1.id, at(3, 8), at(7, 20)),
        "the span of the inserted readings"
    );

    // An older reading arrives late: the span widens and the version grows.
    s.insert_entries(t.id, &[reading(w1.id, at(1, 6), 13.0, false)]).await.unwrap();
    let widened = mark_of(&s.dirty_wells(t.id, 10).await.unwrap(), w1.id).unwrap();
    assert_eq!((widened.from, widened.to), (at(1, 6), at(7, 20)));
    assert!(widened.version > first.version);

    // A retried batch stores nothing and leaves the mark as it was.
    let again = s.insert_entries(t.id, &batch).await.unwrap();
    assert_eq!((again.inserted, again.duplicates), (0, 3));
    assert_eq!(mark_of(&s.dirty_wells(t.id, 10).await.unwrap(), w1.id), Some(widened));

    // A second well, marked later: the oldest mark comes first, and the limit is respected.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    s.insert_entries(t.id, &[reading(w2.id, at(10, 12), 14.0, true)]).await.unwrap();
    let both = s.dirty_wells(t.id, 10).await.unwrap();
    assert_eq!(both.iter().map(|d| d.well_id).collect::<Vec<_>>(), [w1.id, w2.id], "oldest marks first");
    assert_eq!(s.dirty_wells(t.id, 1).await.unwrap(), [widened]);

    // Marks are per tenant: another tenant neither sees nor clears them, and its refused insert marks nothing.
    assert!(s.dirty_wells(other.id, 10).await.unwrap().is_empty());
    assert_eq!(s.clear_dirty(other.id, &both).await.unwrap(), 0);
    let refused = s.insert_entries(other.id, &[reading(w1.id, at(2, 0), 15.0, false)]).await;
    assert!(matches!(refused, Err(StorageError::NotFound(_))));
    assert!(s.dirty_wells(other.id, 10).await.unwrap().is_empty());
    assert_eq!(s.dirty_wells(t.id, 10).await.unwrap(), both);

    // Clearing with a stale version does nothing; with the current one it removes the mark.
    assert_eq!(s.clear_dirty(t.id, &[first]).await.unwrap(), 0);
    assert_eq!(mark_of(&s.dirty_wells(t.id, 10).await.unwrap(), w1.id), Some(widened));
    assert_eq!(s.clear_dirty(t.id, &[widened]).await.unwrap(), 1);
    let left = s.dirty_wells(t.id, 10).await.unwrap();
    assert_eq!(left.iter().map(|d| d.well_id).collect::<Vec<_>>(), [w2.id]);

    // A reading after the clear starts a new mark over just its own instant.
    s.insert_entries(t.id, &[reading(w1.id, at(20, 0), 16.0, true)]).await.unwrap();
    let fresh = mark_of(&s.dirty_wells(t.id, 10).await.unwrap(), w1.id).unwrap();
    assert_eq!((fresh.from, fresh.to), (at(20, 0), at(20, 0)));
    assert_eq!(s.clear_dirty(t.id, &[fresh, left[0]]).await.unwrap(), 2);
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

    let backfills = s.recent_job_runs(Some(JobKind::Backfill), 1000).await.unwrap();
    assert!(backfills.iter().all(|r| r.job == JobKind::Backfill));
    assert!(backfills.windows(2).all(|p| p[0].started_at >= p[1].started_at), "newest first");
    let (new_at, old_at) = (position(&backfills, run.id).unwrap(), position(&backfills, older.id).unwrap());
    assert!(new_at < old_at);
    assert_eq!(backfills[new_at], run, "a running run as started");
    assert_eq!(position(&backfills, every_tenant.id), None, "another job's run is not listed");

    let finished_at = now + Duration::milliseconds(1500);
    s.finish_job_run(run.id, finished_at, JobStatus::Succeeded, 42, Some("3 wells, 270 readings")).await.unwrap();
    s.finish_job_run(older.id, finished_at, JobStatus::Failed, 0, Some("storage unavailable")).await.unwrap();
    let backfills = s.recent_job_runs(Some(JobKind::Backfill), 1000).await.unwrap();
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

    let all = s.recent_job_runs(None, 1000).await.unwrap();
    let global = &all[position(&all, every_tenant.id).expect("listed without a job filter")];
    assert_eq!(global, &every_tenant);
    assert!(position(&all, run.id).is_some());
    assert_eq!(s.recent_job_runs(None, 1).await.unwrap().len(), 1);

    let unknown = s.finish_job_run(Uuid::new_v4(), finished_at, JobStatus::Succeeded, 1, None).await;
    assert!(matches!(unknown, Err(StorageError::NotFound(_))), "{unknown:?}");
    let twice = s.start_job_run(&run).await;
    assert!(matches!(twice, Err(StorageError::Conflict(_))), "{twice:?}");
    let backfills = s.recent_job_runs(Some(JobKind::Backfill), 1000).await.unwrap();
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
    entries_never_cross_tenants,
    corrections_and_optional_fields_round_trip,
    aggregates_are_replaced_whole_and_read_back,
    inserts_mark_wells_dirty_and_clearing_respects_versions,
    readings_are_ordered_windowed_and_tenant_scoped,
    job_runs_are_recorded_and_listed,
    well_ids_and_tenants_are_listed,
);
